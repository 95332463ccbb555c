"""The four attributes every LUN set carries (SYSFS.md sections 1.4 and 3.8).

``addr_method``, ``io_grouping_type``, ``black_hole`` and ``cpu_mask`` live on the kernel's ACG, so the
target-level files (default set) and the ``ini_groups/<grp>/`` files share these parsers and formats.
"""

import errno

from .lexer import kstrtoll
from .nodes import Attr, KernelError, keyed

ADDR_METHODS = ('FLAT', 'PERIPHERAL', 'LUN')
# Every driver prefers PERIPHERAL (section 1.4), so that is the value printed without [key].
PREFERRED_ADDR_METHOD = 'PERIPHERAL'
IO_GROUPINGS = ('auto', 'this_group_only', 'never')


def prefix_match(text, word):
    """``strncasecmp(buf, WORD, min(strlen(WORD), count))``: the kernel compares at most ``count`` bytes."""
    length = min(len(word), len(text))
    return text[:length].lower() == word[:length].lower()


def parse_cpu_mask(text, nbits):
    """Linux ``bitmap_parse``: comma-separated 32-bit hex chunks, text ends at the first newline."""
    body = text.split('\n', 1)[0].strip()
    if not body:
        return 0
    chunks = body.split(',')
    if len(chunks) > (nbits + 31) // 32:
        raise KernelError(errno.EOVERFLOW, f'cpu mask "{body}" has too many chunks')
    value = 0
    for chunk in chunks:
        digits = chunk.strip()
        if not digits or any(ch not in '0123456789abcdefABCDEF' for ch in digits):
            raise KernelError(errno.EINVAL, f'bitmap_parse() failed on "{body}"')
        if len(digits) > 8:
            raise KernelError(errno.EOVERFLOW, f'cpu mask chunk "{digits}" longer than 32 bits')
        value = (value << 32) | int(digits, 16)
    if value >> nbits:
        raise KernelError(errno.EOVERFLOW, f'cpu mask "{body}" names CPUs that do not exist')
    return value


def format_cpu_mask(value, nbits):
    """``%*pb``: 32-bit chunks, most significant first, the first one as wide as its bits need."""
    parts = []
    top = nbits % 32 or 32
    bit = ((nbits + 31) // 32 - 1) * 32
    width = (top + 3) // 4
    while bit >= 0:
        parts.append(f'{(value >> bit) & 0xffffffff:0{width}x}')
        bit -= 32
        width = 8
    return ','.join(parts)


class AcgAttrs:
    """State and attribute files of one ACG."""

    def __init__(self, kernel, acg):
        self.kernel = kernel
        self.acg = acg
        self.addr_method = PREFERRED_ADDR_METHOD
        self.io_grouping = 'auto'
        self.black_hole = 0
        self.all_cpus = (1 << kernel.cpus) - 1
        self.cpu_mask = self.all_cpus

    def nodes(self):
        """The attribute files, in the kernel's creation order."""
        return [
            ('addr_method', Attr(0o644, self._addr_show, self._addr_store)),
            ('io_grouping_type', Attr(0o644, self._grouping_show, self._grouping_store, work=self._grouping_changes)),
            ('black_hole', Attr(0o644, lambda: f'{self.black_hole}\n', self._black_hole_store)),
            ('cpu_mask', Attr(0o644, self._mask_show, self._mask_store, work=self._mask_changes)),
        ]

    def _addr_show(self):
        return keyed(self.addr_method, self.addr_method != PREFERRED_ADDR_METHOD)

    def _addr_store(self, text):
        for method in ADDR_METHODS:
            if prefix_match(text, method):
                self.addr_method = method
                return
        raise KernelError(errno.EINVAL, f'Unknown address method {text.strip()}')

    def _grouping_show(self):
        return keyed(self.io_grouping, self.io_grouping != 'auto')

    @staticmethod
    def _parse_grouping(text):
        for name in IO_GROUPINGS:
            if prefix_match(text, name):
                return name
        try:
            value = kstrtoll(text)
        except KernelError as exc:
            raise KernelError(errno.EINVAL, f'Unknown or not allowed I/O grouping type {text.strip()}') from exc
        if value <= 0:
            raise KernelError(errno.EINVAL, f'Unknown or not allowed I/O grouping type {text.strip()}')
        return value

    def _grouping_changes(self, text):
        """Only a valid, different value queues a sysfs work (section 4.6)."""
        try:
            return self._parse_grouping(text) != self.io_grouping
        except KernelError:
            return False

    def _grouping_store(self, text):
        self.io_grouping = self._parse_grouping(text)

    def _black_hole_store(self, text):
        if not text:
            return
        if text[0] not in '01234':
            raise KernelError(errno.EINVAL, f'Requested action not understood: {text.strip()}')
        self.black_hole = int(text[0])

    def _mask_show(self):
        return keyed(format_cpu_mask(self.cpu_mask, self.kernel.cpus), self.cpu_mask != self.all_cpus)

    def _mask_changes(self, text):
        try:
            return parse_cpu_mask(text, self.kernel.cpus) != self.cpu_mask
        except KernelError:
            return False

    def _mask_store(self, text):
        self.cpu_mask = parse_cpu_mask(text, self.kernel.cpus)
