"""Unit tests of model/qla.py: the qla2x00t driver of the 32gbit tree (SYSFS.md §7, §2.3 NPIV, §2.8)."""

import errno

import pytest

from scst_emulator.model.kernel import Kernel
from scst_emulator.model.nodes import KernelError, Link
from model_io import ROOT, err, names, rd, wr

DRV = 'targets/qla2x00t/'
PORTS = ('0x21000024ff314c48', '0x1000024ff314c49')
NAMES = ('21:00:00:24:ff:31:4c:48', '01:00:00:24:ff:31:4c:49')
T = DRV + NAMES[0] + '/'
QLA_HELP = (
    'Usage: echo "add_target target_name [parameters]" >mgmt\n'
    '       echo "del_target target_name" >mgmt\n'
    '\n'
    "where parameters are one or more param_name=value pairs separated by ';'\n"
    '\n'
    'The following parameters available: node_name, parent_host\n'
    '\n')
NPIV = '21:00:00:24:ff:00:00:01'


def boot(mode='exclusive'):
    kernel = Kernel(fc_ports=PORTS)
    kernel.modprobe('scst', {})
    kernel.modprobe('qla2xxx_scst', {'qlini_mode': mode})
    kernel.modprobe('qla2x00tgt', {})
    return kernel


@pytest.fixture(name='k')
def fixture_kernel():
    return boot()


def test_s7_one_hardware_target_per_port(k):
    assert names(k, DRV) == ['mgmt', 'version', 'trace_level'] + list(NAMES)
    assert rd(k, DRV + 'mgmt') == QLA_HELP
    assert rd(k, DRV + 'version') == 'INTERFACE=10.02.10.100-k\nSCST=3.11.0-pre\nQLOGIC=10.02.10.100-k\n'
    entries = names(k, T)
    assert entries[entries.index('ini_groups') + 1:] == ['explicit_confirmation', 'abort_isp', 'host', 'hw_target',
                                                         'node_name']
    assert 'enabled' in entries
    assert rd(k, T + 'hw_target') == '1\n'
    assert rd(k, T + 'node_name') == '20:00:00:24:ff:31:4c:48\n'
    link = k.lookup(ROOT + T + 'host')
    assert isinstance(link, Link) and link.target.startswith('/sys/class/scsi_host/host')


def test_s7_qlini_mode_enabled_means_no_targets():
    kernel = boot('enabled')
    assert names(kernel, DRV) == ['mgmt', 'version', 'trace_level']


def test_s7_enable_rules(k):
    assert rd(k, T + 'enabled') == '0\n'
    assert err(k, T + 'enabled', '0\n') == errno.EINVAL
    wr(k, T + 'enabled', '1\n')
    assert rd(k, T + 'enabled') == '1\n'
    assert rd(k, T + 'rel_tgt_id') == '1\n[key]\n'
    assert err(k, T + 'enabled', '1\n') == errno.EINVAL
    wr(k, T + 'enabled', '0\n')


def test_s7_explicit_confirmation_and_abort_isp(k):
    wr(k, T + 'explicit_confirmation', '1\n')
    assert rd(k, T + 'explicit_confirmation') == '1\n[key]\n'
    wr(k, T + 'explicit_confirmation', 'x\n')
    assert rd(k, T + 'explicit_confirmation') == '1\n[key]\n'
    assert err(k, T + 'abort_isp', '1\n') == errno.ENOSYS
    with pytest.raises(KernelError) as info:
        k.check_open(ROOT + T + 'abort_isp', False, True)
    assert info.value.errno == errno.EACCES


def test_s7_node_name(k):
    wr(k, T + 'node_name', '20:00:00:24:FF:00:00:09\n')
    assert rd(k, T + 'node_name') == '20:00:00:24:ff:00:00:09\n[key]\n'
    assert err(k, T + 'node_name', '20:00:00:24:ff:00:00\n') == errno.EINVAL
    assert err(k, T + 'node_name', '2000:0024:ff00:0009\n') == errno.EINVAL
    wr(k, T + 'node_name', '\n')
    assert rd(k, T + 'node_name') == '20:00:00:24:ff:31:4c:48\n'


def test_s7_sessions_need_target_mode(k):
    with pytest.raises(KernelError) as info:
        k.login('qla2x00t', NAMES[0], '21:00:00:0e:1e:00:00:01')
    assert info.value.errno == errno.ECONNREFUSED
    wr(k, T + 'enabled', '1\n')
    assert k.login('qla2x00t', NAMES[0], '21:00:00:0e:1e:00:00:01') == '21:00:00:0e:1e:00:00:01'
    wr(k, T + 'enabled', '0\n')
    assert names(k, T + 'sessions') == []


# ----------------------------------------------------------------------------------------- NPIV
def test_s2_3_npiv_add_and_del(k):
    wr(k, DRV + 'mgmt', f'add_target {NPIV} node_name=20:00:00:24:ff:00:00:01;parent_host={NAMES[0]}\n')
    assert NPIV in names(k, DRV)
    assert rd(k, DRV + NPIV + '/hw_target') == '0\n'
    assert rd(k, DRV + NPIV + '/node_name') == '20:00:00:24:ff:00:00:01\n'
    wr(k, DRV + 'mgmt', f'del_target {NPIV}\n')
    assert NPIV not in names(k, DRV)


@pytest.mark.parametrize('command, code', [
    (f'add_target {NPIV}\n', errno.EINVAL),
    (f'add_target {NPIV} node_name=20:00:00:24:ff:00:00:01\n', errno.EINVAL),
    (f'add_target {NPIV} parent_host={NAMES[0]}\n', errno.EINVAL),
    (f'add_target {NPIV} node_name=2000;parent_host={NAMES[0]}\n', errno.EINVAL),
    (f'add_target {NPIV} node_name=20:00:00:24:ff:00:00:01;parent_host={NAMES[0]};x=1\n', errno.EINVAL),
    (f'add_target {NPIV} node_name=20:00:00:24:ff:00:00:01;parent_host=21:00:00:00:00:00:00:99\n', errno.ENODEV),
    (f'add_target 2100:0024:ff00:0001 node_name=20:00:00:24:ff:00:00:01;parent_host={NAMES[0]}\n', errno.EINVAL),
    (f'add_target {NAMES[1]} node_name=20:00:00:24:ff:00:00:01;parent_host={NAMES[0]}\n', errno.EINVAL),
    (f'del_target {NPIV}\n', errno.ENODEV),
    (f'del_target {NAMES[0]}\n', errno.ENODEV),
    ('del_target nonsense\n', errno.EINVAL),
    ('frob x\n', errno.EINVAL),
])
def test_s2_3_npiv_errors(k, command, code):
    assert err(k, DRV + 'mgmt', command) == code


def test_s5_unload_removes_targets_and_npiv_ports(k):
    hosts = k.lookup('class/fc_host').names()
    wr(k, DRV + 'mgmt', f'add_target {NPIV} node_name=20:00:00:24:ff:00:00:01;parent_host={NAMES[0]}\n')
    assert len(k.lookup('class/fc_host').names()) == len(hosts) + 1
    k.rmmod('qla2x00tgt')
    assert 'qla2x00t' not in names(k, 'targets')
    assert k.lookup('class/fc_host').names() == hosts
