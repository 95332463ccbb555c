# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Boot services of a host (the SCST service, iscsi-scst): known, enabled, running, and the commands that change it.

This module is private to this collection: it is not part of the public API and may change without notice.
It answers what ansible.builtin.service_facts answers for one service, at the cost of a stat or one systemctl
call instead of listing every unit, so that a run that finds everything in place stays cheap. systemd (when
/run/systemd/system exists) and SysV init scripts (/etc/init.d, with update-rc.d or chkconfig) are handled; any
other service manager counts as not knowing the service, and the caller says so.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os

from ansible_collections.storage.scst.plugins.module_utils._errors import ScstError
from ansible_collections.storage.scst.plugins.module_utils._schema import path as sysfs_path
from ansible_collections.storage.scst.plugins.module_utils._sysfs import DEFAULT_ROOT

SYSTEMD_RUNNING = '/run/systemd/system'
INIT_D = '/etc/init.d'
# Runlevels in which a SysV service counts as enabled when it has a start link (multi-user, with or without GUI).
SYSV_LEVELS = '2345'
# The iSCSI target driver shows "open" here while iscsi-scstd holds its control device: no process-table look-up.
ISCSI_OPEN_STATE = '%s/%s/open_state' % (DEFAULT_ROOT, sysfs_path('driver', 'iscsi'))


class ServiceFailure(ScstError):
    """A boot service cannot be enabled or started; applied: the commands run before the failure."""

    sysfs_failure = False


class Services(object):
    """Reads and changes boot services through ``module`` (run_command, get_bin_path, check_mode).

    Every command run or, in check mode, that would run is appended to ``commands``.
    """

    def __init__(self, module, commands, root='/'):
        self.module = module
        self.commands = commands
        self.root = root
        self.systemd = os.path.isdir(self._path(SYSTEMD_RUNNING))

    def _path(self, path):
        return os.path.join(self.root, path.lstrip('/'))

    def _links(self, levels, kinds, name):
        return glob.glob(self._path('/etc/rc[%s].d/[%s][0-9][0-9]%s' % (levels, kinds, name)))

    def _query(self, argv):
        rc, out, dummy = self.module.run_command(argv)
        return rc, out.strip()

    def _change(self, argv, what):
        self.commands.append(' '.join(argv))
        if self.module.check_mode:
            return
        rc, out, err = self.module.run_command(argv)
        if rc != 0:
            raise ServiceFailure('%s failed (exit %d): %s' % (what, rc, (err or out).strip()), applied=self.commands)

    def state(self, name, running=True):
        """{known, enabled, running}; running is None when not asked for or unknown."""
        if self.systemd:
            systemctl = self.module.get_bin_path('systemctl', required=True)
            dummy, load = self._query([systemctl, 'show', '--property=LoadState', '--value', name + '.service'])
            if load != 'loaded':
                return {'known': False, 'enabled': False, 'running': None}
            dummy, enabled = self._query([systemctl, 'is-enabled', name + '.service'])
            active = self._query([systemctl, 'is-active', '--quiet', name + '.service'])[0] == 0 if running else None
            return {'known': True, 'enabled': enabled in ('enabled', 'enabled-runtime', 'static', 'alias'),
                    'running': active}
        script = os.path.join(self._path(INIT_D), name)
        if not os.path.isfile(script):
            return {'known': False, 'enabled': False, 'running': None}
        enabled = bool(self._links(SYSV_LEVELS, 'S', name))
        active = self._query([script, 'status'])[0] == 0 if running else None
        return {'known': True, 'enabled': enabled, 'running': active}

    def enable(self, name):
        if self.systemd:
            self._change([self.module.get_bin_path('systemctl', required=True), 'enable', name + '.service'],
                         'enabling %s' % name)
            return
        update_rc = self.module.get_bin_path('update-rc.d')
        if update_rc:
            # defaults makes the links of a service that has none; enable turns existing stop links into start links.
            links = self._links('0-6S', 'SK', name)
            self._change([update_rc, name, 'enable' if links else 'defaults'], 'enabling %s' % name)
            return
        chkconfig = self.module.get_bin_path('chkconfig')
        if not chkconfig:
            raise ServiceFailure('cannot enable %s: neither update-rc.d nor chkconfig is installed' % name,
                                 applied=self.commands)
        self._change([chkconfig, name, 'on'], 'enabling %s' % name)

    def start(self, name):
        if self.systemd:
            argv = [self.module.get_bin_path('systemctl', required=True), 'start', name + '.service']
        else:
            argv = [os.path.join(self._path(INIT_D), name), 'start']
        self._change(argv, 'starting %s' % name)

    def ensure(self, name, started):
        """Enable ``name`` at boot (and start it when ``started``) where a service manager knows it.

        Returns its state before the change, so the caller can say when no manager knows it."""
        before = self.state(name, running=started)
        if before['known']:
            if not before['enabled']:
                self.enable(name)
            if started and not before['running']:
                self.start(name)
        return before


def iscsi_daemon_attached():
    try:
        with open(ISCSI_OPEN_STATE) as handle:
            return handle.read().strip() == 'open'
    except (IOError, OSError):
        return False
