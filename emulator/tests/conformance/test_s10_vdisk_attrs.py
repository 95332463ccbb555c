"""SYSFS.md §10: vdisk device attributes (presence per handler, modes, defaults, [key], runtime writes) and
identity defaults (crc32c dev_id, usn, t10_dev_id, vendor, product)."""

import errno
import os

import pytest

import conformance_io as io

HANDLERS = ('vdisk_fileio', 'vdisk_blockio', 'vdisk_nullio', 'vcdrom')


@pytest.fixture
def devs(vdisk, backing):
    """One device per vdisk handler: F (fileio 1 MiB), B (blockio, inactive), N (nullio), CD (vcdrom)."""
    path = backing('f.img')
    io.ok(vdisk / 'handlers/vdisk_fileio/mgmt', f'add_device F filename={path}')
    io.ok(vdisk / 'handlers/vdisk_blockio/mgmt', f'add_device B filename={path};active=0')
    io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', 'add_device N')
    io.ok(vdisk / 'handlers/vcdrom/mgmt', 'add_device CD')
    vdisk.backing_path = path
    return vdisk


# attribute: (present on F, B, N, CD) -- the §10 table ('RO'/'RW' in the size rows mean present)
PRESENCE = {
    'filename': 'FB-C', 'blocksize': 'FBN-', 'size': 'FBNC', 'size_mb': 'FBNC', 'read_only': 'FBN-',
    'write_through': 'FB--', 'nv_cache': 'FB--', 'o_direct': 'F---', 'async': 'F---', 'thin_provisioned': 'FB--',
    'removable': 'FBN-', 'rotational': 'FBN-', 'tst': 'FBNC', 'dummy': '--N-', 'read_zero': '--N-',
    'active': 'FB--', 'bind_alua_state': 'FB--', 'cluster_mode': 'FBN-', 'opt_trans_len': 'FBN-',
    'expl_alua': 'FB--', 'lb_per_pb_exp': 'FB--', 't10_dev_id': 'FBNC', 't10_vend_id': 'FBNC',
    'vend_specific_id': 'FBNC', 'prod_id': 'FBNC', 'prod_rev_lvl': 'FBNC', 'scsi_device_name': 'FBNC', 'usn': 'FBNC',
    'eui64_id': 'FBNC', 'naa_id': 'FBNC', 'inq_vend_specific': 'FBNC', 'resync_size': 'FB--', 'sync': 'FB--',
    'numa_node_id': 'FBNC', 'threads_num': 'FBNC', 'threads_pool_type': 'FBNC',
}
PRESENCE_CASES = [(attr, dev, flags[i] != '-') for attr, flags in PRESENCE.items()
                  for i, dev in enumerate(('F', 'B', 'N', 'CD'))]


@pytest.mark.parametrize('attr,dev,present', PRESENCE_CASES,
                         ids=[f'{a}-{d}-{"yes" if p else "no"}' for a, d, p in PRESENCE_CASES])
def test_s10_presence(devs, attr, dev, present):
    """§10 table columns F/B/N/CD."""
    assert os.path.exists(devs / 'devices' / dev / attr) == present


MODES = [  # §10 Mode column (and the size row: RO on F/CD, RW on B/N)
    ('F', 'filename', 0o644), ('F', 'blocksize', 0o444), ('F', 'size', 0o444), ('B', 'size', 0o644),
    ('N', 'size', 0o644), ('CD', 'size', 0o444), ('N', 'size_mb', 0o644), ('F', 'size_mb', 0o444),
    ('F', 'read_only', 0o444), ('F', 'write_through', 0o444), ('F', 'o_direct', 0o444), ('F', 'async', 0o644),
    ('F', 'tst', 0o444), ('N', 'dummy', 0o444), ('N', 'read_zero', 0o644), ('F', 'active', 0o644),
    ('F', 'opt_trans_len', 0o644), ('F', 't10_dev_id', 0o644), ('F', 'usn', 0o644), ('F', 'resync_size', 0o200),
    ('F', 'sync', 0o200), ('B', 'resync_size', 0o200), ('F', 'threads_num', 0o644), ('CD', 'filename', 0o644),
]


@pytest.mark.parametrize('dev,attr,mode', MODES, ids=[f'{d}-{a}' for d, a, _m in MODES])
def test_s10_modes(devs, dev, attr, mode):
    """§10 Mode column."""
    assert io.mode(devs / 'devices' / dev / attr) == mode


DEFAULTS = [  # §10 defaults, no [key]
    ('F', 'blocksize', '512\n'), ('N', 'blocksize', '512\n'), ('F', 'write_through', '0\n'),
    ('F', 'nv_cache', '0\n'), ('F', 'o_direct', '0\n'), ('F', 'read_only', '0\n'), ('F', 'removable', '0\n'),
    ('F', 'rotational', '1\n'), ('F', 'thin_provisioned', '0\n'), ('F', 'tst', '1\n'), ('N', 'dummy', '0\n'),
    ('N', 'read_zero', '0\n'), ('F', 'active', '1\n'), ('B', 'active', '0\n[key]\n'),
    ('F', 'bind_alua_state', '0\n'), ('B', 'bind_alua_state', '1\n'), ('F', 'lb_per_pb_exp', '1\n'),
    ('F', 'opt_trans_len', '524288\n'), ('N', 'opt_trans_len', '524288\n'), ('F', 'async', '0\n'),
    ('F', 'expl_alua', '0\n'), ('F', 'cluster_mode', '0\n'), ('N', 'size', '2748779069440\n'),
    ('N', 'size_mb', '2621440\n'), ('F', 'size', '1048576\n[key]\n'), ('F', 'size_mb', '1\n'),
    ('F', 'threads_num', '8\n'), ('B', 'threads_num', '1\n'), ('N', 'threads_num', '1\n'), ('CD', 'threads_num', '8\n'),
    ('F', 'threads_pool_type', 'per_initiator\n'), ('CD', 'tst', '1\n'), ('F', 'numa_node_id', '-1\n'),
    ('F', 'prod_rev_lvl', '3110\n'), ('F', 't10_vend_id', 'SCST_FIO\n'), ('B', 't10_vend_id', 'SCST_BIO\n'),
    ('N', 't10_vend_id', 'SCST_FIO\n'),
]


@pytest.mark.parametrize('dev,attr,content', DEFAULTS, ids=[f'{d}-{a}' for d, a, _c in DEFAULTS])
def test_s10_defaults(devs, dev, attr, content):
    """§10 defaults (size of fileio always [key]; inactive blockio active=0 has [key])."""
    assert io.read(devs / 'devices' / dev / attr) == content


def test_s10_cdrom_created_empty(devs):
    """§10: vcdrom is created empty (filename `none`), with forced read-only/removable (no such attributes) and
    tst as its only creation parameter."""
    assert not os.path.exists(devs / 'devices/CD/read_only')
    assert not os.path.exists(devs / 'devices/CD/removable')
    assert io.read(devs / 'devices/CD/filename') == 'none\n\n'


# --------------------------------------------------------------------------------------- identity
IDENTITY_NAMES = ['disk01', 'nd', 'a' * 20, 'x' * 64]


@pytest.mark.parametrize('setup_id', [0, 0x1, 0xabc])
@pytest.mark.parametrize('name', IDENTITY_NAMES, ids=['disk01', 'short', 'len20', 'len64'])
def test_s10_identity_defaults(vdisk, name, setup_id):
    """§10: dev_id = (setup_id << 32) | crc32c(name + NUL); usn %llx (<=20), t10_dev_id %llx-name cut to 25,
    vend_specific_id = t10_dev_id, prod_id = name cut to 16."""
    io.ok(vdisk / 'setup_id', hex(setup_id))
    io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', f'add_device {name}')
    dev_id = (setup_id << 32) | io.crc32c(name.encode() + b'\0')
    t10 = f'{dev_id:x}-{name}'[:25]
    dev = vdisk / 'devices' / name
    assert io.read(dev / 'usn') == f'{dev_id:x}'[:20] + '\n'
    assert io.read(dev / 't10_dev_id') == t10 + '\n'
    assert io.read(dev / 'vend_specific_id') == t10 + '\n'
    assert io.read(dev / 'prod_id') == name[:16] + '\n'


def test_s10_crc32c_reference():
    """§10: the check value given by the spec: disk01, setup_id 0 -> 27cddc71 (validates the test's crc)."""
    assert io.crc32c(b'disk01\0') == 0x27cddc71


def test_s10_disk01_literal(vdisk):
    """§10: literal check of the spec example."""
    io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', 'add_device disk01')
    assert io.read(vdisk / 'devices/disk01/usn') == '27cddc71\n'
    assert io.read(vdisk / 'devices/disk01/t10_dev_id') == '27cddc71-disk01\n'


def test_s10_setup_id_only_affects_new_devices(vdisk):
    """§1.1: setup_id is used for devices created afterwards."""
    io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', 'add_device disk01')
    io.ok(vdisk / 'setup_id', '0x2')
    io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', 'add_device disk02')
    assert io.read(vdisk / 'devices/disk01/usn') == '27cddc71\n'
    assert io.read(vdisk / 'devices/disk02/usn') == f'{(2 << 32) | io.crc32c(b"disk02" + bytes(1)):x}\n'


def test_s10_t10_dev_id_creation_param(vdisk):
    """§10: t10_dev_id is an add_device parameter (C: F,B,N) and then carries [key]."""
    io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', 'add_device d1 t10_dev_id=myid')
    assert io.read(vdisk / 'devices/d1/t10_dev_id') == 'myid\n[key]\n'


# ----------------------------------------------------------------------------------- runtime writes
WRITES = [  # (device, attribute, value, errno, content afterwards or None)
    ('N', 't10_dev_id', 'x' * 25, 0, 'x' * 25 + '\n[key]\n'),
    ('N', 't10_dev_id', 'x' * 26, errno.EINVAL, None),
    ('N', 't10_dev_id', 'abc\nrest', 0, 'abc\n[key]\n'),
    ('N', 't10_vend_id', 'VENDOR12', 0, 'VENDOR12\n[key]\n'),
    ('N', 't10_vend_id', 'VENDOR123', errno.EINVAL, 'SCST_FIO\n'),
    ('N', 'vend_specific_id', 'v' * 128, 0, 'v' * 128 + '\n[key]\n'),
    ('N', 'vend_specific_id', 'v' * 129, errno.EINVAL, None),
    ('N', 'prod_id', 'p' * 16, 0, 'p' * 16 + '\n[key]\n'),
    ('N', 'prod_id', 'p' * 17, errno.EINVAL, 'N\n'),
    ('N', 'prod_rev_lvl', '1234', 0, '1234\n[key]\n'),
    ('N', 'prod_rev_lvl', '12345', errno.EINVAL, '3110\n'),
    ('N', 'usn', 'u' * 20, 0, 'u' * 20 + '\n[key]\n'),
    ('N', 'usn', 'u' * 21, errno.EINVAL, None),
    ('N', 'scsi_device_name', 's' * 256, 0, 's' * 256 + '\n[key]\n'),
    ('N', 'scsi_device_name', 's' * 257, errno.EINVAL, None),
    ('N', 'inq_vend_specific', 'i' * 160, 0, 'i' * 160 + '\n[key]\n'),
    ('N', 'inq_vend_specific', 'i' * 161, errno.EINVAL, None),
    ('N', 'eui64_id', '0x0123456789abcdef', 0, '0x0123456789abcdef\n[key]\n'),
    ('N', 'eui64_id', '0123456789abcdef', 0, '0x0123456789abcdef\n[key]\n'),
    ('N', 'eui64_id', '0x0123456789abcdef01234567', 0, '0x0123456789abcdef01234567\n[key]\n'),
    ('N', 'eui64_id', '0x0102', errno.EINVAL, None),
    ('N', 'eui64_id', '0xzz23456789abcdef', errno.EINVAL, None),
    ('N', 'naa_id', '0x5001405000000001', 0, '0x5001405000000001\n[key]\n'),
    ('N', 'naa_id', '0x2001405000000001', 0, '0x2001405000000001\n[key]\n'),
    ('N', 'naa_id', '0x1001405000000001', errno.EINVAL, None),
    ('N', 'naa_id', '0x60014050000000010000000000000001', 0, '0x60014050000000010000000000000001\n[key]\n'),
    ('N', 'naa_id', '0x50014050000000010000000000000001', errno.EINVAL, None),
    ('N', 'naa_id', '0x6001405000000001', errno.EINVAL, None),
    ('F', 'async', '1', 0, '1\n[key]\n'),
    ('F', 'async', '2', errno.EINVAL, '0\n'),
    ('N', 'read_zero', '1', 0, '1\n[key]\n'),
    ('N', 'read_zero', '2', errno.EINVAL, '0\n'),
    ('F', 'bind_alua_state', '5', 0, '1\n[key]\n'),
    ('B', 'bind_alua_state', '0', 0, '0\n[key]\n'),
    ('F', 'expl_alua', '3', 0, '1\n[key]\n'),
    ('F', 'lb_per_pb_exp', '0', 0, '0\n[key]\n'),
    ('F', 'lb_per_pb_exp', '2', errno.EINVAL, '1\n'),
    ('N', 'opt_trans_len', '1024', 0, '1024\n[key]\n'),
    ('N', 'opt_trans_len', '524288', 0, '524288\n[key]\n'),
    ('N', 'opt_trans_len', '1000', errno.EINVAL, '524288\n'),
    ('N', 'size', '1048576', 0, '1048576\n[key]\n'),
    ('N', 'size', '1000', errno.EINVAL, '2748779069440\n'),
    ('N', 'size_mb', '2', 0, '2\n'),
    ('B', 'size', '1000', errno.EINVAL, None),
    ('F', 'active', '2', errno.EINVAL, '1\n'),
    ('F', 'filename', '/tmp/other.img', errno.EINVAL, None),
    ('B', 'filename', 'relative.img', errno.EINVAL, None),
    ('F', 'threads_num', '4', 0, '4\n[key]\n'),
    ('F', 'threads_num', '-1', errno.EINVAL, '8\n'),
    ('F', 'threads_num', '4 ', errno.EINVAL, '8\n'),
    ('N', 'size', '1048576 ', errno.EINVAL, '2748779069440\n'),
    ('N', 'opt_trans_len', '0x400', 0, '1024\n[key]\n'),
    ('F', 'threads_pool_type', 'shared', 0, 'shared\n[key]\n'),
    ('F', 'threads_pool_type', 'SHARED', 0, 'shared\n[key]\n'),
    ('F', 'threads_pool_type', 'bogus', errno.EINVAL, 'per_initiator\n'),
    ('B', 'resync_size', '1', errno.EMEDIUMTYPE, None),
    ('F', 'resync_size', '1', 0, None),
    ('F', 'sync', '1', 0, None),
    ('N', 'cluster_mode', '2', errno.EINVAL, '0\n'),
]


@pytest.mark.parametrize('dev,attr,value,code,after', WRITES, ids=[f'{w[0]}-{w[1]}={w[2][:12]}' for w in WRITES])
def test_s10_runtime_writes(devs, dev, attr, value, code, after):
    """§10 Runtime write column: length limits, 0/1 checks, block-size multiples, hex ids, EMEDIUMTYPE."""
    path = devs / 'devices' / dev / attr
    if code:
        io.fails(path, value, code)
    else:
        io.ok(path, value)
    if after is not None:
        assert io.read(path) == after


def test_s10_identity_empty_clears(devs):
    """§10: empty eui64_id/naa_id/scsi_device_name clear the value ([key] goes)."""
    for attr, value in (('eui64_id', '0x0123456789abcdef'), ('naa_id', '0x5001405000000001'),
                        ('scsi_device_name', 'name')):
        path = devs / 'devices/N' / attr
        io.ok(path, value)
        io.ok(path, '\n')
        assert '[key]' not in io.read(path), attr


def test_s10_filename_change_when_inactive(devs, backing):
    """§10: fileio filename can change only with active=0; active=1 reopens."""
    other = backing('other.img', 2 << 20)
    dev = devs / 'devices/F'
    io.fails(dev / 'filename', other, errno.EINVAL)
    io.ok(dev / 'active', '0')
    assert io.read(dev / 'active') == '0\n[key]\n'
    io.ok(dev / 'filename', other)
    assert io.read(dev / 'filename') == f'{other}\n[key]\n\n'
    io.ok(dev / 'active', '1')
    assert io.read(dev / 'active') == '1\n'


def test_s10_cdrom_media(devs, backing):
    """§10: vcdrom filename inserts a medium; "" ejects."""
    iso = backing('cd.iso', 2048 * 16)
    dev = devs / 'devices/CD'
    io.ok(dev / 'filename', iso)
    assert io.read(dev / 'filename') == f'{iso}\n[key]\n\n'
    io.ok(dev / 'filename', '\n')
    assert io.read(dev / 'filename') == 'none\n\n'


def test_s10_gen_tp_ua_only_if_thin(vdisk, backing):
    """§10: gen_tp_soft_threshold_reached_UA exists on thin-provisioned fileio devices only."""
    path = backing()
    io.ok(vdisk / 'handlers/vdisk_fileio/mgmt', f'add_device thin filename={path};thin_provisioned=1')
    io.ok(vdisk / 'handlers/vdisk_fileio/mgmt', f'add_device fat filename={path}')
    assert io.mode(vdisk / 'devices/thin/gen_tp_soft_threshold_reached_UA') == 0o200
    assert io.read(vdisk / 'devices/thin/thin_provisioned') == '1\n[key]\n'
    assert not os.path.exists(vdisk / 'devices/fat/gen_tp_soft_threshold_reached_UA')


CREATION_KEYS = [  # §10 [key] column for creation parameters
    ('read_only=1', 'read_only', '1\n[key]\n'), ('write_through=1', 'write_through', '1\n[key]\n'),
    ('nv_cache=1', 'nv_cache', '1\n[key]\n'), ('removable=1', 'removable', '1\n[key]\n'),
    ('rotational=0', 'rotational', '0\n[key]\n'), ('tst=0', 'tst', '0\n[key]\n'),
    ('blocksize=4096', 'blocksize', '4096\n[key]\n'), ('thin_provisioned=0', 'thin_provisioned', '0\n[key]\n'),
    ('read_only=2', 'read_only', '0\n'), ('async=1;o_direct=1', 'o_direct', '1\n[key]\n'),
    ('numa_node_id=0', 'numa_node_id', '0\n[key]\n'),
]


@pytest.mark.parametrize('params,attr,content', CREATION_KEYS, ids=[c[0] for c in CREATION_KEYS])
def test_s10_creation_params_key(vdisk, backing, params, attr, content):
    """§10: creation parameters show [key] when non-default (thin_provisioned when set explicitly);
    booleans keep only the lowest bit (read_only=2 -> 0)."""
    io.ok(vdisk / 'handlers/vdisk_fileio/mgmt', f'add_device d1 filename={backing()};{params}')
    assert io.read(vdisk / 'devices/d1' / attr) == content


def test_s10_nullio_dummy_key(vdisk):
    """§10: nullio dummy=1 carries [key]; size_mb creation parameter sets size (+[key] as non-default)."""
    io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', 'add_device d1 dummy=1;size_mb=4')
    assert io.read(vdisk / 'devices/d1/dummy') == '1\n[key]\n'
    assert io.read(vdisk / 'devices/d1/size') == '4194304\n[key]\n'
    assert io.read(vdisk / 'devices/d1/size_mb') == '4\n'


def test_s10_resync_size(vdisk, backing):
    """§10: resync_size re-reads the backing size."""
    path = backing('grow.img', 1 << 20)
    io.ok(vdisk / 'handlers/vdisk_fileio/mgmt', f'add_device g1 filename={path}')
    with open(path, 'r+b') as handle:
        handle.truncate(2 << 20)
    assert io.read(vdisk / 'devices/g1/size') == '1048576\n[key]\n'
    io.ok(vdisk / 'devices/g1/resync_size', '1')
    assert io.read(vdisk / 'devices/g1/size') == '2097152\n[key]\n'
    assert io.read(vdisk / 'devices/g1/size_mb') == '2\n'


def test_s10_active_reopen_fails_for_missing_file(vdisk, backing, tmp_path):
    """§10: active=1 reopens the backing file: error (ENOENT) if it cannot be opened; stays inactive."""
    io.ok(vdisk / 'handlers/vdisk_fileio/mgmt', f'add_device g1 filename={backing()}')
    io.ok(vdisk / 'devices/g1/active', '0')
    io.ok(vdisk / 'devices/g1/filename', str(tmp_path / 'gone.img') + '\n')
    io.fails(vdisk / 'devices/g1/active', '1', errno.ENOENT)
    assert io.read(vdisk / 'devices/g1/active') == '0\n[key]\n'


def test_s10_gen_tp_ua_write(vdisk, backing):
    """§10: any write to gen_tp_soft_threshold_reached_UA of a thin device succeeds."""
    io.ok(vdisk / 'handlers/vdisk_fileio/mgmt', f'add_device thin filename={backing()};thin_provisioned=1')
    io.ok(vdisk / 'devices/thin/gen_tp_soft_threshold_reached_UA', '1')


def test_s10_eui64_16_bytes(devs):
    """§10: eui64_id of 16 bytes."""
    value = '0x' + '0123456789abcdef' * 2
    io.ok(devs / 'devices/N/eui64_id', value)
    assert io.read(devs / 'devices/N/eui64_id') == value + '\n[key]\n'


def test_s10_blockio_size_write(vdisk, backing):
    """§10: blockio size is RW: bytes, multiple of the block size."""
    io.ok(vdisk / 'handlers/vdisk_blockio/mgmt', f'add_device b1 filename={backing()};active=0;blocksize=4096')
    io.fails(vdisk / 'devices/b1/size', '1024', errno.EINVAL)


def test_s3_1_blockio_size_always_key(devs):
    """§3.1/§10: size of fileio/blockio always prints [key]."""
    for dev in ('F', 'B'):
        assert io.read(devs / 'devices' / dev / 'size').endswith('\n[key]\n'), dev
