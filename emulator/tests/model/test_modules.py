"""Unit tests of model/modules.py: the emulated kernel modules of SYSFS.md §5, /sys/module, and the FC
ports under /sys/class (§7)."""

import errno

import pytest

from scst_emulator.model.kernel import Kernel
from scst_emulator.model.modules import KERNEL_RELEASE, ModuleError
from scst_emulator.model.nodes import KernelError

PORTS = ('0x21000024ff314c48', '01:00:00:24:ff:31:4c:49')


@pytest.fixture(name='k')
def fixture_kernel():
    return Kernel(fc_ports=PORTS, scsi_devices=[('0:0:0:0', 0, 'DISK')], cpus=2)


def rd(k, path):
    return k.read(path).decode()


def modprobe_error(k, name, params=None):
    with pytest.raises(ModuleError) as info:
        k.modprobe(name, params or {})
    return info.value


def test_s5_unknown_module_is_fatal(k):
    """§5: modprobe of a module that does not exist: kmod's FATAL message, exit 1."""
    exc = modprobe_error(k, 'foo')
    assert exc.message == f'modprobe: FATAL: Module foo not found in directory /lib/modules/{KERNEL_RELEASE}'
    assert exc.exit_code == 1


def test_s5_dash_and_underscore_are_equivalent(k):
    """§5: iscsi-scst and iscsi_scst name the same module; the kernel name uses '_'."""
    k.modprobe('scst-vdisk', {})
    assert k.modules.is_loaded('scst_vdisk')
    assert 'scst_vdisk' in k.lookup('module').names()
    k.rmmod('scst-vdisk')
    assert not k.modules.is_loaded('scst_vdisk')


def test_s5_dependencies_auto_loaded(k):
    """§5: modprobe qla2x00tgt loads scst and qla2xxx_scst first."""
    k.modprobe('qla2x00tgt', {})
    loaded = [row[0] for row in k.lsmod()]
    for name in ('scst', 'qla2xxx_scst', 'qla2x00tgt', 'scsi_transport_fc'):
        assert name in loaded
    assert loaded[0] == 'qla2x00tgt'       # lsmod lists the most recent first


def test_s7_hardware_targets_one_per_port(k):
    """§7: qla2x00tgt with qlini_mode != enabled: one target per port, named in colon form."""
    k.modprobe('qla2x00tgt', {})
    names = k.lookup('kernel/scst_tgt/targets/qla2x00t').names()
    assert '21:00:00:24:ff:31:4c:48' in names and '01:00:00:24:ff:31:4c:49' in names


def test_s7_qlini_mode_enabled_creates_no_targets(k):
    """§7: qlini_mode=enabled: no SCST targets in the 32gbit tree."""
    k.modprobe('qla2xxx_scst', {'qlini_mode': 'enabled'})
    k.modprobe('qla2x00tgt', {})
    names = k.lookup('kernel/scst_tgt/targets/qla2x00t').names()
    assert '21:00:00:24:ff:31:4c:48' not in names


def test_s5_unknown_parameter_is_logged_and_ignored(k):
    """[kernel] an unknown module parameter is ignored with a log line; the load succeeds."""
    k.modprobe('scst', {'bogus': '1'})
    assert k.modules.is_loaded('scst')
    assert "scst: unknown parameter 'bogus' ignored" in [line for _t, line in k.dmesg()]


@pytest.mark.parametrize('value', ['foo', 'exclusive2', ''])
def test_s7_invalid_qlini_mode_fails_load(k, value):
    """§7: an invalid qlini_mode fails the load with EINVAL and a log line."""
    exc = modprobe_error(k, 'qla2xxx_scst', {'qlini_mode': value})
    assert exc.message == "modprobe: ERROR: could not insert 'qla2xxx_scst': Invalid argument"
    assert not k.modules.is_loaded('qla2xxx_scst')
    assert 'qla2xxx_scst' not in k.lookup('module').names()
    assert any('ql2x_ini_mode' in line for _t, line in k.dmesg())
    assert k.lookup('class/fc_host').names() == []


def test_s7_qlini_mode_case_insensitive(k):
    """§7: qlini_mode is matched case-insensitively."""
    k.modprobe('qla2xxx_scst', {'qlini_mode': 'DUAL'})
    assert k.module_info()['qla2xxx_scst']['qlini_mode'] == 'dual'
    assert rd(k, 'module/qla2xxx_scst/parameters/qlini_mode') == 'dual\n'


def test_s5_bad_typed_parameter_fails(k):
    """[kernel] a value that does not parse for the parameter type fails the load (EINVAL)."""
    exc = modprobe_error(k, 'scst', {'scst_threads': 'many'})
    assert exc.message == "modprobe: ERROR: could not insert 'scst': Invalid argument"
    assert any("'many' invalid for parameter 'scst_threads'" in line for _t, line in k.dmesg())


def test_s5_distribution_qla2xxx_conflicts(k):
    """§5/§7: qla2xxx and qla2xxx_scst drive the same HBAs: the second load fails and is logged."""
    k.modprobe('qla2xxx', {})
    exc = modprobe_error(k, 'qla2xxx_scst')
    assert exc.message == "modprobe: ERROR: could not insert 'qla2xxx_scst': Exec format error"
    assert any('duplicate symbol' in line and '(owned by qla2xxx)' in line for _t, line in k.dmesg())
    assert modprobe_error(k, 'qla2x00tgt').exit_code == 1
    k.rmmod('qla2xxx')
    k.modprobe('qla2xxx_scst', {})
    assert modprobe_error(k, 'qla2xxx').message.endswith("'qla2xxx': Exec format error")


def test_s5_reload_is_noop(k):
    """modprobe of a loaded module succeeds and leaves its parameters unchanged."""
    k.modprobe('scst', {'auto_cm_assignment': '0'})
    k.modprobe('scst', {'auto_cm_assignment': '1'})
    assert k.module_info()['scst']['auto_cm_assignment'] is False


def test_s5_rmmod_errors(k):
    """rmmod: kmod wording for a module not loaded and for a module in use (users named)."""
    with pytest.raises(ModuleError) as info:
        k.rmmod('scst')
    assert info.value.message == 'rmmod: ERROR: Module scst is not currently loaded'
    k.modprobe('scst_vdisk', {})
    k.modprobe('scst_local', {})
    with pytest.raises(ModuleError) as info:
        k.rmmod('scst')
    assert info.value.message == 'rmmod: ERROR: Module scst is in use by: scst_vdisk scst_local'
    assert rd(k, 'module/scst/refcnt') == '2\n'
    k.rmmod('scst_local')
    k.rmmod('scst_vdisk')
    k.rmmod('scst')
    assert k.lsmod() == []


def test_s5_iscsi_daemon_holds_module(k):
    """§6.7: while iscsi-scstd holds the control device, iscsi_scst cannot be removed."""
    k.modprobe('iscsi_scst', {})
    k.iscsi_daemon_attach()
    with pytest.raises(ModuleError) as info:
        k.rmmod('iscsi_scst')
    assert info.value.message == 'rmmod: ERROR: Module iscsi_scst is in use'
    k.iscsi_daemon_detach()
    k.rmmod('iscsi_scst')


def test_s6_7_daemon_needs_module(k):
    """§6.7: iscsi-scstd cannot attach without the iscsi_scst module (no control device)."""
    with pytest.raises(KernelError) as info:
        k.iscsi_daemon_attach()
    assert info.value.errno == errno.ENOENT


def test_s5_sys_module_parameters(k):
    """§5: /sys/module/<m>/parameters files with their modes; bools read Y/N; 0644 ones writable."""
    k.modprobe('scst', {})
    params = 'module/scst/parameters/'
    assert k.lookup('module/scst/parameters').names() == [
        'scst_threads', 'scst_max_cmd_mem', 'scst_max_dev_cmd_mem', 'forcibly_close_sessions', 'auto_cm_assignment',
        'async_lun_replace', 'alua_invariant_check']
    assert rd(k, params + 'scst_threads') == '2\n'
    assert k.lookup(params + 'scst_threads').mode == 0o444
    assert rd(k, params + 'auto_cm_assignment') == 'Y\n'
    assert rd(k, params + 'forcibly_close_sessions') == 'N\n'
    k.write(params + 'forcibly_close_sessions', b'1\n')
    assert rd(k, params + 'forcibly_close_sessions') == 'Y\n'
    assert k.param('scst', 'forcibly_close_sessions') is True
    with pytest.raises(KernelError) as info:
        k.write(params + 'forcibly_close_sessions', b'maybe')
    assert info.value.errno == errno.EINVAL
    with pytest.raises(KernelError) as info:
        k.check_open(params + 'scst_threads', for_write=True, for_read=False)
    assert info.value.errno == errno.EACCES
    assert rd(k, 'module/scst/refcnt') == '0\n'
    assert rd(k, 'module/scst/initstate') == 'live\n'


def test_s5_vdisk_num_threads(k):
    """§5/§10: scst_vdisk num_threads (default 8) is the threads_num default of fileio devices."""
    k.modprobe('scst_vdisk', {'num_threads': '3'})
    assert rd(k, 'module/scst_vdisk/parameters/num_threads') == '3\n'
    k.write('kernel/scst_tgt/handlers/vdisk_nullio/mgmt', b'add_device n1')
    assert rd(k, 'kernel/scst_tgt/devices/n1/threads_num') == '1\n'


def test_s7_fc_host_tree(k):
    """§7 [kernel]: fc_host/hostN while a qla driver is loaded; port_name is 0x%llx without padding."""
    assert k.lookup('class/fc_host').names() == []
    k.modprobe('qla2xxx_scst', {})
    hosts = k.lookup('class/fc_host').names()
    assert hosts == ['host1', 'host2']         # after the local SCSI host 0
    assert rd(k, 'class/fc_host/host1/port_name') == '0x21000024ff314c48\n'
    assert rd(k, 'class/fc_host/host2/port_name') == '0x1000024ff314c49\n'
    assert rd(k, 'class/fc_host/host1/node_name') == '0x20000024ff314c48\n'
    assert rd(k, 'class/fc_host/host1/port_state') == 'Online\n'
    for name in ('port_type', 'speed', 'symbolic_name'):
        assert rd(k, f'class/fc_host/host1/{name}')
    assert rd(k, 'class/scsi_host/host1/proc_name') == 'qla2xxx\n'
    assert 'qlini_mode' not in k.lookup('class/scsi_host/host1').names()
    assert [host.name_colon for host in k.modules.fc_hosts] == ['21:00:00:24:ff:31:4c:48', '01:00:00:24:ff:31:4c:49']
    k.rmmod('qla2xxx_scst')
    assert k.lookup('class/fc_host').names() == []
    assert k.lookup('class/scsi_host').names() == []


def test_s7_dual_mode_host_files(k):
    """§7: in dual mode every host has qlini_mode, ql2xexchoffld, ql2xiniexchg."""
    k.modprobe('qla2xxx_scst', {'qlini_mode': 'dual'})
    base = 'class/scsi_host/host1/'
    assert rd(k, base + 'qlini_mode') == ('Supported options: enabled | disabled | dual | exclusive\n'
                                          'Current selection: dual\n')
    k.write(base + 'qlini_mode', b'exclusive\n')
    assert rd(k, base + 'qlini_mode').endswith('Current selection: exclusive\n')
    assert k.modules.fc_hosts[0].qlini_mode == 'exclusive'
    with pytest.raises(KernelError) as info:
        k.write(base + 'qlini_mode', b'bogus')
    assert info.value.errno == errno.EINVAL
    assert rd(k, base + 'ql2xexchoffld') == '0\n'
    k.write(base + 'ql2xiniexchg', b'4')
    assert rd(k, base + 'ql2xiniexchg') == '4\n'


def test_s5_handler_modules_register_handlers(k):
    """§5: each handler module registers its handlers with their SCSI types."""
    k.modprobe('scst_vdisk', {})
    k.modprobe('scst_disk', {})
    k.modprobe('scst_tape', {})
    k.modprobe('scst_user', {})
    names = k.lookup('kernel/scst_tgt/handlers').names()
    assert names == ['vdisk_fileio', 'vdisk_blockio', 'vdisk_nullio', 'vcdrom', 'dev_disk', 'dev_disk_perf', 'dev_tape',
                     'dev_tape_perf', 'scst_user']
    assert rd(k, 'kernel/scst_tgt/handlers/scst_user/type') == '-1 - unknown\n'
    assert 'mgmt' not in k.lookup('kernel/scst_tgt/handlers/scst_user').names()
    k.rmmod('scst_tape')
    assert 'dev_tape' not in k.lookup('kernel/scst_tgt/handlers').names()


def test_s5_rmmod_vdisk_deletes_its_devices(k):
    """Unloading scst_vdisk deletes its devices (and their LUNs)."""
    k.modprobe('scst_vdisk', {})
    k.write('kernel/scst_tgt/handlers/vdisk_nullio/mgmt', b'add_device n1')
    k.rmmod('scst_vdisk')
    assert k.lookup('kernel/scst_tgt/devices').names() == ['0:0:0:0']
    assert k.lookup('kernel/scst_tgt/targets/copy_manager/copy_manager_tgt/luns').names() == ['mgmt']


def test_s5_target_driver_modules(k):
    """§5: scst_local registers its driver with the default target; iscsi_scst its driver dir."""
    k.modprobe('scst_local', {})
    assert 'scst_local_tgt' in k.lookup('kernel/scst_tgt/targets/scst_local').names()
    k.modprobe('iscsi-scst', {})
    assert 'iscsi' in k.lookup('kernel/scst_tgt/targets').names()
    k.rmmod('iscsi_scst')
    assert 'iscsi' not in k.lookup('kernel/scst_tgt/targets').names()


def test_s5_parameter_without_value(k):
    """[kernel] a bool parameter given without a value is true; other kinds then fail the load."""
    k.modprobe('scst', {'forcibly_close_sessions': None})
    assert k.param('scst', 'forcibly_close_sessions') is True
    assert modprobe_error(k, 'scst_vdisk', {'num_threads': None}).exit_code == 1


def test_s5_scst_threads_zero_means_cpus(k):
    """§5: scst_threads defaults to the number of CPUs; 0 also means that; negative fails the load."""
    k.modprobe('scst', {'scst_threads': '0'})
    assert rd(k, 'module/scst/parameters/scst_threads') == '2\n'
    assert rd(k, 'kernel/scst_tgt/threads') == '2\n'
    k.rmmod('scst')
    assert modprobe_error(k, 'scst', {'scst_threads': '-1'}).message == \
        "modprobe: ERROR: could not insert 'scst': Invalid argument"
    assert k.lookup('kernel').names() == []


def test_s7_npiv_vport_hosts(k):
    """§7: an NPIV vport gets the lowest free SCSI host number and its own fc_host entry."""
    k.modprobe('qla2xxx_scst', {})
    fc = k.modules.fc
    vport = fc.add_vport(fc.hosts[0], 0x2100000000000001, 0x2000000000000001)
    assert vport.host_no == 3 and vport.parent is fc.hosts[0]
    assert rd(k, 'class/fc_host/host3/port_type') == 'NPIV VPORT\n'
    assert rd(k, 'class/fc_host/host3/port_name') == '0x2100000000000001\n'
    fc.remove_vport(vport)
    assert k.lookup('class/fc_host').names() == ['host1', 'host2']
