# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every boolean variable of the role that defaults to true, set to false, changes what the host ends up with;
each case below observes that difference against a host that leaves it out (`x | default(true, true)` once turned
false into true unnoticed). The booleans come from meta/argument_specs.yml: one without a case fails the test.

Five virtual hosts, one run of playbooks/site.yml: h1 leaves every boolean out; h2 sets scst_service_enabled,
scst_fc_blacklist_distribution_driver and scst_initramfs_update to false (three separate files and commands);
h3 has an attribute typo with scst_config_check_names false; h4 and h5 fail their second device creation
(scst-fault, emulator/README.md), h4 with scst_config_rollback false, h5 with the default.
"""

from __future__ import annotations

import json
import os

import pytest
import yaml

from conftest import REPO, fc_only_config

INITRAMFS_LOG = '/root/initramfs-rebuilt'
# Stand-ins for lsinitramfs/lsinitrd (the initramfs holds qla2xxx) and update-initramfs/dracut (which leave a
# trace), in /root, which is each virtual host's own; the role's tool table (vars/main.yml) points at them.
STUBS = {'/root/list-initramfs': '#!/bin/sh\necho usr/lib/modules/6.1.0/kernel/drivers/scsi/qla2xxx/qla2xxx.ko\n',
         '/root/rebuild-initramfs': f'#!/bin/sh\necho "$@" >> {INITRAMFS_LOG}\n'}
TOOLS = {'list': ['/root/list-initramfs'], 'rebuild': ['/root/rebuild-initramfs', '-u']}
HOST_STATE = r'''
import json, os
root = '/sys/kernel/scst_tgt/devices'
print(json.dumps({
    'devices': sorted(os.listdir(root)) if os.path.isdir(root) else None,
    'blacklist': os.path.exists('/etc/modprobe.d/storage-scst-blacklist.conf'),
    'rebuilt': open('%s').read() if os.path.exists('%s') else None,
}))
''' % (INITRAMFS_LOG, INITRAMFS_LOG)


def default_true_booleans():
    with open(os.path.join(REPO, 'roles', 'scst', 'meta', 'argument_specs.yml'), encoding='utf-8') as handle:
        options = yaml.safe_load(handle)['argument_specs']['main']['options']
    return sorted(name for name, option in options.items() if option.get('default') is True)


def typo_config():
    model = fc_only_config()
    model['handlers'][0]['devices'][0]['attributes']['blocksze'] = 4096
    return model


HOST_VARS = {
    'h2': {'scst_service_enabled': False, 'scst_fc_blacklist_distribution_driver': False, 'scst_initramfs_update': False},
    'h3': {'scst_config_check_names': False, 'scst_config': typo_config()},
    'h4': {'scst_config_rollback': False},
}
# The second add_device of vdisk_fileio fails EIO on these hosts (the first created disk01).
FAULTED = ('h4', 'h5')


@pytest.fixture(scope='module')
def scenario(make_fleet):
    fleet = make_fleet('booleans', {'scst_qlini_mode': 'disabled', 'scst_config': fc_only_config()}, hosts=5)
    host_vars = os.path.join(fleet.inventory, 'host_vars')
    os.makedirs(host_vars)
    for host, values in HOST_VARS.items():
        with open(os.path.join(host_vars, f'{host}.yml'), 'w', encoding='utf-8') as handle:
            yaml.safe_dump(values, handle)
    prepare = fleet.play('demo/prepare.yml', label='prepare')
    assert prepare.rc == 0, prepare.output
    for host in fleet.hosts:
        for path, text in STUBS.items():
            fleet.ssh(host, f'cat > {path} && chmod 0755 {path}', stdin=text)
    for host in FAULTED:
        fleet.ssh(host, '/usr/local/sbin/scst-fault fail 2 EIO --path vdisk_fileio/mgmt')
    tools = json.dumps({'__scst_initramfs': {'Debian': TOOLS, 'default': TOOLS}})
    run = fleet.play('playbooks/site.yml', '-e', tools, label='site')
    for host in FAULTED:
        fleet.ssh(host, '/usr/local/sbin/scst-fault off')
    states = {}
    for host in fleet.hosts:
        states[host] = fleet.probe(host)
        states[host].update(json.loads(fleet.ssh(host, '/usr/bin/python3', '-', stdin=HOST_STATE)))
    return fleet, run, states


def failure(run, host):
    """The role's message for the host's failed converge (the module's failure, then the rescue that names it)."""
    failures = run.record.get('failed', {}).get(host, [])
    assert len(failures) == 2 and failures[-1].startswith('applying scst_config failed'), (host, failures, run.output[-4000:])
    return failures[-1]


def service_enabled(run, states):
    del run
    assert states['h1']['scst_service_enabled'] is True
    assert states['h2']['scst_service_enabled'] is False


def fc_blacklist_distribution_driver(run, states):
    assert states['h1']['blacklist'] is True and states['h2']['blacklist'] is False
    notes = run.messages('h2').get('Summary of this host')
    assert any('scst_fc_blacklist_distribution_driver is false' in note for note in notes), notes


def initramfs_update(run, states):
    del run
    # h1 changed its modprobe.d files and its (stand-in) initramfs holds qla2xxx: rebuilt once. h2 changed one too.
    assert states['h1']['rebuilt'] == '-u\n', states['h1']
    assert states['h2']['modprobe'] and states['h2']['rebuilt'] is None, states['h2']


def config_check_names(run, states):
    # Past the controller's check (which refuses blocksze by default, tests/role/test_validation.py): the modules
    # were loaded, then the converge refused the name on the host, with the hint, before creating anything.
    message = failure(run, 'h3')
    assert 'blocksze' in message and "did you mean 'blocksize'" in message, message
    assert 'qla2xxx_scst' in states['h3']['modules'] and states['h3']['devices'] == [], states['h3']
    assert run.stat('h3').get('changed', 0) > 0, run.stat('h3')


def config_rollback(run, states):
    for host in FAULTED:
        assert 'EIO' in failure(run, host) or 'Input/output error' in failure(run, host), failure(run, host)
    # Without rollback the device made before the failure stays; with it the kernel is as before the run.
    assert states['h4']['devices'] == ['disk01'], states['h4']
    assert states['h5']['devices'] == [], states['h5']
    assert states['h4']['conf'] is None and states['h5']['conf'] is None


CASES = {'scst_service_enabled': service_enabled,
         'scst_fc_blacklist_distribution_driver': fc_blacklist_distribution_driver,
         'scst_initramfs_update': initramfs_update,
         'scst_config_check_names': config_check_names,
         'scst_config_rollback': config_rollback}


def test_every_default_true_boolean_has_a_case():
    assert sorted(CASES) == default_true_booleans()


@pytest.mark.parametrize('name', sorted(CASES))
def test_false_is_observed(scenario, name):
    fleet, run, states = scenario
    del fleet
    assert run.stat('h1').get('failures') == 0 and run.stat('h2').get('failures') == 0, run.output[-4000:]
    assert states['h1']['devices'] == ['disk01', 'disk02'], states['h1']
    CASES[name](run, states)
