# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scstadmin's tree of hashes (``_conf_lexer``) to a configuration model, with the position of every path.

This module is private to this collection: it is not part of the public API and may change without notice.
It notes every statement that scstadmin would drop or misapply (a keyword in the wrong place or case, an
attribute with a block, a LUN without a device...) and, in scstadmin-compatible mode, makes the edits of
scstadmin's configuration check that need no live system.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.storage.scst.plugins.module_utils import _model
from ansible_collections.storage.scst.plugins.module_utils._conf_lexer import CHANGE, KEYWORDS_BY_LOWER, STRICT


_PLAIN_LUN = re.compile(r'^(0|[1-9][0-9]*)$')

_LEVELS = {
    'global': ('at the top level', ('HANDLER', 'TARGET_DRIVER', 'DEVICE_GROUP', 'ALUA')),
    'handler': ('inside HANDLER', ('DEVICE',)),
    'device': ('inside DEVICE', ()),
    'driver': ('inside TARGET_DRIVER', ('TARGET', 'enabled')),
    'target': ('inside TARGET', ('HW_TARGET', 'enabled', 'LUN', 'GROUP')),
    'group': ('inside GROUP', ('LUN', 'INITIATOR')),
    'alua': ('inside ALUA', ()),
    'device_group': ('inside DEVICE_GROUP', ('DEVICE', 'TARGET_GROUP')),
    'target_group': ('inside TARGET_GROUP', ('TARGET',)),
    'tg_target': ('inside TARGET (of a TARGET_GROUP)', ()),
}


class Interpreter:
    """Turns scstadmin's tree into a model in file order, with the position of every path."""

    def __init__(self, reader):
        self.reader = reader
        self.positions = {}

    def note(self, kind, entry, message):
        self.reader.note(kind, entry.line, entry.column, message)

    def at(self, path, entry):
        self.positions[path] = (entry.line, entry.column)

    def misplaced(self, key, entry, level):
        """Report a keyword in the wrong place or case; True when the statement must be dropped."""
        where, allowed = _LEVELS[level]
        if key in _model.KEYWORDS and key not in allowed:
            self.note(CHANGE, entry, "%s is not a keyword %s: scstadmin reads it as an attribute named %r, "
                                     "which the apply rejects" % (key, where, key))
            return True
        proper = KEYWORDS_BY_LOWER.get(key.lower())
        if proper and proper != key:
            self.note(CHANGE, entry, "keywords are case-sensitive: %r is not %s, so scstadmin reads it as an "
                                     "attribute named %r" % (key, proper, key))
            return True
        return False

    def values(self, key, entry, path):
        """The values of an attribute statement; None when scstadmin could not apply it."""
        if entry.assigned and entry.block and entry.node.entries:
            self.note(CHANGE, entry, "%r has a block but is not a block keyword: scstadmin reads it as an attribute "
                                     "and aborts the apply ('Attribute %s has an invalid value')" % (key, key))
            return None
        if not entry.node.entries:
            self.note(STRICT, entry, "attribute %r has no value: scstadmin would write an empty string; write "
                                     "%s \"\" if that is meant" % (key, key))
            self.at(path, entry)
            return ['']
        values = []
        for value, ventry in entry.node.entries.items():
            if ventry.node.entries:
                if ventry.block:
                    message = ("attribute '%s %s' has a block: scstadmin aborts the apply ('Attribute %s has an "
                               "invalid value')" % (key, value, key))
                else:
                    message = ("'%s %s %s': an attribute takes one value; scstadmin aborts the apply "
                               "('Attribute %s has an invalid value')" % (key, value, ' '.join(ventry.node.entries), key))
                self.note(CHANGE, ventry, message)
                return None
            if ventry.block:
                self.note(STRICT, ventry, "attribute '%s %s' is followed by an empty block: remove it" % (key, value))
            values.append(value)
        self.at(path, entry)
        return values

    def attributes(self, node, path, level, driver=None, handled=()):
        out = {}
        for key, entry in node.entries.items():
            if key in handled or self.misplaced(key, entry, level):
                continue
            values = self.values(key, entry, path + (key,))
            if values is None:
                continue
            if len(values) > 1 and not _model.is_multi_valued(level, key, driver):
                second = list(entry.node.entries.values())[1]
                self.note(CHANGE, second, "%r is given %d times with different values: it is not a multi-valued "
                                          "attribute, and scstadmin would pass the set of values on in no particular "
                                          "order" % (key, len(values)))
            out[key] = values if len(values) > 1 else values[0]
        return out

    def named(self, node, key):
        """(name, entry) pairs of a 'KEY name { }' block keyword."""
        entry = node.entries.get(key)
        if entry is None:
            return []
        if entry.assigned:
            self.note(CHANGE, entry, "%s without a name: scstadmin stores it under no name and cannot apply it" % key)
            return []
        return list(entry.node.entries.items())

    def flag(self, node, key, path):
        """enabled 0|1 -> True/False; None when absent or unusable."""
        entry = node.entries.get(key)
        if entry is None:
            return None
        values = self.values(key, entry, path)
        if values is None:
            return None
        if len(values) != 1 or values[0] not in ('0', '1'):
            self.note(CHANGE, entry, "enabled takes 0 or 1, not %s: scstadmin would write that text and the kernel "
                                     "rejects it" % ' '.join(repr(v) for v in values))
            return None
        return values[0] == '1'

    def model(self, tree):
        model = _model.empty_model()
        model['attributes'] = self.attributes(tree, ('attributes',), 'global',
                                              handled=('HANDLER', 'TARGET_DRIVER', 'DEVICE_GROUP', 'ALUA'))
        for keyword in ('HANDLER', 'TARGET_DRIVER'):
            for name, entry in self.named(tree, keyword):
                if not entry.block:
                    self.note(STRICT, entry, "%s %s has no block: write '%s %s {' and '}', the form that "
                                             "/etc/init.d/scst looks for to load the module at boot"
                              % (keyword, name, keyword, name))
        for name, entry in self.named(tree, 'HANDLER'):
            model['handlers'].append(self.handler(name, entry, ('handlers', len(model['handlers']))))
        for name, entry in self.named(tree, 'TARGET_DRIVER'):
            model['drivers'].append(self.driver(name, entry, ('drivers', len(model['drivers']))))
        alua = tree.entries.get('ALUA')
        if alua is not None:
            if alua.assigned:
                model['alua'] = self.attributes(alua.node, ('alua',), 'alua')
            else:
                self.note(CHANGE, alua, "ALUA takes no name: scstadmin reads the words after it as attributes of "
                                        "the ALUA block and cannot apply them")
        for name, entry in self.named(tree, 'DEVICE_GROUP'):
            model['device_groups'].append(self.device_group(name, entry, ('device_groups', len(model['device_groups']))))
        return model

    def handler(self, name, entry, path):
        self.at(path, entry)
        devices = []
        for dname, dentry in self.named(entry.node, 'DEVICE'):
            dpath = path + ('devices', len(devices))
            self.at(dpath, dentry)
            devices.append({'name': dname, 'attributes': self.attributes(dentry.node, dpath + ('attributes',), 'device')})
        return {'name': name, 'devices': devices,
                'attributes': self.attributes(entry.node, path + ('attributes',), 'handler', handled=('DEVICE',))}

    def driver(self, name, entry, path):
        self.at(path, entry)
        targets = []
        for tname, tentry in self.named(entry.node, 'TARGET'):
            targets.append(self.target(name, tname, tentry, path + ('targets', len(targets))))
        return {'name': name, 'targets': targets,
                'enabled': self.flag(entry.node, 'enabled', path + ('enabled',)),
                'attributes': self.attributes(entry.node, path + ('attributes',), 'driver', name,
                                              handled=('TARGET', 'enabled'))}

    def fc_name(self, driver, name, entry, normalized):
        if normalized != name:
            self.note(CHANGE, entry, "%r: scstadmin compares names byte for byte with sysfs, where %s spells this "
                                     "port %r" % (name, driver, normalized))

    def target(self, driver, name, entry, path):
        self.at(path, entry)
        node = entry.node
        self.fc_name(driver, name, entry, _model.normalize_target_name(driver, name))
        hw_entry = node.entries.get('HW_TARGET')
        if hw_entry is not None and (hw_entry.node.entries or not hw_entry.assigned):
            self.note(STRICT, hw_entry, 'HW_TARGET is a flag and takes no value or block')
        groups = []
        for gname, gentry in self.named(node, 'GROUP'):
            groups.append(self.group(driver, gname, gentry, path + ('groups', len(groups))))
        return {'name': name, 'hw_target': hw_entry is not None,
                'enabled': self.flag(node, 'enabled', path + ('enabled',)),
                'attributes': self.attributes(node, path + ('attributes',), 'target', driver,
                                              handled=('HW_TARGET', 'enabled', 'LUN', 'GROUP')),
                'luns': self.luns(node, path + ('luns',)), 'groups': groups}

    def group(self, driver, name, entry, path):
        self.at(path, entry)
        initiators = []
        for iname, ientry in self.named(entry.node, 'INITIATOR'):
            self.at(path + ('initiators', len(initiators)), ientry)
            if ientry.node.entries:
                self.note(CHANGE, ientry, 'scstadmin reads the block after INITIATOR %s but never applies it' % iname)
            elif ientry.block:
                self.note(STRICT, ientry, 'INITIATOR %s is followed by an empty block: remove it' % iname)
            self.fc_name(driver, iname, ientry, _model.normalize_initiator(driver, iname))
            initiators.append(iname)
        return {'name': name, 'initiators': initiators, 'luns': self.luns(entry.node, path + ('luns',)),
                'attributes': self.attributes(entry.node, path + ('attributes',), 'group', driver,
                                              handled=('LUN', 'INITIATOR'))}

    def luns(self, node, path):
        out = []
        for number, nentry in self.named(node, 'LUN'):
            if not nentry.node.entries:
                self.note(CHANGE, nentry, 'LUN %s has no device: write LUN <number> <device>; scstadmin cannot '
                                          'apply it' % number)
                continue
            lun = _model.parse_number(number)
            if lun is None:
                self.note(CHANGE, nentry, '%r is not a LUN number: scstadmin passes it on and the kernel rejects the '
                                          'LUN' % number)
                continue
            if not _PLAIN_LUN.match(number):
                self.note(CHANGE, nentry, 'LUN %r is LUN %d for the kernel, which reads numbers in base 0 (0x hex, '
                                          'leading 0 octal), but scstadmin compares it as text; write %d'
                          % (number, lun, lun))
            devices = list(nentry.node.entries.items())
            if len(devices) > 1:
                self.note(CHANGE, devices[1][1], 'LUN %s is given with devices %s: scstadmin aborts the apply; '
                                                 'the last one is kept' % (number, ', '.join(d for d, dummy in devices)))
            device, dentry = devices[-1]
            lpath = path + (len(out),)
            self.at(lpath, nentry)
            self.at(lpath + ('device',), dentry)
            read_only = False
            for key, aentry in dentry.node.entries.items():
                values = self.values(key, aentry, lpath + ('read_only',))
                if values is None:
                    continue
                if key not in _model.LUN_CREATE_ATTRIBUTES:
                    self.note(CHANGE, aentry, '%r is not a LUN parameter (only read_only is): scstadmin passes it '
                                              'to the add command, which the kernel rejects' % key)
                elif len(values) != 1 or _model.to_bool(values[0]) is None:
                    self.note(CHANGE, aentry, 'read_only takes 0 or 1, not %s' % ' '.join(repr(v) for v in values))
                else:
                    read_only = _model.to_bool(values[0])
            out.append({'lun': lun, 'device': device, 'read_only': read_only})
        return out

    def device_group(self, name, entry, path):
        self.at(path, entry)
        devices = []
        for dname, dentry in self.named(entry.node, 'DEVICE'):
            if dentry.node.entries:
                self.note(CHANGE, dentry, 'DEVICE %s inside DEVICE_GROUP only names a device: scstadmin ignores the '
                                          'block after it' % dname)
            elif dentry.block:
                self.note(STRICT, dentry, 'DEVICE %s is followed by an empty block: remove it' % dname)
            self.at(path + ('devices', len(devices)), dentry)
            devices.append(dname)
        tgroups = []
        for gname, gentry in self.named(entry.node, 'TARGET_GROUP'):
            gpath = path + ('target_groups', len(tgroups))
            self.at(gpath, gentry)
            targets = []
            for tname, tentry in self.named(gentry.node, 'TARGET'):
                tpath = gpath + ('targets', len(targets))
                self.at(tpath, tentry)
                targets.append({'name': tname, 'attributes': self.attributes(tentry.node, tpath + ('attributes',),
                                                                             'tg_target')})
            tgroups.append({'name': gname, 'targets': targets,
                            'attributes': self.attributes(gentry.node, gpath + ('attributes',), 'target_group',
                                                          handled=('TARGET',))})
        return {'name': name, 'devices': devices, 'target_groups': tgroups,
                'attributes': self.attributes(entry.node, path + ('attributes',), 'device_group',
                                              handled=('DEVICE', 'TARGET_GROUP'))}

    def scstadmin_checks(self, model):
        """The edits of scstadmin's configuration check (checkConfiguration) that depend on the file alone."""
        defined = set()
        for hindex, handler in enumerate(model['handlers']):
            for dindex, device in enumerate(handler['devices']):
                if device['name'].startswith('/dev/'):
                    self.reader.note(CHANGE, *self.position(('handlers', hindex, 'devices', dindex)) + (
                        "device %r: scstadmin strips the leading /dev/ and uses %r" % (device['name'], device['name'][5:]),))
                    device['name'] = device['name'][5:]
                defined.add(device['name'])
        for dindex, driver in enumerate(model['drivers']):
            for tindex, target in enumerate(driver['targets']):
                tpath = ('drivers', dindex, 'targets', tindex)
                target['luns'] = self.known_luns(target['luns'], tpath + ('luns',), defined, driver, target, None)
                for gindex, group in enumerate(target['groups']):
                    group['luns'] = self.known_luns(group['luns'], tpath + ('groups', gindex, 'luns'), defined,
                                                    driver, target, group)
        for gindex, dgroup in enumerate(model['device_groups']):
            path = ('device_groups', gindex, 'devices')
            dropped = []
            for index, device in enumerate(dgroup['devices']):
                if device not in defined:
                    dropped.append(index)
                    self.reader.note(CHANGE, *self.position(path + (index,)) + (
                        'device %r of device group %r is not defined in any HANDLER: scstadmin warns and removes it'
                        % (device, dgroup['name']),))
            dgroup['devices'] = self.drop(dgroup['devices'], path, dropped)

    def known_luns(self, luns, path, defined, driver, target, group):
        dropped = []
        for index, lun in enumerate(luns):
            if lun['device'] not in defined:
                dropped.append(index)
                owner = '%s/%s' % (driver['name'], target['name']) + ('/%s' % group['name'] if group else '')
                self.reader.note(CHANGE, *self.position(path + (index, 'device')) + (
                    'LUN %d of %s uses device %r, which no HANDLER defines: scstadmin warns and removes the LUN'
                    % (lun['lun'], owner, lun['device']),))
        return self.drop(luns, path, dropped)

    def drop(self, items, path, dropped):
        """items without the given indexes; the recorded positions of the later items move up with them."""
        size = len(path)
        for index in sorted(dropped, reverse=True):
            moved = {}
            for key, position in self.positions.items():
                if key[:size] == path and len(key) > size:
                    if key[size] == index:
                        continue
                    if key[size] > index:
                        key = path + (key[size] - 1,) + key[size + 1:]
                moved[key] = position
            self.positions = moved
        return [item for index, item in enumerate(items) if index not in dropped]

    def position(self, path):
        """(line, column) of the longest known prefix of a raw-model path."""
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return (1, 1)
