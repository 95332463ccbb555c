# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What only the host can tell is checked right after discovery and before anything on it changes, in check mode
too; the summary hints at an unset qlini_mode; the /etc/scst.conf diff is shown with CHAP secrets masked; a
drift check (check mode, overridden, scst_fail_on_drift) fails on access granted by hand. One virtual host."""

from __future__ import annotations

import copy

import pytest

from conftest import CHAP_SECRET, CHAP_USER, SCST_CONFIG, assert_no_secret

HAND_SECRET = 'HandEdited-7c1e9f2a'
ROGUE = '21:00:00:24:ff:99:00:01'
MISSING_FILE = '/var/lib/scst-demo/missing.img'


def base_vars():
    # scst_qlini_mode as an AWX survey leaves it when nobody answers: '' (unset).
    return {'scst_transports': ['fc', 'iscsi'], 'scst_qlini_mode': '', 'scst_allow_driver_reload': True,
            'scst_config': copy.deepcopy(SCST_CONFIG)}


def unchanged(before, after):
    """The host's boot files, loaded modules and configuration are as they were."""
    for key in ('modules', 'modprobe', 'loaded', 'conf', 'targets', 'scst_service_enabled'):
        assert before[key] == after[key], key


@pytest.fixture(scope='module')
def fleet(make_fleet):
    fleet = make_fleet('hostchecks', base_vars(), hosts=1)
    prepare = fleet.play('demo/prepare.yml', label='prepare')
    assert prepare.rc == 0, prepare.output
    return fleet


@pytest.fixture(scope='module')
def refused(fleet):
    """A missing backing file and a WWPN that is not a port of the host, in check mode and for real."""
    host = fleet.hosts[0]
    before = fleet.probe(host)
    bad = base_vars()
    bad['scst_config']['handlers'][0]['devices'].append({'name': 'disk03', 'attributes': {'filename': MISSING_FILE}})
    bad['scst_config']['drivers'][0]['targets'].append({'name': '21:00:00:24:ff:99:99:00', 'enabled': True})
    fleet.write_group_vars(bad)
    runs = [fleet.play('playbooks/site.yml', *args, label=label)
            for label, args in (('refused-check', ['--check', '--diff']), ('refused-real', []))]
    after = fleet.probe(host)
    fleet.write_group_vars(base_vars())
    return host, before, runs, after


def test_missing_file_and_port_fail_before_any_change_in_check_mode_too(refused):
    host, before, runs, after = refused
    for run in runs:
        failures = run.record.get('failed', {}).get(host, [])
        assert run.rc != 0 and len(failures) == 1, (run.label, failures, run.output[-3000:])
        assert 'nothing was changed' in failures[0], failures[0]
        assert f'scst_config.handlers[0].devices[2].attributes.filename: {MISSING_FILE} does not exist' in failures[0]
        assert "scst_config.drivers[0].targets[2].name: 21:00:00:24:ff:99:99:00 is not an FC port of this host" in failures[0]
        assert run.stat(host).get('changed') == 0, run.stat(host)
    # A fresh host: the distribution qla2xxx only; no SCST module loaded, no boot file written.
    assert 'scst' not in after['loaded'] and after['modprobe'] == {}, after
    unchanged(before, after)


@pytest.fixture(scope='module')
def converged(fleet, refused):
    del refused  # runs first: the host is fresh for it
    run = fleet.play('playbooks/site.yml', label='converge')
    assert run.rc == 0, run.output[-6000:]
    return run


def test_unset_qlini_mode_gets_a_hint_naming_the_variable(fleet, converged):
    summary = converged.messages(fleet.hosts[0]).get('Summary of this host')
    notes = [summary] if isinstance(summary, str) else summary
    assert any(note.startswith('scst_qlini_mode is not set') for note in notes), summary
    # Unset means untouched: no options line for qla2xxx_scst.
    assert 'qlini_mode' not in (fleet.probe(fleet.hosts[0])['modprobe'].get('storage-scst.conf') or '')


def test_scst_conf_diff_is_shown_with_secrets_masked(fleet, converged):
    del converged
    host = fleet.hosts[0]
    # One argument: ssh hands the command to the remote shell as one line.
    fleet.ssh(host, f"sed -i 's/{CHAP_USER} {CHAP_SECRET}/{CHAP_USER} {HAND_SECRET}/' /etc/scst.conf")
    assert HAND_SECRET in fleet.probe(host)['conf']
    run = fleet.play('playbooks/site.yml', '--check', '--diff', label='diff-check')
    assert run.rc == 0, run.output[-3000:]
    assert '/etc/scst.conf' in run.output, run.output[-4000:]
    assert f'-\t\tIncomingUser "{CHAP_USER} ******** (not the secret of the configuration)"' in run.output, run.output[-4000:]
    assert f'+\t\tIncomingUser "{CHAP_USER} ********"' in run.output
    assert_no_secret([run], (CHAP_SECRET, HAND_SECRET))
    assert HAND_SECRET in fleet.probe(host)['conf']
    fix = fleet.play('playbooks/site.yml', label='diff-fix')
    assert fix.rc == 0 and HAND_SECRET not in fleet.probe(host)['conf'], fix.output[-3000:]


def test_drift_check_fails_on_an_initiator_added_by_hand(fleet, converged):
    del converged
    host = fleet.hosts[0]
    wwpn = fleet.wwpns(host)[0]
    mgmt = f'/sys/kernel/scst_tgt/targets/qla2x00t/{wwpn}/ini_groups/esx_cluster/initiators/mgmt'
    fleet.ssh(host, f'echo add {ROGUE} > {mgmt}')
    before = fleet.probe(host)
    run = fleet.play('playbooks/site.yml', '--check', '-e', 'scst_config_state=overridden', '-e', 'scst_fail_on_drift=true',
                     label='drift-check')
    failures = run.record.get('failed', {}).get(host, [])
    assert run.rc != 0 and len(failures) == 1 and ROGUE in failures[0], (failures, run.output[-3000:])
    assert 'scst_fail_on_drift' in failures[0]
    unchanged(before, fleet.probe(host))
    # Without the drift, the same check passes.
    fleet.ssh(host, f'echo del {ROGUE} > {mgmt}')
    clean = fleet.play('playbooks/site.yml', '--check', '-e', 'scst_config_state=overridden', '-e', 'scst_fail_on_drift=true',
                       label='drift-clean')
    assert clean.rc == 0, clean.output[-3000:]


def test_merged_check_warns_about_the_two_exposures(fleet, converged):
    """The issue's first point as the admin hit it: with the default state (merged) a check run with --diff says
    nothing of a rogue initiator added to the cluster's group and a device added to the default LUN set (seen by
    every initiator no group captures). Now each is a warning; merged removes neither; the hand edits stay."""
    del converged
    host = fleet.hosts[0]
    target = f'/sys/kernel/scst_tgt/targets/qla2x00t/{fleet.wwpns(host)[0]}'
    fleet.ssh(host, f'echo add {ROGUE} > {target}/ini_groups/esx_cluster/initiators/mgmt')
    fleet.ssh(host, f'echo add disk02 5 > {target}/luns/mgmt')
    before = fleet.probe(host)
    run = fleet.play('playbooks/site.yml', '--check', '--diff', label='merged-drift')
    after = fleet.probe(host)
    fleet.ssh(host, f'echo del {ROGUE} > {target}/ini_groups/esx_cluster/initiators/mgmt')
    fleet.ssh(host, f'echo del 5 > {target}/luns/mgmt')
    assert run.rc == 0, run.output[-3000:]
    warnings = ' '.join(line for line in run.output.splitlines() if '[WARNING]' in line or line.startswith('  '))
    assert f'initiator {ROGUE} in qla2x00t/{fleet.wwpns(host)[0]}/groups/esx_cluster is not in the configuration' in warnings, \
        run.output[-4000:]
    assert 'LUN 5 (device disk02) is not in the configuration' in warnings, run.output[-4000:]
    unchanged(before, after)
