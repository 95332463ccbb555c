# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil

import pytest

from ansible_collections.storage.scst.plugins.module_utils._apply import apply, run_action
from ansible_collections.storage.scst.plugins.module_utils._model import normalize
from ansible_collections.storage.scst.plugins.module_utils._plan import Action, plan
from ansible_collections.storage.scst.plugins.module_utils._sysfs import SysfsClient
from ansible_collections.storage.scst.plugins.module_utils._validate import Secret, build_command


IQN = 'iqn.2026-01.com.example:t1'


class Clock(object):
    """A fake clock whose sleep advances time and can run a hook (an initiator logging out)."""

    def __init__(self, hook=None):
        self.now = 0.0
        self.hook = hook

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds
        if self.hook:
            self.hook()


def touch(root, path, text=''):
    full = os.path.join(root, path)
    if not os.path.isdir(os.path.dirname(full)):
        os.makedirs(os.path.dirname(full))
    with open(full, 'w') as handle:
        handle.write(text)


def read(root, path):
    with open(os.path.join(root, path)) as handle:
        return handle.read()


@pytest.fixture
def root(tmp_path):
    root = str(tmp_path / 'scst_tgt')
    touch(root, 'last_sysfs_mgmt_res', '0\n')
    touch(root, 'handlers/vdisk_fileio/mgmt')
    touch(root, 'targets/iscsi/mgmt')
    touch(root, 'targets/iscsi/%s/enabled' % IQN, '0')
    touch(root, 'targets/iscsi/%s/luns/mgmt' % IQN)
    touch(root, 'devices/d1/usn', 'OLD')  # no newline: writes here do not truncate
    return root


def client_for(root, tmp_path, clock=None, dry_run=False):
    clock = clock or Clock()
    return SysfsClient(root=root, log_reader=None, lock_path=str(tmp_path / 'lock'), sleep=clock.sleep,
                       clock=clock.clock, poll_interval=1, timeout=5, dry_run=dry_run)


def write_action(path, value):
    return Action('set_attribute', 'write', path, value, 'set %s' % path)


def mgmt_action(path, command):
    return Action('cmd', 'mgmt', path, command, 'run %s' % command)


def test_apply_runs_a_plan_in_order(root, tmp_path):
    desired = normalize({'handlers': [{'name': 'vdisk_fileio', 'devices': [{'name': 'd2', 'attributes': {
        'filename': '/f', 'usn': 'U2'}}]}], 'drivers': [{'name': 'iscsi', 'targets': [{'name': IQN, 'enabled': True,
                                                                                       'luns': [{'lun': 0, 'device': 'd2'}]}]}]})
    current = normalize({'handlers': [{'name': 'vdisk_fileio'}], 'drivers': [{'name': 'iscsi', 'targets': [
        {'name': IQN, 'enabled': False}]}]})
    actions = plan(desired, current)
    touch(root, 'devices/d2/usn')  # the emulated add_device would create it
    client = client_for(root, tmp_path)
    result = apply(client, actions)
    assert result.ok and result.applied == list(actions) and result.not_applied == []
    assert read(root, 'handlers/vdisk_fileio/mgmt') == 'add_device d2 filename=/f'
    assert read(root, 'devices/d2/usn') == 'U2'
    assert read(root, 'targets/iscsi/%s/luns/mgmt' % IQN) == 'add d2 0'
    assert read(root, 'targets/iscsi/%s/enabled' % IQN) == '1'
    # The client records each write as the planner renders it: `commands` reads the same before and after.
    assert client.applied == result.to_dict(root)['commands'] == [action.text(root) for action in actions]
    assert result.to_dict('/sys/kernel/scst_tgt')['commands'][0] == \
        "echo 'add_device d2 filename=/f' > /sys/kernel/scst_tgt/handlers/vdisk_fileio/mgmt"
    assert result.message() == 'applied 4 change(s)'


def test_apply_stops_at_the_first_failure(root, tmp_path):
    actions = [write_action('devices/d1/usn', 'NEW'),
               mgmt_action('targets/nodriver/mgmt', 'add_target x'),
               mgmt_action('targets/iscsi/mgmt', 'add_target y')]
    result = apply(client_for(root, tmp_path), actions)
    assert not result.ok
    assert result.applied == actions[:1] and result.failed is actions[1] and result.not_applied == actions[1:]
    assert read(root, 'targets/iscsi/mgmt') == ''
    assert 'targets/nodriver/mgmt' in result.message() and '1 of 3 action(s)' in result.message()
    out = result.to_dict('/s')
    assert out['failed_command'] == "echo 'add_target x' > /s/targets/nodriver/mgmt"
    assert 'rolled_back' not in out


def test_the_report_says_what_the_rollback_did_and_left(root, tmp_path):
    actions = [write_action('devices/d1/usn', 'NEW'), mgmt_action('targets/nodriver/mgmt', 'boom')]
    result = apply(client_for(root, tmp_path), actions)
    assert 'rolled_back' not in result.to_dict('/s') and 'rollback' not in result.message()
    result.rollback_ran = True
    result.rolled_back = [write_action('devices/d1/usn', 'OLD')]
    assert result.to_dict('/s')['rolled_back'] == ['echo OLD > /s/devices/d1/usn']
    assert result.to_dict('/s')['not_rolled_back'] == []
    assert 'the rollback made 1 write(s) and restored the state before the run' in result.message()
    result.not_rolled_back = ['targets/iscsi/t: gone']
    result.rollback_error = 'EIO'
    assert 'left 1 difference(s) from the state before the run: targets/iscsi/t: gone' in result.message()
    assert 'the rollback stopped: EIO' in result.message() and result.to_dict('/s')['rollback_error'] == 'EIO'


def test_dry_run_writes_nothing_and_skips_waits(root, tmp_path):
    actions = [write_action('devices/d1/usn', 'NEW'),
               Action('wait_sessions', 'wait', 'targets/iscsi/%s/sessions' % IQN, None, 'wait', names=['s1'])]
    os.makedirs(os.path.join(root, 'targets/iscsi/%s/sessions/s1' % IQN))
    client = client_for(root, tmp_path, dry_run=True)
    result = apply(client, actions)
    assert result.ok and read(root, 'devices/d1/usn') == 'OLD'
    assert client.applied == [actions[0].text(root)]


def test_wait_for_sessions_to_close(root, tmp_path):
    sessions = os.path.join(root, 'targets/iscsi/%s/sessions' % IQN)
    os.makedirs(os.path.join(sessions, 's1'))
    os.makedirs(os.path.join(sessions, 'other'))
    clock = Clock(hook=lambda: shutil.rmtree(os.path.join(sessions, 's1'), ignore_errors=True))
    client = client_for(root, tmp_path, clock=clock)
    wait = Action('wait_sessions', 'wait', 'targets/iscsi/%s/sessions' % IQN, None, 'wait', names=['s1'])
    assert apply(client, [wait]).ok and clock.now == 1


def test_closing_a_session_that_already_ended_is_done(root, tmp_path):
    path = 'targets/iscsi/%s/sessions/s1/force_close' % IQN
    close = Action('close_session', 'write', path, '1', 'close s1')
    assert apply(client_for(root, tmp_path), [close]).ok
    other = Action('set_attribute', 'write', path, '1', 'write to a missing attribute')
    assert apply(client_for(root, tmp_path), [other]).error.errno_name == 'ENOENT'


def test_wait_times_out(root, tmp_path):
    os.makedirs(os.path.join(root, 'targets/iscsi/%s/sessions/s1' % IQN))
    wait = Action('wait_sessions', 'wait', 'targets/iscsi/%s/sessions' % IQN, None, 'wait for s1', names=['s1'])
    result = apply(client_for(root, tmp_path), [wait])
    assert not result.ok and 'still holds s1' in result.error.msg


def test_secrets_never_show(root, tmp_path):
    command = build_command('add_target_attribute', IQN, 'IncomingUser', 'joe', Secret('12charsecret'))
    client = client_for(root, tmp_path)
    result = apply(client, [mgmt_action('targets/iscsi/mgmt', command), mgmt_action('targets/x/mgmt', 'boom')])
    assert read(root, 'targets/iscsi/mgmt').endswith('joe 12charsecret')
    shown = repr(result.to_dict('/s')) + result.message() + repr(client.applied)
    assert '12charsecret' not in shown and '********' in shown


def test_unknown_op_is_a_programming_error(root, tmp_path):
    with pytest.raises(ValueError):
        run_action(client_for(root, tmp_path), Action('x', 'shell', 'p', 'c', 'd'))
