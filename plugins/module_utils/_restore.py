# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Rollback: every object a failed run touched brought back to the state it was in before the run.

This module is private to this collection: it is not part of the public API and may change without notice.
A run that fails at write N leaves the kernel part-way, with consequences the actions do not spell out: a deleted
device takes its LUNs in every target and its device group membership, a deleted target its groups, initiators,
LUNs and target group entries, a re-created device new automatic copy_manager LUN numbers. So the rollback does
not replay inverses of the applied actions. take() reads the objects the plan can touch before the first write
(a snapshot); restore() reads them again after the failure and converges them back to the snapshot with the
planner itself (state overridden over the snapshot's scope), then sets what the planner leaves to the kernel
(LUN numbers the kernel chose, rel_tgt_id 0 of a disabled target), and reports what still differs.
refusal() names what no rollback can bring back, so that a run with rollback is refused before it writes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.storage.scst.plugins.module_utils import _apply, _gather, _plan
from ansible_collections.storage.scst.plugins.module_utils._errors import ScstError, ScstInputError
from ansible_collections.storage.scst.plugins.module_utils._plan_base import Action
from ansible_collections.storage.scst.plugins.module_utils._plan_luns import LunPlanner
from ansible_collections.storage.scst.plugins.module_utils._schema import container, CREATION_DEFAULTS, DEVICES, mgmt as mgmt_of, path as sysfs_path
from ansible_collections.storage.scst.plugins.module_utils._validate import build_command, check_attr_value

# The top directories of sysfs paths, which tell what a write touches: targets, device groups, handlers and devices.
_TARGETS, _ALUA, _HANDLERS = container('driver'), sysfs_path('alua'), container('handler')
# Rounds of read, plan and apply: the first brings objects back, a second sets what the kernel chose while the
# first re-created objects (copy_manager LUN numbers, rel_tgt_id); a third finds nothing left in every case seen.
ROUNDS = 3


class Snapshot(object):
    """What take() read, and how restore() reads it again: scope and focus (keyword arguments of _gather.gather),
    devices (read with every attribute whatever the focus: the run re-creates them), full (every attribute read,
    default values included) and keys (the attributes set explicitly, [key]: what a re-created object needs
    written)."""

    def __init__(self, scope, focus, devices, full, keys):
        self.scope = scope
        self.focus = focus
        self.devices = devices
        self.full = full
        self.keys = keys

    def read(self, reader, nonkey=True):
        """The snapshot's objects as they are now."""
        model = _gather.gather(reader, nonkey=nonkey, focus=self.focus, **self.scope)
        if self.focus is not None and self.devices:
            whole = _gather.gather(reader, nonkey=nonkey, devices=self.devices, drivers=[], device_groups=False,
                                   global_attributes=False)
            attributes = dict((device['name'], device['attributes']) for handler in whole['handlers']
                              for device in handler['devices'])
            for handler in model['handlers']:
                for device in handler['devices']:
                    device['attributes'] = attributes.get(device['name'], device['attributes'])
        return model


def refusal(actions, before, meta):
    """Why a rollback could not undo ``actions`` (a text naming each step), or None when it could.

    before: the model the plan was made from (it holds the values the plan overwrites); meta: its gather_meta().
    """
    old = flatten(before)
    sessions = meta.get('sessions') or {}
    reasons = []
    for action in actions:
        parts = action.path.split('/')
        if action.kind == 'close_session':
            reasons.append('it closes session %s of target %s/%s' % (parts[4], parts[1], parts[2]))
        elif action.kind == 'disable' and parts[0] == _TARGETS:
            # Whether sessions outlive a disable depends on the driver: an FC port drops its logins.
            found = (sessions.get(parts[1]) or {}).items() if len(parts) == 3 else [
                (parts[2], (sessions.get(parts[1]) or {}).get(parts[2]))]
            names = sorted('%s/%s' % (target, name) for target, open_ in found for name in open_ or ())
            if names:
                reasons.append('it disables %s, which has open session(s) (%s)' % ('/'.join(parts[1:-1]),
                                                                                   ', '.join(names)))
        elif action.op == 'write' and isinstance(old.get(action.path), str):
            try:
                check_attr_value(old[action.path], parts[-1])
            except ScstInputError:
                reasons.append('it overwrites %s, whose value as SCST shows it cannot be written back' % action.path)
    if not reasons:
        return None
    return ('rollback is set, but a rollback could not undo this run: %s (a rollback cannot open sessions again or '
            'write such values); nothing was written. Run without rollback to make these changes'
            % '; '.join(reasons))


def scope_of(scope, actions):
    """The gather() scope that holds every object ``actions`` can change: ``scope`` (what the plan was made from)
    widened where the plan reaches further: rel_tgt_id of targets of other drivers, a deleted device's LUNs in
    every target, a deleted target's entries in target groups."""
    scope = dict(scope)
    paths = [action.path.split('/') for action in actions]
    kinds = set(action.kind for action in actions)
    if 'del_device' in kinds:
        scope.update(drivers=None, targets=None)
    if kinds & set(('del_device', 'del_target')) or any(parts[0] == _ALUA for parts in paths):
        scope['device_groups'] = True
    drivers = set(parts[1] for parts in paths if parts[0] == _TARGETS)
    if scope.get('drivers') is not None and not drivers <= set(scope['drivers']):
        scope.update(drivers=sorted(drivers | set(scope['drivers'])), targets=None)
    targets = set(parts[2] for parts in paths if parts[0] == _TARGETS and len(parts) > 3)
    if scope.get('targets') is not None and ('add_target' in kinds or not targets <= set(scope['targets'])):
        scope['targets'] = None
    if any(parts[0] in (_HANDLERS, DEVICES) for parts in paths):
        scope.update(handlers=None, devices=None)
    if any(len(parts) == 1 for parts in paths):
        scope['global_attributes'] = True
    return scope


def take(reader, scope, actions, focus=None):
    """The Snapshot of what ``actions`` can change, read through ``reader`` (a SysfsClient, or the memo of the reads
    the plan was made from: then only what they left out is read). focus: the configuration a merged run reads
    (_gather.gather(focus=...)); what else such a run changes is listed in full anyway, but a device it re-creates
    is read with every attribute."""
    snapshot = Snapshot(scope_of(scope, actions), focus,
                        sorted(set(str(a.command).split(' ')[1] for a in actions if a.kind == 'del_device')), None, None)
    snapshot.full = snapshot.read(reader)
    snapshot.keys = snapshot.read(reader, nonkey=False)
    return snapshot


def restore(client, snapshot, result):
    """Converge the snapshot's objects back to it; records in ``result`` (an _apply.ApplyResult) the writes made
    (rolled_back), what still differs from the snapshot (not_rolled_back, sysfs paths) and the error that stopped
    the rollback (rollback_error, a text)."""
    meta_scope = dict((key, snapshot.scope.get(key)) for key in ('handlers', 'drivers', 'targets'))
    result.rollback_ran = True
    now = None
    try:
        for dummy in range(ROUNDS):
            now = snapshot.read(client)
            # force: what the rollback removes is what the run added, even where an initiator already sees it.
            actions = _plan.plan(back_model(snapshot, now), now, 'overridden', recreate='options-changed', force=True,
                                 meta=_gather.gather_meta(client, **meta_scope)) or _kernel_choices(snapshot.full, now)
            if not actions:
                break
            now = None
            applied = _apply.apply(client, actions)
            result.rolled_back.extend(applied.applied)
            if not applied.ok:
                result.rollback_error = applied.error.msg
                break
    except ScstError as error:
        # A refused plan (PlanError) or a failed read: the rollback stops and says why.
        result.rollback_error = error.msg
    try:
        now = now or snapshot.read(client)
    except ScstError as error:
        result.not_rolled_back = ['the state after the rollback could not be read: %s' % error.msg]
        return
    result.not_rolled_back = differences(snapshot.full, now)


def back_model(snapshot, now):
    """The snapshot as the planner's desired model against ``now``: each object with the attributes set explicitly,
    those that differ from now (what the run changed) and a device's creation-time ones. Every attribute of a
    re-created object is written, so the kernel's read-only and default values must stay out. rel_tgt_id 0 (no id
    yet) is no value the planner can ask for: _kernel_choices() writes it back."""
    keys = flatten(snapshot.keys)
    found = flatten(now)
    model = copy.deepcopy(snapshot.full)
    for path, holder, field, dummy, kind in _holders(model):
        kept = {}
        for name, value in holder[field].items():
            where = '%s/%s' % (path, name) if path else name
            if name == 'rel_tgt_id' and value in ('0', None):
                continue
            if where in keys or ((not path or path in found) and found.get(where) != _flat(value)) or (
                    kind == 'device' and name in CREATION_DEFAULTS):
                kept[name] = value
        holder[field] = kept
    return model


def _kernel_choices(before, now):
    """Writes for what the planner leaves to the kernel: LUN numbers (copy_manager numbers a device's LUN itself
    when the device is created) and rel_tgt_id 0 of a disabled target that was enabled meanwhile (0 is accepted
    on a disabled target only, SYSFS.md 3.5)."""
    old, new = flatten(before), flatten(now)
    dels, adds = [], []
    for path in sorted(set(old) | set(new)):
        parts = path.split('/')
        lun_set = '/'.join(parts[:-1])
        if parts[0] == _TARGETS and len(parts) >= 5 and lun_set == sysfs_path('lun_set', '/'.join(parts[:-2])) and \
                old.get(path) != new.get(path):
            mgmt, where, lun = mgmt_of('lun', lun_set), '/'.join(parts[1:-2]), int(parts[-1])
            if path in new:
                dels.append(Action('del_lun', 'mgmt', mgmt, build_command('del', lun),
                                   'delete LUN %d from %s' % (lun, where), True))
            if path in old:
                adds.append(LunPlanner._lun_action('add', mgmt, old[path][0], lun, old[path][1], where))  # pylint: disable=protected-access
        elif parts[-1] == 'rel_tgt_id' and old.get(path) == '0' and new.get(path) not in (None, '0') and \
                new.get('%s/enabled' % '/'.join(parts[:-1])) is False:
            adds.append(Action('set_attribute', 'write', path, '0', 'set %s back to 0' % path))
    return dels + adds


def differences(before, after):
    """The sysfs paths (objects, attributes, LUNs, memberships) whose value differs between two models, with how,
    never with the values (they may be secrets)."""
    old, new = flatten(before), flatten(after)
    out = []
    for path in sorted(set(old) | set(new)):
        if path not in new:
            out.append('%s: gone' % path)
        elif path not in old:
            out.append('%s: new' % path)
        elif old[path] != new[path]:
            out.append('%s: changed' % path)
    return out


def flatten(model):
    """{sysfs path: value} of a model: attributes (multi-valued ones as a sorted tuple), `enabled`, objects (their
    directory: True, a device: its handler, a target: whether it is a hardware target), LUNs ((device, read_only)),
    initiators and memberships (True)."""
    out = {}
    for path, holder, field, exists, kind in _holders(model):
        if path:
            out[path] = exists
        for name, value in (holder.get(field) or {}).items():
            out['%s/%s' % (path, name) if path else name] = _flat(value)
        if kind in ('driver', 'target') and 'enabled' in holder:
            out['%s/enabled' % path] = holder['enabled']
        for lun in holder.get('luns') or ():
            out[sysfs_path('lun', sysfs_path('lun_set', path), int(lun['lun']))] = (lun['device'], bool(lun['read_only']))
        for initiator in holder.get('initiators') or ():
            out[sysfs_path('initiator', path, initiator)] = True
        if kind == 'device_group':
            for device in holder.get('devices') or ():
                out[sysfs_path('dg_device', holder['name'], device)] = True
    return out


def _flat(value):
    return tuple(sorted(value)) if isinstance(value, (list, tuple)) else value


def _holders(model):
    """(sysfs path, object, the key of its attributes, what flatten() records for it, its kind in _schema) of every
    object of a model ('' for the global attributes, device_groups for the ALUA ones; a device is recorded with its
    handler)."""
    yield sysfs_path('global'), model, 'attributes', True, 'global'
    yield sysfs_path('alua'), model, 'alua', True, 'alua'
    for handler in model.get('handlers') or ():
        yield sysfs_path('handler', handler['name']), handler, 'attributes', True, 'handler'
        for device in handler.get('devices') or ():
            yield sysfs_path('device', handler['name'], device['name']), device, 'attributes', handler['name'], 'device'
    for driver in model.get('drivers') or ():
        yield sysfs_path('driver', driver['name']), driver, 'attributes', True, 'driver'
        for target in driver.get('targets') or ():
            yield sysfs_path('target', driver['name'], target['name']), target, 'attributes', bool(target.get('hw_target')), 'target'
            for group in target.get('groups') or ():
                yield sysfs_path('group', driver['name'], target['name'], group['name']), group, 'attributes', True, 'group'
    for dg in model.get('device_groups') or ():
        yield sysfs_path('device_group', dg['name']), dg, 'attributes', True, 'device_group'
        for tg in dg.get('target_groups') or ():
            yield sysfs_path('target_group', dg['name'], tg['name']), tg, 'attributes', True, 'target_group'
            for member in tg.get('targets') or ():
                yield sysfs_path('tg_target', dg['name'], tg['name'], member['name']), member, 'attributes', True, 'tg_target'
