# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The names SCST 3.11 knows: device handlers, target drivers and the attributes of each kind of object.

This module is private to this collection: it is not part of the public API and may change without notice.
One table for the checks made on the controller (_precheck) and the hints of the modules' errors, so that a
typo such as ``vdisk_fileo`` or ``blocksze`` is answered with "did you mean" from the same names everywhere.
The names are views of _schema, which cites the SYSFS.md sections they come from. A running kernel of another version may know more: the modules still
try what the table does not know, and say which name looks like a typo when the kernel refuses it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib

from ansible_collections.storage.scst.plugins.module_utils._schema import (  # noqa: F401 pylint: disable=unused-import
    base_name,
    DRIVER_MODULES,
    HANDLER_MODULES,
    KINDS,
)

# The names each kind of object has by handler or driver: its configuration attributes, the ones given at
# creation, and the ones SCST shows but derives itself (so that they are not answered as typos).
_KNOWN = ('attributes', 'creation', 'derived', 'information')


def _known(level):
    kind = KINDS[level]
    owners = set().union(*(kind.owners(cls) for cls in _KNOWN))
    return dict((owner, frozenset().union(*(kind.names(cls, owner) for cls in _KNOWN))) for owner in owners)


DEVICE_ATTRIBUTES = _known('device')
TARGET_ATTRIBUTES = _known('target')
DRIVER_ATTRIBUTES = _known('driver')
GROUP_ATTRIBUTES = _known('group')
HANDLER_ATTRIBUTES = KINDS['handler'].names('attributes')


def did_you_mean(name, known):
    """' (did you mean X?)' for the known name closest to name, or '' when none is close."""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
    return " (did you mean '%s'?)" % close[0] if close else ''


def known_attributes(level, owner):
    """The attribute names of a device of handler owner, a target/driver/group of driver owner, or a handler;
    None when the table does not know that handler or driver."""
    if level == 'handler':
        return HANDLER_ATTRIBUTES if owner in HANDLER_MODULES else None
    table = {'device': DEVICE_ATTRIBUTES, 'target': TARGET_ATTRIBUTES, 'driver': DRIVER_ATTRIBUTES,
             'group': GROUP_ATTRIBUTES}[level]
    return table.get(owner)


def attribute_problem(level, owner, name):
    """Why name is not an attribute of that level and owner ('device', 'vdisk_fileio'), or None (known, or an
    owner the table does not know)."""
    known = known_attributes(level, owner)
    if known is None or name in known or base_name(name) in known:
        return None
    what = {'device': 'a device of handler', 'target': 'a target of driver', 'driver': 'driver',
            'group': 'an initiator group of driver', 'handler': 'handler'}[level]
    return "'%s' is not an attribute of %s %s%s" % (name, what, owner, did_you_mean(name, known))


def handler_problem(name):
    """Why name is not a device handler of SCST, or None."""
    if name in HANDLER_MODULES:
        return None
    return "'%s' is not a device handler of SCST%s" % (name, did_you_mean(name, HANDLER_MODULES))
