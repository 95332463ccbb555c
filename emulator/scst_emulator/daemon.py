"""One emulated kernel: a Kernel model, its FUSE mount at ``<rundir>/fs`` and ``<rundir>/control.sock``.

Run as ``python -m scst_emulator.daemon --rundir DIR [--fc-port WWPN]...``; it serves until SIGTERM
(libfuse then unmounts). ``wait_ready`` lets a parent block until both the mount and the socket answer.
"""

import argparse
import logging
import os
import sys
import threading
import time

from . import control, fusefs
from .standins.dmesg import format_entry
from .model.kernel import Kernel


class ControlOps:
    """The control ops of ARCHITECTURE.md, each an ``op_<name>`` method over one Kernel."""

    def __init__(self, kernel, kmsg_path=None):
        self.kernel = kernel
        # `dmesg -c` hides what was read so far, like clearing the real ring buffer.
        self._dmesg_seen = 0
        # The visible log is mirrored, formatted, to a file: the plain `dmesg` of a host is then a `cat`, which
        # matters because the collection's modules read the log around every write.
        self._kmsg_path = kmsg_path
        if kmsg_path:
            self._truncate_kmsg()
            kernel.log_listeners.append(self._mirror)

    def _mirror(self, seconds, message):
        with open(self._kmsg_path, 'a', encoding='utf-8') as handle:
            handle.write(format_entry(seconds, message, notime=False) + '\n')

    def _truncate_kmsg(self):
        if self._kmsg_path:
            with open(self._kmsg_path, 'w', encoding='utf-8'):
                pass

    def op_modprobe(self, name, params=None):
        return self.kernel.modprobe(name, dict(params or {}))

    def op_rmmod(self, name):
        return self.kernel.rmmod(name)

    def op_lsmod(self):
        return [list(row) for row in self.kernel.lsmod()]

    def op_modinfo(self):
        return self.kernel.module_info()

    def op_moddeps(self, name):
        """The modules ``name`` needs, dependencies first (what modules.dep gives kmod), excluding itself.

        kmod loads each dependency with its own modprobe.d options, so the stand-in loads them one by one.
        """
        table = self.kernel.modules.table
        order = []

        def visit(module):
            for dep in table[module].deps:
                if dep not in order:
                    visit(dep)
                    order.append(dep)

        # kmod resolves the name in modules.dep before anything else, so an unknown module fails even with -n.
        visit(self.kernel.modules.spec(name).name)
        return order

    def op_dmesg(self, clear=False):
        entries = self.kernel.dmesg()
        shown = entries[self._dmesg_seen:] if self._dmesg_seen <= len(entries) else entries
        if clear:
            self._dmesg_seen = len(entries)
            self._truncate_kmsg()
        return [list(entry) for entry in shown]

    def op_kmsg(self, message):
        """A line written to /dev/kmsg: boot scripts (the SCST service) leave their failures in the kernel log."""
        self.kernel.log(message)

    def op_login(self, driver, target, initiator, portal=None):
        return self.kernel.login(driver, target, initiator, portal)

    def op_logout(self, driver, target, session):
        return self.kernel.logout(driver, target, session)

    def op_visible_luns(self, driver, target, initiator, portal=None):
        return self.kernel.visible_luns(driver, target, initiator, portal)

    def op_faults(self, **modes):
        """Set a fault mode (no arguments: only report the current one)."""
        if modes:
            self.kernel.set_faults(**modes)
        return self.kernel.faults()

    def op_reboot(self):
        self.kernel.reboot()
        self._dmesg_seen = 0
        self._truncate_kmsg()


def wait_ready(rundir, alive=None, timeout=15.0):
    """Block until the daemon in ``rundir`` is mounted and answers; raise RuntimeError otherwise.

    ``alive()`` (optional) tells whether the daemon process still runs, to fail fast when it died.
    """
    fs, sock = os.path.join(rundir, 'fs'), os.path.join(rundir, 'control.sock')
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            raise RuntimeError(f'emulator daemon exited during start (see {rundir}/daemon.log)')
        if os.path.ismount(fs) and os.path.exists(sock):
            try:
                control.call(sock, 'lsmod')
                return
            except control.ControlError:
                pass
        time.sleep(0.02)
    raise RuntimeError(f'emulator daemon not ready after {timeout:.0f} s (see {rundir}/daemon.log)')


def parse_scsi_device(text):
    """``H:C:I:L,TYPE,MODEL`` (e.g. ``2:0:0:0,0,VBOX HARDDISK``) -> the Kernel's (hctl, type, model)."""
    hctl, sep1, rest = text.partition(',')
    scsi_type, sep2, model = rest.partition(',')
    parts = hctl.split(':')
    if not (sep1 and sep2 and len(parts) == 4 and all(p.isdigit() for p in parts) and scsi_type.isdigit()):
        raise argparse.ArgumentTypeError(f'bad SCSI device {text!r} (want H:C:I:L,TYPE,MODEL)')
    return (hctl, int(scsi_type), model)


def run(rundir, fc_ports=(), scsi_devices=()):
    """Serve in the calling process until unmounted or signalled."""
    fs = os.path.join(rundir, 'fs')
    os.makedirs(fs, exist_ok=True)
    kernel = Kernel(fc_ports=fc_ports, scsi_devices=scsi_devices)
    sock_path = os.path.join(rundir, 'control.sock')
    server = control.ControlServer(sock_path, ControlOps(kernel, kmsg_path=os.path.join(rundir, 'kmsg')))
    threading.Thread(target=server.serve_forever, name='control', daemon=True).start()
    try:
        fusefs.serve(kernel, fs)
    finally:
        server.shutdown()
        server.server_close()
        if os.path.exists(sock_path):
            os.unlink(sock_path)


def main(argv=None):
    parser = argparse.ArgumentParser(prog='scst-emulator-daemon', description='Serve one emulated SCST kernel.')
    parser.add_argument('--rundir', required=True, help='directory for fs/ (the mount) and control.sock')
    parser.add_argument('--fc-port', action='append', default=[], metavar='WWPN', help='an emulated QLogic FC port')
    parser.add_argument('--scsi-device', action='append', default=[], type=parse_scsi_device, metavar='H:C:I:L,TYPE,MODEL',
                        help='a local SCSI device for the pass-through handlers')
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(name)s %(levelname)s %(message)s')
    try:
        run(args.rundir, args.fc_port, args.scsi_device)
    except (OSError, RuntimeError) as exc:
        print(f'scst-emulator-daemon: error: {exc}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
