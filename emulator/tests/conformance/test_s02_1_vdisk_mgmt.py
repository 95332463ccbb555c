"""SYSFS.md §2.1: handlers/<vdisk handler>/mgmt (add_device / del_device), every listed error."""

import errno
import os

import pytest

import conformance_io as io

E = errno
# (id, handler, command; {file} = a 1 MiB regular file, {dir} = a directory, {missing} = absent path, errno)
ADD_DEVICE = [
    ('fileio-ok', 'vdisk_fileio', 'add_device d1 filename={file}', 0),
    ('blockio-inactive-ok', 'vdisk_blockio', 'add_device d1 filename={missing};active=0', 0),
    ('nullio-ok', 'vdisk_nullio', 'add_device d1', 0),
    ('vcdrom-ok', 'vcdrom', 'add_device d1', 0),
    ('vcdrom-tst-ok', 'vcdrom', 'add_device d1 tst=0', 0),
    ('missing-name', 'vdisk_nullio', 'add_device', E.EINVAL),
    ('missing-name-newline', 'vdisk_nullio', 'add_device\n', E.EINVAL),
    ('unknown-keyword', 'vdisk_nullio', 'add_dev d1', E.EINVAL),
    ('name-with-slash', 'vdisk_nullio', 'add_device a/b', E.EINVAL),
    ('name-with-dot', 'vdisk_nullio', 'add_device a.b', E.EINVAL),
    ('name-65-chars', 'vdisk_nullio', 'add_device ' + 'n' * 65, E.EINVAL),
    ('name-64-chars', 'vdisk_nullio', 'add_device ' + 'n' * 64, 0),
    ('blockio-param-not-advertised', 'vdisk_blockio', 'add_device d1 filename={missing};active=0;async=1', E.EINVAL),
    ('blockio-o_direct-not-advertised', 'vdisk_blockio', 'add_device d1 filename={missing};active=0;o_direct=0',
     E.EINVAL),
    ('nullio-filename-not-advertised', 'vdisk_nullio', 'add_device d1 filename={file}', E.EINVAL),
    ('nullio-write_through-not-advertised', 'vdisk_nullio', 'add_device d1 write_through=0', E.EINVAL),
    ('vcdrom-blocksize-not-advertised', 'vcdrom', 'add_device d1 blocksize=2048', E.EINVAL),
    ('vcdrom-filename-not-advertised', 'vcdrom', 'add_device d1 filename={file}', E.EINVAL),
    ('fileio-accepts-size_mb', 'vdisk_fileio', 'add_device d1 filename={file};size_mb=1', 0),
    ('fileio-accepts-lb_per_pb_exp', 'vdisk_fileio', 'add_device d1 filename={file};lb_per_pb_exp=0', 0),
    ('fileio-accepts-dummy', 'vdisk_fileio', 'add_device d1 filename={file};dummy=0', 0),
    ('fileio-unknown-param', 'vdisk_fileio', 'add_device d1 filename={file};bogus=1', E.EINVAL),
    ('nullio-unknown-param', 'vdisk_nullio', 'add_device d1 bogus=1', E.EINVAL),
    ('filename-twice', 'vdisk_fileio', 'add_device d1 filename={file};filename={file}', E.EINVAL),
    ('filename-relative', 'vdisk_fileio', 'add_device d1 filename=disk.img', E.EINVAL),
    ('blockio-filename-relative', 'vdisk_blockio', 'add_device d1 filename=disk.img;active=0', E.EINVAL),
    ('dif_filename-relative', 'vdisk_fileio', 'add_device d1 filename={file};dif_type=1;dif_filename=dif.img',
     E.EINVAL),
    ('fileio-without-filename', 'vdisk_fileio', 'add_device d1', E.EINVAL),
    ('fileio-without-filename-params', 'vdisk_fileio', 'add_device d1 read_only=1', E.EINVAL),
    ('blockio-without-filename', 'vdisk_blockio', 'add_device d1 active=0', E.EINVAL),
    ('fileio-ro-and-write_through', 'vdisk_fileio', 'add_device d1 filename={file};read_only=1;write_through=1',
     E.EINVAL),
    ('fileio-ro-and-nv_cache', 'vdisk_fileio', 'add_device d1 filename={file};read_only=1;nv_cache=1', E.EINVAL),
    ('fileio-ro-alone-ok', 'vdisk_fileio', 'add_device d1 filename={file};read_only=1', 0),
    ('fileio-o_direct-without-async', 'vdisk_fileio', 'add_device d1 filename={file};o_direct=1', E.EINVAL),
    ('fileio-o_direct-with-async', 'vdisk_fileio', 'add_device d1 filename={file};o_direct=1;async=1', 0),
    ('tst-2', 'vdisk_nullio', 'add_device d1 tst=2', E.EINVAL),
    ('tst-0', 'vdisk_nullio', 'add_device d1 tst=0', 0),
    ('dummy-2', 'vdisk_nullio', 'add_device d1 dummy=2', E.EINVAL),
    ('dummy-1', 'vdisk_nullio', 'add_device d1 dummy=1', 0),
    ('numa_node_id--2', 'vdisk_nullio', 'add_device d1 numa_node_id=-2', E.EINVAL),
    ('numa_node_id--1', 'vdisk_nullio', 'add_device d1 numa_node_id=-1', 0),
    ('blocksize-256', 'vdisk_nullio', 'add_device d1 blocksize=256', E.EINVAL),
    ('blocksize-not-number', 'vdisk_nullio', 'add_device d1 blocksize=big', E.EINVAL),
    ('blocksize-overflow', 'vdisk_nullio', 'add_device d1 blocksize=99999999999999999999999', E.ERANGE),
    ('nullio-size-not-multiple', 'vdisk_nullio', 'add_device d1 size=1000', E.EINVAL),
    ('nullio-size-not-multiple-of-4096', 'vdisk_nullio', 'add_device d1 blocksize=4096;size=1024', E.EINVAL),
    ('nullio-size-multiple', 'vdisk_nullio', 'add_device d1 size=1048576', 0),
    ('backing-missing', 'vdisk_fileio', 'add_device d1 filename={missing}', E.ENOENT),
    ('backing-is-directory', 'vdisk_fileio', 'add_device d1 filename={dir}', E.EINVAL),
    ('backing-missing-inactive', 'vdisk_fileio', 'add_device d1 filename={missing};active=0', 0),
    ('dif_type-0-with-dif_mode', 'vdisk_nullio', 'add_device d1 dif_type=0;dif_mode=tgt', E.EINVAL),
    ('dif_type-4', 'vdisk_nullio', 'add_device d1 dif_type=4;dif_mode=tgt', E.EINVAL),
    ('dif_type-0-with-dif_filename', 'vdisk_fileio', 'add_device d1 filename={file};dif_type=0;dif_filename={file}',
     E.EINVAL),
    ('fileio-dif-dev_check', 'vdisk_fileio', 'add_device d1 filename={file};dif_type=1;dif_mode=dev_check', E.EINVAL),
]


@pytest.fixture
def paths(tmp_path, backing):
    (tmp_path / 'adir').mkdir()
    return {'file': backing(), 'dir': str(tmp_path / 'adir'), 'missing': str(tmp_path / 'missing.img')}


@pytest.mark.parametrize('handler,cmd,code', [c[1:] for c in ADD_DEVICE], ids=[c[0] for c in ADD_DEVICE])
def test_s2_1_add_device(vdisk, paths, handler, cmd, code):
    """§2.1 add_device: effects on success, errno (and no device) on failure."""
    cmd = cmd.format(**paths)
    name = cmd.split()[1] if len(cmd.split()) > 1 else None
    mgmt = vdisk / 'handlers' / handler / 'mgmt'
    before = io.entries(vdisk / 'devices')
    if code:
        io.fails(mgmt, cmd, code)
        assert io.entries(vdisk / 'devices') == before
        if name:
            assert not os.path.lexists(vdisk / 'handlers' / handler / name)
        return
    io.ok(mgmt, cmd)
    assert os.path.isdir(vdisk / 'devices' / name)
    assert io.link(vdisk / 'handlers' / handler / name) == f'../../devices/{name}'
    assert io.link(vdisk / 'devices' / name / 'handler') == f'../../handlers/{handler}'


DUPLICATES = [
    ('same-handler', 'vdisk_nullio', 'vdisk_nullio'),
    ('other-vdisk-handler', 'vdisk_nullio', 'vdisk_fileio'),
    ('other-vdisk-handler-cdrom', 'vdisk_nullio', 'vcdrom'),
]


@pytest.mark.parametrize('first,second', [d[1:] for d in DUPLICATES], ids=[d[0] for d in DUPLICATES])
def test_s2_1_add_device_eexist(vdisk, paths, first, second):
    """§2.1: NAME already a device of any vdisk handler -> EEXIST."""
    io.ok(vdisk / 'handlers' / first / 'mgmt', 'add_device d1')
    param = f' filename={paths["file"]}' if second == 'vdisk_fileio' else ''
    io.fails(vdisk / 'handlers' / second / 'mgmt', f'add_device d1{param}', errno.EEXIST)
    assert io.link(vdisk / 'devices/d1/handler') == f'../../handlers/{first}'


def test_s2_1_add_device_eexist_bash(vdisk):
    """§2.1 through bash: duplicate add_device -> 'File exists'."""
    io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', 'add_device d1')
    rc, err = io.echo(vdisk / 'handlers/vdisk_nullio/mgmt', 'add_device d1')
    assert rc == 1 and 'File exists' in err


BLOCKSIZES = [('0', '512\n'), ('1000', '512\n'), ('4096', '4096\n[key]\n'), ('6000', '4096\n[key]\n')]


@pytest.mark.parametrize('value,content', BLOCKSIZES, ids=[b[0] for b in BLOCKSIZES])
def test_s2_1_blocksize_rounding(vdisk, value, content):
    """§2.1: blocksize 0 means 512; a non-power-of-two is rounded down to a power of two."""
    io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', f'add_device d1 blocksize={value}')
    assert io.read(vdisk / 'devices/d1/blocksize') == content


DEL_DEVICE = [
    ('missing-name', 'del_device', errno.EINVAL),
    ('extra-token', 'del_device d1 x', errno.EINVAL),
    ('unknown-device', 'del_device nosuch', errno.EINVAL),
    ('wrong-case', 'del_device D1', errno.EINVAL),
    ('ok', 'del_device d1', 0),
    ('ok-newline', 'del_device d1\n', 0),
]


@pytest.mark.parametrize('cmd,code', [d[1:] for d in DEL_DEVICE], ids=[d[0] for d in DEL_DEVICE])
def test_s2_1_del_device(vdisk, cmd, code):
    """§2.1 del_device errors and effect."""
    io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', 'add_device d1')
    if code:
        io.fails(vdisk / 'handlers/vdisk_nullio/mgmt', cmd, code)
        assert os.path.isdir(vdisk / 'devices/d1')
    else:
        io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', cmd)
        assert not os.path.exists(vdisk / 'devices/d1')
        assert not os.path.lexists(vdisk / 'handlers/vdisk_nullio/d1')


def test_s2_1_del_device_through_other_vdisk_handler(vdisk, paths):
    """§2.1: lookup is over all vdisk handlers: nullio/mgmt deletes a fileio device."""
    io.ok(vdisk / 'handlers/vdisk_fileio/mgmt', f'add_device d1 filename={paths["file"]}')
    io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', 'del_device d1')
    assert not os.path.exists(vdisk / 'devices/d1')
    assert not os.path.lexists(vdisk / 'handlers/vdisk_fileio/d1')


def test_s2_1_del_device_in_use_removes_luns(local):
    """§2.1: deleting a mapped device is allowed (no EBUSY) and removes every LUN mapping it."""
    io.ok(local / 'targets/scst_local/t1/luns/mgmt', 'add nd0 0')
    io.ok(local / 'targets/scst_local/t1/ini_groups/mgmt', 'create g1')
    io.ok(local / 'targets/scst_local/t1/ini_groups/g1/luns/mgmt', 'add nd0 3')
    io.ok(local / 'handlers/vdisk_nullio/mgmt', 'del_device nd0')
    assert io.entries(local / 'targets/scst_local/t1/luns') == ['mgmt']
    assert io.entries(local / 'targets/scst_local/t1/ini_groups/g1/luns') == ['mgmt']
    assert io.entries(local / 'targets/copy_manager/copy_manager_tgt/luns') == ['mgmt']


def test_s2_1_copy_manager_auto_luns(vdisk):
    """§2.1/§1.3: auto_cm_assignment=1: copy_manager LUN from a rolling counter, export0 points to it;
    numbers freed by deleted devices are not reused."""
    mgmt = vdisk / 'handlers/vdisk_nullio/mgmt'
    cm_luns = vdisk / 'targets/copy_manager/copy_manager_tgt/luns'
    io.ok(mgmt, 'add_device d1')
    io.ok(mgmt, 'add_device d2')
    assert io.link(vdisk / 'devices/d1/exported/export0') == '../../../targets/copy_manager/copy_manager_tgt/luns/0'
    assert io.link(vdisk / 'devices/d2/exported/export0') == '../../../targets/copy_manager/copy_manager_tgt/luns/1'
    assert io.link(cm_luns / '0/device') == '../../../../../devices/d1'
    io.ok(mgmt, 'del_device d1')
    io.ok(mgmt, 'add_device d3')
    assert sorted(io.entries(cm_luns)) == ['1', '2', 'mgmt']
    assert io.link(vdisk / 'devices/d3/exported/export0') == '../../../targets/copy_manager/copy_manager_tgt/luns/2'


def test_s2_1_no_copy_manager_lun_without_auto_cm(emu):
    """§2.1: with auto_cm_assignment=0 no copy_manager LUN and no export link are created."""
    emu.modprobe('scst', auto_cm_assignment=0)
    emu.modprobe('scst_vdisk')
    io.ok(emu / 'handlers/vdisk_nullio/mgmt', 'add_device d1')
    assert io.entries(emu / 'devices/d1/exported') == []
    assert io.entries(emu / 'targets/copy_manager/copy_manager_tgt/luns') == ['mgmt']


def test_s2_1_usn_collision_eexist(vdisk):
    """§2.1/§10: the USN generated for d2 (%llx of crc32c("d2\\0")) already used by d1 -> EEXIST."""
    io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', 'add_device d1')
    usn_d2 = format(io.crc32c(b'd2\0'), 'x')
    io.ok(vdisk / 'devices/d1/usn', usn_d2)
    io.fails(vdisk / 'handlers/vdisk_nullio/mgmt', 'add_device d2', errno.EEXIST)
    assert not os.path.exists(vdisk / 'devices/d2')


FILEIO_HELP = (
    'Usage: echo "add_device device_name [parameters]" >mgmt\n'
    '       echo "del_device device_name" >mgmt\n'
    '\n'
    "where parameters are one or more param_name=value pairs separated by ';'\n"
    '\n'
    'The following parameters available: {}\n'
    '\n'
)
PARAM_LISTS = {
    'vdisk_fileio': 'active, async, bind_alua_state, blocksize, cluster_mode, dif_filename, dif_mode, '
                    'dif_static_app_tag, dif_type, filename, numa_node_id, nv_cache, o_direct, read_only, '
                    'removable, rotational, thin_provisioned, tst, t10_dev_id, write_through',
    'vdisk_blockio': 'active, bind_alua_state, blocksize, cluster_mode, dif_filename, dif_mode, dif_static_app_tag, '
                     'dif_type, filename, numa_node_id, nv_cache, read_only, removable, rotational, '
                     'thin_provisioned, tst, t10_dev_id, write_through',
    'vdisk_nullio': 'blocksize, cluster_mode, dif_mode, dif_static_app_tag, dif_type, dummy, numa_node_id, '
                    'read_only, removable, rotational, size, size_mb, tst, t10_dev_id',
    'vcdrom': 'tst',
}


@pytest.mark.parametrize('handler', sorted(PARAM_LISTS))
def test_s2_1_help_text(vdisk, handler):
    """§2.1: reading the virtual handler mgmt returns the usage text with the advertised parameter list."""
    assert io.read(vdisk / 'handlers' / handler / 'mgmt') == FILEIO_HELP.format(PARAM_LISTS[handler])


def test_s2_1_copy_manager_counter_skips_used(vdisk):
    """§2.1: the copy_manager LUN counter skips numbers already used (here LUN 1 mapped by hand)."""
    io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', 'add_device d1')
    io.ok(vdisk / 'targets/copy_manager/copy_manager_tgt/luns/mgmt', 'add d1 1')
    io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', 'add_device d2')
    assert io.link(vdisk / 'devices/d2/exported/export0') == '../../../targets/copy_manager/copy_manager_tgt/luns/2'


def test_s2_1_name_of_passthrough_device_eexist(vdisk):
    """§2.1: a vdisk named like an existing (pass-through) SCST device -> EEXIST."""
    io.fails(vdisk / 'handlers/vdisk_nullio/mgmt', 'add_device 2:0:0:0', errno.EEXIST)
    assert not os.path.lexists(vdisk / 'handlers/vdisk_nullio/2:0:0:0')
