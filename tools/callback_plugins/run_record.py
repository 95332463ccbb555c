# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Callback of the test rig and the benchmarks: what one ansible-playbook run did on each host, as JSON.

tests/role reads the changed task names, failures, debug messages and recap; bench/site_fleet.py reads the task
counts (the tasks that ran, and those of them that reached the host)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: run_record
type: aggregate
short_description: write what a playbook run did on each host to a JSON file
description:
  - Used by C(tests/role) and C(bench/site_fleet.py) only. Enabled with C(ANSIBLE_CALLBACKS_ENABLED=run_record).
  - Writes, when the playbook ends, a JSON object to the file named by C(RUN_RECORD_FILE), each key host -> value
    C(changed) (task names), C(failed) (messages), C(messages) (the C(msg) of each debug task by task name),
    C(stats) (the recap) and C(counts) (C(ran), C(skipped), C(remote), C(changed), C(remote_actions)).
options:
  output_file:
    description: The JSON file written.
    type: path
    env:
      - name: RUN_RECORD_FILE
    required: true
"""

import collections
import json

from ansible.plugins.callback import CallbackBase

# Actions that never connect to the host: the controller evaluates them.
CONTROLLER_ONLY = frozenset(
    prefix + name for prefix in ('', 'ansible.builtin.', 'ansible.legacy.')
    for name in ('set_fact', 'assert', 'debug', 'fail', 'include_tasks', 'import_tasks', 'include_role',
                 'import_role', 'meta', 'include_vars', 'set_stats', 'add_host', 'group_by', 'validate_argument_spec'))


class CallbackModule(CallbackBase):
    """Records task results per host."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'run_record'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.changed = {}
        self.failed = {}
        self.messages = {}
        self.counts = collections.defaultdict(lambda: {'ran': 0, 'skipped': 0, 'remote': 0, 'changed': 0,
                                                       'remote_actions': []})

    def _host(self, result):
        return result._host.get_name()  # pylint: disable=protected-access

    def _ran(self, result):
        entry = self.counts[self._host(result)]
        entry['ran'] += 1
        action = result._task.action  # pylint: disable=protected-access
        if action not in CONTROLLER_ONLY and result._task.delegate_to not in ('localhost', '127.0.0.1'):  # pylint: disable=protected-access
            entry['remote'] += 1
            entry['remote_actions'].append(action)
        if result._result.get('changed'):  # pylint: disable=protected-access
            entry['changed'] += 1

    def v2_runner_on_ok(self, result):
        self._ran(result)
        if result._task.action in ('debug', 'ansible.builtin.debug') and 'msg' in result._result:  # pylint: disable=protected-access
            self.messages.setdefault(self._host(result), {})[result.task_name] = result._result['msg']  # pylint: disable=protected-access
        if result._result.get('changed'):  # pylint: disable=protected-access
            self.changed.setdefault(self._host(result), []).append(result.task_name or result._task.get_name())  # pylint: disable=protected-access

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._ran(result)
        if not ignore_errors:
            self.failed.setdefault(self._host(result), []).append(str(result._result.get('msg', '')))  # pylint: disable=protected-access

    def v2_runner_on_skipped(self, result):
        self.counts[self._host(result)]['skipped'] += 1

    def v2_runner_on_unreachable(self, result):
        self.failed.setdefault(self._host(result), []).append('UNREACHABLE: ' + str(result._result.get('msg', '')))  # pylint: disable=protected-access

    def v2_playbook_on_stats(self, stats):
        report = {'changed': self.changed, 'failed': self.failed, 'messages': self.messages, 'counts': self.counts,
                  'stats': {host: stats.summarize(host) for host in sorted(stats.processed.keys())}}
        with open(self.get_option('output_file'), 'w', encoding='utf-8') as handle:
            json.dump(report, handle, indent=1, sort_keys=True)
