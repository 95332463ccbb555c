# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter scst_missing_ports: scst_preflight's FC ports against the ports a host shows (the rule is _hba's)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.storage.scst.plugins.filter.scst_check import FilterModule, scst_preflight

PORTS = [{'host': 'host0', 'number': 0, 'wwpn': '21:00:00:24:ff:01:01:00'}]
CONFIG = {'drivers': [{'name': 'qla2x00t', 'targets': [{'name': '0x21000024FF010100'}, {'port': 1}]}]}


def test_preflight_output_goes_straight_in():
    missing = FilterModule().filters()['scst_missing_ports']
    checks = scst_preflight(CONFIG, prefix='scst_config', ports=True)['fc_ports']
    assert missing(checks, PORTS) == ['scst_config.drivers[0].targets[1].port: port 1 requested, but this host has '
                                      '1 FC port(s) (21:00:00:24:ff:01:01:00)']
    assert missing({'21:00:00:24:ff:01:01:00': 'x'}, PORTS) == []


@pytest.mark.parametrize('checks, ports', [(['port 0'], PORTS), ({'port 0': 'x'}, 'host0')])
def test_wrong_input_is_refused_by_type(checks, ports):
    with pytest.raises(AnsibleFilterError, match='scst_missing_ports expects'):
        FilterModule().filters()['scst_missing_ports'](checks, ports)
