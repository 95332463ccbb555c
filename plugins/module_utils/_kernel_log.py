# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The kernel log lines that appeared while an operation ran.

This module is private to this collection: it is not part of the public API and may change without notice.
SCST and the module loader explain their failures only in the kernel log ("Missing parameter foo",
"unknown parameter 'x' ignored"), so every operation takes a mark before it starts and collects the new
lines afterwards, to put the kernel's own words into results and errors.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

_TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')


class KernelLog(object):
    """Reads the kernel log with ``dmesg`` through ``run(cmd) -> (rc, out, err)`` (AnsibleModule.run_command: modules
    start no process of their own)."""

    def __init__(self, run, dmesg='dmesg'):
        self._run = run
        self._dmesg = dmesg
        self._mark = None

    def lines(self):
        """All current lines without their timestamps, or None when the log cannot be read."""
        try:
            rc, out, dummy = self._run([self._dmesg])
        except OSError:
            return None
        if rc != 0:
            return None
        return [_TIMESTAMP.sub('', line) for line in out.splitlines() if line.strip()]

    def mark(self):
        self._mark = self.lines()

    def since_mark(self):
        """Lines logged since mark(); [] when the log is unreadable, so a missing dmesg never fails an operation."""
        current = self.lines()
        if current is None:
            return []
        before = self._mark or []
        if current[:len(before)] == before:
            return current[len(before):]
        # The ring buffer wrapped or was cleared: keep what follows the last line we had seen, if still there.
        if before and before[-1] in current:
            last = len(current) - 1 - current[::-1].index(before[-1])
            return current[last + 1:]
        return current
