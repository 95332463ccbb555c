# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The state after a plan, predicted from the state before and the plan's actions, without reading it again.

This module is private to this collection: it is not part of the public API and may change without notice.
predict() applies each action's effect on the configuration model, with the kernel's own consequences
(scst_main.c, scst_tg.c: deleting a device removes its LUNs and its device-group membership; deleting a target
its target-group entries; a LUN reads read-only when its device is). Only what the kernel decides by itself
is read back, one file each: the rel_tgt_id a target enabled without one was given, and attributes of new
objects that the focus names but the configuration left to the kernel's default. The model is the focused
model of _gather.gather(focus=...): the attributes the configuration names, of the objects it names.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.storage.scst.plugins.module_utils._gather import Focus, config_attrs, read_luns, skip_of
from ansible_collections.storage.scst.plugins.module_utils._model import COPY_MANAGER, normalize, to_bool
from ansible_collections.storage.scst.plugins.module_utils._schema import (
    CREATION_DEFAULTS,
    SESSION_ATTRIBUTES,
    UNSHOWN_TARGET_ATTRIBUTES,
)
from ansible_collections.storage.scst.plugins.module_utils._schema import path as sysfs_path


class _State(object):
    """The model as dictionaries keyed by name, for one action after another."""

    def __init__(self, model):
        model = copy.deepcopy(model)
        self.attributes = model['attributes']
        self.alua = model['alua']
        self.handlers = dict((h['name'], dict(h, devices=dict((d['name'], d) for d in h['devices'])))
                             for h in model['handlers'])
        self.drivers = {}
        for driver in model['drivers']:
            targets = {}
            for target in driver['targets']:
                groups = dict((g['name'], dict(g, luns=_by_number(g['luns']))) for g in target['groups'])
                targets[target['name']] = dict(target, luns=_by_number(target['luns']), groups=groups)
            self.drivers[driver['name']] = dict(driver, targets=targets)
        self.device_groups = {}
        for dg in model['device_groups']:
            tgs = dict((tg['name'], dict(tg, targets=dict((m['name'], m) for m in tg['targets'])))
                       for tg in dg['target_groups'])
            self.device_groups[dg['name']] = dict(dg, target_groups=tgs)

    def model(self):
        return normalize({
            'attributes': self.attributes, 'alua': self.alua,
            'handlers': [dict(h, devices=list(h['devices'].values())) for h in self.handlers.values()],
            'drivers': [dict(d, targets=[dict(t, luns=list(t['luns'].values()), groups=[
                dict(g, luns=list(g['luns'].values())) for g in t['groups'].values()])
                for t in d['targets'].values()]) for d in self.drivers.values()],
            'device_groups': [dict(dg, target_groups=[dict(tg, targets=list(tg['targets'].values()))
                                                      for tg in dg['target_groups'].values()])
                              for dg in self.device_groups.values()],
        })

    def device(self, name):
        for handler in self.handlers.values():
            if name in handler['devices']:
                return handler['name'], handler['devices'][name]
        return None, None

    def lun_sets(self):
        for driver in self.drivers.values():
            for target in driver['targets'].values():
                yield target['luns']
                for group in target['groups'].values():
                    yield group['luns']


def _by_number(luns):
    return dict((lun['lun'], lun) for lun in luns)


def _params(words):
    """'name=value;name=value' (the last word of add_device/add_target) as {name: value or [values]}."""
    out = {}
    for pair in ' '.join(words).split(';'):
        if not pair:
            continue
        name, dummy, value = pair.partition('=')
        if name in out:
            out[name] = (out[name] if isinstance(out[name], list) else [out[name]]) + [value]
        else:
            out[name] = value
    return out


def predict(before, actions, focus, client=None, nonkey=True):
    """The model after ``actions`` (a _plan.Plan) ran on the state ``before``, which gather(focus=focus) read.

    client: the SysfsClient to read back what the kernel chose; None (check mode: nothing ran) leaves those
    values as planned (a new target's id stays 0, kernel defaults of new objects are left out).
    focus None: ``before`` is a whole gather (gather(nonkey=nonkey)). Without nonkey it holds the key attributes
    only, and whether a written value is one (it differs from the kernel's default) is read back, one file per
    written attribute; in check mode a written value is shown. A new object's attributes are read back whole.
    Returns (model, the sysfs paths read back).
    """
    state = _State(before)
    derived = []
    for action in actions:
        _EFFECTS[action.kind](state, action.path.split('/'), str(action.command).split(' '), derived)
    read_back = []
    if client is not None:
        # The LUN sets the kernel numbers itself (copy_manager's, one entry per new vdisk device), each read once.
        for driver, name in sorted(set(entry[1:] for entry in derived if entry[0] == 'luns')):
            path = sysfs_path('lun_set', sysfs_path('target', driver, name))
            state.drivers[driver]['targets'][name]['luns'] = _by_number(read_luns(client, path))
            read_back.append(path)
    if focus is None:
        if client is not None:
            _read_back_whole(state, derived, client, nonkey, read_back)
        elif not nonkey:
            _unknown_keys(derived)
        return state.model(), read_back
    names = Focus(focus)
    for entry in derived:
        if entry[0] in ('luns', 'attribute'):
            continue
        kind, path, holder, key, defaults = entry
        # Attributes the focus reads that no action wrote: the kernel's defaults (or its choice), one file each.
        missing = set(names(kind, *key)) - set(holder['attributes']) if kind != 'id' else set(['rel_tgt_id'])
        for name in sorted(missing):
            if name in defaults:
                holder['attributes'][name] = defaults[name]
            elif client is not None:
                holder['attributes'].update(config_attrs(client, path, True, names=[name]))
                read_back.append('%s/%s' % (path, name))
    return state.model(), read_back


def _read_back_whole(state, derived, client, nonkey, read_back):
    """What the kernel decided, for a prediction over a whole gather (see predict): each new object read whole
    (that holds its id and every value written to it); of the others, an id the kernel chose and, without nonkey,
    whether each written value is a key attribute (one read per attribute, however often it was written)."""
    new = set()
    for entry in derived:
        if entry[0] not in ('luns', 'attribute', 'id'):
            _read_object(state, client, nonkey, *entry[:4])
            new.add(id(entry[2]))
            read_back.append(entry[1])
    done = set()
    for entry in derived:
        holder = entry[2] if entry[0] in ('attribute', 'id') else None
        if holder is None or id(holder) in new:
            continue
        name = 'rel_tgt_id' if entry[0] == 'id' else entry[3]
        if (entry[0] == 'attribute' and nonkey) or (entry[1], name) in done:
            continue  # the value written is the value read
        done.add((entry[1], name))
        value = config_attrs(client, entry[1], nonkey, names=[name]).get(name)
        if value is None:
            holder['attributes'].pop(name, None)
        else:
            holder['attributes'][name] = value
        read_back.append('%s/%s' % (entry[1], name))


def _unknown_keys(derived):
    """Check mode, key attributes only: what the plan leaves to the kernel is shown as no key."""
    for entry in derived:
        attributes = entry[2]['attributes'] if entry[0] in ('targets', 'id', 'devices') else {}
        if entry[0] == 'devices':
            # A new device's creation parameter at its default.
            for name in [name for name, value in attributes.items() if CREATION_DEFAULTS.get(name) == value]:
                del attributes[name]
        elif attributes.get('rel_tgt_id') == '0':
            # The id a new or newly enabled target gets is the kernel's to choose; 0 is no key.
            del attributes['rel_tgt_id']


def _read_object(state, client, nonkey, kind, path, holder, key):
    """A new object's attributes, read as a whole gather reads them (_gather)."""
    if kind == 'devices':
        holder['attributes'] = config_attrs(client, path, nonkey, skip=skip_of('device', state.device(key[0])[0]))
    elif kind == 'targets':
        # Sessions of scst_local are configuration without a file (add_session): kept as predicted.
        session = SESSION_ATTRIBUTES.get(key[0])
        kept = dict((name, value) for name, value in holder['attributes'].items() if name == session and value)
        holder['attributes'] = dict(config_attrs(client, path, nonkey, skip=skip_of('target', key[0])), **kept)
    elif kind == 'groups':
        holder['attributes'] = config_attrs(client, path, nonkey, skip=skip_of('group', key[0]))
    elif kind == 'target_groups' or path.rsplit('/', 1)[1] not in client.list_dir(path.rsplit('/', 1)[0], kind='link'):
        # A target group, or a remote member of one (a directory); a local member is a link to its target.
        holder['attributes'] = config_attrs(client, path, nonkey)


# ------------------------------------------------------------------------------------------ effects


def _set_attribute(state, parts, words, derived):
    value, name = ' '.join(words), parts[-1]
    holder = _holder(state, parts[:-1])
    if holder is None:
        return
    holder['attributes'][name] = value
    # A whole gather without nonkey shows it only when it is not the kernel's default (read back, see predict).
    derived.append(('attribute', '/'.join(parts[:-1]), holder, name))


def _holder(state, parts):
    """The object whose attribute directory is parts (a path without the attribute name); None for a target outside
    the run's scope, whose rel_tgt_id the plan moved out of the way or which it disabled and enabled for that
    (_plan_ports): the state after covers what the state before did."""
    if not parts:
        return {'attributes': state.attributes}
    if parts == ['device_groups']:
        return {'attributes': state.alua}
    if parts[0] == 'devices':
        return state.device(parts[1])[1]
    if parts[0] == 'handlers':
        return state.handlers[parts[1]]
    if parts[0] == 'targets':
        driver = state.drivers.get(parts[1])
        if driver is None or len(parts) == 2:
            return driver
        target = driver['targets'].get(parts[2])
        if target is None:
            return None
        return target['groups'][parts[4]] if len(parts) == 5 else target
    dg = state.device_groups[parts[1]]
    if len(parts) == 2:
        return dg
    tg = dg['target_groups'][parts[3]]
    return tg['targets'][parts[4]] if len(parts) == 5 else tg


def _enabled(state, parts, words, derived):
    holder = _holder(state, parts[:-1])
    if holder is None:
        return
    holder['enabled'] = words[0] == '1'
    # (A gather of key attributes only leaves an id of 0 out.)
    if words[0] == '1' and len(parts) == 4 and holder['attributes'].get('rel_tgt_id', '0') == '0':
        # Enabled without an id: the kernel hands out a free one (scst_lib.c gen_relative_target_port_id).
        derived.append(('id', '/'.join(parts[:-1]), holder, (), {}))


def _add_device(state, parts, words, derived):
    device = {'name': words[1], 'attributes': _params(words[2:])}
    state.handlers[parts[1]]['devices'][words[1]] = device
    # A vdisk device is writable unless created read_only (scst_vdisk.c): that default is not read back.
    defaults = {'read_only': '0'} if parts[1] != 'vcdrom' else {}
    derived.append(('devices', sysfs_path('device', parts[1], words[1]), device, (words[1],), defaults))
    # A new vdisk device is mapped into copy_manager_tgt at a number of the kernel's choosing.
    for target in (state.drivers.get(COPY_MANAGER) or {'targets': {}})['targets']:
        derived.append(('luns', COPY_MANAGER, target))


def _del_device(state, parts, words, derived):
    name = words[1]
    del state.handlers[parts[1]]['devices'][name]
    for luns in state.lun_sets():
        for number in [n for n, lun in luns.items() if lun['device'] == name]:
            del luns[number]
    for dg in state.device_groups.values():
        if name in dg['devices']:
            dg['devices'] = [dev for dev in dg['devices'] if dev != name]


def _add_target(state, parts, words, derived):
    # Creation parameters the kernel keeps without a file (iSCSI session keys) are never read back.
    unshown = UNSHOWN_TARGET_ATTRIBUTES.get(parts[1], ())
    attributes = dict((name, value) for name, value in _params(words[2:]).items() if name not in unshown)
    attributes['rel_tgt_id'] = '0'
    # Drivers without enable support have no `enabled` file (gather reads None for them).
    enabled = None if state.drivers[parts[1]].get('enabled') is None and parts[1] == 'scst_local' else False
    target = {'name': words[1], 'hw_target': False, 'enabled': enabled, 'attributes': attributes, 'luns': {},
              'groups': {}}
    state.drivers[parts[1]]['targets'][words[1]] = target
    derived.append(('targets', sysfs_path('target', parts[1], words[1]), target, (parts[1], words[1]), {}))


def _del_target(state, parts, words, derived):
    del state.drivers[parts[1]]['targets'][words[1]]
    for dg in state.device_groups.values():
        for tg in dg['target_groups'].values():
            tg['targets'].pop(words[1], None)


def _lun_set(state, parts):
    target = state.drivers[parts[1]]['targets'][parts[2]]
    return target['groups'][parts[4]]['luns'] if parts[3] == 'ini_groups' else target['luns']


def _add_lun(state, parts, words, derived):
    handler, device = state.device(words[1])
    read_only = 'read_only=1' in words[3:] or handler == 'vcdrom' or (
        device is not None and to_bool(device['attributes'].get('read_only')) is True)
    _lun_set(state, parts)[int(words[2])] = {'lun': int(words[2]), 'device': words[1], 'read_only': read_only}


def _del_lun(state, parts, words, derived):
    del _lun_set(state, parts)[int(words[1])]


def _create_group(state, parts, words, derived):
    group = {'name': words[1], 'attributes': {}, 'luns': {}, 'initiators': []}
    state.drivers[parts[1]]['targets'][parts[2]]['groups'][words[1]] = group
    derived.append(('groups', '/'.join(parts[:-1] + [words[1]]), group, (parts[1], parts[2], words[1]), {}))


def _del_group(state, parts, words, derived):
    del state.drivers[parts[1]]['targets'][parts[2]]['groups'][words[1]]


def _group(state, parts, name=None):
    return state.drivers[parts[1]]['targets'][parts[2]]['groups'][name or parts[4]]


def _add_initiator(state, parts, words, derived):
    _group(state, parts)['initiators'].append(words[1])


def _del_initiator(state, parts, words, derived):
    group = _group(state, parts)
    group['initiators'] = [name for name in group['initiators'] if name != words[1]]


def _move_initiator(state, parts, words, derived):
    _del_initiator(state, parts, words[:2], derived)
    _group(state, parts, words[2])['initiators'].append(words[1])


def _dynamic(verb):
    def effect(state, parts, words, derived):
        # add_attribute ATTR VALUE (driver) or add_target_attribute TARGET ATTR VALUE.
        driver = state.drivers[parts[1]]
        holder = driver['targets'][words[1]] if words[0].endswith('_target_attribute') else driver
        rest = words[2:] if holder is not driver else words[1:]
        attr, value = rest[0], ' '.join(rest[1:])
        values = holder['attributes'].get(attr) or []
        values = [values] if not isinstance(values, list) else values
        if verb == 'add':
            values = values + [value]
        else:
            # CHAP users are deleted by name, portals by pattern (SCST matches the pattern ignoring case).
            values = [old for old in values if (old.lower() != value.lower() if attr == 'allowed_portal'
                                                else old.split(' ')[0] != value)]
        holder['attributes'][attr] = values
    return effect


def _create_device_group(state, parts, words, derived):
    state.device_groups[words[1]] = {'name': words[1], 'attributes': {}, 'devices': [], 'target_groups': {}}


def _del_device_group(state, parts, words, derived):
    del state.device_groups[words[1]]


def _add_dg_device(state, parts, words, derived):
    state.device_groups[parts[1]]['devices'].append(words[1])


def _del_dg_device(state, parts, words, derived):
    dg = state.device_groups[parts[1]]
    dg['devices'] = [dev for dev in dg['devices'] if dev != words[1]]


def _create_target_group(state, parts, words, derived):
    tg = {'name': words[1], 'attributes': {}, 'targets': {}}
    state.device_groups[parts[1]]['target_groups'][words[1]] = tg
    derived.append(('target_groups', '/'.join(parts[:-1] + [words[1]]), tg, (parts[1], words[1]), {}))


def _del_target_group(state, parts, words, derived):
    del state.device_groups[parts[1]]['target_groups'][words[1]]


def _add_tg_target(state, parts, words, derived):
    member = {'name': words[1], 'attributes': {}}
    state.device_groups[parts[1]]['target_groups'][parts[3]]['targets'][words[1]] = member
    derived.append(('tg_targets', '/'.join(parts[:-1] + [words[1]]), member, (parts[1], parts[3], words[1]), {}))


def _del_tg_target(state, parts, words, derived):
    del state.device_groups[parts[1]]['target_groups'][parts[3]]['targets'][words[1]]


def _session(verb):
    def effect(state, parts, words, derived):
        # add_session TARGET SESSION: the session is the target's session_name value (_model.SESSION_ATTRIBUTES).
        attributes = state.drivers[parts[1]]['targets'][words[1]]['attributes']
        attr = SESSION_ATTRIBUTES[parts[1]]
        values = [value for value in attributes.get(attr) or [] if value != words[2]]
        attributes[attr] = values + [words[2]] if verb == 'add' else values
    return effect


def _nothing(state, parts, words, derived):
    """Closing sessions and waiting for them change no configuration."""


_EFFECTS = {
    'set_attribute': _set_attribute, 'enable': _enabled, 'disable': _enabled,
    'add_device': _add_device, 'del_device': _del_device, 'add_target': _add_target, 'del_target': _del_target,
    'add_lun': _add_lun, 'replace_lun': _add_lun, 'del_lun': _del_lun,
    'create_group': _create_group, 'del_group': _del_group,
    'add_initiator': _add_initiator, 'del_initiator': _del_initiator, 'move_initiator': _move_initiator,
    'add_attribute': _dynamic('add'), 'del_attribute': _dynamic('del'),
    'add_target_attribute': _dynamic('add'), 'del_target_attribute': _dynamic('del'),
    'create_device_group': _create_device_group, 'del_device_group': _del_device_group,
    'add_dg_device': _add_dg_device, 'del_dg_device': _del_dg_device,
    'create_target_group': _create_target_group, 'del_target_group': _del_target_group,
    'add_tg_target': _add_tg_target, 'del_tg_target': _del_tg_target,
    'add_session': _session('add'), 'del_session': _session('del'),
    'close_session': _nothing, 'wait_sessions': _nothing,
}
