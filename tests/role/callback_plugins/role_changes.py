# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helper callback: the changed tasks and the recap of every host, as JSON, for tests/role."""

from __future__ import annotations

DOCUMENTATION = r"""
name: role_changes
type: aggregate
short_description: write the changed task names and the recap of each host to a JSON file
description:
  - Used by the tests under C(tests/role) only. Enabled with C(ANSIBLE_CALLBACKS_ENABLED=role_changes).
  - Writes, when the playbook ends, a JSON object with the keys C(changed) (task names per host), C(failed)
    (messages per host), C(messages) (the C(msg) of each debug task per host) and C(stats) (the recap per host)
    to the file named by C(ROLE_CHANGES_FILE).
options:
  output_file:
    description: The JSON file written.
    type: path
    env:
      - name: ROLE_CHANGES_FILE
    required: true
"""

import json

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    """Collects changed task names and failures per host."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'role_changes'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.changed = {}
        self.failed = {}
        self.messages = {}

    def _host(self, result):
        return result._host.get_name()  # pylint: disable=protected-access

    def v2_runner_on_ok(self, result):
        if result._task.action in ('debug', 'ansible.builtin.debug') and 'msg' in result._result:  # pylint: disable=protected-access
            self.messages.setdefault(self._host(result), {})[result.task_name] = result._result['msg']  # pylint: disable=protected-access
        if result._result.get('changed'):  # pylint: disable=protected-access
            self.changed.setdefault(self._host(result), []).append(result.task_name or result._task.get_name())  # pylint: disable=protected-access

    def v2_runner_on_failed(self, result, ignore_errors=False):
        if not ignore_errors:
            self.failed.setdefault(self._host(result), []).append(str(result._result.get('msg', '')))  # pylint: disable=protected-access

    def v2_runner_on_unreachable(self, result):
        self.failed.setdefault(self._host(result), []).append('UNREACHABLE: ' + str(result._result.get('msg', '')))  # pylint: disable=protected-access

    def v2_playbook_on_stats(self, stats):
        hosts = sorted(stats.processed.keys())
        report = {'changed': self.changed, 'failed': self.failed, 'messages': self.messages,
                  'stats': {host: stats.summarize(host) for host in hosts}}
        with open(self.get_option('output_file'), 'w', encoding='utf-8') as handle:
            json.dump(report, handle, indent=1, sort_keys=True)
