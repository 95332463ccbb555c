# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the role storage.scst.scst leaves pending on a host, as the sentences of its summary (fact scst_notes),
from what its scst_module call found (filter storage.scst.scst_role_notes).

This module is private to this collection: it is not part of the public API and may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.storage.scst.plugins.module_utils._kmod import CONFLICTS
from ansible_collections.storage.scst.plugins.module_utils._schema import FC_DRIVERS

FC_MODULE = 'qla2xxx_scst'
# The one FC target driver SCST has (its QLogic driver), and the distribution driver that takes the same HBAs.
(FC_DRIVER,) = FC_DRIVERS
DISTRIBUTION_DRIVER = CONFLICTS[FC_MODULE]


def _fc_targets(config):
    return any(driver.get('targets') for driver in config.get('drivers') or [] if driver.get('name') in FC_DRIVERS)


def notes(host, config, transports, fc_modules, config_file, blacklist, qlini_mode, service, iscsi_service, iscsi_daemon,
          unchecked_ports=None, check_mode=False):
    """host: the result of scst_module; unchecked_ports: the FC ports of scst_config that could not be checked
    because the host shows none yet ({WWPN or 'port N': option}, scst_preflight's fc_ports); check_mode: whether the
    run is one; the other arguments are the role's variables of the same names."""
    lines = ['RELOAD OR REBOOT PENDING: %s runs with %s=%s, configured %s (reload with scst_allow_driver_reload=true, '
             'or reboot)' % (item['module'], item['parameter'], item['running'], item['wanted'])
             for item in host.get('pending_reload', [])]
    if FC_MODULE in host.get('deferred', []):
        lines.append('%s (the distribution driver) is loaded: %s will load at the next reboot (or set '
                     'scst_allow_driver_reload=true); the %s part of scst_config is written to %s but not applied now%s'
                     % (DISTRIBUTION_DRIVER, ', '.join(fc_modules), FC_DRIVER, config_file,
                        '' if blacklist else '; scst_fc_blacklist_distribution_driver is false, so %s will claim the '
                        'HBAs again at boot' % DISTRIBUTION_DRIVER))
    if 'fc' in transports and not qlini_mode and _fc_targets(config):
        lines.append('scst_qlini_mode is not set: qla2xxx_scst keeps the qlini_mode it loads with (the driver default '
                     'is exclusive, and with enabled no target port appears); set scst_qlini_mode to disabled (target '
                     'mode only) or dual (initiator and target) for the FC targets of scst_config')
    if unchecked_ports:
        lines.append('FC PORTS NOT CHECKED: this host shows no FC port until %s is loaded%s, so these options of '
                     'scst_config could not be checked against its ports: %s'
                     % (FC_MODULE, ', which check mode does not do' if check_mode else '',
                        ', '.join('%s = %s' % (option, port) for port, option in unchecked_ports.items())))
    unknown = host.get('unknown_services', [])
    if iscsi_service in unknown:
        lines.append('no service manager knows %s: %s is started by the role and starts at boot only if the %s service '
                     'starts it' % (iscsi_service, iscsi_daemon, service))
    if service in unknown:
        lines.append('no service manager knows the %s service (is the SCST package installed?): %s is not applied at boot'
                     % (service, config_file))
    return lines
