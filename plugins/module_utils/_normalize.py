# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Normalisation of the configuration model: what a user wrote (or the parser or gather produced) -> canonical form.

This module is private to this collection: it is not part of the public API and may change without notice.
The canonical shape and its rules are in the docstring of _model, the public face of the model. _normalize()
also returns, for every object and attribute it creates, the user's path to it, so that _validate_model can
name the option the user wrote.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.storage.scst.plugins.module_utils._errors import ScstError
from ansible_collections.storage.scst.plugins.module_utils._model_values import (
    normalize_initiator,
    normalize_target_name,
    normalize_value,
    to_bool,
)
from ansible_collections.storage.scst.plugins.module_utils._schema import is_multi_valued
from ansible_collections.storage.scst.plugins.module_utils._validate import lun_number


class ModelError(ScstError):
    """A configuration model is malformed or invalid; ``problems`` lists (path, message) pairs."""

    sysfs_failure = False

    def __init__(self, problems):
        self.problems = list(problems)
        super(ModelError, self).__init__('\n'.join(format_problem(p) for p in self.problems))


def format_path(path):
    """Render a path tuple as the option path users write, e.g. ``drivers[0].targets[1].luns[0].device``."""
    text = ''
    for part in path:
        if isinstance(part, int):
            text += '[%d]' % part
        else:
            text += ('.' if text else '') + part
    return text or '(top)'


def format_problem(problem):
    path, message = problem
    return '%s: %s' % (format_path(path), message)


def _q(value):
    return "'%s'" % (value,)


def empty_model():
    """A canonical model that configures nothing."""
    return {'attributes': {}, 'handlers': [], 'drivers': [], 'alua': {}, 'device_groups': []}


class _Normalizer:
    """Builds the canonical model and remembers, for every object it creates, the user's path to it."""

    def __init__(self):
        self.problems = []
        self.origins = {}

    def fail(self, path, message):
        self.problems.append((path, message))

    def mapping(self, value, path, keys, required=()):
        if value is None:
            value = {}
        if not isinstance(value, dict):
            self.fail(path, 'must be a mapping, not %s' % type(value).__name__)
            return None
        for key in value:
            if key not in keys:
                self.fail(path + (key,), 'is not a known option (known: %s)' % ', '.join(keys))
        for key in required:
            if value.get(key) is None:
                self.fail(path + (key,), 'is required')
        return value

    def sequence(self, value, path):
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, 'must be a list, not %s' % type(value).__name__)
            return []
        return value

    def name(self, value, path):
        if isinstance(value, bool):
            self.fail(path, '%s is a YAML boolean, not a name (yes, no, true, false, on and off unquoted are '
                            'booleans); quote the name if it is meant as text' % _q(value))
            return None
        if value is None:
            self.fail(path, '%s is not a name' % _q(value))
            return None
        if isinstance(value, int):
            return str(value)
        if not isinstance(value, str):
            self.fail(path, 'must be a string, not %s' % type(value).__name__)
            return None
        return value

    def flag(self, value, path, allow_none):
        if value is None and allow_none:
            return None
        truth = to_bool(value)
        if truth is None:
            self.fail(path, '%s is not a boolean' % _q(value))
        return truth

    def attributes(self, value, path, level, driver=None):
        out = {}
        if value is None:
            return out
        if not isinstance(value, dict):
            self.fail(path, 'must be a mapping, not %s' % type(value).__name__)
            return out
        for name, raw in value.items():
            apath = path + (name,)
            if not isinstance(name, str) or not name:
                self.fail(apath, '%s is not an attribute name' % _q(name))
                continue
            values = raw if isinstance(raw, list) else [raw]
            texts = []
            for index, item in enumerate(values):
                text = normalize_value(level, name, item)
                if text is None:
                    self.fail(apath + ((index,) if isinstance(raw, list) else ()),
                              '%s is not a string, number or boolean' % _q(item))
                    continue
                texts.append(text)
            texts = sorted(set(texts))
            if not texts:
                continue
            if is_multi_valued(level, name, driver) or len(texts) > 1:
                out[name] = texts
            else:
                out[name] = texts[0]
            self.origins[(id(out), name)] = apath
        return out

    def keep(self, obj, path):
        self.origins[id(obj)] = path
        return obj

    def lun(self, raw, path):
        if isinstance(raw, dict) and 'attributes' in raw:
            self.fail(path + ('attributes',), 'a LUN has no attributes; its only creation parameter is read_only')
        raw = self.mapping(raw, path, ('lun', 'device', 'read_only'), required=('lun', 'device'))
        if raw is None or raw.get('lun') is None or raw.get('device') is None:
            return None
        number = raw['lun']
        if isinstance(number, bool) or not isinstance(number, int):
            # Text is read as scst_lun and scst_group read it (the scst.conf parser gives integers).
            number, reason = lun_number(number)
            if reason:
                self.fail(path + ('lun',), '%s %s' % (_q(raw['lun']), reason))
                return None
        device = self.name(raw['device'], path + ('device',))
        read_only = self.flag(raw.get('read_only', False), path + ('read_only',), allow_none=False)
        if device is None or read_only is None:
            return None
        return self.keep({'lun': number, 'device': device, 'read_only': read_only}, path)

    def luns(self, raw, path):
        out = [self.lun(item, path + (index,)) for index, item in enumerate(self.sequence(raw, path))]
        return sorted([x for x in out if x is not None], key=lambda x: (x['lun'], x['device']))

    def named_list(self, raw, path, build):
        out = []
        for index, item in enumerate(self.sequence(raw, path)):
            obj = build(item, path + (index,))
            if obj is not None:
                out.append(self.keep(obj, path + (index,)))
        return sorted(out, key=lambda x: x['name'])

    def device(self, raw, path):
        raw = self.mapping(raw, path, ('name', 'attributes'), required=('name',))
        name = raw and self.name(raw.get('name'), path + ('name',))
        if name is None:
            return None
        return {'name': name, 'attributes': self.attributes(raw.get('attributes'), path + ('attributes',), 'device')}

    def handler(self, raw, path):
        raw = self.mapping(raw, path, ('name', 'attributes', 'devices'), required=('name',))
        name = raw and self.name(raw.get('name'), path + ('name',))
        if name is None:
            return None
        return {'name': name,
                'attributes': self.attributes(raw.get('attributes'), path + ('attributes',), 'handler'),
                'devices': self.named_list(raw.get('devices'), path + ('devices',), self.device)}

    def group(self, raw, path, driver):
        raw = self.mapping(raw, path, ('name', 'attributes', 'luns', 'initiators'), required=('name',))
        name = raw and self.name(raw.get('name'), path + ('name',))
        if name is None:
            return None
        initiators = {}
        for index, item in enumerate(self.sequence(raw.get('initiators'), path + ('initiators',))):
            text = self.name(item, path + ('initiators', index))
            if text is not None:
                initiators.setdefault(normalize_initiator(driver, text), path + ('initiators', index))
        group = {'name': name,
                 'attributes': self.attributes(raw.get('attributes'), path + ('attributes',), 'group', driver),
                 'luns': self.luns(raw.get('luns'), path + ('luns',)),
                 'initiators': sorted(initiators)}
        # Initiators are sorted: their errors name the place the user wrote them.
        for initiator, where in initiators.items():
            self.origins[(id(group['initiators']), initiator)] = where
        return group

    def target(self, raw, path, driver):
        raw = self.mapping(raw, path, ('name', 'hw_target', 'enabled', 'attributes', 'luns', 'groups'),
                           required=('name',))
        name = raw and self.name(raw.get('name'), path + ('name',))
        if name is None:
            return None
        return {'name': normalize_target_name(driver, name),
                'hw_target': bool(self.flag(raw.get('hw_target', False), path + ('hw_target',), allow_none=False)),
                'enabled': self.flag(raw.get('enabled'), path + ('enabled',), allow_none=True),
                'attributes': self.attributes(raw.get('attributes'), path + ('attributes',), 'target', driver),
                'luns': self.luns(raw.get('luns'), path + ('luns',)),
                'groups': self.named_list(raw.get('groups'), path + ('groups',),
                                          lambda item, p: self.group(item, p, driver))}

    def driver(self, raw, path):
        raw = self.mapping(raw, path, ('name', 'enabled', 'attributes', 'targets'), required=('name',))
        name = raw and self.name(raw.get('name'), path + ('name',))
        if name is None:
            return None
        return {'name': name,
                'enabled': self.flag(raw.get('enabled'), path + ('enabled',), allow_none=True),
                'attributes': self.attributes(raw.get('attributes'), path + ('attributes',), 'driver', name),
                'targets': self.named_list(raw.get('targets'), path + ('targets',),
                                           lambda item, p: self.target(item, p, name))}

    def tg_target(self, raw, path):
        if isinstance(raw, (str, int)) and not isinstance(raw, bool):
            raw = {'name': raw}
        raw = self.mapping(raw, path, ('name', 'attributes'), required=('name',))
        name = raw and self.name(raw.get('name'), path + ('name',))
        if name is None:
            return None
        return {'name': name, 'attributes': self.attributes(raw.get('attributes'), path + ('attributes',), 'tg_target')}

    def target_group(self, raw, path):
        raw = self.mapping(raw, path, ('name', 'attributes', 'targets'), required=('name',))
        name = raw and self.name(raw.get('name'), path + ('name',))
        if name is None:
            return None
        return {'name': name,
                'attributes': self.attributes(raw.get('attributes'), path + ('attributes',), 'target_group'),
                'targets': self.named_list(raw.get('targets'), path + ('targets',), self.tg_target)}

    def device_group(self, raw, path):
        raw = self.mapping(raw, path, ('name', 'attributes', 'devices', 'target_groups'), required=('name',))
        name = raw and self.name(raw.get('name'), path + ('name',))
        if name is None:
            return None
        devices = set()
        for index, item in enumerate(self.sequence(raw.get('devices'), path + ('devices',))):
            text = self.name(item, path + ('devices', index))
            if text is not None:
                devices.add(text)
        return {'name': name,
                'attributes': self.attributes(raw.get('attributes'), path + ('attributes',), 'device_group'),
                'devices': sorted(devices),
                'target_groups': self.named_list(raw.get('target_groups'), path + ('target_groups',),
                                                 self.target_group)}

    def model(self, raw):
        raw = self.mapping(raw, (), ('attributes', 'handlers', 'drivers', 'alua', 'device_groups'))
        if raw is None:
            return empty_model()
        return {'attributes': self.attributes(raw.get('attributes'), ('attributes',), 'global'),
                'handlers': self.named_list(raw.get('handlers'), ('handlers',), self.handler),
                'drivers': self.named_list(raw.get('drivers'), ('drivers',), self.driver),
                'alua': self.attributes(raw.get('alua'), ('alua',), 'alua'),
                'device_groups': self.named_list(raw.get('device_groups'), ('device_groups',), self.device_group)}


def _normalize(model):
    normalizer = _Normalizer()
    canonical = normalizer.model(model)
    return canonical, normalizer.origins, normalizer.problems


def normalize(model):
    """The canonical form of a model; raises ModelError when its structure is wrong (types, unknown keys)."""
    canonical, dummy, problems = _normalize(model)
    if problems:
        raise ModelError(problems)
    return canonical
