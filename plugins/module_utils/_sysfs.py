# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The only code of storage.scst that touches /sys/kernel/scst_tgt (with _sysfs_write, its write half).

This module is private to this collection: it is not part of the public API and may change without notice.
SysfsClient reads attribute values (first line plus the '[key]' mark, numbered multi-values folded), lists
objects and links, and writes one mgmt command or one attribute value with one write(2), following the
EAGAIN / last_sysfs_mgmt_res protocol of the kernel (SCST's scst_sysfs.c). Every write is
checked first (see _validate), serialised by an exclusive lock held for the whole apply, recorded in
SysfsClient.applied with secrets masked, and skipped (but still recorded) in dry-run mode.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import contextlib
import errno
import os
import re
import stat
import time

from ansible_collections.storage.scst.plugins.module_utils import _secrets
from ansible_collections.storage.scst.plugins.module_utils._errors import (
    ScstError,
    describe_errno,
    mask_text,
)
from ansible_collections.storage.scst.plugins.module_utils._lock import HostLock, default_lock_path
from ansible_collections.storage.scst.plugins.module_utils._schema import MGMT, NUMBERED
from ansible_collections.storage.scst.plugins.module_utils._sysfs_write import SysfsWriter


DEFAULT_ROOT = '/sys/kernel/scst_tgt'
KERNEL_LOG_LINES = 20    # kernel log lines kept in an error
KERNEL_LOG_IN_MSG = 3    # of which the last ones are quoted in the message itself
_READ_CHUNK = 65536
_O_CLOEXEC = getattr(os, 'O_CLOEXEC', 0)
# Directory descriptors a locked client keeps (see _at()), well below the usual limit of 1,024 open files.
_ANCHORS = 256
# What a scandir entry is, from readdir's d_type, never following a link (is_symlink takes no argument: Python
# before 3.13 ignored one, 3.13 refuses it).
_KINDS = {'dir': lambda entry: entry.is_dir(follow_symlinks=False), 'link': lambda entry: entry.is_symlink(),
          'file': lambda entry: entry.is_file(follow_symlinks=False)}


def parse_value(text):
    """(value, is_key) of an attribute file's content (the '[key]' mark of scst_sysfs.c).

    The value is the first line, kept exactly (some values end in a space, e.g. prod_rev_lvl '390 ').
    is_key is true when any later line is '[key]'; further empty lines are ignored. '' gives ('', False).
    """
    lines = text.split('\n')
    return lines[0], any(line.strip() == '[key]' for line in lines[1:])


def dmesg_reader(run):
    """A ``log_reader`` for SysfsClient that runs ``dmesg`` through ``run(args) -> (rc, out, err)``
    (AnsibleModule.run_command in modules, which start no process of their own). The reader returns the kernel log
    as a list of lines, or None when it cannot be read (no dmesg, no permission)."""
    def read():
        try:
            rc, out, dummy = run(['dmesg'])
        except OSError:
            return None
        return out.splitlines() if rc == 0 else None
    return read


class SysfsClient(SysfsWriter):
    """Reads and writes /sys/kernel/scst_tgt (or a copy of its layout under another root, for tests).

    Paths given to the methods are relative to root ('targets/iscsi/mgmt') or absolute below root.
    timeout: budget (seconds) of every EAGAIN wait, of a write and of a read; poll_interval: pause (seconds)
    between two attempts, also while waiting for the lock.
    log_reader: callable returning the kernel log as a list of lines (or None if unavailable); new lines
    that appear during a failed write are reported in the error. None disables it.
    sleep, clock: injectable for tests. dry_run: record writes in applied without writing.
    lock_path, lock_timeout: the apply lock (see locked()). secrets: strings to mask (see add_secret()).
    applied: one shell line "echo TEXT > PATH" per successful (or, in dry-run, recorded) write, with
    secrets masked; modules return it as their commands.
    Not thread-safe: use one client per thread.
    """

    def __init__(self, root=DEFAULT_ROOT, timeout=300, poll_interval=1.0, log_reader=None,
                 sleep=time.sleep, clock=time.monotonic, dry_run=False, lock_path=None, lock_timeout=300,
                 secrets=()):
        self.root = os.path.normpath(root)
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.log_reader = log_reader
        self.sleep = sleep
        self.clock = clock
        self.dry_run = dry_run
        self.lock_path = lock_path or default_lock_path()
        self.lock_timeout = lock_timeout
        self.applied = []
        self._secrets = set()
        self._lock = None
        # While locked: {directory relative to root: descriptor}, least recently used first (see _at()).
        self._anchors = None
        # While locked: (path relative to root, descriptor) of the file the last write went to (see _writer()).
        self._writing = None
        # (read, marker): the kernel log position write errors are reported from (see _run_marker()).
        self._marker = (False, None)
        self.add_secret(*secrets)

    # ---------------------------------------------------------------- secrets and errors

    def add_secret(self, *secrets):
        """Register strings (CHAP secrets...) that must be masked in applied and in every error."""
        self._secrets.update(str(secret) for secret in secrets if secret)

    @property
    def secrets(self):
        """Every secret registered so far (given, written, or read from a CHAP attribute), for masking."""
        return frozenset(self._secrets)

    def _mask(self, text):
        return mask_text(text, self._secrets)

    def _finish(self, err):
        """Attach what was applied so far and mask the secrets of an error about to be raised."""
        err.applied = list(self.applied)
        return err.mask(self._secrets)

    def _error(self, msg, path=None, command=None, err_no=None, log_marker=None):
        kernel_log = self._log_since(log_marker)
        # The next write reports from the log as it is after this failure.
        self._marker = (False, None)
        if kernel_log:
            msg = '%s; kernel log: %s' % (msg, ' | '.join(kernel_log[-KERNEL_LOG_IN_MSG:]))
        if self.applied:
            msg = '%s. Already applied in this run: %d write(s), listed in commands' % (msg, len(self.applied))
        return self._finish(ScstError(msg, path=path, command=command, errno=err_no, kernel_log=kernel_log))

    def _not_loaded(self):
        return self._finish(ScstError(
            'SCST is not loaded: %s does not exist; load the kernel module scst first (for example with '
            'storage.scst.scst_module or "modprobe scst")' % self.root, path=self.root))

    def check_loaded(self):
        """Raise ScstError with a clear sentence when the SCST tree is missing (module scst not loaded)."""
        if not os.path.isdir(self.root):
            raise self._not_loaded()

    def _os_error(self, err, action, path, command=None, log_marker=None):
        """ScstError for an OSError; a missing path below a missing root means SCST is not loaded."""
        if err.errno == errno.ENOENT and not os.path.isdir(self.root):
            return self._not_loaded()
        return self._error('%s %s failed: %s' % (action, path, describe_errno(err.errno)),
                           path=path, command=command, err_no=err.errno, log_marker=log_marker)

    # ---------------------------------------------------------------- kernel log

    def _log_marker(self):
        """(number of lines, last line) of the kernel log now, or None when there is no log to read."""
        if self.log_reader is None:
            return None
        lines = self.log_reader()
        if lines is None:
            return None
        return len(lines), (lines[-1] if lines else None)

    def _run_marker(self):
        """The kernel log position write errors are reported from: read before the client's first write and
        again after a failure, not before every write (a dmesg per write, a fork each, cost more than the
        writes: 5.6 of 8.2 s for 817 writes). So a failed write's kernel_log also holds the lines the writes
        before it logged since then; its own lines are the last ones."""
        if not self._marker[0]:
            self._marker = (True, self._log_marker())
        return self._marker[1]

    def _log_since(self, marker):
        if marker is None:
            return []
        lines = self.log_reader() or []
        count, last = marker
        if count and count <= len(lines) and lines[count - 1] == last:
            new = lines[count:]
        elif last is not None and last in lines:
            # The ring buffer dropped old lines: continue after the last occurrence of the marker line.
            new = lines[len(lines) - lines[::-1].index(last):]
        else:
            new = lines
        return new[-KERNEL_LOG_LINES:]

    # ---------------------------------------------------------------- paths

    def _resolve(self, path):
        """(absolute path, path relative to root) for a path given relative to root or absolute below it."""
        if path == self.root or path.startswith(self.root + '/'):
            rel = path[len(self.root):].lstrip('/')
        elif path.startswith('/'):
            raise ValueError('path %r is not below the SCST root %s' % (path, self.root))
        else:
            rel = path
        parts = rel.split('/') if rel else []
        if '' in parts or '.' in parts or '..' in parts:
            raise ValueError('path %r has an empty, "." or ".." component' % path)
        return self._absolute(rel), rel

    def _absolute(self, rel):
        # Concatenation, not os.path.join: this runs for each of the thousands of paths of a large gather.
        return self.root.rstrip('/') + '/' + rel if rel else self.root

    # ---------------------------------------------------------------- reading

    def _at(self, rel, func):
        """func(path, dir_fd) for a path relative to root: by absolute path, or, while the client holds the lock,
        relative to a kept descriptor of the path's grandparent directory.

        A path walk costs one lookup per component (through the emulator's FUSE, one request each; paths here
        are up to ten deep), so reading 2,560 LUNs' read_only files, or adding them, costs a few lookups each
        from the LUN directory instead of ten. func must not change anything (an open without O_CREAT, a
        listing, a stat). A kept directory that was removed (and maybe made again) since it was opened answers
        ENOENT: the call is then made again by absolute path, and the descriptor dropped when that succeeds.
        """
        pieces = rel.rsplit('/', 2)
        if self._anchors is None or len(pieces) < 3:
            return func(self._absolute(rel), None)
        anchor = pieces[0]
        fd = self._anchors.pop(anchor, None)
        if fd is None:
            try:
                fd = os.open(self._absolute(anchor), os.O_RDONLY | os.O_DIRECTORY | _O_CLOEXEC)
            except OSError:
                return func(self._absolute(rel), None)
        self._anchors[anchor] = fd
        while len(self._anchors) > _ANCHORS:
            os.close(self._anchors.popitem(last=False)[1])
        try:
            return func(pieces[1] + '/' + pieces[2], fd)
        except OSError as err:
            if err.errno != errno.ENOENT:
                raise
        found = func(self._absolute(rel), None)
        os.close(self._anchors.pop(anchor))
        return found

    def _open(self, rel, flags):
        return self._at(rel, lambda path, dir_fd: os.open(path, flags | _O_CLOEXEC, dir_fd=dir_fd))

    def _read_once(self, rel):
        # os.read, not a file object: io.FileIO.read() turns EAGAIN into a None return.
        fd = self._open(rel, os.O_RDONLY)
        try:
            chunks = []
            while True:
                chunk = os.read(fd, _READ_CHUNK)
                chunks.append(chunk)
                # A short read of a regular file is its end (a sysfs attribute is at most a page): no second
                # read(2) just to see 0 bytes.
                if len(chunk) < _READ_CHUNK:
                    return b''.join(chunks)
        finally:
            os.close(fd)

    def _retry_eagain(self, func):
        """Call func until it stops failing with EAGAIN or the budget is spent (then the EAGAIN is raised)."""
        deadline = self.clock() + self.timeout
        while True:
            try:
                return func()
            except OSError as err:
                if err.errno != errno.EAGAIN or self.clock() >= deadline:
                    raise
            self.sleep(self.poll_interval)

    def read(self, path):
        """Whole content of an attribute file as text; reads failing with EAGAIN are retried (the sysfs work queue of scst_sysfs.c)."""
        abs_path, rel = self._resolve(path)
        try:
            data = self._retry_eagain(lambda: self._read_once(rel))
        except OSError as err:
            if err.errno == errno.EAGAIN:
                raise self._error('reading %s still failed with EAGAIN after %s s' % (abs_path, self.timeout),
                                  path=abs_path, err_no=err.errno)
            raise self._os_error(err, 'reading', abs_path)
        return data.decode('utf-8', 'surrogateescape')

    def read_value(self, path):
        """(value, is_key) of an attribute: first line, and whether a later line is '[key]'.

        The secret of a CHAP user read from IncomingUser* / OutgoingUser* ('NAME SECRET') is registered with
        add_secret(), so that it is masked wherever it might later be echoed.
        """
        value, is_key = parse_value(self.read(path))
        if _secrets.CHAP_ATTRIBUTE.match(os.path.basename(path)):
            self.add_secret(*_secrets.of_value(value))
        return value, is_key

    def read_lines(self, path):
        """All lines of a multi-line file (version, trace_level...), trailing empty lines dropped."""
        lines = self.read(path).split('\n')
        while lines and not lines[-1]:
            lines.pop()
        return lines

    def exists(self, path):
        """Whether the entry exists (links are not followed); ScstError if SCST itself is not loaded."""
        try:
            self._at(self._resolve(path)[1], lambda name, dir_fd: os.stat(name, dir_fd=dir_fd, follow_symlinks=False))
            return True
        except OSError:
            self.check_loaded()
            return False

    def list_dir(self, path, kind=None):
        """Sorted names in a directory; kind 'dir', 'link' or 'file' keeps only entries of that type."""
        return sorted(name for name, mode in self._entries(path, kind))

    def _entries(self, path, kind=None, modes=False):
        """[(name, st_mode or None)] of a directory, of one kind ('dir', 'link', 'file') or all; with modes, each
        entry's st_mode (from lstat; entries that vanished since they were listed are left out).

        The kind comes from readdir's d_type where the file system gives it (sysfs does), else from an lstat
        (os.scandir decides)."""
        abs_path = self._resolve(path)[0]
        try:
            with os.scandir(abs_path) as found:
                entries = [entry for entry in found if kind is None or _KINDS[kind](entry)]
            out = []
            for entry in entries:
                mode = None
                if modes:
                    try:
                        mode = entry.stat(follow_symlinks=False).st_mode
                    except OSError as err:
                        if err.errno == errno.ENOENT:
                            continue
                        raise self._os_error(err, 'examining', entry.path)
                out.append((entry.name, mode))
            return out
        except OSError as err:
            raise self._os_error(err, 'listing', abs_path)

    def read_link(self, path):
        """Where a symlink points: relative to root when it points inside the tree, else absolute.

        E.g. 'targets/iscsi/T/luns/0/device' -> 'devices/disk01'.
        """
        abs_path, rel = self._resolve(path)
        try:
            target = self._at(rel, lambda name, dir_fd: os.readlink(name, dir_fd=dir_fd))
        except OSError as err:
            raise self._os_error(err, 'reading the link', abs_path)
        resolved = os.path.normpath(os.path.join(os.path.dirname(abs_path), target))
        if resolved.startswith(self.root + '/'):
            return resolved[len(self.root) + 1:]
        return resolved

    def link_name(self, path):
        """Last component of a symlink's target: the device name of 'luns/N/device', for example."""
        return os.path.basename(self.read_link(path))

    def read_attrs(self, path, names=None, multi=NUMBERED):
        """Attributes of one object directory as {name: (value, is_key)}.

        Only readable regular files are read ('mgmt' and write-only files are skipped, as the kernel
        refuses to open them for reading). Numbered instances of a name in multi (IncomingUser,
        IncomingUser1, ...) are folded into {name: ([value, ...], any is_key)}, in numeric order.
        names, if given, limits the result to those (unnumbered) names.
        """
        numbered = re.compile(r'(%s)([0-9]*)' % '|'.join(re.escape(name) for name in multi)) if multi else None
        singles = {}
        folded = {}
        for name, mode in sorted(self._entries(path, kind='file', modes=True)):
            match = numbered.fullmatch(name) if numbered else None
            base = match.group(1) if match else name
            if name == MGMT or (names is not None and base not in names):
                continue
            if not mode & (stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH):
                continue
            value = self.read_value('%s/%s' % (path, name) if path else name)
            if match:
                folded.setdefault(base, []).append((int(match.group(2) or -1), value))
            else:
                singles[name] = value
        for base, instances in folded.items():
            values = [value for number, value in sorted(instances)]
            singles[base] = ([text for text, key in values], any(key for text, key in values))
        return singles

    # ---------------------------------------------------------------- the apply lock

    @contextlib.contextmanager
    def locked(self):
        """Hold the host's exclusive apply lock (see _lock.HostLock) for the block; re-entrant within one client.

        Gather, plan and apply under one lock, so that two runs on one host never interleave: SCST keeps a
        single global last_sysfs_mgmt_res, and a plan made from a state that another run is changing is
        wrong. Waits up to lock_timeout seconds, then raises ScstError naming the holder's pid and command.
        """
        if self._lock is not None:
            yield self
            return
        lock = HostLock(self.lock_path, timeout=self.lock_timeout, poll_interval=self.poll_interval,
                        sleep=self.sleep, clock=self.clock)
        try:
            lock.acquire()
        except ScstError as err:
            raise self._finish(err)
        self._lock = lock
        self._anchors = collections.OrderedDict()
        # Each locked run reports write errors from the log as it is when the run starts writing.
        self._marker = (False, None)
        try:
            yield self
        finally:
            self._close_writer()
            for fd in self._anchors.values():
                os.close(fd)
            self._anchors = None
            self._lock = None
            lock.release()
