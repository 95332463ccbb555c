"""Harness of the conformance suite: one emulator daemon per session, mounted on a temporary directory.

The daemon (``python -m scst_emulator.daemon``) serves the emulated kernel over FUSE at ``<rundir>/fs`` and
takes control requests on ``<rundir>/control.sock``. Each test starts from a rebooted kernel (control op
``reboot``: no module loaded, no configuration, no fault mode); fixtures load what a section needs.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scst_emulator import control

import conformance_io as io
from conformance_io import FC_PORTS, SCSI_DEVICES


class Emu:
    """Paths of one mounted emulator and a control client."""

    def __init__(self, rundir):
        self.rundir = Path(rundir)
        self.fs = self.rundir / 'fs'
        self.sock = str(self.rundir / 'control.sock')
        self.root = self.fs / 'kernel' / 'scst_tgt'
        self.module = self.fs / 'module'
        self.fc_host = self.fs / 'class' / 'fc_host'
        self.scsi_host = self.fs / 'class' / 'scsi_host'
        self._iscsi_sock = None
        self.proc = None

    # paths inside scst_tgt
    def __truediv__(self, rel):
        return self.root / rel

    def call(self, op, **args):
        return control.call(self.sock, op, **args)

    def modprobe(self, name, **params):
        return self.call('modprobe', name=name, params={k: str(v) for k, v in params.items()})

    def rmmod(self, name):
        return self.call('rmmod', name=name)

    def reboot(self):
        self.iscsi_stop()
        self.call('reboot')

    def faults(self, **modes):
        """Set one fault mode (§4.8 and fault injection); no arguments = all modes off."""
        return self.call('faults', **(modes or {'eagain': 'off'}))

    def login(self, driver, target, initiator, portal=None):
        return self.call('login', driver=driver, target=target, initiator=initiator, portal=portal)

    def logout(self, driver, target, session):
        return self.call('logout', driver=driver, target=target, session=session)

    def visible_luns(self, driver, target, initiator, portal=None):
        return self.call('visible_luns', driver=driver, target=target, initiator=initiator, portal=portal)

    def iscsi_start(self):
        """Attach the emulated iscsi-scstd (§6.7); it lives while the connection stays open."""
        self._iscsi_sock = control.attach_iscsi_daemon(self.sock)

    def iscsi_stop(self):
        """Stop the emulated iscsi-scstd and wait until the kernel has noticed (open_state not open)."""
        if self._iscsi_sock is None:
            return
        self._iscsi_sock.close()
        self._iscsi_sock = None
        state = self.fs / 'kernel/scst_tgt/targets/iscsi/open_state'
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                if io.read(state).strip() != 'open':
                    return
            except OSError:
                return
            time.sleep(0.02)


def _wait_ready(emu, proc, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f'emulator daemon exited with {proc.returncode}: see {emu.rundir}/daemon.log')
        if os.path.ismount(emu.fs) and os.path.exists(emu.sock):
            try:
                emu.call('lsmod')
                return
            except control.ControlError:
                pass
        time.sleep(0.05)
    raise RuntimeError(f'emulator daemon not ready after {timeout} s: see {emu.rundir}/daemon.log')


@pytest.fixture(scope='session')
def emulator(tmp_path_factory):
    rundir = tmp_path_factory.mktemp('emu')
    cmd = [sys.executable, '-m', 'scst_emulator.daemon', '--rundir', str(rundir)]
    for port in FC_PORTS:
        cmd += ['--fc-port', port]
    for dev in SCSI_DEVICES:
        cmd += ['--scsi-device', dev]
    env = dict(os.environ, FUSE_LIBRARY_NAME='fuse3')
    with open(rundir / 'daemon.log', 'wb') as logf:
        proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, env=env)
    emu = Emu(rundir)
    emu.proc = proc
    try:
        _wait_ready(emu, proc)
        yield emu
    finally:
        emu.iscsi_stop()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if os.path.ismount(emu.fs):
            subprocess.run(['fusermount3', '-u', '-z', str(emu.fs)], check=False)


@pytest.fixture
def emu(emulator):
    """A rebooted emulated kernel: no module loaded (§1.6 starts from `modprobe scst`)."""
    if emulator.proc.poll() is not None:
        log = (emulator.rundir / 'daemon.log').read_text(errors='replace')[-2000:]
        pytest.fail(f'emulator daemon died (status {emulator.proc.returncode}); end of daemon.log:\n{log}')
    emulator.reboot()
    yield emulator
    emulator.iscsi_stop()


@pytest.fixture
def scst(emu):
    emu.modprobe('scst')
    return emu


@pytest.fixture
def vdisk(emu):
    emu.modprobe('scst_vdisk')
    return emu


@pytest.fixture
def backing(tmp_path):
    """A factory of backing files: backing(name, size) -> absolute path of a regular file."""

    def make(name='disk.img', size=1 << 20):
        path = tmp_path / name
        with open(path, 'wb') as handle:
            handle.truncate(size)
        return str(path)

    return make


@pytest.fixture
def local(emu):
    """scst_vdisk + scst_local without its default target, one target `t1` and one nullio device `nd0`."""
    emu.modprobe('scst_vdisk')
    emu.modprobe('scst_local', add_default_tgt=0)
    io.ok(emu / 'targets/scst_local/mgmt', 'add_target t1\n')
    io.ok(emu / 'handlers/vdisk_nullio/mgmt', 'add_device nd0\n')
    return emu


@pytest.fixture
def iscsi(emu):
    """scst_vdisk + iscsi_scst with the iSCSI daemon attached (§6.7)."""
    emu.modprobe('scst_vdisk')
    emu.modprobe('iscsi_scst')
    emu.iscsi_start()
    return emu
