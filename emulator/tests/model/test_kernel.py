"""Unit tests of model/kernel.py: root attributes (§1.1, §1.6), permissions (§3.2), short writes (§2.0, §11),
the sysfs work / EAGAIN machinery and fault modes (§4), the kernel log and reboot."""

import errno
import time

import pytest

from scst_emulator.model.kernel import PAGE_SIZE, Kernel
from scst_emulator.model.nodes import KernelError
from model_io import ROOT, rd, wr


@pytest.fixture(name='k')
def fixture_kernel():
    kernel = Kernel(cpus=4)
    kernel.modprobe('scst', {})
    return kernel


def fails(k, path, text):
    with pytest.raises(KernelError) as info:
        wr(k, path, text)
    return info.value.errno


def test_s1_6_tree_absent_before_scst_and_complete_after():
    """§1.6: scst_tgt exists only while module scst is loaded; the root entries of §1.1 are there."""
    kernel = Kernel()
    with pytest.raises(KernelError) as info:
        kernel.lookup(ROOT)
    assert info.value.errno == errno.ENOENT
    assert kernel.lookup('').names() == ['kernel', 'module', 'class']
    kernel.modprobe('scst', {})
    names = kernel.lookup(ROOT).names()
    for name in ('devices', 'handlers', 'targets', 'device_groups', 'sgv', 'version', 'last_sysfs_mgmt_res',
                 'setup_id', 'threads', 'max_tasklet_cmd', 'poll_us', 'measure_latency', 'suspend',
                 'force_global_sgv_pool', 'trace_level', 'trace_cmds', 'trace_mcmds', 'cluster_name',
                 'async_lun_replace'):
        assert name in names
    assert kernel.lookup(ROOT + 'device_groups').names() == ['mgmt']
    assert 'global_stats' in kernel.lookup(ROOT + 'sgv').names()
    assert 'sgv-clust-1' in kernel.lookup(ROOT + 'sgv').names()
    kernel.rmmod('scst')
    with pytest.raises(KernelError):
        kernel.lookup(ROOT)


def test_s12_version_format(k):
    """§12: since 3.10 the version file starts with 'SCST version: <v>'."""
    assert rd(k, 'version').startswith('SCST version: 3.11.0-pre\n')


def test_s1_1_setup_id_base_auto_and_key(k):
    """§1.1 setup_id: '0x%x', [key] when non-zero, input base 0 (octal 010 is 8)."""
    assert rd(k, 'setup_id') == '0x0\n'
    wr(k, 'setup_id', '010\n')
    assert rd(k, 'setup_id') == '0x8\n[key]\n'
    wr(k, 'setup_id', '0x1f')
    assert rd(k, 'setup_id') == '0x1f\n[key]\n'
    assert fails(k, 'setup_id', '12 ') == errno.EINVAL
    assert fails(k, 'setup_id', '-1') == errno.EINVAL


def test_s1_1_threads(k):
    """§1.1 threads: default = scst_threads (CPUs), [key] when different, >0 else EINVAL, async work."""
    assert rd(k, 'threads') == '4\n'
    wr(k, 'threads', '6')
    assert rd(k, 'threads') == '6\n[key]\n'
    assert fails(k, 'threads', '0') == errno.EINVAL
    assert rd(k, 'last_sysfs_mgmt_res') == '-22\n'


def test_s1_1_threads_default_from_module_param():
    """§1.1/§5: threads follows the scst_threads module parameter."""
    kernel = Kernel(cpus=2)
    kernel.modprobe('scst', {'scst_threads': '3'})
    assert kernel.read(ROOT + 'threads') == b'3\n'


@pytest.mark.parametrize('name,default,value,shown', [
    ('max_tasklet_cmd', '10\n', '20', '20\n[key]\n'),
    ('poll_us', '0\n', '0x10', '16\n[key]\n'),
    ('force_global_sgv_pool', '0\n', '1', '1\n[key]\n'),
    ('measure_latency', '0\n', '5', '1\n'),
])
def test_s1_1_numeric_root_attributes(k, name, default, value, shown):
    """§1.1: numeric root attributes, their defaults and [key] rule."""
    assert rd(k, name) == default
    wr(k, name, value)
    assert rd(k, name) == shown
    assert fails(k, name, 'x') == errno.EINVAL


def test_s1_1_cluster_name(k):
    """§1.1 cluster_name: 0 bytes when unset, 'name\\n[key]\\n', < 64 chars, empty unsets."""
    assert rd(k, 'cluster_name') == ''
    wr(k, 'cluster_name', 'c1\n')
    assert rd(k, 'cluster_name') == 'c1\n[key]\n'
    assert fails(k, 'cluster_name', 'x' * 64) == errno.EINVAL
    wr(k, 'cluster_name', '\n')
    assert rd(k, 'cluster_name') == ''


def test_s1_1_async_lun_replace_is_kstrtobool(k):
    """§1.1 async_lun_replace: kstrtobool input (1/0/y/n/on/off), else EINVAL."""
    assert rd(k, 'async_lun_replace') == '0\n'
    wr(k, 'async_lun_replace', 'on')
    assert rd(k, 'async_lun_replace') == '1\n'
    wr(k, 'async_lun_replace', 'n')
    assert rd(k, 'async_lun_replace') == '0\n'
    assert fails(k, 'async_lun_replace', '2') == errno.EINVAL


def test_s1_1_suspend_counts(k):
    """§1.1 suspend: v>=0 suspends (count+1), v<0 resumes."""
    wr(k, 'suspend', '5')
    assert rd(k, 'suspend') == '1\n'
    wr(k, 'suspend', '-1')
    assert rd(k, 'suspend') == '0\n'


def test_s3_6_trace_level(k):
    """§3.6 trace_level: enabled tokens, usage text; add/del/none/value; unknown EINVAL."""
    text = rd(k, 'trace_level')
    assert '\n\n\nUsage:\n\techo "all|none|default" >trace_level\n' in text
    wr(k, 'trace_level', 'none')
    assert rd(k, 'trace_level').startswith('\n\n\nUsage')
    wr(k, 'trace_level', 'add MGMT')
    assert rd(k, 'trace_level').startswith('mgmt\n')
    assert fails(k, 'trace_level', 'add nosuchtoken') == errno.EINVAL
    assert fails(k, 'trace_level', 'bogus') == errno.EINVAL


def test_s3_2_wrong_direction_open_is_eacces(k):
    """§3.2 [kernel]: opening a 0444 file for writing is EACCES, as is writing it."""
    with pytest.raises(KernelError) as info:
        k.check_open(ROOT + 'version', for_write=True, for_read=False)
    assert info.value.errno == errno.EACCES
    k.check_open(ROOT + 'setup_id', for_write=True, for_read=True)
    assert fails(k, 'version', 'x') == errno.EACCES
    with pytest.raises(KernelError) as info:
        k.check_open(ROOT + 'nosuch', for_write=False, for_read=True)
    assert info.value.errno == errno.ENOENT


def test_s2_0_short_write_at_one_page(k):
    """§2.0/§11 [kernel]: one write(2) passes at most 4096 bytes and reports a short write."""
    data = ('0x10' + ' ' * PAGE_SIZE).encode()
    with pytest.raises(KernelError):
        k.write(ROOT + 'setup_id', data)    # the first page ends in blanks: not a number
    assert k.write(ROOT + 'cluster_name', b'a' * 10) == 10
    assert k.write(ROOT + 'trace_level', b'none' + b'\n' * 5000) == PAGE_SIZE


def test_s4_normal_work_sets_last_res(k):
    """§4.3/§4.4: a completed work sets last_sysfs_mgmt_res to 0 or -errno; synchronous stores do not."""
    assert rd(k, 'last_sysfs_mgmt_res') == '0\n'
    fails(k, 'threads', '-3')
    assert rd(k, 'last_sysfs_mgmt_res') == '-22\n'
    fails(k, 'setup_id', 'junk')
    assert rd(k, 'last_sysfs_mgmt_res') == '-22\n'
    wr(k, 'threads', '2')
    assert rd(k, 'last_sysfs_mgmt_res') == '0\n'


def test_s4_8_always_eagain(k):
    """§4.8: 'always': the work is performed, the write says EAGAIN, last_res EAGAIN for N reads."""
    k.set_faults(eagain='always', eagain_reads=2)
    assert fails(k, 'threads', '7') == errno.EAGAIN
    assert rd(k, 'threads') == '7\n[key]\n'
    for dummy in range(2):
        with pytest.raises(KernelError) as info:
            rd(k, 'last_sysfs_mgmt_res')
        assert info.value.errno == errno.EAGAIN
    assert rd(k, 'last_sysfs_mgmt_res') == '0\n'
    assert fails(k, 'threads', '0') == errno.EAGAIN
    for dummy in range(2):
        with pytest.raises(KernelError):
            rd(k, 'last_sysfs_mgmt_res')
    assert rd(k, 'last_sysfs_mgmt_res') == '-22\n'
    wr(k, 'setup_id', '5')     # synchronous store: never EAGAIN (§4.6)
    assert rd(k, 'setup_id') == '0x5\n[key]\n'


def test_s4_8_always_eagain_read_only_works(k):
    """§4.8: 3 of 4 read-only works return EAGAIN in the forced mode."""
    k.set_faults(eagain='always')
    results = []
    for dummy in range(8):
        try:
            rd(k, 'trace_cmds')
            results.append('ok')
        except KernelError as exc:
            results.append(exc.errno)
    assert results.count('ok') == 2 and results.count(errno.EAGAIN) == 6


def test_s4_delayed_completion(k):
    """§4.2: delay mode: EAGAIN at once, the work runs later; last_res EAGAIN while it is pending."""
    k.set_faults(delay=0.05)
    assert fails(k, 'threads', '9') == errno.EAGAIN
    assert rd(k, 'threads') == '4\n'
    with pytest.raises(KernelError) as info:
        rd(k, 'last_sysfs_mgmt_res')
    assert info.value.errno == errno.EAGAIN
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            result = rd(k, 'last_sysfs_mgmt_res')
            break
        except KernelError:
            time.sleep(0.01)
    assert result == '0\n'
    assert rd(k, 'threads') == '9\n[key]\n'


def test_s4_delayed_work_dropped_by_reboot(k):
    """Reboot drops pending works: nothing happens after the delay."""
    k.set_faults(delay=0.05)
    fails(k, 'threads', '9')
    k.reboot()
    time.sleep(0.1)
    assert k.lookup('kernel').names() == []


def test_fail_nth_write(k):
    """Fault injection: the N-th write (matching fail_path) fails with the errno and changes nothing; one-shot."""
    k.set_faults(fail_nth=2, fail_errno=errno.EIO, fail_path='setup_id')
    wr(k, 'max_tasklet_cmd', '11')       # not counted: path does not match
    wr(k, 'setup_id', '1')
    assert fails(k, 'setup_id', '2') == errno.EIO
    assert rd(k, 'setup_id') == '0x1\n[key]\n'
    wr(k, 'setup_id', '3')
    assert rd(k, 'setup_id') == '0x3\n[key]\n'
    assert any('injected' in line for _ts, line in k.dmesg())


def test_fault_modes_exclusive(k):
    """Exactly one fault mode at a time."""
    with pytest.raises(ValueError):
        k.set_faults(eagain='always', delay=1)
    with pytest.raises(ValueError):
        k.set_faults(eagain='sometimes')


def test_kernel_log_explains_errors(k):
    """ARCHITECTURE: every failed store is logged with a subsystem prefix and its reason."""
    fails(k, 'threads', '0')
    seconds, line = k.dmesg()[-1]
    assert seconds >= 0
    assert line.startswith('scst: ***ERROR***: ') and 'threads' in line
    k.log('hello')
    assert k.dmesg()[-1][1] == 'hello'


def test_reboot_drops_all_state(k):
    """reboot: no module, no tree, empty log, no faults."""
    k.set_faults(eagain='always')
    k.reboot()
    assert k.lsmod() == []
    assert k.dmesg() == []
    assert k.faults()['eagain'] == 'off'
    assert k.lookup('').names() == ['kernel', 'module', 'class']
    k.modprobe('scst', {})
    assert rd(k, 'setup_id') == '0x0\n'


def test_s2_0_empty_write_does_nothing(k):
    """[kernel] sysfs_kf_write: a zero-length write returns 0 without calling the store."""
    assert k.write(ROOT + 'threads', b'') == 0
    assert rd(k, 'last_sysfs_mgmt_res') == '0\n'
