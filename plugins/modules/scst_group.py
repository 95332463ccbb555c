#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: scst_group
short_description: Manage an initiator group of an SCST target, its initiators and its LUNs
version_added: 0.1.0
description:
  - Creates, changes and deletes one initiator group (LUN masking) of a target. An initiator that logs in gets
    the LUN set of the first group (in creation order) with an entry that matches its name, and the target's
    default LUN set when none matches.
  - O(initiators) are names or wildcard patterns (C(*), C(?), a leading C(!) inverts). For C(qla2x00t) a WWPN
    may be written in any common form (C(21:00:00:24:FF:7A:11:02), C(0x21000024ff7a1102), C(21000024ff7a1102))
    and is normalised to SCST's spelling.
  - An initiator that is listed in another group of the same target is moved into this group, so that it is in
    one group only.
  - Configure groups before enabling the target; sessions already open keep the LUN set they were given until
    the group's initiators change.
extends_documentation_fragment:
  - storage.scst.attributes
  - storage.scst.attributes.sysfs
  - storage.scst.attributes.object
  - storage.scst.attributes.in_target
options:
  target:
    description:
      - The target name. An FC port (C(qla2x00t)) may be given by its WWPN in any common form.
      - The target must exist (see M(storage.scst.scst_target)).
    type: raw
    required: true
  name:
    description:
      - The group name (no whitespace, C(/), C(=), C(;), invisible characters, not C(.), C(..) or C(mgmt)).
      - Names are text; an unquoted YAML boolean (C(true), C(yes), ...) is refused.
    type: raw
    required: true
    aliases: [group]
  initiators:
    description:
      - Initiator names or patterns of the group. Left as they are when not given.
      - SCST compares initiator names ignoring case, so entries that differ only in case are the same entry.
    type: list
    elements: str
  purge:
    description:
      - V(true) makes the group hold exactly O(initiators) (and exactly O(luns), when given), removing the others.
      - V(false) only adds what is missing.
    type: bool
    default: false
  luns:
    description:
      - LUNs of the group's LUN set, as M(storage.scst.scst_lun) describes them. A LUN that exists with another
        device or read-only flag is replaced. Left as they are when not given.
    type: list
    elements: dict
    suboptions:
      lun:
        description:
          - The LUN number, 0 to 16383, an integer or decimal text without a leading zero (SCST would read
            C('010') as octal). Each number once.
        type: raw
        required: true
      device:
        description: The SCST device the LUN maps; it must exist.
        type: raw
        required: true
      read_only:
        description: Whether the LUN is read-only.
        type: bool
        default: false
  attributes:
    description:
      - "Group attributes, for example C({addr_method: FLAT, io_grouping_type: never}), written when they differ."
    type: dict
    default: {}
  state:
    description:
      - V(present) creates the group when it is missing and adds (or with O(purge), removes) initiators and LUNs.
      - V(absent) deletes the group with its initiators and LUNs. A group whose LUN set open sessions use is not
        deleted unless O(force=true).
    type: str
    choices: [present, absent]
    default: present
  force:
    description:
      - Allow what initiators that are logged in would notice. Without it the task fails before it writes anything
        (check mode too), naming the sessions and the LUNs (C(driver/target/group/LUN)) concerned, when it would
        delete the group while sessions use it, remove or re-point (O(luns) with O(purge)) a LUN that a session
        sees, or remove (O(purge)) the initiator entry that put a logged-in initiator in the group.
      - With it, the sessions that use a group being deleted are closed, and waited for, before it is deleted.
    type: bool
    default: false
seealso:
  - module: storage.scst.scst_lun
  - module: storage.scst.scst_target
'''

EXAMPLES = r'''
- name: The ESX hosts see disk01 as LUN 0 through the first FC port
  storage.scst.scst_group:
    driver: qla2x00t
    target: 21:00:00:24:ff:31:4c:48
    name: esx_cluster
    initiators:
      - 21:00:00:24:ff:7a:11:02
      - 0x21000024FF7A1103
    luns:
      - {lun: 0, device: disk01}

- name: Exactly these two initiators in group backup, whatever was added by hand
  storage.scst.scst_group:
    driver: iscsi
    target: iqn.2026-01.com.example:storage.t1
    name: backup
    initiators: [iqn.1993-08.org.debian:01:backup1, iqn.1993-08.org.debian:01:backup2]
    purge: true

- name: Delete a group, closing the sessions that use it
  storage.scst.scst_group:
    driver: iscsi
    target: iqn.2026-01.com.example:storage.t1
    name: old_hosts
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
    - echo 'create esx_cluster' > /sys/kernel/scst_tgt/targets/qla2x00t/21:00:00:24:ff:31:4c:48/ini_groups/mgmt
    - echo 'add 21:00:00:24:ff:7a:11:02' > /sys/kernel/scst_tgt/targets/qla2x00t/21:00:00:24:ff:31:4c:48/ini_groups/esx_cluster/initiators/mgmt
before:
  description:
    - The configuration the module read before the change, in the model of M(storage.scst.scst_config), that is
      the target with its groups, and the devices O(luns) names. With O(state=present) attributes are limited to
      those the task sets or depends on (a device's C(read_only), the target's C(rel_tgt_id)).
  returned: success
  type: dict
  sample: &model_sample
    attributes: {}
    handlers: [{name: vdisk_blockio, attributes: {}, devices: [{name: disk01, attributes: {filename: /dev/vg0/lun01}}]}]
    drivers:
      - name: qla2x00t
        enabled: null
        attributes: {}
        targets:
          - name: "21:00:00:24:ff:31:4c:48"
            hw_target: true
            enabled: true
            attributes: {}
            luns: []
            groups: [{name: esx_cluster, attributes: {}, luns: [{lun: 0, device: disk01, read_only: false}],
                      initiators: ["21:00:00:24:ff:7a:11:02"]}]
    alua: {}
    device_groups: []
after:
  description:
    - RV(before) after the change, the target's groups with their initiators and LUNs, predicted from the writes,
      in check mode too (only values SCST chooses itself are read back after a real run).
  returned: when changed, in check mode too
  type: dict
  sample: *model_sample
'''

from ansible_collections.storage.scst.plugins.module_utils import _intent
from ansible_collections.storage.scst.plugins.module_utils._runner import ScstModule


def main():
    scst = ScstModule(dict(
        driver=dict(type='str', required=True),
        target=dict(type='raw', required=True),
        name=dict(type='raw', required=True, aliases=['group']),
        initiators=dict(type='list', elements='str'),
        purge=dict(type='bool', default=False),
        luns=dict(type='list', elements='dict', options=dict(
            lun=dict(type='raw', required=True),
            device=dict(type='raw', required=True),
            read_only=dict(type='bool', default=False),
        )),
        attributes=dict(type='dict', default={}),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        force=dict(type='bool', default=False),
    ))
    scst.run_intent(_intent.group)


if __name__ == '__main__':
    main()
