# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The planner: desired SCST configuration + current configuration + state -> ordered list of sysfs writes.

This module is private to this collection: it is not part of the public API and may change without notice.
plan() is a pure function (no I/O): it compares two configuration models (the canonical shape of _model.py, as
_model.py normalises it and _gather.py reads it) and returns the minimum list of Action objects, in the order
SCST needs them (the order of scstadmin's applyConfiguration): removals first, in reverse dependency
order (targets disabled, sessions drained, attribute values, ALUA entries, LUNs, initiators, groups, targets,
devices), then additions (global attributes, devices, targets, driver and target attributes, groups,
initiators, LUNs, ALUA, target `enabled`, driver `enabled`). Every action knows its inverse, for rollback.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import shlex

from ansible_collections.storage.scst.plugins.module_utils._errors import ScstInputError, mask_text
from ansible_collections.storage.scst.plugins.module_utils._model import (
    COPY_MANAGER,
    HARDWARE_ONLY_DRIVERS,
    VDISK_HANDLERS,
    device_create_attributes,
    dynamic_attributes,
    is_hardware_target,
    normalize_value,
    target_create_attributes,
    to_bool,
)
from ansible_collections.storage.scst.plugins.module_utils._validate import Secret, build_command, check_attr_value


STATES = ('merged', 'replaced', 'overridden', 'deleted')
RECREATE = ('never', 'options-changed', 'always')
DEFAULT_ROOT = '/sys/kernel/scst_tgt'

CHAP_ATTRS = frozenset(('IncomingUser', 'OutgoingUser'))
# vdisk attributes that SCST accepts only in add_device (read-only afterwards, scst_vdisk.c), with their
# defaults, used when a replaced/overridden device leaves one out. filename is writable only while the device
# is inactive, so a new filename also means re-creation (except on vcdrom, where writing it changes media).
CREATION_ONLY = {
    'filename': None, 'blocksize': '512', 'read_only': '0', 'write_through': '0', 'nv_cache': '0', 'o_direct': '0',
    'thin_provisioned': None, 'removable': '0', 'rotational': '1', 'tst': '1', 'dummy': '0',
    'dif_filename': None, 'dif_mode': None, 'dif_type': None,
}
# Device attributes that SCST derives from the backing file and shows read-only (scst_vdisk.c): never written.
DERIVED = {'vdisk_fileio': frozenset(('size', 'size_mb')), 'vcdrom': frozenset(('size', 'size_mb'))}
# Target entries that are information, not configuration: never written (scst_sysfs.c).
TARGET_INFO_ATTRS = frozenset(('hw_target', 'tid', 'sg_tablesize', 'host'))

# FC WWPNs and InfiniBand port GIDs: SCST spells them in lower case, users may not.
_WWN = re.compile(r'^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){7}$|^[0-9a-fA-F]{4}(:[0-9a-fA-F]{4}){7}$')

# Phases, in execution order. Removals run first, from the outermost effect (stop new logins) to the
# innermost object (devices last); then additions in the order SCST needs (enabled last, driver after targets).
(R_DISABLE, R_SESSIONS, R_ATTRS, R_ALUA, R_LUNS, R_INITIATORS, R_GROUPS, R_TARGETS, R_DEVICES,
 A_GLOBAL, A_DEVICES, A_HANDLERS, A_TARGETS, A_DRIVER_ATTRS, A_TARGET_ATTRS, A_GROUPS, A_INITIATORS, A_LUNS,
 A_ALUA, A_TARGET_ENABLED, A_DRIVER_ENABLED) = range(21)


class PlanError(Exception):
    """The desired state cannot be reached (or is refused): raised before anything is written."""


class Action(object):
    """One write to SCST (or one wait), as the planner decided it.

    kind: what it does ('add_device', 'del_lun', 'set_attribute', 'wait_sessions', ...).
    op: 'mgmt' (command written to the mgmt file at path), 'write' (command is the value written to the
    attribute file at path) or 'wait' (wait until the entries names disappear from the directory path).
    description: one sentence for humans, secrets never included. destructive: disconnects initiators or
    removes configuration. inverse: the Action that undoes this one (None if it cannot be undone).
    secrets: the parts of command that must be masked (CHAP secrets).
    """

    __slots__ = ('kind', 'op', 'path', 'command', 'description', 'destructive', 'inverse', 'names')

    def __init__(self, kind, op, path, command, description, destructive=False, inverse=None, names=()):
        self.kind = kind
        self.op = op
        self.path = path
        self.command = command
        self.description = description
        self.destructive = destructive
        self.inverse = inverse
        self.names = tuple(names)

    @property
    def secrets(self):
        return tuple(getattr(self.command, 'secrets', ()))

    def text(self, root=DEFAULT_ROOT):
        """The action as a shell line for the `commands` result, with every secret masked."""
        full = '%s/%s' % (root.rstrip('/'), self.path)
        if self.op == 'wait':
            return '# wait until %s no longer holds: %s' % (full, ' '.join(self.names))
        # Masked before quoting: quoting may escape characters of a secret, which would then not match.
        return 'echo %s > %s' % (shlex.quote(mask_text(str(self.command), self.secrets)), shlex.quote(full))

    def to_dict(self, root=DEFAULT_ROOT):
        return {'kind': self.kind, 'path': self.path, 'text': self.text(root), 'description': self.description,
                'destructive': self.destructive}

    def _key(self):
        return (self.kind, self.op, self.path, str(self.command), self.names)

    def __eq__(self, other):
        return isinstance(other, Action) and self._key() == other._key()

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return 'Action(%s)' % self.text('')


class Plan(list):
    """The ordered actions (a list) plus warnings: differences that the options do not allow to fix."""

    def __init__(self, actions=(), warnings=()):
        super(Plan, self).__init__(actions)
        self.warnings = list(warnings)

    def commands(self, root=DEFAULT_ROOT):
        return [action.text(root) for action in self]

    @property
    def destructive(self):
        return any(action.destructive for action in self)


# ------------------------------------------------------------------------------------------ values


def same_value(level, name, left, right):
    """Whether two values of attribute name at level mean the same, after _model's normalisation (numbers in
    any base, Yes/No and 0/1, WWN case); multi-valued attributes compare as sets."""
    return _canonical(level, name, left) == _canonical(level, name, right)


# iSCSI digests: a comma list of None/CRC32C, case-insensitive (iscsi-scst), that the daemon keeps as a set of
# bits, so the order it shows them in need not be the order they were written in.
_DIGESTS = frozenset(('HeaderDigest', 'DataDigest'))


def _canonical(level, name, value):
    if value is None:
        return None
    if level == 'target' and name in _DIGESTS and isinstance(value, str):
        return sorted(set(word.strip().lower() for word in value.split(',')))
    if isinstance(value, (list, tuple, set, frozenset)):
        texts = sorted(set(normalize_value(level, name, item) for item in value))
        return texts[0] if len(texts) == 1 else texts
    return normalize_value(level, name, value)


def _values(value):
    """A multi-valued attribute as a list of texts (one value, a list, or None)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(item) for item in value]
    return [str(value)]


def _truthy(value):
    return bool(to_bool(value))


def name_key(name):
    """How SCST (and the administrator) identifies a target or initiator: WWNs and GIDs in any case."""
    return name.lower() if _WWN.match(name) else name


def initiator_key(name):
    # SCST matches initiator names case-insensitively (scst_targ.c, __scst_find_acg): entries differing in case are one.
    return name.lower()


def _user(value):
    """CHAP entry 'NAME SECRET' -> (NAME, SECRET)."""
    parts = value.split(None, 1)
    return parts[0], (parts[1] if len(parts) > 1 else '')


def _dyn_key(attr, value):
    # CHAP users are identified by their name (the daemon deletes by name); portals by the pattern, which
    # SCST matches ignoring case.
    return _user(value)[0] if attr in CHAP_ATTRS else value.lower()


def _dyn_same(attr, left, right):
    return _user(left) == _user(right) if attr in CHAP_ATTRS else left.lower() == right.lower()


# ------------------------------------------------------------------------------------------ model index


def _index(model):
    """The model as nested dictionaries keyed by name (target and initiator names by name_key)."""
    model = model or {}
    handlers = {}
    for handler in model.get('handlers') or ():
        devices = {}
        for device in handler.get('devices') or ():
            devices[device['name']] = {'name': device['name'], 'attributes': dict(device.get('attributes') or {})}
        handlers[handler['name']] = {'name': handler['name'], 'attributes': dict(handler.get('attributes') or {}),
                                     'devices': devices}
    drivers = {}
    for driver in model.get('drivers') or ():
        targets = {}
        for target in driver.get('targets') or ():
            groups = {}
            for group in target.get('groups') or ():
                groups[group['name']] = {
                    'name': group['name'], 'attributes': dict(group.get('attributes') or {}),
                    'initiators': dict((initiator_key(i), i) for i in group.get('initiators') or ()),
                    'luns': _luns(group.get('luns')),
                }
            targets[name_key(target['name'])] = {
                'name': target['name'], 'enabled': target.get('enabled'), 'hw_target': bool(target.get('hw_target')),
                'attributes': dict(target.get('attributes') or {}), 'luns': _luns(target.get('luns')),
                'groups': groups,
            }
        drivers[driver['name']] = {'name': driver['name'], 'enabled': driver.get('enabled'),
                                   'attributes': dict(driver.get('attributes') or {}), 'targets': targets}
    dgs = {}
    for dg in model.get('device_groups') or ():
        tgs = {}
        for tg in dg.get('target_groups') or ():
            members = {}
            for member in tg.get('targets') or ():
                member = member if isinstance(member, dict) else {'name': member}
                members[name_key(member['name'])] = {'name': member['name'],
                                                     'attributes': dict(member.get('attributes') or {})}
            tgs[tg['name']] = {'name': tg['name'], 'attributes': dict(tg.get('attributes') or {}), 'targets': members}
        dgs[dg['name']] = {'name': dg['name'], 'devices': list(dg.get('devices') or ()), 'target_groups': tgs,
                           'attributes': dict(dg.get('attributes') or {})}
    return {'attributes': dict(model.get('attributes') or {}), 'handlers': handlers, 'drivers': drivers,
            'alua': dict(model.get('alua') or {}), 'device_groups': dgs}


def _luns(seq):
    result = {}
    for lun in seq or ():
        result[int(lun['lun'])] = {'device': lun['device'], 'read_only': _truthy(lun.get('read_only'))}
    return result


def _device_index(index):
    """{device name: (handler name, device)}."""
    result = {}
    for handler in index['handlers'].values():
        for name, device in handler['devices'].items():
            result[name] = (handler['name'], device)
    return result


def _is_empty(model):
    model = model or {}
    return not any(model.get(key) for key in ('attributes', 'handlers', 'drivers', 'alua', 'device_groups'))


# ------------------------------------------------------------------------------------------ paths


def _target_path(driver, target):
    return 'targets/%s/%s' % (driver, target)


def _group_path(driver, target, group):
    return 'targets/%s/%s/ini_groups/%s' % (driver, target, group)


def _lun_set_path(driver, target, group):
    return ('%s/luns' % _group_path(driver, target, group)) if group else ('%s/luns' % _target_path(driver, target))


def _lun_set_name(driver, target, group):
    return ('group %s of target %s/%s' % (group, driver, target)) if group else ('target %s/%s' % (driver, target))


# ------------------------------------------------------------------------------------------ the planner


def plan(desired, current, state='merged', recreate='never', force=False, meta=None):
    """Actions that turn current into desired under state; returns a Plan (a list of Action).

    desired, current: configuration models (_model.py). current is what _gather read, with the actual
    values of the attributes the desired model names (gather with nonkey=True).
    state: merged (add and change, never remove), replaced (the named devices, targets and device groups
    become exactly as described; objects not named stay), overridden (the kernel becomes exactly the
    config; refused for an empty config), deleted (remove what is named; everything for an empty config).
    recreate: never | options-changed | always: whether a device whose creation-time attributes differ
    is deleted and added again (never: a warning in Plan.warnings; always: every named device).
    force: allow closing initiator sessions of targets and groups that are deleted (else PlanError).
    meta: what _gather.gather_meta() found (handler create parameters, drivers with mgmt, dynamic
    attribute names, sessions); missing parts fall back to SCST's documented defaults.
    Raises PlanError for what cannot be done; ScstInputError for names or values SCST must not receive.
    """
    if state not in STATES:
        raise PlanError('state must be one of %s, not %r' % (', '.join(STATES), state))
    if recreate not in RECREATE:
        raise PlanError('recreate must be one of %s, not %r' % (', '.join(RECREATE), recreate))
    if state == 'overridden' and _is_empty(desired):
        raise PlanError('state=overridden with an empty configuration would remove everything; refused '
                        '(use state=deleted to clear SCST)')
    planner = _Planner(_index(desired), _index(current), state, recreate, force, meta or {})
    if state == 'deleted':
        planner.plan_deleted(_is_empty(desired))
    else:
        planner.plan_converge()
    return planner.result()


class _Planner(object):

    def __init__(self, desired, current, state, recreate, force, meta):
        self.want = desired
        self.have = current
        self.state = state
        self.recreate = recreate
        self.force = force
        self.meta = meta
        self.phases = dict((phase, []) for phase in range(A_DRIVER_ENABLED + 1))
        self.warnings = []
        self.want_devices = _device_index(desired)
        self.have_devices = _device_index(current)
        # Devices deleted by this plan (removed or re-created): their LUNs and ALUA membership go with them.
        self.gone_devices = set()
        # Groups and targets deleted as a whole: nothing inside them needs its own removal.
        self.gone_groups = set()
        self.gone_targets = set()
        # LUN sets already compared by plan_luns(); the others may still hold LUNs of re-created devices.
        self.planned_sets = set()

    # -------------------------------------------------------------- output

    def add(self, phase, action):
        self.phases[phase].append(action)

    def result(self):
        actions = []
        for phase in sorted(self.phases):
            actions.extend(self.phases[phase])
        return Plan(actions, self.warnings)

    def mgmt(self, phase, kind, path, command, description, destructive=False, inverse=None):
        action = Action(kind, 'mgmt', path, command, description, destructive, inverse)
        self.add(phase, action)
        return action

    def write(self, phase, kind, path, value, old, description, destructive=False):
        text = check_attr_value(value, path.rsplit('/', 1)[-1])
        inverse = None
        if old is not None:
            inverse = _undoable(lambda: Action(kind, 'write', path, check_attr_value(old, path.rsplit('/', 1)[-1]),
                                               'restore %s to %r' % (path, old)))
        action = Action(kind, 'write', path, text, description, destructive, inverse)
        self.add(phase, action)
        return action

    # -------------------------------------------------------------- meta

    def _driver_meta(self, driver):
        return (self.meta.get('drivers') or {}).get(driver) or {}

    def driver_is_virtual(self, driver):
        info = self._driver_meta(driver)
        if 'mgmt' in info:
            return bool(info['mgmt'])
        return driver not in HARDWARE_ONLY_DRIVERS

    def dynamic_attrs(self, driver, level):
        info = self._driver_meta(driver)
        key = 'driver_attributes' if level == 'driver' else 'target_attributes'
        if info.get(key) is not None:
            return frozenset(info[key])
        return dynamic_attributes(level, driver)

    def target_create_params(self, driver):
        info = self._driver_meta(driver)
        if info.get('create_params') is not None:
            return frozenset(info['create_params'])
        return target_create_attributes(driver)

    def create_params(self, handler):
        info = ((self.meta.get('handlers') or {}).get(handler)) or {}
        if info.get('create_params') is not None:
            return frozenset(info['create_params'])
        return device_create_attributes(handler)

    def sessions(self, driver, target, group=None):
        """Session names of a target (only those whose LUN set is group, when group is given)."""
        found = (((self.meta.get('sessions') or {}).get(driver) or {}).get(target)) or {}
        return sorted(name for name, grp in found.items() if group is None or grp == group)

    # -------------------------------------------------------------- converge (merged, replaced, overridden)

    def removes(self, named):
        """Whether objects missing from the desired side are removed: overridden always, replaced within a
        named object."""
        return self.state == 'overridden' or (self.state == 'replaced' and named)

    def plan_converge(self):
        self.plan_global()
        self.plan_devices()
        for name in sorted(self.have['drivers']):
            if name not in self.want['drivers'] and self.state == 'overridden' and name != COPY_MANAGER:
                self.clear_driver(name)
        for name in sorted(self.want['drivers']):
            if name not in self.have['drivers']:
                raise PlanError('target driver %s is not loaded (no targets/%s in sysfs); load its kernel module first'
                                % (name, name))
            self.plan_driver(name)
        self.restore_lost_luns()
        self.plan_alua()

    def plan_global(self):
        for attr in sorted(self.want['attributes']):
            value = self.want['attributes'][attr]
            old = self.have['attributes'].get(attr)
            if not same_value('global', attr, value, old):
                # Before any add_device: setup_id seeds the identifiers of devices created afterwards.
                self.write(A_GLOBAL, 'set_attribute', attr, value, old, 'set SCST attribute %s to %r' % (attr, value))

    # ---- devices

    def plan_devices(self):
        for name in sorted(self.have_devices):
            if name not in self.want_devices and self.state == 'overridden':
                self.del_device(name, *self.have_devices[name])
        for handler in sorted(self.want['handlers']):
            if handler not in self.have['handlers']:
                raise PlanError('device handler %s is not loaded (no handlers/%s in sysfs); load its kernel module '
                                'first' % (handler, handler))
            want_h = self.want['handlers'][handler]
            have_h = self.have['handlers'][handler]
            for attr in sorted(want_h['attributes']):
                value = want_h['attributes'][attr]
                old = have_h['attributes'].get(attr)
                if not same_value('handler', attr, value, old):
                    self.write(A_HANDLERS, 'set_attribute', 'handlers/%s/%s' % (handler, attr), value, old,
                               'set attribute %s of handler %s to %r' % (attr, handler, value))
            for name in sorted(want_h['devices']):
                self.plan_device(handler, want_h['devices'][name])

    def plan_device(self, handler, want):
        name = want['name']
        have = self.have_devices.get(name)
        if have is None:
            self.add_device(handler, want)
            return
        have_handler, have_dev = have
        reasons = self.recreate_reasons(handler, want, have_handler, have_dev)
        if self.recreate == 'always' or (reasons and self.recreate == 'options-changed'):
            self.del_device(name, have_handler, have_dev)
            self.add_device(handler, want)
            return
        if reasons:
            self.warnings.append('device %s is not re-created although %s differ (recreate=never): set recreate to '
                                 'options-changed to re-create it (this disconnects its initiators)'
                                 % (name, ', '.join(reasons)))
            return
        self.device_attributes(name, want['attributes'], have_dev['attributes'], handler, skip=CREATION_ONLY)

    def recreate_reasons(self, handler, want, have_handler, have_dev):
        if handler != have_handler:
            return ['the handler (%s, wanted %s)' % (have_handler, handler)]
        reasons = []
        for attr in sorted(CREATION_ONLY):
            if attr == 'filename' and handler == 'vcdrom':
                continue
            if attr in want['attributes']:
                wanted = want['attributes'][attr]
            elif self.removes(True) and attr in have_dev['attributes']:
                # A creation-time attribute left out of a replaced device means its default.
                wanted = CREATION_ONLY[attr]
                if wanted is None:
                    continue
            else:
                continue
            if not same_value('device', attr, wanted, have_dev['attributes'].get(attr, CREATION_ONLY[attr])):
                reasons.append(attr)
        return reasons

    def device_attributes(self, name, want, have, handler, skip=()):
        for attr in sorted(want):
            if attr in skip and not (attr == 'filename' and handler == 'vcdrom'):
                continue
            value = want[attr]
            old = have.get(attr) if have is not None else None
            if have is not None and same_value('device', attr, value, old):
                continue
            if attr in DERIVED.get(handler, ()):
                if have is not None:
                    self.warnings.append('device %s: %s is %s, not %s; SCST takes it from the backing file (resize the '
                                         'file, then write resync_size)' % (name, attr, old, value))
                continue
            self.write(A_DEVICES, 'set_attribute', 'devices/%s/%s' % (name, attr), value, old,
                       'set attribute %s of device %s to %r' % (attr, name, value))

    def _add_device_command(self, handler, name, attributes):
        params = self.create_params(handler)
        # cluster_mode last: set before t10_dev_id it makes SCST ignore t10_dev_id (SCST PR #135).
        pairs = _pairs(attributes, params - frozenset(('cluster_mode',))) + _pairs(attributes, params & {'cluster_mode'})
        return build_command('add_device', name, params=pairs), params

    def add_device(self, handler, want):
        name = want['name']
        command, params = self._add_device_command(handler, name, want['attributes'])
        self.mgmt(A_DEVICES, 'add_device', 'handlers/%s/mgmt' % handler, command,
                  'add device %s to handler %s' % (name, handler),
                  inverse=Action('del_device', 'mgmt', 'handlers/%s/mgmt' % handler, build_command('del_device', name),
                                 'delete device %s' % name, True))
        rest = dict((attr, value) for attr, value in want['attributes'].items() if attr not in params)
        self.device_attributes(name, rest, None, handler)

    def del_device(self, name, handler, have_dev):
        self.gone_devices.add(name)
        self.mgmt(R_DEVICES, 'del_device', 'handlers/%s/mgmt' % handler, build_command('del_device', name),
                  'delete device %s of handler %s (its LUNs go with it)' % (name, handler), destructive=True,
                  inverse=_undoable(lambda: Action('add_device', 'mgmt', 'handlers/%s/mgmt' % handler,
                                                   self._add_device_command(handler, name, have_dev['attributes'])[0],
                                                   'add device %s again' % name)))

    # ---- drivers and targets

    def clear_driver(self, driver):
        have = self.have['drivers'][driver]
        for key in sorted(have['targets']):
            self.remove_target(driver, have['targets'][key])
        self.driver_attributes(driver, {}, have['attributes'], remove=True)
        if _truthy(have.get('enabled')):
            self.set_enabled(R_DISABLE, 'targets/%s' % driver, False, True, 'driver %s' % driver)

    def plan_driver(self, driver):
        want = self.want['drivers'][driver]
        have = self.have['drivers'][driver]
        for key in sorted(have['targets']):
            if key not in want['targets'] and self.state == 'overridden':
                self.remove_target(driver, have['targets'][key])
        for key in sorted(want['targets']):
            self.plan_target(driver, want['targets'][key], have['targets'].get(key))
        self.driver_attributes(driver, want['attributes'], have['attributes'], remove=self.state == 'overridden')
        # A driver whose enabled the config leaves out keeps its state, even when overridden: disabling it
        # would cut every session of every target of the driver (scstadmin -force leaves it too).
        enabled = want.get('enabled')
        if enabled is not None and have.get('enabled') is not None:
            self.set_enabled(A_DRIVER_ENABLED, 'targets/%s' % driver, enabled, have.get('enabled'),
                             'driver %s' % driver)
        elif _truthy(enabled):
            self.warnings.append('target driver %s has no enabled attribute; enabled: true was ignored' % driver)

    def set_enabled(self, phase, path, value, old, what):
        value = _truthy(value)
        if value == _truthy(old):
            return
        # Disabling first among removals stops new logins before anything is taken away.
        self.write(phase if value else R_DISABLE,
                   'enable' if value else 'disable', '%s/enabled' % path, value, _truthy(old),
                   '%s %s' % ('enable' if value else 'disable', what), destructive=not value)

    def driver_attributes(self, driver, want, have, remove):
        dynamic = self.dynamic_attrs(driver, 'driver')
        for attr in sorted(set(want) | set(have)):
            if attr in dynamic:
                self.dynamic(driver, None, attr, want.get(attr), have.get(attr),
                             remove=remove or (self.state == 'replaced' and attr in want))
            elif attr in want and not same_value('driver', attr, want[attr], have.get(attr)):
                self.write(A_DRIVER_ATTRS, 'set_attribute', 'targets/%s/%s' % (driver, attr), want[attr],
                           have.get(attr), 'set attribute %s of driver %s to %r' % (attr, driver, want[attr]))

    def dynamic(self, driver, target, attr, want, have, remove):
        """Value-by-value difference of a multi-valued attribute (CHAP users, portals)."""
        want_vals = dict((_dyn_key(attr, v), v) for v in _values(want))
        have_vals = dict((_dyn_key(attr, v), v) for v in _values(have))
        path = 'targets/%s/mgmt' % driver
        owner = ('target %s/%s' % (driver, target)) if target else ('driver %s' % driver)
        prefix = ('_target_attribute', (target,)) if target else ('_attribute', ())
        for key in sorted(have_vals):
            wanted = want_vals.get(key)
            changed = wanted is not None and not _dyn_same(attr, wanted, have_vals[key])
            # SCST keeps one OutgoingUser: a different one replaces it even in merged.
            replaced_single = attr == 'OutgoingUser' and want_vals and wanted is None
            if changed or replaced_single or (wanted is None and remove):
                self._dyn_write(R_ATTRS, 'del', path, prefix, attr, have_vals[key], owner,
                                destructive=not (changed or replaced_single))
        for key in sorted(want_vals):
            if key not in have_vals or not _dyn_same(attr, want_vals[key], have_vals[key]):
                self._dyn_write(A_TARGET_ATTRS if target else A_DRIVER_ATTRS, 'add', path, prefix, attr,
                                want_vals[key], owner)

    def _dyn_command(self, verb, prefix, attr, value):
        suffix, lead = prefix
        if attr in CHAP_ATTRS:
            user, secret = _user(value)
            words = (user,) if verb == 'del' else (user, Secret(secret))
        else:
            words = (value,)
        return build_command(verb + suffix, *(lead + (attr,) + words))

    def _dyn_write(self, phase, verb, path, prefix, attr, value, owner, destructive=False):
        shown = _user(value)[0] if attr in CHAP_ATTRS else value
        other = 'add' if verb == 'del' else 'del'
        inverse = _undoable(lambda: Action(other + prefix[0], 'mgmt', path, self._dyn_command(other, prefix, attr, value),
                                           '%s %s %s of %s' % (other, attr, shown, owner)))
        self.mgmt(phase, verb + prefix[0], path, self._dyn_command(verb, prefix, attr, value),
                  '%s %s %s %s %s' % (verb, attr, shown, 'from' if verb == 'del' else 'to', owner),
                  destructive=destructive, inverse=inverse)

    def is_hardware(self, driver, target, present):
        """Whether a target exists by itself: for a present target, what gather found (hw_target) or a driver
        without add_target; for a configured one, also a qla2x00t port that is not an NPIV port."""
        if target['hw_target'] or not self.driver_is_virtual(driver):
            return True
        return not present and is_hardware_target(driver, target)

    def plan_target(self, driver, want, have):
        name = have['name'] if have else want['name']
        if have is None:
            if self.is_hardware(driver, want, False):
                raise PlanError('hardware target %s of driver %s does not exist; hardware targets (FC ports, SRP ports) '
                                'are not created by SCST commands: check the port name and that the port is in '
                                'target mode' % (want['name'], driver))
            params = self.target_create_params(driver)
            pairs = _pairs(want['attributes'], params)
            self.mgmt(A_TARGETS, 'add_target', 'targets/%s/mgmt' % driver,
                      build_command('add_target', name, params=pairs), 'add target %s to driver %s' % (name, driver),
                      inverse=Action('del_target', 'mgmt', 'targets/%s/mgmt' % driver,
                                     build_command('del_target', name), 'delete target %s' % name, True))
            have = {'name': name, 'enabled': None, 'hw_target': False, 'attributes': dict(
                (attr, want['attributes'][attr]) for attr in params if attr in want['attributes']), 'luns': {}, 'groups': {}}
        else:
            # Creation parameters of a virtual target cannot change after add_target; they are not compared.
            params = frozenset() if self.is_hardware(driver, have, True) else self.target_create_params(driver)
        named = self.removes(True)
        self.target_attributes(driver, name, want['attributes'], have['attributes'], params, remove=named)
        self.plan_groups(driver, name, want['groups'], have['groups'], remove=named)
        self.plan_luns(driver, name, None, want['luns'], have['luns'], remove=named)
        enabled = want.get('enabled')
        if enabled is None and named:
            enabled = False
        if enabled is not None and (have.get('enabled') is not None or _truthy(enabled)):
            self.set_enabled(A_TARGET_ENABLED, _target_path(driver, name), enabled, have.get('enabled'),
                             'target %s/%s' % (driver, name))

    def target_attributes(self, driver, target, want, have, skip, remove):
        dynamic = self.dynamic_attrs(driver, 'target')
        path = _target_path(driver, target)
        for attr in sorted(set(want) | set(have)):
            if attr in skip or attr in TARGET_INFO_ATTRS or attr == 'enabled':
                continue
            if attr in dynamic:
                self.dynamic(driver, target, attr, want.get(attr), have.get(attr), remove=remove)
            elif attr in want and not same_value('target', attr, want[attr], have.get(attr)):
                self.write(A_TARGET_ATTRS, 'set_attribute', '%s/%s' % (path, attr), want[attr], have.get(attr),
                           'set attribute %s of target %s/%s to %r' % (attr, driver, target, want[attr]))

    def remove_target(self, driver, have):
        """Virtual targets are deleted; hardware targets are disabled and emptied, never deleted."""
        name = have['name']
        path = _target_path(driver, name)
        if have.get('enabled') is not None:
            self.set_enabled(R_DISABLE, path, False, have.get('enabled'), 'target %s/%s' % (driver, name))
        if self.is_hardware(driver, have, True):
            self.target_attributes(driver, name, {}, have['attributes'], frozenset(), remove=True)
            self.plan_groups(driver, name, {}, have['groups'], remove=True)
            self.plan_luns(driver, name, None, {}, have['luns'], remove=True)
            return
        self.gone_targets.add((driver, name))
        self.drain(driver, name, None)
        self.mgmt(R_TARGETS, 'del_target', 'targets/%s/mgmt' % driver, build_command('del_target', name),
                  'delete target %s of driver %s (with its LUNs and groups)' % (name, driver), destructive=True,
                  inverse=Action('add_target', 'mgmt', 'targets/%s/mgmt' % driver, build_command('add_target', name),
                                 'add target %s again' % name))

    def drain(self, driver, target, group):
        """Close the sessions that would make deleting the target (or group) fail with EBUSY."""
        names = self.sessions(driver, target, group)
        if not names:
            return
        what = ('group %s of target %s/%s' % (group, driver, target)) if group else ('target %s/%s' % (driver, target))
        if not self.force:
            raise PlanError('%s has %d open session(s) (%s); deleting it needs them closed: set force to close them'
                            % (what, len(names), ', '.join(names)))
        sessions = '%s/sessions' % _target_path(driver, target)
        for session in names:
            self.write(R_SESSIONS, 'close_session', '%s/%s/force_close' % (sessions, session), '1', None,
                       'close session %s of %s' % (session, what), destructive=True)
        self.add(R_SESSIONS, Action('wait_sessions', 'wait', sessions, None,
                                    'wait until the sessions of %s are closed' % what, names=names))

    # ---- groups and initiators

    def plan_groups(self, driver, target, want, have, remove):
        path = '%s/ini_groups/mgmt' % _target_path(driver, target)
        for name in sorted(have):
            if name not in want and remove:
                self.gone_groups.add((driver, target, name))
                self.drain(driver, target, name)
                self.mgmt(R_GROUPS, 'del_group', path, build_command('del', name),
                          'delete group %s of target %s/%s' % (name, driver, target), destructive=True,
                          inverse=Action('create_group', 'mgmt', path, build_command('create', name),
                                         'create group %s again' % name))
        for name in sorted(want):
            if name not in have:
                self.mgmt(A_GROUPS, 'create_group', path, build_command('create', name),
                          'create group %s in target %s/%s' % (name, driver, target),
                          inverse=Action('del_group', 'mgmt', path, build_command('del', name),
                                         'delete group %s' % name, True))
            have_g = have.get(name) or {'attributes': {}, 'luns': {}}
            for attr in sorted(want[name]['attributes']):
                value = want[name]['attributes'][attr]
                old = have_g['attributes'].get(attr)
                if not same_value('group', attr, value, old):
                    self.write(A_GROUPS, 'set_attribute', '%s/%s' % (_group_path(driver, target, name), attr), value,
                               old, 'set attribute %s of group %s to %r' % (attr, name, value))
            self.plan_luns(driver, target, name, want[name]['luns'], have_g['luns'], remove)
        self.plan_initiators(driver, target, want, have, remove)

    def plan_initiators(self, driver, target, want, have, remove):
        current = {}
        for name in sorted(have):
            if (driver, target, name) in self.gone_groups:
                continue
            for key, exact in have[name]['initiators'].items():
                current.setdefault(key, []).append((name, exact))
        consumed = set()
        for group in sorted(want):
            for key in sorted(want[group]['initiators']):
                exact = want[group]['initiators'][key]
                places = current.get(key, [])
                if any(place[0] == group for place in places):
                    consumed.add((group, key))
                    continue
                movable = [(grp, ex) for grp, ex in places
                           if (grp, key) not in consumed and key not in want.get(grp, {}).get('initiators', {})]
                if movable:
                    source, have_exact = movable[0]
                    consumed.add((source, key))
                    src = '%s/initiators/mgmt' % _group_path(driver, target, source)
                    dst = '%s/initiators/mgmt' % _group_path(driver, target, group)
                    self.mgmt(A_INITIATORS, 'move_initiator', src, build_command('move', have_exact, group),
                              'move initiator %s from group %s to group %s of target %s/%s'
                              % (have_exact, source, group, driver, target), destructive=True,
                              inverse=Action('move_initiator', 'mgmt', dst, build_command('move', have_exact, source),
                                             'move initiator %s back to group %s' % (have_exact, source), True))
                    continue
                mgmt = '%s/initiators/mgmt' % _group_path(driver, target, group)
                self.mgmt(A_INITIATORS, 'add_initiator', mgmt, build_command('add', exact),
                          'add initiator %s to group %s of target %s/%s' % (exact, group, driver, target),
                          inverse=Action('del_initiator', 'mgmt', mgmt, build_command('del', exact),
                                         'delete initiator %s' % exact, True))
        if not remove:
            return
        for key in sorted(current):
            for group, exact in current[key]:
                if (group, key) in consumed or key in want.get(group, {}).get('initiators', {}):
                    continue
                mgmt = '%s/initiators/mgmt' % _group_path(driver, target, group)
                self.mgmt(R_INITIATORS, 'del_initiator', mgmt, build_command('del', exact),
                          'delete initiator %s from group %s of target %s/%s' % (exact, group, driver, target),
                          destructive=True,
                          inverse=Action('add_initiator', 'mgmt', mgmt, build_command('add', exact),
                                         'add initiator %s again' % exact))

    # ---- LUNs

    def device_read_only(self, name):
        found = self.want_devices.get(name) or self.have_devices.get(name)
        # A CD-ROM is read-only whatever its attributes say, so its LUNs read read_only 1.
        return bool(found) and (found[0] == 'vcdrom' or _truthy(found[1]['attributes'].get('read_only')))

    def plan_luns(self, driver, target, group, want, have, remove):
        path = '%s/mgmt' % _lun_set_path(driver, target, group)
        where = _lun_set_name(driver, target, group)
        self.planned_sets.add((driver, target, group))
        if driver == COPY_MANAGER:
            want, have = self.copy_manager_luns(want, have)
        for lun in sorted(have):
            if lun in want:
                continue
            if have[lun]['device'] in self.gone_devices:
                # Lost with its re-created device: added back unless this LUN set is being made exact.
                if not remove and have[lun]['device'] in self.want_devices:
                    self._restore(driver, target, group, {lun: have[lun]})
                continue
            if not remove:
                continue
            self.mgmt(R_LUNS, 'del_lun', path, build_command('del', lun),
                      'delete LUN %d (device %s) from %s' % (lun, have[lun]['device'], where), destructive=True,
                      inverse=self._lun_action('add', path, have[lun]['device'], lun, have[lun]['read_only'], where))
        for lun in sorted(want):
            entry = want[lun]
            if entry['device'] not in self.want_devices and (entry['device'] not in self.have_devices
                                                             or entry['device'] in self.gone_devices):
                raise PlanError('LUN %d of %s maps device %s, which is neither configured nor kept'
                                % (lun, where, entry['device']))
            old = have.get(lun)
            if old is not None and old['device'] in self.gone_devices:
                old = None
            if old is None:
                self.add(A_LUNS, self._lun_action('add', path, entry['device'], lun, entry['read_only'], where))
                continue
            # luns/N/read_only reads 1 when the LUN flag or the device's own read_only is set (scst_lib.c).
            effective = entry['read_only'] or self.device_read_only(entry['device'])
            if old['device'] == entry['device'] and _truthy(old['read_only']) in (effective, entry['read_only']):
                continue
            action = self._lun_action('replace', path, entry['device'], lun, entry['read_only'], where)
            action.inverse = self._lun_action('replace', path, old['device'], lun, old['read_only'], where)
            self.add(A_LUNS, action)

    def copy_manager_luns(self, want, have):
        """copy_manager_tgt numbers its LUNs itself: SCST maps every vdisk device it creates at the next number of
        a rolling counter (scst_vdisk.c), which no configuration can predict. So a configured LUN is satisfied by
        its device being mapped at any number, and a vdisk device created in this run needs no add (SCST maps it;
        an add would fail EEXIST or map it twice)."""
        have = dict((lun, entry) for lun, entry in have.items() if entry['device'] not in self.gone_devices)
        mapped = dict((entry['device'], lun) for lun, entry in have.items())
        kept = {}
        for lun, entry in want.items():
            device = entry['device']
            if device in mapped:
                kept[mapped[device]] = dict(entry, lun=mapped[device])
            elif not (self.want_devices.get(device, ('',))[0] in VDISK_HANDLERS
                      and (device not in self.have_devices or device in self.gone_devices)):
                kept[lun] = entry
        return kept, have

    @staticmethod
    def _lun_action(verb, path, device, lun, read_only, where):
        params = [('read_only', 1)] if read_only else None
        command = build_command(verb, device, lun, params=params)
        inverse = None
        if verb == 'add':
            inverse = Action('del_lun', 'mgmt', path, build_command('del', lun), 'delete LUN %d from %s' % (lun, where),
                             True)
        return Action('%s_lun' % verb, 'mgmt', path, command,
                      '%s LUN %d (device %s%s) %s %s' % (verb, lun, device, ', read-only' if read_only else '',
                                                         'in' if verb == 'replace' else 'to', where),
                      destructive=verb == 'replace', inverse=inverse)

    def restore_lost_luns(self):
        """LUNs in LUN sets the config does not describe, lost with a re-created device: added back."""
        if not self.gone_devices:
            return
        for driver in sorted(self.have['drivers']):
            # SCST maps re-created vdisk devices into copy_manager_tgt by itself.
            if driver == COPY_MANAGER:
                continue
            for key in sorted(self.have['drivers'][driver]['targets']):
                have_t = self.have['drivers'][driver]['targets'][key]
                name = have_t['name']
                if (driver, name) in self.gone_targets:
                    continue
                sets = [(None, have_t['luns'])] + [(group, have_t['groups'][group]['luns'])
                                                   for group in sorted(have_t['groups'])
                                                   if (driver, name, group) not in self.gone_groups]
                for group, luns in sets:
                    if (driver, name, group) not in self.planned_sets:
                        self._restore(driver, name, group, luns)

    def _restore(self, driver, target, group, luns):
        path = '%s/mgmt' % _lun_set_path(driver, target, group)
        for lun in sorted(luns):
            entry = luns[lun]
            if entry['device'] in self.gone_devices and entry['device'] in self.want_devices:
                # The LUN read 1 because of its own flag only if the old device was not read-only (scst_lib.c).
                old_device = self.have_devices[entry['device']][1]
                flag = entry['read_only'] and not _truthy(old_device['attributes'].get('read_only'))
                self.add(A_LUNS, self._lun_action('add', path, entry['device'], lun, flag,
                                                  _lun_set_name(driver, target, group)))

    # ---- ALUA device groups

    def plan_alua(self):
        want, have = self.want['device_groups'], self.have['device_groups']
        base = 'device_groups'
        self.alua_attributes('alua', base, self.want['alua'], self.have['alua'], 'ALUA')
        for name in sorted(have):
            if name in want:
                continue
            if self.state == 'overridden':
                self.del_device_group(name)
                continue
            # A device group the config does not describe keeps its re-created devices.
            for dev in have[name]['devices']:
                if dev in self.gone_devices and dev in self.want_devices and not any(
                        dev in dg['devices'] for dg in want.values()):
                    self._dg_device(A_ALUA, 'add', name, dev)
        owner = {}
        for name, dg in have.items():
            for dev in dg['devices']:
                owner[dev] = name
        for name in sorted(want):
            self.plan_device_group(want[name], have.get(name), owner, self.removes(True))

    def plan_device_group(self, want, have, owner, remove):
        name = want['name']
        if have is None:
            self.mgmt(A_ALUA, 'create_device_group', 'device_groups/mgmt', build_command('create', name),
                      'create ALUA device group %s' % name,
                      inverse=Action('del_device_group', 'mgmt', 'device_groups/mgmt', build_command('del', name),
                                     'delete device group %s' % name, True))
            have = {'devices': [], 'target_groups': {}, 'attributes': {}}
        for dev in sorted(have['devices']):
            if dev not in want['devices'] and remove and dev not in self.gone_devices:
                self._dg_device(R_ALUA, 'del', name, dev)
        for dev in sorted(want['devices']):
            if dev in have['devices'] and dev not in self.gone_devices:
                continue
            previous = owner.get(dev)
            if previous not in (None, name) and dev not in self.gone_devices:
                # A device belongs to one device group at most: leave the old one first.
                self._dg_device(R_ALUA, 'del', previous, dev)
            self._dg_device(A_ALUA, 'add', name, dev)
        self.plan_target_groups(name, want['target_groups'], have['target_groups'], remove)

    def _dg_device(self, phase, verb, dg, dev):
        path = 'device_groups/%s/devices/mgmt' % dg
        other = 'del' if verb == 'add' else 'add'
        words = {'add': 'add device %s to device group %s', 'del': 'remove device %s from device group %s'}
        self.mgmt(phase, '%s_dg_device' % verb, path, build_command(verb, dev), words[verb] % (dev, dg),
                  destructive=verb == 'del',
                  inverse=Action('%s_dg_device' % other, 'mgmt', path, build_command(other, dev), words[other] % (dev, dg),
                                 other == 'del'))

    def plan_target_groups(self, dg, want, have, remove):
        tg_mgmt = 'device_groups/%s/target_groups/mgmt' % dg
        for name in sorted(have):
            if name not in want and remove:
                self.mgmt(R_ALUA, 'del_target_group', tg_mgmt, build_command('del', name),
                          'delete target group %s of device group %s' % (name, dg), destructive=True,
                          inverse=Action('create_target_group', 'mgmt', tg_mgmt, build_command('create', name),
                                         'create target group %s again' % name))
        for name in sorted(want):
            tg_path = 'device_groups/%s/target_groups/%s' % (dg, name)
            have_tg = have.get(name)
            if have_tg is None:
                self.mgmt(A_ALUA, 'create_target_group', tg_mgmt, build_command('create', name),
                          'create target group %s in device group %s' % (name, dg),
                          inverse=Action('del_target_group', 'mgmt', tg_mgmt, build_command('del', name),
                                         'delete target group %s' % name, True))
                have_tg = {'attributes': {}, 'targets': {}}
            self.alua_attributes('target_group', tg_path, want[name]['attributes'], have_tg['attributes'],
                                 'target group %s of device group %s' % (name, dg))
            members = want[name]['targets']
            for key in sorted(have_tg['targets']):
                if key not in members and remove:
                    tgt = have_tg['targets'][key]['name']
                    self.mgmt(R_ALUA, 'del_tg_target', '%s/mgmt' % tg_path, build_command('del', tgt),
                              'remove target %s from target group %s' % (tgt, name), destructive=True,
                              inverse=Action('add_tg_target', 'mgmt', '%s/mgmt' % tg_path, build_command('add', tgt),
                                             'add target %s to target group %s again' % (tgt, name)))
            for key in sorted(members):
                tgt = members[key]['name']
                have_m = have_tg['targets'].get(key)
                if have_m is None:
                    self.mgmt(A_ALUA, 'add_tg_target', '%s/mgmt' % tg_path, build_command('add', tgt),
                              'add target %s to target group %s of device group %s' % (tgt, name, dg),
                              inverse=Action('del_tg_target', 'mgmt', '%s/mgmt' % tg_path, build_command('del', tgt),
                                             'remove target %s from target group %s' % (tgt, name), True))
                    have_m = {'name': tgt, 'attributes': {}}
                self.alua_attributes('tg_target', '%s/%s' % (tg_path, have_m['name']), members[key]['attributes'],
                                     have_m['attributes'], 'target %s in target group %s' % (tgt, name))

    def alua_attributes(self, level, path, want, have, what):
        for attr in sorted(want):
            if not same_value(level, attr, want[attr], have.get(attr)):
                self.write(A_ALUA, 'set_attribute', '%s/%s' % (path, attr), want[attr], have.get(attr),
                           'set attribute %s of %s to %r' % (attr, what, want[attr]))

    # -------------------------------------------------------------- deleted

    def plan_deleted(self, everything):
        """Remove what desired names: an object named without contents goes as a whole, an object named with
        contents loses only those. An empty config removes everything but hardware targets and copy_manager's
        automatic LUNs (hardware targets are disabled and emptied)."""
        if everything:
            for name in sorted(self.have['drivers']):
                if name != COPY_MANAGER:
                    self.clear_driver(name)
            for name in sorted(self.have['device_groups']):
                self.del_device_group(name)
            for name in sorted(self.have_devices):
                self.del_device(name, *self.have_devices[name])
            return
        for driver in sorted(self.want['drivers']):
            self.delete_in_driver(driver, self.want['drivers'][driver])
        for name in sorted(self.want['device_groups']):
            self.delete_in_device_group(self.want['device_groups'][name])
        for handler in sorted(self.want['handlers']):
            devices = self.want['handlers'][handler]['devices'] or dict(
                (name, None) for name, (h, dummy) in self.have_devices.items() if h == handler)
            for name in sorted(devices):
                if name in self.have_devices:
                    self.del_device(name, *self.have_devices[name])

    def del_device_group(self, name):
        self.mgmt(R_ALUA, 'del_device_group', 'device_groups/mgmt', build_command('del', name),
                  'delete ALUA device group %s' % name, destructive=True,
                  inverse=Action('create_device_group', 'mgmt', 'device_groups/mgmt', build_command('create', name),
                                 'create device group %s again' % name))

    def delete_in_driver(self, driver, want):
        have = self.have['drivers'].get(driver)
        if have is None:
            return
        if not want['targets'] and not want['attributes']:
            self.clear_driver(driver)
            return
        self.driver_attributes_deleted(driver, want['attributes'], have['attributes'])
        for key in sorted(want['targets']):
            have_t = have['targets'].get(key)
            if have_t is None:
                continue
            want_t = want['targets'][key]
            if not (want_t['luns'] or want_t['groups'] or want_t['attributes']):
                self.remove_target(driver, have_t)
                continue
            name = have_t['name']
            dynamic = self.dynamic_attrs(driver, 'target')
            for attr in sorted(want_t['attributes']):
                if attr in dynamic:
                    self.dynamic(driver, name, attr, _remaining(attr, have_t['attributes'].get(attr),
                                                                want_t['attributes'][attr]),
                                 have_t['attributes'].get(attr), remove=True)
            self.delete_luns(driver, name, None, want_t['luns'], have_t['luns'])
            for group in sorted(want_t['groups']):
                self.delete_in_group(driver, name, want_t['groups'][group], have_t['groups'].get(group))

    def driver_attributes_deleted(self, driver, want, have):
        dynamic = self.dynamic_attrs(driver, 'driver')
        for attr in sorted(want):
            if attr in dynamic:
                self.dynamic(driver, None, attr, _remaining(attr, have.get(attr), want[attr]), have.get(attr),
                             remove=True)

    def delete_luns(self, driver, target, group, want, have):
        path = '%s/mgmt' % _lun_set_path(driver, target, group)
        for lun in sorted(want):
            if lun in have:
                self.mgmt(R_LUNS, 'del_lun', path, build_command('del', lun),
                          'delete LUN %d from %s' % (lun, _lun_set_name(driver, target, group)), destructive=True,
                          inverse=self._lun_action('add', path, have[lun]['device'], lun, have[lun]['read_only'],
                                                   _lun_set_name(driver, target, group)))

    def delete_in_group(self, driver, target, want, have):
        if have is None:
            return
        if not want['luns'] and not want['initiators']:
            self.plan_groups(driver, target, {}, {want['name']: have}, remove=True)
            return
        self.delete_luns(driver, target, want['name'], want['luns'], have['luns'])
        mgmt = '%s/initiators/mgmt' % _group_path(driver, target, want['name'])
        for key in sorted(want['initiators']):
            exact = have['initiators'].get(key)
            if exact is not None:
                self.mgmt(R_INITIATORS, 'del_initiator', mgmt, build_command('del', exact),
                          'delete initiator %s from group %s' % (exact, want['name']), destructive=True,
                          inverse=Action('add_initiator', 'mgmt', mgmt, build_command('add', exact),
                                         'add initiator %s again' % exact))

    def delete_in_device_group(self, want):
        name = want['name']
        have = self.have['device_groups'].get(name)
        if have is None:
            return
        if not want['devices'] and not want['target_groups']:
            self.del_device_group(name)
            return
        keep_devices = [dev for dev in have['devices'] if dev not in want['devices']]
        keep_tgs = {}
        for tg_name, tg in have['target_groups'].items():
            want_tg = want['target_groups'].get(tg_name)
            if want_tg is None:
                keep_tgs[tg_name] = tg
            elif want_tg['targets']:
                keep = dict((k, v) for k, v in tg['targets'].items() if k not in want_tg['targets'])
                keep_tgs[tg_name] = {'name': tg_name, 'attributes': {}, 'targets': keep}
        remaining = {'name': name, 'devices': keep_devices, 'target_groups': keep_tgs, 'attributes': {}}
        # Deleting inside a device group is making it exactly what remains.
        self.plan_device_group(remaining, have, {}, True)


def _remaining(attr, have, delete):
    """The values of a multi-valued attribute that stay when the values named in delete are deleted."""
    gone = set(_dyn_key(attr, value) for value in _values(delete))
    return [value for value in _values(have) if _dyn_key(attr, value) not in gone]


def _undoable(make):
    """The inverse action make() builds, or None when the current value cannot be written back as read
    (e.g. a value that SCST reports with a trailing blank): that step is then not rolled back."""
    try:
        return make()
    except ScstInputError:
        return None


def _pairs(attributes, names):
    """name=value parameters of the attributes in names, sorted; a multi-valued one repeats its name."""
    pairs = []
    for attr in sorted(set(attributes) & set(names)):
        pairs.extend((attr, value) for value in _values(attributes[attr]))
    return pairs
