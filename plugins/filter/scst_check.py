# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filters scst_check, scst_preflight, scst_resolve_ports and scst_missing_ports: what is wrong with a
configuration before any host is touched, what its hosts must have, its port shorthand resolved with a host's FC
ports, and which of its FC ports a host lacks.

The documentation of each filter is in the .yml file of its name next to this file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.storage.scst.plugins.module_utils import _hba, _normalize, _precheck


def _mapping(config, name):
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise AnsibleFilterError('%s expects a configuration model (a dictionary), not %s' % (name, type(config).__name__))
    return config


def scst_check(config, prefix='config', ports=False, transports=None, handler_modules=None, check_names=True):
    """configuration model -> list of problems, each naming the option's path as the user wrote it."""
    return _precheck.problems(_mapping(config, 'scst_check'), prefix=prefix, ports=ports, transports=transports,
                              handler_modules=handler_modules, check_names=check_names)


def scst_preflight(config, prefix='config', ports=False):
    """configuration model -> {files: {path: option}, fc_ports: {WWPN or 'port N': option}}."""
    return _precheck.preflight(_mapping(config, 'scst_preflight'), prefix=prefix, ports=ports)


def scst_resolve_ports(config, wwpns, prefix='config'):
    """configuration model -> the same with each ``port: N`` target named by ``wwpns[N]`` (None: ports not known
    yet, a stand-in WWPN)."""
    if wwpns is not None and not isinstance(wwpns, list):
        raise AnsibleFilterError('scst_resolve_ports expects the WWPNs of the FC ports (a list, or null while they are '
                                 'not known), not %s' % type(wwpns).__name__)
    found = []
    resolved = _precheck.resolve_ports(_mapping(config, 'scst_resolve_ports'), found, wwpns=wwpns)
    if found:
        raise AnsibleFilterError('; '.join('%s.%s: %s' % (prefix, _normalize.format_path(path), message)
                                           for path, message in found))
    return resolved


def scst_missing_ports(fc_ports, host_ports):
    """scst_preflight's fc_ports + the host's FC ports (scst_module's fc_ports) -> list of missing ones."""
    if not isinstance(fc_ports, dict) or not isinstance(host_ports, list):
        raise AnsibleFilterError('scst_missing_ports expects the fc_ports of scst_preflight (a dictionary) and a list of '
                                 'ports (fc_ports of storage.scst.scst_module), not %s and %s'
                                 % (type(fc_ports).__name__, type(host_ports).__name__))
    return _hba.missing_ports(fc_ports, host_ports)


class FilterModule(object):

    def filters(self):
        return {'scst_check': scst_check, 'scst_preflight': scst_preflight, 'scst_resolve_ports': scst_resolve_ports,
                'scst_missing_ports': scst_missing_ports}
