# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A rollback leaves the kernel exactly as before the run, whichever write fails: for random pairs (A, B) of
valid configurations (random_configs.py) on one emulated host, the run A -> B is made to fail at its N-th write,
for every N from 1 to its number of writes (the emulator's one-shot fault, emulator/README.md `scst-fault fail`),
and after the rollback a full read of the kernel (every attribute, default values included) equals the read
before the run. The runs are what scst_config does (scope, focus, refusal, snapshot, apply, restore), in states
overridden, replaced and merged.

Case budget: SCST_ROLLBACK_SEEDS (comma-separated seeds; the default 31,47,44,51 draws an overridden, a replaced, a
merged and a merged run with recreate=options-changed, of 15, 11, 9 and 18 writes) and SCST_ROLLBACK_PAIRS (pairs per seed, default 1); each
write of a plan costs about 1 to 3 s on the emulator."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import random

import pytest

from ansible_collections.storage.scst.plugins.module_utils import _restore
from ansible_collections.storage.scst.plugins.module_utils._apply import apply
from ansible_collections.storage.scst.plugins.module_utils._gather import gather, gather_meta
from ansible_collections.storage.scst.plugins.module_utils._plan import plan
from ansible_collections.storage.scst.plugins.module_utils._runner import _ReadMemo
from ansible_collections.storage.scst.plugins.modules.scst_config import scope_for
from ansible_collections.storage.scst.tests.unit.plugins.module_utils.emulated_host import (
    backing_files,
    emulated_host,
    fuse_missing,
)
from ansible_collections.storage.scst.tests.unit.plugins.module_utils.random_configs import (
    DEVICES,
    FC_PORTS,
    MODULES,
    random_config,
)

control = pytest.importorskip('scst_emulator.control', reason='the SCST emulator (emulator/) is not installed')

pytestmark = pytest.mark.skipif(fuse_missing() is not None, reason=str(fuse_missing()))

SEEDS = [int(seed) for seed in os.environ.get('SCST_ROLLBACK_SEEDS', '31,47,44,51').split(',')]
PAIRS = int(os.environ.get('SCST_ROLLBACK_PAIRS', '1'))
# (state, recreate): overridden re-creates devices and deletes targets; replaced and merged with recreate=never
# read only the drivers they name, so their rollback must widen that scope by itself; merged reads only the
# attributes the configuration names, except of the devices it re-creates.
RUNS = (('overridden', 'options-changed'), ('overridden', 'options-changed'), ('replaced', 'never'),
        ('merged', 'never'), ('merged', 'options-changed'))


@pytest.fixture
def host():
    with emulated_host(MODULES, FC_PORTS) as found:
        yield found


@pytest.fixture
def images(tmp_path):
    return backing_files(tmp_path, DEVICES)


def run(client, desired, state, recreate):
    """One scst_config run with rollback up to its apply (_runner.ScstModule.converge): (plan, snapshot)."""
    scope = scope_for(state, desired, recreate)
    memo = _ReadMemo(client)
    focus = desired if state == 'merged' else None
    before = gather(memo, nonkey=True, focus=focus, **scope)
    meta = gather_meta(client, handlers=scope.get('handlers'), drivers=scope.get('drivers'))
    actions = plan(desired, before, state, recreate=recreate, meta=meta)
    assert _restore.refusal(actions, before, meta) is None
    return actions, _restore.take(memo, scope, actions, focus=focus)


@pytest.mark.parametrize('seed', SEEDS)
def test_a_write_failing_at_any_step_is_rolled_back_exactly(host, images, seed):
    rng = random.Random(seed)
    client = host['client']
    cases = 0
    for pair in range(PAIRS):
        start, goal = random_config(rng, images), random_config(rng, images)
        state, recreate = rng.choice(RUNS)
        assert apply(client, plan(start, gather(client, nonkey=True), 'overridden', recreate='options-changed',
                                  meta=gather_meta(client))).ok
        before = gather(client, nonkey=True)
        # Each rollback is asserted to restore this state, so one plan and its snapshot serve every N.
        actions, snapshot = run(client, goal, state, recreate)
        writes = [action for action in actions if action.op != 'wait']
        for number in range(1, len(writes) + 1):
            where = 'seed %d pair %d (%s, recreate %s) write %d of %d' % (seed, pair, state, recreate, number, len(writes))
            control.call(host['sock'], 'faults', fail_nth=number, fail_errno=errno.EIO)
            result = apply(client, actions)
            assert result.failed == writes[number - 1], where
            assert len([action for action in result.applied if action.op != 'wait']) == number - 1, where
            _restore.restore(client, snapshot, result)
            assert result.rollback_error is None, '%s: %s' % (where, result.message())
            assert result.not_rolled_back == [], '%s: %s' % (where, result.message())
            assert gather(client, nonkey=True) == before, where
            cases += 1
        # Without a fault the same run reaches the goal: the plans above were complete ones.
        assert apply(client, run(client, goal, state, recreate)[0]).ok
    assert cases, 'the budget must run at least one failing write'
