# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import multiprocessing
import os
import shlex
import stat
import threading
import time

import pytest

from ansible_collections.storage.scst.plugins.module_utils._errors import ScstError
from ansible_collections.storage.scst.plugins.module_utils._lock import default_lock_path
from ansible_collections.storage.scst.plugins.module_utils._sysfs import SysfsClient


def writes(lines):
    """'PATH <- TEXT' (PATH relative to the SCST root) for each 'echo TEXT > PATH' line of applied."""
    result = []
    for line in lines:
        echo, text, redirect, path = shlex.split(line)
        assert (echo, redirect) == ('echo', '>')
        result.append('%s <- %s' % (path.split('/scst_tgt/', 1)[1], text))
    return result


@pytest.fixture
def root(tmp_path):
    root = tmp_path / 'scst_tgt'
    root.mkdir()
    (root / 'threads').write_text('2\n')
    return root


def make_client(root, lock_path, lock_timeout=10, **kwargs):
    return SysfsClient(root=str(root), poll_interval=0.01, log_reader=None, lock_path=str(lock_path),
                       lock_timeout=lock_timeout, **kwargs)


def apply_steps(root, lock_path, record, name, steps=3):
    """One 'run': under the lock, several writes, each noted in the shared record file."""
    client = make_client(root, lock_path)
    with client.locked():
        for step in range(steps):
            with open(str(record), 'a') as handle:
                handle.write('%s %d\n' % (name, step))
            client.write_attr('threads', step + 1)
            time.sleep(0.02)


def assert_runs_did_not_interleave(record, names, steps=3):
    lines = record.read_text().split()
    entries = list(zip(lines[0::2], lines[1::2]))
    assert sorted(set(name for name, step in entries)) == sorted(names)
    for index in range(0, len(entries), steps):
        block = entries[index:index + steps]
        assert [name for name, step in block] == [block[0][0]] * steps
        assert [int(step) for name, step in block] == list(range(steps))


def test_two_threads_serialise(root, tmp_path):
    record = tmp_path / 'record'
    lock_path = tmp_path / 'scst.lock'
    threads = [threading.Thread(target=apply_steps, args=(root, lock_path, record, 't%d' % n)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert_runs_did_not_interleave(record, ['t0', 't1', 't2'])


def test_two_processes_serialise(root, tmp_path):
    record = tmp_path / 'record'
    lock_path = tmp_path / 'scst.lock'
    context = multiprocessing.get_context('fork')
    procs = [context.Process(target=apply_steps, args=(root, lock_path, record, 'p%d' % n)) for n in range(3)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(30)
        assert proc.exitcode == 0
    assert_runs_did_not_interleave(record, ['p0', 'p1', 'p2'])


def _hold_lock(root, lock_path, held, release):
    client = make_client(root, lock_path)
    with client.locked():
        held.set()
        release.wait(30)


def test_timeout_names_the_holder_pid_and_lock_is_released_after(root, tmp_path):
    lock_path = tmp_path / 'scst.lock'
    context = multiprocessing.get_context('fork')
    held, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(root, lock_path, held, release))
    holder.start()
    try:
        assert held.wait(10)
        assert lock_path.read_text() == '%d\n' % holder.pid
        client = make_client(root, lock_path, lock_timeout=0.2)
        started = time.monotonic()
        with pytest.raises(ScstError) as info:
            with client.locked():
                pytest.fail('the lock must not be granted while another process holds it')
        assert time.monotonic() - started >= 0.2
        msg = str(info.value)
        assert 'pid %d' % holder.pid in msg
        assert str(lock_path) in msg
        assert 'within 0.2 s' in msg
        assert info.value.errno_name in ('EAGAIN', 'EWOULDBLOCK')
    finally:
        release.set()
        holder.join(10)
    assert lock_path.read_text() == ''
    with client.locked():
        assert lock_path.read_text() == '%d\n' % os.getpid()
    assert lock_path.read_text() == ''


def test_holder_pid_unknown(root, tmp_path):
    lock_path = tmp_path / 'scst.lock'
    first = make_client(root, lock_path)
    second = make_client(root, lock_path, lock_timeout=0.05)
    with first.locked():
        lock_path.write_text('')
        with pytest.raises(ScstError) as info:
            with second.locked():
                pytest.fail('two clients must not hold the lock together')
    assert 'pid unknown' in str(info.value)


def test_lock_is_reentrant_within_a_client_and_released_on_error(root, tmp_path):
    lock_path = tmp_path / 'scst.lock'
    client = make_client(root, lock_path)
    other = make_client(root, lock_path, lock_timeout=0.05)
    with pytest.raises(KeyError):
        with client.locked():
            with client.locked():
                client.write_attr('threads', 3)
            client.write_attr('threads', 4)
            with pytest.raises(ScstError):
                with other.locked():
                    pytest.fail('the outer block still holds the lock')
            raise KeyError('boom')
    assert writes(client.applied) == ['threads <- 3', 'threads <- 4']
    with other.locked():
        other.write_attr('threads', 5)
    with pytest.raises(RuntimeError):
        client.write_attr('threads', 6)


def test_lock_file_cannot_be_opened(root, tmp_path):
    # Only the lock's own directory is created: a missing /run means a broken host, not ours to build.
    client = make_client(root, tmp_path / 'missing-dir' / 'deeper' / 'scst.lock')
    with pytest.raises(ScstError) as info:
        with client.locked():
            pytest.fail('no lock, no block')
    assert 'cannot create the lock directory' in str(info.value)
    assert info.value.errno_name == 'ENOENT'


def test_dry_run_works_under_the_lock_too(root, tmp_path):
    client = make_client(root, tmp_path / 'scst.lock', dry_run=True)
    with client.locked():
        client.write_attr('threads', 8)
    assert (root / 'threads').read_text() == '2\n'
    assert writes(client.applied) == ['threads <- 8']


# The lock file against a local user who is not root (issue: a lock in /run/lock, world-writable, let any user
# plant a symlink that made a root run empty the file it pointed to, or hold every run off).

def test_default_lock_lives_in_a_directory_only_root_can_write():
    assert default_lock_path() == '/run/storage-scst/apply.lock'


def test_missing_lock_directory_is_created_owner_only(root, tmp_path):
    lock_path = tmp_path / 'run' / 'apply.lock'
    with make_client(root, lock_path).locked():
        assert stat.S_IMODE(os.stat(str(lock_path.parent)).st_mode) == 0o700
        assert stat.S_IMODE(os.stat(str(lock_path)).st_mode) == 0o600


def test_symlink_planted_at_the_lock_path_is_refused_and_its_target_untouched(root, tmp_path):
    victim = tmp_path / 'victim'
    victim.write_text('precious\n')
    lock_path = tmp_path / 'apply.lock'
    os.symlink(str(victim), str(lock_path))
    with pytest.raises(ScstError) as info:
        with make_client(root, lock_path).locked():
            pytest.fail('a symlinked lock file must not be used')
    assert 'is a symbolic link' in str(info.value) and str(lock_path) in str(info.value)
    assert victim.read_text() == 'precious\n'


@pytest.mark.parametrize('mode', [0o777, 0o1777, 0o775, 0o757])
def test_lock_directory_that_others_can_write_is_refused(root, tmp_path, mode):
    folder = tmp_path / 'shared'
    folder.mkdir()
    os.chmod(str(folder), mode)
    with pytest.raises(ScstError) as info:
        with make_client(root, folder / 'apply.lock').locked():
            pytest.fail('a lock in a directory others can write must not be used')
    assert 'other users can write to it' in str(info.value) and str(folder) in str(info.value)
    assert not (folder / 'apply.lock').exists()


def test_symlinked_lock_directory_is_refused(root, tmp_path):
    real = tmp_path / 'real'
    real.mkdir(mode=0o700)
    link = tmp_path / 'link'
    os.symlink(str(real), str(link))
    with pytest.raises(ScstError) as info:
        with make_client(root, link / 'apply.lock').locked():
            pytest.fail('a lock directory reached through a symlink must not be used')
    assert 'is a symbolic link' in str(info.value)


def test_lock_path_that_is_not_a_regular_file_is_refused(root, tmp_path):
    lock_path = tmp_path / 'apply.lock'
    os.mkfifo(str(lock_path))
    with pytest.raises(ScstError) as info:
        with make_client(root, lock_path).locked():
            pytest.fail('a FIFO is not a lock file')
    assert 'not a regular file' in str(info.value)


def test_opening_the_lock_never_truncates_what_the_holder_wrote(root, tmp_path):
    lock_path = tmp_path / 'apply.lock'
    first = make_client(root, lock_path)
    second = make_client(root, lock_path, lock_timeout=0.05)
    with first.locked():
        with pytest.raises(ScstError) as info:
            with second.locked():
                pytest.fail('two clients must not hold the lock together')
        assert lock_path.read_text() == '%d\n' % os.getpid()
    # The holder is named with its command line, so that an admin can tell which run blocks.
    assert 'pid %d: ' % os.getpid() in str(info.value) and 'python' in str(info.value)
