# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SysfsClient against the FUSE emulator of the SCST kernel (emulator/): real open(2), write(2) and read(2)
calls, with the emulator's fault modes (EAGAIN always, delayed works, an errno on the Nth write)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import shlex
import subprocess
import sys
import tempfile
import time

import pytest

from ansible_collections.storage.scst.plugins.module_utils._errors import ScstError, ScstInputError
from ansible_collections.storage.scst.plugins.module_utils._sysfs import SysfsClient
from ansible_collections.storage.scst.tests.unit.plugins.module_utils.emulated_host import fuse_missing, register, stop


def writes(lines):
    """'PATH <- TEXT' (PATH relative to the SCST root) for each 'echo TEXT > PATH' line of applied."""
    result = []
    for line in lines:
        echo, text, redirect, path = shlex.split(line)
        assert (echo, redirect) == ('echo', '>')
        result.append('%s <- %s' % (path.split('/scst_tgt/', 1)[1], text))
    return result


control = pytest.importorskip('scst_emulator.control', reason='the SCST emulator (emulator/) is not installed')


pytestmark = pytest.mark.skipif(fuse_missing() is not None, reason=str(fuse_missing()))


def _wait_until_mounted(rundir, proc, timeout=15.0):
    """None once the daemon's mount and control socket answer, else why not."""
    fs, sock = os.path.join(rundir, 'fs'), os.path.join(rundir, 'control.sock')
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return 'the emulator daemon exited with status %d' % proc.returncode
        if os.path.ismount(fs) and os.path.exists(sock):
            try:
                control.call(sock, 'lsmod')
                return None
            except control.ControlError:
                pass
        time.sleep(0.02)
    return 'the emulator daemon was not ready after %d s' % timeout


@pytest.fixture
def emulator():
    # One emulator per test: ansible-test runs every test in a forked child that exits without finalising
    # wider-scoped fixtures, so a module-wide daemon and mount would outlive the run.
    # The run directory is outside pytest's tmp_path tree: pytest prunes old and failed temporary directories,
    # and must never walk into (or try to delete files of) a mounted emulator.
    rundir = tempfile.mkdtemp(prefix='scst-emulator-')
    register(rundir)
    log_path = os.path.join(rundir, 'daemon.log')
    env = dict(os.environ, FUSE_LIBRARY_NAME='fuse3')
    with open(log_path, 'wb') as log_file:
        proc = subprocess.Popen([sys.executable, '-m', 'scst_emulator.daemon', '--rundir', rundir],
                                stdout=log_file, stderr=subprocess.STDOUT, env=env)
    try:
        problem = _wait_until_mounted(rundir, proc)
        if problem:
            with open(log_path, 'rb') as log_file:
                tail = log_file.read()[-800:].decode('utf-8', 'replace')
            if 'FUSE mount' in tail:
                pytest.skip('FUSE is unavailable: the emulator could not be mounted here: %s' % tail.strip().splitlines()[-1])
            pytest.fail('%s:\n%s' % (problem, tail))
        yield rundir
    finally:
        stop(rundir, proc)


class Emulator(object):
    def __init__(self, rundir):
        self.rundir = rundir
        self.sock = os.path.join(rundir, 'control.sock')
        self.root = os.path.join(rundir, 'fs', 'kernel', 'scst_tgt')

    def call(self, op, **args):
        return control.call(self.sock, op, **args)

    def dmesg(self):
        return ['[%.6f] %s' % (stamp, message) for stamp, message in self.call('dmesg')]

    def client(self, **kwargs):
        options = dict(root=self.root, timeout=5, poll_interval=0.02, log_reader=self.dmesg,
                       lock_path=os.path.join(self.rundir, 'apply.lock'))
        options.update(kwargs)
        return SysfsClient(**options)


@pytest.fixture
def emu(emulator, tmp_path):
    emu = Emulator(emulator)
    emu.call('modprobe', name='scst')
    emu.call('modprobe', name='scst_vdisk')
    emu.image = str(tmp_path / 'disk.img')
    with open(emu.image, 'wb') as handle:
        handle.truncate(1 << 20)
    return emu


def add_disk(client, emu, name='disk01'):
    client.mgmt('handlers/vdisk_fileio/mgmt', client.command('add_device', name, params={'filename': emu.image}))


def test_read_the_fresh_tree(emu):
    client = emu.client()
    assert client.read_value('version')[0].startswith('SCST version: ')
    assert client.read_value('last_sysfs_mgmt_res') == ('0', False)
    assert client.read_value('setup_id') == ('0x0', False)
    assert 'vdisk_fileio' in client.list_dir('handlers', kind='dir')
    assert client.list_dir('targets', kind='dir') == ['copy_manager']
    assert not client.exists('devices/disk01')


def test_add_read_change_and_delete_a_device(emu):
    client = emu.client()
    with client.locked():
        add_disk(client, emu)
        assert client.read_attrs('devices/disk01', names=['filename', 'size', 'blocksize']) == {
            'filename': (emu.image, True), 'size': ('1048576', True), 'blocksize': ('512', False)}
        assert client.link_name('handlers/vdisk_fileio/disk01') == 'disk01'
        export = client.read_link('devices/disk01/exported/export0')
        assert client.link_name(export + '/device') == 'disk01'
        client.write_attr('devices/disk01/t10_vend_id', 'ACME')
        assert client.read_value('devices/disk01/t10_vend_id') == ('ACME', True)
        client.mgmt('handlers/vdisk_fileio/mgmt', client.command('del_device', 'disk01'))
    assert not client.exists('devices/disk01')
    assert writes(client.applied) == [
        'handlers/vdisk_fileio/mgmt <- add_device disk01 filename=%s' % emu.image,
        'devices/disk01/t10_vend_id <- ACME',
        'handlers/vdisk_fileio/mgmt <- del_device disk01',
    ]


def test_kernel_errors_come_with_the_kernel_log(emu):
    client = emu.client()
    with client.locked():
        add_disk(client, emu)
        with pytest.raises(ScstError) as info:
            add_disk(client, emu)
    err = info.value
    assert err.errno_name == 'EEXIST'
    assert any('already exists' in line for line in err.kernel_log)
    assert writes(err.applied) == ['handlers/vdisk_fileio/mgmt <- add_device disk01 filename=%s' % emu.image]


def test_eagain_always_mode(emu):
    emu.call('faults', eagain='always', eagain_reads=3)
    client = emu.client()
    with client.locked():
        add_disk(client, emu)
        assert client.exists('devices/disk01')
        for attempt in range(4):
            assert client.read_value('devices/disk01/filename') == (emu.image, True)
        with pytest.raises(ScstError) as info:
            add_disk(client, emu)
        client.write_attr('devices/disk01/t10_vend_id', 'ACME')
    assert info.value.errno_name == 'EEXIST'
    assert 'after it was queued (EAGAIN)' in str(info.value)
    assert len(client.applied) == 2


def test_delayed_work_then_timeout_that_may_still_complete(emu):
    emu.call('faults', delay=0.3)
    client = emu.client()
    with client.locked():
        add_disk(client, emu, 'disk01')
        assert client.exists('devices/disk01')
    impatient = emu.client(timeout=0.05)
    with impatient.locked():
        with pytest.raises(ScstError) as info:
            add_disk(impatient, emu, 'disk02')
    assert 'may still complete' in str(info.value)
    assert info.value.errno_name == 'EAGAIN'
    deadline = time.monotonic() + 5
    while not client.exists('devices/disk02') and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.exists('devices/disk02')


def test_fail_nth_write(emu):
    client = emu.client()
    with client.locked():
        add_disk(client, emu)
        emu.call('faults', fail_nth=2, fail_errno=errno.EIO, fail_path='t10_vend_id')
        client.write_attr('devices/disk01/t10_vend_id', 'ONE')
        with pytest.raises(ScstError) as info:
            client.write_attr('devices/disk01/t10_vend_id', 'TWO')
        assert client.read_value('devices/disk01/t10_vend_id')[0] == 'ONE'
        client.write_attr('devices/disk01/t10_vend_id', 'THREE')
    assert info.value.errno_name == 'EIO'
    assert client.read_value('devices/disk01/t10_vend_id')[0] == 'THREE'


def test_wrong_direction_and_write_only_files(emu):
    client = emu.client()
    with client.locked():
        add_disk(client, emu)
        with pytest.raises(ScstError) as info:
            client.write_attr('version', '1')
        assert info.value.errno_name == 'EACCES'
    attrs = client.read_attrs('devices/disk01')
    assert 'resync_size' not in attrs and 'sync' not in attrs
    assert attrs['filename'] == (emu.image, True)


def test_injection_never_reaches_the_kernel(emu):
    client = emu.client()
    before = emu.dmesg()
    with client.locked():
        with pytest.raises(ScstInputError):
            client.mgmt('handlers/vdisk_fileio/mgmt',
                        client.command('add_device', 'disk01', params={'filename': emu.image + ';read_only=1'}))
        with pytest.raises(ScstInputError):
            client.mgmt('handlers/vdisk_fileio/mgmt', 'add_device disk01 filename=%s\nread_only=1' % emu.image)
    assert client.list_dir('devices', kind='dir') == []
    assert emu.dmesg() == before


def test_scst_not_loaded(emu):
    emu.call('reboot')
    client = emu.client()
    with pytest.raises(ScstError) as info:
        client.read_value('version')
    assert str(info.value).startswith('SCST is not loaded')
