# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Validation of a canonical configuration model: every problem, with the path of the option and the value.

This module is private to this collection: it is not part of the public API and may change without notice.
Names follow _validate.name_problem() (shared with the per-object modules) and what scst.conf can carry;
attribute classes (read-only, target-only, value kinds) come from _schema.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.storage.scst.plugins.module_utils._errors import MASK
from ansible_collections.storage.scst.plugins.module_utils._model_values import HCIL, WILDCARD, normalize_wwn
from ansible_collections.storage.scst.plugins.module_utils._normalize import _normalize, _q, ModelError
from ansible_collections.storage.scst.plugins.module_utils._schema import (
    ALUA_STATES,
    BOOL,
    INT,
    KINDS,
    PASSTHROUGH_HANDLER_PREFIX,
    STATE,
    value_kind,
    VDISK_HANDLERS,
    WWN,
    wwn_named,
    YESNO,
)
from ansible_collections.storage.scst.plugins.module_utils._secrets import CHAP_ATTRIBUTE
from ansible_collections.storage.scst.plugins.module_utils._validate import (
    lun_number,
    MAX_DEVICE_NAME_BYTES,
    MIN_CHAP_SECRET_LENGTH,
    name_problem,
)

# Keywords of scst.conf (compared with exact case by scstadmin).
KEYWORDS = ('HANDLER', 'DEVICE', 'TARGET_DRIVER', 'TARGET', 'LUN', 'GROUP', 'INITIATOR', 'DEVICE_GROUP',
            'TARGET_GROUP', 'ALUA', 'HW_TARGET', 'enabled')
_DECIMAL = re.compile(r'^-?[0-9]+$')
# Characters that scst.conf cannot carry in a value or that the sysfs write would split.
_UNWRITABLE_VALUE = re.compile(r'["{}\x00-\x1f\x7f]')
_BAD_NAME = re.compile(r'[\s"{}=/;\x00-\x1f\x7f]')


class _Validator:
    def __init__(self, origins):
        self.origins = origins
        self.problems = []

    def where(self, obj, fallback, *rest):
        return self.origins.get(id(obj), fallback) + rest

    def fail(self, path, message):
        self.problems.append((path, message))

    def name(self, value, path, what, kind=None, driver=None, max_bytes=None):
        """The rule of _validate.name_problem() (shared with the modules), and what scst.conf cannot carry.

        Returns True when the name is valid."""
        if not value:
            self.fail(path, 'the %s name is empty' % what)
            return False
        limits = {} if max_bytes is None else {'max_bytes': max_bytes}
        reason = name_problem(value, kind, driver, **limits)
        if reason:
            self.fail(path, '%s is not a valid %s name: it %s' % (_q(value), what, reason))
        elif re.search(r'["{}]', value):
            self.fail(path, '%s is not a valid %s name: names cannot hold quotes or braces (scst.conf cannot carry '
                            'them)' % (_q(value), what))
        else:
            return True
        return False

    def unique(self, objs, fallback, what):
        seen = set()
        for index, obj in enumerate(objs):
            if obj['name'] in seen:
                self.fail(self.where(obj, fallback + (index,), 'name'), '%s %s is given twice' % (what, _q(obj['name'])))
            seen.add(obj['name'])

    def attributes(self, attrs, path, level, reserved=()):
        for name in sorted(attrs):
            apath = self.origins.get((id(attrs), name), path + (name,))
            values = attrs[name] if isinstance(attrs[name], list) else [attrs[name]]
            if name in reserved or name in KEYWORDS:
                self.fail(apath, '%s is a keyword of scst.conf, not an attribute%s' % (
                    _q(name), ' (use the %s option)' % name.lower() if name in ('enabled', 'HW_TARGET', 'hw_target') else ''))
                continue
            if _BAD_NAME.search(name) or '#' in name or '\\' in name or name[0] == '[':
                self.fail(apath, '%s is not a valid attribute name' % _q(name))
                continue
            if level == 'global' and name in KINDS['global'].names('information'):
                self.fail(apath, '%s is read-only' % _q(name))
            if level in ('driver', 'group') and name in KINDS['target'].names('exclusive'):
                self.fail(apath, '%s is a target attribute, not a %s attribute' % (_q(name), level))
            if level == 'tg_target' and name not in KINDS['tg_target'].names('attributes'):
                self.fail(apath, '%s is not an attribute of a target in a target group (only rel_tgt_id)' % _q(name))
            kind = value_kind(level, name)
            if kind and len(values) > 1:
                self.fail(apath, '%s takes one value, not %d' % (_q(name), len(values)))
            for value in values:
                self.value(apath, value, kind)

    def value(self, path, value, kind):
        if _UNWRITABLE_VALUE.search(value) or ('\\' in value and ' ' in value) or value[:1] == '"':
            self.fail(path, '%s cannot be written to scst.conf: values cannot hold double quotes, braces, tabs, '
                            'newlines or control characters, nor a backslash together with a blank' % _q(value))
        elif kind == INT and not _DECIMAL.match(value):
            self.fail(path, '%s is not a number' % _q(value))
        elif kind == BOOL and value not in ('0', '1'):
            self.fail(path, '%s is not 0 or 1' % _q(value))
        elif kind == YESNO and value not in ('Yes', 'No'):
            self.fail(path, '%s is not Yes or No' % _q(value))
        elif kind == WWN and value and normalize_wwn(value) != value:
            self.fail(path, '%s is not a WWN (xx:xx:xx:xx:xx:xx:xx:xx)' % _q(value))
        elif kind == STATE and value not in ALUA_STATES:
            self.fail(path, '%s is not one of %s' % (_q(value), ', '.join(ALUA_STATES)))

    def luns(self, luns, path, devices):
        seen = {}
        for index, lun in enumerate(luns):
            lpath = self.where(lun, path + (index,))
            reason = lun_number(lun['lun'])[1]
            if reason:
                self.fail(lpath + ('lun',), '%d %s' % (lun['lun'], reason))
            if lun['lun'] in seen:
                self.fail(lpath + ('lun',), 'LUN %d is given twice (devices %s and %s)'
                          % (lun['lun'], _q(seen[lun['lun']]), _q(lun['device'])))
            seen[lun['lun']] = lun['device']
            if lun['device'] not in devices:
                self.fail(lpath + ('device',), '%s is not a defined device' % _q(lun['device']))

    def handlers(self, model):
        devices = {}
        for hindex, handler in enumerate(model['handlers']):
            hpath = self.where(handler, ('handlers', hindex))
            self.name(handler['name'], hpath + ('name',), 'handler')
            self.attributes(handler['attributes'], hpath + ('attributes',), 'handler')
            self.unique(handler['devices'], hpath + ('devices',), 'device')
            for dindex, device in enumerate(handler['devices']):
                dpath = self.where(device, hpath + ('devices', dindex))
                self.device(handler['name'], device, dpath)
                if device['name'] in devices and devices[device['name']] != handler['name']:
                    self.fail(dpath + ('name',), 'device %s is also defined under handler %s'
                              % (_q(device['name']), _q(devices[device['name']])))
                devices.setdefault(device['name'], handler['name'])
        self.unique(model['handlers'], ('handlers',), 'handler')
        return devices

    def device(self, handler, device, path):
        name = device['name']
        if handler.startswith(PASSTHROUGH_HANDLER_PREFIX):
            if not HCIL.match(name):
                self.fail(path + ('name',), '%s is not a SCSI address H:C:I:L, which pass-through handler %s needs'
                          % (_q(name), _q(handler)))
            if device['attributes']:
                self.fail(path + ('attributes',), 'pass-through devices of %s take no attributes' % _q(handler))
            return
        if name.startswith('/dev/'):
            self.fail(path + ('name',), '%s is a path; the device name is %s' % (_q(name), _q(name[5:])))
            return
        self.name(name, path + ('name',), 'device', kind='device',
                  max_bytes=MAX_DEVICE_NAME_BYTES if handler in VDISK_HANDLERS else None)
        self.attributes(device['attributes'], path + ('attributes',), 'device')

    def drivers(self, model, devices):
        self.unique(model['drivers'], ('drivers',), 'driver')
        for dindex, driver in enumerate(model['drivers']):
            dpath = self.where(driver, ('drivers', dindex))
            self.name(driver['name'], dpath + ('name',), 'driver')
            self.attributes(driver['attributes'], dpath + ('attributes',), 'driver', reserved=('enabled',))
            self.chap_secrets(driver['attributes'], dpath + ('attributes',))
            self.unique(driver['targets'], dpath + ('targets',), 'target')
            for tindex, target in enumerate(driver['targets']):
                self.target(driver['name'], target, self.where(target, dpath + ('targets', tindex)), devices)

    def chap_secrets(self, attrs, path):
        """CHAP users ('NAME SECRET') whose secret iscsi-scstd would refuse; the message never shows the secret."""
        for name in sorted(attrs):
            if not CHAP_ATTRIBUTE.match(name):
                continue
            for value in attrs[name] if isinstance(attrs[name], list) else [attrs[name]]:
                words = value.split(' ')
                # A masked secret (copied from a result) is refused as such by the modules.
                if len(words) == 2 and len(words[1]) < MIN_CHAP_SECRET_LENGTH and words[1] != MASK:
                    self.fail(self.origins.get((id(attrs), name), path + (name,)),
                              'the CHAP secret of user %s is shorter than %d characters, which iscsi-scstd refuses'
                              % (_q(words[0]), MIN_CHAP_SECRET_LENGTH))

    def target(self, driver, target, path, devices):
        self.name(target['name'], path + ('name',), 'target', kind='target', driver=driver)
        if wwn_named('target', driver) and normalize_wwn(target['name']) != target['name']:
            self.fail(path + ('name',), '%s is not a WWPN (xx:xx:xx:xx:xx:xx:xx:xx), which %s target names are'
                      % (_q(target['name']), driver))
        self.attributes(target['attributes'], path + ('attributes',), 'target', reserved=('enabled', 'hw_target'))
        self.chap_secrets(target['attributes'], path + ('attributes',))
        self.luns(target['luns'], path + ('luns',), devices)
        self.unique(target['groups'], path + ('groups',), 'group')
        owner = {}
        for gindex, group in enumerate(target['groups']):
            gpath = self.where(group, path + ('groups', gindex))
            self.name(group['name'], gpath + ('name',), 'group', kind='group')
            self.attributes(group['attributes'], gpath + ('attributes',), 'group')
            self.luns(group['luns'], gpath + ('luns',), devices)
            for iindex, initiator in enumerate(group['initiators']):
                ipath = self.origins.get((id(group['initiators']), initiator), gpath + ('initiators', iindex))
                valid = self.name(initiator, ipath, 'initiator', kind='initiator', driver=driver)
                if valid and wwn_named('initiator', driver) and not WILDCARD.search(initiator) and normalize_wwn(initiator) != initiator:
                    self.fail(ipath, '%s is not a WWPN (xx:xx:xx:xx:xx:xx:xx:xx) nor a wildcard pattern' % _q(initiator))
                if initiator in owner:
                    self.fail(ipath, 'initiator %s is also in group %s of this target; an initiator can be in one group only'
                              % (_q(initiator), _q(owner[initiator])))
                owner.setdefault(initiator, group['name'])

    def device_groups(self, model, devices):
        self.attributes(model['alua'], ('alua',), 'alua')
        self.unique(model['device_groups'], ('device_groups',), 'device group')
        member = {}
        for dindex, dgroup in enumerate(model['device_groups']):
            dpath = self.where(dgroup, ('device_groups', dindex))
            self.name(dgroup['name'], dpath + ('name',), 'device group', kind='device_group')
            self.attributes(dgroup['attributes'], dpath + ('attributes',), 'device_group')
            for index, device in enumerate(dgroup['devices']):
                if device not in devices:
                    self.fail(dpath + ('devices', index), '%s is not a defined device' % _q(device))
                if device in member:
                    self.fail(dpath + ('devices', index), 'device %s is also in device group %s; a device can be in '
                              'one device group only' % (_q(device), _q(member[device])))
                member.setdefault(device, dgroup['name'])
            self.unique(dgroup['target_groups'], dpath + ('target_groups',), 'target group')
            in_tg = {}
            for gindex, tgroup in enumerate(dgroup['target_groups']):
                gpath = self.where(tgroup, dpath + ('target_groups', gindex))
                self.name(tgroup['name'], gpath + ('name',), 'target group', kind='target_group')
                self.attributes(tgroup['attributes'], gpath + ('attributes',), 'target_group')
                for tindex, target in enumerate(tgroup['targets']):
                    tpath = self.where(target, gpath + ('targets', tindex))
                    self.name(target['name'], tpath + ('name',), 'target', kind='target')
                    self.attributes(target['attributes'], tpath + ('attributes',), 'tg_target')
                    if target['name'] in in_tg:
                        self.fail(tpath + ('name',), 'target %s is also in target group %s of this device group'
                                  % (_q(target['name']), _q(in_tg[target['name']])))
                    in_tg.setdefault(target['name'], tgroup['name'])

    def run(self, model):
        self.attributes(model['attributes'], ('attributes',), 'global')
        devices = self.handlers(model)
        self.drivers(model, devices)
        self.device_groups(model, devices)
        return self.problems


def _validate(model, origins=None):
    """Problems of a canonical model, with the paths in origins (the user's paths) where known."""
    return _Validator(origins or {}).run(model)


def validate(model):
    """Every problem of a user-supplied model as (path, message) pairs; an empty list when it is valid."""
    canonical, origins, problems = _normalize(model)
    if problems:
        return problems
    return _validate(canonical, origins)


def check(model):
    """The canonical form of a valid model; raises ModelError listing every problem otherwise."""
    canonical, origins, problems = _normalize(model)
    problems = problems or _validate(canonical, origins)
    if problems:
        raise ModelError(problems)
    return canonical
