# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The look-ups of the per-object modules (_objects) and the prepare hook of ScstModule.converge (_runner)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import os

import pytest

from ansible_collections.storage.scst.plugins.module_utils import _objects, _plan_object, _runner
from ansible_collections.storage.scst.plugins.module_utils._errors import ScstInputError
from ansible_collections.storage.scst.plugins.module_utils._model import normalize
from ansible_collections.storage.scst.plugins.module_utils._plan import PlanError
from ansible_collections.storage.scst.plugins.module_utils._sysfs import SysfsClient

QLA = '21:00:00:24:ff:31:4c:48'


def current():
    return normalize({
        'handlers': [{'name': 'vdisk_fileio', 'devices': [{'name': 'disk1', 'attributes': {'filename': '/d1'}}]}],
        'drivers': [
            {'name': 'copy_manager', 'targets': [{'name': 'copy_manager_tgt', 'luns': [{'lun': 0, 'device': 'disk1'}]}]},
            {'name': 'qla2x00t', 'targets': [{'name': QLA, 'hw_target': True, 'luns': [{'lun': 3, 'device': 'disk1'}],
                                              'groups': [{'name': 'esx', 'initiators': ['21:00:00:24:ff:7a:11:02'],
                                                          'luns': [{'lun': 0, 'device': 'disk1'}]}]}]},
        ],
    })


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / 'scst_tgt'
    for path in ('handlers/vdisk_fileio', 'targets/iscsi/iqn.2026-01.com.example:t1', 'devices/disk1', 'devices/2:0:0:0'):
        os.makedirs(str(root / path))
    os.symlink('../../handlers/vdisk_fileio', str(root / 'devices/disk1/handler'))
    return SysfsClient(root=str(root), log_reader=None, lock_path=str(tmp_path / 'lock'))


def test_device_luns_lists_every_lun_but_copy_managers():
    assert _plan_object.device_luns(current(), 'disk1') == ['qla2x00t/%s/3' % QLA, 'qla2x00t/%s/esx/0' % QLA]
    assert _plan_object.device_luns(current(), 'disk2') == []


def test_fc_names_in_any_common_form_are_normalised():
    assert _objects.target_name('qla2x00t', '0x21000024FF314C48') == QLA
    assert _objects.find_target(current(), 'qla2x00t', '21:00:00:24:FF:31:4C:48')['name'] == QLA
    assert _objects.initiator_names('qla2x00t', ['21-00-00-24-FF-7A-11-02', '21:00:00:24:FF:*']) == [
        '21:00:00:24:ff:7a:11:02', '21:00:00:24:ff:*']
    assert _objects.initiator_names('iscsi', ['iqn.1993-08.org.debian:01:ABC']) == ['iqn.1993-08.org.debian:01:ABC']


@pytest.mark.parametrize('option, call', [
    ('target', lambda: _objects.target_name('qla2x00t', 'port1')),
    ('target', lambda: _objects.target_name('iscsi', 'iqn.x t1')),
    ('initiators[0]', lambda: _objects.initiator_names('qla2x00t', ['host1'])),
    ('initiators[1]', lambda: _objects.initiator_names('iscsi', ['iqn.1998-01.com.vmware:h1', 'a/b'])),
])
def test_bad_names_name_the_option(option, call):
    with pytest.raises(ScstInputError) as err:
        call()
    assert str(err.value).startswith('%s: invalid value ' % option)


def test_missing_containers_are_refused_with_what_the_host_has(tree):
    _objects.require_handler(tree, 'vdisk_fileio')
    with pytest.raises(PlanError, match=r"^handler: 'vdisk_bogus' is not a loaded device handler \(loaded: vdisk_fileio\)"):
        _objects.require_handler(tree, 'vdisk_bogus')
    with pytest.raises(PlanError, match=r"^driver: 'qla2x00t' is not a loaded target driver \(loaded: iscsi\)"):
        _objects.require_driver(tree, 'qla2x00t')
    with pytest.raises(PlanError, match=r"^target: 'iqn.x' does not exist in driver iscsi \(it has: "
                                        r"iqn.2026-01.com.example:t1\)"):
        _objects.require_target(tree, normalize({}), 'iscsi', 'iqn.x')


def test_device_handler_follows_the_handler_link(tree):
    assert _objects.device_handler(tree, 'disk1') == 'vdisk_fileio'
    assert _objects.device_handler(tree, '2:0:0:0') is None
    assert _objects.device_handler(tree, 'nodisk') is None


class _FakeModule(object):
    check_mode = True
    _diff = False

    def __init__(self):
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)


class _FakeClient(object):
    root = '/sys/kernel/scst_tgt'

    @contextlib.contextmanager
    def locked(self):
        yield


def _scst_module(monkeypatch, applied):
    scst = _runner.ScstModule.__new__(_runner.ScstModule)
    scst.module = _FakeModule()
    scst.client = _FakeClient()
    monkeypatch.setattr(scst, 'read', lambda scope, nonkey=True, focus=None: current())
    monkeypatch.setattr(_runner._gather, 'gather_meta', lambda client, **scope: {})

    class _Result(object):
        ok = True

    def apply(client, actions, rollback=False):
        applied.append(list(actions))
        return _Result()

    monkeypatch.setattr(_runner._apply, 'apply', apply)
    return scst


def _group(**contents):
    group = dict(name='esx', **contents)
    return normalize({'drivers': [{'name': 'qla2x00t', 'targets': [{'name': QLA, 'groups': [group]}]}]})


def test_converge_applies_what_prepare_returns_for_deletion_first(monkeypatch):
    applied = []
    scst = _scst_module(monkeypatch, applied)
    desired = _group(initiators=['21:00:00:24:ff:7a:11:09'])
    result = scst.converge(desired, 'merged', {}, prepare=lambda before: _group(initiators=['21:00:00:24:ff:7a:11:02']))
    mgmt = '/sys/kernel/scst_tgt/targets/qla2x00t/%s/ini_groups/esx/initiators/mgmt' % QLA
    assert result['changed']
    assert result['commands'] == ["echo 'del 21:00:00:24:ff:7a:11:02' > %s" % mgmt,
                                  "echo 'add 21:00:00:24:ff:7a:11:09' > %s" % mgmt]
    assert len(applied) == 1


def test_converge_writes_nothing_when_prepare_refuses(monkeypatch):
    applied = []
    scst = _scst_module(monkeypatch, applied)

    def refuse(before):
        raise PlanError('refused')

    with pytest.raises(PlanError, match='refused'):
        scst.converge(_group(), 'merged', {}, prepare=refuse)
    assert applied == []
