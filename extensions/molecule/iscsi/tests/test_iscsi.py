"""iscsi: one iSCSI host with CHAP, allowed_portal and an enabled driver, read back over SSH after the role ran."""

import json

SCST = '/sys/kernel/scst_tgt'
DRIVER = SCST + '/targets/iscsi'
IQN = 'iqn.2026-01.com.example:storage.web'
TARGET = '%s/%s' % (DRIVER, IQN)
DB_HOSTS = ['iqn.1994-05.com.redhat:db1', 'iqn.1994-05.com.redhat:db2']


def lines(host, path):
    return host.file(path).content_string.splitlines()


def keyed(host, path):
    """(value, marked [key]) of an attribute (a [key] line follows a value set other than by default)."""
    found = lines(host, path)
    return found[0], '[key]' in found[1:]


def entries(host, path):
    return sorted(e for e in host.run('ls -1 %s', path).stdout.split() if e != 'mgmt')


def initiator(host, action, name, portal='10.10.0.7'):
    return host.run('scst-initiator %s --driver iscsi --target %s --initiator %s --portal %s', action, IQN, name, portal)


def test_scst_conf_holds_the_secrets_so_it_is_private(host):
    conf = host.file('/etc/scst.conf')
    assert conf.user == 'root' and conf.mode == 0o600
    assert '\t\tIncomingUser "webclient webclientsecret1"' in conf.content_string.splitlines()
    assert 'TARGET_DRIVER iscsi {' in conf.content_string


def test_modules_at_boot_and_now(host):
    listed = [line.split()[0] for line in lines(host, '/etc/modules') if line.strip() and not line.startswith('#')]
    assert listed == ['scst', 'scst_vdisk', 'iscsi_scst']
    assert host.file('/sys/module/iscsi_scst').is_directory


def test_driver_enabled_and_daemon_attached(host):
    assert lines(host, DRIVER + '/enabled')[0] == '1'
    assert lines(host, DRIVER + '/open_state')[0] == 'open', 'iscsi-scstd runs'


def test_target_chap_portal_and_enabled(host):
    assert lines(host, TARGET + '/enabled')[0] == '1'
    assert keyed(host, TARGET + '/IncomingUser') == ('webclient webclientsecret1', True)
    assert keyed(host, TARGET + '/OutgoingUser') == ('webtarget webtargetsecret1', True)
    assert keyed(host, TARGET + '/allowed_portal') == ('10.10.0.*', True)


def test_luns_and_group(host):
    assert entries(host, TARGET + '/luns') == ['0']
    assert host.file(TARGET + '/luns/0/device').linked_to.endswith('/devices/web')
    group = TARGET + '/ini_groups/dbservers'
    assert entries(host, TARGET + '/ini_groups') == ['dbservers']
    assert entries(host, group + '/initiators') == DB_HOSTS
    assert entries(host, group + '/luns') == ['0', '1']
    assert lines(host, group + '/luns/1/read_only')[0] == '1'


def test_each_initiator_sees_its_luns(host):
    expected = {DB_HOSTS[0]: [(0, 'db', False), (1, 'web', True)], DB_HOSTS[1]: [(0, 'db', False), (1, 'web', True)],
                # in no group: the target's default LUN set
                'iqn.1994-05.com.example:laptop': [(0, 'web', False)]}
    for name, luns in expected.items():
        result = initiator(host, 'luns', name)
        assert result.rc == 0, result.stderr
        assert [(lun['lun'], lun['device'], lun['read_only']) for lun in json.loads(result.stdout)] == luns, name


def test_login_only_through_an_allowed_portal(host):
    refused = initiator(host, 'login', DB_HOSTS[0], portal='192.168.0.5')
    assert refused.rc != 0 and 'not allowed' in refused.stderr
    login = initiator(host, 'login', DB_HOSTS[0])
    assert login.rc == 0, login.stderr
    try:
        assert entries(host, TARGET + '/sessions') == [DB_HOSTS[0]]
    finally:
        # No session may outlive the test: the idempotence of later runs must not depend on one.
        assert host.run('scst-initiator logout --driver iscsi --target %s --session %s', IQN, DB_HOSTS[0]).rc == 0
