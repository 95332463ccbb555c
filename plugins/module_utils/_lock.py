# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The host-wide lock that serialises storage.scst runs on one host.

This module is private to this collection: it is not part of the public API and may change without notice.
Runs run as root, so the lock file must be out of reach of every other user: it lives in a directory that
only its owner can write (/run/storage-scst, created 0700), it is opened without following a symlink and
never truncated on open, and anything but a regular file there is refused. A lock in a world-writable
directory such as /run/lock would let any local user plant a symlink that makes a root run empty the file it
points to, or create the file first and hold every run off.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import fcntl
import os
import stat
import time

from ansible_collections.storage.scst.plugins.module_utils._errors import ScstError, describe_errno

LOCK_DIR = '/run/storage-scst'
LOCK_FILE_NAME = 'apply.lock'
_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_CLOEXEC', 0)
_SHOWN_COMMAND = 200    # the holder's command line is cut to this many characters in a message


def default_lock_path():
    return os.path.join(LOCK_DIR, LOCK_FILE_NAME)


def _unsafe_directory(folder):
    """Why folder cannot hold a root-owned lock file, or None when only its owner (us or root) can write it."""
    try:
        info = os.lstat(folder)
    except OSError as err:
        return describe_errno(err.errno)
    if stat.S_ISLNK(info.st_mode):
        return 'it is a symbolic link'
    if not stat.S_ISDIR(info.st_mode):
        return 'it is not a directory'
    if info.st_uid not in (0, os.geteuid()):
        return 'it is owned by uid %d' % info.st_uid
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return 'other users can write to it (mode %04o)' % stat.S_IMODE(info.st_mode)
    return None


def _holder_command(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            words = handle.read().split(b'\0')
    except (IOError, OSError):
        return None
    text = ' '.join(word.decode('utf-8', 'replace') for word in words if word)
    return text[:_SHOWN_COMMAND] or None


class HostLock(object):
    """An exclusive flock on path, waited for up to timeout seconds; the holder's pid is written into the file.

    path: the lock file; its directory is created 0700 when missing and must be writable by its owner only.
    sleep, clock: injectable for tests. Not re-entrant: callers that nest keep their own count.
    """

    def __init__(self, path=None, timeout=300, poll_interval=1.0, sleep=time.sleep, clock=time.monotonic):
        self.path = path or default_lock_path()
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.sleep = sleep
        self.clock = clock
        self._fd = None

    def _fail(self, msg, err_no):
        return ScstError(msg, path=self.path, errno=err_no)

    def _open(self):
        folder = os.path.dirname(os.path.abspath(self.path))
        try:
            os.mkdir(folder, 0o700)
        except OSError as err:
            if err.errno != errno.EEXIST:
                raise self._fail('cannot create the lock directory %s: %s' % (folder, describe_errno(err.errno)), err.errno)
        problem = _unsafe_directory(folder)
        if problem:
            raise self._fail('refusing the lock directory %s: %s; it must be a directory that only root can write '
                             '(remove it and let the next run create it)' % (folder, problem), errno.EPERM)
        try:
            fd = os.open(self.path, _FLAGS, 0o600)
        except OSError as err:
            why = 'it is a symbolic link' if err.errno == errno.ELOOP else describe_errno(err.errno)
            raise self._fail('cannot open the lock file %s: %s' % (self.path, why), err.errno)
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise self._fail('refusing the lock file %s: it is not a regular file' % self.path, errno.EPERM)
        return fd

    def acquire(self):
        fd = self._open()
        deadline = self.clock() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as err:
                if err.errno not in (errno.EAGAIN, errno.EWOULDBLOCK):
                    os.close(fd)
                    raise self._fail('cannot lock %s: %s' % (self.path, describe_errno(err.errno)), err.errno)
            if self.clock() >= deadline:
                holder = self.holder(fd)
                os.close(fd)
                raise self._fail(
                    'another storage.scst run (%s) holds the lock %s and did not release it within %s s; '
                    'runs on one host are serialised, so try again when it has finished' % (holder, self.path, self.timeout),
                    errno.EWOULDBLOCK)
            self.sleep(self.poll_interval)
        # Only the holder writes the file, and only after it holds the lock.
        os.ftruncate(fd, 0)
        os.pwrite(fd, ('%d\n' % os.getpid()).encode('ascii'), 0)
        self._fd = fd

    def release(self):
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            # Empty the file before unlocking so that a waiter never names a pid that has let go; the file
            # itself stays, since unlinking a lock file lets two processes lock two different files.
            os.ftruncate(fd, 0)
        finally:
            os.close(fd)

    @staticmethod
    def holder(fd):
        """'pid N (command)' of the process named in the lock file, or 'pid unknown'."""
        text = os.pread(fd, 32, 0).decode('ascii', 'replace').strip()
        if not text.isdigit():
            return 'pid unknown'
        command = _holder_command(int(text))
        return 'pid %s: %s' % (text, command) if command else 'pid %s' % text

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()
