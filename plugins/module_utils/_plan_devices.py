# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Planning global attributes, handlers and devices: add, change in place, re-create, delete.

This module is private to this collection: it is not part of the public API and may change without notice.
A mixin of _plan._Planner: the methods use its state (want, have, state, recreate, meta, phases).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.storage.scst.plugins.module_utils import _schema
from ansible_collections.storage.scst.plugins.module_utils._names import attribute_problem, handler_problem
from ansible_collections.storage.scst.plugins.module_utils._plan_base import (
    _pairs,
    A_DEVICES,
    A_GLOBAL,
    A_HANDLERS,
    PlanError,
    R_DEVICES,
    same_value,
)
from ansible_collections.storage.scst.plugins.module_utils._validate import build_command


class DevicePlanner(object):
    """The device part of _plan._Planner: global and handler attributes, devices (add, change, re-create)."""

    def plan_global(self):
        for attr in sorted(self.want['attributes']):
            value = self.want['attributes'][attr]
            old = self.have['attributes'].get(attr)
            if not same_value('global', attr, value, old):
                # Before any add_device: setup_id seeds the identifiers of devices created afterwards.
                self.write(A_GLOBAL, 'set_attribute', attr, value, 'set SCST attribute %s to %r' % (attr, value))

    def plan_devices(self):
        for name in sorted(self.have_devices):
            if name not in self.want_devices and self.state == 'overridden':
                self.del_device(name, self.have_devices[name][0])
        for handler in sorted(self.want['handlers']):
            if handler not in self.have['handlers']:
                typo = handler_problem(handler)
                raise PlanError('device handler %s is not loaded (no handlers/%s in sysfs); %s'
                                % (handler, handler, typo or 'load its kernel module first'))
            want_h = self.want['handlers'][handler]
            have_h = self.have['handlers'][handler]
            for attr in sorted(want_h['attributes']):
                value = want_h['attributes'][attr]
                old = have_h['attributes'].get(attr)
                if not same_value('handler', attr, value, old):
                    self.write(A_HANDLERS, 'set_attribute', '%s/%s' % (_schema.path('handler', handler), attr), value,
                               'set attribute %s of handler %s to %r' % (attr, handler, value))
            for name in sorted(want_h['devices']):
                self.plan_device(handler, want_h['devices'][name])

    def plan_device(self, handler, want):
        name = want['name']
        have = self.have_devices.get(name)
        if have is None:
            self.add_device(handler, want)
            return
        have_handler, have_dev = have
        reasons = self.recreate_reasons(handler, want, have_handler, have_dev)
        if self.recreate == 'always' or (reasons and self.recreate == 'options-changed'):
            self.del_device(name, have_handler, 're-created')
            self.add_device(handler, want)
            return
        if reasons:
            self.warnings.append('device %s is not re-created although %s differ (recreate=never): set recreate to '
                                 'options-changed to re-create it (this disconnects its initiators)'
                                 % (name, ', '.join(reasons)))
            return
        self.device_attributes(name, want['attributes'], have_dev['attributes'], handler, skip=_schema.CREATION_DEFAULTS)

    def recreate_reasons(self, handler, want, have_handler, have_dev):
        if handler != have_handler:
            return ['the handler (%s, wanted %s)' % (have_handler, handler)]
        reasons = []
        for attr in sorted(_schema.CREATION_DEFAULTS):
            if attr == 'filename' and handler == 'vcdrom':
                continue
            if attr in want['attributes']:
                wanted = want['attributes'][attr]
            elif self.removes(True) and attr in have_dev['attributes']:
                # A creation-time attribute left out of a replaced device means its default.
                wanted = _schema.CREATION_DEFAULTS[attr]
                if wanted is None:
                    continue
            else:
                continue
            if not same_value('device', attr, wanted, have_dev['attributes'].get(attr, _schema.CREATION_DEFAULTS[attr])):
                reasons.append(attr)
        return reasons

    def device_attributes(self, name, want, have, handler, skip=()):
        for attr in sorted(want):
            if attr in skip and not (attr == 'filename' and handler == 'vcdrom'):
                continue
            value = want[attr]
            old = have.get(attr) if have is not None else None
            if have is not None and same_value('device', attr, value, old):
                continue
            if attr in _schema.KINDS['device'].names('derived', handler):
                if have is not None:
                    self.warnings.append('device %s: %s is %s, not %s; SCST takes it from the backing file (resize the '
                                         'file, then write resync_size)' % (name, attr, old, value))
                continue
            # A name SCST does not know fails with ENOENT: the description, part of that error, says which it looks like.
            typo = attribute_problem('device', handler, attr)
            self.write(A_DEVICES, 'set_attribute', '%s/%s' % (_schema.path('device', handler, name), attr), value,
                       'set attribute %s of device %s to %r%s' % (attr, name, value, '; ' + typo if typo else ''))

    def _add_device_command(self, handler, name, attributes):
        params = self.create_params(handler)
        # cluster_mode last: set before t10_dev_id it makes SCST ignore t10_dev_id (SCST PR #135).
        pairs = _pairs(attributes, params - frozenset(('cluster_mode',))) + _pairs(attributes, params & {'cluster_mode'})
        return build_command(_schema.KINDS['device'].create, name, params=pairs), params

    def add_device(self, handler, want):
        name = want['name']
        command, params = self._add_device_command(handler, name, want['attributes'])
        self.mgmt(A_DEVICES, 'add_device', _schema.mgmt('device', handler), command,
                  'add device %s to handler %s' % (name, handler))
        rest = dict((attr, value) for attr, value in want['attributes'].items() if attr not in params)
        self.device_attributes(name, rest, None, handler)

    def del_device(self, name, handler, what='deleted'):
        self.gone_devices.add(name)
        self.device_taken(name, what)
        self.mgmt(R_DEVICES, 'del_device', _schema.mgmt('device', handler), build_command(_schema.KINDS['device'].delete, name),
                  'delete device %s of handler %s (its LUNs go with it)' % (name, handler), destructive=True)
