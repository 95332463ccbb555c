# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Writing to /sys/kernel/scst_tgt: the write half of _sysfs.SysfsClient.

This module is private to this collection: it is not part of the public API and may change without notice.
One mgmt command or one attribute value per write(2), checked first (see _validate), following the EAGAIN /
last_sysfs_mgmt_res protocol of the kernel (SCST's scst_sysfs.c), recorded in applied with secrets masked, and
skipped (but still recorded) in dry-run mode. SysfsWriter is a base of SysfsClient and uses its reading,
path and error helpers (_resolve, _open, _read_once, _retry_eagain, _error, _os_error, _run_marker, _mask).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import re
import shlex

from ansible_collections.storage.scst.plugins.module_utils._errors import ScstInputError, describe_errno
from ansible_collections.storage.scst.plugins.module_utils._schema import MGMT
from ansible_collections.storage.scst.plugins.module_utils._validate import (
    Secret,
    build_command,
    check_attr_value,
    check_command,
)

RESULT_FILE = 'last_sysfs_mgmt_res'


def echo_line(text, path):
    """How results show one write: the shell line ``echo TEXT > PATH``. Mask text first: quoting may escape
    characters of a secret, which would then not match."""
    return 'echo %s > %s' % (shlex.quote(text), shlex.quote(path))


class SysfsWriter(object):
    """The writing methods of SysfsClient."""

    def command(self, keyword, *args, **kwargs):
        """build_command() (see _validate) with this client's secrets masked in its errors."""
        try:
            return build_command(keyword, *args, **kwargs)
        except ScstInputError as err:
            raise self._finish(err)

    def mgmt(self, path, command):
        """Write one command to a mgmt file (one write(2), EAGAIN handled); record it in applied.

        The command is written without a trailing newline: the lexer does not need one, and the ALUA
        files would discard anything after it anyway. Build commands with command() or build_command();
        the whole text is checked again here (one line, at most 4095 bytes).
        """
        abs_path, rel = self._resolve(path)
        if os.path.basename(abs_path) != MGMT:
            raise ValueError('mgmt() writes mgmt files only, not %r' % path)
        self.add_secret(*getattr(command, 'secrets', ()))
        try:
            check_command(command)
        except ScstInputError as err:
            raise self._finish(err)
        self._write(abs_path, rel, command, command.encode('utf-8', 'surrogateescape'))

    def write_attr(self, path, value, option=None):
        """Write one value to an attribute file (one write(2), EAGAIN handled); record it in applied.

        value: text, integer, or boolean (written as 1 / 0); a Secret is masked everywhere.
        option: the user's option name for validation errors (default: the attribute's file name).
        The value is written without a trailing newline, except that '' is written as a single newline:
        the kernel never passes a zero-length write to the store, and every store drops one trailing
        newline, so this clears attributes such as comment.
        """
        abs_path, rel = self._resolve(path)
        if os.path.basename(abs_path) == MGMT:
            raise ValueError('write_attr() does not write mgmt files; use mgmt()')
        if isinstance(value, Secret):
            self.add_secret(value)
        try:
            text = check_attr_value(value, option or os.path.basename(abs_path))
        except ScstInputError as err:
            raise self._finish(err)
        self._write(abs_path, rel, text, text.encode('utf-8', 'surrogateescape') or b'\n')

    def _write(self, abs_path, rel, text, data):
        shown = self._mask(text)
        if not self.dry_run:
            if self._lock is None:
                raise RuntimeError('SysfsClient writes %s outside locked(): writes must hold the apply lock' % rel)
            self._write_now(abs_path, rel, shown, data)
        self.applied.append(echo_line(shown, abs_path))

    def _writer(self, rel, abs_path, shown, marker):
        """A descriptor open for writing rel: the previous write's when it went to the same file, else a new one,
        kept for the next write. Every write(2) is one command whatever came before it on the descriptor (SYSFS.md
        §2.0: the rest of a short write arrives as a second command; kernfs_fop_write_iter hands each write to the
        store, which ignores the position), so 2,000 add_device commands cost one open, not 2,000."""
        if self._writing is not None:
            if self._writing[0] == rel:
                return self._writing[1]
            self._close_writer()
        try:
            fd = self._open(rel, os.O_WRONLY)
        except OSError as err:
            raise self._os_error(err, 'opening for writing', abs_path, command=shown, log_marker=marker)
        self._writing = (rel, fd)
        return fd

    def _close_writer(self):
        if self._writing is not None:
            self._close(self._writing[1])
            self._writing = None

    def _write_now(self, abs_path, rel, shown, data):
        marker = self._run_marker()
        reused = self._writing is not None and self._writing[0] == rel
        fd = self._writer(rel, abs_path, shown, marker)
        try:
            # One write(2) of the whole text at offset 0, as after a fresh open: a file object would retry or
            # re-send a partial or EAGAIN write on close, and a resent remainder is parsed by SCST as a second
            # command (scst_sysfs.c mgmt parsers).
            written = os.pwrite(fd, data, 0)
        except OSError as err:
            if err.errno == errno.ENODEV and reused:
                # The file was removed since the previous write opened it (kernfs refuses before the store
                # runs, so nothing was done): open it again, it may have been made again.
                self._close_writer()
                self._write_now(abs_path, rel, shown, data)
                return
            if err.errno != errno.EAGAIN:
                raise self._error('writing %r to %s failed: %s' % (shown, abs_path, describe_errno(err.errno)),
                                  path=abs_path, command=shown, err_no=err.errno, log_marker=marker)
            self._wait_for_result(abs_path, shown, marker)
            return
        if written != len(data):
            raise self._error(
                'writing %r to %s was cut short: the kernel took %d of %d bytes, so only the truncated text may '
                'have been applied; the rest was not written' % (shown, abs_path, written, len(data)),
                path=abs_path, command=shown, log_marker=marker)

    @staticmethod
    def _close(fd):
        try:
            os.close(fd)
        except OSError:
            # sysfs and the FUSE emulator report a store's result from write(2) itself; close() only releases
            # the file, so its error carries nothing about the command and must not hide the write's outcome.
            return

    def _wait_for_result(self, abs_path, shown, marker):
        """scst_sysfs.c work queue: the write was queued (EAGAIN); read last_sysfs_mgmt_res until it stops failing
        with EAGAIN: 0 means success, -N failure with errno N."""
        result_path = os.path.join(self.root, RESULT_FILE)
        try:
            data = self._retry_eagain(lambda: self._read_once(RESULT_FILE))
        except OSError as err:
            if err.errno == errno.EAGAIN:
                raise self._error(
                    'writing %r to %s did not complete within %s s (%s still answers EAGAIN); SCST keeps the '
                    'queued command and it may still complete: check the state before retrying'
                    % (shown, abs_path, self.timeout, RESULT_FILE),
                    path=abs_path, command=shown, err_no=err.errno, log_marker=marker)
            raise self._os_error(err, 'reading', result_path, command=shown, log_marker=marker)
        text = data.decode('utf-8', 'replace').split('\n', 1)[0].strip()
        if not re.fullmatch(r'-?[0-9]+', text):
            raise self._error('writing %r to %s: %s gave an unexpected answer %r'
                              % (shown, abs_path, RESULT_FILE, text), path=abs_path, command=shown, log_marker=marker)
        result = int(text)
        if result == 0:
            return
        if result > 0:
            raise self._error('writing %r to %s: %s gave an unexpected positive result %d'
                              % (shown, abs_path, RESULT_FILE, result), path=abs_path, command=shown, log_marker=marker)
        raise self._error('writing %r to %s failed after it was queued (EAGAIN): %s' % (shown, abs_path, describe_errno(-result)),
                          path=abs_path, command=shown, err_no=-result, log_marker=marker)
