# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""gather -> plan -> apply against the FUSE emulator of the SCST kernel (emulator/): the planner's commands
are accepted by the emulated kernel, a second plan is empty, sessions are drained, rollback restores."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os

import pytest

from ansible_collections.storage.scst.plugins.module_utils import _predict, _restore
from ansible_collections.storage.scst.plugins.module_utils._apply import apply
from ansible_collections.storage.scst.plugins.module_utils._gather import gather, gather_facts, gather_meta
from ansible_collections.storage.scst.plugins.module_utils._model import check
from ansible_collections.storage.scst.plugins.module_utils._plan import PlanError, plan
from ansible_collections.storage.scst.tests.unit.plugins.module_utils.emulated_host import emulated_host, fuse_missing

control = pytest.importorskip('scst_emulator.control', reason='the SCST emulator (emulator/) is not installed')

pytestmark = pytest.mark.skipif(fuse_missing() is not None, reason=str(fuse_missing()))

IQN = 'iqn.2026-01.com.example:t1'
IQN2 = 'iqn.2026-01.com.example:t2'
ESX = 'iqn.1998-01.com.vmware:esx1'


@pytest.fixture
def emu(tmp_path):
    with emulated_host() as host:
        image = str(tmp_path / 'disk01.img')
        with open(image, 'wb') as handle:
            handle.truncate(1 << 20)
        yield dict(host, image=image)


def config(image):
    return check({
        'attributes': {'setup_id': '0x1234'},
        'handlers': [
            {'name': 'vdisk_fileio', 'devices': [{'name': 'disk01', 'attributes': {
                'filename': image, 'blocksize': 4096, 'rotational': 0, 'usn': 'D1'}}]},
            {'name': 'vdisk_nullio', 'devices': [{'name': 'null0', 'attributes': {'read_only': 1}}]}],
        'drivers': [{'name': 'iscsi', 'enabled': True, 'attributes': {'IncomingUser': ['disc 12charsecretX']},
                     'targets': [{'name': IQN, 'enabled': True,
                                  'attributes': {'IncomingUser': ['joe 12charsecret'], 'allowed_portal': ['10.0.0.*'],
                                                 'QueuedCommands': 64},
                                  'luns': [{'lun': 0, 'device': 'disk01'}, {'lun': 1, 'device': 'null0'}],
                                  'groups': [{'name': 'esx', 'initiators': [ESX],
                                              'luns': [{'lun': 0, 'device': 'null0'}]}]}]}],
        'device_groups': [{'name': 'dg1', 'devices': ['disk01'], 'target_groups': [
            {'name': 'local', 'attributes': {'group_id': 1, 'state': 'active'}, 'targets': [IQN]}]}],
    })


def converge(client, desired, state, **options):
    """One module run: gather, plan, apply; returns (plan, result)."""
    actions = plan(desired, gather(client, nonkey=True), state, meta=gather_meta(client), **options)
    return actions, apply(client, actions)


def replan(client, desired, state):
    return plan(desired, gather(client, nonkey=True), state, meta=gather_meta(client))


def test_merged_applies_and_is_idempotent(emu):
    client, desired = emu['client'], config(emu['image'])
    actions, result = converge(client, desired, 'merged')
    assert result.ok, result.message()
    assert len(actions) == 22 and actions[-1].path == 'targets/iscsi/enabled'
    assert replan(client, desired, 'merged') == []
    assert replan(client, desired, 'replaced') == []
    gathered = gather(client)
    target = gathered['drivers'][1]['targets'][0]
    assert target['attributes']['IncomingUser'] == ['joe 12charsecret']
    assert target['groups'][0]['luns'] == [{'lun': 0, 'device': 'null0', 'read_only': True}]
    # The initiator sees the group's LUN set once the configuration is in place.
    assert control.call(emu['sock'], 'visible_luns', driver='iscsi', target=IQN, initiator=ESX, portal='10.0.0.5')


def test_overridden_drains_sessions_and_recreates_a_device(emu):
    client, desired = emu['client'], config(emu['image'])
    assert converge(client, desired, 'merged')[1].ok
    control.call(emu['sock'], 'login', driver='iscsi', target=IQN, initiator=ESX, portal='10.0.0.5')
    assert gather_facts(client)['sessions']['iscsi'][IQN] == [{'name': ESX, 'group': 'esx'}]
    smaller = check({
        'handlers': [{'name': 'vdisk_fileio', 'devices': [{'name': 'disk01', 'attributes': {
            'filename': emu['image'], 'blocksize': 512}}]}],
        'drivers': [{'name': 'iscsi', 'enabled': True, 'targets': [
            {'name': IQN2, 'enabled': True, 'luns': [{'lun': 0, 'device': 'disk01'}]}]}]})
    with pytest.raises(PlanError, match='open session'):
        converge(client, smaller, 'overridden', recreate='options-changed')
    actions, result = converge(client, smaller, 'overridden', recreate='options-changed', force=True)
    assert result.ok, result.message()
    assert [a.kind for a in actions][:3] == ['disable', 'close_session', 'wait_sessions']
    assert replan(client, smaller, 'overridden') == []
    assert [d['name'] for h in gather(client)['handlers'] for d in h['devices']] == ['disk01']


def test_local_sessions_are_gathered_planned_and_predicted():
    # scst_local's sessions are configuration (session_name, SYSFS.md §2.3): gathered from sessions/, a deleted one
    # added back with add_session, and the predicted after of a focused run is what a fresh gather reads.
    with emulated_host(modules=('scst', 'scst_vdisk', 'scst_local')) as host:
        client = host['client']
        desired = check({'drivers': [{'name': 'scst_local', 'targets': [
            {'name': 'local1', 'attributes': {'session_name': ['host1']}}]}]})
        assert converge(client, desired, 'merged')[1].ok
        local = [d for d in gather(client)['drivers'] if d['name'] == 'scst_local'][0]
        targets = dict((t['name'], t) for t in local['targets'])
        assert targets['local1']['attributes']['session_name'] == ['host1']
        assert targets['scst_local_tgt']['attributes']['session_name'] == ['scst_local_host']
        with client.locked():
            client.mgmt('targets/scst_local/mgmt', 'del_session local1 host1')
        before = gather(client, nonkey=True, focus=desired)
        assert [t['attributes'] for d in before['drivers'] for t in d['targets'] if t['name'] == 'local1'] == [
            {'rel_tgt_id': '0'}]
        actions = plan(desired, before, 'merged', meta=gather_meta(client))
        assert [(a.path, str(a.command)) for a in actions] == [('targets/scst_local/mgmt', 'add_session local1 host1')]
        predicted = _predict.predict(before, actions, desired)[0]
        assert apply(client, actions).ok
        assert predicted == gather(client, nonkey=True, focus=desired)
        assert replan(client, desired, 'merged') == []


def test_deleted_with_empty_config_clears_scst(emu):
    client = emu['client']
    assert converge(client, config(emu['image']), 'merged')[1].ok
    actions, result = converge(client, check({}), 'deleted')
    assert result.ok, result.message()
    assert replan(client, check({}), 'deleted') == []
    left = gather(client)
    assert all(not h['devices'] for h in left['handlers']) and left['device_groups'] == []
    assert [d['targets'] for d in left['drivers'] if d['name'] == 'iscsi'] == [[]]


def test_failure_stops_and_rollback_restores_the_state_before(emu):
    client, desired = emu['client'], config(emu['image'])
    before = gather(client)
    # The target's enabled is among the last writes: everything before it is applied, then undone.
    control.call(emu['sock'], 'faults', fail_nth=1, fail_errno=errno.EIO, fail_path='%s/enabled' % IQN)
    actions = plan(desired, gather(client, nonkey=True), 'merged', meta=gather_meta(client))
    snapshot = _restore.take(client, {}, actions)
    result = apply(client, actions)
    _restore.restore(client, snapshot, result)
    assert not result.ok and result.error.errno_name == 'EIO'
    assert result.failed.path == 'targets/iscsi/%s/enabled' % IQN
    assert [a.path for a in result.not_applied] == ['targets/iscsi/%s/enabled' % IQN, 'targets/iscsi/enabled']
    assert result.rollback_error is None and result.not_rolled_back == [], result.message()
    assert gather(client) == before
    assert '12charsecret' not in repr(result.to_dict(client.root)) + result.message()


# iSCSI session keys iscsi-scstd keeps without a file, at values its add_target (config_parse_main) takes.
CREATION_ONLY = {'MaxConnections': '1', 'DefaultTime2Wait': '0', 'DefaultTime2Retain': '0', 'ErrorRecoveryLevel': '0',
                 'DataPDUInOrder': 'Yes', 'DataSequenceInOrder': 'No', 'OFMarker': 'No', 'IFMarker': 'No',
                 'OFMarkInt': '2048', 'IFMarkInt': '2048'}


def test_iscsi_session_keys_without_a_file_go_into_add_target_and_are_never_written(emu):
    """A new target gets them in its add_target (the mgmt help lists no parameter, the daemon takes them); an
    existing one is left as it is: no file to write (ENOENT) and nothing to read back, so a re-run is empty."""
    client = emu['client']
    assert converge(client, check({'drivers': [{'name': 'iscsi', 'targets': [{'name': IQN2}]}]}), 'merged')[1].ok
    desired = check({'drivers': [{'name': 'iscsi', 'targets': [
        {'name': IQN, 'attributes': dict(CREATION_ONLY, QueuedCommands='64')},
        {'name': IQN2, 'attributes': {'MaxConnections': '1', 'DataPDUInOrder': 'Yes'}}]}]})
    before = gather(client, nonkey=True, focus=desired)
    actions = plan(desired, before, 'merged', meta=gather_meta(client))
    predicted = _predict.predict(before, actions, desired)[0]
    result = apply(client, actions)
    assert result.ok, result.message()
    # The predicted after holds none of them either: it is what a fresh gather reads.
    assert predicted == gather(client, nonkey=True, focus=desired)
    adds = [a.command for a in actions if a.kind == 'add_target']
    assert adds == ['add_target %s %s' % (IQN, ';'.join('%s=%s' % pair for pair in sorted(CREATION_ONLY.items())))]
    assert not [a for a in actions if a.path.rsplit('/', 1)[-1] in CREATION_ONLY]
    listed = set(os.listdir(os.path.join(client.root, 'targets/iscsi', IQN)))
    assert 'QueuedCommands' in listed and not listed & set(CREATION_ONLY)
    assert client.read('targets/iscsi/%s/QueuedCommands' % IQN).split('\n')[0] == '64'
    for state in ('merged', 'replaced', 'overridden'):
        assert replan(client, desired, state) == [], state
