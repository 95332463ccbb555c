"""``scst-emulator host``: isolation from the machine, exit status, copy-on-write /etc, the boot sequence."""

import os
import subprocess

import pytest

from .conftest import FC_PORT, needs_root_and_fuse, run_emulator

pytestmark = needs_root_and_fuse


def in_host(script, *options):
    return run_emulator('host', *options, '--', 'sh', '-c', script)


def leftovers(marker):
    """Mounts and processes that still mention ``marker`` (a state dir) on the machine."""
    mounts = subprocess.run(['findmnt', '-rn', '-o', 'TARGET,SOURCE,OPTIONS'], capture_output=True, text=True,
                            check=True).stdout
    found = [line for line in mounts.splitlines() if marker in line]
    ps = subprocess.run(['ps', '-eo', 'args'], capture_output=True, text=True, check=True).stdout
    return found + [line for line in ps.splitlines() if marker in line]


def test_exit_status_and_no_leaks(tmp_path):
    state = str(tmp_path / 'h')
    result = in_host('modprobe scst && test -d /sys/kernel/scst_tgt && exit 7', '--state-dir', state)
    assert result.returncode == 7, result.stderr
    assert not os.path.exists('/sys/kernel/scst_tgt')
    assert leftovers(state) == []


def test_kernel_tree_is_private_and_tools_are_standins():
    result = in_host('test ! -e /sys/kernel/scst_tgt && modprobe scst_vdisk && ls /sys/kernel/scst_tgt/handlers '
                     '&& hostname && command -v modprobe && lsmod | head -1 && dmesg | tail -1')
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert 'vdisk_nullio' in lines and 'scst-host' in lines and '/usr/local/sbin/modprobe' in lines
    assert 'Module                  Size  Used by' in lines
    assert not os.path.exists('/sys/kernel/scst_tgt')


def test_unknown_module_fails_like_kmod():
    result = in_host('modprobe nosuch')
    assert result.returncode == 1
    assert result.stderr.startswith('modprobe: FATAL: Module nosuch not found in directory /lib/modules/')


def test_etc_is_copy_on_write(tmp_path):
    state = str(tmp_path / 'h')
    result = in_host('echo written-in-host > /etc/scst-emulator-test && grep -q "kernel modules to load" /etc/modules',
                     '--state-dir', state)
    assert result.returncode == 0, result.stderr
    assert not os.path.exists('/etc/scst-emulator-test')
    assert not os.path.exists('/etc/modules')
    with open(os.path.join(state, 'etc-upper', 'scst-emulator-test'), encoding='utf-8') as handle:
        assert handle.read() == 'written-in-host\n'


def test_boot_loads_etc_modules_with_options(tmp_path):
    state = str(tmp_path / 'h')
    setup = in_host('echo scst_vdisk >> /etc/modules && echo "options scst scst_threads=3" > /etc/modprobe.d/scst.conf'
                    ' && mkdir -p /etc/rc3.d && ln -s ../init.d/scst /etc/rc3.d/S01scst', '--state-dir', state)
    assert setup.returncode == 0, setup.stderr
    booted = in_host('lsmod && cat /sys/module/scst/parameters/scst_threads', '--state-dir', state)
    assert booted.returncode == 0, booted.stderr
    assert 'scst_vdisk' in booted.stdout and booted.stdout.splitlines()[-1] == '3'
    with open(os.path.join(state, 'boot.log'), encoding='utf-8') as handle:
        boot_log = handle.read()
    assert boot_log.count('scst service enabled') == 1, 'the service hook runs only once the start link exists'


def test_fc_port_autoloads_distribution_qla2xxx_unless_blacklisted(tmp_path):
    state = str(tmp_path / 'h')
    first = in_host('lsmod; modprobe qla2xxx_scst', '--state-dir', state, '--fc-port', FC_PORT)
    assert 'qla2xxx ' in first.stdout
    assert first.returncode != 0, 'qla2xxx_scst cannot load while the distribution qla2xxx holds the ports'
    fix = in_host('echo "blacklist qla2xxx" > /etc/modprobe.d/qla.conf && echo "install bad /bin/false" >> /etc/modprobe.d/qla.conf',
                  '--state-dir', state, '--fc-port', FC_PORT)
    assert fix.returncode == 0
    second = in_host('lsmod | grep -c "^qla2xxx " ; modprobe qla2xxx_scst && cat /sys/class/fc_host/*/port_name; modprobe bad',
                     '--state-dir', state, '--fc-port', FC_PORT)
    assert second.stdout.splitlines()[:2] == ['0', '0x21000024ff000100'], second.stderr
    assert second.returncode == 1
    assert "Error running install command '/bin/false' for module bad" in second.stderr


@pytest.mark.parametrize('argv', [['host'], ['host', '--'], ['fleet', 'reboot'], ['nosuch']])
def test_cli_errors_are_one_line(argv):
    result = run_emulator(*argv)
    assert result.returncode != 0
    assert 'Traceback' not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith('scst-emulator: error: ')
