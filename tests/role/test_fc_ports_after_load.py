# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fresh FC host whose ports appear only when qla2xxx_scst is loaded (the distribution qla2xxx is blacklisted,
so nothing drives the HBAs at boot: emulator/README.md, boot sequence). The FC ports of scst_config, by WWPN and
by port index, are checked right after the modules are loaded and before scst_config changes anything; check mode,
which loads nothing, says plainly that they were not checked. One virtual host."""

from __future__ import annotations

import json
import os
import re

import pytest

from conftest import REPO, emulator, fc_only_config

WRONG_WWPN = '21:00:00:24:ff:99:99:00'
NOT_CHECKED = 'FC PORTS NOT CHECKED'


def bad_config():
    config = fc_only_config()
    config['drivers'][0]['targets'] += [{'name': WRONG_WWPN, 'enabled': True}, {'port': 5, 'enabled': True}]
    return config


@pytest.fixture(scope='module')
def fleet(make_fleet):
    fleet = make_fleet('fcafterload', {'scst_qlini_mode': 'disabled', 'scst_config': bad_config()}, hosts=1)
    host = fleet.hosts[0]
    prepare = fleet.play('demo/prepare.yml', label='prepare')
    assert prepare.rc == 0, prepare.output
    fleet.ssh(host, 'echo "blacklist qla2xxx" > /etc/modprobe.d/local-blacklist.conf')
    emulator('fleet', 'reboot', host, '--state-dir', fleet.state)
    return fleet


@pytest.fixture(scope='module')
def runs(fleet):
    host = fleet.hosts[0]
    before = fleet.probe(host)
    check = fleet.play('playbooks/site.yml', '--check', '--diff', label='bad-check')
    after_check = fleet.probe(host)
    real = fleet.play('playbooks/site.yml', label='bad-real')
    after_real = fleet.probe(host)
    fleet.write_group_vars({'scst_qlini_mode': 'disabled', 'scst_config': fc_only_config()})
    good = fleet.play('playbooks/site.yml', label='good-real')
    return host, before, (check, after_check), (real, after_real), (good, fleet.probe(host))


def test_the_host_shows_no_fc_port_before_the_run(runs):
    before = runs[1]
    assert 'qla2xxx' not in before['loaded'] and 'qla2xxx_scst' not in before['loaded'], before['loaded']


def test_check_mode_says_what_it_could_not_check(runs):
    host, before, (check, after) = runs[:3]
    assert check.rc == 0, check.output[-4000:]
    notes = check.messages(host).get('Summary of this host')
    lines = [note for note in notes if note.startswith(NOT_CHECKED)]
    assert len(lines) == 1, notes
    assert 'check mode' in lines[0], lines[0]
    assert f'scst_config.drivers[0].targets[2].name = {WRONG_WWPN}' in lines[0], lines[0]
    assert 'scst_config.drivers[0].targets[3].port = port 5' in lines[0], lines[0]
    assert after == before


def test_wrong_ports_fail_after_the_load_before_the_configuration(runs, fleet):
    host, before, _check, (real, after) = runs[:4]
    failures = real.record.get('failed', {}).get(host, [])
    assert real.rc != 0 and len(failures) == 1, (failures, real.output[-4000:])
    wwpns = ', '.join(fleet.wwpns(host))
    assert failures[0] == (f'scst_config.drivers[0].targets[2].name: {WRONG_WWPN} is not an FC port of this host '
                           f'(its ports: {wwpns}); scst_config.drivers[0].targets[3].port: port 5 requested, but this '
                           f'host has 2 FC port(s) ({wwpns}); scst_config was not applied'), failures[0]
    # The modules were loaded (that is what made the ports appear); the configuration was not touched.
    assert 'qla2xxx_scst' in after['loaded'] and 'scst' in after['loaded'], after['loaded']
    # The driver's own targets appeared with the ports, as the driver makes them: disabled, no LUN, no group.
    assert before['targets'] == {} and after['conf'] is None, after
    assert after['targets'] == {f'qla2x00t/{wwpn}': {'enabled': '0', 'groups': {}, 'luns': {}}
                                for wwpn in fleet.wwpns(host)}, after['targets']


def test_the_corrected_configuration_applies_and_checks_the_ports(runs, fleet):
    host, good, after = runs[0], runs[4][0], runs[4][1]
    assert good.rc == 0, good.output[-4000:]
    notes = good.messages(host).get('Summary of this host')
    assert not any(note.startswith(NOT_CHECKED) for note in notes if isinstance(notes, list)), notes
    assert sorted(after['targets']) == sorted(f'qla2x00t/{wwpn}' for wwpn in fleet.wwpns(host)), after['targets']
    assert all(target['enabled'] == '1' for target in after['targets'].values()), after['targets']


def test_the_emulator_readme_names_the_inventory_variable_of_the_wwpns(fleet):
    """Issue 12, point 10: emulator/README.md said scst_emulated_wwpns where the inventory writes another name."""
    with open(os.path.join(REPO, 'emulator', 'README.md'), encoding='utf-8') as handle:
        named = re.search(r"host's WWPNs as `([a-z_]+)`", handle.read().replace('\n', ' ')).group(1)
    with open(fleet.fleet_inventory, encoding='utf-8') as handle:
        line = next(line for line in handle if line.startswith(fleet.hosts[0] + ' '))
    value = re.search(named + r"='([^']*)'", line)
    assert value and json.loads(value.group(1)) == fleet.wwpns(fleet.hosts[0]), (named, line)
