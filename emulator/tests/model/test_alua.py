"""Unit tests of model/alua.py: device groups and target groups (SYSFS.md §1.5, §2.7, §3.7)."""

import errno

import pytest

from scst_emulator.model.kernel import Kernel
from scst_emulator.model.nodes import KernelError, Link
from model_io import ROOT, names, rd, wr

DG = 'device_groups/'


@pytest.fixture(name='k')
def fixture_kernel():
    kernel = Kernel()
    kernel.modprobe('scst', {})
    kernel.modprobe('scst_vdisk', {})
    kernel.write(ROOT + 'handlers/vdisk_nullio/mgmt', b'add_device n1')
    kernel.write(ROOT + 'handlers/vdisk_nullio/mgmt', b'add_device n2')
    return kernel


def fails(k, path, text):
    with pytest.raises(KernelError) as info:
        wr(k, path, text)
    return info.value.errno


def test_s2_7_help_texts(k):
    """§2.7: exact help texts of the four ALUA mgmt files."""
    create_help = 'Usage: echo "create group_name" >mgmt\n       echo "del group_name" >mgmt\n'
    assert rd(k, DG + 'mgmt') == create_help
    wr(k, DG + 'mgmt', 'create dg1')
    assert rd(k, DG + 'dg1/devices/mgmt') == 'Usage: echo "add device" >mgmt\n       echo "del device" >mgmt\n'
    assert rd(k, DG + 'dg1/target_groups/mgmt') == create_help
    wr(k, DG + 'dg1/target_groups/mgmt', 'create tg1')
    assert rd(k, DG + 'dg1/target_groups/tg1/mgmt') == 'Usage: echo "add target" >mgmt\n       echo "del target" >mgmt\n'


def test_s2_7_device_group_lifecycle(k):
    """§2.7: create|add DG; EEXIST; del unknown EINVAL; unknown keyword or missing name EINVAL."""
    wr(k, DG + 'mgmt', 'create dg1\n')
    wr(k, DG + 'mgmt', 'ADD dg2 ignored-token')
    assert names(k, 'device_groups') == ['mgmt', 'dg1', 'dg2']
    assert names(k, DG + 'dg1') == ['devices', 'target_groups']
    assert fails(k, DG + 'mgmt', 'create dg1') == errno.EEXIST
    assert fails(k, DG + 'mgmt', 'del nosuch') == errno.EINVAL
    assert fails(k, DG + 'mgmt', 'create') == errno.EINVAL
    assert fails(k, DG + 'mgmt', 'remove dg1') == errno.EINVAL
    wr(k, DG + 'mgmt', 'del dg2')
    assert names(k, 'device_groups') == ['mgmt', 'dg1']


def test_s2_7_text_after_first_newline_is_dropped(k):
    """§2.7/§11: ALUA mgmt files drop everything after the first newline."""
    wr(k, DG + 'mgmt', 'create dg1\ncreate dg2\n')
    assert names(k, 'device_groups') == ['mgmt', 'dg1']
    assert fails(k, DG + 'mgmt', '\ncreate dg3') == errno.EINVAL


def test_s2_7_device_group_mgmt_is_synchronous(k):
    """§4.6: device_groups/mgmt never EAGAINs, the other ALUA files are works."""
    k.set_faults(eagain='always', eagain_reads=0)
    wr(k, DG + 'mgmt', 'create dg1')
    assert fails(k, DG + 'dg1/devices/mgmt', 'add n1') == errno.EAGAIN
    assert 'n1' in names(k, DG + 'dg1/devices')


def test_s2_7_devices(k):
    """§2.7: add DEV links to the device; EEXIST in any DG; EINVAL for unknown device; del not in DG EINVAL."""
    wr(k, DG + 'mgmt', 'create dg1')
    wr(k, DG + 'mgmt', 'create dg2')
    wr(k, DG + 'dg1/devices/mgmt', 'add n1')
    link = k.lookup(ROOT + DG + 'dg1/devices/n1')
    assert isinstance(link, Link) and link.target == '../../../devices/n1'
    assert fails(k, DG + 'dg2/devices/mgmt', 'add n1') == errno.EEXIST
    assert fails(k, DG + 'dg1/devices/mgmt', 'add nosuch') == errno.EINVAL
    assert fails(k, DG + 'dg2/devices/mgmt', 'del n1') == errno.EINVAL
    assert fails(k, DG + 'dg1/devices/mgmt', 'create n2') == errno.EINVAL
    wr(k, DG + 'dg1/devices/mgmt', 'del n1')
    wr(k, DG + 'dg2/devices/mgmt', 'add n1')


def test_s2_1_del_device_leaves_device_group(k):
    """§2.1: del_device removes the device from its device group."""
    wr(k, DG + 'mgmt', 'create dg1')
    wr(k, DG + 'dg1/devices/mgmt', 'add n1')
    wr(k, 'handlers/vdisk_nullio/mgmt', 'del_device n1')
    assert names(k, DG + 'dg1/devices') == ['mgmt']
    wr(k, 'handlers/vdisk_nullio/mgmt', 'add_device n1')
    wr(k, DG + 'dg1/devices/mgmt', 'add n1')


def test_s2_7_target_groups(k):
    """§2.7: TG create|add, EEXIST within the DG, del unknown EINVAL; TG entries."""
    wr(k, DG + 'mgmt', 'create dg1')
    tgs = DG + 'dg1/target_groups/'
    wr(k, tgs + 'mgmt', 'add tg1')
    assert names(k, tgs + 'tg1') == ['mgmt', 'group_id', 'preferred', 'state']
    assert fails(k, tgs + 'mgmt', 'create tg1') == errno.EEXIST
    assert fails(k, tgs + 'mgmt', 'del tg2') == errno.EINVAL
    wr(k, DG + 'mgmt', 'create dg2')
    wr(k, DG + 'dg2/target_groups/mgmt', 'create tg1')      # same name in another DG is fine
    wr(k, tgs + 'mgmt', 'del tg1')
    assert names(k, tgs) == ['mgmt']


def test_s3_7_target_group_attributes(k):
    """§3.7: group_id always [key], 1..65535 from the first 7 chars; preferred 0/1; state exact names."""
    wr(k, DG + 'mgmt', 'create dg1')
    tg = DG + 'dg1/target_groups/tg1/'
    wr(k, DG + 'dg1/target_groups/mgmt', 'create tg1')
    assert rd(k, tg + 'group_id') == '0\n[key]\n'
    wr(k, tg + 'group_id', '0x10\n')
    assert rd(k, tg + 'group_id') == '16\n[key]\n'
    for bad in ('0', '65536', '12345678', 'x'):
        assert fails(k, tg + 'group_id', bad) == errno.EINVAL
    assert rd(k, tg + 'preferred') == '0\n'
    wr(k, tg + 'preferred', '1')
    assert rd(k, tg + 'preferred') == '1\n[key]\n'
    assert fails(k, tg + 'preferred', '2') == errno.EINVAL
    assert rd(k, tg + 'state') == 'active\n[key]\n'
    wr(k, tg + 'state', 'standby\n')
    assert rd(k, tg + 'state') == 'standby\n[key]\n'
    for bad in ('Standby', 'standby ', 'bogus'):
        assert fails(k, tg + 'state', bad) == errno.EINVAL


def test_s3_7_group_id_rejects_zero_prefix_of_long_input(k):
    """§3.7: '0000000001' is cut to '0000000' (= 0): EINVAL."""
    wr(k, DG + 'mgmt', 'create dg1')
    wr(k, DG + 'dg1/target_groups/mgmt', 'create tg1')
    assert fails(k, DG + 'dg1/target_groups/tg1/group_id', '0000000001') == errno.EINVAL


def test_s2_7_remote_target_entry(k):
    """§2.7/§1.5: a name without a local target becomes a directory with rel_tgt_id (always [key])."""
    wr(k, DG + 'mgmt', 'create dg1')
    tgs = DG + 'dg1/target_groups/'
    wr(k, tgs + 'mgmt', 'create tg1')
    wr(k, tgs + 'mgmt', 'create tg2')
    wr(k, tgs + 'tg1/mgmt', 'add remote1\nignored')
    assert names(k, tgs + 'tg1/remote1') == ['rel_tgt_id']
    assert rd(k, tgs + 'tg1/remote1/rel_tgt_id') == '0\n[key]\n'
    wr(k, tgs + 'tg1/remote1/rel_tgt_id', '5')
    assert rd(k, tgs + 'tg1/remote1/rel_tgt_id') == '5\n[key]\n'
    assert fails(k, tgs + 'tg1/remote1/rel_tgt_id', '0') == errno.EINVAL
    assert fails(k, tgs + 'tg2/mgmt', 'add remote1') == errno.EEXIST
    assert fails(k, tgs + 'tg2/mgmt', 'del remote1') == errno.EINVAL
    wr(k, tgs + 'tg1/mgmt', 'del remote1')
    assert names(k, tgs + 'tg1') == ['mgmt', 'group_id', 'preferred', 'state']


def test_s2_7_local_target_link_and_del_target(k):
    """§2.7/§2.3: a local target becomes a symlink; del_target removes it from the target group."""
    k.modprobe('scst_local', {'add_default_tgt': '0'})
    wr(k, 'targets/scst_local/mgmt', 'add_target t1')
    wr(k, DG + 'mgmt', 'create dg1')
    tg = DG + 'dg1/target_groups/tg1/'
    wr(k, DG + 'dg1/target_groups/mgmt', 'create tg1')
    wr(k, tg + 'mgmt', 'add t1')
    link = k.lookup(ROOT + tg + 't1')
    assert isinstance(link, Link) and link.target == '../../../../targets/scst_local/t1'
    wr(k, 'targets/scst_local/mgmt', 'del_target t1')
    assert 't1' not in names(k, tg)
