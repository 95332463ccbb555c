# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_runner.run: every error of the collection's family becomes one fail_json with its return keys, secrets
registered before the result is built; anything else is a bug and is not hidden."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.storage.scst.plugins.module_utils import _conf
from ansible_collections.storage.scst.plugins.module_utils._conf_file import ConfFileError
from ansible_collections.storage.scst.plugins.module_utils._errors import ScstError, ScstInputError
from ansible_collections.storage.scst.plugins.module_utils._kmod_backend import ModuleFailure
from ansible_collections.storage.scst.plugins.module_utils._model import ModelError
from ansible_collections.storage.scst.plugins.module_utils._plan import PlanError
from ansible_collections.storage.scst.plugins.module_utils._runner import run
from ansible_collections.storage.scst.plugins.module_utils._services import ServiceFailure


class Exited(Exception):
    pass


class FakeModule(object):
    """What run() uses of AnsibleModule; fail_json and exit_json end the call as Ansible's do."""

    def __init__(self):
        self.no_log_values = set()
        self.outcome = None

    def fail_json(self, **result):
        self.outcome = ('failed', result, set(self.no_log_values))
        raise Exited()

    def exit_json(self, **result):
        self.outcome = ('ok', result, set(self.no_log_values))
        raise Exited()


def outcome(error, secrets=frozenset):
    def body():
        raise error
    module = FakeModule()
    with pytest.raises(Exited):
        run(module, body, secrets)
    return module.outcome


def conf_error():
    with pytest.raises(_conf.ConfError) as info:
        _conf.parse('HANDLER vdisk_nullio {\n\tDEVICE n1 {\n\t\tsize_mb 8 }\n}\n', filename='content')
    return info.value


SYSFS_KEYS = {'sysfs_path', 'command', 'errno', 'kernel_log'}


@pytest.mark.parametrize('error, keys', [
    (PlanError('refused'), {'msg', 'commands'}),
    (PlanError('invalid configuration: x', problems=['x']), {'msg', 'commands', 'problems'}),
    (ModelError([(('handlers',), 'must be a list')]), {'msg', 'commands'}),
    (ConfFileError('cannot write /etc/scst.conf: No space left on device', applied=['echo 1 > x']), {'msg', 'commands'}),
    (ServiceFailure('enabling scst failed (exit 1): no', applied=['systemctl enable scst.service']), {'msg', 'commands'}),
    (ModuleFailure('modprobe scst failed (exit 1): x', kernel_log=['scst: bad'], commands=['modprobe scst']),
     {'msg', 'commands', 'kernel_log'}),
    (ScstError('write failed', path='/sys/kernel/scst_tgt/x', errno=5), {'msg', 'commands'} | SYSFS_KEYS),
    (ScstInputError('attributes.x', 'a\nb', 'holds a newline'), {'msg', 'commands', 'option'} | SYSFS_KEYS),
])
def test_each_error_of_the_family_is_one_failure_with_its_keys(error, keys):
    status, result, dummy = outcome(error)
    assert status == 'failed'
    assert set(result) == keys
    assert result['msg'] == error.msg
    assert result['commands'] == error.applied


def test_a_conf_error_names_its_source_and_lists_its_issues():
    status, result, dummy = outcome(conf_error())
    assert status == 'failed'
    assert result['msg'].startswith('content cannot be read: content:3:')
    assert [issue['line'] for issue in result['issues']] == [3]


def test_secrets_found_while_running_are_registered_before_the_failure_is_reported():
    status, result, masked = outcome(ScstError('write of chapsecret1 failed'), lambda: {'chapsecret1'})
    assert status == 'failed' and 'chapsecret1' in masked


def test_an_error_outside_the_family_is_not_turned_into_a_failure():
    with pytest.raises(KeyError):
        outcome(KeyError('bug'))


def test_a_result_is_reported_with_the_secrets_registered():
    module = FakeModule()
    with pytest.raises(Exited):
        run(module, lambda: {'changed': False}, lambda: {'s3cret'})
    assert module.outcome == ('ok', {'changed': False}, {'s3cret'})
