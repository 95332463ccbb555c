# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import multiprocessing
import os
import shlex
import threading
import time

import pytest

from ansible_collections.storage.scst.plugins.module_utils._errors import ScstError
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
    client = make_client(root, tmp_path / 'missing-dir' / 'scst.lock')
    with pytest.raises(ScstError) as info:
        with client.locked():
            pytest.fail('no lock, no block')
    assert 'cannot open the lock file' in str(info.value)
    assert info.value.errno_name == 'ENOENT'


def test_dry_run_works_under_the_lock_too(root, tmp_path):
    client = make_client(root, tmp_path / 'scst.lock', dry_run=True)
    with client.locked():
        client.write_attr('threads', 8)
    assert (root / 'threads').read_text() == '2\n'
    assert writes(client.applied) == ['threads <- 8']
