# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role writes /etc/scst.conf only after the running kernel converged: a run killed (kill -9 of the module on
the host) in the middle of the converge leaves the file of the last run that succeeded, although the kernel
already holds part of the new configuration; the next run completes both. Every sysfs write is slowed down with
the emulator's `scst-fault delay` (SYSFS.md section 4.8: the store returns EAGAIN and completes later), which
gives the test a window between the first and the last write of the converge."""

from __future__ import annotations

import copy
import threading
import time

import pytest

from conftest import assert_no_secret, group_vars, parse_conf, render_conf

SCST = '/sys/kernel/scst_tgt'
IQN = 'iqn.2026-11.com.example.storage:h1.t1'
# Where the collection's host-wide lock names its holder (scst_module and scst_config hold it while they work).
LOCK_HOLDER = 'cat /run/storage-scst/*.lock /run/lock/storage-scst.lock 2>/dev/null | head -n 1'


def with_extra_lun(config):
    """The model plus one nullio device, exported as LUN 1 of the iSCSI target: two writes, in that order."""
    config = copy.deepcopy(config)
    next(h for h in config['handlers'] if h['name'] == 'vdisk_nullio')['devices'].append({'name': 'null02'})
    next(d for d in config['drivers'] if d['name'] == 'iscsi')['targets'][0]['luns'].append({'lun': 1, 'device': 'null02'})
    return config


def wait_for(predicate, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return None


@pytest.fixture(scope='module')
def scenario(make_fleet):
    old_vars = group_vars(allow_reload=True)
    fleet = make_fleet('kill', old_vars, hosts=1)
    assert fleet.play('demo/prepare.yml', label='prepare').rc == 0
    first = fleet.play('playbooks/site.yml', label='first')
    assert first.rc == 0, first.output[-6000:]
    before = fleet.probe('h1')

    new_vars = dict(old_vars, scst_config=with_extra_lun(old_vars['scst_config']))
    fleet.write_group_vars(new_vars)
    fleet.ssh('h1', 'scst-fault', 'delay', '3')
    runs = {}
    thread = threading.Thread(target=lambda: runs.setdefault('killed', fleet.play('playbooks/site.yml', label='killed')))
    thread.start()
    # The device exists once its add_device completed; its LUN is the next write, 3 s later at the earliest.
    holder = wait_for(lambda: fleet.ssh('h1', f'if test -d {SCST}/devices/null02; then {LOCK_HOLDER}; fi').strip())
    killed = holder is not None and fleet.ssh('h1', 'kill', '-9', holder) == ''
    thread.join()
    fleet.ssh('h1', 'scst-fault', 'off')
    during = fleet.probe('h1')
    runs['after'] = fleet.play('playbooks/site.yml', label='after')
    return fleet, runs, before, during, killed, new_vars


def test_the_run_was_killed_mid_converge(scenario):
    # Killed once the kernel held the new device; the LUN write may have been queued already (a queued write
    # completes in the kernel whatever happens to the writer, SYSFS.md section 4.8), but was never seen complete.
    runs, killed = scenario[1], scenario[4]
    assert killed, 'the converge was never caught between its writes'
    assert runs['killed'].rc != 0, runs['killed'].output[-3000:]


def test_file_still_describes_the_applied_state(scenario):
    before, during = scenario[2], scenario[3]
    assert during['conf'] == before['conf']
    assert during['conf_mode'] == '0600'
    assert 'null02' not in during['conf']


def test_next_run_completes_kernel_and_file(scenario):
    fleet, runs, new_vars = scenario[0], scenario[1], scenario[5]
    assert runs['after'].rc == 0, runs['after'].output[-6000:]
    state = fleet.probe('h1')
    assert state['targets'][f'iscsi/{IQN}']['luns'] == {'0': 'null01', '1': 'null02'}
    expected = copy.deepcopy(new_vars['scst_config'])
    for driver in expected['drivers']:
        for target in driver['targets']:
            if 'port' in target:
                target['name'] = fleet.wwpns('h1')[target.pop('port')]
            target['name'] = target['name'].replace('{{ inventory_hostname }}', 'h1')
    assert parse_conf(state['conf']) == parse_conf(render_conf(expected))
    assert state['conf_mode'] == '0600' and state['conf_uid'] == 0


def test_no_chap_secret_in_output(scenario):
    assert_no_secret(scenario[0].runs)
