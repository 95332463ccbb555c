"""The FUSE layer: real write(2), bash and Python see the errno the emulated kernel gives."""

import errno
import os
import subprocess

import pytest

from .conftest import needs_root_and_fuse

pytestmark = needs_root_and_fuse


def write(path, data):
    fd = os.open(path, os.O_WRONLY)
    try:
        return os.write(fd, data)
    finally:
        os.close(fd)


def read_raw(path):
    # os.read, not a buffered file: io turns EAGAIN on read into an empty result instead of raising.
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, 4096)
    finally:
        os.close(fd)


def bash(command):
    return subprocess.run(['bash', '-c', command], capture_output=True, text=True, check=False, timeout=30)


def test_tree_follows_module_scst(emulator):
    assert not os.path.exists(emulator.scst)
    emulator.call('modprobe', name='scst', params={})
    assert os.path.isdir(emulator.path('handlers'))
    assert os.stat(emulator.path('version')).st_size == 4096
    with open(emulator.path('last_sysfs_mgmt_res'), encoding='ascii') as handle:
        assert handle.read() == '0\n'
    emulator.call('rmmod', name='scst')
    assert not os.path.exists(emulator.scst)


def test_einval_eexist_through_os_write(scst):
    mgmt = scst.path('handlers', 'vdisk_nullio', 'mgmt')
    with pytest.raises(OSError) as bad:
        write(mgmt, b'garbage\n')
    assert bad.value.errno == errno.EINVAL
    assert write(mgmt, b'add_device d1\n') == len(b'add_device d1\n')
    assert os.path.isdir(scst.path('devices', 'd1'))
    assert os.readlink(scst.path('handlers', 'vdisk_nullio', 'd1')) == '../../devices/d1'
    with pytest.raises(OSError) as dup:
        write(mgmt, b'add_device d1\n')
    assert dup.value.errno == errno.EEXIST


def test_bash_echo_reports_errno_and_rc(scst):
    mgmt = scst.path('handlers', 'vdisk_nullio', 'mgmt')
    ok = bash(f'echo "add_device d2" > {mgmt}')
    assert ok.returncode == 0, ok.stderr
    bad = bash(f'echo garbage > {mgmt}')
    assert bad.returncode == 1
    assert 'Invalid argument' in bad.stderr
    dup = bash(f'echo "add_device d2" > {mgmt}')
    assert dup.returncode == 1
    assert 'File exists' in dup.stderr


def test_readdir_gives_each_entry_its_type(scst):
    # kernfs_fop_readdir (fs/kernfs/dir.c) emits d_type with every name, so a reader needs no lstat to tell a
    # device link from an attribute. Shown by an entry removed after the listing: its kind still comes from the
    # listing (an lstat now would fail, and os.scandir would answer False).
    write(scst.path('handlers', 'vdisk_nullio', 'mgmt'), b'add_device gone1\n')
    with os.scandir(scst.path('handlers', 'vdisk_nullio')) as found:
        entries = dict((entry.name, entry) for entry in found)
    write(scst.path('handlers', 'vdisk_nullio', 'mgmt'), b'del_device gone1\n')
    assert not os.path.lexists(scst.path('handlers', 'vdisk_nullio', 'gone1'))
    assert entries['gone1'].is_symlink() and not entries['gone1'].is_dir(follow_symlinks=False)
    assert entries['mgmt'].is_file(follow_symlinks=False) and not entries['mgmt'].is_symlink()
    with os.scandir(scst.path()) as found:
        kinds = dict((entry.name, entry.is_dir(follow_symlinks=False)) for entry in found)
    assert kinds['handlers'] is True and kinds['version'] is False


def test_eagain_and_last_sysfs_mgmt_res(scst):
    scst.call('faults', eagain='always', eagain_reads=1)
    with pytest.raises(BlockingIOError) as again:
        write(scst.path('handlers', 'vdisk_nullio', 'mgmt'), b'add_device slow1\n')
    assert again.value.errno == errno.EAGAIN
    assert os.path.isdir(scst.path('devices', 'slow1'))
    with pytest.raises(BlockingIOError):
        read_raw(scst.path('last_sysfs_mgmt_res'))
    assert read_raw(scst.path('last_sysfs_mgmt_res')) == b'0\n'
    echo = bash(f'echo "add_device slow2" > {scst.path("handlers", "vdisk_nullio", "mgmt")}')
    assert echo.returncode == 1 and 'Resource temporarily unavailable' in echo.stderr


def test_open_direction_and_namespace_ops(scst):
    with pytest.raises(PermissionError) as wrong:
        os.open(scst.path('version'), os.O_WRONLY)
    assert wrong.value.errno == errno.EACCES
    assert bash(f'echo x > {scst.path("version")}').returncode == 1
    with pytest.raises(PermissionError) as create:
        os.open(scst.path('newfile'), os.O_WRONLY | os.O_CREAT)
    assert create.value.errno == errno.EACCES
    with pytest.raises(PermissionError) as mkdir:
        os.mkdir(scst.path('newdir'))
    assert mkdir.value.errno == errno.EPERM
    with pytest.raises(PermissionError):
        os.unlink(scst.path('version'))


def test_one_write_is_one_store_cut_at_a_page(scst):
    # kernfs hands one page to the store and reports a short write: the caller sees 4096.
    page = b'add_device long1 ' + b'blocksize=512;' * 291
    page += b';' * (4096 - len(page))  # an empty parameter token ends the list (SYSFS.md 2.0)
    data = page + b'garbage that the store never sees' * 30
    assert write(scst.path('handlers', 'vdisk_nullio', 'mgmt'), data) == 4096
    assert os.path.isdir(scst.path('devices', 'long1'))


def test_fc_ports_and_module_params_are_visible(emulator):
    emulator.call('modprobe', name='qla2xxx_scst', params={'qlini_mode': 'exclusive'})
    hosts = os.listdir(os.path.join(emulator.fs, 'class', 'fc_host'))
    assert len(hosts) == 1
    with open(os.path.join(emulator.fs, 'class', 'fc_host', hosts[0], 'port_name'), encoding='ascii') as handle:
        assert handle.read() == '0x21000024ff000100\n'
    with open(os.path.join(emulator.fs, 'module', 'qla2xxx_scst', 'parameters', 'qlini_mode'), encoding='ascii') as handle:
        assert handle.read().strip() == 'exclusive'
