"""I/O helpers of the conformance suite: real open(2)/write(2)/read(2) on the mounted emulator.

Every helper goes through the FUSE mount, never through the model, so that the errno a test sees is the
one a client of the real /sys/kernel/scst_tgt would see (SYSFS.md §2.0, §3.2).
"""

import errno
import os
import shlex
import stat
import subprocess

# Emulated QLogic ports (§7): the second one has a leading zero nibble, so fc_host prints it unpadded.
FC_PORTS = ('0x21000024ff314c48', '0x1000024ff314c49')
FC_NAMES = ('21:00:00:24:ff:31:4c:48', '01:00:00:24:ff:31:4c:49')
# Local SCSI devices (§1.6, §2.2): two disks, a tape, a CD-ROM.
SCSI_DEVICES = ('2:0:0:0,0,VBOX HARDDISK', '2:0:1:0,0,VBOX HARDDISK', '3:0:0:0,1,ULTRIUM', '4:0:0:0,5,DVD-ROM')


def write(path, data):
    """One write(2) of ``data`` to ``path``; returns the byte count or raises OSError."""
    if isinstance(data, str):
        data = data.encode('latin-1')
    fd = os.open(str(path), os.O_WRONLY)
    try:
        return os.write(fd, data)
    finally:
        os.close(fd)


def write_errno(path, data):
    """0 when one write(2) stores all of ``data``, else the errno (open or write)."""
    try:
        count = write(path, data)
    except OSError as exc:
        return exc.errno
    assert count == len(data), f'short write {count} of {len(data)} to {path}'
    return 0


def ok(path, data):
    """Assert that one write(2) stores ``data`` completely."""
    code = write_errno(path, data)
    assert code == 0, f'write {data!r} to {path}: {errno.errorcode.get(code, code)}'


def fails(path, data, expected):
    """Assert that one write(2) of ``data`` fails with ``expected``."""
    code = write_errno(path, data)
    assert code == expected, (f'write {data!r} to {path}: expected {errno.errorcode[expected]}, '
                              f'got {errno.errorcode.get(code, "success") if code else "success"}')


def read(path):
    """Whole content of ``path`` through open(2)/read(2), as text."""
    fd = os.open(str(path), os.O_RDONLY)
    try:
        chunks = []
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                return b''.join(chunks).decode('latin-1')
            chunks.append(chunk)
    finally:
        os.close(fd)


def read_errno(path):
    try:
        read(path)
    except OSError as exc:
        return exc.errno
    return 0


def open_errno(path, flags):
    try:
        fd = os.open(str(path), flags)
    except OSError as exc:
        return exc.errno
    os.close(fd)
    return 0


def mode(path):
    return stat.S_IMODE(os.lstat(str(path)).st_mode)


def entries(path):
    return sorted(os.listdir(str(path)))


def link(path):
    return os.readlink(str(path))


def echo(path, text):
    """Run ``echo TEXT > PATH`` in bash; return (exit status, stderr)."""
    proc = subprocess.run(['bash', '-c', f'echo {shlex.quote(text)} > {shlex.quote(str(path))}'],
                          capture_output=True, text=True, timeout=60, check=False)
    return proc.returncode, proc.stderr


def crc32c(data):
    """Raw reflected CRC-32C (poly 0x82F63B78), seed 0, no final inversion (SYSFS.md §10)."""
    crc = 0
    for byte in data:
        crc ^= byte
        for dummy in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc
