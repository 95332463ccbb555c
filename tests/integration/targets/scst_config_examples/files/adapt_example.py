# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Adapt the model of a real scst.conf to the virtual test host; print the adapted model and what changed.

Usage: adapt_example.py MODEL.json BACKING_DIR BLOCK_DEVICE SECRET WWPN_MAP.json > ADAPTED.json

The examples come from production machines. The virtual host has what SCST needs to apply them, except:
- backing storage: vdisk_fileio and vcdrom files are created under BACKING_DIR, one per device; every
  vdisk_blockio device uses BLOCK_DEVICE (a loop device); the size the kernel derives from it is dropped;
- hardware the emulator does not have: dev_* pass-through devices (the example's SCSI disks) and ib_srpt
  targets (no InfiniBand ports) are left out, with the LUNs and ALUA entries that name them;
- FC ports: WWPNs of the examples are given to the host (fc_ports); those not in WWPN form are rewritten
  through WWPN_MAP;
- CHAP secrets, which scst_config masks in its output, get SECRET back;
- names and attributes scstadmin itself could not apply (listed in UNAPPLIABLE, target names with blanks, a
  device in two ALUA device groups) are renamed or dropped.
"""

from __future__ import absolute_import, division, print_function

import json
import sys

MASK = '********'
CHAP = ('IncomingUser', 'OutgoingUser')
# Attributes that no SCST kernel takes as written (a typo in a synthetic fixture, a global that SCST 3.11 does
# not offer, an iSNS entity name with blanks of which iscsi-scstd keeps the first word): scstadmin would fail
# to write them, or write them again on every run, too.
UNAPPLIABLE = {
    'device': ('readonly',),
    'global': ('def_sess_per_tgt',),
    'driver': ('isns_entity_name',),
}
DERIVED = ('size', 'size_mb')
# vdisk_blockio has neither (SCST_CONF.md 1.5: blockio = fileio minus async, o_direct); a synthetic fixture sets
# o_direct on a blockio device, which scstadmin would fail to write as well.
BLOCKIO_LACKS = ('async', 'o_direct')


def unmask(attributes, secret):
    for name in CHAP:
        if name in attributes:
            attributes[name] = [value.replace(MASK, secret) for value in attributes[name]]


def main():
    model_path, backing, block_device, secret, wwpn_map_path = sys.argv[1:6]
    with open(model_path) as handle:
        model = json.load(handle)
    with open(wwpn_map_path) as handle:
        wwpn_map = json.load(handle)
    notes = []
    gone_devices = set()
    files = []
    handlers = []
    for handler in model['handlers']:
        if handler['name'].startswith('dev_'):
            gone_devices.update(device['name'] for device in handler['devices'])
            notes.append('left out pass-through handler %s (the host does not have the SCSI devices of the example)' % handler['name'])
            continue
        for device in handler['devices']:
            attrs = device['attributes']
            for name in UNAPPLIABLE['device']:
                if attrs.pop(name, None) is not None:
                    notes.append('dropped attribute %s of device %s' % (name, device['name']))
            if handler['name'] == 'vdisk_blockio':
                attrs['filename'] = block_device
                for name in BLOCKIO_LACKS:
                    if attrs.pop(name, None) is not None:
                        notes.append('dropped attribute %s of blockio device %s' % (name, device['name']))
            elif 'filename' in attrs:
                attrs['filename'] = '%s/%s.img' % (backing, device['name'])
                files.append(attrs['filename'])
            if handler['name'] != 'vdisk_nullio':
                for name in DERIVED:
                    attrs.pop(name, None)
        handlers.append(handler)
    model['handlers'] = handlers
    for name in UNAPPLIABLE['global']:
        if model['attributes'].pop(name, None) is not None:
            notes.append('dropped global attribute %s' % name)
    drivers = []
    gone_targets = set()
    for driver in model['drivers']:
        if driver['name'] == 'ib_srpt':
            gone_targets.update(target['name'] for target in driver['targets'])
            notes.append('left out driver ib_srpt (no InfiniBand ports in the host)')
            continue
        unmask(driver['attributes'], secret)
        for name in UNAPPLIABLE['driver']:
            if driver['attributes'].pop(name, None) is not None:
                notes.append('dropped attribute %s of driver %s' % (name, driver['name']))
        for target in driver['targets']:
            unmask(target['attributes'], secret)
            if target['name'] in wwpn_map:
                notes.append('target %s renamed %s' % (target['name'], wwpn_map[target['name']]))
                target['name'] = wwpn_map[target['name']]
            elif ' ' in target['name']:
                notes.append('target %r renamed without blanks' % target['name'])
                target['name'] = target['name'].replace(' ', '-')
            target['luns'] = [lun for lun in target['luns'] if lun['device'] not in gone_devices]
            for group in target['groups']:
                group['luns'] = [lun for lun in group['luns'] if lun['device'] not in gone_devices]
        drivers.append(driver)
    model['drivers'] = drivers
    grouped = set()
    for group in model['device_groups']:
        for name in group['devices']:
            if name in grouped:
                notes.append('device %s left out of device group %s: SCST keeps a device in one device group only'
                             % (name, group['name']))
        group['devices'] = [name for name in group['devices'] if name not in gone_devices and name not in grouped]
        grouped.update(group['devices'])
        for tg in group['target_groups']:
            tg['targets'] = [target for target in tg['targets'] if target['name'] not in gone_targets]
            for target in tg['targets']:
                target['name'] = wwpn_map.get(target['name'], target['name'].replace(' ', '-'))
    json.dump({'config': model, 'files': files, 'notes': notes}, sys.stdout, indent=1, sort_keys=True)


if __name__ == '__main__':
    main()
