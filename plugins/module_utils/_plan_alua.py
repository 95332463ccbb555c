# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Planning ALUA: device groups, their devices, target groups and their targets.

This module is private to this collection: it is not part of the public API and may change without notice.
A mixin of _plan._Planner: the methods use its state (want, have, gone_devices, phases).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.storage.scst.plugins.module_utils import _schema
from ansible_collections.storage.scst.plugins.module_utils._plan_base import A_ALUA, R_ALUA, same_value
from ansible_collections.storage.scst.plugins.module_utils._validate import build_command


class AluaPlanner(object):
    """The ALUA part of _plan._Planner: device groups, their devices, target groups and their members."""

    def plan_alua(self):
        want, have = self.want['device_groups'], self.have['device_groups']
        base = _schema.path('alua')
        self.alua_attributes('alua', base, self.want['alua'], self.have['alua'], 'ALUA')
        deleted = set()
        for name in sorted(have):
            if name in want:
                continue
            if self.state == 'overridden':
                self.del_device_group(name)
                deleted.add(name)
                continue
            # A device group the config does not describe keeps its re-created devices.
            for dev in have[name]['devices']:
                if dev in self.gone_devices and dev in self.want_devices and not any(
                        dev in dg['devices'] for dg in want.values()):
                    self._dg_device(A_ALUA, 'add', name, dev)
        # The device group each device is in once the deletions above ran (a deleted group holds none).
        owner = dict((dev, name) for name, dg in have.items() if name not in deleted for dev in dg['devices'])
        left = set()
        for name in sorted(want):
            self.plan_device_group(want[name], have.get(name), owner, left, self.removes(True))

    def plan_device_group(self, want, have, owner, left, remove):
        """left: the (device group, device) memberships this plan already ends."""
        name = want['name']
        if have is None:
            self.mgmt(A_ALUA, 'create_device_group', _schema.mgmt('device_group'), build_command(_schema.KINDS['device_group'].create, name),
                      'create ALUA device group %s' % name)
            have = {'devices': [], 'target_groups': {}, 'attributes': {}}
        for dev in sorted(have['devices']):
            if dev not in want['devices'] and remove and dev not in self.gone_devices:
                self._leave(name, dev, left)
        for dev in sorted(want['devices']):
            if dev in have['devices'] and dev not in self.gone_devices:
                continue
            previous = owner.get(dev)
            if previous not in (None, name) and dev not in self.gone_devices:
                # A device belongs to one device group at most: leave the old one first.
                self._leave(previous, dev, left)
            self._dg_device(A_ALUA, 'add', name, dev)
        self.plan_target_groups(name, want['target_groups'], have['target_groups'], remove)

    def _leave(self, dg, dev, left):
        """Remove dev from dg once: the old group's own plan and the new group's move both ask for it (a second
        'del' fails with EINVAL, and a deleted group has no mgmt file left: SYSFS.md 2.7)."""
        if (dg, dev) not in left:
            left.add((dg, dev))
            self._dg_device(R_ALUA, 'del', dg, dev)

    def _dg_device(self, phase, verb, dg, dev):
        path = _schema.mgmt('dg_device', dg)
        words = {'add': 'add device %s to device group %s', 'del': 'remove device %s from device group %s'}
        self.mgmt(phase, '%s_dg_device' % verb, path, build_command(verb, dev), words[verb] % (dev, dg),
                  destructive=verb == 'del')

    def plan_target_groups(self, dg, want, have, remove):
        tg_mgmt = _schema.mgmt('target_group', dg)
        # Target groups and memberships this plan ends; what is left of the others may stand in the way.
        gone = set()
        for name in sorted(have):
            if name not in want and remove:
                gone.update((name, key) for key in have[name]['targets'])
                self.mgmt(R_ALUA, 'del_target_group', tg_mgmt, build_command(_schema.KINDS['target_group'].delete, name),
                          'delete target group %s of device group %s' % (name, dg), destructive=True)
        for name in sorted(want):
            for key in sorted(have.get(name, {'targets': {}})['targets']):
                if key not in want[name]['targets'] and remove:
                    gone.add((name, key))
                    self._tg_member(R_ALUA, 'del', dg, name, have[name]['targets'][key]['name'])
        for name in sorted(want):
            tg_path = _schema.path('target_group', dg, name)
            have_tg = have.get(name)
            if have_tg is None:
                self.mgmt(A_ALUA, 'create_target_group', tg_mgmt, build_command(_schema.KINDS['target_group'].create, name),
                          'create target group %s in device group %s' % (name, dg))
                have_tg = {'attributes': {}, 'targets': {}}
            self.alua_attributes('target_group', tg_path, want[name]['attributes'], have_tg['attributes'],
                                 'target group %s of device group %s' % (name, dg))
            members = want[name]['targets']
            for key in sorted(members):
                tgt = members[key]['name']
                have_m = have_tg['targets'].get(key)
                if have_m is None:
                    # A target is in one target group of a device group at most (scst_tg.c: EEXIST): it
                    # leaves the one it is in first, even in merged (as an initiator moves between groups).
                    for other in sorted(have):
                        if other != name and key in have[other]['targets'] and (other, key) not in gone:
                            gone.add((other, key))
                            self._tg_member(R_ALUA, 'del', dg, other, have[other]['targets'][key]['name'])
                    self._tg_member(A_ALUA, 'add', dg, name, tgt)
                    have_m = {'name': tgt, 'attributes': {}}
                self.alua_attributes('tg_target', '%s/%s' % (tg_path, have_m['name']), members[key]['attributes'],
                                     have_m['attributes'], 'target %s in target group %s' % (tgt, name))

    def _tg_member(self, phase, verb, dg, tg, target):
        path = _schema.mgmt('tg_target', dg, tg)
        words = {'add': 'add target %s to target group %s of device group %s',
                 'del': 'remove target %s from target group %s of device group %s'}
        self.mgmt(phase, '%s_tg_target' % verb, path, build_command(verb, target), words[verb] % (target, tg, dg),
                  destructive=verb == 'del')

    def alua_attributes(self, level, path, want, have, what):
        for attr in sorted(want):
            if not same_value(level, attr, want[attr], have.get(attr)):
                self.write(A_ALUA, 'set_attribute', '%s/%s' % (path, attr), want[attr],
                           'set attribute %s of %s to %r' % (attr, what, want[attr]))

    def del_device_group(self, name):
        self.mgmt(R_ALUA, 'del_device_group', _schema.mgmt('device_group'), build_command(_schema.KINDS['device_group'].delete, name),
                  'delete ALUA device group %s' % name, destructive=True)

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
        self.plan_device_group(remaining, have, {}, set(), True)
