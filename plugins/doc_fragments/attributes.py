# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Attribute declarations shared by every module of storage.scst, so each states its support level once.

Every module supports check mode, diff mode and idempotence fully and belongs to the action group; a module
states only what differs (ansible-core merges each attribute of a module into the fragment's, so a module's
``details`` or ``support: none`` is added to or replaces the fragment's).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options: {}
author:
  - storage.scst maintainers (@storage-scst)
requirements:
  - A Linux host with SCST 3.x built for its kernel (the C(scst) kernel modules and, for iSCSI, C(iscsi-scstd));
    developed against the sysfs interface of SCST 3.11.
  - Root privileges on the managed host (C(become=true)), to write C(/sys/kernel/scst_tgt) and load kernel modules.
attributes:
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: linux
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
  idempotent:
    description:
      - When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
      - This assumes that the system controlled/queried by the module has not changed in a relevant way.
    support: full
  action_group:
    description: Use C(group/storage.scst.scst) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - storage.scst.scst
'''

    FACTS = r'''
options: {}
attributes:
  facts:
    description: Action returns an C(ansible_facts) dictionary that will update existing host facts.
'''

    # scst_handler, scst_group and scst_lun: what their diff shows.
    OBJECT = r'''
options: {}
attributes:
  diff_mode:
    details: The diff shows the configuration read (in scst.conf form) before and after.
'''

    # scst_group and scst_lun: the driver of the target they change.
    IN_TARGET = r'''
options:
  driver:
    description: The target driver, for example C(iscsi), C(qla2x00t) or C(scst_local).
    type: str
    required: true
'''

    # The sysfs options every module that talks to SCST accepts.
    SYSFS = r'''
options:
  sysfs_timeout:
    description:
      - How long, in seconds, to wait for one SCST management command that the kernel finishes asynchronously
        (the write fails with EAGAIN and C(last_sysfs_mgmt_res) is polled until it answers).
      - scstadmin uses 300 seconds, the same default.
    type: int
    default: 300
  lock_timeout:
    description:
      - How long, in seconds, to wait for the host-wide lock that serialises every run of this collection's
        modules on one host, so two runs never interleave their writes.
    type: int
    default: 300
'''
