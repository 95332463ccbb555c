# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Seeded random pairs of configurations (random_configs.py) with random initiators logged in: without force a
plan never removes or re-points a LUN a session sees, deletes or re-creates a device such a LUN maps, disables
or deletes a target or group with sessions, or takes a session's initiator entry away; it is refused instead,
and refused only when the forced plan does one of these. The judge below reads the plan's writes, not the
planner's notes (_plan_guard)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import random
import re

import pytest

from ansible_collections.storage.scst.plugins.module_utils._plan import PlanError, plan
from ansible_collections.storage.scst.tests.unit.plugins.module_utils.random_configs import random_config

# Case budget: SCST_DISRUPTION_SEEDS (comma-separated, default 1301,1302,1303,1304) and SCST_DISRUPTION_CASES
# (configuration pairs per seed, default 100; the planner alone, no kernel: well under a second each).
SEEDS = tuple(int(seed) for seed in os.environ.get('SCST_DISRUPTION_SEEDS', '1301,1302,1303,1304').split(','))
CASES = int(os.environ.get('SCST_DISRUPTION_CASES', '100'))
STATES = ('merged', 'replaced', 'overridden', 'deleted')
IMAGES = dict(('d%d' % n, '/srv/scst/d%d.img' % n) for n in range(6))

_LUN_SET = re.compile(r'^targets/([^/]+)/([^/]+)/(?:ini_groups/([^/]+)/)?luns/mgmt$')
_GROUP = re.compile(r'^targets/([^/]+)/([^/]+)/ini_groups/([^/]+)/initiators/mgmt$')


def random_sessions(rng, current):
    """{driver: {target: {session: group or None}}}: some initiators of groups, some outside every group."""
    sessions = {}
    for driver in current['drivers']:
        for target in driver['targets']:
            found = {}
            for group in target['groups']:
                for initiator in group['initiators']:
                    if rng.random() < 0.4:
                        found[initiator] = group['name']
            if rng.random() < 0.4:
                found['iqn.1998-01.com.example:outsider' if driver['name'] == 'iscsi'
                      else '10:00:00:00:c9:00:00:99'] = None
            sessions.setdefault(driver['name'], {})[target['name']] = found
    return sessions


def lun_sets(current):
    """{(driver, target, group or None): {lun: device}}."""
    out = {}
    for driver in current['drivers']:
        for target in driver['targets']:
            out[(driver['name'], target['name'], None)] = dict((e['lun'], e['device']) for e in target['luns'])
            for group in target['groups']:
                out[(driver['name'], target['name'], group['name'])] = dict(
                    (e['lun'], e['device']) for e in group['luns'])
    return out


def disruptions(actions, current, sessions):
    """The writes of a plan that a logged-in initiator notices, judged from paths and commands alone."""
    sets = lun_sets(current)

    def seen(driver, target, group):
        return [s for s, g in sessions.get(driver, {}).get(target, {}).items() if g == group]

    def any_session(driver, target):
        return bool(sessions.get(driver, {}).get(target))

    found = []
    for action in actions:
        words = str(action.command).split() if action.command is not None else []
        lun_set = _LUN_SET.match(action.path)
        group_entry = _GROUP.match(action.path)
        if action.kind == 'del_lun' and seen(*lun_set.groups()):
            found.append(action)
        elif action.kind == 'replace_lun' and seen(*lun_set.groups()):
            if sets.get(lun_set.groups(), {}).get(int(words[2])) != words[1]:
                found.append(action)
        elif action.kind == 'del_device' and any(seen(*key) for key, luns in sets.items() if words[1] in luns.values()):
            found.append(action)
        elif action.kind == 'disable':
            parts = action.path.split('/')
            targets = [parts[2]] if len(parts) == 4 else list(sessions.get(parts[1], {}))
            if any(any_session(parts[1], target) for target in targets):
                found.append(action)
        elif action.kind in ('del_target', 'close_session'):
            found.append(action) if action.kind == 'close_session' or any_session(
                action.path.split('/')[1], words[1]) else None
        elif action.kind in ('del_initiator', 'move_initiator') and group_entry:
            if words[1].lower() in [s.lower() for s in seen(*group_entry.groups())]:
                found.append(action)
    return found


def subject(action):
    """What a refusal must name for a disrupting write: the device deleted, else the target (the driver for a
    driver's enabled)."""
    if action.kind == 'del_device':
        return 'device %s' % str(action.command).split()[1]
    if action.kind == 'del_target':
        return str(action.command).split()[1]
    parts = action.path.split('/')
    return parts[2] if len(parts) > 3 else 'target %s/' % parts[1]


@pytest.mark.parametrize('seed', SEEDS)
def test_random_plans_change_what_sessions_see_only_with_force(seed):
    rng = random.Random(seed)
    planned = refused = 0
    for case in range(CASES):
        current, desired = random_config(rng, IMAGES), random_config(rng, IMAGES)
        state, recreate = rng.choice(STATES), rng.choice(('never', 'options-changed', 'always'))
        meta = {'sessions': random_sessions(rng, current)}
        where = 'seed %d case %d (%s, recreate=%s)' % (seed, case, state, recreate)
        try:
            forced = plan(desired, current, state, recreate=recreate, force=True, meta=meta)
        except PlanError:
            continue  # a pair the planner cannot reach in one run, for reasons of its own
        planned += 1
        expected = disruptions(forced, current, meta['sessions'])
        try:
            actions = plan(desired, current, state, recreate=recreate, meta=meta)
        except PlanError as error:
            refused += 1
            assert str(error).startswith('refused: this run would change what logged-in initiators see'), where
            assert expected, '%s: refused, but the forced plan disrupts nothing: %s' % (where, error)
            for action in expected:
                assert subject(action) in str(error), '%s: %s is not named in: %s' % (where, subject(action), error)
            continue
        assert not expected, '%s: disrupts without force: %s' % (where, expected)
        assert actions == forced, where
    # The budget was spent on plans, and both outcomes occurred.
    assert planned >= CASES // 3 and 0 < refused < planned, (planned, refused)
