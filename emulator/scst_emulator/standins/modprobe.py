"""``modprobe`` of the emulated host: kmod's options, config files, wording and exit statuses.

``modprobe [-q] [-r] [-n] [-v] [-a] [-b] [-i] NAME [param=value...]``. Options from modprobe.d come
first and the command line overrides them; ``install NAME CMD`` runs CMD instead of loading (unless
``-i``); ``blacklist`` only matters with ``-b`` (udev-style loading), exactly as with kmod. Loading and
unloading go to the emulated kernel, which checks names, parameters and dependencies.
"""

import os
import subprocess
import sys

from .. import control
from ..model.modules import KERNEL_RELEASE
from . import modconf
from .common import Parser, control_path, run


def _parser():
    parser = Parser(prog='modprobe', add_help=True, description='Add and remove modules of the emulated kernel.')
    parser.add_argument('-q', '--quiet', action='store_true')
    parser.add_argument('-r', '--remove', action='store_true')
    parser.add_argument('-n', '--dry-run', '--show', action='store_true', dest='dry_run')
    parser.add_argument('-v', '--verbose', action='store_true')
    parser.add_argument('-a', '--all', action='store_true', help='every argument is a module name')
    parser.add_argument('-b', '--use-blacklist', action='store_true')
    parser.add_argument('-i', '--ignore-install', action='store_true')
    parser.add_argument('args', nargs='*', metavar='NAME [param=value...]')
    return parser


def _say(args, text):
    if not args.quiet:
        print(f'modprobe: {text}', file=sys.stderr)


def _ko_path(name):
    return f'/lib/modules/{KERNEL_RELEASE}/extra/{name}.ko'


def insert_with_deps(sock, name, params, args, conf):
    """Load the missing dependencies (each with its modprobe.d options), then the module itself."""
    loaded = {row[0] for row in control.call(sock, 'lsmod')}
    try:
        deps = control.call(sock, 'moddeps', name=name)
    except control.ControlError:
        # kmod needs no module file for a name with an install command; any other name must resolve, dry run too.
        if name not in conf.install or args.ignore_install:
            raise
        deps = []
    for dep in deps:
        if dep not in loaded:
            status = insert(sock, dep, {}, args, conf)
            if status:
                return status
    return insert(sock, name, params, args, conf)


def insert(sock, name, params, args, conf):
    """Load one module the way kmod does; return the exit status."""
    if args.use_blacklist and name in conf.blacklist:
        if args.verbose:
            print(f'modprobe: module {name} is blacklisted, not loading', file=sys.stderr)
        return 0
    if name in conf.install and not args.ignore_install:
        command = conf.install[name]
        if args.verbose or args.dry_run:
            print(f'install {command}')
        if args.dry_run:
            return 0
        env = dict(os.environ, CMDLINE_OPTS=' '.join(f'{k}={v}' for k, v in params.items()))
        status = subprocess.run(['/bin/sh', '-c', command], env=env, check=False).returncode
        if status:
            _say(args, f"ERROR: Error running install command '{command}' for module {name}: retcode {status}")
            _say(args, f"ERROR: could not insert '{name}': Invalid argument")
            return 1
        return 0
    merged = {**conf.options.get(name, {}), **params}
    if args.verbose or args.dry_run:
        print(' '.join([f'insmod {_ko_path(name)}', *(f'{k}={v}' for k, v in merged.items())]))
    if args.dry_run:
        return 0
    control.call(sock, 'modprobe', name=name, params=merged)
    return 0


def _users(sock):
    """module -> the modules that use it, from the emulated lsmod."""
    return {row[0]: list(row[3]) for row in control.call(sock, 'lsmod')}


def remove(sock, name, args):
    """``modprobe -r``: unload NAME, then the modules it used that nothing else uses any more."""
    users = _users(sock)
    if name not in users:
        _say(args, f'FATAL: Module {name} is not in kernel.')
        return 1
    deps = [mod for mod, mod_users in users.items() if name in mod_users]
    for module in [name, *deps]:
        if module != name and _users(sock).get(module):
            continue
        if args.verbose or args.dry_run:
            print(f'rmmod {module}')
        if not args.dry_run:
            control.call(sock, 'rmmod', name=module)
    return 0


def main(argv=None, control_socket=None):
    args = _parser().parse_args(argv)
    if not args.args:
        print('modprobe: ERROR: missing parameters. See -h.', file=sys.stderr)
        return 1

    def body():
        sock = control_path(control_socket)
        if args.remove or args.all:
            names, params = [modconf.normalize(a) for a in args.args], {}
        else:
            names, params = [modconf.normalize(args.args[0])], modconf.split_params(args.args[1:])
        if args.remove:
            return max(remove(sock, name, args) for name in names)
        conf = modconf.load()
        return max(insert_with_deps(sock, name, params, args, conf) for name in names)

    def quiet_body():
        try:
            return body()
        except control.ControlError as exc:
            return exc.exit_code

    return run('modprobe', quiet_body if args.quiet else body)
