# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The names SCST 3.11 knows: device handlers, target drivers and the attributes of each kind of object.

This module is private to this collection: it is not part of the public API and may change without notice.
One table for the checks made on the controller (_precheck) and the hints of the modules' errors, so that a
typo such as ``vdisk_fileo`` or ``blocksze`` is answered with "did you mean" from the same names everywhere.
Sources: the SCST sysfs contract (SYSFS.md 1.2-1.4 entries, 2.5 group attributes, 5 modules, 6.1 and 6.6
iSCSI, 7 qla2x00t, 10 vdisk attributes). A running kernel of another version may know more: the modules still
try what the table does not know, and say which name looks like a typo when the kernel refuses it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import re

from ansible_collections.storage.scst.plugins.module_utils._model import DEVICE_CREATE_ATTRIBUTES

# Device handlers and the kernel module that registers each (SYSFS.md 5).
HANDLER_MODULES = {
    'vdisk_fileio': 'scst_vdisk', 'vdisk_blockio': 'scst_vdisk', 'vdisk_nullio': 'scst_vdisk', 'vcdrom': 'scst_vdisk',
    'dev_disk': 'scst_disk', 'dev_disk_perf': 'scst_disk', 'dev_tape': 'scst_tape', 'dev_tape_perf': 'scst_tape',
    'dev_cdrom': 'scst_cdrom', 'dev_changer': 'scst_changer', 'dev_modisk': 'scst_modisk',
    'dev_modisk_perf': 'scst_modisk', 'dev_processor': 'scst_processor', 'dev_raid': 'scst_raid',
}
# Target drivers and their kernel module (SYSFS.md 5; copy_manager comes with scst itself).
DRIVER_MODULES = {'iscsi': 'iscsi_scst', 'qla2x00t': 'qla2x00tgt', 'scst_local': 'scst_local', 'copy_manager': 'scst',
                  'ib_srpt': 'ib_srpt', 'fcst': 'fcst'}

# Entries of every device (SYSFS.md 1.3) that a configuration can hold.
_CORE_DEVICE = ('max_tgt_dev_commands', 'numa_node_id', 'pr_file_name', 'threads_num', 'threads_pool_type',
                'dif_mode', 'dif_type', 'dif_static_app_tag')
# vdisk identity attributes, present on every vdisk handler (SYSFS.md 10).
_IDENTITY = ('t10_dev_id', 't10_vend_id', 'vend_specific_id', 'prod_id', 'prod_rev_lvl', 'scsi_device_name', 'usn',
             'eui64_id', 'naa_id', 'inq_vend_specific', 'size', 'size_mb', 'tst')
_FILE_BACKED = ('filename', 'blocksize', 'read_only', 'write_through', 'nv_cache', 'thin_provisioned', 'removable',
                'rotational', 'active', 'bind_alua_state', 'cluster_mode', 'opt_trans_len', 'expl_alua',
                'lb_per_pb_exp', 'resync_size', 'sync', 'gen_tp_soft_threshold_reached_UA', 'dif_filename')
DEVICE_ATTRIBUTES = dict((handler, frozenset(names) | DEVICE_CREATE_ATTRIBUTES.get(handler, frozenset())) for handler, names in {
    'vdisk_fileio': _CORE_DEVICE + _IDENTITY + _FILE_BACKED + ('o_direct', 'async'),
    'vdisk_blockio': _CORE_DEVICE + _IDENTITY + _FILE_BACKED,
    'vdisk_nullio': _CORE_DEVICE + _IDENTITY + ('blocksize', 'read_only', 'removable', 'rotational', 'dummy',
                                                'read_zero', 'cluster_mode', 'opt_trans_len'),
    'vcdrom': _CORE_DEVICE + _IDENTITY + ('filename',),
}.items())
HANDLER_ATTRIBUTES = frozenset(('trace_level',))

# Entries of every target (SYSFS.md 1.4) that a configuration can hold, then each driver's own (6.1, 6.2, 6.6, 7).
_CORE_TARGET = ('rel_tgt_id', 'comment', 'addr_method', 'io_grouping_type', 'black_hole', 'cpu_mask', 'forward_src',
                'forward_dst', 'forwarding', 'aen_disabled')
_ISCSI_KEYS = ('QueuedCommands', 'RspTimeout', 'NopInInterval', 'NopInTimeout', 'MaxSessions', 'InitialR2T',
               'ImmediateData', 'MaxConnections', 'MaxRecvDataSegmentLength', 'MaxXmitDataSegmentLength',
               'MaxBurstLength', 'FirstBurstLength', 'DefaultTime2Wait', 'DefaultTime2Retain', 'MaxOutstandingR2T',
               'DataPDUInOrder', 'DataSequenceInOrder', 'ErrorRecoveryLevel', 'HeaderDigest', 'DataDigest',
               'OFMarker', 'IFMarker', 'OFMarkInt', 'IFMarkInt', 'RDMAExtensions')
TARGET_ATTRIBUTES = dict((driver, frozenset(_CORE_TARGET + names)) for driver, names in {
    'iscsi': _ISCSI_KEYS + ('tid', 'per_portal_acl', 'redirect', 'alias', 'IncomingUser', 'OutgoingUser',
                            'allowed_portal'),
    'qla2x00t': ('explicit_confirmation', 'node_name', 'parent_host'),
    'scst_local': ('session_name', 'phys_transport_version', 'scsi_transport_version'),
    'copy_manager': (),
}.items())
DRIVER_ATTRIBUTES = {
    'iscsi': frozenset(('IncomingUser', 'OutgoingUser', 'iSNSServer', 'isns_entity_name', 'link_local',
                        'internal_portal', 'trace_level')),
    'copy_manager': frozenset(('allow_not_connected_copy',)),
}
_GROUP = ('addr_method', 'io_grouping_type', 'black_hole', 'cpu_mask')
GROUP_ATTRIBUTES = {'iscsi': frozenset(_GROUP + ('per_sess_dedicated_tgt_threads',)), 'qla2x00t': frozenset(_GROUP),
                    'scst_local': frozenset(_GROUP)}

# Attributes kept as numbered files (IncomingUser, IncomingUser1, ...; SYSFS.md 6.4, 6.5).
_NUMBERED = re.compile(r'^(IncomingUser|OutgoingUser|allowed_portal)[0-9]+$')


def did_you_mean(name, known):
    """' (did you mean X?)' for the known name closest to name, or '' when none is close."""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
    return " (did you mean '%s'?)" % close[0] if close else ''


def known_attributes(level, owner):
    """The attribute names of a device of handler owner, a target/driver/group of driver owner, or a handler;
    None when the table does not know that handler or driver."""
    if level == 'handler':
        return HANDLER_ATTRIBUTES if owner in HANDLER_MODULES else None
    table = {'device': DEVICE_ATTRIBUTES, 'target': TARGET_ATTRIBUTES, 'driver': DRIVER_ATTRIBUTES,
             'group': GROUP_ATTRIBUTES}[level]
    return table.get(owner)


def attribute_problem(level, owner, name):
    """Why name is not an attribute of that level and owner ('device', 'vdisk_fileio'), or None (known, or an
    owner the table does not know)."""
    known = known_attributes(level, owner)
    if known is None or name in known or _NUMBERED.sub(r'\1', name) in known:
        return None
    what = {'device': 'a device of handler', 'target': 'a target of driver', 'driver': 'driver',
            'group': 'an initiator group of driver', 'handler': 'handler'}[level]
    return "'%s' is not an attribute of %s %s%s" % (name, what, owner, did_you_mean(name, known))


def handler_problem(name):
    """Why name is not a device handler of SCST, or None."""
    if name in HANDLER_MODULES:
        return None
    return "'%s' is not a device handler of SCST%s" % (name, did_you_mean(name, HANDLER_MODULES))
