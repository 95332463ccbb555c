# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a per-object module asks for: its parameters turned into an Intent (a partial model, the state, flags).

This module is private to this collection: it is not part of the public API and may change without notice.
scst_handler, scst_target, scst_lun and scst_group state intent only: device(), target(), lun() and group() check
each parameter's value (ScstInputError names the option and the value, before anything is read) and build the
Intent; the per-object planner (_plan_object) then decides, against the kernel's state, what to read, what to
refuse and what to write. Nothing here reads or writes SCST.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.storage.scst.plugins.module_utils import _secrets
from ansible_collections.storage.scst.plugins.module_utils._errors import ScstInputError
from ansible_collections.storage.scst.plugins.module_utils._model import (
    PASSTHROUGH_HANDLER_PREFIX,
    ModelError,
    check,
    format_path,
    normalize,
    normalize_target_name,
)
from ansible_collections.storage.scst.plugins.module_utils._model_values import HCIL
from ansible_collections.storage.scst.plugins.module_utils._objects import initiator_names, target_name
from ansible_collections.storage.scst.plugins.module_utils._plan_base import ANY_DEVICE, PlanError
from ansible_collections.storage.scst.plugins.module_utils._validate import (
    MIN_CHAP_SECRET_LENGTH,
    Secret,
    check_attr_value,
    check_device_name,
    check_lun,
    check_name,
    check_param_name,
    check_token,
)


class Intent(object):
    """One module's request. kind: 'device', 'target', 'lun' or 'group' (the _plan_object planner that decides);
    desired: the partial model; present: state present (merged) or absent (deleted); force, recreate: as the
    module's options say; the other keyword arguments are the checked names and flags the planner needs."""

    def __init__(self, kind, desired, present, force=False, recreate='never', **details):
        self.kind = kind
        self.desired = desired
        self.present = present
        self.force = force
        self.recreate = recreate
        self.__dict__.update(details)

    @property
    def state(self):
        return 'merged' if self.present else 'deleted'


# ------------------------------------------------------------------------------------------ scst_handler


def device(params):
    """scst_handler: one device of a handler."""
    handler = check_name(params['handler'], 'handler')
    if handler.startswith(PASSTHROUGH_HANDLER_PREFIX):
        if not HCIL.match(params['name']):
            raise ScstInputError('name', params['name'], 'is not the SCSI address H:C:I:L that pass-through handler '
                                                         '%s serves' % handler)
        if params['attributes']:
            raise ScstInputError('attributes', params['attributes'], 'pass-through devices take no attributes')
    name = check_device_name(params['name'], 'name')
    for attr, value in params['attributes'].items():
        check_param_name(attr, 'attributes')
        if isinstance(value, (list, dict)) or value is None:
            raise ScstInputError('attributes.%s' % attr, value, 'a device attribute takes one string, number or boolean')
        check_attr_value(value, 'attributes.%s' % attr)
    present = params['state'] == 'present'
    entry = {'name': name, 'attributes': params['attributes'] if present else {}}
    return Intent('device', normalize({'handlers': [{'name': handler, 'devices': [entry]}]}), present,
                  force=params['force'], recreate=params['recreate'], handler=handler, name=name)


# ------------------------------------------------------------------------------------------ scst_target


def target_secrets(params):
    """The CHAP secrets of scst_target's options, and those wrongly given in attributes (refused, but masked too)."""
    secrets = set(user['secret'] for option in ('chap', 'driver_chap') for users in (params[option] or {}).values()
                  for user in users or () if user['secret'])
    for option in ('attributes', 'driver_attributes'):
        for name, value in (params[option] or {}).items():
            if _secrets.CHAP_ATTRIBUTE.match(str(name)):
                secrets |= _secrets.of_value(value)
    return secrets


def _chap_attributes(chap, option):
    """{IncomingUser: ['NAME SECRET', ...], ...} of the lists given in a chap option, each checked first."""
    out = {}
    for key, attribute in _secrets.CHAP_ATTRIBUTES:
        users = (chap or {}).get(key)
        if users is None:
            continue
        if key == 'outgoing' and len(users) > 1:
            raise ScstInputError('%s.outgoing' % option, [u['user'] for u in users], 'SCST keeps one outgoing user')
        for index, user in enumerate(users):
            where = '%s.%s[%d]' % (option, key, index)
            check_token(user['user'], where + '.user')
            check_token(Secret(user['secret']), where + '.secret')
            if len(user['secret']) < MIN_CHAP_SECRET_LENGTH:
                raise ScstInputError(where + '.secret', Secret(user['secret']),
                                     'is shorter than %d characters, which iscsi-scstd refuses' % MIN_CHAP_SECRET_LENGTH,
                                     secret=True)
        out[attribute] = ['%s %s' % (user['user'], user['secret']) for user in users]
    return out


def _user_attributes(attributes, option):
    for name in attributes or {}:
        if name in _secrets.CHAP_NAMES:
            raise ScstInputError('%s.%s' % (option, name), name, 'CHAP users go in the chap options, whose secrets are '
                                 'never logged (chap for a target, driver_chap for the driver)')
    return dict(attributes or {})


def _option_path(path):
    """The option a problem of check() is about: ('drivers', 0, 'targets', 0, 'attributes', 'x') -> attributes.x."""
    if tuple(path[:4]) == ('drivers', 0, 'targets', 0):
        return format_path(path[4:])
    if tuple(path[:2]) == ('drivers', 0):
        return 'driver' if tuple(path[2:]) in (('name',), ()) else 'driver_' + format_path(path[2:])
    return format_path(path)


# The options of scst_target that set something, which state=absent (a deletion) does not take.
TARGET_SETTINGS = ('enabled', 'attributes', 'chap', 'driver_enabled', 'driver_attributes', 'driver_chap')


def target(params):
    """scst_target: a driver's settings and, with a name, one target's.

    given, driver_given: the attribute names the task sets (a name given with an empty list is not in the model:
    its values are all removed)."""
    if params['state'] == 'absent':
        given = [option for option in TARGET_SETTINGS if params[option] is not None]
        if given:
            raise PlanError('state=absent takes no settings; remove %s' % ', '.join(given))
    driver = params['driver']
    name = None
    if params['name'] is not None:
        name = normalize_target_name(driver, check_name(params['name'], 'name', kind='target', driver=driver))
    driver_attrs = _user_attributes(params['driver_attributes'], 'driver_attributes')
    driver_attrs.update(_chap_attributes(params['driver_chap'], 'driver_chap'))
    target_attrs = _user_attributes(params['attributes'], 'attributes')
    target_attrs.update(_chap_attributes(params['chap'], 'chap'))
    raw = {'name': driver, 'enabled': params['driver_enabled'], 'attributes': driver_attrs, 'targets': []}
    if name is not None:
        raw['targets'].append({'name': name, 'enabled': params['enabled'], 'attributes': target_attrs})
    try:
        desired = check({'drivers': [raw]})
    except ModelError as error:
        raise PlanError('; '.join('%s: %s' % (_option_path(path), message) for path, message in error.problems))
    present = params['state'] == 'present'
    if not present:
        # absent deletes (or clears) the target; in state deleted an enabled: false would only disable it.
        desired['drivers'][0]['enabled'] = None
        for entry in desired['drivers'][0]['targets']:
            entry['enabled'] = None
    return Intent('target', desired, present, force=params['force'], driver=driver, name=name,
                  given=set(target_attrs), driver_given=set(driver_attrs))


# ------------------------------------------------------------------------------------------ scst_lun


def lun(params):
    """scst_lun: one LUN of a target's default LUN set or of a group's."""
    driver = check_name(params['driver'], 'driver')
    tgt = target_name(driver, params['target'])
    # An empty group is refused, not read as "no group": the default LUN set is seen by every initiator.
    group = check_name(params['group'], 'group', kind='group') if params['group'] is not None else None
    number = check_lun(params['lun'], 'lun')
    dev = params['device'] and check_name(params['device'], 'device', kind='device')
    # The LUN number only identifies the LUN to delete; the model needs a device name all the same.
    entry = {'lun': number, 'device': dev or ANY_DEVICE, 'read_only': params['read_only']}
    place = {'name': tgt}
    if group:
        place['groups'] = [{'name': group, 'luns': [entry]}]
    else:
        place['luns'] = [entry]
    return Intent('lun', normalize({'drivers': [{'name': driver, 'targets': [place]}]}),
                  params['state'] == 'present', force=params['force'], driver=driver, target=tgt, group=group,
                  lun=number, device=dev)


# ------------------------------------------------------------------------------------------ scst_group


def check_luns(luns):
    """scst_group's luns option, each entry checked, each LUN number once."""
    out = []
    seen = {}
    for index, entry in enumerate(luns):
        option = 'luns[%d].lun' % index
        number = check_lun(entry['lun'], option)
        if number in seen:
            # SCST would refuse the second add after the first one was written.
            raise ScstInputError(option, entry['lun'], 'is also given as luns[%d].lun; a LUN set holds each number once'
                                 % seen[number])
        seen[number] = index
        out.append({'lun': number,
                    'device': check_name(entry['device'], 'luns[%d].device' % index, kind='device'),
                    'read_only': entry['read_only']})
    return out


def group(params):
    """scst_group: one initiator group of a target, with its initiators and LUNs."""
    driver = check_name(params['driver'], 'driver')
    tgt = target_name(driver, params['target'])
    name = check_name(params['name'], 'name', kind='group')
    initiators = None if params['initiators'] is None else initiator_names(driver, params['initiators'])
    luns = None if params['luns'] is None else check_luns(params['luns'])
    present = params['state'] == 'present'
    entry = {'name': name}
    if present:
        for attr, value in params['attributes'].items():
            check_param_name(attr, 'attributes')
            check_attr_value(value, 'attributes.%s' % attr)
        entry.update(initiators=initiators or [], luns=luns or [], attributes=params['attributes'])
    desired = normalize({'drivers': [{'name': driver, 'targets': [{'name': tgt, 'groups': [entry]}]}]})
    return Intent('group', desired, present, force=params['force'], driver=driver, target=tgt, name=name,
                  initiators=initiators, luns=luns, purge=params['purge'])
