# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One emulated SCST kernel (emulator/) served over FUSE for the duration of a test, with a SysfsClient on it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

from ansible_collections.storage.scst.plugins.module_utils._sysfs import SysfsClient


# Every emulator a unit test starts is listed here (tests/output/emulators.txt of the collection), so that the test
# runner (tools/testrun.py) can end any a test left running, and only those: other runs may have theirs.
REGISTRY = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, os.pardir, 'output',
                        'emulators.txt')


def register(rundir):
    """List the run directory of an emulator this test run starts in REGISTRY."""
    try:
        os.makedirs(os.path.dirname(REGISTRY))
    except OSError:
        pass  # there already
    with open(REGISTRY, 'a') as registry:
        registry.write(rundir + '\n')


def fuse_missing():
    """Why FUSE cannot serve the emulator here, or None."""
    if not os.path.exists('/dev/fuse'):
        return 'FUSE is unavailable: /dev/fuse is missing'
    if shutil.which('fusermount3') is None:
        return 'FUSE is unavailable: fusermount3 (Debian package fuse3) is not installed'
    return None


def stop(rundir, proc):
    """Unmount and end one emulator daemon; its run directory goes once nothing is mounted there."""
    fs = os.path.join(rundir, 'fs')
    if os.path.ismount(fs):
        subprocess.call(['fusermount3', '-u', fs])
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    if not os.path.ismount(fs):
        shutil.rmtree(rundir, ignore_errors=True)


def backing_files(directory, names):
    """{name: path} of a 1 MiB backing file per name (vdisk_fileio devices), made in directory."""
    found = {}
    for name in names:
        found[name] = os.path.join(str(directory), '%s.img' % name)
        with open(found[name], 'wb') as handle:
            handle.truncate(1 << 20)
    return found


@contextlib.contextmanager
def emulated_host(modules=('scst', 'scst_vdisk', 'iscsi_scst'), fc_ports=()):
    """{'client', 'sock', 'rundir'} of a fresh emulated kernel with ``modules`` loaded (an iSCSI daemon attached
    when iscsi_scst is among them) and one QLogic port per WWPN of ``fc_ports``.

    Use it from function-scoped fixtures only: ansible-test runs every test in a forked child that ends with
    os._exit, finalising nothing wider than the test, so a module- or session-wide emulator would be left running
    and mounted (tools/testrun.py fails the units suite on any emulator of REGISTRY left behind)."""
    control = pytest.importorskip('scst_emulator.control', reason='the SCST emulator (emulator/) is not installed')
    daemon = pytest.importorskip('scst_emulator.daemon', reason='the SCST emulator (emulator/) is not installed')
    # The run directory is outside pytest's tmp_path: pytest must never walk into a mounted emulator.
    rundir = tempfile.mkdtemp(prefix='scst-emulator-plan-')
    register(rundir)
    argv = [sys.executable, '-m', 'scst_emulator.daemon', '--rundir', rundir]
    for port in fc_ports:
        argv += ['--fc-port', port]
    with open(os.path.join(rundir, 'daemon.log'), 'wb') as log_file:
        proc = subprocess.Popen(argv, stdout=log_file, stderr=subprocess.STDOUT,
                                env=dict(os.environ, FUSE_LIBRARY_NAME='fuse3'))
    sock = os.path.join(rundir, 'control.sock')
    iscsid = None
    try:
        try:
            daemon.wait_ready(rundir, lambda: proc.poll() is None)
        except RuntimeError as exc:
            pytest.skip('the SCST emulator could not start here: %s' % exc)
        for name in modules:
            control.call(sock, 'modprobe', name=name)
        if 'iscsi_scst' in modules:
            iscsid = control.attach_iscsi_daemon(sock)
        client = SysfsClient(root=os.path.join(rundir, 'fs', 'kernel', 'scst_tgt'), timeout=5, poll_interval=0.02,
                             log_reader=None, lock_path=os.path.join(rundir, 'apply.lock'))
        yield {'client': client, 'sock': sock, 'rundir': rundir}
    finally:
        if iscsid is not None:
            iscsid.close()
        stop(rundir, proc)
