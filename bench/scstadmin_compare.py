"""scst_config side by side with SCST's own scstadmin, and per-object modules against ansible.builtin.stat.

Each pair is measured in the same run on the same machine, on fresh virtual SCST hosts, and reported as a ratio:

- files opened under /sys/kernel/scst_tgt (strace, successful opens, directories included), wall time and CPU
  time (the tool's processes and the emulator's daemon, see cpu_seconds()) of a first apply and a re-apply of
  one generated configuration: `scst_config state=merged` (one ansible-playbook run) against
  `scstadmin -config FILE -noprompt` (the same configuration rendered as scst.conf);
- 40 per-object calls on a host that already holds the --per-object size (10 each of scst_handler, scst_target,
  scst_group, scst_lun, in loops), first run and re-run, against 40 `ansible.builtin.stat` calls;
- the floor of a first apply, on another fresh host: the writes scst_config sends (taken from a check-mode run)
  replayed as `echo TEXT > PATH` lines by one bash process, and an ansible-playbook run of one `ping` task.

scstadmin comes from ../shared/scst/scstadmin (see its README); when it is absent, or fails on the virtual host,
its columns say so and no ratio is given. Run from the repository root as root after `make setup`:

    .venv/bin/python bench/scstadmin_compare.py [--sizes 400x8x384,2000x32x2560] [--opens 400x8x384] \
        [--per-object-size 400x8x384] [--repeat 3]

It prints a Markdown table (one row per size, run and repetition, with the load average when each tool started:
the machine is shared, so compare the ratios of one row and the CPU times) and writes WORK/scstadmin_compare.json.
"""

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scst_config_scale import BIN, REPO, config, run_playbook, scst_config_task  # noqa: E402  pylint: disable=wrong-import-position

SCSTADMIN = os.path.normpath(os.path.join(REPO, '..', 'shared', 'scst', 'scstadmin', 'scstadmin'))
ROOT = '/sys/kernel/scst_tgt'
# A successful open(at) whose descriptor leads below ROOT (strace -y prints where), whether it was opened by absolute
# path or relative to a directory descriptor.
_OPENED = re.compile(r'open(?:at)?\(.*\) = [0-9]+<(%s(?:/[^>]*)?)>$' % re.escape(ROOT))


def load_modules():
    for module in ('scst', 'scst_vdisk', 'iscsi_scst'):
        subprocess.run(['modprobe', module], check=True)
    subprocess.run(['/usr/local/sbin/iscsi-scstd'], check=True)


def cpu_seconds():
    """CPU time (user + system) used so far by the finished children of this process (a tool and everything it
    started) and by the emulator's daemon, which does the kernel's share of each read and write. Other work on the
    machine does not enter it, where it stretches wall times."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = used.ru_utime + used.ru_stime
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as handle:
                if b'scst_emulator.daemon' not in handle.read():
                    continue
            with open('/proc/%s/stat' % pid) as handle:
                fields = handle.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
    return total


def traced(argv, work, name, opens):
    """Run argv (under strace when opens); returns (seconds, CPU seconds (see cpu_seconds()), files opened under ROOT
    or None, returncode, output, the load average (1 minute) at the start)."""
    log = os.path.join(work, name + '.strace')
    if opens:
        argv = ['strace', '-f', '-qq', '-y', '-e', 'trace=open,openat', '-o', log] + argv
    cpu = cpu_seconds()
    load = os.getloadavg()[0]
    start = time.monotonic()
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    seconds = time.monotonic() - start
    cpu = cpu_seconds() - cpu
    count = None
    if opens:
        with open(log) as handle:
            count = sum(1 for line in handle if _OPENED.search(line))
        os.remove(log)
    return seconds, cpu, count, proc.returncode, proc.stdout, load


def scst_config_argv(work, model):
    """ansible-playbook running scst_config merged with model, which the play reads from a vars file, as a site keeps
    its configuration (extra variables would be read twice: Ansible parses them for the inventory too)."""
    variables = os.path.join(work, 'apply.vars.json')
    with open(variables, 'w') as handle:
        json.dump({'model': model}, handle)
    play = os.path.join(work, 'apply.yml')
    with open(play, 'w') as handle:
        json.dump([{'hosts': 'localhost', 'connection': 'local', 'gather_facts': False, 'vars_files': [variables],
                    'tasks': [{'storage.scst.scst_config': {'state': 'merged', 'config': '{{ model }}'}}]}], handle)
    return [os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', play]


def tool_inside(args):
    """One tool, one size, on this (fresh) host: first apply and re-apply (or, for 'floor', the floor)."""
    load_modules()
    os.environ.update(ANSIBLE_COLLECTIONS_PATH=os.path.join(args.work, 'ac'), ANSIBLE_PYTHON_INTERPRETER=sys.executable,
                      ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_STDOUT_CALLBACK='ansible.builtin.default')
    devices, targets, luns = (int(part) for part in args.size.split('x'))
    model = config(devices, targets, luns)
    if args.tool == 'floor':
        row = floor(args.work, model)
    else:
        row = apply_twice(args, model)
    with open(os.path.join(args.work, 'row.json'), 'w') as handle:
        json.dump(row, handle)


def floor(work, model):
    """What no client of this host can avoid on a first apply: the same writes from one bash process, one
    `echo TEXT > PATH` each (open, write, close: what scstadmin and scst_config do per write too), and the
    start-up of an ansible-playbook run of one task."""
    commands = run_playbook(work, 'floor_check', [dict(scst_config_task('merged'), check_mode=True)],
                            {'model': model})[1]['commands']
    script = os.path.join(work, 'floor.sh')
    with open(script, 'w') as handle:
        handle.write('set -e\n' + ''.join(line + '\n' for line in commands))
    shell, shell_cpu, dummy, code, output = traced(['bash', script], work, 'floor', False)[:5]
    if code != 0:
        raise SystemExit('replaying the writes failed: %s' % output[-2000:])
    ping_play = os.path.join(work, 'floor_ping.yml')
    with open(ping_play, 'w') as handle:
        json.dump([{'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
                    'tasks': [{'ansible.builtin.ping': {}}]}], handle)
    ping, ping_cpu, dummy, dummy, dummy, load = traced([os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,',
                                                        ping_play], work, 'ping', False)
    return {'writes': len(commands), 'shell': shell, 'shell_cpu': shell_cpu, 'ping': ping, 'ping_cpu': ping_cpu,
            'load': load}


def apply_twice(args, model):
    if args.tool == 'scstadmin':
        argv = [SCSTADMIN, '-config', os.path.join(args.work, 'bench.conf'), '-noprompt']
    else:
        argv = scst_config_argv(args.work, model)
    row = {}
    for run in ('first', 'again'):
        seconds, cpu, opened, code, output, load = traced(argv, args.work, run, args.trace)
        if code != 0 or 'FATAL' in output:
            row[run] = {'failed': output.strip().splitlines()[-3:]}
            break
        row[run] = {'seconds': seconds, 'cpu': cpu, 'opened': opened, 'load': load}
    if args.tool == 'scst_config' and args.per_object and 'failed' not in row.get('again', {'failed': 1}):
        row['per_object'] = per_object(args.work)
    return row


def per_object(work):
    """40 per-object calls (twice: first run, re-run) and 40 stat calls on the loaded host."""
    new = ['x%02d' % i for i in range(10)]
    tasks = [
        {'storage.scst.scst_handler': {'handler': 'vdisk_nullio', 'name': '{{ item }}', 'attributes': {'size_mb': 1}},
         'loop': new},
        {'storage.scst.scst_target': {'driver': 'iscsi', 'name': 'iqn.2026-01.com.example:bench.new{{ item }}'},
         'loop': new},
        {'storage.scst.scst_group': {'driver': 'iscsi', 'target': 'iqn.2026-01.com.example:bench.t00',
                                     'name': 'g{{ item }}', 'initiators': ['iqn.2026-01.com.example:i{{ item }}']},
         'loop': new},
        {'storage.scst.scst_lun': {'driver': 'iscsi', 'target': 'iqn.2026-01.com.example:bench.t00',
                                   'group': 'g{{ item }}', 'lun': 0, 'device': '{{ item }}'},
         'loop': new},
    ]
    stat = [{'ansible.builtin.stat': {'path': '/etc/hostname'}, 'loop': list(range(40))}]
    out = {}
    for run in ('first', 'again'):
        out['load_' + run] = os.getloadavg()[0]
        out[run] = run_playbook(work, 'per_object', tasks, {})[0]
        out['stat_' + run] = run_playbook(work, 'stat', stat, {})[0]
    return out


def on_fresh_host(args, tool, size, opens, per_object_calls):
    """Run tool_inside for (tool, size) in a new virtual host; returns its row."""
    row_file = os.path.join(args.work, 'row.json')
    if os.path.exists(row_file):
        os.remove(row_file)
    cmd = [os.path.join(BIN, 'scst-emulator'), 'host', '--', sys.executable, os.path.abspath(__file__), '--inside',
           '--work', args.work, '--tool', tool, '--size', size] + (['--trace'] if opens else []) + (
               ['--per-object'] if per_object_calls else [])
    subprocess.run(cmd, check=True)
    with open(row_file) as handle:
        return json.load(handle)


def ratio(ours, theirs, key):
    try:
        return ours[key] / theirs[key]
    except (KeyError, TypeError, ZeroDivisionError):
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--work', default='/tmp/storage-scst-bench')
    parser.add_argument('--sizes', default='400x8x384,2000x32x2560')
    parser.add_argument('--opens', default='400x8x384', help='sizes whose opened files are counted (strace)')
    parser.add_argument('--per-object-size', default='400x8x384',
                        help='the size whose host the 40 per-object calls run on (when it is one of --sizes)')
    parser.add_argument('--repeat', type=int, default=1, help='measure every size this many times (one table row each)')
    parser.add_argument('--inside', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument('--tool', help=argparse.SUPPRESS)
    parser.add_argument('--size', help=argparse.SUPPRESS)
    parser.add_argument('--per-object', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument('--trace', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        tool_inside(args)
        return
    subprocess.run([os.path.join(REPO, 'tools', 'stage-collection.sh'), args.work], check=True, stdout=subprocess.DEVNULL)
    sys.path.insert(0, os.path.join(args.work, 'ac'))
    from ansible_collections.storage.scst.plugins.module_utils._conf import render  # pylint: disable=import-outside-toplevel
    from ansible_collections.storage.scst.plugins.module_utils._model import check  # pylint: disable=import-outside-toplevel
    results = []
    for repetition in range(1, args.repeat + 1):
        results.extend(compare_sizes(args, render, check, repetition))
    with open(os.path.join(args.work, 'scstadmin_compare.json'), 'w') as handle:
        json.dump(results, handle, indent=1)
    print(table(results))


def compare_sizes(args, render, check, repetition):
    """One repetition: each size, each tool on fresh hosts, then the floor; returns the entries."""
    results = []
    for size in args.sizes.split(','):
        devices, targets, luns = (int(part) for part in size.split('x'))
        with open(os.path.join(args.work, 'bench.conf'), 'w') as handle:
            handle.write(render(check(config(devices, targets, luns))))
        opens = size in args.opens.split(',')
        entry = {'size': size, 'repetition': repetition}
        for tool in ('scst_config', 'scstadmin'):
            if tool == 'scstadmin' and not os.path.exists(SCSTADMIN):
                entry[tool] = {'missing': SCSTADMIN}
                continue
            entry[tool] = {}
            for pass_opens in ((False, True) if opens else (False,)):
                # Wall time without strace; the opened files in a second pass under strace.
                row = on_fresh_host(args, tool, size, pass_opens, tool == 'scst_config' and not pass_opens
                                    and size == args.per_object_size)
                for run in ('first', 'again'):
                    got = entry[tool].setdefault(run, {})
                    found = row.get(run, {'failed': ['not run']})
                    if 'failed' in found:
                        got['failed'] = found['failed']
                    elif pass_opens:
                        got['opened'] = found['opened']
                    else:
                        got['seconds'] = found['seconds']
                        got['cpu'] = found['cpu']
                        got['load'] = found['load']
                if 'per_object' in row:
                    entry['per_object'] = row['per_object']
        entry['floor'] = on_fresh_host(args, 'floor', size, False, False)
        results.append(entry)
        sys.stdout.write(json.dumps(entry) + '\n')
        sys.stdout.flush()
    return results


def cell(ours, theirs, key, unit):
    if 'missing' in theirs:
        return '%s / scstadmin missing (%s)' % (fmt(ours.get(key), unit), theirs['missing'])
    if 'failed' in theirs:
        return '%s / scstadmin failed: %s' % (fmt(ours.get(key), unit), ' '.join(theirs['failed'])[-120:])
    share = ratio(ours, theirs, key)
    return '%s / %s = %s' % (fmt(ours.get(key), unit), fmt(theirs.get(key), unit),
                             '%.2f' % share if share is not None else 'n/a')


def fmt(value, unit):
    if value is None:
        return 'n/a'
    return ('%.1f s' % value) if unit == 's' else ('%d' % value)


def fmt_load(run):
    return '%.1f' % run['load'] if 'load' in run else 'n/a'


def table(results):
    lines = ['| devices / targets / LUNs | run | files opened, scst_config / scstadmin = ratio | '
             'wall time, scst_config / scstadmin = ratio | CPU time, scst_config / scstadmin = ratio | '
             'load average at the start, scst_config / scstadmin |',
             '|---|---|---|---|---|---|']
    for entry in results:
        ours, theirs = entry['scst_config'], entry['scstadmin']
        for run in ('first', 'again'):
            lines.append('| %s | %s | %s | %s | %s | %s / %s |' % (
                entry['size'].replace('x', ' / '), 'first apply' if run == 'first' else 're-apply',
                cell(ours.get(run, {}), theirs.get(run, theirs), 'opened', 'n'),
                cell(ours.get(run, {}), theirs.get(run, theirs), 'seconds', 's'),
                cell(ours.get(run, {}), theirs.get(run, theirs), 'cpu', 's'),
                fmt_load(ours.get(run, {})), fmt_load(theirs.get(run, {}))))
    for entry in results:
        found, theirs = entry['floor'], entry['scstadmin'].get('first', {})
        lines.append('')
        lines.append('Floor of a first apply at %s (repetition %d, load %s): its %d writes as `echo > path` lines in one '
                     'bash %.1f s (%.2f ms per write; CPU %.1f s) + ansible-playbook with one ping task %.1f s (CPU %.1f s) '
                     '= %.1f s (CPU %.1f s)%s'
                     % (entry['size'].replace('x', ' / '), entry.get('repetition', 1), fmt_load(found), found['writes'],
                        found['shell'],
                        found['shell'] / found['writes'] * 1000, found['shell_cpu'], found['ping'], found['ping_cpu'],
                        found['shell'] + found['ping'], found['shell_cpu'] + found['ping_cpu'],
                        ' = %.2f x scstadmin\'s first apply (CPU %.2f x)' % (
                            (found['shell'] + found['ping']) / theirs['seconds'],
                            (found['shell_cpu'] + found['ping_cpu']) / theirs['cpu']) if 'cpu' in theirs else ''))
    for entry in results:
        if 'per_object' in entry:
            found = entry['per_object']
            lines.append('')
            lines.append('40 per-object calls on the %s host (repetition %d): first run %.1f s / 40 stat %.1f s = %.2f '
                         '(load %.1f); re-run %.1f s / %.1f s = %.2f (load %.1f)' % (
                             entry['size'].replace('x', ' / '), entry.get('repetition', 1), found['first'],
                             found['stat_first'], found['first'] / found['stat_first'], found.get('load_first', 0),
                             found['again'], found['stat_again'], found['again'] / found['stat_again'],
                             found.get('load_again', 0)))
    return '\n'.join(lines)


if __name__ == '__main__':
    main()
