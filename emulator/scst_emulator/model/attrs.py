"""Attribute kinds and builders shared by the model files (kept apart from kernel.py to avoid import cycles)."""

import errno

from .lexer import first_line, keyword, kstrtouint, lexems
from .nodes import Attr, KernelError


class ReadWorkAttr(Attr):
    """An attribute whose read is served through a read-only sysfs work (§4.5): it can fail with EAGAIN."""


_TRACE_TOKENS = ('out_of_mem', 'minor', 'sg', 'mem', 'buff', 'entryexit', 'pid', 'line', 'function', 'debug',
                 'special', 'scsi', 'mgmt', 'mgmt_debug', 'flow_control', 'pr')
_TRACE_DEFAULT = ('out_of_mem', 'minor', 'pid', 'line', 'function', 'special', 'mgmt', 'mgmt_debug')


def trace_level_attr(tokens=_TRACE_TOKENS, default=_TRACE_DEFAULT):
    """A ``trace_level`` file (§3.6) with its own state; handlers and drivers may create their own."""
    state = {'on': list(default)}

    def show():
        enabled = ' | '.join(state['on'])
        return (f'{enabled}\n\n\nUsage:\n\techo "all|none|default" >trace_level\n'
                '\techo "value DEC|0xHEX|0OCT" >trace_level\n\techo "add|del TOKEN" >trace_level\n'
                f'\nwhere TOKEN is one of [{", ".join(tokens)}]\n')

    def store(text):
        words = lexems(text)
        if not words:
            raise KernelError(errno.EINVAL, 'trace_level: missing command')
        cmd = keyword(words[0], 'all', 'none', 'null', 'default', 'value', 'add', 'del')
        if cmd in ('all', 'none', 'null', 'default'):
            state['on'] = {'all': list(tokens), 'default': list(default)}.get(cmd, [])
        elif cmd == 'value' and len(words) == 2:
            bits = kstrtouint(words[1])
            state['on'] = [tok for i, tok in enumerate(tokens) if bits >> i & 1]
        elif cmd in ('add', 'del') and len(words) == 2 and keyword(words[1], *tokens):
            token = keyword(words[1], *tokens)
            on = [tok for tok in state['on'] if tok != token]
            state['on'] = on + [token] if cmd == 'add' else on
        else:
            raise KernelError(errno.EINVAL, f'trace_level: invalid command "{first_line(text)}"')

    return Attr(0o644, show, store)
