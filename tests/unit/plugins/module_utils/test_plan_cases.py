# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Planner corner cases: handler and driver peculiarities, meta from the running kernel, ALUA."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.storage.scst.plugins.module_utils._model import normalize
from ansible_collections.storage.scst.plugins.module_utils._plan import Plan, PlanError, plan


IQN = 'iqn.2026-01.com.example:t1'


def model(**parts):
    return normalize(parts)


def commands(actions):
    return [(action.path, str(action.command)) for action in actions]


def handlers(*names, **devices):
    return [{'name': name, 'devices': devices.get(name, [])} for name in names]


def test_scst_local_target_repeats_session_name():
    desired = model(drivers=[{'name': 'scst_local', 'targets': [
        {'name': 'local1', 'attributes': {'session_name': ['host_a', 'host_b']}}]}])
    assert commands(plan(desired, model(drivers=[{'name': 'scst_local'}]))) == [
        ('targets/scst_local/mgmt', 'add_target local1 session_name=host_a;session_name=host_b')]


def local(*sessions):
    attributes = {'session_name': list(sessions)} if sessions else {}
    return model(drivers=[{'name': 'scst_local', 'targets': [{'name': 'local1', 'attributes': attributes}]}])


def test_scst_local_sessions_are_added_and_deleted_through_the_driver_mgmt():
    # add_session / del_session TARGET SESSION (SYSFS.md §2.3); a session is a local host: deleting one needs force.
    assert commands(plan(local('host_a', 'host_b'), local('host_b'))) == [
        ('targets/scst_local/mgmt', 'add_session local1 host_a')]
    assert commands(plan(local('host_a'), local('host_b'), 'merged')) == [
        ('targets/scst_local/mgmt', 'add_session local1 host_a')]
    with pytest.raises(PlanError, match='session host_b of target scst_local/local1 would be deleted'):
        plan(local('host_a'), local('host_b'), 'overridden')
    assert commands(plan(local('host_a'), local('host_b'), 'overridden', force=True)) == [
        ('targets/scst_local/mgmt', 'del_session local1 host_b'), ('targets/scst_local/mgmt', 'add_session local1 host_a')]
    assert commands(plan(local('host_a'), local('host_a'), 'overridden')) == []


def test_pass_through_device_is_assigned_without_parameters():
    desired = model(handlers=handlers('dev_disk', dev_disk=[{'name': '2:0:1:0'}]))
    assert commands(plan(desired, model(handlers=handlers('dev_disk')))) == [
        ('handlers/dev_disk/mgmt', 'add_device 2:0:1:0')]


def test_cluster_mode_is_the_last_add_device_parameter():
    desired = model(handlers=handlers('vdisk_blockio', vdisk_blockio=[{'name': 'd', 'attributes': {
        'filename': '/dev/x', 'cluster_mode': 1, 't10_dev_id': 'abc', 'active': 1}}]))
    assert commands(plan(desired, model(handlers=handlers('vdisk_blockio')))) == [
        ('handlers/vdisk_blockio/mgmt', 'add_device d active=1;filename=/dev/x;t10_dev_id=abc;cluster_mode=1')]


def test_create_parameters_from_the_running_kernel_win():
    desired = model(handlers=handlers('vdisk_fileio', vdisk_fileio=[{'name': 'd', 'attributes': {
        'filename': '/f', 'blocksize': 4096}}]))
    meta = {'handlers': {'vdisk_fileio': {'create_params': ['filename']}}}
    assert commands(plan(desired, model(handlers=handlers('vdisk_fileio')), meta=meta)) == [
        ('handlers/vdisk_fileio/mgmt', 'add_device d filename=/f'), ('devices/d/blocksize', '4096')]


def test_vcdrom_media_change_is_a_write_not_a_recreation():
    current = model(handlers=handlers('vcdrom', vcdrom=[{'name': 'cd', 'attributes': {'filename': '/a.iso'}}]))
    desired = model(handlers=handlers('vcdrom', vcdrom=[{'name': 'cd', 'attributes': {'filename': '/b.iso'}}]))
    assert commands(plan(desired, current)) == [('devices/cd/filename', '/b.iso')]
    assert commands(plan(model(handlers=handlers('vcdrom', vcdrom=[{'name': 'cd'}])), model(handlers=handlers('vcdrom')))) \
        == [('handlers/vcdrom/mgmt', 'add_device cd')]


def test_sizes_derived_from_the_backing_file_are_never_written():
    current = model(handlers=handlers('vdisk_fileio', vdisk_fileio=[{'name': 'd', 'attributes': {
        'filename': '/f', 'size': '1048576'}}]))
    desired = model(handlers=handlers('vdisk_fileio', vdisk_fileio=[{'name': 'd', 'attributes': {
        'filename': '/f', 'size': '2097152'}}]))
    result = plan(desired, current)
    assert result == [] and 'resync_size' in result.warnings[0]
    created = plan(desired, model(handlers=handlers('vdisk_fileio')))
    assert commands(created) == [('handlers/vdisk_fileio/mgmt', 'add_device d filename=/f')] and created.warnings == []


def test_blockio_size_is_written():
    current = model(handlers=handlers('vdisk_blockio', vdisk_blockio=[{'name': 'd', 'attributes': {
        'filename': '/dev/x', 'size': '1048576'}}]))
    desired = model(handlers=handlers('vdisk_blockio', vdisk_blockio=[{'name': 'd', 'attributes': {
        'filename': '/dev/x', 'size': '0x200000'}}]))
    assert commands(plan(desired, current)) == [('devices/d/size', '2097152')]


def test_enabled_on_a_driver_without_enabled_is_a_warning():
    desired = model(drivers=[{'name': 'scst_local', 'enabled': True}])
    result = plan(desired, model(drivers=[{'name': 'scst_local'}]))
    assert result == [] and 'scst_local' in result.warnings[0]


def test_merged_lun_may_map_a_present_device_that_the_config_does_not_name():
    current = model(handlers=handlers('vdisk_nullio', vdisk_nullio=[{'name': 'n'}]), drivers=[
        {'name': 'iscsi', 'targets': [{'name': IQN}]}])
    desired = model(drivers=[{'name': 'iscsi', 'targets': [{'name': IQN, 'luns': [{'lun': 0, 'device': 'n'}]}]}])
    assert commands(plan(desired, current)) == [('targets/iscsi/%s/luns/mgmt' % IQN, 'add n 0')]
    with pytest.raises(PlanError, match='neither configured nor kept'):
        plan(model(handlers=handlers('vdisk_nullio'), drivers=desired['drivers']), current, 'overridden')


def test_overridden_clears_drivers_the_config_leaves_out():
    current = model(handlers=handlers('vdisk_nullio', vdisk_nullio=[{'name': 'n'}]), drivers=[
        {'name': 'iscsi', 'enabled': True, 'attributes': {'IncomingUser': ['d 12charsecretX']}, 'targets': [
            {'name': IQN, 'enabled': False}]},
        {'name': 'copy_manager', 'targets': [{'name': 'copy_manager_tgt', 'luns': [{'lun': 0, 'device': 'n'}]}]}])
    desired = model(handlers=handlers('vdisk_nullio', vdisk_nullio=[{'name': 'n'}]))
    result = plan(desired, current, 'overridden')
    assert commands(result) == [('targets/iscsi/enabled', '0'),
                                ('targets/iscsi/mgmt', 'del_attribute IncomingUser d'),
                                ('targets/iscsi/mgmt', 'del_target %s' % IQN)]
    assert Plan(result).destructive


def test_overridden_keeps_the_driver_enabled_state_when_not_configured():
    current = model(drivers=[{'name': 'iscsi', 'enabled': True}])
    assert plan(model(drivers=[{'name': 'iscsi'}]), current, 'overridden') == []


def test_existing_virtual_target_creation_parameters_are_not_compared():
    npiv = '21:00:00:24:ff:00:00:02'
    current = model(drivers=[{'name': 'qla2x00t', 'targets': [{'name': npiv, 'enabled': True}]}])
    desired = model(drivers=[{'name': 'qla2x00t', 'targets': [{'name': npiv, 'enabled': True, 'attributes': {
        'node_name': '20:00:00:24:ff:00:00:02', 'parent_host': '21:00:00:24:ff:31:4c:48'}}]}])
    meta = {'drivers': {'qla2x00t': {'mgmt': True}}}
    assert plan(desired, current, 'merged', meta=meta) == []


def test_a_driver_without_mgmt_never_gets_targets():
    desired = model(drivers=[{'name': 'fcst', 'targets': [{'name': 'port1'}]}])
    with pytest.raises(PlanError, match='hardware target port1'):
        plan(desired, model(drivers=[{'name': 'fcst'}]), meta={'drivers': {'fcst': {'mgmt': False}}})


def test_iscsi_initiators_compare_without_case():
    current = model(drivers=[{'name': 'iscsi', 'targets': [{'name': IQN, 'groups': [
        {'name': 'g', 'initiators': ['iqn.1998-01.com.VMware:ESX1']}]}]}])
    desired = model(drivers=[{'name': 'iscsi', 'targets': [{'name': IQN, 'groups': [
        {'name': 'g', 'initiators': ['iqn.1998-01.com.vmware:esx1']}]}]}])
    assert plan(desired, current, 'replaced') == []


def test_outgoing_user_is_replaced_and_portals_compare_without_case():
    current = model(drivers=[{'name': 'iscsi', 'targets': [{'name': IQN, 'attributes': {
        'OutgoingUser': 'old 12charsecret1', 'allowed_portal': ['10.0.0.*']}}]}])
    desired = model(drivers=[{'name': 'iscsi', 'targets': [{'name': IQN, 'attributes': {
        'OutgoingUser': 'new 12charsecret2', 'allowed_portal': ['10.0.0.*']}}]}])
    result = plan(desired, current)
    assert commands(result) == [
        ('targets/iscsi/mgmt', 'del_target_attribute %s OutgoingUser old' % IQN),
        ('targets/iscsi/mgmt', 'add_target_attribute %s OutgoingUser new 12charsecret2' % IQN)]
    assert result[0].destructive is False  # replaced by a new value, not taken away


def test_a_current_value_that_cannot_be_written_back_does_not_stop_the_plan():
    current = model(handlers=handlers('vdisk_nullio', vdisk_nullio=[{'name': 'n', 'attributes': {'prod_rev_lvl': '390 '}}]))
    desired = model(handlers=handlers('vdisk_nullio', vdisk_nullio=[{'name': 'n', 'attributes': {'prod_rev_lvl': '3110'}}]))
    result = plan(desired, current)
    assert commands(result) == [('devices/n/prod_rev_lvl', '3110')]


def test_recreated_device_goes_back_into_a_device_group_the_config_does_not_name():
    devices = [{'name': 'd', 'attributes': {'filename': '/f', 'blocksize': '512'}}]
    current = model(handlers=handlers('vdisk_fileio', vdisk_fileio=devices),
                    device_groups=[{'name': 'dg', 'devices': ['d']}])
    desired = model(handlers=handlers('vdisk_fileio', vdisk_fileio=[
        {'name': 'd', 'attributes': {'filename': '/f', 'blocksize': '4096'}}]))
    result = plan(desired, current, recreate='options-changed')
    assert commands(result) == [('handlers/vdisk_fileio/mgmt', 'del_device d'),
                                ('handlers/vdisk_fileio/mgmt', 'add_device d blocksize=4096;filename=/f'),
                                ('device_groups/dg/devices/mgmt', 'add d')]


def alua_current():
    return model(handlers=handlers('vdisk_nullio', vdisk_nullio=[{'name': 'a'}, {'name': 'b'}]),
                 drivers=[{'name': 'iscsi', 'targets': [{'name': IQN}]}],
                 device_groups=[{'name': 'dg', 'devices': ['a', 'b'], 'target_groups': [
                     {'name': 'tg1', 'attributes': {'group_id': '1', 'state': 'active'},
                      'targets': [IQN, {'name': 'peer', 'attributes': {'rel_tgt_id': '101'}}]},
                     {'name': 'tg2', 'attributes': {'group_id': '2'}}]}])


def test_replaced_device_group_is_made_exact():
    desired = model(device_groups=[{'name': 'dg', 'devices': ['a'], 'target_groups': [
        {'name': 'tg1', 'attributes': {'group_id': 1, 'state': 'standby'}, 'targets': [
            IQN, {'name': 'peer', 'attributes': {'rel_tgt_id': 102}}]}]}])
    assert commands(plan(desired, alua_current(), 'replaced')) == [
        ('device_groups/dg/devices/mgmt', 'del b'),
        ('device_groups/dg/target_groups/mgmt', 'del tg2'),
        ('device_groups/dg/target_groups/tg1/state', 'standby'),
        ('device_groups/dg/target_groups/tg1/peer/rel_tgt_id', '102')]
    assert commands(plan(desired, alua_current(), 'merged')) == commands(plan(desired, alua_current(), 'replaced'))[2:]


def test_deleted_inside_a_device_group():
    desired = model(device_groups=[{'name': 'dg', 'devices': ['b'], 'target_groups': [
        {'name': 'tg1', 'targets': ['peer']}, {'name': 'tg2'}]}])
    assert commands(plan(desired, alua_current(), 'deleted')) == [
        ('device_groups/dg/devices/mgmt', 'del b'),
        ('device_groups/dg/target_groups/mgmt', 'del tg2'),
        ('device_groups/dg/target_groups/tg1/mgmt', 'del peer')]
    assert commands(plan(model(device_groups=[{'name': 'dg'}]), alua_current(), 'deleted')) == [
        ('device_groups/mgmt', 'del dg')]


def test_deleted_named_target_and_its_discovery_users():
    current = model(drivers=[{'name': 'iscsi', 'attributes': {'IncomingUser': ['a 12charsecretA', 'b 12charsecretB']},
                              'targets': [{'name': IQN, 'enabled': True}]}])
    desired = model(drivers=[{'name': 'iscsi', 'attributes': {'IncomingUser': ['a']}, 'targets': [{'name': IQN}]}])
    assert commands(plan(desired, current, 'deleted')) == [
        ('targets/iscsi/%s/enabled' % IQN, '0'),
        ('targets/iscsi/mgmt', 'del_attribute IncomingUser a'),
        ('targets/iscsi/mgmt', 'del_target %s' % IQN)]
    # Named with enabled: false, the target is disabled and stays (issue 13, finding 5).
    desired['drivers'][0]['targets'][0]['enabled'] = False
    assert commands(plan(desired, current, 'deleted')) == [
        ('targets/iscsi/%s/enabled' % IQN, '0'),
        ('targets/iscsi/mgmt', 'del_attribute IncomingUser a')]


def test_deleted_whole_handler_and_initiators():
    current = model(handlers=handlers('vdisk_nullio', vdisk_nullio=[{'name': 'a'}, {'name': 'b'}]),
                    drivers=[{'name': 'iscsi', 'targets': [{'name': IQN, 'groups': [
                        {'name': 'g', 'initiators': ['iqn.x:1', 'iqn.x:2'], 'luns': [{'lun': 0, 'device': 'a'}]}]}]}])
    assert commands(plan(model(handlers=handlers('vdisk_nullio')), current, 'deleted')) == [
        ('handlers/vdisk_nullio/mgmt', 'del_device a'), ('handlers/vdisk_nullio/mgmt', 'del_device b')]
    desired = model(drivers=[{'name': 'iscsi', 'targets': [{'name': IQN, 'groups': [
        {'name': 'g', 'initiators': ['iqn.x:2', 'iqn.x:3']}]}]}])
    assert commands(plan(desired, current, 'deleted')) == [
        ('targets/iscsi/%s/ini_groups/g/initiators/mgmt' % IQN, 'del iqn.x:2')]


def test_plan_commands_and_to_dict():
    desired = model(drivers=[{'name': 'iscsi', 'targets': [{'name': IQN, 'attributes': {'IncomingUser': 'u 12charsecretU'}}]}])
    result = plan(desired, model(drivers=[{'name': 'iscsi', 'targets': [{'name': IQN}]}]))
    assert result.commands('/x') == ["echo 'add_target_attribute %s IncomingUser u ********' > /x/targets/iscsi/mgmt" % IQN]
    assert result[0].to_dict()['description'] == 'add IncomingUser u to target iscsi/%s' % IQN


def test_luns_restored_after_recreation_keep_only_their_own_read_only_flag():
    current = model(handlers=handlers('vdisk_nullio', vdisk_nullio=[
        {'name': 'ro', 'attributes': {'read_only': '1'}}, {'name': 'rw'}]),
        drivers=[{'name': 'iscsi', 'targets': [{'name': IQN, 'luns': [
            {'lun': 0, 'device': 'ro', 'read_only': True}, {'lun': 1, 'device': 'rw', 'read_only': True}]}]}])
    desired = model(handlers=handlers('vdisk_nullio', vdisk_nullio=[
        {'name': 'ro', 'attributes': {'read_only': '0'}}, {'name': 'rw', 'attributes': {'blocksize': 4096}}]))
    result = plan(desired, current, recreate='options-changed')
    assert commands(result)[-2:] == [('targets/iscsi/%s/luns/mgmt' % IQN, 'add ro 0'),
                                     ('targets/iscsi/%s/luns/mgmt' % IQN, 'add rw 1 read_only=1')]
