# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad variables fail in the role's checks on the controller, before any host is touched, with a message naming
the variable. The inventory points at a loopback address where nothing listens: a run that tried to connect
would fail with an SSH error instead."""

from __future__ import annotations

import copy
import os
import socket

import pytest
import yaml

from conftest import CHAP_SECRET, REPO, SCST_CONFIG, ansible_playbook, assert_no_secret

UNREACHABLE = '127.0.0.250'
SHORT_SECRET = 'Zq7shortX'


def with_config(change):
    def vars_of():
        config = copy.deepcopy(SCST_CONFIG)
        change(config)
        return {'scst_config': config}
    return vars_of


def bad_wwpn(config):
    config['drivers'][0]['targets'][1] = {'name': '21:00:00:24:ff:31:4c', 'enabled': True}


def undefined_device(config):
    config['drivers'][0]['targets'][0]['groups'][0]['luns'][1]['device'] = 'diskX'


def short_chap(config):
    config['drivers'][1]['targets'][0]['attributes']['IncomingUser'] = [f'roletest {SHORT_SECRET}']


def initiator_typo(config):
    config['drivers'][0]['targets'][0]['groups'][0]['initiators'][0] = '21:00:00:24:ff:7a:11:0'


def duplicate_lun(config):
    config['drivers'][0]['targets'][0]['groups'][0]['luns'][1]['lun'] = 0


def handler_typo(config):
    config['handlers'][0]['name'] = 'vdisk_fileo'


def attribute_typo(config):
    config['handlers'][0]['devices'][0]['attributes']['blocksze'] = 4096


def handler_module_missing(config):
    config['handlers'].append({'name': 'dev_tape', 'devices': [{'name': '1:0:0:0'}]})


CASES = {
    'unknown_transport': (lambda: {'scst_transports': ['fc', 'iscsi', 'sas']}, ['scst_transports', 'sas']),
    'malformed_wwpn': (with_config(bad_wwpn), ["scst_config.drivers[0].targets[1].name: '21:00:00:24:ff:31:4c' is not a WWPN"]),
    'undefined_lun_device': (with_config(undefined_device),
                             ["scst_config.drivers[0].targets[0].groups[0].luns[1].device: 'diskX' is not a defined device"]),
    'short_chap_secret': (with_config(short_chap),
                          ['scst_config.drivers[1].targets[0].attributes.IncomingUser', 'shorter than 12']),
    # The cases: the user's own path (drivers[0] is qla2x00t as written, though iscsi sorts first), plain words.
    'initiator_typo': (with_config(initiator_typo), ["scst_config.drivers[0].targets[0].groups[0].initiators[0]: "
                                                     "'21:00:00:24:ff:7a:11:0' is not a WWPN"]),
    'duplicate_lun': (with_config(duplicate_lun), ["scst_config.drivers[0].targets[0].groups[0].luns[1].lun: LUN 0 is "
                                                   "given twice (devices 'disk01' and 'disk02')"]),
    'handler_typo': (with_config(handler_typo), ["scst_config.handlers[0].name: 'vdisk_fileo' is not a device handler "
                                                 "of SCST (did you mean 'vdisk_fileio'?)"]),
    'attribute_typo': (with_config(attribute_typo), ["scst_config.handlers[0].devices[0].attributes.blocksze: 'blocksze' "
                                                     "is not an attribute of a device of handler vdisk_fileio (did you mean "
                                                     "'blocksize'?)"]),
    'handler_module_missing': (with_config(handler_module_missing), ["scst_config.handlers[2].name: handler 'dev_tape' "
                                                                     "comes with kernel module scst_tape"]),
    'bad_qlini_mode': (lambda: {'scst_qlini_mode': 'target'}, ['scst_qlini_mode', 'target']),
}


@pytest.fixture(scope='module')
def nowhere(tmp_path_factory):
    """An inventory whose only host is a loopback address with nothing listening on port 22."""
    with socket.socket() as sock:
        sock.settimeout(3)
        if sock.connect_ex((UNREACHABLE, 22)) == 0:
            pytest.skip(f'something listens on {UNREACHABLE}:22')
    base = tmp_path_factory.mktemp('validation')
    (base / 'hosts.ini').write_text(
        f'[scst_fc]\nnowhere ansible_host={UNREACHABLE} ansible_port=22 ansible_user=root\n'
        '[scst_iscsi]\nnowhere\n', encoding='utf-8')
    good = {'scst_transports': ['fc', 'iscsi'], 'scst_qlini_mode': 'disabled', 'scst_config': copy.deepcopy(SCST_CONFIG)}
    (base / 'group_vars.yml').write_text(yaml.safe_dump(good), encoding='utf-8')
    return base


@pytest.mark.parametrize('mode', ['real', 'check'])
@pytest.mark.parametrize('case', sorted(CASES))
def test_bad_variable_fails_before_the_host(nowhere, case, mode):
    make_vars, words = CASES[case]
    (nowhere / f'{case}.yml').write_text(yaml.safe_dump(make_vars()), encoding='utf-8')
    run = ansible_playbook(str(nowhere), f'{case}-{mode}', ['-i', str(nowhere / 'hosts.ini'), '-e', f'@{nowhere}/group_vars.yml',
                                                            '-e', f'@{nowhere}/{case}.yml', '-v', '--diff',
                                                            *(['--check'] if mode == 'check' else []),
                                                            '-e', f'scst_report_dir={nowhere}/report',
                                                            os.path.join(REPO, 'playbooks', 'site.yml')])
    assert run.rc != 0
    stats = run.stat('nowhere')
    failures = run.record.get('failed', {}).get('nowhere', [])
    assert stats.get('unreachable') == 0 and stats.get('failures') == 1, (stats, failures, run.output[-3000:])
    assert len(failures) == 1 and 'UNREACHABLE' not in failures[0], failures
    for word in words:
        assert word in failures[0], (word, failures[0])
    assert 'scstadmin' not in failures[0] and 'scst.conf:' not in failures[0], failures[0]
    assert 'UNREACHABLE' not in run.output and 'Failed to connect' not in run.output, run.output[-3000:]
    # The host was never contacted: no task reported ok or changed for it.
    assert stats.get('changed') == 0, stats
    assert_no_secret([run], (CHAP_SECRET, SHORT_SECRET))


def test_empty_survey_answers_mean_unset(nowhere):
    """AWX sends an optional survey question left empty as ''. Every optional variable, choices and booleans
    included, passes the role's checks with it: the run gets as far as connecting to the (unreachable) host."""
    empty = dict((name, '') for name in ('scst_qlini_mode', 'scst_allow_driver_reload', 'scst_config_state',
                                         'scst_config_recreate', 'scst_config_backup', 'scst_config_rollback',
                                         'scst_config_force', 'scst_fc_blacklist_distribution_driver',
                                         'scst_initramfs_update', 'scst_service_enabled', 'scst_modules_file',
                                         'scst_config_check_names', 'scst_fail_on_drift', 'scst_report_dir'))
    (nowhere / 'empty.yml').write_text(yaml.safe_dump(empty), encoding='utf-8')
    run = ansible_playbook(str(nowhere), 'empty', ['-i', str(nowhere / 'hosts.ini'), '-e', f'@{nowhere}/group_vars.yml',
                                                   '-e', f'@{nowhere}/empty.yml', os.path.join(REPO, 'playbooks', 'site.yml')])
    stats = run.stat('nowhere')
    assert stats.get('failures') == 0 and stats.get('unreachable') == 1, (stats, run.output[-3000:])
