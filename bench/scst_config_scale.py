"""Benchmark scst_config on a virtual SCST host with configurations of growing size.

For each size (devices, iSCSI targets, LUNs, the LUNs spread over one initiator group per target) it reports:
the writes scst_config issued against the minimal count (one per device, target, group, initiator and LUN, one
`enabled` per target and one for the driver), the wall time of the first apply (state=overridden from an empty
SCST), the wall time of an idempotent re-apply (which must issue zero writes), and, for the sizes small enough to
wait for, the same apply done as one task per object with the per-object modules (scst_handler, scst_target,
scst_group, scst_lun). Times are those of `ansible-playbook` runs (local connection), start-up included.

Run from the repository root after `make setup` (as root: the virtual host needs namespaces and FUSE):

    .venv/bin/python bench/scst_config_scale.py [--sizes 20x2x80,2000x64x8000] [--per-object-max 200]

It stages the collection into WORK (default /tmp/storage-scst-bench), starts one `scst-emulator host`, and
prints a Markdown table (also written to WORK/scst_config_scale.json).
"""

import argparse
import json
import os
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
DEFAULT_SIZES = '20x2x80,250x8x1000,1000x32x4000,2000x64x8000'
IQN = 'iqn.2026-01.com.example:bench.t%02d'
INITIATOR = 'iqn.2026-01.com.example:host%02d'


def config(devices, targets, luns):
    """The model: nullio devices, targets with one group each holding one initiator and its share of the LUNs."""
    per_target = luns // targets
    model = {'handlers': [{'name': 'vdisk_nullio', 'devices': [
        {'name': 'd%04d' % i, 'attributes': {'size_mb': 1}} for i in range(devices)]}],
        'drivers': [{'name': 'iscsi', 'enabled': True, 'targets': []}]}
    for t in range(targets):
        model['drivers'][0]['targets'].append({
            'name': IQN % t, 'enabled': True,
            'groups': [{'name': 'hosts', 'initiators': [INITIATOR % t],
                        'luns': [{'lun': j, 'device': 'd%04d' % ((t * per_target + j) % devices)}
                                 for j in range(per_target)]}]})
    return model


def minimal_writes(devices, targets, luns):
    return devices + targets * 3 + (luns // targets) * targets + targets + 1


def playbook(path, tasks):
    with open(path, 'w') as handle:
        json.dump([{'hosts': 'localhost', 'connection': 'local', 'gather_facts': False, 'tasks': tasks}], handle)


def run_playbook(work, name, tasks, extra_vars):
    """Run a playbook; returns (seconds, result of the task registered as `r`, or None)."""
    play = os.path.join(work, name + '.yml')
    out = os.path.join(work, name + '.result.json')
    if os.path.exists(out):
        os.remove(out)
    tasks = tasks + [{'ansible.builtin.copy': {'content': '{{ r | to_json }}', 'dest': out}, 'when': 'r is defined'}]
    playbook(play, tasks)
    variables = os.path.join(work, name + '.vars.json')
    with open(variables, 'w') as handle:
        json.dump(extra_vars, handle)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(work, 'ac'), ANSIBLE_STDOUT_CALLBACK='ansible.builtin.minimal',
               ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_LOCALHOST_WARNING='false')
    start = time.monotonic()
    proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', play, '-e', '@' + variables],
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:])
        raise SystemExit('%s failed (rc %d)' % (name, proc.returncode))
    result = None
    if os.path.exists(out):
        with open(out) as handle:
            result = json.load(handle)
    return seconds, result


def scst_config_task(state, force=False):
    args = {'state': state, 'force': force}
    if state != 'deleted':
        args['config'] = '{{ model }}'
    return {'storage.scst.scst_config': args, 'register': 'r'}


def per_object_tasks():
    """The same configuration as one task per object: devices, targets, groups with their initiator, LUNs, then
    each target enabled (and the driver)."""
    return [
        {'storage.scst.scst_handler': {'handler': 'vdisk_nullio', 'name': '{{ item.name }}',
                                       'attributes': '{{ item.attributes }}'},
         'loop': '{{ model.handlers[0].devices }}'},
        {'storage.scst.scst_target': {'driver': 'iscsi', 'name': '{{ item.name }}'},
         'loop': '{{ model.drivers[0].targets }}'},
        {'storage.scst.scst_group': {'driver': 'iscsi', 'target': '{{ item.name }}', 'name': 'hosts',
                                     'initiators': '{{ item.groups[0].initiators }}'},
         'loop': '{{ model.drivers[0].targets }}'},
        {'storage.scst.scst_lun': {'driver': 'iscsi', 'target': '{{ item.0 }}', 'group': 'hosts',
                                   'lun': '{{ item.1.lun }}', 'device': '{{ item.1.device }}'},
         'loop': '{{ pairs }}'},
        {'storage.scst.scst_target': {'driver': 'iscsi', 'name': '{{ item.name }}', 'enabled': True,
                                      'driver_enabled': True},
         'loop': '{{ model.drivers[0].targets }}'},
    ]


def inside(args):
    work = args.work
    subprocess.run(['modprobe', 'scst'], check=True)
    subprocess.run(['modprobe', 'scst_vdisk'], check=True)
    subprocess.run(['modprobe', 'iscsi_scst'], check=True)
    subprocess.run(['/usr/local/sbin/iscsi-scstd'], check=True)
    rows = []
    for size in args.sizes.split(','):
        devices, targets, luns = (int(part) for part in size.split('x'))
        model = config(devices, targets, luns)
        row = {'devices': devices, 'targets': targets, 'luns': luns, 'minimal_writes': minimal_writes(devices, targets, luns)}
        run_playbook(work, 'clear', [scst_config_task('deleted', force=True)], {})
        row['first_seconds'], result = run_playbook(work, 'first', [scst_config_task('overridden')], {'model': model})
        row['first_writes'] = len(result['commands'])
        row['again_seconds'], result = run_playbook(work, 'again', [scst_config_task('overridden')], {'model': model})
        row['again_writes'] = len(result['commands'])
        objects = devices + targets * 2 + luns
        if objects <= args.per_object_max:
            run_playbook(work, 'clear', [scst_config_task('deleted', force=True)], {})
            pairs = [[t['name'], lun] for t in model['drivers'][0]['targets'] for lun in t['groups'][0]['luns']]
            row['per_object_seconds'], dummy = run_playbook(work, 'per_object', per_object_tasks(),
                                                            {'model': model, 'pairs': pairs})
            row['per_object_tasks'] = objects + targets
            row['per_object_equal'] = run_playbook(work, 'check', [scst_config_task('overridden')],
                                                   {'model': model})[1]['commands'] == []
        rows.append(row)
        sys.stdout.write(json.dumps(row) + '\n')
        sys.stdout.flush()
    with open(os.path.join(work, 'scst_config_scale.json'), 'w') as handle:
        json.dump(rows, handle, indent=1)


def table(rows):
    lines = ['| devices / targets / LUNs | writes (minimal) | first apply | re-apply (writes) | one task per object |',
             '|---|---|---|---|---|']
    for row in rows:
        per_object = ('%.1f s (%d tasks)' % (row['per_object_seconds'], row['per_object_tasks'])
                      if 'per_object_seconds' in row else 'not run')
        lines.append('| %d / %d / %d | %d (%d) | %.1f s | %.1f s (%d) | %s |' % (
            row['devices'], row['targets'], row['luns'], row['first_writes'], row['minimal_writes'],
            row['first_seconds'], row['again_seconds'], row['again_writes'], per_object))
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--work', default='/tmp/storage-scst-bench')
    parser.add_argument('--sizes', default=DEFAULT_SIZES, help='DEVICESxTARGETSxLUNS,... (default %(default)s)')
    parser.add_argument('--per-object-max', type=int, default=200,
                        help='run the one-task-per-object comparison only up to this many objects')
    parser.add_argument('--inside', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        inside(args)
        return
    subprocess.run([os.path.join(REPO, 'tools', 'stage-collection.sh'), args.work], check=True, stdout=subprocess.DEVNULL)
    cmd = [os.path.join(BIN, 'scst-emulator'), 'host', '--', sys.executable, os.path.abspath(__file__), '--inside',
           '--work', args.work, '--sizes', args.sizes, '--per-object-max', str(args.per_object_max)]
    subprocess.run(cmd, check=True)
    with open(os.path.join(args.work, 'scst_config_scale.json')) as handle:
        print(table(json.load(handle)))


if __name__ == '__main__':
    main()
