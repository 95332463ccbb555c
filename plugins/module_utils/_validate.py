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
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import unicodedata

from ansible_collections.storage.scst.plugins.module_utils._errors import MASK, ScstInputError


MAX_NAME_BYTES = 255        # Linux NAME_MAX: names become sysfs directory or file names
MAX_DEVICE_NAME_BYTES = 64  # vdisk keeps device names in char[64 + 1]; longer ones fail EINVAL
MAX_LUN = 16383             # SCST_MAX_LUN
MAX_WRITE_BYTES = 4095      # kernfs hands at most one page to the store, which needs room for a NUL

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
        _fail(option, value, 'a boolean is not a name; use a string or a number')
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        _fail(option, value, 'has type %s; a string or an integer is expected' % type(value).__name__)
    return value


def _check_length(value, text, option, limit):
    size = len(text.encode('utf-8', 'surrogateescape'))
    if size > limit:
        _fail(option, value, 'is %d bytes long; at most %d are allowed' % (size, limit))


def _check_chars(value, text, option, allow_space=False):
    """Refuse characters that end a word, a parameter or a command for SCST (or that no one can see)."""
    for char in text:
        if char == '\0':
            _fail(option, value, 'contains a NUL character')
        if char in '\n\r':
            _fail(option, value, 'contains a line break (SCST splits parameters at line breaks)')
        if char.isspace() and not (allow_space and char == ' '):
            _fail(option, value, 'contains whitespace (SCST splits words at whitespace)')
        if unicodedata.category(char) == 'Cc':
            _fail(option, value, 'contains the control character %r' % char)
        if char == ';':
            _fail(option, value, "contains ';' (SCST splits parameters at ';')")
        if char == '=':
            _fail(option, value, "contains '=' (SCST splits names from values at '=')")


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


def check_name(value, option):
    """The name of a target, group, initiator, ALUA group or device: a token that is also a file name.

    In addition to check_token(): no '/' (the kernel would rename the directory with '!'), not '.' or '..',
    at most 255 bytes (NAME_MAX).
    """
    text = check_token(value, option)
    if '/' in text:
        _fail(option, value, "contains '/' (the name becomes a sysfs directory or file name)")
    if text in ('.', '..'):
        _fail(option, value, 'is not usable as a sysfs directory or file name')
    _check_length(value, text, option, MAX_NAME_BYTES)
    return text


def check_device_name(value, option):
    """A device name for add_device: check_name() plus no '.' and at most 64 bytes (vdisk limits)."""
    text = check_name(value, option)
    if '.' in text:
        _fail(option, value, "contains '.' (SCST refuses '.' in device names)")
    _check_length(value, text, option, MAX_DEVICE_NAME_BYTES)
    return text


def check_lun(value, option):
    """A LUN number 0..16383 given as an integer or as decimal digits; returns the integer.

    SCST parses numbers with base 0 ('010' is 8), so only plain decimal text is accepted and it is always
    written back in decimal.
    """
    if isinstance(value, bool):
        _fail(option, value, 'a boolean is not a LUN number')
    if isinstance(value, str):
        if not re.fullmatch(r'[0-9]+', value):
            _fail(option, value, 'is not a decimal LUN number')
        number = int(value, 10)
    elif isinstance(value, int):
        number = value
    else:
        _fail(option, value, 'has type %s; a LUN number is expected' % type(value).__name__)
    if not 0 <= number <= MAX_LUN:
        _fail(option, value, 'is out of range; LUN numbers go from 0 to %d' % MAX_LUN)
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
