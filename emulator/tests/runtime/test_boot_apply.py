"""The SCST service at boot: /etc/scst.conf comes back after a reboot only when the service is enabled."""

import json
import os
import subprocess

import pytest

from scst_emulator import scst_service

from .conftest import needs_root_and_fuse, run_emulator
from .test_host import in_host

# Not 200 (test_fleet) nor the default 10: fleets of other tests and of developers can stay up meanwhile.
ADDRESS_BASE = '210'
SCST = '/sys/kernel/scst_tgt'
TARGET = 'iqn.2026-01.com.example:boot'
CONF = f'''HANDLER vdisk_nullio {{
\tDEVICE disk01 {{
\t\tsize_mb 16
\t}}
\tDEVICE disk02
}}

TARGET_DRIVER iscsi {{
\tenabled 1
\tTARGET {TARGET} {{
\t\tLUN 0 disk01
\t\tGROUP hosts {{
\t\t\tLUN 0 disk02\n\t\t\tLUN 5 disk01
\t\t\tINITIATOR iqn.1998-01.com.vmware:esx1
\t\t}}
\t\tenabled 1
\t}}
}}
'''
# Run inside a host: install the file and enable the service the way the role does (update-rc.d).
SETUP = f"cat > /etc/scst.conf <<'EOF'\n{CONF}EOF\nupdate-rc.d scst defaults >/dev/null"
SHOW = (f'ls {SCST}/devices; ls {SCST}/targets/iscsi/{TARGET}/luns {SCST}/targets/iscsi/{TARGET}/ini_groups/hosts/luns'
        f' {SCST}/targets/iscsi/{TARGET}/ini_groups/hosts/initiators; cat {SCST}/targets/iscsi/{TARGET}/enabled')


def ssh(state, index, command):
    key = os.path.join(state, 'ssh', 'id_ed25519')
    return subprocess.run(['ssh', '-i', key, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
                           '-o', 'LogLevel=ERROR', '-o', 'BatchMode=yes', f'root@127.0.0.{int(ADDRESS_BASE) + index}', command],
                          capture_output=True, text=True, check=False, timeout=60)


def test_config_modules_follow_the_init_script_regex():
    text = 'HANDLER vdisk_fileio {\nHANDLER dev_disk {\n  HANDLER vcdrom {\n#TARGET_DRIVER scst_local {\n' \
           'TARGET_DRIVER qla2x00t {\nTARGET_DRIVER iscsi {\nTARGET_DRIVER copy_manager {\nHANDLER vcdrom {\n'
    assert scst_service.config_modules(text) == ['scst', 'scst_vdisk', 'scst_disk', 'qla2x00tgt', 'iscsi_scst']


@needs_root_and_fuse
def test_reboot_brings_back_scst_conf_only_where_the_service_is_enabled(tmp_path):
    state = str(tmp_path / 'fleet')
    up = run_emulator('fleet', 'up', '--hosts', '2', '--inventory', str(tmp_path / 'inv.ini'), '--state-dir', state,
                      '--address-base', ADDRESS_BASE)
    assert up.returncode == 0, up.stderr
    try:
        enabled = ssh(state, 1, SETUP)
        assert enabled.returncode == 0, enabled.stderr
        # h2 has the same file but the service stays disabled.
        plain = ssh(state, 2, f"cat > /etc/scst.conf <<'EOF'\n{CONF}EOF")
        assert plain.returncode == 0, plain.stderr
        for name in ('h1', 'h2'):
            reboot = run_emulator('fleet', 'reboot', name, '--state-dir', state)
            assert reboot.returncode == 0, reboot.stderr
        back = ssh(state, 1, SHOW).stdout.split()
        assert back == ['disk01', 'disk02', f'{SCST}/targets/iscsi/{TARGET}/ini_groups/hosts/initiators:',
                        'iqn.1998-01.com.vmware:esx1', 'mgmt', f'{SCST}/targets/iscsi/{TARGET}/ini_groups/hosts/luns:',
                        '0', '5', 'mgmt', f'{SCST}/targets/iscsi/{TARGET}/luns:', '0', 'mgmt', '1'], back
        # The init script started iscsi-scstd (logins need it); the group's initiator sees exactly the group's LUNs.
        luns = ssh(state, 1, f'scst-initiator luns --driver iscsi --target {TARGET} --initiator iqn.1998-01.com.vmware:esx1')
        assert luns.returncode == 0, luns.stderr
        assert [(lun['lun'], lun['device']) for lun in json.loads(luns.stdout)] == [(0, 'disk02'), (5, 'disk01')]
        login = ssh(state, 1, f'scst-initiator login --driver iscsi --target {TARGET} --initiator iqn.1998-01.com.vmware:esx1')
        assert login.returncode == 0, login.stderr
        empty = ssh(state, 2, f'ls {SCST}/devices; lsmod | grep -c iscsi_scst')
        assert empty.stdout.split() == ['0'], 'not enabled: nothing applied and no module loaded for scst.conf'
    finally:
        down = run_emulator('fleet', 'down', '--state-dir', state)
        assert down.returncode == 0, down.stderr
    with open(os.path.join(state, 'hosts', 'h1', 'boot.log'), encoding='utf-8') as handle:
        assert 'scst: /etc/scst.conf applied (' in handle.read()
    with open(os.path.join(state, 'hosts', 'h2', 'boot.log'), encoding='utf-8') as handle:
        assert 'scst service' not in handle.read()


@needs_root_and_fuse
@pytest.mark.parametrize('broken, reason', [
    ('HANDLER vdisk_nullio {\n\tDEVICE disk01 {\n\t\tsize_mb 16\n\t}\n', 'scst.conf:1:22: this'),
    ('HANDLER vdisk_nullio {\n\tDEVICE disk01\n}\nTARGET_DRIVER iscsi {\n\tTARGET iqn.2026-01.x:t {\n\t\tLUN 0 nosuch\n\t}\n}\n',
     'nosuch'),
])
def test_broken_scst_conf_applies_nothing_and_says_why(tmp_path, broken, reason):
    state = str(tmp_path / 'h')
    setup = in_host(f"cat > /etc/scst.conf <<'EOF'\n{broken}EOF\nupdate-rc.d scst defaults >/dev/null", '--state-dir', state)
    assert setup.returncode == 0, setup.stderr
    booted = in_host(f'ls {SCST}/devices; ls {SCST}/targets/iscsi | grep -c iqn; dmesg | grep "scst.conf not applied"',
                     '--state-dir', state)
    lines = booted.stdout.splitlines()
    assert lines[0] == '0', 'no device, no target: nothing of the file was applied'
    assert reason in lines[1] and lines[1].startswith('['), 'the reason is in the emulated kernel log'
    with open(os.path.join(state, 'boot.log'), encoding='utf-8') as handle:
        log = handle.read()
    assert 'scst: /etc/scst.conf not applied: ' in log and reason in log
