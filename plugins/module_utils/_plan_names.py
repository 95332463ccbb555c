# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The attribute names of a new device, target or group, checked against what its handler or driver offers.

This module is private to this collection: it is not part of the public API and may change without notice.
A mixin of _plan._Planner. A new object is created first and its other attributes are written after: an
attribute SCST does not have would fail only then, with the object already created. So before planning, each
attribute of an object that does not exist yet must be a creation parameter (the mgmt help, SYSFS.md §2.1, §2.3)
or an attribute file of an existing object of its kind (the handler's devices, the driver's targets and groups;
when the kernel has none to look at, the names _names knows from SYSFS.md §10, §1.4, §6 and §3.8).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.storage.scst.plugins.module_utils._errors import ScstInputError
from ansible_collections.storage.scst.plugins.module_utils._model import format_path, name_key
from ansible_collections.storage.scst.plugins.module_utils._names import did_you_mean, known_attributes
from ansible_collections.storage.scst.plugins.module_utils._secrets import CHAP_ATTRIBUTE


def attribute_option(path):
    """How a module whose ``attributes`` option holds the attributes of its one object names them."""
    return format_path(path[-2:])


class NamePlanner(object):
    """The attribute-name part of _plan._Planner (meta: what gather_meta listed)."""

    def check_new_names(self, desired, option):
        """Raise ScstInputError (naming option(path) and the value) for an attribute a new object cannot take.
        desired: the desired model as a list model (its paths are the user's); option: path tuple -> option text."""
        for i, handler in enumerate(desired.get('handlers') or ()):
            for j, device in enumerate(handler.get('devices') or ()):
                if device['name'] not in self.have_devices:
                    self._check(('handlers', i, 'devices', j), device, 'a device of handler %s' % handler['name'],
                                self.create_params(handler['name']),
                                self._files('handlers', handler['name'], 'files', 'device'), option)
        for i, driver in enumerate(desired.get('drivers') or ()):
            name = driver['name']
            have_d = self.have['drivers'].get(name) or {'targets': {}}
            for j, target in enumerate(driver.get('targets') or ()):
                have_t = have_d['targets'].get(name_key(target['name']))
                if have_t is None:
                    self._check(('drivers', i, 'targets', j), target, 'a target of driver %s' % name,
                                self.target_create_params(name) | self.dynamic_attrs(name, 'target'),
                                self._files('drivers', name, 'target_files', 'target'), option)
                for k, group in enumerate(target.get('groups') or ()):
                    if have_t is None or group['name'] not in have_t['groups']:
                        self._check(('drivers', i, 'targets', j, 'groups', k), group,
                                    'an initiator group of driver %s' % name, frozenset(),
                                    self._files('drivers', name, 'group_files', 'group'), option)

    def _files(self, section, key, field, kind):
        listed = ((self.meta.get(section) or {}).get(key) or {}).get(field)
        return frozenset(listed) if listed is not None else known_attributes(kind, key)

    @staticmethod
    def _check(path, obj, what, params, files, option):
        if files is None:
            return  # a handler or driver SYSFS.md does not describe, with no object to look at: the kernel decides
        known = params | files
        for attr in sorted(obj.get('attributes') or {}):
            if attr not in known:
                raise ScstInputError(option(path + ('attributes', attr)), obj['attributes'][attr],
                                     'is not an attribute that %s can have%s; it can have: %s'
                                     % (what, did_you_mean(attr, known), ', '.join(sorted(known))),
                                     secret=bool(CHAP_ATTRIBUTE.match(attr)))
