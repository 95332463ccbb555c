# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Values of the configuration model: numbers as the kernel reads them, booleans, WWNs and names in SCST's spelling.

This module is private to this collection: it is not part of the public API and may change without notice.
normalize_value(level, name, value) gives the canonical text of one attribute value (the module docstring of
_model says what canonical is); the kind of each attribute comes from _schema.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.storage.scst.plugins.module_utils._schema import BOOL, INT, value_kind, WWN, wwn_named, YESNO

_TRUE_WORDS = frozenset(('1', 'yes', 'y', 'true', 'on'))
_FALSE_WORDS = frozenset(('0', 'no', 'n', 'false', 'off'))
_NUMBER = re.compile(r'^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$')
_WWN_COLON = re.compile(r'^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){7}$')
_WWN_PLAIN = re.compile(r'^(0[xX])?[0-9a-fA-F]{1,16}$')
_GID = re.compile(r'^[0-9a-fA-F]{4}(:[0-9a-fA-F]{4}){7}$')
HCIL = re.compile(r'^[0-9]+:[0-9]+:[0-9]+:[0-9]+$')
WILDCARD = re.compile(r'[*?!]')  # wildcard patterns of initiator names (SYSFS.md 8.2)


def parse_number(text):
    """The integer the kernel reads from text (kstrto* base 0: 0x hex, leading 0 octal), or None."""
    text = text.strip()
    match = _NUMBER.match(text)
    if not match:
        return None
    sign, digits = match.groups()
    if digits[:2] in ('0x', '0X'):
        number = int(digits[2:], 16)
    elif digits.startswith('0'):
        number = int(digits, 8)
    else:
        number = int(digits)
    return -number if sign == '-' else number


def normalize_wwn(text, pad=True):
    """A WWN/WWPN in SCST's spelling (lower case, colon-separated bytes), or None when text is not one.

    Accepts ``21:00:00:24:FF:31:4C:48``, ``21-00-…``, ``21000024ff314c48`` and the fc_host form ``0x21000024ff314c48``
    (the kernel prints it without zero padding: with pad the number is left-padded to 16 digits). Names a user
    writes are read with pad=False: ``0x1`` is a typing error, not the WWPN 00:00:00:00:00:00:00:01.
    """
    text = text.strip()
    if _WWN_COLON.match(text):
        digits = re.sub('[:-]', '', text)
    elif _WWN_PLAIN.match(text) and (text[:2] in ('0x', '0X') or len(text) == 16):
        digits = text[2:] if text[:2] in ('0x', '0X') else text
        if len(digits) < 16 and not pad:
            return None
        digits = digits.rjust(16, '0')
    else:
        return None
    digits = digits.lower()
    return ':'.join(digits[i:i + 2] for i in range(0, 16, 2))


def name_key(name):
    """How SCST (and the administrator) identifies a target or initiator: a WWN in the colon or dash spelling
    normalize_wwn() reads, or an InfiniBand GID (ib_srpt), in any case; any other name exactly."""
    return name.lower() if _WWN_COLON.match(name) or _GID.match(name) else name


def _scalar_text(value):
    """Text of one YAML scalar; None when the value is not a scalar."""
    if isinstance(value, bool):
        return '1' if value else '0'
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    return None


def normalize_value(level, name, value):
    """Canonical text of one value of attribute ``name`` at ``level`` (see the module docstring).

    Values that do not fit the attribute's kind are returned as text unchanged; validate() reports them.
    Returns None when the value is not a scalar.
    """
    kind = value_kind(level, name)
    if kind == YESNO and isinstance(value, bool):
        return 'Yes' if value else 'No'
    text = _scalar_text(value)
    if text is None:
        return None
    if kind == INT:
        number = parse_number(text)
        return text if number is None else str(number)
    if kind in (BOOL, YESNO):
        word = text.strip().lower()
        if word not in _TRUE_WORDS and word not in _FALSE_WORDS:
            number = parse_number(word)
            word = str(number) if number in (0, 1) else None
        if word is None:
            return text
        truth = word in _TRUE_WORDS
        if kind == BOOL:
            return '1' if truth else '0'
        return 'Yes' if truth else 'No'
    if kind == WWN:
        return normalize_wwn(text, pad=False) or text
    return text


def to_bool(value):
    """True/False for YAML booleans, 0/1 and the usual words; None when value is not one of them."""
    if isinstance(value, bool):
        return value
    text = _scalar_text(value)
    if text is None:
        return None
    word = text.strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    return None


def normalize_target_name(driver, name):
    """Target names of FC drivers are WWPNs in SCST's spelling; other names are kept as written."""
    if wwn_named('target', driver):
        return normalize_wwn(name, pad=False) or name
    return name


def normalize_initiator(driver, name):
    """FC initiator WWPNs get SCST's spelling; FC wildcard patterns are lower-cased (matching ignores case)."""
    if wwn_named('initiator', driver):
        wwn = normalize_wwn(name, pad=False)
        if wwn:
            return wwn
        if WILDCARD.search(name):
            return name.lower()
    return name
