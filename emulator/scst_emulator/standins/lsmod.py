"""``lsmod`` of the emulated host, in kmod's exact column layout."""

from .. import control
from .common import Parser, control_path, run


def format_table(rows):
    lines = ['Module                  Size  Used by']
    for name, size, refcnt, users in rows:
        line = f'{name:<19} {size:>8}  {refcnt}'
        if users:
            line += ' ' + ','.join(users)
        lines.append(line)
    return '\n'.join(lines)


def main(argv=None, control_socket=None):
    Parser(prog='lsmod', description='Show the modules of the emulated kernel.').parse_args(argv)

    def body():
        print(format_table(control.call(control_path(control_socket), 'lsmod')))
        return 0

    return run('lsmod', body)
