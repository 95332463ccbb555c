# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Checks of every name and value before it is written to SCST.

This module is private to this collection: it is not part of the public API and may change without notice.
SCST's mgmt lexer splits words at whitespace and '=', parameter lists at ';' and newlines, and kernfs cuts a
write at 4096 bytes (scst_sysfs.c mgmt parsers, kernel sysfs); so a value holding any of them could add a parameter or a command
to a write. These functions reject such input before anything is written, and build_command() assembles
command texts only from checked parts. Every error names the user's option and the rejected value.
name_problem() and lun_number() are the one rule for object names and LUN numbers: the model (scst_config,
the scst.conf parser) and the per-object modules all use them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import unicodedata

from ansible_collections.storage.scst.plugins.module_utils._errors import MASK, ScstInputError
from ansible_collections.storage.scst.plugins.module_utils._schema import ISCSI_DRIVERS, KINDS
from ansible_collections.storage.scst.plugins.module_utils._secrets import CHAP_ATTRIBUTE


MAX_NAME_BYTES = 255        # Linux NAME_MAX: names become sysfs directory or file names
MAX_DEVICE_NAME_BYTES = 64  # vdisk keeps device names in char[64 + 1]; longer ones fail EINVAL
MAX_LUN = 16383             # SCST_MAX_LUN
MAX_WRITE_BYTES = 4095      # kernfs hands at most one page to the store, which needs room for a NUL
MAX_ISCSI_NAME_BYTES = 223  # RFC 7143 4.2.7.1: an iSCSI name is at most 223 bytes
MIN_CHAP_SECRET_LENGTH = 12  # iscsi-scstd refuses shorter CHAP secrets with EINVAL (SYSFS.md 6.4)

# Characters nobody sees in a listing or a report, or that reorder what is shown around them: with one of
# them, two different objects can look the same. Categories: control, format (U+200B, U+202E, U+FEFF...),
# surrogate, private use, unassigned, line and paragraph separators, spaces; plus letters and marks that
# render as nothing.
_INVISIBLE_CATEGORIES = frozenset(('Cc', 'Cf', 'Cs', 'Co', 'Cn', 'Zl', 'Zp', 'Zs'))
_INVISIBLE_CHARS = frozenset(u'\u034f\u115f\u1160\u17b4\u17b5\u180e\u2800\u3164\uffa0'
                             + ''.join(chr(c) for c in range(0xfe00, 0xfe10)))

# Entries SCST keeps beside the objects of one kind in their parent sysfs directory: an object of that name
# collides with them (the kernel answers EEXIST, possibly after other objects were created, and a device named
# mgmt leaves its handler's mgmt file unusable); _schema lists them per kind.
RESERVED_NAMES = dict((name, kind.reserved) for name, kind in KINDS.items() if kind.reserved)
# RFC 7143 4.2.7: iqn.YYYY-MM.reversed.domain[:anything], eui. + 16 hex digits, naa. + 16 or 32 hex digits.
# Characters: ASCII letters, digits, '-', '.', ':' (stringprep maps upper to lower case; both are accepted).
_IQN = re.compile(r'iqn\.[0-9]{4}-(0[1-9]|1[0-2])\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?'
                  r'(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:[A-Za-z0-9.:-]*)?')
_EUI = re.compile(r'eui\.[0-9A-Fa-f]{16}')
_NAA = re.compile(r'naa\.([0-9A-Fa-f]{16}|[0-9A-Fa-f]{32})')
_ISCSI_CHARS = re.compile(r'[A-Za-z0-9.:*?!-]+')

_PARAM_NAME = re.compile(r'[A-Za-z_][A-Za-z0-9_]*')
_KEYWORD = re.compile(r'[a-z_]+')


class Secret(str):
    """A string that must never be shown: iSCSI CHAP secrets and the like.

    Validators do not echo it, build_command() reports it in Command.secrets, and SysfsClient masks it in
    every command it records and every error it raises.
    """

    def __repr__(self):
        return 'Secret(%r)' % MASK


class Command(str):
    """A command text made by build_command(); secrets lists the Secret values it contains."""

    secrets = ()


def _fail(option, value, reason):
    raise ScstInputError(option, value, reason, secret=isinstance(value, Secret))


def _as_text(value, option):
    """Integers (not booleans) become decimal text; anything but text or an integer is refused."""
    if isinstance(value, bool):
        _fail(option, value, 'is a YAML boolean, not a name (yes, no, true, false, on and off unquoted are '
                             'booleans); quote it if it is meant as text')
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        _fail(option, value, 'has type %s; a string or an integer is expected' % type(value).__name__)
    return value


def _check_length(value, text, option, limit):
    size = len(text.encode('utf-8', 'surrogateescape'))
    if size > limit:
        _fail(option, value, 'is %d bytes long; at most %d are allowed' % (size, limit))


def _char_problem(text, allow_space=False):
    """Why text cannot be one word of SCST's mgmt lexer (or why no one could see it), or None."""
    for char in text:
        if char == '\0':
            return 'contains a NUL character'
        if char in '\n\r':
            return 'contains a line break (SCST splits parameters at line breaks)'
        if char.isspace() and not (allow_space and char == ' '):
            return 'contains whitespace (SCST splits words at whitespace)'
        if unicodedata.category(char) == 'Cc':
            return 'contains the control character %r' % char
        if char == ';':
            return "contains ';' (SCST splits parameters at ';')"
        if char == '=':
            return "contains '=' (SCST splits names from values at '=')"
    return None


def _check_chars(value, text, option, allow_space=False):
    """Refuse characters that end a word, a parameter or a command for SCST (or that no one can see)."""
    reason = _char_problem(text, allow_space)
    if reason:
        _fail(option, value, reason)


def check_token(value, option):
    """One word of a mgmt command (a CHAP user name or secret, a parameter value): returns it as text.

    Refused: empty, whitespace, '=', ';', line breaks, NUL, control characters, more than 4095 bytes.
    '/' is allowed (file names are values).
    """
    text = _as_text(value, option)
    if not text:
        _fail(option, value, 'is empty')
    _check_chars(value, text, option)
    _check_length(value, text, option, MAX_WRITE_BYTES)
    return text


def _iscsi_problem(text, kind):
    """Why text is not an iSCSI name of RFC 7143 4.2.7 (initiators: or a wildcard pattern, and #PORTAL when
    per_portal_acl is set, SYSFS.md 6.6 and 8.2), or None."""
    if kind == 'initiator':
        text = text.split('#', 1)[0]
        if any(char in text for char in '*?!'):
            if not _ISCSI_CHARS.fullmatch(text):
                return "is not an iSCSI name pattern (letters, digits, '-', '.', ':' and the wildcards *, ?, !)"
            return None
    if _IQN.fullmatch(text) or _EUI.fullmatch(text) or _NAA.fullmatch(text):
        return None
    return ('is not an iSCSI name (RFC 7143): iqn.YYYY-MM.reversed.domain[:name], eui. with 16 hex digits, '
            'or naa. with 16 or 32 hex digits, for example iqn.2024-01.com.example:storage.t1')


def name_problem(text, kind=None, driver=None, max_bytes=MAX_NAME_BYTES):
    """Why text cannot name an SCST object, or None: the one rule for the model and every module.

    kind: 'device', 'target', 'group', 'initiator', 'device_group', 'target_group', or None (drivers and
    handlers, which are only looked up). driver: the target driver of a target or initiator (iSCSI names are
    checked against RFC 7143). max_bytes: the kernel's limit for the kind (NAME_MAX, vdisk's 64).
    Refused: empty, what the mgmt lexer splits at, '/', '.' and '..', characters no one can see, names
    equal to the entries SCST keeps beside the object, and names over the limit.
    """
    if not text:
        return 'is empty'
    reason = _char_problem(text)
    if reason:
        return reason
    for char in text:
        if unicodedata.category(char) in _INVISIBLE_CATEGORIES or char in _INVISIBLE_CHARS:
            return ('contains the invisible or direction-changing character U+%04X (%s): two names would look '
                    'the same' % (ord(char), unicodedata.name(char, unicodedata.category(char))))
    if '/' in text:
        return "contains '/' (the name becomes a sysfs directory or file name)"
    if text in ('.', '..'):
        return 'is not usable as a sysfs directory or file name'
    if kind == 'device' and '.' in text:
        return "contains '.' (SCST refuses '.' in device names)"
    # Beside an iSCSI driver's targets are its CHAP users: IncomingUser, IncomingUser1, ... (SYSFS.md 6.1, 6.4).
    if text in RESERVED_NAMES.get(kind, ()) or (kind == 'target' and CHAP_ATTRIBUTE.fullmatch(text)):
        return ('is the name of an entry SCST keeps beside each %s in its sysfs directory (%s); choose another name'
                % (kind.replace('_', ' '), ', '.join(sorted(RESERVED_NAMES[kind]))))
    if driver in ISCSI_DRIVERS and kind in ('target', 'initiator'):
        max_bytes = min(max_bytes, MAX_ISCSI_NAME_BYTES)
    size = len(text.encode('utf-8', 'surrogateescape'))
    if size > max_bytes:
        return 'is %d bytes long; at most %d are allowed' % (size, max_bytes)
    if driver in ISCSI_DRIVERS and kind in ('target', 'initiator'):
        return _iscsi_problem(text, kind)
    return None


def check_name(value, option, kind=None, driver=None):
    """The name of a target, group, initiator, ALUA group or device, checked with name_problem()."""
    text = _as_text(value, option)
    reason = name_problem(text, kind, driver)
    if reason:
        _fail(option, value, reason)
    return text


def check_device_name(value, option):
    """A device name for add_device: at most 64 bytes (vdisk keeps names in char[64 + 1])."""
    text = _as_text(value, option)
    reason = name_problem(text, 'device', max_bytes=MAX_DEVICE_NAME_BYTES)
    if reason:
        _fail(option, value, reason)
    return text


def lun_number(value):
    """(number, None) for a LUN number 0..16383, or (None, reason): the one reading of LUN numbers.

    An integer, or text of decimal digits without a leading zero. SCST reads numbers in base 0 ('010' is 8)
    while Ansible's int reads '010' as 10: a leading zero means two different LUNs, so it is refused.
    """
    if isinstance(value, bool):
        return None, 'a boolean is not a LUN number'
    if isinstance(value, str):
        if not re.fullmatch(r'[0-9]+', value):
            return None, 'is not a decimal LUN number'
        if len(value) > 1 and value[0] == '0':
            octal = '%d' % int(value, 8) if re.fullmatch(r'[0-7]+', value) else 'an error'
            return None, ('has a leading zero: SCST would read it as octal (%s), Ansible as decimal (%d); '
                          'write the number without it' % (octal, int(value, 10)))
        number = int(value, 10)
    elif isinstance(value, int):
        number = value
    else:
        return None, 'has type %s; a LUN number is expected' % type(value).__name__
    if not 0 <= number <= MAX_LUN:
        return None, 'is out of range; LUN numbers go from 0 to %d' % MAX_LUN
    return number, None


def check_lun(value, option):
    """A LUN number checked with lun_number(); returns the integer (always written in decimal)."""
    number, reason = lun_number(value)
    if reason:
        _fail(option, value, reason)
    return number


def check_param_name(value, option):
    """The name of a parameter or attribute (filename, read_only, IncomingUser...): an identifier."""
    text = _as_text(value, option)
    if not _PARAM_NAME.fullmatch(text):
        _fail(option, value, 'is not a parameter name (letters, digits and _, not starting with a digit)')
    _check_length(value, text, option, MAX_NAME_BYTES)
    return text


def check_param_value(value, option):
    """The value of a name=value parameter; booleans become '1' / '0'."""
    if isinstance(value, bool):
        return '1' if value else '0'
    return check_token(value, option)


def check_attr_value(value, option):
    """A value written to an attribute file; returns the text to write ('' is allowed and clears).

    Attribute stores are not lexed like mgmt commands, and some take several words (block '1 1 data',
    iSNSServer 'host AccessControl No', redirect 'addr temp', comment), so single spaces inside the value
    are allowed. Refused: line breaks (stores keep only the first line; ALUA stores drop the rest),
    NUL and control characters, other whitespace, ';' and '=', leading or trailing spaces (the value
    would not read back as written), more than 4095 bytes.
    """
    if isinstance(value, bool):
        return '1' if value else '0'
    text = _as_text(value, option)
    _check_chars(value, text, option, allow_space=True)
    if text != text.strip(' '):
        _fail(option, value, 'starts or ends with a space (SCST would not keep it as written)')
    _check_length(value, text, option, MAX_WRITE_BYTES)
    return text


def check_command(value, option='command'):
    """The whole text of one mgmt write: one line, no NUL or control characters, at most 4095 bytes.

    This is the last guard before a write; the parts must already have been checked one by one
    (build_command() does that).
    """
    if not isinstance(value, str):
        _fail(option, value, 'has type %s; a command text is expected' % type(value).__name__)
    if not value.strip():
        _fail(option, value, 'is empty')
    for char in value:
        if unicodedata.category(char) == 'Cc':
            _fail(option, value, 'contains the control character %r; one write must hold exactly one command' % char)
    _check_length(value, value, option, MAX_WRITE_BYTES)
    return value


def build_command(keyword, *args, **kwargs):
    """Assemble one mgmt command from checked parts: 'KEYWORD ARG... [p1=v1;p2=v2]'.

    keyword: lower-case command keyword ('add_device', 'add', 'create', 'add_target_attribute', ...).
    args: the words after the keyword (names, LUN numbers, attribute names, values), each checked with
    check_token(); integers are written in decimal. Wrap secrets in Secret.
    params (keyword argument): a dict or a list of (name, value) pairs, checked with check_param_name()
    and check_param_value(); option labels in errors are the parameter names.
    Returns a Command (a str) whose .secrets lists the Secret parts.
    """
    params = kwargs.pop('params', None)
    if kwargs:
        raise TypeError('build_command() got unexpected keyword arguments: %s' % ', '.join(sorted(kwargs)))
    if not isinstance(keyword, str) or not _KEYWORD.fullmatch(keyword):
        _fail('command keyword', keyword, 'is not a lower-case SCST command keyword')
    words = [keyword]
    secrets = []
    for index, arg in enumerate(args, 1):
        if isinstance(arg, int) and not isinstance(arg, bool) and arg < 0:
            _fail('%s argument %d' % (keyword, index), arg, 'negative numbers are not used in SCST commands')
        words.append(check_token(arg, '%s argument %d' % (keyword, index)))
        if isinstance(arg, Secret):
            secrets.append(str(arg))
    pairs = list(params.items()) if isinstance(params, dict) else list(params or [])
    if pairs:
        rendered = []
        for name, value in pairs:
            name = check_param_name(name, 'parameter name')
            rendered.append('%s=%s' % (name, check_param_value(value, name)))
            if isinstance(value, Secret):
                secrets.append(str(value))
        words.append(';'.join(rendered))
    command = Command(' '.join(words))
    command.secrets = tuple(secrets)
    try:
        check_command(command, '%s command' % keyword)
    except ScstInputError as err:
        raise err.mask(command.secrets)
    return command
