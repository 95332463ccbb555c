"""SYSFS.md §7: qla2x00t: hardware targets from FC ports, fc_host port_name, enable rules, NPIV mgmt."""

import errno
import os

import pytest

import conformance_io as io
from conformance_io import FC_NAMES, FC_PORTS

QLA_HELP = (
    'Usage: echo "add_target target_name [parameters]" >mgmt\n'
    '       echo "del_target target_name" >mgmt\n'
    '\n'
    "where parameters are one or more param_name=value pairs separated by ';'\n"
    '\n'
    'The following parameters available: node_name, parent_host\n'
    '\n'
)


@pytest.fixture
def qla(emu):
    emu.modprobe('qla2x00tgt')
    return emu


def _targets(emu):
    drv = emu / 'targets/qla2x00t'
    return sorted(e for e in io.entries(drv) if os.path.isdir(drv / e))


def test_s7_fc_host_port_name(qla):
    """§7 [kernel]: /sys/class/fc_host/hostN/port_name reads 0x%llx (no zero padding)."""
    names = sorted(io.read(qla.fc_host / host / 'port_name') for host in io.entries(qla.fc_host))
    assert names == sorted(f'0x{int(p, 16):x}\n' for p in FC_PORTS)


def test_s7_one_target_per_port(qla):
    """§7: one hardware target per FC port, named in lower-case colon form, left-padded to 16 digits."""
    assert _targets(qla) == sorted(FC_NAMES)


def test_s7_no_fc_host_before_driver(emu):
    """§7: fc_host entries exist only while a qla driver is loaded (ARCHITECTURE)."""
    assert not os.path.exists(emu.fc_host) or io.entries(emu.fc_host) == []


def test_s7_hw_target_entries(qla):
    """§7: hw_target 1, enabled 0, node_name in colon form, host link, modes."""
    tgt = qla / 'targets/qla2x00t' / FC_NAMES[0]
    assert io.read(tgt / 'hw_target') == '1\n'
    assert io.mode(tgt / 'hw_target') == 0o444
    assert io.read(tgt / 'enabled') == '0\n'
    node = io.read(tgt / 'node_name')
    assert len(node) == 24 and node[2::3] == ':' * 7 + '\n'
    assert io.mode(tgt / 'abort_isp') == 0o200
    assert os.path.islink(tgt / 'host')
    assert os.path.isfile(tgt / 'explicit_confirmation')


ENABLE = [  # (id, writes, errno of the last write, enabled afterwards)
    ('enable', ['1'], 0, '1\n'),
    ('disable-when-disabled', ['0'], errno.EINVAL, '0\n'),
    ('enable-when-enabled', ['1', '1'], errno.EINVAL, '1\n'),
    ('enable-disable', ['1', '0'], 0, '0\n'),
    ('bad-value', ['x'], errno.EINVAL, '0\n'),
]


@pytest.mark.parametrize('writes,code,after', [e[1:] for e in ENABLE], ids=[e[0] for e in ENABLE])
def test_s7_enable_rules(qla, writes, code, after):
    """§7/§2.8: 32gbit: enabling an enabled target or disabling a disabled one -> EINVAL."""
    path = qla / 'targets/qla2x00t' / FC_NAMES[0] / 'enabled'
    for value in writes[:-1]:
        io.ok(path, value)
    if code:
        io.fails(path, writes[-1], code)
    else:
        io.ok(path, writes[-1])
    assert io.read(path) == after


def test_s7_enable_noop_bash(qla):
    """§7 through bash: `echo 0 > enabled` on a disabled target -> Invalid argument."""
    rc, err = io.echo(qla / 'targets/qla2x00t' / FC_NAMES[0] / 'enabled', '0')
    assert rc == 1 and 'Invalid argument' in err


def test_s7_abort_isp_enosys(qla):
    """§7/Appendix C: abort_isp store returns ENOSYS; read-open EACCES."""
    tgt = qla / 'targets/qla2x00t' / FC_NAMES[0]
    io.fails(tgt / 'abort_isp', '1', errno.ENOSYS)
    assert io.open_errno(tgt / 'abort_isp', os.O_RDONLY) == errno.EACCES


def test_s7_explicit_confirmation(qla):
    """§7: explicit_confirmation 0/1 by first char; other values ignored but succeed."""
    path = qla / 'targets/qla2x00t' / FC_NAMES[0] / 'explicit_confirmation'
    io.ok(path, '1')
    assert io.read(path).startswith('1\n')
    io.ok(path, '7')
    assert io.read(path).startswith('1\n')


def test_s7_qlini_mode_enabled_no_targets(emu):
    """§7: qlini_mode=enabled -> no SCST targets at all in the 32gbit tree."""
    emu.modprobe('qla2xxx_scst', qlini_mode='enabled')
    emu.modprobe('qla2x00tgt')
    assert _targets(emu) == []


@pytest.mark.parametrize('mode', ['exclusive', 'disabled', 'dual', 'EXCLUSIVE'])
def test_s7_qlini_modes_with_targets(emu, mode):
    """§7: other qlini_mode values (case-insensitive) give the hardware targets."""
    emu.modprobe('qla2xxx_scst', qlini_mode=mode)
    emu.modprobe('qla2x00tgt')
    assert _targets(emu) == sorted(FC_NAMES)


def test_s7_dual_mode_scsi_host_files(emu):
    """§7: dual mode: writable scsi_host/hostN/qlini_mode with the documented read format."""
    emu.modprobe('qla2xxx_scst', qlini_mode='dual')
    hosts = io.entries(emu.scsi_host)
    assert hosts
    path = emu.scsi_host / hosts[0] / 'qlini_mode'
    assert io.read(path) == ('Supported options: enabled | disabled | dual | exclusive\n'
                             'Current selection: dual\n')
    for name in ('ql2xexchoffld', 'ql2xiniexchg'):
        assert os.path.exists(emu.scsi_host / hosts[0] / name)


def test_s7_exclusive_mode_no_scsi_host_mode_file(emu):
    """§7: the qlini_mode host file exists only in dual mode."""
    emu.modprobe('qla2xxx_scst')
    for host in io.entries(emu.scsi_host):
        assert not os.path.exists(emu.scsi_host / host / 'qlini_mode')


def test_s7_help(qla):
    """§7/§2.3: help of targets/qla2x00t/mgmt (32gbit NPIV)."""
    assert io.read(qla / 'targets/qla2x00t/mgmt') == QLA_HELP


NPIV_NAME = '50:01:43:80:12:34:56:78'
NPIV_NODE = '50:01:43:80:12:34:56:79'
NPIV = [  # (id, command, errno)
    ('ok', f'add_target {NPIV_NAME} node_name={NPIV_NODE};parent_host={FC_NAMES[0]}', 0),
    ('upper-hex', f'add_target {NPIV_NAME.upper()} node_name={NPIV_NODE};parent_host={FC_NAMES[0]}', 0),
    ('missing-parent', f'add_target {NPIV_NAME} node_name={NPIV_NODE}', errno.EINVAL),
    ('missing-node', f'add_target {NPIV_NAME} parent_host={FC_NAMES[0]}', errno.EINVAL),
    ('no-params', f'add_target {NPIV_NAME}', errno.EINVAL),
    ('short-name', f'add_target 50:01:43:80:12:34:56 node_name={NPIV_NODE};parent_host={FC_NAMES[0]}',
     errno.EINVAL),
    ('plain-hex-name', f'add_target 5001438012345678 node_name={NPIV_NODE};parent_host={FC_NAMES[0]}',
     errno.EINVAL),
    ('bad-node', f'add_target {NPIV_NAME} node_name=5001438012345679;parent_host={FC_NAMES[0]}', errno.EINVAL),
    ('non-hex', f'add_target 50:01:43:80:12:34:56:zz node_name={NPIV_NODE};parent_host={FC_NAMES[0]}',
     errno.EINVAL),
    ('unknown-param', f'add_target {NPIV_NAME} node_name={NPIV_NODE};parent_host={FC_NAMES[0]};x=1', errno.EINVAL),
    ('unknown-keyword', f'create {NPIV_NAME}', errno.EINVAL),
    ('missing-name', 'add_target', errno.EINVAL),
    # The parameter loop of sqa_add_vtarget (scst_get_next_token_str + scst_get_next_lexem, SYSFS.md §2.0).
    ('trailing-space', f'add_target {NPIV_NAME} node_name={NPIV_NODE};parent_host={FC_NAMES[0]} ', 0),
    ('trailing-semicolon', f'add_target {NPIV_NAME} node_name={NPIV_NODE};parent_host={FC_NAMES[0]};', 0),
    ('two-spaces-before-params', f'add_target {NPIV_NAME}  node_name={NPIV_NODE};parent_host={FC_NAMES[0]}', 0),
    ('eq-runs', f'add_target {NPIV_NAME} node_name=={NPIV_NODE};parent_host=={FC_NAMES[0]}', 0),
    ('blank-token', f'add_target {NPIV_NAME} node_name={NPIV_NODE}; ;parent_host={FC_NAMES[0]}', errno.EINVAL),
    ('double-semicolon-ends', f'add_target {NPIV_NAME} node_name={NPIV_NODE};;parent_host={FC_NAMES[0]}',
     errno.EINVAL),
    ('param-no-value', f'add_target {NPIV_NAME} node_name;parent_host={FC_NAMES[0]}', errno.EINVAL),
]


@pytest.mark.parametrize('cmd,code', [n[1:] for n in NPIV], ids=[n[0] for n in NPIV])
def test_s7_npiv_add_target(qla, cmd, code):
    """§7/§2.3: NPIV add_target needs node_name and parent_host; WWNs exactly 23 chars hh:hh:...;
    NPIV targets have hw_target 0."""
    if code:
        io.fails(qla / 'targets/qla2x00t/mgmt', cmd, code)
        assert _targets(qla) == sorted(FC_NAMES)
        return
    io.ok(qla / 'targets/qla2x00t/mgmt', cmd)
    new = [t for t in _targets(qla) if t not in FC_NAMES]
    assert len(new) == 1 and new[0].lower() == NPIV_NAME
    assert io.read(qla / 'targets/qla2x00t' / new[0] / 'hw_target') == '0\n'


def test_s7_npiv_del_target(qla):
    """§7: NPIV targets can be deleted; hardware targets cannot (the write fails, the target stays)."""
    mgmt = qla / 'targets/qla2x00t/mgmt'
    io.ok(mgmt, f'add_target {NPIV_NAME} node_name={NPIV_NODE};parent_host={FC_NAMES[0]}')
    io.ok(mgmt, f'del_target {NPIV_NAME}')
    assert _targets(qla) == sorted(FC_NAMES)
    assert io.write_errno(mgmt, f'del_target {FC_NAMES[0]}') != 0
    assert _targets(qla) == sorted(FC_NAMES)


def test_s7_node_name_write(qla):
    """§7: hardware node_name: 23-char WWN sets it (+[key]); empty resets; bad format EINVAL."""
    path = qla / 'targets/qla2x00t' / FC_NAMES[0] / 'node_name'
    default = io.read(path)
    io.fails(path, '2000000000000001', errno.EINVAL)
    io.ok(path, '20:00:00:00:00:00:00:01')
    assert io.read(path) == '20:00:00:00:00:00:00:01\n[key]\n'
    io.ok(path, '\n')
    assert io.read(path) == default


def test_s7_session_names(qla):
    """§7: sessions are named after the initiator port WWPN in colon form."""
    tgt = FC_NAMES[0]
    io.ok(qla / 'targets/qla2x00t' / tgt / 'enabled', '1')
    session = qla.login('qla2x00t', tgt, '21:00:00:24:ff:00:00:01')
    assert session == '21:00:00:24:ff:00:00:01'
    assert os.path.isdir(qla / 'targets/qla2x00t' / tgt / 'sessions' / session)


def _colon(hex_text):
    """§7: strip 0x, left-pad to 16 hex digits, lower-case, `:` every 2 digits."""
    digits = hex_text.strip().lower().removeprefix('0x').rjust(16, '0')
    return ':'.join(digits[i:i + 2] for i in range(0, 16, 2))


def test_s7_target_host_link_matches_fc_host(qla):
    """§7: each hardware target's `host` link names the scsi_host whose fc_host port_name is the target's
    WWPN (conversion rule of §7), and node_name reads the fc_host node_name in colon form."""
    for name in FC_NAMES:
        tgt = qla / 'targets/qla2x00t' / name
        host = os.path.basename(io.link(tgt / 'host'))
        assert io.link(tgt / 'host').endswith(f'class/scsi_host/{host}')
        assert _colon(io.read(qla.fc_host / host / 'port_name')) == name
        assert io.read(tgt / 'node_name') == _colon(io.read(qla.fc_host / host / 'node_name')) + '\n'


def test_s7_driver_version(qla):
    """§7: 32gbit driver version: INTERFACE=..., SCST=3.11.0-pre, QLOGIC=... lines."""
    lines = io.read(qla / 'targets/qla2x00t/version').split('\n')
    assert lines[0].startswith('INTERFACE=')
    assert 'SCST=3.11.0-pre' in lines
    assert any(line.startswith('QLOGIC=') for line in lines)


def test_s7_dual_mode_host_file_writable(emu):
    """§7: in dual mode scsi_host/hostN/qlini_mode is writable (0644) with the four modes."""
    emu.modprobe('qla2xxx_scst', qlini_mode='dual')
    host = io.entries(emu.scsi_host)[0]
    path = emu.scsi_host / host / 'qlini_mode'
    assert io.mode(path) == 0o644
    io.ok(path, 'exclusive')
    assert io.read(path).split('\n')[1] == 'Current selection: exclusive'
    io.fails(path, 'bogus', errno.EINVAL)
    assert io.read(path).split('\n')[1] == 'Current selection: exclusive'
