# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_precheck and _names: what the controller finds before any host is touched, named by the user's own path."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import random

import pytest

from ansible_collections.storage.scst.plugins.module_utils import _model, _names, _precheck
from ansible_collections.storage.scst.plugins.module_utils._normalize import ModelError

from ansible_collections.storage.scst.tests.unit.plugins.module_utils.random_configs import random_config

SECRET = 'Tq7-precheck-secret'

# What the admin wrote (the FC driver first, as in their group_vars): two ports, a Hyper-V cluster group.
CONFIG = {
    'handlers': [
        {'name': 'vdisk_fileio', 'devices': [
            {'name': 'quorum', 'attributes': {'filename': '/srv/scst/quorum.img', 'blocksize': 4096}},
            {'name': 'csv01', 'attributes': {'filename': '/srv/scst/csv01.img'}}]},
    ],
    'drivers': [
        {'name': 'qla2x00t', 'targets': [
            {'port': 0, 'enabled': True},
            {'port': 1, 'enabled': True, 'groups': [
                {'name': 'hyperv', 'initiators': ['50:01:43:80:aa:01:00:10', '50:01:43:80:aa:01:00:12'],
                 'luns': [{'lun': 0, 'device': 'quorum'}, {'lun': 1, 'device': 'csv01'}]}]}]},
        {'name': 'iscsi', 'enabled': True, 'targets': [
            {'name': 'iqn.2026-01.com.example:t1', 'enabled': True,
             'attributes': {'IncomingUser': ['joe %s' % SECRET], 'QueuedCommands': 64},
             'luns': [{'lun': 0, 'device': 'csv01'}]}]},
    ],
}


def problems(config, **options):
    options.setdefault('ports', True)
    return _precheck.problems(config, prefix='scst_config', **options)


def changed(change):
    config = copy.deepcopy(CONFIG)
    change(config)
    return config


def test_a_good_configuration_has_no_problem():
    assert problems(CONFIG, transports=['fc', 'iscsi'], handler_modules=['scst_vdisk']) == []


def test_initiator_typo_is_named_by_the_path_as_written_not_the_sorted_one():
    # Sorted, iscsi comes before qla2x00t and ...:1 before ...:10: the message keeps the user's indexes.
    def typo(config):
        config['drivers'][0]['targets'][1]['groups'][0]['initiators'][0] = '50:01:43:80:aa:01:00:1'
    assert problems(changed(typo)) == [
        "scst_config.drivers[0].targets[1].groups[0].initiators[0]: '50:01:43:80:aa:01:00:1' is not a WWPN "
        "(xx:xx:xx:xx:xx:xx:xx:xx) nor a wildcard pattern"]


def test_duplicate_lun_is_plain_words_without_scstadmin():
    def twice(config):
        config['drivers'][0]['targets'][1]['groups'][0]['luns'] = [{'lun': 0, 'device': 'csv01'}, {'lun': 0, 'device': 'quorum'}]
    found = problems(changed(twice))
    assert len(found) == 1 and found[0].startswith('scst_config.drivers[0].targets[1].groups[0].luns[')
    assert "LUN 0 is given twice (devices 'csv01' and 'quorum')" in found[0]
    assert 'scstadmin' not in found[0]


def test_handler_typo_gets_did_you_mean():
    def typo(config):
        config['handlers'][0]['name'] = 'vdisk_fileo'
    assert problems(changed(typo)) == [
        "scst_config.handlers[0].name: 'vdisk_fileo' is not a device handler of SCST (did you mean 'vdisk_fileio'?)"]


def test_attribute_typos_get_did_you_mean_per_handler_and_driver():
    def typos(config):
        config['handlers'][0]['devices'][0]['attributes']['blocksze'] = 4096
        config['drivers'][1]['targets'][0]['attributes']['QueuedComands'] = 8
        config['drivers'][1]['attributes'] = {'iSNSServr': '10.0.0.1'}
    assert problems(changed(typos)) == [
        "scst_config.drivers[1].attributes.iSNSServr: 'iSNSServr' is not an attribute of driver iscsi "
        "(did you mean 'iSNSServer'?)",
        "scst_config.drivers[1].targets[0].attributes.QueuedComands: 'QueuedComands' is not an attribute of a "
        "target of driver iscsi (did you mean 'QueuedCommands'?)",
        "scst_config.handlers[0].devices[0].attributes.blocksze: 'blocksze' is not an attribute of a device of "
        "handler vdisk_fileio (did you mean 'blocksize'?)"]


def test_names_are_per_handler_and_can_be_left_unchecked():
    # o_direct exists on vdisk_fileio only (SYSFS.md 10); numbered CHAP attributes are the same attribute.
    def blockio(config):
        config['handlers'].append({'name': 'vdisk_blockio', 'devices': [{'name': 'b1', 'attributes': {
            'filename': '/dev/sdb', 'o_direct': 1}}]})
        config['drivers'][1]['targets'][0]['attributes']['IncomingUser1'] = 'ann %s' % SECRET
    found = problems(changed(blockio))
    assert found == ["scst_config.handlers[1].devices[0].attributes.o_direct: 'o_direct' is not an attribute of a "
                     "device of handler vdisk_blockio"]
    assert problems(changed(blockio), check_names=False) == []


def test_role_additions_ports_transports_and_handler_modules():
    def bad_ports(config):
        config['drivers'][0]['targets'][0]['name'] = '21:00:00:24:ff:31:4c:48'
        config['drivers'][0]['targets'][1]['port'] = -1
        config['drivers'][1]['targets'][0]['port'] = 0
    assert problems(changed(bad_ports)) == [
        'scst_config.drivers[0].targets[0]: give either name or port, not both',
        "scst_config.drivers[0].targets[1].port: '-1' is not a port index (0 is the host's first FC port)",
        'scst_config.drivers[1].targets[0].port: only targets of driver qla2x00t can name an FC port']
    assert problems(CONFIG, transports=['fc'], handler_modules=['scst_disk']) == [
        "scst_config.drivers[1].name: driver 'iscsi' needs 'iscsi' in scst_transports (now: fc)",
        "scst_config.handlers[0].name: handler 'vdisk_fileio' comes with kernel module scst_vdisk, which is not in "
        "scst_handler_modules (now: scst_disk)"]


def test_round_trip_problems_name_the_users_path_and_never_a_secret():
    # A value scstadmin would read as the procfs format: the renderer refuses it (the model alone allows it).
    def procfs(config):
        config['handlers'][0]['devices'][1]['attributes']['prod_id'] = '[a b]'
    found = problems(changed(procfs))
    assert len(found) == 1 and found[0].startswith('scst_config.handlers[0].devices[1].attributes.prod_id: '), found
    assert 'procfs' in found[0]

    def brace(config):
        config['drivers'][1]['targets'][0]['attributes']['IncomingUser'] = ['joe %s' % SECRET, 'ann {%s}' % SECRET]
    found = problems(changed(brace))
    assert len(found) == 1 and found[0].startswith('scst_config.drivers[1].targets[0].attributes.IncomingUser: ')
    assert SECRET not in found[0] and '********' in found[0]


def test_preflight_lists_backing_files_and_fc_ports_with_paths():
    def more(config):
        config['handlers'][0]['devices'].append({'name': 'off', 'attributes': {'filename': '/srv/off.img', 'active': 0}})
        config['drivers'][0]['targets'].append({'name': '21:00:00:24:FF:31:4C:48'})
        config['drivers'][0]['targets'].append({'name': '21:00:00:24:ff:31:4c:49', 'attributes': {
            'node_name': '20:00:00:24:ff:31:4c:49', 'parent_host': '21:00:00:24:ff:31:4c:48'}})
    assert _precheck.preflight(changed(more), prefix='scst_config', ports=True) == {
        'files': {'/srv/scst/quorum.img': 'scst_config.handlers[0].devices[0].attributes.filename',
                  '/srv/scst/csv01.img': 'scst_config.handlers[0].devices[1].attributes.filename'},
        'fc_ports': {'port 0': 'scst_config.drivers[0].targets[0].port', 'port 1': 'scst_config.drivers[0].targets[1].port',
                     '21:00:00:24:ff:31:4c:48': 'scst_config.drivers[0].targets[2].name'}}


def test_the_module_hints_come_from_the_same_table():
    assert _names.handler_problem('vdisk_fileio') is None
    assert "did you mean 'vdisk_fileio'" in _names.handler_problem('vdisk_fileo')
    assert "did you mean 'blocksize'" in _names.attribute_problem('device', 'vdisk_fileio', 'blocksze')
    # Handlers and drivers the table does not know are left to the kernel.
    assert _names.attribute_problem('target', 'ib_srpt', 'anything') is None


def _shuffled(rng, value):
    """The same configuration with every list in another order (what a user may write)."""
    if isinstance(value, dict):
        return dict((key, _shuffled(rng, item)) for key, item in value.items())
    if isinstance(value, list):
        items = [_shuffled(rng, item) for item in value]
        rng.shuffle(items)
        return items
    return value


def test_random_configurations_name_the_corrupted_initiator_where_it_was_written():
    """Seeded: valid random configurations, lists shuffled, one FC initiator made invalid; the one message
    names exactly the place it was written at."""
    rng = random.Random(1205)
    images = dict((name, '/srv/%s.img' % name) for name in ('d0', 'd1', 'd2', 'd3', 'd4', 'd5'))
    tried = 0
    for dummy in range(300):
        config = _shuffled(rng, random_config(rng, images))
        assert problems(config, ports=False) == []
        places = [(d, t, g, i) for d, driver in enumerate(config['drivers']) if driver['name'] == 'qla2x00t'
                  for t, target in enumerate(driver['targets']) for g, group in enumerate(target['groups'])
                  for i in range(len(group['initiators']))]
        if not places:
            continue
        d, t, g, i = rng.choice(places)
        config['drivers'][d]['targets'][t]['groups'][g]['initiators'][i] = '50:01:43:80:aa:01:00:1'
        path = 'scst_config.drivers[%d].targets[%d].groups[%d].initiators[%d]' % (d, t, g, i)
        assert problems(config, ports=False) == [path + ": '50:01:43:80:aa:01:00:1' is not a WWPN "
                                                        "(xx:xx:xx:xx:xx:xx:xx:xx) nor a wildcard pattern"]
        tried += 1
    assert tried > 50


@pytest.mark.parametrize('name, value, only', [('MaxConnections', 2, 1), ('DefaultTime2Wait', 2, 0),
                                               ('DefaultTime2Retain', 20, 0), ('ErrorRecoveryLevel', 1, 0)])
def test_iscsi_session_key_out_of_the_daemons_range_is_refused_by_path_and_value(name, value, only):
    """iscsi-scstd's session_keys range these keys to one value (usr/param.c, num_check_val): any other fails the
    add_target after the run's earlier writes, so the controller and the module refuse it first, by one rule."""
    config = changed(lambda c: c['drivers'][1]['targets'][0]['attributes'].update({name: value}))
    option = 'scst_config.drivers[1].targets[0].attributes.%s' % name
    expected = "%s: '%s': SCST takes %s only as %d" % (option, value, name, only)
    assert [p for p in problems(config) if p.startswith(option)][0].startswith(expected)
    with pytest.raises(ModelError, match="'%s': SCST takes %s only as %d" % (value, name, only)):
        _model.check({'drivers': [config['drivers'][1]]})
    fine = changed(lambda c: c['drivers'][1]['targets'][0]['attributes'].update({name: only}))
    assert problems(fine) == []
