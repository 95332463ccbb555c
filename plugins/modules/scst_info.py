#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: scst_info
short_description: Read the running SCST configuration, version, kernel modules, FC ports and sessions
version_added: 0.1.0
description:
  - Reads C(/sys/kernel/scst_tgt), C(/sys/module) and C(/sys/class/fc_host) and returns them in RV(scst); never
    changes anything.
  - The configuration is returned in the model of M(storage.scst.scst_config) (handlers and devices, drivers,
    targets, LUNs, initiator groups, ALUA device groups, global attributes), with the attributes C(/etc/scst.conf)
    keeps, so it can be given back to M(storage.scst.scst_config) as O(storage.scst.scst_config#module:config).
  - On a host where SCST is not loaded the module still succeeds; RV(scst.loaded) is V(false), the SCST parts
    are empty and RV(scst.notes) says which module to load. The FC ports and the loaded modules are still read.
extends_documentation_fragment:
  - storage.scst.attributes
  - storage.scst.attributes.sysfs
attributes:
  check_mode:
    details: The module never changes anything, so it runs the same way in check mode.
  diff_mode:
    support: none
options:
  gather_subset:
    description:
      - The parts of RV(scst) to read. V(all) reads every part; the others are C(config), C(exports), C(devices),
        C(version), C(modules), C(fc_ports) and C(sessions). RV(scst.loaded) and RV(scst.notes) are always returned.
      - C(exports) is the part of C(config) that says what the initiators are offered, without any attribute. It
        costs a fraction of the reads of C(config), which reads every attribute of every object.
    type: list
    elements: str
    choices: [all, config, exports, devices, version, modules, fc_ports, sessions]
    default: [all]
notes:
  - CHAP secrets in the configuration are masked as C(NAME ********); the result never carries them.
  - The read holds the host-wide lock of this collection (see O(lock_timeout)), so it never sees half of a change
    that another run is applying.
seealso:
  - module: storage.scst.scst_config
  - module: storage.scst.scst_target
  - module: storage.scst.scst_module
'''

EXAMPLES = r'''
- name: Read everything
  storage.scst.scst_info:
  register: scst_now

- name: Show the WWPNs of the FC ports and their link state
  ansible.builtin.debug:
    msg: "{{ scst_now.scst.fc_ports | map(attribute='wwpn') | zip(scst_now.scst.fc_ports | map(attribute='port_state')) }}"

- name: Read only the initiators logged in, per driver and target
  storage.scst.scst_info:
    gather_subset: [sessions]
  register: logged_in
'''

RETURN = r'''
scst:
  description: What was read.
  returned: always
  type: dict
  contains:
    loaded:
      description: Whether SCST is loaded (C(/sys/kernel/scst_tgt) exists).
      type: bool
      returned: always
      sample: true
    notes:
      description: Why parts are empty, for example that SCST is not loaded.
      type: list
      elements: str
      returned: always
      sample: []
    config:
      description:
        - The running configuration in the model of M(storage.scst.scst_config), attributes as scst.conf keeps
          them; empty lists and dictionaries when SCST is not loaded.
      type: dict
      returned: when C(config) is in O(gather_subset)
      sample:
        attributes: {}
        handlers: [{name: vdisk_nullio, attributes: {}, devices: [{name: disk01, attributes: {}}]}]
        drivers:
          - name: iscsi
            enabled: true
            attributes: {}
            targets:
              - name: iqn.2026-01.com.example:t1
                hw_target: false
                enabled: true
                attributes: {IncomingUser: ["joe ********"]}
                luns: [{lun: 0, device: disk01, read_only: false}]
                groups: []
        alua: {}
        device_groups: []
    exports:
      description:
        - The drivers of RV(scst.config) with their targets, each target's LUNs and initiator groups (with their
          initiators and LUNs), and no attributes; an empty list when SCST is not loaded.
      type: list
      elements: dict
      returned: when C(exports) is in O(gather_subset)
      sample:
        - name: iscsi
          enabled: true
          targets:
            - name: iqn.2026-01.com.example:t1
              hw_target: false
              enabled: true
              luns: [{lun: 0, device: disk01, read_only: false}]
              groups: [{name: esx, initiators: ["iqn.1998-01.com.vmware:esx01"], luns: [{lun: 0, device: disk01, read_only: false}]}]
    version:
      description: The SCST version, or null when SCST is not loaded.
      type: str
      returned: when C(version) is in O(gather_subset)
      sample: 3.11.0-pre
    modules:
      description: The loaded SCST kernel modules (and the distribution C(qla2xxx)), each with its parameters.
      type: dict
      returned: when C(modules) is in O(gather_subset)
      sample: {scst: {scst_threads: "4"}, qla2xxx_scst: {qlini_mode: disabled}}
    fc_ports:
      description: The FC HBA ports of C(/sys/class/fc_host), WWNs in SCST's spelling, in host number order.
      type: list
      elements: dict
      returned: when C(fc_ports) is in O(gather_subset)
      sample:
        - {host: host1, wwpn: "21:00:00:24:ff:31:4c:48", node_name: "20:00:00:24:ff:31:4c:48", port_state: Online,
           speed: 16 Gbit}
    devices:
      description:
        - Per device, what identifies it to the initiators and what it stores, so that a disk seen on a host can be
          matched with its SCST device. Values the device does not have are null.
        - C(size) in bytes; C(usn) is the unit serial number (VPD page 0x80) and C(t10_vend_id), C(t10_dev_id),
          C(naa_id) and C(eui64_id) the designators of VPD page 0x83 (what Windows shows as the disk's unique id).
      type: dict
      returned: when C(devices) is in O(gather_subset)
      sample: {disk01: {handler: vdisk_fileio, size: 10737418240, filename: /srv/disk01.img, read_only: false,
                        t10_vend_id: SCST_FIO, t10_dev_id: 27cddc71-disk01, usn: 27cddc71, naa_id: null, eui64_id: null}}
    sessions:
      description: The initiators logged in (session names), per driver and target; targets without sessions are left out.
      type: dict
      returned: when C(sessions) is in O(gather_subset)
      sample: {iscsi: {"iqn.2026-01.com.example:t1": ["iqn.1998-01.com.vmware:esx01"]}}
'''

from ansible_collections.storage.scst.plugins.module_utils._info import SUBSETS, read
from ansible_collections.storage.scst.plugins.module_utils._runner import ScstModule


def main():
    scst = ScstModule(dict(gather_subset=dict(type='list', elements='str', default=['all'],
                                              choices=['all'] + list(SUBSETS))))
    wanted = set(scst.params['gather_subset'])
    subset = set(SUBSETS) if 'all' in wanted else wanted

    def body():
        with scst.client.locked():
            return {'changed': False, 'scst': read(scst.client, subset)}

    scst.run(body)


if __name__ == '__main__':
    main()
