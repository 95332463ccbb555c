# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The rows of the fleet report (playbooks/gather.yml, filter storage.scst.scst_report_rows), one walk over
what scst_info returns (_info.read: exports, devices, version, modules, fc_ports, sessions) per host.

This module is private to this collection: it is not part of the public API and may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.text.formatters import bytes_to_human

COPY_MANAGER = 'copy_manager'
# The default LUN set of a target: what an initiator sees that no group of the target names.
ANY_INITIATOR = '(any initiator outside the groups)'
NO_ANSWER = 'no answer (unreachable, or the play failed before the read)'


def _by_name(text):
    # As Jinja's sort, which the report used first: case does not count.
    return text.lower() if isinstance(text, str) else text


def _lun_row(lun):
    return '%s → %s%s' % (lun['lun'], lun['device'], ' (ro)' if lun.get('read_only') else '')


def _lun_sets(target):
    """(group name, initiators, LUNs): the default LUN set first (group ''), then the groups in their order."""
    yield '', [ANY_INITIATOR], target.get('luns', [])
    for group in target.get('groups', []):
        yield group['name'], group.get('initiators', []), group.get('luns', [])


def _target_rows(scst, driver, target, exports, initiators):
    """The target's row; adds its initiators' rows to ``initiators`` and its LUNs to ``exports`` (device -> where)."""
    port = next((item.get('host', '') for item in scst.get('fc_ports', [])
                 if item.get('wwpn') == target['name'].lower()), '')
    groups = []
    for group, members, luns in _lun_sets(target):
        rows = [_lun_row(lun) for lun in luns]
        for lun in luns:
            exports.setdefault(lun['device'], []).append(
                '%s/%s%s LUN %s' % (driver['name'], target['name'], '/' + group if group else '', lun['lun']))
        if group:
            groups.append({'name': group, 'initiators': members, 'luns': rows})
        if rows:
            initiators.extend({'initiator': initiator, 'driver': driver['name'], 'target': target['name'],
                               'port': port, 'group': group, 'luns': rows} for initiator in members)
    # The target's own column lists its default LUN set without the read-only marks (the groups show them).
    return {'driver': driver['name'], 'name': target['name'], 'enabled': target.get('enabled', False), 'port': port,
            'luns': ['%s → %s' % (lun['lun'], lun['device']) for lun in target.get('luns', [])],
            'groups': groups,
            'sessions': list(scst.get('sessions', {}).get(driver['name'], {}).get(target['name'], []))}


def host_row(name, result, copy_manager=False):
    """One host's row of the report from its scst_info result ({} when there is none: the host did not answer)."""
    scst = result.get('scst') or {}
    targets, initiators, exports = [], [], {}
    for driver in scst.get('exports', []):
        if driver['name'] == COPY_MANAGER and not copy_manager:
            continue
        targets.extend(_target_rows(scst, driver, target, exports, initiators) for target in driver.get('targets', []))
    known = scst.get('devices', {})
    devices = [dict(known[device], name=device,
                    size_text=bytes_to_human(known[device]['size']) if known[device]['size'] is not None else '',
                    exports=exports.get(device, []))
               for device in sorted(known, key=_by_name)]
    if result.get('failed'):
        error = result.get('msg', '')
    else:
        error = '' if result else NO_ANSWER
    return {'name': name, 'error': error, 'version': scst.get('version', ''), 'modules': list(scst.get('modules', {})),
            'fc_ports': scst.get('fc_ports', []), 'devices': devices, 'targets': targets,
            'initiators': sorted(initiators, key=lambda row: _by_name(row['initiator']))}


def rows(results, copy_manager=False):
    """{host: scst_info result} -> the hosts' rows, sorted by host name."""
    return [host_row(name, results[name], copy_manager=copy_manager) for name in sorted(results, key=_by_name)]
