"""Reads and writes of the model's tree as a client sees them: paths under kernel/scst_tgt/, text in latin-1 so every
byte survives, and the errno of a failed write."""

import pytest

from scst_emulator.model.nodes import KernelError

ROOT = 'kernel/scst_tgt/'


def wr(k, path, text):
    return k.write(ROOT + path, text.encode('latin-1'))


def rd(k, path):
    return k.read(ROOT + path).decode('latin-1')


def names(k, path):
    return k.lookup(ROOT + path).names()


def err(k, path, text):
    with pytest.raises(KernelError) as info:
        wr(k, path, text)
    return info.value.errno
