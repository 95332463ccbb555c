"""Where the seconds of one scst_config run go: the module's main() timed by phase, without Ansible around it.

On a fresh virtual SCST host it runs scst_config state=merged with a generated configuration twice (first apply,
re-apply), --repeat times (emptying SCST in between, not timed), each run in a new Python process started the
way Ansible starts a module (arguments from a JSON file). Per kind of run it prints the median and minimum of:
the import time of the module and its module_utils; the wall and CPU time of main(); the CPU time of the whole
module process plus the emulator's daemon (scstadmin_compare.cpu_seconds(), which does not count other work on
the machine); the time of each phase (argument checking, reading, planning, applying, prediction, result; timed
around each phase's functions, no profiler). Also the size of the result's JSON by key; with --count the system
calls on /sys/kernel/scst_tgt (open, read, write, pwrite, readlink, stat, scandir; counted by wrapping the os
functions); with --top N the N functions with the most own time under cProfile instead of the phases. Last, on
the emptied host, `ansible-playbook` runs of one `ping` task (the Ansible floor) and of scst_config (first apply,
re-apply), each with its CPU split into controller, module process and emulator. Not a test; run from the repository root
as root after `make setup`:

    .venv/bin/python bench/profile_scst_config.py [--size 2000x32x2560] [--repeat 3] [--count] [--top 25] [--diff]
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scst_config_scale import BIN, REPO, config  # noqa: E402  pylint: disable=wrong-import-position
from scstadmin_compare import cpu_seconds  # noqa: E402  pylint: disable=wrong-import-position

ROOT = '/sys/kernel/scst_tgt'
MODULE_UTILS = 'ansible_collections.storage.scst.plugins.module_utils.'
# (label, module, function): the phases of a run, each timed around every call (calls within a call of the same
# function not counted twice).
PHASES = (
    ('arguments (AnsibleModule)', 'ansible.module_utils.basic', 'AnsibleModule.__init__'),
    ('model check', MODULE_UTILS + '_model', 'check'),
    ('read (gather)', MODULE_UTILS + '_gather', 'gather'),
    ('read (gather_meta)', MODULE_UTILS + '_gather', 'gather_meta'),
    ('plan', MODULE_UTILS + '_plan', 'plan'),
    ('rollback refusal', MODULE_UTILS + '_restore', 'refusal'),
    ('apply (writes)', MODULE_UTILS + '_apply', 'apply'),
    ('predict after', MODULE_UTILS + '_predict', 'predict'),
    ('drift', MODULE_UTILS + '_drift', 'find'),
    ('render (diff)', MODULE_UTILS + '_conf', 'render'),
    ('secrets in results', MODULE_UTILS + '_secrets', 'in_model'),
    ('exit_json', 'ansible.module_utils.basic', 'AnsibleModule.exit_json'),
)


def time_phases():
    """Wrap each phase's function wherever it was imported; returns the {label: seconds} dict they update."""
    spent = {}
    for label, module_name, qualified in PHASES:
        owner = sys.modules[module_name]
        path, dummy, name = qualified.rpartition('.')
        for part in path.split('.') if path else ():
            owner = getattr(owner, part)
        original = getattr(owner, name)
        timed = _timed(label, original, spent)
        setattr(owner, name, timed)
        if owner is sys.modules[module_name]:
            for module in list(sys.modules.values()):
                if module is not None and getattr(module, '__name__', '').startswith('ansible_collections.storage') \
                        and getattr(module, name, None) is original:
                    setattr(module, name, timed)
    return spent


def _timed(label, func, spent):
    depth = [0]

    def timed(*args, **kwargs):
        depth[0] += 1
        start = time.monotonic()
        try:
            return func(*args, **kwargs)
        finally:
            depth[0] -= 1
            if not depth[0]:
                spent[label] = spent.get(label, 0) + time.monotonic() - start
    return timed


def count_sysfs_calls():
    """Wrap the os functions that reach FUSE; returns the counter dict they update."""
    counts = {}

    def wrap(name, path_of):
        original = getattr(os, name)

        def counted(*args, **kwargs):
            path = path_of(args, kwargs)
            if path is None or str(path).startswith(ROOT) or (not str(path).startswith('/') and kwargs.get('dir_fd')):
                counts[name] = counts.get(name, 0) + 1
            return original(*args, **kwargs)
        setattr(os, name, counted)

    for name in ('open', 'stat', 'lstat', 'readlink', 'scandir', 'listdir'):
        wrap(name, _path_argument)
    for name in ('read', 'write', 'pwrite'):
        wrap(name, _no_path)
    return counts


def _path_argument(args, dummy):
    return args[0] if args and isinstance(args[0], (str, bytes)) else None


def _no_path(dummy, dummy2):
    return None


def one_run(args):
    """In a new process: import the module, run its main() with the arguments file (timed by phase, or under
    cProfile with --top)."""
    counts = count_sysfs_calls() if args.count else {}
    sys.path.insert(0, os.path.join(args.work, 'ac'))
    sys.argv = ['scst_config', args.one]
    start = time.monotonic()
    from ansible_collections.storage.scst.plugins.modules import scst_config  # pylint: disable=import-outside-toplevel
    imported = time.monotonic() - start
    phases = time_phases() if not args.top else {}
    counts.clear()
    out = io.StringIO()
    real_stdout = sys.stdout
    profile = cProfile.Profile() if args.top else None
    start, cpu = time.monotonic(), time.process_time()
    sys.stdout = out
    try:
        if profile:
            profile.runcall(scst_config.main)
        else:
            scst_config.main()
    except SystemExit:
        pass
    finally:
        sys.stdout = real_stdout
    seconds, cpu = time.monotonic() - start, time.process_time() - cpu
    result = json.loads(out.getvalue())
    top = io.StringIO()
    if profile:
        pstats.Stats(profile, stream=top).sort_stats('tottime').print_stats(args.top)
    json.dump({'import': imported, 'main': seconds, 'main_cpu': cpu, 'phases': phases, 'calls': counts,
               'result_bytes': dict((key, len(json.dumps(value))) for key, value in result.items()),
               'writes': len(result.get('commands', [])),
               'failed': result.get('msg') if result.get('failed') else None,
               'top': top.getvalue()}, sys.stdout)


def inside(args):
    for module in ('scst', 'scst_vdisk', 'iscsi_scst'):
        subprocess.run(['modprobe', module], check=True)
    subprocess.run(['/usr/local/sbin/iscsi-scstd'], check=True)
    devices, targets, luns = (int(part) for part in args.size.split('x'))
    model = config(devices, targets, luns)
    runs = {'first apply': [], 're-apply': []}
    for dummy in range(args.repeat):
        for run, found in runs.items():
            load, cpu = os.getloadavg()[0], cpu_seconds()
            found.append(module_run(args, {'state': 'merged', 'config': model, '_ansible_diff': args.diff}))
            found[-1].update(load=load, cpu=cpu_seconds() - cpu)
        # Back to an empty SCST for the next first apply (not timed).
        module_run(args, {'state': 'deleted', 'force': True})
    for run, found in runs.items():
        report(run, found)
    playbooks(args.work, model)


def module_run(args, module_args):
    path = os.path.join(args.work, 'profile.args.json')
    with open(path, 'w') as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': module_args}, handle)
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), '--work', args.work, '--one', path,
                           '--top', str(args.top)] + (['--count'] if args.count else []),
                          stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(proc.stdout)


def playbooks(work, model):
    """ansible-playbook runs on the emptied host: one ping task (the floor), scst_config first apply and re-apply (the
    configuration from a vars file, as bench/scstadmin_compare.py passes it). The CPU of each is split into the
    module's process (its interpreter is a wrapper that records the CPU of its child), the controller (every other
    process of the run) and the emulator's daemon."""
    variables = os.path.join(work, 'profile.vars.json')
    with open(variables, 'w') as handle:
        json.dump({'model': model}, handle)
    wrapper, record = os.path.join(work, 'profile.interpreter.sh'), os.path.join(work, 'profile.interpreter.times')
    with open(wrapper, 'w') as handle:
        # bash's `times` prints the shell's own CPU, then that of its finished children: the module's Python.
        handle.write('#!/bin/bash\n"%s" "$@"\nrc=$?\ntimes > "%s"\nexit $rc\n' % (sys.executable, record))
    os.chmod(wrapper, 0o755)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(work, 'ac'), ANSIBLE_PYTHON_INTERPRETER=wrapper,
               ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_STDOUT_CALLBACK='ansible.builtin.default')
    print('## ansible-playbook, CPU split (s)')
    for name, task in (('ping', {'ansible.builtin.ping': {}}),
                       ('scst_config first apply', {'storage.scst.scst_config': {'state': 'merged', 'config': '{{ model }}'}}),
                       ('scst_config re-apply', {'storage.scst.scst_config': {'state': 'merged', 'config': '{{ model }}'}})):
        play = os.path.join(work, 'profile.play.yml')
        with open(play, 'w') as handle:
            json.dump([{'hosts': 'localhost', 'connection': 'local', 'gather_facts': False, 'vars_files': [variables],
                        'tasks': [task]}], handle)
        load, start = os.getloadavg()[0], time.monotonic()
        used, children = cpu_seconds(), _children_cpu()
        subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', play], env=env,
                       stdout=subprocess.DEVNULL, check=True)
        wall, used, children = time.monotonic() - start, cpu_seconds() - used, _children_cpu() - children
        with open(record) as handle:
            module = sum(_minutes_seconds(text) for text in handle.read().split('\n')[1].split())
        print('  %-24s wall %5.2f, CPU %5.2f: controller %5.2f, module process %5.2f, emulator %5.2f (load %.1f)'
              % (name, wall, used, children - module, module, used - children, load))


def _children_cpu():
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _minutes_seconds(text):
    """Seconds of a `times` figure such as 0m1.250s."""
    minutes, seconds = text.rstrip('s').split('m')
    return int(minutes) * 60 + float(seconds)


def report(run, found):
    """Median and minimum of each figure over the repetitions."""
    def spread(values):
        values = sorted(values)
        return 'median %5.2f s, min %5.2f s' % (values[len(values) // 2], values[0])
    print('## %s, %d run(s), load average (1 min) %s' % (run, len(found), ' '.join('%.1f' % f['load'] for f in found)))
    failed = [f['failed'] for f in found if f['failed']]
    if failed:
        print('FAILED: %s' % failed[0])
    last = found[-1]
    print('writes %d, result %d bytes (%s)' % (
        last['writes'], sum(last['result_bytes'].values()),
        ', '.join('%s %d' % item for item in sorted(last['result_bytes'].items(), key=lambda item: -item[1]))))
    print('  %-28s %s' % ('import', spread(f['import'] for f in found)))
    print('  %-28s %s' % ('main()', spread(f['main'] for f in found)))
    print('  %-28s %s' % ('main() CPU', spread(f['main_cpu'] for f in found)))
    print('  %-28s %s' % ('CPU, process and emulator', spread(f['cpu'] for f in found)))
    for label, dummy, dummy in PHASES:  # noqa: B007
        if label in last['phases']:
            print('  %-28s %s' % (label, spread(f['phases'].get(label, 0) for f in found)))
    if last['calls']:
        print('  sysfs calls: %s' % ', '.join('%s %d' % item for item in sorted(last['calls'].items())))
    print(last['top'])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--work', default='/tmp/storage-scst-profile')
    parser.add_argument('--size', default='2000x32x2560')
    parser.add_argument('--top', type=int, default=0,
                        help='run under cProfile and print the N functions with the most own time (0: time the phases '
                        'without a profiler)')
    parser.add_argument('--repeat', type=int, default=3, help='first apply and re-apply this many times (median, min)')
    parser.add_argument('--diff', action='store_true', help='run with diff mode on (--diff of ansible-playbook)')
    parser.add_argument('--count', action='store_true', help='count sysfs system calls (slows every call a little)')
    parser.add_argument('--inside', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument('--one', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one_run(args)
        return
    if args.inside:
        inside(args)
        return
    os.makedirs(args.work, exist_ok=True)
    subprocess.run([os.path.join(REPO, 'tools', 'stage-collection.sh'), args.work], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([os.path.join(BIN, 'scst-emulator'), 'host', '--', sys.executable, os.path.abspath(__file__),
                    '--inside', '--work', args.work, '--size', args.size, '--top', str(args.top),
                    '--repeat', str(args.repeat)]
                   + (['--diff'] if args.diff else []) + (['--count'] if args.count else []), check=True)


if __name__ == '__main__':
    main()
