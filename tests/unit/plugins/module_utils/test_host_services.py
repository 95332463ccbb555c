# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_services (SysV and systemd service state without service_facts) and _hba (FC ports, blacklist text)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.storage.scst.plugins.module_utils import _hba, _services


class FakeModule:
    """run_command answers from a table; get_bin_path finds the tools named in ``tools``."""

    def __init__(self, answers=None, tools=('update-rc.d',), check_mode=False):
        self.answers = answers or {}
        self.tools = tools
        self.check_mode = check_mode
        self.ran = []

    def run_command(self, argv):
        self.ran.append(argv)
        return self.answers.get(tuple(argv[1:]), (0, '', ''))

    def get_bin_path(self, name, required=False):
        return '/usr/sbin/' + name if name in self.tools else None


def sysv_root(tmp_path, links=()):
    os.makedirs(str(tmp_path / 'etc' / 'init.d'))
    (tmp_path / 'etc' / 'init.d' / 'scst').write_text('#!/bin/sh\n')
    for link in links:
        os.makedirs(str(tmp_path / 'etc' / os.path.dirname(link)), exist_ok=True)
        (tmp_path / 'etc' / link).write_text('')
    return str(tmp_path)


def test_sysv_unknown_service(tmp_path):
    services = _services.Services(FakeModule(), [], root=sysv_root(tmp_path))
    assert services.state('iscsi-scst', running=False) == {'known': False, 'enabled': False, 'running': None}


@pytest.mark.parametrize('links, enabled, command', [
    ((), False, 'defaults'),
    (('rc3.d/K01scst',), False, 'enable'),
    (('rc3.d/S01scst',), True, None),
])
def test_sysv_enable_only_when_no_start_link(tmp_path, links, enabled, command):
    commands = []
    module = FakeModule()
    services = _services.Services(module, commands, root=sysv_root(tmp_path, links))
    before = services.ensure('scst', started=False)
    assert before['known'] and before['enabled'] == enabled
    assert commands == ([] if command is None else ['/usr/sbin/update-rc.d scst ' + command])


def test_check_mode_records_but_does_not_run(tmp_path):
    commands = []
    module = FakeModule(check_mode=True)
    _services.Services(module, commands, root=sysv_root(tmp_path)).ensure('scst', started=False)
    assert commands == ['/usr/sbin/update-rc.d scst defaults']
    assert module.ran == []


def test_systemd_started_and_enabled_service_needs_nothing(tmp_path):
    os.makedirs(str(tmp_path / 'run' / 'systemd' / 'system'))
    answers = {('show', '--property=LoadState', '--value', 'iscsi-scst.service'): (0, 'loaded\n', ''),
               ('is-enabled', 'iscsi-scst.service'): (0, 'enabled\n', ''),
               ('is-active', '--quiet', 'iscsi-scst.service'): (0, '', '')}
    commands = []
    module = FakeModule(answers, tools=('systemctl',))
    before = _services.Services(module, commands, root=str(tmp_path)).ensure('iscsi-scst', started=True)
    assert before == {'known': True, 'enabled': True, 'running': True}
    assert commands == []


def test_systemd_stopped_disabled_service_is_enabled_and_started(tmp_path):
    os.makedirs(str(tmp_path / 'run' / 'systemd' / 'system'))
    answers = {('show', '--property=LoadState', '--value', 'iscsi-scst.service'): (0, 'loaded\n', ''),
               ('is-enabled', 'iscsi-scst.service'): (1, 'disabled\n', ''),
               ('is-active', '--quiet', 'iscsi-scst.service'): (3, '', '')}
    commands = []
    _services.Services(FakeModule(answers, tools=('systemctl',)), commands, root=str(tmp_path)).ensure('iscsi-scst', True)
    assert commands == ['/usr/sbin/systemctl enable iscsi-scst.service', '/usr/sbin/systemctl start iscsi-scst.service']


def test_a_failing_change_names_the_service(tmp_path):
    module = FakeModule({('scst', 'defaults'): (1, '', 'update-rc.d: error: no LSB header')})
    with pytest.raises(_services.ServiceFailure, match='enabling scst failed .*no LSB header'):
        _services.Services(module, [], root=sysv_root(tmp_path)).ensure('scst', started=False)


def test_fc_ports_sorted_by_host_number_in_scst_spelling(tmp_path):
    for host, wwpn in (('host10', '0x21000024ff314c49'), ('host2', '0x21000024ff314c48'), ('other', '0x1')):
        os.makedirs(str(tmp_path / host))
        (tmp_path / host / 'port_name').write_text(wwpn + '\n')
    assert _hba.fc_ports(str(tmp_path)) == [
        {'host': 'host2', 'number': 2, 'wwpn': '21:00:00:24:ff:31:4c:48'},
        {'host': 'host10', 'number': 10, 'wwpn': '21:00:00:24:ff:31:4c:49'}]
    assert _hba.fc_ports(str(tmp_path / 'absent')) == []


def test_blacklist_text_is_the_role_s_file_and_empty_without_names():
    assert _hba.blacklist_text(['qla2xxx']) == (
        "# Managed by Ansible (storage.scst.scst): SCST's qla2xxx_scst drives the QLogic HBAs.\nblacklist qla2xxx\n")
    assert _hba.blacklist_text([]) == ''


PORTS = [{'host': 'host3', 'number': 3, 'wwpn': '21:00:00:24:ff:01:01:00'},
         {'host': 'host4', 'number': 4, 'wwpn': '21:00:00:24:ff:01:02:00'}]


def test_missing_ports_names_each_option_and_the_host_s_ports():
    checks = {'21:00:00:24:ff:01:02:00': 'c.drivers[0].targets[0].name', 'port 1': 'c.drivers[0].targets[1].port',
              '21:00:00:24:ff:99:99:00': 'c.drivers[0].targets[2].name', 'port 2': 'c.drivers[0].targets[3].port'}
    listed = '21:00:00:24:ff:01:01:00, 21:00:00:24:ff:01:02:00'
    assert _hba.missing_ports(checks, PORTS) == [
        'c.drivers[0].targets[2].name: 21:00:00:24:ff:99:99:00 is not an FC port of this host (its ports: %s)' % listed,
        'c.drivers[0].targets[3].port: port 2 requested, but this host has 2 FC port(s) (%s)' % listed]


def test_missing_ports_on_a_host_without_ports():
    assert _hba.missing_ports({'port 0': 'c.port'}, []) == [
        'c.port: port 0 requested, but this host has 0 FC port(s) (none)']
    assert _hba.missing_ports({}, []) == []
