"""The building blocks of the emulated sysfs tree: directories, attribute files and symlinks.

The model keeps the tree materialised, as sysfs does: an object's directory and files are created when
the object is registered and removed when it goes. The FUSE layer only walks this tree; every rule of
SCST lives in the ``show``/``store`` callables that the model attaches to attribute files.
"""

import errno


class KernelError(Exception):
    """A failed store, lookup or command: the errno ``write(2)`` (or ``open(2)``) fails with.

    ``reason`` is what the kernel would print to its log (the emulator writes it to the kernel log),
    never part of what the caller sees through the file system, exactly as with the real kernel.
    """

    def __init__(self, code, reason=''):
        super().__init__(code, reason or errno.errorcode.get(code, str(code)))
        self.errno = code
        self.reason = reason


class Node:
    """Base of every entry; ``mode`` holds only the permission bits (0o644, 0o444, 0o200...)."""

    def __init__(self, mode):
        self.mode = mode


class Dir(Node):
    """A directory whose entries keep their insertion order (listings follow creation order)."""

    def __init__(self, mode=0o755):
        super().__init__(mode)
        self.entries = {}

    def add(self, name, node):
        if name in self.entries:
            raise KernelError(errno.EEXIST, f'{name} already exists')
        self.entries[name] = node
        return node

    def remove(self, name):
        self.entries.pop(name, None)

    def get(self, name):
        return self.entries.get(name)

    def names(self):
        return list(self.entries)

    def mkdir(self, name, mode=0o755):
        return self.add(name, Dir(mode))


class Attr(Node):
    """A regular sysfs file.

    ``show()`` returns the whole text a read gives. ``store(text)`` applies a write (``text`` is the
    written bytes decoded as latin-1, so every byte survives) and raises KernelError on failure.
    ``work`` says that the kernel runs this store as a sysfs work (SYSFS.md section 4.6): such a write
    can end in EAGAIN and sets ``last_sysfs_mgmt_res``. It is either a bool or a callable taking the
    text, for stores that queue a work only when the value changes.
    """

    def __init__(self, mode=0o644, show=None, store=None, work=False):
        super().__init__(mode)
        self.show = show or (lambda: '')
        self.store = store
        self.work = work

    def is_work(self, text):
        return self.work(text) if callable(self.work) else bool(self.work)


class Link(Node):
    """A symlink; ``target`` is the relative path text that ``readlink`` returns."""

    def __init__(self, target):
        super().__init__(0o777)
        self.target = target


def const(text):
    """A ``show`` callable for a value that never changes."""
    return lambda: text


def keyed(value, is_key):
    """The read format of SYSFS.md section 3.1: the value line, then ``[key]`` when it must be persisted."""
    return f'{value}\n[key]\n' if is_key else f'{value}\n'


def kobject_name(name):
    """The directory name the kernel gives an object: ``kobject_set_name`` turns ``/`` into ``!`` (SYSFS.md 11)."""
    return name.replace('/', '!')
