"""Emulated kernel modules (SYSFS.md section 5): the module table, parameters, dependencies, /sys/module.

``modprobe`` here behaves like kmod's: dependencies load first, ``-`` and ``_`` are the same in names,
loading a loaded module is a silent no-op, an unknown parameter is logged and ignored by the kernel, a bad
value fails the load. The FC ports of the emulated QLogic HBAs appear under ``/sys/class`` while one of the
two drivers that own them (distribution ``qla2xxx`` or SCST's ``qla2xxx_scst``) is loaded.
"""

import errno

from .lexer import kstrtobool, kstrtoint, kstrtouint
from .nodes import Attr, Dir, KernelError, const

KERNEL_RELEASE = '6.1.0-emulated-amd64'
SCST_VERSION = '3.11.0-pre'

# Errno names exactly as modprobe prints them (strerror).
_STRERROR = {errno.EINVAL: 'Invalid argument', errno.ENOEXEC: 'Exec format error', errno.ENOENT: 'No such file or directory',
             errno.EEXIST: 'File exists', errno.ENODEV: 'No such device', errno.ENOMEM: 'Cannot allocate memory'}

QLINI_MODES = ('exclusive', 'disabled', 'enabled', 'dual')


class ModuleError(Exception):
    """A failed modprobe/rmmod: ``message`` is the tool's stderr line, ``exit_code`` its status."""

    def __init__(self, message, exit_code=1):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class Param:
    """One module parameter: ``kind`` is bool, int, uint or charp; ``perm`` 0 means no sysfs file."""

    def __init__(self, name, kind, default, perm=0o444, check=None):
        self.name = name
        self.kind = kind
        self.default = default
        self.perm = perm
        self.check = check

    def parse(self, text):
        """Parse like the kernel's param_set_* ops; raise KernelError(EINVAL) on a bad value.

        ``text`` is None for a parameter given without ``=value``: true for a bool, an error otherwise.
        """
        if text is None:
            if self.kind != 'bool':
                raise KernelError(errno.EINVAL, f'{self.name} needs a value')
            return True
        if self.kind == 'bool':
            value = kstrtobool(text)
        elif self.kind == 'int':
            value = kstrtoint(text)
        elif self.kind == 'uint':
            value = kstrtouint(text)
        else:
            value = text
        if self.check:
            value = self.check(value)
        return value

    def show(self, value):
        if self.kind == 'bool':
            return 'Y\n' if value else 'N\n'
        return f'{value}\n'


class Spec:
    """A module of the table: what it needs, which parameters it has, which sub-model loads it."""

    def __init__(self, name, deps=(), params=(), hook=None, size=16384, conflicts=()):
        self.name = name
        self.deps = deps
        self.params = {param.name: param for param in params}
        self.hook = hook
        self.size = size
        self.conflicts = conflicts


def _check_qlini_mode(value):
    mode = value.strip().lower()
    if mode not in QLINI_MODES:
        raise KernelError(errno.EINVAL, f'qlt_parse_ini_mode: ql2x_ini_mode={value} is invalid.')
    return mode


def _qla_params():
    return (Param('qlini_mode', 'charp', 'exclusive', 0o444, _check_qlini_mode),
            Param('ql2xextended_error_logging', 'int', 0, 0o644),
            Param('ql2xmaxqdepth', 'int', 64, 0o644),
            Param('ql2xexchoffld', 'uint', 0, 0o644),
            Param('ql2xiniexchg', 'uint', 0, 0o644))


def _table(cpus):
    """Every module the emulated machine has (name -> Spec)."""
    specs = [
        Spec('scst', params=(
            Param('scst_threads', 'int', cpus), Param('scst_max_cmd_mem', 'int', 2048),
            Param('scst_max_dev_cmd_mem', 'int', 819), Param('forcibly_close_sessions', 'bool', False, 0o644),
            Param('auto_cm_assignment', 'bool', True, 0o644), Param('async_lun_replace', 'bool', False, 0o644),
            Param('alua_invariant_check', 'bool', False, 0o644)), hook='core', size=1347584),
        Spec('scst_vdisk', ('scst',), (Param('num_threads', 'int', 8),), 'devs', 274432),
        Spec('scst_user', ('scst',), (), 'devs', 94208),
        Spec('scsi_transport_fc', (), (), None, 81920),
        Spec('qla2xxx', ('scsi_transport_fc',), _qla_params(), 'fc', 1064960, ('qla2xxx_scst',)),
        Spec('qla2xxx_scst', ('scsi_transport_fc',), _qla_params(), 'fc', 1146880, ('qla2xxx',)),
        Spec('qla2x00tgt', ('scst', 'qla2xxx_scst'), (), 'targets', 94208),
        Spec('iscsi_scst', ('scst',), (), 'targets', 299008),
        Spec('isert_scst', ('iscsi_scst', 'rdma_cm'), (), 'targets', 57344),
        Spec('scst_local', ('scst',), (Param('add_default_tgt', 'bool', True),), 'targets', 40960),
        Spec('ib_core', (), (), None, 454656),
        Spec('rdma_cm', ('ib_core',), (), None, 135168),
        Spec('ib_srpt', ('scst', 'rdma_cm'), (Param('srp_max_req_size', 'int', 8192), Param('srpt_srq_size', 'int', 4095)),
             'targets', 81920),
        Spec('libfc', ('scsi_transport_fc',), (), None, 151552),
        Spec('fcst', ('scst', 'libfc'), (), 'targets', 65536),
    ]
    for handler in ('disk', 'tape', 'cdrom', 'changer', 'modisk', 'processor', 'raid'):
        specs.append(Spec(f'scst_{handler}', ('scst',), (), 'devs', 20480))
    return {spec.name: spec for spec in specs}


def canonical(name):
    """kmod treats ``-`` and ``_`` in module names alike; the kernel's name uses ``_``."""
    return name.replace('-', '_')


class _Loaded:
    def __init__(self, spec, values):
        self.spec = spec
        self.values = values
        self.holders = 0


class Modules:
    """The loaded-module table of one kernel (``kernel.modules``)."""

    def __init__(self, kernel):
        self.kernel = kernel
        self.table = _table(kernel.cpus)
        self.loaded = {}
        self.fc = FcHosts(kernel)

    @property
    def fc_hosts(self):
        return self.fc.hosts

    def is_loaded(self, name):
        return canonical(name) in self.loaded

    def param(self, module, name):
        return self.loaded[canonical(module)].values[name]

    # ------------------------------------------------------------------------------------- modprobe
    def spec(self, name):
        """The module's entry (what modules.dep gives kmod); ModuleError in kmod's words when there is none."""
        spec = self.table.get(canonical(name))
        if spec is None:
            raise ModuleError(f'modprobe: FATAL: Module {name} not found in directory /lib/modules/{KERNEL_RELEASE}')
        return spec

    def modprobe(self, name, params):
        self._load(self.spec(name), params)

    def _load(self, spec, params):
        if spec.name in self.loaded:
            return
        for dep in spec.deps:
            self._load(self.table[dep], {})
        for other in spec.conflicts:
            if other in self.loaded:
                # Both drivers export the same qlt_* symbols: the second one cannot be linked.
                self.kernel.log(f'{spec.name}: exports duplicate symbol qlt_lport_register (owned by {other})')
                raise self._insert_error(spec.name, errno.ENOEXEC)
        values = self._parse_params(spec, params)
        loaded = _Loaded(spec, values)
        self.loaded[spec.name] = loaded
        self._make_sysfs(loaded)
        try:
            self._hook_load(spec, values)
        except KernelError as exc:
            self.kernel.log(f'{spec.name}: {exc.reason}')
            self._hook_unload_quietly(spec)
            self.loaded.pop(spec.name)
            self.kernel.module_dir.remove(spec.name)
            raise self._insert_error(spec.name, exc.errno) from None

    def _parse_params(self, spec, params):
        values = {name: param.default for name, param in spec.params.items()}
        for name, raw in params.items():
            param = spec.params.get(name)
            if param is None:
                self.kernel.log(f"{spec.name}: unknown parameter '{name}' ignored")
                continue
            try:
                values[name] = param.parse(None if raw is None else str(raw))
            except KernelError as exc:
                if name == 'qlini_mode':
                    self.kernel.log(f'{spec.name}: {exc.reason}')
                else:
                    self.kernel.log(f"{spec.name}: '{raw}' invalid for parameter '{name}'")
                raise self._insert_error(spec.name, errno.EINVAL) from None
        return values

    @staticmethod
    def _insert_error(name, code):
        reason = _STRERROR.get(code, errno.errorcode.get(code, str(code)))
        return ModuleError(f"modprobe: ERROR: could not insert '{name}': {reason}")

    def _hook_load(self, spec, values):
        kernel = self.kernel
        if spec.hook == 'core':
            kernel.scst_up(values)
            kernel.log(f'scst: SCST version {SCST_VERSION} loaded successfully (max mem for commands '
                       f"{values['scst_max_cmd_mem']}MB, per device {values['scst_max_dev_cmd_mem']}MB)")
        elif spec.hook == 'devs':
            kernel.devs.load_module(spec.name, values)
        elif spec.hook == 'targets':
            kernel.targets.load_module(spec.name, values)
        elif spec.hook == 'fc':
            self.fc.attach(spec.name, values)

    def _hook_unload(self, spec):
        kernel = self.kernel
        if spec.hook == 'core':
            kernel.scst_down()
        elif spec.hook == 'devs':
            kernel.devs.unload_module(spec.name)
        elif spec.hook == 'targets':
            kernel.targets.unload_module(spec.name)
        elif spec.hook == 'fc':
            self.fc.detach()

    def _hook_unload_quietly(self, spec):
        """Undo a half-done load; the load error is what the caller must see."""
        try:
            self._hook_unload(spec)
        except KernelError as exc:
            self.kernel.log(f'{spec.name}: cleanup after failed load: {exc.reason}')

    # ---------------------------------------------------------------------------------------- rmmod
    def users(self, name):
        return [other for other, mod in self.loaded.items() if name in mod.spec.deps]

    def holders(self, name):
        """References that are not modules: the iSCSI daemon holds iscsi_scst through its control device."""
        if name == 'iscsi_scst' and self.kernel.iscsi is not None and getattr(self.kernel.iscsi, 'daemon_attached', False):
            return 1
        return 0

    def rmmod(self, name):
        key = canonical(name)
        mod = self.loaded.get(key)
        if mod is None:
            raise ModuleError(f'rmmod: ERROR: Module {key} is not currently loaded')
        users = self.users(key)
        if users:
            raise ModuleError(f'rmmod: ERROR: Module {key} is in use by: {" ".join(users)}')
        if self.holders(key):
            raise ModuleError(f'rmmod: ERROR: Module {key} is in use')
        self._hook_unload(mod.spec)
        del self.loaded[key]
        self.kernel.module_dir.remove(key)

    def lsmod(self):
        """``lsmod`` rows, most recently loaded first: (name, size, refcnt, [users])."""
        rows = []
        for name in reversed(list(self.loaded)):
            users = self.users(name)
            rows.append((name, self.loaded[name].spec.size, len(users) + self.holders(name), users))
        return rows

    def info(self):
        return {name: dict(mod.values) for name, mod in self.loaded.items()}

    # ----------------------------------------------------------------------------------- /sys/module
    def _make_sysfs(self, loaded):
        name = loaded.spec.name
        top = self.kernel.module_dir.add(name, Dir())
        if any(param.perm for param in loaded.spec.params.values()):
            params_dir = top.mkdir('parameters')
            for param in loaded.spec.params.values():
                if param.perm:
                    params_dir.add(param.name, self._param_attr(loaded, param))
        top.add('refcnt', Attr(0o444, lambda: f'{len(self.users(name)) + self.holders(name)}\n'))
        top.add('initstate', Attr(0o444, const('live\n')))

    @staticmethod
    def _param_attr(loaded, param):
        def store(text):
            loaded.values[param.name] = param.parse(text)

        writable = param.perm & 0o222
        return Attr(param.perm, lambda: param.show(loaded.values[param.name]), store if writable else None)


def parse_wwn(text):
    """A WWN given as ``0x21000024ff314c48``, ``21000024ff314c48`` or ``21:00:00:24:ff:31:4c:48``."""
    digits = text.strip().lower()
    digits = digits[2:] if digits.startswith('0x') else digits
    return int(digits.replace(':', ''), 16)


def colon_wwn(value):
    """SCST's name of a port: 8 lower-case hex bytes separated by ``:`` (§7)."""
    raw = f'{value:016x}'
    return ':'.join(raw[i:i + 2] for i in range(0, 16, 2))


class FcHost:
    """One emulated QLogic port: ``/sys/class/fc_host/hostN`` and ``/sys/class/scsi_host/hostN``."""

    def __init__(self, host_no, wwpn, wwnn, driver, qlini_mode, parent=None):
        self.host_no = host_no
        self.wwpn = wwpn
        self.wwnn = wwnn
        self.driver = driver
        self.qlini_mode = qlini_mode
        self.parent = parent
        self.name_colon = colon_wwn(self.wwpn)
        self.node_colon = colon_wwn(self.wwnn)
        self.scsi_host_dir = None


class FcHosts:
    """The FC ports, present while a QLogic driver (``qla2xxx`` or ``qla2xxx_scst``) is loaded.

    ``hosts`` holds the physical ports; NPIV virtual ports made by qla2x00t ``add_target`` (§7) get their
    own SCSI host too and are kept in ``vports``.
    """

    def __init__(self, kernel):
        self.kernel = kernel
        self.hosts = []
        self.vports = []
        self.values = {}

    def _free_host_no(self):
        """The lowest unused SCSI host number (the kernel allocates them from an IDA)."""
        used = {int(hctl.split(':')[0]) for hctl, _type, _model in self.kernel.scsi_device_specs}
        used |= {host.host_no for host in self.hosts + self.vports}
        number = 0
        while number in used:
            number += 1
        return number

    def attach(self, driver, values):
        self.values = values
        for index, text in enumerate(self.kernel.fc_port_wwpns):
            wwpn = parse_wwn(text)
            # QLogic node names differ from the port name in the first byte (0x20 instead of 0x21).
            wwnn = (wwpn & ((1 << 56) - 1)) | (0x20 << 56)
            host = FcHost(self._free_host_no(), wwpn, wwnn, driver, values['qlini_mode'])
            self.hosts.append(host)
            self._create(host, 'NPort (fabric via point-to-point)', f'QLE2672 FW:v8.08.231 DVR:v10.02.09.{index}00-k')
            self.kernel.log(f'{driver} [0000:0{index + 3}:00.0]-00fb:{host.host_no}: QLogic QLE2672 - PCIe 16Gb FC HBA.')

    def add_vport(self, parent, wwpn, wwnn):
        """An NPIV virtual port on ``parent`` (qla2x00t NPIV add_target, §7)."""
        host = FcHost(self._free_host_no(), wwpn, wwnn, parent.driver, parent.qlini_mode, parent)
        self.vports.append(host)
        self._create(host, 'NPIV VPORT', f'QLE2672 FW:v8.08.231 DVR:v10.02.09.100-k (vport of host{parent.host_no})')
        return host

    def remove_vport(self, host):
        self.vports.remove(host)
        self._destroy(host)

    def _create(self, host, port_type, symbolic_name):
        kernel = self.kernel
        name = f'host{host.host_no}'
        fc_dir = kernel.fc_host_dir.mkdir(name)
        for attr, value in (('port_name', f'0x{host.wwpn:x}'), ('node_name', f'0x{host.wwnn:x}'),
                            ('port_state', 'Online'), ('port_type', port_type), ('speed', '16 Gbit'),
                            ('symbolic_name', symbolic_name)):
            fc_dir.add(attr, Attr(0o444, const(f'{value}\n')))
        host.scsi_host_dir = kernel.scsi_host_dir.mkdir(name)
        host.scsi_host_dir.add('proc_name', Attr(0o444, const('qla2xxx\n')))
        if host.qlini_mode == 'dual':
            self._dual_mode_files(host, self.values)

    def _destroy(self, host):
        self.kernel.fc_host_dir.remove(f'host{host.host_no}')
        self.kernel.scsi_host_dir.remove(f'host{host.host_no}')

    @staticmethod
    def _dual_mode_files(host, values):
        """The per-host files that only dual mode creates (§7)."""
        def store_mode(text):
            mode = text.strip().lower()
            if mode not in QLINI_MODES:
                raise KernelError(errno.EINVAL, f'qlini_mode: invalid value "{text.strip()}"')
            host.qlini_mode = mode

        host_dir = host.scsi_host_dir
        host_dir.add('qlini_mode', Attr(0o644, lambda: ('Supported options: enabled | disabled | dual | exclusive\n'
                                                        f'Current selection: {host.qlini_mode}\n'), store_mode))
        for name in ('ql2xexchoffld', 'ql2xiniexchg'):
            counts = {'value': values[name]}
            host_dir.add(name, Attr(0o644, lambda counts=counts: f'{counts["value"]}\n',
                                    lambda text, counts=counts: counts.update(value=kstrtouint(text))))

    def detach(self):
        for host in self.vports + self.hosts:
            self._destroy(host)
        self.hosts = []
        self.vports = []
