# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A seeded generator of valid SCST configurations over one small pool of names, so that two draws differ in
every way a transition can: devices added, removed and re-created (another handler or blocksize), targets
added and removed, enabled and disabled, LUNs moved and re-pointed, groups and initiators changed, CHAP users,
ALUA device and target groups, and rel_tgt_id explicit on some targets and automatic on others."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.storage.scst.plugins.module_utils._model import check

FC_PORTS = ('0x21000024ff000001', '0x21000024ff000002')
# The kernel modules a host needs for every configuration drawn here (vdisk devices, iSCSI and FC targets).
MODULES = ('scst', 'scst_vdisk', 'iscsi_scst', 'qla2xxx_scst', 'qla2x00tgt')
FC_TARGETS = ('21:00:00:24:ff:00:00:01', '21:00:00:24:ff:00:00:02')
ISCSI_TARGETS = ('iqn.2026-01.com.example:t0', 'iqn.2026-01.com.example:t1', 'iqn.2026-01.com.example:t2')
ISCSI_INITIATORS = ('iqn.1998-01.com.vmware:esx0', 'iqn.1998-01.com.vmware:esx1', 'iqn.1998-01.com.vmware:esx2')
FC_INITIATORS = ('10:00:00:00:c9:00:00:01', '10:00:00:00:c9:00:00:02', '10:00:00:00:c9:00:00:03')
DEVICES = ('d0', 'd1', 'd2', 'd3', 'd4', 'd5')
GROUPS = ('g0', 'g1')


def _some(rng, pool, low=0, high=None):
    high = len(pool) if high is None else high
    return sorted(rng.sample(list(pool), rng.randint(low, min(high, len(pool)))))


def _device(rng, name, images):
    if rng.random() < 0.5:
        return 'vdisk_nullio', {'name': name, 'attributes': {'blocksize': rng.choice(('512', '4096')),
                                                             'usn': rng.choice(('U1', 'U2'))}}
    return 'vdisk_fileio', {'name': name, 'attributes': {'filename': images[name],
                                                         'blocksize': rng.choice(('512', '4096'))}}


def _luns(rng, devices):
    numbers = rng.sample(range(4), rng.randint(0, min(3, len(devices))))
    return [{'lun': lun, 'device': rng.choice(devices), 'read_only': rng.random() < 0.2} for lun in sorted(numbers)]


def _target(rng, name, devices, initiators, ids, chap):
    target = {'name': name, 'enabled': rng.random() < 0.8, 'attributes': {},
              'luns': _luns(rng, devices) if devices else []}
    if rng.random() < 0.5:
        # Explicit ids come from a small range, so that they collide with automatic ones.
        target['attributes']['rel_tgt_id'] = str(ids.pop())
    if chap and rng.random() < 0.5:
        target['attributes']['IncomingUser'] = ['user%d secret%d12345' % (rng.randint(0, 1), rng.randint(0, 1))]
    groups = []
    free = list(initiators)
    rng.shuffle(free)
    for group in _some(rng, GROUPS):
        # An initiator belongs to one group of a target at most (SYSFS.md 8.2).
        members = sorted(free[:rng.randint(0, 2)])
        free = free[len(members):]
        groups.append({'name': group, 'initiators': members, 'luns': _luns(rng, devices) if devices else []})
    target['groups'] = groups
    return target


def random_config(rng, images, fc_targets=FC_TARGETS):
    """One valid configuration; images: {device name: backing file path} for vdisk_fileio devices; fc_targets:
    the names of the host's QLogic ports."""
    handlers = {}
    for name in _some(rng, DEVICES, 1):
        handler, device = _device(rng, name, images)
        handlers.setdefault(handler, []).append(device)
    devices = sorted(d['name'] for found in handlers.values() for d in found)
    ids = list(range(1, 6))
    rng.shuffle(ids)
    fc = [_target(rng, name, devices, FC_INITIATORS, ids, False) for name in _some(rng, fc_targets)]
    for target in fc:
        target['hw_target'] = True
    iscsi = [_target(rng, name, devices, ISCSI_INITIATORS, ids, True) for name in _some(rng, ISCSI_TARGETS)]
    targets = [t['name'] for t in fc + iscsi]
    device_groups = []
    # Two device groups share the devices and targets out: a device is in one device group at most, a target
    # in one target group of a device group at most (SYSFS.md 2.7).
    free_devices = _some(rng, devices, 0, 4)
    for dg in _some(rng, ('dg0', 'dg1')):
        members = _some(rng, targets)
        split = rng.randint(0, len(members))
        tgs = []
        for index, (tg, part) in enumerate((('local', members[:split]), ('remote', members[split:]))):
            if part or rng.random() < 0.3:
                tgs.append({'name': tg, 'attributes': {'group_id': str(index + 1 + rng.randint(0, 1) * 10),
                                                       'state': rng.choice(('active', 'nonoptimized', 'standby'))},
                            'targets': part})
        mine = free_devices[:rng.randint(0, len(free_devices))]
        free_devices = free_devices[len(mine):]
        device_groups.append({'name': dg, 'devices': mine, 'target_groups': tgs})
    return check({
        'handlers': [{'name': name, 'devices': found} for name, found in sorted(handlers.items())],
        'drivers': [{'name': 'qla2x00t', 'targets': fc},
                    {'name': 'iscsi', 'enabled': True, 'targets': iscsi}],
        'device_groups': device_groups,
    })
