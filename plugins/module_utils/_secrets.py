# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Where SCST configuration holds secrets: iSCSI CHAP users ('NAME SECRET') in IncomingUser and OutgoingUser.

This module is private to this collection: it is not part of the public API and may change without notice.
The one place that knows how to find them in a model, in scst.conf text and in a sysfs attribute, so that
every layer can register them for masking before it shows anything: an error about a line of scst.conf, a
write that failed, a result, or the invocation log.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# The CHAP attributes of iscsi-scst's driver and targets, each a set of 'NAME SECRET' values, by the key of the
# chap options of scst_target that set them.
CHAP_ATTRIBUTES = (('incoming', 'IncomingUser'), ('outgoing', 'OutgoingUser'))
CHAP_NAMES = tuple(name for dummy, name in CHAP_ATTRIBUTES)
_ANY_CHAP_NAME = '(?:%s)[0-9]*' % '|'.join(CHAP_NAMES)
# CHAP attributes, as sysfs numbers them (IncomingUser, IncomingUser1, ...) or as a model names them.
CHAP_ATTRIBUTE = re.compile('^%s$' % _ANY_CHAP_NAME)
# The secret of a CHAP statement of scst.conf text: IncomingUser "NAME SECRET" (quoted or not, numbered or not).
_CHAP_STATEMENT = re.compile(_ANY_CHAP_NAME + r'[ \t]+"?[^\s"]+[ \t]+([^\s"]+)')


def of_value(value):
    """The secrets of one CHAP attribute value ('NAME SECRET') or of a list of them."""
    found = set()
    for entry in value if isinstance(value, (list, tuple)) else [value]:
        if entry is not None:
            found.update(word for word in str(entry).split()[1:] if word)
    return found


def _items(value):
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def chap_owners(model):
    """[(place, attributes)] of every driver and target of a model (or of what a user wrote as one): the places
    that hold CHAP users. place is (driver,) or (driver, target); attributes is the model's own dictionary."""
    out = []
    for driver in _items((model if isinstance(model, dict) else {}).get('drivers')):
        for owner in [driver] + _items(driver.get('targets')):
            place = (driver.get('name'),) if owner is driver else (driver.get('name'), owner.get('name'))
            if isinstance(owner.get('attributes'), dict):
                out.append((place, owner['attributes']))
    return out


def rewrite_entries(model, change):
    """Rewrite every CHAP entry ('NAME SECRET') of a model in place: change(place, attribute, user, secret)
    returns the new entry, or None to keep it (secret is '' for an entry without one). An attribute holding a
    list keeps a list, one holding a single entry a single entry."""
    for place, attributes in chap_owners(model):
        for name, value in attributes.items():
            if not CHAP_ATTRIBUTE.match(str(name)):
                continue
            out = []
            for entry in value if isinstance(value, list) else [value]:
                user, dummy, secret = str(entry).partition(' ')
                new = change(place, name, user, secret)
                out.append(entry if new is None else new)
            attributes[name] = out if isinstance(value, list) else out[0]


def in_model(model):
    """Every CHAP secret of a configuration model, or of what a user wrote as one (any shape is tolerated)."""
    found = set()
    for dummy, attributes in chap_owners(model):
        for name, value in attributes.items():
            if CHAP_ATTRIBUTE.match(str(name)):
                found |= of_value(value)
    return found


def in_text(text):
    """Every CHAP secret of scst.conf text (bytes or str), wherever the statement stands."""
    if isinstance(text, bytes):
        text = text.decode('utf-8', 'replace')
    return set(_CHAP_STATEMENT.findall(text or ''))
