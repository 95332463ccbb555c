"""model/lexer.py against a second, independent port of the C it stands for (scst_lib.c).

The port below works like the C: one mutable buffer, a cursor, NUL written over the delimiter. A seeded random
search over strings of the characters that matter (blanks, NBSP, ``=``, ``;``, newline, word characters)
compares the two on the LUN parameter loop of scst_parse_add_repl_param: same outcome (parameters or EINVAL).
"""

import random

import pytest

from scst_emulator.model.lexer import next_lexem, parse_params
from scst_emulator.model.nodes import KernelError

SEED = 20261205
CASES = 4000
ALPHABET = [' ', '  ', '\t', '\n', '\xa0', '=', ';', 'a', 'b1', 'read_only', '0']
# The kernel's isspace(): _ctype marks 9-13, 32 and 160 as space.
C_SPACE = {9, 10, 11, 12, 13, 32, 160}


class CString:
    """A char buffer with NUL at the end, as kasprintf("%.*s") leaves it."""

    def __init__(self, text):
        self.buf = [ord(ch) for ch in text] + [0]

    def at(self, pos):
        return self.buf[pos]

    def text(self, pos):
        end = self.buf.index(0, pos)
        return ''.join(chr(code) for code in self.buf[pos:end])


def c_get_next_lexem(cstr, pos):
    """scst_get_next_lexem: returns (lexem start, new *token_str)."""
    while cstr.at(pos) != 0 and (cstr.at(pos) in C_SPACE or cstr.at(pos) == ord('=')):
        pos += 1
    start = end = pos
    while cstr.at(end) != 0 and cstr.at(end) not in C_SPACE and cstr.at(end) != ord('='):
        end += 1
    if cstr.at(end) != 0:
        cstr.buf[end] = 0
        end += 1
    return start, end


def c_get_next_token_str(cstr, pos):
    """scst_get_next_token_str: returns (token start or None, new *input_str)."""
    i = 0
    while cstr.at(pos + i) not in (ord('\n'), ord(';'), 0):
        i += 1
    if i == 0:
        return None, pos
    new = pos + i if cstr.at(pos + i) == 0 else pos + i + 1
    cstr.buf[pos + i] = 0
    return pos, new


def c_params(cstr, pos):
    """The loop of scst_parse_add_repl_param: [(name, value)] or None for EINVAL."""
    out = []
    while True:
        token, pos = c_get_next_token_str(cstr, pos)
        if token is None:
            return out
        name, after = c_get_next_lexem(cstr, token)
        if cstr.text(name) == '':
            return None
        value, after = c_get_next_lexem(cstr, after)
        if cstr.text(value) == '':
            return None
        extra, after = c_get_next_lexem(cstr, after)
        if cstr.text(extra) != '':
            return None
        out.append((cstr.text(name), cstr.text(value)))


def c_lun_add(text):
    """`add DEV LUN [params]` as __scst_process_luns_mgmt_store + scst_parse_add_repl_param lex it."""
    cstr = CString(text)
    words = []
    pos = 0
    for dummy in range(3):
        start, pos = c_get_next_lexem(cstr, pos)
        words.append(cstr.text(start))
    return words, c_params(cstr, pos)


def model_lun_add(text):
    words = []
    pos = 0
    for dummy in range(3):
        word, pos = next_lexem(text, pos)
        words.append(word)
    try:
        return words, parse_params(text[pos:])
    except KernelError:
        return words, None


@pytest.mark.parametrize('text', ['add db02 0 ', 'add db02 0  ', 'add db02 0 ;read_only=1', 'add=db02==0\tread_only=1;',
                                  'add db02 0  read_only=1', 'add db02 0 read_only=1; ', 'add db02 0\xa0\xa0'])
def test_hand_cases_agree(text):
    assert model_lun_add(text) == c_lun_add(text)


def test_random_strings_agree():
    """Seed 20261205, 4000 strings of up to 12 pieces after `add d `."""
    rng = random.Random(SEED)
    for dummy in range(CASES):
        text = 'add d ' + ''.join(rng.choice(ALPHABET) for dummy in range(rng.randint(0, 12)))
        assert model_lun_add(text) == c_lun_add(text), repr(text)
