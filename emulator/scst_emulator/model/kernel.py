"""The emulated kernel: the facade that the FUSE layer and the control server call (ARCHITECTURE.md).

The kernel owns the registries (handlers, devices, drivers), the ``/sys/kernel/scst_tgt`` tree, the sysfs
work machinery of SYSFS.md section 4 (EAGAIN and ``last_sysfs_mgmt_res``), the fault injection and the
kernel log. Sub-models (devices, ALUA, targets, ACL, drivers) hang off it as attributes and register their
nodes in the tree; they never keep a second copy of what the kernel owns.
"""

import errno
import threading
import time

from . import acl, alua, devices, modules as modules_mod, targets
from .attrs import ReadWorkAttr, trace_level_attr
from .lexer import kstrtobool, kstrtoint, kstrtoll, kstrtoull, kstrtouint
from .modules import SCST_VERSION
from .nodes import Attr, Dir, KernelError, Link, const, keyed

# kernfs hands at most one page of a write(2) to the store function and reports a short write (§2.0, §11).
PAGE_SIZE = 4096


class Kernel:
    """One emulated Linux kernel with SCST; every public method holds ``self.lock``."""

    def __init__(self, fc_ports=(), scsi_devices=(), cpus=2, clock=time.monotonic):
        self.lock = threading.RLock()
        self.clock = clock
        self.cpus = cpus
        self.fc_port_wwpns = tuple(fc_ports)
        self.scsi_device_specs = tuple(scsi_devices)
        self._timers = []
        # Called with (seconds, message) for every log line, e.g. to mirror the log to a file (daemon.py).
        self.log_listeners = []
        # Bumped by every unload of scst and every reboot, never reset: a delayed work of an older
        # generation finds its kernel gone and does nothing.
        self.generation = 0
        # The state below is (re)built by _boot() and _reset_scst(); listed here so that it has one home.
        self.boot_time = 0.0
        self._log = []
        self.root = self.kernel_dir = self.module_dir = self.fc_host_dir = self.scsi_host_dir = None
        self._faults = None
        self._eagain_reads_left = self._read_work_count = 0
        self.modules = None
        self.scst = self.root_attrs = self.devs = self.alua = self.targets = self.acl = self.iscsi = self.qla = None
        self.handlers, self.devices, self.drivers = {}, {}, {}
        self.active_works = self.last_res = 0
        self._boot()

    # ----------------------------------------------------------------------------------------- state
    def _boot(self):
        """Fresh kernel state, as after power-on: no module loaded, empty log, no fault mode."""
        self.boot_time = self.clock()
        self._log = []
        self.root = Dir()
        self.kernel_dir = self.root.mkdir('kernel')
        self.module_dir = self.root.mkdir('module')
        class_dir = self.root.mkdir('class')
        self.fc_host_dir = class_dir.mkdir('fc_host')
        self.scsi_host_dir = class_dir.mkdir('scsi_host')
        self._faults = _Faults()
        self._eagain_reads_left = 0
        self._read_work_count = 0
        self._reset_scst()
        self.modules = modules_mod.Modules(self)

    def _reset_scst(self):
        """Forget everything module ``scst`` owns (it is not loaded)."""
        self.scst = None
        self.handlers = {}
        self.devices = {}
        self.drivers = {}
        self.active_works = 0
        self.last_res = 0
        self.root_attrs = None
        self.devs = None
        self.alua = None
        self.targets = None
        self.acl = None
        self.iscsi = None
        self.qla = None

    def scst_up(self, params):
        """Module ``scst`` loads: build ``/sys/kernel/scst_tgt`` (§1.6) and start the sub-models."""
        if params['scst_threads'] < 0:
            raise KernelError(errno.EINVAL, f"Invalid scst_threads {params['scst_threads']}")
        # 0 (or nothing) means one thread per CPU; the parameter file then shows the computed number.
        params['scst_threads'] = params['scst_threads'] or self.cpus
        self.scst = self.kernel_dir.mkdir('scst_tgt')
        self.root_attrs = RootAttrs(self, params)
        self.devs = devices.DeviceModel(self)
        self.alua = alua.Alua(self)
        self.acl = acl.Acl(self)
        self.targets = targets.Targets(self)
        self.targets.start()
        self.devs.start()

    def scst_down(self):
        """Module ``scst`` unloads (every dependent module is already gone)."""
        self.kernel_dir.remove('scst_tgt')
        self.generation += 1
        self._reset_scst()

    def scst_dir(self, name):
        """A top-level directory of ``scst_tgt`` (``devices``, ``handlers``, ``targets``, ``device_groups``)."""
        return self.scst.get(name)

    def param(self, module, name):
        """Current value of a loaded module's parameter (typed), used by the model for defaults."""
        return self.modules.param(module, name)

    # ------------------------------------------------------------------------------------ file system
    def lookup(self, path):
        with self.lock:
            return self._lookup(path)

    def _lookup(self, path):
        node = self.root
        for part in _split(path):
            if not isinstance(node, Dir):
                raise KernelError(errno.ENOTDIR, f'{path}: not a directory')
            node = node.get(part)
            if node is None:
                raise KernelError(errno.ENOENT, f'{path}: no such file')
        return node

    def check_open(self, path, for_write, for_read):
        """kernfs open-time permission check (§3.2): wrong direction is EACCES, even for root."""
        with self.lock:
            node = self._lookup(path)
            if isinstance(node, Attr):
                if for_write and not (node.mode & 0o222 and node.store):
                    raise KernelError(errno.EACCES, f'{path}: not writable')
                if for_read and not node.mode & 0o444:
                    raise KernelError(errno.EACCES, f'{path}: not readable')

    def read(self, path):
        with self.lock:
            node = self._lookup(path)
            if isinstance(node, Dir):
                raise KernelError(errno.EISDIR, path)
            if isinstance(node, Link):
                raise KernelError(errno.EINVAL, path)
            if not node.mode & 0o444:
                raise KernelError(errno.EACCES, f'{path}: not readable')
            if isinstance(node, ReadWorkAttr):
                self._read_work_gate()
            return node.show().encode('latin-1')

    def write(self, path, data):
        with self.lock:
            node = self._lookup(path)
            if isinstance(node, Dir):
                raise KernelError(errno.EISDIR, path)
            if not isinstance(node, Attr) or not node.store or not node.mode & 0o222:
                raise KernelError(errno.EACCES, f'{path}: not writable')
            consumed = min(len(data), PAGE_SIZE)
            if not consumed:
                # sysfs_kf_write: an empty write never reaches the store function.
                return 0
            text = bytes(data[:consumed]).decode('latin-1')
            injected = self._faults.take_failure(path)
            if injected:
                self.log(f'scst-fault: injected {errno.errorcode.get(injected, injected)} on write to {path}')
                raise KernelError(injected, 'injected fault')
            if node.is_work(text):
                self._run_work(path, node, text)
            else:
                self._store(path, node, text)
            return consumed

    def _store(self, path, node, text):
        try:
            node.store(text)
        except KernelError as exc:
            self.log_error(path, exc)
            raise

    # ------------------------------------------------------------------------------- sysfs works (§4)
    def _run_work(self, path, node, text):
        faults = self._faults
        if faults.delay > 0:
            self.active_works += 1
            timer = threading.Timer(faults.delay, self._finish_delayed, (path, node, text, self.generation))
            timer.daemon = True
            self._timers = [pending for pending in self._timers if pending.is_alive()] + [timer]
            timer.start()
            raise KernelError(errno.EAGAIN, 'sysfs work queued (delayed completion)')
        failure = self._perform(path, node, text)
        if faults.eagain == 'always':
            self._eagain_reads_left = faults.eagain_reads
            raise KernelError(errno.EAGAIN, 'sysfs work returned EAGAIN (forced)')
        if failure:
            raise failure

    def _perform(self, path, node, text):
        """Run a store as a work and record its result in ``last_sysfs_mgmt_res``; return the failure or None."""
        try:
            node.store(text)
        except KernelError as exc:
            self.log_error(path, exc)
            self.last_res = -exc.errno
            return exc
        self.last_res = 0
        return None

    def _finish_delayed(self, path, node, text, generation):
        with self.lock:
            if generation != self.generation:
                return
            self.active_works -= 1
            # A queued command whose owning object went away meanwhile succeeds doing nothing (§2.0).
            try:
                still_there = self._lookup(path) is node
            except KernelError:
                still_there = False
            if still_there:
                self._perform(path, node, text)
            else:
                self.last_res = 0

    def read_last_res(self):
        """``last_sysfs_mgmt_res`` (§4.4)."""
        if self.active_works > 0:
            raise KernelError(errno.EAGAIN, 'sysfs works pending')
        if self._eagain_reads_left > 0:
            self._eagain_reads_left -= 1
            raise KernelError(errno.EAGAIN, 'sysfs works pending (forced)')
        return f'{self.last_res}\n'

    def _read_work_gate(self):
        """Read-only works: EAGAIN for 3 reads of 4 in 'always' mode (§4.8), and while works are pending."""
        if self._faults.eagain == 'always':
            self._read_work_count += 1
            if self._read_work_count % 4:
                raise KernelError(errno.EAGAIN, 'read-only sysfs work returned EAGAIN (forced)')
        elif self.active_works > 0:
            raise KernelError(errno.EAGAIN, 'read-only sysfs work waits for pending works')

    def set_faults(self, eagain='off', eagain_reads=1, delay=0.0, fail_nth=None, fail_errno=None, fail_path=None):
        with self.lock:
            self._faults = _Faults.build(eagain, eagain_reads, delay, fail_nth, fail_errno, fail_path)
            self._eagain_reads_left = 0
            self._read_work_count = 0

    def faults(self):
        with self.lock:
            return self._faults.describe()

    # --------------------------------------------------------------------------------------- modules
    def modprobe(self, name, params=None):
        with self.lock:
            self.modules.modprobe(name, dict(params or {}))

    def rmmod(self, name):
        with self.lock:
            self.modules.rmmod(name)

    def lsmod(self):
        with self.lock:
            return self.modules.lsmod()

    def module_info(self):
        with self.lock:
            return self.modules.info()

    # ----------------------------------------------------------------------------------- iSCSI daemon
    def iscsi_daemon_attach(self):
        with self.lock:
            if self.iscsi is None:
                # iscsi-scstd cannot open /dev/iscsi-scst-ctl when the module is not loaded.
                raise KernelError(errno.ENOENT, '/dev/iscsi-scst-ctl: No such file or directory (iscsi_scst not loaded)')
            self.iscsi.daemon_attach()

    def iscsi_daemon_detach(self):
        with self.lock:
            if self.iscsi is not None:
                self.iscsi.daemon_detach()

    # ---------------------------------------------------------------------------- simulated initiators
    def login(self, driver, target, initiator, portal=None):
        with self.lock:
            self._need_scst()
            return self.acl.login(driver, target, initiator, portal)

    def logout(self, driver, target, session):
        with self.lock:
            self._need_scst()
            self.acl.logout(driver, target, session)

    def visible_luns(self, driver, target, initiator, portal=None):
        with self.lock:
            self._need_scst()
            return self.acl.visible_luns(driver, target, initiator, portal)

    def _need_scst(self):
        if self.scst is None:
            raise KernelError(errno.ENOENT, 'module scst is not loaded')

    # ------------------------------------------------------------------------------------------- log
    def log(self, message):
        with self.lock:
            entry = (self.clock() - self.boot_time, message)
            self._log.append(entry)
            for listener in self.log_listeners:
                listener(*entry)

    def log_error(self, path, exc):
        """Log a failed store the way SCST does, so that a client can explain the errno from dmesg."""
        reason = exc.reason or errno.errorcode.get(exc.errno, str(exc.errno))
        self.log(f'{self._subsystem(path)}: ***ERROR***: {reason}')

    def _subsystem(self, path):
        """The log prefix of the kernel part that owns ``path`` (the module that prints the error)."""
        parts = _split(path)
        if len(parts) < 4 or parts[:2] != ['kernel', 'scst_tgt']:
            return parts[1] if len(parts) > 1 and parts[0] == 'module' else 'scst'
        if parts[2] == 'targets':
            return {'iscsi': 'iscsi-scst', 'qla2x00t': 'qla2x00t', 'scst_local': 'scst_local'}.get(parts[3], 'scst')
        if parts[2] == 'handlers':
            handler = self.handlers.get(parts[3])
            return 'dev_vdisk' if handler is not None and handler.kind == 'vdisk' else parts[3]
        if parts[2] == 'devices':
            device = self.devices.get(parts[3])
            handler = device.handler if device is not None else None
            return 'dev_vdisk' if handler is not None and handler.kind == 'vdisk' else 'scst'
        return 'scst'

    def dmesg(self):
        with self.lock:
            return list(self._log)

    # ---------------------------------------------------------------------------------------- reboot
    def reboot(self):
        """Drop all state: modules, configuration, log, faults (a power cycle)."""
        with self.lock:
            for timer in self._timers:
                timer.cancel()
            self._timers = []
            self.generation += 1
            self._boot()


def _split(path):
    return [part for part in path.split('/') if part]


class _Faults:
    """The active fault-injection mode (exactly one at a time)."""

    def __init__(self):
        self.eagain = 'off'
        self.eagain_reads = 1
        self.delay = 0.0
        self.fail_left = None
        self.fail_errno = None
        self.fail_path = None

    @classmethod
    def build(cls, eagain, eagain_reads, delay, fail_nth, fail_errno, fail_path):
        if eagain not in ('off', 'always'):
            raise ValueError(f'eagain must be off or always, not {eagain!r}')
        modes = (eagain == 'always') + (delay > 0) + (fail_nth is not None)
        if modes > 1:
            raise ValueError('only one fault mode at a time')
        if fail_nth is not None and (fail_nth < 1 or not fail_errno):
            raise ValueError('fail_nth needs N >= 1 and an errno')
        if eagain_reads < 0:
            raise ValueError('eagain_reads must be >= 0')
        faults = cls()
        faults.eagain = eagain
        faults.eagain_reads = int(eagain_reads)
        faults.delay = float(delay)
        faults.fail_left = fail_nth
        faults.fail_errno = fail_errno
        faults.fail_path = fail_path
        return faults

    def take_failure(self, path):
        """Count this write; return the errno to inject when it is the N-th one (one-shot), else 0."""
        if self.fail_left is None or (self.fail_path and self.fail_path not in path):
            return 0
        self.fail_left -= 1
        if self.fail_left > 0:
            return 0
        self.fail_left = None
        return self.fail_errno

    def describe(self):
        return {'eagain': self.eagain, 'eagain_reads': self.eagain_reads, 'delay': self.delay,
                'fail_left': self.fail_left, 'fail_errno': self.fail_errno, 'fail_path': self.fail_path}


_VERSION_TEXT = (f'SCST version: {SCST_VERSION}\nSCST build date: Mon Jan  6 00:00:00 UTC 2025\nSCST build number: 1\n'
                 'SCST git commit sha1: aa5cc2dd70f9c2d0dfd30d2d8821986023c34aba\nSCST kver: 6.1.0\n'
                 'SCST arch type: x86_64\nSCST config: TRACING\n')
# DLM_LOCKSPACE_LEN: a cluster name must be shorter (§1.1).
_DLM_LOCKSPACE_LEN = 64


class RootAttrs:
    """The attribute files of ``/sys/kernel/scst_tgt`` itself (§1.1) and the ``sgv`` statistics tree."""

    def __init__(self, kernel, params):
        self.kernel = kernel
        self.setup_id = 0
        self.default_threads = params['scst_threads']
        self.threads = self.default_threads
        self.max_tasklet_cmd = 10
        self.poll_us = 0
        self.measure_latency = 0
        self.suspends = 0
        self.force_global_sgv_pool = 0
        self.cluster_name = ''
        self.async_lun_replace = int(params['async_lun_replace'])
        root = kernel.scst
        for name in ('devices', 'handlers', 'targets', 'device_groups'):
            root.mkdir(name)
        self._sgv(root.mkdir('sgv'), kernel.cpus)
        files = (
            ('version', Attr(0o444, const(_VERSION_TEXT))),
            ('last_sysfs_mgmt_res', Attr(0o444, kernel.read_last_res)),
            ('setup_id', Attr(0o644, self._show_setup_id, self._store_setup_id)),
            ('threads', Attr(0o644, lambda: keyed(self.threads, self.threads != self.default_threads),
                             self._store_threads, work=True)),
            ('max_tasklet_cmd', self._number('max_tasklet_cmd', 10, kstrtouint)),
            ('poll_us', self._number('poll_us', 0, kstrtoull)),
            ('measure_latency', Attr(0o644, lambda: f'{self.measure_latency}\n', self._store_measure_latency)),
            ('suspend', Attr(0o644, lambda: f'{self.suspends}\n', self._store_suspend)),
            ('force_global_sgv_pool', self._number('force_global_sgv_pool', 0, kstrtouint)),
            ('trace_level', trace_level_attr()),
            ('trace_cmds', ReadWorkAttr(0o444, const(''))),
            ('trace_mcmds', ReadWorkAttr(0o444, const(''))),
            ('cluster_name', Attr(0o644, self._show_cluster_name, self._store_cluster_name)),
            ('async_lun_replace', Attr(0o644, lambda: f'{self.async_lun_replace}\n', self._store_async_lun_replace)),
        )
        for name, node in files:
            root.add(name, node)

    @staticmethod
    def _sgv(sgv, cpus):
        stats = 'Inactive/active pages  0/0\nHits/attempts  0/0\n'
        sgv.add('global_stats', Attr(0o644, const('Inactive/active pages 0/0\nHi/lo watermarks [pages] 0/0\n'),
                                     lambda text: None))
        pools = ['sgv', 'sgv-clust', 'sgv-dma']
        pools += [f'{pool}-{cpu}' for cpu in range(cpus) for pool in ('sgv', 'sgv-clust', 'sgv-dma')]
        for pool in pools:
            sgv.mkdir(pool).add('stats', Attr(0o644, const(stats), lambda text: None))

    def _number(self, name, default, parse):
        def store(text):
            setattr(self, name, parse(text))
        return Attr(0o644, lambda: keyed(getattr(self, name), getattr(self, name) != default), store)

    def _show_setup_id(self):
        return keyed(f'0x{self.setup_id:x}', self.setup_id != 0)

    def _store_setup_id(self, text):
        self.setup_id = kstrtouint(text)

    def _store_threads(self, text):
        value = kstrtoint(text)
        if value <= 0:
            raise KernelError(errno.EINVAL, f'Illegal threads num value {value}')
        self.threads = value

    def _store_measure_latency(self, text):
        self.measure_latency = int(kstrtoll(text) != 0)

    def _store_suspend(self, text):
        value = kstrtoint(text)
        if value >= 0:
            self.suspends += 1
        elif self.suspends:
            self.suspends -= 1

    def _show_cluster_name(self):
        return f'{self.cluster_name}\n[key]\n' if self.cluster_name else ''

    def _store_cluster_name(self, text):
        name = text[:-1] if text.endswith('\n') else text
        if len(name) >= _DLM_LOCKSPACE_LEN:
            raise KernelError(errno.EINVAL, f'Cluster name too long ({len(name)} >= {_DLM_LOCKSPACE_LEN})')
        self.cluster_name = name

    def _store_async_lun_replace(self, text):
        self.async_lun_replace = int(kstrtobool(text))
        if not self.async_lun_replace:
            release = getattr(self.kernel.acl, 'release_parked_replaces', None)
            if release:
                release()
