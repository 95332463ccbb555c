# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/site.yml with scst_allow_driver_reload: false on hosts that booted with the distribution qla2xxx:
the role writes the boot files, applies iSCSI now, reports per host that the FC swap waits for a reboot; a reboot
of h1 brings its FC targets up from /etc/modules and /etc/scst.conf, and the next run changes nothing."""

from __future__ import annotations

import pytest

from conftest import assert_no_secret, converge, group_vars, parse_conf, predicted, render_conf

PENDING = 'will load at the next reboot'


@pytest.fixture(scope='module')
def scenario(make_fleet):
    fleet = make_fleet('reboot', group_vars(allow_reload=False))
    runs = converge(fleet)
    before = {host: fleet.probe(host) for host in fleet.hosts}
    reboot = fleet_reboot(fleet, 'h1')
    after = {host: fleet.probe(host) for host in fleet.hosts}
    runs['after_reboot'] = fleet.play('playbooks/site.yml', '-v', '--diff', label='after_reboot')
    return fleet, runs, before, after, reboot


def fleet_reboot(fleet, host):
    from conftest import emulator  # pylint: disable=import-outside-toplevel
    proc = emulator('fleet', 'reboot', host, '--state-dir', fleet.state)
    return proc.stdout + proc.stderr


def test_check_mode_predicts_first_run(scenario):
    fleet, runs = scenario[:2]
    for host in fleet.hosts:
        assert runs['check1'].stat(host)['changed'] > 0
        assert predicted(runs['check1'].changed(host)) == runs['real1'].changed(host), host


def test_second_runs_change_nothing(scenario):
    fleet, runs = scenario[:2]
    for label in ('check2', 'real2'):
        for host in fleet.hosts:
            stat = runs[label].stat(host)
            assert stat and stat['changed'] == 0 and stat['failures'] == 0, (label, host, runs[label].changed(host))


def test_pending_reboot_reported_per_host(scenario):
    fleet, runs = scenario[:2]
    for label in ('check1', 'real1', 'check2', 'real2'):
        for host in fleet.hosts:
            notes = runs[label].messages(host).get('Summary of this host')
            assert isinstance(notes, list) and [note for note in notes if PENDING in note], (label, host, notes)


def test_boot_files_written_fc_not_live(scenario):
    fleet, before = scenario[0], scenario[2]
    for host in fleet.hosts:
        state = before[host]
        assert 'qla2xxx' in state['loaded'] and 'qla2xxx_scst' not in state['loaded'], state['loaded']
        modules = [line.split()[0] for line in state['modules'].splitlines() if line.strip() and not line.startswith('#')]
        assert {'qla2xxx_scst', 'qla2x00tgt', 'iscsi_scst', 'scst'} <= set(modules), modules
        assert 'blacklist qla2xxx' in state['modprobe']['storage-scst-blacklist.conf'].splitlines()
        assert 'options qla2xxx_scst qlini_mode=disabled' in state['modprobe']['storage-scst.conf'].splitlines()
        assert state['conf_mode'] == '0600'
        # The FC part is in the file for the next boot, but only iSCSI is live.
        assert parse_conf(state['conf']) == parse_conf(render_conf(fleet.expected_config(host)))
        assert sorted(state['targets']) == [f'iscsi/iqn.2026-11.com.example.storage:{host}.t1'], state['targets']


def test_reboot_brings_fc_targets_up(scenario):
    fleet, after, reboot = scenario[0], scenario[3], scenario[4]
    state = after['h1']
    wwpns = fleet.wwpns('h1')
    assert 'qla2xxx_scst' in state['loaded'] and 'qla2xxx' not in state['loaded'], (state['loaded'], reboot)
    assert state['targets'].get(f'qla2x00t/{wwpns[0]}') == {
        'enabled': '1', 'luns': {'0': 'disk01'},
        'groups': {'esx_cluster': {'luns': {'0': 'disk01', '1': 'disk02'}, 'initiators': ['21:00:00:24:ff:7a:11:*']}}}, \
        (state['targets'], reboot)
    assert state['targets'].get(f'qla2x00t/{wwpns[1]}') == {'enabled': '1', 'luns': {'0': 'disk02'}, 'groups': {}}
    assert state['targets'].get('iscsi/iqn.2026-11.com.example.storage:h1.t1', {}).get('luns') == {'0': 'null01'}
    # h2 was not rebooted: still waiting.
    assert 'qla2xxx' in after['h2']['loaded']


def test_run_after_reboot_changes_nothing(scenario):
    fleet, runs = scenario[:2]
    run = runs['after_reboot']
    assert run.rc == 0, run.output[-6000:]
    for host in fleet.hosts:
        assert run.stat(host)['changed'] == 0, (host, run.changed(host))
    notes = run.messages('h1').get('Summary of this host')
    notes = [notes] if isinstance(notes, str) else notes
    assert not [note for note in notes if PENDING in note or 'PENDING' in note], notes
    assert [note for note in run.messages('h2').get('Summary of this host') if PENDING in note]


def test_no_chap_secret_in_output(scenario):
    fleet = scenario[0]
    assert_no_secret(fleet.runs)
