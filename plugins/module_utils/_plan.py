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
initiators, LUNs, ALUA, target `enabled`, driver `enabled`).
_Planner holds the state of one planning; each kind of object has its own planner mixin: _plan_devices (global
attributes, handlers, devices), _plan_targets (drivers, targets, groups, initiators, rel_tgt_id and enables),
_plan_luns (LUN sets) and _plan_alua (device and target groups), over the shared _plan_base.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.storage.scst.plugins.module_utils._model import (
    COPY_MANAGER,
    HARDWARE_ONLY_DRIVERS,
    device_create_attributes,
    dynamic_attributes,
    format_path,
    target_create_attributes,
)
from ansible_collections.storage.scst.plugins.module_utils._model_index import index
from ansible_collections.storage.scst.plugins.module_utils._plan_alua import AluaPlanner
from ansible_collections.storage.scst.plugins.module_utils._plan_base import (
    A_DRIVER_ENABLED,
    Action,
    Plan,
    PlanError,
    _device_index,
    _is_empty,
)
from ansible_collections.storage.scst.plugins.module_utils._plan_devices import DevicePlanner
from ansible_collections.storage.scst.plugins.module_utils._plan_guard import GuardPlanner
from ansible_collections.storage.scst.plugins.module_utils._plan_names import NamePlanner
from ansible_collections.storage.scst.plugins.module_utils._plan_luns import LunPlanner
from ansible_collections.storage.scst.plugins.module_utils._plan_targets import TargetPlanner
from ansible_collections.storage.scst.plugins.module_utils._validate import check_attr_value


STATES = ('merged', 'replaced', 'overridden', 'deleted')
RECREATE = ('never', 'options-changed', 'always')


def plan(desired, current, state='merged', recreate='never', force=False, meta=None, option=format_path):
    """Actions that turn current into desired under state; returns a Plan (a list of Action).

    desired, current: configuration models (_model.py). current is what _gather read, with the actual
    values of the attributes the desired model names (gather with nonkey=True).
    state: merged (add and change, never remove), replaced (the named devices, targets and device groups
    become exactly as described; objects not named stay), overridden (the kernel becomes exactly the
    config; refused for an empty config), deleted (remove what is named; everything for an empty config).
    recreate: never | options-changed | always: whether a device whose creation-time attributes differ
    is deleted and added again (never: a warning in Plan.warnings; always: every named device).
    force: allow what logged-in initiators would notice (_plan_guard: a LUN they see removed or re-pointed, a
    device they use deleted or re-created, a target with sessions disabled or deleted, their group deleted or
    their initiator entry removed); without it such a plan raises PlanError naming the LUNs and sessions.
    meta: what _gather.gather_meta() found (handler create parameters, drivers with mgmt, dynamic
    attribute names, sessions); missing parts fall back to SCST's documented defaults.
    option: how the user's options name a path of desired (a tuple, as _model.format_path takes it), for
    ScstInputError: an attribute that a new device, target or group cannot take (_plan_names).
    Raises PlanError for what cannot be done; ScstInputError for names or values SCST must not receive.
    """
    if state not in STATES:
        raise PlanError('state must be one of %s, not %r' % (', '.join(STATES), state))
    if recreate not in RECREATE:
        raise PlanError('recreate must be one of %s, not %r' % (', '.join(RECREATE), recreate))
    if state == 'overridden' and _is_empty(desired):
        raise PlanError('state=overridden with an empty configuration would remove everything; refused '
                        '(use state=deleted to clear SCST)')
    planner = _Planner(index(desired), index(current), state, recreate, force, meta or {})
    if state == 'deleted':
        planner.plan_deleted(_is_empty(desired))
    else:
        planner.check_new_names(desired or {}, option)
        planner.plan_converge()
    return planner.result()


class _Planner(DevicePlanner, TargetPlanner, LunPlanner, AluaPlanner, GuardPlanner, NamePlanner):

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
        # Every target's rel_tgt_id and liveness ({(driver, name_key): Port}), and its name as SCST spells it:
        # ids and enables are ordered across all targets at the end (_plan_ports).
        self.ports, self.port_names = self._ports()

    # -------------------------------------------------------------- output

    def add(self, phase, action):
        self.phases[phase].append(action)

    def result(self):
        self.refuse_disruption()
        actions = []
        for phase in sorted(self.phases):
            actions.extend(self.phases[phase])
        return Plan(actions, self.warnings)

    def mgmt(self, phase, kind, path, command, description, destructive=False):
        action = Action(kind, 'mgmt', path, command, description, destructive)
        self.add(phase, action)
        return action

    def write(self, phase, kind, path, value, description, destructive=False):
        text = check_attr_value(value, path.rsplit('/', 1)[-1])
        action = Action(kind, 'write', path, text, description, destructive)
        self.add(phase, action)
        return action

    # -------------------------------------------------------------- rel_tgt_id and enables

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
        """What the driver's mgmt help advertises, and what its add_target takes without saying so (iscsi-scstd's
        session keys that have no file: the schema's creation class)."""
        info = self._driver_meta(driver)
        if info.get('create_params') is not None:
            return frozenset(info['create_params']) | target_create_attributes(driver)
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
        self.plan_ports()

    # ---- devices

    # ---- drivers and targets

    # ---- groups and initiators

    # ---- LUNs

    # ---- ALUA device groups

    # -------------------------------------------------------------- deleted

    def plan_deleted(self, everything):
        """Remove what desired names: an object named without contents goes as a whole, an object named with
        contents loses only those. A device goes only when no LUN or device group of desired names it (then it
        is named to describe that entry); a driver or target named with only enabled: false is disabled. An empty
        config removes everything but hardware targets and copy_manager's automatic LUNs (hardware targets are
        disabled and emptied)."""
        if everything:
            for name in sorted(self.have['drivers']):
                if name != COPY_MANAGER:
                    self.clear_driver(name)
            for name in sorted(self.have['device_groups']):
                self.del_device_group(name)
            for name in sorted(self.have_devices):
                self.del_device(name, self.have_devices[name][0])
            return
        for driver in sorted(self.want['drivers']):
            self.delete_in_driver(driver, self.want['drivers'][driver])
        for name in sorted(self.want['device_groups']):
            self.delete_in_device_group(self.want['device_groups'][name])
        described = _described_devices(self.want)
        for handler in sorted(self.want['handlers']):
            devices = self.want['handlers'][handler]['devices'] or dict(
                (name, None) for name, (h, dummy) in self.have_devices.items() if h == handler)
            for name in sorted(set(devices) - described):
                if name not in self.have_devices:
                    continue
                if self.have_devices[name][0] != handler:
                    raise PlanError('device %s is served by handler %s, not %s: not deleted (name it under handler %s '
                                    'to delete it)' % (name, self.have_devices[name][0], handler,
                                                       self.have_devices[name][0]))
                self.del_device(name, self.have_devices[name][0])


def _described_devices(want):
    """Devices that a LUN or a device group of the configuration names: in state deleted they only describe that
    entry and are not deleted themselves."""
    names = set()
    for driver in want['drivers'].values():
        for target in driver['targets'].values():
            sets = [target['luns']] + [group['luns'] for group in target['groups'].values()]
            names.update(entry['device'] for luns in sets for entry in luns.values())
    for group in want['device_groups'].values():
        names.update(group['devices'])
    return names
