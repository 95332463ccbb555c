# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scst.conf text to configuration model and back.

This module is private to this collection: it is not part of the public API and may change without notice.
``parse()`` reads scst.conf the way scstadmin reads it (its readConfigFile: comments cut per line, escapes
removed, then one character stream in which braces nest blocks and newlines end statements, the first three
words of a statement stored in a tree of hashes) and records every place where scstadmin would silently
change, drop or misread what the file says. In strict mode (the default) each such place, and every problem
of the resulting model, is an error with file, line and column; ``compat='scstadmin'`` returns the model
scstadmin would act on plus one warning per silent change. The deprecated procfs format is refused in both
modes. ``render()`` writes the canonical layout of ``scstadmin -write_config``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.storage.scst.plugins.module_utils import _model, _secrets
from ansible_collections.storage.scst.plugins.module_utils._errors import mask_text


COMPAT_SCSTADMIN = 'scstadmin'
DEFAULT_GENERATOR = 'storage.scst'

_CHANGE = 'change'   # scstadmin would silently read the file differently: strict error, compat warning
_STRICT = 'strict'   # scstadmin reads it as meant, but it is outside the safe subset: strict error only

# scstadmin: a '#' preceded by any character but a backslash starts a comment, and that character goes too.
_COMMENT = re.compile(r'[^\\]#[^\n]*')
# scstadmin's test for the procfs-era format: a line with [HANDLER x], [GROUP x] or [ASSIGNMENT x].
_PROCFS = re.compile(r'\[(.*)\s+.*\]')
_PROCFS_SECTIONS = ('HANDLER', 'GROUP', 'ASSIGNMENT')
# scstadmin's words: a double-quoted string (backslash pairs kept inside) or a run of non-blanks.
_WORD = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"|(\S+)', re.ASCII)
_BLANK = re.compile(r'^\s*$', re.ASCII)
_PLAIN_LUN = re.compile(r'^(0|[1-9][0-9]*)$')
_KEYWORDS_BY_LOWER = dict((k.lower(), k) for k in _model.KEYWORDS)

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


class ConfIssue:
    """One problem found in scst.conf, at a line and column (both 1-based)."""

    def __init__(self, filename, line, column, message):
        self.filename = filename
        self.line = line
        self.column = column
        self.message = message

    def __str__(self):
        return '%s:%d:%d: %s' % (self.filename, self.line, self.column, self.message)

    def __repr__(self):
        return 'ConfIssue(%r)' % str(self)

    def to_dict(self):
        return {'file': self.filename, 'line': self.line, 'column': self.column, 'message': self.message}


class ConfError(Exception):
    """scst.conf cannot be read (strict mode: it holds constructs that scstadmin misreads, or errors)."""

    def __init__(self, issues):
        self.issues = sorted(issues, key=lambda i: (i.line, i.column))
        super(ConfError, self).__init__('\n'.join(str(i) for i in self.issues))


class _Entry:
    """A key of one of scstadmin's hashes, with where the statement that stored it stands."""

    def __init__(self, node, line, column, stmt_line):
        self.node = node
        self.line = line
        self.column = column
        self.stmt_line = stmt_line
        self.assigned = False     # the value was stored by a statement, not created on the way to a deeper key
        self.block = False        # the statement carried a { } block


class _Hash:
    def __init__(self):
        self.entries = {}


class _Reader:
    """Reads one file as scstadmin does and records what scstadmin would change."""

    def __init__(self, text, filename):
        self.filename = filename
        self.text = text
        self.issues = []   # (kind, line, column, message)

    def note(self, kind, line, column, message):
        if kind == _CHANGE and any(k == _CHANGE and ln == line for k, ln, dummy, dummy2 in self.issues):
            return  # one change per line is enough: later ones are consequences of the first
        self.issues.append((kind, line, column, message))

    # -- readConfigFile: per physical line -----------------------------------------------------------------

    def stream(self):
        """The file as scstadmin's parser sees it: [(char, line, column)] after comments and escapes."""
        out = []
        for number, raw in enumerate(re.findall(r'[^\n]*\n|[^\n]+$', self.text), 1):
            line = raw
            if line.startswith('#'):
                line = '\n' if line.endswith('\n') else ''
            else:
                match = _COMMENT.search(line)
                if match:
                    self.comment(number, line, match.start())
                    line = line[:match.start()] + ('\n' if line.endswith('\n') else '')
            procfs = _PROCFS.search(line)
            if procfs and procfs.group(1) in _PROCFS_SECTIONS:
                raise ConfError([ConfIssue(
                    self.filename, number, procfs.start() + 1,
                    'this is the deprecated procfs-era scst.conf format ([%s ...] sections, SCST 1.x); it is not '
                    'supported: scstadmin would try to convert it using the live sysfs state. Write the file in the '
                    'current format (HANDLER/TARGET_DRIVER blocks), e.g. with scstadmin -write_config.'
                    % procfs.group(1))])
            out.extend(self.unescape(number, line))
        return out

    def comment(self, number, line, start):
        hash_column = start + 2
        if line[:start + 1].count('"') % 2:
            self.note(_CHANGE, number, hash_column,
                      "'#' inside double quotes starts a comment for scstadmin, which cuts the value here; "
                      "write it as '\\#'")
        elif not line[start].isspace():
            self.note(_CHANGE, number, start + 1,
                      "'%s#': scstadmin deletes the character before a '#' together with the comment, so %r "
                      "becomes %r; put a blank before '#', or write '\\#' for a literal '#'"
                      % (line[start], line[:hash_column + 8].strip(), line[:start].strip()))

    def unescape(self, number, line):
        out = []
        index = 0
        while index < len(line):
            char = line[index]
            if char == '\\' and index + 1 < len(line) and line[index + 1] != '\n':
                following = line[index + 1]
                if following not in '\\#':
                    self.note(_CHANGE, number, index + 1,
                              "'\\%s': scstadmin removes every backslash and keeps the next character, so this is "
                              "a plain '%s'; only '\\\\' and '\\#' are meaningful" % (following, following))
                out.append((following, number, index + 2))
                index += 2
                continue
            if char == '\\':
                self.note(_CHANGE, number, index + 1,
                          "a backslash at the end of a line does not continue it: scstadmin keeps the backslash "
                          "as part of the value")
            out.append((char, number, index + 1))
            index += 1
        return out

    # -- parseStanza: braces and newlines ------------------------------------------------------------------

    def tree(self, keep_going):
        """scstadmin's tree of hashes; keep_going reads past a stray top-level '}' (scstadmin stops there)."""
        chars = self.stream()
        stack = []
        node = _Hash()
        buf = []
        open_at = close_at = None   # a '{' or '}' whose line must not carry more text
        for position, (char, line, column) in enumerate(chars):
            if char not in '{}\n' and not char.isspace():
                for mark, what in ((open_at, "'{'"), (close_at, "'}'")):
                    if mark and mark[0] == line:
                        self.note(_STRICT, line, column, 'text after %s on the same line: put it on a line of its '
                                                         'own' % what)
                open_at = close_at = None
            if char in '{}' and _text(buf).count('"') % 2:
                self.note(_CHANGE, line, column, "'%s' inside double quotes still opens or closes a block for "
                                                 "scstadmin; values cannot hold braces" % char)
            if char == '{':
                stack.append((node, buf, (line, column)))
                node, buf = _Hash(), []
                open_at = (line, column)
            elif char == '}':
                if not _BLANK.match(_text(buf)):
                    first = _first_word(buf)
                    self.note(_CHANGE, first[1], first[2], "%r before '}' on the same line: scstadmin discards it; "
                                                           "put '}' on a line of its own" % _text(buf).strip())
                if not stack:
                    self.stray_close(chars[position + 1:], line, column)
                    if not keep_going:
                        return node
                    # Strict mode reads on past the stray '}' only to report the rest of the file's problems too.
                    buf = []
                    continue
                child = node
                node, buf, opened = stack.pop()
                self.attach(node, buf, child, opened, (line, column))
                buf = []
                close_at = (line, column)
            elif char == '\n':
                self.statement(node, buf, _Hash(), False)
                buf = []
                open_at = close_at = None
            else:
                buf.append((char, line, column))
        if not _BLANK.match(_text(buf)):
            first = _first_word(buf)
            self.note(_CHANGE, first[1], first[2], "the last line has no newline: scstadmin ignores %r; end the "
                                                   "file with a newline" % _text(buf).strip())
        while stack:
            child = node
            node, buf, opened = stack.pop()
            self.note(_CHANGE, opened[0], opened[1], "this '{' is never closed: scstadmin silently closes it at "
                                                     "the end of the file; add the missing '}'")
            self.attach(node, buf, child, opened, None)
        return node

    def stray_close(self, rest, line, column):
        ignored = [c for c in rest if not c[0].isspace()]
        if ignored:
            message = ("unmatched '}': scstadmin stops reading here and silently ignores lines %d-%d"
                       % (ignored[0][1], ignored[-1][1]))
        else:
            message = "unmatched '}': scstadmin stops reading here"
        self.note(_CHANGE, line, column, message)

    def attach(self, node, header, child, opened, closed):
        text = _text(header)
        if not text or text == '0' or _BLANK.match(text):
            end = ' (closed at line %d)' % closed[0] if closed else ''
            self.note(_CHANGE, opened[0], opened[1], "a block needs its header on the same line as '{': scstadmin "
                                                     "reads and discards this block%s" % end)
            return
        self.statement(node, header, child, True)

    # -- parseLine: words into the tree --------------------------------------------------------------------

    def statement(self, node, buf, child, block):
        """parseLine: store the first three words of one statement (with its block, if any) in the tree."""
        text = _text(buf)
        if _BLANK.match(text):
            return
        offset = len(text) - len(text.lstrip())
        stripped = text.strip()
        words = []
        for match in _WORD.finditer(stripped):
            char_line, char_column = buf[offset + match.start()][1:]
            word = match.group(1) if match.group(1) is not None else match.group(2)
            if match.group(2) is not None and '"' in word:
                self.note(_CHANGE, char_line, char_column, "unbalanced double quote in %r: scstadmin keeps the quote "
                                                           "as part of the word" % word)
            words.append((word, char_line, char_column))
        line = words[0][1]
        if len(words) > 3:
            extra = ' '.join(w[0] for w in words[3:])
            self.note(_CHANGE, words[3][1], words[3][2], 'only the first three words of a line count: scstadmin '
                                                         'silently drops %r' % extra)
            words = words[:3]
        target = node
        for depth, (word, word_line, word_column) in enumerate(words):
            last = depth == len(words) - 1
            entry = target.entries.get(word)
            if last:
                if entry is not None:
                    self.duplicate(words, entry, child, word_line, word_column)
                entry = _Entry(child, word_line, word_column, line)
                entry.assigned = True
                entry.block = block
                target.entries[word] = entry
            elif entry is None:
                entry = _Entry(_Hash(), word_line, word_column, line)
                target.entries[word] = entry
            target = entry.node

    def duplicate(self, words, entry, child, line, column):
        text = ' '.join(w[0] for w in words)
        if entry.node.entries or child.entries:
            self.note(_CHANGE, line, column, "'%s' again (first at line %d): scstadmin does not merge, the second "
                                             "one replaces the first and everything in it" % (text, entry.stmt_line))
        else:
            self.note(_CHANGE, line, column, "'%s' repeats line %d: scstadmin keeps one" % (text, entry.stmt_line))


def _text(buf):
    return ''.join(c[0] for c in buf)


def _first_word(buf):
    for item in buf:
        if not item[0].isspace():
            return item
    return buf[0]


class _Interpreter:
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
            self.note(_CHANGE, entry, "%s is not a keyword %s: scstadmin reads it as an attribute named %r, "
                                      "which the apply rejects" % (key, where, key))
            return True
        proper = _KEYWORDS_BY_LOWER.get(key.lower())
        if proper and proper != key:
            self.note(_CHANGE, entry, "keywords are case-sensitive: %r is not %s, so scstadmin reads it as an "
                                      "attribute named %r" % (key, proper, key))
            return True
        return False

    def values(self, key, entry, path):
        """The values of an attribute statement; None when scstadmin could not apply it."""
        if entry.assigned and entry.block and entry.node.entries:
            self.note(_CHANGE, entry, "%r has a block but is not a block keyword: scstadmin reads it as an attribute "
                                      "and aborts the apply ('Attribute %s has an invalid value')" % (key, key))
            return None
        if not entry.node.entries:
            self.note(_STRICT, entry, "attribute %r has no value: scstadmin would write an empty string; write "
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
                self.note(_CHANGE, ventry, message)
                return None
            if ventry.block:
                self.note(_STRICT, ventry, "attribute '%s %s' is followed by an empty block: remove it" % (key, value))
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
                self.note(_CHANGE, second, "%r is given %d times with different values: it is not a multi-valued "
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
            self.note(_CHANGE, entry, "%s without a name: scstadmin stores it under no name and cannot apply it" % key)
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
            self.note(_CHANGE, entry, "enabled takes 0 or 1, not %s: scstadmin would write that text and the kernel "
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
                    self.note(_STRICT, entry, "%s %s has no block: write '%s %s {' and '}', the form that "
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
                self.note(_CHANGE, alua, "ALUA takes no name: scstadmin reads the words after it as attributes of "
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
            self.note(_CHANGE, entry, "%r: scstadmin compares names byte for byte with sysfs, where %s spells this "
                                      "port %r" % (name, driver, normalized))

    def target(self, driver, name, entry, path):
        self.at(path, entry)
        node = entry.node
        self.fc_name(driver, name, entry, _model.normalize_target_name(driver, name))
        hw_entry = node.entries.get('HW_TARGET')
        if hw_entry is not None and (hw_entry.node.entries or not hw_entry.assigned):
            self.note(_STRICT, hw_entry, 'HW_TARGET is a flag and takes no value or block')
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
                self.note(_CHANGE, ientry, 'scstadmin reads the block after INITIATOR %s but never applies it' % iname)
            elif ientry.block:
                self.note(_STRICT, ientry, 'INITIATOR %s is followed by an empty block: remove it' % iname)
            self.fc_name(driver, iname, ientry, _model.normalize_initiator(driver, iname))
            initiators.append(iname)
        return {'name': name, 'initiators': initiators, 'luns': self.luns(entry.node, path + ('luns',)),
                'attributes': self.attributes(entry.node, path + ('attributes',), 'group', driver,
                                              handled=('LUN', 'INITIATOR'))}

    def luns(self, node, path):
        out = []
        for number, nentry in self.named(node, 'LUN'):
            if not nentry.node.entries:
                self.note(_CHANGE, nentry, 'LUN %s has no device: write LUN <number> <device>; scstadmin cannot '
                                           'apply it' % number)
                continue
            lun = _model.parse_number(number)
            if lun is None:
                self.note(_CHANGE, nentry, '%r is not a LUN number: scstadmin passes it on and the kernel rejects the '
                                           'LUN' % number)
                continue
            if not _PLAIN_LUN.match(number):
                self.note(_CHANGE, nentry, 'LUN %r is LUN %d for the kernel, which reads numbers in base 0 (0x hex, '
                                           'leading 0 octal), but scstadmin compares it as text; write %d'
                          % (number, lun, lun))
            devices = list(nentry.node.entries.items())
            if len(devices) > 1:
                self.note(_CHANGE, devices[1][1], 'LUN %s is given with devices %s: scstadmin aborts the apply; '
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
                    self.note(_CHANGE, aentry, '%r is not a LUN parameter (only read_only is): scstadmin passes it '
                                               'to the add command, which the kernel rejects' % key)
                elif len(values) != 1 or _model.to_bool(values[0]) is None:
                    self.note(_CHANGE, aentry, 'read_only takes 0 or 1, not %s' % ' '.join(repr(v) for v in values))
                else:
                    read_only = _model.to_bool(values[0])
            out.append({'lun': lun, 'device': device, 'read_only': read_only})
        return out

    def device_group(self, name, entry, path):
        self.at(path, entry)
        devices = []
        for dname, dentry in self.named(entry.node, 'DEVICE'):
            if dentry.node.entries:
                self.note(_CHANGE, dentry, 'DEVICE %s inside DEVICE_GROUP only names a device: scstadmin ignores the '
                                           'block after it' % dname)
            elif dentry.block:
                self.note(_STRICT, dentry, 'DEVICE %s is followed by an empty block: remove it' % dname)
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
                    self.reader.note(_CHANGE, *self.position(('handlers', hindex, 'devices', dindex)) + (
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
                    self.reader.note(_CHANGE, *self.position(path + (index,)) + (
                        'device %r of device group %r is not defined in any HANDLER: scstadmin warns and removes it'
                        % (device, dgroup['name']),))
            dgroup['devices'] = self.drop(dgroup['devices'], path, dropped)

    def known_luns(self, luns, path, defined, driver, target, group):
        dropped = []
        for index, lun in enumerate(luns):
            if lun['device'] not in defined:
                dropped.append(index)
                owner = '%s/%s' % (driver['name'], target['name']) + ('/%s' % group['name'] if group else '')
                self.reader.note(_CHANGE, *self.position(path + (index, 'device')) + (
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


# A statement of scst.conf starts with a keyword or an attribute name (or a brace, or a procfs-era section, which
# parse() refuses with its own message); a line of a shadow file, a key or a binary does not.
_STATEMENT_START = re.compile(r'^\s*(?:#|[}{[]|[A-Za-z_][A-Za-z0-9_.:-]*(?:\s|\{|$))')


def unlike_scst_conf(text):
    """The number of the first line that no scst.conf statement can start with, or 0 when every line can."""
    if isinstance(text, bytes):
        text = text.decode('utf-8', 'replace')
    for number, line in enumerate(text.split('\n'), 1):
        if line.strip() and not _STATEMENT_START.match(line):
            return number
    return 0


def parse(text, filename='scst.conf', compat=None):
    """Read scst.conf text; returns (model, warnings).

    Strict (compat None): raises ConfError listing every construct that scstadmin would silently change,
    drop or misread and every problem of the model (each with line and column); warnings is empty.
    compat='scstadmin': returns the model scstadmin would act on (after the edits of its check step that
    need no live system) and one ConfIssue per silent change or model problem.
    A procfs-era file raises ConfError in both modes.
    """
    if compat not in (None, COMPAT_SCSTADMIN):
        raise ValueError('compat must be None or %r, not %r' % (COMPAT_SCSTADMIN, compat))
    if isinstance(text, bytes):
        text = text.decode('utf-8', 'surrogateescape')
    reader = _Reader(text, filename)
    interpreter = _Interpreter(reader)
    raw = interpreter.model(reader.tree(keep_going=compat is None))
    if compat:
        interpreter.scstadmin_checks(raw)
    canonical, origins, problems = _model._normalize(raw)
    problems = problems or _model._validate(canonical, origins)
    issues = [(kind, line, column, message) for kind, line, column, message in reader.issues
              if compat is None or kind == _CHANGE]
    for path, message in problems:
        line, column = interpreter.position(path)
        issues.append((_CHANGE, line, column, '%s: %s' % (_model.format_path(path), message)))
    # A message may quote the statement it is about: never with its CHAP secret.
    secrets = _secrets.in_text(text)
    issues = [ConfIssue(filename, line, column, mask_text(message, secrets)) for dummy, line, column, message in issues]
    if compat is None and issues:
        raise ConfError(issues)
    return canonical, sorted(issues, key=lambda i: (i.line, i.column))


# ---------------------------------------------------------------------------------------------------------
# Rendering

def _escape(text):
    """scstadmin's escapeMeta: backslash and '#' get a backslash; a value with a blank is double-quoted."""
    text = re.sub(r'([\\#])', r'\\\1', text)
    return '"%s"' % text if (' ' in text or text == '') else text


def _writable(text, path, problems, what):
    if _model._UNWRITABLE_VALUE.search(text) or ('\\' in text and ' ' in text):
        problems.append((path, '%r cannot be written to scst.conf: a %s cannot hold double quotes, braces, tabs, '
                               'newlines or control characters, nor a backslash together with a blank' % (text, what)))
    elif _PROCFS.search(text):
        problems.append((path, '%r cannot be written to scst.conf: scstadmin would take the line for the old '
                               'procfs format' % text))


class _Renderer:
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
            if (name.lower() in _KEYWORDS_BY_LOWER or _model._BAD_NAME.search(name) or '#' in name or '\\' in name
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

    def handler(self, handler, path):
        body = self.attributes(handler['attributes'], '\t', path + ('attributes',))
        devices = ''
        for index, device in enumerate(handler['devices']):
            dpath = path + ('devices', index)
            devices += '\tDEVICE %s' % self.name(device['name'], dpath + ('name',))
            attrs = self.attributes(device['attributes'], '\t\t', dpath + ('attributes',))
            devices += ' {\n%s\t}\n\n' % attrs if attrs else '\n'
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
        targets = ''
        for index, target in enumerate(tgroup['targets']):
            tpath = path + ('targets', index)
            targets += '\t\tTARGET %s' % self.name(target['name'], tpath + ('name',))
            tattrs = self.attributes(target['attributes'], '\t\t\t', tpath + ('attributes',))
            targets += ' {\n%s\t\t}\n' % tattrs if tattrs else '\n'
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
    renderer = _Renderer()
    text = renderer.model(_model.normalize(model), generator)
    if renderer.problems:
        raise _model.ModelError(renderer.problems)
    return text
