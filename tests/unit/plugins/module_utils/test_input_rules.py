# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One rule per input: the adversarial names and LUN numbers, refused alike by the model (scst_config) and by
the checks of the per-object modules (_validate.check_name, check_lun), each refusal naming the option path.

Limits cited: SYSFS.md 1.2, 1.4, 1.5 (entries beside each object), 11 (names), 6.4 (CHAP secrets of 12 or more
characters); RFC 7143 4.2.7 (iSCSI names, 223 bytes).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import random

import pytest

from ansible_collections.storage.scst.plugins.module_utils._conf import COMPAT_SCSTADMIN, parse
from ansible_collections.storage.scst.plugins.module_utils._errors import ScstInputError
from ansible_collections.storage.scst.plugins.module_utils._model import ModelError, check, format_path, validate
from ansible_collections.storage.scst.plugins.module_utils._validate import (
    MAX_LUN,
    check_device_name,
    check_lun,
    check_name,
    name_problem,
)

IQN = 'iqn.2026-01.com.example:t1'
INI = 'iqn.1998-01.com.vmware:esx1'


def model_with(kind, name, driver='iscsi'):
    """A valid configuration with name in the place of one object of kind, and the option path of that place."""
    target = IQN if driver == 'iscsi' else 't1'
    group = {'name': 'g1', 'initiators': [INI if driver == 'iscsi' else 'ini1']}
    tgt = {'name': target, 'groups': [group]}
    config = {'handlers': [{'name': 'vdisk_nullio', 'devices': [{'name': 'disk01'}]}],
              'drivers': [{'name': driver, 'targets': [tgt]}],
              'device_groups': [{'name': 'dg1', 'devices': ['disk01'],
                                 'target_groups': [{'name': 'tg1', 'targets': [target]}]}]}
    if kind == 'device':
        config['handlers'][0]['devices'][0]['name'] = name
        config['device_groups'][0]['devices'] = []
        return config, 'handlers[0].devices[0].name'
    if kind == 'target':
        tgt['name'] = name
        return config, 'drivers[0].targets[0].name'
    if kind == 'group':
        group['name'] = name
        return config, 'drivers[0].targets[0].groups[0].name'
    if kind == 'initiator':
        group['initiators'] = [name]
        return config, 'drivers[0].targets[0].groups[0].initiators[0]'
    if kind == 'device_group':
        config['device_groups'][0]['name'] = name
        return config, 'device_groups[0].name'
    config['device_groups'][0]['target_groups'][0]['name'] = name
    return config, 'device_groups[0].target_groups[0].name'


KINDS = ('device', 'target', 'group', 'initiator', 'device_group', 'target_group')

# (kinds, driver, name, words of the reason): refused for each of the kinds.
REFUSED = [
    (KINDS, 'scst_local', '.', 'sysfs directory'),
    (KINDS, 'scst_local', '..', 'sysfs directory'),
    (KINDS, 'scst_local', 'a\u200bb', 'U+200B'),
    (KINDS, 'scst_local', 'a\u202eb', 'U+202E'),
    (KINDS, 'scst_local', '\ufeffab', 'U+FEFF'),
    (KINDS, 'scst_local', 'a\u2028b', 'whitespace'),
    (KINDS, 'scst_local', 'a\u2029b', 'whitespace'),
    (KINDS, 'scst_local', 'a\u00a0b', 'whitespace'),
    (KINDS, 'scst_local', 'a\u00adb', 'U+00AD'),
    (KINDS, 'scst_local', 'a\u3164b', 'U+3164'),
    (KINDS, 'scst_local', 'a\x7fb', 'control'),
    (KINDS, 'scst_local', 'a;b', "';'"),
    (KINDS, 'scst_local', 'a=b', "'='"),
    (KINDS, 'scst_local', 'a/b', "'/'"),
    (KINDS, 'scst_local', 'mgmt', 'entry SCST keeps'),
    (('device',), None, 'type', 'entry SCST keeps'),
    (('device',), None, 'trace_level', 'entry SCST keeps'),
    (('device',), None, 'a.b', "'.'"),
    (('device',), None, 'd' * 65, 'at most 64'),
    (('target',), 'scst_local', 'enabled', 'entry SCST keeps'),
    (('target',), 'scst_local', 'trace_level', 'entry SCST keeps'),
    (('target',), 'scst_local', 'IncomingUser1', 'entry SCST keeps'),
    (('target',), 'scst_local', 'state', 'entry SCST keeps'),
    (('group', 'initiator', 'device_group', 'target_group'), 'scst_local', 'x' * 256, 'at most 255'),
    (('target', 'initiator'), 'iscsi', 'target1', 'RFC 7143'),
    (('target', 'initiator'), 'iscsi', 'iqn.', 'RFC 7143'),
    (('target', 'initiator'), 'iscsi', 'iqn.2026-13.com.example:t', 'RFC 7143'),
    (('target', 'initiator'), 'iscsi', 'iqn.2026-01.:t', 'RFC 7143'),
    (('target', 'initiator'), 'iscsi', 'iqn.2026-01.com.example:a_b', 'RFC 7143'),
    (('target', 'initiator'), 'iscsi', 'eui.1234', 'RFC 7143'),
    (('target', 'initiator'), 'iscsi', 'naa.' + '1' * 20, 'RFC 7143'),
    (('target', 'initiator'), 'iscsi', ':', 'RFC 7143'),
    (('target', 'initiator'), 'iscsi', 'iqn.2026-01.com.example:' + 'x' * 200, 'at most 223'),
    (('initiator',), 'qla2x00t', '0x1', 'WWPN'),
    (('initiator',), 'qla2x00t', '1', 'WWPN'),
]

# (kind, driver, name): accepted by both.
ACCEPTED = [
    ('target', 'iscsi', IQN),
    ('target', 'iscsi', 'iqn.1998-01.com.VMware:ESX1'),
    ('target', 'iscsi', 'iqn.2026-01.com.example'),
    ('target', 'iscsi', 'eui.02004567A425678D'),
    ('target', 'iscsi', 'naa.52004567BA64678D'),
    ('target', 'iscsi', 'naa.' + 'ab' * 16),
    ('target', 'iscsi', 'iqn.2026-01.com.example:' + 'x' * 199),
    ('initiator', 'iscsi', 'iqn.1994-05.com.redhat:*'),
    ('initiator', 'iscsi', 'iqn.1998-01.com.vmware:h1#10.0.0.1'),
    ('initiator', 'iscsi', '*'),
    ('initiator', 'qla2x00t', '21:00:00:24:ff:31:4c:48'),
    ('initiator', 'qla2x00t', '0x21000024ff314c48'),
    ('target', 'scst_local', 'a.b'),
    ('target', 'scst_local', 'management'),
    ('device', None, 'disk-01_x'),
    ('group', 'scst_local', 'ÄÖÜ-group'),
    ('initiator', 'scst_local', 'x' * 255),
]


def cases():
    for kinds, driver, name, words in REFUSED:
        for kind in kinds:
            yield kind, driver, name, words


def module_check(kind, driver, name, option='name'):
    if kind == 'device':
        return check_device_name(name, option)
    return check_name(name, option, kind=kind, driver=driver)


@pytest.mark.parametrize('kind, driver, name, words', list(cases()))
def test_refused_alike_by_model_and_modules(kind, driver, name, words):
    if driver == 'qla2x00t':
        config, path = model_with(kind, name, driver='qla2x00t')
        config['drivers'][0]['targets'][0]['name'] = '21:00:00:24:ff:31:4c:48'
        config['device_groups'] = []
    else:
        config, path = model_with(kind, name, driver=driver or 'scst_local')
    problems = dict((format_path(p), m) for p, m in validate(config))
    assert path in problems, (path, problems)
    assert words in problems[path]
    if driver == 'qla2x00t':
        return  # the modules check WWPNs in _objects.initiator_names (test_objects)
    with pytest.raises(ScstInputError) as err:
        module_check(kind, driver, name)
    assert err.value.option == 'name' and err.value.value == name
    assert words in err.value.reason


@pytest.mark.parametrize('kind, driver, name', ACCEPTED)
def test_accepted_alike_by_model_and_modules(kind, driver, name):
    config, path = model_with(kind, name, driver=driver or 'scst_local')
    if driver == 'qla2x00t':
        config['drivers'][0]['targets'][0]['name'] = '21:00:00:24:ff:31:4c:48'
        config['device_groups'] = []
    assert validate(config) == []
    if driver != 'qla2x00t':
        assert module_check(kind, driver, name) == name


def test_fc_initiator_is_not_padded():
    """'0x1' was read as 00:00:00:00:00:00:00:01; a WWPN a user types has its 16 digits."""
    config = {'drivers': [{'name': 'qla2x00t', 'targets': [
        {'name': '0x1', 'groups': [{'name': 'g', 'initiators': ['0x1']}]}]}]}
    problems = dict((format_path(p), m) for p, m in validate(config))
    assert 'WWPN' in problems['drivers[0].targets[0].name']
    assert 'WWPN' in problems['drivers[0].targets[0].groups[0].initiators[0]']
    assert '00:00:00:00:00:00:00:01' not in ' '.join(problems.values())


def test_refusal_names_the_option_path_and_value_never_an_argument_position():
    config, dummy = model_with('initiator', 'a;b', driver='scst_local')
    with pytest.raises(ModelError) as err:
        check(config)
    text = str(err.value)
    assert "drivers[0].targets[0].groups[0].initiators[0]: 'a;b'" in text
    assert 'argument' not in text


def test_yaml_boolean_as_name_says_to_quote_it():
    for kind in ('device', 'target'):
        config, path = model_with(kind, True, driver='scst_local')
        problems = dict((format_path(p), m) for p, m in validate(config))
        assert 'quote' in problems[path]
    with pytest.raises(ScstInputError) as err:
        check_device_name(True, 'name')
    assert 'quote' in err.value.reason


@pytest.mark.parametrize('text, number', [('0', 0), ('10', 10), ('16383', 16383), (7, 7)])
def test_lun_read_one_way(text, number):
    assert check_lun(text, 'lun') == number
    config = {'handlers': [{'name': 'vdisk_nullio', 'devices': [{'name': 'd'}]}],
              'drivers': [{'name': 'scst_local', 'targets': [{'name': 't', 'luns': [{'lun': text, 'device': 'd'}]}]}]}
    assert check(config)['drivers'][0]['targets'][0]['luns'][0]['lun'] == number


@pytest.mark.parametrize('text, words', [('010', 'leading zero'), ('00', 'leading zero'), ('0x10', 'decimal'),
                                         ('16384', 'out of range'), ('-1', 'decimal'), (' 1', 'decimal'),
                                         (True, 'boolean'), (1.0, 'type float')])
def test_ambiguous_lun_refused_by_model_and_modules(text, words):
    with pytest.raises(ScstInputError) as err:
        check_lun(text, 'lun')
    assert words in err.value.reason
    config = {'handlers': [{'name': 'vdisk_nullio', 'devices': [{'name': 'd'}]}],
              'drivers': [{'name': 'scst_local', 'targets': [{'name': 't', 'groups': [
                  {'name': 'g', 'luns': [{'lun': text, 'device': 'd'}]}]}]}]}
    problems = dict((format_path(p), m) for p, m in validate(config))
    message = problems['drivers[0].targets[0].groups[0].luns[0].lun']
    assert words in message and "'%s'" % (text,) in message


def test_duplicate_lun_in_one_set_refused_with_its_path():
    config = {'handlers': [{'name': 'vdisk_nullio', 'devices': [{'name': 'd1'}, {'name': 'd2'}]}],
              'drivers': [{'name': 'scst_local', 'targets': [{'name': 't', 'groups': [
                  {'name': 'g', 'luns': [{'lun': 3, 'device': 'd1'}, {'lun': '3', 'device': 'd2'}]}]}]}]}
    problems = validate(config)
    assert any(format_path(p).startswith('drivers[0].targets[0].groups[0].luns[') and 'LUN 3 is given twice' in m
               for p, m in problems), problems


def test_chap_secret_minimum_is_enforced_by_the_model_without_showing_it():
    secret = 'short-s3cr'
    config = {'drivers': [{'name': 'iscsi', 'attributes': {'IncomingUser': 'joe %s' % secret},
                           'targets': [{'name': IQN, 'attributes': {'OutgoingUser': ['ann %s' % secret]}}]}]}
    problems = dict((format_path(p), m) for p, m in validate(config))
    assert '12 characters' in problems['drivers[0].attributes.IncomingUser']
    assert '12 characters' in problems['drivers[0].targets[0].attributes.OutgoingUser']
    assert secret not in ' '.join(problems.values())
    config['drivers'][0]['attributes']['IncomingUser'] = 'joe twelve-chars'
    config['drivers'][0]['targets'][0]['attributes']['OutgoingUser'] = 'ann twelve-chars'
    assert validate(config) == []


def test_random_names_model_and_modules_agree():
    """Seeded property: for names drawn from a hostile alphabet, the model refuses exactly what the modules
    refuse (same rule, one function), for every kind."""
    rng = random.Random(1313)
    alphabet = ['a', 'Z', '0', '.', '-', ':', '_', 'mgmt', 'iqn.2026-01.com.x:', '\u200b', '\u202e', '\ufeff', '\u00a0',
                ';', '=', '/', '\x01', '\u2028', 'é', '*']
    for dummy in range(400):
        kind = rng.choice(KINDS)
        name = ''.join(rng.choice(alphabet) for dummy in range(rng.randint(1, 4)))
        config, path = model_with(kind, name, driver='iscsi')
        model_refuses = any(format_path(p) == path for p, m in validate(config))
        try:
            module_check(kind, 'iscsi', name)
            module_refuses = False
        except ScstInputError:
            module_refuses = True
        assert model_refuses == module_refuses, (kind, name)
        if kind != 'device':
            assert module_refuses == (name_problem(name, kind, 'iscsi') is not None)
    assert MAX_LUN == 16383


def test_scst_conf_text_is_read_as_the_kernel_reads_it_and_says_so():
    """scst.conf is passed to the kernel as text, and the kernel reads 'LUN 010' in base 0: LUN 8, with a
    warning (scstadmin compat mode); the same text in a model is refused instead of read either way."""
    text = ('HANDLER vdisk_nullio {\n\tDEVICE d\n}\nTARGET_DRIVER iscsi {\n\tTARGET %s {\n\t\tLUN 010 d\n\t}\n}\n'
            % IQN)
    model, issues = parse(text, compat=COMPAT_SCSTADMIN)
    assert [lun['lun'] for lun in model['drivers'][0]['targets'][0]['luns']] == [8]
    assert any('is LUN 8' in issue.message for issue in issues)
    config = {'handlers': [{'name': 'vdisk_nullio', 'devices': [{'name': 'd'}]}],
              'drivers': [{'name': 'iscsi', 'targets': [{'name': IQN, 'luns': [{'lun': '010', 'device': 'd'}]}]}]}
    assert [format_path(p) for p, m in validate(config)] == ['drivers[0].targets[0].luns[0].lun']
