# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Any valid configuration reaches any other in one run: seeded random chains A -> B -> C ... of configurations
(random_configs.py) applied with state=overridden to one emulated host (what scst_config does: gather, plan,
apply). Each step must apply without a refused write, a second plan must be empty, and the kernel must hold B
(automatic rel_tgt_id values and kernel-derived values aside). Plus the hand cases of the kernel's rel_tgt_id
rules (SYSFS.md 3.5) that made such transitions fail half-applied before."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import random

import pytest

from ansible_collections.storage.scst.plugins.module_utils._apply import apply
from ansible_collections.storage.scst.plugins.module_utils._gather import gather, gather_meta
from ansible_collections.storage.scst.plugins.module_utils._model import COPY_MANAGER, check
from ansible_collections.storage.scst.plugins.module_utils._plan import plan
from ansible_collections.storage.scst.plugins.module_utils._predict import predict
from ansible_collections.storage.scst.tests.unit.plugins.module_utils.emulated_host import (
    backing_files,
    emulated_host,
    fuse_missing,
)
from ansible_collections.storage.scst.tests.unit.plugins.module_utils.random_configs import (
    DEVICES,
    FC_PORTS,
    FC_TARGETS,
    ISCSI_TARGETS,
    MODULES,
    random_config,
)

pytestmark = pytest.mark.skipif(fuse_missing() is not None, reason=str(fuse_missing()))

# Case budget: SCST_TRANSITION_SEEDS (comma-separated seeds, default 11,12,13,14) and SCST_TRANSITION_STEPS
# (transitions per seed, default 10; about 2 s each on the emulator) widen the search off the suite.
SEEDS = tuple(int(seed) for seed in os.environ.get('SCST_TRANSITION_SEEDS', '11,12,13,14').split(','))
STEPS = int(os.environ.get('SCST_TRANSITION_STEPS', '10'))
# Device attributes the kernel derives from the backing file (SYSFS.md 10): never configuration.
DERIVED = frozenset(('size', 'size_mb'))


@pytest.fixture
def host():
    with emulated_host(MODULES, FC_PORTS) as found:
        yield found


@pytest.fixture
def images(tmp_path):
    return backing_files(tmp_path, DEVICES)


def converge(client, desired):
    """One scst_config run with state=overridden (recreate=options-changed: handler and blocksize changes)."""
    actions = plan(desired, gather(client, nonkey=True), 'overridden', recreate='options-changed',
                   meta=gather_meta(client))
    return actions, apply(client, actions)


def replan(client, desired):
    return plan(desired, gather(client, nonkey=True), 'overridden', recreate='options-changed', meta=gather_meta(client))


def view(model, wanted, values=None):
    """What of ``model`` a configuration ``wanted`` decides, as comparable data.

    values: the same state gathered with nonkey (default values too), for the attributes ``wanted`` names at
    their defaults, which the kernel does not mark [key]. Left out: copy_manager (its LUNs are automatic),
    handlers without devices, automatic rel_tgt_id values (targets ``wanted`` does not pin), kernel-derived
    device attributes, and hardware targets that ``wanted`` does not list once they are disabled and empty
    (overridden never deletes a port).
    """
    def named(level, found):
        return dict((item['name'], item) for item in (found or ()))

    want_devices = dict((d['name'], d) for h in wanted['handlers'] for d in h['devices'])
    want_targets = dict(((drv['name'], t['name']), t) for drv in wanted['drivers'] for t in drv['targets'])
    full = dict(((drv['name'], t['name']), t) for drv in (values or model)['drivers'] for t in drv['targets'])
    full_devices = dict((d['name'], d) for h in (values or model)['handlers'] for d in h['devices'])
    out = {'devices': {}, 'targets': {}, 'drivers': {}, 'device_groups': model['device_groups']}
    for handler in model['handlers']:
        for device in handler['devices']:
            attributes = dict((k, v) for k, v in device['attributes'].items() if k not in DERIVED)
            for attr in want_devices.get(device['name'], {'attributes': {}})['attributes']:
                attributes.setdefault(attr, full_devices[device['name']]['attributes'].get(attr))
            out['devices'][device['name']] = (handler['name'], attributes)
    for driver in model['drivers']:
        if driver['name'] == COPY_MANAGER:
            continue
        out['drivers'][driver['name']] = driver['enabled']
        for target in driver['targets']:
            key = (driver['name'], target['name'])
            pinned = want_targets.get(key, {'attributes': {}})['attributes']
            attributes = dict((k, v) for k, v in target['attributes'].items()
                              if k != 'rel_tgt_id' or 'rel_tgt_id' in pinned)
            for attr in pinned:
                attributes.setdefault(attr, full[key]['attributes'].get(attr))
            entry = {'enabled': bool(target['enabled']), 'attributes': attributes, 'luns': target['luns'],
                     'groups': named('group', target['groups'])}
            if key not in want_targets and target['hw_target'] and entry == {
                    'enabled': False, 'attributes': {}, 'luns': [], 'groups': {}}:
                continue
            out['targets'][key] = entry
    return out


def assert_reached(client, desired):
    assert replan(client, desired) == [], 'a second run would change something'
    assert view(gather(client), desired, gather(client, nonkey=True)) == view(desired, desired)


@pytest.mark.parametrize('seed', SEEDS)
def test_random_transitions_apply_in_one_run(host, images, seed):
    rng = random.Random(seed)
    client = host['client']
    pinned = 0
    for step in range(STEPS):
        desired = random_config(rng, images)
        pinned += sum(1 for drv in desired['drivers'] for t in drv['targets'] if 'rel_tgt_id' in t['attributes'])
        actions, result = converge(client, desired)
        assert result.ok, 'seed %d step %d: %s\n%s' % (seed, step, result.message(), '\n'.join(actions.commands()))
        assert_reached(client, desired)
    assert pinned >= STEPS // 2, 'the chain must exercise explicit rel_tgt_id values'


def target(name, enabled=True, rel_tgt_id=None, hw=False):
    found = {'name': name, 'enabled': enabled, 'hw_target': hw, 'attributes': {}}
    if rel_tgt_id is not None:
        found['attributes']['rel_tgt_id'] = str(rel_tgt_id)
    return found


def config(fc=(), iscsi=()):
    return check({'drivers': [{'name': 'qla2x00t', 'targets': list(fc)},
                              {'name': 'iscsi', 'enabled': True, 'targets': list(iscsi)}]})


def rel_tgt_ids(client):
    return dict((t['name'], t['attributes'].get('rel_tgt_id')) for drv in gather(client)['drivers']
                for t in drv['targets'] if drv['name'] != COPY_MANAGER)


def test_fc_target_at_id_1_and_iscsi_target_without_id_apply_in_one_run(host):
    client = host['client']
    desired = config([target(FC_TARGETS[0], rel_tgt_id=1, hw=True)], [target(ISCSI_TARGETS[0])])
    actions, result = converge(client, desired)
    assert result.ok, result.message()
    assert rel_tgt_ids(client)[FC_TARGETS[0]] == '1'
    assert rel_tgt_ids(client)[ISCSI_TARGETS[0]] not in (None, '0', '1')
    assert_reached(client, desired)


def test_an_automatic_id_is_moved_out_of_the_way_and_never_drift(host):
    client = host['client']
    first = config([], [target(ISCSI_TARGETS[0]), target(ISCSI_TARGETS[1])])
    assert converge(client, first)[1].ok
    ids = rel_tgt_ids(client)
    # The second configuration pins the id the first iSCSI target got automatically to the FC port.
    taken = int(ids[ISCSI_TARGETS[0]])
    second = config([target(FC_TARGETS[0], rel_tgt_id=taken, hw=True)], [target(ISCSI_TARGETS[0]), target(ISCSI_TARGETS[1])])
    actions, result = converge(client, second)
    assert result.ok, result.message()
    now = rel_tgt_ids(client)
    assert now[FC_TARGETS[0]] == str(taken) and now[ISCSI_TARGETS[0]] not in (str(taken), now[ISCSI_TARGETS[1]])
    assert now[ISCSI_TARGETS[1]] == ids[ISCSI_TARGETS[1]], 'only the target in the way moves'
    assert_reached(client, second)


def test_ids_swap_between_enabled_targets_through_a_free_id(host):
    client = host['client']
    assert converge(client, config([], [target(ISCSI_TARGETS[0], rel_tgt_id=1), target(ISCSI_TARGETS[1], rel_tgt_id=2)]))[1].ok
    swapped = config([], [target(ISCSI_TARGETS[0], rel_tgt_id=2), target(ISCSI_TARGETS[1], rel_tgt_id=1)])
    actions, result = converge(client, swapped)
    assert result.ok, result.message()
    assert [a.kind for a in actions] == ['set_attribute'] * 3, 'both stay enabled: three writes, no disable'
    assert rel_tgt_ids(client) == {ISCSI_TARGETS[0]: '2', ISCSI_TARGETS[1]: '1', FC_TARGETS[0]: None,
                                   FC_TARGETS[1]: None}


def test_merged_run_scoped_to_one_driver_moves_an_id_held_in_another_driver(host):
    # scst_config merged reads only the drivers the configuration names; the ids of the others come from
    # gather_meta, since the kernel checks uniqueness across every driver.
    client = host['client']
    assert converge(client, config([target(FC_TARGETS[0], hw=True)], []))[1].ok
    held = int(rel_tgt_ids(client)[FC_TARGETS[0]])
    desired = config([], [target(ISCSI_TARGETS[0], rel_tgt_id=held)])
    desired['drivers'] = [drv for drv in desired['drivers'] if drv['name'] == 'iscsi']
    before = gather(client, drivers=['iscsi'], nonkey=True, focus=desired)
    actions = plan(desired, before, 'merged', meta=gather_meta(client, drivers=['iscsi']))
    result = apply(client, actions)
    assert result.ok, result.message()
    ids = rel_tgt_ids(client)
    assert ids[ISCSI_TARGETS[0]] == str(held) and ids[FC_TARGETS[0]] not in (None, str(held))
    # The state after covers the scope of the state before: the FC target's move is not in it (it was a KeyError).
    assert any(a.path.startswith('targets/qla2x00t/') for a in actions)
    assert predict(before, actions, desired, client)[0] == gather(client, drivers=['iscsi'], nonkey=True, focus=desired)


def test_run_scoped_to_one_target_moves_an_id_held_by_another_target_of_its_driver(host):
    # scst_target reads only its own target; the ids of the driver's other targets come from gather_meta.
    client = host['client']
    assert converge(client, config([], [target(ISCSI_TARGETS[0]), target(ISCSI_TARGETS[1], enabled=False)]))[1].ok
    held = int(rel_tgt_ids(client)[ISCSI_TARGETS[0]])
    desired = check({'drivers': [{'name': 'iscsi', 'targets': [target(ISCSI_TARGETS[1], rel_tgt_id=held)]}]})
    scope = {'drivers': ['iscsi'], 'targets': [ISCSI_TARGETS[1]]}
    before = gather(client, nonkey=True, **scope)
    actions = plan(desired, before, 'merged', meta=gather_meta(client, **scope))
    result = apply(client, actions)
    assert result.ok, result.message()
    ids = rel_tgt_ids(client)
    assert ids[ISCSI_TARGETS[1]] == str(held) and ids[ISCSI_TARGETS[0]] not in (None, str(held))
    # scst_target predicts its whole target (no focus); the other target's move is outside that scope.
    assert any(a.path.startswith('targets/iscsi/%s/' % ISCSI_TARGETS[0]) for a in actions)
    assert predict(before, actions, None, client)[0] == gather(client, nonkey=True, **scope)


@pytest.mark.parametrize('seed', SEEDS[:2])
def test_random_merged_runs_predict_the_state_they_leave(host, images, seed):
    """merged reads only what the configuration names (gather focus) and predicts the state after from the
    plan (_predict): the prediction equals a fresh focused gather, reading back only what the kernel chose."""
    rng = random.Random(seed)
    client = host['client']
    for step in range(STEPS):
        desired = random_config(rng, images)
        before = gather(client, nonkey=True, focus=desired)
        actions = plan(desired, before, 'merged', recreate='options-changed', meta=gather_meta(client))
        result = apply(client, actions)
        assert result.ok, 'seed %d step %d: %s' % (seed, step, result.message())
        predicted, read_back = predict(before, actions, desired, client)
        assert predicted == gather(client, nonkey=True, focus=desired), 'seed %d step %d' % (seed, step)
        if not read_back:
            # Check mode predicts the same without reading anything (what the diff then shows).
            assert predict(before, actions, desired)[0] == predicted
        # Read back: the id of each target enabled without one (the kernel picks it), nothing else of targets.
        written = set(a.path.rsplit('/', 1)[0] for a in actions if a.path.endswith('/rel_tgt_id'))
        enabled_without_id = sorted(a.path.replace('/enabled', '/rel_tgt_id') for a in actions
                                    if a.kind == 'enable' and a.path.count('/') == 3
                                    and before_id(before, a.path) in (None, '0')
                                    and a.path.rsplit('/', 1)[0] not in written)
        assert sorted(path for path in read_back if path.endswith('/rel_tgt_id')) == enabled_without_id
        assert plan(desired, gather(client, nonkey=True, focus=desired), 'merged', meta=gather_meta(client)) == []


@pytest.mark.parametrize('seed', SEEDS[:2])
@pytest.mark.parametrize('nonkey', [False, True], ids=['key-attributes', 'all-attributes'])
def test_random_overridden_runs_predict_the_whole_state_they_leave(host, images, seed, nonkey):
    """overridden (and replaced, deleted, the per-object modules that read a whole object) predict the state after
    from the plan over a whole gather: the key attributes as scst.conf keeps them (scst_config's report) or every
    value (the planner's model). The prediction equals a fresh gather; what is read back is the attribute files of
    new objects, the ids the kernel chose, and of the key attributes each written one (is it still a key?)."""
    rng = random.Random(seed)
    client = host['client']
    for step in range(STEPS):
        desired = random_config(rng, images)
        before, shown = gather(client, nonkey=True), gather(client, nonkey=nonkey)
        actions = plan(desired, before, 'overridden', recreate='options-changed', meta=gather_meta(client))
        result = apply(client, actions)
        assert result.ok, 'seed %d step %d: %s' % (seed, step, result.message())
        predicted, read_back = predict(shown, actions, None, client, nonkey=nonkey)
        assert predicted == gather(client, nonkey=nonkey), 'seed %d step %d' % (seed, step)
        # At most: each new object whole (and a new device's copy_manager LUN), each enabled target's id, and
        # without nonkey each written attribute; never a whole gather.
        new = ('add_device', 'add_target', 'create_group', 'create_target_group', 'add_tg_target')
        made = sum(1 for a in actions if a.kind in new)
        bound = 2 * made + sum(1 for a in actions if a.kind == 'enable')
        assert len(read_back) <= bound + (0 if nonkey else sum(1 for a in actions if a.kind == 'set_attribute'))
        # Nothing is read back twice (copy_manager's LUN set gets an entry per new device).
        assert len(read_back) == len(set(read_back)), read_back


def before_id(model, enabled_path):
    dummy, driver, name, dummy = enabled_path.split('/')
    for drv in model['drivers']:
        for found in drv['targets']:
            if drv['name'] == driver and found['name'] == name:
                return found['attributes'].get('rel_tgt_id')
    return None
