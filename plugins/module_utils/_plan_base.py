# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What every part of the planner shares: actions, plans, phases, value comparison and sysfs paths.

This module is private to this collection: it is not part of the public API and may change without notice.
An Action is one sysfs write (or one wait); a Plan is their ordered list with the warnings; phases order the
actions SCST needs (the order of scstadmin's applyConfiguration); same_value() compares attribute values after
_model's normalisation; _model_index.index() keys a model by name for the planners.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.storage.scst.plugins.module_utils import _schema
from ansible_collections.storage.scst.plugins.module_utils._errors import ScstError, mask_text
from ansible_collections.storage.scst.plugins.module_utils._model import normalize_value, to_bool
from ansible_collections.storage.scst.plugins.module_utils._model_index import initiator_key  # noqa: F401 pylint: disable=unused-import
from ansible_collections.storage.scst.plugins.module_utils._secrets import CHAP_NAMES
from ansible_collections.storage.scst.plugins.module_utils._sysfs import DEFAULT_ROOT
from ansible_collections.storage.scst.plugins.module_utils._sysfs_write import echo_line


CHAP_ATTRS = frozenset(CHAP_NAMES)

# The device of a LUN entry to delete that names no device (scst_lun state=absent without device): the LUN is
# deleted whatever it maps. Not a valid device name, so it never names a real one.
ANY_DEVICE = '-'


# Phases, in execution order. Removals run first, from the outermost effect (stop new logins) to the
# innermost object (devices last); then additions in the order SCST needs (enabled last, driver after targets).
(R_DISABLE, R_SESSIONS, R_ATTRS, R_ALUA, R_LUNS, R_INITIATORS, R_GROUPS, R_TARGETS, R_DEVICES,
 A_GLOBAL, A_DEVICES, A_HANDLERS, A_TARGETS, A_DRIVER_ATTRS, A_TARGET_ATTRS, A_GROUPS, A_INITIATORS, A_LUNS,
 A_ALUA, A_TARGET_ENABLED, A_DRIVER_ENABLED) = range(21)


class PlanError(ScstError):
    """The desired state cannot be reached (or is refused): raised before anything is written."""

    sysfs_failure = False


class Action(object):
    """One write to SCST (or one wait), as the planner decided it.

    kind: what it does ('add_device', 'del_lun', 'set_attribute', 'wait_sessions', ...).
    op: 'mgmt' (command written to the mgmt file at path), 'write' (command is the value written to the
    attribute file at path) or 'wait' (wait until the entries names disappear from the directory path).
    description: one sentence for humans, secrets never included. destructive: disconnects initiators or
    removes configuration.
    secrets: the parts of command that must be masked (CHAP secrets).
    """

    __slots__ = ('kind', 'op', 'path', 'command', 'description', 'destructive', 'names')

    def __init__(self, kind, op, path, command, description, destructive=False, names=()):
        self.kind = kind
        self.op = op
        self.path = path
        self.command = command
        self.description = description
        self.destructive = destructive
        self.names = tuple(names)

    @property
    def secrets(self):
        return tuple(getattr(self.command, 'secrets', ()))

    def text(self, root=DEFAULT_ROOT):
        """The action as a shell line for the `commands` result, with every secret masked."""
        full = '%s/%s' % (root.rstrip('/'), self.path)
        if self.op == 'wait':
            return '# wait until %s no longer holds: %s' % (full, ' '.join(self.names))
        return echo_line(mask_text(str(self.command), self.secrets), full)

    def to_dict(self, root=DEFAULT_ROOT):
        return {'kind': self.kind, 'path': self.path, 'text': self.text(root), 'description': self.description,
                'destructive': self.destructive}

    def _key(self):
        return (self.kind, self.op, self.path, str(self.command), self.names)

    def __eq__(self, other):
        return isinstance(other, Action) and self._key() == other._key()

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return 'Action(%s)' % self.text('')


class Plan(list):
    """The ordered actions (a list) plus warnings: differences that the options do not allow to fix."""

    def __init__(self, actions=(), warnings=()):
        super(Plan, self).__init__(actions)
        self.warnings = list(warnings)

    def commands(self, root=DEFAULT_ROOT):
        return [action.text(root) for action in self]

    @property
    def destructive(self):
        return any(action.destructive for action in self)


def same_value(level, name, left, right):
    """Whether two values of attribute name at level mean the same, after _model's normalisation (numbers in
    any base, Yes/No and 0/1, WWN case); multi-valued attributes compare as sets."""
    return _canonical(level, name, left) == _canonical(level, name, right)


def _canonical(level, name, value):
    if value is None:
        return None
    # A set of bits in the daemon: the order it shows digests in need not be the order they were written in.
    if _schema.value_kind(level, name) == _schema.DIGEST and isinstance(value, str):
        return sorted(set(word.strip().lower() for word in value.split(',')))
    if isinstance(value, (list, tuple, set, frozenset)):
        texts = sorted(set(normalize_value(level, name, item) for item in value))
        return texts[0] if len(texts) == 1 else texts
    return normalize_value(level, name, value)


def _values(value):
    """A multi-valued attribute as a list of texts (one value, a list, or None)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(item) for item in value]
    return [str(value)]


def _truthy(value):
    return bool(to_bool(value))


def _user(value):
    """CHAP entry 'NAME SECRET' -> (NAME, SECRET)."""
    parts = value.split(None, 1)
    return parts[0], (parts[1] if len(parts) > 1 else '')


def _dyn_key(attr, value):
    # CHAP users are identified by their name (the daemon deletes by name); portals by the pattern, which
    # SCST matches ignoring case.
    return _user(value)[0] if attr in CHAP_ATTRS else value.lower()


def _dyn_same(attr, left, right):
    return _user(left) == _user(right) if attr in CHAP_ATTRS else left.lower() == right.lower()


def _device_index(index):
    """{device name: (handler name, device)}."""
    result = {}
    for handler in index['handlers'].values():
        for name, device in handler['devices'].items():
            result[name] = (handler['name'], device)
    return result


def _is_empty(model):
    model = model or {}
    return not any(model.get(key) for key in ('attributes', 'handlers', 'drivers', 'alua', 'device_groups'))


def _target_path(driver, target):
    return _schema.path('target', driver, target)


def _group_path(driver, target, group):
    return _schema.path('group', driver, target, group)


def _lun_set_path(driver, target, group):
    return _schema.lun_set(driver, target, group)


def _lun_set_name(driver, target, group):
    return ('group %s of target %s/%s' % (group, driver, target)) if group else ('target %s/%s' % (driver, target))


def _port_id(value):
    """A rel_tgt_id as read (text, or None when not read): 0 when the target has none yet."""
    try:
        return int(normalize_value('target', 'rel_tgt_id', value)) if value is not None else 0
    except ValueError:
        return 0


def _remaining(attr, have, delete):
    """The values of a multi-valued attribute that stay when the values named in delete are deleted."""
    gone = set(_dyn_key(attr, value) for value in _values(delete))
    return [value for value in _values(have) if _dyn_key(attr, value) not in gone]


def _pairs(attributes, names):
    """name=value parameters of the attributes in names, sorted; a multi-valued one repeats its name."""
    pairs = []
    for attr in sorted(set(attributes) & set(names)):
        pairs.extend((attr, value) for value in _values(attributes[attr]))
    return pairs
