# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The SCST configuration model as plain data: its canonical form, its validation and its class lists.

This module is private to this collection: it is not part of the public API and may change without notice.
The model travels through Ansible results, so it is made only of dicts, lists, strings, integers, booleans
and None. ``normalize()`` turns what a user wrote (or what the scst.conf parser or gather produced) into the
one canonical form below, in which two models that mean the same configuration are equal with ``==``;
``validate()`` lists every problem with the path of the option and the value; ``check()`` does both.

Canonical shape (every key is always present; lists are sorted as stated)::

    {
      "attributes": {NAME: VALUE},              # SCST core (/sys/kernel/scst_tgt/NAME)
      "handlers": [                             # sorted by name
        {"name": str, "attributes": {NAME: VALUE},
         "devices": [{"name": str, "attributes": {NAME: VALUE}}]},        # sorted by name
      ],
      "drivers": [                              # sorted by name
        {"name": str, "enabled": True | False | None, "attributes": {NAME: VALUE},
         "targets": [                           # sorted by name
           {"name": str, "hw_target": bool, "enabled": True | False | None, "attributes": {NAME: VALUE},
            "luns": [LUN],                      # the default LUN set, sorted by number
            "groups": [                         # sorted by name
              {"name": str, "attributes": {NAME: VALUE}, "luns": [LUN], "initiators": [str]}]}]}],
      "alua": {NAME: VALUE},                    # the ALUA { } block (device_groups/NAME)
      "device_groups": [                        # sorted by name
        {"name": str, "attributes": {NAME: VALUE}, "devices": [str],
         "target_groups": [                     # sorted by name
           {"name": str, "attributes": {NAME: VALUE},
            "targets": [{"name": str, "attributes": {NAME: VALUE}}]}]}],
    }
    LUN   = {"lun": int, "device": str, "read_only": bool}
    VALUE = str, or a sorted list of distinct str for a multi-valued attribute

Rules of the canonical form:

- ``enabled`` is None when the configuration does not say (scstadmin then leaves the kernel's value, or
  disables the target under ``-force``); it is never stored in ``attributes``. ``hw_target`` is the
  ``HW_TARGET`` flag of scst.conf (False when absent); ``is_hardware_target()`` answers the wider question.
- Attribute values are text. Numbers of known numeric attributes are decimal text (the kernel reads base 0:
  ``0x10`` and ``020`` both become ``16``); known booleans are ``"0"``/``"1"``, iSCSI booleans ``"Yes"``/``"No"``;
  WWNs are lower-case ``xx:xx:xx:xx:xx:xx:xx:xx``. Unknown attributes keep their text (YAML numbers become
  their decimal text, YAML booleans ``"1"``/``"0"``).
- Multi-valued attributes (the ``multi`` class of _schema) are always lists, even with one value; any other attribute given
  as a list of several values stays a list (scstadmin passes such a set on as it is); an empty list is dropped.
- Names of qla2x00t targets and initiators are WWPNs in the form above (wildcard patterns are lower-cased).
- ``read_only`` of a LUN is its only creation parameter; False when absent.

Values are compared after normalisation with ``==``; ``normalize_value(level, name, value)`` gives the
canonical text of one attribute value for code that reads values from elsewhere (gather). Levels are
'global', 'handler', 'device', 'driver', 'target', 'group', 'alua', 'device_group', 'target_group' and
'tg_target' (a target inside a target group).

For the layers above: ``index()`` gives keyed indexes of a model (devices, targets, LUNs, initiators, ...)
and ``compare()`` the keys added, removed and changed between two models; ``is_hardware_target()``,
``device_create_attributes()``, ``target_create_attributes()``, ``dynamic_attributes()`` and
``is_multi_valued()`` answer the questions scstadmin asks of an attribute or a target, from the
tables of _schema. The work is done in _model_values (values), _normalize (structure) and _validate_model
(meaning); this module is the face the rest of the collection imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.storage.scst.plugins.module_utils._model_values import (  # noqa: F401 pylint: disable=unused-import
    name_key,
    normalize_initiator,
    normalize_target_name,
    normalize_value,
    normalize_wwn,
    parse_number,
    to_bool,
)
from ansible_collections.storage.scst.plugins.module_utils._normalize import (  # noqa: F401 pylint: disable=unused-import
    _normalize,
    empty_model,
    format_path,
    format_problem,
    ModelError,
    normalize,
)
from ansible_collections.storage.scst.plugins.module_utils._schema import (  # noqa: F401 pylint: disable=unused-import
    by_owner,
    COPY_MANAGER,
    FC_DRIVERS,
    HARDWARE_ONLY_DRIVERS,
    is_multi_valued,
    KINDS,
    PASSTHROUGH_HANDLER_PREFIX,
    VDISK_HANDLERS,
)
from ansible_collections.storage.scst.plugins.module_utils._validate_model import (  # noqa: F401 pylint: disable=unused-import
    _BAD_NAME,
    _UNWRITABLE_VALUE,
    _validate,
    check,
    KEYWORDS,
    validate,
)

# add_device and add_target parameters as SCST 3.11 advertises them (the running kernel's mgmt help wins).
DEVICE_CREATE_ATTRIBUTES = by_owner('device', 'creation')
TARGET_CREATE_ATTRIBUTES = by_owner('target', 'creation')
LUN_CREATE_ATTRIBUTES = KINDS['lun'].names('creation')


def is_hardware_target(driver_name, target):
    """True when the target exists by itself and is never created or deleted (as scstadmin tells them).

    That is: HW_TARGET is set, or the driver cannot create targets, or it is a qla2x00t port that is not an
    NPIV port (NPIV ports are created with node_name and parent_host).
    """
    if target.get('hw_target') or driver_name in HARDWARE_ONLY_DRIVERS:
        return True
    return driver_name in FC_DRIVERS and 'parent_host' not in target.get('attributes', {})


def device_create_attributes(handler):
    """add_device parameters of a handler as SCST 3.11 advertises them (empty for unknown handlers)."""
    return KINDS['device'].classes['creation'].get(handler, frozenset())


def target_create_attributes(driver):
    return KINDS['target'].classes['creation'].get(driver, frozenset())


def dynamic_attributes(level, driver):
    """Names of attributes added and removed value by value (level 'driver' or 'target')."""
    return KINDS[level].names('dynamic', driver)


def by_name(items):
    """Index a list of named objects by name."""
    return dict((item['name'], item) for item in items)


def index(model):
    """Keyed indexes of a canonical model, for diffing two models kind by kind.

    Keys are tuples of names (LUN numbers for LUNs; group None for the default LUN set); values are the
    objects themselves. Kinds: handlers, devices, drivers, targets, groups, luns, initiators, device_groups,
    dg_devices, target_groups, tg_targets.
    """
    out = dict((kind, {}) for kind in ('handlers', 'devices', 'drivers', 'targets', 'groups', 'luns', 'initiators',
                                       'device_groups', 'dg_devices', 'target_groups', 'tg_targets'))
    for handler in model['handlers']:
        out['handlers'][(handler['name'],)] = handler
        for device in handler['devices']:
            out['devices'][(device['name'],)] = dict(device, handler=handler['name'])
    for driver in model['drivers']:
        out['drivers'][(driver['name'],)] = driver
        for target in driver['targets']:
            tkey = (driver['name'], target['name'])
            out['targets'][tkey] = target
            for lun in target['luns']:
                out['luns'][tkey + (None, lun['lun'])] = lun
            for group in target['groups']:
                out['groups'][tkey + (group['name'],)] = group
                for lun in group['luns']:
                    out['luns'][tkey + (group['name'], lun['lun'])] = lun
                for initiator in group['initiators']:
                    out['initiators'][tkey + (group['name'], initiator)] = initiator
    for dgroup in model['device_groups']:
        out['device_groups'][(dgroup['name'],)] = dgroup
        for device in dgroup['devices']:
            out['dg_devices'][(dgroup['name'], device)] = device
        for tgroup in dgroup['target_groups']:
            out['target_groups'][(dgroup['name'], tgroup['name'])] = tgroup
            for target in tgroup['targets']:
                out['tg_targets'][(dgroup['name'], tgroup['name'], target['name'])] = target
    return out


def compare(old, new):
    """For two canonical models: per kind, the keys only in old, only in new, and in both but different.

    Returns {kind: {'removed': [keys], 'added': [keys], 'changed': [keys]}} with sorted key lists; 'changed'
    compares whole objects, so a target whose LUN changed is 'changed' as well as its LUN.
    """
    old_index, new_index = index(old), index(new)
    out = {}
    for kind in old_index:
        before, after = old_index[kind], new_index[kind]
        out[kind] = {'removed': sorted(set(before) - set(after), key=_sort_key),
                     'added': sorted(set(after) - set(before), key=_sort_key),
                     'changed': sorted([k for k in set(before) & set(after) if before[k] != after[k]], key=_sort_key)}
    return out


def _sort_key(key):
    return tuple((0, '', part) if isinstance(part, int) else (1, part or '', 0) for part in key)
