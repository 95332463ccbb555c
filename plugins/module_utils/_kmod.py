# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SCST kernel modules: load order, running parameters and the boot-time files that persist them.

This module is private to this collection: it is not part of the public API and may change without notice.
It knows the dependency order of SCST's modules (the core first, the QLogic HBA driver before its target
driver, iSCSI before iSER), reads what the running kernel has under /sys/module, and edits the two files that
bring the same state back at boot: the module list (/etc/modules or a modules-load.d file) and the options
file under /etc/modprobe.d. File edits are pure functions on text so they can be shown as a diff and checked
before anything is written.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

# Load order: the core, handlers, target drivers; each HBA driver before the target driver that needs it.
LOAD_ORDER = (
    'scst', 'scst_vdisk', 'scst_disk', 'scst_tape', 'scst_cdrom', 'scst_changer', 'scst_modisk',
    'scst_processor', 'scst_raid', 'scst_user', 'scst_local', 'iscsi_scst', 'isert_scst',
    'qla2xxx_scst', 'qla2x00tgt', 'ib_srpt', 'fcst',
)

# Module -> the modules it needs loaded first (symbol dependencies that modprobe resolves itself). Every
# other SCST module needs only the core; the HBA driver qla2xxx_scst needs nothing of SCST.
DEPENDS = {
    'scst': (),
    'qla2xxx_scst': (),
    'qla2x00tgt': ('scst', 'qla2xxx_scst'),
    'isert_scst': ('scst', 'iscsi_scst'),
}

# The distribution's QLogic driver drives the same HBAs as SCST's qla2xxx_scst: both cannot be loaded.
CONFLICTS = {'qla2xxx_scst': 'qla2xxx'}

# Kernel log lines that mean the loader or a module complained. "loading out-of-tree module taints kernel"
# is printed for every SCST module and is not a complaint.
_COMPLAINT = re.compile(r"error|fail|invalid|unknown (parameter|symbol)|disagrees|refus|cannot|can't|not found|conflict", re.I)

HEADER = '# Managed by storage.scst (Ansible): SCST kernel module options. Local changes to these lines are overwritten.\n'


def canonical(name):
    """Module names treat '-' and '_' alike; sysfs and lsmod show '_'."""
    return name.replace('-', '_')


def load_order(names):
    """The given modules sorted for loading; modules this collection does not know keep their order, last."""
    names = [canonical(n) for n in names]
    known = [n for n in LOAD_ORDER if n in names]
    return known + [n for n in dict.fromkeys(names) if n not in LOAD_ORDER]


def boot_order(names):
    """The order of the module list read at boot: as given, except that a module comes after the modules of
    ``names`` it needs (a list made by hand keeps its order; one task's modules keep the order the user wrote)."""
    given = list(dict.fromkeys(canonical(n) for n in names))
    ordered = []

    def add(name):
        if name in ordered:
            return
        for dependency in DEPENDS.get(name, ('scst',)):
            if dependency in given and dependency != name:
                add(dependency)
        ordered.append(name)

    for name in given:
        add(name)
    return ordered


def dependents(name, loaded):
    """Loaded modules that need ``name`` (directly or through another), in unload order."""
    out = []
    for candidate in reversed(LOAD_ORDER):
        if candidate in loaded and candidate != name:
            needs = DEPENDS.get(candidate, ('scst',))
            if name in needs or any(dep in out for dep in needs):
                out.append(candidate)
    return out


def is_loaded(sys_module, name):
    """A loadable module that finished its init shows initstate 'live' (built-ins have no initstate)."""
    try:
        with open(os.path.join(sys_module, name, 'initstate')) as handle:
            return handle.read().strip() == 'live'
    except (IOError, OSError):
        return False


def running_params(sys_module, name):
    """The module's parameters as the kernel reports them (unreadable ones are left out)."""
    folder = os.path.join(sys_module, name, 'parameters')
    params = {}
    if not os.path.isdir(folder):
        return params
    for param in sorted(os.listdir(folder)):
        try:
            with open(os.path.join(folder, param)) as handle:
                params[param] = handle.read().rstrip('\n')
        except (IOError, OSError):
            continue
    return params


def same_param(running, wanted):
    """Compare as the kernel shows values: booleans as Y/N, charp verbatim (qlini_mode is case-insensitive)."""
    bools = {'y': 'Y', '1': 'Y', 'true': 'Y', 'yes': 'Y', 'on': 'Y', 'n': 'N', '0': 'N', 'false': 'N', 'no': 'N', 'off': 'N'}
    running, wanted = str(running), str(wanted)
    if running in ('Y', 'N') and wanted.lower() in bools:
        return bools[wanted.lower()] == running
    return running.lower() == wanted.lower()


def complaints(lines):
    return [line for line in lines if _COMPLAINT.search(line)]


def format_params(params):
    """``k=v`` words for modprobe and for an options line; values with blanks are quoted as the kernel parses them."""
    words = []
    for key in sorted(params):
        value = params[key]
        if isinstance(value, bool):
            value = 'Y' if value else 'N'
        value = str(value)
        words.append('%s="%s"' % (key, value) if re.search(r'\s', value) else '%s=%s' % (key, value))
    return words


def _lines(text):
    """Lines as modprobe and systemd-modules-load read them: ended by '\\n' alone.

    str.splitlines() also breaks at \\f, \\v, \\x1c-\\x1e, \\x85, U+2028 and U+2029; reading a file back with it
    would turn one written line into two, and a value into a command line of its own (modprobe's `install`).
    """
    lines = (text or '').split('\n')
    if lines[-1] == '':
        lines.pop()
    return lines


def edit_module_list(text, names, present):
    """/etc/modules (or a modules-load.d file): one module per line; add or remove ``names``, keep the rest."""
    lines = _lines(text)
    listed = [canonical(line.split('#', 1)[0].strip()) for line in lines]
    if present:
        missing = [n for n in names if n not in listed]
        return ''.join(line + '\n' for line in lines + missing)
    return ''.join(line + '\n' for line, name in zip(lines, listed) if name not in names)


def _options_module(line):
    """The module an ``options NAME ...`` line is for, else None (comments and other commands)."""
    words = line.split(None, 2)
    return canonical(words[1]) if len(words) > 1 and words[0] == 'options' else None


def edit_options(text, options, present):
    """An options file under /etc/modprobe.d: one ``options NAME k=v...`` line per module of ``options``.

    ``options`` maps module -> params. present: set those lines (a module with no params loses its line);
    absent: drop the lines of those modules. Every other line stays as it is, in place: the file may be a
    vendor's or an admin's, so it is edited line by line and only a file the collection created carries its
    header (and disappears, as '', when nothing but the header would be left).
    """
    lines = _lines(text)
    owned = not lines or lines[0] == HEADER.rstrip('\n')
    if owned:
        lines = lines[1:]
    wanted = dict((name, ' '.join(['options', name] + format_params(params)))
                  for name, params in options.items() if present and params)
    out = []
    for line in lines:
        name = _options_module(line)
        if name not in options:
            out.append(line)
        elif name in wanted:
            out.append(wanted.pop(name))
    out.extend(wanted[name] for name in sorted(wanted))
    if owned:
        return HEADER + ''.join(line + '\n' for line in out) if out else ''
    return ''.join(line + '\n' for line in out)


def persisted_options(text):
    """module -> {param: value} from an options file (the last value of a parameter wins, as in the kernel)."""
    found = {}
    for line in _lines(text):
        words = line.split()
        if len(words) > 2 and words[0] == 'options':
            params = found.setdefault(canonical(words[1]), {})
            for word in words[2:]:
                key, dummy, value = word.partition('=')
                params[key] = value.strip('"')
    return found
