"""SYSFS.md §2.0: the lexer and parameter lists common to SCST-core mgmt files; kstrto* number rules
(base 0, single trailing newline) on root attributes (§1.1)."""

import errno
import os

import pytest

import conformance_io as io

NULLIO = 'handlers/vdisk_nullio/mgmt'

# (id, command to vdisk_nullio/mgmt, expected errno, {attribute of devices/nd1: expected content})
ADD_DEVICE_LEXER = [
    ('space-separated', 'add_device nd1 blocksize=4096', 0, {'blocksize': '4096\n[key]\n'}),
    ('eq-between-keyword-and-name', 'add_device=nd1', 0, {}),
    ('eq-runs-are-separators', 'add_device==nd1 blocksize==4096', 0, {'blocksize': '4096\n[key]\n'}),
    ('space-between-param-and-value', 'add_device nd1 blocksize 4096', 0, {'blocksize': '4096\n[key]\n'}),
    ('tabs-are-whitespace', 'add_device\tnd1\tblocksize=4096', 0, {'blocksize': '4096\n[key]\n'}),
    ('vt-ff-cr-are-whitespace', 'add_device\x0bnd1\x0cblocksize=4096\r', 0, {'blocksize': '4096\n[key]\n'}),
    ('leading-whitespace', '  \t add_device nd1', 0, {}),
    ('leading-eq', '=add_device nd1', 0, {}),
    ('semicolon-splits', 'add_device nd1 blocksize=4096;read_only=1', 0,
     {'blocksize': '4096\n[key]\n', 'read_only': '1\n[key]\n'}),
    ('newline-splits', 'add_device nd1 blocksize=4096\nread_only=1', 0,
     {'blocksize': '4096\n[key]\n', 'read_only': '1\n[key]\n'}),
    ('trailing-semicolon-ends-list', 'add_device nd1 read_only=1;', 0, {'read_only': '1\n[key]\n'}),
    ('trailing-newline-harmless', 'add_device nd1 read_only=1\n', 0, {'read_only': '1\n[key]\n'}),
    ('empty-token-ends-list', 'add_device nd1 read_only=1;;blocksize=4096', 0,
     {'read_only': '1\n[key]\n', 'blocksize': '512\n'}),
    ('keyword-upper-case', 'ADD_DEVICE nd1', 0, {}),
    ('keyword-mixed-case', 'Add_Device nd1', 0, {}),
    ('param-name-upper-case', 'add_device nd1 READ_ONLY=1;BlockSize=4096', 0,
     {'read_only': '1\n[key]\n', 'blocksize': '4096\n[key]\n'}),
    ('hex-number', 'add_device nd1 blocksize=0x1000', 0, {'blocksize': '4096\n[key]\n'}),
    ('octal-number', 'add_device nd1 blocksize=010000', 0, {'blocksize': '4096\n[key]\n'}),
    ('last-value-wins', 'add_device nd1 read_only=1;read_only=0', 0, {'read_only': '0\n'}),
    ('too-many-values', 'add_device nd1 read_only=1 2', errno.EINVAL, None),
    ('name-without-value', 'add_device nd1 read_only', errno.EINVAL, None),
    ('name-without-value-then-more', 'add_device nd1 read_only;blocksize=4096', errno.EINVAL, None),
    ('spaces-only-token', 'add_device nd1 read_only=1; ;blocksize=4096', errno.EINVAL, None),
    ('bad-number', 'add_device nd1 blocksize=4k', errno.EINVAL, None),
    ('unknown-keyword', 'create nd1', errno.EINVAL, None),
    ('empty-command-newline', '\n', errno.EINVAL, None),
    ('empty-command-spaces', '   ', errno.EINVAL, None),
    ('keyword-prefix-is-unknown', 'add nd1', errno.EINVAL, None),
]


@pytest.mark.parametrize('cmd,code,attrs', [c[1:] for c in ADD_DEVICE_LEXER], ids=[c[0] for c in ADD_DEVICE_LEXER])
def test_s2_0_lexer_add_device(vdisk, cmd, code, attrs):
    """§2.0: whitespace and `=` separate lexems, `;`/`\\n` split parameters, keywords case-insensitive."""
    if code:
        io.fails(vdisk / NULLIO, cmd, code)
        assert not os.path.exists(vdisk / 'devices/nd1')
        return
    io.ok(vdisk / NULLIO, cmd)
    for attr, content in attrs.items():
        assert io.read(vdisk / 'devices/nd1' / attr) == content, attr


def test_s2_0_names_case_sensitive(vdisk):
    """§2.0: object names are compared case-sensitively (lookup and duplicates)."""
    io.ok(vdisk / NULLIO, 'add_device Disk')
    io.ok(vdisk / NULLIO, 'add_device disk')
    assert {'Disk', 'disk'} <= set(io.entries(vdisk / 'devices'))
    io.fails(vdisk / NULLIO, 'del_device DISK', errno.EINVAL)
    io.ok(vdisk / NULLIO, 'DEL_DEVICE Disk')
    assert 'Disk' not in io.entries(vdisk / 'devices')


def test_s2_0_one_write_is_one_command(vdisk):
    """§2.0/§11: a second line does not start a second command (it is parameters, here an invalid one)."""
    io.fails(vdisk / NULLIO, 'add_device nd1\nadd_device nd2', errno.EINVAL)
    assert not os.path.exists(vdisk / 'devices/nd2')


# (attribute, written, errno, expected content) -- kstrto* base 0, single trailing \n (§2.0)
NUMBERS = [
    ('setup_id', '0x10', 0, '0x10\n[key]\n'),
    ('setup_id', '010', 0, '0x8\n[key]\n'),
    ('setup_id', '10', 0, '0xa\n[key]\n'),
    ('setup_id', '10\n', 0, '0xa\n[key]\n'),
    ('setup_id', '0', 0, '0x0\n'),
    ('setup_id', '10 ', errno.EINVAL, '0x0\n'),
    ('setup_id', '10\n\n', errno.EINVAL, '0x0\n'),
    ('setup_id', 'abc', errno.EINVAL, '0x0\n'),
    ('setup_id', '08', errno.EINVAL, '0x0\n'),
    ('setup_id', '99999999999999999999999', errno.ERANGE, '0x0\n'),
    ('max_tasklet_cmd', '020', 0, '16\n[key]\n'),
    ('max_tasklet_cmd', '0x14', 0, '20\n[key]\n'),
    ('max_tasklet_cmd', '10', 0, '10\n'),
    ('max_tasklet_cmd', '20 ', errno.EINVAL, '10\n'),
    ('max_tasklet_cmd', '-1', errno.EINVAL, '10\n'),
    ('poll_us', '0x10', 0, '16\n[key]\n'),
    ('poll_us', '5x', errno.EINVAL, '0\n'),
    ('force_global_sgv_pool', '1', 0, '1\n[key]\n'),
    ('force_global_sgv_pool', '1 ', errno.EINVAL, '0\n'),
    ('measure_latency', '5', 0, '1\n'),
    ('measure_latency', '0', 0, '0\n'),
    ('threads', '0', errno.EINVAL, None),
    ('threads', '-1', errno.EINVAL, None),
    ('threads', 'x', errno.EINVAL, None),
    ('async_lun_replace', '1', 0, '1\n'),
    ('async_lun_replace', 'y', 0, '1\n'),
    ('async_lun_replace', 'on', 0, '1\n'),
    ('async_lun_replace', 'n', 0, '0\n'),
    ('async_lun_replace', '2', errno.EINVAL, '0\n'),
    ('async_lun_replace', 'maybe', errno.EINVAL, '0\n'),
]


@pytest.mark.parametrize('attr,value,code,after', NUMBERS, ids=[f'{n[0]}={n[1]!r}' for n in NUMBERS])
def test_s2_0_numbers_and_root_attributes(scst, attr, value, code, after):
    """§2.0 kstrto* rules (base 0, octal, trailing space EINVAL, overflow ERANGE) on §1.1 root attributes."""
    path = scst / attr
    if code:
        io.fails(path, value, code)
    else:
        io.ok(path, value)
    if after is not None:
        assert io.read(path) == after


def test_s1_1_threads_write(scst):
    """§1.1: threads write of an integer >0; [key] when it differs from scst_threads."""
    default = int(io.read(scst / 'threads'))
    io.ok(scst / 'threads', str(default + 3))
    assert io.read(scst / 'threads') == f'{default + 3}\n[key]\n'
    io.ok(scst / 'threads', str(default))
    assert io.read(scst / 'threads') == f'{default}\n'


CLUSTER_NAME = [
    ('name', 'mycluster', 'mycluster\n[key]\n'),
    ('name-newline', 'mycluster\n', 'mycluster\n[key]\n'),
    ('newline-unsets', '\n', ''),
]


@pytest.mark.parametrize('value,after', [c[1:] for c in CLUSTER_NAME], ids=[c[0] for c in CLUSTER_NAME])
def test_s1_1_cluster_name(scst, value, after):
    """§1.1: cluster_name: one trailing newline stripped, empty unsets (reads 0 bytes)."""
    io.ok(scst / 'cluster_name', 'other\n')
    io.ok(scst / 'cluster_name', value)
    assert io.read(scst / 'cluster_name') == after


def test_s1_1_cluster_name_too_long(scst):
    """§1.1: cluster_name length must be < DLM_LOCKSPACE_LEN (64) else EINVAL."""
    io.fails(scst / 'cluster_name', 'c' * 64, errno.EINVAL)
    io.ok(scst / 'cluster_name', 'c' * 63)


def test_s2_0_bash_echo_invalid_argument(scst):
    """§2.0 through bash: `echo abc > setup_id` exits 1 with 'Invalid argument'."""
    rc, err = io.echo(scst / 'setup_id', 'abc')
    assert rc == 1 and 'Invalid argument' in err
    rc, err = io.echo(scst / 'setup_id', '0x20')
    assert rc == 0 and err == ''
    assert io.read(scst / 'setup_id') == '0x20\n[key]\n'
