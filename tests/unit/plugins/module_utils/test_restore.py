# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Rollback (_restore) by hand cases: what a deleted target or device takes with it in the kernel comes back, values
the kernel chose come back, what no rollback can undo is refused before any write, and the report names paths,
never secrets. The random cases are in test_restore_property.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno

import pytest

from ansible_collections.storage.scst.plugins.module_utils import _restore
from ansible_collections.storage.scst.plugins.module_utils._apply import apply
from ansible_collections.storage.scst.plugins.module_utils._gather import gather, gather_meta
from ansible_collections.storage.scst.plugins.module_utils._model import check, normalize
from ansible_collections.storage.scst.plugins.module_utils._plan import plan
from ansible_collections.storage.scst.tests.unit.plugins.module_utils.emulated_host import (
    backing_files,
    emulated_host,
    fuse_missing,
)

control = pytest.importorskip('scst_emulator.control', reason='the SCST emulator (emulator/) is not installed')

IQN = 'iqn.2026-01.com.example:t1'
IQN2 = 'iqn.2026-01.com.example:t2'
ESX = 'iqn.1998-01.com.vmware:esx1'
ESX2 = 'iqn.1998-01.com.vmware:esx2'
SECRET = '12charsecretZ'

emulator = pytest.mark.skipif(fuse_missing() is not None, reason=str(fuse_missing()))


@pytest.fixture
def emu(tmp_path):
    with emulated_host() as host:
        yield dict(host, image=backing_files(tmp_path, ['disk01'])['disk01'])


def rich(image):
    """Two targets sharing two devices; t1 with everything a target can hold."""
    return check({
        'handlers': [
            {'name': 'vdisk_fileio', 'devices': [{'name': 'disk01', 'attributes': {'filename': image, 'usn': 'D1'}}]},
            {'name': 'vdisk_nullio', 'devices': [{'name': 'null0', 'attributes': {'blocksize': 4096}}]}],
        'drivers': [{'name': 'iscsi', 'enabled': True, 'targets': [
            {'name': IQN, 'enabled': True,
             'attributes': {'IncomingUser': ['joe ' + SECRET], 'allowed_portal': ['10.0.0.*'], 'QueuedCommands': 64,
                            'rel_tgt_id': 7},
             'luns': [{'lun': 0, 'device': 'disk01'}, {'lun': 3, 'device': 'null0', 'read_only': True}],
             'groups': [{'name': 'esx', 'initiators': [ESX, ESX2], 'attributes': {'addr_method': 'FLAT'},
                         'luns': [{'lun': 0, 'device': 'null0'}]}]},
            {'name': IQN2, 'enabled': True, 'luns': [{'lun': 0, 'device': 'null0'}]}]}],
        'device_groups': [{'name': 'dg1', 'devices': ['disk01', 'null0'], 'target_groups': [
            {'name': 'local', 'attributes': {'group_id': 1, 'state': 'active'}, 'targets': [IQN, IQN2]}]}],
    })


def start_rich(emu):
    """The emulated kernel with rich() applied: its client."""
    client = emu['client']
    assert apply(client, plan(rich(emu['image']), gather(client, nonkey=True), 'merged', meta=gather_meta(client))).ok
    return client


def visible(emu, initiator):
    """The LUNs an initiator of t1 sees (SYSFS.md 8.2)."""
    return control.call(emu['sock'], 'visible_luns', driver='iscsi', target=IQN, initiator=initiator, portal='10.0.0.5')


def without_t1(image):
    """rich() without t1, and with one more LUN in t2 (a write after t1's deletion)."""
    desired = rich(image)
    desired['drivers'][0]['targets'] = desired['drivers'][0]['targets'][1:]
    desired['drivers'][0]['targets'][0]['luns'].append({'lun': 1, 'device': 'disk01', 'read_only': False})
    desired['device_groups'][0]['target_groups'][0]['targets'] = [{'name': IQN2, 'attributes': {}}]
    return desired


def fail_and_restore(emu, desired, state, fail_at, **options):
    """Apply the run desired/state with its write ``fail_at`` failing, then roll back: (plan, result, before)."""
    client = emu['client']
    before = gather(client, nonkey=True)
    meta = gather_meta(client)
    actions = plan(desired, before, state, meta=meta, **options)
    assert _restore.refusal(actions, before, meta) is None
    snapshot = _restore.take(client, {}, actions)
    control.call(emu['sock'], 'faults', fail_nth=fail_at(actions), fail_errno=errno.EIO)
    result = apply(client, actions)
    assert not result.ok
    _restore.restore(client, snapshot, result)
    return actions, result, before


def position(kind):
    """fail_at for fail_and_restore(): the write after the first action of ``kind``."""
    return lambda actions: [a.kind for a in actions].index(kind) + 2


@emulator
def test_a_deleted_target_comes_back_with_everything_it_held(emu):
    client = start_rich(emu)
    seen = visible(emu, ESX)
    actions, result, before = fail_and_restore(emu, without_t1(emu['image']), 'overridden', position('del_target'))
    assert 'del_target' in [a.kind for a in result.applied]
    assert result.rollback_error is None and result.not_rolled_back == [], result.message()
    after = gather(client, nonkey=True)
    assert after == before
    target = [t for t in after['drivers'][1]['targets'] if t['name'] == IQN][0]
    assert target['enabled'] is True and target['attributes']['rel_tgt_id'] == '7'
    assert target['attributes']['IncomingUser'] == ['joe ' + SECRET] and target['attributes']['QueuedCommands'] == '64'
    luns = [(lun['lun'], lun['device'], lun['read_only']) for lun in target['luns']]
    assert luns == [(0, 'disk01', False), (3, 'null0', True)]
    group = target['groups'][0]
    assert group['initiators'] == [ESX, ESX2] and group['attributes']['addr_method'] == 'FLAT'
    members = after['device_groups'][0]['target_groups'][0]['targets']
    assert members == [{'name': IQN, 'attributes': {}}, {'name': IQN2, 'attributes': {}}]
    # The initiator sees what it saw before (SYSFS.md 8.2).
    assert seen and visible(emu, ESX) == seen


@emulator
def test_a_deleted_group_comes_back_with_its_attributes_initiators_and_luns(emu):
    client = start_rich(emu)
    seen = visible(emu, ESX2)
    without = rich(emu['image'])
    without['drivers'][0]['targets'][0]['groups'] = []
    without['drivers'][0]['targets'][0]['attributes']['QueuedCommands'] = '32'
    actions, result, before = fail_and_restore(emu, without, 'replaced', position('del_group'))
    assert [a.kind for a in result.applied] == ['del_group']
    assert result.rollback_error is None and result.not_rolled_back == [], result.message()
    assert gather(client, nonkey=True) == before
    assert seen and visible(emu, ESX2) == seen


@emulator
def test_a_deleted_device_comes_back_with_its_luns_everywhere_and_its_copy_manager_number(emu):
    client = start_rich(emu)
    # Re-creating null0 (another blocksize) deletes it: its LUNs in both targets and its device group entry go.
    changed = rich(emu['image'])
    changed['handlers'][1]['devices'][0]['attributes']['blocksize'] = '512'
    actions, result, before = fail_and_restore(emu, changed, 'merged', position('add_device'),
                                               recreate='options-changed')
    assert [a.kind for a in result.applied][:2] == ['del_device', 'add_device']
    assert result.rollback_error is None and result.not_rolled_back == [], result.message()
    assert gather(client, nonkey=True) == before
    # The copy manager numbered the device again by itself; the rollback moved it back (SYSFS.md 2.1).
    assert any(a.path.startswith('targets/copy_manager/') for a in result.rolled_back)


@emulator
def test_a_target_enabled_by_the_run_gets_rel_tgt_id_0_back(emu):
    client = emu['client']
    off = check({'drivers': [{'name': 'iscsi', 'enabled': True, 'targets': [{'name': IQN, 'enabled': False}]}]})
    assert apply(client, plan(off, gather(client, nonkey=True), 'merged', meta=gather_meta(client))).ok
    on = check({'drivers': [{'name': 'iscsi', 'enabled': True, 'targets': [
        {'name': IQN, 'enabled': True}, {'name': IQN2, 'enabled': True}]}]})
    # IQN's enable succeeds (the kernel then numbers the target, SYSFS.md 3.5); IQN2's fails.
    actions, result, before = fail_and_restore(emu, on, 'merged', position('enable'))
    assert result.failed.path == 'targets/iscsi/%s/enabled' % IQN2
    assert result.rollback_error is None and result.not_rolled_back == [], result.message()
    assert gather(client, nonkey=True) == before
    assert ('targets/iscsi/%s/rel_tgt_id' % IQN, '0') in [(a.path, str(a.command)) for a in result.rolled_back]


@emulator
def test_what_is_left_is_reported_by_path_without_values(emu):
    client = start_rich(emu)
    before = gather(client, nonkey=True)
    actions = plan(without_t1(emu['image']), before, 'overridden', meta=gather_meta(client))
    snapshot = _restore.take(client, {}, actions)
    control.call(emu['sock'], 'faults', fail_nth=position('del_target')(actions), fail_errno=errno.EIO)
    result = apply(client, actions)
    # The rollback's first write fails too.
    control.call(emu['sock'], 'faults', fail_nth=1, fail_errno=errno.ENOMEM)
    _restore.restore(client, snapshot, result)
    assert result.rollback_error and 'targets/iscsi/%s: gone' % IQN in result.not_rolled_back
    shown = result.message() + repr(result.to_dict(client.root))
    assert 'rollback' in shown and SECRET not in shown


def session_meta(driver, target, *names):
    return {'sessions': {driver: {target: dict((name, None) for name in names)}}}


def test_a_run_that_closes_sessions_or_disables_a_target_with_sessions_is_refused():
    current = normalize({'drivers': [{'name': 'iscsi', 'targets': [{'name': IQN, 'enabled': True}]}]})
    meta = session_meta('iscsi', IQN, ESX)
    gone = plan(normalize({'drivers': [{'name': 'iscsi', 'targets': [{'name': IQN}]}]}), current, 'deleted',
                force=True, meta=meta)
    refused = _restore.refusal(gone, current, meta)
    assert 'closes session %s of target iscsi/%s' % (ESX, IQN) in refused and 'nothing was written' in refused
    off = plan(normalize({'drivers': [{'name': 'iscsi', 'targets': [{'name': IQN, 'enabled': False}]}]}), current,
               'merged', force=True, meta=meta)
    assert 'disables iscsi/%s, which has open session(s) (%s/%s)' % (IQN, IQN, ESX) in _restore.refusal(off, current, meta)
    assert _restore.refusal(off, current, {}) is None


def test_a_run_that_overwrites_a_value_scst_would_not_take_back_is_refused():
    current = normalize({'handlers': [{'name': 'vdisk_nullio', 'devices': [
        {'name': 'n', 'attributes': {'prod_rev_lvl': '390 '}}]}]})
    desired = normalize({'handlers': [{'name': 'vdisk_nullio', 'devices': [
        {'name': 'n', 'attributes': {'prod_rev_lvl': '3110'}}]}]})
    assert 'devices/n/prod_rev_lvl' in _restore.refusal(plan(desired, current), current, {})


def test_a_run_that_reaches_other_drivers_or_deletes_a_device_widens_the_snapshot():
    current = normalize({'handlers': [{'name': 'vdisk_nullio', 'devices': [{'name': 'n'}]}],
                         'drivers': [{'name': 'iscsi', 'targets': [{'name': IQN}]}]})
    deleted = plan(normalize({'handlers': [{'name': 'vdisk_nullio', 'devices': [{'name': 'n'}]}]}), current, 'deleted')
    scope = _restore.scope_of({'drivers': ['iscsi'], 'targets': [IQN], 'device_groups': False}, deleted)
    assert scope['drivers'] is None and scope['targets'] is None and scope['device_groups'] is True
    moved = plan(normalize({'drivers': [{'name': 'iscsi', 'targets': [{'name': IQN, 'attributes': {'rel_tgt_id': 3}}]}]}),
                 current, 'merged', meta={'ports': {'qla2x00t': {'21:00:00:24:ff:00:00:01': ('1', '3')}}})
    assert any(a.path.startswith('targets/qla2x00t/') for a in moved)
    assert _restore.scope_of({'drivers': ['iscsi']}, moved)['drivers'] == ['iscsi', 'qla2x00t']
