# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_schema against the emulated kernel: on a host with one object of every kind, every kind's directory and
mgmt file exist where the schema says, and every attribute the schema names for a kind (and handler or
driver) is an entry of that object's directory, or is one the schema marks as conditional (made when added, present only in some states or builds).

vdisk_blockio is not among the objects: its add_device needs a block device (SYSFS.md 2.1), which the test
rig does not have; its rows are the vdisk_fileio rows plus size and size_mb (SYSFS.md 10).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.storage.scst.plugins.module_utils import _schema
from ansible_collections.storage.scst.plugins.module_utils._gather import gather
from ansible_collections.storage.scst.tests.unit.plugins.module_utils.emulated_host import (
    backing_files,
    emulated_host,
    fuse_missing,
)

pytestmark = pytest.mark.skipif(fuse_missing() is not None, reason=str(fuse_missing()))

ISCSI = 'iqn.2026-01.com.example:schema'
INITIATOR = 'iqn.2026-01.com.example:host1'
FC_PORT = '21:00:00:24:ff:00:00:01'
MODULES = ('scst', 'scst_vdisk', 'iscsi_scst', 'scst_local', 'qla2xxx_scst', 'qla2x00tgt')


# Function scope, as every emulator of the unit tests (emulated_host.py says why).
@pytest.fixture
def host(tmp_path):
    """One object of every kind, made through the mgmt files the schema names with the commands it names."""
    images = backing_files(tmp_path, ['disk01'])
    with emulated_host(modules=MODULES, fc_ports=('0x' + FC_PORT.replace(':', ''),)) as emulated:
        client = emulated['client']

        def make(kind, ancestors, name, *extra):
            entry = _schema.KINDS[kind]
            client.mgmt(entry.mgmt(*ancestors), ' '.join((entry.create, name) + extra))

        with client.locked():
            make('device', ('vdisk_fileio',), 'disk01', 'filename=%s' % images['disk01'])
            make('device', ('vdisk_nullio',), 'null01')
            make('device', ('vcdrom',), 'cd01')
            make('target', ('iscsi',), ISCSI)
            make('target', ('scst_local',), 'local01', 'session_name=sess01')
            target = _schema.path('target', 'iscsi', ISCSI)
            group = _schema.path('group', 'iscsi', ISCSI, 'g1')
            make('group', ('iscsi', ISCSI), 'g1')
            make('initiator', (group,), INITIATOR)
            make('lun', (_schema.path('lun_set', target),), 'disk01', '0')
            make('lun', (_schema.path('lun_set', group),), 'null01', '0')
            make('device_group', (), 'dg1')
            make('dg_device', ('dg1',), 'disk01')
            make('target_group', ('dg1',), 'tg1')
            make('tg_target', ('dg1', 'tg1'), ISCSI)
            make('tg_target', ('dg1', 'tg1'), 'remote01')
            for kind in ('driver', 'target'):
                add = _schema.DYNAMIC_COMMANDS[kind][0]
                args = (ISCSI,) if kind == 'target' else ()
                for attribute in _schema.KINDS[kind].names('dynamic', 'iscsi'):
                    value = 'portal*' if attribute == 'allowed_portal' else 'user1 secret123456789'
                    client.mgmt(_schema.KINDS['target'].mgmt('iscsi'), ' '.join((add,) + args + (attribute, value)))
        yield emulated


# Every object made above as (kind, owner, names): owner is its handler or driver; its directory is
# path(*names) and the mgmt file that made it mgmt(*names[:-1]).
def _objects():
    target = _schema.path('target', 'iscsi', ISCSI)
    group = _schema.path('group', 'iscsi', ISCSI, 'g1')
    return [
        ('global', None, ()),
        ('handler', 'vdisk_fileio', ('vdisk_fileio',)),
        ('device', 'vdisk_fileio', ('vdisk_fileio', 'disk01')),
        ('device', 'vdisk_nullio', ('vdisk_nullio', 'null01')),
        ('device', 'vcdrom', ('vcdrom', 'cd01')),
        ('driver', 'iscsi', ('iscsi',)),
        ('driver', _schema.COPY_MANAGER, (_schema.COPY_MANAGER,)),
        ('target', 'iscsi', ('iscsi', ISCSI)),
        ('target', 'scst_local', ('scst_local', 'local01')),
        ('target', 'qla2x00t', ('qla2x00t', FC_PORT)),
        ('target', _schema.COPY_MANAGER, (_schema.COPY_MANAGER, 'copy_manager_tgt')),
        ('session', 'scst_local', ('scst_local', 'local01', 'sess01')),
        ('lun_set', None, (target,)),
        ('lun', None, (_schema.path('lun_set', target), '0')),
        ('lun', None, (_schema.path('lun_set', group), '0')),
        ('group', 'iscsi', ('iscsi', ISCSI, 'g1')),
        ('initiator', None, (group, INITIATOR)),
        ('alua', None, ()),
        ('device_group', None, ('dg1',)),
        ('dg_device', None, ('dg1', 'disk01')),
        ('target_group', None, ('dg1', 'tg1')),
        ('tg_target', None, ('dg1', 'tg1', ISCSI)),
        ('tg_target', None, ('dg1', 'tg1', 'remote01')),
    ]


def test_every_kind_has_an_object_here():
    assert set(kind for kind, dummy, dummy in _objects()) == set(_schema.KINDS)


@pytest.mark.parametrize('kind, owner, names', _objects(), ids=str)
def test_directory_and_mgmt_are_where_the_schema_says(host, kind, owner, names):
    root = host['client'].root
    entry = _schema.KINDS[kind]
    assert os.path.lexists(os.path.join(root, entry.path(*names))), entry.path(*names)
    if entry.create and not (kind == 'target' and owner in _schema.HARDWARE_ONLY_DRIVERS):
        assert os.path.isfile(os.path.join(root, entry.mgmt(*names[:-1]))), entry.mgmt(*names[:-1])


@pytest.mark.parametrize('kind, owner, names', _objects(), ids=str)
def test_every_attribute_the_schema_names_is_there(host, kind, owner, names):
    """Attributes, creation parameters, derived values, information and counters of the schema exist as entries."""
    entry = _schema.KINDS[kind]
    where = entry.path(*names)
    full = os.path.join(host['client'].root, where)
    # An initiator is a file (SYSFS.md 2.6): it has no attributes.
    listed = set(os.listdir(full)) if os.path.isdir(full) else set()
    named = set()
    for cls in ('attributes', 'creation', 'derived', 'information', 'counters', 'dynamic'):
        named |= entry.names(cls, owner)
    missing = sorted(name for name in named - entry.names('conditional', owner) if name not in listed)
    assert missing == [], '%s %s (%s): %s' % (kind, owner, where, missing)


def test_dynamic_attributes_come_when_added(host):
    """The dynamic attributes of iSCSI, which are not always there, are there once added (SYSFS.md 6.4, 6.5)."""
    root = host['client'].root
    for kind, args in (('driver', ('iscsi',)), ('target', ('iscsi', ISCSI))):
        listed = os.listdir(os.path.join(root, _schema.path(kind, *args)))
        assert _schema.KINDS[kind].names('dynamic', 'iscsi') <= set(listed)


def test_gathered_model_holds_no_information_attribute(host):
    """gather leaves out what the schema calls information (size of vdisk_fileio and vcdrom: SYSFS.md 10)."""
    model = gather(host['client'], nonkey=True)
    for handler in model['handlers']:
        unread = _schema.KINDS['device'].unread(handler['name'])
        for device in handler['devices']:
            assert not unread & set(device['attributes']), (handler['name'], device)
    fileio = [h for h in model['handlers'] if h['name'] == 'vdisk_fileio'][0]['devices'][0]
    assert 'filename' in fileio['attributes'] and 'size' not in fileio['attributes']
    nullio = [h for h in model['handlers'] if h['name'] == 'vdisk_nullio'][0]['devices'][0]
    assert nullio['attributes']['size'] == '2748779069440'


def test_focused_gather_reads_the_derived_size_a_configuration_names(host):
    """A merged run that names the size of a vdisk_fileio device reads it, so that the planner can warn when the
    backing file has another size; an unfocused gather leaves it out."""
    focus = {'attributes': {}, 'alua': {}, 'device_groups': [], 'drivers': [],
             'handlers': [{'name': 'vdisk_fileio', 'attributes': {},
                           'devices': [{'name': 'disk01', 'attributes': {'size': '4096'}}]}]}
    model = gather(host['client'], handlers=['vdisk_fileio'], drivers=[], device_groups=False, focus=focus)
    device = model['handlers'][0]['devices'][0]
    assert device['attributes'] == {'size': str(1 << 20)}


@pytest.mark.parametrize('kind, owner, names', _objects(), ids=str)
def test_every_attribute_file_there_is_in_the_schema(host, kind, owner, names):
    """The other way round: every attribute file of the object is in one of the schema's classes for it (or is a
    counter by name, or a numbered value of a multi-valued attribute), so that gather never guesses."""
    entry = _schema.KINDS[kind]
    full = os.path.join(host['client'].root, entry.path(*names))
    if os.path.islink(full) or not os.path.isdir(full):
        # A link to the object itself (a device group's device, a local target of a target group), or a file.
        return
    files = [name for name in os.listdir(full) if os.path.isfile(os.path.join(full, name)) and name != _schema.MGMT
             and not os.path.islink(os.path.join(full, name))]
    known = set().union(*(entry.names(cls, owner) for cls in entry.classes))
    unknown = sorted(name for name in files if _schema.base_name(name) not in known and not _schema.COUNTER.search(name))
    assert unknown == [], '%s %s (%s): %s' % (kind, owner, entry.path(*names), unknown)
