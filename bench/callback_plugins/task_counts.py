# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark helper callback: per host, the tasks that ran, split into those that reach the host and those that
the controller answers alone, written as JSON for bench/site_fleet.py."""

from __future__ import annotations

DOCUMENTATION = r"""
name: task_counts
type: aggregate
short_description: count the tasks each host ran, and those of them that reached the host
description:
  - Used by C(bench/site_fleet.py) only. Enabled with C(ANSIBLE_CALLBACKS_ENABLED=task_counts).
  - Writes, when the playbook ends, a JSON object host -> {ran, skipped, remote, changed, remote_actions} to
    the file named by C(TASK_COUNTS_FILE).
options:
  output_file:
    description: The JSON file written.
    type: path
    env:
      - name: TASK_COUNTS_FILE
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
    """Counts task results per host."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'task_counts'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.counts = collections.defaultdict(lambda: {'ran': 0, 'skipped': 0, 'remote': 0, 'changed': 0,
                                                       'remote_actions': []})

    def _count(self, result, key):
        host = result._host.get_name()  # pylint: disable=protected-access
        entry = self.counts[host]
        entry[key] += 1
        if key == 'ran':
            action = result._task.action  # pylint: disable=protected-access
            delegated = result._task.delegate_to  # pylint: disable=protected-access
            if action not in CONTROLLER_ONLY and delegated not in ('localhost', '127.0.0.1'):
                entry['remote'] += 1
                entry['remote_actions'].append(action)
            if result._result.get('changed'):  # pylint: disable=protected-access
                entry['changed'] += 1

    def v2_runner_on_ok(self, result):
        self._count(result, 'ran')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._count(result, 'ran')

    def v2_runner_on_skipped(self, result):
        self._count(result, 'skipped')

    def v2_playbook_on_stats(self, stats):
        with open(self.get_option('output_file'), 'w', encoding='utf-8') as handle:
            json.dump(self.counts, handle, indent=1, sort_keys=True)
