# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reading the running SCST configuration: sysfs -> configuration model, capabilities and facts.

This module is private to this collection: it is not part of the public API and may change without notice.
gather() reads /sys/kernel/scst_tgt through a SysfsClient into the canonical model of _model (handlers and
devices, drivers, targets, LUNs, groups, initiators, ALUA device groups, global attributes), reading only the
handlers, drivers and targets asked for. gather_meta() reads what the planner needs to know about the running
kernel (add_device / add_target parameters and dynamic attributes from the mgmt help texts, open sessions).
gather_facts() adds what scst_info reports: the SCST version, sessions, FC ports and loaded kernel modules.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import re

from ansible_collections.storage.scst.plugins.module_utils._errors import ScstError
from ansible_collections.storage.scst.plugins.module_utils._kmod import LOAD_ORDER, is_loaded, running_params
from ansible_collections.storage.scst.plugins.module_utils._model import normalize, normalize_wwn
from ansible_collections.storage.scst.plugins.module_utils._model_index import index, objects
from ansible_collections.storage.scst.plugins.module_utils._schema import (
    container,
    COPY_MANAGER,
    COUNTER,
    DEVICE_LINK,
    group_of_lun_set,
    KINDS,
    MGMT,
    NUMBERED,
    path as sysfs_path,
    SESSION_ATTRIBUTES,
)

FC_HOST_ROOT = '/sys/class/fc_host'
MODULE_ROOT = '/sys/module'

# Entries of any directory that are not configuration attributes: kinds, states, help texts and counters
# (reading counters also queues kernel work in scst_sysfs.c). A read of one kind of object skips that kind's.
_NOT_ATTRIBUTES = frozenset().union(*(kind.unread() for kind in KINDS.values()))
_HELP = {
    'create_params': 'The following parameters available:',
    'driver_attributes': 'The following target driver attributes available:',
    'target_attributes': 'The following target attributes available:',
}
_VERSION = re.compile(r'^(?:SCST version:\s*)?([0-9]+\.[0-9]+(?:\.[0-9]+)*[^\s(]*)')
# Other kernel modules that matter next to SCST's own: the distribution's QLogic driver conflicts with SCST's.
_OTHER_MODULES = ('qla2xxx',)


def _wanted(name, only):
    return only is None or name in only


def config_attrs(client, path, nonkey, skip=_NOT_ATTRIBUTES, names=None):
    """{name: value} of an object: key attributes (with nonkey, every readable configuration attribute).

    names: read only these (a focused read: each one file, without listing the directory, unless it is a
    numbered multi-valued attribute); None: every configuration attribute the directory lists.
    """
    if names is not None and not set(names) & set(NUMBERED):
        out = {}
        for name in sorted(set(names) - set(skip)):
            try:
                value, is_key = client.read_value('%s/%s' % (path, name) if path else name)
            except ScstError as err:
                # One read, not a test for the file and then a read: most named attributes exist.
                if err.errno == errno.ENOENT:
                    continue
                raise
            if is_key or (nonkey and value != ''):
                out[name] = value
        return out
    if names is None:
        # Chosen before reading: counters and states are never read, since reading them queues kernel work that
        # can answer EAGAIN (scst_sysfs.c). Numbered values (IncomingUser1) are asked for by their base name.
        listed = [name for name in client.list_dir(path, kind='file') if name not in skip and not COUNTER.search(name)]
        names = set(listed) | set(re.sub('[0-9]+$', '', name) for name in listed)
    out = {}
    for name, (value, is_key) in client.read_attrs(path, names=names).items():
        if name in skip or COUNTER.search(name):
            continue
        # Numbered attributes (IncomingUser, IncomingUser1...) exist only when added: they are configuration.
        if isinstance(value, list) or is_key or (nonkey and value != ''):
            out[name] = value
    return out


def read_luns(client, path):
    out = []
    for lun in client.list_dir(path, kind='dir'):
        where = KINDS['lun'].path(path, lun)
        read_only = client.read_value('%s/read_only' % where)[0].strip() == '1'
        out.append({'lun': int(lun), 'device': client.link_name('%s/%s' % (where, DEVICE_LINK)), 'read_only': read_only})
    return out


def _enabled(client, path):
    """True/False from an `enabled` file, None when the object has none (copy_manager, scst_local)."""
    if not client.exists('%s/enabled' % path):
        return None
    return client.read_value('%s/enabled' % path)[0].strip() == '1'


def gather(client, handlers=None, drivers=None, targets=None, device_groups=True, global_attributes=True, nonkey=False,
           devices=None, focus=None):
    """The running configuration as a canonical model (_model.normalize()).

    handlers, drivers, targets: names to read (None: all); targets filters the targets of every driver read,
    devices the devices of every handler read (a run about one device need not read the other hundreds).
    device_groups, global_attributes: whether to read the ALUA configuration and the global attributes.
    nonkey: also read attributes at their default values (without the [key] mark), which the planner needs
    to compare the attributes a configuration names; without it the model holds what scst.conf would keep.
    focus: a configuration model (merged runs): read only the attributes it names, of the objects it names
    (plus every target's rel_tgt_id, and the read_only of the devices its LUNs map); objects, LUNs, initiators
    and memberships are still listed in full, since they reveal conflicts (an occupied LUN number, an
    initiator in another group).
    """
    names = Focus(focus)
    raw = {'attributes': {}, 'handlers': [], 'drivers': [], 'alua': {}, 'device_groups': []}
    if global_attributes:
        raw['attributes'] = config_attrs(client, '', nonkey, names=names('global', default=KINDS['global'].names('attributes')))
    for handler in client.list_dir(container('handler'), kind='dir'):
        if _wanted(handler, handlers):
            raw['handlers'].append(_handler(client, handler, nonkey, devices, names))
    for driver in client.list_dir(container('driver'), kind='dir'):
        if _wanted(driver, drivers):
            raw['drivers'].append(_driver(client, driver, targets, nonkey, names))
    if device_groups:
        raw['alua'] = config_attrs(client, sysfs_path('alua'), nonkey, names=names('alua'))
        raw['device_groups'] = [_device_group(client, name, nonkey, names)
                                for name in client.list_dir(container('device_group'), kind='dir')]
    return normalize(raw)


class Focus(object):
    """The attribute names a focused gather reads, by object: names(kind, *key) -> a set, or ``default`` (None:
    every attribute) when the gather is not focused."""

    def __init__(self, model):
        self.names = None
        if model is None:
            return
        found = index(model)
        self.names = {('global',): set(found['attributes']), ('alua',): set(found['alua'])}
        luns, described = [], set()
        for kind, names, entry in objects(found):
            if kind == 'lun':
                luns.append(entry)
            elif kind != 'initiator':
                # Devices are named alone (their names are unique across handlers).
                self.names[(kind + 's',) + (names[-1:] if kind == 'device' else names)] = set(entry['attributes'])
                if kind == 'device':
                    described.add(entry['name'])
        for lun in luns:
            # A LUN reads read-only when its device is (scst_lib.c): the planner needs the flag of a device the
            # configuration does not describe (for one it describes, the configuration's flag is the one).
            if lun['device'] not in described:
                self.names.setdefault(('devices', lun['device']), set()).add('read_only')

    def __call__(self, kind, *key, **kwargs):
        if self.names is None:
            return kwargs.get('default')
        found = self.names.get((kind,) + key, set())
        # Every target's id: the planner orders rel_tgt_id and enables across all targets (_plan_ports).
        return found | set(['rel_tgt_id']) if kind == 'targets' else found


def skip_of(kind, owner=None):
    """What a read of an object of that kind (of that handler or driver) leaves out."""
    return _NOT_ATTRIBUTES | KINDS[kind].unread(owner)


def _handler(client, handler, nonkey, devices, names):
    hpath = sysfs_path('handler', handler)
    found = [{'name': name, 'attributes': _device(client, handler, name, nonkey, names('devices', name))}
             for name in client.list_dir(container('device', handler), kind='link') if _wanted(name, devices)]
    return {'name': handler, 'attributes': config_attrs(client, hpath, nonkey, names=names('handlers', handler)),
            'devices': found}


def _device(client, handler, name, nonkey, focused):
    """A device's attributes; a focused read also reads the derived ones the configuration names (size of a
    vdisk_fileio device), so that the planner can say when they differ."""
    return config_attrs(client, sysfs_path('device', handler, name), nonkey, skip=skip_of('device', handler) - set(focused or ()),
                        names=focused)


def _driver(client, driver, targets, nonkey, names):
    dpath = sysfs_path('driver', driver)
    out = {'name': driver, 'enabled': _enabled(client, dpath),
           'attributes': config_attrs(client, dpath, nonkey, skip=skip_of('driver', driver), names=names('drivers', driver)),
           'targets': []}
    for target in client.list_dir(container('target', driver), kind='dir'):
        if target != 'module' and _wanted(target, targets):
            out['targets'].append(_target(client, driver, target, nonkey, names))
    return out


def _target(client, driver, target, nonkey, names):
    tpath = sysfs_path('target', driver, target)
    hw_target = client.exists('%s/hw_target' % tpath) and client.read_value('%s/hw_target' % tpath)[0].strip() == '1'
    groups = []
    for group in client.list_dir(container('group', driver, target), kind='dir'):
        gpath = sysfs_path('group', driver, target, group)
        groups.append({'name': group, 'attributes': config_attrs(client, gpath, nonkey, skip=skip_of('group', driver),
                                                                 names=names('groups', driver, target, group)),
                       'luns': read_luns(client, sysfs_path('lun_set', gpath)),
                       'initiators': [i for i in client.list_dir(container('initiator', gpath), kind='file') if i != MGMT]})
    wanted = names('targets', driver, target)
    attributes = config_attrs(client, tpath, nonkey, skip=skip_of('target', driver), names=wanted)
    session = SESSION_ATTRIBUTES.get(driver)
    if session is not None and (wanted is None or session in wanted):
        found = client.list_dir(container('session', driver, target), kind='dir')
        if found:
            attributes[session] = found
    return {'name': target, 'hw_target': hw_target, 'enabled': _enabled(client, tpath), 'attributes': attributes,
            'luns': read_luns(client, sysfs_path('lun_set', tpath)), 'groups': groups}


def _device_group(client, name, nonkey, names):
    dpath = sysfs_path('device_group', name)
    tgroups = []
    for tg in client.list_dir(container('target_group', name), kind='dir'):
        tpath = sysfs_path('target_group', name, tg)
        # Local targets are links to the target; remote ones (an H.A. peer's) directories with rel_tgt_id.
        members = [{'name': link} for link in client.list_dir(tpath, kind='link')]
        members += [{'name': remote, 'attributes': config_attrs(client, sysfs_path('tg_target', name, tg, remote), nonkey,
                                                                names=names('tg_targets', name, tg, remote))}
                    for remote in client.list_dir(tpath, kind='dir')]
        tgroups.append({'name': tg, 'attributes': config_attrs(client, tpath, nonkey,
                                                               names=names('target_groups', name, tg)),
                        'targets': members})
    return {'name': name, 'attributes': config_attrs(client, dpath, nonkey, names=names('device_groups', name)),
            'devices': client.list_dir(container('dg_device', name), kind='link'), 'target_groups': tgroups}


# ------------------------------------------------------------------------------------------ capabilities


def parse_help(text):
    """Lists announced by a mgmt help text: create_params, driver_attributes, target_attributes."""
    out = dict((key, []) for key in _HELP)
    for line in text.splitlines():
        for key, lead in _HELP.items():
            if line.strip().startswith(lead):
                names = line.strip()[len(lead):].strip().rstrip('.')
                out[key] = [name.strip() for name in names.split(',') if name.strip()]
    return out


def gather_meta(client, handlers=None, drivers=None, targets=None, ports_needed=True):
    """What the planner needs to know about the running kernel (see _plan.plan(meta=...)).

    {'handlers': {h: {'create_params': [..], 'files': [..]}}, 'drivers': {d: {'mgmt': bool, 'create_params': [..],
    'driver_attributes': [..], 'target_attributes': [..], 'target_files': [..], 'group_files': [..]}},
    'sessions': {d: {t: {session: group or None}}},
    'ports': {d: {t: (enabled, rel_tgt_id)}}} (ports: the targets that ``drivers`` and ``targets`` leave out, read
    only when ``ports_needed``: see _plan_targets.reads_other_ports)
    Sessions are read of the targets ``targets`` names (None: every target of the drivers read): the plan can only
    disturb those.
    """
    meta = {'handlers': {}, 'drivers': {}, 'sessions': {}}
    for handler in client.list_dir(container('handler'), kind='dir'):
        mgmt = KINDS['device'].mgmt(handler)
        if _wanted(handler, handlers) and client.exists(mgmt):
            devices = client.list_dir(container('device', handler), kind='link')
            meta['handlers'][handler] = {'create_params': parse_help(client.read(mgmt))['create_params'],
                                         'files': client.list_dir(sysfs_path('device', handler, devices[0]), kind='file')
                                         if devices else None}
    for driver in client.list_dir(container('driver'), kind='dir'):
        if ports_needed and (not _wanted(driver, drivers) or targets is not None):
            # The kernel checks rel_tgt_id across every target of every driver: the planner needs the ids of
            # the targets gather() leaves out too.
            others = [name for name in client.list_dir(container('target', driver), kind='dir')
                      if name != 'module' and not (_wanted(driver, drivers) and name in targets)]
            meta.setdefault('ports', {})[driver] = ports(client, driver, others)
        if not _wanted(driver, drivers):
            continue
        mgmt = KINDS['target'].mgmt(driver)
        info = parse_help(client.read(mgmt)) if client.exists(mgmt) else parse_help('')
        info['mgmt'] = client.exists(mgmt)
        names = [name for name in client.list_dir(container('target', driver), kind='dir') if name != 'module']
        info['target_files'] = _files_of_first(client, container('target', driver), names[:1])
        info['group_files'] = _files_of_first(client, container('group', driver, names[0]), client.list_dir(
            container('group', driver, names[0]), kind='dir')) if names else None
        meta['drivers'][driver] = info
        meta['sessions'][driver] = dict((target, sessions(client, driver, target)) for target in names
                                        if _wanted(target, targets))
    return meta


def _files_of_first(client, parent, names):
    """The attribute files of the first of names under parent (an object of the kind a new one would be), or None
    when there is none to look at."""
    return client.list_dir('%s/%s' % (parent, names[0]), kind='file') if names else None


def ports(client, driver, names):
    """{target: (enabled, rel_tgt_id)} of the named targets of a driver: enabled as _enabled() reads it, the id
    as text."""
    return dict((target, (_enabled(client, sysfs_path('target', driver, target)),
                          client.read_value('%s/rel_tgt_id' % sysfs_path('target', driver, target))[0].strip()))
                for target in names)


def sessions(client, driver, target):
    """{session name: the group whose LUNs it sees, or None for the target's default LUN set}."""
    where = container('session', driver, target)
    if not client.exists(where):
        return {}
    out = {}
    for session in client.list_dir(where, kind='dir'):
        # A session's luns link points at the LUN set it sees: a group's, or the target's own (8.5).
        luns = sysfs_path('lun_set', sysfs_path('session', driver, target, session))
        group = group_of_lun_set(client.read_link(luns)) if client.exists(luns) else None
        out[session] = group
    return out


# ------------------------------------------------------------------------------------------ facts


def parse_version(lines):
    """The SCST version from the `version` file in any of its formats (scst_main.c), or None."""
    for line in lines:
        match = _VERSION.match(line.strip())
        if match:
            return match.group(1)
    return None


def fc_ports(fc_host_root=FC_HOST_ROOT):
    """{host: WWPN in SCST's spelling} of the FC HBA ports (/sys/class/fc_host/hostN/port_name reads 0x...)."""
    out = {}
    if not os.path.isdir(fc_host_root):
        return out
    for host in sorted(os.listdir(fc_host_root)):
        try:
            with open(os.path.join(fc_host_root, host, 'port_name')) as handle:
                wwpn = normalize_wwn(handle.read().strip())
        except (IOError, OSError):
            continue
        if wwpn:
            out[host] = wwpn
    return out


def fc_port_details(fc_host_root=FC_HOST_ROOT):
    """[{host, wwpn, node_name, port_state, speed}] of the FC HBA ports, in host number order; WWNs in SCST's
    spelling, the other values as /sys/class/fc_host shows them (None when a file is missing)."""
    out = []
    for host, wwpn in fc_ports(fc_host_root).items():
        port = {'host': host, 'wwpn': wwpn}
        for name in ('node_name', 'port_state', 'speed'):
            try:
                with open(os.path.join(fc_host_root, host, name)) as handle:
                    text = handle.read().strip()
            except (IOError, OSError):
                text = None
            port[name] = (normalize_wwn(text) or text) if name == 'node_name' and text else text
        out.append(port)
    return sorted(out, key=lambda port: (len(port['host']), port['host']))


def kernel_modules(module_root=MODULE_ROOT):
    """{module: {parameter: value}} of the loaded SCST modules (and of the conflicting distribution ones)."""
    return dict((name, running_params(module_root, name)) for name in LOAD_ORDER + _OTHER_MODULES
                if is_loaded(module_root, name))


def gather_facts(client, fc_host_root=FC_HOST_ROOT, module_root=MODULE_ROOT):
    """What scst_info reports besides the configuration: version, sessions per target, FC ports, modules."""
    lines = client.read_lines('version')
    sessions_by_target = {}
    for driver in client.list_dir(container('driver'), kind='dir'):
        if driver == COPY_MANAGER:
            continue
        for target in client.list_dir(container('target', driver), kind='dir'):
            found = sessions(client, driver, target)
            if found:
                sessions_by_target.setdefault(driver, {})[target] = [
                    {'name': name, 'group': group} for name, group in sorted(found.items())]
    return {'version': parse_version(lines), 'version_text': lines, 'sessions': sessions_by_target,
            'fc_ports': fc_ports(fc_host_root), 'kernel_modules': kernel_modules(module_root)}
