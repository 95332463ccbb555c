"""``scst-fault``: choose the fault-injection mode of the emulated kernel (one mode at a time).

  scst-fault eagain [--reads N]       every sysfs-work store is done but returns EAGAIN;
                                      last_sysfs_mgmt_res answers EAGAIN N times (default 1)
  scst-fault delay SECONDS            every sysfs-work store returns EAGAIN, completes SECONDS later
  scst-fault fail N ERRNO [--path S]  the N-th write from now (to paths containing S) fails with ERRNO
  scst-fault off | status
"""

import argparse
import errno
import json

from .. import control
from .common import Parser, control_path, run


def _errno(text):
    if text.isdigit():
        return int(text)
    value = getattr(errno, text.upper(), None)
    if not isinstance(value, int):
        raise ValueError(text)
    return value


def _parser():
    parser = Parser(prog='scst-fault', description='Choose the fault-injection mode of the emulated kernel (one at a time).',
                    epilog=__doc__.split('\n', 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest='mode', required=True, parser_class=Parser)
    eagain = sub.add_parser('eagain', help='always-EAGAIN mode')
    eagain.add_argument('--reads', type=int, default=1, help='EAGAIN answers of last_sysfs_mgmt_res per write')
    delay = sub.add_parser('delay', help='delayed completion')
    delay.add_argument('seconds', type=float)
    fail = sub.add_parser('fail', help='fail the N-th write')
    fail.add_argument('nth', type=int, metavar='N')
    fail.add_argument('errno', type=_errno, metavar='ERRNO', help='name (EIO) or number')
    fail.add_argument('--path', help='count only writes to paths containing this text')
    sub.add_parser('off', help='no faults')
    sub.add_parser('status', help='print the current mode as JSON')
    return parser


def main(argv=None, control_socket=None):
    args = _parser().parse_args(argv)
    modes = {
        'eagain': lambda: {'eagain': 'always', 'eagain_reads': args.reads},
        'delay': lambda: {'delay': args.seconds},
        'fail': lambda: {'fail_nth': args.nth, 'fail_errno': args.errno, 'fail_path': args.path},
        'off': lambda: {'eagain': 'off'},
        'status': dict,
    }

    def body():
        print(json.dumps(control.call(control_path(control_socket), 'faults', **modes[args.mode]())))
        return 0

    return run('scst-fault', body)
