# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter scst_resolve_ports: the role's port shorthand, by the rule scst_check applies (_precheck.resolve_ports)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import random

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.storage.scst.plugins.filter.scst_check import FilterModule, scst_check, scst_resolve_ports

WWPNS = ['21:00:00:24:ff:31:4c:48', '21:00:00:24:ff:31:4c:49']
GROUPS = [{'name': 'esx', 'initiators': ['21:00:00:24:ff:aa:01:*'], 'luns': [{'lun': 0, 'device': 'db'}]}]
CONFIG = {
    'handlers': [{'name': 'vdisk_nullio', 'devices': [{'name': 'db'}]}],
    'drivers': [
        {'name': 'iscsi', 'targets': [{'name': 'iqn.2026-01.com.example:t1', 'luns': [{'lun': 0, 'device': 'db'}]}]},
        {'name': 'qla2x00t', 'targets': [{'port': 1, 'enabled': True, 'groups': GROUPS},
                                         {'name': '21:00:00:24:ff:31:4c:50', 'enabled': False},
                                         {'port': 0, 'enabled': True, 'groups': GROUPS}]},
    ],
}


def test_port_targets_take_the_wwpn_of_their_port_and_nothing_else_changes():
    before = copy.deepcopy(CONFIG)
    resolved = scst_resolve_ports(CONFIG, WWPNS)
    assert CONFIG == before
    assert resolved['drivers'][1]['targets'] == [{'name': WWPNS[1], 'enabled': True, 'groups': GROUPS},
                                                 {'name': '21:00:00:24:ff:31:4c:50', 'enabled': False},
                                                 {'name': WWPNS[0], 'enabled': True, 'groups': GROUPS}]
    assert dict(resolved, drivers=None) == dict(CONFIG, drivers=None)
    assert resolved['drivers'][0] == CONFIG['drivers'][0]
    # The resolved model is one scst_check finds nothing wrong with, as the shorthand one with ports=true.
    assert scst_check(resolved) == [] == scst_check(CONFIG, ports=True)


def test_a_configuration_without_the_shorthand_comes_back_as_it_is():
    iscsi_only = {'drivers': CONFIG['drivers'][0:1]}
    assert scst_resolve_ports(iscsi_only, []) == iscsi_only
    assert scst_resolve_ports(None, WWPNS) == {}


@pytest.mark.parametrize('target, driver, message', [
    ({'port': 2}, 'qla2x00t', "scst_config.drivers[0].targets[0].port: port 2 requested, but this host has 2 FC port(s) "
                              "(21:00:00:24:ff:31:4c:48, 21:00:00:24:ff:31:4c:49)"),
    ({'port': 0}, 'iscsi', 'scst_config.drivers[0].targets[0].port: only targets of driver qla2x00t can name an FC port'),
    ({'port': 0, 'name': WWPNS[0]}, 'qla2x00t', 'scst_config.drivers[0].targets[0]: give either name or port, not both'),
    ({'port': True}, 'qla2x00t', "scst_config.drivers[0].targets[0].port: 'True' is not a port index"),
    ({'port': -1}, 'qla2x00t', "scst_config.drivers[0].targets[0].port: '-1' is not a port index"),
    ({'port': '0'}, 'qla2x00t', "scst_config.drivers[0].targets[0].port: '0' is not a port index"),
])
def test_a_wrong_shorthand_is_an_error_naming_the_option(target, driver, message):
    with pytest.raises(AnsibleFilterError) as err:
        scst_resolve_ports({'drivers': [{'name': driver, 'targets': [target]}]}, WWPNS, prefix='scst_config')
    assert str(err.value).startswith(message)


def test_wwpns_must_be_a_list():
    for wrong in ('21:00:00:24:ff:31:4c:48', {'0': WWPNS[0]}, 0):
        with pytest.raises(AnsibleFilterError, match='expects the WWPNs of the FC ports'):
            scst_resolve_ports(CONFIG, wrong)
    assert FilterModule().filters()['scst_resolve_ports'] is scst_resolve_ports


def test_ports_not_known_yet_take_a_stand_in_wwpn_and_no_index_is_refused():
    # The role's check mode on a host that shows its FC ports only once qla2xxx_scst is loaded.
    config = {'drivers': [{'name': 'qla2x00t', 'targets': [{'port': 1}, {'port': 300, 'enabled': True}]}]}
    assert scst_resolve_ports(config, None)['drivers'][0]['targets'] == [
        {'name': '00:00:00:00:00:00:00:01'}, {'name': '00:00:00:00:00:00:01:2c', 'enabled': True}]
    # What is wrong with the shorthand itself is still refused.
    with pytest.raises(AnsibleFilterError, match='only targets of driver qla2x00t'):
        scst_resolve_ports({'drivers': [{'name': 'iscsi', 'targets': [{'port': 0}]}]}, None)


@pytest.mark.parametrize('seed', [11, 2026])
def test_random_shorthands_same_rule_as_scst_check(seed):
    # Where the host has every port asked for, the filter refuses exactly what scst_check(ports=true) reports
    # about the shorthand, with the same message, and names every other port target by its port's WWPN.
    rnd = random.Random(seed)
    wwpns = ['21:00:00:24:ff:00:00:%02x' % index for index in range(8)]
    for dummy in range(150):
        drivers = []
        for name in ['qla2x00t'] + (['iscsi'] if rnd.random() < 0.2 else []):
            targets = []
            for index in rnd.sample(range(8), rnd.randint(0, 4)):
                target = {'port': rnd.choice([index] * 12 + [-index - 1, str(index), False])}
                if rnd.random() < 0.05:
                    target['name'] = wwpns[index]
                targets.append(target)
            drivers.append({'name': name, 'targets': targets})
        config = {'drivers': drivers}
        checked = [problem for problem in scst_check(config, ports=True) if '].port' in problem or 'name or port' in problem]
        try:
            resolved = scst_resolve_ports(config, wwpns)
        except AnsibleFilterError as err:
            assert str(err).split('; ') == checked
            continue
        assert checked == []
        for driver, original in zip(resolved['drivers'], drivers):
            assert [target['name'] for target in driver['targets']] == [wwpns[target['port']] for target in original['targets']]
