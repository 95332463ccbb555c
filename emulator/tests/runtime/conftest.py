"""Fixtures of the runtime tests: an emulator daemon mounted on a temporary dir (no namespaces)."""

import os
import shutil
import subprocess
import sys
import tempfile

import pytest

from scst_emulator import control, daemon, host

EMULATOR = os.path.join(os.path.dirname(sys.executable), 'scst-emulator')
FC_PORT = '21:00:00:24:ff:00:01:00'

needs_root_and_fuse = pytest.mark.skipif(os.geteuid() != 0 or not os.path.exists('/dev/fuse'),
                                         reason='needs root and /dev/fuse')


class Emulator:
    """A running daemon: its mount, its control socket and the stand-ins bound to it."""

    def __init__(self, state, paths):
        self.state = state
        self.fs = os.path.join(paths['run'], 'fs')
        self.scst = os.path.join(self.fs, 'kernel', 'scst_tgt')
        self.sock = os.path.join(paths['run'], 'control.sock')
        self.bin = paths['bin']

    def call(self, op, **args):
        return control.call(self.sock, op, **args)

    def tool(self, name, *args, **kwargs):
        return subprocess.run([os.path.join(self.bin, name), *args], capture_output=True, text=True, check=False,
                              timeout=30, **kwargs)

    def path(self, *parts):
        return os.path.join(self.scst, *parts)


@pytest.fixture
def emulator():
    # A short path: the control socket's path must stay under the 108-byte limit of unix sockets.
    state = tempfile.mkdtemp(prefix='scst-rt-')
    paths = host.prepare(host.HostSpec('test', state, [FC_PORT]))
    with open(os.path.join(state, 'daemon.log'), 'wb') as log:
        proc = subprocess.Popen([sys.executable, '-m', 'scst_emulator.daemon', '--rundir', paths['run'],
                                 '--fc-port', FC_PORT], stdout=log, stderr=log)
    try:
        daemon.wait_ready(paths['run'], alive=lambda: proc.poll() is None)
        yield Emulator(state, paths)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        fs = os.path.join(paths['run'], 'fs')
        if os.path.ismount(fs):
            subprocess.run(['fusermount3', '-u', '-z', fs], check=False)
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture
def scst(emulator):
    """The emulator with scst and scst_vdisk loaded."""
    for module in ('scst', 'scst_vdisk'):
        emulator.call('modprobe', name=module, params={})
    return emulator


def run_emulator(*args, timeout=60):
    return subprocess.run([EMULATOR, *args], capture_output=True, text=True, check=False, timeout=timeout)
