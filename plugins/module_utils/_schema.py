# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SCST's object tree as one table: every kind of object, where it lives, how it is made, which attributes it has.

This module is private to this collection: it is not part of the public API and may change without notice.
KINDS holds one Kind per kind of object below /sys/kernel/scst_tgt: its parent kind, the directory that lists
its objects, its own directory and the mgmt file that creates and deletes it, the commands for that, the names
it cannot take, how its name is compared, the kinds of its values and its attribute classes. path(kind,
*ancestors, name), container(kind, *ancestors) and mgmt(kind, *ancestors) give paths relative to the root.
Gather, the model, the validator, the planners and rollback ask this table; the constants other modules export
(_model, _names, _validate.RESERVED_NAMES) are views of it.

Attribute classes, each by owner (handler or driver name; None: every owner):
    attributes   configuration attributes a model may hold (creation-time and runtime writable)
    creation     given only in the create command (read-only afterwards; SYSFS.md 3.3)
    dynamic      added and removed value by value through the driver's mgmt file (add_attribute, 3.3, 6.4, 6.5)
    multi        held as a list of values in the model (repeated lines in scst.conf)
    derived      set by the kernel (an automatic rel_tgt_id, the size of a file-backed device)
    information  entries that are not configuration: kinds, states, help texts; never part of the model
    counters     statistics (reading them queues kernel work that can answer EAGAIN); never read
    actions      entries whose write does something once (suspend, close a session); never read or configured
    unsaved      attributes a configuration may set that gather leaves out, as scstadmin does (trace_level)
    exclusive    attributes of this kind only; writing them at another kind fails in the kernel
    conditional  entries that are not files in every state: made when added (dynamic attributes), only in some
                 builds or states (DIF, thin provisioning, NPIV), or kept by a daemon without a file (said where)
Sources: ../shared/scst/SYSFS.md (sections cited below) and scst_vdisk.c, scst_sysfs.c, iscsi-scst, qla2x00t.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.storage.scst.plugins.module_utils._secrets import CHAP_NAMES

MGMT = 'mgmt'
# Every device, virtual or pass-through, has a directory here (1.1), with a link to its handler once one serves it (1.3).
DEVICES = 'devices'
HANDLER_LINK = 'handler'
# A device's links to the LUNs that map it (1.3).
EXPORTED = 'exported'
# A LUN's link to its device (9); a session's write-only switch that closes it (6.8).
DEVICE_LINK = 'device'
FORCE_CLOSE = 'force_close'

# Drivers without add_target: every target they have is hardware (exists by itself, is never created); 1.4.
COPY_MANAGER = 'copy_manager'
HARDWARE_ONLY_DRIVERS = frozenset((COPY_MANAGER, 'ib_srpt'))
# Drivers whose targets and initiators are FC ports named by WWPN (7).
FC_DRIVERS = frozenset(('qla2x00t',))
ISCSI_DRIVERS = frozenset(('iscsi',))
# Pass-through handlers serve existing SCSI devices named H:C:I:L; their add_device takes no parameters (2.2).
PASSTHROUGH_HANDLER_PREFIX = 'dev_'

# Device handlers and target drivers with the kernel module that registers each (5; copy_manager comes with scst).
HANDLER_MODULES = {
    'vdisk_fileio': 'scst_vdisk', 'vdisk_blockio': 'scst_vdisk', 'vdisk_nullio': 'scst_vdisk', 'vcdrom': 'scst_vdisk',
    'dev_disk': 'scst_disk', 'dev_disk_perf': 'scst_disk', 'dev_tape': 'scst_tape', 'dev_tape_perf': 'scst_tape',
    'dev_cdrom': 'scst_cdrom', 'dev_changer': 'scst_changer', 'dev_modisk': 'scst_modisk',
    'dev_modisk_perf': 'scst_modisk', 'dev_processor': 'scst_processor', 'dev_raid': 'scst_raid',
}
DRIVER_MODULES = {'iscsi': 'iscsi_scst', 'qla2x00t': 'qla2x00tgt', 'scst_local': 'scst_local', COPY_MANAGER: 'scst',
                  'ib_srpt': 'ib_srpt', 'fcst': 'fcst'}

# Attributes that sysfs keeps as numbered files when added more than once: IncomingUser, IncomingUser1, ... (6.4, 6.5).
NUMBERED = CHAP_NAMES + ('allowed_portal',)
_NUMBERED_NAME = re.compile(r'^(%s)[0-9]+$' % '|'.join(NUMBERED))
# Counters, by name (1.4: read_cmd_count, write_io_count_kb, ...).
COUNTER = re.compile(r'_(count|kb)$')
ALUA_STATES = ('active', 'nonoptimized', 'standby', 'unavailable', 'offline', 'transitioning')  # 3.7

# -------------------------------------------------------------------------------------------- devices (1.3, 10)
# add_device parameters advertised by each vdisk handler (the mgmt help of scst_vdisk.c, SCST 3.11; 2.1, 10 column
# C). The running kernel's list can differ; gather reads it from mgmt and that list wins.
_DEVICE_CREATE = {
    'vdisk_fileio': ('active', 'async', 'bind_alua_state', 'blocksize', 'cluster_mode', 'dif_filename', 'dif_mode',
                     'dif_static_app_tag', 'dif_type', 'filename', 'numa_node_id', 'nv_cache', 'o_direct', 'read_only',
                     'removable', 'rotational', 'thin_provisioned', 'tst', 't10_dev_id', 'write_through'),
    'vdisk_blockio': ('active', 'bind_alua_state', 'blocksize', 'cluster_mode', 'dif_filename', 'dif_mode',
                      'dif_static_app_tag', 'dif_type', 'filename', 'numa_node_id', 'nv_cache', 'read_only',
                      'removable', 'rotational', 'thin_provisioned', 'tst', 't10_dev_id', 'write_through'),
    'vdisk_nullio': ('blocksize', 'cluster_mode', 'dif_mode', 'dif_static_app_tag', 'dif_type', 'dummy',
                     'numa_node_id', 'read_only', 'removable', 'rotational', 'size', 'size_mb', 'tst', 't10_dev_id'),
    'vcdrom': ('tst',),
}
VDISK_HANDLERS = frozenset(_DEVICE_CREATE)
# Handlers whose devices open a backing file or block device named by filename (2.1).
BACKING_FILE_HANDLERS = ('vdisk_fileio', 'vdisk_blockio')
# vdisk attributes that are read-only after add_device (10, "creation only"), with their defaults, which a
# replaced device that leaves one out goes back to (None: no default to go back to). filename is writable only
# while the device is inactive, so a new filename means re-creation too (except on vcdrom: media change).
CREATION_DEFAULTS = {
    'filename': None, 'blocksize': '512', 'read_only': '0', 'write_through': '0', 'nv_cache': '0', 'o_direct': '0',
    'thin_provisioned': None, 'removable': '0', 'rotational': '1', 'tst': '1', 'dummy': '0',
    'dif_filename': None, 'dif_mode': None, 'dif_type': None,
}
# Entries of every device (1.3) that a configuration can hold.
_CORE_DEVICE = ('max_tgt_dev_commands', 'numa_node_id', 'pr_file_name', 'threads_num', 'threads_pool_type',
                'dif_mode', 'dif_type', 'dif_static_app_tag')
# vdisk identity attributes, on every vdisk handler (10).
_IDENTITY = ('t10_dev_id', 't10_vend_id', 'vend_specific_id', 'prod_id', 'prod_rev_lvl', 'scsi_device_name', 'usn',
             'eui64_id', 'naa_id', 'inq_vend_specific', 'tst')
_FILE_BACKED = ('filename', 'blocksize', 'read_only', 'write_through', 'nv_cache', 'thin_provisioned', 'removable',
                'rotational', 'active', 'bind_alua_state', 'cluster_mode', 'opt_trans_len', 'expl_alua',
                'lb_per_pb_exp', 'resync_size', 'sync', 'gen_tp_soft_threshold_reached_UA', 'dif_filename')
_DEVICE_ATTRIBUTES = {
    'vdisk_fileio': _CORE_DEVICE + _IDENTITY + _FILE_BACKED + ('o_direct', 'async'),
    'vdisk_blockio': _CORE_DEVICE + _IDENTITY + _FILE_BACKED + ('size', 'size_mb'),
    'vdisk_nullio': _CORE_DEVICE + _IDENTITY + ('blocksize', 'read_only', 'removable', 'rotational', 'dummy',
                                                'read_zero', 'cluster_mode', 'opt_trans_len', 'size', 'size_mb'),
    'vcdrom': _CORE_DEVICE + _IDENTITY + ('filename',),
}
# size and size_mb of vdisk_fileio and vcdrom are 0444 and come from the backing file or medium (10, the size row;
# vdisk_fileio's add_device takes size but the file's size overrides it): shown, never taken back, never configuration.
_FROM_BACKING = ('size', 'size_mb')

# -------------------------------------------------------------------------------------------- targets (1.4, 6, 7)
# The LUN-set attributes of a target and of an initiator group (1.4, 3.8).
_LUN_SET_ATTRIBUTES = ('addr_method', 'io_grouping_type', 'black_hole', 'cpu_mask')
# Entries of every target (1.4) that a configuration can hold, then each driver's own (6.1, 6.2, 6.6, 7).
_CORE_TARGET = ('rel_tgt_id', 'comment') + _LUN_SET_ATTRIBUTES + ('forward_src', 'forward_dst', 'forwarding', 'aen_disabled')
# iSCSI target and session keys (6.2): numbers, Yes/No booleans and the two digests.
_ISCSI_INT = ('QueuedCommands', 'RspTimeout', 'NopInInterval', 'NopInTimeout', 'MaxSessions', 'MaxConnections',
              'MaxRecvDataSegmentLength', 'MaxXmitDataSegmentLength', 'MaxBurstLength', 'FirstBurstLength',
              'MaxOutstandingR2T', 'DefaultTime2Wait', 'DefaultTime2Retain', 'ErrorRecoveryLevel', 'OFMarkInt',
              'IFMarkInt')
_ISCSI_YESNO = ('InitialR2T', 'ImmediateData', 'RDMAExtensions', 'DataPDUInOrder', 'DataSequenceInOrder',
                'OFMarker', 'IFMarker')
_ISCSI_DIGESTS = ('HeaderDigest', 'DataDigest')
_ISCSI_KEYS = _ISCSI_INT + _ISCSI_YESNO + _ISCSI_DIGESTS
# iSCSI session keys iscsi-scstd keeps without a sysfs file (6.2 against 6.1; usr/param.c session_keys with
# show_in_sysfs 0): its add_target (config_parse_main) takes them although the mgmt help advertises no parameter,
# and nothing sets them afterwards (no file; add_target_attribute, event.c handle_add_attr, refuses them).
_ISCSI_UNSHOWN = ('MaxConnections', 'DefaultTime2Wait', 'DefaultTime2Retain', 'DataPDUInOrder', 'DataSequenceInOrder',
                  'ErrorRecoveryLevel', 'OFMarker', 'IFMarker', 'OFMarkInt', 'IFMarkInt')
# The numbers among them whose range in session_keys is one value: num_check_val refuses any other (EINVAL).
UNSHOWN_TARGET_ATTRIBUTES = {'iscsi': frozenset(_ISCSI_UNSHOWN)}
ONLY_VALUES = {'target': {'MaxConnections': 1, 'DefaultTime2Wait': 0, 'DefaultTime2Retain': 0, 'ErrorRecoveryLevel': 0}}
_TARGET_CREATE = {'qla2x00t': ('node_name', 'parent_host'), 'scst_local': ('session_name',), 'iscsi': _ISCSI_UNSHOWN}  # 2.3
# Drivers whose sessions are configuration, as a target attribute: scst_local makes a session (a local SCSI host)
# by add_target ... session_name=S or add_session T S, and lists it as sessions/S (2.3).
SESSION_ATTRIBUTES = {'scst_local': 'session_name'}
_TARGET_DYNAMIC = {'iscsi': CHAP_NAMES + ('allowed_portal',)}  # 6.4, 6.5
_DRIVER_DYNAMIC = {'iscsi': CHAP_NAMES}  # 6.4
_TARGET_ATTRIBUTES = dict((driver, _CORE_TARGET + names) for driver, names in {
    'iscsi': _ISCSI_KEYS + ('per_portal_acl', 'redirect', 'alias') + _TARGET_DYNAMIC['iscsi'],
    'qla2x00t': ('explicit_confirmation',) + _TARGET_CREATE['qla2x00t'],
    'scst_local': _TARGET_CREATE['scst_local'] + ('phys_transport_version', 'scsi_transport_version'),
    COPY_MANAGER: (),
}.items())

# How values are read (scst_sysfs.c, scst_vdisk.c, iscsi-scst, qla2x00t); names not listed are free text.
# digest: a comma list of None/CRC32C, case-insensitive, that iscsi-scstd keeps as a set of bits (6.2).
INT, BOOL, YESNO, WWN, STATE, DIGEST = 'int', 'bool', 'yesno', 'wwn', 'state', 'digest'


def _kinds(**by_kind):
    return dict((name, kind) for kind, names in by_kind.items() for name in names)


def _owned(table):
    return dict((owner, frozenset(names)) for owner, names in table.items())


class Kind(object):
    """One kind of object of SCST's tree (see the module docstring for the attribute classes).

    container: the directory that lists the objects of the kind, a template over the names of their
    ancestors ('targets/{0}/{1}/ini_groups' for the groups of target {1} of driver {0}; for LUNs and initiators
    {0} is the directory of the LUN set or group). The object's own directory is container/NAME unless at says
    otherwise (devices live in devices/, their handler lists links). Objects with create and delete commands
    are made and removed through container/mgmt; the others come with a kernel module or with their parent.
    """

    def __init__(self, name, parent, container, at=None, create=None, delete=None, reserved=(), identity='exact',
                 values=None, **classes):
        self.name, self.parent, self.container_template = name, parent, container
        arity = len(re.findall(r'\{[0-9]\}', container))
        self.path_template = at or '%s/{%d}' % (container, arity) if container else at
        self.create, self.delete = create, delete
        # Names the kernel keeps beside the objects in their parent directory: an object of that name collides.
        self.reserved = frozenset(reserved)
        # 'exact', 'fc' (a WWPN in SCST's spelling under FC drivers, whose names SCST compares without case),
        # 'lun' (a number 0..MAX_LUN) or 'hcil' (H:C:I:L under pass-through handlers).
        self.identity = identity
        self.values = values or {}
        self.classes = dict((cls, _owned(classes.get(cls) or {})) for cls in _CLASSES)

    def container(self, *ancestors):
        return self.container_template.format(*ancestors)

    def path(self, *names):
        """The object's directory: path(*ancestors, name)."""
        return self.path_template.format(*names)

    def mgmt(self, *ancestors):
        return '%s/%s' % (self.container(*ancestors), MGMT) if self.create else None

    def names(self, cls, owner=None):
        """The attribute names of class cls for one owner: the ones of every owner and the owner's own."""
        table = self.classes[cls]
        return table.get(None, frozenset()) | table.get(owner, frozenset())

    def owners(self, cls):
        """Owners (handler or driver names) with names of their own in class cls."""
        return frozenset(owner for owner in self.classes[cls] if owner is not None)

    def unread(self, owner=None):
        """Entries gather never takes into the model."""
        return frozenset().union(*(self.names(cls, owner) for cls in ('information', 'counters', 'actions', 'unsaved')))


_CLASSES = ('attributes', 'creation', 'dynamic', 'multi', 'derived', 'information', 'counters', 'actions', 'unsaved',
            'exclusive', 'conditional')
# Entries of devices and targets that exist only with T10-PI (DIF) enabled or supported (1.3, 1.4).
_DIF = ('dif_mode', 'dif_type', 'dif_static_app_tag')
_DIF_TARGET = ('dif_capabilities', 'dif_checks_failed')
# trace_level (3.6) is a debugging switch: a configuration may set it; gather leaves it out, as scstadmin does.
_TRACE = {None: ('trace_level',)}
_TGS = 'device_groups/{0}/target_groups'
KINDS = dict((kind.name, kind) for kind in (
    # 1.1: version, the last result and the trace dumps are information; suspend is an action.
    Kind('global', None, '', at='', values=_kinds(
        int=('threads', 'setup_id', 'max_tasklet_cmd', 'poll_us', 'suspend'),
        bool=('force_global_sgv_pool', 'measure_latency', 'async_lun_replace')),
        attributes={None: ('threads', 'setup_id', 'max_tasklet_cmd', 'poll_us', 'measure_latency',
                           'force_global_sgv_pool', 'cluster_name', 'async_lun_replace')},
        information={None: ('version', 'last_sysfs_mgmt_res', 'trace_cmds', 'trace_mcmds')},
        actions={None: ('suspend',)}, unsaved=_TRACE),
    # 1.2
    Kind('handler', 'global', 'handlers', attributes=_TRACE, information={None: ('type',)}, unsaved=_TRACE),
    # 1.3, 2.1, 2.2, 10
    Kind('device', 'handler', 'handlers/{0}', at=DEVICES + '/{1}', create='add_device', delete='del_device',
         # reserved: the entries of handlers/<h>/ (1.2) and device_groups/<dg>/devices/ (1.5).
         reserved=(MGMT, 'type', 'trace_level'), identity='hcil', values=_kinds(
             int=('blocksize', 'size', 'size_mb', 'numa_node_id', 'threads_num', 'max_tgt_dev_commands',
                  'opt_trans_len', 'dif_type', 'dif_static_app_tag'),
             bool=('read_only', 'write_through', 'nv_cache', 'o_direct', 'async', 'thin_provisioned', 'removable',
                   'rotational', 'tst', 'dummy', 'read_zero', 'active', 'bind_alua_state', 'cluster_mode',
                   'expl_alua', 'lb_per_pb_exp')),
         attributes=_DEVICE_ATTRIBUTES, creation=_DEVICE_CREATE,
         derived={'vdisk_fileio': _FROM_BACKING, 'vcdrom': _FROM_BACKING},
         information=dict([(None, ('type', 'block', 'pr_state'))]
                          + [(handler, _FROM_BACKING) for handler in ('vdisk_fileio', 'vcdrom')]),
         # dump_prs (0200) only in tracing builds (1.3).
         actions={None: ('dump_prs',)}, unsaved=_TRACE,
         # dif_filename only when set, gen_tp_soft_threshold_reached_UA only on thin-provisioned devices (10).
         conditional=dict([(None, _DIF + ('dump_prs',))]
                          + [(handler, ('dif_filename', 'gen_tp_soft_threshold_reached_UA')) for handler in BACKING_FILE_HANDLERS])),
    # 1.4, 6.1, 6.6. Dynamic attributes go through the mgmt of the driver's targets (DYNAMIC_COMMANDS).
    Kind('driver', 'global', 'targets', values={'link_local': BOOL, 'allow_not_connected_copy': BOOL},
         attributes={'iscsi': ('IncomingUser', 'OutgoingUser', 'iSNSServer', 'isns_entity_name', 'link_local',
                               'internal_portal', 'trace_level'),
                     COPY_MANAGER: ('allow_not_connected_copy',)},
         dynamic=_DRIVER_DYNAMIC, multi=_DRIVER_DYNAMIC,
         # enabled of iscsi is the model's own flag, not an attribute (6.3).
         information={None: ('dif_capabilities',), 'iscsi': ('version', 'open_state', 'enabled'), 'qla2x00t': ('version',)},
         unsaved=_TRACE, conditional={None: ('dif_capabilities',), 'iscsi': _DRIVER_DYNAMIC['iscsi'] + ('trace_level',)}),
    # 1.4, 2.3, 3.5, 6.2, 7
    Kind('target', 'driver', 'targets/{0}', create='add_target', delete='del_target',
         # reserved: the entries of targets/<driver>/ (1.4, 6.1, copy_manager's attribute) and of a target group (1.5).
         reserved=(MGMT, 'enabled', 'trace_level', 'version', 'open_state', 'dif_capabilities', 'iSNSServer',
                   'isns_entity_name', 'link_local', 'internal_portal', 'allow_not_connected_copy', 'group_id',
                   'preferred', 'state'),
         identity='fc', values=_kinds(int=('rel_tgt_id', 'black_hole') + _ISCSI_INT, yesno=_ISCSI_YESNO,
                                      bool=('forward_src', 'forward_dst', 'forwarding', 'aen_disabled',
                                            'per_portal_acl', 'explicit_confirmation'),
                                      wwn=('node_name', 'parent_host'), digest=_ISCSI_DIGESTS),
         attributes=_TARGET_ATTRIBUTES, creation=_TARGET_CREATE, dynamic=_TARGET_DYNAMIC,
         # scst_local lists one session_name per session.
         multi=dict(_TARGET_DYNAMIC, scst_local=('session_name',)),
         # 0 until the first enable, then the lowest free id unless one was set (3.5).
         derived={None: ('rel_tgt_id',)},
         # enabled is the model's own flag, and only drivers with enable support have it (1.4).
         information={None: ('enabled', 'sg_tablesize', 'dif_capabilities'), 'iscsi': ('tid',),
                      'qla2x00t': ('host', 'hw_target')},
         counters={None: ('dif_checks_failed',)}, actions={'qla2x00t': ('abort_isp',)}, unsaved=_TRACE,
         exclusive={None: ('allowed_portal', 'rel_tgt_id', 'per_portal_acl')},
         # scst_local's session_name is a creation parameter shown as sessions/NAME (2.3); parent_host belongs
         # to NPIV ports only (7).
         conditional={None: ('enabled',) + _DIF_TARGET, 'iscsi': _TARGET_DYNAMIC['iscsi'] + _ISCSI_UNSHOWN,
                      'scst_local': ('session_name',), 'qla2x00t': ('parent_host',)}),
    # 8.5: one directory per session; its entries are information and counters, never configuration.
    Kind('session', 'target', 'targets/{0}/{1}/sessions',
         information={None: ('initiator_name',), 'scst_local': ('host_no', 'transport_id')},
         counters={None: ('commands', 'active_commands', 'dif_checks_failed')}, actions={None: (FORCE_CLOSE,)},
         conditional={None: ('dif_checks_failed',)}),
    # 2.5, 3.8
    Kind('group', 'target', 'targets/{0}/{1}/ini_groups', create='create', delete='del', reserved=(MGMT,),
         values={'black_hole': INT, 'per_sess_dedicated_tgt_threads': BOOL},
         attributes={'iscsi': _LUN_SET_ATTRIBUTES + ('per_sess_dedicated_tgt_threads',), 'qla2x00t': _LUN_SET_ATTRIBUTES,
                     'scst_local': _LUN_SET_ATTRIBUTES}),
    # 2.4, 9: a LUN set is the default one of a target or the one of a group: {0} is the directory of either.
    # Its mgmt also takes replace and clear (the planner uses add, del and replace).
    Kind('lun_set', 'target', '{0}', at='{0}/luns'),
    # {0} is the directory of the LUN set.
    Kind('lun', 'lun_set', '{0}', create='add', delete='del', identity='lun',
         attributes={None: ('read_only',)}, creation={None: ('read_only',)}),
    # 2.6: initiator names (or wildcard patterns) are files of the group's initiators/ directory.
    Kind('initiator', 'group', '{0}/initiators', create='add', delete='del', reserved=(MGMT,), identity='fc'),
    # 1.5, 2.7: the ALUA block's attributes are those of device_groups/ itself.
    Kind('alua', 'global', '', at='device_groups'),
    Kind('device_group', 'alua', 'device_groups', create='create', delete='del', reserved=(MGMT,)),
    Kind('dg_device', 'device_group', 'device_groups/{0}/devices', create='add', delete='del'),
    Kind('target_group', 'device_group', _TGS, create='create', delete='del', reserved=(MGMT,),
         values={'group_id': INT, 'preferred': BOOL, 'state': STATE},
         attributes={None: ('group_id', 'preferred', 'state')}),
    # A local target is a link to it; a remote one (an H.A. peer's) a directory holding rel_tgt_id (3.7).
    Kind('tg_target', 'target_group', _TGS + '/{1}', create='add', delete='del', values={'rel_tgt_id': INT},
         attributes={None: ('rel_tgt_id',)}),
))
# The mgmt commands that add and remove one value of a dynamic attribute (3.3, 6.4, 6.5), by kind; the file is
# the mgmt of the driver's targets.
DYNAMIC_COMMANDS = {'driver': ('add_attribute', 'del_attribute'),
                    'target': ('add_target_attribute', 'del_target_attribute')}


def path(name, *names):
    """The sysfs directory (relative to the root) of an object of kind name, e.g. path('group', 'iscsi', T, G)."""
    return KINDS[name].path(*names)


def mgmt(name, *ancestors):
    """The mgmt file that creates and deletes objects of kind name under the given ancestors."""
    return KINDS[name].mgmt(*ancestors)


def container(name, *ancestors):
    """The directory that lists the objects of kind name under the given ancestors."""
    return KINDS[name].container(*ancestors)


def lun_set(driver, target, group=None):
    """The directory of a LUN set: a target's default set, or a group's."""
    return path('lun_set', path('group', driver, target, group) if group else path('target', driver, target))


# The end of a path to a group's LUN set: .../ini_groups/GROUP/luns (a session's luns link, 8.5).
_GROUP_LUN_SET = re.compile('/%s$' % path('lun_set', KINDS['group'].container('[^/]+', '[^/]+').rsplit('/', 1)[1] + '/([^/]+)'))


def group_of_lun_set(link):
    """The group whose LUN set a path or link names; None for a target's default LUN set."""
    match = _GROUP_LUN_SET.search(link)
    return match.group(1) if match else None


def names(kind_name, cls, owner=None):
    return KINDS[kind_name].names(cls, owner)


def by_owner(kind_name, cls):
    """{owner: names} of the owners with names of their own in class cls (the tables other modules export)."""
    table = KINDS[kind_name]
    return dict((owner, table.names(cls, owner)) for owner in table.owners(cls))


def value_kind(level, name):
    """How the kernel reads an attribute ('int', 'bool', 'yesno', 'wwn', 'state') or None for free text.

    Kinds do not depend on the driver: every driver that has an attribute of that name reads it the same way.
    """
    found = KINDS.get(level)
    return found.values.get(name) if found else None


def only_value(level, name):
    """The one number the kernel takes for an attribute whose range is a single value, or None."""
    return ONLY_VALUES.get(level, {}).get(name)


def wwn_named(kind_name, driver):
    """True when objects of that kind are named by WWPN under that driver (identity 'fc': FC targets and initiators)."""
    return KINDS[kind_name].identity == 'fc' and driver in FC_DRIVERS


def is_multi_valued(level, name, driver=None):
    """True when the attribute holds a set of values (written as repeated lines in scst.conf)."""
    return level in KINDS and name in KINDS[level].names('multi', driver)


def base_name(name):
    """An attribute's name without the number sysfs gives its second and later values (IncomingUser1)."""
    return _NUMBERED_NAME.sub(r'\1', name)
