# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_plan_ports.order(): rel_tgt_id writes and target enables in an order the kernel accepts (SYSFS.md 3.5;
scst_sysfs.c scst_rel_tgt_id_store, scst_process_tgt_enable_store; scst_lib.c gen_relative_target_port_id).
Hand cases, then a seeded property test against a small model of those kernel rules."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import random

import pytest

from ansible_collections.storage.scst.plugins.module_utils._plan_base import PlanError
from ansible_collections.storage.scst.plugins.module_utils._plan_ports import Port, order

FC, ISCSI, OTHER = ('qla2x00t', '21:00:00:24:ff:00:00:01'), ('iscsi', 'iqn.x:a'), ('iscsi', 'iqn.x:b')


class Kernel(object):
    """The kernel's rel_tgt_id rules, as SYSFS.md 3.5 states them, with the rolling counter of automatic ids."""

    def __init__(self, ports):
        self.ids = dict((key, port.id) for key, port in ports.items())
        self.live = set(key for key, port in ports.items() if port.live)
        self.counter = 1

    def unique(self, value, key):
        return not any(other != key and self.ids[other] == value for other in self.live)

    def step(self, step):
        if step[0] == 'id':
            dummy, key, new, old = step
            assert old == self.ids[key], 'the step states the old id the kernel has'
            if key in self.live:
                assert 1 <= new <= 65535 and (new == self.ids[key] or self.unique(new, key)), 'EBADSLT writing %s' % (step,)
            self.ids[key] = new
            return
        key = step[1]
        assert key not in self.live, 'enabling an enabled target (qla2x00t: EINVAL)'
        if self.ids[key] == 0:
            while not self.unique(self.counter, None):
                self.counter += 1
            self.ids[key] = self.counter
            self.counter += 1
        assert self.unique(self.ids[key], key), 'EBADSLT enabling %s' % (key,)
        self.live.add(key)


def run(ports):
    kernel = Kernel(ports)
    steps = order(ports)
    for step in steps:
        kernel.step(step)
    return steps, kernel


def test_fc_target_pinned_to_1_and_iscsi_target_without_id_apply_in_one_run():
    # The plainest failure of enabling in configuration order: the iSCSI target would take id 1 first.
    ports = {FC: Port(0, False, enable=True, pin=1), ISCSI: Port(0, False, enable=True)}
    steps, kernel = run(ports)
    assert steps == [('id', FC, 1, 0), ('enable', FC), ('enable', ISCSI)]
    assert kernel.ids[FC] == 1 and kernel.ids[ISCSI] == 2


def test_automatic_id_held_by_an_unpinned_live_target_is_moved_out_of_the_way():
    ports = {ISCSI: Port(1, True), FC: Port(0, False, enable=True, pin=1)}
    steps, kernel = run(ports)
    assert steps == [('id', ISCSI, 2, 1), ('id', FC, 1, 0), ('enable', FC)]
    assert kernel.ids == {ISCSI: 2, FC: 1}


def test_swapping_ids_of_two_enabled_targets_goes_through_a_free_id():
    ports = {ISCSI: Port(1, True, pin=2), OTHER: Port(2, True, pin=1)}
    steps, kernel = run(ports)
    assert steps == [('id', ISCSI, 3, 1), ('id', OTHER, 1, 2), ('id', ISCSI, 2, 3)]
    assert kernel.ids == {ISCSI: 2, OTHER: 1}


def test_disabled_target_whose_old_id_was_taken_gets_a_free_one_before_enabling():
    ports = {ISCSI: Port(1, True), OTHER: Port(1, False, enable=True)}
    steps, kernel = run(ports)
    assert steps == [('id', OTHER, 2, 1), ('enable', OTHER)]


def test_nothing_to_do_when_ids_already_hold():
    assert order({ISCSI: Port(3, True, pin=3), OTHER: Port(7, True)}) == []


def test_two_enabled_targets_pinned_to_one_id_are_refused_before_any_step():
    with pytest.raises(PlanError, match='both have rel_tgt_id 4'):
        order({ISCSI: Port(0, False, enable=True, pin=4), OTHER: Port(4, True, pin=4)})
    # Disabled targets may share an id (the kernel checks live targets only).
    assert order({ISCSI: Port(0, False, pin=4), OTHER: Port(4, True, pin=4)}) == [('id', ISCSI, 4, 0)]


@pytest.mark.parametrize('seed', [1, 2, 3, 4, 5])
def test_random_ports_reach_their_wanted_ids_without_a_refused_write(seed):
    rng = random.Random(seed)
    for dummy in range(300):
        keys = [('d%d' % rng.randint(0, 1), 't%d' % n) for n in range(rng.randint(1, 7))]
        ports = {}
        free_pins = list(range(1, 9))
        rng.shuffle(free_pins)
        for key in keys:
            live = rng.random() < 0.5
            # Live targets hold distinct ids (the kernel's invariant); disabled ones any id, 0 when never enabled.
            held = set(p.id for p in ports.values() if p.live)
            current = rng.choice([i for i in range(1, 9) if i not in held]) if live else rng.choice([0, 0] + list(range(1, 9)))
            pin = free_pins.pop() if rng.random() < 0.5 else None
            ports[key] = Port(current, live, enable=not live and rng.random() < 0.7, pin=pin)
        steps, kernel = run(ports)
        for key, port in ports.items():
            if port.live or port.enable:
                assert key in kernel.live
            if port.pin is not None:
                assert kernel.ids[key] == port.pin
        live_ids = [kernel.ids[key] for key in kernel.live if kernel.ids[key]]
        assert len(live_ids) == len(set(live_ids))
        # A second plan from the state reached has nothing left to do.
        again = dict((key, Port(kernel.ids[key], key in kernel.live, pin=port.pin)) for key, port in ports.items())
        assert order(again) == []
