# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/adopt.yml on a host that an admin set up by hand (echo into sysfs, a hand-written /etc/scst.conf):
it writes compact host_vars with the CHAP secret only in vault.yml, proves with those files that applying them
makes no kernel write, changes nothing on the host, and never prints the secret (issue 12, the migration path)."""

from __future__ import annotations

import os
import re
import stat

import pytest
import yaml

from conftest import ansible_playbook, assert_no_secret

SECRET = 'adopt-Secret-77aa11'
IQN = 'iqn.2026-12.com.example:adopt.t1'
HAND_SETUP = f'''set -e
modprobe scst; modprobe scst_vdisk; modprobe iscsi_scst
iscsi-scstd
mkdir -p /var/lib/adopt && truncate -s 64M /var/lib/adopt/disk01.img
S=/sys/kernel/scst_tgt
echo "add_device disk01 filename=/var/lib/adopt/disk01.img" > $S/handlers/vdisk_fileio/mgmt
echo "add_device null01 blocksize=4096" > $S/handlers/vdisk_nullio/mgmt
echo "add_target {IQN}" > $S/targets/iscsi/mgmt
echo "add_target_attribute {IQN} IncomingUser joe {SECRET}" > $S/targets/iscsi/mgmt
echo "add disk01 0" > $S/targets/iscsi/{IQN}/luns/mgmt
echo "create hosts" > $S/targets/iscsi/{IQN}/ini_groups/mgmt
echo "add iqn.1991-05.com.microsoft:win01" > $S/targets/iscsi/{IQN}/ini_groups/hosts/initiators/mgmt
echo "add null01 0 read_only=1" > $S/targets/iscsi/{IQN}/ini_groups/hosts/luns/mgmt
echo 1 > $S/targets/iscsi/{IQN}/enabled
echo 1 > $S/targets/iscsi/enabled
'''
# The file the admin keeps beside it, in their own layout (comments, order, quoting), mode 0644.
HAND_CONF = f'''# iSCSI for the Windows hosts -- storage team, ticket 4711
HANDLER vdisk_nullio {{
\tDEVICE null01 {{
\t\tblocksize 4096
\t}}
}}

HANDLER vdisk_fileio {{
\tDEVICE disk01 {{
\t\tfilename /var/lib/adopt/disk01.img
\t}}
}}

TARGET_DRIVER iscsi {{
\tenabled 1

\tTARGET {IQN} {{
\t\tenabled 1
\t\tIncomingUser "joe {SECRET}"
\t\tLUN 0 disk01

\t\tGROUP hosts {{
\t\t\tINITIATOR iqn.1991-05.com.microsoft:win01
\t\t\tLUN 0 null01 {{
\t\t\t\tread_only 1
\t\t\t}}
\t\t}}
\t}}
}}
'''
# What the running kernel shows: every attribute file, sorted, as one text (sessions and counters excluded).
SNAPSHOT = r'''find /sys/kernel/scst_tgt -path '*/sessions' -prune -o -type f -perm -u=r -print | sort | \
while read -r f; do printf '%s=' "$f"; head -c 200 "$f" 2>/dev/null | tr '\n' '|'; echo; done | \
grep -v -e '/last_sysfs_mgmt_res=' -e '/stats/' -e 'commands=' -e '_count=' -e 'active_commands'
'''


@pytest.fixture(scope='module')
def adopted(make_fleet, tmp_path_factory):
    fleet = make_fleet('adopt', {'scst_transports': ['iscsi']}, hosts=1)
    fleet.ssh('h1', 'bash -s', stdin=HAND_SETUP)
    fleet.ssh('h1', 'cat > /etc/scst.conf && chmod 0644 /etc/scst.conf', stdin=HAND_CONF)
    before = fleet.ssh('h1', 'bash -s', stdin=SNAPSHOT)
    out = str(tmp_path_factory.mktemp('adopted'))
    run = fleet.play('playbooks/adopt.yml', '-e', f'scst_adopt_dir={out}', label='adopt')
    again = fleet.play('playbooks/adopt.yml', '-e', f'scst_adopt_dir={out}', label='adopt-again')
    after = fleet.ssh('h1', 'bash -s', stdin=SNAPSHOT)
    conf_after = fleet.ssh('h1', 'cat /etc/scst.conf')
    return fleet, out, run, again, before, after, conf_after


@pytest.fixture(scope='module')
def report(adopted):
    """playbooks/gather.yml on the same host, with the custom stats (the AWX artifact) shown."""
    fleet = adopted[0]
    os.environ['ANSIBLE_SHOW_CUSTOM_STATS'] = 'true'
    try:
        run = fleet.play('playbooks/gather.yml', label='report')
    finally:
        del os.environ['ANSIBLE_SHOW_CUSTOM_STATS']
    assert run.rc == 0, run.output[-6000:]
    with open(os.path.join(fleet.report_dir, 'scst-report.md'), encoding='utf-8') as handle:
        markdown = handle.read()
    identity = dict(line.split('=', 1) for line in fleet.ssh('h1', 'cd /sys/kernel/scst_tgt/devices/disk01 && '
                                                                   'for a in size t10_dev_id usn; do echo "$a=$(head -n1 $a)"; done').split())
    return run, markdown, identity


def test_adoption_runs_and_proves_zero_kernel_writes(adopted):
    fleet, out, run = adopted[:3]
    assert run.rc == 0, run.output[-6000:]
    assert 'applying it makes 0 kernel writes (checked with state=overridden)' in run.output


def test_the_host_is_left_exactly_as_it_was(adopted):
    before, after, conf_after = adopted[4:]
    assert 'disk01' in before and IQN in before
    assert after == before
    assert conf_after == HAND_CONF


def test_variables_are_compact_and_hold_no_secret(adopted):
    out = adopted[1]
    path = os.path.join(out, 'host_vars', 'h1', 'scst.yml')
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    assert SECRET not in text
    config = yaml.safe_load(text)['scst_config']
    target = config['drivers'][0]['targets'][0]
    assert target['attributes']['IncomingUser'] == ['joe {{ vault_scst_chap_joe }}']
    # Defaults left out: no empty lists or dictionaries, no enabled: null, hw_target: false or read_only: false.
    assert not re.search(r': (null|\{\}|\[\])$', text, re.M) and 'hw_target' not in text and 'read_only: false' not in text
    assert target['luns'] == [{'lun': 0, 'device': 'disk01'}]
    assert target['groups'] == [{'name': 'hosts', 'initiators': ['iqn.1991-05.com.microsoft:win01'],
                                 'luns': [{'lun': 0, 'device': 'null01', 'read_only': True}]}]


def test_secret_is_only_in_the_private_vault_file(adopted):
    fleet, out, run = adopted[:3]
    path = os.path.join(out, 'host_vars', 'h1', 'vault.yml')
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path, encoding='utf-8') as handle:
        assert yaml.safe_load(handle) == {'vault_scst_chap_joe': SECRET}
    assert 'NOT encrypted: run ansible-vault encrypt' in run.output
    assert_no_secret(fleet.runs, secrets=(SECRET,))


def test_an_earlier_adoption_is_not_replaced_without_being_asked(adopted):
    again = adopted[3]
    assert again.rc != 0 and 'scst_adopt_overwrite=true' in again.output


def test_the_written_files_converge_to_no_change(adopted):
    # Independent of the playbook's own proof: the written files as inventory variables, scst_config overridden in
    # check mode through ansible-playbook's usual variable loading.
    fleet, out = adopted[:2]
    playbook = os.path.join(fleet.base, 'converge-adopted.yml')
    with open(playbook, 'w', encoding='utf-8') as handle:
        yaml.safe_dump([{'hosts': 'h1', 'gather_facts': False, 'tasks': [
            {'storage.scst.scst_config': {'config': '{{ scst_config }}', 'state': 'overridden'}, 'register': 'r'},
            {'ansible.builtin.assert': {'that': ['r.commands == []', 'r is not changed']}}]}], handle)
    inventory_dir = os.path.join(out, 'inventory')
    os.makedirs(inventory_dir, exist_ok=True)
    os.symlink(os.path.join(out, 'host_vars'), os.path.join(inventory_dir, 'host_vars'))
    with open(os.path.join(inventory_dir, 'hosts.ini'), 'w', encoding='utf-8') as handle:
        handle.write('h1\n')
    args = ['-i', fleet.fleet_inventory, '-i', inventory_dir, '--check', playbook]
    run = ansible_playbook(fleet.base, 'converge-adopted', args, fleet.runs)
    assert run.rc == 0, run.output[-4000:]


def test_report_shows_sizes_identifiers_and_who_sees_what(report):
    # What the SAN and Windows teams match disks by (issue 12): sizes, the T10 id and serial, and per initiator the
    # LUNs it sees on which target; copy_manager rows only on request.
    run, markdown, identity = report
    assert int(identity['size']) == 64 * 1024 * 1024
    disk01 = next(line for line in markdown.splitlines() if line.startswith('| disk01 |'))
    assert '| vdisk_fileio | 64.00 MB |' in disk01 and '/var/lib/adopt/disk01.img' in disk01
    assert identity['t10_dev_id'] in disk01 and identity['usn'] in disk01
    assert f'iscsi/{IQN} LUN 0' in disk01
    null01 = next(line for line in markdown.splitlines() if line.startswith('| null01 |'))
    assert f'iscsi/{IQN}/hosts LUN 0' in null01
    assert f'| `iqn.1991-05.com.microsoft:win01` | iscsi | `{IQN}` |  | hosts | 0 → null01 (ro) |' in markdown
    assert f'| `(any initiator outside the groups)` | iscsi | `{IQN}` |  |  | 0 → disk01 |' in markdown
    assert 'copy_manager' not in markdown
    assert 'scst_report' in run.output and 'win01' in run.output.split('CUSTOM STATS')[-1]
    assert SECRET not in markdown
