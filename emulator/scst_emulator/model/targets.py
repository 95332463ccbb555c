"""Target drivers and targets (SYSFS.md sections 1.4, 2.3, 3.5): ``kernel.targets``.

The SCST core part lives here: the driver directory with its generic ``mgmt`` (help text composed from the
driver's template, ``add_target``/``del_target`` dispatch), the target directory with the core attributes,
and ``rel_tgt_id`` allocation. What differs per driver is a ``TargetDriver`` subclass (copy_manager and
scst_local in their own files, iscsi.py, qla.py) that answers the template questions and the callbacks.
"""

import errno

from . import copy_manager, iscsi, qla, scst_local
from .acl import DIF_CHECKS_FAILED
from .nodes import kobject_name
from .attrs import ReadWorkAttr, trace_level_attr
from .lexer import kstrtoint, kstrtoull
from .nodes import Attr, Dir, KernelError, const, keyed
from .target_driver import TargetDriver, einval

# The per-target statistics, in the kernel's attribute order (section 1.4).
TARGET_STATS = (
    'unknown_cmd_count', 'write_cmd_count', 'write_io_count_kb', 'write_unaligned_cmd_count',
    'read_cmd_count', 'read_io_count_kb', 'read_unaligned_cmd_count',
    'bidi_cmd_count', 'bidi_io_count_kb', 'bidi_unaligned_cmd_count', 'none_cmd_count',
)
# Target driver (template) name registered by each target-driver module (section 5).
DRIVER_OF_MODULE = {'scst_local': 'scst_local', 'iscsi_scst': 'iscsi', 'qla2x00tgt': 'qla2x00t', 'ib_srpt': 'ib_srpt', 'fcst': 'fcst'}
MIN_REL_TGT_ID = 1
MAX_REL_TGT_ID = 65535


class Target:
    """``targets/<driver>/<name>/`` (section 1.4); the ACL part is built by ``kernel.acl``."""

    def __init__(self, driver, name, hw):
        self.driver = driver
        self.name = name
        self.hw = hw
        self.dir_name = kobject_name(name)
        self.path = f'targets/{driver.name}/{self.dir_name}'
        self.dir = Dir()
        self.enabled = False
        self.rel_tgt_id = 0
        self.comment = None
        self.forward_src = 0
        self.forward_dst = 0
        self.aen_disabled = 0
        # Filled by Acl.build_target.
        self.default_acg = None
        self.groups = None
        self.sessions = None
        self.sessions_dir = None
        self.groups_dir = None

    def counts_as_enabled(self):
        """Targets of drivers without enable support always count as enabled (section 3.5)."""
        return self.enabled or not self.driver.has_enable


class Targets:
    """``kernel.targets``: the registry of target drivers and their targets."""

    def __init__(self, kernel):
        self.kernel = kernel
        self.dir = kernel.scst_dir('targets')
        # Rolling counter of automatic relative target port ids (gen_relative_target_port_id).
        self.next_rel_tgt_id = MIN_REL_TGT_ID
        self.copy_manager_target = None

    def start(self):
        """SCST core registers the copy manager itself (section 1.6)."""
        driver = self.register_driver(copy_manager.CopyManager(self.kernel))
        self.copy_manager_target = driver.start()

    # --------------------------------------------------------------------- modules (section 5)
    def load_module(self, module, params):
        """Called by modules.py when a target-driver module loads."""
        if module == 'scst_local':
            scst_local.load(self.kernel, params)
        elif module == 'iscsi_scst':
            iscsi.load(self.kernel, params)
        elif module == 'isert_scst':
            self.kernel.iscsi.isert_loaded = True
        elif module == 'qla2x00tgt':
            qla.load(self.kernel, params)
        elif module in ('ib_srpt', 'fcst'):
            self.register_driver(HardwareOnlyDriver(self.kernel, module))

    def unload_module(self, module):
        """Called by modules.py before a target-driver module's entry goes."""
        if module == 'isert_scst':
            self.kernel.iscsi.isert_loaded = False
            return
        self.unregister_driver(DRIVER_OF_MODULE.get(module))
        if module == 'iscsi_scst':
            self.kernel.iscsi = None
        elif module == 'qla2x00tgt':
            self.kernel.qla = None

    # --------------------------------------------------------------------------------- drivers
    def register_driver(self, driver):
        """``scst_tgtt_sysfs_create``: mgmt, driver attributes, dif_capabilities (section 1.4)."""
        driver.dir = self.dir.mkdir(driver.name)
        self.kernel.drivers[driver.name] = driver
        if driver.has_mgmt:
            driver.dir.add('mgmt', Attr(0o644, driver.mgmt_help, driver.mgmt_store, work=True))
        driver.add_driver_attrs(driver.dir)
        if driver.dif_supported:
            driver.dir.add('dif_capabilities', Attr(0o444, const(f'{driver.dif_capabilities}\n')))
        if driver.trace_flags:
            driver.dir.add('trace_level', trace_level_attr())
        return driver

    def unregister_driver(self, name):
        driver = self.kernel.drivers.get(name)
        if driver is None:
            return
        driver.unload()
        for target in list(driver.targets.values()):
            self.remove_target(target)
        del self.kernel.drivers[name]
        self.dir.remove(name)

    def find(self, name):
        """Every local target called ``name``, any driver (ALUA target groups, section 2.7)."""
        return [drv.targets[name] for drv in self.kernel.drivers.values() if name in drv.targets]

    # --------------------------------------------------------------------------------- targets
    def add_target(self, driver, name, hw=False):
        """``scst_register_target``: the target dir with core attributes, ACL dirs, driver files."""
        drv = self.kernel.drivers[driver] if isinstance(driver, str) else driver
        if name in drv.targets:
            raise KernelError(errno.EEXIST, f'Target {name} already exists in driver {drv.name}')
        target = Target(drv, name, hw)
        self._build(target)
        drv.targets[name] = target
        drv.dir.add(target.dir_name, target.dir)
        return target

    def del_target(self, driver, name):
        drv = self.kernel.drivers[driver] if isinstance(driver, str) else driver
        self.remove_target(drv.targets[name])

    def remove_target(self, target):
        """``scst_unregister_target``: sessions, LUNs, groups, ALUA target-group entries (section 2.3)."""
        self.kernel.acl.drop_target(target)
        drv = target.driver
        del drv.targets[target.name]
        drv.dir.remove(target.dir_name)
        self.kernel.alua.forget_target(target.name)

    def _build(self, target):
        """Entries in the kernel's creation order: default attributes, enabled, ACL dirs, DIF, driver."""
        add = target.dir.add
        add('rel_tgt_id', Attr(0o644, lambda: keyed(target.rel_tgt_id, target.rel_tgt_id != 0),
                               lambda text: self._rel_tgt_id_store(target, text), work=True))
        add('forward_src', Attr(0o644, lambda: keyed(target.forward_src, target.forward_src),
                                lambda text: _forward_src_store(target, text)))
        forward_dst = Attr(0o644, lambda: keyed(target.forward_dst, target.forward_dst),
                           lambda text: _first_char_flag(target, 'forward_dst', text))
        add('forward_dst', forward_dst)
        add('aen_disabled', Attr(0o644, lambda: keyed(target.aen_disabled, target.aen_disabled),
                                 lambda text: _first_char_flag(target, 'aen_disabled', text)))
        # Obsolete alias of forward_dst: same show and store.
        add('forwarding', Attr(0o644, forward_dst.show, forward_dst.store))
        add('comment', Attr(0o644, lambda: f'{target.comment}\n[key]\n' if target.comment else '',
                            lambda text: _comment_store(target, text)))
        add('sg_tablesize', Attr(0o444, const(f'{target.driver.sg_tablesize}\n')))
        self.kernel.acl.prepare_target(target)
        for attr_name, node in target.default_acg.attrs.nodes():
            add(attr_name, node)
        for stat in TARGET_STATS:
            add(stat, ReadWorkAttr(0o444, const('0\n')))
        if target.driver.has_enable:
            add('enabled', Attr(0o644, lambda: f'{int(target.enabled)}\n',
                                lambda text: self._enabled_store(target, text), work=True))
        self.kernel.acl.build_target(target)
        if target.driver.dif_supported:
            add('dif_capabilities', Attr(0o444, const(f'{target.driver.dif_capabilities}\n')))
            add('dif_checks_failed', Attr(0o644, const(DIF_CHECKS_FAILED), lambda _text: None))
        target.driver.add_target_attrs(target)

    # ------------------------------------------------------------------------- enabled (§1.4, §3.5)
    def _enabled_store(self, target, text):
        if not text or text[0] not in '01':
            raise einval(f'Requested action not understood: {text.strip()}')
        enable = text[0] == '1'
        if enable:
            if target.rel_tgt_id == 0:
                target.rel_tgt_id = self._free_rel_tgt_id()
                self.kernel.log(f'scst: Using autogenerated relative target id {target.rel_tgt_id} for target {target.name}')
            elif not self._rel_tgt_id_unique(target.rel_tgt_id, target):
                raise KernelError(errno.EBADSLT, f'Relative target id {target.rel_tgt_id} is not unique')
        target.driver.enable_target(target, enable)

    def _rel_tgt_id_unique(self, rel_tgt_id, target):
        for drv in self.kernel.drivers.values():
            for other in drv.targets.values():
                if other is not target and other.rel_tgt_id == rel_tgt_id and other.counts_as_enabled():
                    return False
        return True

    def _free_rel_tgt_id(self):
        """The next id of the rolling counter that no enabled target uses."""
        for _attempt in range(MAX_REL_TGT_ID):
            candidate = self.next_rel_tgt_id
            self.next_rel_tgt_id = candidate + 1 if candidate < MAX_REL_TGT_ID else MIN_REL_TGT_ID
            if self._rel_tgt_id_unique(candidate, None):
                return candidate
        raise KernelError(errno.EBADSLT, 'No free relative target id')

    def _rel_tgt_id_store(self, target, text):
        value = _kstrtoul_einval(text, 'Wrong rel_tgt_id')
        enabled = target.counts_as_enabled()
        # scst_is_relative_target_port_id_unique() takes a uint16_t: 65536 is compared as 0.
        if enabled and value != target.rel_tgt_id and not self._rel_tgt_id_unique(value & 0xffff, target):
            raise KernelError(errno.EBADSLT, f'Relative port id {value} is not unique')
        if not MIN_REL_TGT_ID <= value <= MAX_REL_TGT_ID and (value != 0 or enabled):
            raise einval(f'Invalid relative port id {value}')
        target.rel_tgt_id = value


class HardwareOnlyDriver(TargetDriver):
    """A driver whose targets come from hardware that the emulator does not have (ib_srpt, fcst)."""

    has_enable = True
    can_close_sessions = True

    def __init__(self, kernel, name):
        super().__init__(kernel)
        self.name = name


def _kstrtoul_einval(text, reason):
    try:
        return kstrtoull(text)
    except KernelError as exc:
        raise einval(reason) from exc


def _forward_src_store(target, text):
    """``kstrtoint`` then 0 or 1 (section 1.4): errors keep the parser's errno."""
    value = kstrtoint(text)
    if value not in (0, 1):
        raise einval(f'forward_src must be 0 or 1, not {value}')
    target.forward_src = value


def _first_char_flag(target, attr, text):
    """Stores that look only at the first character: ``0`` or ``1``; an empty write does nothing."""
    if not text:
        return
    if text[0] not in '01':
        raise einval(f'Requested action not understood: {text.strip()}')
    setattr(target, attr, int(text[0]))


def _comment_store(target, text):
    """One trailing newline is stripped; nothing left unsets the comment (section 1.4)."""
    if not text:
        return
    length = len(text.split('\0', 1)[0])
    if text.endswith('\n'):
        length -= 1
    target.comment = text[:length] or None
