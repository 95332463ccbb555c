# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What scst_info returns (the parts of gather_subset), read by scst_info and, after its converge, by scst_config.

This module is private to this collection: it is not part of the public API and may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.storage.scst.plugins.module_utils._gather import fc_port_details, gather, gather_facts, kernel_modules
from ansible_collections.storage.scst.plugins.module_utils._model import empty_model
from ansible_collections.storage.scst.plugins.module_utils._schema import DEVICES, HANDLER_LINK, path as sysfs_path

SUBSETS = ('config', 'exports', 'devices', 'version', 'modules', 'fc_ports', 'sessions')
# Device attributes that tell an initiator's disk apart (VPD pages 0x80 and 0x83) and what backs it.
IDENTITY = ('size', 'filename', 'read_only', 't10_vend_id', 't10_dev_id', 'usn', 'naa_id', 'eui64_id')


def devices(client):
    """{device: {handler, size, filename, read_only, t10_vend_id, t10_dev_id, usn, naa_id, eui64_id}}."""
    out = {}
    for name in client.list_dir(DEVICES, kind='dir'):
        where = sysfs_path('device', None, name)
        attrs = client.read_attrs(where, names=IDENTITY)
        entry = dict((key, attrs[key][0] if key in attrs and attrs[key][0] != '' else None) for key in IDENTITY)
        entry['size'] = int(entry['size']) if entry['size'] and entry['size'].isdigit() else None
        entry['read_only'] = entry['read_only'] == '1' if entry['read_only'] is not None else None
        link = '%s/%s' % (where, HANDLER_LINK)
        entry['handler'] = client.link_name(link) if client.exists(link) else None
        out[name] = entry
    return out


def _without_attributes(item):
    return dict((key, value) for key, value in item.items() if key != 'attributes')


def exports(client):
    """The drivers of the configuration model with their targets, LUNs, groups and initiators but no attributes.

    What an initiator is offered, read at a fraction of the cost of the whole configuration: a gather focused on
    a model that names no attribute lists every object and reads none of their attributes.
    """
    drivers = gather(client, handlers=[], device_groups=False, global_attributes=False, focus=empty_model())['drivers']
    return [dict(_without_attributes(driver),
                 targets=[dict(_without_attributes(target), groups=[_without_attributes(g) for g in target['groups']])
                          for target in driver['targets']])
            for driver in drivers]


def read(client, subset):
    """{loaded, notes, and one key per part of ``subset``} (see scst_info's RETURN)."""
    info = {'loaded': os.path.isdir(client.root), 'notes': []}
    if not info['loaded']:
        info['notes'].append('SCST is not loaded: %s does not exist; load the kernel module scst (for example with '
                             'storage.scst.scst_module) to read its configuration, version and sessions' % client.root)
    facts = gather_facts(client) if info['loaded'] and subset & set(('version', 'sessions')) else {}
    if 'config' in subset:
        info['config'] = gather(client) if info['loaded'] else empty_model()
    if 'exports' in subset:
        info['exports'] = exports(client) if info['loaded'] else []
    if 'devices' in subset:
        info['devices'] = devices(client) if info['loaded'] else {}
    if 'version' in subset:
        info['version'] = facts.get('version')
    if 'sessions' in subset:
        info['sessions'] = dict((driver, dict((target, [session['name'] for session in sessions])
                                              for target, sessions in targets.items()))
                                for driver, targets in facts.get('sessions', {}).items())
    if 'modules' in subset:
        # gather_facts read them already when it ran: each is a handful of reads, through FUSE on a virtual host.
        info['modules'] = facts['kernel_modules'] if 'kernel_modules' in facts else kernel_modules()
    if 'fc_ports' in subset:
        info['fc_ports'] = fc_port_details()
    return info
