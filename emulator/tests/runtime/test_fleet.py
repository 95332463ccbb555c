"""``scst-emulator fleet``: 2 hosts over SSH, per-host kernels, reboot semantics, nothing left after down."""

import os
import subprocess

import pytest

from .conftest import EMULATOR, needs_root_and_fuse, run_emulator
from .test_host import leftovers

pytestmark = needs_root_and_fuse
# Far from the default 127.0.0.11.. so that a developer's own fleet can stay up meanwhile.
ADDRESS_BASE = '200'


@pytest.fixture
def fleet(tmp_path):
    state = str(tmp_path / 'fleet')
    inventory = str(tmp_path / 'inventory.ini')
    up = run_emulator('fleet', 'up', '--hosts', '2', '--inventory', inventory, '--fc-ports-per-host', '1',
                      '--state-dir', state, '--address-base', ADDRESS_BASE)
    try:
        assert up.returncode == 0, up.stderr
        yield state, inventory
    finally:
        down = run_emulator('fleet', 'down', '--state-dir', state)
        assert down.returncode == 0, down.stderr


def ssh(state, index, command):
    key = os.path.join(state, 'ssh', 'id_ed25519')
    return subprocess.run(['ssh', '-i', key, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
                           '-o', 'LogLevel=ERROR', '-o', 'BatchMode=yes', f'root@127.0.0.{int(ADDRESS_BASE) + index}', command],
                          capture_output=True, text=True, check=False, timeout=60)


def test_fleet_up_ping_reboot_down(fleet):
    state, inventory = fleet
    ansible = os.path.join(os.path.dirname(EMULATOR), 'ansible')
    ping = subprocess.run([ansible, '-i', inventory, 'storage', '-m', 'ping'], capture_output=True, text=True,
                          check=False, timeout=120,
                          # no ControlPersist master: it would outlive the test by up to 60 s
                          env=dict(os.environ, ANSIBLE_HOST_KEY_CHECKING='False', ANSIBLE_SSH_ARGS='-o ControlMaster=no'))
    assert ping.returncode == 0, ping.stdout + ping.stderr
    assert ping.stdout.count('"pong"') == 2

    mgmt = '/sys/kernel/scst_tgt/handlers/vdisk_nullio/mgmt'
    before = ssh(state, 1, f'modprobe scst_vdisk && echo "add_device keep_me" > {mgmt} && echo scst_vdisk >> /etc/modules && hostname')
    assert before.stdout == 'h1\n', before.stderr
    assert ssh(state, 2, 'test -e /sys/kernel/scst_tgt; echo $?; cat /sys/class/fc_host/*/port_name').stdout == \
        '1\n0x21000024ff020100\n'

    assert run_emulator('fleet', 'reboot', 'h1', '--state-dir', state).returncode == 0
    after = ssh(state, 1, 'ls /sys/kernel/scst_tgt/devices; lsmod | cut -d" " -f1; tail -1 /etc/modules').stdout.splitlines()
    assert 'keep_me' not in after, 'the kernel state is lost'
    assert 'scst_vdisk' in after[:-1], 'the boot sequence loaded /etc/modules again'
    assert after[-1] == 'scst_vdisk', '/etc survives the reboot'


def test_down_leaves_nothing(tmp_path):
    state = str(tmp_path / 'fleet')
    up = run_emulator('fleet', 'up', '--hosts', '2', '--inventory', str(tmp_path / 'inv.yml'), '--state-dir', state,
                      '--address-base', ADDRESS_BASE)
    assert up.returncode == 0, up.stderr
    assert '"ansible_host": "127.0.0.201"' in (tmp_path / 'inv.yml').read_text()
    assert run_emulator('fleet', 'down', '--state-dir', state).returncode == 0
    assert leftovers(state) == []
    assert ssh(state, 1, 'true').returncode == 255
