"""The daemon's control channel: a unix stream socket carrying one JSON object per line each way.

Requests are ``{"op": NAME, ...args}``; replies ``{"ok": true, "result": ...}`` or
``{"ok": false, "error": "text", "exit": N}``. The stand-ins (modprobe, dmesg, iscsi-scstd, ...) are
thin clients of this socket, so the kernel state lives only in the daemon. ``iscsi_daemon`` is the one
op whose connection outlives the reply: the iSCSI daemon is attached for as long as it stays open.
"""

import json
import logging
import os
import socket
import socketserver

from .model.nodes import KernelError

log = logging.getLogger(__name__)


class ControlError(Exception):
    """A request the daemon refused: ``message`` is meant for the user, ``exit`` is the exit status."""

    def __init__(self, message, exit_code=1):
        super().__init__(message)
        self.exit_code = exit_code


def _error_reply(exc):
    if isinstance(exc, KernelError):
        return {'ok': False, 'error': exc.reason or os.strerror(exc.errno), 'errno': exc.errno, 'exit': 1}
    # The model's ModuleError carries modprobe's wording and exit status.
    return {'ok': False, 'error': str(exc), 'exit': getattr(exc, 'exit_code', 1)}


class _Handler(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            try:
                request = json.loads(line)
                op = request.pop('op')
                if op == 'iscsi_daemon':
                    self._serve_iscsi_daemon()
                    return
                reply = {'ok': True, 'result': self.server.dispatch(op, request)}
            except (KernelError, ControlError) as exc:
                reply = _error_reply(exc)
            except (ValueError, KeyError, TypeError) as exc:
                reply = {'ok': False, 'error': f'bad request: {exc}', 'exit': 2}
            except Exception as exc:  # the model's ModuleError and friends; never kill the server
                if not hasattr(exc, 'exit_code'):
                    log.exception('control op failed')
                reply = _error_reply(exc)
            self._send(reply)

    def _send(self, reply):
        self.wfile.write(json.dumps(reply).encode() + b'\n')
        self.wfile.flush()

    def _serve_iscsi_daemon(self):
        kernel = self.server.ops.kernel
        try:
            kernel.iscsi_daemon_attach()
        except Exception as exc:  # EBUSY-like refusal when another daemon is attached
            self._send(_error_reply(exc))
            return
        self._send({'ok': True, 'result': None})
        try:
            # The daemon is alive while its connection is: block until the peer closes or dies.
            while self.rfile.readline():
                pass
        finally:
            kernel.iscsi_daemon_detach()


class ControlServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """Serves the ``op_*`` methods of ``ops`` (daemon.ControlOps)."""

    daemon_threads = True

    def __init__(self, path, ops):
        if os.path.exists(path):
            os.unlink(path)
        self.ops = ops
        super().__init__(path, _Handler)
        os.chmod(path, 0o600)

    def dispatch(self, op, args):
        handler = getattr(self.ops, f'op_{op}', None)
        if handler is None:
            raise ControlError(f'unknown op {op!r}', 2)
        return handler(**args)


def _connect(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError as exc:
        sock.close()
        raise ControlError(f'emulated kernel not reachable at {path}: {exc.strerror}') from exc
    return sock


def _exchange(sock, op, args):
    sock.sendall(json.dumps({'op': op, **args}).encode() + b'\n')
    line = sock.makefile('rb').readline()
    if not line:
        raise ControlError('emulated kernel closed the control connection')
    reply = json.loads(line)
    if not reply['ok']:
        raise ControlError(reply['error'], reply.get('exit', 1))
    return reply['result']


def call(path, op, **args):
    """One request on a fresh connection; returns the result or raises ControlError."""
    with _connect(path) as sock:
        return _exchange(sock, op, args)


def attach_iscsi_daemon(path):
    """Attach the emulated iSCSI daemon; it stays attached while the returned socket stays open."""
    sock = _connect(path)
    try:
        _exchange(sock, 'iscsi_daemon', {})
    except ControlError:
        sock.close()
        raise
    return sock
