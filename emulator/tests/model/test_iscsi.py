"""Unit tests of model/iscsi.py and iscsi_keys.py: the iSCSI driver of SYSFS.md §6 (kernel part and the
iscsi-scstd daemon), with the read formats of §3.1 and the errnos of §2.8."""

import errno

import pytest

from scst_emulator.model.kernel import Kernel
from scst_emulator.model.nodes import KernelError
from model_io import ROOT, err, names, rd, wr

DRV = 'targets/iscsi/'
T = DRV + 'iqn.t1/'
ISCSI_HELP = (
    'Usage: echo "add_target target_name [parameters]" >mgmt\n'
    '       echo "del_target target_name" >mgmt\n'
    '       echo "add_attribute <attribute> <value>" >mgmt\n'
    '       echo "del_attribute <attribute> <value>" >mgmt\n'
    '       echo "add_target_attribute target_name <attribute> <value>" >mgmt\n'
    '       echo "del_target_attribute target_name <attribute> <value>" >mgmt\n'
    '\n'
    "where parameters are one or more param_name=value pairs separated by ';'\n"
    '\n'
    'The following target driver attributes available: IncomingUser, OutgoingUser\n'
    'The following target attributes available: IncomingUser, OutgoingUser, allowed_portal\n'
    '\n')
DAEMON_TARGET_FILES = [
    'per_portal_acl', 'redirect', 'alias', 'InitialR2T', 'ImmediateData', 'MaxRecvDataSegmentLength',
    'MaxXmitDataSegmentLength', 'MaxBurstLength', 'FirstBurstLength', 'MaxOutstandingR2T', 'HeaderDigest',
    'DataDigest', 'RDMAExtensions', 'QueuedCommands', 'RspTimeout', 'NopInInterval', 'NopInTimeout', 'MaxSessions']
SECRET = 'secretsecret'


@pytest.fixture(name='k0')
def fixture_kernel_without_daemon():
    kernel = Kernel()
    kernel.modprobe('scst', {})
    kernel.modprobe('scst_vdisk', {})
    kernel.modprobe('iscsi_scst', {})
    return kernel


@pytest.fixture(name='k')
def fixture_kernel(k0):
    k0.iscsi_daemon_attach()
    wr(k0, DRV + 'mgmt', 'add_target iqn.t1\n')
    return k0


# ------------------------------------------------------------------------------- §6.1 kernel part
def test_s6_1_driver_without_daemon(k0):
    assert names(k0, DRV) == ['mgmt', 'version', 'open_state', 'trace_level']
    assert rd(k0, DRV + 'open_state') == 'closed\n'
    assert rd(k0, DRV + 'version') == '3.11.0-pre\n'
    assert rd(k0, DRV + 'mgmt') == ISCSI_HELP


@pytest.mark.parametrize('command', [
    'add_target iqn.x\n', 'add_attribute IncomingUser joe secretsecret\n', 'frob\n',
    'add_target_attribute iqn.x allowed_portal 1.2.3.4\n'])
def test_s6_7_every_op_without_daemon_is_eperm(k0, command):
    assert err(k0, DRV + 'mgmt', command) == errno.EPERM


def test_s6_7_del_unknown_target_is_enoent_even_without_daemon(k0):
    assert err(k0, DRV + 'mgmt', 'del_target iqn.x\n') == errno.ENOENT


def test_s6_7_daemon_attach_creates_driver_files(k0):
    k0.iscsi_daemon_attach()
    assert names(k0, DRV) == ['mgmt', 'version', 'open_state', 'trace_level', 'enabled', 'iSNSServer', 'isns_entity_name',
                              'link_local', 'internal_portal']
    assert rd(k0, DRV + 'open_state') == 'open\n'
    assert rd(k0, DRV + 'enabled') == '0\n\n'
    assert rd(k0, DRV + 'iSNSServer') == '\n\n'
    assert rd(k0, DRV + 'isns_entity_name') == '\n'
    assert rd(k0, DRV + 'link_local') == '1\n\n'
    assert rd(k0, DRV + 'internal_portal') == '\n\n'
    with pytest.raises(KernelError) as info:
        k0.iscsi_daemon_attach()
    assert info.value.errno == errno.EBUSY


def test_s6_7_daemon_detach_deletes_targets_and_files(k):
    wr(k, 'handlers/vdisk_nullio/mgmt', 'add_device d0\n')
    wr(k, T + 'luns/mgmt', 'add d0 0\n')
    wr(k, DRV + 'mgmt', 'add_attribute IncomingUser joe secretsecret\n')
    k.iscsi_daemon_detach()
    assert names(k, DRV) == ['mgmt', 'version', 'open_state', 'trace_level']
    assert names(k, 'devices/d0/exported') == ['export0']
    assert err(k, DRV + 'mgmt', 'add_target iqn.t1\n') == errno.EPERM


# --------------------------------------------------------------------------------- §6.2 add_target
def test_s6_2_target_layout_and_defaults(k):
    entries = names(k, T)
    assert entries[entries.index('ini_groups') + 1:] == ['tid'] + DAEMON_TARGET_FILES
    assert 'enabled' in entries
    assert rd(k, T + 'tid') == '1\n'
    assert rd(k, T + 'enabled') == '0\n'
    assert rd(k, T + 'QueuedCommands') == '32\n'
    assert rd(k, T + 'MaxRecvDataSegmentLength') == '1048576\n'
    assert rd(k, T + 'FirstBurstLength') == '65536\n'
    assert rd(k, T + 'InitialR2T') == 'No\n'
    assert rd(k, T + 'ImmediateData') == 'Yes\n'
    assert rd(k, T + 'HeaderDigest') == 'None\n'
    assert rd(k, T + 'RDMAExtensions') == 'No\n'
    assert rd(k, T + 'MaxSessions') == '0\n'
    assert rd(k, T + 'per_portal_acl') == '0\n\n'
    assert rd(k, T + 'redirect') == '\n'
    assert rd(k, T + 'alias') == '\n'


def test_s6_2_parameters(k):
    wr(k, DRV + 'mgmt', 'add_target iqn.t2 queuedcommands=64;InitialR2T=Yes;HeaderDigest=crc32c,none;'
                        'MaxBurstLength=0x1000;Alias=x;MaxConnections=1;DefaultTime2Wait=0;OFMarkInt=9\n')
    t2 = DRV + 'iqn.t2/'
    assert rd(k, t2 + 'QueuedCommands') == '64\n[key]\n\n'
    assert rd(k, t2 + 'InitialR2T') == 'Yes\n[key]\n\n'
    assert rd(k, t2 + 'HeaderDigest') == 'None,CRC32C\n[key]\n\n'
    assert rd(k, t2 + 'MaxBurstLength') == '4096\n[key]\n\n'
    assert rd(k, t2 + 'tid') == '2\n'


@pytest.mark.parametrize('params', [
    'QueuedCommands=0', 'QueuedCommands=2049', 'InitialR2T=yes', 'InitialR2T=1', 'HeaderDigest=md5',
    'Bogus=1', 'QueuedCommands=1 2', 'allowed_portal=1.2.3.4', 'MaxConnections=2', 'RspTimeout=-1',
    'IncomingUser=joe', 'IncomingUser joe short'])
def test_s6_2_bad_parameters(k, params):
    assert err(k, DRV + 'mgmt', f'add_target iqn.t2 {params}\n') == errno.EINVAL
    assert 'iqn.t2' not in names(k, DRV)


def test_s6_2_default_keyword_and_junk_numbers(k):
    wr(k, DRV + 'mgmt', 'add_target iqn.t2 QueuedCommands=:default:;NopInInterval=junk\n')
    assert rd(k, DRV + 'iqn.t2/QueuedCommands') == '32\n'
    assert rd(k, DRV + 'iqn.t2/NopInInterval') == '0\n[key]\n\n'


def test_s6_2_duplicate_and_empty(k):
    assert err(k, DRV + 'mgmt', 'add_target iqn.t1\n') == errno.EEXIST
    assert err(k, DRV + 'mgmt', 'add_target\n') == errno.EINVAL


def test_s6_2_users_in_add_target(k):
    wr(k, DRV + 'mgmt', 'add_target iqn.t2 IncomingUser joe secretsecret;IncomingUser ann secretsecret2\n')
    assert rd(k, DRV + 'iqn.t2/IncomingUser') == 'joe secretsecret\n[key]\n\n'
    assert rd(k, DRV + 'iqn.t2/IncomingUser1') == 'ann secretsecret2\n[key]\n\n'


def test_s11_daemon_reparses_target_lines(k):
    """A value carrying ';Target=' makes the daemon create a second target (§11 injection)."""
    wr(k, DRV + 'mgmt', 'add_target iqn.t2 QueuedCommands=8;Target=iqn.t3\n')
    assert {'iqn.t2', 'iqn.t3'} <= set(names(k, DRV))


def test_s6_2_names_are_truncated_to_255(k):
    wr(k, DRV + 'mgmt', 'add_target ' + 'n' * 300 + '\n')
    assert 'n' * 255 in names(k, DRV)


# ------------------------------------------------------------------------------ §6.3 enabling
def test_s6_3_driver_enabled_exact_values(k):
    wr(k, DRV + 'enabled', '1\n')
    assert rd(k, DRV + 'enabled') == '1\n\n'
    for bad in ('2\n', 'yes\n', '1x\n'):
        assert err(k, DRV + 'enabled', bad) == errno.EINVAL
    wr(k, DRV + 'enabled', ' 0 \n')
    assert rd(k, DRV + 'enabled') == '0\n\n'


def test_s6_3_target_enable_needs_daemon(k):
    wr(k, T + 'enabled', '1\n')
    assert rd(k, T + 'enabled') == '1\n'
    assert rd(k, T + 'rel_tgt_id') == '1\n[key]\n'


# ------------------------------------------------------------------------------- §6.4 CHAP users
def test_s6_4_target_users(k):
    mgmt = DRV + 'mgmt'
    wr(k, mgmt, 'add_target_attribute iqn.t1 IncomingUser joe secretsecret\n')
    wr(k, mgmt, 'add_target_attribute iqn.t1 IncomingUser ann secretsecret\n')
    assert rd(k, T + 'IncomingUser') == 'joe secretsecret\n[key]\n\n'
    assert rd(k, T + 'IncomingUser1') == 'ann secretsecret\n[key]\n\n'
    assert k.lookup(ROOT + T + 'IncomingUser1').mode == 0o600
    assert err(k, mgmt, 'add_target_attribute iqn.t1 IncomingUser joe secretsecret3\n') == errno.EINVAL
    assert err(k, mgmt, 'add_target_attribute iqn.t1 IncomingUser bob short\n') == errno.EINVAL
    assert err(k, mgmt, 'add_target_attribute iqn.t1 IncomingUser bob\n') == errno.EINVAL
    assert err(k, mgmt, 'add_target_attribute iqn.nope IncomingUser bob secretsecret\n') == errno.ENOENT
    wr(k, mgmt, 'del_target_attribute iqn.t1 IncomingUser5 joe\n')
    assert 'IncomingUser' not in names(k, T)
    assert err(k, mgmt, 'del_target_attribute iqn.t1 IncomingUser joe\n') == errno.ENOENT
    assert err(k, mgmt, 'del_target_attribute iqn.nope IncomingUser joe\n') == errno.ENOENT


def test_s6_4_second_outgoing_user_is_eexist_and_leaves_stale_file(k):
    mgmt = DRV + 'mgmt'
    wr(k, mgmt, 'add_target_attribute iqn.t1 OutgoingUser joe secretsecret\n')
    assert err(k, mgmt, 'add_target_attribute iqn.t1 OutgoingUser ann secretsecret\n') == errno.EEXIST
    with pytest.raises(KernelError) as info:
        rd(k, T + 'OutgoingUser')
    assert info.value.errno == errno.EINVAL
    assert err(k, mgmt, 'del_target_attribute iqn.t1 OutgoingUser joe\n') == errno.ENOENT


def test_s6_4_discovery_users_and_direct_writes(k):
    mgmt = DRV + 'mgmt'
    wr(k, mgmt, 'add_attribute IncomingUser joe secretsecret\n')
    wr(k, mgmt, 'add_attribute IncomingUser ann secretsecret\n')
    assert rd(k, DRV + 'IncomingUser') == 'joe secretsecret\n[key]\n\n'
    # a direct write replaces the entry without the 12-character check; a name in use elsewhere is EEXIST
    wr(k, DRV + 'IncomingUser', 'bob short\n')
    assert rd(k, DRV + 'IncomingUser') == 'bob short\n[key]\n\n'
    assert err(k, DRV + 'IncomingUser', 'ann x\n') == errno.EEXIST
    wr(k, mgmt, 'del_attribute IncomingUser bob\n')
    assert names(k, DRV)[-1] == 'IncomingUser1'
    assert err(k, mgmt, 'add_attribute Frob x y\n') == errno.EINVAL
    assert err(k, mgmt, 'add_attribute allowed_portal 1.2.3.4\n') == errno.EINVAL


# ------------------------------------------------------------------------------ §6.5 allowed_portal
def test_s6_5_allowed_portal(k):
    mgmt = DRV + 'mgmt'
    wr(k, mgmt, 'add_target_attribute iqn.t1 allowed_portal 10.0.0.*\n')
    wr(k, mgmt, 'add_target_attribute iqn.t1 allowed_portal !10.1.*\n')
    assert rd(k, T + 'allowed_portal') == '10.0.0.*\n[key]\n\n'
    assert rd(k, T + 'allowed_portal1') == '!10.1.*\n[key]\n\n'
    assert err(k, mgmt, 'add_target_attribute iqn.t1 allowed_portal 10.0.0.*\n') == errno.EINVAL
    assert err(k, mgmt, 'add_target_attribute iqn.t1 allowed_portal a b\n') == errno.EINVAL
    assert err(k, mgmt, 'add_target_attribute iqn.t1 allowed_portal\n') == errno.EINVAL
    assert err(k, mgmt, 'del_target_attribute iqn.t1 allowed_portal 10.9.*\n') == errno.EINVAL
    wr(k, mgmt, 'del_target_attribute iqn.t1 allowed_portal 10.0.0.*\n')
    assert 'allowed_portal' not in names(k, T)


# ----------------------------------------------------------------------------- §6.6 other attributes
def test_s6_6_parameter_attribute_writes(k):
    wr(k, T + 'QueuedCommands', '128\n')
    assert rd(k, T + 'QueuedCommands') == '128\n[key]\n\n'
    assert err(k, T + 'QueuedCommands', '128 1\n') == errno.EINVAL
    assert err(k, T + 'QueuedCommands', '0\n') == errno.EINVAL
    wr(k, T + 'QueuedCommands', ':default:\n')
    assert rd(k, T + 'QueuedCommands') == '32\n'
    assert err(k, T + 'ImmediateData', 'no\n') == errno.EINVAL
    wr(k, T + 'DataDigest', 'CRC32C\n')
    assert rd(k, T + 'DataDigest') == 'CRC32C\n[key]\n\n'


def test_s6_6_per_portal_acl_redirect_alias(k):
    wr(k, T + 'per_portal_acl', '1\n')
    assert rd(k, T + 'per_portal_acl') == '1\n[key]\n\n'
    assert err(k, T + 'per_portal_acl', 'yes\n') == errno.EINVAL
    wr(k, T + 'redirect', '10.0.0.1 temp\n')
    assert rd(k, T + 'redirect') == '10.0.0.1 temp\n[key]\n\n'
    wr(k, T + 'redirect', '[::1]:3261 PERM\n')
    assert rd(k, T + 'redirect') == '[::1]:3261 perm\n[key]\n\n'
    for bad in ('10.0.0.1\n', '10.0.0.1 later\n', 'host.example temp\n', '10.0.0.1:0 temp\n', '1.2.3.4 temp x\n'):
        assert err(k, T + 'redirect', bad) == errno.EINVAL
    wr(k, T + 'redirect', '\n')
    assert rd(k, T + 'redirect') == '\n'
    wr(k, T + 'alias', '  my disk  \n')
    assert rd(k, T + 'alias') == 'my disk\n[key]\n\n'
    wr(k, T + 'alias', '\n')
    assert rd(k, T + 'alias') == '\n'


def test_s6_6_driver_attributes(k):
    wr(k, DRV + 'iSNSServer', 'isns.example AccessControl\n')
    assert rd(k, DRV + 'iSNSServer') == 'isns.example AccessControl\n[key]\n\n'
    wr(k, DRV + 'iSNSServer', 'isns.example\n')
    assert rd(k, DRV + 'iSNSServer') == 'isns.example \n[key]\n\n'
    assert err(k, DRV + 'iSNSServer', 'isns.example Frob\n') == errno.EINVAL
    assert rd(k, DRV + 'iSNSServer') == '\n\n'
    wr(k, DRV + 'link_local', '0\n')
    assert rd(k, DRV + 'link_local') == '0\n[key]\n\n'
    wr(k, DRV + 'internal_portal', '10.0.0.1 fe80::1\n')
    assert rd(k, DRV + 'internal_portal') == '10.0.0.1 fe80::1\n[key]\n\n'
    assert err(k, DRV + 'internal_portal', '10.0.0.300\n') == errno.EINVAL
    wr(k, DRV + 'isns_entity_name', 'entity\n')
    assert rd(k, DRV + 'isns_entity_name') == 'entity\n'


def test_s3_8_per_sess_dedicated_tgt_threads(k):
    wr(k, T + 'ini_groups/mgmt', 'create g\n')
    path = T + 'ini_groups/g/per_sess_dedicated_tgt_threads'
    assert rd(k, path) == '0\n'
    wr(k, path, '7\n')
    assert rd(k, path) == '1\n[key]\n'


# -------------------------------------------------------------------------------------- §6.8 sessions
@pytest.fixture(name='ke')
def fixture_enabled(k):
    wr(k, T + 'enabled', '1\n')
    wr(k, DRV + 'enabled', '1\n')
    return k


def test_s6_8_login_needs_enabled_driver_and_target(k):
    with pytest.raises(KernelError) as info:
        k.login('iscsi', 'iqn.t1', 'iqn.ini')
    assert info.value.errno == errno.ECONNREFUSED
    wr(k, DRV + 'enabled', '1\n')
    with pytest.raises(KernelError):
        k.login('iscsi', 'iqn.t1', 'iqn.ini')
    wr(k, T + 'enabled', '1\n')
    assert k.login('iscsi', 'iqn.t1', 'iqn.ini') == 'iqn.ini'
    sess = T + 'sessions/iqn.ini/'
    assert rd(k, sess + 'InitialR2T') == 'No\n'
    assert rd(k, sess + 'MaxRecvDataSegmentLength') == '1048576\n'
    assert names(k, sess + '127.0.0.1') == ['cid', 'ip', 'state', 'target_ip', 'transport']


def test_s6_8_del_target_with_sessions_is_ebusy(ke):
    name = ke.login('iscsi', 'iqn.t1', 'iqn.ini')
    assert err(ke, DRV + 'mgmt', 'del_target iqn.t1\n') == errno.EBUSY
    wr(ke, T + f'sessions/{name}/force_close', '1\n')
    wr(ke, DRV + 'mgmt', 'del_target iqn.t1\n')
    assert 'iqn.t1' not in names(ke, DRV)


def test_s6_8_per_portal_acl_names_and_group_choice(ke):
    wr(ke, T + 'per_portal_acl', '1\n')
    wr(ke, T + 'ini_groups/mgmt', 'create g\n')
    wr(ke, T + 'ini_groups/g/initiators/mgmt', 'add iqn.ini#10.0.0.1\n')
    wr(ke, 'handlers/vdisk_nullio/mgmt', 'add_device d0\n')
    wr(ke, T + 'ini_groups/g/luns/mgmt', 'add d0 0\n')
    assert ke.login('iscsi', 'iqn.t1', 'iqn.ini', '10.0.0.1') == 'iqn.ini#10.0.0.1'
    assert ke.visible_luns('iscsi', 'iqn.t1', 'iqn.ini', '10.0.0.1') == [{'lun': 0, 'device': 'd0', 'read_only': False}]
    assert ke.visible_luns('iscsi', 'iqn.t1', 'iqn.ini', '10.0.0.2') == []


def test_s6_5_allowed_portal_limits_logins(ke):
    wr(ke, DRV + 'mgmt', 'add_target_attribute iqn.t1 allowed_portal 10.0.0.*\n')
    ke.login('iscsi', 'iqn.t1', 'iqn.ini', '10.0.0.7')
    with pytest.raises(KernelError):
        ke.login('iscsi', 'iqn.t1', 'iqn.ini', '10.0.1.7')


def test_s6_2_max_sessions(ke):
    wr(ke, T + 'MaxSessions', '1\n')
    ke.login('iscsi', 'iqn.t1', 'a')
    with pytest.raises(KernelError):
        ke.login('iscsi', 'iqn.t1', 'b')


def test_s6_7_detach_with_sessions_deletes_targets(ke):
    ke.login('iscsi', 'iqn.t1', 'a')
    ke.iscsi_daemon_detach()
    assert 'iqn.t1' not in names(ke, DRV)


def test_s5_isert_turns_rdma_extensions_on():
    kernel = Kernel()
    kernel.modprobe('scst', {})
    kernel.modprobe('iscsi_scst', {})
    kernel.modprobe('isert_scst', {})
    kernel.iscsi_daemon_attach()
    wr(kernel, DRV + 'mgmt', 'add_target iqn.t1\n')
    assert rd(kernel, T + 'RDMAExtensions') == 'Yes\n'


def test_s6_2_target_line_without_name_is_skipped(k):
    """The daemon only logs a Target line without name; the target before it is still registered."""
    wr(k, DRV + 'mgmt', 'add_target iqn.t2 Target\n')
    assert 'iqn.t2' in names(k, DRV)
    assert err(k, DRV + 'mgmt', 'add_target iqn.t3 Target;QueuedCommands=8\n') == errno.EINVAL
    assert 'iqn.t3' in names(k, DRV)
