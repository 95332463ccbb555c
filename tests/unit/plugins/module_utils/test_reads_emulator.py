# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Scoped reads of the per-object modules: one call opens a fixed number of files and directories under
/sys/kernel/scst_tgt, whatever else the host holds (issue 9: "a per-object call reads its own object and the minimum
context"). Each call runs the module's main() in-process on an emulated host twice, once beside 20 unrelated
devices and 4 unrelated targets and once beside 200 and 40. The opens below the SCST root are counted where the
client makes them (os.open and os.scandir: the files and directories bench/scstadmin_compare.py counts with strace)
and pinned per call, so a read that comes back shows here as a count, not as a time."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import json
import os

import pytest

from ansible.module_utils import basic
from ansible_collections.storage.scst.plugins.module_utils import _runner
from ansible_collections.storage.scst.plugins.module_utils._sysfs import SysfsClient
from ansible_collections.storage.scst.plugins.modules import scst_group, scst_handler, scst_lun, scst_target
from ansible_collections.storage.scst.tests.unit.plugins.module_utils.emulated_host import emulated_host, fuse_missing
from ansible_collections.storage.scst.tests.unit.plugins.modules.module_args import patch_module_args

control = pytest.importorskip('scst_emulator.control', reason='the SCST emulator (emulator/) is not installed')

pytestmark = pytest.mark.skipif(fuse_missing() is not None, reason=str(fuse_missing()))

IQN = 'iqn.2026-01.com.example:t1'
ESX = 'iqn.1998-01.com.vmware:esx1'


def populate(client, devices, targets):
    """The objects of the call (disk01 mapped as LUN 0 of t1 and of its group esx; disk02 unmapped) and, beside
    them, ``devices`` unrelated nullio devices and ``targets`` unrelated iSCSI targets, each with one LUN."""
    with client.locked():
        for name in ['disk01', 'disk02'] + ['other%d' % n for n in range(devices)]:
            client.mgmt('handlers/vdisk_nullio/mgmt', 'add_device %s' % name)
        for name in [IQN] + ['iqn.2026-01.com.example:other%d' % n for n in range(targets)]:
            client.mgmt('targets/iscsi/mgmt', 'add_target %s' % name)
        for n in range(targets):
            client.mgmt('targets/iscsi/iqn.2026-01.com.example:other%d/luns/mgmt' % n, 'add other%d 0' % n)
        client.mgmt('targets/iscsi/%s/luns/mgmt' % IQN, 'add disk01 0')
        client.mgmt('targets/iscsi/%s/ini_groups/mgmt' % IQN, 'create esx')
        client.mgmt('targets/iscsi/%s/ini_groups/esx/initiators/mgmt' % IQN, 'add %s' % ESX)
        client.mgmt('targets/iscsi/%s/ini_groups/esx/luns/mgmt' % IQN, 'add disk01 0')


def run_main(main, args, host, monkeypatch, capsys):
    """(result, opens under the SCST root) of one module run on the emulated host."""
    root = host['client'].root
    monkeypatch.setattr(_runner, 'SysfsClient', functools.partial(
        SysfsClient, root=root, lock_path=os.path.join(host['rundir'], 'apply.lock'), poll_interval=0.02))
    monkeypatch.setattr(basic.AnsibleModule, 'log', lambda self, msg, log_args=None: None)
    opened = []
    real_open, real_scandir = os.open, os.scandir

    def counted_open(path, flags, *args, **kwargs):
        if kwargs.get('dir_fd') is not None or str(path).startswith(root):
            opened.append(path)
        return real_open(path, flags, *args, **kwargs)

    def counted_scandir(path='.'):
        if str(path).startswith(root):
            opened.append(path)
        return real_scandir(path)

    with patch_module_args(args):
        monkeypatch.setattr(os, 'open', counted_open)
        monkeypatch.setattr(os, 'scandir', counted_scandir)
        try:
            with pytest.raises(SystemExit):
                main()
        finally:
            monkeypatch.setattr(os, 'open', real_open)
            monkeypatch.setattr(os, 'scandir', real_scandir)
    return json.loads(capsys.readouterr().out), len(opened)


# call: (main, args, opens with 20 unrelated devices and 4 targets, with 200 and 40). Counted on this emulator with
# the run that landed this test; before it (the per-object modules reading every target's id and sessions, and
# scst_handler every driver to find the LUNs of a device) the same calls opened 26/98, 299/1775, 83/191, 138/246,
# 48/156, 50/158 and 41/149 files.
CALLS = {
    'scst_handler present, unchanged': (scst_handler.main, {'handler': 'vdisk_nullio', 'name': 'disk02'}, 11, 11),
    # The LUNs that map the device come from its exported/ links (SYSFS.md §1.3), not from reading every target.
    'scst_handler absent, mapped, refused': (scst_handler.main, {'handler': 'vdisk_nullio', 'name': 'disk01',
                                                                 'state': 'absent'}, 108, 108),
    'scst_target present, unchanged': (scst_target.main, {'driver': 'iscsi', 'name': IQN}, 66, 66),
    # Enabling a target without an id: the kernel hands out the lowest id no enabled target holds (scst_lib.c
    # gen_relative_target_port_id), so the planner reads every target's enabled and rel_tgt_id: 2 files each.
    # The state after is predicted, reading back only the id the kernel chose (a re-read of the target was 53 more).
    'scst_target enabled the first time': (scst_target.main, {'driver': 'iscsi', 'name': IQN, 'enabled': True},
                                           80, 80 + 2 * 36),
    'scst_target enabled again': (scst_target.main, {'driver': 'iscsi', 'name': IQN, 'enabled': True}, 66, 66),
    'scst_lun present, unchanged': (scst_lun.main, {'driver': 'iscsi', 'target': IQN, 'lun': 0, 'device': 'disk01'},
                                    31, 31),
    'scst_lun added to the group': (scst_lun.main, {'driver': 'iscsi', 'target': IQN, 'group': 'esx', 'lun': 1,
                                                    'device': 'disk02'}, 33, 33),
    'scst_group present, unchanged': (scst_group.main, {'driver': 'iscsi', 'target': IQN, 'name': 'esx',
                                                        'initiators': [ESX]}, 24, 24),
}


@pytest.mark.parametrize('call', sorted(CALLS))
def test_one_call_opens_a_pinned_number_of_files(call, monkeypatch, capsys):
    main, args, small, large = CALLS[call]
    counts = []
    for devices, targets in ((20, 4), (200, 40)):
        with emulated_host() as host:
            populate(host['client'], devices, targets)
            if call.endswith('again'):
                with host['client'].locked():
                    host['client'].write_attr('targets/iscsi/%s/enabled' % IQN, '1')
            result, opens = run_main(main, dict(args), host, monkeypatch, capsys)
            counts.append(opens)
    if call.endswith('refused'):
        # The LUNs the exported/ links lead to, copy_manager's left out, as the result names them.
        assert result['failed'] and result['luns'] == ['iscsi/%s/0' % IQN, 'iscsi/%s/esx/0' % IQN], result
    else:
        assert not result.get('failed'), result
    assert counts == [small, large]


def test_disabling_the_driver_reads_the_sessions_of_its_other_targets(monkeypatch, capsys):
    # The scope of one target widens to every target of its driver when the driver is disabled: a session on another
    # target would lose its connection too (SYSFS.md §8.5), so it is refused without force, before any write.
    other = 'iqn.2026-01.com.example:other0'
    with emulated_host() as host:
        populate(host['client'], 1, 1)
        with host['client'].locked():
            host['client'].write_attr('targets/iscsi/enabled', '1')
            host['client'].write_attr('targets/iscsi/%s/enabled' % other, '1')
        control.call(host['sock'], 'login', driver='iscsi', target=other, initiator=ESX)
        result = run_main(scst_target.main, {'driver': 'iscsi', 'name': IQN, 'driver_enabled': False}, host,
                          monkeypatch, capsys)[0]
        assert result['failed'] and 'target iscsi/%s would be disabled with session %s open' % (other, ESX) \
            in result['msg'], result
        assert host['client'].read_value('targets/iscsi/enabled')[0] == '1'
