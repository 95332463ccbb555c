"""``iscsi-scstd`` of the emulated host: attaches the emulated iSCSI daemon to the kernel.

Like the real daemon it detaches from the terminal by default (``-f`` keeps it in the foreground) and
fails at start when ``iscsi_scst`` is not loaded or another daemon runs. It stays attached as long as
this process lives; killing it closes the control connection, which makes the kernel delete every
iSCSI target, as when the real daemon exits.
"""

import os
import sys

from .. import control
from .common import Parser, control_path, run


def _serve(sock):
    """Block until the emulated kernel goes away (or a signal ends this process)."""
    with sock:
        while sock.recv(4096):
            pass


def _detach_stdio():
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)


def _daemonize(path):
    """Fork; the child attaches and reports through a pipe; the parent exits with the outcome."""
    read_end, write_end = os.pipe()
    if os.fork():
        os.close(write_end)
        with os.fdopen(read_end, 'rb') as pipe:
            report = pipe.read().decode()
        if report != 'ok':
            print(report or 'iscsi-scstd: daemon failed to start', file=sys.stderr)
            return 1
        return 0
    os.close(read_end)
    os.setsid()
    try:
        sock = control.attach_iscsi_daemon(path)
    except control.ControlError as exc:
        os.write(write_end, f'iscsi-scstd: {exc}'.encode())
        os._exit(exc.exit_code)
    os.write(write_end, b'ok')
    os.close(write_end)
    os.chdir('/')
    _detach_stdio()
    _serve(sock)
    os._exit(0)


def main(argv=None, control_socket=None):
    parser = Parser(prog='iscsi-scstd', description='Emulated iSCSI-SCST target daemon.')
    parser.add_argument('-f', '--foreground', action='store_true', help='do not detach')
    parser.add_argument('-d', '--debug', type=int, default=0, metavar='LEVEL', help='accepted and ignored')
    parser.add_argument('-a', '--address', help='accepted and ignored (no network in the emulator)')
    parser.add_argument('-p', '--port', type=int, help='accepted and ignored')
    parser.add_argument('-u', '--uid', help='accepted and ignored')
    parser.add_argument('-g', '--gid', help='accepted and ignored')
    args = parser.parse_args(argv)

    def body():
        path = control_path(control_socket)
        if not args.foreground:
            return _daemonize(path)
        _serve(control.attach_iscsi_daemon(path))
        return 0

    return run('iscsi-scstd', body)
