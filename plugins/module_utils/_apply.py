# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Executing a plan: the planner's actions written one by one through a SysfsClient.

This module is private to this collection: it is not part of the public API and may change without notice.
apply() runs the actions of _plan.plan() in order under the client's apply lock, stops at the first failure
and reports which actions were applied and which were not (a rollback, _restore.restore(), adds what it did to
that report). In check mode the client is a dry-run client: every action is validated and recorded, nothing is
written, and waits are skipped.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno

from ansible_collections.storage.scst.plugins.module_utils._errors import ScstError


class ApplyResult(object):
    """What apply() did.

    applied: actions that took effect, in order; not_applied: the failed action and every one after it;
    failed: the action that failed (None on success); error: its ScstError (None on success).
    rollback_ran: whether a rollback followed the failure; rolled_back: the actions it ran; not_rolled_back: what
    still differs from the state before the run after it (texts naming sysfs paths); rollback_error: the text of
    the error that stopped it.
    """

    def __init__(self):
        self.applied = []
        self.not_applied = []
        self.failed = None
        self.error = None
        self.rollback_ran = False
        self.rolled_back = []
        self.not_rolled_back = []
        self.rollback_error = None

    @property
    def ok(self):
        return self.error is None

    def to_dict(self, root):
        """Texts for a module result (secrets masked): commands (applied), not_applied, rollback details."""
        out = {'commands': [action.text(root) for action in self.applied],
               'not_applied': [action.text(root) for action in self.not_applied]}
        if self.error is not None:
            out['failed_command'] = self.failed.text(root)
        if self.rollback_ran:
            out['rolled_back'] = [action.text(root) for action in self.rolled_back]
            out['not_rolled_back'] = list(self.not_rolled_back)
            if self.rollback_error is not None:
                out['rollback_error'] = self.rollback_error
        return out

    def message(self):
        """One paragraph for fail_json(msg=...): what failed, what was applied, what the rollback did."""
        if self.error is None:
            return 'applied %d change(s)' % len(self.applied)
        parts = ['%s (while trying to %s)' % (self.error.msg, self.failed.description),
                 '%d of %d action(s) were applied before the failure' % (
                     len(self.applied), len(self.applied) + len(self.not_applied))]
        if self.rollback_ran:
            parts.append('the rollback made %d write(s) and %s' % (
                len(self.rolled_back), 'left %d difference(s) from the state before the run: %s' % (
                    len(self.not_rolled_back), ', '.join(self.not_rolled_back)) if self.not_rolled_back
                else 'restored the state before the run'))
        if self.rollback_error is not None:
            parts.append('the rollback stopped: %s' % self.rollback_error)
        return '; '.join(parts)


def run_action(client, action):
    """Execute one action through client (see _plan.Action for op)."""
    if action.op == 'mgmt':
        client.mgmt(action.path, action.command)
    elif action.op == 'write':
        try:
            client.write_attr(action.path, action.command)
        except ScstError as err:
            # A session may end by itself before it is closed (FC sessions end when the target is disabled).
            if action.kind != 'close_session' or err.errno != errno.ENOENT:
                raise
    elif action.op == 'wait':
        wait_gone(client, action.path, action.names)
    else:
        raise ValueError('unknown action op %r' % (action.op,))


def wait_gone(client, path, names):
    """Wait until none of names is listed in the directory path (sessions closing after force_close).

    Uses the client's timeout, poll interval, sleep and clock; nothing to wait for in a dry run, since the
    sessions were not really closed.
    """
    if client.dry_run:
        return
    deadline = client.clock() + client.timeout
    while True:
        left = sorted(set(names) & set(client.list_dir(path))) if client.exists(path) else []
        if not left:
            return
        if client.clock() >= deadline:
            raise ScstError('%s still holds %s %s s after they were asked to close; an initiator may be logging in '
                            'again: disable the target first or retry' % (path, ', '.join(left), client.timeout),
                            path=path, applied=list(client.applied))
        client.sleep(client.poll_interval)


def apply(client, actions):
    """Run actions in order through client under its apply lock; returns an ApplyResult.

    Stops at the first ScstError (ScstInputError included).
    """
    result = ApplyResult()
    with client.locked():
        for index, action in enumerate(actions):
            try:
                run_action(client, action)
            except ScstError as err:
                result.failed = action
                result.error = err
                result.not_applied = list(actions[index:])
                break
            result.applied.append(action)
    return result
