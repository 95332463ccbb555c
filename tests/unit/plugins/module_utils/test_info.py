# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.storage.scst.plugins.module_utils import _info
from ansible_collections.storage.scst.plugins.module_utils._sysfs import SysfsClient

from ansible_collections.storage.scst.tests.unit.plugins.module_utils.test_gather import (  # noqa: F401 pylint: disable=unused-import
    IQN, QLA, client, expected_model, tree)


def _read_paths(client, monkeypatch):
    """Every file the client is asked to read, as a list that grows while the test runs."""
    paths = []
    for name in ('read', 'read_value', 'read_lines'):
        original = getattr(client, name)
        monkeypatch.setattr(client, name, lambda path, _original=original: paths.append(path) or _original(path))
    original_attrs = client.read_attrs

    def read_attrs(path, names=None, **kwargs):
        paths.extend('%s/%s' % (path, name) for name in (names or ['*']))
        return original_attrs(path, names=names, **kwargs)
    monkeypatch.setattr(client, 'read_attrs', read_attrs)
    return paths


def strip(drivers):
    """The drivers of a configuration model without the attributes of drivers, targets and groups."""
    return [dict([(k, v) for k, v in driver.items() if k != 'attributes'],
                 targets=[dict([(k, v) for k, v in target.items() if k != 'attributes'],
                               groups=[dict((k, v) for k, v in group.items() if k != 'attributes')
                                       for group in target['groups']])
                          for target in driver['targets']])
            for driver in drivers]


def test_exports_is_the_configuration_without_attributes(client):
    assert _info.exports(client) == strip(expected_model()['drivers'])
    iscsi = [driver for driver in _info.exports(client) if driver['name'] == 'iscsi'][0]
    assert iscsi['targets'][0]['groups'][0] == {'name': 'esx', 'initiators': ['iqn.1998-01.com.vmware:esx1'],
                                                'luns': [{'lun': 3, 'device': 'disk01', 'read_only': True}]}


def test_exports_reads_no_attribute(client, monkeypatch):
    # Only the states the model keeps outside attributes (enabled, hw_target, each LUN's read_only) and the
    # targets' rel_tgt_id (read by every focused gather): never a CHAP secret, never a device attribute.
    paths = _read_paths(client, monkeypatch)
    _info.exports(client)
    assert paths and set(os.path.basename(path) for path in paths) <= set(['enabled', 'hw_target', 'rel_tgt_id', 'read_only'])
    assert not [path for path in paths if path.startswith(('devices/', 'handlers/', 'device_groups'))]


def test_read_returns_the_parts_asked_for(client):
    info = _info.read(client, set(['exports', 'devices', 'version', 'sessions']))
    assert sorted(info) == ['devices', 'exports', 'loaded', 'notes', 'sessions', 'version']
    assert info['loaded'] and info['notes'] == [] and info['version'] == '3.11.0-pre'
    assert info['sessions'] == {'iscsi': {IQN: ['iqn.1998-01.com.vmware:esx1', 'iqn.other']}}
    assert info['devices']['disk01']['handler'] == 'vdisk_fileio' and info['devices']['disk01']['filename'] == '/srv/disk01.img'
    assert [t['name'] for d in info['exports'] for t in d['targets']] == ['copy_manager_tgt', IQN, QLA]
    assert _info.read(client, set(['config']))['config'] == expected_model()


def test_read_without_scst_says_so(tmp_path):
    info = _info.read(SysfsClient(root=str(tmp_path / 'absent'), log_reader=None), set(['exports', 'config', 'devices']))
    assert not info['loaded'] and 'SCST is not loaded' in info['notes'][0]
    assert info['exports'] == [] and info['devices'] == {} and info['config']['drivers'] == []
