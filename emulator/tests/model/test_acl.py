"""Unit tests of model/acl.py: LUN sets (§9), ini groups (§2.5, §3.8), initiators (§2.6), sessions and
simulated logins (§8.2, §8.5), the copy_manager auto LUN (§2.1) and the del_device cascade."""

import errno
import time

import pytest

from scst_emulator.model.kernel import Kernel
from scst_emulator.model.nodes import KernelError, Link
from scst_emulator.model.wildcard import wildcmp
from model_io import ROOT, err, names, rd, wr

TGT = 'targets/scst_local/t1/'
LUNS_HELP = (
    'Usage: echo "add H:C:I:L lun [parameters]" >mgmt\n'
    '       echo "add VNAME lun [parameters]" >mgmt\n'
    '       echo "del lun" >mgmt\n'
    '       echo "replace H:C:I:L lun [parameters]" >mgmt\n'
    '       echo "replace VNAME lun [parameters]" >mgmt\n'
    '       echo "replace_no_ua H:C:I:L lun [parameters]" >mgmt\n'
    '       echo "replace_no_ua VNAME lun [parameters]" >mgmt\n'
    '       echo "clear" >mgmt\n'
    '\n'
    "where parameters are one or more param_name=value pairs separated by ';'\n"
    '\n'
    'The following parameters available: read_only\n')


@pytest.fixture(name='k')
def fixture_kernel():
    kernel = Kernel(scsi_devices=[('1:0:0:0', 0, 'DISK')])
    kernel.modprobe('scst', {})
    kernel.modprobe('scst_vdisk', {})
    kernel.modprobe('scst_local', {'add_default_tgt': '0'})
    for name in ('d0', 'd1', 'd2'):
        wr(kernel, 'handlers/vdisk_nullio/mgmt', f'add_device {name}\n')
    wr(kernel, 'handlers/vdisk_nullio/mgmt', 'add_device ro read_only=1\n')
    wr(kernel, 'targets/scst_local/mgmt', 'add_target t1\n')
    return kernel


# ------------------------------------------------------------------------------------------ §9 LUNs
def test_s9_luns_mgmt_help(k):
    assert rd(k, TGT + 'luns/mgmt') == LUNS_HELP
    wr(k, TGT + 'ini_groups/mgmt', 'create g\n')
    assert rd(k, TGT + 'ini_groups/g/luns/mgmt') == LUNS_HELP


def test_s9_add_creates_lun_dir_device_link_and_export(k):
    wr(k, TGT + 'luns/mgmt', 'add d0 0\n')
    assert names(k, TGT + 'luns') == ['mgmt', '0']
    assert names(k, TGT + 'luns/0') == ['read_only', 'device']
    assert k.lookup(ROOT + TGT + 'luns/0/device').target == '../../../../../devices/d0'
    assert rd(k, TGT + 'luns/0/read_only') == '0\n'
    # export0 is the copy_manager LUN (auto_cm_assignment=1), so this mapping is export1 (§1.3).
    assert names(k, 'devices/d0/exported') == ['export0', 'export1']
    assert k.lookup(ROOT + 'devices/d0/exported/export1').target == '../../../targets/scst_local/t1/luns/0'


def test_s9_group_lun_link_depth(k):
    wr(k, TGT + 'ini_groups/mgmt', 'create g\n')
    wr(k, TGT + 'ini_groups/g/luns/mgmt', 'add d1 3\n')
    assert k.lookup(ROOT + TGT + 'ini_groups/g/luns/3/device').target == '../../../../../../../devices/d1'
    assert k.lookup(ROOT + 'devices/d1/exported/export1').target == '../../../targets/scst_local/t1/ini_groups/g/luns/3'


@pytest.mark.parametrize('lun, number', [('010', '8'), ('0x10', '16'), ('16383', '16383'), ('0', '0')])
def test_s9_lun_numbers_are_base_0(k, lun, number):
    wr(k, TGT + 'luns/mgmt', f'add d0 {lun}\n')
    assert names(k, TGT + 'luns') == ['mgmt', number]


@pytest.mark.parametrize('command, code', [
    ('add d0 16384\n', errno.EINVAL),
    ('add d0 x\n', errno.EINVAL),
    ('add d0\n', errno.EINVAL),
    ('add nodev 0\n', errno.EINVAL),
    ('add D0 0\n', errno.EINVAL),
    ('add d0 0 read_only=1;foo=1\n', errno.EINVAL),
    ('add d0 0 foo=1\n', errno.EINVAL),
    ('add d0 0 read_only\n', errno.EINVAL),
    ('add d0 0 read_only=abc\n', errno.EINVAL),
    ('add d0 0 read_only=1 2\n', errno.EINVAL),
    ('frob d0 0\n', errno.EINVAL),
    ('del\n', errno.EINVAL),
    ('del 7\n', errno.EINVAL),
    ('clear now\n', errno.EINVAL),
])
def test_s9_errors(k, command, code):
    assert err(k, TGT + 'luns/mgmt', command) == code
    assert names(k, TGT + 'luns') == ['mgmt']


def test_s9_add_existing_lun_is_eexist(k):
    wr(k, TGT + 'luns/mgmt', 'add d0 0\n')
    assert err(k, TGT + 'luns/mgmt', 'add d1 0\n') == errno.EEXIST


def test_s9_keywords_case_insensitive_and_read_only_param(k):
    wr(k, TGT + 'luns/mgmt', 'ADD d0 1 READ_ONLY=7\n')
    assert rd(k, TGT + 'luns/1/read_only') == '1\n[key]\n'


def test_s9_read_only_is_lun_flag_or_device_flag(k):
    wr(k, TGT + 'luns/mgmt', 'add ro 0 read_only=0\n')
    assert rd(k, TGT + 'luns/0/read_only') == '1\n[key]\n'


def test_s9_del_with_extra_token_is_einval(k):
    wr(k, TGT + 'luns/mgmt', 'add d0 0\n')
    assert err(k, TGT + 'luns/mgmt', 'del 0 x\n') == errno.EINVAL
    wr(k, TGT + 'luns/mgmt', 'del 0\n')
    assert names(k, TGT + 'luns') == ['mgmt']
    assert names(k, 'devices/d0/exported') == ['export0']


def test_s9_replace_recreates_with_new_export_number(k):
    wr(k, TGT + 'luns/mgmt', 'add d0 0\n')
    wr(k, TGT + 'luns/mgmt', 'replace d0 0\n')
    assert names(k, 'devices/d0/exported') == ['export0', 'export2']
    wr(k, TGT + 'luns/mgmt', 'replace_no_ua d1 0 read_only=1\n')
    assert k.lookup(ROOT + TGT + 'luns/0/device').target.endswith('/d1')
    assert names(k, 'devices/d0/exported') == ['export0']
    # replace of a missing LUN acts as add
    wr(k, TGT + 'luns/mgmt', 'replace d2 5\n')
    assert names(k, TGT + 'luns') == ['mgmt', '0', '5']


def test_s9_replace_with_bad_parameters_keeps_the_lun(k):
    wr(k, TGT + 'luns/mgmt', 'add d0 0\n')
    assert err(k, TGT + 'luns/mgmt', 'replace d1 0 bogus=1\n') == errno.EINVAL
    # parameters are parsed before the old LUN goes
    assert names(k, TGT + 'luns') == ['mgmt', '0']


def test_s9_replace_whose_add_fails_leaves_lun_absent(k):
    cm = 'targets/copy_manager/copy_manager_tgt/luns/'
    assert err(k, cm + 'mgmt', 'replace ro 0\n') == errno.EINVAL
    assert '0' not in names(k, cm)


def test_s9_clear_and_same_device_twice(k):
    wr(k, TGT + 'luns/mgmt', 'add d0 0\n')
    wr(k, TGT + 'luns/mgmt', 'add d0 1\n')
    wr(k, TGT + 'luns/mgmt', 'clear\n')
    assert names(k, TGT + 'luns') == ['mgmt']
    wr(k, TGT + 'luns/mgmt', 'clear\n')


def test_s9_luns_mgmt_is_a_sysfs_work(k):
    k.set_faults(eagain='always')
    assert err(k, TGT + 'luns/mgmt', 'add d0 0\n') == errno.EAGAIN
    assert names(k, TGT + 'luns') == ['mgmt', '0']
    k.set_faults()
    assert rd(k, 'last_sysfs_mgmt_res') == '0\n'


def test_s9_passthrough_device_names_are_devices_too(k):
    wr(k, TGT + 'luns/mgmt', 'add 1:0:0:0 0\n')
    assert k.lookup(ROOT + TGT + 'luns/0/device').target == '../../../../../devices/1:0:0:0'


def test_s9_twenty_thousand_lun_operations_are_fast(k):
    """O(1) per LUN add: 16384 LUNs plus deletes well under a few seconds."""
    start = time.monotonic()
    for number in range(16384):
        wr(k, TGT + 'luns/mgmt', f'add d0 {number}\n')
    for number in range(4000):
        wr(k, TGT + 'luns/mgmt', f'del {number}\n')
    assert time.monotonic() - start < 10
    assert len(names(k, TGT + 'luns')) == 16384 - 4000 + 1


# ------------------------------------------------------------------------------ §2.1 del_device cascade
def test_s2_1_del_device_unmaps_every_lun(k):
    wr(k, TGT + 'luns/mgmt', 'add d0 0\n')
    wr(k, TGT + 'ini_groups/mgmt', 'create g\n')
    wr(k, TGT + 'ini_groups/g/luns/mgmt', 'add d0 4\n')
    wr(k, 'handlers/vdisk_nullio/mgmt', 'del_device d0\n')
    assert names(k, TGT + 'luns') == ['mgmt']
    assert names(k, TGT + 'ini_groups/g/luns') == ['mgmt']


# ----------------------------------------------------------------------------- §2.1 copy_manager LUNs
def test_s2_1_copy_manager_auto_luns_use_a_rolling_counter(k):
    cm = 'targets/copy_manager/copy_manager_tgt/luns'
    assert names(k, cm) == ['mgmt', '0', '1', '2', '3']
    # read-only devices get their auto LUN too (the auto path skips the read-only check)
    assert k.lookup(ROOT + cm + '/3/device').target == '../../../../../devices/ro'
    wr(k, 'handlers/vdisk_nullio/mgmt', 'del_device d0\n')
    wr(k, 'handlers/vdisk_nullio/mgmt', 'add_device d9\n')
    # freed numbers are not reused before the counter wraps
    assert names(k, cm) == ['mgmt', '1', '2', '3', '4']


def test_s1_6_copy_manager_refuses_groups_and_read_only_luns(k):
    cm = 'targets/copy_manager/copy_manager_tgt/'
    assert err(k, cm + 'ini_groups/mgmt', 'create g\n') == errno.EINVAL
    wr(k, cm + 'luns/mgmt', 'del 3\n')
    assert err(k, cm + 'luns/mgmt', 'add ro 100\n') == errno.EINVAL
    assert err(k, cm + 'luns/mgmt', 'add d0 100 read_only=1\n') == errno.EINVAL
    wr(k, cm + 'luns/mgmt', 'add d0 100\n')


def test_s2_1_auto_cm_assignment_off(k):
    k.rmmod('scst_local')
    k.rmmod('scst_vdisk')
    k.rmmod('scst')
    k.modprobe('scst', {'auto_cm_assignment': '0'})
    k.modprobe('scst_vdisk', {})
    wr(k, 'handlers/vdisk_nullio/mgmt', 'add_device d0\n')
    assert names(k, 'targets/copy_manager/copy_manager_tgt/luns') == ['mgmt']


# ------------------------------------------------------------------------------------ §2.5 ini groups
def test_s2_5_create_group_layout(k):
    assert rd(k, TGT + 'ini_groups/mgmt') == 'Usage: echo "create GROUP_NAME" >mgmt\n       echo "del GROUP_NAME" >mgmt\n'
    wr(k, TGT + 'ini_groups/mgmt', 'create g1 ignored tokens\n')
    assert names(k, TGT + 'ini_groups/g1') == ['luns', 'initiators', 'addr_method', 'io_grouping_type', 'black_hole', 'cpu_mask']
    assert names(k, TGT + 'ini_groups/g1/initiators') == ['mgmt']


@pytest.mark.parametrize('command, code', [
    ('create\n', errno.EINVAL), ('del\n', errno.EINVAL), ('del nosuch\n', errno.EINVAL), ('make g\n', errno.EINVAL)])
def test_s2_5_errors(k, command, code):
    assert err(k, TGT + 'ini_groups/mgmt', command) == code


def test_s2_5_create_existing_is_eexist_and_names_are_case_sensitive(k):
    wr(k, TGT + 'ini_groups/mgmt', 'create g\n')
    assert err(k, TGT + 'ini_groups/mgmt', 'create g\n') == errno.EEXIST
    wr(k, TGT + 'ini_groups/mgmt', 'CREATE G\n')
    assert names(k, TGT + 'ini_groups') == ['mgmt', 'g', 'G']


def test_s2_5_del_group_removes_its_luns(k):
    wr(k, TGT + 'ini_groups/mgmt', 'create g\n')
    wr(k, TGT + 'ini_groups/g/luns/mgmt', 'add d0 0\n')
    wr(k, TGT + 'ini_groups/mgmt', 'del g\n')
    assert names(k, TGT + 'ini_groups') == ['mgmt']
    assert names(k, 'devices/d0/exported') == ['export0']


def test_s2_5_del_group_with_sessions_is_ebusy(k):
    wr(k, TGT + 'ini_groups/mgmt', 'create g\n')
    wr(k, TGT + 'ini_groups/g/initiators/mgmt', 'add host1\n')
    k.login('scst_local', 't1', 'host1')
    assert err(k, TGT + 'ini_groups/mgmt', 'del g\n') == errno.EBUSY


def test_s2_5_del_group_with_sessions_forcibly_closes(k):
    k.rmmod('scst_local')
    k.rmmod('scst_vdisk')
    k.rmmod('scst')
    k.modprobe('scst', {'forcibly_close_sessions': '1'})
    k.modprobe('scst_local', {'add_default_tgt': '0'})
    wr(k, 'targets/scst_local/mgmt', 'add_target t1\n')
    wr(k, TGT + 'ini_groups/mgmt', 'create g\n')
    wr(k, TGT + 'ini_groups/g/initiators/mgmt', 'add host1\n')
    k.login('scst_local', 't1', 'host1')
    wr(k, TGT + 'ini_groups/mgmt', 'del g\n')
    assert names(k, TGT + 'sessions') == []


def test_s3_8_group_attributes(k):
    wr(k, TGT + 'ini_groups/mgmt', 'create g\n')
    base = TGT + 'ini_groups/g/'
    assert rd(k, base + 'addr_method') == 'PERIPHERAL\n'
    wr(k, base + 'addr_method', 'flat\n')
    assert rd(k, base + 'addr_method') == 'FLAT\n[key]\n'
    assert rd(k, TGT + 'addr_method') == 'PERIPHERAL\n'
    assert rd(k, base + 'cpu_mask') == '3\n'
    wr(k, base + 'cpu_mask', '1\n')
    assert rd(k, base + 'cpu_mask') == '1\n[key]\n'
    assert err(k, base + 'cpu_mask', 'zz\n') == errno.EINVAL
    assert err(k, base + 'cpu_mask', 'f\n') == errno.EOVERFLOW


# ------------------------------------------------------------------------------------ §2.6 initiators
INI_HELP = ('Usage: echo "add INITIATOR_NAME" >mgmt\n       echo "del INITIATOR_NAME" >mgmt\n'
            '       echo "move INITIATOR_NAME DEST_GROUP_NAME" >mgmt\n       echo "clear" >mgmt\n')


@pytest.fixture(name='g')
def fixture_groups(k):
    wr(k, TGT + 'ini_groups/mgmt', 'create g1\n')
    wr(k, TGT + 'ini_groups/mgmt', 'create g2\n')
    return TGT + 'ini_groups/'


def test_s2_6_help_and_add(k, g):
    assert rd(k, g + 'g1/initiators/mgmt') == INI_HELP
    wr(k, g + 'g1/initiators/mgmt', 'add iqn.1994-05.com.redhat:*\n')
    assert names(k, g + 'g1/initiators') == ['mgmt', 'iqn.1994-05.com.redhat:*']
    assert rd(k, g + 'g1/initiators/iqn.1994-05.com.redhat:*') == 'iqn.1994-05.com.redhat:*\n'


def test_s2_6_errors(k, g):
    ini = g + 'g1/initiators/mgmt'
    wr(k, ini, 'add a\n')
    assert err(k, ini, 'add a\n') == errno.EEXIST
    wr(k, g + 'g2/initiators/mgmt', 'add a\n')
    assert err(k, ini, 'add\n') == errno.EINVAL
    assert err(k, ini, 'del A\n') == errno.EINVAL
    assert err(k, ini, 'del *\n') == errno.EINVAL
    assert err(k, ini, 'move b g2\n') == errno.EINVAL
    assert err(k, ini, 'move a nosuch\n') == errno.EINVAL
    assert err(k, ini, 'move a g2\n') == errno.EEXIST
    assert err(k, ini, 'move a\n') == errno.EINVAL
    assert err(k, ini, 'drop a\n') == errno.EINVAL


def test_s2_6_move_and_clear(k, g):
    wr(k, g + 'g1/initiators/mgmt', 'add a\n')
    wr(k, g + 'g1/initiators/mgmt', 'add b\n')
    wr(k, g + 'g1/initiators/mgmt', 'move a g2\n')
    assert names(k, g + 'g1/initiators') == ['mgmt', 'b']
    assert names(k, g + 'g2/initiators') == ['mgmt', 'a']
    wr(k, g + 'g1/initiators/mgmt', 'clear extra\n')
    assert names(k, g + 'g1/initiators') == ['mgmt']


# ------------------------------------------------------------------------------- §8.2 LUN set choice
@pytest.mark.parametrize('pattern, name, result', [
    ('iqn.x:ini', 'IQN.X:INI', True),
    ('iqn.x:*', 'iqn.x:host1', True),
    ('iqn.x:host?', 'iqn.x:host1', True),
    ('iqn.x:host?', 'iqn.x:host12', False),
    ('!iqn.x:ini', 'iqn.x:other', True),
    ('!iqn.x:ini', 'iqn.x:ini', False),
    ('iqn.*:h*1', 'iqn.x:host1', True),
    ('*', '', True),
    ('a!b', 'aZZ', True),
    ('a!b', 'ab', False),
])
def test_s8_2_wildcard_matching(pattern, name, result):
    assert wildcmp(pattern, name) is result


def test_s8_2_sessions_pick_groups_in_creation_order(k, g):
    wr(k, TGT + 'luns/mgmt', 'add d0 0\n')
    wr(k, g + 'g1/luns/mgmt', 'add d1 0\n')
    wr(k, g + 'g2/luns/mgmt', 'add d2 0\n')
    wr(k, g + 'g2/initiators/mgmt', 'add host*\n')
    wr(k, g + 'g1/initiators/mgmt', 'add host1\n')
    assert k.visible_luns('scst_local', 't1', 'HOST1') == [{'lun': 0, 'device': 'd1', 'read_only': False}]
    assert k.visible_luns('scst_local', 't1', 'host2') == [{'lun': 0, 'device': 'd2', 'read_only': False}]
    assert k.visible_luns('scst_local', 't1', 'other') == [{'lun': 0, 'device': 'd0', 'read_only': False}]


def test_s8_2_no_lun_0_means_no_luns(k):
    wr(k, TGT + 'luns/mgmt', 'add d0 1\n')
    assert k.visible_luns('scst_local', 't1', 'x') == []
    wr(k, TGT + 'luns/mgmt', 'add ro 0\n')
    assert k.visible_luns('scst_local', 't1', 'x') == [
        {'lun': 0, 'device': 'ro', 'read_only': True}, {'lun': 1, 'device': 'd0', 'read_only': False}]


def test_s8_5_session_dir_and_reassignment(k, g):
    wr(k, TGT + 'luns/mgmt', 'add d0 0\n')
    wr(k, g + 'g1/luns/mgmt', 'add d1 0\n')
    wr(k, g + 'g1/luns/mgmt', 'add d2 7\n')
    name = k.login('scst_local', 't1', 'host1')
    sess = TGT + 'sessions/host1/'
    assert name == 'host1'
    entries = names(k, sess)
    assert entries[:3] == ['commands', 'active_commands', 'initiator_name']
    assert 'force_close' in entries and 'latency' in entries and 'lun0' in entries
    assert rd(k, sess + 'initiator_name') == 'host1\n'
    assert k.lookup(ROOT + sess + 'luns').target == '../../luns'
    wr(k, g + 'g1/initiators/mgmt', 'add host1\n')
    assert k.lookup(ROOT + sess + 'luns').target == '../../ini_groups/g1/luns'
    assert 'lun7' in names(k, sess)
    wr(k, g + 'g1/initiators/mgmt', 'del host1\n')
    assert k.lookup(ROOT + sess + 'luns').target == '../../luns'
    assert 'lun7' not in names(k, sess)


def test_s8_5_duplicate_session_names_get_suffixes(k):
    assert k.login('scst_local', 't1', 'h') == 'h'
    assert k.login('scst_local', 't1', 'h') == 'h_1'
    assert k.login('scst_local', 't1', 'h') == 'h_2'
    k.logout('scst_local', 't1', 'h_1')
    assert k.login('scst_local', 't1', 'h') == 'h_1'


def test_s8_5_force_close_and_lun_dirs_follow_the_set(k):
    k.login('scst_local', 't1', 'h')
    wr(k, TGT + 'luns/mgmt', 'add d0 2\n')
    assert names(k, TGT + 'sessions/h/lun2') == ['active_commands', 'thread_pid', 'thread_index']
    wr(k, TGT + 'luns/mgmt', 'del 2\n')
    assert 'lun2' not in names(k, TGT + 'sessions/h')
    k.check_open(ROOT + TGT + 'sessions/h/force_close', True, False)
    wr(k, TGT + 'sessions/h/force_close', '1\n')
    assert names(k, TGT + 'sessions') == []


def test_s8_5_logout_and_login_errors(k):
    with pytest.raises(KernelError) as info:
        k.logout('scst_local', 't1', 'nobody')
    assert info.value.errno == errno.ENOENT
    with pytest.raises(KernelError) as info:
        k.login('scst_local', 'nosuch', 'h')
    assert info.value.errno == errno.ENOENT
    with pytest.raises(KernelError) as info:
        k.login('copy_manager', 'copy_manager_tgt', 'h')
    assert info.value.errno == errno.ECONNREFUSED


def test_s8_5_copy_manager_session_sees_its_luns(k):
    sess = 'targets/copy_manager/copy_manager_tgt/sessions/copy_manager_sess/'
    assert isinstance(k.lookup(ROOT + sess + 'luns'), Link)
    assert {'lun0', 'lun1', 'lun2', 'lun3'} <= set(names(k, sess))
    assert 'force_close' not in names(k, sess)


# ----------------------------------------------------------------------------------- §11 '/' in names
def test_s11_slash_in_names_becomes_bang_in_directory_names(k):
    wr(k, 'targets/scst_local/mgmt', 'add_target a/b\n')
    base = 'targets/scst_local/a!b/'
    wr(k, base + 'ini_groups/mgmt', 'create g/1\n')
    wr(k, base + 'ini_groups/g/1/luns/mgmt'.replace('g/1', 'g!1'), 'add d0 0\n')
    wr(k, base + 'ini_groups/g!1/initiators/mgmt', 'add x/y\n')
    assert names(k, base + 'ini_groups/g!1/initiators') == ['mgmt', 'x!y']
    assert k.lookup(ROOT + 'devices/d0/exported/export1').target == '../../../targets/scst_local/a!b/ini_groups/g!1/luns/0'
    assert k.login('scst_local', 'a/b', 'x/y') == 'x/y'
    assert k.lookup(ROOT + base + 'sessions/x!y/luns').target == '../../ini_groups/g!1/luns'
    wr(k, base + 'ini_groups/g!1/initiators/mgmt', 'del x/y\n')
    k.logout('scst_local', 'a/b', 'x/y')
    wr(k, base + 'ini_groups/mgmt', 'del g/1\n')
    wr(k, 'targets/scst_local/mgmt', 'del_target a/b\n')
    assert 'a!b' not in names(k, 'targets/scst_local')
