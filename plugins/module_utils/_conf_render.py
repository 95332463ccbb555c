# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A configuration model to the canonical scst.conf text (the layout of ``scstadmin -write_config``).

This module is private to this collection: it is not part of the public API and may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.storage.scst.plugins.module_utils import _model
from ansible_collections.storage.scst.plugins.module_utils._conf_lexer import KEYWORDS_BY_LOWER, PROCFS


DEFAULT_GENERATOR = 'storage.scst'


def _escape(text):
    """scstadmin's escapeMeta: backslash and '#' get a backslash; a value with a blank is double-quoted."""
    text = re.sub(r'([\\#])', r'\\\1', text)
    return '"%s"' % text if (' ' in text or text == '') else text


def _writable(text, path, problems, what):
    if _model._UNWRITABLE_VALUE.search(text) or ('\\' in text and ' ' in text):
        problems.append((path, '%r cannot be written to scst.conf: a %s cannot hold double quotes, braces, tabs, '
                               'newlines or control characters, nor a backslash together with a blank' % (text, what)))
    elif PROCFS.search(text):
        problems.append((path, '%r cannot be written to scst.conf: scstadmin would take the line for the old '
                               'procfs format' % text))


class Renderer:
    def __init__(self):
        self.problems = []

    def name(self, text, path):
        if text == '':
            self.problems.append((path, 'an empty name cannot be written to scst.conf'))
        _writable(text, path, self.problems, 'name')
        return _escape(text)

    def attributes(self, attrs, prefix, path, extra=None):
        """Key attribute lines, sorted by name (enabled among them), multi-values sorted, as -write_config does."""
        items = dict(attrs)
        if extra is not None:
            items['enabled'] = extra
        out = ''
        for name in sorted(items):
            apath = path + (name,)
            if name == 'enabled' and extra is not None and name not in attrs:
                out += '%senabled %s\n' % (prefix, '1' if extra else '0')
                continue
            if (name.lower() in KEYWORDS_BY_LOWER or _model._BAD_NAME.search(name) or '#' in name or '\\' in name
                    or name.startswith('[')):
                self.problems.append((apath, '%r cannot be written to scst.conf as an attribute name' % name))
                continue
            values = items[name] if isinstance(items[name], list) else [items[name]]
            for value in values:
                _writable(value, apath, self.problems, 'value')
                out += '%s%s %s\n' % (prefix, name, _escape(value))
        return out

    def luns(self, luns, prefix, path, blank_after_block):
        out = ''
        for index, lun in enumerate(luns):
            out += '%sLUN %d %s' % (prefix, lun['lun'], self.name(lun['device'], path + (index, 'device')))
            if lun['read_only']:
                out += ' {\n%s\tread_only 1\n%s}\n%s' % (prefix, prefix, '\n' if blank_after_block else '')
            else:
                out += '\n'
        return out

    def named(self, keyword, obj, indent, path, after=''):
        """'KEYWORD name' with its attribute lines in a block (then ``after``), or alone when it has none."""
        out = '%s%s %s' % (indent, keyword, self.name(obj['name'], path + ('name',)))
        attrs = self.attributes(obj['attributes'], indent + '\t', path + ('attributes',))
        return out + (' {\n%s%s}\n%s' % (attrs, indent, after) if attrs else '\n')

    def handler(self, handler, path):
        body = self.attributes(handler['attributes'], '\t', path + ('attributes',))
        devices = ''.join(self.named('DEVICE', device, '\t', path + ('devices', index), after='\n')
                          for index, device in enumerate(handler['devices']))
        body += re.sub(r'\n+$', '\n', devices, count=1)
        return 'HANDLER %s {\n%s}\n\n' % (self.name(handler['name'], path + ('name',)), body)

    def group(self, group, path):
        out = '\t\tGROUP %s' % self.name(group['name'], path + ('name',))
        luns = self.luns(group['luns'], '\t\t\t', path + ('luns',), blank_after_block=False)
        inits = ''
        for index, initiator in enumerate(group['initiators']):
            inits += '\n\t\t\tINITIATOR %s\n' % self.name(initiator, path + ('initiators', index))
        attrs = self.attributes(group['attributes'], '\t\t\t', path + ('attributes',))
        if luns or inits or attrs:
            # scstadmin opens the block only for LUNs or initiators and so writes attribute-only groups
            # without '{'; the block is opened for attributes too, so that the file stays readable.
            out += ' {\n' + luns + inits
            if attrs:
                out += '\n' + attrs
            out = re.sub(r'\n+$', '\n', out + '\t\t}\n\n', count=1)
        return out + '\n'

    def target(self, target, path):
        out = '\tTARGET %s' % self.name(target['name'], path + ('name',))
        attrs = '\t\tHW_TARGET\n\n' if target['hw_target'] else ''
        attrs += self.attributes(target['attributes'], '\t\t', path + ('attributes',), target['enabled'])
        if attrs:
            attrs += '\n'
        luns = self.luns(target['luns'], '\t\t', path + ('luns',), blank_after_block=True)
        if luns:
            luns = re.sub(r'\n+$', '\n\n', luns + '\n', count=1)
        groups = ''.join(self.group(g, path + ('groups', i)) for i, g in enumerate(target['groups']))
        if attrs or luns or groups:
            return re.sub(r'\n\n$', '\n', out + ' {\n' + attrs + luns + groups, count=1) + '\t}\n\n'
        return out + '\n'

    def driver(self, driver, path):
        attrs = self.attributes(driver['attributes'], '\t', path + ('attributes',), driver['enabled'])
        if attrs:
            attrs += '\n'
        targets = ''.join(self.target(t, path + ('targets', i)) for i, t in enumerate(driver['targets']))
        body = re.sub(r'\n\n$', '\n', attrs + targets, count=1)
        return 'TARGET_DRIVER %s {\n%s}\n\n' % (self.name(driver['name'], path + ('name',)), body)

    def target_group(self, tgroup, path):
        out = '\tTARGET_GROUP %s' % self.name(tgroup['name'], path + ('name',))
        attrs = self.attributes(tgroup['attributes'], '\t\t', path + ('attributes',))
        if attrs:
            attrs += '\n'
        targets = ''.join(self.named('TARGET', target, '\t\t', path + ('targets', index))
                          for index, target in enumerate(tgroup['targets']))
        if attrs or targets:
            return re.sub(r'\n\n$', '\n', out + ' {\n' + attrs + targets, count=1) + '\t}\n\n'
        return out + '\n'

    def device_group(self, dgroup, path):
        attrs = self.attributes(dgroup['attributes'], '\t', path + ('attributes',))
        if attrs:
            attrs += '\n'
        devices = ''.join('\tDEVICE %s\n' % self.name(d, path + ('devices', i)) for i, d in enumerate(dgroup['devices']))
        if devices:
            devices += '\n'
        tgroups = ''.join(self.target_group(g, path + ('target_groups', i))
                          for i, g in enumerate(dgroup['target_groups']))
        body = re.sub(r'\n\n$', '\n', attrs + devices + tgroups, count=1)
        return 'DEVICE_GROUP %s {\n%s}\n\n' % (self.name(dgroup['name'], path + ('name',)), body)

    def model(self, model, generator):
        out = '# Automatically generated by %s.\n\n' % generator
        out += self.attributes(model['attributes'], '', ('attributes',)) + '\n'
        out += ''.join(self.handler(h, ('handlers', i)) for i, h in enumerate(model['handlers']))
        out += ''.join(self.driver(d, ('drivers', i)) for i, d in enumerate(model['drivers']))
        alua = self.attributes(model['alua'], '\t', ('alua',))
        if alua:
            out += 'ALUA {\n%s}\n\n' % alua
        out += ''.join(self.device_group(g, ('device_groups', i)) for i, g in enumerate(model['device_groups']))
        return out


def render(model, generator=DEFAULT_GENERATOR):
    """The canonical scst.conf text of a model (the layout of scstadmin -write_config).

    The model is normalised first. Only what scst.conf cannot carry is refused (ModelError): values or names
    with double quotes, braces, tabs, newlines or control characters, keywords used as attribute names. A
    model with other problems (e.g. a LUN of an undefined device) is written as it is; validate() reports those.
    Blocks that scstadmin would leave out because they are empty (a HANDLER without devices, a TARGET_DRIVER
    without targets) are written empty, because their header alone makes /etc/init.d/scst load the module.
    """
    if '\n' in generator:
        raise ValueError('generator must be one line')
    renderer = Renderer()
    text = renderer.model(_model.normalize(model), generator)
    if renderer.problems:
        raise _model.ModelError(renderer.problems)
    return text
