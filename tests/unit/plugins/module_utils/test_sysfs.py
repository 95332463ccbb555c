# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import errno
import json
import os
import shlex
import shutil

import pytest

from ansible_collections.storage.scst.plugins.module_utils import _sysfs, _sysfs_write
from ansible_collections.storage.scst.plugins.module_utils._errors import MASK, ScstError, ScstInputError
from ansible_collections.storage.scst.plugins.module_utils._sysfs import SysfsClient, parse_value
from ansible_collections.storage.scst.plugins.module_utils._validate import Secret


def writes(lines):
    """'PATH <- TEXT' (PATH relative to the SCST root) for each 'echo TEXT > PATH' line of applied."""
    result = []
    for line in lines:
        echo, text, redirect, path = shlex.split(line)
        assert (echo, redirect) == ('echo', '>')
        result.append('%s <- %s' % (path.split('/scst_tgt/', 1)[1], text))
    return result


SECRET = 'TopSecret12chars'

TREE = {
    'last_sysfs_mgmt_res': '0\n',
    'version': 'SCST version: 3.11.0-pre\nSCST build date: today\n\n',
    'setup_id': '0x1234\n[key]\n',
    'threads': '2\n',
    'handlers/vdisk_fileio/mgmt': '',
    'devices/disk01/filename': '/tmp/disk01.img\n[key]\n\n',
    'devices/disk01/prod_rev_lvl': '390 \n',
    'devices/disk01/t10_dev_id': '27cddc71-disk01\n',
    'devices/disk01/size': '1048576\n[key]\n',
    'devices/disk01/resync_size': '',
    'targets/iscsi/mgmt': '',
    'targets/iscsi/enabled': '1\n\n',
    'targets/iscsi/iqn.t1/enabled': '0\n',
    'targets/iscsi/iqn.t1/comment': '',
    'targets/iscsi/iqn.t1/IncomingUser': 'joe %s\n[key]\n\n' % SECRET,
    'targets/iscsi/iqn.t1/IncomingUser1': 'ann otherSecret123\n[key]\n\n',
    'targets/iscsi/iqn.t1/IncomingUser10': 'tom tenthSecret1234\n[key]\n\n',
    'targets/iscsi/iqn.t1/IncomingUser2': 'bob secondSecret12\n[key]\n\n',
    'targets/iscsi/iqn.t1/allowed_portal': '10.0.0.*\n[key]\n\n',
    'targets/iscsi/iqn.t1/luns/mgmt': '',
    'targets/iscsi/iqn.t1/luns/0/read_only': '0\n',
    'targets/iscsi/iqn.t1/ini_groups/mgmt': '',
}
WRITE_ONLY = ('devices/disk01/resync_size',)


class Clock(object):
    """A monotonic clock that only moves when the client sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class FakeKernel(object):
    """Stands in for the os module of _sysfs: real files, plus scripted errors the way sysfs gives them.

    write_script[rel]: list of outcomes for the next writes to rel: None (write all), an errno (write fails),
    or ('short', n) (only n bytes taken). read_script[rel]: list of outcomes for the next opens of rel for
    reading: an errno (the first read fails) or bytes (the content served).
    """

    def __init__(self, root):
        self.root = str(root)
        self.write_script = {}
        self.read_script = {}
        self.writes = []
        self.opens = []
        self._fds = {}

    def __getattr__(self, name):
        return getattr(os, name)

    def _rel(self, path):
        path = str(path)
        return path[len(self.root) + 1:] if path.startswith(self.root + '/') else None

    def open(self, path, flags, mode=0o777, dir_fd=None):
        # A path relative to a directory descriptor (SysfsClient._at) is recorded by where it leads.
        whole = os.path.join(os.readlink('/proc/self/fd/%d' % dir_fd), path) if dir_fd is not None else path
        rel = self._rel(whole)
        outcome = None
        if rel is not None and not flags & (os.O_WRONLY | os.O_RDWR) and self.read_script.get(rel):
            outcome = self.read_script[rel].pop(0)
        fd = os.open(path, flags, mode, dir_fd=dir_fd)
        self.opens.append((rel, flags))
        self._fds[fd] = (rel, outcome)
        return fd

    def close(self, fd):
        self._fds.pop(fd, None)
        os.close(fd)

    def read(self, fd, size):
        rel, outcome = self._fds.get(fd, (None, None))
        if isinstance(outcome, int):
            raise OSError(outcome, os.strerror(outcome))
        if isinstance(outcome, bytes):
            self._fds[fd] = (rel, b'')
            return outcome
        return os.read(fd, size)

    def pwrite(self, fd, data, offset):
        os.lseek(fd, offset, os.SEEK_SET)
        return self.write(fd, data)

    def write(self, fd, data):
        rel = self._fds.get(fd, (None, None))[0]
        self.writes.append((rel, bytes(data)))
        script = self.write_script.get(rel)
        outcome = script.pop(0) if script else None
        if isinstance(outcome, int):
            raise OSError(outcome, os.strerror(outcome))
        if isinstance(outcome, tuple):
            return os.write(fd, data[:outcome[1]])
        return os.write(fd, data)


class Log(object):
    """A kernel log reader whose lines the test appends to while a write runs."""

    def __init__(self):
        self.lines = ['[    0.1] boot']

    def __call__(self):
        return list(self.lines)


@pytest.fixture
def root(tmp_path):
    root = tmp_path / 'scst_tgt'
    for rel, content in TREE.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        if rel in WRITE_ONLY:
            path.chmod(0o200)
    os.symlink('../../../../../devices/disk01', str(root / 'targets/iscsi/iqn.t1/luns/0/device'))
    os.symlink('../../devices/disk01', str(root / 'handlers/vdisk_fileio/disk01'))
    os.symlink('/sys/class/scsi_host/host3', str(root / 'targets/iscsi/iqn.t1/host'))
    return root


@pytest.fixture
def kernel(root, monkeypatch):
    fake = FakeKernel(root)
    # The client's read half (_sysfs) and write half (_sysfs_write) both reach the kernel through os.
    monkeypatch.setattr(_sysfs, 'os', fake)
    monkeypatch.setattr(_sysfs_write, 'os', fake)
    return fake


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def log():
    return Log()


@pytest.fixture
def client(root, tmp_path, clock, log):
    return SysfsClient(root=str(root), timeout=10, poll_interval=1.0, log_reader=log, sleep=clock.sleep, clock=clock,
                       lock_path=str(tmp_path / 'scst.lock'), lock_timeout=5)


def assert_no_secret(err, *secrets):
    text = str(err) + json.dumps(err.to_dict())
    for secret in secrets or (SECRET,):
        assert secret not in text


# ---------------------------------------------------------------- reading

@pytest.mark.parametrize('text, expected', [
    ('', ('', False)),
    ('0\n', ('0', False)),
    ('0', ('0', False)),
    ('0x1234\n[key]\n', ('0x1234', True)),
    ('/a\n[key]\n\n', ('/a', True)),
    ('64\n[key]\n\n', ('64', True)),
    ('1\n\n', ('1', False)),
    ('none\n\n', ('none', False)),
    ('390 \n', ('390 ', False)),
    ('\n', ('', False)),
    ('x\n\n\n[key]\n', ('x', True)),
    ('[key]\n', ('[key]', False)),
])
def test_parse_value(text, expected):
    assert parse_value(text) == expected


def test_read_value(client):
    assert client.read_value('setup_id') == ('0x1234', True)
    assert client.read_value('threads') == ('2', False)
    assert client.read_value('devices/disk01/filename') == ('/tmp/disk01.img', True)
    assert client.read_value('devices/disk01/prod_rev_lvl') == ('390 ', False)
    assert client.read_value('targets/iscsi/iqn.t1/comment') == ('', False)
    assert client.read_value(client.root + '/targets/iscsi/enabled') == ('1', False)


def test_read_lines(client):
    assert client.read_lines('version') == ['SCST version: 3.11.0-pre', 'SCST build date: today']
    assert client.read_lines('targets/iscsi/iqn.t1/comment') == []


def test_read_missing_attribute(client):
    with pytest.raises(ScstError) as info:
        client.read_value('devices/nope/size')
    assert info.value.errno_name == 'ENOENT'
    assert info.value.path.endswith('/devices/nope/size')
    assert 'ENOENT (No such file or directory)' in str(info.value)


def test_read_retries_eagain_with_the_same_budget(client, kernel, clock):
    kernel.read_script['devices/disk01/filename'] = [errno.EAGAIN, errno.EAGAIN, errno.EAGAIN]
    assert client.read_value('devices/disk01/filename') == ('/tmp/disk01.img', True)
    assert clock.sleeps == [1.0, 1.0, 1.0]


def test_read_eagain_timeout(client, kernel, clock):
    kernel.read_script['devices/disk01/filename'] = [errno.EAGAIN] * 100
    with pytest.raises(ScstError) as info:
        client.read_value('devices/disk01/filename')
    assert info.value.errno_name == 'EAGAIN'
    assert 'after 10 s' in str(info.value)
    assert sum(clock.sleeps) == 10


def test_read_other_error_is_not_retried(client, kernel, clock):
    kernel.read_script['targets/iscsi/enabled'] = [errno.EPERM]
    with pytest.raises(ScstError) as info:
        client.read_value('targets/iscsi/enabled')
    assert info.value.errno_name == 'EPERM'
    assert clock.sleeps == []


def test_read_attrs_folds_numbered_values_and_skips_write_only(client):
    attrs = client.read_attrs('targets/iscsi/iqn.t1')
    assert attrs == {
        'enabled': ('0', False),
        'comment': ('', False),
        'IncomingUser': (['joe %s' % SECRET, 'ann otherSecret123', 'bob secondSecret12', 'tom tenthSecret1234'], True),
        'allowed_portal': (['10.0.0.*'], True),
    }
    assert 'resync_size' not in client.read_attrs('devices/disk01')
    assert client.read_attrs('devices/disk01', names=['size']) == {'size': ('1048576', True)}
    assert client.read_attrs('targets/iscsi/iqn.t1', names=['IncomingUser'], multi=())['IncomingUser'] == ('joe %s' % SECRET, True)


def test_secrets_read_from_chap_attributes_are_registered(client):
    client.add_secret('givenSecret1234')
    assert client.secrets == frozenset(['givenSecret1234'])
    client.read_attrs('targets/iscsi/iqn.t1')
    assert client.secrets >= {SECRET, 'otherSecret123', 'secondSecret12', 'tenthSecret1234'}


def test_list_dir_and_kinds(client):
    assert client.list_dir('targets/iscsi') == ['enabled', 'iqn.t1', 'mgmt']
    assert client.list_dir('targets/iscsi', kind='dir') == ['iqn.t1']
    assert client.list_dir('targets/iscsi', kind='file') == ['enabled', 'mgmt']
    assert client.list_dir('handlers/vdisk_fileio', kind='link') == ['disk01']
    assert client.list_dir('targets/iscsi/iqn.t1/luns', kind='dir') == ['0']
    with pytest.raises(ScstError) as info:
        client.list_dir('targets/qla2x00t')
    assert info.value.errno_name == 'ENOENT'


def test_links(client):
    assert client.read_link('targets/iscsi/iqn.t1/luns/0/device') == 'devices/disk01'
    assert client.link_name('targets/iscsi/iqn.t1/luns/0/device') == 'disk01'
    assert client.read_link('handlers/vdisk_fileio/disk01') == 'devices/disk01'
    assert client.read_link('targets/iscsi/iqn.t1/host') == '/sys/class/scsi_host/host3'
    with pytest.raises(ScstError) as info:
        client.read_link('targets/iscsi/iqn.t1/enabled')
    assert info.value.errno_name == 'EINVAL'


def test_exists(client):
    assert client.exists('devices/disk01')
    assert client.exists('targets/iscsi/iqn.t1/luns/0/device')
    assert not client.exists('devices/disk02')


def _open_fds():
    return len(os.listdir('/proc/self/fd'))


def test_a_locked_client_reads_the_same_and_closes_what_it_kept(client):
    def everything():
        return (client.list_dir('targets/iscsi/iqn.t1/luns', kind='dir'), client.read_attrs('targets/iscsi/iqn.t1'),
                client.read_value('targets/iscsi/iqn.t1/luns/0/read_only'),
                client.read_link('targets/iscsi/iqn.t1/luns/0/device'), client.exists('targets/iscsi/iqn.t1/luns/0/device'),
                client.exists('targets/iscsi/iqn.t1/luns/1/device'), client.list_dir('handlers/vdisk_fileio', kind='link'))
    unlocked = everything()
    before = _open_fds()
    with client.locked():
        assert everything() == unlocked
        assert _open_fds() > before + 1
    assert _open_fds() == before


def test_a_locked_client_opens_deep_paths_from_a_kept_directory(client, kernel):
    # A path walk costs a lookup per component (one FUSE request each in the emulator): while locked, files
    # are opened relative to their grandparent directory, which is opened once.
    with client.locked():
        for dummy in range(3):
            client.read_value('targets/iscsi/iqn.t1/luns/0/read_only')
        client.write_attr('targets/iscsi/iqn.t1/luns/0/read_only', 1)
        client.write_attr('targets/iscsi/iqn.t1/luns/0/read_only', 0)
    directories = [rel for rel, flags in kernel.opens if flags & os.O_DIRECTORY]
    assert directories.count('targets/iscsi/iqn.t1/luns') == 1
    assert [rel for rel, flags in kernel.opens if not flags & os.O_DIRECTORY] == [
        'targets/iscsi/iqn.t1/luns/0/read_only'] * 4


def test_writes_in_a_row_to_one_file_share_one_open(client, kernel):
    # kernfs_fop_write_iter hands every write(2) to the store whole and sysfs stores ignore the position, so
    # the commands of a run (2,000 add_device in a row) need not each open the mgmt file again.
    with client.locked():
        client.mgmt('targets/iscsi/iqn.t1/ini_groups/mgmt', 'create g1')
        client.mgmt('targets/iscsi/iqn.t1/ini_groups/mgmt', 'create g2')
        client.write_attr('targets/iscsi/iqn.t1/comment', 'rack 4')
        client.mgmt('targets/iscsi/iqn.t1/ini_groups/mgmt', 'create g3')
    assert [rel for rel, flags in kernel.opens if flags & os.O_WRONLY] == [
        'targets/iscsi/iqn.t1/ini_groups/mgmt', 'targets/iscsi/iqn.t1/comment', 'targets/iscsi/iqn.t1/ini_groups/mgmt']
    assert kernel.writes == [('targets/iscsi/iqn.t1/ini_groups/mgmt', b'create g1'),
                             ('targets/iscsi/iqn.t1/ini_groups/mgmt', b'create g2'),
                             ('targets/iscsi/iqn.t1/comment', b'rack 4'),
                             ('targets/iscsi/iqn.t1/ini_groups/mgmt', b'create g3')]
    assert len(client.applied) == 4


def test_a_file_removed_since_the_previous_write_is_opened_again(client, kernel):
    # kernfs answers ENODEV, before the store runs, to a write through a file opened before it was removed: the
    # command is sent again through a new open. ENODEV from a first open's write is the store's own answer.
    mgmt = 'targets/iscsi/iqn.t1/ini_groups/mgmt'
    kernel.write_script[mgmt] = [None, errno.ENODEV, None]
    with client.locked():
        client.mgmt(mgmt, 'create g1')
        client.mgmt(mgmt, 'create g2')
    assert [rel for rel, flags in kernel.opens if flags & os.O_WRONLY] == [mgmt, mgmt]
    assert kernel.writes == [(mgmt, b'create g1'), (mgmt, b'create g2'), (mgmt, b'create g2')]
    assert len(client.applied) == 2
    kernel.write_script[mgmt] = [errno.ENODEV]
    with client.locked():
        with pytest.raises(ScstError) as info:
            client.mgmt(mgmt, 'create g3')
    assert info.value.errno_name == 'ENODEV'


def test_a_kept_directory_removed_and_made_again(client, root):
    # del_target + add_target (or a LUN set cleared) replaces directories a locked client may have kept: reads
    # and writes then reach the new ones, and a file that is really missing is still reported missing.
    luns = root / 'targets/iscsi/iqn.t1/luns'
    with client.locked():
        assert client.read_value('targets/iscsi/iqn.t1/luns/0/read_only') == ('0', False)
        shutil.rmtree(str(luns))
        (luns / '0').mkdir(parents=True)
        (luns / '0' / 'read_only').write_text('1\n')
        (luns / 'mgmt').write_text('')
        assert client.read_value('targets/iscsi/iqn.t1/luns/0/read_only') == ('1', False)
        assert client.read_value('targets/iscsi/iqn.t1/luns/0/read_only') == ('1', False)
        with pytest.raises(ScstError) as info:
            client.read_value('targets/iscsi/iqn.t1/luns/1/read_only')
        assert info.value.errno_name == 'ENOENT'
        client.mgmt('targets/iscsi/iqn.t1/luns/mgmt', 'add disk01 1')
    assert (luns / 'mgmt').read_text() == 'add disk01 1'


@pytest.mark.parametrize('path', ['../etc/passwd', 'devices/../../x', '/etc/passwd', 'devices//disk01', 'devices/./x'])
def test_paths_stay_below_root(client, path):
    with pytest.raises(ValueError):
        client.read_value(path)


# ---------------------------------------------------------------- missing root

def test_missing_root_says_scst_is_not_loaded(tmp_path, clock):
    client = SysfsClient(root=str(tmp_path / 'scst_tgt'), log_reader=None, sleep=clock.sleep, clock=clock,
                         lock_path=str(tmp_path / 'lock'))
    calls = [
        client.check_loaded,
        lambda: client.read_value('version'),
        lambda: client.list_dir('targets'),
        lambda: client.exists('devices/disk01'),
        lambda: client.read_link('targets/x/luns/0/device'),
    ]
    for call in calls:
        with pytest.raises(ScstError) as info:
            call()
        msg = str(info.value)
        assert msg.startswith('SCST is not loaded: %s does not exist' % (tmp_path / 'scst_tgt'))
        assert 'modprobe scst' in msg and 'storage.scst.scst_module' in msg
    with client.locked():
        with pytest.raises(ScstError) as info:
            client.mgmt('handlers/vdisk_fileio/mgmt', 'add_device d filename=/x')
    assert str(info.value).startswith('SCST is not loaded')
    assert writes(client.applied) == []


# ---------------------------------------------------------------- writing

def test_mgmt_writes_once_without_newline(client, kernel):
    with client.locked():
        client.mgmt('handlers/vdisk_fileio/mgmt', client.command('add_device', 'disk02', params={'filename': '/x'}))
    assert kernel.writes == [('handlers/vdisk_fileio/mgmt', b'add_device disk02 filename=/x')]
    assert writes(client.applied) == ['handlers/vdisk_fileio/mgmt <- add_device disk02 filename=/x']
    write_opens = [rel for rel, flags in kernel.opens if flags & os.O_WRONLY]
    assert write_opens == ['handlers/vdisk_fileio/mgmt']
    assert all(not flags & (os.O_TRUNC | os.O_APPEND | os.O_CREAT) for rel, flags in kernel.opens if rel)


def test_write_attr_values(client, kernel):
    with client.locked():
        client.write_attr('targets/iscsi/iqn.t1/enabled', True)
        client.write_attr('threads', 4)
        client.write_attr('targets/iscsi/iqn.t1/comment', '')
        client.write_attr('targets/iscsi/iqn.t1/comment', 'rack 4 host b')
    assert kernel.writes == [
        ('targets/iscsi/iqn.t1/enabled', b'1'),
        ('threads', b'4'),
        ('targets/iscsi/iqn.t1/comment', b'\n'),
        ('targets/iscsi/iqn.t1/comment', b'rack 4 host b'),
    ]
    assert writes(client.applied) == [
        'targets/iscsi/iqn.t1/enabled <- 1',
        'threads <- 4',
        'targets/iscsi/iqn.t1/comment <- ',
        'targets/iscsi/iqn.t1/comment <- rack 4 host b',
    ]


def test_mgmt_and_write_attr_refuse_each_others_files(client):
    with client.locked():
        with pytest.raises(ValueError):
            client.mgmt('threads', 'x')
        with pytest.raises(ValueError):
            client.write_attr('targets/iscsi/mgmt', 'add_target x')


def test_writes_need_the_lock(client, kernel):
    with pytest.raises(RuntimeError):
        client.write_attr('threads', 4)
    assert kernel.writes == []
    assert writes(client.applied) == []


def test_dry_run_records_without_writing(root, kernel, clock):
    client = SysfsClient(root=str(root), log_reader=None, sleep=clock.sleep, clock=clock, dry_run=True)
    client.mgmt('targets/iscsi/mgmt', client.command('add_target', 'iqn.t2'))
    client.write_attr('targets/iscsi/iqn.t1/enabled', 1)
    client.mgmt('targets/iscsi/mgmt', client.command('add_target_attribute', 'iqn.t2', 'IncomingUser', 'joe', Secret(SECRET)))
    assert kernel.writes == []
    assert writes(client.applied) == [
        'targets/iscsi/mgmt <- add_target iqn.t2',
        'targets/iscsi/iqn.t1/enabled <- 1',
        'targets/iscsi/mgmt <- add_target_attribute iqn.t2 IncomingUser joe %s' % MASK,
    ]
    with pytest.raises(ScstInputError):
        client.write_attr('threads', '4\n5')


def test_validation_happens_before_any_write(client, kernel, log):
    with client.locked():
        client.write_attr('threads', 4)
        for bad in ['add_device a filename=/x\nadd_device b filename=/y', 'x' * 4096, '', 'add\x00']:
            with pytest.raises(ScstInputError) as info:
                client.mgmt('handlers/vdisk_fileio/mgmt', bad)
            assert writes(info.value.applied) == ['threads <- 4']
        with pytest.raises(ScstInputError) as info:
            client.write_attr('targets/iscsi/iqn.t1/comment', 'a\nb')
        assert info.value.option == 'comment'
        with pytest.raises(ScstInputError) as info:
            client.write_attr('targets/iscsi/iqn.t1/comment', 'a;b', option='targets[0].attributes.comment')
        assert str(info.value).startswith("targets[0].attributes.comment: invalid value 'a;b'")
    assert kernel.writes == [('threads', b'4')]


def test_write_error_reports_errno_path_command_kernel_log_and_applied(client, kernel, log):
    kernel.write_script['handlers/vdisk_fileio/mgmt'] = [None, errno.EEXIST]
    original = kernel.write

    def write_and_log(fd, data):
        log.lines.append('[  12.5] scst: ***ERROR***: Device disk01 already exists')
        return original(fd, data)

    kernel.write = write_and_log
    with client.locked():
        client.mgmt('handlers/vdisk_fileio/mgmt', 'add_device disk02 filename=/b')
        with pytest.raises(ScstError) as info:
            client.mgmt('handlers/vdisk_fileio/mgmt', 'add_device disk01 filename=/a')
    err = info.value
    assert err.errno_name == 'EEXIST'
    assert err.path == client.root + '/handlers/vdisk_fileio/mgmt'
    assert err.command == 'add_device disk01 filename=/a'
    # The log position is read once per run, not before every write: the lines of the run's earlier writes
    # come first, the failed write's own last.
    assert err.kernel_log == ['[  12.5] scst: ***ERROR***: Device disk01 already exists'] * 2
    assert writes(err.applied) == ['handlers/vdisk_fileio/mgmt <- add_device disk02 filename=/b']
    assert "writing 'add_device disk01 filename=/a' to %s failed: EEXIST (File exists)" % err.path in err.msg
    assert 'kernel log: [  12.5] scst: ***ERROR***: Device disk01 already exists' in err.msg
    assert 'Already applied in this run: 1 write(s)' in err.msg
    assert err.to_dict() == {
        'msg': err.msg,
        'sysfs_path': err.path,
        'command': 'add_device disk01 filename=/a',
        'errno': 'EEXIST',
        'kernel_log': err.kernel_log,
        'commands': err.applied,
    }
    assert writes(client.applied) == ['handlers/vdisk_fileio/mgmt <- add_device disk02 filename=/b']


def test_open_error_for_writing(client, kernel):
    with client.locked():
        with pytest.raises(ScstError) as info:
            client.write_attr('devices/disk01/nonexistent', 1)
    assert info.value.errno_name == 'ENOENT'
    assert 'opening for writing' in str(info.value)


def test_short_write_is_an_error_and_the_rest_is_never_written(client, kernel):
    kernel.write_script['handlers/vdisk_fileio/mgmt'] = [('short', 10)]
    with client.locked():
        with pytest.raises(ScstError) as info:
            client.mgmt('handlers/vdisk_fileio/mgmt', 'add_device disk02 filename=/x')
    assert kernel.writes == [('handlers/vdisk_fileio/mgmt', b'add_device disk02 filename=/x')]
    assert 'took 10 of 29 bytes' in str(info.value)
    assert 'the rest was not written' in str(info.value)
    assert writes(client.applied) == []


def test_eagain_then_result_zero(client, kernel, clock):
    kernel.write_script['targets/iscsi/mgmt'] = [errno.EAGAIN]
    kernel.read_script['last_sysfs_mgmt_res'] = [errno.EAGAIN, errno.EAGAIN, b'0\n']
    with client.locked():
        client.mgmt('targets/iscsi/mgmt', 'add_target iqn.t2')
    assert writes(client.applied) == ['targets/iscsi/mgmt <- add_target iqn.t2']
    assert len(kernel.writes) == 1
    assert clock.sleeps == [1.0, 1.0]


def test_eagain_then_result_immediately(client, kernel, clock):
    kernel.write_script['targets/iscsi/iqn.t1/enabled'] = [errno.EAGAIN]
    with client.locked():
        client.write_attr('targets/iscsi/iqn.t1/enabled', 1)
    assert clock.sleeps == []
    assert writes(client.applied) == ['targets/iscsi/iqn.t1/enabled <- 1']


def test_eagain_then_negative_result(client, kernel, clock, log):
    kernel.write_script['targets/iscsi/iqn.t1/luns/mgmt'] = [errno.EAGAIN]
    kernel.read_script['last_sysfs_mgmt_res'] = [errno.EAGAIN, b'-22\n']
    log.lines.append('[  13.0] scst: ***ERROR***: Device disk09 not found')
    with client.locked():
        with pytest.raises(ScstError) as info:
            client.mgmt('targets/iscsi/iqn.t1/luns/mgmt', 'add disk09 1')
    err = info.value
    assert err.errno_name == 'EINVAL'
    assert 'failed after it was queued (EAGAIN): EINVAL (Invalid argument)' in err.msg
    assert err.kernel_log == []
    assert len(kernel.writes) == 1
    assert writes(client.applied) == []


@pytest.mark.parametrize('answer, text', [(b'x\n', 'unexpected answer'), (b'5\n', 'unexpected positive'), (b'', 'unexpected answer')])
def test_eagain_then_garbage_result(client, kernel, answer, text):
    kernel.write_script['targets/iscsi/mgmt'] = [errno.EAGAIN]
    kernel.read_script['last_sysfs_mgmt_res'] = [answer]
    with client.locked():
        with pytest.raises(ScstError) as info:
            client.mgmt('targets/iscsi/mgmt', 'add_target iqn.t2')
    assert text in str(info.value)


def test_eagain_result_file_unreadable(client, kernel):
    kernel.write_script['targets/iscsi/mgmt'] = [errno.EAGAIN]
    kernel.read_script['last_sysfs_mgmt_res'] = [errno.EIO]
    with client.locked():
        with pytest.raises(ScstError) as info:
            client.mgmt('targets/iscsi/mgmt', 'add_target iqn.t2')
    assert info.value.errno_name == 'EIO'
    assert info.value.path.endswith('/last_sysfs_mgmt_res')


def test_eagain_timeout_says_the_command_may_still_complete(client, kernel, clock):
    kernel.write_script['targets/iscsi/mgmt'] = [errno.EAGAIN]
    kernel.read_script['last_sysfs_mgmt_res'] = [errno.EAGAIN] * 100
    with client.locked():
        with pytest.raises(ScstError) as info:
            client.mgmt('targets/iscsi/mgmt', 'add_target iqn.t2')
    msg = str(info.value)
    assert 'did not complete within 10 s' in msg
    assert 'may still complete' in msg
    assert info.value.errno_name == 'EAGAIN'
    assert sum(clock.sleeps) == 10
    assert len(kernel.writes) == 1
    assert writes(client.applied) == []


def test_poll_interval_and_timeout_are_configurable(root, kernel, clock, tmp_path):
    client = SysfsClient(root=str(root), timeout=3, poll_interval=0.25, log_reader=None, sleep=clock.sleep, clock=clock,
                         lock_path=str(tmp_path / 'l'))
    kernel.write_script['targets/iscsi/mgmt'] = [errno.EAGAIN]
    kernel.read_script['last_sysfs_mgmt_res'] = [errno.EAGAIN] * 100
    with client.locked():
        with pytest.raises(ScstError):
            client.mgmt('targets/iscsi/mgmt', 'add_target iqn.t2')
    assert set(clock.sleeps) == {0.25}
    assert len(clock.sleeps) == 12


# ---------------------------------------------------------------- secrets

def test_secret_is_masked_in_every_error_path(client, kernel, log):
    client.add_secret(SECRET)
    command = 'add_target_attribute iqn.t1 IncomingUser joe %s' % SECRET
    log_line = '[  14.0] iscsi-scstd: bad user joe %s' % SECRET
    original = kernel.write

    def write_and_log(fd, data):
        log.lines.append(log_line)
        return original(fd, data)

    kernel.write = write_and_log
    with client.locked():
        client.mgmt('targets/iscsi/mgmt', command)
        assert writes(client.applied) == ['targets/iscsi/mgmt <- add_target_attribute iqn.t1 IncomingUser joe %s' % MASK]
        errors = []
        scripts = [
            ({'targets/iscsi/mgmt': [errno.EINVAL]}, {}),
            ({'targets/iscsi/mgmt': [errno.EAGAIN]}, {'last_sysfs_mgmt_res': [b'-1\n']}),
            ({'targets/iscsi/mgmt': [errno.EAGAIN]}, {'last_sysfs_mgmt_res': [errno.EAGAIN] * 100}),
            ({'targets/iscsi/mgmt': [errno.EAGAIN]}, {'last_sysfs_mgmt_res': [b'junk %s\n' % SECRET.encode()]}),
            ({'targets/iscsi/mgmt': [errno.EAGAIN]}, {'last_sysfs_mgmt_res': [errno.EIO]}),
            ({'targets/iscsi/mgmt': [('short', 30)]}, {}),
        ]
        for write_outcomes, read_outcomes in scripts:
            kernel.write_script.update(write_outcomes)
            kernel.read_script.update(read_outcomes)
            with pytest.raises(ScstError) as info:
                client.mgmt('targets/iscsi/mgmt', command)
            errors.append(info.value)
        with pytest.raises(ScstError) as info:
            client.mgmt('targets/iscsi/nope/mgmt', command)
        errors.append(info.value)
        for bad in ['%s x\n' % SECRET, 'joe ' + SECRET + ';x']:
            with pytest.raises(ScstInputError) as info:
                client.write_attr('targets/iscsi/iqn.t1/IncomingUser', bad)
            errors.append(info.value)
        with pytest.raises(ScstInputError) as info:
            client.command('add_target_attribute', 'iqn.t1', 'IncomingUser', 'joe', SECRET + '\n')
        errors.append(info.value)
        with pytest.raises(ScstInputError) as info:
            client.mgmt('targets/iscsi/mgmt', command + '\nx')
        errors.append(info.value)
    assert len(errors) == 11
    for err in errors:
        assert_no_secret(err)
        assert MASK in str(err) or MASK in json.dumps(err.to_dict())
    assert errors[0].kernel_log == ['[  14.0] iscsi-scstd: bad user joe %s' % MASK] * 2
    # After a failure the position is read again: the next failure reports its own line only.
    assert errors[1].kernel_log == ['[  14.0] iscsi-scstd: bad user joe %s' % MASK]


def test_secret_wrapped_values_register_themselves(client, kernel):
    other = 'AnotherSecret99'
    with client.locked():
        client.write_attr('targets/iscsi/iqn.t1/IncomingUser1', Secret('ann ' + other))
        client.mgmt('targets/iscsi/mgmt', client.command('add_target_attribute', 'iqn.t1', 'OutgoingUser', 'out', Secret(SECRET)))
        kernel.write_script['targets/iscsi/mgmt'] = [errno.EEXIST]
        with pytest.raises(ScstError) as info:
            client.mgmt('targets/iscsi/mgmt', 'add_target_attribute iqn.t1 OutgoingUser out %s' % SECRET)
    assert writes(client.applied) == [
        'targets/iscsi/iqn.t1/IncomingUser1 <- %s' % MASK,
        'targets/iscsi/mgmt <- add_target_attribute iqn.t1 OutgoingUser out %s' % MASK,
    ]
    assert_no_secret(info.value, SECRET, other)
    assert kernel.writes[0] == ('targets/iscsi/iqn.t1/IncomingUser1', ('ann ' + other).encode())


def test_secrets_given_to_the_constructor(root, kernel, clock):
    client = SysfsClient(root=str(root), log_reader=None, sleep=clock.sleep, clock=clock, dry_run=True, secrets=[SECRET, ''])
    client.mgmt('targets/iscsi/mgmt', 'add_attribute IncomingUser joe %s' % SECRET)
    assert writes(client.applied) == ['targets/iscsi/mgmt <- add_attribute IncomingUser joe %s' % MASK]


# ---------------------------------------------------------------- kernel log

def test_kernel_log_after_ring_buffer_rotation(client, kernel, log):
    log.lines = ['[1] a', '[2] b', '[3] c']
    original = kernel.write

    def rotate(fd, data):
        log.lines = ['[2] b', '[3] c', '[4] scst: error one', '[5] scst: error two']
        return original(fd, data)

    kernel.write = rotate
    kernel.write_script['threads'] = [errno.EINVAL]
    with client.locked():
        with pytest.raises(ScstError) as info:
            client.write_attr('threads', 0)
    assert info.value.kernel_log == ['[4] scst: error one', '[5] scst: error two']
    assert info.value.msg.endswith('kernel log: [4] scst: error one | [5] scst: error two')


def test_kernel_log_replaced_entirely_and_empty_before(client, kernel, log):
    log.lines = []
    original = kernel.write

    def replace(fd, data):
        log.lines = ['[%d] line' % n for n in range(30)]
        return original(fd, data)

    kernel.write = replace
    kernel.write_script['threads'] = [errno.EINVAL]
    with client.locked():
        with pytest.raises(ScstError) as info:
            client.write_attr('threads', 0)
    assert info.value.kernel_log == ['[%d] line' % n for n in range(10, 30)]
    assert info.value.msg.endswith('[27] line | [28] line | [29] line')


def test_kernel_log_unavailable(root, kernel, clock, tmp_path):
    client = SysfsClient(root=str(root), log_reader=lambda: None, sleep=clock.sleep, clock=clock,
                         lock_path=str(tmp_path / 'l'))
    kernel.write_script['threads'] = [errno.EINVAL]
    with client.locked():
        with pytest.raises(ScstError) as info:
            client.write_attr('threads', 0)
    assert info.value.kernel_log == []
    assert 'kernel log' not in info.value.msg


def test_dmesg_reader():
    calls = []

    def run(args):
        calls.append(args)
        return 0, '[ 1.0] one\n[ 2.0] two\n', ''

    assert _sysfs.dmesg_reader(run)() == ['[ 1.0] one', '[ 2.0] two']
    assert calls == [['dmesg']]
    assert _sysfs.dmesg_reader(lambda args: (1, '', 'dmesg: read kernel buffer failed'))() is None


@pytest.mark.parametrize('exc', [FileNotFoundError(errno.ENOENT, 'dmesg'), PermissionError(errno.EACCES, 'x')])
def test_dmesg_reader_tolerates_a_missing_dmesg(exc):
    def run(args):
        raise exc

    assert _sysfs.dmesg_reader(run)() is None


def test_no_kernel_log_by_default(root):
    # Only a module (through run_command) or the caller decides how dmesg runs.
    assert SysfsClient(root=str(root)).log_reader is None


def test_chap_secrets_read_from_the_tree_are_masked_afterwards(client, kernel):
    client.read_attrs('targets/iscsi/iqn.t1')
    with client.locked():
        client.mgmt('targets/iscsi/mgmt', 'add_target_attribute iqn.t2 IncomingUser joe %s' % SECRET)
        client.mgmt('targets/iscsi/mgmt', 'add_target_attribute iqn.t2 allowed_portal 10.0.0.*')
        kernel.write_script['targets/iscsi/mgmt'] = [errno.EINVAL]
        with pytest.raises(ScstError) as info:
            client.mgmt('targets/iscsi/mgmt', 'add_target_attribute iqn.t3 IncomingUser bob secondSecret12')
    assert writes(client.applied) == [
        'targets/iscsi/mgmt <- add_target_attribute iqn.t2 IncomingUser joe %s' % MASK,
        'targets/iscsi/mgmt <- add_target_attribute iqn.t2 allowed_portal 10.0.0.*',
    ]
    assert_no_secret(info.value, SECRET, 'secondSecret12')


def test_attributes_that_vanish_while_listing_are_skipped(client, kernel, root):
    # An attribute removed between the listing and its reading (a session's, as its initiator logs out) is not
    # part of the state any more: read_attrs leaves it out instead of failing.
    real_scandir = os.scandir

    def scandir_then_remove(fd):
        with real_scandir(fd) as found:
            entries = list(found)
        (root / 'targets/iscsi/iqn.t1/comment').unlink()
        return contextlib.nullcontext(entries)

    kernel.scandir = scandir_then_remove
    found = client.read_attrs('targets/iscsi/iqn.t1')
    assert 'comment' not in found and found['allowed_portal'] == (['10.0.0.*'], True)


def test_applied_lines_are_shell_lines_with_secrets_masked(client, kernel):
    with client.locked():
        client.mgmt('targets/iscsi/mgmt', client.command('add_target_attribute', 'iqn.t1', 'IncomingUser', 'joe', Secret(SECRET)))
        client.write_attr('targets/iscsi/iqn.t1/comment', "it's rack 4")
        client.write_attr('targets/iscsi/iqn.t1/comment', '')
    assert client.applied == [
        "echo 'add_target_attribute iqn.t1 IncomingUser joe %s' > %s/targets/iscsi/mgmt" % (MASK, client.root),
        "echo 'it'\"'\"'s rack 4' > %s/targets/iscsi/iqn.t1/comment" % client.root,
        "echo '' > %s/targets/iscsi/iqn.t1/comment" % client.root,
    ]
