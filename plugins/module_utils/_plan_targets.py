# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Planning target drivers, targets, their attributes, groups and initiators, rel_tgt_id and enables.

This module is private to this collection: it is not part of the public API and may change without notice.
A mixin of _plan._Planner: the methods use its state (want, have, state, meta, ports, phases).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.storage.scst.plugins.module_utils import _schema
from ansible_collections.storage.scst.plugins.module_utils._model import is_hardware_target, name_key, normalize_value
from ansible_collections.storage.scst.plugins.module_utils._plan_base import (
    _dyn_key,
    _dyn_same,
    _group_path,
    _pairs,
    _port_id,
    _remaining,
    _target_path,
    _truthy,
    _user,
    _values,
    A_DRIVER_ATTRS,
    A_DRIVER_ENABLED,
    A_GROUPS,
    A_INITIATORS,
    A_TARGET_ATTRS,
    A_TARGET_ENABLED,
    A_TARGETS,
    Action,
    CHAP_ATTRS,
    PlanError,
    R_ATTRS,
    R_DISABLE,
    R_GROUPS,
    R_INITIATORS,
    R_SESSIONS,
    R_TARGETS,
    same_value,
)
from ansible_collections.storage.scst.plugins.module_utils._plan_ports import MAX_ID, MIN_ID, order, Port
from ansible_collections.storage.scst.plugins.module_utils._validate import build_command, Secret


class TargetPlanner(object):
    """The target part of _plan._Planner: drivers, targets, groups, initiators, rel_tgt_id and enables."""

    def clear_driver(self, driver):
        have = self.have['drivers'][driver]
        for key in sorted(have['targets']):
            self.remove_target(driver, have['targets'][key])
        self.driver_attributes(driver, {}, have['attributes'], remove=True)
        if _truthy(have.get('enabled')):
            self.driver_disabled(driver)
            self.set_enabled(R_DISABLE, _schema.path('driver', driver), False, True, 'driver %s' % driver)

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
            if _truthy(have['enabled']) and not _truthy(enabled):
                self.driver_disabled(driver)
            self.set_enabled(A_DRIVER_ENABLED, _schema.path('driver', driver), enabled, have.get('enabled'),
                             'driver %s' % driver)
        elif _truthy(enabled):
            self.warnings.append('target driver %s has no enabled attribute; enabled: true was ignored' % driver)

    def disable(self, driver, name, old):
        if _truthy(old):
            self.target_disabled(driver, name)
            self.port(driver, name).live = False
            self.set_enabled(R_DISABLE, _target_path(driver, name), False, True, 'target %s/%s' % (driver, name))

    def set_enabled(self, phase, path, value, old, what):
        value = _truthy(value)
        if value == _truthy(old):
            return
        # Disabling first among removals stops new logins before anything is taken away.
        self.write(phase if value else R_DISABLE,
                   'enable' if value else 'disable', '%s/enabled' % path, value,
                   '%s %s' % ('enable' if value else 'disable', what), destructive=not value)

    def driver_attributes(self, driver, want, have, remove):
        dynamic = self.dynamic_attrs(driver, 'driver')
        for attr in sorted(set(want) | set(have)):
            if attr in dynamic:
                self.dynamic(driver, None, attr, want.get(attr), have.get(attr),
                             remove=remove or (self.state == 'replaced' and attr in want))
            elif attr in want and not same_value('driver', attr, want[attr], have.get(attr)):
                self.write(A_DRIVER_ATTRS, 'set_attribute', '%s/%s' % (_schema.path('driver', driver), attr), want[attr],
                           'set attribute %s of driver %s to %r' % (attr, driver, want[attr]))

    def dynamic(self, driver, target, attr, want, have, remove):
        """Value-by-value difference of a multi-valued attribute (CHAP users, portals)."""
        want_vals = dict((_dyn_key(attr, v), v) for v in _values(want))
        have_vals = dict((_dyn_key(attr, v), v) for v in _values(have))
        path = _schema.mgmt('target', driver)
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
        self.mgmt(phase, verb + prefix[0], path, self._dyn_command(verb, prefix, attr, value),
                  '%s %s %s %s %s' % (verb, attr, shown, 'from' if verb == 'del' else 'to', owner),
                  destructive=destructive)

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
            self.mgmt(A_TARGETS, 'add_target', _schema.mgmt('target', driver),
                      build_command(_schema.KINDS['target'].create, name, params=pairs), 'add target %s to driver %s' % (name, driver))
            have = {'name': name, 'enabled': None, 'hw_target': False, 'attributes': dict(
                (attr, want['attributes'][attr]) for attr in params if attr in want['attributes']), 'luns': {}, 'groups': {}}
        else:
            # Creation parameters of a virtual target cannot change after add_target; they are not compared.
            params = frozenset() if self.is_hardware(driver, have, True) else self.target_create_params(driver)
        named = self.removes(True)
        self.target_attributes(driver, name, want['attributes'], have['attributes'], params, remove=named)
        self.plan_groups(driver, name, want['groups'], have['groups'], remove=named)
        self.plan_luns(driver, name, None, want['luns'], have['luns'], remove=named)
        # enabled left out leaves an existing target as it is in every state (disabling it would cut its sessions;
        # scstadmin -config -force flapped ports so, SCST#217); a new target stays disabled, as SCST creates it.
        enabled = want.get('enabled')
        if _truthy(enabled) and not _truthy(have.get('enabled')):
            self.port(driver, name).enable = True
        elif enabled is not None and not _truthy(enabled):
            self.disable(driver, name, have.get('enabled'))

    def target_attributes(self, driver, target, want, have, skip, remove):
        dynamic = self.dynamic_attrs(driver, 'target')
        path = _target_path(driver, target)
        for attr in sorted(set(want) | set(have)):
            if attr == _schema.SESSION_ATTRIBUTES.get(driver):
                # Also an add_target parameter, yet sessions come and go after it.
                self.local_sessions(driver, target, want.get(attr), have.get(attr), remove=remove)
                continue
            if attr in skip or attr in _schema.KINDS['target'].names('information', driver):
                continue
            if attr == 'rel_tgt_id':
                # An id is a target's own only among live targets: planned with all of them (plan_ports).
                if attr in want:
                    self.pin(driver, target, want[attr])
                continue
            if attr in dynamic:
                self.dynamic(driver, target, attr, want.get(attr), have.get(attr), remove=remove)
            elif attr in want and not same_value('target', attr, want[attr], have.get(attr)):
                self.write(A_TARGET_ATTRS, 'set_attribute', '%s/%s' % (path, attr), want[attr],
                           'set attribute %s of target %s/%s to %r' % (attr, driver, target, want[attr]))

    def local_sessions(self, driver, target, want, have, remove):
        """Sessions that are configuration (scst_local's session_name): added and deleted one by one through the
        driver's mgmt (add_session / del_session TARGET SESSION, SYSFS.md §2.3); deleting one cuts its local host
        off, which needs force."""
        path = _schema.mgmt('target', driver)
        want_vals, have_vals = set(_values(want)), set(_values(have))
        for name in sorted(have_vals - want_vals) if remove else ():
            self.session_deleted(driver, target, name)
            self.mgmt(R_SESSIONS, 'del_session', path, build_command('del_session', target, name),
                      'delete session %s of target %s/%s' % (name, driver, target), destructive=True)
        for name in sorted(want_vals - have_vals):
            self.mgmt(A_TARGET_ATTRS, 'add_session', path, build_command('add_session', target, name),
                      'add session %s to target %s/%s' % (name, driver, target))

    def remove_target(self, driver, have):
        """Virtual targets are deleted; hardware targets are disabled and emptied, never deleted."""
        name = have['name']
        if have.get('enabled') is not None:
            self.disable(driver, name, have.get('enabled'))
        if self.is_hardware(driver, have, True):
            self.target_attributes(driver, name, {}, have['attributes'], frozenset(), remove=True)
            self.plan_groups(driver, name, {}, have['groups'], remove=True)
            self.plan_luns(driver, name, None, {}, have['luns'], remove=True)
            return
        self.gone_targets.add((driver, name))
        del self.ports[(driver, name_key(name))]
        self.drain(driver, name, None)
        self.mgmt(R_TARGETS, 'del_target', _schema.mgmt('target', driver), build_command(_schema.KINDS['target'].delete, name),
                  'delete target %s of driver %s (with its LUNs and groups)' % (name, driver), destructive=True)

    def drain(self, driver, target, group):
        """Close the sessions that would make deleting the target (or group) fail with EBUSY."""
        names = self.sessions(driver, target, group)
        if not names:
            return
        what = ('group %s of target %s/%s' % (group, driver, target)) if group else ('target %s/%s' % (driver, target))
        self.closed(what, names)
        sessions = _schema.container('session', driver, target)
        for session in names:
            self.write(R_SESSIONS, 'close_session', '%s/%s' % (_schema.path('session', driver, target, session), _schema.FORCE_CLOSE), '1',
                       'close session %s of %s' % (session, what), destructive=True)
        self.add(R_SESSIONS, Action('wait_sessions', 'wait', sessions, None,
                                    'wait until the sessions of %s are closed' % what, names=names))

    def plan_groups(self, driver, target, want, have, remove):
        path = _schema.mgmt('group', driver, target)
        for name in sorted(have):
            if name not in want and remove:
                self.gone_groups.add((driver, target, name))
                self.drain(driver, target, name)
                self.mgmt(R_GROUPS, 'del_group', path, build_command(_schema.KINDS['group'].delete, name),
                          'delete group %s of target %s/%s' % (name, driver, target), destructive=True)
        for name in sorted(want):
            if name not in have:
                self.mgmt(A_GROUPS, 'create_group', path, build_command(_schema.KINDS['group'].create, name),
                          'create group %s in target %s/%s' % (name, driver, target))
            have_g = have.get(name) or {'attributes': {}, 'luns': {}}
            for attr in sorted(want[name]['attributes']):
                value = want[name]['attributes'][attr]
                old = have_g['attributes'].get(attr)
                if not same_value('group', attr, value, old):
                    self.write(A_GROUPS, 'set_attribute', '%s/%s' % (_group_path(driver, target, name), attr), value,
                               'set attribute %s of group %s to %r' % (attr, name, value))
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
                    self.initiator_taken(driver, target, source, have_exact, 'moved out of')
                    src = _schema.mgmt('initiator', _group_path(driver, target, source))
                    self.mgmt(A_INITIATORS, 'move_initiator', src, build_command('move', have_exact, group),
                              'move initiator %s from group %s to group %s of target %s/%s'
                              % (have_exact, source, group, driver, target), destructive=True)
                    continue
                mgmt = _schema.mgmt('initiator', _group_path(driver, target, group))
                self.mgmt(A_INITIATORS, 'add_initiator', mgmt, build_command(_schema.KINDS['initiator'].create, exact),
                          'add initiator %s to group %s of target %s/%s' % (exact, group, driver, target))
        if not remove:
            return
        for key in sorted(current):
            for group, exact in current[key]:
                if (group, key) in consumed or key in want.get(group, {}).get('initiators', {}):
                    continue
                mgmt = _schema.mgmt('initiator', _group_path(driver, target, group))
                self.initiator_taken(driver, target, group, exact, 'deleted from')
                self.mgmt(R_INITIATORS, 'del_initiator', mgmt, build_command(_schema.KINDS['initiator'].delete, exact),
                          'delete initiator %s from group %s of target %s/%s' % (exact, group, driver, target),
                          destructive=True)

    def _ports(self):
        ports, names = {}, {}
        for driver, have in self.have['drivers'].items():
            for key, target in have['targets'].items():
                names[(driver, key)] = target['name']
                ports[(driver, key)] = Port(_port_id(target['attributes'].get('rel_tgt_id')),
                                            target.get('enabled') is None or _truthy(target['enabled']))
        # Targets this run did not read still hold ids (the kernel checks ids across all targets of all drivers).
        for driver, targets in (self.meta.get('ports') or {}).items():
            for name, (enabled, rel_tgt_id) in targets.items():
                if (driver, name_key(name)) in ports:
                    continue
                names[(driver, name_key(name))] = name
                ports[(driver, name_key(name))] = Port(_port_id(rel_tgt_id), enabled is None or _truthy(enabled))
        return ports, names

    def port(self, driver, name):
        key = (driver, name_key(name))
        if key not in self.ports:
            self.ports[key] = Port(0, False)
            self.port_names[key] = name
        return self.ports[key]

    def pin(self, driver, name, value):
        what = 'rel_tgt_id of target %s/%s' % (driver, name)
        try:
            pin = int(normalize_value('target', 'rel_tgt_id', value))
        except (TypeError, ValueError):
            raise PlanError('%s must be a number from %d to %d, not %r' % (what, MIN_ID, MAX_ID, value))
        if not MIN_ID <= pin <= MAX_ID:
            raise PlanError('%s must be from %d to %d (SCST numbers enabled targets itself when it is left out), '
                            'not %r' % (what, MIN_ID, MAX_ID, value))
        self.port(driver, name).pin = pin

    def plan_ports(self):
        for step in order(self.ports):
            driver, key = step[1]
            path = _target_path(driver, self.port_names[step[1]])
            if step[0] == 'enable':
                self.set_enabled(A_TARGET_ENABLED, path, True, False, 'target %s/%s' % (driver, self.port_names[step[1]]))
                continue
            new, old = step[2], step[3]
            self.write(A_TARGET_ENABLED, 'set_attribute', '%s/rel_tgt_id' % path, str(new),
                       'set attribute rel_tgt_id of target %s/%s to %r' % (driver, self.port_names[step[1]], str(new)))

    def delete_in_driver(self, driver, want):
        have = self.have['drivers'].get(driver)
        if have is None:
            return
        # enabled: false means "disable" (and, alone, nothing more); enabled: true asks nothing of a deletion.
        if _disables(want):
            if _truthy(have.get('enabled')):
                self.driver_disabled(driver)
                self.set_enabled(R_DISABLE, _schema.path('driver', driver), False, True, 'driver %s' % driver)
        elif not want['targets'] and not want['attributes']:
            self.clear_driver(driver)
            return
        self.driver_attributes_deleted(driver, want['attributes'], have['attributes'])
        for key in sorted(want['targets']):
            have_t = have['targets'].get(key)
            if have_t is None:
                continue
            want_t = want['targets'][key]
            name = have_t['name']
            if _disables(want_t):
                self.disable(driver, name, have_t.get('enabled'))
            elif not (want_t['luns'] or want_t['groups'] or want_t['attributes']):
                self.remove_target(driver, have_t)
                continue
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

    def delete_in_group(self, driver, target, want, have):
        if have is None:
            return
        if not want['luns'] and not want['initiators']:
            self.plan_groups(driver, target, {}, {want['name']: have}, remove=True)
            return
        self.delete_luns(driver, target, want['name'], want['luns'], have['luns'])
        mgmt = _schema.mgmt('initiator', _group_path(driver, target, want['name']))
        for key in sorted(want['initiators']):
            exact = have['initiators'].get(key)
            if exact is not None:
                self.initiator_taken(driver, target, want['name'], exact, 'deleted from')
                self.mgmt(R_INITIATORS, 'del_initiator', mgmt, build_command(_schema.KINDS['initiator'].delete, exact),
                          'delete initiator %s from group %s' % (exact, want['name']), destructive=True)


def _disables(entry):
    """Whether a driver or target entry of state deleted says enabled: false."""
    return entry.get('enabled') is not None and not _truthy(entry['enabled'])


def reads_other_ports(desired, current):
    """Whether the plan of desired against current needs the rel_tgt_id of the targets current leaves out (as
    gather_meta reads them): only to enable a target that is not live, or to give a target an id it does not have;
    the kernel checks an id only among enabled targets, and a live target keeps its own."""
    have = dict(((driver['name'], name_key(target['name'])), target) for driver in current['drivers']
                for target in driver['targets'])
    for driver in desired['drivers']:
        for target in driver['targets']:
            now = have.get((driver['name'], name_key(target['name'])))
            live = now is not None and (now.get('enabled') is None or _truthy(now['enabled']))
            if _truthy(target.get('enabled')) and not live:
                return True
            pin = target['attributes'].get('rel_tgt_id')
            if pin is not None and (now is None or _port_id(pin) != _port_id(now['attributes'].get('rel_tgt_id'))):
                return True
    return False
