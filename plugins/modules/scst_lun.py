#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: scst_lun
short_description: Map an SCST device as a LUN of a target or of an initiator group
version_added: 0.1.0
description:
  - Adds, changes or deletes one LUN in the default LUN set of a target (what initiators that no group
    captures see) or in the LUN set of an initiator group of that target.
  - A LUN that exists with another device or another read-only flag is changed with SCST's C(replace) command.
    C(replace) always removes and re-creates the LUN, even with the same device, so the module sends it only
    when something differs; an unchanged LUN causes no write at all.
  - The target, the group and the device must exist; the module does not create them (see
    M(storage.scst.scst_target), M(storage.scst.scst_group), M(storage.scst.scst_handler)).
extends_documentation_fragment:
  - storage.scst.attributes
  - storage.scst.attributes.sysfs
  - storage.scst.attributes.object
  - storage.scst.attributes.in_target
options:
  target:
    description:
      - The target name. An FC port (C(qla2x00t)) may be given by its WWPN in any common form
        (C(21:00:00:24:FF:31:4C:48), C(0x21000024ff314c48), C(21000024ff314c48)).
      - Names are text; an unquoted YAML boolean (C(true), C(yes), ...) is refused.
    type: raw
    required: true
  group:
    description: The initiator group whose LUN set holds the LUN. Without it, the target's default LUN set.
    type: raw
  lun:
    description:
      - The LUN number, 0 to 16383. Initiators see no LUN of a set that has no LUN 0.
      - An integer or decimal text; text with a leading zero (C('010')) is refused, because SCST would read it
        as octal. M(storage.scst.scst_config) reads LUN numbers the same way.
    type: raw
    required: true
  device:
    description:
      - The SCST device the LUN maps. Required with O(state=present).
      - With O(state=absent) it is optional; when given, a LUN that maps another device is not deleted and the
        module fails.
    type: raw
  read_only:
    description:
      - Whether the LUN is read-only. A LUN of a device that is read-only itself is always read-only.
    type: bool
    default: false
  state:
    description: Whether the LUN exists (V(present)) or not (V(absent)).
    type: str
    choices: [present, absent]
    default: present
  force:
    description:
      - Allow changing a LUN that initiators that are logged in see. Without it the task fails before it writes
        anything (check mode too), naming the sessions, when O(state=absent) would delete, or O(state=present)
        would re-point to another device, a LUN of a LUN set that a session uses (the session's group, or the
        target's default LUN set for an initiator in no group).
    type: bool
    default: false
seealso:
  - module: storage.scst.scst_handler
  - module: storage.scst.scst_group
  - module: storage.scst.scst_target
'''

EXAMPLES = r'''
- name: LUN 0 of an iSCSI target, for every initiator that no group captures
  storage.scst.scst_lun:
    driver: iscsi
    target: iqn.2026-01.com.example:storage.t1
    lun: 0
    device: disk01

- name: LUN 1, read-only, for the initiators of group esx_cluster of an FC port
  storage.scst.scst_lun:
    driver: qla2x00t
    target: "0x21000024ff314c48"
    group: esx_cluster
    lun: 1
    device: iso01
    read_only: true

- name: Re-point LUN 0 to a new device while the initiators that see it are logged in
  storage.scst.scst_lun:
    driver: iscsi
    target: iqn.2026-01.com.example:storage.t1
    lun: 0
    device: disk02
    force: true

- name: Remove LUN 3, but only if it still maps the old device
  storage.scst.scst_lun:
    driver: iscsi
    target: iqn.2026-01.com.example:storage.t1
    lun: 3
    device: old_disk
    state: absent
'''

RETURN = r'''
commands:
  description: The writes to C(/sys/kernel/scst_tgt) made (or, in check mode, that would be made), in order.
  returned: always
  type: list
  elements: str
  sample: ["echo 'add disk01 0' > /sys/kernel/scst_tgt/targets/iscsi/iqn.2026-01.com.example:storage.t1/luns/mgmt"]
before:
  description:
    - The configuration the module read before the change, in the model of M(storage.scst.scst_config), that is
      the target (with its LUNs and groups) and the device. With O(state=present) attributes are limited to those
      the task depends on (the device's C(read_only), the target's C(rel_tgt_id)).
  returned: success
  type: dict
  sample: &model_sample
    attributes: {}
    handlers: [{name: vdisk_fileio, attributes: {}, devices: [{name: disk01, attributes: {filename: /srv/disk01.img}}]}]
    drivers:
      - name: iscsi
        enabled: true
        attributes: {}
        targets:
          - {name: "iqn.2026-01.com.example:storage.t1", hw_target: false, enabled: true, attributes: {},
             luns: [{lun: 0, device: disk01, read_only: false}], groups: []}
    alua: {}
    device_groups: []
after:
  description:
    - The target and the device of RV(before) after the change, predicted from the writes, in check mode too (only
      values SCST chooses itself are read back after a real run).
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
        group=dict(type='raw'),
        lun=dict(type='raw', required=True),
        device=dict(type='raw'),
        read_only=dict(type='bool', default=False),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        force=dict(type='bool', default=False),
    ), required_if=[('state', 'present', ['device'])])
    scst.run_intent(_intent.lun)


if __name__ == '__main__':
    main()
