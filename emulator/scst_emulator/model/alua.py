"""ALUA device groups and target groups (SYSFS.md sections 1.5, 2.7 and 3.7): ``kernel.alua``.

All four mgmt files drop everything after the first newline and ignore tokens after the name; only
``device_groups/mgmt`` is synchronous, the other three stores run as sysfs works.
"""

import errno

from .lexer import keyword, kstrtoull, kstrtouint, lexems
from .nodes import Attr, Dir, KernelError, Link, const, kobject_name

DG_HELP = 'Usage: echo "create group_name" >mgmt\n       echo "del group_name" >mgmt\n'
DG_DEVICES_HELP = 'Usage: echo "add device" >mgmt\n       echo "del device" >mgmt\n'
TG_HELP = 'Usage: echo "add target" >mgmt\n       echo "del target" >mgmt\n'
STATES = ('active', 'nonoptimized', 'standby', 'unavailable', 'offline', 'transitioning')


def _command(text, *keywords):
    """Keyword and name of an ALUA mgmt write: text after the first newline is discarded (§2.7)."""
    words = lexems(text.split('\n', 1)[0])
    action = keyword(words[0], *keywords) if words else None
    if action is None:
        raise KernelError(errno.EINVAL, f'Invalid ALUA command "{text.split(chr(10), 1)[0]}"')
    if len(words) < 2:
        raise KernelError(errno.EINVAL, f'{action}: name missing')
    return ('create' if action == 'add' and 'create' in keywords else action), words[1]


def _port_id(text, what):
    """1..65535 from the first 7 characters, as the kernel copies them into an 8-byte buffer (§3.7)."""
    value = kstrtouint(text[:7])
    if not 1 <= value <= 65535:
        raise KernelError(errno.EINVAL, f'Invalid {what} {value}')
    return value


class TargetGroup:
    """``device_groups/DG/target_groups/TG/``."""

    def __init__(self, dgroup, name):
        self.dgroup = dgroup
        self.name = name
        self.group_id = 0
        self.preferred = 0
        self.state = 'active'
        self.members = {}           # target name -> remote rel_tgt_id holder (dict) or None for a local link
        self.dir = Dir()
        self.dir.add('mgmt', Attr(0o644, const(TG_HELP), self._mgmt, work=True))
        self.dir.add('group_id', Attr(0o644, lambda: f'{self.group_id}\n[key]\n', self._store_group_id))
        self.dir.add('preferred', Attr(0o644, lambda: f'{self.preferred}\n[key]\n' if self.preferred else f'{self.preferred}\n',
                                       self._store_preferred, work=True))
        self.dir.add('state', Attr(0o644, lambda: f'{self.state}\n[key]\n', self._store_state, work=True))

    def _store_group_id(self, text):
        self.group_id = _port_id(text, 'group_id')

    def _store_preferred(self, text):
        # kstrtoul (64 bits): a large number is EINVAL from the 0/1 check, not ERANGE.
        value = kstrtoull(text)
        if value > 1:
            raise KernelError(errno.EINVAL, f'Invalid preferred value {value}')
        self.preferred = value

    def _store_state(self, text):
        # scst_tg_state_store_work_fn cuts at the first newline, then compares exactly (strcmp).
        name = text.split('\n', 1)[0]
        if name not in STATES:
            raise KernelError(errno.EINVAL, f'Invalid ALUA state "{name}"')
        self.state = name

    def _mgmt(self, text):
        action, name = _command(text, 'add', 'del')
        alua = self.dgroup.alua
        if action == 'add':
            if any(name in tgroup.members for tgroup in self.dgroup.tgroups.values()):
                raise KernelError(errno.EEXIST, f'Target {name} already in a target group of {self.dgroup.name}')
            local = alua.kernel.targets.find(name)
            if local:
                self.members[name] = None
                self.dir.add(kobject_name(name), Link(f'../../../../{local[0].path}'))
            else:
                self.members[name] = self._remote_dir(name)
            return
        if name not in self.members:
            raise KernelError(errno.EINVAL, f'Target {name} not in target group {self.name}')
        self.drop(name)

    def _remote_dir(self, name):
        """A target of an H.A. peer: a directory with its ``rel_tgt_id`` (§1.5)."""
        holder = {'rel_tgt_id': 0}

        def store(text):
            holder['rel_tgt_id'] = _port_id(text, 'rel_tgt_id')

        remote = self.dir.mkdir(kobject_name(name))
        remote.add('rel_tgt_id', Attr(0o644, lambda: f'{holder["rel_tgt_id"]}\n[key]\n', store))
        return holder

    def drop(self, name):
        del self.members[name]
        self.dir.remove(kobject_name(name))


class DeviceGroup:
    """``device_groups/DG/``."""

    def __init__(self, alua, name):
        self.alua = alua
        self.name = name
        self.devices = {}
        self.tgroups = {}
        self.dir = Dir()
        self.devices_dir = self.dir.mkdir('devices')
        self.devices_dir.add('mgmt', Attr(0o644, const(DG_DEVICES_HELP), self._devices_mgmt, work=True))
        self.tgroups_dir = self.dir.mkdir('target_groups')
        self.tgroups_dir.add('mgmt', Attr(0o644, const(DG_HELP), self._tgroups_mgmt, work=True))

    def _devices_mgmt(self, text):
        action, name = _command(text, 'add', 'del')
        alua = self.alua
        if action == 'add':
            device = alua.kernel.devices.get(name)
            if name in alua.device_group:
                raise KernelError(errno.EEXIST, f'Device {name} is already in device group {alua.device_group[name].name}')
            if device is None:
                raise KernelError(errno.EINVAL, f'Device {name} not found')
            self.devices[name] = device
            alua.device_group[name] = self
            self.devices_dir.add(name, Link(f'../../../devices/{name}'))
            return
        if name not in self.devices:
            raise KernelError(errno.EINVAL, f'Device {name} not in device group {self.name}')
        self.drop_device(name)

    def drop_device(self, name):
        del self.devices[name]
        del self.alua.device_group[name]
        self.devices_dir.remove(name)

    def _tgroups_mgmt(self, text):
        action, name = _command(text, 'create', 'add', 'del')
        if action == 'create':
            if name in self.tgroups:
                raise KernelError(errno.EEXIST, f'Target group {name} already exists')
            tgroup = TargetGroup(self, name)
            self.tgroups[name] = tgroup
            self.tgroups_dir.add(kobject_name(name), tgroup.dir)
            return
        if name not in self.tgroups:
            raise KernelError(errno.EINVAL, f'Target group {name} not found')
        del self.tgroups[name]
        self.tgroups_dir.remove(kobject_name(name))


class Alua:
    """``kernel.alua``: the device groups of ``device_groups/``."""

    def __init__(self, kernel):
        self.kernel = kernel
        self.groups = {}
        self.device_group = {}      # device name -> DeviceGroup (a device is in at most one group)
        self.dir = kernel.scst_dir('device_groups')
        self.dir.add('mgmt', Attr(0o644, const(DG_HELP), self._mgmt))

    def _mgmt(self, text):
        action, name = _command(text, 'create', 'add', 'del')
        if action == 'create':
            if name in self.groups:
                raise KernelError(errno.EEXIST, f'Device group {name} already exists')
            group = DeviceGroup(self, name)
            self.groups[name] = group
            self.dir.add(kobject_name(name), group.dir)
            return
        group = self.groups.get(name)
        if group is None:
            raise KernelError(errno.EINVAL, f'Device group {name} not found')
        for tgroup in group.tgroups.values():
            tgroup.state = 'active'
        for device in list(group.devices):
            group.drop_device(device)
        del self.groups[name]
        self.dir.remove(kobject_name(name))

    def forget_device(self, device):
        """``del_device`` takes the device out of its device group (§2.1)."""
        group = self.device_group.get(device.name)
        if group is not None:
            group.drop_device(device.name)

    def forget_target(self, name):
        """``del_target``: the target-group links to the local target go (§2.3); remote entries stay."""
        for group in self.groups.values():
            for tgroup in group.tgroups.values():
                if name in tgroup.members and tgroup.members[name] is None:
                    tgroup.drop(name)
