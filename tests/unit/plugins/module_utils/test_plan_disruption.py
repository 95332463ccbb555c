# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Nothing taken away that the task did not ask for (issue 13, "data and access lost"), on the FUSE emulator with
initiators logged in (emulator/README.md, scst-initiator): what logged-in initiators see is changed only with
force, the refusal comes before any write and names the LUNs and sessions; state deleted removes exactly what
it names; a target named without enabled keeps its state; a new object's unknown attribute is refused before
the object is created. Each case asserts the emulated kernel's state, not only the plan."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.storage.scst.plugins.module_utils._apply import apply
from ansible_collections.storage.scst.plugins.module_utils._errors import ScstInputError
from ansible_collections.storage.scst.plugins.module_utils._gather import gather, gather_meta
from ansible_collections.storage.scst.plugins.module_utils._model import check, format_path
from ansible_collections.storage.scst.plugins.module_utils._plan import PlanError, plan
from ansible_collections.storage.scst.tests.unit.plugins.module_utils.emulated_host import emulated_host, fuse_missing

control = pytest.importorskip('scst_emulator.control', reason='the SCST emulator (emulator/) is not installed')

pytestmark = pytest.mark.skipif(fuse_missing() is not None, reason=str(fuse_missing()))

T1 = 'iqn.2026-01.com.example:t1'
T2 = 'iqn.2026-01.com.example:t2'
ESX = 'iqn.1998-01.com.vmware:esx1'   # logs in to T1 through group esx
OTHER = 'iqn.1998-01.com.vmware:other'  # logs in to T1, no group: T1's default LUN set


def devices(*names):
    return [{'name': 'vdisk_nullio', 'devices': [{'name': name} for name in names]}]


def base():
    return {
        'handlers': devices('d0', 'd1', 'd2', 'd3'),
        'drivers': [{'name': 'iscsi', 'enabled': True, 'targets': [
            {'name': T1, 'enabled': True, 'luns': [{'lun': 0, 'device': 'd0'}, {'lun': 1, 'device': 'd1'}],
             'groups': [{'name': 'esx', 'initiators': [ESX], 'luns': [{'lun': 0, 'device': 'd2'}]}]},
            {'name': T2, 'enabled': True, 'luns': [{'lun': 0, 'device': 'd0'}, {'lun': 1, 'device': 'd3'}]}]}],
    }


# Function scope: ansible-test runs each test in a forked child that exits without finalising wider-scoped
# fixtures, so a module-wide emulator would outlive every test but the module's last (and its mount with it).
@pytest.fixture
def host():
    with emulated_host() as emu:
        yield emu


@pytest.fixture
def emu(host):
    """The host with base() applied and ESX and OTHER logged in to T1; cleared again afterwards."""
    client = host['client']
    assert apply(client, plan(check(base()), gather(client, nonkey=True), 'merged', meta=gather_meta(client))).ok
    for initiator in (ESX, OTHER):
        control.call(host['sock'], 'login', driver='iscsi', target=T1, initiator=initiator, portal='10.0.0.5')
    yield host
    assert apply(client, plan(check({}), gather(client, nonkey=True), 'deleted', force=True,
                              meta=gather_meta(client))).ok


def run(client, desired, state, **options):
    """One module run: gather, plan, apply; returns the gathered state after it."""
    actions = plan(check(desired), gather(client, nonkey=True), state, meta=gather_meta(client), **options)
    result = apply(client, actions)
    assert result.ok, result.message()
    return gather(client)


def luns(model, target, group=None):
    found = [t for d in model['drivers'] if d['name'] == 'iscsi' for t in d['targets'] if t['name'] == target]
    if not found:
        return None
    lun_set = [g for g in found[0]['groups'] if g['name'] == group][0] if group else found[0]
    return dict((entry['lun'], entry['device']) for entry in lun_set['luns'])


def enabled(model, target):
    return [t['enabled'] for d in model['drivers'] for t in d['targets'] if t['name'] == target][0]


def device_names(model):
    return sorted(d['name'] for h in model['handlers'] for d in h['devices'])


def with_t1(**t1):
    """base() with T1's entry replaced by t1 (and only T1 under iscsi)."""
    config = base()
    config['drivers'][0]['targets'] = [dict({'name': T1}, **t1)]
    return config


# (id, state, desired, options, what the refusal names). Each disrupts what ESX or OTHER sees on T1.
REFUSED = [
    ('replaced removes a LUN OTHER sees', 'replaced',
     with_t1(enabled=True, luns=[{'lun': 0, 'device': 'd0'}],
             groups=[{'name': 'esx', 'initiators': [ESX], 'luns': [{'lun': 0, 'device': 'd2'}]}]), {},
     ['LUN iscsi/%s/1 (device d1) would be removed' % T1, OTHER]),
    ('overridden removes a LUN ESX sees', 'overridden',
     dict(base(), drivers=[dict(base()['drivers'][0], targets=[
         dict(base()['drivers'][0]['targets'][0], groups=[{'name': 'esx', 'initiators': [ESX], 'luns': []}]),
         base()['drivers'][0]['targets'][1]])]), {},
     ['LUN iscsi/%s/esx/0 (device d2) would be removed' % T1, ESX]),
    ('merged re-points a LUN OTHER sees', 'merged', with_t1(luns=[{'lun': 0, 'device': 'd3'}]), {},
     ['LUN iscsi/%s/0 (device d0) would be re-pointed to device d3' % T1, OTHER]),
    ('deleted removes a LUN OTHER sees', 'deleted', with_t1(luns=[{'lun': 1, 'device': 'd1'}]), {},
     ['LUN iscsi/%s/1 (device d1) would be removed' % T1]),
    ('a device ESX uses is re-created', 'merged', {'handlers': devices('d2')}, {'recreate': 'always'},
     ['LUN iscsi/%s/esx/0 (device d2) would be lost because device d2 is re-created' % T1, ESX]),
    ('deleted deletes a device OTHER uses', 'deleted', {'handlers': devices('d1')}, {},
     ['because device d1 is deleted', OTHER]),
    ('a target with sessions is disabled', 'merged', with_t1(enabled=False), {},
     ['target iscsi/%s would be disabled with sessions %s, %s open' % (T1, ESX, OTHER)]),
    ('the driver is disabled under sessions', 'deleted', {'drivers': [{'name': 'iscsi', 'enabled': False}]}, {},
     ['target iscsi/%s would be disabled' % T1]),
    ('replaced deletes the initiator entry of ESX', 'replaced',
     with_t1(enabled=True, luns=[{'lun': 0, 'device': 'd0'}, {'lun': 1, 'device': 'd1'}],
             groups=[{'name': 'esx', 'initiators': [], 'luns': [{'lun': 0, 'device': 'd2'}]}]), {},
     ['initiator %s would be deleted from group iscsi/%s/esx' % (ESX, T1)]),
    ('deleted deletes the group ESX is in', 'deleted', with_t1(groups=[{'name': 'esx'}]), {},
     ['group esx of target iscsi/%s would be deleted and its 1 open session(s) closed (%s)' % (T1, ESX)]),
]


@pytest.mark.parametrize('state, desired, options, names', [case[1:] for case in REFUSED],
                         ids=[case[0] for case in REFUSED])
def test_what_logged_in_initiators_see_changes_only_with_force(emu, state, desired, options, names):
    client = emu['client']
    before = gather(client)
    sessions = gather_meta(client)['sessions']['iscsi'][T1]
    with pytest.raises(PlanError) as refused:
        run(client, copy.deepcopy(desired), state, **options)
    for name in names:
        assert name in str(refused.value)
    assert 'force' in str(refused.value)
    # Refused before any write (the same plan() runs in check mode).
    assert gather(client) == before and gather_meta(client)['sessions']['iscsi'][T1] == sessions
    after = run(client, copy.deepcopy(desired), state, force=True, **options)
    assert after != before


def test_what_no_session_sees_changes_without_force(emu):
    """T2 has no session: its LUNs are removed and re-pointed as asked, T1 is untouched."""
    client = emu['client']
    after = run(client, {'handlers': devices('d0', 'd1', 'd2', 'd3'), 'drivers': [{'name': 'iscsi', 'targets': [
        {'name': T2, 'enabled': False, 'luns': [{'lun': 0, 'device': 'd1'}]}]}]}, 'replaced')
    assert luns(after, T2) == {0: 'd1'} and enabled(after, T2) is False
    assert luns(after, T1) == {0: 'd0', 1: 'd1'} and luns(after, T1, 'esx') == {0: 'd2'}


# ---------------------------------------------------------------------------------- state deleted, exactly


def test_deleted_lun_entry_removes_that_lun_only(emu):
    """The LUN's device is in the configuration only because the model needs it there: it is not deleted, and
    LUN 0 of T2 (the same device) stays. Before issue 13 the device went, and LUN 0 of T2 with it."""
    client = emu['client']
    after = run(client, {'handlers': devices('d3'), 'drivers': [{'name': 'iscsi', 'targets': [
        {'name': T2, 'luns': [{'lun': 1, 'device': 'd3'}]}]}]}, 'deleted')
    assert luns(after, T2) == {0: 'd0'}
    assert device_names(after) == ['d0', 'd1', 'd2', 'd3']
    assert luns(after, T1) == {0: 'd0', 1: 'd1'}


def test_deleted_device_named_on_its_own_goes_with_its_luns(emu):
    client = emu['client']
    after = run(client, {'handlers': devices('d3')}, 'deleted')
    assert device_names(after) == ['d0', 'd1', 'd2'] and luns(after, T2) == {0: 'd0'}


@pytest.mark.parametrize('desired, message', [
    ({'handlers': [{'name': 'vdisk_blockio', 'devices': [{'name': 'd3', 'attributes': {'filename': '/dev/null'}}]}]},
     'device d3 is served by handler vdisk_nullio, not vdisk_blockio: not deleted'),
    ({'handlers': devices('d0'), 'drivers': [{'name': 'iscsi', 'targets': [
        {'name': T2, 'luns': [{'lun': 1, 'device': 'd0'}]}]}]},
     'LUN 1 of target iscsi/%s maps device d3, not d0 as the configuration says: not deleted' % T2),
], ids=['device under the wrong handler', 'LUN entry naming another device'])
def test_deleted_refuses_a_mismatch_and_writes_nothing(emu, desired, message):
    client = emu['client']
    before = gather(client)
    with pytest.raises(PlanError, match=message):
        run(client, desired, 'deleted', force=True)
    assert gather(client) == before


def test_deleted_with_enabled_false_only_disables(emu):
    """Before issue 13, {drivers: [{name: iscsi, enabled: false}]} deleted every iSCSI target."""
    client = emu['client']
    after = run(client, {'drivers': [{'name': 'iscsi', 'enabled': False, 'targets': [
        {'name': T2, 'enabled': False}]}]}, 'deleted', force=True)
    iscsi = [d for d in after['drivers'] if d['name'] == 'iscsi'][0]
    assert iscsi['enabled'] is False
    assert [t['name'] for t in iscsi['targets']] == [T1, T2]
    assert enabled(after, T1) is True and enabled(after, T2) is False
    assert luns(after, T2) == {0: 'd0', 1: 'd3'} and device_names(after) == ['d0', 'd1', 'd2', 'd3']


@pytest.mark.parametrize('state', ['replaced', 'overridden'])
def test_a_target_named_without_enabled_stays_enabled(emu, state):
    """Before issue 13, replaced disabled a target whose entry left enabled out (SCST#217's port flap)."""
    client = emu['client']
    config = base()
    for target in config['drivers'][0]['targets']:
        del target['enabled']
    del config['drivers'][0]['enabled']
    after = run(client, config, state)
    assert enabled(after, T1) is True and enabled(after, T2) is True
    assert [d['enabled'] for d in after['drivers'] if d['name'] == 'iscsi'] == [True]


# ---------------------------------------------------------------------------------- attribute names


UNKNOWN = [
    # SYSFS.md §2.1 (add_device parameters) and §10 (vdisk_nullio's files): no 'filename' on a nullio device.
    ('device', {'handlers': [{'name': 'vdisk_nullio', 'devices': [{'name': 'new', 'attributes': {
        'filename': '/srv/x.img'}}]}]}, 'handlers[0].devices[0].attributes.filename', "'/srv/x.img'"),
    # SYSFS.md §1.4 and §6.1: an iSCSI target has no attribute 'MaxConnection' (a misspelt session key).
    ('target', {'drivers': [{'name': 'iscsi', 'targets': [{'name': 'iqn.2026-01.com.example:new', 'attributes': {
        'MaxConnection': 4}}]}]}, 'drivers[0].targets[0].attributes.MaxConnection', "'4'"),
    # SYSFS.md §3.8: a group has addr_method, io_grouping_type, black_hole, cpu_mask (and iSCSI's threads flag).
    ('group', {'drivers': [{'name': 'iscsi', 'targets': [{'name': T2, 'groups': [
        {'name': 'new', 'attributes': {'QueuedCommands': 8}}]}]}]},
     'drivers[0].targets[0].groups[0].attributes.QueuedCommands', "'8'"),
]


@pytest.mark.parametrize('desired, path, value', [case[1:] for case in UNKNOWN], ids=[case[0] for case in UNKNOWN])
def test_unknown_attribute_of_a_new_object_is_refused_before_it_is_created(emu, desired, path, value):
    client = emu['client']
    before = gather(client)
    with pytest.raises(ScstInputError) as refused:
        run(client, desired, 'merged')
    assert refused.value.option == path and ('%s: invalid value %s' % (path, value)) in str(refused.value)
    assert gather(client) == before


def test_unknown_attribute_check_reads_the_kernel_lists(emu):
    """What the kernel lists wins over SYSFS.md's tables: a device's own files are accepted on a new device
    (prod_id, §10: runtime only), and the option path is the caller's."""
    client = emu['client']
    after = run(client, {'handlers': [{'name': 'vdisk_nullio', 'devices': [{'name': 'new', 'attributes': {
        'prod_id': 'NEW', 'blocksize': 4096}}]}]}, 'merged')
    assert 'new' in device_names(after)
    meta = gather_meta(client)
    assert 'prod_id' in meta['handlers']['vdisk_nullio']['files']
    with pytest.raises(ScstInputError, match=r"^config\.handlers\[0\]\.devices\[0\]\.attributes\.bogus: invalid value 'x'"):
        plan(check({'handlers': [{'name': 'vdisk_nullio', 'devices': [{'name': 'new2', 'attributes': {'bogus': 'x'}}]}]}),
             gather(client, nonkey=True), 'merged', meta=meta, option=lambda path: 'config.' + format_path(path))
