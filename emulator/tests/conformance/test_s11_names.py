"""SYSFS.md §11 (names, lengths, injection) and §2.0 [kernel] 4096-byte cut of one write(2)."""

import errno
import os

import pytest

import conformance_io as io

NULLIO = 'handlers/vdisk_nullio/mgmt'

NAMES = [  # (id, device name, errno)
    ('64-chars', 'd' * 64, 0),
    ('65-chars', 'd' * 65, errno.EINVAL),
    ('slash', 'a/b', errno.EINVAL),
    ('dot', 'disk.1', errno.EINVAL),
    ('leading-dot', '.hidden', errno.EINVAL),
    ('dash-underscore-colon', 'a-b_c:d', 0),
    ('upper', 'DISK', 0),
]


@pytest.mark.parametrize('name,code', [n[1:] for n in NAMES], ids=[n[0] for n in NAMES])
def test_s11_vdisk_names(vdisk, name, code):
    """§11: vdisk names: no `/` or `.`, at most 64 chars."""
    if code:
        io.fails(vdisk / NULLIO, f'add_device {name}', code)
    else:
        io.ok(vdisk / NULLIO, f'add_device {name}')
        assert os.path.isdir(vdisk / 'devices' / name)


def test_s11_whitespace_splits_name(vdisk):
    """§11: a name cannot contain whitespace: `a b` is name `a` plus a bad parameter token."""
    io.fails(vdisk / NULLIO, 'add_device a b', errno.EINVAL)
    assert not os.path.exists(vdisk / 'devices/a')


def test_s11_equals_splits_name(vdisk):
    """§11/§2.0: `=` is a separator: `add_device a=b` names the device `a` and `b` is a parameter name
    without a value -> EINVAL."""
    io.fails(vdisk / NULLIO, 'add_device a=b', errno.EINVAL)
    assert not os.path.exists(vdisk / 'devices/a')


def test_s11_semicolon_injects_parameter(vdisk, backing):
    """§11: a value containing `;` injects a second parameter (filename=/x;read_only=1)."""
    io.ok(vdisk / 'handlers/vdisk_fileio/mgmt', f'add_device d1 filename={backing()};read_only=1')
    assert io.read(vdisk / 'devices/d1/read_only') == '1\n[key]\n'


def test_s11_long_target_and_group_names(local):
    """§11: no core length limit on ini group names (up to NAME_MAX as a path component)."""
    name = 'g' * 255
    io.ok(local / 'targets/scst_local/t1/ini_groups/mgmt', f'create {name}')
    assert os.path.isdir(local / 'targets/scst_local/t1/ini_groups' / name)


def test_s11_4096_cut_short_write(vdisk):
    """§2.0/§11 [kernel]: one write(2) passes at most 4096 bytes to the store and reports a short write;
    the remainder written by the client is a second, separate command."""
    first = b'add_device c1\n'
    second = b'add_device c2\n'
    data = first + b'\n' * (4096 - len(first)) + second
    count = io.write(vdisk / NULLIO, data)
    assert count == 4096
    assert os.path.isdir(vdisk / 'devices/c1')
    assert not os.path.exists(vdisk / 'devices/c2')
    assert io.write(vdisk / NULLIO, data[count:]) == len(second)
    assert os.path.isdir(vdisk / 'devices/c2')


def test_s11_4096_cut_truncates_a_name(local):
    """§11: a group name crossing the 4096-byte boundary is cut: the first command creates the prefix."""
    head = b'create '
    name = b'n' * (4096 - len(head) + 10)
    count = io.write(local / 'targets/scst_local/t1/ini_groups/mgmt', head + name)
    assert count == 4096
    groups = [g for g in io.entries(local / 'targets/scst_local/t1/ini_groups') if g != 'mgmt']
    assert groups == ['n' * (4096 - len(head))]


def test_s11_bash_echo_long_line_two_commands(local):
    """§2.0 [kernel]/§11 through bash: echo of a 5000-byte line is written as 4096 + rest; the rest is parsed
    as a second command (`create g1 <spaces>` then `<spaces> create g2`)."""
    mgmt = local / 'targets/scst_local/t1/ini_groups/mgmt'
    rc, err = io.echo(mgmt, 'create g1' + ' ' * 5000 + 'create g2')
    assert rc == 0, err
    assert [g for g in io.entries(local / 'targets/scst_local/t1/ini_groups') if g != 'mgmt'] == ['g1', 'g2']


SLASH_NAMES = [  # §11 [kernel]: `/` in a kobject name is renamed to `!` (SCST does not reject it)
    ('ini-group', 'targets/scst_local/t1/ini_groups/mgmt', 'create g/1', 'targets/scst_local/t1/ini_groups/g!1'),
    ('scst_local-target', 'targets/scst_local/mgmt', 'add_target x/y', 'targets/scst_local/x!y'),
    ('device-group', 'device_groups/mgmt', 'create dg/1', 'device_groups/dg!1'),
    ('target-group', 'device_groups/dg0/target_groups/mgmt', 'create tg/1', 'device_groups/dg0/target_groups/tg!1'),
]


@pytest.mark.parametrize('mgmt,cmd,created', [s[1:] for s in SLASH_NAMES], ids=[s[0] for s in SLASH_NAMES])
def test_s11_slash_renamed(local, mgmt, cmd, created):
    """§11 [kernel]: names with `/` are accepted and their directory is named with `!` (listable)."""
    io.ok(local / 'device_groups/mgmt', 'create dg0')
    io.ok(local / mgmt, cmd)
    assert os.path.isdir(local / created)
    parent = os.path.dirname(local / created)
    assert os.path.basename(created) in io.entries(parent)
