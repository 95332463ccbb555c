"""SYSFS.md §2.3 (targets/<driver>/mgmt) for scst_local, §5 module scst_local, §1.4 target entries."""

import errno
import os

import pytest

import conformance_io as io

MGMT = 'targets/scst_local/mgmt'

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
    '\n'
)


@pytest.fixture
def sl(emu):
    emu.modprobe('scst_local', add_default_tgt=0)
    return emu


def test_s5_scst_local_default_target(emu):
    """§2.3/§5: add_default_tgt=1 (default) creates scst_local_tgt with session scst_local_host."""
    emu.modprobe('scst_local')
    drv = emu / 'targets/scst_local'
    assert {'mgmt', 'version', 'stats', 'scst_local_tgt'} <= set(io.entries(drv))
    assert io.entries(drv / 'scst_local_tgt/sessions') == ['scst_local_host']


def test_s5_scst_local_no_default_target(sl):
    """§2.3: add_default_tgt=0: no target."""
    assert not os.path.exists(sl / 'targets/scst_local/scst_local_tgt')


def test_s2_3_scst_local_help(sl):
    """§2.3: exact help of targets/scst_local/mgmt."""
    assert io.read(sl / MGMT) == LOCAL_HELP


def test_s2_3_add_target_effects(sl):
    """§2.3/§1.4: new target: core attributes, luns/mgmt, ini_groups/mgmt, empty sessions, no `enabled`,
    scst_local tgt_attrs."""
    io.ok(sl / MGMT, 'add_target t1')
    tgt = sl / 'targets/scst_local/t1'
    assert io.entries(tgt / 'luns') == ['mgmt']
    assert io.entries(tgt / 'ini_groups') == ['mgmt']
    assert io.entries(tgt / 'sessions') == []
    assert not os.path.exists(tgt / 'enabled')
    for name in ('rel_tgt_id', 'comment', 'addr_method', 'io_grouping_type', 'black_hole', 'cpu_mask',
                 'forward_src', 'forward_dst', 'aen_disabled', 'phys_transport_version', 'scsi_transport_version'):
        assert os.path.isfile(tgt / name), name


SCST_LOCAL = [  # (id, setup commands, command, errno, entries expected in targets/scst_local, sessions of t1)
    ('add-target-upper-keyword', [], 'ADD_TARGET t1', 0, ['t1'], []),
    ('add-target-sessions', [], 'add_target t1 session_name=s1;session_name=s2', 0, ['t1'], ['s1', 's2']),
    ('add-target-bad-param', [], 'add_target t1 bogus=1', errno.EINVAL, [], None),
    ('add-target-missing-name', [], 'add_target', errno.EINVAL, [], None),
    ('add-target-session-no-value', [], 'add_target t1 session_name', errno.EINVAL, [], None),
    ('add-target-session-upper', [], 'add_target t1 SESSION_NAME=s1', 0, ['t1'], ['s1']),
    ('add-target-duplicate', ['add_target t1'], 'add_target t1', errno.EFAULT, ['t1'], []),
    ('add-target-case-differs', ['add_target t1'], 'add_target T1', 0, ['T1', 't1'], []),
    ('del-target', ['add_target t1'], 'del_target t1', 0, [], None),
    ('del-target-with-sessions', ['add_target t1 session_name=s1'], 'del_target t1', 0, [], None),
    ('del-target-extra-token', ['add_target t1'], 'del_target t1 x', errno.EINVAL, ['t1'], []),
    ('del-target-missing', ['add_target t1'], 'del_target', errno.EINVAL, ['t1'], []),
    ('del-target-unknown', ['add_target t1'], 'del_target t2', errno.ENOENT, ['t1'], []),
    ('add-session', ['add_target t1'], 'add_session t1 s3', 0, ['t1'], ['s3']),
    ('add-session-unknown-target', ['add_target t1'], 'add_session t9 s3', errno.EINVAL, ['t1'], []),
    ('add-session-missing-session', ['add_target t1'], 'add_session t1', errno.EINVAL, ['t1'], []),
    ('add-session-missing-all', ['add_target t1'], 'add_session', errno.EINVAL, ['t1'], []),
    ('del-session', ['add_target t1 session_name=s1'], 'del_session t1 s1', 0, ['t1'], []),
    ('del-session-unknown', ['add_target t1 session_name=s1'], 'del_session t1 s9', errno.EINVAL, ['t1'], ['s1']),
    ('del-session-unknown-target', ['add_target t1 session_name=s1'], 'del_session t9 s1', errno.EINVAL,
     ['t1'], ['s1']),
    ('other-keyword-is-noop', ['add_target t1 session_name=s1'], 'frobnicate t1 s1', 0, ['t1'], ['s1']),
]


@pytest.mark.parametrize('setup,cmd,code,targets,sessions', [c[1:] for c in SCST_LOCAL], ids=[c[0] for c in SCST_LOCAL])
def test_s2_3_scst_local_mgmt(sl, setup, cmd, code, targets, sessions):
    """§2.3 scst_local commands and errno (duplicate -> EFAULT, unknown del -> ENOENT, other keyword no-op)."""
    for step in setup:
        io.ok(sl / MGMT, step)
    if code:
        io.fails(sl / MGMT, cmd, code)
    else:
        io.ok(sl / MGMT, cmd)
    present = [e for e in io.entries(sl / 'targets/scst_local') if os.path.isdir(sl / 'targets/scst_local' / e)]
    assert present == targets
    if sessions is not None:
        assert io.entries(sl / 'targets/scst_local/t1/sessions') == sessions


def test_s2_3_del_target_cascades(sl):
    """§2.3: del_target removes LUNs and groups (export links go) and TG entries that refer to the target."""
    sl.modprobe('scst_vdisk')
    io.ok(sl / 'handlers/vdisk_nullio/mgmt', 'add_device nd0')
    io.ok(sl / MGMT, 'add_target t1')
    io.ok(sl / 'targets/scst_local/t1/luns/mgmt', 'add nd0 0')
    io.ok(sl / 'targets/scst_local/t1/ini_groups/mgmt', 'create g1')
    io.ok(sl / 'device_groups/mgmt', 'create dg1')
    io.ok(sl / 'device_groups/dg1/target_groups/mgmt', 'create tg1')
    io.ok(sl / 'device_groups/dg1/target_groups/tg1/mgmt', 'add t1')
    assert os.path.islink(sl / 'device_groups/dg1/target_groups/tg1/t1')
    io.ok(sl / MGMT, 'del_target t1')
    assert not os.path.exists(sl / 'targets/scst_local/t1')
    assert io.entries(sl / 'devices/nd0/exported') == ['export0']
    assert not os.path.lexists(sl / 'device_groups/dg1/target_groups/tg1/t1')


def test_s2_3_bash_scst_local_duplicate(sl):
    """§2.3 through bash: duplicate scst_local add_target -> 'Bad address' (EFAULT)."""
    io.ok(sl / MGMT, 'add_target t1')
    rc, err = io.echo(sl / MGMT, 'add_target t1')
    assert rc == 1 and 'Bad address' in err


def test_s1_4_no_mgmt_for_copy_manager(scst):
    """§1.4: hardware-only drivers (copy_manager) have no mgmt."""
    assert not os.path.exists(scst / 'targets/copy_manager/mgmt')
