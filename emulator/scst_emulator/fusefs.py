"""mfusepy Operations that serve a Kernel model as a sysfs-like file system.

Every rule of SCST lives in the model; this layer only translates FUSE calls: lookups, the open-time
direction check sysfs does (EACCES even for root), one FUSE write = one ``Kernel.write`` (so a short
write at 4096 bytes reaches the caller), and the errno of a failed store. The mount uses ``direct_io``
and zero cache timeouts so that every read and every lookup reaches the model, as with sysfs.

Attribute names on the Operations object must never be FUSE op names (mfusepy registers them as
ops: a ``self.lock`` would become the POSIX lock handler), hence the leading underscores.
"""

import errno
import functools
import itertools
import logging
import os
import stat
import threading
import time

# mfusepy picks its libfuse when imported and prefers libfuse2 when both are installed: pin libfuse3.
os.environ.setdefault('FUSE_LIBRARY_NAME', 'fuse3')
import mfusepy  # noqa: E402  pylint: disable=wrong-import-position

from .model.nodes import Attr, Dir, KernelError, Link

log = logging.getLogger(__name__)

# sysfs reports every attribute as one page long, whatever it holds (tools must not trust st_size).
SYSFS_FILE_SIZE = 4096


def _model_path(path):
    """FUSE paths are absolute ('/kernel/scst_tgt'); the model wants them relative ('kernel/scst_tgt')."""
    return path.strip('/')


def _errno_of(func):
    """Turn model errors into the errno the caller sees; anything unexpected is EIO and logged."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except KernelError as exc:
            raise mfusepy.FuseOSError(exc.errno) from exc
        except mfusepy.FuseOSError:
            raise
        except Exception as exc:
            log.exception('emulator bug in %s%r', func.__name__, args[1:])
            raise mfusepy.FuseOSError(errno.EIO) from exc

    return wrapper


def _mode(node):
    if isinstance(node, Dir):
        return stat.S_IFDIR | node.mode
    if isinstance(node, Link):
        return stat.S_IFLNK | 0o777
    if isinstance(node, Attr):
        return stat.S_IFREG | node.mode
    raise mfusepy.FuseOSError(errno.EIO)


class SysfsOperations(mfusepy.Operations):
    """The FUSE view of one Kernel."""

    use_ns = True

    def __init__(self, kernel):
        self._kernel = kernel
        self._boot_ns = time.time_ns()
        # Per open file: the text produced by the first read, so that a reader that comes back for
        # more at a later offset gets the rest of the same snapshot (sysfs' seq_file behaves so).
        self._snapshots = {}
        self._handles = itertools.count(1)
        self._mutex = threading.Lock()

    @_errno_of
    def getattr(self, path, fh=None):
        node = self._kernel.lookup(_model_path(path))
        times = {'st_atime': self._boot_ns, 'st_mtime': self._boot_ns, 'st_ctime': self._boot_ns}
        if isinstance(node, Dir):
            return {'st_mode': _mode(node), 'st_nlink': 2, 'st_size': 0, **times}
        if isinstance(node, Link):
            return {'st_mode': _mode(node), 'st_nlink': 1, 'st_size': len(node.target), **times}
        return {'st_mode': _mode(node), 'st_nlink': 1, 'st_size': SYSFS_FILE_SIZE, **times}

    @_errno_of
    def readdir(self, path, fh):
        node = self._kernel.lookup(_model_path(path))
        if not isinstance(node, Dir):
            raise mfusepy.FuseOSError(errno.ENOTDIR)
        # Each name with its type, as kernfs_fop_readdir gives d_type: a reader tells links, directories and
        # files apart without an lstat per entry.
        return ['.', '..', *((name, {'st_mode': _mode(child)}, 0) for name, child in list(node.entries.items()))]

    @_errno_of
    def readlink(self, path):
        node = self._kernel.lookup(_model_path(path))
        if not isinstance(node, Link):
            raise mfusepy.FuseOSError(errno.EINVAL)
        return node.target

    @_errno_of
    def open(self, path, flags):
        access = flags & os.O_ACCMODE
        self._kernel.check_open(_model_path(path), for_write=access in (os.O_WRONLY, os.O_RDWR),
                                for_read=access in (os.O_RDONLY, os.O_RDWR))
        with self._mutex:
            return next(self._handles)

    @_errno_of
    def read(self, path, size, offset, fh):
        with self._mutex:
            snapshot = self._snapshots.get(fh)
        if offset == 0 or snapshot is None:
            snapshot = self._kernel.read(_model_path(path))
            with self._mutex:
                self._snapshots[fh] = snapshot
        return snapshot[offset:offset + size]

    @_errno_of
    def write(self, path, data, offset, fh):
        # sysfs ignores the file offset: every write(2) is one store of exactly the bytes written.
        return self._kernel.write(_model_path(path), bytes(data))

    def release(self, path, fh):
        with self._mutex:
            self._snapshots.pop(fh, None)
        return 0

    def truncate(self, path, length, fh=None):
        # The shell's '>' opens with O_TRUNC; sysfs accepts and ignores it.
        return 0

    def utimens(self, path, times=None):
        return 0

    def create(self, path, mode, fi=None):
        raise mfusepy.FuseOSError(errno.EACCES)

    def mknod(self, path, mode, dev):
        raise mfusepy.FuseOSError(errno.EACCES)

    def mkdir(self, path, mode):
        raise mfusepy.FuseOSError(errno.EPERM)

    def rmdir(self, path):
        raise mfusepy.FuseOSError(errno.EPERM)

    def unlink(self, path):
        raise mfusepy.FuseOSError(errno.EPERM)

    def rename(self, old, new):
        raise mfusepy.FuseOSError(errno.EPERM)

    def symlink(self, target, source):
        raise mfusepy.FuseOSError(errno.EPERM)

    def link(self, target, source):
        raise mfusepy.FuseOSError(errno.EPERM)

    def chmod(self, path, mode):
        raise mfusepy.FuseOSError(errno.EPERM)

    def chown(self, path, uid, gid):
        raise mfusepy.FuseOSError(errno.EPERM)


# fuse_main_real's status when its loop ended by a signal (libfuse 3: loop error "8", with error = signum).
_STOPPED_BY_SIGNAL = 8


def serve(kernel, mountpoint):
    """Mount and serve until unmounted or signalled (SIGTERM/SIGINT make libfuse unmount and return)."""
    try:
        mfusepy.FUSE(SysfsOperations(kernel), mountpoint, foreground=True, direct_io=True, fsname='scst_emulator',
                     subtype='scst_emulator', entry_timeout=0, attr_timeout=0, negative_timeout=0)
    except RuntimeError as exc:
        if exc.args != (_STOPPED_BY_SIGNAL,):
            raise RuntimeError(f'FUSE mount on {mountpoint} failed (libfuse status {exc.args[0]})') from exc
