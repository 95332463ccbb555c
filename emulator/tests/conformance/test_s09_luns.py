"""SYSFS.md §2.4 and §9: LUN management (luns/mgmt of a target and of an ini group)."""

import errno
import os
import random
import string

import pytest

import conformance_io as io

T1 = 'targets/scst_local/t1'
LUN_HELP = (
    'Usage: echo "add H:C:I:L lun [parameters]" >mgmt\n'
    '       echo "add VNAME lun [parameters]" >mgmt\n'
    '       echo "del lun" >mgmt\n'
    '       echo "replace H:C:I:L lun [parameters]" >mgmt\n'
    '       echo "replace VNAME lun [parameters]" >mgmt\n'
    '       echo "replace_no_ua H:C:I:L lun [parameters]" >mgmt\n'
    '       echo "replace_no_ua VNAME lun [parameters]" >mgmt\n'
    '       echo "clear" >mgmt\n'
    '\n'
    "where parameters are one or more param_name=value pairs separated by ';'\n"
    '\n'
    'The following parameters available: read_only\n'
)

SETS = {'target': T1 + '/luns', 'group': T1 + '/ini_groups/g1/luns'}
DEVICE_LINK = {'target': '../../../../../devices/', 'group': '../../../../../../../devices/'}


@pytest.fixture(params=sorted(SETS))
def lunset(request, local):
    """(emu, luns dir, kind) for the default LUN set and for a group LUN set (§8.4: same commands)."""
    io.ok(local / T1 / 'ini_groups/mgmt', 'create g1')
    return local, local / SETS[request.param], request.param


def test_s2_4_help(lunset):
    """§2.4: help text, identical for both kinds of LUN sets."""
    emu, luns, _kind = lunset
    assert io.read(luns / 'mgmt') == LUN_HELP


# (id, setup commands, command, errno, {lun: (device, read_only content)} expected afterwards)
LUN_CASES = [
    ('add', [], 'add nd0 0', 0, {'0': ('nd0', '0\n')}),
    ('add-upper-keyword', [], 'ADD nd0 0', 0, {'0': ('nd0', '0\n')}),
    ('add-max-lun', [], 'add nd0 16383', 0, {'16383': ('nd0', '0\n')}),
    ('add-lun-too-big', [], 'add nd0 16384', errno.EINVAL, {}),
    ('add-lun-not-number', [], 'add nd0 one', errno.EINVAL, {}),
    ('add-lun-negative', [], 'add nd0 -1', errno.EINVAL, {}),
    ('add-lun-octal', [], 'add nd0 010', 0, {'8': ('nd0', '0\n')}),
    ('add-lun-hex', [], 'add nd0 0x10', 0, {'16': ('nd0', '0\n')}),
    ('add-lun-octal-max', [], 'add nd0 037777', 0, {'16383': ('nd0', '0\n')}),
    ('add-lun-hex-too-big', [], 'add nd0 0x4000', errno.EINVAL, {}),
    ('add-lun-trailing-garbage', [], 'add nd0 5x', errno.EINVAL, {}),
    ('add-eq-separators', [], 'add=nd0=5', 0, {'5': ('nd0', '0\n')}),
    ('add-extra-token', [], 'add nd0 5 extra', errno.EINVAL, {}),
    ('add-param-too-many-values', [], 'add nd0 5 read_only=1 2', errno.EINVAL, {}),
    ('add-missing-lun', [], 'add nd0', errno.EINVAL, {}),
    ('add-missing-device', [], 'add', errno.EINVAL, {}),
    ('add-unknown-device', [], 'add nosuch 0', errno.EINVAL, {}),
    ('add-device-wrong-case', [], 'add ND0 0', errno.EINVAL, {}),
    ('add-lun-used', ['add nd0 0'], 'add nd1 0', errno.EEXIST, {'0': ('nd0', '0\n')}),
    ('add-same-device-twice', ['add nd0 0'], 'add nd0 1', 0, {'0': ('nd0', '0\n'), '1': ('nd0', '0\n')}),
    ('add-read_only', [], 'add nd0 1 read_only=1', 0, {'1': ('nd0', '1\n[key]\n')}),
    ('add-read_only-nonzero', [], 'add nd0 1 read_only=5', 0, {'1': ('nd0', '1\n[key]\n')}),
    ('add-read_only-0', [], 'add nd0 1 read_only=0', 0, {'1': ('nd0', '0\n')}),
    ('add-READ_ONLY', [], 'add nd0 1 READ_ONLY=1', 0, {'1': ('nd0', '1\n[key]\n')}),
    ('add-read_only-bad-value', [], 'add nd0 1 read_only=yes', errno.EINVAL, {}),
    ('add-unknown-param', [], 'add nd0 1 bogus=1', errno.EINVAL, {}),
    ('add-param-without-value', [], 'add nd0 1 read_only', errno.EINVAL, {}),
    ('add-ro-device', [], 'add ro0 2', 0, {'2': ('ro0', '1\n[key]\n')}),
    ('replace-existing', ['add nd0 0'], 'replace nd1 0', 0, {'0': ('nd1', '0\n')}),
    ('replace-flag', ['add nd0 0'], 'replace nd0 0 read_only=1', 0, {'0': ('nd0', '1\n[key]\n')}),
    ('replace-absent-acts-as-add', [], 'replace nd1 4', 0, {'4': ('nd1', '0\n')}),
    ('replace_no_ua-existing', ['add nd0 0'], 'replace_no_ua nd1 0', 0, {'0': ('nd1', '0\n')}),
    ('replace_no_ua-absent', [], 'REPLACE_NO_UA nd1 4', 0, {'4': ('nd1', '0\n')}),
    ('replace-unknown-device', ['add nd0 0'], 'replace nosuch 0', errno.EINVAL, None),
    ('replace-lun-too-big', [], 'replace nd0 16384', errno.EINVAL, {}),
    ('replace-missing-lun', ['add nd0 0'], 'replace nd1', errno.EINVAL, {'0': ('nd0', '0\n')}),
    ('replace-unknown-param', ['add nd0 0'], 'replace nd1 0 bogus=1', errno.EINVAL, None),
    ('del', ['add nd0 0', 'add nd1 1'], 'del 0', 0, {'1': ('nd1', '0\n')}),
    ('del-absent', ['add nd0 0'], 'del 5', errno.EINVAL, {'0': ('nd0', '0\n')}),
    ('del-extra-token', ['add nd0 0'], 'del 0 x', errno.EINVAL, {'0': ('nd0', '0\n')}),
    ('del-missing-lun', ['add nd0 0'], 'del', errno.EINVAL, {'0': ('nd0', '0\n')}),
    ('del-not-number', ['add nd0 0'], 'del zero', errno.EINVAL, {'0': ('nd0', '0\n')}),
    ('clear', ['add nd0 0', 'add nd1 1'], 'clear', 0, {}),
    ('clear-empty', [], 'clear', 0, {}),
    ('clear-extra-token', ['add nd0 0'], 'clear x', errno.EINVAL, {'0': ('nd0', '0\n')}),
    ('unknown-keyword', [], 'map nd0 0', errno.EINVAL, {}),
]


@pytest.mark.parametrize('setup,cmd,code,expect', [c[1:] for c in LUN_CASES], ids=[c[0] for c in LUN_CASES])
def test_s9_lun_mgmt(lunset, setup, cmd, code, expect):
    """§9: add/replace/replace_no_ua/del/clear with range, EEXIST and EINVAL cases; decimal dir names;
    `device` link depth and `read_only` content (LUN flag OR device read_only)."""
    emu, luns, kind = lunset
    io.ok(emu / 'handlers/vdisk_nullio/mgmt', 'add_device nd1')
    io.ok(emu / 'handlers/vdisk_nullio/mgmt', 'add_device ro0 read_only=1')
    for step in setup:
        io.ok(luns / 'mgmt', step)
    if code:
        io.fails(luns / 'mgmt', cmd, code)
    else:
        io.ok(luns / 'mgmt', cmd)
    if expect is None:
        return
    assert sorted(io.entries(luns)) == sorted(['mgmt', *expect])
    for lun, (device, ro_content) in expect.items():
        assert io.link(luns / lun / 'device') == DEVICE_LINK[kind] + device
        assert io.read(luns / lun / 'read_only') == ro_content
        assert io.mode(luns / lun / 'read_only') == 0o444


def _exports(emu, device):
    """{exportN: link target} of devices/<device>/exported."""
    exported = emu / 'devices' / device / 'exported'
    return {name: io.link(exported / name) for name in io.entries(exported)}


def test_s9_export_links(lunset):
    """§1.3/§9: exportN links point to the LUN dir; the counter only increases (never reused)."""
    emu, luns, kind = lunset
    rel = SETS[kind]
    io.ok(luns / 'mgmt', 'add nd0 0')
    assert _exports(emu, 'nd0') == {'export0': '../../../targets/copy_manager/copy_manager_tgt/luns/0',
                                    'export1': f'../../../{rel}/0'}
    io.ok(luns / 'mgmt', 'del 0')
    assert 'export1' not in _exports(emu, 'nd0')
    io.ok(luns / 'mgmt', 'add nd0 0')
    assert _exports(emu, 'nd0')['export2'] == f'../../../{rel}/0'
    assert 'export1' not in _exports(emu, 'nd0')


def test_s9_replace_recreates_lun(lunset):
    """§9: replace with an identical device/flag still removes and re-creates the LUN (new exportN)."""
    emu, luns, kind = lunset
    io.ok(luns / 'mgmt', 'add nd0 5')
    assert 'export1' in _exports(emu, 'nd0')
    io.ok(luns / 'mgmt', 'replace nd0 5')
    exports = _exports(emu, 'nd0')
    assert 'export1' not in exports and exports['export2'] == f'../../../{SETS[kind]}/5'
    io.ok(luns / 'mgmt', 'replace_no_ua nd0 5')
    exports = _exports(emu, 'nd0')
    assert 'export2' not in exports and exports['export3'] == f'../../../{SETS[kind]}/5'


def test_s9_replace_moves_export_between_devices(local):
    """§9: replace by another device removes the old device's export link and adds one to the new one."""
    io.ok(local / 'handlers/vdisk_nullio/mgmt', 'add_device nd1')
    io.ok(local / T1 / 'luns/mgmt', 'add nd0 0')
    io.ok(local / T1 / 'luns/mgmt', 'replace nd1 0')
    assert list(_exports(local, 'nd0')) == ['export0']
    assert _exports(local, 'nd1')['export1'] == f'../../../{T1}/luns/0'


def test_s9_copy_manager_refuses_read_only_device(vdisk):
    """§1.6/§9: adding a read-only device as a LUN of copy_manager_tgt -> EINVAL."""
    emu = vdisk
    io.ok(emu / 'handlers/vdisk_nullio/mgmt', 'add_device ro0 read_only=1')
    mgmt = emu / 'targets/copy_manager/copy_manager_tgt/luns/mgmt'
    io.fails(mgmt, 'add ro0 100', errno.EINVAL)
    assert not os.path.exists(emu / 'targets/copy_manager/copy_manager_tgt/luns/100')


def test_s9_copy_manager_ini_group_einval(scst):
    """§1.6/§2.5: creating an ini group in copy_manager_tgt -> EINVAL."""
    io.fails(scst / 'targets/copy_manager/copy_manager_tgt/ini_groups/mgmt', 'create g1', errno.EINVAL)
    assert io.entries(scst / 'targets/copy_manager/copy_manager_tgt/ini_groups') == ['mgmt']


def test_s9_bash_lun_errors(local):
    """§9 through bash: EEXIST and EINVAL messages."""
    mgmt = local / T1 / 'luns/mgmt'
    assert io.echo(mgmt, 'add nd0 0') == (0, '')
    rc, err = io.echo(mgmt, 'add nd0 0')
    assert rc == 1 and 'File exists' in err
    rc, err = io.echo(mgmt, 'add nd0 16384')
    assert rc == 1 and 'Invalid argument' in err


def test_s9_parameter_injection_semicolon(local):
    """§11/§2.0: `;` inside the parameter list splits parameters (read_only=0;read_only=1 -> last wins)."""
    io.ok(local / T1 / 'luns/mgmt', 'add nd0 0 read_only=0;read_only=1')
    assert io.read(local / T1 / 'luns/0/read_only') == '1\n[key]\n'


def _kstrtoull(text):
    """§2.0 reference for base 0: `0x` + hex digit -> hex, leading `0` -> octal, else decimal; None if invalid."""
    if len(text) >= 3 and text[0] == '0' and text[1] in 'xX' and text[2] in string.hexdigits:
        digits, base, allowed = text[2:], 16, string.hexdigits
    elif text.startswith('0'):
        digits, base, allowed = text, 8, string.octdigits
    else:
        digits, base, allowed = text, 10, string.digits
    if not digits or any(c not in allowed for c in digits):
        return None
    return int(digits, base)


def test_s9_lun_numbers_randomized(local):
    """§2.0/§9: 120 random LUN tokens: accepted exactly when they parse in base 0 and are <= 16383, and the
    LUN directory is named in decimal."""
    rng = random.Random(9)
    mgmt = local / T1 / 'luns/mgmt'
    wrong = []
    for dummy in range(120):
        token = rng.choice(['', '0', '0x', '0X']) + ''.join(rng.choice('0123456789abcfx') for dummy in range(rng.randint(1, 5)))
        value = _kstrtoull(token)
        expected = value is not None and value <= 16383
        code = io.write_errno(mgmt, f'add nd0 {token}')
        if (code == 0) != expected or (code and code != errno.EINVAL):
            wrong.append((token, value, errno.errorcode.get(code, code)))
        elif expected:
            if not os.path.isdir(local / T1 / 'luns' / str(value)):
                wrong.append((token, value, 'dir'))
            io.ok(mgmt, f'del {value}')
    assert not wrong
