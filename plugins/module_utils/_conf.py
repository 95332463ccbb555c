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
The work is split: ``_conf_lexer`` (text to scstadmin's tree), ``_conf_parser`` (tree to model),
``_conf_render`` (model to text); this module joins them and is what the rest of the collection imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.storage.scst.plugins.module_utils import _model, _secrets
from ansible_collections.storage.scst.plugins.module_utils._conf_lexer import CHANGE, ConfError, ConfIssue, Reader
from ansible_collections.storage.scst.plugins.module_utils._conf_parser import Interpreter
from ansible_collections.storage.scst.plugins.module_utils._conf_render import DEFAULT_GENERATOR, render
from ansible_collections.storage.scst.plugins.module_utils._errors import mask_text

# The names the rest of the collection uses; render is joined here so that parse and render come from one place.
__all__ = ['COMPAT_SCSTADMIN', 'DEFAULT_GENERATOR', 'ConfError', 'ConfIssue', 'parse', 'render', 'unlike_scst_conf']

COMPAT_SCSTADMIN = 'scstadmin'

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
    reader = Reader(text, filename)
    interpreter = Interpreter(reader)
    raw = interpreter.model(reader.tree(keep_going=compat is None))
    if compat:
        interpreter.scstadmin_checks(raw)
    canonical, origins, problems = _model._normalize(raw)
    problems = problems or _model._validate(canonical, origins)
    issues = [(kind, line, column, message) for kind, line, column, message in reader.issues
              if compat is None or kind == CHANGE]
    for path, message in problems:
        line, column = interpreter.position(path)
        issues.append((CHANGE, line, column, '%s: %s' % (_model.format_path(path), message)))
    # A message may quote the statement it is about: never with its CHAP secret.
    secrets = _secrets.in_text(text)
    issues = [ConfIssue(filename, line, column, mask_text(message, secrets)) for dummy, line, column, message in issues]
    if compat is None and issues:
        raise ConfError(issues)
    return canonical, sorted(issues, key=lambda i: (i.line, i.column))
