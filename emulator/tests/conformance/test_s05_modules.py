"""SYSFS.md §5: kernel modules -> tree (handlers/drivers appear and go, /sys/module parameters)."""

import errno
import os

import pytest

from scst_emulator.control import ControlError

import conformance_io as io

MODULES = [  # (module, entries that must appear (relative to scst_tgt))
    ('scst_vdisk', ['handlers/vdisk_fileio', 'handlers/vdisk_blockio', 'handlers/vdisk_nullio', 'handlers/vcdrom']),
    ('scst_disk', ['handlers/dev_disk', 'handlers/dev_disk_perf']),
    ('scst_tape', ['handlers/dev_tape', 'handlers/dev_tape_perf']),
    ('scst_cdrom', ['handlers/dev_cdrom']),
    ('scst_changer', ['handlers/dev_changer']),
    ('scst_modisk', ['handlers/dev_modisk', 'handlers/dev_modisk_perf']),
    ('scst_processor', ['handlers/dev_processor']),
    ('scst_raid', ['handlers/dev_raid']),
    ('scst_user', ['handlers/scst_user']),
    ('scst_local', ['targets/scst_local/mgmt', 'targets/scst_local/version', 'targets/scst_local/stats']),
    ('iscsi_scst', ['targets/iscsi/mgmt', 'targets/iscsi/version', 'targets/iscsi/open_state']),
]


@pytest.mark.parametrize('module,paths', MODULES, ids=[m[0] for m in MODULES])
def test_s5_modprobe_registers(emu, module, paths):
    """§5: modprobe loads scst automatically and registers the module's handlers/drivers; rmmod removes them."""
    emu.modprobe(module)
    assert os.path.isdir(emu.module / 'scst')
    assert os.path.isdir(emu.module / module)
    for rel in paths:
        assert os.path.exists(emu / rel), rel
    emu.rmmod(module)
    for rel in paths:
        assert not os.path.exists(emu / rel), rel
    assert not os.path.exists(emu.module / module)
    assert os.path.isdir(emu / 'handlers')


def test_s5_unknown_module_fails(emu):
    """§5: modprobe of an unknown module fails and changes nothing."""
    with pytest.raises(ControlError):
        emu.modprobe('no_such_module')
    assert not os.path.exists(emu.root)
    assert not os.path.exists(emu.module / 'no_such_module')


def test_s5_rmmod_scst_in_use_fails(vdisk):
    """§5: scst cannot be unloaded while a dependent module (scst_vdisk) is loaded."""
    with pytest.raises(ControlError):
        vdisk.rmmod('scst')
    assert os.path.isdir(vdisk.root)


SCST_PARAMS = [  # §5: module scst parameters and their modes
    ('scst_threads', 0o444), ('scst_max_cmd_mem', 0o444), ('scst_max_dev_cmd_mem', 0o444),
    ('forcibly_close_sessions', 0o644), ('auto_cm_assignment', 0o644), ('async_lun_replace', 0o644),
]


@pytest.mark.parametrize('param,mode', SCST_PARAMS, ids=[p[0] for p in SCST_PARAMS])
def test_s5_scst_params(scst, param, mode):
    """§5: /sys/module/scst/parameters/<param> with its mode."""
    path = scst.module / 'scst/parameters' / param
    assert io.mode(path) == mode
    assert io.read(path).endswith('\n')


def test_s5_scst_threads_param_sets_default(emu):
    """§5/§1.1: scst_threads=5 -> threads reads 5 without [key]."""
    emu.modprobe('scst', scst_threads=5)
    assert io.read(emu.module / 'scst/parameters/scst_threads') == '5\n'
    assert io.read(emu / 'threads') == '5\n'


def test_s5_num_threads(emu):
    """§5/§10: scst_vdisk num_threads (default 8) is threads_num of fileio and vcdrom devices."""
    emu.modprobe('scst_vdisk')
    assert io.read(emu.module / 'scst_vdisk/parameters/num_threads') == '8\n'
    emu.rmmod('scst_vdisk')
    emu.modprobe('scst_vdisk', num_threads=3)
    assert io.read(emu.module / 'scst_vdisk/parameters/num_threads') == '3\n'
    io.ok(emu / 'handlers/vcdrom/mgmt', 'add_device cd1')
    assert io.read(emu / 'devices/cd1/threads_num') == '3\n'


def test_s5_qla_dependency(emu):
    """§5: qla2x00tgt needs qla2xxx_scst (loaded automatically) and scst."""
    emu.modprobe('qla2x00tgt')
    assert os.path.isdir(emu.module / 'qla2xxx_scst')
    assert os.path.isdir(emu / 'targets/qla2x00t')


def test_s5_qlini_mode_invalid(emu):
    """§7: invalid qlini_mode -> module load fails."""
    with pytest.raises(ControlError):
        emu.modprobe('qla2xxx_scst', qlini_mode='bogus')
    assert not os.path.exists(emu.module / 'qla2xxx_scst')


def test_s5_rmmod_iscsi_removes_targets(emu):
    """§5: unloading iscsi-scst removes all iSCSI targets (daemon stopped first)."""
    emu.modprobe('iscsi_scst')
    emu.iscsi_start()
    io.ok(emu / 'targets/iscsi/mgmt', 'add_target iqn.2024-01.test:x')
    emu.iscsi_stop()
    emu.rmmod('iscsi_scst')
    assert not os.path.exists(emu / 'targets/iscsi')


HW_DRIVERS = [('ib_srpt', 'ib_srpt'), ('fcst', 'fcst')]


@pytest.mark.parametrize('module,driver', HW_DRIVERS, ids=[h[0] for h in HW_DRIVERS])
def test_s5_hardware_only_drivers(emu, module, driver):
    """§5/§1.4: ib_srpt and fcst register a driver dir without mgmt."""
    emu.modprobe(module)
    assert os.path.isdir(emu / 'targets' / driver)
    assert not os.path.exists(emu / 'targets' / driver / 'mgmt')


def test_s5_forcibly_close_sessions_runtime(emu):
    """§5: scst forcibly_close_sessions is 0644: set at runtime, it lets `del` of a group with sessions pass."""
    emu.modprobe('scst_vdisk')
    emu.modprobe('iscsi_scst')
    emu.iscsi_start()
    iqn = 'iqn.2024-01.test:fc'
    tgt = emu / 'targets/iscsi' / iqn
    io.ok(emu / 'targets/iscsi/mgmt', f'add_target {iqn}')
    io.ok(tgt / 'ini_groups/mgmt', 'create g1')
    io.ok(tgt / 'ini_groups/g1/initiators/mgmt', 'add iqn.x:a')
    io.ok(tgt / 'enabled', '1')
    io.ok(emu / 'targets/iscsi/enabled', '1')
    emu.login('iscsi', iqn, 'iqn.x:a')
    io.fails(tgt / 'ini_groups/mgmt', 'del g1', errno.EBUSY)
    io.ok(emu.module / 'scst/parameters/forcibly_close_sessions', '1')
    io.ok(tgt / 'ini_groups/mgmt', 'del g1')
    assert io.entries(tgt / 'sessions') == []


def test_s5_auto_cm_assignment_runtime(vdisk):
    """§5/§2.1: auto_cm_assignment is 0644: set to 0 at runtime, new vdisk devices get no copy_manager LUN."""
    io.ok(vdisk.module / 'scst/parameters/auto_cm_assignment', '0')
    io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', 'add_device d1')
    assert io.entries(vdisk / 'devices/d1/exported') == []
