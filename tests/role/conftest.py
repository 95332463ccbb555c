# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared helpers of the role tests: a virtual fleet, playbook runs with a JSON record of their changes, and
the state of a host read over SSH.

The collection is found through ANSIBLE_COLLECTIONS_PATH (``make test`` exports it); the fleet is made by
``scst-emulator`` from the virtual environment, on loopback addresses 127.0.0.151 and up (``--address-base 150``).
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
import time

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BINDIR = os.path.dirname(sys.executable)
ADDRESS_BASE = '150'

# A secret no other file of the project holds: the tests grep every run's output for it.
CHAP_SECRET = 'rt-Chap-9f3a7c21e5'
CHAP_USER = 'roletest'

# The demo's model (demo/inventory/group_vars/storage.yml) with this suite's CHAP secret.
SCST_CONFIG = {
    'handlers': [
        {'name': 'vdisk_fileio', 'devices': [
            {'name': 'disk01', 'attributes': {'filename': '/var/lib/scst-demo/disk01.img', 'blocksize': 4096, 'rotational': 0}},
            {'name': 'disk02', 'attributes': {'filename': '/var/lib/scst-demo/disk02.img'}},
        ]},
        {'name': 'vdisk_nullio', 'devices': [{'name': 'null01'}]},
    ],
    'drivers': [
        {'name': 'qla2x00t', 'targets': [
            {'port': 0, 'enabled': True, 'luns': [{'lun': 0, 'device': 'disk01'}],
             'groups': [{'name': 'esx_cluster', 'initiators': ['21:00:00:24:ff:7a:11:*'],
                         'luns': [{'lun': 0, 'device': 'disk01'}, {'lun': 1, 'device': 'disk02'}]}]},
            {'port': 1, 'enabled': True, 'luns': [{'lun': 0, 'device': 'disk02'}]},
        ]},
        {'name': 'iscsi', 'enabled': True, 'targets': [
            {'name': 'iqn.2026-11.com.example.storage:{{ inventory_hostname }}.t1', 'enabled': True,
             'attributes': {'IncomingUser': [f'{CHAP_USER} {CHAP_SECRET}'], 'allowed_portal': ['127.0.0.*']},
             'luns': [{'lun': 0, 'device': 'null01'}]},
        ]},
    ],
}

GROUPS = {'scst_fc': {'children': {'storage': None}}, 'scst_iscsi': {'children': {'storage': None}}}

# Check mode cannot run what only exists after the real run's module loads; these tasks stand in for them.
PREDICTIONS = {
    'Predict the first application of the configuration': 'Converge the running SCST configuration',
}

# Runs on a host (python3 over SSH): prints what the tests check, as JSON.
PROBE = r'''
import json, os, stat
def read(path):
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return None
out = {}
try:
    st = os.stat('/etc/scst.conf')
    out['conf_mode'] = '%04o' % stat.S_IMODE(st.st_mode)
    out['conf_uid'] = st.st_uid
except OSError:
    out['conf_mode'] = None
out['conf'] = read('/etc/scst.conf')
out['modules'] = read('/etc/modules')
out['modprobe'] = {name: read('/etc/modprobe.d/' + name) for name in sorted(os.listdir('/etc/modprobe.d'))
                   if name.startswith('storage-scst')}
out['loaded'] = sorted(os.listdir('/sys/module'))
out['scst_service_enabled'] = any(name.startswith('S') and name.endswith('scst') for name in os.listdir('/etc/rc3.d')) \
    if os.path.isdir('/etc/rc3.d') else False
targets = {}
root = '/sys/kernel/scst_tgt/targets'
for driver in sorted(os.listdir(root)) if os.path.isdir(root) else []:
    if driver == 'copy_manager' or not os.path.isdir(os.path.join(root, driver)):
        continue
    for name in sorted(os.listdir(os.path.join(root, driver))):
        path = os.path.join(root, driver, name)
        if not os.path.isdir(os.path.join(path, 'luns')):
            continue
        def luns(directory):
            return {lun: os.path.basename(os.readlink(os.path.join(directory, lun, 'device')))
                    for lun in sorted(os.listdir(directory)) if os.path.islink(os.path.join(directory, lun, 'device'))}
        groups = {}
        gdir = os.path.join(path, 'ini_groups')
        for group in sorted(os.listdir(gdir)) if os.path.isdir(gdir) else []:
            if not os.path.isdir(os.path.join(gdir, group)):
                continue
            idir = os.path.join(gdir, group, 'initiators')
            groups[group] = {'luns': luns(os.path.join(gdir, group, 'luns')),
                             'initiators': sorted(read(os.path.join(idir, i)).strip() for i in os.listdir(idir) if i != 'mgmt')}
        enabled = read(os.path.join(path, 'enabled'))
        targets['%s/%s' % (driver, name)] = {'enabled': enabled.split()[0] if enabled else None,
                                             'luns': luns(os.path.join(path, 'luns')), 'groups': groups}
out['targets'] = targets
print(json.dumps(out))
'''


def emulator(*args, check=True):
    """Runs ``scst-emulator ARGS`` and returns the completed process."""
    return subprocess.run([os.path.join(BINDIR, 'scst-emulator')] + list(args), capture_output=True, text=True,
                          check=check, timeout=300)


def parse_conf(text):
    """scst.conf text -> the collection's model, through the collection's own parser."""
    from ansible_collections.storage.scst.plugins.module_utils import _conf  # pylint: disable=import-outside-toplevel
    return _conf.parse(text)[0]


def render_conf(model):
    """model -> scst.conf text, through the collection's own renderer."""
    from ansible_collections.storage.scst.plugins.module_utils import _conf  # pylint: disable=import-outside-toplevel
    return _conf.render(model)


class Run:
    """One ansible-playbook run: its exit status, output, wall time and the callback's JSON record."""

    def __init__(self, label, proc, seconds, record):
        self.label = label
        self.rc = proc.returncode
        self.output = proc.stdout + proc.stderr
        self.seconds = seconds
        self.record = record

    def changed(self, host):
        return self.record.get('changed', {}).get(host, [])

    def stat(self, host):
        return self.record.get('stats', {}).get(host, {})

    def messages(self, host):
        return self.record.get('messages', {}).get(host, {})

    def __repr__(self):
        return f'<run {self.label} rc={self.rc} {self.seconds:.1f} s>'


class Fleet:
    """A virtual fleet and its inventory, with playbook runs against it."""

    def __init__(self, base, hosts=2):
        self.base = base
        self.state = os.path.join(base, 'fleet')
        self.fleet_inventory = os.path.join(base, 'fleet-inventory.ini')
        self.inventory = os.path.join(base, 'inventory')
        self.report_dir = os.path.join(base, 'report')
        self.hosts = [f'h{i}' for i in range(1, hosts + 1)]
        self.runs = []
        self.count = 0

    def up(self, group_vars):
        emulator('fleet', 'down', '--state-dir', self.state, check=False)
        emulator('fleet', 'up', '--hosts', str(len(self.hosts)), '--fc-ports-per-host', '2',
                 '--inventory', self.fleet_inventory, '--state-dir', self.state, '--address-base', ADDRESS_BASE)
        os.makedirs(os.path.join(self.inventory, 'group_vars'), exist_ok=True)
        with open(os.path.join(self.inventory, 'groups.yml'), 'w', encoding='utf-8') as handle:
            yaml.safe_dump(GROUPS, handle)
        self.write_group_vars(group_vars)

    def down(self):
        emulator('fleet', 'down', '--state-dir', self.state, check=False)

    def address(self, host):
        return '127.0.0.%d' % (int(ADDRESS_BASE) + int(host[1:]))

    def wwpns(self, host):
        """The WWPNs the emulator gives the host's ports (README: 21:00:00:24:ff:HH:PP:00)."""
        number = int(host[1:])
        return [f'21:00:00:24:ff:{number:02x}:{port:02x}:00' for port in (1, 2)]

    def play(self, playbook, *args, label=None):
        """Runs a playbook against the fleet inventory plus the test's groups; returns and records a Run."""
        self.count += 1
        label = label or f'{self.count}-{os.path.basename(playbook)}'
        inventories = ['-i', self.fleet_inventory, '-i', self.inventory]
        return ansible_playbook(self.base, label, inventories + ['-e', f'scst_report_dir={self.report_dir}',
                                                                 os.path.join(REPO, playbook)] + list(args), self.runs)

    def ssh(self, host, *command, stdin=''):
        """Runs a command on the host over SSH with the fleet's key; returns its standard output."""
        key = os.path.join(self.state, 'ssh', 'id_ed25519')
        proc = subprocess.run(['ssh', '-q', '-i', key, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
                               '-o', 'BatchMode=yes', f'root@{self.address(host)}'] + list(command),
                              input=stdin, capture_output=True, text=True, check=False, timeout=120)
        assert proc.returncode == 0, f'{command} on {host} failed: {proc.stderr}'
        return proc.stdout

    def probe(self, host):
        """The state of the host, read over SSH."""
        return json.loads(self.ssh(host, '/usr/bin/python3', '-', stdin=PROBE))

    def write_group_vars(self, group_vars):
        with open(os.path.join(self.inventory, 'group_vars', 'storage.yml'), 'w', encoding='utf-8') as handle:
            yaml.safe_dump(group_vars, handle, sort_keys=False)

    def expected_config(self, host):
        """SCST_CONFIG as the role must write it on the host: ports by WWPN, the host name in the IQN."""
        model = copy.deepcopy(SCST_CONFIG)
        wwpns = self.wwpns(host)
        for driver in model['drivers']:
            for target in driver['targets']:
                if 'port' in target:
                    target['name'] = wwpns[target.pop('port')]
                target['name'] = target['name'].replace('{{ inventory_hostname }}', host)
        return model


def ansible_playbook(base, label, args, runs=None):
    """ansible-playbook ARGS with the recording callback; the output goes to BASE/LABEL.log as well."""
    record_path = os.path.join(base, f'{label}.json')
    if os.path.exists(record_path):
        os.remove(record_path)
    env = dict(os.environ, ANSIBLE_HOST_KEY_CHECKING='false', ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
               ANSIBLE_CALLBACK_PLUGINS=os.path.join(REPO, 'tools', 'callback_plugins'), ANSIBLE_CALLBACKS_ENABLED='run_record',
               RUN_RECORD_FILE=record_path, ANSIBLE_RETRY_FILES_ENABLED='false', ANSIBLE_TIMEOUT='10')
    start = time.monotonic()
    proc = subprocess.run([os.path.join(BINDIR, 'ansible-playbook')] + args, capture_output=True, text=True, env=env,
                          cwd=base, check=False, timeout=900)
    seconds = time.monotonic() - start
    with open(os.path.join(base, f'{label}.log'), 'w', encoding='utf-8') as handle:
        handle.write(proc.stdout + proc.stderr)
    record = {}
    if os.path.exists(record_path):
        with open(record_path, encoding='utf-8') as handle:
            record = json.load(handle)
    run = Run(label, proc, seconds, record)
    if runs is not None:
        runs.append(run)
    print(f'[role tests] {label}: rc={run.rc} in {seconds:.1f} s')
    return run


def pytest_configure(config):
    """Makes the staged collection importable, for the collection's own scst.conf parser."""
    del config
    for path in os.environ.get('ANSIBLE_COLLECTIONS_PATH', '').split(os.pathsep):
        if path and path not in sys.path:
            sys.path.append(path)


def require_environment():
    """Skips when this machine cannot run a virtual fleet; fails when the collection is not staged."""
    if os.geteuid() != 0 or not os.path.exists('/dev/fuse') or not shutil.which('ssh'):
        pytest.skip('a virtual fleet needs root, /dev/fuse and ssh')
    if not os.path.exists(os.path.join(BINDIR, 'scst-emulator')):
        pytest.skip('scst-emulator is not installed in this virtual environment (make test installs it)')
    if not os.environ.get('ANSIBLE_COLLECTIONS_PATH'):
        pytest.fail('ANSIBLE_COLLECTIONS_PATH is not set: run through make test, which stages the collection')


@pytest.fixture(scope='module')
def make_fleet(tmp_path_factory):
    """Factory of fleets that are always taken down at the end of the module."""
    require_environment()
    fleets = []

    def factory(name, group_vars, hosts=2):
        fleet = Fleet(str(tmp_path_factory.mktemp(name)), hosts=hosts)
        fleets.append(fleet)
        fleet.up(group_vars)
        return fleet

    yield factory
    for fleet in fleets:
        fleet.down()
        print('[role tests] wall times: ' + ', '.join(f'{run.label} {run.seconds:.1f} s' for run in fleet.runs))


def group_vars(allow_reload):
    """The demo's group_vars (both transports, qlini_mode disabled) with this suite's model."""
    return {'scst_transports': ['fc', 'iscsi'], 'scst_qlini_mode': 'disabled', 'scst_allow_driver_reload': allow_reload,
            'scst_config': copy.deepcopy(SCST_CONFIG)}


def fc_only_config():
    """SCST_CONFIG without its iSCSI driver and nullio device: every variable at its default serves FC only."""
    config = copy.deepcopy(SCST_CONFIG)
    config['drivers'] = [driver for driver in config['drivers'] if driver['name'] != 'iscsi']
    config['handlers'] = [handler for handler in config['handlers'] if handler['name'] != 'vdisk_nullio']
    return config


def converge(fleet):
    """The sequence every scenario runs: backing files, then site.yml in check mode, for real, check, real."""
    prepare = fleet.play('demo/prepare.yml', label='prepare')
    assert prepare.rc == 0, prepare.output
    runs = {}
    for label, args in (('check1', ['--check']), ('real1', []), ('check2', ['--check']), ('real2', [])):
        runs[label] = fleet.play('playbooks/site.yml', '-v', '--diff', *args, label=label)
        assert runs[label].rc == 0, f'{label} failed:\n{runs[label].output[-6000:]}'
    return runs


def predicted(names):
    """The changed task names of a check run, with each prediction task replaced by the task it predicts."""
    return [PREDICTIONS.get(name, name) for name in names]


def assert_no_secret(runs, secrets=(CHAP_SECRET,)):
    for run in runs:
        for secret in secrets:
            assert secret not in run.output, f'the CHAP secret appears in the output of {run.label}: ' + next(
                line for line in run.output.splitlines() if secret in line)[:300]
