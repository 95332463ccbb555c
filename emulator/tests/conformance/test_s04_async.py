"""SYSFS.md §4: the sysfs work mechanism: EAGAIN, last_sysfs_mgmt_res, forced-EAGAIN mode (§4.8), delayed
completion and fail-Nth-write fault injection."""

import errno
import os
import time

import pytest

import conformance_io as io

NULLIO = 'handlers/vdisk_nullio/mgmt'
RES = 'last_sysfs_mgmt_res'


def _res(emu):
    """(errno of the read or 0, content)."""
    try:
        return 0, io.read(emu / RES)
    except OSError as exc:
        return exc.errno, None


def test_s4_4_last_res_after_failed_work(vdisk):
    """§4.3/§4.4: a failed work stores -errno; a later successful work stores 0."""
    io.ok(vdisk / NULLIO, 'add_device d1')
    assert _res(vdisk) == (0, '0\n')
    io.fails(vdisk / NULLIO, 'add_device d1', errno.EEXIST)
    assert _res(vdisk) == (0, '-17\n')
    io.ok(vdisk / NULLIO, 'add_device d2')
    assert _res(vdisk) == (0, '0\n')


def test_s4_3_sync_store_does_not_touch_last_res(vdisk):
    """§4.3/§4.6: synchronous stores (root setup_id, device_groups/mgmt) do not update last_sysfs_mgmt_res."""
    io.fails(vdisk / NULLIO, 'add_device d1 bogus=1', errno.EINVAL)
    assert _res(vdisk) == (0, '-22\n')
    io.ok(vdisk / 'setup_id', '0x5')
    io.fails(vdisk / 'setup_id', 'x', errno.EINVAL)
    io.ok(vdisk / 'device_groups/mgmt', 'create dg1')
    io.fails(vdisk / 'device_groups/mgmt', 'create dg1', errno.EEXIST)
    assert _res(vdisk) == (0, '-22\n')


# Work stores of §4.6 (path, command; {dev} = nullio device d0, target scst_local t1 exists)
WORK_STORES = [
    ('handler-mgmt', NULLIO, 'add_device w1', 'devices/w1'),
    ('target-mgmt', 'targets/scst_local/mgmt', 'add_target w1', 'targets/scst_local/w1'),
    ('luns-mgmt', 'targets/scst_local/t1/luns/mgmt', 'add d0 3', 'targets/scst_local/t1/luns/3'),
    ('ini_groups-mgmt', 'targets/scst_local/t1/ini_groups/mgmt', 'create w1', 'targets/scst_local/t1/ini_groups/w1'),
    ('dg-devices-mgmt', 'device_groups/dg1/devices/mgmt', 'add d0', 'device_groups/dg1/devices/d0'),
    ('dg-target_groups-mgmt', 'device_groups/dg1/target_groups/mgmt', 'create w1',
     'device_groups/dg1/target_groups/w1'),
]


@pytest.fixture
def works(local):
    io.ok(local / 'handlers/vdisk_nullio/mgmt', 'add_device d0')
    io.ok(local / 'device_groups/mgmt', 'create dg1')
    return local


@pytest.mark.parametrize('path,cmd,created', [w[1:] for w in WORK_STORES], ids=[w[0] for w in WORK_STORES])
def test_s4_8_always_eagain_success(works, path, cmd, created):
    """§4.8: in always-EAGAIN mode the write fails EAGAIN but the change is done; last_sysfs_mgmt_res
    answers EAGAIN for the configured number of reads, then 0."""
    works.faults(eagain='always', eagain_reads=2)
    io.fails(works / path, cmd, errno.EAGAIN)
    assert os.path.lexists(works / created)
    assert _res(works)[0] == errno.EAGAIN
    assert _res(works)[0] == errno.EAGAIN
    assert _res(works) == (0, '0\n')
    assert _res(works) == (0, '0\n')


def test_s4_8_always_eagain_failure(works):
    """§4.8: a failing work in always-EAGAIN mode: write EAGAIN, then last result -errno."""
    works.faults(eagain='always', eagain_reads=1)
    io.fails(works / NULLIO, 'add_device d0', errno.EAGAIN)
    assert _res(works)[0] == errno.EAGAIN
    assert _res(works) == (0, f'-{errno.EEXIST}\n')


def test_s4_8_always_eagain_zero_reads(works):
    """§4.8: eagain_reads=0: the result is readable at once."""
    works.faults(eagain='always', eagain_reads=0)
    io.fails(works / NULLIO, 'del_device nosuch', errno.EAGAIN)
    assert _res(works) == (0, f'-{errno.EINVAL}\n')


SYNC_STORES = [  # §4.6: synchronous stores never EAGAIN (path, value)
    ('device_groups/mgmt', 'create dgx'),
    ('setup_id', '0x1'),
    ('targets/scst_local/t1/comment', 'c'),
    ('targets/scst_local/t1/addr_method', 'FLAT'),
    ('targets/scst_local/t1/black_hole', '1'),
    ('devices/d0/t10_dev_id', 'abc'),
    ('devices/d0/max_tgt_dev_commands', '8'),
]


@pytest.mark.parametrize('path,value', SYNC_STORES, ids=[s[0] for s in SYNC_STORES])
def test_s4_6_sync_stores_never_eagain(works, path, value):
    """§4.6: synchronous stores succeed in always-EAGAIN mode."""
    works.faults(eagain='always')
    io.ok(works / path, value)


def test_s4_8_bash_eagain(works):
    """§4.8 through bash: 'Resource temporarily unavailable', and the change is done."""
    works.faults(eagain='always')
    rc, err = io.echo(works / NULLIO, 'add_device w2')
    assert rc == 1 and 'Resource temporarily unavailable' in err
    assert os.path.isdir(works / 'devices/w2')


def test_s4_8_read_only_works_eagain(works):
    """§4.5/§4.8: reads served by read-only works (trace_cmds) EAGAIN 3 of 4 times in forced mode."""
    works.faults(eagain='always')
    codes = [io.read_errno(works / 'trace_cmds') for dummy in range(8)]
    assert codes.count(errno.EAGAIN) == 6 and codes.count(0) == 2


def test_s4_delayed_completion(works):
    """§4.2/§4.4: delayed work: EAGAIN at once, change not yet done, last result EAGAIN until done."""
    works.faults(delay=0.6)
    start = time.monotonic()
    io.fails(works / NULLIO, 'add_device late', errno.EAGAIN)
    assert not os.path.exists(works / 'devices/late')
    assert _res(works)[0] == errno.EAGAIN
    while _res(works)[0] == errno.EAGAIN:
        assert time.monotonic() - start < 10
        time.sleep(0.05)
    assert time.monotonic() - start >= 0.5
    assert _res(works) == (0, '0\n')
    assert os.path.isdir(works / 'devices/late')


def test_s4_delayed_failure(works):
    """§4.2/§4.4: delayed work that fails: last result -errno after completion."""
    works.faults(delay=0.2)
    io.fails(works / NULLIO, 'add_device d0', errno.EAGAIN)
    deadline = time.monotonic() + 10
    while _res(works)[0] == errno.EAGAIN:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert _res(works) == (0, f'-{errno.EEXIST}\n')


def test_s4_delayed_sync_store_unaffected(works):
    """§4.6: synchronous stores do not wait for the delay."""
    works.faults(delay=5)
    io.ok(works / 'device_groups/mgmt', 'create dgx')
    assert os.path.isdir(works / 'device_groups/dgx')


FAIL_NTH = [  # (id, n, errno, path filter)
    ('first-enomem', 1, errno.ENOMEM, None),
    ('second-eio', 2, errno.EIO, None),
    ('third-ebusy', 3, errno.EBUSY, None),
    ('path-filter', 1, errno.ENOSPC, 'vdisk_nullio'),
]


@pytest.mark.parametrize('nth,code,fpath', [f[1:] for f in FAIL_NTH], ids=[f[0] for f in FAIL_NTH])
def test_s4_fail_nth_write(works, nth, code, fpath):
    """§4.8 emulator model / ARCHITECTURE fault injection: the N-th write fails with the chosen errno and changes nothing; one-shot."""
    works.faults(fail_nth=nth, fail_errno=code, fail_path=fpath)
    if fpath:
        io.ok(works / 'setup_id', '0x7')  # not counted: path does not match
    for i in range(1, nth):
        io.ok(works / NULLIO, f'add_device f{i}')
    io.fails(works / NULLIO, f'add_device f{nth}', code)
    assert not os.path.exists(works / f'devices/f{nth}')
    io.ok(works / NULLIO, f'add_device f{nth}')
    io.ok(works / NULLIO, 'add_device g1')
    assert os.path.isdir(works / f'devices/f{nth}')


# §4.6 stores that go through the work queue (path relative to scst_tgt, value, check: (path, content) after)
T1 = 'targets/scst_local/t1'
ASYNC_STORES = [
    ('threads', '7', ('threads', '7\n[key]\n')),
    (f'{T1}/io_grouping_type', 'never', (f'{T1}/io_grouping_type', 'never\n[key]\n')),
    (f'{T1}/cpu_mask', '1', None),
    (f'{T1}/rel_tgt_id', '9', (f'{T1}/rel_tgt_id', '9\n[key]\n')),
    (f'{T1}/ini_groups/g0/initiators/mgmt', 'add ini9', (f'{T1}/ini_groups/g0/initiators/ini9', 'ini9\n')),
    ('devices/d0/threads_num', '3', ('devices/d0/threads_num', '3\n[key]\n')),
    ('devices/d0/threads_pool_type', 'shared', ('devices/d0/threads_pool_type', 'shared\n[key]\n')),
    ('devices/d0/size_mb', '2', ('devices/d0/size_mb', '2\n')),
    ('devices/d0/size', '1048576', ('devices/d0/size', '1048576\n[key]\n')),
    ('device_groups/dg1/target_groups/tg0/state', 'standby', ('device_groups/dg1/target_groups/tg0/state',
                                                              'standby\n[key]\n')),
    ('device_groups/dg1/target_groups/tg0/preferred', '1', ('device_groups/dg1/target_groups/tg0/preferred',
                                                            '1\n[key]\n')),
    ('device_groups/dg1/target_groups/tg0/mgmt', 'add remote9', None),
]


@pytest.fixture
def works2(works):
    io.ok(works / T1 / 'ini_groups/mgmt', 'create g0')
    io.ok(works / 'device_groups/dg1/target_groups/mgmt', 'create tg0')
    return works


@pytest.mark.parametrize('path,value,check', ASYNC_STORES, ids=[a[0].split('/', 2)[-1] for a in ASYNC_STORES])
def test_s4_6_async_stores_eagain(works2, path, value, check):
    """§4.6: these stores are sysfs works: EAGAIN in forced mode, change done anyway."""
    works2.faults(eagain='always', eagain_reads=0)
    io.fails(works2 / path, value, errno.EAGAIN)
    works2.faults()
    if check:
        assert io.read(works2 / check[0]) == check[1]
    assert _res(works2) == (0, '0\n')


UNCHANGED_NO_WORK = [  # §4.6: io_grouping_type, cpu_mask, threads_pool_type are works only if the value changes
    (f'{T1}/io_grouping_type', 'auto'),
    ('devices/d0/threads_pool_type', 'per_initiator'),
]


@pytest.mark.parametrize('path,value', UNCHANGED_NO_WORK, ids=[u[0].rsplit('/', 1)[-1] for u in UNCHANGED_NO_WORK])
def test_s4_6_unchanged_value_is_synchronous(works2, path, value):
    """§4.6: writing the current value of a changed-only work attribute does not go through a work."""
    works2.faults(eagain='always')
    io.ok(works2 / path, value)


def test_s4_6_cpu_mask_unchanged_synchronous(works2):
    """§4.6: cpu_mask written with its current value is synchronous."""
    current = io.read(works2 / T1 / 'cpu_mask').split('\n', 1)[0]
    works2.faults(eagain='always')
    io.ok(works2 / T1 / 'cpu_mask', current)


MORE_SYNC = [  # §4.6 synchronous list, continued
    (f'{T1}/forward_src', '1'), (f'{T1}/forward_dst', '1'), (f'{T1}/aen_disabled', '1'),
    ('devices/d0/usn', 'u1'), ('devices/d0/prod_id', 'p1'), ('devices/d0/read_zero', '1'),
    ('devices/d0/opt_trans_len', '1024'), ('devices/d0/numa_node_id', '0'), ('devices/d0/block', '0'),
    ('max_tasklet_cmd', '11'), ('poll_us', '1'), ('cluster_name', 'c'), ('async_lun_replace', '1'),
]


@pytest.mark.parametrize('path,value', MORE_SYNC, ids=[m[0].rsplit('/', 1)[-1] for m in MORE_SYNC])
def test_s4_6_more_sync_stores(works2, path, value):
    """§4.6: synchronous stores succeed in forced-EAGAIN mode and leave last_sysfs_mgmt_res alone."""
    works2.faults(eagain='always')
    io.ok(works2 / path, value)
    assert _res(works2) == (0, '0\n')


def test_s4_6_fileio_async_stores(vdisk, backing):
    """§4.6: vdisk active, filename, resync_size and pr_file_name are works."""
    io.ok(vdisk / 'handlers/vdisk_fileio/mgmt', f'add_device f1 filename={backing()}')
    vdisk.faults(eagain='always', eagain_reads=0)
    io.fails(vdisk / 'devices/f1/resync_size', '1', errno.EAGAIN)
    io.fails(vdisk / 'devices/f1/active', '0', errno.EAGAIN)
    io.fails(vdisk / 'devices/f1/filename', backing('g.img'), errno.EAGAIN)
    io.fails(vdisk / 'devices/f1/pr_file_name', '/tmp/x', errno.EAGAIN)
    vdisk.faults()
    assert io.read(vdisk / 'devices/f1/active') == '0\n[key]\n'
    assert io.read(vdisk / 'devices/f1/filename').startswith(backing('g.img') + '\n')
    assert _res(vdisk) == (0, f'-{errno.EBUSY}\n')


READ_WORKS = ['trace_cmds', 'trace_mcmds', 'devices/f1/filename', f'{T1}/read_cmd_count', f'{T1}/write_io_count_kb']


@pytest.mark.parametrize('path', READ_WORKS, ids=[r.rsplit('/', 1)[-1] for r in READ_WORKS])
def test_s4_5_read_only_work_attributes(local, backing, path):
    """§4.5/§4.8: attributes served by read-only works fail EAGAIN 3 of 4 reads in forced mode."""
    io.ok(local / 'handlers/vdisk_fileio/mgmt', f'add_device f1 filename={backing()}')
    local.faults(eagain='always')
    codes = [io.read_errno(local / path) for dummy in range(8)]
    assert codes.count(errno.EAGAIN) == 6 and codes.count(0) == 2


def test_s4_5_read_only_works_do_not_touch_last_res(local, backing):
    """§4.3: read-only works do not store a result in last_sysfs_mgmt_res."""
    io.ok(local / 'handlers/vdisk_fileio/mgmt', f'add_device f1 filename={backing()}')
    io.fails(local / 'handlers/vdisk_nullio/mgmt', 'add_device f1', errno.EEXIST)
    for dummy in range(3):
        io.read(local / 'devices/f1/filename')
    assert _res(local) == (0, f'-{errno.EEXIST}\n')


def test_s2_0_owner_gone_while_queued(works):
    """§2.0: if the object owning the mgmt file disappears while the command is queued, the command returns
    success without doing anything (DG deleted through the synchronous device_groups/mgmt)."""
    works.faults(delay=0.4)
    io.fails(works / 'device_groups/dg1/devices/mgmt', 'add d0', errno.EAGAIN)
    io.ok(works / 'device_groups/mgmt', 'del dg1')
    deadline = time.monotonic() + 10
    while _res(works)[0] == errno.EAGAIN:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert _res(works) == (0, '0\n')
    io.ok(works / 'device_groups/mgmt', 'create dg2')
    works.faults()
    io.ok(works / 'device_groups/dg2/devices/mgmt', 'add d0')


def test_s4_7_iscsi_daemon_attributes_never_eagain(iscsi):
    """§4.7: daemon-backed attribute files are not works (no EAGAIN); iscsi mgmt and target enabled are."""
    io.ok(iscsi / 'targets/iscsi/mgmt', 'add_target iqn.2024-01.test:a')
    tgt = iscsi / 'targets/iscsi/iqn.2024-01.test:a'
    iscsi.faults(eagain='always', eagain_reads=0)
    io.ok(tgt / 'QueuedCommands', '64')
    io.ok(iscsi / 'targets/iscsi/enabled', '1')
    io.fails(tgt / 'enabled', '1', errno.EAGAIN)
    io.fails(iscsi / 'targets/iscsi/mgmt', 'add_target iqn.2024-01.test:b', errno.EAGAIN)
    iscsi.faults()
    assert io.read(tgt / 'enabled') == '1\n'
    assert os.path.isdir(iscsi / 'targets/iscsi/iqn.2024-01.test:b')


def test_s4_3_last_res_is_last_completed(works):
    """§4.3/§4.4: one global result: with two pending works, EAGAIN until both are done, then the result of
    the one that completed last."""
    works.faults(delay=0.3)
    io.fails(works / NULLIO, 'add_device w1', errno.EAGAIN)
    time.sleep(0.1)
    io.fails(works / NULLIO, 'add_device d0', errno.EAGAIN)
    deadline = time.monotonic() + 10
    while _res(works)[0] == errno.EAGAIN:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert _res(works) == (0, f'-{errno.EEXIST}\n')
    assert os.path.isdir(works / 'devices/w1')


def test_s4_5_session_active_commands_is_read_work(local):
    """§4.5: session active_commands is served by a read-only work (EAGAIN 3 of 4 in forced mode)."""
    io.ok(local / 'targets/scst_local/mgmt', 'add_session t1 s1')
    path = local / T1 / 'sessions/s1/active_commands'
    assert io.read(path).strip().isdigit()
    local.faults(eagain='always')
    codes = [io.read_errno(path) for dummy in range(4)]
    assert codes.count(errno.EAGAIN) == 3 and codes.count(0) == 1
