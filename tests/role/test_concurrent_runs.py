# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Two runs of playbooks/site.yml at once on one bare host: both succeed, and every change is made once. The
host step (modules, boot files, iscsi-scstd, SCST service) and the converge each decide and change under the
host-wide lock, so whichever run comes second to a step finds nothing left to do there (before, the second run
failed at "Start iscsi-scstd" because the first started the daemon between the second's check and its start)."""

from __future__ import annotations

import threading

import pytest

from conftest import assert_no_secret, group_vars, parse_conf, render_conf


@pytest.fixture(scope='module')
def scenario(make_fleet):
    fleet = make_fleet('concurrent', group_vars(allow_reload=True), hosts=1)
    prepare = fleet.play('demo/prepare.yml', label='prepare')
    assert prepare.rc == 0, prepare.output
    runs = {}

    def play(label):
        runs[label] = fleet.play('playbooks/site.yml', '-v', '--diff', '-e', f'scst_report_dir={fleet.base}/{label}',
                                 label=label)

    threads = [threading.Thread(target=play, args=(label,)) for label in ('a', 'b')]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    runs['again'] = fleet.play('playbooks/site.yml', label='again')
    return fleet, runs


def test_both_runs_succeed(scenario):
    runs = scenario[1]
    for label in ('a', 'b', 'again'):
        assert runs[label].rc == 0, f'{label} failed:\n{runs[label].output[-6000:]}'


def test_every_change_made_once(scenario):
    runs = scenario[1]
    first, second = runs['a'].changed('h1'), runs['b'].changed('h1')
    assert first or second
    assert not set(first) & set(second), (first, second)
    # Together they made what one first run makes: the host step and the converge.
    assert sorted(first + second) == sorted(['Load the SCST modules, keep them at boot and start what they need',
                                             'Converge the running SCST configuration']), (first, second)
    assert runs['again'].stat('h1')['changed'] == 0, runs['again'].changed('h1')


def test_one_iscsi_daemon(scenario):
    fleet = scenario[0]
    # The emulated daemon, like the real one, refuses to start while another is attached (emulator/README.md).
    assert fleet.ssh('h1', "pgrep -c -f '[i]scsi-scstd'").strip() == '1'


def test_host_holds_the_configuration(scenario):
    fleet = scenario[0]
    state = fleet.probe('h1')
    assert state['conf_mode'] == '0600'
    assert parse_conf(state['conf']) == parse_conf(render_conf(fleet.expected_config('h1')))
    assert set(state['targets']) == {f'qla2x00t/{wwpn}' for wwpn in fleet.wwpns('h1')} | {
        'iscsi/iqn.2026-11.com.example.storage:h1.t1'}


def test_no_chap_secret_in_output(scenario):
    assert_no_secret(scenario[0].runs)
