# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a plan takes away from initiators that are logged in, and the one refusal of it without force.

This module is private to this collection: it is not part of the public API and may change without notice.
A mixin of _plan._Planner. While planning, every step that a logged-in initiator would notice is noted here:
a LUN removed from, or re-pointed in, a LUN set that a session sees (sessions/<s>/luns, SYSFS.md §8.5); a
device deleted or re-created while it is mapped in such a set (del_device removes its LUNs everywhere, §2.1);
a target or driver disabled, or a target or group deleted, while it has sessions; an initiator entry deleted or
moved while its session uses that group (SCST re-assigns the session to another LUN set, §8.2). At the end of
planning, before anything is written (check mode too), the plan is refused unless force is set, naming every
such LUN (target/group/LUN number) and session.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.storage.scst.plugins.module_utils._plan_base import PlanError, initiator_key
from ansible_collections.storage.scst.plugins.module_utils._schema import COPY_MANAGER

# A session is named after its initiator, with '#portal' under per_portal_acl and '_N' when the same name is
# connected twice (SYSFS.md §6.8).
_SESSION_SUFFIX = re.compile(r'(#[^#]*)?(_[0-9]+)?$')


def _pattern(entry):
    """An initiator entry as a regular expression: SCST's wildcmp (case-insensitive, *, ?, a leading ! inverts)."""
    inverted = entry.startswith('!')
    body = ''.join('.*' if c == '*' else '.' if c == '?' else re.escape(c) for c in entry[inverted:])
    return inverted, re.compile('^%s$' % body, re.IGNORECASE | re.DOTALL)


def _entry_matches(entry, session):
    inverted, pattern = _pattern(entry)
    name = _SESSION_SUFFIX.sub('', session) or session
    return bool(pattern.match(session) or pattern.match(name)) != inverted


class GuardPlanner(object):
    """The disruption part of _plan._Planner: notes what sessions would lose, refuses it without force."""

    # {key: sentence}: one sentence per LUN, target or initiator entry, in the order they were found.
    disruptions = None

    def _disrupt(self, key, sentence):
        if self.disruptions is None:
            self.disruptions = {}
        self.disruptions.setdefault(key, sentence)

    def seen_by(self, driver, target, group):
        """The sessions that see the LUN set of group (None: the target's default set)."""
        if driver == COPY_MANAGER:
            return []  # copy_manager_sess is SCST's own session for EXTENDED COPY (scst_copy_mgr.c), no initiator
        found = (((self.meta.get('sessions') or {}).get(driver) or {}).get(target)) or {}
        return sorted(name for name, grp in found.items() if grp == (group or None))

    def lun_taken(self, driver, target, group, lun, device, what):
        """LUN lun of a LUN set (mapping device) is removed or re-pointed: what says how."""
        names = self.seen_by(driver, target, group)
        if names:
            place = '/'.join(part for part in (driver, target, group) if part)
            self._disrupt(('lun', driver, target, group, lun),
                          'LUN %s/%d (device %s) would be %s, and %s see%s it'
                          % (place, lun, device, what, ', '.join(names), '' if len(names) > 1 else 's'))

    def device_taken(self, name, what):
        """Device name is deleted or re-created: every LUN that maps it, in every LUN set, goes with it."""
        for driver in sorted(self.have['drivers']):
            for have_t in self.have['drivers'][driver]['targets'].values():
                target = have_t['name']
                sets = [(None, have_t['luns'])] + [(group, have_t['groups'][group]['luns'])
                                                   for group in sorted(have_t['groups'])]
                for group, luns in sets:
                    for lun in sorted(luns):
                        if luns[lun]['device'] == name:
                            self.lun_taken(driver, target, group, lun, name, 'lost because device %s is %s'
                                           % (name, what))

    def target_disabled(self, driver, target):
        names = [] if driver == COPY_MANAGER else self.sessions(driver, target)
        if names:
            self._disrupt(('target', driver, target), 'target %s/%s would be disabled with session%s %s open'
                          % (driver, target, 's' if len(names) > 1 else '', ', '.join(names)))

    def driver_disabled(self, driver):
        for key in sorted(self.have['drivers'][driver]['targets']):
            self.target_disabled(driver, self.have['drivers'][driver]['targets'][key]['name'])

    def closed(self, what, names):
        """A target or group is deleted: its sessions are closed first."""
        self._disrupt(('closed', what), '%s would be deleted and its %d open session(s) closed (%s)'
                      % (what, len(names), ', '.join(names)))

    def initiator_taken(self, driver, target, group, entry, what):
        """Initiator entry of group is deleted or moved: the sessions it placed in the group change LUN set."""
        names = [name for name in self.seen_by(driver, target, group) if _entry_matches(entry, name)]
        if names:
            self._disrupt(('initiator', driver, target, group, initiator_key(entry)),
                          'initiator %s would be %s group %s/%s/%s, and session%s %s would see another LUN set'
                          % (entry, what, driver, target, group, 's' if len(names) > 1 else '', ', '.join(names)))

    def refuse_disruption(self):
        """Raise PlanError naming every disruption, unless force is set."""
        if not self.disruptions or self.force:
            return
        raise PlanError('refused: this run would change what logged-in initiators see: %s. Set force: true to do it '
                        'anyway (open sessions of deleted targets and groups are then closed)'
                        % '; '.join(self.disruptions.values()))
