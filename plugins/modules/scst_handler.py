#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: scst_handler
short_description: Manage the devices of an SCST device handler
version_added: 0.1.0
description:
  - Creates, changes and deletes one device of an SCST device handler through C(/sys/kernel/scst_tgt), either a
    virtual disk of C(vdisk_fileio), C(vdisk_blockio), C(vdisk_nullio) or C(vcdrom), or a local SCSI device C(H:C:I:L)
    handed to a pass-through handler such as C(dev_disk).
  - O(attributes) are split the way the running kernel says. Those the handler's C(mgmt) file lists as
    C(add_device) parameters are passed when the device is created; the others are written one by one, and
    only when their value differs.
  - Attributes that SCST accepts only at creation (C(filename), C(blocksize), C(read_only), C(write_through),
    C(nv_cache), C(o_direct), C(rotational), C(removable), C(thin_provisioned), C(tst), C(dif_*)) can only change
    by deleting and re-creating the device, which disconnects its initiators. That happens only when
    O(recreate) allows it; the LUNs and ALUA device group membership of a re-created device are restored in the
    same run.
  - Backing files and block devices are never created, truncated or removed.
extends_documentation_fragment:
  - storage.scst.attributes
  - storage.scst.attributes.sysfs
  - storage.scst.attributes.object
attributes:
  idempotent:
    details: Not with O(recreate=always), which re-creates the device on every run.
options:
  handler:
    description:
      - The device handler, for example C(vdisk_fileio), C(vdisk_blockio), C(vdisk_nullio), C(vcdrom) or
        C(dev_disk). Its kernel module must be loaded (see M(storage.scst.scst_module)).
    type: str
    required: true
  name:
    description:
      - The device name. Virtual devices take a name of at most 64 bytes without whitespace, C(/), C(.), C(=) or
        C(;), invisible characters, not C(mgmt), C(type) or C(trace_level). Pass-through handlers take the SCSI
        address C(H:C:I:L) of a local SCSI device.
      - Names are text; an unquoted YAML boolean (C(true), C(yes), ...) is refused.
    type: raw
    required: true
    aliases: [device]
  state:
    description:
      - V(present) creates the device when it is missing and brings its attributes to O(attributes).
      - V(absent) deletes it (a pass-through device is only released by the handler; it stays on the host).
        A device that is mapped as a LUN anywhere is not deleted unless O(force=true).
    type: str
    choices: [present, absent]
    default: present
  attributes:
    description:
      - "Device attributes, for example C({filename: /srv/disk01.img, blocksize: 4096, rotational: false})."
      - Values are compared after normalisation (C(true), C(yes) and C(1) are the same boolean, C(0x10) and C(16)
        the same number). Attributes not named are left as they are.
      - C(filename) is required by C(vdisk_fileio) and C(vdisk_blockio) when the device is created; on C(vcdrom)
        it is the medium, and changing it changes the medium.
      - Pass-through devices take no attributes.
    type: dict
    default: {}
  recreate:
    description:
      - What to do when a creation-time attribute (or the handler) of an existing device differs.
      - V(never) changes nothing, warns and reports the differences.
      - V(options-changed) deletes the device and creates it again with the new attributes, then restores its
        LUNs. Its initiators are disconnected meanwhile.
      - V(always) re-creates the device on every run.
    type: str
    choices: [never, options-changed, always]
    default: never
  force:
    description:
      - Allow what takes LUNs away. Without it the task fails before it writes anything (check mode too) when
        O(state=absent) would delete a device that is mapped as a LUN anywhere, or when deleting or re-creating
        (O(recreate)) the device would take away a LUN that a logged-in initiator sees; the message names the
        LUNs (C(driver/target/group/LUN)) and the sessions.
      - With it the device is deleted or re-created; SCST removes its LUNs with it (a re-created device gets
        them back).
    type: bool
    default: false
notes:
  - SCST itself removes the LUNs of a deleted device, so without O(force) the module refuses and lists them
    (C(driver/target/lun) or C(driver/target/group/lun)).
seealso:
  - module: storage.scst.scst_lun
  - module: storage.scst.scst_module
  - module: storage.scst.scst_config
'''

EXAMPLES = r'''
- name: A file-backed disk with 4 KiB blocks on flash
  storage.scst.scst_handler:
    handler: vdisk_fileio
    name: disk01
    attributes:
      filename: /srv/scst/disk01.img
      blocksize: 4096
      rotational: false
      prod_id: DISK01

- name: A logical volume, re-created if its creation-time attributes changed
  storage.scst.scst_handler:
    handler: vdisk_blockio
    name: lun_db
    attributes:
      filename: /dev/vg0/db
      write_through: true
    recreate: options-changed

- name: Export the local SCSI disk 2:0:0:0 through the pass-through handler
  storage.scst.scst_handler:
    handler: dev_disk
    name: "2:0:0:0"

- name: Delete a device together with its LUNs
  storage.scst.scst_handler:
    handler: vdisk_fileio
    name: disk01
    state: absent
    force: true
'''

RETURN = r'''
commands:
  description: The writes to C(/sys/kernel/scst_tgt) made (or, in check mode, that would be made), in order.
  returned: always
  type: list
  elements: str
  sample:
    - echo 'add_device disk01 blocksize=4096;filename=/srv/scst/disk01.img' > /sys/kernel/scst_tgt/handlers/vdisk_fileio/mgmt
    - echo DISK01 > /sys/kernel/scst_tgt/devices/disk01/prod_id
before:
  description:
    - The configuration the module read before the change, in the model of M(storage.scst.scst_config)
      (C(handlers), C(drivers), C(device_groups)), limited to the device (with O(state=present), to the attributes
      the task sets) and, when the device is deleted or re-created, the targets that map it (from the device's
      C(exported) links).
  returned: success
  type: dict
  sample: &model_sample
    attributes: {}
    handlers:
      - name: vdisk_fileio
        attributes: {}
        devices: [{name: disk01, attributes: {filename: /srv/scst/disk01.img, blocksize: "4096", prod_id: DISK01}}]
    drivers: []
    alua: {}
    device_groups: []
after:
  description:
    - The device of RV(before), and the targets that mapped it when it was deleted or re-created, after the change.
      It is predicted from the writes, in check mode too (only values SCST chooses itself are read back after a
      real run).
  returned: when changed, in check mode too
  type: dict
  sample: *model_sample
luns:
  description: Where the device is mapped as a LUN (C(driver/target/lun) or C(driver/target/group/lun)), when
    O(state=absent) was refused because of them.
  returned: failure
  type: list
  elements: str
  sample: [iscsi/iqn.2026-01.com.example:t1/0]
'''

from ansible_collections.storage.scst.plugins.module_utils import _intent
from ansible_collections.storage.scst.plugins.module_utils._runner import ScstModule


def main():
    scst = ScstModule(dict(
        handler=dict(type='str', required=True),
        name=dict(type='raw', required=True, aliases=['device']),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        attributes=dict(type='dict', default={}),
        recreate=dict(type='str', choices=['never', 'options-changed', 'always'], default='never'),
        force=dict(type='bool', default=False),
    ))
    scst.run_intent(_intent.device)


if __name__ == '__main__':
    main()
