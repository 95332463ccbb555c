"""The stand-in tools against a running daemon: kmod wording and formats, iscsi-scstd lifetime, bad input."""

import json
import os
import re
import signal
import subprocess
import time

from scst_emulator.standins import modconf

from .conftest import needs_root_and_fuse

pytestmark = needs_root_and_fuse


def one_line_error(result, prog):
    assert result.returncode != 0
    assert 'Traceback' not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(prog), result.stderr
    return lines[0]


def test_modprobe_lsmod_rmmod(emulator):
    assert emulator.tool('modprobe', 'scst_vdisk').returncode == 0
    table = emulator.tool('lsmod').stdout.splitlines()
    assert table[0] == 'Module                  Size  Used by'
    rows = {line.split()[0]: line for line in table[1:]}
    assert re.fullmatch(r'scst {16}\s*\d+  1 scst_vdisk', rows['scst'])
    assert os.path.isdir(emulator.path('handlers', 'vdisk_fileio'))
    assert 'in use' in one_line_error(emulator.tool('rmmod', 'scst'), 'rmmod')
    assert emulator.tool('modprobe', '-r', 'scst_vdisk').returncode == 0
    assert not os.path.exists(emulator.scst), 'modprobe -r also unloads the now unused scst'


def test_modprobe_unknown_module_fails_like_kmod(emulator):
    line = one_line_error(emulator.tool('modprobe', 'nosuch'), 'modprobe')
    assert line.startswith('modprobe: FATAL: Module nosuch not found in directory /lib/modules/')
    quiet = emulator.tool('modprobe', '-q', 'nosuch')
    assert quiet.returncode == 1 and quiet.stderr == ''
    # kmod's dry run (-n) resolves the module too: an unknown one fails the same way, a known one is shown.
    line = one_line_error(emulator.tool('modprobe', '-n', 'nosuch'), 'modprobe')
    assert line.startswith('modprobe: FATAL: Module nosuch not found in directory /lib/modules/')
    dry = emulator.tool('modprobe', '-n', 'scst_vdisk')
    assert dry.returncode == 0 and dry.stdout.splitlines()[-1].endswith('/scst_vdisk.ko') and not os.path.exists(emulator.scst)
    assert emulator.tool('modprobe').returncode == 1
    assert one_line_error(emulator.tool('modprobe', '--bogus'), 'modprobe')


def test_modprobe_params_reach_sys_module(emulator):
    assert emulator.tool('modprobe', 'scst', 'scst_threads=3').returncode == 0
    with open(os.path.join(emulator.fs, 'module', 'scst', 'parameters', 'scst_threads'), encoding='ascii') as handle:
        assert handle.read().strip() == '3'


def test_modconf_options_blacklist_install(tmp_path):
    conf_dir = tmp_path / 'etc' / 'modprobe.d'
    conf_dir.mkdir(parents=True)
    (conf_dir / 'a.conf').write_text('# comment\noptions qla2xxx-scst qlini_mode=exclusive \\\n  ql2xextended_error_logging=1\n'
                                     'blacklist qla2xxx\ninstall bad /bin/false\n')
    (conf_dir / 'b.txt').write_text('blacklist ignored_not_conf\n')
    conf = modconf.load(str(tmp_path))
    assert conf.options == {'qla2xxx_scst': {'qlini_mode': 'exclusive', 'ql2xextended_error_logging': '1'}}
    assert conf.blacklist == {'qla2xxx'}
    assert conf.install == {'bad': '/bin/false'}


def test_boot_module_lists(tmp_path):
    (tmp_path / 'etc' / 'modules-load.d').mkdir(parents=True)
    (tmp_path / 'etc' / 'modules').write_text('# header\nscst scst_threads=2\n\n')
    (tmp_path / 'etc' / 'modules-load.d' / 'scst.conf').write_text('; comment\niscsi-scst\n')
    assert modconf.boot_modules(str(tmp_path)) == [('scst', {'scst_threads': '2'}), ('iscsi_scst', {})]


def test_dmesg_format(emulator):
    emulator.tool('modprobe', 'scst')
    lines = emulator.tool('dmesg').stdout.splitlines()
    assert lines and all(re.match(r'\[ *\d+\.\d{6}\] ', line) for line in lines)
    notime = emulator.tool('dmesg', '--notime').stdout.splitlines()
    assert notime and not notime[0].startswith('[')
    assert emulator.tool('dmesg', '-c').stdout
    assert emulator.tool('dmesg').stdout == ''


def _wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _pids_of(script):
    pids = []
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open(f'/proc/{entry}/cmdline', 'rb') as handle:
                    if script.encode() in handle.read():
                        pids.append(int(entry))
            except OSError:
                pass
    return pids


def test_iscsi_scstd_attaches_while_alive(emulator):
    assert 'iscsi_scst' in one_line_error(emulator.tool('iscsi-scstd'), 'iscsi-scstd')
    assert emulator.tool('modprobe', 'iscsi_scst').returncode == 0
    enabled = emulator.path('targets', 'iscsi', 'enabled')
    assert not os.path.exists(enabled)
    script = os.path.join(emulator.bin, 'iscsi-scstd')
    with subprocess.Popen([script, '-f']) as foreground:
        try:
            assert _wait_for(lambda: os.path.exists(enabled))
            assert one_line_error(emulator.tool('iscsi-scstd', '-f'), 'iscsi-scstd')
        finally:
            foreground.terminate()
    assert _wait_for(lambda: not os.path.exists(enabled))
    # Default: daemonize; the parent returns at once, the daemon keeps the kernel attached.
    assert emulator.tool('iscsi-scstd').returncode == 0
    assert os.path.exists(enabled)
    for pid in _pids_of(script):
        os.kill(pid, signal.SIGTERM)
    assert _wait_for(lambda: not os.path.exists(enabled))


def test_scst_fault_and_initiator_bad_input(emulator):
    one_line_error(emulator.tool('scst-fault', 'fail', 'x', 'EIO'), 'scst-fault')
    one_line_error(emulator.tool('scst-fault', 'fail', '1', 'ENOTANERRNO'), 'scst-fault')
    one_line_error(emulator.tool('scst-fault'), 'scst-fault')
    assert json.loads(emulator.tool('scst-fault', 'delay', '0.5').stdout)['delay'] == 0.5
    assert json.loads(emulator.tool('scst-fault', 'off').stdout)['delay'] == 0
    one_line_error(emulator.tool('scst-initiator', 'login', '--driver', 'iscsi'), 'scst-initiator')
    one_line_error(emulator.tool('scst-initiator', 'luns', '--driver', 'iscsi', '--target', 't', '--initiator', 'i'),
                   'scst-initiator')


def test_scst_initiator_sees_luns(emulator):
    for module in ('scst_vdisk', 'scst_local'):
        assert emulator.tool('modprobe', module).returncode == 0
    with open(emulator.path('handlers', 'vdisk_nullio', 'mgmt'), 'w', encoding='ascii') as handle:
        handle.write('add_device disk1\n')
    with open(emulator.path('targets', 'scst_local', 'scst_local_tgt', 'luns', 'mgmt'), 'w', encoding='ascii') as handle:
        handle.write('add disk1 0\n')
    seen = emulator.tool('scst-initiator', 'luns', '--driver', 'scst_local', '--target', 'scst_local_tgt',
                         '--initiator', 'iqn.2026-01.test:ini')
    assert seen.returncode == 0, seen.stderr
    assert [entry['device'] for entry in json.loads(seen.stdout)] == ['disk1']
