"""Unit tests of model/targets.py, copy_manager.py and scst_local.py: target drivers (§1.4, §2.3), the target
core attributes (§1.4), rel_tgt_id (§3.5), the copy manager (§1.6) and scst_local (§2.3, §5)."""

import errno

import pytest

from scst_emulator.model.kernel import Kernel
from scst_emulator.model.nodes import KernelError
from model_io import ROOT, err, names, rd, wr

LOCAL = 'targets/scst_local/'
LOCAL_HELP = (
    'Usage: echo "add_target target_name [parameters]" >mgmt\n'
    '       echo "del_target target_name" >mgmt\n'
    '       echo "add_session target_name session_name" >mgmt\n'
    '       echo "del_session target_name session_name" >mgmt\n'
    '\n'
    "where parameters are one or more param_name=value pairs separated by ';'\n"
    '\n'
    '\n'
    'The following parameters available: session_name\n'
    '\n')
CORE_ATTRS = [
    'rel_tgt_id', 'forward_src', 'forward_dst', 'aen_disabled', 'forwarding', 'comment', 'sg_tablesize',
    'addr_method', 'io_grouping_type', 'black_hole', 'cpu_mask', 'unknown_cmd_count', 'write_cmd_count',
    'write_io_count_kb', 'write_unaligned_cmd_count', 'read_cmd_count', 'read_io_count_kb',
    'read_unaligned_cmd_count', 'bidi_cmd_count', 'bidi_io_count_kb', 'bidi_unaligned_cmd_count', 'none_cmd_count']


@pytest.fixture(name='k')
def fixture_kernel():
    kernel = Kernel(cpus=4)
    kernel.modprobe('scst', {})
    kernel.modprobe('scst_local', {})
    return kernel


@pytest.fixture(name='ki')
def fixture_iscsi(k):
    """iSCSI with its daemon: the driver with enable support used for rel_tgt_id."""
    k.modprobe('iscsi_scst', {})
    k.iscsi_daemon_attach()
    for name in ('a', 'b'):
        wr(k, 'targets/iscsi/mgmt', f'add_target {name}\n')
    return k


# ------------------------------------------------------------------------------------- §1.6 copy_manager
def test_s1_6_copy_manager_tree(k):
    cm = 'targets/copy_manager/'
    assert names(k, cm) == ['allow_not_connected_copy', 'dif_capabilities', 'copy_manager_tgt']
    assert names(k, cm + 'copy_manager_tgt') == CORE_ATTRS + ['sessions', 'luns', 'ini_groups', 'dif_capabilities',
                                                              'dif_checks_failed']
    assert names(k, cm + 'copy_manager_tgt/sessions') == ['copy_manager_sess']
    assert rd(k, cm + 'copy_manager_tgt/sg_tablesize') == '65535\n'
    assert rd(k, cm + 'copy_manager_tgt/rel_tgt_id') == '0\n'


def test_s1_6_allow_not_connected_copy(k):
    path = 'targets/copy_manager/allow_not_connected_copy'
    assert rd(k, path) == '0\n'
    wr(k, path, '5\n')
    assert rd(k, path) == '1\n[key]\n'
    wr(k, path, '0\n')
    assert rd(k, path) == '0\n'
    assert err(k, path, 'yes\n') == errno.EINVAL


# ---------------------------------------------------------------------------------- §2.3 driver mgmt
def test_s2_3_scst_local_help_is_exact(k):
    assert rd(k, LOCAL + 'mgmt') == LOCAL_HELP


def test_s5_scst_local_default_target(k):
    assert names(k, LOCAL) == ['mgmt', 'version', 'stats', 'scst_local_tgt']
    assert names(k, LOCAL + 'scst_local_tgt/sessions') == ['scst_local_host']
    assert rd(k, LOCAL + 'version') == '3.11.0-pre/20110901\n'
    assert rd(k, LOCAL + 'stats') == 'Aborts: 0, Device Resets: 0, Target Resets: 0\n'


def test_s5_scst_local_without_default_target():
    kernel = Kernel()
    kernel.modprobe('scst', {})
    kernel.modprobe('scst_local', {'add_default_tgt': '0'})
    assert names(kernel, LOCAL) == ['mgmt', 'version', 'stats']


def test_s1_4_target_layout_without_enable(k):
    wr(k, LOCAL + 'mgmt', 'add_target t1\n')
    assert names(k, LOCAL + 't1') == CORE_ATTRS + ['sessions', 'luns', 'ini_groups', 'scsi_transport_version',
                                                   'phys_transport_version']
    assert names(k, LOCAL + 't1/luns') == ['mgmt']
    assert names(k, LOCAL + 't1/ini_groups') == ['mgmt']


def test_s2_3_scst_local_session_names_and_errors(k):
    wr(k, LOCAL + 'mgmt', 'add_target t1 session_name=s1;SESSION_NAME=s2\n')
    assert names(k, LOCAL + 't1/sessions') == ['s1', 's2']
    assert err(k, LOCAL + 'mgmt', 'add_target t1\n') == errno.EFAULT
    assert err(k, LOCAL + 'mgmt', 'add_target t2 foo=1\n') == errno.EINVAL
    assert 't2' not in names(k, LOCAL)
    assert err(k, LOCAL + 'mgmt', 'add_target\n') == errno.EINVAL


@pytest.mark.parametrize('command, code', [
    ('add_session t1\n', errno.EINVAL),
    ('add_session\n', errno.EINVAL),
    ('add_session nosuch s\n', errno.EINVAL),
    ('del_session t1 nosuch\n', errno.EINVAL),
    ('del_target nosuch\n', errno.ENOENT),
    ('del_target t1 extra\n', errno.EINVAL),
    ('del_target\n', errno.EINVAL),
])
def test_s2_3_scst_local_command_errors(k, command, code):
    wr(k, LOCAL + 'mgmt', 'add_target t1\n')
    assert err(k, LOCAL + 'mgmt', command) == code


def test_s2_3_scst_local_sessions_and_unknown_keyword(k):
    wr(k, LOCAL + 'mgmt', 'add_target t1\n')
    wr(k, LOCAL + 'mgmt', 'add_session t1 s1\n')
    assert names(k, LOCAL + 't1/sessions') == ['s1']
    assert {'host_no', 'transport_id', 'force_close'} <= set(names(k, LOCAL + 't1/sessions/s1'))
    # any other keyword with a valid target and session succeeds and does nothing
    wr(k, LOCAL + 'mgmt', 'frobnicate t1 s1\n')
    wr(k, LOCAL + 'mgmt', 'DEL_SESSION t1 s1\n')
    assert names(k, LOCAL + 't1/sessions') == []


def test_s2_3_scst_local_del_target_closes_sessions(k):
    wr(k, LOCAL + 'mgmt', 'add_target t1 session_name=s1\n')
    wr(k, LOCAL + 'mgmt', 'del_target t1\n')
    assert 't1' not in names(k, LOCAL)


def test_s2_3_driver_mgmt_is_a_sysfs_work(k):
    k.set_faults(eagain='always')
    assert err(k, LOCAL + 'mgmt', 'add_target t9\n') == errno.EAGAIN
    assert 't9' in names(k, LOCAL)


def test_s2_3_del_target_removes_luns_from_devices_and_alua(k):
    k.modprobe('scst_vdisk', {})
    wr(k, 'handlers/vdisk_nullio/mgmt', 'add_device d0\n')
    wr(k, LOCAL + 'mgmt', 'add_target t1\n')
    wr(k, LOCAL + 't1/luns/mgmt', 'add d0 0\n')
    wr(k, 'device_groups/mgmt', 'create dg\n')
    wr(k, 'device_groups/dg/target_groups/mgmt', 'create tg\n')
    wr(k, 'device_groups/dg/target_groups/tg/mgmt', 'add t1\n')
    wr(k, LOCAL + 'mgmt', 'del_target t1\n')
    assert names(k, 'devices/d0/exported') == ['export0']
    assert 't1' not in names(k, 'device_groups/dg/target_groups/tg')


def test_s5_unloading_the_driver_removes_its_targets(k):
    k.rmmod('scst_local')
    assert 'scst_local' not in names(k, 'targets')


# ------------------------------------------------------------------------------ §1.4 core attributes
@pytest.fixture(name='t')
def fixture_target(k):
    wr(k, LOCAL + 'mgmt', 'add_target t1\n')
    return LOCAL + 't1/'


def test_s1_4_defaults(k, t):
    assert rd(k, t + 'rel_tgt_id') == '0\n'
    assert rd(k, t + 'comment') == ''
    assert rd(k, t + 'addr_method') == 'PERIPHERAL\n'
    assert rd(k, t + 'io_grouping_type') == 'auto\n'
    assert rd(k, t + 'black_hole') == '0\n'
    assert rd(k, t + 'cpu_mask') == 'f\n'
    assert rd(k, t + 'forward_src') == '0\n'
    assert rd(k, t + 'forward_dst') == '0\n'
    assert rd(k, t + 'aen_disabled') == '0\n'
    assert rd(k, t + 'sg_tablesize') == '65535\n'
    assert rd(k, t + 'read_cmd_count') == '0\n'


def test_s1_4_comment(k, t):
    wr(k, t + 'comment', 'hello world\n')
    assert rd(k, t + 'comment') == 'hello world\n[key]\n'
    wr(k, t + 'comment', '\n')
    assert rd(k, t + 'comment') == ''


@pytest.mark.parametrize('text, shown', [
    ('flat\n', 'FLAT\n[key]\n'), ('LUN\n', 'LUN\n[key]\n'), ('PERIPHERAL\n', 'PERIPHERAL\n'), ('F', 'FLAT\n[key]\n'),
    ('FLATTEN\n', 'FLAT\n[key]\n')])
def test_s1_4_addr_method_prefix_match(k, t, text, shown):
    wr(k, t + 'addr_method', text)
    assert rd(k, t + 'addr_method') == shown


def test_s1_4_addr_method_rejects_others(k, t):
    assert err(k, t + 'addr_method', 'FL\n') == errno.EINVAL
    assert err(k, t + 'addr_method', 'nope\n') == errno.EINVAL


@pytest.mark.parametrize('text, shown', [
    ('never\n', 'never\n[key]\n'), ('this_group_only\n', 'this_group_only\n[key]\n'), ('3\n', '3\n[key]\n'),
    ('AUTO\n', 'auto\n')])
def test_s1_4_io_grouping_type(k, t, text, shown):
    wr(k, t + 'io_grouping_type', text)
    assert rd(k, t + 'io_grouping_type') == shown


@pytest.mark.parametrize('text', ['0\n', '-1\n', 'sometimes\n'])
def test_s1_4_io_grouping_type_errors(k, t, text):
    assert err(k, t + 'io_grouping_type', text) == errno.EINVAL


def test_s4_6_io_grouping_type_and_cpu_mask_are_works_only_when_changed(k, t):
    k.set_faults(eagain='always')
    wr(k, t + 'io_grouping_type', 'auto\n')
    wr(k, t + 'cpu_mask', 'f\n')
    assert err(k, t + 'io_grouping_type', 'never\n') == errno.EAGAIN
    assert err(k, t + 'cpu_mask', '1\n') == errno.EAGAIN
    k.set_faults()
    assert rd(k, t + 'cpu_mask') == '1\n[key]\n'


def test_s1_4_black_hole_first_char(k, t):
    wr(k, t + 'black_hole', '4xyz\n')
    assert rd(k, t + 'black_hole') == '4\n'
    assert err(k, t + 'black_hole', '5\n') == errno.EINVAL


def test_s1_4_forward_and_aen(k, t):
    wr(k, t + 'forward_src', '1\n')
    assert rd(k, t + 'forward_src') == '1\n[key]\n'
    assert err(k, t + 'forward_src', '2\n') == errno.EINVAL
    assert err(k, t + 'forward_src', '1x\n') == errno.EINVAL
    wr(k, t + 'forwarding', '1yes\n')
    assert rd(k, t + 'forward_dst') == '1\n[key]\n'
    assert err(k, t + 'forward_dst', 'y\n') == errno.EINVAL
    wr(k, t + 'aen_disabled', '1\n')
    assert rd(k, t + 'aen_disabled') == '1\n[key]\n'
    assert err(k, t + 'aen_disabled', '2\n') == errno.EINVAL


def test_s3_2_read_only_counters(k, t):
    with pytest.raises(KernelError) as info:
        k.check_open(ROOT + t + 'sg_tablesize', True, False)
    assert info.value.errno == errno.EACCES


# ----------------------------------------------------------------------------------- §3.5 rel_tgt_id
def test_s3_5_auto_assignment_on_enable(ki):
    assert rd(ki, 'targets/iscsi/a/enabled') == '0\n'
    wr(ki, 'targets/iscsi/a/enabled', '1\n')
    wr(ki, 'targets/iscsi/b/enabled', '1\n')
    assert rd(ki, 'targets/iscsi/a/rel_tgt_id') == '1\n[key]\n'
    assert rd(ki, 'targets/iscsi/b/rel_tgt_id') == '2\n[key]\n'
    # writing the current value again succeeds
    wr(ki, 'targets/iscsi/a/enabled', '1\n')


def test_s3_5_auto_assignment_skips_ids_in_use(ki):
    # targets without enable support always count (scst_local_tgt keeps 0, so 0 never clashes)
    wr(ki, 'targets/iscsi/b/rel_tgt_id', '1\n')
    wr(ki, 'targets/iscsi/b/enabled', '1\n')
    wr(ki, 'targets/iscsi/a/enabled', '1\n')
    assert rd(ki, 'targets/iscsi/a/rel_tgt_id') == '2\n[key]\n'


def test_s3_5_clash_is_ebadslt(ki):
    wr(ki, 'targets/iscsi/a/rel_tgt_id', '5\n')
    wr(ki, 'targets/iscsi/a/enabled', '1\n')
    wr(ki, 'targets/iscsi/b/rel_tgt_id', '5\n')
    assert err(ki, 'targets/iscsi/b/enabled', '1\n') == errno.EBADSLT
    assert rd(ki, 'targets/iscsi/b/enabled') == '0\n'
    wr(ki, 'targets/iscsi/b/rel_tgt_id', '6\n')
    wr(ki, 'targets/iscsi/b/enabled', '1\n')
    assert err(ki, 'targets/iscsi/b/rel_tgt_id', '5\n') == errno.EBADSLT


@pytest.mark.parametrize('text, code', [('x\n', errno.EINVAL), ('65536\n', errno.EINVAL), ('-1\n', errno.EINVAL)])
def test_s3_5_rel_tgt_id_value_errors(ki, text, code):
    assert err(ki, 'targets/iscsi/a/rel_tgt_id', text) == code


def test_s3_5_uniqueness_is_checked_on_16_bits_before_the_range(ki):
    wr(ki, 'targets/iscsi/a/enabled', '1\n')
    # 65536 is compared as 0, the id of copy_manager_tgt (which always counts): EBADSLT, not EINVAL
    assert err(ki, 'targets/iscsi/a/rel_tgt_id', '65536\n') == errno.EBADSLT
    wr(ki, 'targets/iscsi/b/rel_tgt_id', '7\n')
    wr(ki, 'targets/iscsi/b/enabled', '1\n')
    assert err(ki, 'targets/iscsi/a/rel_tgt_id', '65543\n') == errno.EBADSLT
    assert err(ki, 'targets/iscsi/a/rel_tgt_id', '65544\n') == errno.EINVAL


def test_s3_5_zero_only_while_disabled(ki):
    wr(ki, 'targets/iscsi/a/rel_tgt_id', '0x10\n')
    assert rd(ki, 'targets/iscsi/a/rel_tgt_id') == '16\n[key]\n'
    wr(ki, 'targets/iscsi/a/rel_tgt_id', '0\n')
    wr(ki, 'targets/iscsi/a/enabled', '1\n')
    # the uniqueness check comes first, and copy_manager_tgt (no enable support) holds 0
    assert err(ki, 'targets/iscsi/a/rel_tgt_id', '0\n') == errno.EBADSLT
    # targets without enable support count as enabled
    assert err(ki, LOCAL + 'scst_local_tgt/rel_tgt_id', '0x0\n') == errno.EINVAL
    wr(ki, LOCAL + 'scst_local_tgt/rel_tgt_id', '9\n')
    assert rd(ki, LOCAL + 'scst_local_tgt/rel_tgt_id') == '9\n[key]\n'


@pytest.mark.parametrize('text', ['2\n', 'on\n', '\n'])
def test_s1_4_enabled_first_char(ki, text):
    assert err(ki, 'targets/iscsi/a/enabled', text) == errno.EINVAL


def test_s1_4_enabled_is_a_sysfs_work(ki):
    ki.set_faults(eagain='always')
    assert err(ki, 'targets/iscsi/a/enabled', '1\n') == errno.EAGAIN
    ki.set_faults()
    assert rd(ki, 'targets/iscsi/a/enabled') == '1\n'
