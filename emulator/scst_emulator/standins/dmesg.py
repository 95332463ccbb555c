"""``dmesg`` of the emulated host: the emulated kernel log as ``[    1.234567] message`` lines."""

from .. import control
from .common import Parser, control_path, run


def format_entry(seconds, message, notime):
    return message if notime else f'[{seconds:12.6f}] {message}'


def main(argv=None, control_socket=None):
    parser = Parser(prog='dmesg', description='Print (and optionally clear) the emulated kernel log.')
    parser.add_argument('-c', '--read-clear', action='store_true', help='clear the log after printing it')
    parser.add_argument('-C', '--clear', action='store_true', help='clear the log without printing')
    parser.add_argument('-t', '--notime', action='store_true', help='omit the timestamps')
    parser.add_argument('-k', '--kernel', action='store_true', help='accepted: the log holds only kernel messages')
    parser.add_argument('-x', '--decode', action='store_true', help='prefix facility and level')
    args = parser.parse_args(argv)

    def body():
        entries = control.call(control_path(control_socket), 'dmesg', clear=args.read_clear or args.clear)
        if not args.clear:
            for seconds, message in entries:
                prefix = 'kern  :info  : ' if args.decode else ''
                print(prefix + format_entry(seconds, message, args.notime))
        return 0

    return run('dmesg', body)
