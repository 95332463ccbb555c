"""drift: after side_effect.yml drifted h1 and the overridden converge ran, both hosts hold exactly the config."""

import json

SCST = '/sys/kernel/scst_tgt'
IQN = 'iqn.2026-01.com.example:drift'
TARGET = '%s/targets/iscsi/%s' % (SCST, IQN)


def entries(host, path):
    return sorted(e for e in host.run('ls -1 %s', path).stdout.split() if e != 'mgmt')


def first_line(host, path):
    return host.file(path).content_string.split('\n', 1)[0]


def test_removed_lun_is_back(host):
    assert entries(host, TARGET + '/luns') == ['0', '1']
    assert host.file(TARGET + '/luns/1/device').linked_to.endswith('/devices/disk02')


def test_added_initiator_is_gone(host):
    assert entries(host, TARGET + '/ini_groups/app/initiators') == ['iqn.1994-05.com.example:app1']


def test_changed_attribute_is_restored(host):
    assert first_line(host, SCST + '/devices/disk01/threads_num') == '4'


def test_views_of_the_initiators(host):
    for initiator, expected in (('iqn.1994-05.com.example:app1', [(0, 'disk02')]),
                                ('iqn.1994-05.com.example:intruder', [(0, 'disk01'), (1, 'disk02')])):
        result = host.run('scst-initiator luns --driver iscsi --target %s --initiator %s', IQN, initiator)
        assert result.rc == 0, result.stderr
        assert [(lun['lun'], lun['device']) for lun in json.loads(result.stdout)] == expected, initiator


def test_scst_conf_unchanged_by_the_drift(host):
    conf = host.file('/etc/scst.conf')
    assert conf.mode == 0o600
    assert 'intruder' not in conf.content_string
    assert '\t\tthreads_num 4' in conf.content_string.splitlines()
