"""``rmmod [-f] [-s] [-v] NAME...`` of the emulated host (kmod's wording comes from the kernel model)."""

import sys

from .. import control
from .common import Parser, control_path, run
from .modconf import normalize


def main(argv=None, control_socket=None):
    parser = Parser(prog='rmmod', description='Remove modules from the emulated kernel.')
    parser.add_argument('-f', '--force', action='store_true', help='accepted and ignored')
    parser.add_argument('-s', '--syslog', action='store_true', help='accepted and ignored')
    parser.add_argument('-v', '--verbose', action='store_true')
    parser.add_argument('names', nargs='*', metavar='NAME')
    args = parser.parse_args(argv)
    if not args.names:
        print('rmmod: ERROR: missing module name.', file=sys.stderr)
        return 1

    def body():
        sock = control_path(control_socket)
        for name in args.names:
            control.call(sock, 'rmmod', name=normalize(name.removesuffix('.ko').rsplit('/', 1)[-1]))
        return 0

    return run('rmmod', body)
