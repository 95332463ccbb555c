# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The search of issue 13: the test's CHAP secrets appear in no -vvv or --diff output (check mode, real, a run
that fails while writing a CHAP user), in no line the host's modules send to syslog, in no fleet report, in no
fact, and in no file the runs wrote on the host but /etc/scst.conf and its backups, which are 0600. One virtual
host.

Syslog: AnsibleModule logs its invocation ("Invoked with ...") through syslog(3), i.e. to the /dev/log socket
(the hosts have no systemd journal). A virtual host has private mount, pid and uts namespaces but the machine's
/dev (emulator/README.md, scst-emulator host), so a datagram socket bound at the machine's /dev/log receives
what the host's modules log. The machine's own /dev/log, if it has one, is put aside meanwhile and restored.
"""

from __future__ import annotations

import json
import os
import socket
import threading

import pytest

from conftest import CHAP_SECRET, CHAP_USER, REPO, assert_no_secret, group_vars

DEV_LOG = '/dev/log'
# A second CHAP user, added to the target by the run that is made to fail while writing it.
SECOND_USER = 'roletest2'
SECOND_SECRET = 'rt-Chap-2d6b0e84c1'
SECRETS = (CHAP_SECRET, SECOND_SECRET)

# The role's run plus what it left in the host's variables: every variable of the host but the inventory's
# scst_config, which is the user's own input and holds the secret by definition.
FACTS_PLAYBOOK = f'''
- ansible.builtin.import_playbook: {REPO}/playbooks/site.yml

- name: Show the variables the run left on the host
  hosts: storage
  gather_facts: false
  tasks:
    - name: Host variables
      ansible.builtin.debug:
        msg: "HOSTVARS {{{{ hostvars[inventory_hostname] | dict2items | rejectattr('key', 'eq', 'scst_config')
              | items2dict | to_json }}}}"
'''

# Runs on the host: every regular file under ROOTS newer than MARKER, outside EXCLUDED, and which of them hold a
# secret (with their mode). /var and /tmp are the machine's own (only /etc, /root and /run are the host's), so
# the controller's files there are left out: the test's own directories (inventory, fleet state), and staged
# copies of this collection, virtual environments and git data (a staged tests/role/conftest.py holds the secret).
FILE_SEARCH = r'''
import json, os, stat, sys
marker, secrets, excluded = sys.argv[1], [s.encode() for s in sys.argv[2].split(',')], sys.argv[3].split(',')
since = os.stat(marker).st_mtime
written, holding = [], {}
for root in ('/etc', '/run', '/var', '/root', '/tmp'):
    for top, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if os.path.join(top, d) not in excluded
                   and d not in ('ansible_collections', '.venv', '.git')]
        for name in files:
            path = os.path.join(top, name)
            try:
                st = os.lstat(path)
                if not stat.S_ISREG(st.st_mode) or st.st_mtime < since or path == marker:
                    continue
                written.append(path)
                with open(path, 'rb') as handle:
                    data = handle.read()
            except OSError:
                continue
            if any(secret in data for secret in secrets):
                holding[path] = '%04o' % stat.S_IMODE(st.st_mode)
print(json.dumps({'written': written, 'holding': holding}))
'''


class SyslogCapture:
    """A datagram socket at /dev/log, read by a thread, for the duration of a ``with`` block."""

    def __init__(self, path=DEV_LOG):
        self.path = path
        self.aside = path + '.scst-test-aside'
        self.lines = []
        self._stop = threading.Event()
        self._sock = None
        self._thread = None

    def __enter__(self):
        if os.path.lexists(self.path):
            os.rename(self.path, self.aside)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.bind(self.path)
        os.chmod(self.path, 0o666)
        self._sock.settimeout(0.2)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        return self

    def _read(self):
        while not self._stop.is_set():
            try:
                data = self._sock.recv(1 << 20)
            except socket.timeout:
                continue
            self.lines.append(data.decode('utf-8', 'replace'))

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._sock.close()
        os.unlink(self.path)
        if os.path.lexists(self.aside):
            os.rename(self.aside, self.path)


def secret_vars(chap_users):
    model = group_vars(allow_reload=True)
    iscsi = next(d for d in model['scst_config']['drivers'] if d['name'] == 'iscsi')
    iscsi['targets'][0]['attributes']['IncomingUser'] = chap_users
    return model


@pytest.fixture(scope='module')
def searched(make_fleet, tmp_path_factory):
    """Every run of the search, with the host's syslog captured throughout; then the files they wrote."""
    fleet = make_fleet('secrets', group_vars(allow_reload=True), hosts=1)
    host = fleet.hosts[0]
    facts_playbook = os.path.join(fleet.base, 'facts.yml')
    with open(facts_playbook, 'w', encoding='utf-8') as handle:
        handle.write(FACTS_PLAYBOOK)
    prepare = fleet.play('demo/prepare.yml', label='prepare')
    assert prepare.rc == 0, prepare.output
    marker = '/root/.scst-secret-search-marker'
    fleet.ssh(host, f'touch {marker}')
    runs = {}
    with SyslogCapture() as syslog:
        for label, args in (('check', ['--check']), ('real', [])):
            runs[label] = fleet.play('playbooks/site.yml', '-vvv', '--diff', *args, label=label)
            assert runs[label].rc == 0, runs[label].output[-6000:]
        # A hand edit, so that the next run replaces the file and keeps a backup of it.
        fleet.ssh(host, 'echo "# hand edit" >> /etc/scst.conf')
        runs['facts'] = fleet.play(facts_playbook, '-vvv', '--diff',
                                   '-e', 'scst_config_backup=true', label='facts')
        assert runs['facts'].rc == 0, runs['facts'].output[-6000:]
        # A run that fails while writing the new CHAP user (the 1st write to the iSCSI mgmt file fails EIO).
        fleet.write_group_vars(secret_vars([f'{CHAP_USER} {CHAP_SECRET}', f'{SECOND_USER} {SECOND_SECRET}']))
        fleet.ssh(host, '/usr/local/sbin/scst-fault fail 1 EIO --path iscsi/mgmt')
        runs['failed'] = fleet.play('playbooks/site.yml', '-vvv', '--diff', label='failed')
        fleet.ssh(host, '/usr/local/sbin/scst-fault off')
    excluded = [str(tmp_path_factory.getbasetemp())] + [
        path for path in os.environ.get('ANSIBLE_COLLECTIONS_PATH', '').split(os.pathsep) if path]
    files = json.loads(fleet.ssh(host, '/usr/bin/python3', '-', marker, ','.join(SECRETS), ','.join(excluded),
                                 stdin=FILE_SEARCH))
    print(f'[role tests] syslog: {len(syslog.lines)} lines, '
          f'{sum("Invoked with" in line for line in syslog.lines)} module invocations; '
          f'{len(files["written"])} files written on the host, {len(files["holding"])} holding a secret')
    return fleet, host, runs, syslog.lines, files


def test_the_failing_run_failed_writing_the_chap_user(searched):
    fleet, host, runs, dummy, dummy = searched
    failures = runs['failed'].record.get('failed', {}).get(host, [])
    assert runs['failed'].rc != 0, runs['failed'].output[-3000:]
    assert [message for message in failures if 'applying scst_config failed' in message], failures
    # The kernel holds the first user only (the write of the second failed).
    users = fleet.ssh(host, 'cat /sys/kernel/scst_tgt/targets/iscsi/*/IncomingUser* 2>/dev/null; true')
    assert CHAP_USER in users and SECOND_USER not in users, users


def test_no_secret_in_any_output(searched):
    runs = searched[2]
    # Non-vacuous: the outputs are verbose enough to show the module arguments, CHAP users included (masked).
    for label in ('check', 'real', 'facts', 'failed'):
        assert '"module_args"' in runs[label].output, label
    for label in ('real', 'failed'):
        assert f'{CHAP_USER} ********' in runs[label].output, label
    assert f'{SECOND_USER} ********' in runs['failed'].output
    assert_no_secret(runs.values(), SECRETS)


def test_no_secret_in_syslog(searched):
    dummy, host, dummy, lines, dummy = searched
    invoked = [line for line in lines if 'Invoked with' in line]
    # Non-vacuous: the capture holds the host's module invocations, the CHAP configuration among their arguments.
    config_calls = [line for line in invoked if f'storage:{host}.t1' in line and 'IncomingUser' in line]
    assert config_calls, f'{len(lines)} lines captured, {len(invoked)} invocations, none of scst_config'
    assert any(SECOND_USER in line for line in config_calls), 'the failing run was not captured'
    for line in lines:
        for secret in SECRETS:
            assert secret not in line, line[:300]


def test_no_secret_in_the_fleet_report_or_the_run_records(searched):
    fleet = searched[0]
    reports = [os.path.join(fleet.report_dir, name) for name in sorted(os.listdir(fleet.report_dir))]
    records = [os.path.join(fleet.base, name) for name in sorted(os.listdir(fleet.base)) if name.endswith('.json')]
    assert any(path.endswith('.md') for path in reports) and records, (reports, records)
    for path in reports + records:
        with open(path, encoding='utf-8') as handle:
            text = handle.read()
        for secret in SECRETS:
            assert secret not in text, path
    with open(next(path for path in reports if path.endswith('.md')), encoding='utf-8') as handle:
        assert f'storage:{fleet.hosts[0]}.t1' in handle.read()


def test_no_secret_in_facts(searched):
    runs = searched[2]
    dumps = [line for line in runs['facts'].output.splitlines() if 'HOSTVARS ' in line]
    assert dumps, runs['facts'].output[-3000:]
    # Non-vacuous: the role's read of the host (scst_state) and its summary are among the variables shown.
    assert 'scst_state' in dumps[0] and 'scst_fc_ports' in dumps[0], dumps[0][:2000]
    for secret in SECRETS:
        assert secret not in dumps[0]


def test_only_the_configuration_file_and_its_backups_hold_a_secret(searched):
    dummy, dummy, dummy, dummy, files = searched
    written, holding = files['written'], files['holding']
    # Non-vacuous: the search sees what the runs wrote.
    for path in ('/etc/scst.conf', '/etc/modules', '/etc/modprobe.d/storage-scst.conf'):
        assert path in written, written
    backups = [path for path in holding if path.startswith('/etc/scst.conf.') and path.endswith('~')]
    assert backups, holding
    assert set(holding) == {'/etc/scst.conf'} | set(backups), holding
    assert set(holding.values()) == {'0600'}, holding
