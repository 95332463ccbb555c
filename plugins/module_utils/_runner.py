# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one way a module of this collection converges SCST: gather, plan, apply, report.

This module is private to this collection: it is not part of the public API and may change without notice.
Every module that changes /sys/kernel/scst_tgt builds a desired model from its options and hands it to
ScstModule.converge(), which holds the host-wide lock across reading the current state, planning and
applying (so a second run on the same host waits instead of interleaving), runs the plan through a dry-run
client in check mode (so check mode reports exactly the commands a real run sends), and turns every failure
into one fail_json that says what failed and what was already applied.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.storage.scst.plugins.module_utils import _apply, _gather, _plan, _plan_object, _predict, _restore
from ansible_collections.storage.scst.plugins.module_utils._conf import render
from ansible_collections.storage.scst.plugins.module_utils._errors import ScstError
from ansible_collections.storage.scst.plugins.module_utils._plan_names import attribute_option
from ansible_collections.storage.scst.plugins.module_utils._plan_targets import reads_other_ports
from ansible_collections.storage.scst.plugins.module_utils._sysfs import SysfsClient, dmesg_reader

SYSFS_ARGUMENT_SPEC = dict(
    sysfs_timeout=dict(type='int', default=300),
    lock_timeout=dict(type='int', default=300),
)


# SysfsClient methods that only read.
_READS = frozenset(('read', 'read_value', 'read_lines', 'read_attrs', 'list_dir', 'exists', 'read_link', 'link_name'))


class _ReadMemo(object):
    """A SysfsClient whose reads are remembered, so that two models of one state (the planner's, with every
    attribute, and scst.conf's, with key attributes only) cost one pass over sysfs. Only while nothing is written."""

    def __init__(self, client):
        self._client = client
        self._answers = {}

    def __getattr__(self, name):
        method = getattr(self._client, name)
        if name not in _READS:
            return method

        def read(*args, **kwargs):
            key = (name, _frozen(args), _frozen(kwargs))
            found = self._answers.get(key)
            if found is None:
                try:
                    found = (method(*args, **kwargs), None)
                except ScstError as err:
                    # A missing attribute is an answer too (focused reads try the file instead of testing for it).
                    found = (None, err)
                self._answers[key] = found
            answer, err = found
            if err is not None:
                raise err
            return _copy(answer)
        return read


def _copy(answer):
    """A copy of a read's answer that the caller may change. Text, flags and (value, is_key) pairs are returned as
    they are: a deep copy of each of the 7,000 answers of a 2,000-device gather cost a tenth of its time."""
    if answer is None or isinstance(answer, (str, bool)):
        return answer
    if isinstance(answer, tuple) and all(isinstance(item, (str, bool)) for item in answer):
        return answer
    if isinstance(answer, list) and all(isinstance(item, str) for item in answer):
        return list(answer)
    return copy.deepcopy(answer)


def _frozen(value):
    """A hashable equivalent of call arguments (tuples, lists, sets and dicts of hashable values)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, (set, frozenset)):
        return frozenset(_frozen(item) for item in value)
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    return value


class _ApplyFailed(ScstError):
    """A write failed: the kernel's answer, what was applied and not, and what a rollback did (_apply.ApplyResult)."""

    def __init__(self, result, root):
        error = result.error
        super(_ApplyFailed, self).__init__(result.message(), path=error.path, errno=error.errno,
                                           kernel_log=error.kernel_log)
        self.result = result.to_dict(root)

    def to_dict(self):
        return dict(self.result, msg=self.msg, sysfs_path=self.path, errno=self.errno_name,
                    kernel_log=list(self.kernel_log))


def run(module, body, secrets=frozenset):
    """Call ``body()`` (which returns the result dict) and exit with it; an error of the collection's family
    (_errors.ScstError) becomes one fail_json with its return keys. This is the one place that catches them.

    secrets: callable returning the secrets found while running (e.g. CHAP passwords read from sysfs); Ansible
    masks every string in no_log_values wherever it appears in the result, failed or not.
    """
    try:
        result = body()
    except ScstError as error:
        module.no_log_values.update(secrets())
        module.fail_json(**error.to_dict())
    module.no_log_values.update(secrets())
    module.exit_json(**result)


class _MaskingModule(AnsibleModule):
    """An AnsibleModule that learns the secrets inside structured options before it logs its invocation.

    no_log hides a whole option; a CHAP secret inside a configuration dict or scst.conf text would otherwise
    reach the managed host's syslog ("Invoked with ...") before the module could mask it. ``secrets_in(params)``
    returns those secrets; Ansible then masks them in that log line and in every result.
    """

    def __init__(self, secrets_in=None, **kwargs):
        self._secrets_in = secrets_in
        super(_MaskingModule, self).__init__(**kwargs)

    def _log_invocation(self):
        if self._secrets_in is not None:
            self.no_log_values.update(secret for secret in self._secrets_in(self.params) if secret)
        super(_MaskingModule, self)._log_invocation()


class ScstModule(object):
    """AnsibleModule plus a SysfsClient; secrets (e.g. CHAP passwords) are masked in every output and log.

    secrets_in: callable returning the secrets held in the module's parameters (see _MaskingModule).
    """

    def __init__(self, argument_spec, secrets_in=None, **kwargs):
        spec = dict(SYSFS_ARGUMENT_SPEC)
        spec.update(argument_spec)
        self.module = _MaskingModule(secrets_in=secrets_in, argument_spec=spec, supports_check_mode=True, **kwargs)
        self.params = self.module.params
        self.client = SysfsClient(timeout=self.params['sysfs_timeout'], lock_timeout=self.params['lock_timeout'],
                                  dry_run=self.module.check_mode, secrets=self.module.no_log_values,
                                  log_reader=dmesg_reader(self._run))

    def _run(self, args):
        # A missing dmesg must not fail the module (OSError is raised, not reported): there is then no kernel log.
        return self.module.run_command(args, environ_update={'LC_ALL': 'C'}, handle_exceptions=False)

    # While converge() reads the state before planning: a _ReadMemo of the client.
    _reader = None

    def read(self, scope, nonkey=True, focus=None):
        """The current model of the objects in ``scope`` (keyword arguments of _gather.gather)."""
        self.client.check_loaded()
        return _gather.gather(self._reader or self.client, nonkey=nonkey, focus=focus, **scope)

    def converge(self, desired, state, scope, recreate='never', force=False, rollback=False, report_keys_only=False,
                 prepare=None, focus=False, option=attribute_option):
        """Plan ``desired`` against the kernel for the objects in ``scope``, apply unless in check mode.

        rollback: when a write fails, bring every object the run could touch back to the state before the run
        (_restore); a plan that no rollback could undo is refused before anything is written.
        prepare: optional callable given the current model, under the lock, before planning. It raises
        _plan.PlanError to refuse (e.g. a device still mapped as a LUN), and may return a model of objects to
        delete in the same run (e.g. the initiators a purge removes): that is planned with state deleted
        against the same current model and applied before the actions of ``desired``.
        option: how the module's options name a path of ``desired`` (see _plan.plan); by default the
        ``attributes`` option of a module that manages one object.
        Returns the module result: changed, commands, warnings, before and (after a change) after.
        With ``report_keys_only``, before and after (and the diff) are the models as scst.conf keeps them (key
        attributes only; ``before`` comes from the same reads as the planner's model) instead of the models the
        planner compared.
        With ``focus`` (state merged only), the run reads only the attributes ``desired`` names (see
        _gather.gather(focus=...)); before and after are those.
        After is predicted from the plan (_predict), in check mode too, reading back only what the kernel chose:
        with focus the attributes it names, without it whole new objects and, of the key attributes, whether a
        written value is one.
        """
        focus = desired if focus and state == 'merged' else None
        client = self.client
        with client.locked():
            # Kept until the first write: a rollback's snapshot reads mostly what was read here.
            memo = self._reader = _ReadMemo(client)
            try:
                before = self.read(scope, focus=focus)
                shown = self.read(scope, nonkey=False) if report_keys_only and focus is None else before
            finally:
                self._reader = None
            meta = _gather.gather_meta(client, handlers=scope.get('handlers'), drivers=scope.get('drivers'),
                                       targets=scope.get('targets'), ports_needed=reads_other_ports(desired, before))
            removals = prepare(before) if prepare is not None else None
            actions = _plan.plan(desired, before, state, recreate=recreate, force=force, meta=meta, option=option)
            if removals:
                first = _plan.plan(removals, before, 'deleted', force=force, meta=meta)
                actions = _plan.Plan(list(first) + list(actions), first.warnings + actions.warnings)
            snapshot = None
            if rollback:
                refused = _restore.refusal(actions, before, meta)
                if refused:
                    raise _plan.PlanError(refused)
                if actions and not self.module.check_mode:
                    snapshot = _restore.take(memo, scope, actions, focus=focus)
            result = _apply.apply(client, actions)
            if not result.ok:
                if snapshot is not None:
                    _restore.restore(client, snapshot, result)
                raise _ApplyFailed(result, client.root)
            reader = None if self.module.check_mode else client
            if focus is not None and actions:
                after = _predict.predict(before, actions, focus, reader)[0]
            elif actions:
                after = _predict.predict(shown, actions, None, reader, nonkey=not report_keys_only)[0]
            else:
                after = shown
        report = {
            'changed': bool(actions),
            'commands': actions.commands(client.root),
            'before': shown,
        }
        # As the network resource modules do: the state after only when it differs (it is before otherwise).
        if actions:
            report['after'] = after
        if self.module._diff:  # pylint: disable=protected-access
            report['diff'] = {'before': render(shown), 'after': render(after)}
        for warning in actions.warnings:
            self.module.warn(warning)
        return report

    def converge_intent(self, intent):
        """Converge what a per-object module asks for (_intent.Intent): its planner (_plan_object) reads the
        minimum scope, refuses or adds removals, and the shared planner decides the writes."""
        with self.client.locked():
            planner = _plan_object.planner(intent, self.client)
            result = self.converge(intent.desired, intent.state, planner.scope(), recreate=intent.recreate,
                                   force=intent.force, prepare=planner.prepare, focus=planner.focus,
                                   report_keys_only=planner.report_keys_only)
        result.update(planner.result())
        return result

    def run_intent(self, build):
        """run() the Intent that ``build(params)`` makes of the module's parameters."""
        self.run(lambda: self.converge_intent(build(self.params)))

    def run(self, body):
        """run(): before/after/diff hold CHAP entries as read from sysfs, secrets included."""
        run(self.module, body, lambda: self.client.secrets)
