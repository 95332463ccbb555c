# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""storage.scst.scst_report: write rendered text to files on the controller, in the controller's own process.

A template or copy task delegated to localhost runs Python modules on the controller (stat, copy, file), about a
third of a CPU-second each; this writes the same files without any (docs/performance.md).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import tempfile

from ansible.module_utils.common.text.converters import to_bytes, to_native
from ansible.plugins.action import ActionBase

ARGUMENT_SPEC = dict(
    dest=dict(type='path', required=True),
    name=dict(type='str', required=True),
    content=dict(type='dict', required=True),
)


def _current(path):
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def _replace(path, data):
    """Write ``data`` beside ``path`` and rename it over ``path``: a reader never sees half a file."""
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.%s.' % os.path.basename(path))
    try:
        with os.fdopen(handle, 'wb') as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.rename(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


class ActionModule(ActionBase):
    """Writes the files; never connects to the host of the task."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)[1]
        name = args['name']
        if not name or '/' in name or name in ('.', '..'):
            return dict(result, failed=True, msg="name: '%s' must be a file name, not a path" % name)
        bad = sorted(ext for ext in args['content'] if not ext or '/' in ext)
        if bad:
            return dict(result, failed=True, msg='content: %s is not a file extension' % ', '.join(repr(ext) for ext in bad))
        files, written = [], []
        for ext in sorted(args['content']):
            path = os.path.join(args['dest'], '%s.%s' % (name, ext))
            data = to_bytes(args['content'][ext] if args['content'][ext] is not None else '', errors='surrogate_or_strict')
            files.append(path)
            if _current(path) == data:
                continue
            written.append(path)
            if self._task.check_mode:
                continue
            try:
                if not os.path.isdir(args['dest']):
                    os.makedirs(args['dest'], 0o755)
                _replace(path, data)
            except (IOError, OSError) as err:
                return dict(result, failed=True, files=files, written=written[:-1],
                            msg='dest: cannot write %s: %s' % (path, to_native(err)))
        return dict(result, changed=bool(written), files=files, written=written)
