"""SYSFS.md §2.8 error summary, one case per errno, through bash `echo ... > file` (exit status 1 and the
strerror text on stderr), as an administrator or a shell-based client sees it."""

import errno
import os

import pytest

import conformance_io as io
from conformance_io import FC_NAMES

IQN = 'iqn.2024-01.test:e'
TGT = f'targets/iscsi/{IQN}'


@pytest.fixture
def tree(emu, backing):
    for module in ('scst_vdisk', 'scst_local', 'iscsi_scst', 'qla2x00tgt'):
        emu.modprobe(module, **({'add_default_tgt': 0} if module == 'scst_local' else {}))
    emu.iscsi_start()
    io.ok(emu / 'handlers/vdisk_nullio/mgmt', 'add_device nd0')
    io.ok(emu / 'handlers/vdisk_blockio/mgmt', f'add_device b0 filename={backing()};active=0')
    io.ok(emu / 'targets/scst_local/mgmt', 'add_target t1')
    io.ok(emu / 'targets/iscsi/mgmt', f'add_target {IQN}')
    io.ok(emu / TGT / 'ini_groups/mgmt', 'create g1')
    io.ok(emu / TGT / 'ini_groups/g1/initiators/mgmt', 'add iqn.x:a')
    io.ok(emu / TGT / 'enabled', '1')
    io.ok(emu / 'targets/iscsi/enabled', '1')
    emu.login('iscsi', IQN, 'iqn.x:a')
    io.ok(emu / 'device_groups/mgmt', 'create dg1')
    return emu


E = errno
ERRNO_CASES = [  # (id, path, text, errno, strerror text)
    ('EINVAL-unknown-keyword', 'handlers/vdisk_nullio/mgmt', 'frob nd1', E.EINVAL, 'Invalid argument'),
    ('EINVAL-not-found-is-einval', 'targets/scst_local/t1/luns/mgmt', 'add nosuch 0', E.EINVAL, 'Invalid argument'),
    ('EEXIST-device', 'handlers/vdisk_nullio/mgmt', 'add_device nd0', E.EEXIST, 'File exists'),
    ('EEXIST-group', f'{TGT}/ini_groups/mgmt', 'create g1', E.EEXIST, 'File exists'),
    ('EEXIST-dg', 'device_groups/mgmt', 'create dg1', E.EEXIST, 'File exists'),
    ('EBUSY-group-with-session', f'{TGT}/ini_groups/mgmt', 'del g1', E.EBUSY, 'Device or resource busy'),
    ('EBUSY-iscsi-del-target-with-session', 'targets/iscsi/mgmt', f'del_target {IQN}', E.EBUSY,
     'Device or resource busy'),
    ('EBUSY-pr_file_name-exported', 'devices/nd0/pr_file_name', '/tmp/pr', E.EBUSY, 'Device or resource busy'),
    ('EBADSLT-rel_tgt_id', 'targets/scst_local/t1/rel_tgt_id', '1', E.EBADSLT, 'Invalid slot'),
    ('ENOENT-iscsi-unknown-target', 'targets/iscsi/mgmt', 'del_target iqn.none', E.ENOENT,
     'No such file or directory'),
    ('EINVAL-qla-noop-enable', f'targets/qla2x00t/{FC_NAMES[0]}/enabled', '0', E.EINVAL, 'Invalid argument'),
    ('EACCES-0444', 'version', 'x', E.EACCES, 'Permission denied'),
    ('EFAULT-scst_local-duplicate', 'targets/scst_local/mgmt', 'add_target t1', E.EFAULT, 'Bad address'),
    ('EMEDIUMTYPE-resync-inactive', 'devices/b0/resync_size', '1', E.EMEDIUMTYPE, 'Wrong medium type'),
    ('ENOSYS-abort_isp', f'targets/qla2x00t/{FC_NAMES[0]}/abort_isp', '1', E.ENOSYS, 'Function not implemented'),
]


@pytest.mark.parametrize('rel,text,code,message', [c[1:] for c in ERRNO_CASES], ids=[c[0] for c in ERRNO_CASES])
def test_s2_8_errno_through_bash(tree, rel, text, code, message):
    """§2.8: the errno of each row, first through write(2), then through bash (exit 1, strerror on stderr)."""
    assert os.strerror(code) == message
    io.fails(tree / rel, text, code)
    rc, err = io.echo(tree / rel, text)
    assert rc == 1 and message in err, err


def test_s2_8_eperm_without_daemon_bash(tree):
    """§2.8: iSCSI daemon not running -> EPERM ('Operation not permitted')."""
    tree.iscsi_stop()
    rc, err = io.echo(tree / 'targets/iscsi/mgmt', f'add_target {IQN}')
    assert rc == 1 and 'Operation not permitted' in err


def test_s2_8_eagain_bash(tree):
    """§2.8/§4: forced EAGAIN -> 'Resource temporarily unavailable'."""
    tree.faults(eagain='always')
    rc, err = io.echo(tree / 'targets/scst_local/t1/luns/mgmt', 'add nd0 0')
    assert rc == 1 and 'Resource temporarily unavailable' in err
