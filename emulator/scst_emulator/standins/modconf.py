"""The parts of modprobe.d(5) the emulated host honours: ``options``, ``blacklist``, ``install``.

Files are ``*.conf`` in /etc/modprobe.d, /run/modprobe.d, /usr/lib/modprobe.d and /lib/modprobe.d; a
file name in an earlier directory hides the same name in a later one, and files are read in name order,
as kmod does. Module names compare with ``-`` and ``_`` equivalent. ``softdep``, ``alias`` and
``remove`` are ignored (nothing in the emulated kernel needs them).
"""

import os
import shlex
from dataclasses import dataclass, field

CONF_DIRS = ('/etc/modprobe.d', '/run/modprobe.d', '/usr/lib/modprobe.d', '/lib/modprobe.d')
LOAD_DIRS = ('/etc/modules-load.d', '/run/modules-load.d', '/usr/lib/modules-load.d', '/lib/modules-load.d')


def normalize(name):
    return name.replace('-', '_')


@dataclass
class ModConf:
    options: dict = field(default_factory=dict)    # module -> {param: value}
    blacklist: set = field(default_factory=set)
    install: dict = field(default_factory=dict)    # module -> shell command


def conf_files(root='/', dirs=CONF_DIRS):
    """``*.conf`` of ``dirs``: an earlier directory hides a same-named file of a later one; name order."""
    chosen = {}
    for directory in dirs:
        path = os.path.join(root, directory.lstrip('/'))
        if not os.path.isdir(path):
            continue
        for name in os.listdir(path):
            if name.endswith('.conf') and name not in chosen:
                chosen[name] = os.path.join(path, name)
    return [chosen[name] for name in sorted(chosen)]


def split_params(words):
    """``k=v`` words into a dict; a word without ``=`` is a flag parameter set to '1', as kmod passes it."""
    params = {}
    for word in words:
        key, sep, value = word.partition('=')
        params[key] = value if sep else '1'
    return params


def _logical_lines(text):
    """Lines with comments dropped and backslash continuations joined."""
    pending = ''
    for raw in text.splitlines():
        line = pending + raw
        if line.endswith('\\'):
            pending = line[:-1] + ' '
            continue
        pending = ''
        line = line.strip()
        if line and not line.startswith('#'):
            yield line


def load(root='/'):
    conf = ModConf()
    for path in conf_files(root):
        try:
            with open(path, encoding='utf-8', errors='replace') as handle:
                text = handle.read()
        except OSError:
            continue
        for line in _logical_lines(text):
            _apply(conf, line)
    return conf


def _apply(conf, line):
    keyword, dummy, rest = line.partition(' ')
    rest = rest.strip()
    if keyword == 'install':
        name, dummy, command = rest.partition(' ')
        conf.install[normalize(name)] = command.strip()
        return
    try:
        words = shlex.split(rest)
    except ValueError:
        return  # kmod skips a line it cannot parse
    if keyword == 'options' and words:
        conf.options.setdefault(normalize(words[0]), {}).update(split_params(words[1:]))
    elif keyword == 'blacklist' and words:
        conf.blacklist.add(normalize(words[0]))


def _read_lines(path):
    try:
        with open(path, encoding='utf-8', errors='replace') as handle:
            return handle.read().splitlines()
    except OSError:
        return []


def boot_modules(root='/'):
    """What a Debian boot loads: /etc/modules (name and parameters per line, ``#`` comments), then the
    modules-load.d files (names only, ``#`` or ``;`` comments), as ``[(name, params)]``."""
    entries = []
    for line in _read_lines(os.path.join(root, 'etc', 'modules')):
        words = line.split('#', 1)[0].split()
        if words:
            entries.append((normalize(words[0]), split_params(words[1:])))
    for path in conf_files(root, LOAD_DIRS):
        for line in _read_lines(path):
            name = line.strip()
            if name and name[0] not in '#;':
                entries.append((normalize(name), {}))
    return entries
