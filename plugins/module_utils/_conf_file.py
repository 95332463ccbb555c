# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The scst.conf file that the SCST service applies at boot, written only to describe a state that was applied.

This module is private to this collection: it is not part of the public API and may change without notice.
The file can hold CHAP secrets, so it and its backups are root's and 0600 from the moment they exist (mkstemp,
O_EXCL), never chmod-ed afterwards. The new text goes to a temporary file in the same directory, is flushed to
disk and renamed over the old one: a reader (or a reboot) sees the old file or the new one, never a part.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import stat
import tempfile
import time

from ansible_collections.storage.scst.plugins.module_utils import _conf
from ansible_collections.storage.scst.plugins.module_utils._errors import ScstError

MODE = 0o600


class ConfFileError(ScstError):
    """scst.conf cannot be read or written on the managed host."""

    sysfs_failure = False


def round_trip_problem(text):
    """None when parsing ``text`` and rendering the result gives ``text`` back (the file then means exactly what
    was rendered), else why not. Messages never quote the text: it can hold secrets."""
    try:
        model = _conf.parse(text)[0]
    except _conf.ConfError as err:
        return 'the rendered scst.conf does not parse (%d problem(s) at line(s) %s)' % (
            len(err.issues), ', '.join(str(issue.line) for issue in err.issues))
    if _conf.render(model) != text:
        return 'parsing the rendered scst.conf does not give back the same configuration'
    return None


def _current(path):
    """(text, stat) of the file, or (None, None) when it does not exist."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, 'O_NOFOLLOW', 0))
    except OSError as err:
        if err.errno == errno.ENOENT:
            return None, None
        raise ConfFileError('cannot read %s: %s' % (path, err.strerror))
    with os.fdopen(fd, 'rb') as handle:
        return handle.read().decode('utf-8', 'replace'), os.fstat(handle.fileno())


def _fits(info):
    owner = os.geteuid() != 0 or (info.st_uid == 0 and info.st_gid == 0)
    return stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) == MODE and owner


def _private_file(folder, prefix, data):
    """A new file in ``folder`` holding ``data``: 0600 (root's when we are root) from creation, synced."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=prefix)
    try:
        if os.geteuid() == 0:
            os.fchown(fd, 0, 0)
        os.write(fd, data)
        os.fsync(fd)
    except OSError:
        os.close(fd)
        os.unlink(tmp)
        raise
    os.close(fd)
    return tmp


def write(path, text, backup=False, check_mode=False):
    """Make ``path`` hold ``text``, root-owned, mode 0600. Returns {changed, backup_file, before} (before: the
    text the file held, None when there was no file)."""
    before, info = _current(path)
    if before == text and info is not None and _fits(info):
        return {'changed': False, 'backup_file': None, 'before': before}
    if check_mode:
        return {'changed': True, 'backup_file': None, 'before': before}
    folder = os.path.dirname(path) or '.'
    name = os.path.basename(path)
    try:
        backup_file = None
        if backup and before is not None and before != text:
            stamp = time.strftime('%Y-%m-%d@%H:%M:%S')
            kept = _private_file(folder, '.%s.backup.' % name, before.encode('utf-8'))
            backup_file = '%s.%d.%s~' % (path, os.getpid(), stamp)
            os.rename(kept, backup_file)
        tmp = _private_file(folder, '.%s.' % name, text.encode('utf-8'))
        os.rename(tmp, path)
        # The rename is durable only once the directory is synced.
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as err:
        raise ConfFileError('cannot write %s: %s' % (path, err.strerror))
    return {'changed': True, 'backup_file': backup_file, 'before': before}
