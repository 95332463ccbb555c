"""SYSFS.md §2.5 (ini_groups/mgmt), §2.6 (initiators/mgmt), §3.8 (group attributes)."""

import errno
import os

import pytest

import conformance_io as io

T1 = 'targets/scst_local/t1'
GROUPS_HELP = 'Usage: echo "create GROUP_NAME" >mgmt\n       echo "del GROUP_NAME" >mgmt\n'
INI_HELP = ('Usage: echo "add INITIATOR_NAME" >mgmt\n'
            '       echo "del INITIATOR_NAME" >mgmt\n'
            '       echo "move INITIATOR_NAME DEST_GROUP_NAME" >mgmt\n'
            '       echo "clear" >mgmt\n')


def _groups(emu):
    return [e for e in io.entries(emu / T1 / 'ini_groups') if e != 'mgmt']


def test_s2_5_help(local):
    """§2.5/§2.6: help texts."""
    assert io.read(local / T1 / 'ini_groups/mgmt') == GROUPS_HELP
    io.ok(local / T1 / 'ini_groups/mgmt', 'create g1')
    assert io.read(local / T1 / 'ini_groups/g1/initiators/mgmt') == INI_HELP


GROUP_CASES = [  # (id, setup, command, errno, groups afterwards)
    ('create', [], 'create g1', 0, ['g1']),
    ('create-upper-keyword', [], 'CREATE g1', 0, ['g1']),
    ('create-extra-token-ignored', [], 'create g1 extra', 0, ['g1']),
    ('create-missing-name', [], 'create', errno.EINVAL, []),
    ('create-existing', ['create g1'], 'create g1', errno.EEXIST, ['g1']),
    ('create-other-case', ['create g1'], 'create G1', 0, ['G1', 'g1']),
    ('del', ['create g1', 'create g2'], 'del g1', 0, ['g2']),
    ('del-extra-token-ignored', ['create g1'], 'del g1 extra', 0, []),
    ('del-missing-name', ['create g1'], 'del', errno.EINVAL, ['g1']),
    ('del-unknown', ['create g1'], 'del g2', errno.EINVAL, ['g1']),
    ('del-wrong-case', ['create g1'], 'del G1', errno.EINVAL, ['g1']),
    ('unknown-keyword', [], 'add g1', errno.EINVAL, []),
]


@pytest.mark.parametrize('setup,cmd,code,after', [c[1:] for c in GROUP_CASES], ids=[c[0] for c in GROUP_CASES])
def test_s2_5_ini_groups_mgmt(local, setup, cmd, code, after):
    """§2.5: create/del and their errno."""
    mgmt = local / T1 / 'ini_groups/mgmt'
    for step in setup:
        io.ok(mgmt, step)
    if code:
        io.fails(mgmt, cmd, code)
    else:
        io.ok(mgmt, cmd)
    assert _groups(local) == after


def test_s2_5_group_layout(local):
    """§2.5/§3.8: group dir content and attribute defaults."""
    io.ok(local / T1 / 'ini_groups/mgmt', 'create g1')
    grp = local / T1 / 'ini_groups/g1'
    assert io.entries(grp / 'luns') == ['mgmt']
    assert io.entries(grp / 'initiators') == ['mgmt']
    assert io.read(grp / 'addr_method') == 'PERIPHERAL\n'
    assert io.read(grp / 'io_grouping_type') == 'auto\n'
    assert io.read(grp / 'black_hole') == '0\n'
    assert os.path.isfile(grp / 'cpu_mask')


def test_s2_5_del_group_removes_luns_and_export_links(local):
    """§2.5: del removes the group with its LUNs (export links of the device go too)."""
    io.ok(local / T1 / 'ini_groups/mgmt', 'create g1')
    io.ok(local / T1 / 'ini_groups/g1/luns/mgmt', 'add nd0 0')
    io.ok(local / T1 / 'ini_groups/g1/initiators/mgmt', 'add ini1')
    io.ok(local / T1 / 'ini_groups/mgmt', 'del g1')
    assert io.entries(local / 'devices/nd0/exported') == ['export0']


INI_CASES = [  # (id, setup on g1, command on g1, errno, g1 entries, g2 entries)
    ('add', [], 'add ini1', 0, ['ini1'], []),
    ('add-upper-keyword', [], 'ADD ini1', 0, ['ini1'], []),
    ('add-wildcard', [], 'add iqn.*', 0, ['iqn.*'], []),
    ('add-missing', [], 'add', errno.EINVAL, [], []),
    ('add-existing', ['add ini1'], 'add ini1', errno.EEXIST, ['ini1'], []),
    ('add-other-case', ['add ini1'], 'add INI1', 0, ['INI1', 'ini1'], []),
    ('del', ['add ini1', 'add ini2'], 'del ini1', 0, ['ini2'], []),
    ('del-unknown', ['add ini1'], 'del ini2', errno.EINVAL, ['ini1'], []),
    ('del-is-not-pattern-match', ['add ini*'], 'del ini1', errno.EINVAL, ['ini*'], []),
    ('del-missing', ['add ini1'], 'del', errno.EINVAL, ['ini1'], []),
    ('move', ['add ini1'], 'move ini1 g2', 0, [], ['ini1']),
    ('move-not-in-group', ['add ini1'], 'move ini2 g2', errno.EINVAL, ['ini1'], []),
    ('move-unknown-dest', ['add ini1'], 'move ini1 g9', errno.EINVAL, ['ini1'], []),
    ('move-missing-dest', ['add ini1'], 'move ini1', errno.EINVAL, ['ini1'], []),
    ('move-dest-has-it', ['add ini1', 'G2:add ini1'], 'move ini1 g2', errno.EEXIST, ['ini1'], ['ini1']),
    ('clear', ['add ini1', 'add ini2'], 'clear', 0, [], []),
    ('clear-extra-ignored', ['add ini1'], 'clear x', 0, [], []),
    ('unknown-keyword', [], 'create ini1', errno.EINVAL, [], []),
]


@pytest.mark.parametrize('setup,cmd,code,g1,g2', [c[1:] for c in INI_CASES], ids=[c[0] for c in INI_CASES])
def test_s2_6_initiators_mgmt(local, setup, cmd, code, g1, g2):
    """§2.6: add/del/move/clear and their errno; the same name may be in two groups of one target."""
    io.ok(local / T1 / 'ini_groups/mgmt', 'create g1')
    io.ok(local / T1 / 'ini_groups/mgmt', 'create g2')
    mgmt = {'g1': local / T1 / 'ini_groups/g1/initiators/mgmt', 'g2': local / T1 / 'ini_groups/g2/initiators/mgmt'}
    for step in setup:
        grp, step = ('g2', step[3:]) if step.startswith('G2:') else ('g1', step)
        io.ok(mgmt[grp], step)
    if code:
        io.fails(mgmt['g1'], cmd, code)
    else:
        io.ok(mgmt['g1'], cmd)
    for grp, names in (('g1', g1), ('g2', g2)):
        inis = local / T1 / 'ini_groups' / grp / 'initiators'
        assert io.entries(inis) == sorted(['mgmt', *names])
        for name in names:
            assert io.read(inis / name) == name + '\n'
            assert io.mode(inis / name) == 0o444


def test_s2_6_bash_initiator_exists(local):
    """§2.6 through bash: duplicate add -> 'File exists'."""
    io.ok(local / T1 / 'ini_groups/mgmt', 'create g1')
    mgmt = local / T1 / 'ini_groups/g1/initiators/mgmt'
    assert io.echo(mgmt, 'add iqn.1994-05.com.redhat:x') == (0, '')
    rc, err = io.echo(mgmt, 'add iqn.1994-05.com.redhat:x')
    assert rc == 1 and 'File exists' in err


GROUP_ATTRS = [  # §3.8 (same formats as §1.4)
    ('addr_method', 'flat', 0, 'FLAT\n[key]\n'),
    ('addr_method', 'LUN', 0, 'LUN\n[key]\n'),
    ('addr_method', 'peripheral', 0, 'PERIPHERAL\n'),
    ('addr_method', 'bogus', errno.EINVAL, 'PERIPHERAL\n'),
    ('io_grouping_type', 'never', 0, 'never\n[key]\n'),
    ('io_grouping_type', 'this_group_only', 0, 'this_group_only\n[key]\n'),
    ('io_grouping_type', '3', 0, '3\n[key]\n'),
    ('io_grouping_type', '0', errno.EINVAL, 'auto\n'),
    ('io_grouping_type', 'bogus', errno.EINVAL, 'auto\n'),
    ('black_hole', '4', 0, '4\n'),
    ('black_hole', '5', errno.EINVAL, '0\n'),
]


@pytest.mark.parametrize('attr,value,code,after', GROUP_ATTRS, ids=[f'{g[0]}={g[1]}' for g in GROUP_ATTRS])
def test_s3_8_group_attributes(local, attr, value, code, after):
    """§3.8: ini group attributes."""
    io.ok(local / T1 / 'ini_groups/mgmt', 'create g1')
    path = local / T1 / 'ini_groups/g1' / attr
    if code:
        io.fails(path, value, code)
    else:
        io.ok(path, value)
    assert io.read(path) == after
