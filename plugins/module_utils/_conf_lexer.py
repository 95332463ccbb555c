# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scst.conf text to scstadmin's tree of hashes, with every place where scstadmin would misread the file.

This module is private to this collection: it is not part of the public API and may change without notice.
``Reader`` reads the file as scstadmin's readConfigFile does: comments cut per line, escapes removed, then one
character stream in which braces nest blocks and newlines end statements, the first three words of a statement
stored in a tree of hashes. ``_conf_parser`` turns that tree into a model; ``_conf.parse`` is the entry point.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.storage.scst.plugins.module_utils import _model
from ansible_collections.storage.scst.plugins.module_utils._errors import ScstError


CHANGE = 'change'   # scstadmin would silently read the file differently: strict error, compat warning
STRICT = 'strict'   # scstadmin reads it as meant, but it is outside the safe subset: strict error only

# scstadmin: a '#' preceded by any character but a backslash starts a comment, and that character goes too.
_COMMENT = re.compile(r'[^\\]#[^\n]*')
# scstadmin's test for the procfs-era format: a line with [HANDLER x], [GROUP x] or [ASSIGNMENT x].
PROCFS = re.compile(r'\[(.*)\s+.*\]')
_PROCFS_SECTIONS = ('HANDLER', 'GROUP', 'ASSIGNMENT')
# scstadmin's words: a double-quoted string (backslash pairs kept inside) or a run of non-blanks.
_WORD = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"|(\S+)', re.ASCII)
_BLANK = re.compile(r'^\s*$', re.ASCII)
KEYWORDS_BY_LOWER = dict((k.lower(), k) for k in _model.KEYWORDS)


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


class ConfError(ScstError):
    """scst.conf cannot be read (strict mode: it holds constructs that scstadmin misreads, or errors)."""

    sysfs_failure = False

    def __init__(self, issues):
        self.issues = sorted(issues, key=lambda i: (i.line, i.column))
        super(ConfError, self).__init__('\n'.join(str(i) for i in self.issues),
                                        issues=[issue.to_dict() for issue in self.issues])

    def to_dict(self):
        result = super(ConfError, self).to_dict()
        # One line for a module result, led by the name of the text (a src path, or 'content').
        result['msg'] = '%s cannot be read: %s' % (self.issues[0].filename, '; '.join(str(i) for i in self.issues))
        return result


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


class Reader:
    """Reads one file as scstadmin does and records what scstadmin would change."""

    def __init__(self, text, filename):
        self.filename = filename
        self.text = text
        self.issues = []   # (kind, line, column, message)

    def note(self, kind, line, column, message):
        if kind == CHANGE and any(k == CHANGE and ln == line for k, ln, dummy, dummy2 in self.issues):
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
            procfs = PROCFS.search(line)
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
            self.note(CHANGE, number, hash_column,
                      "'#' inside double quotes starts a comment for scstadmin, which cuts the value here; "
                      "write it as '\\#'")
        elif not line[start].isspace():
            self.note(CHANGE, number, start + 1,
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
                    self.note(CHANGE, number, index + 1,
                              "'\\%s': scstadmin removes every backslash and keeps the next character, so this is "
                              "a plain '%s'; only '\\\\' and '\\#' are meaningful" % (following, following))
                out.append((following, number, index + 2))
                index += 2
                continue
            if char == '\\':
                self.note(CHANGE, number, index + 1,
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
                        self.note(STRICT, line, column, 'text after %s on the same line: put it on a line of its '
                                                        'own' % what)
                open_at = close_at = None
            if char in '{}' and _text(buf).count('"') % 2:
                self.note(CHANGE, line, column, "'%s' inside double quotes still opens or closes a block for "
                                                "scstadmin; values cannot hold braces" % char)
            if char == '{':
                stack.append((node, buf, (line, column)))
                node, buf = _Hash(), []
                open_at = (line, column)
            elif char == '}':
                if not _BLANK.match(_text(buf)):
                    first = _first_word(buf)
                    self.note(CHANGE, first[1], first[2], "%r before '}' on the same line: scstadmin discards it; "
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
            self.note(CHANGE, first[1], first[2], "the last line has no newline: scstadmin ignores %r; end the "
                                                  "file with a newline" % _text(buf).strip())
        while stack:
            child = node
            node, buf, opened = stack.pop()
            self.note(CHANGE, opened[0], opened[1], "this '{' is never closed: scstadmin silently closes it at "
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
        self.note(CHANGE, line, column, message)

    def attach(self, node, header, child, opened, closed):
        text = _text(header)
        if not text or text == '0' or _BLANK.match(text):
            end = ' (closed at line %d)' % closed[0] if closed else ''
            self.note(CHANGE, opened[0], opened[1], "a block needs its header on the same line as '{': scstadmin "
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
                self.note(CHANGE, char_line, char_column, "unbalanced double quote in %r: scstadmin keeps the quote "
                                                          "as part of the word" % word)
            words.append((word, char_line, char_column))
        line = words[0][1]
        if len(words) > 3:
            extra = ' '.join(w[0] for w in words[3:])
            self.note(CHANGE, words[3][1], words[3][2], 'only the first three words of a line count: scstadmin '
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
            self.note(CHANGE, line, column, "'%s' again (first at line %d): scstadmin does not merge, the second "
                                            "one replaces the first and everything in it" % (text, entry.stmt_line))
        else:
            self.note(CHANGE, line, column, "'%s' repeats line %d: scstadmin keeps one" % (text, entry.stmt_line))


def _text(buf):
    return ''.join(c[0] for c in buf)


def _first_word(buf):
    for item in buf:
        if not item[0].isspace():
            return item
    return buf[0]
