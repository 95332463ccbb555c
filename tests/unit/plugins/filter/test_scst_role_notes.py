# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter scst_role_notes: the role's summary of what is pending on a host, from its scst_module result."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.storage.scst.plugins.filter.scst_role_notes import FilterModule, scst_role_notes

QUIET = {'pending_reload': [], 'deferred': [], 'unknown_services': []}
FC_CONFIG = {'drivers': [{'name': 'iscsi', 'targets': []}, {'name': 'qla2x00t', 'targets': [{'port': 0}]}]}
ROLE = dict(config_file='/etc/scst.conf', service='scst', iscsi_service='iscsi-scst',
            iscsi_daemon='/usr/local/sbin/iscsi-scstd', transports=['fc', 'iscsi'],
            fc_modules=['qla2xxx_scst', 'qla2x00tgt'], qlini_mode='disabled', config=FC_CONFIG)


def notes(host, **kwargs):
    return scst_role_notes(dict(QUIET, **host), **dict(ROLE, **kwargs))


def test_nothing_pending():
    assert notes({}) == []
    assert FilterModule().filters() == {'scst_role_notes': scst_role_notes}


def test_each_pending_module_parameter():
    assert notes({'pending_reload': [
        {'module': 'qla2xxx_scst', 'parameter': 'qlini_mode', 'running': 'exclusive', 'wanted': 'disabled'},
        {'module': 'scst', 'parameter': 'scst_threads', 'running': '4', 'wanted': '8'}]}) == [
        'RELOAD OR REBOOT PENDING: qla2xxx_scst runs with qlini_mode=exclusive, configured disabled '
        '(reload with scst_allow_driver_reload=true, or reboot)',
        'RELOAD OR REBOOT PENDING: scst runs with scst_threads=4, configured 8 (reload with scst_allow_driver_reload=true, '
        'or reboot)']


@pytest.mark.parametrize('blacklist, tail', [
    (True, ''), (False, '; scst_fc_blacklist_distribution_driver is false, so qla2xxx will claim the HBAs again at boot')])
def test_fc_driver_deferred_to_the_next_boot(blacklist, tail):
    assert notes({'deferred': ['qla2xxx_scst', 'qla2x00tgt']}, blacklist=blacklist, config_file='/srv/scst.conf') == [
        'qla2xxx (the distribution driver) is loaded: qla2xxx_scst, qla2x00tgt will load at the next reboot (or set '
        'scst_allow_driver_reload=true); the qla2x00t part of scst_config is written to /srv/scst.conf but not applied now'
        + tail]
    # Only the FC driver's module waiting says so.
    assert notes({'deferred': ['iscsi_scst']}) == []


def test_qlini_mode_unset_matters_only_with_fc_targets():
    note = ('scst_qlini_mode is not set: qla2xxx_scst keeps the qlini_mode it loads with (the driver default is '
            'exclusive, and with enabled no target port appears); set scst_qlini_mode to disabled (target mode only) '
            'or dual (initiator and target) for the FC targets of scst_config')
    assert notes({}, qlini_mode='') == notes({}, qlini_mode=None) == [note]
    assert notes({}, qlini_mode='') != notes({}, qlini_mode='', transports=['iscsi']) == []
    assert notes({}, qlini_mode='', config={'drivers': [{'name': 'qla2x00t', 'targets': []}, {'name': 'iscsi', 'targets': [{}]}]}) == []
    assert notes({}, qlini_mode='', config=None) == []


def test_fc_ports_not_checked_name_each_option():
    unchecked = {'21:00:00:24:ff:31:4c:48': 'scst_config.drivers[0].targets[0].name',
                 'port 5': 'scst_config.drivers[0].targets[3].port'}
    options = ('scst_config.drivers[0].targets[0].name = 21:00:00:24:ff:31:4c:48, '
               'scst_config.drivers[0].targets[3].port = port 5')
    assert notes({}, unchecked_ports=unchecked, check_mode=True) == [
        'FC PORTS NOT CHECKED: this host shows no FC port until qla2xxx_scst is loaded, which check mode does not do, '
        'so these options of scst_config could not be checked against its ports: ' + options]
    assert notes({}, unchecked_ports=unchecked) == [
        'FC PORTS NOT CHECKED: this host shows no FC port until qla2xxx_scst is loaded, so these options of scst_config '
        'could not be checked against its ports: ' + options]
    assert notes({}, unchecked_ports={}, check_mode=True) == notes({}, unchecked_ports=None) == []
    # In the order of the summary: after the qlini_mode note, before the services.
    lines = notes({'unknown_services': ['scst']}, qlini_mode='', unchecked_ports=unchecked)
    assert [line.split(' ')[0] for line in lines] == ['scst_qlini_mode', 'FC', 'no']


def test_services_no_service_manager_knows():
    assert notes({'unknown_services': ['iscsi-scst', 'scst']}) == [
        'no service manager knows iscsi-scst: /usr/local/sbin/iscsi-scstd is started by the role and starts at boot '
        'only if the scst service starts it',
        'no service manager knows the scst service (is the SCST package installed?): /etc/scst.conf is not applied at boot']
    assert notes({'unknown_services': ['other']}) == []


def test_bad_input_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match='expects the result of storage.scst.scst_module'):
        scst_role_notes(None, **ROLE)
    with pytest.raises(AnsibleFilterError, match='unchecked_ports'):
        scst_role_notes(QUIET, unchecked_ports=['port 0'], **ROLE)
