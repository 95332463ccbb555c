"""Throughput of the SCST emulator through its FUSE mount (no namespaces needed).

Run as root: ``.venv/bin/python bench/emulator_throughput.py [--devices 5000] [--luns 20000]``.

It starts one emulator daemon on a temporary mount, loads scst, scst_vdisk and scst_local, then issues
``add_device`` writes (vdisk_nullio) and LUN ``add`` writes, each one ``os.write`` on a freshly opened
mgmt file as the collection's modules do. LUNs are spread over the default scst_local target and as
many initiator groups as needed (a device is mapped at most once per LUN set). It prints wall time,
writes per second and the daemon's peak RSS (VmHWM) and exits non-zero when a target is missed
(60 s in total, 300 MB).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

from scst_emulator import control, daemon

WALL_LIMIT_S = 60.0
RSS_LIMIT_MB = 300.0


def write_once(path, text):
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def peak_rss_mb(pid):
    with open(f'/proc/{pid}/status', encoding='ascii') as handle:
        for line in handle:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024
    return float('nan')


def timed(label, count, action, rows):
    start = time.perf_counter()
    for index in range(count):
        action(index)
    elapsed = time.perf_counter() - start
    rows.append((label, count, elapsed))


def run(devices, luns, rundir):
    sock = os.path.join(rundir, 'control.sock')
    for module in ('scst', 'scst_vdisk', 'scst_local'):
        control.call(sock, 'modprobe', name=module, params={})
    scst = os.path.join(rundir, 'fs', 'kernel', 'scst_tgt')
    target = os.path.join(scst, 'targets', 'scst_local', 'scst_local_tgt')
    sets = -(-luns // devices)  # LUN sets needed: the target's own plus (sets - 1) initiator groups
    lun_mgmts = [os.path.join(target, 'luns', 'mgmt')]
    for group in range(1, sets):
        write_once(os.path.join(target, 'ini_groups', 'mgmt'), f'create g{group}\n')
        lun_mgmts.append(os.path.join(target, 'ini_groups', f'g{group}', 'luns', 'mgmt'))
    rows = []
    handler_mgmt = os.path.join(scst, 'handlers', 'vdisk_nullio', 'mgmt')
    timed('add_device (vdisk_nullio)', devices, lambda i: write_once(handler_mgmt, f'add_device d{i}\n'), rows)
    timed('LUN add', luns, lambda i: write_once(lun_mgmts[i // devices], f'add d{i % devices} {i % devices}\n'), rows)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--devices', type=int, default=5000)
    parser.add_argument('--luns', type=int, default=20000)
    args = parser.parse_args()
    rundir = tempfile.mkdtemp(prefix='scst-bench-')
    log = open(os.path.join(rundir, 'daemon.log'), 'wb')  # pylint: disable=consider-using-with
    proc = subprocess.Popen([sys.executable, '-m', 'scst_emulator.daemon', '--rundir', rundir],  # pylint: disable=consider-using-with
                            stdout=log, stderr=log)
    try:
        daemon.wait_ready(rundir, alive=lambda: proc.poll() is None)
        rows = run(args.devices, args.luns, rundir)
        rss = peak_rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
        shutil.rmtree(rundir, ignore_errors=True)
    total = sum(row[2] for row in rows)
    print(f'{"phase":<28} {"writes":>7} {"wall s":>8} {"writes/s":>9}')
    for label, count, elapsed in rows:
        print(f'{label:<28} {count:>7} {elapsed:>8.2f} {count / elapsed:>9.0f}')
    writes = sum(row[1] for row in rows)
    print(f'{"total":<28} {writes:>7} {total:>8.2f} {writes / total:>9.0f}')
    print(f'daemon peak RSS (VmHWM): {rss:.1f} MB')
    ok = total < WALL_LIMIT_S and rss < RSS_LIMIT_MB
    print(f'targets (< {WALL_LIMIT_S:.0f} s, < {RSS_LIMIT_MB:.0f} MB): {"met" if ok else "MISSED"}')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
