"""What a scheduled site run costs: playbooks/site.yml on a fleet of virtual SCST hosts, first and idempotent run,
against the Ansible floor of one ansible.builtin.ping per host on the same fleet.

For each run it reports the wall time, the CPU core-seconds per host, the tasks each host ran (and of those the
ones that reached the host), and the changes. CPU is measured two ways around each run:

* machine: the busy jiffies of every core from /proc/stat (what the issue measures; includes anything else the
  machine was doing, so it is given with the load average before the run);
* own: the CPU of ansible-playbook and its children (getrusage), of its SSH control masters, and of every
  process of the fleet's hosts (sshd, the module Pythons, the emulator daemons: /proc/PID/stat
  utime+stime+cutime+cstime summed over each host's process tree). Other engineers' load does not enter it.

Run as root from the repository root after `make setup` (`make bench` runs it):

    .venv/bin/python bench/site_fleet.py [--hosts 8] [--idempotent-runs 2] [--address-base 200]

It takes the shared fleet lock (/tmp/scst-fleet.lock, as the role and molecule suites do), stages the collection
into WORK (default /tmp/storage-scst-bench-site), starts the fleet (two FC ports a host, the demo inventory:
FC targets with LUN masking and an iSCSI target with CHAP), and prints a Markdown table (also WORK/site_fleet.json).
Connection settings are those of the playbooks (see docs/performance.md), with forks = the number of hosts.
"""

import argparse
import fcntl
import json
import os
import re
import resource
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
LOCK = '/tmp/scst-fleet.lock'
HZ = os.sysconf('SC_CLK_TCK')
RECAP = re.compile(r'^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)', re.M)


def machine_jiffies():
    """Busy jiffies of all cores (user nice system irq softirq steal), from the first line of /proc/stat."""
    with open('/proc/stat', encoding='ascii') as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return user + nice + system + irq + softirq + steal


def is_emulator(pid):
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as handle:
            return b'scst_emulator.daemon' in handle.read()
    except OSError:
        return False


def children_of():
    """pid -> list of child pids, and pid -> cumulative CPU jiffies (own + reaped children)."""
    kids, cpu = {}, {}
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        try:
            with open(f'/proc/{name}/stat', encoding='ascii', errors='replace') as handle:
                text = handle.read()
        except OSError:
            continue
        fields = text[text.rindex(')') + 2:].split()
        pid, ppid = int(name), int(fields[1])
        kids.setdefault(ppid, []).append(pid)
        cpu[pid] = sum(int(v) for v in fields[11:15])
    return kids, cpu


def fleet_jiffies(roots):
    """CPU jiffies of every process under the given pids (their reaped children included): (hosts, emulator),
    the emulator being the daemons that stand in for the kernel's sysfs (a real kernel answers a read for far less)."""
    kids, cpu = children_of()
    total, emulator, todo = 0, 0, list(roots)
    while todo:
        pid = todo.pop()
        if is_emulator(pid):
            emulator += cpu.get(pid, 0)
            continue
        total += cpu.get(pid, 0)
        todo.extend(kids.get(pid, []))
    return total, emulator


def ssh_master_jiffies(marker):
    """pid -> CPU jiffies of the SSH control masters (their command line names ``marker``, the ControlPath
    directory): ControlPersist detaches them from ansible-playbook, so getrusage does not see them."""
    found = {}
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        try:
            with open(f'/proc/{name}/cmdline', 'rb') as handle:
                if marker.encode() not in handle.read():
                    continue
            with open(f'/proc/{name}/stat', encoding='ascii', errors='replace') as handle:
                text = handle.read()
        except OSError:
            continue
        found[int(name)] = sum(int(v) for v in text[text.rindex(')') + 2:].split()[11:15])
    return found


def own_children_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = args.work
        self.state = os.path.join(self.work, 'fleet')
        self.fleet_inventory = os.path.join(self.work, 'fleet-inventory.ini')
        self.collections = os.path.join(self.work, 'ac')
        self.control_dir = os.path.join(self.work, 'cp')

    def emulator(self, *argv, check=True):
        return subprocess.run([os.path.join(BIN, 'scst-emulator')] + list(argv), capture_output=True, text=True,
                              check=check, timeout=300)

    def up(self):
        self.emulator('fleet', 'down', '--state-dir', self.state, check=False)
        self.emulator('fleet', 'up', '--hosts', str(self.args.hosts), '--fc-ports-per-host', '2', '--inventory',
                      self.fleet_inventory, '--state-dir', self.state, '--address-base', str(self.args.address_base))
        with open(os.path.join(self.state, 'fleet.json'), encoding='utf-8') as handle:
            self.roots = [entry['pid'] for entry in json.load(handle)['hosts']]

    def down(self):
        self.emulator('fleet', 'down', '--state-dir', self.state, check=False)

    def play(self, label, playbook):
        counts_file = os.path.join(self.work, label + '.counts.json')
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=self.collections, ANSIBLE_HOST_KEY_CHECKING='false',
                   ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='false', ANSIBLE_FORKS=str(self.args.forks),
                   ANSIBLE_CALLBACK_PLUGINS=os.path.join(REPO, 'tools', 'callback_plugins'),
                   ANSIBLE_CALLBACKS_ENABLED='run_record', RUN_RECORD_FILE=counts_file)
        argv = [os.path.join(BIN, 'ansible-playbook'), '-i', self.fleet_inventory, '-i', os.path.join(REPO, 'demo', 'inventory'),
                '-e', 'scst_report_dir=' + os.path.join(self.work, 'report'), playbook]
        if self.args.pipelining is not None:
            # The configuration for plays that do not choose, the playbooks' own switch for those that do.
            env['ANSIBLE_PIPELINING'] = self.args.pipelining
            argv[-1:-1] = ['-e', 'scst_ssh_pipelining=' + self.args.pipelining]
        env['ANSIBLE_SSH_CONTROL_PATH_DIR'] = self.control_dir
        load = os.getloadavg()[0]
        masters0 = ssh_master_jiffies(self.control_dir)
        machine0, fleet0, own0 = machine_jiffies(), fleet_jiffies(self.roots), own_children_seconds()
        start = time.monotonic()
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=self.work, check=False, timeout=1800)
        wall = time.monotonic() - start
        machine = (machine_jiffies() - machine0) / HZ
        masters = sum(cpu - masters0.get(pid, 0) for pid, cpu in ssh_master_jiffies(self.control_dir).items())
        fleet1 = fleet_jiffies(self.roots)
        controller = own_children_seconds() - own0 + masters / HZ
        on_hosts, emulator = (fleet1[0] - fleet0[0]) / HZ, (fleet1[1] - fleet0[1]) / HZ
        own = controller + on_hosts + emulator
        with open(os.path.join(self.work, label + '.log'), 'w', encoding='utf-8') as handle:
            handle.write(proc.stdout + proc.stderr)
        if proc.returncode != 0:
            sys.exit(f'{label}: ansible-playbook failed (rc {proc.returncode}), see {self.work}/{label}.log')
        with open(counts_file, encoding='utf-8') as handle:
            counts = json.load(handle)['counts']
        hosts = sorted(h for h in counts if h != 'localhost')
        recap = {m.group(1): int(m.group(3)) for m in RECAP.finditer(proc.stdout)}
        row = {
            'run': label, 'wall_s': wall, 'load_before': load, 'machine_core_s': machine, 'own_core_s': own,
            'machine_core_s_per_host': machine / len(hosts), 'own_core_s_per_host': own / len(hosts),
            'controller_core_s_per_host': controller / len(hosts), 'hosts_core_s_per_host': on_hosts / len(hosts),
            'emulator_core_s_per_host': emulator / len(hosts),
            'tasks_per_host': max(counts[h]['ran'] for h in hosts),
            'skipped_per_host': max(counts[h]['skipped'] for h in hosts),
            'remote_tasks_per_host': max(counts[h]['remote'] for h in hosts),
            'changed_per_host': max(recap.get(h, 0) for h in hosts),
            'remote_actions': counts[hosts[0]]['remote_actions'],
        }
        print(f"[bench] {label}: {wall:.1f} s wall, {row['machine_core_s_per_host']:.2f} machine / "
              f"{row['own_core_s_per_host']:.2f} own core-s per host (controller {row['controller_core_s_per_host']:.2f}, "
              f"hosts {row['hosts_core_s_per_host']:.2f}, emulator {row['emulator_core_s_per_host']:.2f}), "
              f"{row['tasks_per_host']} tasks "
              f"({row['remote_tasks_per_host']} on the host), changed {row['changed_per_host']}, load {load:.2f}",
              flush=True)
        return row

    def run(self):
        subprocess.run([os.path.join(REPO, 'tools', 'stage-collection.sh'), self.work], check=True, stdout=subprocess.DEVNULL)
        ping = os.path.join(self.work, 'ping.yml')
        with open(ping, 'w', encoding='utf-8') as handle:
            json.dump([{'name': 'The floor: one ping per host', 'hosts': 'storage', 'gather_facts': False,
                        'tasks': [{'name': 'Ping', 'ansible.builtin.ping': {}}]}], handle)
        site = os.path.join(REPO, 'playbooks', 'site.yml')
        self.up()
        try:
            rows = []
            # The demo's backing files, made as an administrator would before (not measured).
            self.play('prepare', os.path.join(REPO, 'demo', 'prepare.yml'))
            rows.append(self.play('ping', ping))
            rows.append(self.play('first', site))
            for index in range(self.args.idempotent_runs):
                rows.append(self.play(f'idempotent{index + 1}', site))
            rows.append(self.play('ping-after', ping))
        finally:
            self.down()
        return rows


def table(rows, hosts):
    floor = min(r['own_core_s_per_host'] for r in rows if r['run'].startswith('ping'))
    lines = [f'{hosts} hosts; own = ansible-playbook + the fleet\'s processes, machine = /proc/stat (all cores)', '',
             '| run | wall | core-s per host, own (× ping) | of which controller / hosts / emulator | core-s per host, machine '
             '| tasks per host (on the host) | changed | load before |',
             '|---|---|---|---|---|---|---|---|']
    for row in rows:
        lines.append(f"| {row['run']} | {row['wall_s']:.1f} s | {row['own_core_s_per_host']:.2f} "
                     f"({row['own_core_s_per_host'] / floor:.1f} ×) | {row['controller_core_s_per_host']:.2f} / "
                     f"{row['hosts_core_s_per_host']:.2f} / {row['emulator_core_s_per_host']:.2f} | "
                     f"{row['machine_core_s_per_host']:.2f} | "
                     f"{row['tasks_per_host']} ({row['remote_tasks_per_host']}) | {row['changed_per_host']} | "
                     f"{row['load_before']:.2f} |")
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--hosts', type=int, default=8)
    parser.add_argument('--idempotent-runs', type=int, default=2)
    parser.add_argument('--address-base', type=int, default=200, help='fleet on 127.0.0.(BASE+i); no test uses 200')
    parser.add_argument('--forks', type=int, help='default: the number of hosts')
    parser.add_argument('--pipelining', choices=['true', 'false'],
                        help='force ANSIBLE_PIPELINING (default: what the playbooks and the configuration say)')
    parser.add_argument('--work', default='/tmp/storage-scst-bench-site')
    parser.add_argument('--no-lock', action='store_true', help='the caller already holds ' + LOCK)
    args = parser.parse_args()
    args.forks = args.forks or args.hosts
    os.makedirs(args.work, exist_ok=True)
    with open(LOCK, 'a', encoding='ascii') as lock:
        if not args.no_lock:
            print(f'[bench] waiting for {LOCK}', flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        rows = Bench(args).run()
    text = table(rows, args.hosts)
    print(text)
    with open(os.path.join(args.work, 'site_fleet.json'), 'w', encoding='utf-8') as handle:
        json.dump({'hosts': args.hosts, 'forks': args.forks, 'pipelining': args.pipelining, 'rows': rows}, handle, indent=1)
    idempotent = [r for r in rows if r['run'].startswith('idempotent')]
    if any(r['changed_per_host'] for r in idempotent):
        sys.exit('an idempotent run changed something')


if __name__ == '__main__':
    main()
