"""Access control: LUN sets (SYSFS.md section 9), initiator groups (sections 2.5, 2.6, 3.8), sessions (8.5).

The kernel calls each LUN set an ACG (access control group): a target has one default ACG (its ``luns/``)
plus one per initiator group (``ini_groups/<grp>/luns/``). A session is attached to exactly one ACG, chosen
by the initiator name (section 8.2), and sees that ACG's LUNs as ``lunN`` dirs. Simulated logins live here
too, because a login is nothing but "create a session and pick its ACG".
"""

import errno

from .acg_attrs import AcgAttrs
from .attrs import ReadWorkAttr
from .lexer import keyword, kstrtoull, next_lexem, parse_params
from .nodes import Attr, Dir, KernelError, Link, const, keyed, kobject_name
from .wildcard import wildcmp

# SCST_MAX_LUN = (1 << 14) - 1 (section 9).
MAX_LUN = 16383

LUNS_HELP = (
    'Usage: echo "add H:C:I:L lun [parameters]" >mgmt\n'
    '       echo "add VNAME lun [parameters]" >mgmt\n'
    '       echo "del lun" >mgmt\n'
    '       echo "replace H:C:I:L lun [parameters]" >mgmt\n'
    '       echo "replace VNAME lun [parameters]" >mgmt\n'
    '       echo "replace_no_ua H:C:I:L lun [parameters]" >mgmt\n'
    '       echo "replace_no_ua VNAME lun [parameters]" >mgmt\n'
    '       echo "clear" >mgmt\n'
    '\n'
    'where parameters are one or more param_name=value pairs separated by \';\'\n'
    '\n'
    'The following parameters available: read_only\n'
)
INI_GROUPS_HELP = 'Usage: echo "create GROUP_NAME" >mgmt\n       echo "del GROUP_NAME" >mgmt\n'
INITIATORS_HELP = (
    'Usage: echo "add INITIATOR_NAME" >mgmt\n'
    '       echo "del INITIATOR_NAME" >mgmt\n'
    '       echo "move INITIATOR_NAME DEST_GROUP_NAME" >mgmt\n'
    '       echo "clear" >mgmt\n'
)

# Per-direction session statistics, in the kernel's attribute order (section 8.5).
STAT_NAMES = (
    'unknown_cmd_count', 'write_cmd_count', 'write_io_count_kb', 'write_unaligned_cmd_count',
    'read_cmd_count', 'read_io_count_kb', 'read_unaligned_cmd_count',
    'bidi_cmd_count', 'bidi_io_count_kb', 'bidi_unaligned_cmd_count', 'none_cmd_count',
)
DIF_CHECKS_FAILED = '\tapp\tref\tguard\ntgt\t0\t0\t0\nscst\t0\t0\t0\ndev\t0\t0\t0\n'
LATENCY_SIZES = (512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288)


def _einval(reason):
    return KernelError(errno.EINVAL, reason)


class Lun:
    """One mapping (the kernel's acg_dev): LUN number -> device, with its own read-only flag."""

    __slots__ = ('acg', 'number', 'device', 'flag_read_only', 'export_name', 'export_target')

    def __init__(self, acg, number, device, flag_read_only):
        self.acg = acg
        self.number = number
        self.device = device
        self.flag_read_only = flag_read_only
        self.export_name = None
        # devices/<d>/exported/exportN -> this LUN dir (text relative to devices/<d>/exported/).
        self.export_target = f'../../../{acg.luns_path}/{number}'

    @property
    def read_only(self):
        """What initiators get: the LUN flag OR the device's own read_only (section 9, Appendix A.4)."""
        return self.flag_read_only or bool(self.device.read_only)


class Acg:
    """A LUN set with its attributes and attached sessions; the base of the default set and of groups."""

    def __init__(self, acl, target, name, luns_path, depth):
        self.acl = acl
        self.target = target
        self.name = name
        self.luns = {}
        self.sessions = []
        self.luns_dir = None
        self.luns_path = luns_path
        # '../' count from luns/<N>/ up to scst_tgt/ for the luns/<N>/device link (section 9).
        self.device_link_prefix = '../' * depth + 'devices/'
        self.attrs = AcgAttrs(acl.kernel, self)

    def attach_luns_dir(self, luns_dir):
        """The ``luns/`` dir is created after some of the owner's files, so it comes separately."""
        self.luns_dir = luns_dir
        luns_dir.add('mgmt', Attr(0o644, const(LUNS_HELP), self._luns_mgmt, work=True))

    # ------------------------------------------------------------------------------- luns/mgmt (§9)
    def _luns_mgmt(self, text):
        word, pos = next_lexem(text)
        action = keyword(word, 'add', 'del', 'replace', 'replace_no_ua', 'clear')
        if action is None:
            raise _einval(f'Unknown action "{word}"')
        if action == 'clear':
            if next_lexem(text, pos)[0]:
                raise _einval('Too many parameters for clear')
            self.clear()
            return
        if action == 'del':
            lex, pos = next_lexem(text, pos)
            number = kstrtoull(lex)
            if next_lexem(text, pos)[0]:
                raise _einval(f'Too many parameters for del LUN {number}')
            if number not in self.luns:
                raise _einval(f'LUN {number} not found in group {self.name}')
            self.remove(number)
            return
        name, pos = next_lexem(text, pos)
        device = self.acl.kernel.devices.get(name)
        if device is None:
            raise _einval(f"Device '{name}' not found")
        number, read_only = self._parse_add_params(device, text, pos)
        if action == 'add':
            if number in self.luns:
                raise KernelError(errno.EEXIST, f'virt lun {number} already exists in group {self.name}')
        elif number in self.luns:
            # replace: the old mapping goes first; if the add below fails the LUN stays absent (§9).
            self.remove(number)
        self.add(device, number, read_only)

    @staticmethod
    def _parse_add_params(device, text, pos):
        lex, pos = next_lexem(text, pos)
        try:
            number = kstrtoull(lex)
        except KernelError as exc:
            raise KernelError(exc.errno, f'Valid LUN required for dev {device.name}') from exc
        if number > MAX_LUN:
            raise _einval(f'Too big LUN {number} (max {MAX_LUN})')
        read_only = False
        for name, value in parse_params(text[pos:]):
            parsed = kstrtoull(value)
            if keyword(name, 'read_only') is None:
                raise _einval(f'Unknown parameter {name} (device {device.name})')
            read_only = parsed != 0
        return number, read_only

    # --------------------------------------------------------------------------------- operations
    def add(self, device, number, read_only, auto_cm=False):
        """Map ``device`` at ``number`` (the caller checked that the number is free)."""
        if device.dif and not self.target.driver.dif_supported:
            raise _einval(f'Device {device.name} has DIF, target {self.target.name} does not support T10-PI')
        if self.target.driver.copy_manager and not auto_cm and (read_only or device.read_only):
            # The copy manager's own auto-assignment skips this check (SCST_ADD_LUN_CM).
            raise _einval('Copy Manager does not support read only devices')
        lun = Lun(self, number, device, read_only)
        self.luns[number] = lun
        lun_dir = self.luns_dir.mkdir(str(number))
        lun_dir.add('read_only', Attr(0o444, lambda: keyed(int(lun.read_only), lun.read_only)))
        lun_dir.add('device', Link(self.device_link_prefix + device.name))
        lun.export_name = device.export(lun)
        for session in self.sessions:
            session.add_lun_dir(number)
        return lun

    def remove(self, number):
        lun = self.luns.pop(number)
        self.luns_dir.remove(str(number))
        lun.device.unexport(lun.export_name)
        for session in self.sessions:
            session.remove_lun_dir(number)

    def clear(self):
        for number in list(self.luns):
            self.remove(number)

    def visible(self):
        """The LUNs an initiator of this set sees: none at all without LUN 0 (section 8.2)."""
        if 0 not in self.luns:
            return []
        return [{'lun': n, 'device': lun.device.name, 'read_only': lun.read_only} for n, lun in sorted(self.luns.items())]


class Group(Acg):
    """``ini_groups/<name>/`` (sections 2.5, 2.6, 3.8): a LUN set selected by initiator patterns."""

    def __init__(self, acl, target, name, group_dir):
        super().__init__(acl, target, name, f'{target.path}/ini_groups/{kobject_name(name)}/luns', 7)
        self.attach_luns_dir(group_dir.mkdir('luns'))
        self.dir = group_dir
        self.initiators = []
        self.initiators_dir = group_dir.mkdir('initiators')
        self.initiators_dir.add('mgmt', Attr(0o644, const(INITIATORS_HELP), self._initiators_mgmt, work=True))
        for attr_name, node in self.attrs.nodes():
            group_dir.add(attr_name, node)
        target.driver.add_acg_attrs(self, group_dir)

    def matches(self, initiator):
        return any(wildcmp(pattern, initiator) for pattern in self.initiators)

    def _initiators_mgmt(self, text):
        word, pos = next_lexem(text)
        action = keyword(word, 'add', 'del', 'clear', 'move')
        if action is None:
            raise _einval(f'Unknown action "{word}"')
        if action == 'clear':
            for name in list(self.initiators):
                self._drop_initiator(name)
            self.acl.reassign(self.target)
            return
        name, pos = next_lexem(text, pos)
        if not name:
            raise _einval('Invalid initiator name')
        if action == 'add':
            self.add_initiator(name)
        elif action == 'del':
            if name not in self.initiators:
                raise _einval(f"Unable to find initiator '{name}' in group '{self.name}'")
            self._drop_initiator(name)
        else:
            dest_name = next_lexem(text, pos)[0]
            if not dest_name:
                raise _einval('Invalid group name')
            if name not in self.initiators:
                raise _einval(f"Unable to find initiator '{name}' in group '{self.name}'")
            dest = self.target.groups.get(dest_name)
            if dest is None:
                raise _einval(f"Unable to find group '{dest_name}' in target '{self.target.name}'")
            if name in dest.initiators:
                raise KernelError(errno.EEXIST, f"Initiator '{name}' already exists in group '{dest_name}'")
            self._drop_initiator(name)
            dest.add_initiator(name)
        self.acl.reassign(self.target)

    def add_initiator(self, name):
        if name in self.initiators:
            raise KernelError(errno.EEXIST, f'Initiator {name} already exists in group {self.name}')
        self.initiators.append(name)
        self.initiators_dir.add(kobject_name(name), Attr(0o444, const(f'{name}\n')))

    def _drop_initiator(self, name):
        self.initiators.remove(name)
        self.initiators_dir.remove(kobject_name(name))


class Session:
    """``sessions/<name>/`` of a target (section 8.5)."""

    def __init__(self, target, name, initiator, portal):
        self.target = target
        self.name = name
        self.initiator = initiator
        self.portal = portal
        self.acg = None
        self.dir = Dir()
        self._build()

    def _build(self):
        add = self.dir.add
        add('commands', Attr(0o444, const('0\n')))
        add('active_commands', ReadWorkAttr(0o444, const('0\n')))
        add('initiator_name', Attr(0o444, const(f'{self.initiator}\n')))
        for stat in STAT_NAMES:
            # A write of anything resets the counters of that direction; they are always 0 here.
            add(stat, Attr(0o644, const('0\n'), lambda _text: None))
        driver = self.target.driver
        if driver.can_close_sessions:
            add('force_close', Attr(0o200, None, self._force_close))
        if driver.dif_supported:
            add('dif_checks_failed', Attr(0o644, const(DIF_CHECKS_FAILED), lambda _text: None))
        driver.add_session_attrs(self)

    def _force_close(self, _text):
        self.target.driver.close_session(self)

    def attach(self, acg):
        """Attach to ``acg``: (re)create the ``luns`` link and the ``lunN`` dirs (sections 2.6, 8.2)."""
        if self.acg is not None:
            self.acg.sessions.remove(self)
            for number in self.acg.luns:
                self.remove_lun_dir(number)
        self.acg = acg
        acg.sessions.append(self)
        self.dir.remove('luns')
        relative = acg.luns_path[len(self.target.path) + 1:]
        self.dir.add('luns', Link(f'../../{relative}'))
        if self.dir.get('latency') is None:
            latency = self.dir.mkdir('latency')
            for size in LATENCY_SIZES:
                for kind in 'nrwb':
                    latency.add(f'{kind}{size}', Attr(0o644, const('state count min max avg stddev\n'), lambda _text: None))
        for number in acg.luns:
            self.add_lun_dir(number)

    def add_lun_dir(self, number):
        lun_dir = self.dir.mkdir(f'lun{number}')
        lun_dir.add('active_commands', Attr(0o444, const('0\n')))
        lun_dir.add('thread_pid', Attr(0o444, const('\n')))
        lun_dir.add('thread_index', Attr(0o444, const('-1\n')))

    def remove_lun_dir(self, number):
        self.dir.remove(f'lun{number}')

    def detach(self):
        if self.acg is not None:
            self.acg.sessions.remove(self)
            self.acg = None


class Acl:
    """``kernel.acl``: LUN sets, groups and sessions of every target; simulated initiators."""

    def __init__(self, kernel):
        self.kernel = kernel
        # Rolling counter of copy_manager auto LUNs (scst_cm_next_lun, section 2.1).
        self.cm_next_lun = 0

    # --------------------------------------------------------------------------- target life cycle
    def prepare_target(self, target):
        """The default LUN set exists before the target's files: some of them are its attributes."""
        target.sessions = {}
        target.groups = {}
        target.default_acg = Acg(self, target, target.name, f'{target.path}/luns', 5)

    def build_target(self, target):
        """Create ``sessions/``, ``luns/`` and ``ini_groups/`` of a new target (section 1.4)."""
        target.sessions_dir = target.dir.mkdir('sessions')
        target.default_acg.attach_luns_dir(target.dir.mkdir('luns'))
        groups_dir = target.dir.mkdir('ini_groups')
        groups_dir.add('mgmt', Attr(0o644, const(INI_GROUPS_HELP), lambda text: self._groups_mgmt(target, text), work=True))
        target.groups_dir = groups_dir

    def drop_target(self, target):
        """Unmap every LUN of a target that goes away (its devices lose their exportN links)."""
        for session in list(target.sessions.values()):
            self.close_session(session)
        for group in target.groups.values():
            group.clear()
        target.default_acg.clear()

    # ------------------------------------------------------------------------ ini_groups/mgmt (§2.5)
    def _groups_mgmt(self, target, text):
        word, pos = next_lexem(text)
        action = keyword(word, 'create', 'del')
        if action is None:
            raise _einval(f'Unknown action "{word}"')
        name = next_lexem(text, pos)[0]
        if not name:
            raise _einval('Group name required')
        group = target.groups.get(name)
        if action == 'create':
            if group is not None:
                raise KernelError(errno.EEXIST, f'acg name {name} exist')
            if target.driver.copy_manager:
                raise _einval('Copy Manager does not support security groups')
            target.groups[name] = Group(self, target, name, target.groups_dir.mkdir(kobject_name(name)))
            return
        if group is None:
            raise _einval(f'Group {name} not found')
        self._delete_group(target, group)

    def _delete_group(self, target, group):
        if group.sessions:
            if not self.kernel.param('scst', 'forcibly_close_sessions'):
                raise KernelError(errno.EBUSY, f'Group {group.name} is not empty')
            if not target.driver.can_close_sessions:
                raise KernelError(errno.EBUSY, f'Removing group {group.name} failed')
            for session in list(group.sessions):
                self.close_session(session)
        group.clear()
        del target.groups[group.name]
        target.groups_dir.remove(kobject_name(group.name))

    # ------------------------------------------------------------------------------------ sessions
    def find_acg(self, target, initiator):
        """Section 8.2: groups in creation order, patterns in insertion order, else the default set."""
        for group in target.groups.values():
            if group.matches(initiator):
                return group
        return target.default_acg

    def open_session(self, target, initiator, portal=None):
        """Register a session for ``initiator`` (the name as SCST sees it); ``_N`` suffix on a duplicate."""
        name = initiator
        suffix = 1
        while name in target.sessions:
            name = f'{initiator}_{suffix}'
            suffix += 1
        session = Session(target, name, initiator, portal)
        target.sessions[name] = session
        target.sessions_dir.add(kobject_name(name), session.dir)
        session.attach(self.find_acg(target, initiator))
        return session

    def close_session(self, session):
        target = session.target
        session.detach()
        target.sessions.pop(session.name, None)
        target.sessions_dir.remove(kobject_name(session.name))

    def reassign(self, target):
        """Move sessions whose initiator now selects another LUN set (section 2.6)."""
        for session in target.sessions.values():
            acg = self.find_acg(target, session.initiator)
            if acg is not session.acg:
                session.attach(acg)

    def _target(self, driver, target):
        drv = self.kernel.drivers.get(driver)
        if drv is None:
            raise KernelError(errno.ENOENT, f'No target driver {driver}')
        tgt = drv.targets.get(target)
        if tgt is None:
            raise KernelError(errno.ENOENT, f'No target {target} in driver {driver}')
        return tgt

    def login(self, driver, target, initiator, portal=None):
        tgt = self._target(driver, target)
        seen_as = tgt.driver.login_name(tgt, initiator, portal)
        return self.open_session(tgt, seen_as, portal).name

    def logout(self, driver, target, session):
        tgt = self._target(driver, target)
        sess = tgt.sessions.get(session)
        if sess is None:
            raise KernelError(errno.ENOENT, f'No session {session} in target {target}')
        self.close_session(sess)

    def visible_luns(self, driver, target, initiator, portal=None):
        tgt = self._target(driver, target)
        return self.find_acg(tgt, tgt.driver.initiator_name(tgt, initiator, portal)).visible()

    # ----------------------------------------------------------------------------- device hooks
    def unmap_device(self, device):
        """``del_device``: every LUN that maps the device goes (section 2.1)."""
        for lun in list(device.exports.values()):
            lun.acg.remove(lun.number)

    def copy_manager_auto_lun(self, device):
        """The copy_manager LUN of a new vdisk device (section 2.1, scst_cm_dev_register)."""
        acg = self.kernel.targets.copy_manager_target.default_acg
        if any(lun.acg is acg for lun in device.exports.values()):
            return
        for _attempt in range(MAX_LUN + 1):
            number = self.cm_next_lun
            self.cm_next_lun += 1
            if number == MAX_LUN:
                # The counter wraps at SCST_MAX_LUN, which itself is never handed out.
                self.cm_next_lun = 0
                continue
            if number not in acg.luns:
                break
        else:
            raise KernelError(errno.ENOSPC, 'Copy Manager has no free LUN')
        try:
            acg.add(device, number, False, auto_cm=True)
        except KernelError:
            self.cm_next_lun -= 1
            raise
