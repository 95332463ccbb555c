"""SYSFS.md §1 (tree layout, modes), §1.6 (initial tree after `modprobe scst`), §3.2 (EACCES at open)."""

import errno
import os
import re

import pytest

import conformance_io as io

ROOT_FILES = {  # §1.1 / §1.6: name -> mode
    'async_lun_replace': 0o644, 'cluster_name': 0o644, 'force_global_sgv_pool': 0o644,
    'last_sysfs_mgmt_res': 0o444, 'max_tasklet_cmd': 0o644, 'measure_latency': 0o644, 'poll_us': 0o644,
    'setup_id': 0o644, 'suspend': 0o644, 'threads': 0o644, 'trace_cmds': 0o444, 'trace_mcmds': 0o444,
    'version': 0o444,
}
ROOT_DIRS = ('devices', 'handlers', 'targets', 'device_groups', 'sgv')

ROOT_DEFAULTS = [  # §1.1 default contents (no [key] for defaults, §3.1)
    ('setup_id', '0x0\n'), ('max_tasklet_cmd', '10\n'), ('poll_us', '0\n'), ('measure_latency', '0\n'),
    ('suspend', '0\n'), ('force_global_sgv_pool', '0\n'), ('cluster_name', ''), ('async_lun_replace', '0\n'),
    ('last_sysfs_mgmt_res', '0\n'),
]


def test_s1_6_no_tree_before_modprobe_scst(emu):
    """§5/§1.6: /sys/kernel/scst_tgt exists only while module scst is loaded."""
    assert not os.path.exists(emu.root)
    emu.modprobe('scst')
    assert os.path.isdir(emu.root)
    emu.rmmod('scst')
    assert not os.path.exists(emu.root)


@pytest.mark.parametrize('name', sorted(ROOT_FILES))
def test_s1_1_root_file_mode(scst, name):
    """§1.1/§1.6: root attribute present with its mode."""
    assert io.mode(scst / name) == ROOT_FILES[name]


@pytest.mark.parametrize('name', ROOT_DIRS)
def test_s1_1_root_dirs(scst, name):
    """§1.1: top-level directories."""
    assert os.path.isdir(scst / name)


@pytest.mark.parametrize('name,content', ROOT_DEFAULTS, ids=[c[0] for c in ROOT_DEFAULTS])
def test_s1_1_root_defaults(scst, name, content):
    """§1.1 defaults; cluster_name unset reads 0 bytes (§3.1)."""
    assert io.read(scst / name) == content


def test_s1_1_threads_default(scst):
    """§1.1: threads = scst_threads param, `%d\\n` without [key] when equal to it."""
    value = io.read(scst / 'threads')
    assert re.fullmatch(r'[1-9]\d*\n', value)
    assert value.strip() == io.read(scst.module / 'scst/parameters/scst_threads').strip()


def test_s1_6_initial_tree(scst):
    """§1.6: handlers empty, device_groups has only mgmt, sgv stats, copy_manager template and target."""
    assert io.entries(scst / 'handlers') == []
    assert io.entries(scst / 'device_groups') == ['mgmt']
    assert os.path.isfile(scst / 'sgv/global_stats')
    pools = [p for p in io.entries(scst / 'sgv') if p != 'global_stats']
    assert {'sgv', 'sgv-clust', 'sgv-dma'} <= set(pools)
    for pool in pools:
        assert io.mode(scst / 'sgv' / pool / 'stats') == 0o644
    assert io.entries(scst / 'targets') == ['copy_manager']
    cm = scst / 'targets/copy_manager'
    assert {'allow_not_connected_copy', 'dif_capabilities', 'copy_manager_tgt'} <= set(io.entries(cm))
    assert 'mgmt' not in io.entries(cm)
    tgt = cm / 'copy_manager_tgt'
    for name in ('rel_tgt_id', 'comment', 'addr_method', 'io_grouping_type', 'black_hole', 'cpu_mask',
                 'forward_src', 'forward_dst', 'aen_disabled', 'sg_tablesize'):
        assert os.path.isfile(tgt / name), name
    assert not os.path.exists(tgt / 'enabled')
    assert io.entries(tgt / 'luns') == ['mgmt']
    assert io.entries(tgt / 'ini_groups') == ['mgmt']
    assert io.entries(tgt / 'sessions') == ['copy_manager_sess']


def test_s1_4_target_core_modes(scst):
    """§1.4 modes of target core entries."""
    tgt = scst / 'targets/copy_manager/copy_manager_tgt'
    for name in ('rel_tgt_id', 'comment', 'addr_method', 'io_grouping_type', 'black_hole', 'cpu_mask',
                 'forward_src', 'forward_dst', 'aen_disabled'):
        assert io.mode(tgt / name) == 0o644, name
    assert io.mode(tgt / 'sg_tablesize') == 0o444


READ_ONLY = ['version', 'last_sysfs_mgmt_res', 'trace_cmds', 'trace_mcmds',
             'targets/copy_manager/copy_manager_tgt/sg_tablesize']


@pytest.mark.parametrize('rel', READ_ONLY)
@pytest.mark.parametrize('flags', [os.O_WRONLY, os.O_RDWR], ids=['wronly', 'rdwr'])
def test_s3_2_write_open_of_0444_is_eacces(scst, rel, flags):
    """§3.2/§2.8: opening a 0444 attribute for writing fails EACCES at open, even for root."""
    assert io.open_errno(scst / rel, flags) == errno.EACCES


def test_s3_2_write_open_of_0444_device_and_handler_type(vdisk):
    """§1.2/§1.3 type files are 0444: EACCES on write-open."""
    io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', 'add_device nd0')
    for rel in ('handlers/vdisk_nullio/type', 'devices/nd0/type', 'devices/nd0/blocksize'):
        assert io.mode(vdisk / rel) == 0o444
        assert io.open_errno(vdisk / rel, os.O_WRONLY) == errno.EACCES, rel


def test_s3_2_read_open_of_0200_is_eacces(vdisk, backing):
    """§3.2/§10: resync_size and sync are 0200; read-open fails EACCES, write works."""
    io.ok(vdisk / 'handlers/vdisk_fileio/mgmt', f'add_device d0 filename={backing()}')
    for rel in ('devices/d0/resync_size', 'devices/d0/sync'):
        assert io.mode(vdisk / rel) == 0o200
        assert io.open_errno(vdisk / rel, os.O_RDONLY) == errno.EACCES, rel
        assert io.open_errno(vdisk / rel, os.O_RDWR) == errno.EACCES, rel
        io.ok(vdisk / rel, '1')


def test_s3_2_bash_redirect_to_0444(scst):
    """§3.2 through the shell: `echo > version` fails with Permission denied."""
    rc, err = io.echo(scst / 'version', 'x')
    assert rc == 1 and 'Permission denied' in err


HANDLER_TYPES = [  # §1.2 / §5
    ('scst_vdisk', 'vdisk_fileio', '0 - Direct-access device (e.g., magnetic disk)'),
    ('scst_vdisk', 'vdisk_blockio', '0 - Direct-access device (e.g., magnetic disk)'),
    ('scst_vdisk', 'vdisk_nullio', '0 - Direct-access device (e.g., magnetic disk)'),
    ('scst_vdisk', 'vcdrom', '5 - CD-ROM device'),
    ('scst_disk', 'dev_disk', '0 - Direct-access device (e.g., magnetic disk)'),
    ('scst_disk', 'dev_disk_perf', '0 - Direct-access device (e.g., magnetic disk)'),
    ('scst_tape', 'dev_tape', '1 - Sequential-access device (e.g., magnetic tape)'),
    ('scst_tape', 'dev_tape_perf', '1 - Sequential-access device (e.g., magnetic tape)'),
    ('scst_cdrom', 'dev_cdrom', '5 - CD-ROM device'),
    ('scst_changer', 'dev_changer', '8 - Medium changer device (e.g., jukeboxes)'),
    ('scst_modisk', 'dev_modisk', '7 - Optical memory device (e.g., some optical disks)'),
    ('scst_modisk', 'dev_modisk_perf', '7 - Optical memory device (e.g., some optical disks)'),
    ('scst_processor', 'dev_processor', '3 - Processor device'),
    ('scst_raid', 'dev_raid', '12 - Storage array controller device (e.g., RAID)'),
    ('scst_user', 'scst_user', '-1 - unknown'),
]


@pytest.mark.parametrize('module,handler,text', HANDLER_TYPES, ids=[h[1] for h in HANDLER_TYPES])
def test_s1_2_handler_type_and_mgmt(emu, module, handler, text):
    """§1.2: handler dir with `type` ("%d - %s"); mgmt except for scst_user (no_mgmt)."""
    emu.modprobe(module)
    hdir = emu / 'handlers' / handler
    assert io.read(hdir / 'type') == text + '\n'
    assert io.mode(hdir / 'type') == 0o444
    if handler == 'scst_user':
        assert not os.path.exists(hdir / 'mgmt')
    else:
        assert io.mode(hdir / 'mgmt') == 0o644


def test_s1_3_device_core_entries(vdisk):
    """§1.3: core entries of a device and their defaults/links."""
    io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', 'add_device nd0')
    dev = vdisk / 'devices/nd0'
    assert io.read(dev / 'type') == '0 - Direct-access device (e.g., magnetic disk)\n'
    assert os.path.isdir(dev / 'exported')
    assert io.read(dev / 'max_tgt_dev_commands') == '64\n'
    assert io.read(dev / 'numa_node_id') == '-1\n'
    assert re.fullmatch(r'\d+ \d+\n', io.read(dev / 'block'))
    assert io.read(dev / 'pr_file_name') == '/var/lib/scst/pr/nd0\n'
    assert io.mode(dev / 'pr_state') == 0o644
    assert io.link(dev / 'handler') == '../../handlers/vdisk_nullio'
    assert io.link(vdisk / 'handlers/vdisk_nullio/nd0') == '../../devices/nd0'


CORE_WRITES = [  # §1.3 core device attribute stores
    ('max_tgt_dev_commands', '32', 0, '32\n[key]\n'),
    ('max_tgt_dev_commands', '0', 0, None),
    ('max_tgt_dev_commands', '-1', errno.EINVAL, None),
    ('max_tgt_dev_commands', 'x', errno.EINVAL, None),
    ('max_tgt_dev_commands', '8 ', errno.EINVAL, None),
    ('max_tgt_dev_commands', '010', 0, '8\n[key]\n'),
    ('numa_node_id', '0 ', errno.EINVAL, None),
    ('numa_node_id', '0', 0, '0\n[key]\n'),
    ('numa_node_id', '-1', 0, '-1\n'),
    ('numa_node_id', '-2', errno.EINVAL, None),
    ('block', '2', errno.EINVAL, None),
    ('block', 'x', errno.EINVAL, None),
    ('pr_file_name', '/tmp/pr-nd0\n', errno.EBUSY, None),
]


@pytest.mark.parametrize('attr,value,code,after', CORE_WRITES,
                         ids=[f'{c[0]}={c[1].strip()}' for c in CORE_WRITES])
def test_s1_3_device_core_writes(vdisk, attr, value, code, after):
    """§1.3: core attribute writes (pr_file_name EBUSY: copy_manager session sees every vdisk)."""
    io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', 'add_device nd0')
    path = vdisk / 'devices/nd0' / attr
    if code:
        io.fails(path, value, code)
    else:
        io.ok(path, value)
        if after is not None:
            assert io.read(path) == after


def test_s1_3_pr_file_name_writable_when_not_exported(emu):
    """§1.3: pr_file_name set (+[key]) when no session sees the device; empty resets to the default."""
    emu.modprobe('scst', auto_cm_assignment=0)
    emu.modprobe('scst_vdisk')
    io.ok(emu / 'handlers/vdisk_nullio/mgmt', 'add_device nd0')
    path = emu / 'devices/nd0/pr_file_name'
    io.ok(path, '/tmp/pr-nd0\n')
    assert io.read(path) == '/tmp/pr-nd0\n[key]\n'
    io.ok(path, '\n')
    assert io.read(path) == '/var/lib/scst/pr/nd0\n'


def test_s12_version_format(scst):
    """§12/§1.1: version (>= 3.10 form): `SCST version: <v>` then build date/number, git sha1, kver, arch."""
    lines = io.read(scst / 'version').split('\n')
    assert lines[0] == 'SCST version: 3.11.0-pre'
    prefixes = ['SCST build date: ', 'SCST build number: ', 'SCST git commit sha1: ', 'SCST kver: ',
                'SCST arch type: ']
    for prefix, line in zip(prefixes, lines[1:6]):
        assert line.startswith(prefix), line
    assert '[key]' not in lines


def test_s1_1_suspend(scst):
    """§1.1: suspend: v>0 suspends (read: outstanding suspends), v<0 resumes."""
    io.ok(scst / 'suspend', '1')
    assert io.read(scst / 'suspend') == '1\n'
    io.ok(scst / 'suspend', '-1')
    assert io.read(scst / 'suspend') == '0\n'


def test_s1_1_sgv_stats_reset(scst):
    """§1.1: sgv/global_stats and pool stats are 0644, write = reset."""
    io.ok(scst / 'sgv/global_stats', '0')
    io.ok(scst / 'sgv/sgv/stats', '0')


BLOCK = [('0', 0), ('1', 0), ('1 1', 0), ('1 1 data', 0), ('2', errno.EINVAL), ('1 2', errno.EINVAL),
         ('x', errno.EINVAL)]


@pytest.mark.parametrize('value,code', BLOCK, ids=[b[0] for b in BLOCK])
def test_s1_3_block(vdisk, value, code):
    """§1.3: block: `0` unblock, `1` block sync, `1 1 [data]` block async; anything else EINVAL."""
    io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', 'add_device nd0')
    if value == '0':
        io.ok(vdisk / 'devices/nd0/block', '1')
    if code:
        io.fails(vdisk / 'devices/nd0/block', value, code)
    else:
        io.ok(vdisk / 'devices/nd0/block', value)


def test_s1_3_block_counts(vdisk):
    """§1.3: block reads `<count> <pending>`: the count follows block/unblock."""
    io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', 'add_device nd0')
    io.ok(vdisk / 'devices/nd0/block', '1')
    assert io.read(vdisk / 'devices/nd0/block').split()[0] == '1'
    io.ok(vdisk / 'devices/nd0/block', '0')
    assert io.read(vdisk / 'devices/nd0/block').split()[0] == '0'


def test_s1_3_dif_entries_only_with_dif(vdisk):
    """§1.3: dif_mode/dif_type/dif_static_app_tag only when DIF is enabled (dif_type!=0 and dif_mode!=0)."""
    io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', 'add_device plain')
    io.ok(vdisk / 'handlers/vdisk_nullio/mgmt', 'add_device difd dif_type=1;dif_mode=tgt')
    for name in ('dif_mode', 'dif_type', 'dif_static_app_tag'):
        assert not os.path.exists(vdisk / 'devices/plain' / name), name
        assert os.path.exists(vdisk / 'devices/difd' / name), name
    assert io.mode(vdisk / 'devices/difd/dif_mode') == 0o444
    assert io.mode(vdisk / 'devices/difd/dif_type') == 0o444
    assert io.mode(vdisk / 'devices/difd/dif_static_app_tag') == 0o644
    assert io.read(vdisk / 'devices/difd/dif_mode').split('\n')[:2] == ['tgt', '[key]']
    assert re.fullmatch(r'0x[0-9a-f]+\n', io.read(vdisk / 'devices/difd/dif_static_app_tag').split('[key]', 1)[0])
