"""Unit tests of model/devices.py: handlers (§1.2), devices (§1.3), handler mgmt (§2.1, §2.2) and the
vdisk attributes of §10."""

import errno
import os

import pytest

from scst_emulator.model.devices import crc32c_raw
from scst_emulator.model.kernel import Kernel
from scst_emulator.model.nodes import KernelError, Link
from model_io import ROOT, rd, wr

FILEIO_HELP = (
    'Usage: echo "add_device device_name [parameters]" >mgmt\n'
    '       echo "del_device device_name" >mgmt\n\n'
    "where parameters are one or more param_name=value pairs separated by ';'\n\n"
    'The following parameters available: active, async, bind_alua_state, blocksize, cluster_mode, dif_filename, '
    'dif_mode, dif_static_app_tag, dif_type, filename, numa_node_id, nv_cache, o_direct, read_only, removable, '
    'rotational, thin_provisioned, tst, t10_dev_id, write_through\n\n')


@pytest.fixture(name='k')
def fixture_kernel():
    kernel = Kernel(scsi_devices=[('1:0:0:0', 0, 'DISK'), ('1:0:1:0', 1, 'TAPE')])
    kernel.modprobe('scst', {})
    kernel.modprobe('scst_vdisk', {})
    return kernel


@pytest.fixture(name='backing')
def fixture_backing(tmp_path):
    path = tmp_path / 'disk.img'
    path.write_bytes(b'\0' * (4 << 20))
    return str(path)


def fails(k, path, text):
    with pytest.raises(KernelError) as info:
        wr(k, path, text)
    return info.value.errno


def add(k, handler, text):
    return wr(k, f'handlers/{handler}/mgmt', f'add_device {text}\n')


def add_fails(k, handler, text):
    return fails(k, f'handlers/{handler}/mgmt', f'add_device {text}\n')


# ----------------------------------------------------------------------------------------------- §1.2
def test_s1_2_handler_dirs(k):
    """§1.2: type text, mgmt, trace_level per handler; vcdrom is type 5."""
    assert rd(k, 'handlers/vdisk_fileio/type') == '0 - Direct-access device (e.g., magnetic disk)\n'
    assert rd(k, 'handlers/vcdrom/type') == '5 - CD-ROM device\n'
    assert k.lookup(ROOT + 'handlers/vdisk_fileio').names() == ['type', 'mgmt', 'trace_level']


def test_s2_1_help_texts(k):
    """§2.1: exact help of each vdisk handler's mgmt."""
    assert rd(k, 'handlers/vdisk_fileio/mgmt') == FILEIO_HELP
    assert rd(k, 'handlers/vdisk_blockio/mgmt').endswith(
        'available: active, bind_alua_state, blocksize, cluster_mode, dif_filename, dif_mode, dif_static_app_tag, '
        'dif_type, filename, numa_node_id, nv_cache, read_only, removable, rotational, thin_provisioned, tst, '
        't10_dev_id, write_through\n\n')
    assert rd(k, 'handlers/vdisk_nullio/mgmt').endswith(
        'available: blocksize, cluster_mode, dif_mode, dif_static_app_tag, dif_type, dummy, numa_node_id, read_only, '
        'removable, rotational, size, size_mb, tst, t10_dev_id\n\n')
    assert rd(k, 'handlers/vcdrom/mgmt').endswith('The following parameters available: tst\n\n')


def test_s2_2_help_text(k):
    """§2.2: exact help of a pass-through handler's mgmt."""
    k.modprobe('scst_disk', {})
    assert rd(k, 'handlers/dev_disk/mgmt') == ('Usage: echo "add_device H:C:I:L" >mgmt\n'
                                               '       echo "del_device H:C:I:L" >mgmt\n')


# ----------------------------------------------------------------------------------------------- §2.1
def test_s2_1_add_device_effects(k, backing):
    """§2.1: devices/NAME, handler links both ways, export0 to the copy_manager LUN 0."""
    assert add(k, 'vdisk_fileio', f'disk01 filename={backing}') == len(f'add_device disk01 filename={backing}\n')
    link = k.lookup(ROOT + 'handlers/vdisk_fileio/disk01')
    assert isinstance(link, Link) and link.target == '../../devices/disk01'
    assert k.lookup(ROOT + 'devices/disk01/handler').target == '../../handlers/vdisk_fileio'
    assert k.lookup(ROOT + 'devices/disk01/exported/export0').target == \
        '../../../targets/copy_manager/copy_manager_tgt/luns/0'
    assert rd(k, 'last_sysfs_mgmt_res') == '0\n'


def test_s2_1_no_copy_manager_lun_without_auto_cm(backing):
    """§2.1: with auto_cm_assignment=0 no copy_manager LUN is created."""
    kernel = Kernel()
    kernel.modprobe('scst', {'auto_cm_assignment': '0'})
    kernel.modprobe('scst_vdisk', {})
    add(kernel, 'vdisk_fileio', f'd1 filename={backing}')
    assert kernel.lookup(ROOT + 'devices/d1/exported').names() == []


def test_s1_3_core_entries_in_order(k):
    """§1.3: core entries, then the handler link, threads, then vdisk attributes."""
    add(k, 'vdisk_nullio', 'n1')
    names = k.lookup(ROOT + 'devices/n1').names()
    assert names[:10] == ['type', 'exported', 'max_tgt_dev_commands', 'numa_node_id', 'block', 'pr_state',
                          'pr_file_name', 'dump_prs', 'handler', 'threads_num']
    assert 'filename' not in names and 'read_zero' in names and 'dummy' in names


@pytest.mark.parametrize('command,code', [
    ('add_device', errno.EINVAL),
    ('add_device \n', errno.EINVAL),
    ('create n1', errno.EINVAL),
    ('add_device a/b', errno.EINVAL),
    ('add_device a.b', errno.EINVAL),
    ('add_device ' + 'x' * 65, errno.EINVAL),
    ('add_device n1 bogus=1', errno.EINVAL),
    ('add_device n1 filename=/x', errno.EINVAL),         # nullio does not take filename
    ('add_device n1 tst=2', errno.EINVAL),
    ('add_device n1 dummy=2', errno.EINVAL),
    ('add_device n1 numa_node_id=-2', errno.EINVAL),
    ('add_device n1 blocksize=256', errno.EINVAL),
    ('add_device n1 size=1000', errno.EINVAL),
    ('add_device n1 size=1x', errno.EINVAL),
    ('add_device n1 dif_mode=tgt', errno.EINVAL),         # dif_type 0 with a dif_mode
    ('add_device n1 dif_type=4', errno.EINVAL),
    ('add_device n1 read_only', errno.EINVAL),            # name without value
    ('add_device n1 read_only=1 0', errno.EINVAL),        # three lexems
    ('add_device n1  \n', errno.EINVAL),                 # two blanks: the parameter text is a blank-only token
    ('del_device', errno.EINVAL),
    ('del_device nosuch', errno.EINVAL),
])
def test_s2_1_nullio_errors(k, command, code):
    """§2.1/§2.0: add_device/del_device syntax and parameter errors."""
    assert fails(k, 'handlers/vdisk_nullio/mgmt', command) == code
    assert 'n1' not in k.devices


def test_s2_1_name_limits(k):
    """§11: a 64-character name is accepted; keywords are case-insensitive; names case-sensitive."""
    wr(k, 'handlers/vdisk_nullio/mgmt', 'ADD_DEVICE ' + 'x' * 64)
    wr(k, 'handlers/vdisk_nullio/mgmt', 'add_device N1')
    wr(k, 'handlers/vdisk_nullio/mgmt', 'add_device n1')
    assert fails(k, 'handlers/vdisk_nullio/mgmt', 'add_device n1') == errno.EEXIST


def test_s2_1_duplicate_across_handlers(k, backing):
    """§2.1: a name used by any handler's device is EEXIST."""
    add(k, 'vdisk_nullio', 'd1')
    assert add_fails(k, 'vdisk_fileio', f'd1 filename={backing}') == errno.EEXIST
    assert add_fails(k, 'vdisk_nullio', '1:0:0:0') == errno.EEXIST


@pytest.mark.parametrize('params,code', [
    ('', errno.EINVAL),                                            # filename required
    ('filename=relative', errno.EINVAL),
    ('filename=/a;filename=/b', errno.EINVAL),
    ('filename={f};read_only=1;write_through=1', errno.EINVAL),
    ('filename={f};read_only=1;nv_cache=1', errno.EINVAL),
    ('filename={f};o_direct=1', errno.EINVAL),
    ('filename={f};dif_type=1;dif_mode=dev_check', errno.EINVAL),
    ('filename={f};dif_filename=rel;dif_type=1', errno.EINVAL),
    ('filename={f};unknown=1', errno.EINVAL),
    ('filename=/nonexistent/file', errno.ENOENT),
    ('filename=/tmp', errno.EINVAL),                               # a directory
])
def test_s2_1_fileio_errors(k, backing, params, code):
    """§2.1: fileio parameter combinations and backing-file checks."""
    assert add_fails(k, 'vdisk_fileio', 'f1 ' + params.format(f=backing)) == code
    assert 'f1' not in k.devices


def test_s2_1_fileio_accepts_unadvertised_known_params(k, backing):
    """§2.1/appendix C: fileio accepts any parameter the vdisk parser knows; blockio rejects them."""
    add(k, 'vdisk_fileio', f'f1 filename={backing};lb_per_pb_exp=0;opt_trans_len=4096;o_direct=1;async=1')
    assert rd(k, 'devices/f1/lb_per_pb_exp') == '0\n[key]\n'
    assert rd(k, 'devices/f1/opt_trans_len') == '4096\n[key]\n'
    assert rd(k, 'devices/f1/o_direct') == '1\n[key]\n'
    assert add_fails(k, 'vdisk_blockio', f'b1 filename={backing};lb_per_pb_exp=0') == errno.EINVAL


def test_s2_1_blockio_needs_block_device(k, backing):
    """§2.1: blockio opens the path as a block device: a regular file is ENOTBLK; active=0 skips the open."""
    assert add_fails(k, 'vdisk_blockio', f'b1 filename={backing}') == errno.ENOTBLK
    add(k, 'vdisk_blockio', f'b1 filename={backing};active=0')
    assert rd(k, 'devices/b1/active') == '0\n[key]\n'
    assert rd(k, 'devices/b1/t10_vend_id') == 'SCST_BIO\n'
    assert rd(k, 'devices/b1/bind_alua_state') == '1\n'


def test_s2_1_active0_skips_backing_check(k):
    """§2.1: with active=0 the file is not opened."""
    add(k, 'vdisk_fileio', 'f1 filename=/nonexistent;active=0')
    assert rd(k, 'devices/f1/filename') == '/nonexistent\n[key]\n\n'


def test_s2_1_param_quirks(k, backing):
    """§2.1/§10: last value wins; read_only=2 is stored as 0; blocksize 0 is 512; 4000 rounds to 2048."""
    add(k, 'vdisk_fileio', f'f1 filename={backing};read_only=1;read_only=2')
    assert rd(k, 'devices/f1/read_only') == '0\n'
    add(k, 'vdisk_nullio', 'n1 blocksize=0')
    assert rd(k, 'devices/n1/blocksize') == '512\n'
    add(k, 'vdisk_nullio', 'n2 blocksize=4000')
    assert rd(k, 'devices/n2/blocksize') == '2048\n[key]\n'
    assert any('rounded down' in line for _t, line in k.dmesg())
    add(k, 'vdisk_nullio', 'n3 blocksize=010000')    # octal: 4096
    assert rd(k, 'devices/n3/blocksize') == '4096\n[key]\n'


def test_s2_1_injection_by_semicolon(k, backing):
    """§11: ';' inside a value starts another parameter."""
    add(k, 'vdisk_fileio', f'f1 filename={backing};read_only=1')
    assert rd(k, 'devices/f1/read_only') == '1\n[key]\n'


def test_s2_1_del_device_cascade(k):
    """§2.1: del_device removes LUNs (copy_manager too), the handler link and the device; any vdisk mgmt works."""
    add(k, 'vdisk_nullio', 'n1')
    assert k.lookup(ROOT + 'targets/copy_manager/copy_manager_tgt/luns').names() == ['mgmt', '0']
    assert fails(k, 'handlers/vdisk_nullio/mgmt', 'del_device n1 extra') == errno.EINVAL
    wr(k, 'handlers/vdisk_fileio/mgmt', 'del_device n1\n')
    assert 'n1' not in k.lookup(ROOT + 'devices').names()
    assert 'n1' not in k.lookup(ROOT + 'handlers/vdisk_nullio').names()
    assert k.lookup(ROOT + 'targets/copy_manager/copy_manager_tgt/luns').names() == ['mgmt']
    assert fails(k, 'handlers/vdisk_nullio/mgmt', 'del_device 1:0:0:0') == errno.EINVAL


def test_s1_3_export_counter_never_reused(k):
    """§1.3: exportN numbers only grow."""
    k.modprobe('scst_local', {})
    add(k, 'vdisk_nullio', 'n1')
    luns = 'targets/scst_local/scst_local_tgt/luns/mgmt'
    wr(k, luns, 'add n1 0')
    assert k.lookup(ROOT + 'devices/n1/exported').names() == ['export0', 'export1']
    wr(k, luns, 'del 0')
    wr(k, luns, 'add n1 0')
    assert k.lookup(ROOT + 'devices/n1/exported').names() == ['export0', 'export2']
    assert k.lookup(ROOT + 'devices/n1/exported/export2').target == '../../../targets/scst_local/scst_local_tgt/luns/0'
    wr(k, 'handlers/vdisk_nullio/mgmt', 'del_device n1')
    assert k.lookup(ROOT + 'targets/scst_local/scst_local_tgt/luns').names() == ['mgmt']


# ------------------------------------------------------------------------------------------------ §10
def test_s10_identity_defaults(k, backing):
    """§10: dev_id = crc32c(name + NUL) (check value disk01 -> 27cddc71) and the derived identity strings."""
    assert crc32c_raw(b'disk01\0') == 0x27cddc71
    add(k, 'vdisk_fileio', f'disk01 filename={backing}')
    dev = 'devices/disk01/'
    assert rd(k, dev + 'usn') == '27cddc71\n'
    assert rd(k, dev + 't10_dev_id') == '27cddc71-disk01\n'
    assert rd(k, dev + 'vend_specific_id') == '27cddc71-disk01\n'
    assert rd(k, dev + 't10_vend_id') == 'SCST_FIO\n'
    assert rd(k, dev + 'prod_id') == 'disk01\n'
    assert rd(k, dev + 'prod_rev_lvl') == '3110\n'
    assert rd(k, dev + 'scsi_device_name') == '\n'
    assert rd(k, dev + 'eui64_id') == '\n'
    assert rd(k, dev + 'naa_id') == '\n'


def test_s10_identity_uses_setup_id_and_cuts(k):
    """§10: setup_id is the high 32 bits of dev_id; t10_dev_id is cut to 25 chars, prod_id to 16."""
    wr(k, 'setup_id', '0x12')
    name = 'averyveryverylongdevicename'
    add(k, 'vdisk_nullio', name)
    dev_id = (0x12 << 32) | crc32c_raw(name.encode() + b'\0')
    assert rd(k, f'devices/{name}/usn') == f'{dev_id:x}\n'
    assert rd(k, f'devices/{name}/t10_dev_id') == f'{dev_id:x}-{name}'[:25] + '\n'
    assert rd(k, f'devices/{name}/prod_id') == name[:16] + '\n'


def test_s2_1_usn_collision(k):
    """§2.1: a generated USN equal to another vdisk's USN is EEXIST."""
    add(k, 'vdisk_nullio', 'a1')
    usn_b = f'{crc32c_raw(b"b1" + bytes(1)):x}'
    wr(k, 'devices/a1/usn', usn_b)
    assert rd(k, 'devices/a1/usn') == f'{usn_b}\n[key]\n'
    assert add_fails(k, 'vdisk_nullio', 'b1') == errno.EEXIST
    wr(k, 'devices/a1/usn', 'other')
    add(k, 'vdisk_nullio', 'b1')


def test_s10_t10_dev_id_parameter(k):
    """§10: t10_dev_id as creation parameter is marked [key]; longer than 25 chars is EINVAL."""
    add(k, 'vdisk_nullio', 'n1 t10_dev_id=abc')
    assert rd(k, 'devices/n1/t10_dev_id') == 'abc\n[key]\n'
    assert rd(k, 'devices/n1/vend_specific_id') == 'abc\n'
    assert add_fails(k, 'vdisk_nullio', 'n2 t10_dev_id=' + 'x' * 26) == errno.EINVAL


def test_s10_fileio_defaults_and_keys(k, backing):
    """§10: fileio read formats with defaults, and [key] for non-defaults of creation-time attributes."""
    add(k, 'vdisk_fileio', f'f1 filename={backing}')
    dev = 'devices/f1/'
    expected = {'filename': f'{backing}\n[key]\n\n', 'blocksize': '512\n', 'size': f'{4 << 20}\n[key]\n',
                'size_mb': '4\n', 'read_only': '0\n', 'write_through': '0\n', 'nv_cache': '0\n', 'o_direct': '0\n',
                'async': '0\n', 'thin_provisioned': '0\n', 'removable': '0\n', 'rotational': '1\n', 'tst': '1\n',
                'active': '1\n', 'bind_alua_state': '0\n', 'cluster_mode': '0\n', 'opt_trans_len': '524288\n',
                'expl_alua': '0\n', 'lb_per_pb_exp': '1\n', 'threads_num': '8\n', 'threads_pool_type': 'per_initiator\n',
                'max_tgt_dev_commands': '64\n', 'numa_node_id': '-1\n', 'pr_file_name': '/var/lib/scst/pr/f1\n',
                'block': '0 0\n'}
    for name, text in expected.items():
        assert rd(k, dev + name) == text, name
    add(k, 'vdisk_fileio', f'f2 filename={backing};write_through=1;nv_cache=1;thin_provisioned=0;removable=1;'
                           'rotational=0;tst=0;bind_alua_state=1;numa_node_id=0;blocksize=4096')
    dev = 'devices/f2/'
    for name, text in {'write_through': '1\n[key]\n', 'nv_cache': '1\n[key]\n', 'thin_provisioned': '0\n[key]\n',
                       'removable': '1\n[key]\n', 'rotational': '0\n[key]\n', 'tst': '0\n[key]\n',
                       'bind_alua_state': '1\n[key]\n', 'numa_node_id': '0\n[key]\n', 'blocksize': '4096\n[key]\n'}.items():
        assert rd(k, dev + name) == text, name
    for name in ('blocksize', 'read_only', 'write_through', 'size', 'tst', 'rotational'):
        assert k.lookup(ROOT + dev + name).mode == 0o444


def test_s10_nullio_size(k):
    """§10: nullio default size 5 TiB/2 without [key]; size/size_mb writable, multiple of the block size."""
    add(k, 'vdisk_nullio', 'n1')
    assert rd(k, 'devices/n1/size') == '2748779069440\n'
    assert rd(k, 'devices/n1/size_mb') == '2621440\n'
    wr(k, 'devices/n1/size_mb', '10')
    assert rd(k, 'devices/n1/size') == f'{10 << 20}\n[key]\n'
    assert fails(k, 'devices/n1/size', '1000') == errno.EINVAL
    add(k, 'vdisk_nullio', 'n2 size_mb=1')
    assert rd(k, 'devices/n2/size') == '1048576\n[key]\n'


def test_s10_runtime_flags(k, backing):
    """§10: runtime-writable flags and their validation."""
    add(k, 'vdisk_fileio', f'f1 filename={backing}')
    add(k, 'vdisk_nullio', 'n1')
    dev = 'devices/f1/'
    wr(k, dev + 'async', '1')
    assert rd(k, dev + 'async') == '1\n[key]\n'
    assert fails(k, dev + 'async', '2') == errno.EINVAL
    wr(k, dev + 'expl_alua', '7')
    assert rd(k, dev + 'expl_alua') == '1\n[key]\n'
    wr(k, dev + 'bind_alua_state', '3')
    assert rd(k, dev + 'bind_alua_state') == '1\n[key]\n'
    assert fails(k, dev + 'lb_per_pb_exp', '2') == errno.EINVAL
    wr(k, dev + 'lb_per_pb_exp', '0')
    assert rd(k, dev + 'lb_per_pb_exp') == '0\n[key]\n'
    assert fails(k, dev + 'opt_trans_len', '1000') == errno.EINVAL
    wr(k, dev + 'opt_trans_len', '524288')
    assert rd(k, dev + 'opt_trans_len') == '524288\n[key]\n'
    wr(k, 'devices/n1/read_zero', '1')
    assert rd(k, 'devices/n1/read_zero') == '1\n[key]\n'
    assert fails(k, 'devices/n1/read_zero', '5') == errno.EINVAL
    wr(k, dev + 'cluster_mode', '1')
    assert rd(k, dev + 'cluster_mode') == '1\n[key]\n'
    assert fails(k, dev + 't10_dev_id', 'x') == errno.EPERM
    assert fails(k, dev + 'cluster_mode', '2') == errno.EINVAL


def test_s10_filename_and_active(k, backing, tmp_path):
    """§10: filename changes only while active=0; active=1 reopens the file and fails with the open errno."""
    add(k, 'vdisk_fileio', f'f1 filename={backing}')
    dev = 'devices/f1/'
    assert fails(k, dev + 'filename', str(tmp_path / 'x')) == errno.EINVAL
    wr(k, dev + 'active', '0')
    assert rd(k, dev + 'active') == '0\n[key]\n'
    assert fails(k, dev + 'filename', 'relative') == errno.EINVAL
    wr(k, dev + 'filename', f'{tmp_path}/new.img\n')
    assert rd(k, dev + 'filename') == f'{tmp_path}/new.img\n[key]\n\n'
    assert fails(k, dev + 'resync_size', '1') == errno.EMEDIUMTYPE
    assert fails(k, dev + 'active', '1') == errno.ENOENT
    assert rd(k, dev + 'active') == '0\n[key]\n'
    (tmp_path / 'new.img').write_bytes(b'\0' * 8192)
    wr(k, dev + 'active', '1')
    assert rd(k, dev + 'size') == '8192\n[key]\n'
    (tmp_path / 'new.img').write_bytes(b'\0' * 16384)
    wr(k, dev + 'resync_size', '1')
    assert rd(k, dev + 'size') == '16384\n[key]\n'
    wr(k, dev + 'sync', '1')


@pytest.mark.parametrize('name,limit', [('t10_dev_id', 25), ('t10_vend_id', 8), ('vend_specific_id', 128),
                                        ('prod_id', 16), ('prod_rev_lvl', 4), ('usn', 20), ('inq_vend_specific', 160),
                                        ('scsi_device_name', 256)])
def test_s10_identity_string_limits(k, name, limit):
    """§10: identity strings: text before the first newline, longest accepted length, [key] once set."""
    add(k, 'vdisk_nullio', 'n1')
    assert fails(k, f'devices/n1/{name}', 'x' * (limit + 1)) == errno.EINVAL
    wr(k, f'devices/n1/{name}', 'x' * limit + '\nignored')
    assert rd(k, f'devices/n1/{name}') == 'x' * limit + '\n[key]\n'


def test_s10_scsi_device_name_empty_clears(k):
    """§10: scsi_device_name: [key] only while non-empty."""
    add(k, 'vdisk_nullio', 'n1')
    wr(k, 'devices/n1/scsi_device_name', 'iqn.x')
    wr(k, 'devices/n1/scsi_device_name', '\n')
    assert rd(k, 'devices/n1/scsi_device_name') == '\n'


@pytest.mark.parametrize('attr,value,shown', [
    ('eui64_id', '0x0123456789abcdef', '0x0123456789abcdef\n[key]\n'),
    ('eui64_id', '0123456789ABCDEF01234567', '0x0123456789abcdef01234567\n[key]\n'),
    ('eui64_id', '', '\n'),
    ('naa_id', '0x5001405abcdef012', '0x5001405abcdef012\n[key]\n'),
    ('naa_id', '6' + '0' * 31, '0x6' + '0' * 31 + '\n[key]\n'),
])
def test_s10_hex_ids(k, attr, value, shown):
    """§10: eui64_id 8/12/16 bytes, naa_id 8 bytes (2/3/5) or 16 bytes (6); empty clears."""
    add(k, 'vdisk_nullio', 'n1')
    wr(k, f'devices/n1/{attr}', value + '\n')
    assert rd(k, f'devices/n1/{attr}') == shown


@pytest.mark.parametrize('attr,value', [('eui64_id', '0x0123'), ('eui64_id', 'zz23456789abcdef'),
                                        ('naa_id', '0x1001405abcdef012'), ('naa_id', '5' + '0' * 31)])
def test_s10_hex_ids_invalid(k, attr, value):
    """§10: bad eui64_id/naa_id values are EINVAL."""
    add(k, 'vdisk_nullio', 'n1')
    assert fails(k, f'devices/n1/{attr}', value) == errno.EINVAL


def test_s10_threads(k):
    """§10: threads_num (>= 0, [key] if != handler default) and threads_pool_type (prefix match, Async at 0)."""
    add(k, 'vdisk_nullio', 'n1')
    dev = 'devices/n1/'
    assert rd(k, dev + 'threads_num') == '1\n'
    wr(k, dev + 'threads_pool_type', 'SHARED\n')
    assert rd(k, dev + 'threads_pool_type') == 'shared\n[key]\n'
    wr(k, dev + 'threads_pool_type', 'per')
    assert rd(k, dev + 'threads_pool_type') == 'per_initiator\n'
    assert fails(k, dev + 'threads_pool_type', 'bogus') == errno.EINVAL
    assert fails(k, dev + 'threads_num', '-1') == errno.EINVAL
    wr(k, dev + 'threads_num', '0')
    assert rd(k, dev + 'threads_num') == '0\n[key]\n'
    assert rd(k, dev + 'threads_pool_type') == 'Async\n'


def test_s1_3_core_attributes(k):
    """§1.3: max_tgt_dev_commands, numa_node_id, block, pr_file_name."""
    add(k, 'vdisk_nullio', 'n1')
    dev = 'devices/n1/'
    wr(k, dev + 'max_tgt_dev_commands', '32')
    assert rd(k, dev + 'max_tgt_dev_commands') == '32\n[key]\n'
    assert fails(k, dev + 'max_tgt_dev_commands', '-1') == errno.EINVAL
    assert fails(k, dev + 'numa_node_id', '-2') == errno.EINVAL
    wr(k, dev + 'block', '1')
    wr(k, dev + 'block', '1 1 data')
    assert rd(k, dev + 'block') == '2 0\n'
    wr(k, dev + 'block', '0')
    assert rd(k, dev + 'block') == '1 0\n'
    assert fails(k, dev + 'block', '2') == errno.EINVAL
    # the copy_manager session sees every vdisk: the device counts as exported
    assert fails(k, dev + 'pr_file_name', '/tmp/pr') == errno.EBUSY
    with pytest.raises(KernelError) as info:
        k.check_open(ROOT + dev + 'dump_prs', for_write=False, for_read=True)
    assert info.value.errno == errno.EACCES


def test_s1_3_pr_file_name_when_not_exported():
    """§1.3: pr_file_name set -> [key]; empty -> default again."""
    kernel = Kernel()
    kernel.modprobe('scst', {'auto_cm_assignment': 'n'})
    kernel.modprobe('scst_vdisk', {})
    add(kernel, 'vdisk_nullio', 'n1')
    wr(kernel, 'devices/n1/pr_file_name', '/tmp/pr\n')
    assert rd(kernel, 'devices/n1/pr_file_name') == '/tmp/pr\n[key]\n'
    wr(kernel, 'devices/n1/pr_file_name', '\n')
    assert rd(kernel, 'devices/n1/pr_file_name') == '/var/lib/scst/pr/n1\n'


def test_s10_vcdrom(k, backing):
    """§10: vcdrom is created empty (only tst accepted), media through filename, '' ejects."""
    assert add_fails(k, 'vcdrom', f'cd1 filename={backing}') == errno.EINVAL
    add(k, 'vcdrom', 'cd1')
    dev = 'devices/cd1/'
    assert rd(k, dev + 'filename') == 'none\n\n'
    assert rd(k, dev + 'type') == '5 - CD-ROM device\n'
    assert 'read_only' not in k.lookup(ROOT + 'devices/cd1').names()
    assert k.devices['cd1'].read_only
    assert rd(k, dev + 'threads_num') == '8\n'
    wr(k, dev + 'filename', backing + '\n')
    assert rd(k, dev + 'filename') == f'{backing}\n[key]\n\n'
    assert rd(k, dev + 'size') == f'{4 << 20}\n[key]\n'
    assert fails(k, dev + 'filename', '/nonexistent') == errno.ENOENT
    wr(k, dev + 'filename', '\n')
    assert rd(k, dev + 'filename') == 'none\n\n'


def test_s1_3_dif_entries(k, backing):
    """§1.3: DIF entries only when dif_type and dif_mode are both set."""
    add(k, 'vdisk_nullio', 'n1 dif_type=1;dif_mode=tgt|scst;dif_static_app_tag=0x10')
    dev = 'devices/n1/'
    assert rd(k, dev + 'dif_mode') == 'tgt|scst\n[key]\n'
    assert rd(k, dev + 'dif_type') == '1\n[key]\n'
    assert rd(k, dev + 'dif_static_app_tag') == '0x10\n[key]\n'
    assert k.devices['n1'].dif
    add(k, 'vdisk_fileio', f'f1 filename={backing}')
    assert 'dif_mode' not in k.lookup(ROOT + 'devices/f1').names()


# ----------------------------------------------------------------------------------------------- §2.2
def test_s2_2_passthrough(k):
    """§2.2: H:C:I:L devices exist from the start; add_device assigns, del_device unassigns."""
    k.modprobe('scst_disk', {})
    assert 'handler' not in k.lookup(ROOT + 'devices/1:0:0:0').names()
    assert 'scsi_device' in k.lookup(ROOT + 'devices/1:0:0:0').names()
    mgmt = 'handlers/dev_disk/mgmt'
    wr(k, mgmt, 'add_device 1:0:0:0\n')
    assert k.lookup(ROOT + 'devices/1:0:0:0/handler').target == '../../handlers/dev_disk'
    assert k.lookup(ROOT + 'handlers/dev_disk/1:0:0:0').target == '../../devices/1:0:0:0'
    wr(k, mgmt, 'add_device 1:0:0:0')                      # already assigned here: no-op
    assert fails(k, 'handlers/dev_disk_perf/mgmt', 'del_device 1:0:0:0') == errno.EINVAL
    wr(k, mgmt, 'del_device 1:0:0:0')
    assert 'handler' not in k.lookup(ROOT + 'devices/1:0:0:0').names()
    assert '1:0:0:0' in k.lookup(ROOT + 'devices').names()


@pytest.mark.parametrize('command', ['add_device', 'add_device 1:0:0', 'add_device 1:0:0:0 x', 'add_device 9:0:0:0',
                                     'add_device 1:0:1:0', 'add_device a:b:c:d', 'del_device 1:0:0:0', 'remove 1:0:0:0'])
def test_s2_2_passthrough_errors(k, command):
    """§2.2: missing/extra tokens, not 4 numbers, unknown device, type mismatch, not assigned: EINVAL."""
    k.modprobe('scst_disk', {})
    assert fails(k, 'handlers/dev_disk/mgmt', command) == errno.EINVAL


def test_s5_scsi_device_survives_handler_unload(k):
    """§2.2: unloading a pass-through handler module unassigns its devices; they stay in devices/."""
    k.modprobe('scst_tape', {})
    wr(k, 'handlers/dev_tape/mgmt', 'add_device 1:0:1:0')
    k.rmmod('scst_tape')
    assert 'handler' not in k.lookup(ROOT + 'devices/1:0:1:0').names()


def test_s4_handler_mgmt_is_a_work(k):
    """§4.6: handler mgmt writes are works: in forced-EAGAIN mode the device is still created."""
    k.set_faults(eagain='always', eagain_reads=0)
    assert fails(k, 'handlers/vdisk_nullio/mgmt', 'add_device n1') == errno.EAGAIN
    assert 'n1' in k.devices
    assert rd(k, 'last_sysfs_mgmt_res') == '0\n'
    assert fails(k, 'handlers/vdisk_nullio/mgmt', 'add_device n1') == errno.EAGAIN
    assert rd(k, 'last_sysfs_mgmt_res') == f'-{errno.EEXIST}\n'


def test_performance_many_devices(k):
    """Performance budget: 5,000 add_device and 20,000 LUN adds stay well within seconds in the model."""
    k.modprobe('scst_local', {})
    for index in range(5000):
        k.write(ROOT + 'handlers/vdisk_nullio/mgmt', f'add_device d{index}\n'.encode())
    luns = ROOT + 'targets/scst_local/scst_local_tgt/luns/mgmt'
    for index in range(20000):
        k.write(luns, f'add d{index % 5000} {index % 16000}\n'.encode() if index < 16000 else b'clear\n')
    assert len(k.devices) == 5000 + 2
    assert os.path.basename(ROOT.rstrip('/')) == 'scst_tgt'


def test_kernel_log_names_vdisk(k):
    """ARCHITECTURE/§2.1: a failed add_device is logged by dev_vdisk with the reason."""
    add(k, 'vdisk_nullio', 'n1')
    add_fails(k, 'vdisk_nullio', 'n1')
    assert k.dmesg()[-1][1] == 'dev_vdisk: ***ERROR***: Device n1 already exists'
