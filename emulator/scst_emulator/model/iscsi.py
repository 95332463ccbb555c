"""The iSCSI target driver (SYSFS.md section 6): kernel module iscsi_scst plus the iscsi-scstd daemon.

The kernel part owns ``targets/iscsi/{mgmt,version,open_state}``, the target ``tid`` and the session
files; every add/del/attribute operation is forwarded to the daemon, which fails with EPERM when no
daemon holds the control device. The daemon part (attach/detach through the control server) owns the
iSCSI parameters, CHAP users, allowed portals and the other daemon-backed attribute files; those print
the daemon's text followed by the kernel's own ``\\n``, hence the extra blank lines of section 3.1.
"""

import errno
import re
import socket

from . import iscsi_keys as keys
from .lexer import keyword, kstrtoull, next_lexem
from .nodes import Attr, KernelError, const, keyed
from .target_driver import TargetDriver, einval
from .wildcard import wildcmp

VERSION = '3.11.0-pre\n'
LISTEN_PORT = 3260
# iscsi-scstd copies target names into a 256-byte buffer.
NAME_MAX = 255
# Daemon-created target files, in creation order (section 6.1).
TARGET_DAEMON_FILES = ('per_portal_acl', 'redirect', 'alias')
DRIVER_DAEMON_FILES = ('enabled', 'iSNSServer', 'isns_entity_name', 'link_local', 'internal_portal')
USER_MODE = 0o600


def load(kernel, _params):
    """Module iscsi_scst loads: the driver without daemon (``open_state`` closed)."""
    kernel.iscsi = kernel.targets.register_driver(IscsiDriver(kernel))


def eperm():
    return KernelError(errno.EPERM, 'User space process is not connected. Is iscsi-scstd running?')


class TargetConfig:
    """What the daemon keeps per target."""

    def __init__(self, daemon):
        self.target_params = {key.name: key.default for key in daemon.target_keys}
        self.session_params = {key.name: key.default for key in daemon.session_keys}
        self.users = ([], [])
        self.portals = []
        self.per_portal_acl = 0
        self.redirect = None
        self.alias = None


class UserAttr:
    """A CHAP user or an allowed portal: ``sysfs_name`` is its file, ``key`` the name or pattern."""

    __slots__ = ('sysfs_name', 'key', 'value')

    def __init__(self, sysfs_name, key, value):
        self.sysfs_name = sysfs_name
        self.key = key
        self.value = value


class Daemon:
    """iscsi-scstd's state: global settings and discovery users; targets carry ``TargetConfig``."""

    def __init__(self, isert_loaded):
        self.target_keys = keys.target_keys()
        self.session_keys = keys.session_keys(isert_loaded)
        self.enabled = 0
        self.isns_server = None
        self.isns_access_control = 0
        self.isns_entity_name = ''
        self.link_local = 1
        self.internal_portal = None
        self.users = ([], [])


class IscsiDriver(TargetDriver):
    name = 'iscsi'
    has_mgmt = True
    has_enable = True
    can_close_sessions = True
    trace_flags = True
    sg_tablesize = 0xffff
    driver_optional_attributes = 'IncomingUser, OutgoingUser'
    target_optional_attributes = 'IncomingUser, OutgoingUser, allowed_portal'

    def __init__(self, kernel):
        super().__init__(kernel)
        self.daemon = None
        self.isert_loaded = False
        # The kernel module's tid counter: survives daemon restarts, not module reloads.
        self.next_tid = 0
        self.next_sid = 1

    @property
    def daemon_attached(self):
        return self.daemon is not None

    # ----------------------------------------------------------------------------- kernel files
    def add_driver_attrs(self, driver_dir):
        driver_dir.add('version', Attr(0o444, const(VERSION)))
        driver_dir.add('open_state', Attr(0o444, lambda: 'open\n' if self.daemon else 'closed\n'))

    def add_target_attrs(self, target):
        target.dir.add('tid', Attr(0o444, lambda: f'{target.tid}\n'))

    def add_acg_attrs(self, group, group_dir):
        group.dedicated_threads = False
        group_dir.add('per_sess_dedicated_tgt_threads', Attr(
            0o644, lambda: keyed(int(group.dedicated_threads), group.dedicated_threads),
            lambda text: setattr(group, 'dedicated_threads', kstrtoull(text) != 0)))

    def add_session_attrs(self, session):
        cfg = session.target.iscsi
        add = session.dir.add
        for name in ('InitialR2T', 'ImmediateData', 'MaxRecvDataSegmentLength', 'MaxXmitDataSegmentLength',
                     'MaxBurstLength', 'FirstBurstLength', 'MaxOutstandingR2T', 'HeaderDigest', 'DataDigest'):
            key = keys.find_key(self.daemon.session_keys, name)
            value = cfg.session_params[name]
            if key.kind == 'digest':
                # What a default initiator (offering None first) ends up with.
                value = keys.DIGEST_CRC32C if value == keys.DIGEST_CRC32C else keys.DIGEST_NONE
            add(name, Attr(0o444, const(f'{keys.format_value(key, value)}\n')))
        sid = self.next_sid
        self.next_sid += 1
        add('sid', Attr(0o444, const(f'{sid:x}\n')))
        add('reinstating', Attr(0o444, const('0\n')))
        add('thread_pid', Attr(0o444, const('1\n')))
        # One connection, named after the initiator's address (the simulated initiator is local).
        conn = session.dir.mkdir('127.0.0.1')
        conn.add('cid', Attr(0o444, const('0')))
        conn.add('ip', Attr(0o444, const('127.0.0.1')))
        conn.add('state', Attr(0o444, const('established\n')))
        conn.add('target_ip', Attr(0o444, const(session.portal or '127.0.0.1')))
        conn.add('transport', Attr(0o444, const('iSER\n' if self.isert_loaded else 'TCP\n')))

    # ---------------------------------------------------------------------- daemon life cycle (§6.7)
    def daemon_attach(self):
        if self.daemon is not None:
            raise KernelError(errno.EBUSY, '/dev/iscsi-scst-ctl is already open')
        self.daemon = Daemon(self.isert_loaded)
        for name in DRIVER_DAEMON_FILES:
            self.dir.add(name, self._daemon_file(None, name, 0o644))
        self.kernel.log('iscsi-scst: iscsi-scstd connected')

    def daemon_detach(self):
        """Closing the control device deletes every iSCSI target and the daemon's driver files."""
        if self.daemon is None:
            return
        for target in list(self.targets.values()):
            self.kernel.targets.remove_target(target)
        for name in self.dir.names():
            # Stale user files (a replaced OutgoingUser) go too: the kernel drops every daemon file.
            if name in DRIVER_DAEMON_FILES or keys.user_dir(name) is not None:
                self.dir.remove(name)
        self.daemon = None
        self.kernel.log('iscsi-scst: iscsi-scstd disconnected, all targets deleted')

    def _need_daemon(self):
        if self.daemon is None:
            raise eperm()
        return self.daemon

    # ----------------------------------------------------------------------------------- mgmt
    def add_target(self, name, rest):
        self._need_daemon()
        self._parse_main(f'Target {name}; {rest}')

    def del_target(self, name):
        target = self.targets.get(name)
        if target is None:
            raise KernelError(errno.ENOENT, f'Target {name} not found')
        self._need_daemon()
        if target.sessions:
            raise KernelError(errno.EBUSY, f'Target {name} has sessions')
        self.kernel.targets.remove_target(target)

    def mgmt_cmd(self, text):
        self._need_daemon()
        command, pos = next_lexem(text)
        action = keyword(command, 'add_attribute', 'add_target_attribute', 'del_attribute', 'del_target_attribute')
        if action is None:
            raise einval(f'Syntax error at {command}')
        target = None
        if action.endswith('_target_attribute'):
            name, pos = next_lexem(text, pos)
            target = self.targets.get(name)
            if target is None:
                raise KernelError(errno.ENOENT, f'Target {name} not found')
        attr, pos = next_lexem(text, pos)
        if action.startswith('add'):
            self._add_attr(target, attr, text[pos:])
        else:
            self._del_attr(target, attr, text[pos:])

    def enable_target(self, target, enable):
        self._need_daemon()
        target.enabled = enable

    # ------------------------------------------------------------------------- add_target (§6.2)
    def _parse_main(self, data):
        """``config_parse_main``: one line per ``;``/newline; a ``Target`` line starts a target."""
        pending = None
        for line in data.replace('\0', '\n').replace(';', '\n').split('\n'):
            word, pos = next_lexem(line)
            if not word or word.startswith('#'):
                continue
            if word.lower() == 'target':
                if pending is not None:
                    self._register(pending)
                name, pos = next_lexem(line, pos)
                if not name:
                    # The daemon only logs "Target name required" and goes on without a target.
                    pending = None
                    continue
                if next_lexem(line, pos)[0]:
                    raise einval(f'Unexpected parameter value on "{line}"')
                pending = (name[:NAME_MAX], TargetConfig(self.daemon))
                continue
            if pending is None:
                raise einval(f'Unknown or unexpected param: {word}')
            self._parse_target_line(pending[1], word, line, pos)
        if pending is not None:
            self._register(pending)

    def _parse_target_line(self, cfg, word, line, pos):
        if word.lower() == 'alias':
            return
        for table, values in ((self.daemon.target_keys, cfg.target_params), (self.daemon.session_keys, cfg.session_params)):
            key = keys.find_key(table, word)
            if key is not None:
                value, pos = next_lexem(line, pos)
                if next_lexem(line, pos)[0]:
                    raise einval(f'Unexpected parameter value on "{line}"')
                parsed = keys.parse_value(key, value)
                if parsed is not None:
                    values[key.name] = parsed
                return
        direction = keys.user_dir(word)
        if direction is None:
            raise einval(f'Unknown or unexpected param: {word}')
        name, pos = next_lexem(line, pos)
        secret, pos = next_lexem(line, pos)
        if next_lexem(line, pos)[0]:
            raise einval(f'Unexpected parameter value on "{line}"')
        _check_account(name, secret)
        self._account_entry(cfg.users[direction], direction, word, name, secret)

    def _register(self, pending):
        """``target_add`` in the daemon, then ``__add_target`` in the kernel and the daemon's files."""
        name, cfg = pending
        if name in self.targets:
            raise KernelError(errno.EEXIST, f'Target {name} already exist!')
        self.next_tid = self.next_tid % keys.U32_MAX + 1
        while any(t.tid == self.next_tid for t in self.targets.values()):
            self.next_tid = self.next_tid % keys.U32_MAX + 1
        target = self.kernel.targets.add_target(self, name)
        target.iscsi = cfg
        target.tid = self.next_tid
        for file_name in TARGET_DAEMON_FILES:
            target.dir.add(file_name, self._daemon_file(target, file_name, 0o644))
        for key in self.daemon.session_keys + self.daemon.target_keys:
            if key.sysfs:
                target.dir.add(key.name, self._daemon_file(target, key.name, 0o644))
        for users in cfg.users:
            for user in users:
                target.dir.add(user.sysfs_name, self._daemon_file(target, user.sysfs_name, USER_MODE))

    # --------------------------------------------------------------------- users and portals (§6.4)
    def _lists(self, target):
        return self.daemon.users if target is None else target.iscsi.users

    def _dir(self, target):
        return self.dir if target is None else target.dir

    @staticmethod
    def _account_entry(users, direction, sysfs_tmpl, name, secret):
        """``__config_account_add`` without the kernel part; returns the new entry."""
        if direction == 1:
            # Only one outgoing user: the old entry leaves the list (its file stays, unusable).
            del users[:]
        return _attr_create(users, sysfs_tmpl, name, secret)

    def _add_attr(self, target, attr, rest):
        direction = keys.user_dir(attr)
        if direction is not None:
            name, pos = next_lexem(rest)
            secret = next_lexem(rest, pos)[0]
            _check_account(name, secret)
            users = self._lists(target)[direction]
            entry = self._account_entry(users, direction, attr, name, secret)
            self._kernel_attr_add(target, users, entry, USER_MODE)
        elif keys.numwild('allowed_portal', attr):
            pattern, pos = next_lexem(rest)
            extra = next_lexem(rest, pos)[0]
            if target is None:
                raise einval(f'Target expected for attr {attr}')
            if not pattern:
                raise einval(f'Value expected for attr {attr}')
            if extra:
                raise einval(f'Only one value expected for attr {pattern}')
            entry = _attr_create(target.iscsi.portals, 'allowed_portal', pattern, None)
            self._kernel_attr_add(target, target.iscsi.portals, entry, 0o644)
        else:
            raise einval(f'Syntax error at {attr}')

    def _kernel_attr_add(self, target, entries, entry, mode):
        """``iscsi_add_attr``: a file that already exists makes the daemon drop the new entry."""
        directory = self._dir(target)
        if directory.get(entry.sysfs_name) is not None:
            entries.remove(entry)
            raise KernelError(errno.EEXIST, f'Attribute {entry.sysfs_name} already exists')
        directory.add(entry.sysfs_name, self._daemon_file(target, entry.sysfs_name, mode))

    def _del_attr(self, target, attr, rest):
        direction = keys.user_dir(attr)
        key = next_lexem(rest)[0]
        if direction is not None:
            entries = self._lists(target)[direction]
            kind = 'User'
        elif keys.numwild('allowed_portal', attr):
            if target is None:
                raise einval(f'Target expected for attr {attr}')
            entries = target.iscsi.portals
            kind = 'Portal'
        else:
            raise einval(f'Syntax error at {attr}')
        for entry in entries:
            if entry.key == key:
                entries.remove(entry)
                self._dir(target).remove(entry.sysfs_name)
                return
        raise KernelError(errno.ENOENT if kind == 'User' else errno.EINVAL, f'{kind} {key} not found')

    # --------------------------------------------------------------- daemon-backed files (§3.1, §6.6)
    def _daemon_file(self, target, name, mode):
        return Attr(mode, lambda: self._get(target, name) + '\n', lambda text: self._set(target, name, text))

    def _get(self, target, name):
        """``handle_e_get_attr_value``: the daemon's text (the kernel appends one more newline)."""
        daemon = self._need_daemon()
        if target is not None:
            cfg = target.iscsi
            for table, values in ((daemon.target_keys, cfg.target_params), (daemon.session_keys, cfg.session_params)):
                key = keys.find_key(table, name)
                if key is not None:
                    text = keys.format_value(key, values[key.name])
                    return text + '\n[key]\n' if values[key.name] != key.default else text
        direction = keys.user_dir(name)
        if direction is not None:
            user = _by_sysfs_name(self._lists(target)[direction], name)
            return f'{user.key} {user.value if user.value is not None else "(null)"}\n[key]\n'
        if target is not None:
            return self._get_target_attr(target, name)
        return self._get_driver_attr(name)

    @staticmethod
    def _get_target_attr(target, name):
        cfg = target.iscsi
        if keys.numwild('allowed_portal', name):
            return f'{_by_sysfs_name(cfg.portals, name).key}\n[key]\n'
        if name == 'per_portal_acl':
            return f'{cfg.per_portal_acl}\n' + ('[key]\n' if cfg.per_portal_acl else '')
        if name == 'redirect':
            if cfg.redirect is None:
                return ''
            addr, port, kind = cfg.redirect
            return f'{addr}:{port} {kind}\n[key]\n' if port != LISTEN_PORT else f'{addr} {kind}\n[key]\n'
        if name == 'alias':
            return f'{cfg.alias}\n[key]\n' if cfg.alias else ''
        raise einval(f'Unknown attribute {name}')

    def _get_driver_attr(self, name):
        daemon = self.daemon
        if name == 'enabled':
            return f'{daemon.enabled}\n'
        if name == 'iSNSServer':
            if daemon.isns_server is None:
                return '\n'
            control = 'AccessControl' if daemon.isns_access_control else ''
            return f'{daemon.isns_server} {control}\n[key]\n'
        if name == 'isns_entity_name':
            return daemon.isns_entity_name
        if name == 'link_local':
            return f'{daemon.link_local}\n' + ('[key]\n' if daemon.link_local != 1 else '')
        if name == 'internal_portal':
            return f'{daemon.internal_portal}\n[key]\n' if daemon.internal_portal else '\n'
        raise einval(f'Unknown attribute {name}')

    def _set(self, target, name, text):
        """``handle_e_set_attr_value``: the written text is the value (the kernel sends it whole)."""
        daemon = self._need_daemon()
        if not text:
            raise einval('Incorrect E_SET_ATTR_VALUE: attr value expected')
        if target is not None:
            cfg = target.iscsi
            for table, values in ((daemon.target_keys, cfg.target_params), (daemon.session_keys, cfg.session_params)):
                key = keys.find_key(table, name)
                if key is not None:
                    value, pos = next_lexem(text)
                    extra = next_lexem(text, pos)[0]
                    if extra:
                        raise einval(f'Unexpected parameter value {extra}')
                    parsed = keys.parse_value(key, value)
                    if parsed is not None:
                        values[key.name] = parsed
                    return
        direction = keys.user_dir(name)
        if direction is not None:
            _replace(self._lists(target)[direction], name, text)
        elif target is not None:
            self._set_target_attr(target, name, text)
        else:
            self._set_driver_attr(name, text)

    @staticmethod
    def _set_target_attr(target, name, text):
        cfg = target.iscsi
        if keys.numwild('allowed_portal', name):
            _replace(cfg.portals, name, text)
        elif name == 'per_portal_acl':
            cfg.per_portal_acl = _exact_flag(text)
        elif name == 'redirect':
            cfg.redirect = _parse_redirect(text)
        elif name == 'alias':
            cfg.alias = text.strip(' \t\n\v\f\r') or None
        else:
            raise einval(f'Unknown attribute {name}')

    def _set_driver_attr(self, name, text):
        daemon = self.daemon
        if name == 'enabled':
            daemon.enabled = _exact_flag(text)
        elif name == 'iSNSServer':
            server, pos = next_lexem(text)
            daemon.isns_server = None
            if not server:
                return
            option, pos = next_lexem(text, pos)
            if option.lower() == 'accesscontrol':
                daemon.isns_access_control = int(next_lexem(text, pos)[0].lower() != 'no')
            elif option:
                raise einval(f'Unknown parameter {option}')
            else:
                daemon.isns_access_control = 0
            daemon.isns_server = server
        elif name == 'isns_entity_name':
            daemon.isns_entity_name = next_lexem(text)[0]
        elif name == 'link_local':
            daemon.link_local = _exact_flag(text)
        elif name == 'internal_portal':
            value = text.strip(' \t\n\v\f\r')
            # Only spaces separate addresses (strtok on " "); any other blank makes the address invalid.
            for addr in value.split(' ') if value else []:
                if addr and not _is_addr(addr):
                    raise einval(f'Invalid address supplied {addr}')
            daemon.internal_portal = value or None
        else:
            raise einval(f'Unknown attribute {name}')

    # ------------------------------------------------------------------------------ logins (§6.8)
    def initiator_name(self, target, initiator, portal):
        if target.iscsi.per_portal_acl and portal:
            return f'{initiator}#{portal}'
        return initiator

    def login_name(self, target, initiator, portal):
        if self.daemon is None or not self.daemon.enabled:
            raise KernelError(errno.ECONNREFUSED, 'iSCSI is not enabled (daemon stopped or driver disabled)')
        if not target.enabled:
            raise KernelError(errno.ECONNREFUSED, f'target {target.name} is not enabled')
        portals = target.iscsi.portals
        if portals and not any(wildcmp(entry.key, portal or '') for entry in portals):
            raise KernelError(errno.ECONNREFUSED, f'portal {portal} is not allowed for {target.name}')
        limit = target.iscsi.target_params['MaxSessions']
        if limit and len(target.sessions) >= limit:
            raise KernelError(errno.ECONNREFUSED, f'target {target.name} has reached MaxSessions')
        return self.initiator_name(target, initiator, portal)


def _check_account(name, secret):
    if not name or not secret:
        raise einval('Name or password is NULL')
    if len(secret) < 12:
        raise einval(f'Secret for user {name} is too short. At least 12 bytes are required')


def _attr_create(entries, sysfs_tmpl, key, value):
    """``iscsi_attr_create``: the key must be new; the file is ``tmpl``, else ``tmpl1``, ``tmpl2``..."""
    if any(entry.key == key for entry in entries):
        raise einval(f'Attribute {key} already exists')
    used = {entry.sysfs_name for entry in entries}
    sysfs_name = sysfs_tmpl
    number = 1
    while sysfs_name in used:
        sysfs_name = f'{sysfs_tmpl}{number}'
        number += 1
    entry = UserAttr(sysfs_name, key, value or None)
    entries.append(entry)
    return entry


def _by_sysfs_name(entries, sysfs_name):
    for entry in entries:
        if entry.sysfs_name == sysfs_name:
            return entry
    raise einval(f'Unknown attribute {sysfs_name}')


def _replace(entries, sysfs_name, text):
    """``iscsi_attr_replace``: a direct write of ``KEY [VALUE]`` to an existing entry's file."""
    key, pos = next_lexem(text)
    value = next_lexem(text, pos)[0]
    entry = _by_sysfs_name(entries, sysfs_name)
    if any(other.key == key and other is not entry for other in entries):
        raise KernelError(errno.EEXIST, f'Attr {key} already exists')
    entry.key = key
    entry.value = value or None


def _exact_flag(text):
    value = next_lexem(text)[0]
    if value not in ('0', '1'):
        raise einval(f'Unknown value {value}')
    return int(value)


def _is_family(family, text):
    try:
        socket.inet_pton(family, text)
    except (OSError, ValueError):
        return False
    return True


def _is_addr(text):
    return _is_family(socket.AF_INET, text) or _is_family(socket.AF_INET6, text)


def _parse_redirect(text):
    """``handle_target_redirect``: ``ADDR[:PORT] temp|perm``; an empty address clears."""
    addr, pos = next_lexem(text)
    if not addr:
        return None
    kind, pos = next_lexem(text, pos)
    if not kind:
        raise einval('Redirection type required')
    if next_lexem(text, pos)[0]:
        raise einval('Too many arguments for redirection')
    port = LISTEN_PORT
    bracket = addr.rfind(']')
    colon = addr.find(':', bracket) if bracket >= 0 else addr.rfind(':')
    if colon >= 0:
        digits = re.match(r'[ \t\n\v\f\r]*([+-]?[0-9]+)', addr[colon + 1:])
        port = int(digits.group(1)) if digits else 0
        addr = addr[:colon]
        if port <= 0:
            raise einval(f'Invalid port in {text.strip()}')
    if not _is_family(socket.AF_INET, addr):
        inner = addr[1:] if addr.startswith('[') else addr
        if not _is_family(socket.AF_INET6, inner.split(']', 1)[0]):
            raise einval(f'Invalid addr {addr}')
    low = kind.lower()
    if low not in ('temp', 'perm'):
        raise einval(f'Invalid redirection type {kind}')
    return (addr, port, low)
