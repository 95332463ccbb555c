"""default: two FC hosts with two emulated ports each, read back over SSH after the role ran.

Every port of a host serves the host's own LUN masking groups; the targets' default LUN sets stay empty, so an
initiator in no group (or a group of the other host) sees no LUN at all.
"""

import json

import pytest

SCST = '/sys/kernel/scst_tgt'
MODULES = ['scst', 'scst_vdisk', 'scst_disk', 'scst_user', 'qla2xxx_scst', 'qla2x00tgt']
DEVICES = {'h1': {'h1_db': '64', 'h1_logs': '32', 'h1_scratch': '16'}, 'h2': {'h2_oracle': '128'}}
# group -> (initiator patterns, {LUN: (device, read_only)})
GROUPS = {
    'h1': {'esx': (['21:00:00:24:ff:aa:01:*'], {0: ('h1_db', '0'), 1: ('h1_logs', '0')}),
           'backup': (['21:00:00:24:ff:bb:01:01'], {0: ('h1_scratch', '1')})},
    'h2': {'oracle': (['21:00:00:24:ff:cc:02:01', '21:00:00:24:ff:cc:02:02'], {0: ('h2_oracle', '0')})},
}
# initiator -> the LUNs it sees on every port of the host
SEES = {
    'h1': {'21:00:00:24:ff:aa:01:07': [(0, 'h1_db', False), (1, 'h1_logs', False)],
           '21:00:00:24:ff:bb:01:01': [(0, 'h1_scratch', True)],
           '21:00:00:24:ff:bb:01:02': [],
           '21:00:00:24:ff:cc:02:01': []},
    'h2': {'21:00:00:24:ff:cc:02:01': [(0, 'h2_oracle', False)],
           '21:00:00:24:ff:cc:02:02': [(0, 'h2_oracle', False)],
           '21:00:00:24:ff:aa:01:07': []},
}


def name(host):
    return host.backend.get_hostname()


def value(host, path):
    """An attribute's value: its first line (a second line [key] marks a non-default value)."""
    return host.file(path).content_string.split('\n', 1)[0]


def entries(host, path):
    """The objects of a sysfs directory, without its mgmt file."""
    return sorted(e for e in host.run('ls -1 %s', path).stdout.split() if e != 'mgmt')


def wwpns(host):
    """The host's FC ports in fc_host order, as SCST names them: the emulator numbers them per host and port."""
    index = int(name(host)[1:])
    expected = ['21:00:00:24:ff:%02x:%02x:00' % (index, port) for port in (1, 2)]
    found = host.run('cat /sys/class/fc_host/host*/port_name').stdout.split()
    assert found == ['0x' + w.replace(':', '') for w in expected]
    return expected


def test_scst_conf_is_private_and_complete(host):
    conf = host.file('/etc/scst.conf')
    assert conf.user == 'root' and conf.group == 'root' and conf.mode == 0o600
    text = conf.content_string
    assert 'TARGET_DRIVER qla2x00t {' in text
    for device in DEVICES[name(host)]:
        assert '\tDEVICE %s {' % device in text
    for wwpn in wwpns(host):
        assert '\tTARGET %s {' % wwpn in text


def test_boot_files(host):
    listed = [line.split()[0] for line in host.file('/etc/modules').content_string.splitlines()
              if line.strip() and not line.startswith('#')]
    assert listed == MODULES
    options = host.file('/etc/modprobe.d/storage-scst.conf')
    assert 'options qla2xxx_scst qlini_mode=disabled' in options.content_string.splitlines()
    assert 'blacklist qla2xxx' in host.file('/etc/modprobe.d/storage-scst-blacklist.conf').content_string.splitlines()


def test_running_modules_and_qlini_mode(host):
    for module in MODULES:
        assert host.file('/sys/module/%s' % module).is_directory, module
    assert not host.file('/sys/module/qla2xxx').exists, 'the distribution driver gave the HBAs up'
    assert value(host, '/sys/module/qla2xxx_scst/parameters/qlini_mode') == 'disabled'


def test_devices(host):
    devices = DEVICES[name(host)]
    assert entries(host, SCST + '/devices') == sorted(devices)
    for device, size_mb in devices.items():
        assert value(host, '%s/devices/%s/size_mb' % (SCST, device)) == size_mb
        assert host.file('%s/devices/%s/handler' % (SCST, device)).linked_to.endswith('/handlers/vdisk_nullio')


def test_targets_groups_and_luns(host):
    groups = GROUPS[name(host)]
    for wwpn in wwpns(host):
        target = '%s/targets/qla2x00t/%s' % (SCST, wwpn)
        assert value(host, target + '/enabled') == '1'
        assert entries(host, target + '/luns') == [], 'the default LUN set stays empty'
        assert entries(host, target + '/ini_groups') == sorted(groups)
        for group, (initiators, luns) in groups.items():
            path = '%s/ini_groups/%s' % (target, group)
            assert entries(host, path + '/initiators') == sorted(initiators)
            assert entries(host, path + '/luns') == sorted(str(lun) for lun in luns)
            for lun, (device, read_only) in luns.items():
                assert host.file('%s/luns/%d/device' % (path, lun)).linked_to.endswith('/devices/' + device)
                assert value(host, '%s/luns/%d/read_only' % (path, lun)) == read_only


@pytest.mark.parametrize('port', [0, 1])
def test_each_initiator_sees_exactly_its_groups_luns(host, port):
    wwpn = wwpns(host)[port]
    for initiator, expected in SEES[name(host)].items():
        result = host.run('scst-initiator luns --driver qla2x00t --target %s --initiator %s', wwpn, initiator)
        assert result.rc == 0, result.stderr
        seen = [(lun['lun'], lun['device'], lun['read_only']) for lun in json.loads(result.stdout)]
        assert seen == expected, initiator
