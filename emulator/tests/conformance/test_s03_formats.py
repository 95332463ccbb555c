"""SYSFS.md §3.1 read formats ([key], irregular outputs), §1.4 target core attributes, §3.5 rel_tgt_id."""

import errno
import re

import pytest

import conformance_io as io

T1 = 'targets/scst_local/t1'

TARGET_ATTRS = [  # §1.4 (attribute, written or None, errno, content afterwards)
    ('comment', None, 0, ''),
    ('comment', 'hello world\n', 0, 'hello world\n[key]\n'),
    ('comment', 'hello', 0, 'hello\n[key]\n'),
    ('comment', '\n', 0, ''),
    ('rel_tgt_id', None, 0, '0\n'),
    ('addr_method', None, 0, 'PERIPHERAL\n'),
    ('addr_method', 'FLAT', 0, 'FLAT\n[key]\n'),
    ('addr_method', 'flat\n', 0, 'FLAT\n[key]\n'),
    ('addr_method', 'lun', 0, 'LUN\n[key]\n'),
    ('addr_method', 'PERIPHERAL', 0, 'PERIPHERAL\n'),
    ('addr_method', 'xyz', errno.EINVAL, 'PERIPHERAL\n'),
    ('io_grouping_type', None, 0, 'auto\n'),
    ('io_grouping_type', 'NEVER', 0, 'never\n[key]\n'),
    ('io_grouping_type', 'this_group_only', 0, 'this_group_only\n[key]\n'),
    ('io_grouping_type', '7', 0, '7\n[key]\n'),
    ('io_grouping_type', 'auto', 0, 'auto\n'),
    ('io_grouping_type', '-1', errno.EINVAL, 'auto\n'),
    ('io_grouping_type', 'xyz', errno.EINVAL, 'auto\n'),
    ('black_hole', None, 0, '0\n'),
    ('black_hole', '4', 0, '4\n'),
    ('black_hole', '1', 0, '1\n'),
    ('black_hole', '5', errno.EINVAL, '0\n'),
    ('black_hole', 'x', errno.EINVAL, '0\n'),
    ('forward_src', None, 0, '0\n'),
    ('forward_src', '1', 0, '1\n[key]\n'),
    ('forward_src', '2', errno.EINVAL, '0\n'),
    ('forward_dst', None, 0, '0\n'),
    ('forward_dst', '1', 0, '1\n[key]\n'),
    ('forward_dst', '2', errno.EINVAL, '0\n'),
    ('aen_disabled', None, 0, '0\n'),
    ('aen_disabled', '1', 0, '1\n[key]\n'),
    ('aen_disabled', '7', errno.EINVAL, '0\n'),
]


@pytest.mark.parametrize('attr,value,code,after', TARGET_ATTRS, ids=[f'{t[0]}={t[1]!r}' for t in TARGET_ATTRS])
def test_s1_4_target_attributes(local, attr, value, code, after):
    """§1.4/§3.1: target core attribute defaults, stores and [key] marks; comment unset reads 0 bytes."""
    path = local / T1 / attr
    if value is not None:
        if code:
            io.fails(path, value, code)
        else:
            io.ok(path, value)
    assert io.read(path) == after


def test_s1_4_cpu_mask_format(local):
    """§1.4: cpu_mask reads a Linux hex bitmap + newline, no [key] while all CPUs."""
    value = io.read(local / T1 / 'cpu_mask')
    assert re.fullmatch(r'[0-9a-f]+(,[0-9a-f]{8})*\n', value)


def test_s1_4_cpu_mask_subset(local):
    """§1.4: cpu_mask set to a subset reads with [key]."""
    io.ok(local / T1 / 'cpu_mask', '1')
    lines = io.read(local / T1 / 'cpu_mask').split('\n')
    assert int(lines[0].replace(',', ''), 16) == 1 and lines[1] == '[key]'


def test_s1_4_forwarding_alias(local):
    """§1.4: forwarding is an obsolete alias of forward_dst."""
    io.ok(local / T1 / 'forwarding', '1')
    assert io.read(local / T1 / 'forward_dst') == '1\n[key]\n'


def test_s3_1_filename_extra_blank_line(vdisk, backing):
    """§3.1/§10: vdisk filename reads `path\\n[key]\\n\\n`."""
    path = backing()
    io.ok(vdisk / 'handlers/vdisk_fileio/mgmt', f'add_device d1 filename={path}')
    assert io.read(vdisk / 'devices/d1/filename') == f'{path}\n[key]\n\n'


def test_s3_1_vcdrom_without_medium(vdisk):
    """§3.1: vcdrom without a medium reads `none\\n\\n`."""
    io.ok(vdisk / 'handlers/vcdrom/mgmt', 'add_device cd1')
    assert io.read(vdisk / 'devices/cd1/filename') == 'none\n\n'


def test_s3_1_no_key_lines_for_defaults(vdisk):
    """§3.1: no attribute of a default nullio device carries [key] except those documented as always."""
    io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', 'add_device nd1')
    dev = vdisk / 'devices/nd1'
    for attr in ('blocksize', 'read_only', 'removable', 'rotational', 'tst', 'dummy', 'read_zero', 'size',
                 'size_mb', 'numa_node_id', 'threads_num', 'threads_pool_type', 'cluster_mode',
                 'max_tgt_dev_commands', 't10_vend_id', 't10_dev_id', 'usn', 'prod_id', 'prod_rev_lvl'):
        assert '[key]' not in io.read(dev / attr), attr


# ---------------------------------------------------------------------------------- §3.5 rel_tgt_id
IQNS = [f'iqn.2024-01.test:t{i}' for i in (1, 2, 3)]


@pytest.fixture
def rel(iscsi):
    for iqn in IQNS:
        io.ok(iscsi / 'targets/iscsi/mgmt', f'add_target {iqn}')
    return iscsi


def _tgt(emu, index):
    return emu / 'targets/iscsi' / IQNS[index]


def test_s3_5_auto_assign_on_enable(rel):
    """§3.5: 0 until first enable, then the next free id (rolling counter from 1), with [key]."""
    assert io.read(_tgt(rel, 0) / 'rel_tgt_id') == '0\n'
    io.ok(_tgt(rel, 0) / 'enabled', '1')
    assert io.read(_tgt(rel, 0) / 'rel_tgt_id') == '1\n[key]\n'
    io.ok(_tgt(rel, 1) / 'enabled', '1')
    assert io.read(_tgt(rel, 1) / 'rel_tgt_id') == '2\n[key]\n'
    io.ok(_tgt(rel, 0) / 'enabled', '0')
    io.ok(_tgt(rel, 0) / 'enabled', '1')
    assert io.read(_tgt(rel, 0) / 'rel_tgt_id') == '1\n[key]\n'


def test_s3_5_auto_assign_skips_used(rel):
    """§3.5: the next *free* id: an id set by hand on an enabled target is skipped."""
    io.ok(_tgt(rel, 0) / 'rel_tgt_id', '1')
    io.ok(_tgt(rel, 0) / 'enabled', '1')
    io.ok(_tgt(rel, 1) / 'enabled', '1')
    assert io.read(_tgt(rel, 1) / 'rel_tgt_id') == '2\n[key]\n'


REL_CASES = [  # (id, setup [(target index, attribute, value)], target index, value, errno, content afterwards)
    ('disabled-any-value', [], 2, '7', 0, '7\n[key]\n'),
    ('disabled-hex', [], 2, '0x10', 0, '16\n[key]\n'),
    ('disabled-zero', [(2, 'rel_tgt_id', '7')], 2, '0', 0, '0\n'),
    ('disabled-clash-allowed', [(0, 'enabled', '1')], 2, '1', 0, '1\n[key]\n'),
    ('enabled-clash', [(0, 'enabled', '1'), (1, 'enabled', '1')], 1, '1', errno.EBADSLT, '2\n[key]\n'),
    ('enabled-free', [(0, 'enabled', '1'), (1, 'enabled', '1')], 1, '9', 0, '9\n[key]\n'),
    ('enabled-same-value', [(0, 'enabled', '1')], 0, '1', 0, '1\n[key]\n'),
    # uniqueness is checked before the range (§3.5 order): 0 clashes with copy_manager_tgt (no enable support,
    # always counts, id 0) -> EBADSLT; 70000 is unique -> EINVAL by the range check.
    ('enabled-zero', [(0, 'enabled', '1')], 0, '0', errno.EBADSLT, '1\n[key]\n'),
    ('enabled-too-big', [(0, 'enabled', '1')], 0, '70000', errno.EINVAL, '1\n[key]\n'),
    ('enabled-65535', [(0, 'enabled', '1')], 0, '65535', 0, '65535\n[key]\n'),
    ('not-a-number', [], 2, 'one', errno.EINVAL, '0\n'),
    ('trailing-space', [], 2, '7 ', errno.EINVAL, '0\n'),
    ('octal', [], 2, '010', 0, '8\n[key]\n'),
    ('enable-with-clashing-id', [(0, 'enabled', '1'), (2, 'rel_tgt_id', '1')], 2, None, errno.EBADSLT, '1\n[key]\n'),
]


@pytest.mark.parametrize('setup,index,value,code,after', [c[1:] for c in REL_CASES], ids=[c[0] for c in REL_CASES])
def test_s3_5_rel_tgt_id(rel, setup, index, value, code, after):
    """§3.5/§2.8: rel_tgt_id stores, EBADSLT on clashes with enabled targets (also when enabling)."""
    for tindex, attr, val in setup:
        io.ok(_tgt(rel, tindex) / attr, val)
    path, val = (_tgt(rel, index) / 'rel_tgt_id', value) if value is not None else (_tgt(rel, index) / 'enabled', '1')
    if code:
        io.fails(path, val, code)
    else:
        io.ok(path, val)
    assert io.read(_tgt(rel, index) / 'rel_tgt_id') == after
    if value is None:
        assert io.read(_tgt(rel, index) / 'enabled') == '0\n'


def test_s3_5_targets_without_enable_count(rel):
    """§3.5: targets without enable support always count: an scst_local target cannot take an id that an
    enabled iSCSI target uses."""
    rel.modprobe('scst_local', add_default_tgt=0)
    io.ok(rel / 'targets/scst_local/mgmt', 'add_target lt')
    io.ok(_tgt(rel, 0) / 'enabled', '1')
    io.fails(rel / 'targets/scst_local/lt/rel_tgt_id', '1', errno.EBADSLT)
    io.ok(rel / 'targets/scst_local/lt/rel_tgt_id', '40')
    io.ok(_tgt(rel, 1) / 'rel_tgt_id', '40')
    io.fails(_tgt(rel, 1) / 'enabled', '1', errno.EBADSLT)


def test_s3_5_bash_ebadslt(rel):
    """§3.5 through bash: EBADSLT message 'Invalid slot'."""
    io.ok(_tgt(rel, 0) / 'enabled', '1')
    io.ok(_tgt(rel, 1) / 'enabled', '1')
    rc, err = io.echo(_tgt(rel, 1) / 'rel_tgt_id', '1')
    assert rc == 1 and 'Invalid slot' in err


COUNTERS = ['read_cmd_count', 'read_io_count_kb', 'read_unaligned_cmd_count', 'write_cmd_count', 'write_io_count_kb',
            'write_unaligned_cmd_count', 'bidi_cmd_count', 'bidi_io_count_kb', 'bidi_unaligned_cmd_count',
            'unknown_cmd_count', 'none_cmd_count']


@pytest.mark.parametrize('name', COUNTERS)
def test_s1_4_target_counters(local, name):
    """§1.4: target statistics counters are 0444 and read `%llu\\n` (0 without I/O)."""
    path = local / T1 / name
    assert io.mode(path) == 0o444
    assert io.read(path) == '0\n'


def test_s1_4_sg_tablesize(local):
    """§1.4: sg_tablesize 0444 `%d\\n`."""
    assert re.fullmatch(r'-?\d+\n', io.read(local / T1 / 'sg_tablesize'))


def test_s3_5_auto_assign_is_rolling(rel):
    """§3.5: the auto-assigned id comes from a rolling counter: an id freed (set back to 0 while disabled)
    is not handed out again before the counter moves on."""
    io.ok(_tgt(rel, 0) / 'enabled', '1')
    io.ok(_tgt(rel, 1) / 'enabled', '1')
    io.ok(_tgt(rel, 1) / 'enabled', '0')
    io.ok(_tgt(rel, 1) / 'rel_tgt_id', '0')
    io.ok(_tgt(rel, 1) / 'enabled', '1')
    assert io.read(_tgt(rel, 1) / 'rel_tgt_id') == '3\n[key]\n'


def test_s3_5_no_enable_support_counts_as_enabled(local):
    """§3.5: a target without enable support (scst_local) is treated as enabled: 0 is refused (EINVAL, the value
    equals the current one so only the range check applies), a free id is accepted."""
    io.fails(local / T1 / 'rel_tgt_id', '0', errno.EINVAL)
    io.ok(local / T1 / 'rel_tgt_id', '12')
    assert io.read(local / T1 / 'rel_tgt_id') == '12\n[key]\n'
    io.ok(local / 'targets/scst_local/mgmt', 'add_target t2')
    io.fails(local / 'targets/scst_local/t2/rel_tgt_id', '12', errno.EBADSLT)
