# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_schema is consistent with itself, and the tables other modules export are views of it.

test_schema_emulator.py checks the same table against the emulated kernel."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.storage.scst.plugins.module_utils import _model, _names, _schema, _sysfs, _validate


def _owners(kind):
    """The handlers or drivers the kind has names for; None alone for kinds whose names hold for every owner."""
    return set().union(*(kind.owners(cls) for cls in kind.classes)) or set([None])


@pytest.mark.parametrize('kind', sorted(_schema.KINDS), ids=str)
def test_classes_fit_together(kind):
    """Creation parameters, dynamic and multi-valued attributes are attributes (or entries that are not always
    files); derived values are attributes or information; nothing is both configuration and never read."""
    entry = _schema.KINDS[kind]
    for owner in _owners(entry):
        attributes = entry.names('attributes', owner)
        assert entry.names('creation', owner) <= attributes | entry.names('conditional', owner), owner
        assert entry.names('dynamic', owner) <= attributes & entry.names('multi', owner), owner
        assert entry.names('multi', owner) <= attributes, owner
        assert entry.names('derived', owner) <= attributes | entry.names('information', owner), owner
        assert not (attributes - entry.names('unsaved', owner)) & (entry.names('information', owner) | entry.names('counters', owner)), owner


def test_parents_and_paths():
    for kind in _schema.KINDS.values():
        assert kind.parent is None or kind.parent in _schema.KINDS
        assert bool(kind.create) == bool(kind.delete) == bool(kind.mgmt(*(['x'] * 3)))
    assert _schema.path('group', 'iscsi', 'T', 'G') == 'targets/iscsi/T/ini_groups/G'
    assert _schema.mgmt('group', 'iscsi', 'T') == 'targets/iscsi/T/ini_groups/mgmt'
    assert _schema.lun_set('iscsi', 'T') == 'targets/iscsi/T/luns'
    assert _schema.mgmt('lun', _schema.lun_set('iscsi', 'T', 'G')) == 'targets/iscsi/T/ini_groups/G/luns/mgmt'
    assert _schema.mgmt('initiator', _schema.path('group', 'iscsi', 'T', 'G')) == 'targets/iscsi/T/ini_groups/G/initiators/mgmt'
    assert _schema.path('device', 'vdisk_fileio', 'disk01') == 'devices/disk01'
    assert _schema.mgmt('device', 'vdisk_fileio') == 'handlers/vdisk_fileio/mgmt'
    assert _schema.mgmt('tg_target', 'dg', 'tg') == 'device_groups/dg/target_groups/tg/mgmt'
    assert _schema.group_of_lun_set('../../../ini_groups/g1/luns') == 'g1'
    assert _schema.group_of_lun_set('../../../luns') is None


def test_multi_valued_has_one_meaning():
    """A multi-valued attribute is a list in the model; the ones sysfs numbers (IncomingUser1) are among them."""
    numbered = set(_schema.NUMBERED)
    assert numbered <= _schema.KINDS['target'].names('multi', 'iscsi')
    assert set(_schema.KINDS['driver'].names('multi', 'iscsi')) <= numbered
    assert _schema.is_multi_valued('target', 'session_name', 'scst_local')
    assert not _schema.is_multi_valued('target', 'session_name', 'iscsi')
    assert not hasattr(_sysfs, 'MULTI_VALUED') and not hasattr(_model, 'MULTI_VALUED')
    assert _schema.base_name('IncomingUser12') == 'IncomingUser' and _schema.base_name('rel_tgt_id') == 'rel_tgt_id'


def test_views_come_from_the_schema():
    assert _model.DEVICE_CREATE_ATTRIBUTES == _schema.by_owner('device', 'creation')
    assert _model.TARGET_CREATE_ATTRIBUTES == {'qla2x00t': frozenset(('node_name', 'parent_host')),
                                               'scst_local': frozenset(('session_name',))}
    assert _model.LUN_CREATE_ATTRIBUTES == frozenset(('read_only',))
    assert _model.dynamic_attributes('driver', 'iscsi') == frozenset(('IncomingUser', 'OutgoingUser'))
    assert _validate.RESERVED_NAMES['device'] == _schema.KINDS['device'].reserved
    assert _names.HANDLER_MODULES is _schema.HANDLER_MODULES
    # size of a vdisk_fileio device is known (not answered as a typo) but never configuration (SYSFS.md 10).
    assert 'size' in _names.DEVICE_ATTRIBUTES['vdisk_fileio']
    assert 'size' in _schema.KINDS['device'].unread('vdisk_fileio')
    assert 'size' not in _schema.KINDS['device'].unread('vdisk_blockio')
    assert 'size' in _schema.names('device', 'attributes', 'vdisk_blockio')
