# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Relative target port ids and target enables, ordered so that the kernel never refuses one.

This module is private to this collection: it is not part of the public API and may change without notice.
The kernel's rules (scst_sysfs.c scst_rel_tgt_id_store and scst_process_tgt_enable_store,
scst_lib.c gen_relative_target_port_id and scst_is_relative_target_port_id_unique):

- a target is *live* while it is enabled, or always when its driver has no ``enabled`` (copy_manager,
  scst_local); ids must be unique among live targets only;
- writing ``rel_tgt_id`` of a live target to an id another live target holds fails with EBADSLT; writing it
  on a disabled target is never checked (and 0 is accepted only there);
- enabling a target with id 0 hands it a free id of the kernel's choosing; enabling one with an id a live
  target holds fails with EBADSLT.

order() turns the ports' current and wanted states into steps that respect these rules: explicit (pinned)
ids are claimed first, moving any live target that holds one out of the way to an id nobody uses (an
automatic id is free to move; a pinned one that must move to an id held by another goes through a free id);
then pinned targets are enabled, then unpinned ones whose old id is still theirs, and last those with id 0,
which the kernel numbers itself.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.storage.scst.plugins.module_utils._plan_base import PlanError

MIN_ID, MAX_ID = 1, 65535


class Port(object):
    """One target as the ids care for it.

    id: its rel_tgt_id now (0: none yet). live: whether it counts as enabled once the plan's disables and
    deletions are done. enable: whether the plan enables it. pin: the id the configuration gives it, or None.
    """

    __slots__ = ('id', 'live', 'enable', 'pin')

    def __init__(self, id, live, enable=False, pin=None):  # pylint: disable=redefined-builtin
        self.id = id
        self.live = live
        self.enable = enable
        self.pin = pin


def order(ports):
    """Steps for ports ({key: Port}, keys sortable): a list of ('id', key, new, old) and ('enable', key).

    Raises PlanError when two targets that will be live are pinned to the same id.
    """
    ids = dict((key, port.id) for key, port in ports.items())
    live = set(key for key, port in ports.items() if port.live)
    final = live | set(key for key, port in ports.items() if port.enable)
    owners = {}
    for key in sorted(final):
        pin = ports[key].pin
        if pin is not None:
            if pin in owners:
                raise PlanError('targets %s and %s both have rel_tgt_id %d; an enabled target needs an id of its own'
                                % (_show(owners[pin]), _show(key), pin))
            owners[pin] = key
    steps = []

    def holders(value, key):
        return [other for other in sorted(live) if other != key and ids[other] == value]

    def free():
        taken = set(ids.values()) | set(port.pin for port in ports.values() if port.pin is not None)
        candidate = MIN_ID
        while candidate in taken:
            candidate += 1
        if candidate > MAX_ID:
            raise PlanError('no free relative target id is left for moving a target out of the way')
        return candidate

    def move(key, value):
        steps.append(('id', key, value, ids[key]))
        ids[key] = value

    # Live unpinned targets that hold an id a pinned target claims step aside first (pinned holders move to
    # their own ids below).
    for pin in sorted(owners):
        for other in holders(pin, owners[pin]):
            if ports[other].pin is None:
                move(other, free())
    pending = [key for key in sorted(ports) if ports[key].pin is not None and ids[key] != ports[key].pin]
    while pending:
        ready = [key for key in pending if key not in live or not holders(ports[key].pin, key)]
        if not ready:
            # A cycle of live pinned targets (each wants the id of the next): one goes through a free id.
            move(pending[0], free())
            continue
        for key in ready:
            move(key, ports[key].pin)
            pending.remove(key)
    enables = [key for key in sorted(ports) if ports[key].enable and key not in live]
    pinned = [key for key in enables if ports[key].pin is not None]
    numbered = [key for key in enables if ports[key].pin is None and ids[key]]
    unnumbered = [key for key in enables if ports[key].pin is None and not ids[key]]
    for key in pinned + numbered:
        if holders(ids[key], key) or (ids[key] in owners and owners[ids[key]] != key):
            # A disabled target's old automatic id went to another target meanwhile: a free one, before enabling.
            move(key, free())
        steps.append(('enable', key))
        live.add(key)
    for key in unnumbered:
        steps.append(('enable', key))
        live.add(key)
    return steps


def _show(key):
    return '/'.join(key) if isinstance(key, tuple) else str(key)
