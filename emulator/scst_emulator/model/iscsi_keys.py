"""The iSCSI parameter keys that iscsi-scstd owns (SYSFS.md sections 6.2 and 6.6), with its parsers.

The daemon keeps every value as a 32-bit unsigned number and converts with per-kind rules: numbers by
``strtol(str, NULL, 0)`` (junk reads as 0, no error by itself) then a range check; booleans exactly
``Yes``/``No``; digests a comma list of ``None``/``CRC32C`` prefixes; ``:default:`` resets.
"""

import errno

from .nodes import KernelError

U32_MAX = 0xffffffff
# What the kernel module tells the daemon at registration on x86-64 with 4 KiB pages.
MAX_DATA_SEG_LEN = 1048576
DIGEST_NONE = 1
DIGEST_CRC32C = 2


class Key:
    """One key: ``kind`` is num, bool, digest or marker; ``sysfs`` says the daemon shows it as a file."""

    __slots__ = ('name', 'default', 'low', 'high', 'kind', 'sysfs')

    def __init__(self, name, default, low, high, kind, sysfs):
        self.name = name
        self.default = default
        self.low = low
        self.high = high
        self.kind = kind
        self.sysfs = sysfs


def target_keys():
    return [
        Key('QueuedCommands', 32, 1, 2048, 'num', True),
        Key('RspTimeout', 90, 2, 65535, 'num', True),
        Key('NopInInterval', 30, 0, 65535, 'num', True),
        Key('NopInTimeout', 30, 2, 65535, 'num', True),
        Key('MaxSessions', 0, 0, 65535, 'num', True),
    ]


def session_keys(isert_loaded):
    """The session keys with the defaults the daemon computes at start (RDMAExtensions follows isert)."""
    return [
        Key('InitialR2T', 0, 0, 1, 'bool', True),
        Key('ImmediateData', 1, 0, 1, 'bool', True),
        Key('MaxConnections', 1, 1, 1, 'num', False),
        Key('MaxRecvDataSegmentLength', MAX_DATA_SEG_LEN, 512, MAX_DATA_SEG_LEN, 'num', True),
        Key('MaxXmitDataSegmentLength', MAX_DATA_SEG_LEN, 512, MAX_DATA_SEG_LEN, 'num', True),
        Key('MaxBurstLength', MAX_DATA_SEG_LEN, 512, MAX_DATA_SEG_LEN, 'num', True),
        Key('FirstBurstLength', 65536, 512, MAX_DATA_SEG_LEN, 'num', True),
        Key('DefaultTime2Wait', 0, 0, 0, 'num', False),
        Key('DefaultTime2Retain', 0, 0, 0, 'num', False),
        Key('MaxOutstandingR2T', 32, 1, 65535, 'num', True),
        Key('DataPDUInOrder', 0, 0, 1, 'bool', False),
        Key('DataSequenceInOrder', 0, 0, 1, 'bool', False),
        Key('ErrorRecoveryLevel', 0, 0, 0, 'num', False),
        Key('HeaderDigest', DIGEST_NONE, DIGEST_NONE, DIGEST_NONE | DIGEST_CRC32C, 'digest', True),
        Key('DataDigest', DIGEST_NONE, DIGEST_NONE, DIGEST_NONE | DIGEST_CRC32C, 'digest', True),
        Key('OFMarker', 0, 0, 0, 'bool', False),
        Key('IFMarker', 0, 0, 0, 'bool', False),
        Key('OFMarkInt', 2048, 1, 65535, 'marker', False),
        Key('IFMarkInt', 2048, 1, 65535, 'marker', False),
        Key('RDMAExtensions', int(isert_loaded), 0, int(isert_loaded), 'bool', True),
        Key('TargetRecvDataSegmentLength', 512, 512, U32_MAX, 'num', False),
        Key('InitiatorRecvDataSegmentLength', U32_MAX, 512, U32_MAX, 'num', False),
        Key('MaxAHSLength', 0, 0, U32_MAX, 'num', False),
        Key('TaggedBufferForSolicitedDataOnly', 0, 0, 0, 'bool', False),
        Key('iSERHelloRequired', 0, 0, 0, 'bool', False),
        Key('MaxOutstandingUnexpectedPDUs', 0, 0, U32_MAX, 'num', False),
    ]


USER_KEYS = ('IncomingUser', 'OutgoingUser')


def find_key(keys, name):
    """``params_index_by_name``: case-insensitive exact name."""
    low = name.lower()
    for key in keys:
        if key.name.lower() == low:
            return key
    return None


def numwild(base, name):
    """``params_index_by_name_numwild``: ``base`` (any case) followed by digits only."""
    return name[:len(base)].lower() == base.lower() and all(ch in '0123456789' for ch in name[len(base):])


def user_dir(name):
    """0 for IncomingUser*, 1 for OutgoingUser*, None otherwise."""
    for index, base in enumerate(USER_KEYS):
        if numwild(base, name):
            return index
    return None


def c_strtol_u32(text):
    """``strtol(text, NULL, 0)`` stored into an ``unsigned int``: longest valid prefix, 0 if none."""
    pos = 0
    while pos < len(text) and text[pos] in ' \t\n\v\f\r':
        pos += 1
    sign = 1
    if pos < len(text) and text[pos] in '+-':
        sign = -1 if text[pos] == '-' else 1
        pos += 1
    base = 10
    if text[pos:pos + 2].lower() == '0x' and pos + 2 < len(text) and text[pos + 2] in '0123456789abcdefABCDEF':
        base, pos = 16, pos + 2
    elif text[pos:pos + 1] == '0':
        base = 8
    digits = '0123456789abcdef'[:base]
    end = pos
    while end < len(text) and text[end].lower() in digits:
        end += 1
    value = sign * int(text[pos:end], base) if end > pos else 0
    # strtol saturates at the long range, then the store truncates to 32 bits.
    value = max(-2 ** 63, min(2 ** 63 - 1, value))
    return value & U32_MAX


def parse_value(key, text):
    """``params_str_to_val`` then ``params_check_val``: the value, or KernelError(EINVAL)."""
    if text == ':default:':
        return key.default
    if key.kind == 'bool':
        if text == 'Yes':
            return 1
        if text == 'No':
            return 0
        raise KernelError(errno.EINVAL, f'Wrong value {text} for parameter {key.name}')
    if key.kind == 'digest':
        return _parse_digest(key, text)
    if key.kind == 'marker':
        # The daemon has no parser for these: anything is accepted and nothing changes.
        return None
    value = c_strtol_u32(text)
    if not key.low <= value <= key.high:
        raise KernelError(errno.EINVAL, f'Wrong value {value} for parameter {key.name}')
    return value


def _parse_digest(key, text):
    value = 0
    for item in text.split(','):
        item = item.lstrip(' \t\n\v\f\r')
        if item[:4].lower() == 'none':
            value |= DIGEST_NONE
        elif item[:6].lower() == 'crc32c':
            value |= DIGEST_CRC32C
        else:
            raise KernelError(errno.EINVAL, f'Wrong value {text} for parameter {key.name}')
    return value or DIGEST_NONE


def format_value(key, value):
    """``params_val_to_str``."""
    if key.kind == 'bool':
        return 'Yes' if value else 'No'
    if key.kind == 'digest':
        names = [name for bit, name in ((DIGEST_NONE, 'None'), (DIGEST_CRC32C, 'CRC32C')) if value & bit]
        return ','.join(names) or 'Unknown'
    return str(value)
