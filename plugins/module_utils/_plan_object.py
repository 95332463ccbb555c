# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The per-object planners: what a per-object module's Intent (_intent) needs read, refused and removed.

This module is private to this collection: it is not part of the public API and may change without notice.
One planner per kind (DevicePlan, TargetPlan, LunPlan, GroupPlan), made by planner(intent, client) under the
host lock. scope() reads the minimum context (is the handler or driver loaded, which handler serves the device,
which LUNs map it) and returns what _gather reads: the object itself and what decides how to change it, never
the unrelated devices and targets of the host. prepare(before) is given the model read from that scope: it
refuses, with PlanError, what the kernel's state does not allow (a missing container, a hardware target the
host lacks, a LUN that maps another device, a mapped device) and returns the removals the intent implies (values
of a multi-valued attribute the task's set leaves out, a group's purged initiators and LUNs). The shared
planner (_plan) then decides the writes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.storage.scst.plugins.module_utils import _schema, _secrets
from ansible_collections.storage.scst.plugins.module_utils._gather import fc_ports
from ansible_collections.storage.scst.plugins.module_utils._model import (
    COPY_MANAGER,
    FC_DRIVERS,
    PASSTHROUGH_HANDLER_PREFIX,
    by_name,
    is_hardware_target,
)
from ansible_collections.storage.scst.plugins.module_utils._model_values import HCIL
from ansible_collections.storage.scst.plugins.module_utils._objects import (
    device_handler,
    find_group,
    find_target,
    require_driver,
    require_handler,
    require_target,
)
from ansible_collections.storage.scst.plugins.module_utils._plan_base import PlanError, initiator_key


class _ObjectPlan(object):
    """What every per-object planner shares: the intent, the client, and how the runner converges it."""

    # Options of ScstModule.converge() for this kind.
    focus = True
    report_keys_only = False

    def __init__(self, intent, client):
        self.intent = intent
        self.client = client

    def scope(self):
        """What _gather reads for the intent (keyword arguments of gather()), from the few reads that decide it;
        PlanError when a container the object needs is missing."""
        raise NotImplementedError

    def prepare(self, before):
        """PlanError to refuse; a model of removals to plan (state deleted) before the intent, or None."""
        return None

    def result(self):
        """Keys the module adds to its result."""
        return {}


# ------------------------------------------------------------------------------------------ devices


class DevicePlan(_ObjectPlan):

    # The handler that serves the device now (None: no such device), as scope() found it.
    current = None

    def scope(self):
        intent, client = self.intent, self.client
        require_handler(client, intent.handler)
        if intent.present and intent.handler.startswith(PASSTHROUGH_HANDLER_PREFIX) and \
                not client.exists(_schema.path('device', None, intent.name)):
            local = [dev for dev in client.list_dir(_schema.DEVICES, kind='dir') if HCIL.match(dev)]
            raise PlanError('name: %r is not a local SCSI device of this host (it has: %s)'
                            % (intent.name, ', '.join(local) or 'none'))
        self.current = device_handler(client, intent.name)
        # A device that another handler serves is read too when it should be present: the planner then re-creates
        # it under this handler (if recreate allows) instead of failing in add_device. When it should be absent, a
        # device of another handler is not the one meant, and is left alone.
        handlers = sorted(set([intent.handler, self.current])) if intent.present and self.current else [intent.handler]
        # Deleting or re-creating an existing device removes its LUNs (and a re-created one gets them back): then
        # the targets its exported/ links name are read, and the ALUA device groups. Creating a device or changing
        # it in place needs none.
        touches_luns = self.current is not None and (not intent.present or intent.recreate != 'never')
        places = exported(client, intent.name) if touches_luns else []
        return {'handlers': handlers, 'devices': [intent.name],
                'drivers': sorted(set(driver for driver, dummy in places)),
                'targets': sorted(set(tgt for dummy, tgt in places)),
                'device_groups': touches_luns, 'global_attributes': False}

    def prepare(self, before):
        intent = self.intent
        luns = device_luns(before, intent.name)
        if not intent.present and self.current == intent.handler and luns and not intent.force:
            raise PlanError('device %s is mapped as LUN %s; deleting it would remove those LUNs: set force to delete '
                            'it anyway' % (intent.name, ', '.join(luns)), luns=luns)
        return None


def exported(client, device):
    """[(driver, target)] of the LUNs that map device, from its exported/ links (SYSFS.md §1.3): one listing and
    one link per LUN, whatever else the host holds; copy_manager's left out."""
    path = '%s/%s' % (_schema.path('device', None, device), _schema.EXPORTED)
    places = []
    for link in client.list_dir(path, kind='link'):
        parts = client.read_link('%s/%s' % (path, link)).split('/')
        # targets/<driver>/<target>/luns/<n> or targets/<driver>/<target>/ini_groups/<group>/luns/<n>. SCST maps
        # every vdisk device into copy_manager_tgt and back again when it is re-created (_plan_luns): that target,
        # with a LUN per device of the host, is not read.
        if len(parts) >= 5 and parts[0] == 'targets' and parts[1] != COPY_MANAGER:
            places.append((parts[1], parts[2]))
    return places


def device_luns(model, device):
    """Where device is mapped as a LUN in model: 'driver/target/lun' or 'driver/target/group/lun'.

    copy_manager's LUNs are left out: SCST maps every vdisk device there by itself and removes that LUN with
    the device.
    """
    found = []
    for drv in model['drivers']:
        if drv['name'] == COPY_MANAGER:
            continue
        for tgt in drv['targets']:
            prefix = '%s/%s' % (drv['name'], tgt['name'])
            found.extend('%s/%d' % (prefix, entry['lun']) for entry in tgt['luns'] if entry['device'] == device)
            for grp in tgt['groups']:
                found.extend('%s/%s/%d' % (prefix, grp['name'], entry['lun']) for entry in grp['luns']
                             if entry['device'] == device)
    return found


# ------------------------------------------------------------------------------------------ targets


class TargetPlan(_ObjectPlan):

    focus = False
    report_keys_only = True

    def scope(self):
        intent = self.intent
        # Disabling the driver disables every target of it: all of them are read, for their sessions.
        disables_driver = intent.present and intent.desired['drivers'][0]['enabled'] is False
        targets = None if disables_driver else [intent.name] if intent.name is not None else []
        return dict(handlers=[], drivers=[intent.driver], targets=targets, device_groups=False,
                    global_attributes=False)

    def prepare(self, before):
        """Refuse a hardware target the host does not have; return the multi-valued values to delete."""
        intent = self.intent
        if not intent.present:
            return None
        want_driver = intent.desired['drivers'][0]
        have_driver = by_name(before['drivers']).get(intent.driver)
        if have_driver is None:
            return None
        removals = {'name': intent.driver, 'attributes': extra_values(
            want_driver['attributes'], have_driver['attributes'], intent.driver_given), 'targets': []}
        if intent.name is not None:
            want = want_driver['targets'][0]
            have = by_name(have_driver['targets']).get(intent.name)
            if have is None and is_hardware_target(intent.driver, want):
                raise PlanError('%s is not a target of driver %s, and hardware targets are never created: %s'
                                % (intent.name, intent.driver, absent_ports(intent.driver, have_driver)))
            extra = extra_values(want['attributes'], have['attributes'], intent.given) if have else {}
            if extra:
                removals['targets'].append({'name': intent.name, 'attributes': extra})
        if not removals['attributes'] and not removals['targets']:
            return None
        return {'drivers': [removals]}

    def result(self):
        return {} if self.intent.name is None else {'name': self.intent.name}


def absent_ports(driver, have_driver):
    """Sentence listing the hardware targets (and FC ports) the host has, for a port it does not have."""
    names = [t['name'] for t in have_driver['targets']]
    text = 'driver %s has the targets %s' % (driver, ', '.join(names)) if names else 'driver %s has no targets' % driver
    if driver in FC_DRIVERS:
        ports = fc_ports()
        text += '; this host has the FC ports %s' % (
            ', '.join('%s (%s)' % (wwpn, host) for host, wwpn in sorted(ports.items())) if ports
            else 'none (/sys/class/fc_host is empty)')
    return text


def extra_values(want, have, given):
    """{attribute: [values]} of the multi-valued attributes the task names whose current values it does not
    want: the values to delete so that each becomes exactly the set given (changed CHAP secrets and a different
    OutgoingUser are replaced by the merge itself)."""
    out = {}
    for attr in sorted(given):
        current = have.get(attr)
        if not isinstance(current, list):
            continue
        wanted_values = want.get(attr) or []
        if attr == 'OutgoingUser' and wanted_values:
            continue
        keys = set(_value_key(attr, value) for value in wanted_values)
        extra = [value for value in current if _value_key(attr, value) not in keys]
        if extra:
            out[attr] = extra
    return out


def _value_key(attr, value):
    # SCST deletes CHAP users by name and matches portal patterns ignoring case.
    return value.split(None, 1)[0] if attr in _secrets.CHAP_NAMES else value.lower()


# ------------------------------------------------------------------------------------------ LUNs


class LunPlan(_ObjectPlan):

    def scope(self):
        intent, client = self.intent, self.client
        require_driver(client, intent.driver)
        handler = device_handler(client, intent.device) if intent.device else None
        if intent.present and handler is None:
            raise PlanError('device: %r is not an SCST device served by a handler; create it with '
                            'storage.scst.scst_handler' % intent.device)
        # The device's handler is read so the planner knows the device and whether it is read-only itself.
        return {'handlers': [handler] if handler else [], 'devices': [intent.device], 'drivers': [intent.driver],
                'targets': [intent.target], 'device_groups': False, 'global_attributes': False}

    def prepare(self, before):
        intent = self.intent
        found = find_target(before, intent.driver, intent.target)
        lun_set = find_group(found, intent.group) if found and intent.group else found
        if lun_set is None:
            if not intent.present:
                return None  # a LUN of a target or group that is gone is gone too
            found = require_target(self.client, before, intent.driver, intent.target)
            raise PlanError('group: %r does not exist in target %s/%s (it has: %s); create it with '
                            'storage.scst.scst_group' % (intent.group, intent.driver, intent.target,
                                                         ', '.join(g['name'] for g in found['groups']) or 'none'))
        mapped = [entry['device'] for entry in lun_set['luns'] if entry['lun'] == intent.lun]
        if not intent.present and intent.device and mapped and mapped[0] != intent.device:
            raise PlanError('LUN %d of %s maps device %s, not %s: not deleted'
                            % (intent.lun, '/'.join(p for p in (intent.driver, intent.target, intent.group) if p),
                               mapped[0], intent.device))
        return None


# ------------------------------------------------------------------------------------------ groups


class GroupPlan(_ObjectPlan):

    def scope(self):
        intent, client = self.intent, self.client
        require_driver(client, intent.driver)
        handlers = set()
        # Only LUNs to map need their devices; a group to delete goes with whatever it maps.
        for entry in (intent.luns or ()) if intent.present else ():
            handler = device_handler(client, entry['device'])
            if handler is None:
                raise PlanError('luns: device %r is not an SCST device served by a handler; create it with '
                                'storage.scst.scst_handler' % entry['device'])
            handlers.add(handler)
        return {'handlers': sorted(handlers), 'devices': sorted(entry['device'] for entry in intent.luns or ()),
                'drivers': [intent.driver], 'targets': [intent.target], 'device_groups': False,
                'global_attributes': False}

    def prepare(self, before):
        intent = self.intent
        # A group of a target that is gone is gone too; only a group to create needs its target.
        if not intent.present:
            return None
        have = find_group(require_target(self.client, before, intent.driver, intent.target), intent.name)
        if intent.purge and have is not None:
            extra = purged({'name': intent.name, 'initiators': intent.initiators, 'luns': intent.luns}, have)
            if extra:
                return {'drivers': [{'name': intent.driver, 'targets': [{'name': intent.target, 'groups': [extra]}]}]}
        return None


def purged(want, have):
    """The part of the current group that a purge removes: initiators (and LUNs, when managed) not wanted."""
    extra = {'name': want['name']}
    if want['initiators'] is not None:
        keep = set(initiator_key(name) for name in want['initiators'])
        extra['initiators'] = [name for name in have['initiators'] if initiator_key(name) not in keep]
    if want['luns'] is not None:
        keep = set(entry['lun'] for entry in want['luns'])
        extra['luns'] = [entry for entry in have['luns'] if entry['lun'] not in keep]
    # A group named without contents would be deleted as a whole: only a non-empty part is returned.
    return extra if extra.get('initiators') or extra.get('luns') else None


_PLANNERS = {'device': DevicePlan, 'target': TargetPlan, 'lun': LunPlan, 'group': GroupPlan}


def planner(intent, client):
    """The planner of intent's kind."""
    return _PLANNERS[intent.kind](intent, client)
