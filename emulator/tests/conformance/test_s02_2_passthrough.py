"""SYSFS.md §2.2: handlers/<pass-through handler>/mgmt (add_device / del_device H:C:I:L), §1.6 local devices."""

import errno
import os
import re

import pytest

import conformance_io as io
from conformance_io import SCSI_DEVICES

HCTL = re.compile(r'\d+:\d+:\d+:\d+')


def _local_devices(emu):
    """{H:C:I:L: SCSI type} of the local SCSI devices listed in devices/ (§1.6)."""
    found = {}
    for name in io.entries(emu / 'devices'):
        if HCTL.fullmatch(name):
            found[name] = int(io.read(emu / 'devices' / name / 'type').split(' - ', 1)[0])
    return found


@pytest.fixture
def pt(emu):
    emu.modprobe('scst_disk')
    emu.modprobe('scst_tape')
    devs = _local_devices(emu)
    disks = [d for d, t in devs.items() if t == 0]
    tapes = [d for d, t in devs.items() if t == 1]
    if not disks or not tapes:
        pytest.skip('the emulator daemon offers no local SCSI disk and tape (see NOTES-model.md [conformance])')
    return emu, disks[0], tapes[0]


def test_s1_6_local_devices_have_no_handler(pt):
    """§1.6/§1.3: local SCSI devices are listed as H:C:I:L without a handler link."""
    emu, disk, _tape = pt
    assert not os.path.lexists(emu / 'devices' / disk / 'handler')


# The H:C:I:L word is parsed by sscanf("%u:%u:%u:%llu") (scst_process_devt_pass_through_mgmt_store).
HCTL_SSCANF = [
    ('plain', '{h}:{c}:{i}:{l}', 0),
    ('trailing-junk-ignored', '{h}:{c}:{i}:{l}x', 0),
    ('fifth-number-ignored', '{h}:{c}:{i}:{l}:9', 0),
    ('leading-zeros', '0{h}:00:{i}:0{l}', 0),
    ('u32-wraps', '{h_wrapped}:{c}:{i}:{l}', 0),
    ('plus-sign', '+{h}:{c}:{i}:{l}', errno.EINVAL),
    ('hex-is-not-read', '0x{h}:{c}:{i}:{l}', errno.EINVAL),
    ('missing-lun', '{h}:{c}:{i}:', errno.EINVAL),
    ('dot-separator', '{h}.{c}:{i}:{l}', errno.EINVAL),
]


@pytest.mark.parametrize('word,code', [c[1:] for c in HCTL_SSCANF], ids=[c[0] for c in HCTL_SSCANF])
def test_s2_2_hctl_is_sscanf(pt, word, code):
    """§2.2 as the source has it: the device word goes through the kernel's sscanf, which stops after the
    fourth number, reads decimal only and truncates (it does not range-check)."""
    emu, disk, _tape = pt
    h, c, i, l = (int(part) for part in disk.split(':'))
    cmd = 'add_device ' + word.format(h=h, c=c, i=i, l=l, h_wrapped=h + (1 << 32))
    if code:
        io.fails(emu / 'handlers/dev_disk/mgmt', cmd, code)
        assert not os.path.lexists(emu / 'devices' / disk / 'handler')
    else:
        io.ok(emu / 'handlers/dev_disk/mgmt', cmd)
        assert io.link(emu / 'devices' / disk / 'handler') == '../../handlers/dev_disk'


def test_s2_2_add_and_del_device(pt):
    """§2.2: add_device assigns the device (both links), del_device unassigns (device stays)."""
    emu, disk, _tape = pt
    mgmt = emu / 'handlers/dev_disk/mgmt'
    io.ok(mgmt, f'add_device {disk}')
    assert io.link(emu / 'devices' / disk / 'handler') == '../../handlers/dev_disk'
    assert io.link(emu / 'handlers/dev_disk' / disk) == f'../../devices/{disk}'
    io.ok(mgmt, f'del_device {disk}')
    assert not os.path.lexists(emu / 'devices' / disk / 'handler')
    assert not os.path.lexists(emu / 'handlers/dev_disk' / disk)
    assert os.path.isdir(emu / 'devices' / disk)


PT_ERRORS = [  # {disk}, {tape}: local devices of type 0 and 1
    ('missing-device', 'add_device', errno.EINVAL),
    ('extra-token', 'add_device {disk} x', errno.EINVAL),
    ('three-numbers', 'add_device 1:2:3', errno.EINVAL),
    ('not-numbers', 'add_device a:b:c:d', errno.EINVAL),
    ('no-such-device', 'add_device 99:0:0:0', errno.EINVAL),
    ('type-mismatch', 'add_device {tape}', errno.EINVAL),
    ('del-not-assigned', 'del_device {disk}', errno.EINVAL),
    ('del-missing', 'del_device', errno.EINVAL),
    ('unknown-keyword', 'assign {disk}', errno.EINVAL),
]


@pytest.mark.parametrize('cmd,code', [c[1:] for c in PT_ERRORS], ids=[c[0] for c in PT_ERRORS])
def test_s2_2_errors(pt, cmd, code):
    """§2.2 error table."""
    emu, disk, tape = pt
    io.fails(emu / 'handlers/dev_disk/mgmt', cmd.format(disk=disk, tape=tape), code)
    assert not os.path.lexists(emu / 'devices' / disk / 'handler')


def test_s2_2_del_device_of_other_handler(pt):
    """§2.2: del_device when the device is assigned to another handler -> EINVAL."""
    emu, disk, _tape = pt
    io.ok(emu / 'handlers/dev_disk/mgmt', f'add_device {disk}')
    io.fails(emu / 'handlers/dev_disk_perf/mgmt', f'del_device {disk}', errno.EINVAL)
    assert io.link(emu / 'devices' / disk / 'handler') == '../../handlers/dev_disk'


def test_s2_2_help(pt):
    """§2.2: help text of a pass-through handler mgmt."""
    emu, _disk, _tape = pt
    assert io.read(emu / 'handlers/dev_disk/mgmt') == (
        'Usage: echo "add_device H:C:I:L" >mgmt\n'
        '       echo "del_device H:C:I:L" >mgmt\n')


def test_s2_2_vdisk_del_device_cannot_delete_passthrough(pt):
    """§2.1: del_device on a vdisk handler with a name that is not a vdisk device -> EINVAL."""
    emu, disk, _tape = pt
    emu.modprobe('scst_vdisk')
    io.fails(emu / 'handlers/vdisk_nullio/mgmt', f'del_device {disk}', errno.EINVAL)
    assert os.path.isdir(emu / 'devices' / disk)


PT_TYPES = [('scst_tape', 'dev_tape', 1), ('scst_cdrom', 'dev_cdrom', 5), ('scst_disk', 'dev_disk_perf', 0)]


@pytest.mark.parametrize('module,handler,scsi_type', PT_TYPES, ids=[p[1] for p in PT_TYPES])
def test_s2_2_assign_by_type(emu, module, handler, scsi_type):
    """§2.2: a device is accepted by a handler of its SCSI type and refused (EINVAL) by another type's handler."""
    emu.modprobe(module)
    emu.modprobe('scst_changer')
    devs = _local_devices(emu)
    match = next(d for d, t in devs.items() if t == scsi_type)
    io.fails(emu / 'handlers/dev_changer/mgmt', f'add_device {match}', errno.EINVAL)
    io.ok(emu / 'handlers' / handler / 'mgmt', f'add_device {match}')
    assert io.link(emu / 'devices' / match / 'handler') == f'../../handlers/{handler}'
    assert io.read(emu / 'devices' / match / 'type').startswith(f'{scsi_type} - ')


def test_s1_6_every_local_device_listed(scst):
    """§1.6: right after `modprobe scst`, devices/ holds one H:C:I:L dir per local SCSI device, of its type."""
    expected = {spec.split(',', 1)[0]: int(spec.split(',')[1]) for spec in SCSI_DEVICES}
    assert _local_devices(scst) == expected
    assert [d for d in io.entries(scst / 'devices') if not HCTL.fullmatch(d)] == []


def test_s1_3_scsi_device_link_passthrough_only(pt):
    """§1.3: `scsi_device` link exists on pass-through devices only."""
    emu, disk, _tape = pt
    emu.modprobe('scst_vdisk')
    io.ok(emu / 'handlers/vdisk_nullio/mgmt', 'add_device nd0')
    assert os.path.islink(emu / 'devices' / disk / 'scsi_device')
    assert not os.path.lexists(emu / 'devices/nd0/scsi_device')
