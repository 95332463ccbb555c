# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.storage.scst.plugins.module_utils._errors import ScstError
from ansible_collections.storage.scst.plugins.module_utils._gather import (
    fc_port_details,
    fc_ports,
    gather,
    gather_facts,
    gather_meta,
    kernel_modules,
    parse_help,
    parse_version,
)
from ansible_collections.storage.scst.plugins.module_utils._model import normalize
from ansible_collections.storage.scst.plugins.module_utils._plan import plan
from ansible_collections.storage.scst.plugins.module_utils._sysfs import SysfsClient


QLA = '21:00:00:24:ff:31:4c:48'
IQN = 'iqn.2026-01.com.example:t1'

FILEIO_HELP = '''Usage: echo "add_device device_name [parameters]" >mgmt
       echo "del_device device_name" >mgmt

where parameters are one or more param_name=value pairs separated by ';'

The following parameters available: active, async, blocksize, filename, nv_cache, read_only, rotational, t10_dev_id

'''
ISCSI_HELP = '''Usage: echo "add_target target_name [parameters]" >mgmt
       echo "del_target target_name" >mgmt

where parameters are one or more param_name=value pairs separated by ';'

The following target driver attributes available: IncomingUser, OutgoingUser
The following target attributes available: IncomingUser, OutgoingUser, allowed_portal

'''


def write(root, path, text='', mode=0o644):
    full = os.path.join(root, path)
    if not os.path.isdir(os.path.dirname(full)):
        os.makedirs(os.path.dirname(full))
    with open(full, 'w') as handle:
        handle.write(text)
    os.chmod(full, mode)


def link(root, path, target):
    full = os.path.join(root, path)
    if not os.path.isdir(os.path.dirname(full)):
        os.makedirs(os.path.dirname(full))
    os.symlink(target, full)


def lun(root, base, number, device, read_only=False):
    write(root, '%s/%d/read_only' % (base, number), '1\n[key]\n' if read_only else '0\n', 0o444)
    depth = base.count('/') + 2
    link(root, '%s/%d/device' % (base, number), '../' * depth + 'devices/%s' % device)


@pytest.fixture
def tree(tmp_path):
    root = str(tmp_path / 'scst_tgt')
    write(root, 'version', 'SCST version: 3.11.0-pre\nSCST build date: x\n', 0o444)
    write(root, 'setup_id', '0x1234\n[key]\n')
    write(root, 'threads', '4\n')
    write(root, 'suspend', '0\n')
    write(root, 'last_sysfs_mgmt_res', '0\n', 0o444)
    write(root, 'device_groups/mgmt', 'Usage: ...\n')
    # a fileio device with key and non-key attributes
    write(root, 'handlers/vdisk_fileio/mgmt', FILEIO_HELP)
    write(root, 'handlers/vdisk_fileio/type', '0 - Direct-access device (e.g., magnetic disk)\n', 0o444)
    link(root, 'handlers/vdisk_fileio/disk01', '../../devices/disk01')
    write(root, 'devices/disk01/filename', '/srv/disk01.img\n[key]\n\n')
    write(root, 'devices/disk01/blocksize', '4096\n[key]\n', 0o444)
    write(root, 'devices/disk01/rotational', '1\n', 0o444)
    write(root, 'devices/disk01/type', '0 - Direct-access device (e.g., magnetic disk)\n', 0o444)
    write(root, 'devices/disk01/resync_size', '', 0o200)
    link(root, 'devices/disk01/handler', '../../handlers/vdisk_fileio')
    write(root, 'devices/2:0:0:0/type', '0 - Direct-access device (e.g., magnetic disk)\n', 0o444)  # unassigned
    # iSCSI: a virtual target with CHAP users, a portal, a group with a session
    t = 'targets/iscsi/%s' % IQN
    write(root, 'targets/iscsi/mgmt', ISCSI_HELP)
    write(root, 'targets/iscsi/enabled', '1\n\n')
    write(root, 'targets/iscsi/version', '3.11.0-pre\n', 0o444)
    write(root, 'targets/iscsi/IncomingUser', 'disc 12charsecretX\n[key]\n\n', 0o600)
    write(root, '%s/enabled' % t, '1\n')
    write(root, '%s/rel_tgt_id' % t, '1\n[key]\n')
    write(root, '%s/tid' % t, '1\n', 0o444)
    write(root, '%s/read_cmd_count' % t, '17\n', 0o444)
    write(root, '%s/QueuedCommands' % t, '32\n')
    write(root, '%s/IncomingUser' % t, 'joe 12charsecret\n[key]\n\n', 0o600)
    write(root, '%s/IncomingUser1' % t, 'fred 12charsecret2\n[key]\n\n', 0o600)
    write(root, '%s/allowed_portal' % t, '10.0.0.*\n[key]\n\n')
    write(root, '%s/luns/mgmt' % t, 'Usage\n')
    lun(root, '%s/luns' % t, 0, 'disk01')
    write(root, '%s/ini_groups/mgmt' % t, 'Usage\n')
    write(root, '%s/ini_groups/esx/initiators/mgmt' % t, 'Usage\n')
    write(root, '%s/ini_groups/esx/initiators/iqn.1998-01.com.vmware:esx1' % t, 'iqn.1998-01.com.vmware:esx1\n', 0o444)
    write(root, '%s/ini_groups/esx/addr_method' % t, 'PERIPHERAL\n')
    write(root, '%s/ini_groups/esx/luns/mgmt' % t, 'Usage\n')
    lun(root, '%s/ini_groups/esx/luns' % t, 3, 'disk01', read_only=True)
    os.makedirs(os.path.join(root, '%s/sessions/iqn.1998-01.com.vmware:esx1' % t))
    link(root, '%s/sessions/iqn.1998-01.com.vmware:esx1/luns' % t, '../../ini_groups/esx/luns')
    os.makedirs(os.path.join(root, '%s/sessions/iqn.other' % t))
    link(root, '%s/sessions/iqn.other/luns' % t, '../../luns')
    # qla2x00t: a hardware port
    q = 'targets/qla2x00t/%s' % QLA
    write(root, '%s/enabled' % q, '0\n')
    write(root, '%s/hw_target' % q, '1\n', 0o444)
    write(root, '%s/rel_tgt_id' % q, '0\n')
    write(root, '%s/luns/mgmt' % q, 'Usage\n')
    write(root, '%s/ini_groups/mgmt' % q, 'Usage\n')
    # copy_manager
    c = 'targets/copy_manager/copy_manager_tgt'
    write(root, 'targets/copy_manager/allow_not_connected_copy', '0\n')
    lun(root, '%s/luns' % c, 0, 'disk01')
    write(root, '%s/ini_groups/mgmt' % c, 'Usage\n')
    write(root, '%s/rel_tgt_id' % c, '0\n')
    # ALUA
    dg = 'device_groups/dg1'
    write(root, '%s/devices/mgmt' % dg, 'Usage\n')
    link(root, '%s/devices/disk01' % dg, '../../../devices/disk01')
    write(root, '%s/target_groups/mgmt' % dg, 'Usage\n')
    write(root, '%s/target_groups/local/group_id' % dg, '1\n[key]\n')
    write(root, '%s/target_groups/local/state' % dg, 'active\n[key]\n')
    write(root, '%s/target_groups/local/preferred' % dg, '0\n')
    link(root, '%s/target_groups/local/%s' % (dg, IQN), '../../../../targets/iscsi/%s' % IQN)
    write(root, '%s/target_groups/local/peer1/rel_tgt_id' % dg, '101\n[key]\n')
    return root


@pytest.fixture
def client(tree):
    return SysfsClient(root=tree, log_reader=None)


def expected_model():
    return normalize({
        'attributes': {'setup_id': '4660'},
        'handlers': [{'name': 'vdisk_fileio', 'devices': [
            {'name': 'disk01', 'attributes': {'filename': '/srv/disk01.img', 'blocksize': '4096'}}]}],
        'drivers': [
            {'name': 'copy_manager', 'targets': [{'name': 'copy_manager_tgt', 'luns': [{'lun': 0, 'device': 'disk01'}]}]},
            {'name': 'iscsi', 'enabled': True, 'attributes': {'IncomingUser': ['disc 12charsecretX']}, 'targets': [{
                'name': IQN, 'enabled': True,
                'attributes': {'rel_tgt_id': 1, 'IncomingUser': ['joe 12charsecret', 'fred 12charsecret2'],
                               'allowed_portal': ['10.0.0.*']},
                'luns': [{'lun': 0, 'device': 'disk01'}],
                'groups': [{'name': 'esx', 'initiators': ['iqn.1998-01.com.vmware:esx1'],
                            'luns': [{'lun': 3, 'device': 'disk01', 'read_only': True}]}]}]},
            {'name': 'qla2x00t', 'targets': [{'name': QLA, 'hw_target': True, 'enabled': False}]}],
        'device_groups': [{'name': 'dg1', 'devices': ['disk01'], 'target_groups': [
            {'name': 'local', 'attributes': {'group_id': 1, 'state': 'active'},
             'targets': [IQN, {'name': 'peer1', 'attributes': {'rel_tgt_id': 101}}]}]}],
    })


def test_gather_reads_the_key_configuration(client):
    assert gather(client) == expected_model()


def test_gather_nonkey_adds_default_values(client):
    model = gather(client, nonkey=True)
    device = model['handlers'][0]['devices'][0]
    assert device['attributes'] == {'filename': '/srv/disk01.img', 'blocksize': '4096', 'rotational': '1'}
    assert model['attributes'] == {'setup_id': '4660', 'threads': '4'}
    target = model['drivers'][1]['targets'][0]
    assert target['attributes']['QueuedCommands'] == '32'
    assert 'read_cmd_count' not in target['attributes'] and 'tid' not in target['attributes']
    assert target['groups'][0]['attributes'] == {'addr_method': 'PERIPHERAL'}


def test_gather_never_reads_counters_or_states(client, monkeypatch):
    read = []
    original = client.read_value
    monkeypatch.setattr(client, 'read_value', lambda path: read.append(path) or original(path))
    model = gather(client, nonkey=True)
    assert model['drivers'][1]['targets'][0]['attributes']['QueuedCommands'] == '32'
    assert [path for path in read if path.endswith(('read_cmd_count', '/tid'))] == []


def test_gather_filters_what_it_reads(client):
    model = gather(client, handlers=[], drivers=['iscsi'], targets=['nope'], device_groups=False,
                   global_attributes=False)
    assert model['handlers'] == [] and model['device_groups'] == [] and model['attributes'] == {}
    assert [(d['name'], d['targets']) for d in model['drivers']] == [('iscsi', [])]


def test_gather_reads_only_the_devices_asked_for(client, monkeypatch):
    read = []
    original = client.read_attrs
    monkeypatch.setattr(client, 'read_attrs', lambda path, names: read.append(path) or original(path, names=names))
    assert gather(client, drivers=[], devices=['nope'], device_groups=False)['handlers'][0]['devices'] == []
    assert not [path for path in read if path.startswith('devices/')]
    model = gather(client, drivers=[], devices=['disk01'], device_groups=False)
    assert model['handlers'][0]['devices'] == expected_model()['handlers'][0]['devices']


def test_gathered_state_plans_nothing_for_itself(client):
    current = gather(client, nonkey=True)
    assert plan(gather(client), current, 'merged') == []
    assert plan(gather(client), current, 'overridden') == []


def test_gather_meta(client):
    meta = gather_meta(client)
    # files: the attribute files of one existing object of the kind, what a new one can be given (_plan_names).
    assert meta['handlers'] == {'vdisk_fileio': {'create_params': [
        'active', 'async', 'blocksize', 'filename', 'nv_cache', 'read_only', 'rotational', 't10_dev_id'],
        'files': ['blocksize', 'filename', 'resync_size', 'rotational', 'type']}}
    iscsi = meta['drivers']['iscsi']
    target_dir = os.path.join(client.root, 'targets/iscsi', IQN)
    assert iscsi.pop('target_files') == sorted(name for name in os.listdir(target_dir)
                                               if os.path.isfile(os.path.join(target_dir, name))
                                               and not os.path.islink(os.path.join(target_dir, name)))
    assert iscsi.pop('group_files') == ['addr_method']
    assert iscsi == {'mgmt': True, 'create_params': [], 'driver_attributes': ['IncomingUser', 'OutgoingUser'],
                     'target_attributes': ['IncomingUser', 'OutgoingUser', 'allowed_portal']}
    assert meta['drivers']['qla2x00t']['mgmt'] is False
    assert meta['sessions']['iscsi'] == {IQN: {'iqn.1998-01.com.vmware:esx1': 'esx', 'iqn.other': None}}
    assert meta['sessions']['qla2x00t'] == {QLA: {}}
    scoped = gather_meta(client, handlers=[], drivers=['qla2x00t'])
    assert scoped['drivers'].keys() == {'qla2x00t'}
    # The ids of the targets left out of the scope: the kernel checks rel_tgt_id across all of them.
    assert scoped['ports'] == {'copy_manager': {'copy_manager_tgt': (None, '0')}, 'iscsi': {IQN: (True, '1')}}
    assert gather_meta(client, drivers=['iscsi'], targets=[])['ports']['iscsi'] == {IQN: (True, '1')}
    assert 'ports' not in meta


def test_parse_help_and_version():
    assert parse_help(FILEIO_HELP)['create_params'][:2] == ['active', 'async']
    assert parse_help('The following parameters available: node_name, parent_host.\n')['create_params'] == [
        'node_name', 'parent_host']
    assert parse_version(['3.7.0', 'TRACING']) == '3.7.0'
    assert parse_version(['3.9.0 (revision=1234)', 'DEBUG']) == '3.9.0'
    assert parse_version(['SCST version: 3.11.0-pre', 'SCST build date: x']) == '3.11.0-pre'
    assert parse_version(['garbage']) is None


def test_gather_facts(client, tmp_path):
    fc = str(tmp_path / 'fc_host')
    write(fc, 'host3/port_name', '0x21000024ff314c48\n')
    write(fc, 'host4/port_name', '0x2100\n')
    write(fc, 'host5/node_name', '0x0\n')
    modules = str(tmp_path / 'module')
    write(modules, 'scst/initstate', 'live\n')
    write(modules, 'scst/parameters/auto_cm_assignment', 'Y\n')
    write(modules, 'qla2xxx_scst/initstate', 'live\n')
    write(modules, 'qla2xxx_scst/parameters/qlini_mode', 'exclusive\n')
    write(modules, 'iscsi_scst/initstate', 'going\n')
    facts = gather_facts(client, fc_host_root=fc, module_root=modules)
    assert facts['version'] == '3.11.0-pre'
    assert facts['sessions'] == {'iscsi': {IQN: [{'name': 'iqn.1998-01.com.vmware:esx1', 'group': 'esx'},
                                                 {'name': 'iqn.other', 'group': None}]}}
    assert facts['fc_ports'] == {'host3': QLA, 'host4': '00:00:00:00:00:00:21:00'}
    assert facts['kernel_modules'] == {'scst': {'auto_cm_assignment': 'Y'}, 'qla2xxx_scst': {'qlini_mode': 'exclusive'}}
    assert fc_ports(str(tmp_path / 'none')) == {} and kernel_modules(str(tmp_path / 'none')) == {}


def test_fc_port_details(tmp_path):
    fc = str(tmp_path / 'fc_host')
    write(fc, 'host10/port_name', '0x21000024ff314c49\n')
    write(fc, 'host10/node_name', '0x20000024ff314c49\n')
    write(fc, 'host10/port_state', 'Linkdown\n')
    write(fc, 'host3/port_name', '0x21000024ff314c48\n')
    write(fc, 'host3/speed', '16 Gbit\n')
    assert fc_port_details(fc) == [
        {'host': 'host3', 'wwpn': QLA, 'node_name': None, 'port_state': None, 'speed': '16 Gbit'},
        {'host': 'host10', 'wwpn': '21:00:00:24:ff:31:4c:49', 'node_name': '20:00:00:24:ff:31:4c:49',
         'port_state': 'Linkdown', 'speed': None}]
    assert fc_port_details(str(tmp_path / 'none')) == []


def test_gather_without_scst_says_so(tmp_path):
    client = SysfsClient(root=str(tmp_path / 'absent'), log_reader=None)
    with pytest.raises(ScstError, match='SCST is not loaded'):
        gather(client)
