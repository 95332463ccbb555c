# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Checks and look-ups shared by the per-object modules (scst_handler, scst_lun, scst_group).

This module is private to this collection: it is not part of the public API and may change without notice.
A per-object module describes one object inside others that must already exist (a LUN in a target, a group
in a target, a device of a loaded handler). The planner would create a missing container, or fail in the
kernel's words; these helpers refuse first, naming the module option and its value and listing what the host
has instead. They only read, through the SysfsClient, and raise _plan.PlanError (refused before any write)
or ScstInputError (a value that must not reach SCST).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.storage.scst.plugins.module_utils._errors import ScstInputError
from ansible_collections.storage.scst.plugins.module_utils._model import (
    COPY_MANAGER,
    FC_DRIVERS,
    name_key,
    normalize_initiator,
    normalize_target_name,
    normalize_wwn,
)
from ansible_collections.storage.scst.plugins.module_utils._plan_base import PlanError
from ansible_collections.storage.scst.plugins.module_utils._schema import container, HANDLER_LINK, path as sysfs_path
from ansible_collections.storage.scst.plugins.module_utils._validate import check_name


def _listing(names):
    return ', '.join(names) if names else 'none'


def require_handler(client, handler):
    """PlanError unless the device handler is loaded (handlers/<handler> exists)."""
    loaded = client.list_dir('handlers', kind='dir')
    if handler not in loaded:
        raise PlanError('handler: %r is not a loaded device handler (loaded: %s); load its kernel module with '
                        'storage.scst.scst_module' % (handler, _listing(loaded)))


def require_driver(client, driver):
    """PlanError unless the target driver is loaded (targets/<driver> exists)."""
    loaded = client.list_dir('targets', kind='dir')
    if driver not in loaded:
        raise PlanError('driver: %r is not a loaded target driver (loaded: %s); load its kernel module with '
                        'storage.scst.scst_module' % (driver, _listing(loaded)))


def target_name(driver, target):
    """The target name as SCST spells it, checked: FC ports by their WWPN in any common form."""
    name = normalize_target_name(driver, check_name(target, 'target', kind='target', driver=driver))
    if driver in FC_DRIVERS and normalize_wwn(name) != name:
        raise ScstInputError('target', target, 'is not a WWPN (for example 21:00:00:24:ff:31:4c:48 or '
                                               '0x21000024ff314c48), which %s target names are' % driver)
    return name


def initiator_names(driver, initiators):
    """Initiator names checked and, for FC drivers, WWPNs in SCST's spelling (patterns lower-cased)."""
    out = []
    for index, initiator in enumerate(initiators):
        option = 'initiators[%d]' % index
        name = normalize_initiator(driver, check_name(initiator, option, kind='initiator', driver=driver))
        if driver in FC_DRIVERS and normalize_wwn(name) != name and not any(c in name for c in '*?!'):
            raise ScstInputError(option, initiator, 'is neither a WWPN nor a wildcard pattern, which %s '
                                                    'initiator names are' % driver)
        out.append(name)
    return out


def find_target(model, driver, target):
    """The target (a dict of the canonical model) of driver in model, or None."""
    for drv in model['drivers']:
        if drv['name'] == driver:
            for tgt in drv['targets']:
                if name_key(tgt['name']) == name_key(target):
                    return tgt
    return None


def require_target(client, model, driver, target):
    """The target of the current model; PlanError naming the targets the driver has when it is missing."""
    found = find_target(model, driver, target)
    if found is None:
        # The model holds only the targets the module read; the listing names them all.
        names = client.list_dir(container('target', driver), kind='dir')
        raise PlanError('target: %r does not exist in driver %s (it has: %s); create it with storage.scst.scst_target'
                        % (target, driver, _listing(names)))
    return found


def find_group(target, group):
    for grp in target['groups']:
        if grp['name'] == group:
            return grp
    return None


def device_handler(client, device):
    """The handler serving a device, or None (no such device, or a SCSI device no handler serves)."""
    link = '%s/%s' % (sysfs_path('device', None, device), HANDLER_LINK)
    return client.link_name(link) if client.exists(link) else None


def device_luns(model, device):
    """Where device is mapped as a LUN in model: 'driver/target/lun' or 'driver/target/group/lun'.

    copy_manager's LUNs are left out: SCST maps every vdisk device there by itself and removes that LUN with
    the device.
    """
    found = []
    for drv in model['drivers']:
        if drv['name'] == COPY_MANAGER:
            continue
        for tgt in drv['targets']:
            prefix = '%s/%s' % (drv['name'], tgt['name'])
            found.extend('%s/%d' % (prefix, lun['lun']) for lun in tgt['luns'] if lun['device'] == device)
            for grp in tgt['groups']:
                found.extend('%s/%s/%d' % (prefix, grp['name'], lun['lun']) for lun in grp['luns']
                             if lun['device'] == device)
    return found
