# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Planning LUNs: add, replace and delete per LUN set, copy_manager's numbering, LUNs lost with a device.

This module is private to this collection: it is not part of the public API and may change without notice.
A mixin of _plan._Planner: the methods use its state (want, have, gone_devices, planned_sets, phases).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.storage.scst.plugins.module_utils import _schema
from ansible_collections.storage.scst.plugins.module_utils._plan_base import (
    _lun_set_name,
    _lun_set_path,
    _truthy,
    A_LUNS,
    ANY_DEVICE,
    Action,
    PlanError,
    R_LUNS,
)
from ansible_collections.storage.scst.plugins.module_utils._validate import build_command


class LunPlanner(object):
    """The LUN part of _plan._Planner: every LUN set of every target and group."""

    def device_read_only(self, name):
        found = self.want_devices.get(name) or self.have_devices.get(name)
        # A CD-ROM is read-only whatever its attributes say, so its LUNs read read_only 1.
        return bool(found) and (found[0] == 'vcdrom' or _truthy(found[1]['attributes'].get('read_only')))

    def plan_luns(self, driver, target, group, want, have, remove):
        path = _schema.mgmt('lun', _lun_set_path(driver, target, group))
        where = _lun_set_name(driver, target, group)
        self.planned_sets.add((driver, target, group))
        if driver == _schema.COPY_MANAGER:
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
            self.lun_taken(driver, target, group, lun, have[lun]['device'], 'removed')
            self.mgmt(R_LUNS, 'del_lun', path, build_command(_schema.KINDS['lun'].delete, lun),
                      'delete LUN %d (device %s) from %s' % (lun, have[lun]['device'], where), destructive=True)
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
            if old['device'] != entry['device']:
                self.lun_taken(driver, target, group, lun, old['device'], 're-pointed to device %s' % entry['device'])
            self.add(A_LUNS, self._lun_action('replace', path, entry['device'], lun, entry['read_only'], where))

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
            elif not (self.want_devices.get(device, ('',))[0] in _schema.VDISK_HANDLERS
                      and (device not in self.have_devices or device in self.gone_devices)):
                kept[lun] = entry
        return kept, have

    @staticmethod
    def _lun_action(verb, path, device, lun, read_only, where):
        params = [('read_only', 1)] if read_only else None
        command = build_command(verb, device, lun, params=params)
        return Action('%s_lun' % verb, 'mgmt', path, command,
                      '%s LUN %d (device %s%s) %s %s' % (verb, lun, device, ', read-only' if read_only else '',
                                                         'in' if verb == 'replace' else 'to', where),
                      destructive=verb == 'replace')

    def restore_lost_luns(self):
        """LUNs in LUN sets the config does not describe, lost with a re-created device: added back."""
        if not self.gone_devices:
            return
        for driver in sorted(self.have['drivers']):
            # SCST maps re-created vdisk devices into copy_manager_tgt by itself.
            if driver == _schema.COPY_MANAGER:
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
        path = _schema.mgmt('lun', _lun_set_path(driver, target, group))
        for lun in sorted(luns):
            entry = luns[lun]
            if entry['device'] in self.gone_devices and entry['device'] in self.want_devices:
                # The LUN read 1 because of its own flag only if the old device was not read-only (scst_lib.c).
                old_device = self.have_devices[entry['device']][1]
                flag = entry['read_only'] and not _truthy(old_device['attributes'].get('read_only'))
                self.add(A_LUNS, self._lun_action('add', path, entry['device'], lun, flag,
                                                  _lun_set_name(driver, target, group)))

    def delete_luns(self, driver, target, group, want, have):
        path = _schema.mgmt('lun', _lun_set_path(driver, target, group))
        for lun in sorted(want):
            if lun in have and want[lun]['device'] not in (have[lun]['device'], ANY_DEVICE):
                raise PlanError('LUN %d of %s maps device %s, not %s as the configuration says: not deleted (name the '
                                'device it maps)' % (lun, _lun_set_name(driver, target, group), have[lun]['device'],
                                                     want[lun]['device']))
            if lun in have:
                self.lun_taken(driver, target, group, lun, have[lun]['device'], 'removed')
                self.mgmt(R_LUNS, 'del_lun', path, build_command(_schema.KINDS['lun'].delete, lun),
                          'delete LUN %d from %s' % (lun, _lun_set_name(driver, target, group)), destructive=True)
