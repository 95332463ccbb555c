"""The qla2x00t target driver of the 32gbit tree (SYSFS.md section 7): module qla2x00tgt.

Loading the module registers one hardware target per emulated FC port served by qla2xxx_scst, named after
the port's WWPN in colon form, unless the port runs with ``qlini_mode=enabled`` (then the 32gbit tree
creates no SCST target at all). ``targets/qla2x00t/mgmt`` adds and deletes NPIV virtual ports, each with
its own SCSI host and a target whose ``hw_target`` is 0. Target mode follows ``enabled``, and writing the
current state again is EINVAL (the driver reports "already enabled/disabled").
"""

import errno

from .lexer import keyword, next_lexem, raw_tokens
from .nodes import Attr, KernelError, Link, const, keyed
from .target_driver import TargetDriver, einval

QLA2XXX_VERSION = '10.02.10.100-k'
VERSION = f'INTERFACE={QLA2XXX_VERSION}\nSCST=3.11.0-pre\nQLOGIC={QLA2XXX_VERSION}\n'


def load(kernel, _params):
    """Module qla2x00tgt loads: the template, then one target per target-capable port."""
    driver = kernel.targets.register_driver(QlaDriver(kernel))
    kernel.qla = driver
    for host in kernel.modules.fc_hosts:
        if host.driver == 'qla2xxx_scst' and host.qlini_mode != 'enabled':
            driver.register_port(host, hw=True)


def colon_wwn(value):
    text = f'{value:016x}'
    return ':'.join(text[i:i + 2] for i in range(0, 16, 2))


def parse_wwn(text):
    """``sqa_parse_wwn``, strictly: exactly ``hh:hh:hh:hh:hh:hh:hh:hh`` (hex in any case), else EINVAL."""
    parts = text.split(':')
    if len(text) != 23 or len(parts) != 8 or any(len(p) != 2 or any(c not in '0123456789abcdefABCDEF' for c in p) for p in parts):
        raise einval(f'Syntax error at WWN {text}')
    return int(''.join(parts), 16)


class QlaDriver(TargetDriver):
    name = 'qla2x00t'
    has_mgmt = True
    has_enable = True
    can_close_sessions = True
    trace_flags = True
    # qla_tgt->sg_tablesize of 24xx and later adapters (min(SG_ALL, ...)); the template itself says 0.
    sg_tablesize = 128
    add_target_parameters = 'node_name, parent_host'

    def add_driver_attrs(self, driver_dir):
        driver_dir.add('version', Attr(0o444, const(VERSION)))

    def add_target_attrs(self, target):
        """``tgt_attrs`` of the template; the per-port files come from ``register_port``."""
        target.explicit_confirmation = 0
        target.dir.add('explicit_confirmation', Attr(
            0o644, lambda: keyed(target.explicit_confirmation, target.explicit_confirmation),
            lambda text: _explicit_confirmation(target, text)))
        target.dir.add('abort_isp', Attr(0o200, None, _abort_isp))

    def register_port(self, host, hw):
        """``sqa_init_scst_tgt``: the SCST target of one (physical or NPIV) port."""
        target = self.kernel.targets.add_target(self, host.name_colon, hw=hw)
        target.fc_host = host
        target.node_override = None
        target.dir.add('host', Link(f'/sys/class/scsi_host/host{host.host_no}'))
        target.dir.add('hw_target', Attr(0o444, const(f'{int(hw)}\n')))
        target.dir.add('node_name', Attr(0o644, lambda: _node_name_show(target), lambda text: _node_name_store(target, text)))
        return target

    # ------------------------------------------------------------------------------- enabled (§7)
    def enable_target(self, target, enable):
        if enable == target.enabled:
            state = 'enabled' if enable else 'disabled'
            raise einval(f'sqatgt({target.fc_host.host_no}/0): Target already {state}.')
        target.enabled = enable
        if not enable:
            # Stopping target mode drops the FC logins.
            for session in list(target.sessions.values()):
                self.kernel.acl.close_session(session)

    # -------------------------------------------------------------------------------- NPIV (§2.3)
    def add_target(self, name, rest):
        port_name = parse_wwn(name)
        node_name = parent = 0
        for token in raw_tokens(rest):
            param, pos = next_lexem(token)
            if not param:
                raise einval(f'sqatgt: Syntax error at {token} (target {name})')
            value, pos = next_lexem(token, pos)
            if not value:
                raise einval(f'sqatgt: Parameter {param} value missed for target {name}')
            if next_lexem(token, pos)[0]:
                raise einval(f"sqatgt: Too many parameter's {param} values (target {name})")
            which = keyword(param, 'node_name', 'parent_host')
            if which is None:
                raise einval(f'sqatgt: Unknown parameter {param} (target {name})')
            if which == 'node_name':
                node_name = parse_wwn(value)
            else:
                parent = parse_wwn(value)
        if not node_name:
            raise einval(f'sqatgt: Missing parameter node_name (target {name})')
        if not parent:
            raise einval(f'sqatgt: Missing parameter parent_host (target {name})')
        parent_target = next((t for t in self.targets.values() if t.fc_host.wwpn == parent), None)
        if parent_target is None:
            raise KernelError(errno.ENODEV, f'No target port with WWPN {colon_wwn(parent)} for NPIV {name}')
        if any(t.fc_host.wwpn == port_name for t in self.targets.values()):
            raise einval(f'fc_vport_create failed for qla2xxx_npiv {name}')
        host = self.kernel.modules.fc.add_vport(parent_target.fc_host, port_name, node_name)
        self.register_port(host, hw=False)

    def del_target(self, name):
        port_name = parse_wwn(name)
        target = next((t for t in self.targets.values() if not t.hw and t.fc_host.wwpn == port_name), None)
        if target is None:
            raise KernelError(errno.ENODEV, f'No NPIV port {name}')
        self.kernel.targets.remove_target(target)
        self.kernel.modules.fc.remove_vport(target.fc_host)

    def unload(self):
        """``sqa_exit`` deletes the NPIV ports it created, so their FC hosts go with the module."""
        for target in [t for t in self.targets.values() if not t.hw]:
            self.del_target(target.name)

    def login_name(self, target, initiator, portal):
        if not target.enabled:
            raise KernelError(errno.ECONNREFUSED, f'target mode of {target.name} is not enabled')
        return initiator


def _explicit_confirmation(target, text):
    """Only a leading 0 or 1 changes anything; any other value is ignored and the write succeeds."""
    if text[:1] in ('0', '1'):
        target.explicit_confirmation = int(text[0])


def _abort_isp(_text):
    raise KernelError(errno.ENOSYS, 'ISP abort not implemented.')


def _node_name_show(target):
    value = target.node_override if target.node_override is not None else target.fc_host.wwnn
    return keyed(colon_wwn(value), target.node_override is not None)


def _node_name_store(target, text):
    """A 23-character WWN overrides the node name; an empty write goes back to the port's own."""
    body = text[:-1] if text.endswith('\n') else text
    if not body:
        target.node_override = None
        return
    value = parse_wwn(body)
    current = target.node_override if target.node_override is not None else target.fc_host.wwnn
    if value != current:
        target.node_override = value
