# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Configuration model: canonical form, validation with option paths, class lists and helpers."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.storage.scst.plugins.module_utils import _model
from ansible_collections.storage.scst.plugins.module_utils._model import (
    ModelError,
    check,
    empty_model,
    index,
    is_hardware_target,
    normalize,
    normalize_value,
    normalize_wwn,
    parse_number,
    validate,
)
from ansible_collections.storage.scst.plugins.module_utils._model_index import objects


def config(**extra):
    base = {
        'handlers': [{'name': 'vdisk_blockio', 'devices': [{'name': 'disk01', 'attributes': {'filename': '/dev/vg/l1'}}]}],
        'drivers': [{'name': 'iscsi', 'enabled': True, 'targets': [
            {'name': 'iqn.2026-01.com.example:t1', 'enabled': True, 'luns': [{'lun': 0, 'device': 'disk01'}]}]}],
    }
    base.update(extra)
    return base


def test_canonical_shape_has_every_key():
    model = normalize(config())
    assert sorted(model) == ['alua', 'attributes', 'device_groups', 'drivers', 'handlers']
    target = model['drivers'][0]['targets'][0]
    assert target == {'name': 'iqn.2026-01.com.example:t1', 'hw_target': False, 'enabled': True, 'attributes': {},
                      'luns': [{'lun': 0, 'device': 'disk01', 'read_only': False}], 'groups': []}
    assert json.loads(json.dumps(model)) == model
    assert normalize(None) == empty_model() == normalize({})


def test_normalize_is_idempotent_and_sorts():
    raw = config(drivers=[{'name': 'scst_local'}, {'name': 'iscsi', 'targets': [{'name': 'b'}, {'name': 'a', 'luns': [
        {'lun': 3, 'device': 'disk01'}, {'lun': '1', 'device': 'disk01'}]}]}])
    model = normalize(raw)
    assert [d['name'] for d in model['drivers']] == ['iscsi', 'scst_local']
    assert [t['name'] for t in model['drivers'][0]['targets']] == ['a', 'b']
    assert [lun['lun'] for lun in model['drivers'][0]['targets'][0]['luns']] == [1, 3]
    assert normalize(model) == model


@pytest.mark.parametrize('level, name, value, expected', [
    ('global', 'setup_id', '0x1234', '4660'),
    ('global', 'setup_id', 4660, '4660'),
    ('device', 'blocksize', '010', '8'),
    ('device', 'numa_node_id', -1, '-1'),
    ('device', 'nv_cache', True, '1'),
    ('device', 'nv_cache', 'Yes', '1'),
    ('device', 'rotational', 'off', '0'),
    ('device', 'rotational', '0x1', '1'),
    ('device', 'nv_cache', 2, '2'),
    ('target', 'InitialR2T', True, 'Yes'),
    ('target', 'ImmediateData', 'no', 'No'),
    ('target', 'ImmediateData', 0, 'No'),
    ('target', 'node_name', '0x20000024FF314C48', '20:00:00:24:ff:31:4c:48'),
    ('target', 'comment', True, '1'),
    ('target', 'comment', 12, '12'),
    ('device', 'prod_id', '0x10', '0x10'),
    ('device', 't10_dev_id', '010', '010'),
    ('target_group', 'group_id', '0x10', '16'),
])
def test_normalize_value(level, name, value, expected):
    assert normalize_value(level, name, value) == expected


def test_normalize_value_refuses_non_scalars():
    assert normalize_value('device', 'prod_id', {'a': 1}) is None


@pytest.mark.parametrize('text, expected', [
    ('21:00:00:24:FF:31:4C:48', '21:00:00:24:ff:31:4c:48'),
    ('21-00-00-24-ff-31-4c-48', '21:00:00:24:ff:31:4c:48'),
    ('21000024ff314c48', '21:00:00:24:ff:31:4c:48'),
    ('0x21000024ff314c48', '21:00:00:24:ff:31:4c:48'),
    ('0x1000024ff314c48', '01:00:00:24:ff:31:4c:48'),
    ('21000024ff12345678', None),
    ('iqn.2026-01.x:y', None),
    ('21:00:00:24:ff:31:4c', None),
])
def test_normalize_wwn(text, expected):
    assert normalize_wwn(text) == expected


def test_parse_number_reads_like_the_kernel():
    assert [parse_number(t) for t in ('0', '10', '010', '0x10', '-1', ' 7 ', '08', 'x', '')] == [0, 10, 8, 16, -1, 7, None, None, None]


def test_fc_names_and_initiators_get_scst_spelling():
    model = normalize({'drivers': [{'name': 'qla2x00t', 'targets': [{
        'name': '0x21000024FF314C48', 'groups': [{'name': 'g', 'initiators': ['21000024FF7A1100', '21:00:00:24:FF:7A:11:*']}]}]}]})
    target = model['drivers'][0]['targets'][0]
    assert target['name'] == '21:00:00:24:ff:31:4c:48'
    assert target['groups'][0]['initiators'] == ['21:00:00:24:ff:7a:11:*', '21:00:00:24:ff:7a:11:00']


def test_iscsi_names_are_kept_as_written():
    model = normalize({'drivers': [{'name': 'iscsi', 'targets': [{'name': 'IQN.X', 'groups': [
        {'name': 'g', 'initiators': ['IQN.Y']}]}]}]})
    assert model['drivers'][0]['targets'][0]['name'] == 'IQN.X'
    assert model['drivers'][0]['targets'][0]['groups'][0]['initiators'] == ['IQN.Y']


def test_multi_valued_attributes_are_always_sorted_lists():
    model = normalize({'drivers': [{'name': 'iscsi', 'attributes': {'IncomingUser': 'disc 12charsecret'}, 'targets': [
        {'name': 't', 'attributes': {'IncomingUser': ['b 12charsecret', 'a 12charsecret', 'a 12charsecret'],
                                     'allowed_portal': '10.0.0.*', 'OutgoingUser': []}}]}]})
    driver = model['drivers'][0]
    assert driver['attributes'] == {'IncomingUser': ['disc 12charsecret']}
    assert driver['targets'][0]['attributes'] == {'IncomingUser': ['a 12charsecret', 'b 12charsecret'],
                                                  'allowed_portal': ['10.0.0.*']}
    local = normalize({'drivers': [{'name': 'scst_local', 'targets': [{'name': 't', 'attributes': {'session_name': 's'}}]}]})
    assert local['drivers'][0]['targets'][0]['attributes'] == {'session_name': ['s']}


def test_single_value_lists_collapse_for_other_attributes():
    model = normalize({'attributes': {'cluster_name': ['c'], 'x': ['b', 'a']}})
    assert model['attributes'] == {'cluster_name': 'c', 'x': ['a', 'b']}


def test_enabled_and_read_only_words():
    model = normalize({'handlers': [{'name': 'vdisk_nullio', 'devices': [{'name': 'd'}]}],
                       'drivers': [{'name': 'iscsi', 'enabled': 'yes', 'targets': [
                           {'name': 't', 'enabled': 0, 'hw_target': 'no', 'luns': [{'lun': 0, 'device': 'd', 'read_only': 'on'}]}]}]})
    driver = model['drivers'][0]
    assert driver['enabled'] is True
    assert driver['targets'][0]['enabled'] is False and driver['targets'][0]['hw_target'] is False
    assert driver['targets'][0]['luns'][0]['read_only'] is True


def test_device_groups_accept_target_names():
    model = normalize({'device_groups': [{'name': 'dg', 'devices': ['b', 'a'], 'target_groups': [
        {'name': 'tg', 'targets': ['x', {'name': 'r', 'attributes': {'rel_tgt_id': '0x10'}}]}]}]})
    dgroup = model['device_groups'][0]
    assert dgroup['devices'] == ['a', 'b']
    assert dgroup['target_groups'][0]['targets'] == [{'name': 'r', 'attributes': {'rel_tgt_id': '16'}},
                                                     {'name': 'x', 'attributes': {}}]


# Structure problems, named by the user's path (before sorting).
STRUCTURE_ERRORS = [
    ({'handler': []}, "handler: is not a known option"),
    ({'handlers': {}}, 'handlers: must be a list, not dict'),
    ({'handlers': [{'devices': []}]}, 'handlers[0].name: is required'),
    ({'drivers': [{'name': 'iscsi', 'targets': [{'name': 't', 'lun': []}]}]}, 'drivers[0].targets[0].lun: is not a known option'),
    ({'drivers': [{'name': 'iscsi', 'targets': [{'name': 't', 'enabled': 'maybe'}]}]},
     "drivers[0].targets[0].enabled: 'maybe' is not a boolean"),
    ({'drivers': [{'name': 'iscsi', 'targets': [{'name': 't', 'luns': [{'lun': 'x', 'device': 'd'}]}]}]},
     "drivers[0].targets[0].luns[0].lun: 'x' is not a decimal LUN number"),
    ({'drivers': [{'name': 'iscsi', 'targets': [{'name': 't', 'luns': [{'lun': 0, 'device': 'd', 'attributes': {}}]}]}]},
     'a LUN has no attributes'),
    ({'attributes': {'threads': {'a': 1}}}, "attributes.threads: '{'a': 1}' is not a string, number or boolean"),
    ({'attributes': []}, 'attributes: must be a mapping, not list'),
    ({'handlers': [{'name': True}]}, "handlers[0].name: 'True' is a YAML boolean, not a name"),
]


@pytest.mark.parametrize('raw, message', STRUCTURE_ERRORS)
def test_structure_errors(raw, message):
    with pytest.raises(ModelError) as info:
        normalize(raw)
    assert message in str(info.value)
    assert any(message in _model.format_problem(p) for p in validate(raw))


# Meaning problems, each with the path of the option and the value.
def _with_target(**target):
    target.setdefault('name', 'iqn.2026-01.com.example:t1')
    return config(drivers=[{'name': 'iscsi', 'targets': [{'name': 'iqn.2026-01.com.example:t0'}, target]}])


VALIDATION_ERRORS = [
    (_with_target(luns=[{'lun': 0, 'device': 'diskX'}]), "drivers[0].targets[1].luns[0].device: 'diskX' is not a defined device"),
    (_with_target(luns=[{'lun': 0, 'device': 'disk01'}, {'lun': 0, 'device': 'disk01'}]),
     'drivers[0].targets[1].luns[1].lun: LUN 0 is given twice'),
    (_with_target(luns=[{'lun': 16384, 'device': 'disk01'}]), '16384 is out of range; LUN numbers go from 0 to 16383'),
    (_with_target(groups=[{'name': 'a', 'initiators': ['i']}, {'name': 'b', 'initiators': ['i']}]),
     "drivers[0].targets[1].groups[1].initiators[0]: initiator 'i' is also in group 'a'"),
    (_with_target(groups=[{'name': 'a'}, {'name': 'a'}]), "drivers[0].targets[1].groups[1].name: group 'a' is given twice"),
    (_with_target(attributes={'QueuedCommands': 'lots'}), "drivers[0].targets[1].attributes.QueuedCommands: 'lots' is not a number"),
    (_with_target(attributes={'InitialR2T': 'maybe'}), "'maybe' is not Yes or No"),
    (_with_target(attributes={'enabled': 1}), "'enabled' is a keyword of scst.conf, not an attribute (use the enabled option)"),
    (_with_target(attributes={'rel_tgt_id': [1, 2]}), "'rel_tgt_id' takes one value, not 2"),
    (_with_target(attributes={'comment': 'a"b'}), 'cannot be written to scst.conf'),
    (_with_target(name='iqn x'), "drivers[0].targets[1].name: 'iqn x' is not a valid target name"),
    (config(attributes={'version': '3'}), "attributes.version: 'version' is read-only"),
    (config(drivers=[{'name': 'iscsi', 'attributes': {'allowed_portal': '1.2.3.4'}}]),
     "'allowed_portal' is a target attribute, not a driver attribute"),
    (config(handlers=[{'name': 'dev_disk', 'devices': [{'name': 'sda'}]}]), "'sda' is not a SCSI address H:C:I:L"),
    (config(handlers=[{'name': 'vdisk_fileio', 'devices': [{'name': 'a.b'}]}]), "'a.b' is not a valid device name: it contains '.'"),
    (config(handlers=[{'name': 'vdisk_fileio', 'devices': [{'name': 'x' * 65}]}]), 'is 65 bytes long; at most 64 are allowed'),
    (config(handlers=[{'name': 'vdisk_fileio', 'devices': [{'name': 'd', 'attributes': {'blocksize': 'big'}}]}]),
     "handlers[0].devices[0].attributes.blocksize: 'big' is not a number"),
    (config(handlers=[{'name': 'vdisk_fileio', 'devices': [{'name': 'd', 'attributes': {'nv_cache': 2}}]}]), "'2' is not 0 or 1"),
    (config(handlers=[{'name': 'vdisk_fileio', 'devices': [{'name': 'd'}]}, {'name': 'vdisk_nullio', 'devices': [{'name': 'd'}]}]),
     "handlers[1].devices[0].name: device 'd' is also defined under handler 'vdisk_fileio'"),
    (config(drivers=[{'name': 'qla2x00t', 'targets': [{'name': 'port1'}]}]), "'port1' is not a WWPN"),
    (config(drivers=[{'name': 'qla2x00t', 'targets': [{'name': '21:00:00:24:ff:31:4c:48', 'groups': [
        {'name': 'g', 'initiators': ['host1']}]}]}]), "'host1' is not a WWPN (xx:xx:xx:xx:xx:xx:xx:xx) nor a wildcard pattern"),
    (config(drivers=[{'name': 'qla2x00t', 'targets': [{'name': '21:00:00:24:ff:31:4c:48', 'attributes': {'node_name': 'abc'}}]}]),
     "'abc' is not a WWN"),
    (config(device_groups=[{'name': 'dg', 'devices': ['nope']}]), "device_groups[0].devices[0]: 'nope' is not a defined device"),
    (config(device_groups=[{'name': 'a', 'devices': ['disk01']}, {'name': 'b', 'devices': ['disk01']}]),
     "device 'disk01' is also in device group 'a'"),
    (config(device_groups=[{'name': 'dg', 'target_groups': [{'name': 'tg', 'attributes': {'state': 'Active'}}]}]),
     "'Active' is not one of active, nonoptimized"),
    (config(device_groups=[{'name': 'dg', 'target_groups': [{'name': 'tg', 'targets': [{'name': 't', 'attributes': {'x': 1}}]}]}]),
     "'x' is not an attribute of a target in a target group"),
    (config(device_groups=[{'name': 'dg', 'target_groups': [{'name': 'a', 'targets': ['t']}, {'name': 'b', 'targets': ['t']}]}]),
     "target 't' is also in target group 'a'"),
]


@pytest.mark.parametrize('raw, message', VALIDATION_ERRORS)
def test_validation_errors_name_path_and_value(raw, message):
    problems = [_model.format_problem(p) for p in validate(raw)]
    assert any(message in p for p in problems), problems
    with pytest.raises(ModelError) as info:
        check(raw)
    assert message in str(info.value)


def test_valid_model_has_no_problems():
    assert validate(config()) == []
    assert check(config()) == normalize(config())


def test_device_is_a_device_named_after_the_handler_path_hint():
    problems = validate(config(handlers=[{'name': 'vcdrom', 'devices': [{'name': '/dev/cdrom'}]}]))
    assert "'/dev/cdrom' is a path; the device name is 'cdrom'" in _model.format_problem(problems[0])


def test_format_path():
    assert _model.format_path(('drivers', 0, 'targets', 1, 'luns', 0, 'device')) == 'drivers[0].targets[1].luns[0].device'
    assert _model.format_path(()) == '(top)'


@pytest.mark.parametrize('driver, target, expected', [
    ('qla2x00t', {'name': 'w'}, True),
    ('qla2x00t', {'name': 'w', 'attributes': {'parent_host': 'x', 'node_name': 'y'}}, False),
    ('ib_srpt', {'name': 'x'}, True),
    ('copy_manager', {'name': 'copy_manager_tgt'}, True),
    ('iscsi', {'name': 'x'}, False),
    ('iscsi', {'name': 'x', 'hw_target': True}, True),
])
def test_is_hardware_target(driver, target, expected):
    assert is_hardware_target(driver, target) is expected


def test_class_lists():
    assert 'filename' in _model.device_create_attributes('vdisk_fileio')
    assert 'o_direct' not in _model.device_create_attributes('vdisk_blockio')
    assert _model.device_create_attributes('dev_disk') == frozenset()
    assert _model.target_create_attributes('qla2x00t') == frozenset(('node_name', 'parent_host'))
    assert _model.dynamic_attributes('target', 'iscsi') == frozenset(('IncomingUser', 'OutgoingUser', 'allowed_portal'))
    assert _model.dynamic_attributes('driver', 'iscsi') == frozenset(('IncomingUser', 'OutgoingUser'))
    assert _model.is_multi_valued('target', 'allowed_portal', 'iscsi')
    assert not _model.is_multi_valued('driver', 'allowed_portal', 'iscsi')
    assert _model.to_bool('Yes') is True and _model.to_bool('x') is None and _model.to_bool([]) is None


def test_index_keys_objects_as_scst_compares_them():
    """One index for the planners and gather's focus (_model_index): LUNs by number in the default set and in
    each group, FC target names and initiators without case, every object under its parent."""
    wwpn = '21:00:00:24:FF:00:00:01'
    model = normalize(config(drivers=[
        {'name': 'iscsi', 'enabled': True, 'targets': [
            {'name': 'iqn.2026-01.com.example:t1', 'enabled': True,
             'luns': [{'lun': 0, 'device': 'disk01', 'read_only': True}],
             'groups': [{'name': 'g', 'initiators': ['iqn.1998-01.com.VMware:Esx'], 'luns': [{'lun': 3, 'device': 'disk01'}]}]}]},
        {'name': 'qla2x00t', 'targets': [{'name': wwpn}]}]))
    keys = index(model)
    target = keys['drivers']['iscsi']['targets']['iqn.2026-01.com.example:t1']
    assert target['luns'] == {0: {'device': 'disk01', 'read_only': True}}
    assert target['groups']['g']['luns'] == {3: {'device': 'disk01', 'read_only': False}}
    assert target['groups']['g']['initiators'] == {'iqn.1998-01.com.vmware:esx': 'iqn.1998-01.com.VMware:Esx'}
    assert list(keys['drivers']['qla2x00t']['targets']) == [wwpn.lower()]
    assert set(keys['handlers']['vdisk_blockio']['devices']) == {'disk01'}
    found = [(kind, names) for kind, names, dummy in objects(keys)]
    assert ('lun', ('iscsi', 'iqn.2026-01.com.example:t1', 'g')) in found
    assert found.index(('group', ('iscsi', 'iqn.2026-01.com.example:t1', 'g'))) < found.index(
        ('initiator', ('iscsi', 'iqn.2026-01.com.example:t1', 'g')))
    assert _model.by_name(model['drivers'])['iscsi']['enabled'] is True


def test_model_error_lists_every_problem():
    error = ModelError([(('a', 0), 'x'), (('b',), 'y')])
    assert str(error) == 'a[0]: x\nb: y'
    assert error.problems == [(('a', 0), 'x'), (('b',), 'y')]
