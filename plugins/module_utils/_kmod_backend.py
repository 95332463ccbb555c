# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The work behind storage.scst.scst_module: decide, load or unload, persist, report.

This module is private to this collection: it is not part of the public API and may change without notice.
The runtime change comes first and the boot-time files are written only after it worked, so the files never
describe a state the kernel refused. A module that is already loaded with other parameters is reloaded only
when the user allowed it, because unloading an FC or iSCSI driver drops every session on the host.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import tempfile

from ansible_collections.storage.scst.plugins.module_utils import _hba, _kmod
from ansible_collections.storage.scst.plugins.module_utils._errors import ScstError
from ansible_collections.storage.scst.plugins.module_utils._kernel_log import KernelLog

SYS_MODULE = '/sys/module'
_NAME = re.compile(r'^[A-Za-z0-9_-]{1,64}$')
_PARAM = re.compile(r'^[A-Za-z0-9_]{1,64}$')
# modprobe.d is a file the system executes from (its `install` lines run as root): a value must stay one word
# of one line for every reader. Anything outside printable ASCII may be a line break to some reader (\f, \v,
# U+0085, U+2028...); '"' ends kmod's quoting, '\\' continues a line and '#' starts a comment.
_UNSAFE_VALUE = re.compile(r'[^\x20-\x7e]|["\\#]')


class ModuleFailure(ScstError):
    """A kernel module cannot be loaded, unloaded or configured; commands: what ran before the failure."""

    sysfs_failure = False

    def __init__(self, msg, kernel_log=None, commands=None):
        super(ModuleFailure, self).__init__(msg, kernel_log=kernel_log, applied=commands)


def validate(names, params, blacklist=()):
    """Check every name, parameter and value before anything runs; errors name the option and the value."""
    for option, values in (('name', names), ('blacklist', blacklist)):
        for name in values:
            if not _NAME.match(name):
                raise ModuleFailure("%s: %r is not a kernel module name (letters, digits, '_' and '-' only)" % (option, name))
    canonical = [_kmod.canonical(n) for n in names]
    for module, values in params.items():
        if _kmod.canonical(module) not in canonical:
            raise ModuleFailure('params: %r is not one of the modules in name (%s)' % (module, ', '.join(canonical)))
        if not isinstance(values, dict):
            raise ModuleFailure('params.%s: must be a dictionary of parameter: value, got %r' % (module, values))
        for key, value in values.items():
            if not _PARAM.match(str(key)):
                raise ModuleFailure('params.%s: %r is not a module parameter name' % (module, key))
            bad = _UNSAFE_VALUE.search(str(value))
            if bad:
                raise ModuleFailure('params.%s.%s: %r contains %r; a value written to the modprobe.d options file may '
                                    'hold printable ASCII only, and no double quote, backslash or #'
                                    % (module, key, value, bad.group()))


class KernelModules(object):
    """Plans and applies one scst_module task. ``module`` is the AnsibleModule (run_command, atomic_move)."""

    def __init__(self, module, names, params, state, persistent, modules_file, options_file, allow_reload, runtime=True,
                 on_conflict='fail', blacklist=(), blacklist_file=None):
        self.module = module
        self.names = _kmod.load_order(names)
        self.given = names
        self.params = dict((_kmod.canonical(k), dict((str(a), b) for a, b in v.items())) for k, v in params.items())
        self.state = state
        self.persistent = persistent
        self.modules_file = modules_file
        self.options_file = options_file
        self.allow_reload = allow_reload
        self.runtime = runtime
        self.on_conflict = on_conflict
        self.blacklist = list(blacklist)
        self.blacklist_file = blacklist_file
        self.deferred = []
        self.commands = []
        self.pending_reload = []
        self.warnings = []
        self.kernel_log = []
        self.diff = []
        self._log = KernelLog(run=module.run_command)

    # ---- runtime -------------------------------------------------------------------------------------

    def _loaded(self, name):
        return _kmod.is_loaded(SYS_MODULE, name)

    def _run(self, cmd, what):
        self.commands.append(' '.join(cmd))
        if self.module.check_mode:
            return
        self._log.mark()
        rc, out, err = self.module.run_command(cmd)
        new_lines = self._log.since_mark()
        self.kernel_log.extend(new_lines)
        if rc != 0:
            raise ModuleFailure('%s failed (exit %d): %s' % (what, rc, (err or out).strip()),
                                kernel_log=new_lines, commands=self.commands)
        complaints = _kmod.complaints(new_lines)
        if complaints:
            raise ModuleFailure('%s exited 0 but the kernel log reports: %s' % (what, ' | '.join(complaints)),
                                kernel_log=new_lines, commands=self.commands)

    def _load(self, name):
        modprobe = self.module.get_bin_path('modprobe', required=True)
        self._run([modprobe, name] + _kmod.format_params(self._wanted(name)), 'modprobe %s' % name)
        if not self.module.check_mode and not self._loaded(name):
            raise ModuleFailure('modprobe %s exited 0 but /sys/module/%s does not show a live module' % (name, name),
                                commands=self.commands)

    def _unload(self, name):
        rmmod = self.module.get_bin_path('rmmod', required=True)
        self._run([rmmod, name], 'rmmod %s' % name)

    def _wanted(self, name):
        """The parameters the task asks for, else the ones the options file persists for the next load."""
        if name in self.params:
            return self.params[name]
        text = ''
        if os.path.exists(self.options_file):
            with open(self.options_file) as handle:
                text = handle.read()
        return _kmod.persisted_options(text).get(name, {})

    def _differences(self, name):
        running = _kmod.running_params(SYS_MODULE, name)
        wanted = self._wanted(name)
        return [(key, running.get(key), value) for key, value in sorted(wanted.items())
                if key not in running or not _kmod.same_param(running[key], value)]

    def unloadable(self):
        """Why modules that this task would load cannot be (modprobe -n finds no such module): checked before
        anything changes, so that a missing handler module does not surface after other modules were loaded."""
        if self.state != 'present' or not self.runtime:
            return []
        modprobe = self.module.get_bin_path('modprobe', required=True)
        problems = []
        for name in self.names:
            if self._loaded(name):
                continue
            rc, out, err = self.module.run_command([modprobe, '-n', name])
            if rc != 0:
                problems.append('name: module %s cannot be loaded on this host: %s' % (name, (err or out).strip()))
        return problems

    def _reload(self, name, loaded):
        users = _kmod.dependents(name, loaded)
        for user in users:
            self._unload(user)
        self._unload(name)
        self._load(name)
        for user in reversed(users):
            self._load(user)

    def _present(self):
        loaded = set(n for n in _kmod.LOAD_ORDER if self._loaded(n))
        for name in self.names:
            if any(dep in self.deferred for dep in _kmod.DEPENDS.get(name, ('scst',))):
                self.deferred.append(name)
                continue
            rival = _kmod.CONFLICTS.get(name)
            if rival and not self._loaded(name) and self._loaded(rival):
                if not self.allow_reload and self.on_conflict == 'next_boot':
                    # Only the boot files are written for it (and for what needs it): the next boot loads it.
                    self.deferred.append(name)
                    continue
                if not self.allow_reload:
                    raise ModuleFailure(
                        'the distribution driver %s is loaded and drives the same HBAs as %s; blacklist it in '
                        '/etc/modprobe.d and reboot, or set allow_reload: true to unload it now (this drops every '
                        'FC session on the host, boot from SAN included)' % (rival, name), commands=self.commands)
                self._unload(rival)
            if not self._loaded(name):
                self._load(name)
                loaded.add(name)
                continue
            differences = self._differences(name)
            if differences and self.allow_reload:
                self._reload(name, loaded)
            elif differences:
                for key, running, wanted in differences:
                    self.pending_reload.append({'module': name, 'parameter': key, 'running': running, 'wanted': str(wanted)})
                    self.warnings.append('%s runs with %s=%s; %s takes effect only after the module is reloaded or the '
                                         'host reboots' % (name, key, running, wanted))

    def _absent(self):
        loaded = set(n for n in _kmod.LOAD_ORDER if self._loaded(n))
        for name in reversed(self.names):
            if not self._loaded(name):
                continue
            users = [u for u in _kmod.dependents(name, loaded) if u not in self.names]
            if users:
                raise ModuleFailure('cannot unload %s: it is in use by %s; list those modules in name too'
                                    % (name, ', '.join(users)), commands=self.commands)
            self._unload(name)
            loaded.discard(name)

    # ---- boot-time files -------------------------------------------------------------------------------

    def _edit(self, path, edit):
        before = ''
        if os.path.exists(path):
            with open(path) as handle:
                before = handle.read()
        after = edit(before)
        if after == before:
            return
        self.diff.append({'before_header': path, 'after_header': path, 'before': before, 'after': after})
        self.commands.append('write %s' % path)
        if self.module.check_mode:
            return
        folder = os.path.dirname(path)
        if not os.path.isdir(folder):
            os.makedirs(folder, 0o755)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix='.%s.' % os.path.basename(path))
        with os.fdopen(fd, 'w') as handle:
            handle.write(after)
        os.chmod(tmp, 0o644)
        self.module.atomic_move(tmp, path)

    def _persist(self):
        present = self.state == 'present'
        self._edit(self.modules_file, lambda text: _kmod.edit_module_list(text, _kmod.boot_order(self.given), present))
        # Only modules whose params the task states own an options line; params: {mod: {}} clears it.
        options = dict((name, self.params.get(name, {})) for name in self.names if not present or name in self.params)
        self._edit(self.options_file, lambda text: _kmod.edit_options(text, options, present))
        if self.blacklist:
            self._edit(self.blacklist_file, lambda text: _hba.blacklist_text(self.blacklist))

    def run(self):
        if (self.blacklist or self.on_conflict == 'next_boot') and not self.persistent:
            raise ModuleFailure('blacklist and on_conflict: next_boot write boot-time files, so they need persistent: true')
        if not self.runtime:
            if not self.persistent:
                raise ModuleFailure('runtime: false changes only the boot-time files, so it needs persistent: true')
        elif self.state == 'present':
            self._present()
        else:
            self._absent()
        if self.persistent:
            self._persist()
        return {
            'changed': bool(self.commands),
            'commands': self.commands,
            'modules': self.names,
            'pending_reload': self.pending_reload,
            'deferred': self.deferred,
            'kernel_log': self.kernel_log,
        }
