# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fibre Channel HBAs of a host: the ports the HBA driver shows, and the modprobe.d blacklist that keeps the
distribution driver off the HBAs at boot.

This module is private to this collection: it is not part of the public API and may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

FC_HOST = '/sys/class/fc_host'
# The text the role has always written: hosts converged before keep an unchanged file (and initramfs).
BLACKLIST_HEADER = "# Managed by Ansible (storage.scst.scst): SCST's qla2xxx_scst drives the QLogic HBAs.\n"


def fc_ports(root=FC_HOST):
    """[{host: host0, number: 0, wwpn: 21:00:...}] ordered by host number; sysfs says 0x21000024ff314c48, SCST
    names qla2x00t targets 21:00:00:24:ff:31:4c:48."""
    ports = []
    for entry in os.listdir(root) if os.path.isdir(root) else []:
        match = re.match(r'^host(\d+)$', entry)
        if not match:
            continue
        try:
            with open(os.path.join(root, entry, 'port_name')) as handle:
                value = int(handle.read().strip(), 16)
        except (IOError, OSError, ValueError):
            continue
        hexa = '%016x' % value
        ports.append({'host': entry, 'number': int(match.group(1)),
                      'wwpn': ':'.join(hexa[i:i + 2] for i in range(0, 16, 2))})
    return sorted(ports, key=lambda port: port['number'])


def missing_ports(checks, ports):
    """The FC ports a configuration names that are not among ``ports`` (fc_ports()), as messages.

    checks maps a WWPN (colon form, lower case) or ``port N`` (the Nth port, from 0) to the option that names it,
    as storage.scst.scst_preflight makes it. scst_module checks them before it changes anything when the host
    already shows its ports; the role checks them again once the modules are loaded and the ports appeared.
    """
    wwpns = [port['wwpn'] for port in ports]
    listed = ', '.join(wwpns) if wwpns else 'none'
    missing = []
    for name, option in sorted(checks.items()):
        index = name[5:] if name.startswith('port ') else None
        if index is not None and not (index.isdigit() and int(index) < len(wwpns)):
            missing.append('%s: %s requested, but this host has %d FC port(s) (%s)' % (option, name, len(wwpns), listed))
        elif index is None and name.lower() not in wwpns:
            missing.append('%s: %s is not an FC port of this host (its ports: %s)' % (option, name, listed))
    return missing


def blacklist_text(names):
    """The whole blacklist file this collection owns: one ``blacklist NAME`` line per distribution driver."""
    return BLACKLIST_HEADER + ''.join('blacklist %s\n' % name for name in names) if names else ''
