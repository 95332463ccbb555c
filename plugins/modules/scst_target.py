#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: scst_target
short_description: Manage SCST targets of a target driver, and the driver's own settings
version_added: 0.1.0
description:
  - Creates and deletes virtual targets (iSCSI IQNs, C(scst_local) targets, FC NPIV ports), enables or disables
    them, and sets their attributes, through C(/sys/kernel/scst_tgt/targets/<driver>).
  - Hardware targets (one per QLogic FC port for C(qla2x00t), InfiniBand ports for C(ib_srpt)) exist by themselves;
    they are never created or deleted. O(name) accepts a WWPN in any common spelling (C(0x21000024ff314c48),
    C(21:00:00:24:FF:31:4C:48), C(21000024ff314c48)); a port the host does not have fails with the list of the
    ports it has. O(state=absent) disables such a target and removes its LUNs and initiator groups.
  - Without O(name) the task manages only the driver-level settings O(driver_enabled), O(driver_attributes) and
    O(driver_chap).
  - Multi-valued attributes (C(allowed_portal), and the CHAP users of O(chap) and O(driver_chap)) are compared
    as sets and changed value by value with the driver's C(add_target_attribute) / C(del_target_attribute)
    (C(add_attribute) / C(del_attribute)) commands; a value that is already there is never written again.
  - LUNs and initiator groups of a target are managed with M(storage.scst.scst_lun) and
    M(storage.scst.scst_group); this module leaves them as they are, except when a hardware target is cleared
    by O(state=absent), or a virtual target is deleted with them.
  - All reads and writes of one run hold a host-wide lock, so two runs on one host never interleave.
extends_documentation_fragment:
  - storage.scst.attributes
  - storage.scst.attributes.sysfs
attributes:
  check_mode:
    details: Check mode reads the kernel and reports the exact commands a real run would write.
  diff_mode:
    details: The diff shows the configuration read before and after, in scst.conf form, CHAP secrets masked.
options:
  driver:
    description:
      - The target driver, as named under C(/sys/kernel/scst_tgt/targets), for example C(iscsi), C(qla2x00t),
        C(scst_local). Its kernel module must be loaded (see M(storage.scst.scst_module)); for C(iscsi) the
        daemon C(iscsi-scstd) must run.
    type: str
    required: true
  name:
    description:
      - The target. For C(iscsi) its IQN; for C(qla2x00t) the WWPN of the FC port (any common spelling, reported
        in SCST's C(xx:xx:xx:xx:xx:xx:xx:xx) form).
      - Leave it out to manage only the driver-level options.
      - For C(iscsi) the name must follow RFC 7143 (C(iqn.YYYY-MM.reversed.domain[:name]), C(eui.) with 16 or
        C(naa.) with 16 or 32 hex digits, at most 223 bytes). Names are text; an unquoted YAML boolean is refused.
    type: raw
  state:
    description:
      - V(present) creates a missing virtual target (fails for a missing hardware target) and sets what the
        other options give.
      - V(absent) deletes a virtual target with its LUNs and groups, or disables a hardware target and removes
        its LUNs, groups and multi-valued attributes. A target with open sessions is not deleted unless
        O(force=true). Needs O(name).
    type: str
    choices: [present, absent]
    default: present
  enabled:
    description:
      - Whether the target accepts logins. Left out, a present target keeps its state and a new one stays
        disabled (SCST creates targets disabled).
      - Targets are enabled after their attributes are set. Disabling a target with open sessions needs
        O(force=true).
    type: bool
  attributes:
    description:
      - Target attributes to set, for example C(allowed_portal) and C(QueuedCommands) of an iSCSI target or
        C(node_name) of an FC port. Attributes not named are left as they are.
      - Values are compared after normalisation (numbers in any base, C(Yes)/C(No) and booleans).
      - A multi-valued attribute (C(allowed_portal)) takes a list and becomes exactly that set; V([]) removes
        every value.
      - C(node_name) and C(parent_host) of a new C(qla2x00t) target create an NPIV port.
      - The iSCSI session keys without a file (C(MaxConnections), C(DefaultTime2Wait), C(DefaultTime2Retain),
        C(ErrorRecoveryLevel), C(DataPDUInOrder), C(DataSequenceInOrder), C(OFMarker), C(IFMarker), C(OFMarkInt),
        C(IFMarkInt)) are given only when the target is created and are not compared on an existing one.
      - CHAP users go in O(chap), not here, so that their secrets are never logged.
    type: dict
  chap:
    description:
      - CHAP users of the target (iSCSI C(IncomingUser) and C(OutgoingUser)). Each list given becomes exactly the
        set of users of the target (a changed secret is deleted and added again); V([]) removes them all; a
        list left out is not touched.
    type: dict
    suboptions:
      incoming:
        description: Users the initiators authenticate as.
        type: list
        elements: dict
        suboptions: &chap_user
          user:
            description: User name; no blanks, no C(=).
            type: str
            required: true
          secret:
            description: The CHAP secret, at least 12 characters; no blanks, no C(=). Never logged or shown.
            type: str
            required: true
      outgoing:
        description: The one user the target authenticates as (mutual CHAP); SCST keeps at most one.
        type: list
        elements: dict
        suboptions: *chap_user
  driver_enabled:
    description:
      - Whether the driver accepts connections at all (C(targets/<driver>/enabled), for example iSCSI's, which
        the daemon provides). Written after the target's own settings. Left out, it is not touched.
    type: bool
  driver_attributes:
    description:
      - Driver attributes to set, for example C(iSNSServer) or C(link_local) of the iSCSI driver. Attributes not
        named are left as they are.
    type: dict
  driver_chap:
    description:
      - CHAP users of the driver (iSCSI discovery sessions), with the same layout and set semantics as O(chap).
    type: dict
    suboptions:
      incoming:
        description: Users discovery initiators authenticate as.
        type: list
        elements: dict
        suboptions: *chap_user
      outgoing:
        description: The one user the target authenticates as to discovery initiators.
        type: list
        elements: dict
        suboptions: *chap_user
  force:
    description:
      - Allow what initiators that are logged in would notice. Without it the task fails before it writes anything
        (check mode too), naming the sessions and the LUNs concerned, when it would disable a target (O(enabled))
        or a driver (O(driver_enabled)) that has sessions, or delete or clear (O(state=absent)) a target whose LUNs
        or groups sessions use.
      - With O(state=absent) and O(force=true), the open sessions of the target (or of its groups) are closed, and
        waited for, before it is deleted or cleared.
    type: bool
    default: false
notes:
  - Reads and writes only C(/sys/kernel/scst_tgt) (and reads C(/sys/class/fc_host) to list the FC ports when
    a WWPN is not found).
  - Every name and value is checked before anything is written, so no input can add a parameter or a command
    to a write.
  - Restarting C(iscsi-scstd) or reloading C(iscsi_scst) deletes every iSCSI target; run the task again
    afterwards.
seealso:
  - module: storage.scst.scst_module
  - module: storage.scst.scst_lun
  - module: storage.scst.scst_group
  - module: storage.scst.scst_info
  - module: storage.scst.scst_config
'''

EXAMPLES = r'''
- name: Create an iSCSI target reachable on one subnet, with CHAP, and enable it
  storage.scst.scst_target:
    driver: iscsi
    name: iqn.2026-01.com.example:storage.t1
    enabled: true
    attributes:
      allowed_portal: ["10.0.0.*"]
      QueuedCommands: 64
    chap:
      incoming:
        - user: esx01
          secret: "{{ vault_chap_esx01 }}"

- name: Enable the iSCSI driver, with discovery CHAP
  storage.scst.scst_target:
    driver: iscsi
    driver_enabled: true
    driver_chap:
      incoming:
        - user: discovery
          secret: "{{ vault_chap_discovery }}"

- name: Put an FC port in target mode (the WWPN as /sys/class/fc_host shows it)
  storage.scst.scst_target:
    driver: qla2x00t
    name: "0x21000024ff314c48"
    enabled: true

- name: Delete an iSCSI target even if initiators are logged in
  storage.scst.scst_target:
    driver: iscsi
    name: iqn.2026-01.com.example:storage.t1
    state: absent
    force: true

- name: Take an FC port out of service, clearing its LUNs and groups
  storage.scst.scst_target:
    driver: qla2x00t
    name: "21:00:00:24:ff:31:4c:48"
    state: absent
'''

RETURN = r'''
name:
  description: The target name as SCST spells it (a WWPN in C(xx:xx:xx:xx:xx:xx:xx:xx) form for FC).
  returned: when O(name) is given
  type: str
  sample: "21:00:00:24:ff:31:4c:48"
commands:
  description: The writes made (or, in check mode, that would be made), in order, as shell lines; CHAP secrets masked.
  returned: always
  type: list
  elements: str
  sample: ["echo 'add_target iqn.2026-01.com.example:t1' > /sys/kernel/scst_tgt/targets/iscsi/mgmt"]
before:
  description:
    - The configuration model (see M(storage.scst.scst_config)) of the driver and the target as read before any
      change, with the attributes scst.conf keeps (those not at their default). CHAP secrets are masked.
  returned: success
  type: dict
  sample: &model_sample
    attributes: {}
    handlers: []
    drivers:
      - name: iscsi
        enabled: true
        attributes: {}
        targets:
          - {name: "iqn.2026-01.com.example:t1", hw_target: false, enabled: true,
             attributes: {IncomingUser: ["joe ********"]}, luns: [], groups: []}
    alua: {}
    device_groups: []
after:
  description:
    - The same model after the change, predicted from the writes, in check mode too. After a real run SCST's own
      choices are read back (an automatic C(rel_tgt_id), the attributes of a new target, whether a value written is
      one scst.conf keeps); in check mode a target enabled without C(rel_tgt_id) shows none.
  returned: when changed, in check mode too
  type: dict
  sample: *model_sample
'''

from ansible_collections.storage.scst.plugins.module_utils import _intent, _secrets
from ansible_collections.storage.scst.plugins.module_utils._runner import ScstModule

_USER = dict(user=dict(type='str', required=True), secret=dict(type='str', required=True, no_log=True))
_CHAP = dict(type='dict', options=dict((key, dict(type='list', elements='dict', options=_USER))
                                       for key, dummy in _secrets.CHAP_ATTRIBUTES))

ARGUMENT_SPEC = dict(
    driver=dict(type='str', required=True),
    name=dict(type='raw'),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
    enabled=dict(type='bool'),
    attributes=dict(type='dict'),
    chap=_CHAP,
    driver_enabled=dict(type='bool'),
    driver_attributes=dict(type='dict'),
    driver_chap=_CHAP,
    force=dict(type='bool', default=False),
)


def main():
    scst = ScstModule(ARGUMENT_SPEC, secrets_in=_intent.target_secrets, required_if=[('state', 'absent', ['name'])])
    scst.run_intent(_intent.target)


if __name__ == '__main__':
    main()
