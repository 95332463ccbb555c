"""SYSFS.md §2.7 (ALUA mgmt files under device_groups/) and §3.7 (target-group attributes)."""

import errno
import os
import subprocess

import pytest

import conformance_io as io

DG_HELP = 'Usage: echo "create group_name" >mgmt\n       echo "del group_name" >mgmt\n'
DEV_HELP = 'Usage: echo "add device" >mgmt\n       echo "del device" >mgmt\n'
TGT_HELP = 'Usage: echo "add target" >mgmt\n       echo "del target" >mgmt\n'


@pytest.fixture
def alua(local):
    """scst_local target t1, devices nd0 and nd1."""
    io.ok(local / 'handlers/vdisk_nullio/mgmt', 'add_device nd1')
    return local


def _dgs(emu):
    return [e for e in io.entries(emu / 'device_groups') if e != 'mgmt']


def test_s2_7_help_texts(alua):
    """§2.7: help texts of the four ALUA mgmt files."""
    io.ok(alua / 'device_groups/mgmt', 'create dg1')
    io.ok(alua / 'device_groups/dg1/target_groups/mgmt', 'create tg1')
    assert io.read(alua / 'device_groups/mgmt') == DG_HELP
    assert io.read(alua / 'device_groups/dg1/devices/mgmt') == DEV_HELP
    assert io.read(alua / 'device_groups/dg1/target_groups/mgmt') == DG_HELP
    assert io.read(alua / 'device_groups/dg1/target_groups/tg1/mgmt') == TGT_HELP


DG_CASES = [  # (id, setup, command, errno, device groups afterwards)
    ('create', [], 'create dg1', 0, ['dg1']),
    ('add-synonym', [], 'add dg1', 0, ['dg1']),
    ('create-upper', [], 'CREATE dg1', 0, ['dg1']),
    ('create-existing', ['create dg1'], 'create dg1', errno.EEXIST, ['dg1']),
    ('add-existing', ['create dg1'], 'add dg1', errno.EEXIST, ['dg1']),
    ('create-missing-name', [], 'create', errno.EINVAL, []),
    ('newline-truncates', [], 'create dg1\ncreate dg2', 0, ['dg1']),
    ('newline-truncates-garbage', [], 'create dg1\nthis is ignored', 0, ['dg1']),
    ('newline-first', [], '\ncreate dg1', errno.EINVAL, []),
    ('extra-token-ignored', [], 'create dg1 extra', 0, ['dg1']),
    ('del', ['create dg1', 'create dg2'], 'del dg1', 0, ['dg2']),
    ('del-unknown', ['create dg1'], 'del dg2', errno.EINVAL, ['dg1']),
    ('del-extra-token-ignored', ['create dg1'], 'del dg1 extra', 0, []),
    ('del-missing-name', ['create dg1'], 'del', errno.EINVAL, ['dg1']),
    ('unknown-keyword', [], 'make dg1', errno.EINVAL, []),
]


@pytest.mark.parametrize('setup,cmd,code,after', [c[1:] for c in DG_CASES], ids=[c[0] for c in DG_CASES])
def test_s2_7_device_groups_mgmt(alua, setup, cmd, code, after):
    """§2.7 device_groups/mgmt: create|add, del, EEXIST/EINVAL, truncation at the first newline."""
    for step in setup:
        io.ok(alua / 'device_groups/mgmt', step)
    if code:
        io.fails(alua / 'device_groups/mgmt', cmd, code)
    else:
        io.ok(alua / 'device_groups/mgmt', cmd)
    assert _dgs(alua) == after
    for dg in after:
        assert io.entries(alua / 'device_groups' / dg) == ['devices', 'target_groups']
        assert 'mgmt' in io.entries(alua / 'device_groups' / dg / 'devices')
        assert 'mgmt' in io.entries(alua / 'device_groups' / dg / 'target_groups')


DEV_CASES = [  # (id, setup (dg:command), command on dg1/devices/mgmt, errno, {dg: devices})
    ('add', [], 'add nd0', 0, {'dg1': ['nd0'], 'dg2': []}),
    ('add-two', ['dg1:add nd1'], 'add nd0', 0, {'dg1': ['nd0', 'nd1'], 'dg2': []}),
    ('add-again-same-dg', ['dg1:add nd0'], 'add nd0', errno.EEXIST, {'dg1': ['nd0'], 'dg2': []}),
    ('add-in-other-dg', ['dg2:add nd0'], 'add nd0', errno.EEXIST, {'dg1': [], 'dg2': ['nd0']}),
    ('add-unknown-device', [], 'add nosuch', errno.EINVAL, {'dg1': [], 'dg2': []}),
    ('add-wrong-case', [], 'add ND0', errno.EINVAL, {'dg1': [], 'dg2': []}),
    ('add-missing', [], 'add', errno.EINVAL, {'dg1': [], 'dg2': []}),
    ('newline-truncates', [], 'add nd0\nadd nd1', 0, {'dg1': ['nd0'], 'dg2': []}),
    ('extra-token-ignored', [], 'add nd0 extra', 0, {'dg1': ['nd0'], 'dg2': []}),
    ('upper-keyword', [], 'ADD nd0', 0, {'dg1': ['nd0'], 'dg2': []}),
    ('del', ['dg1:add nd0'], 'del nd0', 0, {'dg1': [], 'dg2': []}),
    ('del-not-in-dg', ['dg2:add nd0'], 'del nd0', errno.EINVAL, {'dg1': [], 'dg2': ['nd0']}),
    ('unknown-keyword', [], 'create nd0', errno.EINVAL, {'dg1': [], 'dg2': []}),
]


@pytest.mark.parametrize('setup,cmd,code,after', [c[1:] for c in DEV_CASES], ids=[c[0] for c in DEV_CASES])
def test_s2_7_dg_devices_mgmt(alua, setup, cmd, code, after):
    """§2.7 DG/devices/mgmt: symlinks to devices, EEXIST when in any DG, EINVAL when not a device."""
    io.ok(alua / 'device_groups/mgmt', 'create dg1')
    io.ok(alua / 'device_groups/mgmt', 'create dg2')
    for step in setup:
        dg, step = step.split(':', 1)
        io.ok(alua / 'device_groups' / dg / 'devices/mgmt', step)
    mgmt = alua / 'device_groups/dg1/devices/mgmt'
    if code:
        io.fails(mgmt, cmd, code)
    else:
        io.ok(mgmt, cmd)
    for dg, devs in after.items():
        ddir = alua / 'device_groups' / dg / 'devices'
        assert [e for e in io.entries(ddir) if e != 'mgmt'] == devs
        for dev in devs:
            assert os.path.islink(ddir / dev)
            assert os.path.realpath(ddir / dev) == os.path.realpath(alua / 'devices' / dev)


TG_CASES = [  # (id, setup, command on dg1/target_groups/mgmt, errno, target groups afterwards)
    ('create', [], 'create tg1', 0, ['tg1']),
    ('add-synonym', [], 'add tg1', 0, ['tg1']),
    ('create-existing', ['create tg1'], 'create tg1', errno.EEXIST, ['tg1']),
    ('newline-truncates', [], 'create tg1\ncreate tg2', 0, ['tg1']),
    ('del', ['create tg1'], 'del tg1', 0, []),
    ('del-unknown', ['create tg1'], 'del tg2', errno.EINVAL, ['tg1']),
    ('create-missing', [], 'create', errno.EINVAL, []),
    ('unknown-keyword', [], 'remove tg1', errno.EINVAL, []),
]


@pytest.mark.parametrize('setup,cmd,code,after', [c[1:] for c in TG_CASES], ids=[c[0] for c in TG_CASES])
def test_s2_7_target_groups_mgmt(alua, setup, cmd, code, after):
    """§2.7 DG/target_groups/mgmt."""
    io.ok(alua / 'device_groups/mgmt', 'create dg1')
    mgmt = alua / 'device_groups/dg1/target_groups/mgmt'
    for step in setup:
        io.ok(mgmt, step)
    if code:
        io.fails(mgmt, cmd, code)
    else:
        io.ok(mgmt, cmd)
    tgs = alua / 'device_groups/dg1/target_groups'
    assert [e for e in io.entries(tgs) if e != 'mgmt'] == after
    for tg in after:
        assert io.entries(tgs / tg) == ['group_id', 'mgmt', 'preferred', 'state']


def test_s2_7_tg_same_name_in_other_dg(alua):
    """§2.7: TG EEXIST is per DG: the same TG name in another DG is accepted."""
    for dg in ('dg1', 'dg2'):
        io.ok(alua / 'device_groups/mgmt', f'create {dg}')
        io.ok(alua / 'device_groups' / dg / 'target_groups/mgmt', 'create tg1')


TGT_CASES = [  # (id, setup (tg:command), command on tg1/mgmt, errno, {tg: {entry: 'link'|'dir'}})
    ('add-local', [], 'add t1', 0, {'tg1': {'t1': 'link'}, 'tg2': {}}),
    ('add-remote', [], 'add peer_tgt', 0, {'tg1': {'peer_tgt': 'dir'}, 'tg2': {}}),
    ('add-again', ['tg1:add t1'], 'add t1', errno.EEXIST, {'tg1': {'t1': 'link'}, 'tg2': {}}),
    ('add-in-other-tg', ['tg2:add t1'], 'add t1', errno.EEXIST, {'tg1': {}, 'tg2': {'t1': 'link'}}),
    ('add-remote-in-other-tg', ['tg2:add peer'], 'add peer', errno.EEXIST, {'tg1': {}, 'tg2': {'peer': 'dir'}}),
    ('newline-truncates', [], 'add t1\nadd peer', 0, {'tg1': {'t1': 'link'}, 'tg2': {}}),
    ('extra-token-ignored', [], 'add t1 extra', 0, {'tg1': {'t1': 'link'}, 'tg2': {}}),
    ('case-sensitive-name', [], 'add T1', 0, {'tg1': {'T1': 'dir'}, 'tg2': {}}),
    ('del', ['tg1:add t1'], 'del t1', 0, {'tg1': {}, 'tg2': {}}),
    ('del-unknown', ['tg1:add t1'], 'del t2', errno.EINVAL, {'tg1': {'t1': 'link'}, 'tg2': {}}),
    ('add-missing', [], 'add', errno.EINVAL, {'tg1': {}, 'tg2': {}}),
    ('unknown-keyword', [], 'create t1', errno.EINVAL, {'tg1': {}, 'tg2': {}}),
]


@pytest.mark.parametrize('setup,cmd,code,after', [c[1:] for c in TGT_CASES], ids=[c[0] for c in TGT_CASES])
def test_s2_7_tg_targets_mgmt(alua, setup, cmd, code, after):
    """§2.7 TG/mgmt: local target -> symlink, unknown name -> dir with rel_tgt_id; EEXIST in any TG of the DG."""
    io.ok(alua / 'device_groups/mgmt', 'create dg1')
    tgs = alua / 'device_groups/dg1/target_groups'
    io.ok(tgs / 'mgmt', 'create tg1')
    io.ok(tgs / 'mgmt', 'create tg2')
    for step in setup:
        tg, step = step.split(':', 1)
        io.ok(tgs / tg / 'mgmt', step)
    if code:
        io.fails(tgs / 'tg1/mgmt', cmd, code)
    else:
        io.ok(tgs / 'tg1/mgmt', cmd)
    for tg, members in after.items():
        names = [e for e in io.entries(tgs / tg) if e not in ('mgmt', 'group_id', 'preferred', 'state')]
        assert names == sorted(members)
        for name, kind in members.items():
            if kind == 'link':
                assert os.path.islink(tgs / tg / name)
                assert os.path.realpath(tgs / tg / name) == os.path.realpath(alua / 'targets/scst_local' / name)
            else:
                assert not os.path.islink(tgs / tg / name)
                assert io.entries(tgs / tg / name) == ['rel_tgt_id']


TG_ATTRS = [  # §3.7 (entry, value, errno, content afterwards)
    ('group_id', None, 0, '0\n[key]\n'),
    ('group_id', '1', 0, '1\n[key]\n'),
    ('group_id', '65535', 0, '65535\n[key]\n'),
    ('group_id', '0x10', 0, '16\n[key]\n'),
    ('group_id', '0', errno.EINVAL, '0\n[key]\n'),
    ('group_id', '65536', errno.EINVAL, '0\n[key]\n'),
    ('group_id', 'abc', errno.EINVAL, '0\n[key]\n'),
    ('group_id', '5 ', errno.EINVAL, '0\n[key]\n'),
    ('group_id', '5\n', 0, '5\n[key]\n'),
    ('preferred', None, 0, '0\n'),
    ('preferred', '1', 0, '1\n[key]\n'),
    ('preferred', '2', errno.EINVAL, '0\n'),
    # kstrtoul is 64 bits wide: 2**32 is a number, refused by the 0/1 check (scst_tg_preferred_store_work_fn).
    ('preferred', '4294967296', errno.EINVAL, '0\n'),
    ('preferred', '99999999999999999999', errno.ERANGE, '0\n'),
    ('state', None, 0, 'active\n[key]\n'),
    ('state', 'standby', 0, 'standby\n[key]\n'),
    ('state', 'standby\n', 0, 'standby\n[key]\n'),
    ('state', 'nonoptimized', 0, 'nonoptimized\n[key]\n'),
    ('state', 'unavailable', 0, 'unavailable\n[key]\n'),
    ('state', 'offline', 0, 'offline\n[key]\n'),
    ('state', 'transitioning', 0, 'transitioning\n[key]\n'),
    ('state', 'Standby', errno.EINVAL, 'active\n[key]\n'),
    ('state', 'standby ', errno.EINVAL, 'active\n[key]\n'),
    # scst_tg_state_store_work_fn cuts at the first newline: what follows it is ignored.
    ('state', 'standby\nbogus', 0, 'standby\n[key]\n'),
    ('state', 'standby\n\n', 0, 'standby\n[key]\n'),
    ('state', '\nstandby', errno.EINVAL, 'active\n[key]\n'),
    ('state', 'bogus', errno.EINVAL, 'active\n[key]\n'),
    ('peer/rel_tgt_id', '5', 0, '5\n[key]\n'),
    ('peer/rel_tgt_id', '0', errno.EINVAL, None),
    ('peer/rel_tgt_id', '5 ', errno.EINVAL, None),
    ('peer/rel_tgt_id', '65536', errno.EINVAL, None),
]


@pytest.mark.parametrize('entry,value,code,after', TG_ATTRS, ids=[f'{t[0]}={t[1]!r}' for t in TG_ATTRS])
def test_s3_7_target_group_attributes(alua, entry, value, code, after):
    """§3.7: group_id 1..65535 (always [key]), preferred 0/1, state exact names, remote rel_tgt_id 1..65535."""
    io.ok(alua / 'device_groups/mgmt', 'create dg1')
    io.ok(alua / 'device_groups/dg1/target_groups/mgmt', 'create tg1')
    tg1 = alua / 'device_groups/dg1/target_groups/tg1'
    io.ok(tg1 / 'mgmt', 'add peer')
    if value is not None:
        if code:
            io.fails(tg1 / entry, value, code)
        else:
            io.ok(tg1 / entry, value)
    if after is not None:
        assert io.read(tg1 / entry) == after


def test_s2_1_del_device_leaves_device_group(alua):
    """§2.1: del_device removes the device from its ALUA device group."""
    io.ok(alua / 'device_groups/mgmt', 'create dg1')
    io.ok(alua / 'device_groups/dg1/devices/mgmt', 'add nd0')
    io.ok(alua / 'handlers/vdisk_nullio/mgmt', 'del_device nd0')
    assert io.entries(alua / 'device_groups/dg1/devices') == ['mgmt']


def test_s2_7_del_dg_frees_devices(alua):
    """§2.7: del DG removes its device membership (device can join another DG)."""
    io.ok(alua / 'device_groups/mgmt', 'create dg1')
    io.ok(alua / 'device_groups/dg1/devices/mgmt', 'add nd0')
    io.ok(alua / 'device_groups/mgmt', 'del dg1')
    io.ok(alua / 'device_groups/mgmt', 'create dg2')
    io.ok(alua / 'device_groups/dg2/devices/mgmt', 'add nd0')


def test_s2_7_shell_newline_truncation(alua):
    """§2.7 from the shell: two lines delivered in ONE write (dd with a full block; bash's printf/echo would
    write line by line) create only the first DG."""
    path = alua / 'device_groups/mgmt'
    proc = subprocess.run(['bash', '-c', f"printf 'create dga\\ncreate dgb\\n' | dd of='{path}' bs=4096 "
                           "iflag=fullblock status=none"], capture_output=True, text=True, check=False, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert _dgs(alua) == ['dga']


def test_s2_7_bash_eexist(alua):
    """§2.7 through bash: create of an existing DG -> 'File exists'."""
    assert io.echo(alua / 'device_groups/mgmt', 'create dga') == (0, '')
    rc, err = io.echo(alua / 'device_groups/mgmt', 'create dga')
    assert rc == 1 and 'File exists' in err
