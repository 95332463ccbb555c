# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Drift that widens access: what the running kernel exposes beyond the configuration a merged run applies.

This module is private to this collection: it is not part of the public API and may change without notice.
state=merged never removes anything, so an initiator added to a group by hand, a LUN added to a target's default
set (seen by every initiator outside the groups) or an extra enabled target stays, and the run would be silent
about it. find() lists those objects, within the drivers the configuration names, so that they are reported
as warnings and in the result: each entry says what it is, where, and which state would remove it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.storage.scst.plugins.module_utils._schema import COPY_MANAGER


def _by_name(items, key='name'):
    return dict((item[key], item) for item in items or [])


def _lun_text(lun):
    return 'LUN %s (device %s%s)' % (lun['lun'], lun['device'], ', read-only' if lun.get('read_only') else '')


def _extra_luns(path, running, wanted, audience):
    wanted_numbers = set(lun['lun'] for lun in wanted)
    return [{'path': '%s/luns/%s' % (path, lun['lun']), 'kind': 'lun',
             'message': '%s %s is not in the configuration and is seen by %s' % (path, _lun_text(lun), audience)}
            for lun in running if lun['lun'] not in wanted_numbers]


def _target_drift(path, running, wanted):
    found = _extra_luns(path, running['luns'], wanted.get('luns') or [],
                        'every initiator outside its groups (the default LUN set)')
    wanted_groups = _by_name(wanted.get('groups'))
    for group in running['groups']:
        gpath = '%s/groups/%s' % (path, group['name'])
        luns = ', '.join(_lun_text(lun) for lun in group['luns']) or 'no LUN yet'
        if group['name'] not in wanted_groups:
            found.append({'path': gpath, 'kind': 'group',
                          'message': '%s is not in the configuration; its initiators %s see %s'
                                     % (gpath, ', '.join(group['initiators']) or '(none)', luns)})
            continue
        wanted_group = wanted_groups[group['name']]
        wanted_initiators = set(wanted_group.get('initiators') or [])
        found.extend({'path': '%s/initiators/%s' % (gpath, initiator), 'kind': 'initiator',
                      'message': 'initiator %s in %s is not in the configuration and sees %s' % (initiator, gpath, luns)}
                     for initiator in group['initiators'] if initiator not in wanted_initiators)
        found.extend(_extra_luns(gpath, group['luns'], wanted_group.get('luns') or [],
                                 'the initiators of the group (%s)' % (', '.join(group['initiators']) or 'none yet')))
    return found


def find(desired, current, removed_by):
    """Entries {path, kind, message, removed_by} for access the running model grants beyond desired.

    desired, current: canonical models; only drivers that desired names are compared (a merged run reads no
    other). removed_by: the state that would remove them, named in every entry.
    """
    running = _by_name(current.get('drivers'))
    found = []
    for wanted_driver in desired.get('drivers') or []:
        driver = running.get(wanted_driver['name'])
        if driver is None or driver['name'] == COPY_MANAGER:   # its LUNs follow the devices by themselves
            continue
        wanted_targets = _by_name(wanted_driver.get('targets'))
        for target in driver['targets']:
            path = '%s/%s' % (driver['name'], target['name'])
            if target['name'] in wanted_targets:
                found.extend(_target_drift(path, target, wanted_targets[target['name']]))
            elif target.get('enabled'):
                found.append({'path': path, 'kind': 'target',
                              'message': 'target %s is enabled and not in the configuration' % path})
    for entry in found:
        entry['removed_by'] = removed_by
    return found
