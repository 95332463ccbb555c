# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drift that widens access is found under merged (issue 12: a rogue initiator and a default-set LUN were silent)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import random

from ansible_collections.storage.scst.plugins.module_utils._drift import find
from ansible_collections.storage.scst.plugins.module_utils._model import check

T1 = 'iqn.2026-01.com.example:t1'
DESIRED = check({
    'handlers': [{'name': 'vdisk_nullio', 'devices': [{'name': 'csv01'}, {'name': 'quorum'}]}],
    'drivers': [{'name': 'iscsi', 'targets': [{'name': T1, 'enabled': True, 'groups': [
        {'name': 'cluster', 'initiators': ['iqn.1991-05.com.microsoft:node1', 'iqn.1991-05.com.microsoft:node2'],
         'luns': [{'lun': 0, 'device': 'csv01'}, {'lun': 1, 'device': 'quorum'}]}]}]}]})


def running(**changes):
    model = copy.deepcopy(DESIRED)
    target = model['drivers'][0]['targets'][0]
    if 'rogue' in changes:
        target['groups'][0]['initiators'].append(changes['rogue'])
    if 'default_lun' in changes:
        target['luns'].append({'lun': 5, 'device': changes['default_lun'], 'read_only': False})
    if 'group' in changes:
        target['groups'].append({'name': changes['group'], 'attributes': {}, 'initiators': ['iqn.x:spy'],
                                 'luns': [{'lun': 0, 'device': 'csv01', 'read_only': True}]})
    if 'target' in changes:
        model['drivers'][0]['targets'].append({'name': changes['target'], 'hw_target': False, 'enabled': True,
                                               'attributes': {}, 'luns': [], 'groups': []})
    return model


def test_the_configuration_itself_is_no_drift():
    assert find(DESIRED, running(), 'overridden') == []


def test_the_two_exposures_the_admin_hit_are_reported():
    found = find(DESIRED, running(rogue='iqn.1991-05.com.microsoft:rogue', default_lun='csv01'), 'overridden')
    assert found == [
        {'path': 'iscsi/%s/luns/5' % T1, 'kind': 'lun', 'removed_by': 'overridden',
         'message': 'iscsi/%s LUN 5 (device csv01) is not in the configuration and is seen by every initiator '
                    'outside its groups (the default LUN set)' % T1},
        {'path': 'iscsi/%s/groups/cluster/initiators/iqn.1991-05.com.microsoft:rogue' % T1, 'kind': 'initiator',
         'removed_by': 'overridden',
         'message': 'initiator iqn.1991-05.com.microsoft:rogue in iscsi/%s/groups/cluster is not in the configuration '
                    'and sees LUN 0 (device csv01), LUN 1 (device quorum)' % T1}]


def test_unnamed_groups_and_enabled_targets_are_reported():
    found = find(DESIRED, running(group='spies', target='iqn.2026-01.com.example:t9'), 'overridden')
    assert [(entry['kind'], entry['path']) for entry in found] == [
        ('group', 'iscsi/%s/groups/spies' % T1), ('target', 'iscsi/iqn.2026-01.com.example:t9')]
    assert 'iqn.x:spy' in found[0]['message'] and 'LUN 0 (device csv01, read-only)' in found[0]['message']


def test_drivers_the_configuration_does_not_name_are_not_judged():
    other = running()
    other['drivers'].append({'name': 'qla2x00t', 'enabled': None, 'attributes': {}, 'targets': [
        {'name': '21:00:00:24:ff:31:4c:48', 'hw_target': True, 'enabled': True, 'attributes': {}, 'luns': [], 'groups': []}]})
    assert find(DESIRED, other, 'overridden') == []


def test_random_extras_are_each_reported_once_and_nothing_else():
    rng = random.Random(20261205)
    for case in range(200):
        extras = dict((key, value) for key, value in (
            ('rogue', 'iqn.1991-05.com.microsoft:r%d' % case), ('default_lun', rng.choice(['csv01', 'quorum'])),
            ('group', 'g%d' % case), ('target', 'iqn.2026-01.com.example:x%d' % case)) if rng.random() < 0.5)
        kinds = sorted(entry['kind'] for entry in find(DESIRED, running(**extras), 'overridden'))
        expected = sorted({'rogue': 'initiator', 'default_lun': 'lun', 'group': 'group', 'target': 'target'}[key]
                          for key in extras)
        assert kinds == expected, (case, extras)
