# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An empty value means "not set" for every optional variable of the role: '' (what an AWX survey sends for a
question left empty) and null give a host exactly what leaving the variables out gives.

The variables come from meta/argument_specs.yml, so a new variable is covered without editing this file. Four
virtual hosts, one run of playbooks/site.yml: h1 leaves every variable out, h2 sets each to '', h3 to null (all
three with the same scst_config), h4 sets scst_config to '' too. Their boot files, /etc/scst.conf, SCST service,
loaded modules, devices, targets and summaries are compared, host names and WWPNs taken out.
"""

from __future__ import annotations

import json
import os

import pytest
import yaml

from conftest import REPO, fc_only_config

ROLE = os.path.join(REPO, 'roles', 'scst')
# Variables that cannot be empty, with the reason. The role has no required variable today; scst_config is given
# on h1-h3 because the comparison needs a configuration to apply, and set to '' on h4.
NOT_EMPTIED = {'scst_config': "the configuration under test on h1-h3; h4 sets it to '' as well"}

# The variables of playbooks/site.yml and gather.yml themselves (a playbook has no argument spec).
PLAYBOOK_VARIABLES = ('scst_hosts', 'scst_ssh_pipelining', 'scst_report_dir', 'scst_report_name', 'scst_report_copy_manager')

# The devices of the emulated kernel, with their handler: PROBE of conftest.py does not list them.
DEVICES = r'''
import json, os
root = '/sys/kernel/scst_tgt/devices'
print(json.dumps({name: os.path.basename(os.readlink(os.path.join(root, name, 'handler')))
                  for name in sorted(os.listdir(root)) if os.path.islink(os.path.join(root, name, 'handler'))}
                 if os.path.isdir(root) else None))
'''


def role_options():
    with open(os.path.join(ROLE, 'meta', 'argument_specs.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)['argument_specs']['main']['options']


def role_defaults():
    with open(os.path.join(ROLE, 'defaults', 'main.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)['__scst_defaults']


def test_every_variable_has_one_documented_default():
    """The role reads each variable through __scst_var, whose defaults are __scst_defaults: a variable missing
    there would be invisible to the role, and a default that differs from argument_specs would be a lie."""
    options, defaults = role_options(), role_defaults()
    assert sorted(defaults) == sorted(options)
    for name, option in options.items():
        assert not option.get('required'), f'{name} is required: list it in NOT_EMPTIED with the reason'
        assert defaults[name] == option.get('default'), name
        # '' and null must pass the role's argument validation (which sees the raw value).
        if 'choices' in option:
            assert '' in option['choices'] and None in option['choices'], name
        else:
            assert option['type'] in ('raw', 'str', 'path'), name


@pytest.fixture(scope='module')
def scenario(make_fleet):
    names = sorted(set(role_options()) - set(NOT_EMPTIED))
    fleet = make_fleet('empty', {'scst_config': fc_only_config()}, hosts=4)
    host_vars = os.path.join(fleet.inventory, 'host_vars')
    os.makedirs(host_vars)
    for host, values in (('h2', dict.fromkeys(names, '')), ('h3', dict.fromkeys(names)),
                         ('h4', dict.fromkeys(names + ['scst_config'], ''))):
        with open(os.path.join(host_vars, f'{host}.yml'), 'w', encoding='utf-8') as handle:
            yaml.safe_dump(values, handle)
    prepare = fleet.play('demo/prepare.yml', label='prepare')
    assert prepare.rc == 0, prepare.output
    # The playbooks' own variables empty as well (extra vars, given after the rig's scst_report_dir); the report
    # then goes to its default directory, ~/scst-reports on the controller, here under a HOME of the test's own.
    home = os.path.join(fleet.base, 'home')
    os.makedirs(home)
    saved = os.environ['HOME']
    os.environ['HOME'] = home
    try:
        run = fleet.play('playbooks/site.yml', '-v', '-e', json.dumps(dict.fromkeys(PLAYBOOK_VARIABLES, '')), label='site')
    finally:
        os.environ['HOME'] = saved
    assert run.rc == 0, run.output[-6000:]
    return fleet, run, {host: observed(fleet, run, host) for host in fleet.hosts}


def observed(fleet, run, host):
    """What the run left on the host, with its name and WWPNs replaced by placeholders."""
    state = fleet.probe(host)
    state['devices'] = json.loads(fleet.ssh(host, '/usr/bin/python3', '-', stdin=DEVICES))
    state['summary'] = run.messages(host).get('Summary of this host')
    text = json.dumps(state, sort_keys=True)
    for index, wwpn in enumerate(fleet.wwpns(host)):
        text = text.replace(wwpn, f'<port {index}>')
    return json.loads(text.replace(host, '<host>'))


def test_empty_and_null_values_give_what_leaving_them_out_gives(scenario):
    fleet, run, states = scenario
    for host in fleet.hosts:
        assert run.stat(host).get('failures') == 0, (host, run.record.get('failed'))
    baseline = states['h1']
    # The baseline did something to compare: the boot files, the configuration and its devices are there.
    assert 'qla2xxx_scst' in baseline['modules'] and baseline['modprobe'], baseline
    assert baseline['conf'] and 'disk01' in baseline['conf'], baseline
    assert baseline['devices'] == {'disk01': 'vdisk_fileio', 'disk02': 'vdisk_fileio'}, baseline
    assert baseline['scst_service_enabled'] is True
    for host in ('h2', 'h3'):
        for key in sorted(baseline):
            assert states[host][key] == baseline[key], (host, key, states[host][key], baseline[key])


def test_empty_configuration_is_no_configuration(scenario):
    """scst_config '' is scst_config {}: nothing written or applied; the rest as on h1."""
    states = scenario[2]
    empty, baseline = states['h4'], states['h1']
    assert empty['conf'] is None and empty['devices'] == {} and empty['targets'] == {}, empty
    for key in ('modules', 'modprobe', 'loaded', 'scst_service_enabled'):
        assert empty[key] == baseline[key], key


def test_empty_playbook_variables_mean_their_defaults(scenario):
    """scst_hosts '' is every host of scst_fc and scst_iscsi, scst_report_dir '' the default directory (the
    issue's survey case failed with "There was an issue creating  as requested"), scst_report_name '' scst-report."""
    fleet, run = scenario[:2]
    report = os.path.join(fleet.base, 'home', 'scst-reports', 'scst-report.md')
    assert os.path.isfile(report) and os.path.isfile(report[:-3] + '.html'), run.output[-3000:]
    with open(report, encoding='utf-8') as handle:
        text = handle.read()
    for host in fleet.hosts:
        assert run.stat(host).get('ok', 0) > 0 and host in text, host
    assert 'copy_manager' not in text
