# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filter scst_role_notes: what the role storage.scst.scst leaves pending on a host, one sentence each.

The documentation is in scst_role_notes.yml next to this file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.storage.scst.plugins.module_utils import _role_notes


def scst_role_notes(host, config_file, service, iscsi_service, iscsi_daemon, config=None, transports=(), fc_modules=(),
                    blacklist=True, qlini_mode=None, unchecked_ports=None, check_mode=False):
    """scst_module result -> the role's notes."""
    if not isinstance(host, Mapping) or not isinstance(config or {}, Mapping) or not isinstance(unchecked_ports or {}, Mapping):
        raise AnsibleFilterError('scst_role_notes expects the result of storage.scst.scst_module, a configuration model '
                                 'and unchecked_ports (dictionaries), not %s, %s and %s'
                                 % (type(host).__name__, type(config).__name__, type(unchecked_ports).__name__))
    return _role_notes.notes(host, config or {}, transports=transports, fc_modules=fc_modules, config_file=config_file,
                             blacklist=blacklist, qlini_mode=qlini_mode, service=service, iscsi_service=iscsi_service,
                             iscsi_daemon=iscsi_daemon, unchecked_ports=unchecked_ports, check_mode=check_mode)


class FilterModule(object):

    def filters(self):
        return {'scst_role_notes': scst_role_notes}
