# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter scst_report_rows: the fleet report's rows per host (playbooks/gather.yml), from scst_info results."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import random

import pytest
import yaml

from ansible.errors import AnsibleFilterError
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core before 2.19 templates every string
    trust_as_template = None

from ansible_collections.storage.scst.plugins.filter.scst_report_rows import FilterModule, scst_report_rows
from ansible_collections.storage.scst.plugins.module_utils._report import ANY_INITIATOR, NO_ANSWER

GATHER = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'playbooks', 'gather.yml')
WWPN0, WWPN1 = '21:00:00:24:ff:31:4c:48', '21:00:00:24:ff:31:4c:49'
IQN = 'iqn.2026-01.com.example:storage.t1'


def _device(size, read_only=False):
    return {'handler': 'vdisk_fileio', 'size': size, 'filename': '/srv/d.img', 'read_only': read_only,
            't10_vend_id': 'SCST_FIO', 't10_dev_id': 'x', 'usn': 'abc', 'naa_id': None, 'eui64_id': None}


# What scst_info returns with gather_subset [exports, devices, version, modules, fc_ports, sessions].
STATE = {
    'loaded': True, 'notes': [], 'version': '3.10.0', 'modules': {'scst': {}, 'scst_vdisk': {}, 'qla2x00tgt': {}},
    'fc_ports': [{'host': 'host0', 'wwpn': WWPN0, 'node_name': None, 'port_state': 'Online', 'speed': '16 Gbit'},
                 {'host': 'host1', 'wwpn': WWPN1, 'node_name': None, 'port_state': 'Online', 'speed': '16 Gbit'}],
    'devices': {'db': _device(64 * 1024 * 1024), 'Archive': _device(None), 'logs': _device(3 * 1024 ** 4, True)},
    'exports': [
        {'name': 'copy_manager', 'targets': [{'name': 'copy_manager_tgt', 'enabled': True,
                                              'luns': [{'lun': 0, 'device': 'db'}], 'groups': []}]},
        # An FC target named as the user wrote it (upper case) still finds its port.
        {'name': 'qla2x00t', 'targets': [{
            'name': WWPN1.upper(), 'enabled': True, 'luns': [{'lun': 3, 'device': 'logs', 'read_only': True}],
            'groups': [{'name': 'esx', 'initiators': ['21:00:00:24:ff:aa:01:*', 'Zeta'],
                        'luns': [{'lun': 0, 'device': 'db'}, {'lun': 1, 'device': 'logs', 'read_only': True}]},
                       {'name': 'parked', 'initiators': ['alpha'], 'luns': []}]}]},
        {'name': 'iscsi', 'targets': [{'name': IQN, 'enabled': False, 'luns': [], 'groups': []}]},
    ],
    'sessions': {'iscsi': {IQN: ['iqn.1991-05.com.microsoft:win01']}, 'qla2x00t': {'other': ['x']}},
}


def _rows(hostvars, **kwargs):
    return scst_report_rows(sorted(hostvars), hostvars, **kwargs)


def test_target_rows_name_port_default_lun_set_groups_and_sessions():
    host = _rows({'h1': {'scst_report_info': {'changed': False, 'scst': STATE}}})[0]
    assert [(t['driver'], t['name']) for t in host['targets']] == [('qla2x00t', WWPN1.upper()), ('iscsi', IQN)]
    fc, iscsi = host['targets']
    assert fc == {'driver': 'qla2x00t', 'name': WWPN1.upper(), 'enabled': True, 'port': 'host1',
                  # The target's own column: the default LUN set, without the read-only mark the groups show.
                  'luns': ['3 → logs'],
                  'groups': [{'name': 'esx', 'initiators': ['21:00:00:24:ff:aa:01:*', 'Zeta'],
                              'luns': ['0 → db', '1 → logs (ro)']},
                             {'name': 'parked', 'initiators': ['alpha'], 'luns': []}],
                  # Sessions of another target of the same driver are not this target's.
                  'sessions': []}
    assert iscsi == {'driver': 'iscsi', 'name': IQN, 'enabled': False, 'port': '', 'luns': [], 'groups': [],
                     'sessions': ['iqn.1991-05.com.microsoft:win01']}
    assert (host['name'], host['error'], host['version'], host['fc_ports']) == ('h1', '', '3.10.0', STATE['fc_ports'])
    assert sorted(host['modules']) == ['qla2x00tgt', 'scst', 'scst_vdisk']


def test_initiator_rows_one_per_initiator_of_a_lun_set_with_luns_sorted_without_case():
    host = _rows({'h1': {'scst_state': STATE}})[0]
    assert [(row['initiator'], row['group'], row['luns']) for row in host['initiators']] == [
        ('(any initiator outside the groups)', '', ['3 → logs (ro)']),
        ('21:00:00:24:ff:aa:01:*', 'esx', ['0 → db', '1 → logs (ro)']),
        ('Zeta', 'esx', ['0 → db', '1 → logs (ro)'])]
    # 'alpha' of the group without LUNs sees nothing: no row. Each row says through which target and port.
    assert set((row['driver'], row['target'], row['port']) for row in host['initiators']) == \
        set([('qla2x00t', WWPN1.upper(), 'host1')])
    assert host['initiators'][0]['initiator'] == ANY_INITIATOR


def test_devices_sorted_without_case_with_size_text_and_where_exported():
    devices = _rows({'h1': {'scst_state': STATE}})[0]['devices']
    assert [d['name'] for d in devices] == ['Archive', 'db', 'logs']
    assert [d['size_text'] for d in devices] == ['', '64.00 MB', '3.00 TB']
    assert [d['exports'] for d in devices] == [
        [], ['qla2x00t/%s/esx LUN 0' % WWPN1.upper()],
        ['qla2x00t/%s LUN 3' % WWPN1.upper(), 'qla2x00t/%s/esx LUN 1' % WWPN1.upper()]]
    # Every identity the host read is kept for the report's columns.
    assert dict((k, v) for k, v in devices[2].items() if k not in ('name', 'size_text', 'exports')) == STATE['devices']['logs']


def test_copy_manager_left_out_unless_asked():
    hostvars = {'h1': {'scst_state': STATE}}
    default = _rows(hostvars)[0]
    assert 'copy_manager' not in [t['driver'] for t in default['targets']]
    asked = _rows(hostvars, copy_manager=True)[0]
    assert asked['targets'][0] == {'driver': 'copy_manager', 'name': 'copy_manager_tgt', 'enabled': True, 'port': '',
                                   'luns': ['0 → db'], 'groups': [], 'sessions': []}
    assert [d['exports'] for d in asked['devices'] if d['name'] == 'db'] == [
        ['copy_manager/copy_manager_tgt LUN 0', 'qla2x00t/%s/esx LUN 0' % WWPN1.upper()]]
    assert ('copy_manager_tgt', ANY_INITIATOR) in [(row['target'], row['initiator']) for row in asked['initiators']]


def test_state_after_converge_wins_over_a_skipped_read():
    both = _rows({'h1': {'scst_state': STATE, 'scst_report_info': {'skipped': True, 'changed': False}}})
    assert both == _rows({'h1': {'scst_report_info': {'changed': False, 'scst': STATE}}})
    assert both[0]['error'] == '' and both[0]['targets']


def test_failed_and_unreachable_hosts_get_a_row_with_the_reason():
    rows = _rows({'web': {'scst_report_info': {'failed': True, 'msg': 'sudo: a password is required'}},
                  'Db': {'scst_state': None}, 'app': {}})
    assert [(row['name'], row['error']) for row in rows] == [
        ('app', NO_ANSWER), ('Db', NO_ANSWER), ('web', 'sudo: a password is required')]
    assert NO_ANSWER == 'no answer (unreachable, or the play failed before the read)'
    assert all(row[key] == [] for row in rows for key in ('modules', 'fc_ports', 'devices', 'targets', 'initiators'))


def test_host_without_scst_loaded():
    state = {'loaded': False, 'notes': ['SCST is not loaded'], 'exports': [], 'devices': {}, 'version': None,
             'modules': {}, 'fc_ports': [], 'sessions': {}}
    row = _rows({'h1': {'scst_report_info': {'changed': False, 'scst': state}}})[0]
    assert (row['error'], row['version'], row['targets'], row['devices']) == ('', None, [], [])


def test_other_variable_names():
    hostvars = {'h1': {'mine': {'changed': False, 'scst': STATE}}, 'h2': {'after': STATE}}
    rows = scst_report_rows(['h1', 'h2'], hostvars, state_var='after', result_var='mine')
    assert [bool(row['targets']) for row in rows] == [True, True]


def test_bad_input_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match='expects a list of host names and hostvars'):
        scst_report_rows('h1', {})
    assert FilterModule().filters() == {'scst_report_rows': scst_report_rows}


def test_the_report_playbook_expression_renders_the_rows():
    # gather.yml's own expression, through Ansible's templar, as its set_fact evaluates it.
    with open(GATHER) as handle:
        expression = yaml.safe_load(handle)[0]['vars']['__scst_report_hosts']
    hostvars = {'h2': {'scst_state': STATE}, 'h1': {}}
    variables = {'ansible_play_hosts_all': ['h2', 'h1'], 'hostvars': hostvars, 'scst_report_copy_manager': ''}
    rendered = Templar(loader=DataLoader(), variables=variables).template(
        trust_as_template(expression) if trust_as_template else expression)
    assert rendered == _rows(hostvars)
    variables['scst_report_copy_manager'] = 'yes'
    rendered = Templar(loader=DataLoader(), variables=variables).template(
        trust_as_template(expression) if trust_as_template else expression)
    assert rendered == _rows(hostvars, copy_manager=True) != _rows(hostvars)


def _random_state(rnd):
    devices = ['d%d' % index for index in range(rnd.randint(1, 4))]

    def luns():
        return [{'lun': lun, 'device': rnd.choice(devices), 'read_only': rnd.random() < 0.3}
                for lun in rnd.sample(range(16), rnd.randint(0, 3))]
    exports = [{'name': driver, 'targets': [
        {'name': '%s-t%d' % (driver, index), 'enabled': True, 'luns': luns(),
         'groups': [{'name': 'g%d' % group, 'initiators': rnd.sample(['a', 'B', 'c', 'D*'], rnd.randint(0, 3)),
                     'luns': luns()} for group in range(rnd.randint(0, 2))]} for index in range(rnd.randint(0, 3))]}
        for driver in rnd.sample(['iscsi', 'qla2x00t', 'copy_manager'], rnd.randint(0, 3))]
    return {'exports': exports, 'devices': dict((name, _device(rnd.choice([None, 512]))) for name in devices),
            'version': '3.10.0', 'modules': {}, 'fc_ports': [], 'sessions': {}}


@pytest.mark.parametrize('seed', [7, 2026])
def test_random_states_every_lun_once_per_device_and_each_initiator_per_lun_set(seed):
    rnd = random.Random(seed)
    for dummy in range(200):
        state = _random_state(rnd)
        copy_manager = rnd.random() < 0.5
        row = _rows({'h': {'scst_state': state}}, copy_manager=copy_manager)[0]
        shown = [driver for driver in state['exports'] if copy_manager or driver['name'] != 'copy_manager']
        lun_sets = [(target, [ANY_INITIATOR], target['luns']) for driver in shown for target in driver['targets']] + \
            [(target, group['initiators'], group['luns'])
             for driver in shown for target in driver['targets'] for group in target['groups']]
        assert sum(len(d['exports']) for d in row['devices']) == sum(len(luns) for dummy, dummy2, luns in lun_sets)
        assert len(row['initiators']) == sum(len(members) for dummy, members, luns in lun_sets if luns)
        assert [r['initiator'].lower() for r in row['initiators']] == sorted(r['initiator'].lower() for r in row['initiators'])
        assert [t['name'] for t in row['targets']] == [t['name'] for driver in shown for t in driver['targets']]
        assert sum(len(group['luns']) for t in row['targets'] for group in t['groups']) == \
            sum(len(group['luns']) for driver in shown for t in driver['targets'] for group in t['groups'])
