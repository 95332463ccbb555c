# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one keyed index of a model: every object of the schema's kinds under its parent, keyed as SCST compares it.

This module is private to this collection: it is not part of the public API and may change without notice.
index(model) turns a (canonical or list) model into nested dictionaries: each object is {'name', 'attributes'}
plus its flags and, for each child kind, a dictionary of its children by key. The planners read the desired
and the current state through it; gather's focus reads from it the attribute names a configuration names.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.storage.scst.plugins.module_utils._model_values import name_key, to_bool

# The children of each kind (schema kind names), by the field that lists them in a model; None is the model.
_CHILDREN = {
    None: (('handlers', 'handler'), ('drivers', 'driver'), ('device_groups', 'device_group')),
    'handler': (('devices', 'device'),),
    'driver': (('targets', 'target'),),
    'target': (('luns', 'lun'), ('groups', 'group')),
    'group': (('luns', 'lun'), ('initiators', 'initiator')),
    'device_group': (('target_groups', 'target_group'),),
    'target_group': (('targets', 'tg_target'),),
}
# The model's own flags an object keeps beside its attributes.
_FLAGS = {'driver': ('enabled',), 'target': ('enabled', 'hw_target')}


def initiator_key(name):
    # SCST matches initiator names case-insensitively (scst_targ.c, __scst_find_acg): entries differing in case are one.
    return name.lower()


# How SCST tells objects of a kind apart: LUNs by number, initiators without case, targets (also as target-group
# members) by name_key; the others by exact name.
_KEYS = {'lun': lambda lun: int(lun['lun']), 'initiator': initiator_key,
         'target': lambda target: name_key(target['name']), 'tg_target': lambda member: name_key(member['name'])}


def _entry(kind, obj):
    if kind == 'lun':
        return {'device': obj['device'], 'read_only': bool(to_bool(obj.get('read_only')))}
    if kind == 'initiator':
        return obj
    entry = {'name': obj['name'], 'attributes': dict(obj.get('attributes') or {})}
    for flag in _FLAGS.get(kind, ()):
        entry[flag] = obj.get(flag)
    if kind == 'target':
        entry['hw_target'] = bool(entry['hw_target'])
    if kind == 'device_group':
        # A device is in one ALUA device group at most: the group lists names, in the model's order.
        entry['devices'] = list(obj.get('devices') or ())
    for field, child in _CHILDREN.get(kind, ()):
        entry[field] = _children(child, obj.get(field))
    return entry


def _children(kind, items):
    key = _KEYS.get(kind, lambda obj: obj['name'])
    # A target-group member may be written as its bare name.
    items = [{'name': item} if kind == 'tg_target' and not isinstance(item, dict) else item for item in items or ()]
    return dict((key(item), _entry(kind, item)) for item in items)


def index(model):
    """The model as nested dictionaries keyed by name (LUNs by number; targets and initiators as SCST compares)."""
    model = model or {}
    out = {'attributes': dict(model.get('attributes') or {}), 'alua': dict(model.get('alua') or {})}
    for field, child in _CHILDREN[None]:
        out[field] = _children(child, model.get(field))
    return out


def objects(indexed, kind=None, names=()):
    """(kind, names, entry) of every object of an index, parents first: names are those of the object and its
    ancestors (driver, target, group); LUNs and initiators, which have no name of their own, carry their parent's."""
    found = []
    for field, child in _CHILDREN.get(kind, ()):
        for entry in indexed[field].values():
            own = names if child in ('lun', 'initiator') else names + (entry['name'],)
            found.append((child, own, entry))
            found.extend(objects(entry, child, own))
    return found
