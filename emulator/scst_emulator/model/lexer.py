"""SCST's command lexer and the kernel's number parsers (SYSFS.md section 2.0).

These reproduce ``scst_get_next_lexem``, ``scst_get_next_token_str`` and the ``kstrto*`` family, quirks
included: ``=`` is a separator like whitespace, an empty parameter token silently ends the list, numbers
are base 0 (``010`` is octal) and only one trailing newline is tolerated.
"""

import errno

from .nodes import KernelError

# The kernel's isspace(): the ASCII blanks and, in its Latin-1 ctype table, NBSP (0xa0).
_SPACE = ' \t\n\v\f\r\xa0'
_SEPARATORS = _SPACE + '='


def next_lexem(text, pos=0):
    """``scst_get_next_lexem``: return ``(lexem, new_pos)``; the lexem is '' when no word is left.

    Separators before the word are skipped; the one separator that ends the word is consumed (the kernel
    overwrites it with NUL and continues after it), so ``new_pos`` is past it. What the caller passes on
    as "the rest" therefore starts one character later: ``add d 0 `` leaves nothing, ``add d 0  `` one blank.
    """
    length = len(text)
    while pos < length and text[pos] in _SEPARATORS:
        pos += 1
    start = pos
    while pos < length and text[pos] not in _SEPARATORS:
        pos += 1
    return text[start:pos], min(pos + 1, length)


def lexems(text):
    """All lexems of ``text``, in order."""
    out = []
    pos = 0
    while True:
        lex, pos = next_lexem(text, pos)
        if not lex:
            return out
        out.append(lex)


def next_token_str(text, pos=0):
    """``scst_get_next_token_str``: return ``(token, new_pos)``; the token is None at the end of the list.

    A token runs up to ``;``, ``\n`` or the end; that one delimiter is consumed. An empty token (the text is
    exhausted, or ``;;``, or ``;`` then ``\n``) ends the list: everything after it is ignored.
    """
    end = pos
    while end < len(text) and text[end] not in ';\n':
        end += 1
    if end == pos:
        return None, pos
    return text[pos:end], min(end + 1, len(text))


def raw_tokens(text):
    """Every token ``scst_get_next_token_str`` yields, for drivers that lex each token with their own rules."""
    out = []
    pos = 0
    while True:
        token, pos = next_token_str(text, pos)
        if token is None:
            return out
        out.append(token)


def parse_params(text):
    """The ``name=value`` loop of the SCST-core parsers: ``[(name, value)]`` from ``raw_tokens``.

    EINVAL for a token with no lexem (only blanks: ``add d 0  `` leaves one), a name without value, or more
    than two lexems.
    """
    params = []
    for token in raw_tokens(text):
        parts = lexems(token)
        if not parts:
            raise KernelError(errno.EINVAL, f'Syntax error on "{token}"')
        if len(parts) == 1:
            raise KernelError(errno.EINVAL, f'Value for parameter {parts[0]} missing')
        if len(parts) > 2:
            raise KernelError(errno.EINVAL, f'Too many values for parameter {parts[0]}')
        params.append((parts[0], parts[1]))
    return params


def _strip_one_newline(text):
    return text[:-1] if text.endswith('\n') else text


def kstrtoull(text, base=0):
    """Parse an unsigned number like the kernel's ``kstrtoull``: EINVAL on junk, ERANGE above 2**64-1."""
    body = _strip_one_newline(text)
    if body.startswith('+'):
        body = body[1:]
    if base == 0:
        if body[:2].lower() == '0x' and len(body) > 2:
            base, body = 16, body[2:]
        elif body.startswith('0') and len(body) > 1:
            base, body = 8, body[1:]
        else:
            base = 10
    elif base == 16 and body[:2].lower() == '0x':
        body = body[2:]
    digits = '0123456789abcdef'[:base]
    if not body or any(ch.lower() not in digits for ch in body):
        raise KernelError(errno.EINVAL, f'Invalid number "{text.strip()}"')
    value = int(body, base)
    if value > 2 ** 64 - 1:
        raise KernelError(errno.ERANGE, f'Number out of range "{text.strip()}"')
    return value


def kstrtoll(text, base=0):
    """Signed variant: an optional leading ``-``."""
    body = _strip_one_newline(text)
    if body.startswith('-'):
        value = kstrtoull(body[1:], base)
        if value > 2 ** 63:
            raise KernelError(errno.ERANGE, f'Number out of range "{text.strip()}"')
        return -value
    value = kstrtoull(body, base)
    if value > 2 ** 63 - 1:
        raise KernelError(errno.ERANGE, f'Number out of range "{text.strip()}"')
    return value


def kstrtoint(text, base=0, bits=32):
    value = kstrtoll(text, base)
    if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
        raise KernelError(errno.ERANGE, f'Number out of range "{text.strip()}"')
    return value


def kstrtouint(text, base=0, bits=32):
    value = kstrtoull(text, base)
    if value >= 2 ** bits:
        raise KernelError(errno.ERANGE, f'Number out of range "{text.strip()}"')
    return value


def kstrtobool(text):
    """``kstrtobool``: y/Y/1, n/N/0, on/off (only the first one or two characters count)."""
    if not text:
        raise KernelError(errno.EINVAL, 'Empty boolean')
    first = text[0].lower()
    if first in 'y1':
        return True
    if first in 'n0':
        return False
    if first == 'o' and len(text) > 1:
        if text[1].lower() == 'n':
            return True
        if text[1].lower() == 'f':
            return False
    raise KernelError(errno.EINVAL, f'Invalid boolean "{text.strip()}"')


def keyword(word, *choices):
    """Case-insensitive keyword match; returns the canonical choice or None."""
    low = word.lower()
    for choice in choices:
        if low == choice.lower():
            return choice
    return None


def first_line(text):
    """Text up to the first newline (how most string attributes are stored)."""
    return text.split('\n', 1)[0]
