# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Everything about a configuration that can be checked without its host, and what only its host can answer.

This module is private to this collection: it is not part of the public API and may change without notice.
problems() is what the filter storage.scst.scst_check (and so the role, on the controller, before the first
host task) reports: the model's own rules, handler and attribute names unknown to SCST with "did you mean"
(_names), whether the configuration reads back the same from scst.conf, and the role's additions (the port
shorthand, the transports and handler modules it loads). Every message starts with the path of the option as
the user wrote it (``scst_config.drivers[0].targets[1].groups[0].initiators[0]``): indexes are those of the
user's lists, never of the sorted canonical model or of a rendered file.
preflight() lists what the host must have (backing files, FC ports), each with that path, for scst_module to
check before it changes anything.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.storage.scst.plugins.module_utils import _conf, _model, _names, _secrets
from ansible_collections.storage.scst.plugins.module_utils._errors import mask_text
from ansible_collections.storage.scst.plugins.module_utils._schema import BACKING_FILE_HANDLERS, FC_DRIVERS

# The transport of the role (scst_transports) that loads each target driver.
DRIVER_TRANSPORTS = {'qla2x00t': 'fc', 'iscsi': 'iscsi'}
# The scst.conf parser names a problem by the path of its model: "drivers[1].targets[0].name: ...".
_PATH_PREFIX = re.compile(r'^((?:[A-Za-z_]+(?:\[[0-9]+\])*\.?)+): ')


def _items(value):
    return value if isinstance(value, list) else []


def _port_targets(config):
    """(driver index, target index, target) of every target written with the port shorthand."""
    for dindex, driver in enumerate(_items(config.get('drivers'))):
        for tindex, target in enumerate(_items(driver.get('targets') if isinstance(driver, dict) else None)):
            if isinstance(target, dict) and 'port' in target:
                yield dindex, tindex, driver, target


def _resolve_ports(config, found):
    """The config with each ``port: N`` target named by a stand-in WWPN (the host's is not known here)."""
    if not any(True for dummy in _port_targets(config)):
        return config
    drivers = [dict(driver, targets=list(driver['targets'])) if isinstance(driver, dict) and isinstance(driver.get('targets'), list)
               else driver for driver in config['drivers']]
    for dindex, tindex, driver, target in _port_targets(config):
        path = ('drivers', dindex, 'targets', tindex)
        port = target['port']
        valid = isinstance(port, int) and not isinstance(port, bool) and port >= 0
        if driver.get('name') not in FC_DRIVERS:
            found.append((path + ('port',), 'only targets of driver qla2x00t can name an FC port'))
        elif 'name' in target:
            found.append((path, 'give either name or port, not both'))
        elif not valid:
            found.append((path + ('port',), "'%s' is not a port index (0 is the host's first FC port)" % (port,)))
        # Checked further as a target of that name, so that a port problem is reported once.
        resolved = dict((key, value) for key, value in target.items() if key != 'port')
        number = port if valid else 0
        resolved.setdefault('name', '00:00:00:00:00:00:%02x:%02x' % (number // 256 % 256, number % 256))
        drivers[dindex]['targets'][tindex] = resolved
    return dict(config, drivers=drivers)


def _user_path(canonical, origins, path):
    """The user's path of a canonical model's path: the deepest object on the way whose origin is known."""
    best, obj = path, canonical
    for index, part in enumerate(path):
        if index == len(path) - 1:
            # Attributes are known by (their dictionary, name), initiators by (their list, initiator).
            key = (id(obj), obj[part] if isinstance(obj, list) and isinstance(part, int) and part < len(obj) else part)
            if key in origins:
                return origins[key]
        try:
            obj = obj[part]
        except (KeyError, IndexError, TypeError):
            break
        if id(obj) in origins:
            best = origins[id(obj)] + tuple(path[index + 1:])
    return best


def _names_problems(canonical, origins):
    """Handler and attribute names SCST does not know, each with the closest known name."""
    found = []

    def attributes(attrs, level, owner, fallback):
        for name in sorted(attrs):
            problem = _names.attribute_problem(level, owner, name)
            if problem:
                found.append((origins.get((id(attrs), name), fallback + (name,)), problem))

    for hindex, handler in enumerate(canonical['handlers']):
        hpath = origins.get(id(handler), ('handlers', hindex))
        problem = _names.handler_problem(handler['name'])
        if problem:
            found.append((hpath + ('name',), problem))
            continue
        attributes(handler['attributes'], 'handler', handler['name'], hpath + ('attributes',))
        for dindex, device in enumerate(handler['devices']):
            dpath = origins.get(id(device), hpath + ('devices', dindex))
            attributes(device['attributes'], 'device', handler['name'], dpath + ('attributes',))
    for dindex, driver in enumerate(canonical['drivers']):
        dpath = origins.get(id(driver), ('drivers', dindex))
        attributes(driver['attributes'], 'driver', driver['name'], dpath + ('attributes',))
        for tindex, target in enumerate(driver['targets']):
            tpath = origins.get(id(target), dpath + ('targets', tindex))
            attributes(target['attributes'], 'target', driver['name'], tpath + ('attributes',))
            for gindex, group in enumerate(target['groups']):
                gpath = origins.get(id(group), tpath + ('groups', gindex))
                attributes(group['attributes'], 'group', driver['name'], gpath + ('attributes',))
    return found


def _round_trip_problems(canonical, origins):
    """What keeps the configuration from being written as scst.conf and read back as the same configuration."""
    try:
        text = _conf.render(canonical)
    except _model.ModelError as err:
        return [(_user_path(canonical, origins, path), message) for path, message in err.problems]
    try:
        again = _conf.parse(text)[0]
    except _conf.ConfError as err:
        found = []
        for issue in err.issues:
            match = _PATH_PREFIX.match(issue.message)
            if match:
                path = tuple(int(part) if part.isdigit() else part
                             for part in re.findall(r'[A-Za-z_]+|[0-9]+', match.group(1)))
                found.append((_user_path(canonical, origins, path), issue.message[match.end():]))
            else:
                found.append(((), 'written as scst.conf, it does not read back: %s' % issue.message))
        return found
    if again != canonical:
        return [((), 'written as scst.conf and read back, it is not the same configuration')]
    return []


def problems(config, prefix='config', ports=False, transports=None, handler_modules=None, check_names=True):
    """Every problem of a configuration that is visible without its host, as messages naming the user's path.

    ports: targets of qla2x00t may be written ``port: N`` (the role's shorthand). transports, handler_modules:
    the role's scst_transports and the handler modules it loads (None: not checked). check_names: refuse
    handler and attribute names that SCST 3.11 does not know.
    """
    found = []
    if ports and isinstance(config, dict):
        config = _resolve_ports(config, found)
    canonical, origins, structure = _model._normalize(config)  # pylint: disable=protected-access
    found.extend(structure)
    if not structure:
        found.extend(_model._validate(canonical, origins))  # pylint: disable=protected-access
    if check_names:
        found.extend(_names_problems(canonical, origins))
    for dindex, driver in enumerate(canonical['drivers']):
        transport = DRIVER_TRANSPORTS.get(driver['name'])
        if transports is not None and transport is not None and transport not in transports:
            found.append((origins.get(id(driver), ('drivers', dindex)) + ('name',),
                          "driver '%s' needs '%s' in scst_transports (now: %s)"
                          % (driver['name'], transport, ', '.join(transports))))
    if handler_modules is not None:
        loaded = ['scst'] + list(handler_modules)
        for hindex, handler in enumerate(canonical['handlers']):
            module = _names.HANDLER_MODULES.get(handler['name'])
            if module is not None and module not in loaded:
                found.append((origins.get(id(handler), ('handlers', hindex)) + ('name',),
                              "handler '%s' comes with kernel module %s, which is not in scst_handler_modules (now: %s)"
                              % (handler['name'], module, ', '.join(handler_modules))))
    if not found:
        found = _round_trip_problems(canonical, origins)
    secrets = _secrets.in_model(config)
    return [mask_text('%s: %s' % (prefix + ('.' + _model.format_path(path) if path else ''), message), secrets)
            for path, message in sorted(found, key=lambda item: _model.format_path(item[0]))]


def preflight(config, prefix='config', ports=False):
    """What only the host can tell, each with the user's path: files (backing file -> path) and fc_ports (WWPN
    of a hardware FC target, or ``port N``, -> path). Devices with active=0 open no file, NPIV ports are created."""
    files, fc_ports = {}, {}
    for hindex, handler in enumerate(_items(config.get('handlers'))):
        if not isinstance(handler, dict) or handler.get('name') not in BACKING_FILE_HANDLERS:
            continue
        for dindex, device in enumerate(_items(handler.get('devices'))):
            attrs = device.get('attributes') if isinstance(device, dict) else None
            if isinstance(attrs, dict) and attrs.get('filename') and _model.to_bool(attrs.get('active', True)) is not False:
                files.setdefault(str(attrs['filename']), '%s.handlers[%d].devices[%d].attributes.filename'
                                 % (prefix, hindex, dindex))
    for dindex, driver in enumerate(_items(config.get('drivers'))):
        if not isinstance(driver, dict) or driver.get('name') not in FC_DRIVERS:
            continue
        for tindex, target in enumerate(_items(driver.get('targets'))):
            if not isinstance(target, dict) or 'parent_host' in (target.get('attributes') or {}):
                continue
            where = '%s.drivers[%d].targets[%d]' % (prefix, dindex, tindex)
            if ports and isinstance(target.get('port'), int) and 'name' not in target:
                fc_ports['port %d' % target['port']] = where + '.port'
            elif isinstance(target.get('name'), str) and _model.normalize_wwn(target['name'], pad=False):
                fc_ports[_model.normalize_wwn(target['name'], pad=False)] = where + '.name'
    return {'files': files, 'fc_ports': fc_ports}
