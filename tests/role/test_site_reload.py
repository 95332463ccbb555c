# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/site.yml on a fresh virtual fleet with scst_allow_driver_reload: true: everything goes live in the
first run; check mode predicts it; the next check and real runs change nothing; the hosts hold what was asked."""

from __future__ import annotations

import os
import re

import pytest

from conftest import (CHAP_SECRET, CHAP_USER, assert_no_secret, converge, group_vars, parse_conf, predicted,
                      render_conf)


@pytest.fixture(scope='module')
def scenario(make_fleet):
    fleet = make_fleet('reload', group_vars(allow_reload=True))
    runs = converge(fleet)
    return fleet, runs


def test_first_check_run_reports_changes(scenario):
    fleet, runs = scenario
    for host in fleet.hosts:
        assert runs['check1'].stat(host).get('changed', 0) > 0, runs['check1'].record
        assert runs['real1'].stat(host).get('changed', 0) > 0, runs['real1'].record


def test_check_mode_predicts_first_run(scenario):
    fleet, runs = scenario
    for host in fleet.hosts:
        assert predicted(runs['check1'].changed(host)) == runs['real1'].changed(host), host


def test_second_runs_change_nothing(scenario):
    fleet, runs = scenario
    for label in ('check2', 'real2'):
        for host in fleet.hosts:
            stat = runs[label].stat(host)
            assert stat and stat['changed'] == 0 and stat['failures'] == 0, (label, host, runs[label].changed(host))


def test_nothing_pending(scenario):
    fleet, runs = scenario
    for host in fleet.hosts:
        summary = runs['real2'].messages(host).get('Summary of this host')
        notes = [summary] if isinstance(summary, str) else summary
        assert notes and not [note for note in notes if 'PENDING' in note or 'next reboot' in note], (host, summary)


def test_host_state(scenario):
    fleet = scenario[0]
    for host in fleet.hosts:
        state = fleet.probe(host)
        wwpns = fleet.wwpns(host)
        iqn = f'iqn.2026-11.com.example.storage:{host}.t1'
        # /etc/scst.conf: root, 0600, and it means exactly the model that was asked for.
        assert state['conf_mode'] == '0600' and state['conf_uid'] == 0, state['conf_mode']
        conf = parse_conf(state['conf'])
        assert conf == parse_conf(render_conf(fleet.expected_config(host)))
        fc = next(d for d in conf['drivers'] if d['name'] == 'qla2x00t')
        assert [t['name'] for t in fc['targets']] == wwpns
        iscsi = next(d for d in conf['drivers'] if d['name'] == 'iscsi')
        assert iscsi['targets'][0]['attributes']['IncomingUser'] == [f'{CHAP_USER} {CHAP_SECRET}']
        # Boot files.
        modules = [line.split()[0] for line in state['modules'].splitlines() if line.strip() and not line.startswith('#')]
        wanted = ['scst', 'scst_vdisk', 'scst_disk', 'scst_user', 'qla2xxx_scst', 'qla2x00tgt', 'iscsi_scst']
        assert [m for m in modules if m in wanted] == wanted, modules
        assert 'blacklist qla2xxx' in state['modprobe']['storage-scst-blacklist.conf'].splitlines()
        assert 'options qla2xxx_scst qlini_mode=disabled' in state['modprobe']['storage-scst.conf'].splitlines()
        assert state['scst_service_enabled']
        # The running kernel.
        assert 'qla2xxx_scst' in state['loaded'] and 'qla2xxx' not in state['loaded'], state['loaded']
        targets = state['targets']
        assert targets[f'qla2x00t/{wwpns[0]}'] == {
            'enabled': '1', 'luns': {'0': 'disk01'},
            'groups': {'esx_cluster': {'luns': {'0': 'disk01', '1': 'disk02'}, 'initiators': ['21:00:00:24:ff:7a:11:*']}}}
        assert targets[f'qla2x00t/{wwpns[1]}'] == {'enabled': '1', 'luns': {'0': 'disk02'}, 'groups': {}}
        assert targets[f'iscsi/{iqn}'] == {'enabled': '1', 'luns': {'0': 'null01'}, 'groups': {}}


def test_site_report_takes_the_converge_read(scenario):
    # site.yml's report is built from what the role's scst_config call read after its converge (fact scst_state):
    # no host runs scst_info for it, and it says what a report play reading the hosts itself says.
    fleet, runs = scenario
    section = runs['real2'].output.split('TASK [Read the SCST state of the host]')[1].split('TASK [')[0]
    assert sorted(re.findall(r'^skipping: \[(h\d+)\]', section, re.M)) == fleet.hosts, section
    with open(os.path.join(fleet.report_dir, 'scst-report.md'), encoding='utf-8') as handle:
        site_report = handle.read()
    own_dir = os.path.join(fleet.base, 'report-read')
    read = fleet.play('playbooks/gather.yml', '-e', f'scst_report_dir={own_dir}', label='report-read')
    assert read.rc == 0, read.output[-6000:]
    assert 'skipping:' not in read.output.split('TASK [Read the SCST state of the host]')[1].split('TASK [')[0]
    with open(os.path.join(own_dir, 'scst-report.md'), encoding='utf-8') as handle:
        own_report = handle.read()
    assert [line for line in site_report.splitlines() if not line.startswith('Generated')] == \
        [line for line in own_report.splitlines() if not line.startswith('Generated')]
    for host in fleet.hosts:
        wwpns = fleet.wwpns(host)
        assert f'| iscsi | `iqn.2026-11.com.example.storage:{host}.t1` |  | yes | 0 → null01 |  |  |' in site_report
        assert f'| qla2x00t | `{wwpns[1]}` | host1 | yes | 0 → disk02 |  |  |' in site_report
        assert f'| `21:00:00:24:ff:7a:11:*` | qla2x00t | `{wwpns[0]}` | host0 | esx_cluster | 0 → disk01<br>1 → disk02 |' \
            in site_report


def test_no_chap_secret_in_output(scenario):
    fleet = scenario[0]
    assert_no_secret(fleet.runs)


@pytest.fixture(scope='module')
def backup(scenario):
    """h2's /etc/scst.conf edited by hand and left 0644, as on a host adopted from scstadmin; then a run that keeps
    a backup of the file it replaces."""
    fleet = scenario[0]
    fleet.ssh('h2', 'chmod 0644 /etc/scst.conf && echo "# hand edit" >> /etc/scst.conf')
    run = fleet.play('playbooks/site.yml', '-e', 'scst_config_backup=true', label='backup')
    assert run.rc == 0, run.output[-6000:]
    # ssh joins its arguments into one line for the remote shell, so each command is one string.
    listing = fleet.ssh('h2', 'stat -c "%n %a" /etc/scst.conf')
    backups = fleet.ssh('h2', 'stat -c "%n %a" /etc/scst.conf.*~ 2>/dev/null; true')
    contents = fleet.ssh('h2', 'cat /etc/scst.conf.*~ 2>/dev/null; true')
    return listing, backups, contents


def test_backup_of_the_configuration_file_is_private(backup):
    # The backup holds the CHAP secrets of the file it copies: it must be readable by root alone (issue 13).
    listing, backups, contents = backup
    assert listing.split() == ['/etc/scst.conf', '600']
    assert backups.strip(), 'no backup was written'
    for line in backups.strip().splitlines():
        assert line.split()[1] == '600', line
    assert CHAP_SECRET in contents and '# hand edit' in contents
