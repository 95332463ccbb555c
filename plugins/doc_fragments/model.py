# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The configuration model, option by option: the config option of scst_config.

The role's scst_config variable (roles/scst/meta/argument_specs.yml) carries the same suboptions plus the
role's port shorthand; a unit test keeps the two equal. The module's argument spec (MODEL_SPEC in
plugins/modules/scst_config.py) is checked against this text by ansible-test sanity (validate-modules)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  config:
    description:
      - The desired configuration as the collection's configuration model, the structured form of C(scst.conf).
        It is the shape of the C(scst_config) variable of the role C(storage.scst.scst) and of what
        O(state=parsed) and O(state=gathered) return, so a result can be fed back in.
      - Lists of objects are keyed by C(name) (C(lun) for LUNs); their order does not matter.
      - "Attribute values (every C(attributes) mapping) are strings, numbers or booleans, written as SCST reads them:
        numbers in any base (C(0x10) and C(16) are equal), booleans as V(true)/V(false), V(1)/V(0) or V(Yes)/V(No),
        WWNs in any case and with or without colons. An attribute that holds several values (C(IncomingUser),
        C(OutgoingUser) and C(allowed_portal) of iSCSI targets) takes a list, one entry per value."
      - "Names follow the rule of every module of this collection: not C(.) or C(..); no blanks, quotes, braces,
        C(=), C(;), C(/), control or invisible characters (such as U+200B or U+202E); not the name of an entry SCST
        keeps beside the object (a device named C(mgmt) or C(type), a target named C(mgmt) or C(enabled)); at most
        255 bytes (vdisk names at most 64 and without C(.)). C(iscsi) target and initiator names follow RFC 7143
        (C(iqn.YYYY-MM.domain[:name]), C(eui.), C(naa.), at most 223 bytes). An unquoted YAML boolean is refused
        as a name: quote it."
      - "A LUN number is an integer or decimal text; text with a leading zero (C('010')) is refused, as in
        M(storage.scst.scst_lun): SCST would read it as octal. (C(scst.conf) text is read as the kernel reads it:
        C(LUN 010) is LUN 8, with a warning.) CHAP secrets (C(IncomingUser), C(OutgoingUser)) have at least 12
        characters, as iscsi-scstd requires."
      - Beyond the shape checked here, the configuration is checked as a whole before anything is written, for example numbers of
        numeric attributes, LUN numbers (0 to 16383, once per LUN set), LUNs that name a defined device, FC target
        names and initiators that are WWPNs (or wildcard patterns), an initiator in at most one group per target,
        a device in at most one device group. Each error names the option path, for example
        C(config.drivers[0].targets[1].luns[0].device).
      - CHAP secrets in C(IncomingUser) and C(OutgoingUser) values are masked in every result and in the
        invocation log on the managed host.
      - Mutually exclusive with O(src) and O(content).
    type: dict
    suboptions:
      attributes:
        description:
          - Global attributes of the SCST core (the files of C(/sys/kernel/scst_tgt), the C(scst.conf) lines
            outside any block), for example C(threads) or C(setup_id).
          - Read-only attributes (C(version), C(last_sysfs_mgmt_res), C(trace_cmds), C(trace_mcmds)) are refused.
        type: dict
      handlers:
        description:
          - Device handlers (C(HANDLER) blocks) and the devices each one serves.
          - A handler is a kernel module that must be loaded (M(storage.scst.scst_module)); it is never created or
            deleted by this configuration, only its devices are.
        type: list
        elements: dict
        suboptions:
          name:
            description:
              - The handler, for example V(vdisk_fileio), V(vdisk_blockio), V(vdisk_nullio), V(vcdrom) or a
                pass-through handler such as V(dev_disk).
            type: raw
            required: true
          attributes:
            description: Attributes of the handler itself (for example C(trace_level)).
            type: dict
          devices:
            description: The devices of this handler (C(DEVICE) blocks).
            type: list
            elements: dict
            suboptions:
              name:
                description:
                  - The device name, used by LUNs and device groups to refer to it. Device names are unique across
                    all handlers.
                  - Devices of a pass-through handler (C(dev_*)) are named by the SCSI address of an existing device,
                    C(H:C:I:L), and take no attributes.
                type: raw
                required: true
              attributes:
                description:
                  - Device attributes. For vdisk handlers the creation parameters (C(filename), C(blocksize),
                    C(read_only), C(nv_cache), C(o_direct), C(rotational), C(thin_provisioned), C(size_mb) for
                    C(vdisk_nullio), ...) are given when the device is created and can only change by re-creating
                    it (O(recreate)); the others (C(t10_dev_id), C(usn), C(prod_id), C(threads_num), ...) are
                    written in place.
                type: dict
      drivers:
        description:
          - Target drivers (C(TARGET_DRIVER) blocks), their targets, LUNs and initiator groups.
          - A driver is a kernel module that must be loaded (C(iscsi) from C(iscsi_scst), C(qla2x00t) from
            C(qla2x00tgt), C(scst_local), C(copy_manager)); it is never created or deleted.
        type: list
        elements: dict
        suboptions:
          name:
            description: The target driver, for example V(iscsi), V(qla2x00t), V(scst_local) or V(copy_manager).
            type: raw
            required: true
          enabled:
            description:
              - Whether the driver is enabled (for V(iscsi), whether C(iscsi-scstd) accepts connections).
              - Unset, the driver's state is left as it is.
            type: bool
          attributes:
            description:
              - Driver attributes. For V(iscsi), C(IncomingUser) and C(OutgoingUser) here are the discovery CHAP
                users (lists of C(USER SECRET)).
            type: dict
          targets:
            description: The targets of the driver (C(TARGET) blocks).
            type: list
            elements: dict
            suboptions:
              name:
                description:
                  - The target name. For V(qla2x00t) it is the WWPN of a local FC port, in any spelling
                    (C(21:00:00:24:ff:31:4c:48), C(21000024ff314c48), C(0x21000024ff314c48)); for V(iscsi) an IQN.
                  - Targets of hardware drivers (QLogic ports, C(copy_manager_tgt), C(ib_srpt) ports) exist by
                    themselves; they are configured, disabled and cleared, never created or deleted.
                type: raw
                required: true
              hw_target:
                description:
                  - The C(HW_TARGET) flag of C(scst.conf), which C(scstadmin) uses to tell hardware targets apart.
                    The collection also recognises hardware targets without it.
                type: bool
                default: false
              enabled:
                description:
                  - Whether the target accepts initiators. Unset, its state is left as it is (and
                    O(state=overridden) leaves it too).
                type: bool
              attributes:
                description:
                  - Target attributes, for example C(rel_tgt_id), C(black_hole), iSCSI session parameters
                    (C(QueuedCommands), C(InitialR2T), C(ImmediateData), ...), C(allowed_portal) and the CHAP users
                    C(IncomingUser) and C(OutgoingUser) of iSCSI targets (lists of C(USER SECRET)).
                  - For V(qla2x00t), C(node_name) and C(parent_host) of NPIV targets are creation parameters.
                  - For V(iscsi), C(MaxConnections), C(DefaultTime2Wait), C(DefaultTime2Retain), C(ErrorRecoveryLevel),
                    C(DataPDUInOrder), C(DataSequenceInOrder), C(OFMarker), C(IFMarker), C(OFMarkInt) and C(IFMarkInt)
                    are creation parameters only. The iSCSI daemon shows no file for them, so they are given when the
                    target is created, never read back and never changed on an existing target. The first four take
                    one value only (C(1), C(0), C(0), C(0)).
                type: dict
              luns:
                description:
                  - The default LUN set of the target, seen by every initiator that is in none of its groups.
                type: list
                elements: dict
                suboptions: &luns
                  lun:
                    description: The LUN number, 0 to 16383, unique within one LUN set.
                    type: raw
                    required: true
                  device:
                    description: The name of a device defined under O(config.handlers[].devices).
                    type: raw
                    required: true
                  read_only:
                    description:
                      - Export the device read-only through this LUN only (the C(read_only) parameter of C(add)).
                      - A LUN has no other attribute; changing it re-creates the LUN.
                    type: bool
                    default: false
              groups:
                description:
                  - Initiator groups (C(GROUP) blocks) of the target, for LUN masking. The initiators listed in a
                    group see the group's LUN set instead of the target's default one.
                type: list
                elements: dict
                suboptions:
                  name:
                    description: The group name.
                    type: raw
                    required: true
                  attributes:
                    description: Group attributes, for example C(black_hole) or C(per_sess_dedicated_tgt_threads).
                    type: dict
                  luns:
                    description: The LUN set of the group.
                    type: list
                    elements: dict
                    suboptions: *luns
                  initiators:
                    description:
                      - The initiators of the group (C(INITIATOR) lines). For V(qla2x00t), WWPNs in any spelling or
                        wildcard patterns such as C(21:00:00:24:ff:7a:11:*); for V(iscsi), initiator IQNs or patterns.
                      - An initiator can be in one group of a target only.
                    type: list
                    elements: raw
      alua:
        description: Attributes of the C(ALUA) block (C(/sys/kernel/scst_tgt/device_groups)).
        type: dict
      device_groups:
        description:
          - ALUA device groups (C(DEVICE_GROUP) blocks inside C(ALUA)) with their devices and target groups.
        type: list
        elements: dict
        suboptions:
          name:
            description: The device group name.
            type: raw
            required: true
          attributes:
            description: Device group attributes.
            type: dict
          devices:
            description: Names of defined devices in this group. A device can be in one device group only.
            type: list
            elements: raw
          target_groups:
            description: The target groups (C(TARGET_GROUP) blocks) of the device group.
            type: list
            elements: dict
            suboptions:
              name:
                description: The target group name.
                type: raw
                required: true
              attributes:
                description:
                  - Target group attributes, C(group_id) (a number), C(preferred) (a boolean) and C(state) (one of
                    C(active), C(nonoptimized), C(standby), C(unavailable), C(offline), C(transitioning)).
                type: dict
              targets:
                description:
                  - The targets of the target group, each either a target name or a mapping with C(name) and
                    C(attributes), whose only attribute is C(rel_tgt_id).
                  - A target can be in one target group of a device group only.
                type: list
                elements: raw
'''
