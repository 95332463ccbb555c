"""SYSFS.md §3.2 over a whole configured tree: every file has a sysfs mode, 0444 files refuse write-open and
0200 files refuse read-open with EACCES, every readable file reads without error; §3.6 trace_level."""

import errno
import os
import re

import pytest

import conformance_io as io
from conformance_io import FC_NAMES

IQN = 'iqn.2024-01.test:walk'


@pytest.fixture
def full(emu, backing):
    """A tree with every kind of object: vdisk devices, scst_local/iscsi/qla targets, LUNs, groups,
    initiators, sessions, CHAP users, ALUA groups."""
    for module in ('scst_vdisk', 'scst_disk', 'scst_local', 'iscsi_scst', 'qla2x00tgt'):
        emu.modprobe(module)
    emu.iscsi_start()
    io.ok(emu / 'handlers/vdisk_fileio/mgmt', f'add_device f1 filename={backing()};thin_provisioned=1')
    io.ok(emu / 'handlers/vdisk_blockio/mgmt', f'add_device b1 filename={backing()};active=0')
    io.ok(emu / 'handlers/vdisk_nullio/mgmt', 'add_device n1 dif_type=1;dif_mode=tgt')
    io.ok(emu / 'handlers/vcdrom/mgmt', 'add_device c1')
    io.ok(emu / 'handlers/dev_disk/mgmt', 'add_device 2:0:0:0')
    io.ok(emu / 'targets/scst_local/mgmt', 'add_target t1 session_name=s1')
    io.ok(emu / 'targets/scst_local/t1/luns/mgmt', 'add f1 0')
    io.ok(emu / 'targets/scst_local/t1/ini_groups/mgmt', 'create g1')
    io.ok(emu / 'targets/scst_local/t1/ini_groups/g1/luns/mgmt', 'add c1 0')
    io.ok(emu / 'targets/scst_local/t1/ini_groups/g1/initiators/mgmt', 'add iqn.x:*')
    io.ok(emu / 'targets/iscsi/mgmt', f'add_target {IQN}')
    io.ok(emu / 'targets/iscsi/mgmt', f'add_target_attribute {IQN} IncomingUser joe secretsecret')
    io.ok(emu / 'targets/iscsi/mgmt', f'add_target_attribute {IQN} allowed_portal 10.*')
    io.ok(emu / 'targets/iscsi/mgmt', 'add_attribute OutgoingUser tgt secretsecret')
    io.ok(emu / f'targets/iscsi/{IQN}/luns/mgmt', 'add 2:0:0:0 0')
    io.ok(emu / f'targets/iscsi/{IQN}/enabled', '1')
    io.ok(emu / 'targets/iscsi/enabled', '1')
    emu.login('iscsi', IQN, 'iqn.x:a', '10.0.0.1')
    io.ok(emu / 'targets/qla2x00t' / FC_NAMES[0] / 'luns/mgmt', 'add b1 0')
    io.ok(emu / 'device_groups/mgmt', 'create dg1')
    io.ok(emu / 'device_groups/dg1/devices/mgmt', 'add f1')
    io.ok(emu / 'device_groups/dg1/target_groups/mgmt', 'create tg1')
    io.ok(emu / 'device_groups/dg1/target_groups/tg1/mgmt', 'add t1')
    io.ok(emu / 'device_groups/dg1/target_groups/tg1/mgmt', 'add remote')
    return emu


def _files(top):
    for dirpath, _dirnames, filenames in os.walk(top):
        for name in filenames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                yield path


def test_s3_2_modes_over_whole_tree(full):
    """§3.2: every file is 0644, 0444, 0200 or 0600 (iSCSI users)."""
    bad = {p: oct(io.mode(p)) for p in _files(full.root) if io.mode(p) not in (0o644, 0o444, 0o200, 0o600)}
    assert not bad


def test_s3_2_eacces_over_whole_tree(full):
    """§3.2/§2.8: EACCES at open for write-open of every 0444 file and read-open of every 0200 file."""
    wrong = []
    for path in _files(full.root):
        mode = io.mode(path)
        if mode == 0o444 and io.open_errno(path, os.O_WRONLY) != errno.EACCES:
            wrong.append(('write-open', path))
        if mode == 0o200 and io.open_errno(path, os.O_RDONLY) != errno.EACCES:
            wrong.append(('read-open', path))
    assert not wrong


def test_s3_1_every_readable_file_reads(full):
    """§3.1: every readable attribute reads without error and fits one page (4096 bytes). (Not every file ends
    with a newline: driver files such as iSCSI connection `ip`/`cid` or binary `transport_id` do not.)"""
    broken = []
    for path in _files(full.root):
        if io.mode(path) & 0o444:
            try:
                text = io.read(path)
            except OSError as exc:
                broken.append((path, errno.errorcode.get(exc.errno)))
                continue
            if len(text.encode('latin-1')) > 4096:
                broken.append((path, text[-40:]))
    assert not broken


def test_s3_1_key_only_as_second_line_or_later(full):
    """§3.1: `[key]` never appears on the first line of an attribute."""
    offenders = [p for p in _files(full.root) if io.mode(p) & 0o444 and io.read(p).startswith('[key]')]
    assert not offenders


def _tokens(text):
    match = re.search(r'where TOKEN is one of \[([^\]]*)\]', text)
    assert match, text
    return [t for t in re.split(r'[,\s]+', match.group(1)) if t]


TRACE_USAGE = ('\n\n\nUsage:\n\techo "all|none|default" >trace_level\n\techo "value DEC|0xHEX|0OCT" >trace_level\n'
               '\techo "add|del TOKEN" >trace_level\n')


def test_s3_6_trace_level(scst):
    """§3.6: trace_level read format, all/none/default/value/add/del (case-insensitive), unknown EINVAL."""
    path = scst / 'trace_level'
    text = io.read(path)
    assert TRACE_USAGE in text
    tokens = _tokens(text)
    io.ok(path, 'none')
    assert io.read(path).split('\n', 1)[0].strip() == ''
    io.ok(path, f'add {tokens[0]}')
    assert tokens[0] in io.read(path).split('\n', 1)[0].split(' | ')
    io.ok(path, f'DEL {tokens[0]}')
    assert tokens[0] not in io.read(path).split('\n', 1)[0].split(' | ')
    io.ok(path, 'ALL')
    assert set(tokens) <= set(io.read(path).split('\n', 1)[0].split(' | '))
    io.ok(path, 'null')
    io.ok(path, 'default')
    io.ok(path, 'value 0x0')
    io.fails(path, 'bogus', errno.EINVAL)
    io.fails(path, 'add no_such_token', errno.EINVAL)


GARBAGE = ['x', '\n', '-1', '99999999999999999999999', 'a b c', '=;=;', 'add', 'del ' + 'z' * 300, '\x01\xff']


def test_s2_8_garbage_never_eio(full):
    """§2.8: a store fails with the errno of its table, never with an internal error (EIO) or a crash:
    garbage written to every writable file of a full tree; the emulator keeps answering afterwards."""
    writable = [p for p in _files(full.root) if io.mode(p) & 0o200]
    internal = []
    for path in writable:
        for data in GARBAGE:
            code = io.write_errno(path, data)
            if code in (errno.EIO, errno.ENOSYS) and not path.endswith('/abort_isp'):
                internal.append((path, data, errno.errorcode[code]))
    assert not internal
    assert io.read(full / 'version').startswith('SCST version:')
