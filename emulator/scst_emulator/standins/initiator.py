"""``scst-initiator``: a simulated initiator that logs in, logs out and lists the LUNs it would see."""

import json

from .. import control
from .common import Parser, control_path, run


def _parser():
    parser = Parser(prog='scst-initiator', description='Simulated SCSI initiator of the emulated host.')
    sub = parser.add_subparsers(dest='command', required=True, parser_class=Parser)
    for name, text in (('login', 'open a session; prints the session name'),
                       ('logout', 'close a session'),
                       ('luns', 'print the LUNs this initiator sees, as JSON')):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument('--driver', required=True, help='target driver, e.g. iscsi, qla2x00t, scst_local')
        cmd.add_argument('--target', required=True)
        cmd.add_argument('--initiator', required=name != 'logout', help='initiator name (IQN or WWPN)')
        if name == 'logout':
            cmd.add_argument('--session', help='session name (default: the initiator name)')
        else:
            cmd.add_argument('--portal', help='portal IP the initiator connects to')
    return parser


def main(argv=None, control_socket=None):
    args = _parser().parse_args(argv)

    def body():
        sock = control_path(control_socket)
        if args.command == 'login':
            print(control.call(sock, 'login', driver=args.driver, target=args.target, initiator=args.initiator,
                               portal=args.portal))
        elif args.command == 'logout':
            session = args.session or args.initiator
            if not session:
                raise control.ControlError('logout needs --session or --initiator', 2)
            control.call(sock, 'logout', driver=args.driver, target=args.target, session=session)
        else:
            print(json.dumps(control.call(sock, 'visible_luns', driver=args.driver, target=args.target,
                                          initiator=args.initiator, portal=args.portal)))
        return 0

    return run('scst-initiator', body)
