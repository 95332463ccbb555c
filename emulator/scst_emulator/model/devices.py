"""Dev handlers and SCST devices (SYSFS.md sections 1.2, 1.3, 2.1, 2.2 and 10).

A ``Handler`` is ``handlers/<name>/``; a ``Device`` is ``devices/<name>/`` with the core entries of §1.3.
Devices of the vdisk family (``VDisk``) add the attributes of §10, all described by one table
(``_VDISK_ATTRS``) so that presence per handler, the creation-time parameters and the ``[key]`` rule live in
one place. Pass-through devices (``H:C:I:L``) exist from the moment ``scst`` loads and are only assigned to
and unassigned from pass-through handlers.
"""

import errno
import os
import stat

from .attrs import ReadWorkAttr, trace_level_attr
from .lexer import first_line, keyword, kstrtoint, kstrtoll, kstrtoull, lexems, next_lexem, parse_params
from .nodes import Attr, Dir, KernelError, Link, const, keyed

TYPE_NAMES = ('Direct-access device (e.g., magnetic disk)', 'Sequential-access device (e.g., magnetic tape)',
              'Printer device', 'Processor device', 'Write-once device (e.g., some optical disks)', 'CD-ROM device',
              'Scanner device (obsolete)', 'Optical memory device (e.g., some optical disks)',
              'Medium changer device (e.g., jukeboxes)', 'Communications device (obsolete)',
              'Defined by ASC IT8 (Graphic arts pre-press devices)', 'Defined by ASC IT8 (Graphic arts pre-press devices)',
              'Storage array controller device (e.g., RAID)', 'Enclosure services device',
              'Simplified direct-access device (e.g., magnetic disk)', 'Optical card reader/writer device')

# Pass-through handler modules and the handlers each registers, with their SCSI type (§5).
PASSTHROUGH_MODULES = {
    'scst_disk': (('dev_disk', 0), ('dev_disk_perf', 0)),
    'scst_tape': (('dev_tape', 1), ('dev_tape_perf', 1)),
    'scst_cdrom': (('dev_cdrom', 5),),
    'scst_changer': (('dev_changer', 8),),
    'scst_modisk': (('dev_modisk', 7), ('dev_modisk_perf', 7)),
    'scst_processor': (('dev_processor', 3),),
    'scst_raid': (('dev_raid', 12),),
}
FILEIO, BLOCKIO, NULLIO, CDROM = 'vdisk_fileio', 'vdisk_blockio', 'vdisk_nullio', 'vcdrom'
VDISK_HANDLERS = ((FILEIO, 0), (BLOCKIO, 0), (NULLIO, 0), (CDROM, 5))

# The advertised add_device parameters of each vdisk handler, in the order of their help text (§2.1).
ADVERTISED = {
    FILEIO: ('active', 'async', 'bind_alua_state', 'blocksize', 'cluster_mode', 'dif_filename', 'dif_mode',
             'dif_static_app_tag', 'dif_type', 'filename', 'numa_node_id', 'nv_cache', 'o_direct', 'read_only',
             'removable', 'rotational', 'thin_provisioned', 'tst', 't10_dev_id', 'write_through'),
    BLOCKIO: ('active', 'bind_alua_state', 'blocksize', 'cluster_mode', 'dif_filename', 'dif_mode',
              'dif_static_app_tag', 'dif_type', 'filename', 'numa_node_id', 'nv_cache', 'read_only', 'removable',
              'rotational', 'thin_provisioned', 'tst', 't10_dev_id', 'write_through'),
    NULLIO: ('blocksize', 'cluster_mode', 'dif_mode', 'dif_static_app_tag', 'dif_type', 'dummy', 'numa_node_id',
             'read_only', 'removable', 'rotational', 'size', 'size_mb', 'tst', 't10_dev_id'),
    CDROM: ('tst',),
}
# Every name the vdisk parameter parser knows; vdisk_fileio accepts all of them (§2.1, appendix C).
KNOWN_PARAMS = frozenset(ADVERTISED[FILEIO] + ADVERTISED[NULLIO] + ('lb_per_pb_exp', 'opt_trans_len'))

MAX_VDISK_NAME = 64
DEFAULT_MAX_TGT_DEV_COMMANDS = 64
NULLIO_SIZE = 2748779069440
OPT_TRANS_LEN = 524288
PROD_REV_LVL = '3110'
PASSTHROUGH_HELP = 'Usage: echo "add_device H:C:I:L" >mgmt\n       echo "del_device H:C:I:L" >mgmt\n'
DIF_MODES = ('tgt', 'scst', 'dev_check', 'dev_store')


def type_text(scsi_type):
    """``"%d - %s\\n"`` of a handler/device ``type`` file (§1.2)."""
    name = TYPE_NAMES[scsi_type] if 0 <= scsi_type < len(TYPE_NAMES) else 'unknown'
    return f'{scsi_type} - {name}\n'


def vdisk_help(handler):
    return ('Usage: echo "add_device device_name [parameters]" >mgmt\n'
            '       echo "del_device device_name" >mgmt\n\n'
            "where parameters are one or more param_name=value pairs separated by ';'\n\n"
            f'The following parameters available: {", ".join(ADVERTISED[handler])}\n\n')


def _crc32c_table():
    table = []
    for byte in range(256):
        crc = byte
        for dummy in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC32C = _crc32c_table()


def crc32c_raw(data, crc=0):
    """Reflected CRC-32C without the usual pre/post inversion, as SCST's dev_id derivation uses it (§10)."""
    for byte in data:
        crc = _CRC32C[(crc ^ byte) & 0xff] ^ (crc >> 8)
    return crc


def _prefix_match(text, word):
    """``strncasecmp(text, word, min(strlen(word), len))``: how SCST matches some keywords."""
    size = min(len(word), len(text))
    return text[:size].lower() == word[:size]


class Handler:
    """``handlers/<name>/``: one registered dev handler."""

    def __init__(self, model, name, scsi_type, module, kind):
        self.name = name
        self.type = scsi_type
        self.module = module
        self.kind = kind            # 'vdisk', 'passthrough' or 'user'
        self.devices = {}
        self.dir = model.kernel.scst_dir('handlers').mkdir(name)
        self.dir.add('type', Attr(0o444, const(type_text(scsi_type))))
        if kind == 'vdisk':
            self.dir.add('mgmt', Attr(0o644, const(vdisk_help(name)), lambda text: model.vdisk_store(self, text), work=True))
        elif kind == 'passthrough':
            self.dir.add('mgmt', Attr(0o644, const(PASSTHROUGH_HELP),
                                      lambda text: model.passthrough_mgmt_store(self, text), work=True))
        self.dir.add('trace_level', trace_level_attr())


class Device:
    """``devices/<name>/`` with the core entries every SCST device has (§1.3)."""

    def __init__(self, kernel, name, scsi_type):
        self.kernel = kernel
        self.name = name
        self.type = scsi_type
        self.handler = None
        self.read_only = False
        self.dif = False
        self.cluster_mode = False
        self.exports = {}
        self.next_export = 0
        self.max_tgt_dev_commands = DEFAULT_MAX_TGT_DEV_COMMANDS
        self.numa_node_id = -1
        self.blocks = 0
        self.pr_file_name = None
        self.dir = Dir()
        self.exported = Dir()

    def build_core(self):
        """Create the core files; a separate step so that subclasses can set their state first."""
        add = self.dir.add
        add('type', Attr(0o444, const(type_text(self.type))))
        add('exported', self.exported)
        add('max_tgt_dev_commands', Attr(0o644, lambda: keyed(self.max_tgt_dev_commands, self.max_tgt_dev_commands
                                                              != DEFAULT_MAX_TGT_DEV_COMMANDS), self._store_max_cmds))
        add('numa_node_id', Attr(0o644, lambda: keyed(self.numa_node_id, self.numa_node_id != -1), self._store_numa))
        add('block', Attr(0o644, lambda: f'{self.blocks} 0\n', self._store_block))
        add('pr_state', Attr(0o644, const(''), lambda text: None, work=True))
        add('pr_file_name', Attr(0o644, self._show_pr_file_name, self._store_pr_file_name, work=True))
        add('dump_prs', Attr(0o200, const(''), lambda text: self.kernel.log(f'scst: PR dump of device {self.name}')))

    # Exported LUNs (§1.3): the counter never goes back, so a re-created LUN gets a new exportN.
    def export(self, lun):
        name = f'export{self.next_export}'
        self.next_export += 1
        self.exports[name] = lun
        self.exported.add(name, Link(lun.export_target))
        return name

    def unexport(self, name):
        self.exports.pop(name, None)
        self.exported.remove(name)

    def set_handler(self, handler):
        if self.handler is not None:
            self.dir.remove('handler')
            self.handler.dir.remove(self.name)
            del self.handler.devices[self.name]
        self.handler = handler
        if handler is not None:
            self.dir.add('handler', Link(f'../../handlers/{handler.name}'))
            handler.dir.add(self.name, Link(f'../../devices/{self.name}'))
            handler.devices[self.name] = self

    def _store_max_cmds(self, text):
        value = kstrtoint(text)
        if value < 0:
            raise KernelError(errno.EINVAL, f'Invalid max_tgt_dev_commands {value}')
        self.max_tgt_dev_commands = value

    def _store_numa(self, text):
        value = kstrtoint(text)
        if value < -1:
            raise KernelError(errno.EINVAL, f'Invalid numa_node_id {value}')
        self.numa_node_id = value

    def _store_block(self, text):
        words = lexems(text)
        if words == ['0']:
            self.blocks = max(0, self.blocks - 1)
        elif words == ['1'] or (len(words) >= 2 and words[:2] == ['1', '1']):
            self.blocks += 1
        else:
            raise KernelError(errno.EINVAL, f'Invalid block command "{first_line(text)}"')

    def _show_pr_file_name(self):
        if self.pr_file_name is None:
            return f'/var/lib/scst/pr/{self.name}\n'
        return f'{self.pr_file_name}\n[key]\n'

    def _store_pr_file_name(self, text):
        if self.cluster_mode:
            raise KernelError(errno.EPERM, f'Device {self.name}: cannot change pr_file_name in cluster mode')
        if self.exports:
            raise KernelError(errno.EBUSY, f'Device {self.name} is exported: cannot change pr_file_name')
        self.pr_file_name = first_line(text) or None


class PassThroughDevice(Device):
    """A local SCSI device ``H:C:I:L`` (§2.2): present while ``scst`` is loaded, handler assigned by mgmt."""

    def __init__(self, kernel, hctl, scsi_type, model_name):
        super().__init__(kernel, hctl, scsi_type)
        self.hctl = tuple(int(part) for part in hctl.split(':'))
        self.model_name = model_name
        self.build_core()
        host, channel, target, _lun = self.hctl
        self.dir.add('scsi_device', Link(f'../../../../devices/platform/host{host}/target{host}:{channel}:{target}/{hctl}'))


class DeviceModel:
    """``kernel.devs``: the handler modules and the devices; the registries live in the kernel."""

    def __init__(self, kernel):
        self.kernel = kernel
        self.usns = {}              # USN -> number of vdisk devices using it (add_device collision check)
        self.num_threads = 8
        self.by_hctl = {}

    def start(self):
        """``scst`` found the local SCSI devices: ``devices/H:C:I:L`` without a handler (§1.6)."""
        for hctl, scsi_type, model_name in self.kernel.scsi_device_specs:
            device = PassThroughDevice(self.kernel, hctl, scsi_type, model_name)
            self._register(device)
            self.by_hctl[device.hctl] = device

    def _register(self, device):
        self.kernel.devices[device.name] = device
        self.kernel.scst_dir('devices').add(device.name, device.dir)

    # --------------------------------------------------------------------------------- handler modules
    def load_module(self, module, params):
        if module == 'scst_vdisk':
            self.num_threads = params['num_threads']
            for name, scsi_type in VDISK_HANDLERS:
                self._add_handler(name, scsi_type, module, 'vdisk')
        elif module == 'scst_user':
            self._add_handler('scst_user', -1, module, 'user')
        else:
            for name, scsi_type in PASSTHROUGH_MODULES[module]:
                self._add_handler(name, scsi_type, module, 'passthrough')

    def _add_handler(self, name, scsi_type, module, kind):
        self.kernel.handlers[name] = Handler(self, name, scsi_type, module, kind)

    def unload_module(self, module):
        """The handler module goes: its virtual devices are deleted, pass-through ones unassigned."""
        for name, handler in list(self.kernel.handlers.items()):
            if handler.module != module:
                continue
            for device in list(handler.devices.values()):
                if handler.kind == 'vdisk':
                    self.delete_vdisk(device)
                else:
                    device.set_handler(None)
            self.kernel.scst_dir('handlers').remove(name)
            del self.kernel.handlers[name]

    # ------------------------------------------------------------------------------------ vdisk mgmt
    def vdisk_store(self, handler, text):
        """``handlers/<vdisk handler>/mgmt`` (§2.1)."""
        cmd, pos = next_lexem(text)
        action = keyword(cmd, 'add_device', 'del_device')
        if action is None:
            raise KernelError(errno.EINVAL, f'Unknown action "{cmd}"')
        name, pos = next_lexem(text, pos)
        if not name:
            raise KernelError(errno.EINVAL, 'Device name required')
        if action == 'add_device':
            self.add_vdisk(handler, name, text[pos:])
            return
        if lexems(text[pos:]):
            raise KernelError(errno.EINVAL, f'Too many parameters for del_device {name}')
        device = self.kernel.devices.get(name)
        if not isinstance(device, VDisk):
            raise KernelError(errno.EINVAL, f'Device {name} not found')
        self.delete_vdisk(device)

    def add_vdisk(self, handler, name, param_text):
        if len(name) > MAX_VDISK_NAME:
            raise KernelError(errno.EINVAL, f'Device name {name} too long (max {MAX_VDISK_NAME} characters)')
        if name in self.kernel.devices:
            raise KernelError(errno.EEXIST, f'Device {name} already exists')
        settings = parse_vdisk_params(handler.name, name, param_text)
        if '/' in name or '.' in name:
            raise KernelError(errno.EINVAL, f'Device name "{name}" contains "/" or "."')
        device = VDisk(self.kernel, handler, name, settings, self.num_threads)
        if device.usn in self.usns:
            raise KernelError(errno.EEXIST, f'Device {name}: USN {device.usn} already used by another device')
        device.open_backing()
        device.build_core()
        self._register(device)
        self.usn_taken(device.usn)
        device.set_handler(handler)
        device.build_handler_attrs()
        self.kernel.log(f'dev_vdisk: Registered virtual device {name} (handler {handler.name}, '
                        f'size {device.size >> 20}MB, bs {device.blocksize})')
        if handler.name != CDROM and self.kernel.param('scst', 'auto_cm_assignment'):
            self.kernel.acl.copy_manager_auto_lun(device)

    def delete_vdisk(self, device):
        """del_device (§2.1): no EBUSY, every LUN and the ALUA membership go first."""
        self.kernel.acl.unmap_device(device)
        self.kernel.alua.forget_device(device)
        device.set_handler(None)
        self.usn_released(device.usn)
        self.kernel.scst_dir('devices').remove(device.name)
        del self.kernel.devices[device.name]
        self.kernel.log(f'dev_vdisk: Virtual device {device.name} unregistered')

    def usn_taken(self, usn):
        self.usns[usn] = self.usns.get(usn, 0) + 1

    def usn_released(self, usn):
        left = self.usns.get(usn, 0) - 1
        if left > 0:
            self.usns[usn] = left
        else:
            self.usns.pop(usn, None)

    # ----------------------------------------------------------------------------- pass-through mgmt
    def passthrough_mgmt_store(self, handler, text):
        """``handlers/<pass-through handler>/mgmt`` (§2.2)."""
        cmd, pos = next_lexem(text)
        action = keyword(cmd, 'add_device', 'del_device')
        if action is None:
            raise KernelError(errno.EINVAL, f'Unknown action "{cmd}"')
        hctl_text, pos = next_lexem(text, pos)
        if not hctl_text:
            raise KernelError(errno.EINVAL, 'Device H:C:I:L required')
        if lexems(text[pos:]):
            raise KernelError(errno.EINVAL, f'Too many parameters for {action}')
        device = self.by_hctl.get(_parse_hctl(hctl_text))
        if device is None:
            raise KernelError(errno.EINVAL, f'Device {hctl_text} not found')
        if action == 'add_device':
            if device.type != handler.type:
                raise KernelError(errno.EINVAL, f'Device {device.name} has type {device.type}, handler {handler.name} '
                                                f'type {handler.type}')
            if device.handler is not handler:
                device.set_handler(handler)
            return
        if device.handler is not handler:
            raise KernelError(errno.EINVAL, f'Device {device.name} is not assigned to handler {handler.name}')
        device.set_handler(None)


def _parse_hctl(text):
    """``sscanf(devstr, "%u:%u:%u:%llu")`` == 4 as the kernel's vsscanf does it: decimal digits only (no sign),
    each ``:`` matched literally, anything after the fourth number ignored, ``%u`` truncated to 32 bits and
    ``%llu`` to 64 (no range error)."""
    values = []
    pos = 0
    for index, bits in enumerate((32, 32, 32, 64)):
        if index:
            if text[pos:pos + 1] != ':':
                break
            pos += 1
        start = pos
        while pos < len(text) and text[pos] in '0123456789':
            pos += 1
        if pos == start:
            break
        values.append(int(text[start:pos]) % (1 << bits))
    if len(values) != 4:
        raise KernelError(errno.EINVAL, f'Syntax error on "{text}"')
    return tuple(values)


# ------------------------------------------------------------------------------------------ vdisk (§10)
_BOOL_BITS = ('read_only', 'write_through', 'nv_cache', 'o_direct', 'async', 'thin_provisioned', 'removable',
              'rotational', 'active', 'bind_alua_state', 'cluster_mode', 'lb_per_pb_exp')
# Identity strings: attribute -> longest accepted value (§10).
_ID_LIMITS = {'t10_dev_id': 25, 't10_vend_id': 8, 'vend_specific_id': 128, 'prod_id': 16, 'prod_rev_lvl': 4,
              'scsi_device_name': 256, 'usn': 20, 'inq_vend_specific': 160}


def parse_vdisk_params(handler, name, text):
    """The add_device parameter list of a vdisk handler, typed and checked (§2.1); returns a dict."""
    allowed = KNOWN_PARAMS if handler == FILEIO else ADVERTISED[handler]
    raw = {}
    for key, value in parse_params(text):
        low = key.lower()
        if low not in KNOWN_PARAMS or low not in allowed:
            raise KernelError(errno.EINVAL, f'Unknown parameter {key} (device {name})')
        if low == 'filename' and low in raw:
            raise KernelError(errno.EINVAL, f'filename given twice (device {name})')
        raw[low] = value
    settings = {}
    for key, value in raw.items():
        settings[key] = _convert_param(key, value, name)
    _check_combinations(handler, name, settings)
    return settings


def _convert_param(key, value, name):
    if key in ('filename', 'dif_filename'):
        if not value.startswith('/'):
            raise KernelError(errno.EINVAL, f'{key} {value} must be an absolute path (device {name})')
        return value
    if key == 't10_dev_id':
        if len(value) > _ID_LIMITS['t10_dev_id']:
            raise KernelError(errno.EINVAL, f't10_dev_id {value} too long (device {name})')
        return value
    if key == 'dif_mode':
        return _parse_dif_mode(value, name)
    if key == 'numa_node_id':
        number = kstrtoll(value)
        if number < -1:
            raise KernelError(errno.EINVAL, f'Invalid numa_node_id {number} (device {name})')
        return number
    number = kstrtoull(value)
    if key in _BOOL_BITS:
        # 1-bit fields in the kernel: only the lowest bit survives (read_only=2 is 0).
        return number & 1
    if key == 'tst' and number > 1:
        raise KernelError(errno.EINVAL, f'Invalid tst {number} (device {name})')
    if key == 'dummy' and number > 1:
        raise KernelError(errno.EINVAL, f'Invalid dummy {number} (device {name})')
    if key == 'dif_type' and number > 3:
        raise KernelError(errno.EINVAL, f'Invalid dif_type {number} (device {name})')
    if key == 'size_mb':
        return number << 20
    return number


def _parse_dif_mode(value, name):
    modes = []
    for token in value.split('|'):
        mode = keyword(token, 'none', *DIF_MODES)
        if mode is None:
            raise KernelError(errno.EINVAL, f'Invalid dif_mode {value} (device {name})')
        if mode != 'none':
            modes.append(mode)
    return modes


def _check_combinations(handler, name, settings):
    if handler in (FILEIO, BLOCKIO) and 'filename' not in settings:
        raise KernelError(errno.EINVAL, f'File name required (device {name})')
    if handler == FILEIO and settings.get('read_only') and (settings.get('write_through') or settings.get('nv_cache')):
        raise KernelError(errno.EINVAL, f'read_only is incompatible with write_through and nv_cache (device {name})')
    if handler == FILEIO and settings.get('o_direct') and not settings.get('async'):
        raise KernelError(errno.EINVAL, f'o_direct requires async=1 (device {name})')
    dif_type = settings.get('dif_type', 0)
    if dif_type == 0 and (settings.get('dif_mode') or 'dif_filename' in settings):
        raise KernelError(errno.EINVAL, f'dif_mode/dif_filename need a non-zero dif_type (device {name})')
    if handler == FILEIO and 'dev_check' in settings.get('dif_mode', ()):
        raise KernelError(errno.EINVAL, f'dif_mode dev_check is not supported by vdisk_fileio (device {name})')


def _zero_or_one(text, what):
    value = kstrtoull(text)
    if value > 1:
        raise KernelError(errno.EINVAL, f'Invalid {what} value {value}')
    return value


def _backing_size(path, blockio, read_only):
    """Open the backing file as vdisk does; its size, or the open's errno (§2.1)."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise KernelError(exc.errno, f'Unable to open file {path} ({os.strerror(exc.errno)})') from None
    is_blk = stat.S_ISBLK(info.st_mode)
    if blockio and not is_blk:
        raise KernelError(errno.ENOTBLK, f'{path} is not a block device')
    if not is_blk and not stat.S_ISREG(info.st_mode):
        raise KernelError(errno.EINVAL, f'{path} is neither a regular file nor a block device')
    try:
        handle = os.open(path, os.O_RDONLY if read_only else os.O_RDWR)
    except OSError as exc:
        raise KernelError(exc.errno, f'Unable to open file {path} ({os.strerror(exc.errno)})') from None
    try:
        return os.lseek(handle, 0, os.SEEK_END) if is_blk else info.st_size
    finally:
        os.close(handle)


class VDisk(Device):
    """A device of the vdisk family: vdisk_fileio, vdisk_blockio, vdisk_nullio or vcdrom (§10)."""

    def __init__(self, kernel, handler, name, settings, num_threads):
        super().__init__(kernel, name, handler.type)
        kind = handler.name
        self.kind = kind
        get = settings.get
        self.filename = get('filename')
        self.blocksize = self._blocksize(get('blocksize', 2048 if kind == CDROM else 512))
        self.size = get('size_mb', get('size', NULLIO_SIZE if kind == NULLIO else 0))
        if self.size % self.blocksize:
            raise KernelError(errno.EINVAL, f'Size {self.size} is not a multiple of the block size {self.blocksize}')
        self.read_only = bool(get('read_only', 0)) or kind == CDROM
        self.flags = {key: get(key, 0) for key in ('write_through', 'nv_cache', 'o_direct', 'async', 'dummy',
                                                   'read_zero', 'expl_alua', 'cluster_mode')}
        self.removable = get('removable', 0) or (1 if kind == CDROM else 0)
        self.rotational = get('rotational', 1)
        self.thin = get('thin_provisioned', 0)
        self.thin_set = 'thin_provisioned' in settings
        self.tst = get('tst', 1)
        self.active = get('active', 1)
        self.bind_alua_default = 0 if kind == FILEIO else 1
        self.bind_alua_state = get('bind_alua_state', self.bind_alua_default)
        self.lb_per_pb_exp = get('lb_per_pb_exp', 1)
        self.opt_trans_len = get('opt_trans_len', OPT_TRANS_LEN)
        if self.opt_trans_len % self.blocksize:
            raise KernelError(errno.EINVAL, f'opt_trans_len {self.opt_trans_len} is not a multiple of the block size')
        self.opt_trans_len_set = 'opt_trans_len' in settings
        self.numa_node_id = get('numa_node_id', -1)
        self.cluster_mode = bool(self.flags['cluster_mode'])
        self.dif_filename = get('dif_filename')
        self.dif_modes = get('dif_mode', [])
        self.dif_type = get('dif_type', 0)
        self.dif_app_tag = get('dif_static_app_tag', 0)
        self.dif = bool(self.dif_type and self.dif_modes)
        self.threads_default = num_threads if kind in (FILEIO, CDROM) else 1
        self.threads_num = self.threads_default
        self.pool_type = 'per_initiator'
        dev_id = (kernel.root_attrs.setup_id << 32) | crc32c_raw(name.encode('latin-1') + b'\0')
        self.usn = f'{dev_id:x}'[:20]
        t10_dev_id = get('t10_dev_id', f'{dev_id:x}-{name}'[:25])
        self.ids = {'t10_dev_id': t10_dev_id, 't10_vend_id': 'SCST_BIO' if kind == BLOCKIO else 'SCST_FIO',
                    'vend_specific_id': t10_dev_id, 'prod_id': name[:16], 'prod_rev_lvl': PROD_REV_LVL,
                    'scsi_device_name': '', 'usn': self.usn, 'inq_vend_specific': ''}
        self.ids_set = {'t10_dev_id'} if 't10_dev_id' in settings else set()
        self.eui64 = ''
        self.naa = ''

    def _blocksize(self, value):
        if value == 0:
            return 512
        if value < 512:
            raise KernelError(errno.EINVAL, f'Invalid block size {value} (device {self.name})')
        rounded = 1 << (value.bit_length() - 1)
        if rounded != value:
            self.kernel.log(f'dev_vdisk: ***WARNING***: block size {value} of device {self.name} rounded down to {rounded}')
        return rounded

    def open_backing(self):
        """Check the backing file when the device is active (§2.1: the errno of the open)."""
        if self.kind in (FILEIO, BLOCKIO) and self.active:
            self.size = _backing_size(self.filename, self.kind == BLOCKIO, self.read_only)

    # ------------------------------------------------------------------------------------- the files
    def build_core(self):
        super().build_core()
        if self.dif:
            self.dir.add('dif_mode', Attr(0o444, const(f'{"|".join(self.dif_modes)}\n[key]\n')))
            self.dir.add('dif_type', Attr(0o444, const(f'{self.dif_type}\n[key]\n')))
            self.dir.add('dif_static_app_tag', Attr(0o644, lambda: keyed(f'0x{self.dif_app_tag:x}', self.dif_app_tag != 0),
                                                    self._store_app_tag))

    def build_handler_attrs(self):
        add = self.dir.add
        add('threads_num', Attr(0o644, lambda: keyed(self.threads_num, self.threads_num != self.threads_default),
                                self._store_threads_num, work=True))
        add('threads_pool_type', Attr(0o644, self._show_pool_type, self._store_pool_type, work=self._pool_type_changes))
        for name, node in self._vdisk_files():
            add(name, node)

    def _vdisk_files(self):
        """The §10 table for this handler, in its order."""
        kind = self.kind
        disk = kind in (FILEIO, BLOCKIO)
        files = []
        if kind != NULLIO:
            files.append(('filename', ReadWorkAttr(0o644, self._show_filename, self._store_filename, work=True)))
        if kind != CDROM:
            files.append(('blocksize', Attr(0o444, lambda: keyed(self.blocksize, self.blocksize != 512))))
        resizable = kind in (BLOCKIO, NULLIO)
        files.append(('size', Attr(0o644 if resizable else 0o444, self._show_size,
                                   self._store_size if resizable else None, work=True)))
        files.append(('size_mb', Attr(0o644 if resizable else 0o444, lambda: f'{self.size >> 20}\n',
                                      self._store_size_mb if resizable else None, work=True)))
        if kind != CDROM:
            files.append(('read_only', Attr(0o444, lambda: keyed(int(self.read_only), self.read_only))))
        if disk:
            files += [(flag, self._flag_file(flag)) for flag in ('write_through', 'nv_cache')]
        if kind == FILEIO:
            files.append(('o_direct', self._flag_file('o_direct')))
            files.append(('async', Attr(0o644, lambda: keyed(self.flags['async'], self.flags['async']),
                                        lambda text: self._set_flag('async', text))))
        if disk:
            files.append(('thin_provisioned', Attr(0o444, lambda: keyed(self.thin, self.thin_set))))
        if kind != CDROM:
            files.append(('removable', Attr(0o444, lambda: keyed(self.removable, self.removable))))
            files.append(('rotational', Attr(0o444, lambda: keyed(self.rotational, not self.rotational))))
        files.append(('tst', Attr(0o444, lambda: keyed(self.tst, self.tst != 1))))
        if kind == NULLIO:
            files.append(('dummy', self._flag_file('dummy')))
            files.append(('read_zero', Attr(0o644, lambda: keyed(self.flags['read_zero'], self.flags['read_zero']),
                                            lambda text: self._set_flag('read_zero', text))))
        files += self._runtime_files(kind, disk)
        return files

    def _runtime_files(self, kind, disk):
        files = []
        if disk:
            files.append(('active', Attr(0o644, lambda: keyed(self.active, not self.active), self._store_active, work=True)))
            files.append(('bind_alua_state', Attr(0o644, lambda: keyed(self.bind_alua_state, self.bind_alua_state
                                                                       != self.bind_alua_default), self._store_bind)))
        if kind != CDROM:
            files.append(('cluster_mode', Attr(0o644, lambda: keyed(int(self.cluster_mode), self.cluster_mode),
                                               self._store_cluster_mode, work=True)))
            files.append(('opt_trans_len', Attr(0o644, lambda: keyed(self.opt_trans_len, self.opt_trans_len_set),
                                                self._store_opt_trans_len)))
        if disk:
            files.append(('expl_alua', Attr(0o644, lambda: keyed(self.flags['expl_alua'], self.flags['expl_alua']),
                                            self._store_expl_alua)))
            files.append(('lb_per_pb_exp', Attr(0o644, lambda: keyed(self.lb_per_pb_exp, not self.lb_per_pb_exp),
                                                self._store_lb_per_pb_exp)))
        for name in _ID_LIMITS:
            files.append((name, Attr(0o644, lambda name=name: self._show_id(name),
                                     lambda text, name=name: self._store_id(name, text))))
            if name == 'usn':
                files.append(('eui64_id', Attr(0o644, lambda: _show_hex_id(self.eui64), self._store_eui64)))
                files.append(('naa_id', Attr(0o644, lambda: _show_hex_id(self.naa), self._store_naa)))
        if disk:
            files.append(('resync_size', Attr(0o200, None, self._store_resync_size, work=True)))
            files.append(('sync', Attr(0o200, None, lambda text: None)))
            if self.thin:
                files.append(('gen_tp_soft_threshold_reached_UA', Attr(0o200, None, lambda text: None)))
            if self.dif_filename:
                files.append(('dif_filename', Attr(0o444, const(f'{self.dif_filename}\n[key]\n'))))
        return files

    def _flag_file(self, flag):
        return Attr(0o444, lambda: keyed(self.flags[flag], self.flags[flag]))

    # ------------------------------------------------------------------------------------ show/store
    def _show_filename(self):
        if self.filename is None:
            return 'none\n\n'
        return f'{self.filename}\n[key]\n\n'

    def _store_filename(self, text):
        path = text.strip()
        if self.kind == CDROM:
            self._change_medium(path)
            return
        if self.active:
            raise KernelError(errno.EINVAL, f'Device {self.name}: filename can only be changed while active=0')
        if not path.startswith('/'):
            raise KernelError(errno.EINVAL, f'Device {self.name}: filename {path} must be an absolute path')
        self.filename = path

    def _change_medium(self, path):
        if not path:
            self.filename = None
            self.size = 0
            return
        if not path.startswith('/'):
            raise KernelError(errno.EINVAL, f'Device {self.name}: filename {path} must be an absolute path')
        self.size = _backing_size(path, False, True)
        self.filename = path

    def _show_size(self):
        if self.kind == NULLIO:
            return keyed(self.size, self.size != NULLIO_SIZE)
        return keyed(self.size, True)

    def _store_size(self, text):
        self._resize(kstrtoull(text))

    def _store_size_mb(self, text):
        self._resize(kstrtoull(text) << 20)

    def _resize(self, size):
        if size % self.blocksize:
            raise KernelError(errno.EINVAL, f'Device {self.name}: size {size} is not a multiple of {self.blocksize}')
        self.size = size

    def _set_flag(self, flag, text):
        self.flags[flag] = _zero_or_one(text, flag)

    def _store_active(self, text):
        value = _zero_or_one(text, 'active')
        if value and not self.active:
            self.size = _backing_size(self.filename, self.kind == BLOCKIO, self.read_only)
        self.active = value

    def _store_bind(self, text):
        self.bind_alua_state = int(kstrtoull(text) != 0)

    def _store_expl_alua(self, text):
        self.flags['expl_alua'] = int(kstrtoull(text) != 0)

    def _store_cluster_mode(self, text):
        self.cluster_mode = bool(_zero_or_one(text, 'cluster_mode'))

    def _store_opt_trans_len(self, text):
        value = kstrtoull(text)
        if value % self.blocksize:
            raise KernelError(errno.EINVAL, f'Device {self.name}: opt_trans_len {value} is not a multiple of {self.blocksize}')
        self.opt_trans_len = value
        self.opt_trans_len_set = True

    def _store_lb_per_pb_exp(self, text):
        self.lb_per_pb_exp = _zero_or_one(text, 'lb_per_pb_exp')

    def _store_resync_size(self, _text):
        if not self.active:
            raise KernelError(errno.EMEDIUMTYPE, f'Device {self.name} is not active')
        self.size = _backing_size(self.filename, self.kind == BLOCKIO, self.read_only)

    def _store_app_tag(self, text):
        self.dif_app_tag = kstrtoull(text) & 0xffff

    def _show_id(self, name):
        value = self.ids[name]
        if name in ('scsi_device_name', 'inq_vend_specific'):
            return keyed(value, bool(value))
        return keyed(value, name in self.ids_set)

    def _store_id(self, name, text):
        value = text.split('\n', 1)[0]
        if len(value) > _ID_LIMITS[name]:
            raise KernelError(errno.EINVAL, f'Device {self.name}: {name} too long (max {_ID_LIMITS[name]} characters)')
        if name == 't10_dev_id' and self.cluster_mode:
            raise KernelError(errno.EPERM, f'Device {self.name}: t10_dev_id cannot be changed in cluster mode')
        if name == 'usn':
            model = self.kernel.devs
            model.usn_released(self.ids['usn'])
            model.usn_taken(value)
            self.usn = value
        self.ids[name] = value
        self.ids_set.add(name)

    def _store_eui64(self, text):
        self.eui64 = _parse_hex_id(text, (8, 12, 16), 'eui64_id')

    def _store_naa(self, text):
        digits = _parse_hex_id(text, (8, 16), 'naa_id')
        if digits and not ((len(digits) == 16 and digits[0] in '235') or (len(digits) == 32 and digits[0] == '6')):
            raise KernelError(errno.EINVAL, f'Invalid naa_id "{first_line(text)}"')
        self.naa = digits

    def _store_threads_num(self, text):
        value = kstrtoint(text)
        if value < 0:
            raise KernelError(errno.EINVAL, f'Illegal threads_num value {value}')
        self.threads_num = value

    def _show_pool_type(self):
        if self.threads_num == 0:
            return 'Async\n'
        return keyed(self.pool_type, self.pool_type != 'per_initiator')

    def _pool_type(self, text):
        for choice in ('per_initiator', 'shared'):
            if _prefix_match(text, choice):
                return choice
        raise KernelError(errno.EINVAL, f'Unknown threads pool type "{first_line(text)}"')

    def _pool_type_changes(self, text):
        try:
            return self._pool_type(text) != self.pool_type
        except KernelError:
            return False

    def _store_pool_type(self, text):
        self.pool_type = self._pool_type(text)


def _show_hex_id(digits):
    return f'0x{digits}\n[key]\n' if digits else '\n'


def _parse_hex_id(text, sizes, what):
    """Hex digits of an ``eui64_id``/``naa_id`` write (optional ``0x``); '' clears (§10)."""
    body = first_line(text).strip().lower()
    if body.startswith('0x'):
        body = body[2:]
    if not body:
        return ''
    if any(ch not in '0123456789abcdef' for ch in body) or len(body) not in [2 * size for size in sizes]:
        raise KernelError(errno.EINVAL, f'Invalid {what} "{first_line(text)}"')
    return body
