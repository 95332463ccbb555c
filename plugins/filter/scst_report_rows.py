# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filter scst_report_rows: the rows of the fleet report of playbooks/gather.yml, per host.

The documentation is in scst_report_rows.yml next to this file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.storage.scst.plugins.module_utils import _report


def _variable(host_vars, name):
    return host_vars[name] if name in host_vars else None


def scst_report_rows(hosts, hostvars, copy_manager=False, state_var='scst_state', result_var='scst_report_info'):
    """host names -> their rows, from each host's fact ``state_var`` or else its registered ``result_var``."""
    if not isinstance(hosts, (list, tuple)) or not isinstance(hostvars, Mapping):
        raise AnsibleFilterError('scst_report_rows expects a list of host names and hostvars, not %s and %s'
                                 % (type(hosts).__name__, type(hostvars).__name__))
    results = {}
    for host in hosts:
        host_vars = hostvars[host] if host in hostvars else {}
        state = _variable(host_vars, state_var)
        # The state the role read after its converge is the scst part of an scst_info result.
        result = {'scst': state} if isinstance(state, Mapping) else _variable(host_vars, result_var)
        results[host] = result if isinstance(result, Mapping) else {}
    return _report.rows(results, copy_manager=copy_manager)


class FilterModule(object):

    def filters(self):
        return {'scst_report_rows': scst_report_rows}
