"""reboot: after `scst-emulator fleet reboot`, read over SSH. h1 (SCST service enabled) is back exactly as
converged: modules from /etc/modules with their modprobe.d options, then /etc/scst.conf applied at boot (iscsi-scstd
started by the init script). h2 (service not enabled) has its modules but no SCST configuration.
"""

import json

SCST = '/sys/kernel/scst_tgt'
MODULES = ['scst', 'scst_vdisk', 'qla2xxx_scst', 'qla2x00tgt', 'iscsi_scst']
IQN = 'iqn.2026-01.com.example:reboot'
ISCSI = '%s/targets/iscsi/%s' % (SCST, IQN)


def name(host):
    return host.backend.get_hostname()


def enabled(host):
    return name(host) == 'h1'


def first_line(host, path):
    return host.file(path).content_string.split('\n', 1)[0]


def entries(host, path):
    return sorted(e for e in host.run('ls -1 %s', path).stdout.split() if e != 'mgmt')


def fc_target(host, port):
    """SCST's name of the host's FC port ``port`` (0 = lowest fc_host; the emulator numbers ports from 1)."""
    return '%s/targets/qla2x00t/21:00:00:24:ff:%02x:%02x:00' % (SCST, int(name(host)[1:]), port + 1)


def luns_seen(host, driver, target, initiator):
    result = host.run('scst-initiator luns --driver %s --target %s --initiator %s', driver, target, initiator)
    assert result.rc == 0, result.stderr
    return [(lun['lun'], lun['device'], lun['read_only']) for lun in json.loads(result.stdout)]


def test_persisted_files_survive(host):
    conf = host.file('/etc/scst.conf')
    assert conf.mode == 0o600 and 'TARGET_DRIVER iscsi {' in conf.content_string
    listed = [line.split()[0] for line in host.file('/etc/modules').content_string.splitlines()
              if line.strip() and not line.startswith('#')]
    assert listed == MODULES
    assert 'options qla2xxx_scst qlini_mode=disabled' in \
        host.file('/etc/modprobe.d/storage-scst.conf').content_string.splitlines()


def test_service_start_link_only_where_enabled(host):
    links = host.run('ls /etc/rc3.d').stdout.split()
    assert ('S01scst' in links) == enabled(host)


def test_boot_loaded_the_modules_with_their_options(host):
    for module in MODULES:
        assert host.file('/sys/module/' + module).is_directory, module
    assert not host.file('/sys/module/qla2xxx').exists, 'blacklisted in modprobe.d'
    assert first_line(host, '/sys/module/qla2xxx_scst/parameters/qlini_mode') == 'disabled'


def test_devices(host):
    if not enabled(host):
        assert entries(host, SCST + '/devices') == []
        return
    assert entries(host, SCST + '/devices') == ['vol1', 'vol2']
    assert first_line(host, SCST + '/devices/vol1/threads_num') == '2'
    assert first_line(host, SCST + '/devices/vol2/size_mb') == '32'


def test_fc_targets(host):
    unused = fc_target(host, 0)
    assert first_line(host, unused + '/enabled') == '0' and entries(host, unused + '/ini_groups') == []
    served = fc_target(host, 1)
    if not enabled(host):
        assert first_line(host, served + '/enabled') == '0' and entries(host, served + '/ini_groups') == []
        return
    assert first_line(host, served + '/enabled') == '1'
    assert entries(host, served + '/luns') == []
    assert entries(host, served + '/ini_groups/cluster/initiators') == ['21:00:00:24:ff:dd:00:01']
    wwpn = served.rsplit('/', 1)[1]
    assert luns_seen(host, 'qla2x00t', wwpn, '21:00:00:24:ff:dd:00:01') == [(0, 'vol1', False), (7, 'vol2', False)]
    assert luns_seen(host, 'qla2x00t', wwpn, '21:00:00:24:ff:dd:00:02') == [], 'in no group, default set empty'


def test_iscsi(host):
    if not enabled(host):
        assert host.file(SCST + '/targets/iscsi').is_directory and not host.file(ISCSI).exists
        return
    assert first_line(host, SCST + '/targets/iscsi/enabled') == '1'
    assert first_line(host, SCST + '/targets/iscsi/open_state') == 'open', 'the init script started iscsi-scstd'
    assert first_line(host, ISCSI + '/enabled') == '1'
    assert first_line(host, ISCSI + '/IncomingUser') == 'client clientsecret12'
    assert first_line(host, ISCSI + '/allowed_portal') == '10.20.0.*'
    assert luns_seen(host, 'iscsi', IQN, 'iqn.1994-05.com.example:any') == [(0, 'vol2', True)]
    login = host.run('scst-initiator login --driver iscsi --target %s --initiator iqn.1994-05.com.example:any '
                     '--portal 10.20.0.9', IQN)
    assert login.rc == 0, login.stderr
    assert host.run('scst-initiator logout --driver iscsi --target %s --session iqn.1994-05.com.example:any', IQN).rc == 0
