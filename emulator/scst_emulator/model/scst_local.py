"""The scst_local target driver (SYSFS.md sections 2.3 and 5): local SCSI hosts backed by SCST targets.

Each scst_local session is a local SCSI host: sessions are made by ``add_target ... session_name=S``,
``add_session`` or a simulated login, and ``del_target`` closes them itself (no EBUSY).
"""

import errno

from .lexer import keyword, kstrtoull, next_lexem, raw_tokens
from .nodes import Attr, KernelError, const, keyed
from .target_driver import TargetDriver, einval

VERSION = '3.11.0-pre/20110901\n'
SAS_TRANSPORT_VERSION = 0x0BE0


def load(kernel, params):
    """Module scst_local loads: the driver, plus ``scst_local_tgt`` unless ``add_default_tgt=0``."""
    driver = kernel.targets.register_driver(ScstLocal(kernel))
    if params.get('add_default_tgt', True):
        target = driver.create_target('scst_local_tgt')
        driver.add_session(target, 'scst_local_host')


class ScstLocal(TargetDriver):
    name = 'scst_local'
    has_mgmt = True
    can_close_sessions = True
    sg_tablesize = 0xffff
    mgmt_cmd_help = ('       echo "add_session target_name session_name" >mgmt\n'
                     '       echo "del_session target_name session_name" >mgmt\n')
    add_target_parameters = 'session_name'

    def __init__(self, kernel):
        super().__init__(kernel)
        # scst_local_sess_num: numbers sessions from 1; it also feeds the made-up SAS address.
        self.session_count = 0

    def add_driver_attrs(self, driver_dir):
        driver_dir.add('version', Attr(0o444, const(VERSION)))
        driver_dir.add('stats', Attr(0o444, const('Aborts: 0, Device Resets: 0, Target Resets: 0\n')))

    def add_target_attrs(self, target):
        target.scsi_transport_version = 0
        target.phys_transport_version = 0
        target.dir.add('scsi_transport_version', Attr(0o644, lambda: _scsi_version(target),
                                                      lambda text: _set_version(target, 'scsi_transport_version', text)))
        target.dir.add('phys_transport_version', Attr(
            0o644, lambda: keyed(f'0x{target.phys_transport_version:x}', target.phys_transport_version != 0),
            lambda text: _set_version(target, 'phys_transport_version', text)))

    def add_session_attrs(self, session):
        self.session_count += 1
        number = self.session_count
        # Each session is a local SCSI host; the emulator numbers them after the session, unique per driver.
        session.dir.add('host_no', Attr(0o444, const(f'{number}\n')))
        session.transport_id = None
        session.dir.add('transport_id', Attr(0o644, lambda: session.transport_id or _sas_transport_id(number),
                                             lambda text: setattr(session, 'transport_id', text or None)))

    def create_target(self, name):
        """``scst_local_add_target``: a duplicate name makes scst_register_target fail, seen as EFAULT."""
        if name in self.targets:
            raise KernelError(errno.EFAULT, f'Target {name} already exists')
        return self.kernel.targets.add_target(self, name)

    def add_session(self, target, name):
        return self.kernel.acl.open_session(target, name)

    def add_target(self, name, rest):
        target = self.create_target(name)
        for token in raw_tokens(rest):
            lexem, pos = next_lexem(token)
            if not lexem:
                break
            if keyword(lexem, 'session_name') is None:
                self.kernel.targets.remove_target(target)
                raise einval(f'Unknown parameter {lexem}')
            session = next_lexem(token, pos)[0]
            if not session:
                self.kernel.targets.remove_target(target)
                raise einval(f'Wrong session name {session}')
            self.add_session(target, session)

    def del_target(self, name):
        target = self.targets.get(name)
        if target is None:
            raise KernelError(errno.ENOENT, f'Target {name} not found')
        self.kernel.targets.remove_target(target)

    def mgmt_cmd(self, text):
        command, pos = next_lexem(text)
        target_name, pos = next_lexem(text, pos)
        if not target_name:
            raise einval('Target name required')
        target = self.targets.get(target_name)
        if target is None:
            raise einval(f'Target {target_name} not found')
        session_name = next_lexem(text, pos)[0]
        if not session_name:
            raise einval('Session name required')
        action = keyword(command, 'add_session', 'del_session')
        if action == 'add_session':
            self.add_session(target, session_name)
        elif action == 'del_session':
            for session in target.sessions.values():
                if session.initiator == session_name:
                    self.kernel.acl.close_session(session)
                    return
            raise einval(f'Session {session_name} not found (target {target_name})')
        # Any other keyword with a valid target and session succeeds and does nothing (section 2.3).


def _scsi_version(target):
    if target.scsi_transport_version:
        return f'0x{target.scsi_transport_version:x}\n[key]\n'
    return f'0x{SAS_TRANSPORT_VERSION:x}\n'


def _set_version(target, attr, text):
    setattr(target, attr, kstrtoull(text))


def _sas_transport_id(number):
    """The 24-byte SAS TransportID scst_local makes up per session (latin-1 text of the raw bytes)."""
    raw = bytearray(24)
    raw[0] = 0x06
    raw[4:12] = bytes((0x5F, 0xEE, 0xDE, 0x40 | ((number >> 4) & 0x0F), 0x0F | ((number & 0x0F) << 4), 0xAD, 0xE0, 0x50))
    return raw.decode('latin-1')
