# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""scst.conf parser (strict and scstadmin-compatible) and renderer."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import random
import re

import pytest

from ansible_collections.storage.scst.plugins.module_utils._conf import COMPAT_SCSTADMIN, ConfError, parse, render
from ansible_collections.storage.scst.plugins.module_utils._model import ModelError, check, empty_model, normalize


def _tabs(text):
    """Texts below are indented with 4 spaces per level for readability; scst.conf uses tabs."""
    return re.sub(r'(?m)^((?:    )+)', lambda m: '\t' * (len(m.group(1)) // 4), text)


NULLDEV = 'HANDLER vdisk_nullio {\n\tDEVICE d\n}\n'

# (id, text, line, column, words of the message, is the construct changed by scstadmin (compat warns)?)
STRICT_ERRORS = [
    ('text before }', 'HANDLER vdisk_fileio {\n\tDEVICE d { filename /x }\n}\n', 2, 13, 'discards it', True),
    ('{ on its own line', 'HANDLER vdisk_fileio\n{\n\tDEVICE d\n}\n', 2, 1, 'reads and discards this block', True),
    ('more than three words', NULLDEV + 'TARGET_DRIVER iscsi {\n\tTARGET t {\n\t\tLUN 1 d extra tokens\n\t}\n}\n',
     6, 11, "silently drops 'extra tokens'", True),
    ('duplicate block', NULLDEV + 'HANDLER vdisk_nullio {\n\tDEVICE b\n}\n', 4, 9, 'the second one replaces the first', True),
    ('stray }', 'setup_id 1\n}\nthreads 2\n', 2, 1, 'silently ignores lines 3-3', True),
    ('missing }', 'HANDLER vdisk_nullio {\n\tDEVICE d\n', 1, 22, 'never closed', True),
    ('# inside quotes', 'TARGET_DRIVER iscsi {\n\tIncomingUser "joe pass#word12"\n}\n', 2, 24, 'inside double quotes', True),
    ('character before #', 'max_tasklet_cmd 20#x\n', 1, 18, 'deletes the character before', True),
    ('keyword case', NULLDEV + 'TARGET_DRIVER iscsi {\n\tTARGET t {\n\t\tlun 0 d\n\t}\n}\n', 6, 3, 'case-sensitive', True),
    ('misplaced keyword', 'HANDLER vdisk_nullio {\n\tDEVICE d {\n\t\tLUN 0 d\n\t}\n}\n', 3, 3, 'not a keyword inside DEVICE', True),
    ('no final newline', 'setup_id 1\nthreads 2', 2, 1, "ignores 'threads 2'", True),
    ('useless escape', 'HANDLER vdisk_fileio {\n\tDEVICE d {\n\t\tfilename /a\\b\n\t}\n}\n', 3, 14, 'removes every backslash', True),
    ('backslash at end of line', 'HANDLER vdisk_fileio {\n\tDEVICE d {\n\t\tfilename /a\\\n\t}\n}\n', 3, 14,
     'does not continue', True),
    ('undefined device', 'TARGET_DRIVER iscsi {\n\tTARGET t {\n\t\tLUN 0 diskX\n\t}\n}\n', 3, 9,
     "drivers[0].targets[0].luns[0].device: 'diskX' is not a defined device", True),
    ('LUN not a number', NULLDEV + 'TARGET_DRIVER iscsi {\n\tTARGET t {\n\t\tLUN x d\n\t}\n}\n', 6, 7, 'not a LUN number', True),
    ('LUN in octal', NULLDEV + 'TARGET_DRIVER iscsi {\n\tTARGET t {\n\t\tLUN 010 d\n\t}\n}\n', 6, 7, 'is LUN 8', True),
    ('LUN without device', 'TARGET_DRIVER iscsi {\n\tTARGET t {\n\t\tLUN 0\n\t}\n}\n', 3, 7, 'has no device', True),
    ('attribute with two values', 'HANDLER vdisk_fileio {\n\tDEVICE d {\n\t\tfilename /x /y\n\t}\n}\n', 3, 12,
     'takes one value', True),
    ('attribute with a block', 'threads 4 {\n\tfoo 1\n}\n', 1, 9, 'has a block', True),
    ('enabled not 0/1', 'TARGET_DRIVER iscsi {\n\tenabled yes\n}\n', 2, 2, 'enabled takes 0 or 1', True),
    ('unbalanced quote', 'HANDLER vdisk_fileio {\n\tDEVICE d {\n\t\tfilename "/x\n\t}\n}\n', 3, 12, 'unbalanced double quote', True),
    ('brace inside quotes', 'HANDLER vdisk_fileio {\n\tDEVICE d {\n\t\tprod_id "a{b"\n\t}\n}\n', 3, 13,
     'inside double quotes still opens', True),
    ('initiator block', 'TARGET_DRIVER iscsi {\n\tTARGET t {\n\t\tGROUP g {\n\t\t\tINITIATOR i {\n\t\t\t\tfoo 1\n'
     '\t\t\t}\n\t\t}\n\t}\n}\n', 4, 14, 'never applies it', True),
    ('WWPN in upper case', 'TARGET_DRIVER qla2x00t {\n\tTARGET 21:00:00:24:FF:31:4C:48 {\n\t\tenabled 1\n\t}\n}\n', 2, 9,
     'byte for byte', True),
    ('repeated line', 'setup_id 1\nsetup_id 1\n', 2, 10, 'repeats line 1', True),
    ('LUN with two devices', 'HANDLER vdisk_nullio {\n\tDEVICE a\n\tDEVICE b\n}\nTARGET_DRIVER iscsi {\n\tTARGET t {\n'
     '\t\tLUN 0 a\n\t\tLUN 0 b\n\t}\n}\n', 8, 9, 'aborts the apply', True),
    ('single-valued attribute twice', 'threads 2\nthreads 4\n', 2, 9, 'not a multi-valued attribute', True),
    ('device path', 'HANDLER vcdrom {\n\tDEVICE /dev/cdrom\n}\n', 2, 9, "the device name is 'cdrom'", True),
    ('initiator in two groups', 'TARGET_DRIVER iscsi {\n\tTARGET t {\n\t\tGROUP a {\n\t\t\tINITIATOR i\n\t\t}\n'
     '\t\tGROUP b {\n\t\t\tINITIATOR i\n\t\t}\n\t}\n}\n', 7, 14, "initiator 'i' is also in group 'a'", True),
    ('bad number', 'HANDLER vdisk_fileio {\n\tDEVICE d {\n\t\tblocksize big\n\t}\n}\n', 3, 3,
     "handlers[0].devices[0].attributes.blocksize: 'big' is not a number", True),
    ('bare attribute', 'HANDLER vdisk_fileio {\n\tDEVICE d {\n\t\tprod_id\n\t}\n}\n', 3, 3, 'has no value', False),
    ('handler without block', 'HANDLER vdisk_nullio\n', 1, 9, 'has no block', False),
    ('text after }', 'HANDLER vdisk_nullio {\n\tDEVICE d {\n\t\tdummy 1\n\t} DEVICE e\n}\n', 4, 4, "text after '}'", False),
    ('text after {', 'HANDLER vdisk_nullio { DEVICE d\n}\n', 1, 24, "text after '{'", False),
    ('empty block after attribute', 'HANDLER vdisk_nullio {\n\tDEVICE d {\n\t\tdummy 1 {\n\t\t}\n\t}\n}\n', 3, 9,
     'empty block', False),
]


@pytest.mark.parametrize('text, line, column, words, changed', [c[1:] for c in STRICT_ERRORS],
                         ids=[c[0] for c in STRICT_ERRORS])
def test_strict_errors_name_line_and_column(text, line, column, words, changed):
    with pytest.raises(ConfError) as info:
        parse(text, filename='t.conf')
    found = [i for i in info.value.issues if (i.line, i.column) == (line, column) and words in i.message]
    assert found, str(info.value)
    assert 't.conf:%d:%d: ' % (line, column) in str(info.value)
    model, warnings = parse(text, filename='t.conf', compat=COMPAT_SCSTADMIN)
    assert any(w.line == line for w in warnings) is changed, warnings
    assert model == normalize(model)


def test_every_strict_error_says_what_scstadmin_does():
    for case in STRICT_ERRORS:
        with pytest.raises(ConfError) as info:
            parse(case[1])
        assert all(i.message for i in info.value.issues)
        assert all(issue.to_dict()['line'] >= 1 for issue in info.value.issues)


def test_procfs_format_is_refused_in_both_modes():
    text = '# old\n[HANDLER vdisk]\nDEVICE disk1,/dev/sdb,NV,512\n\n[ASSIGNMENT Default]\nDEVICE disk1,0\n'
    for compat in (None, COMPAT_SCSTADMIN):
        with pytest.raises(ConfError) as info:
            parse(text, filename='old.conf', compat=compat)
        assert 'deprecated procfs-era' in str(info.value)
        assert info.value.issues[0].line == 2


def test_bracket_text_that_is_not_procfs_is_a_value():
    model, dummy = parse('TARGET_DRIVER iscsi {\n\tTARGET iqn.2026-01.com.example:t {\n\t\tcomment "[TARGETS enable]"\n\t}\n}\n')
    assert model['drivers'][0]['targets'][0]['attributes'] == {'comment': '[TARGETS enable]'}


def test_unknown_compat_mode():
    with pytest.raises(ValueError):
        parse('', compat='lio')


# What scstadmin makes of each construct (compat mode returns exactly that).
def _device(model, name):
    for handler in model['handlers']:
        for device in handler['devices']:
            if device['name'] == name:
                return device
    return None


def test_compat_drops_text_before_closing_brace():
    model, warnings = parse('HANDLER vdisk_fileio {\n\tDEVICE d { filename /x }\n}\n', compat=COMPAT_SCSTADMIN)
    assert _device(model, 'd')['attributes'] == {}
    assert [w.line for w in warnings] == [2]


def test_compat_second_block_replaces_the_first():
    model, dummy = parse(NULLDEV + 'HANDLER vdisk_nullio {\n\tDEVICE b\n}\n', compat=COMPAT_SCSTADMIN)
    assert [d['name'] for d in model['handlers'][0]['devices']] == ['b']


def test_compat_stops_at_stray_brace():
    model, dummy = parse('setup_id 1\n}\nthreads 2\n', compat=COMPAT_SCSTADMIN)
    assert model['attributes'] == {'setup_id': '1'}


def test_compat_comment_eats_the_character_before_it():
    model, dummy = parse('max_tasklet_cmd 20#x\n', compat=COMPAT_SCSTADMIN)
    assert model['attributes'] == {'max_tasklet_cmd': '2'}


def test_compat_escaped_hash_is_a_value():
    text = 'TARGET_DRIVER iscsi {\n\tTARGET iqn.2026-01.com.example:t {\n\t\tGROUP g {\n\t\t\tINITIATOR iqn.1998-01.com.vmware:h1\\#10.0.0.1\n\t\t}\n\t}\n}\n'
    model, warnings = parse(text)
    assert model['drivers'][0]['targets'][0]['groups'][0]['initiators'] == ['iqn.1998-01.com.vmware:h1#10.0.0.1']
    assert warnings == []


def test_compat_missing_brace_keeps_the_block():
    model, dummy = parse('HANDLER vdisk_nullio {\n\tDEVICE d\n', compat=COMPAT_SCSTADMIN)
    assert model['handlers'][0]['devices'][0]['name'] == 'd'


def test_compat_drops_last_line_without_newline():
    model, dummy = parse('setup_id 1\nthreads 2', compat=COMPAT_SCSTADMIN)
    assert model['attributes'] == {'setup_id': '1'}


def test_compat_drops_lun_of_undefined_device_and_strips_dev_path():
    text = ('HANDLER vcdrom {\n\tDEVICE /dev/cdrom\n}\nTARGET_DRIVER iscsi {\n\tTARGET iqn.2026-01.com.example:t {\n\t\tLUN 0 nope\n'
            '\t\tLUN 1 cdrom\n\t}\n}\nDEVICE_GROUP dg {\n\tDEVICE nope\n}\n')
    model, warnings = parse(text, compat=COMPAT_SCSTADMIN)
    assert model['handlers'][0]['devices'][0]['name'] == 'cdrom'
    assert model['drivers'][0]['targets'][0]['luns'] == [{'lun': 1, 'device': 'cdrom', 'read_only': False}]
    assert model['device_groups'][0]['devices'] == []
    assert [w.line for w in warnings] == [2, 6, 11]


def test_compat_case_wrong_keyword_is_dropped():
    model, dummy = parse(NULLDEV + 'TARGET_DRIVER iscsi {\n\tTARGET t {\n\t\tlun 0 d\n\t\tEnabled 1\n\t}\n}\n',
                         compat=COMPAT_SCSTADMIN)
    target = model['drivers'][0]['targets'][0]
    assert target['luns'] == [] and target['attributes'] == {} and target['enabled'] is None


def test_crlf_and_blanks_are_fine():
    text = 'HANDLER vdisk_nullio {\r\n   DEVICE d {\r\n\t\tdummy 1   # a comment\r\n   }\r\n}\r\n'
    model, warnings = parse(text)
    assert model['handlers'][0]['devices'][0]['attributes'] == {'dummy': '1'}


def test_full_line_comment_may_hold_anything():
    model, dummy = parse('#}{ "# \\x\nsetup_id 1\n')
    assert model['attributes'] == {'setup_id': '1'}


def test_multi_valued_attributes_and_quotes():
    text = ('TARGET_DRIVER iscsi {\n\tIncomingUser "disc 12charsecret"\n\tenabled 1\n\tTARGET iqn.2024-01.com.example:t {\n'
            '\t\tIncomingUser "joe 12charsecret"\n\t\tIncomingUser "fred 12charsecret2"\n\t\tallowed_portal 192.0.2.10\n'
            '\t\tHeaderDigest CRC32C,None\n\t\tenabled 0\n\t}\n}\n')
    model, dummy = parse(text)
    driver = model['drivers'][0]
    assert driver['enabled'] is True
    assert driver['attributes'] == {'IncomingUser': ['disc 12charsecret']}
    target = driver['targets'][0]
    assert target['enabled'] is False
    assert target['attributes'] == {'IncomingUser': ['fred 12charsecret2', 'joe 12charsecret'],
                                    'allowed_portal': ['192.0.2.10'], 'HeaderDigest': 'CRC32C,None'}


def test_annotated_example_of_the_format_notes():
    text = _tabs('''setup_id 0x1234
threads 8
HANDLER dev_disk {
    DEVICE 2:0:1:0
}
HANDLER vdisk_fileio {
    DEVICE disk01 {
        filename /srv/scst/disk01.img   # create attribute
        blocksize 4096
        prod_id "Virtual Disk"
    }
}
TARGET_DRIVER qla2x00t {
    TARGET 21:00:00:24:ff:01:02:03 {
        HW_TARGET
        rel_tgt_id 2
        GROUP host_a {
            LUN 0 disk01
            INITIATOR 21:00:00:24:ff:aa:bb:cc
            addr_method FLAT
        }
        enabled 1
    }
}
TARGET_DRIVER copy_manager {
    TARGET copy_manager_tgt {
        LUN 0 disk01
        LUN 1 2:0:1:0
    }
}
DEVICE_GROUP dg1 {
    DEVICE disk01
    TARGET_GROUP local_ports {
        group_id 1
        state active
        TARGET 21:00:00:24:ff:01:02:03
    }
    TARGET_GROUP peer_ports {
        group_id 2
        state nonoptimized
        TARGET iqn.2024-01.com.example:tgt1-peer {
            rel_tgt_id 101
        }
    }
}
''')
    model, dummy = parse(text)
    assert model['attributes'] == {'setup_id': '4660', 'threads': '8'}
    target = model['drivers'][1]['targets'][0]
    assert target['hw_target'] is True and target['enabled'] is True
    assert target['groups'][0]['attributes'] == {'addr_method': 'FLAT'}
    assert _device(model, 'disk01')['attributes']['prod_id'] == 'Virtual Disk'
    tgroups = model['device_groups'][0]['target_groups']
    assert tgroups[1]['targets'] == [{'name': 'iqn.2024-01.com.example:tgt1-peer', 'attributes': {'rel_tgt_id': '101'}}]
    assert parse(render(model))[0] == model


# -- Renderer ----------------------------------------------------------------------------------------------

GOLDEN_MODEL = {
    'attributes': {'setup_id': '0x1234'},
    'handlers': [{'name': 'vdisk_fileio', 'devices': [
        {'name': 'disk1', 'attributes': {'filename': '/srv/disk 1.img', 'nv_cache': True, 'prod_id': 'a#b'}},
        {'name': 'disk0'}]}],
    'drivers': [
        {'name': 'qla2x00t', 'targets': [{
            'name': '21:00:00:24:FF:31:4C:48', 'hw_target': True, 'enabled': True, 'attributes': {'rel_tgt_id': 1},
            'luns': [{'lun': 0, 'device': 'disk0'}],
            'groups': [{'name': 'esx', 'initiators': ['21:00:00:24:ff:7a:11:*', '21000024ff7a1100'],
                        'luns': [{'lun': 1, 'device': 'disk1', 'read_only': True}, {'lun': 0, 'device': 'disk0'}]},
                       {'name': 'blocked', 'attributes': {'black_hole': 1}}]}]},
        {'name': 'iscsi', 'enabled': True, 'targets': [
            {'name': 'iqn.2026-01.com.example:t1', 'enabled': False,
             'attributes': {'IncomingUser': 'joe 12charsecret'}, 'luns': [{'lun': 1, 'device': 'disk1', 'read_only': 1}]}]},
    ],
    'alua': {},
    'device_groups': [{'name': 'dg', 'devices': ['disk0'], 'target_groups': [
        {'name': 'tg1', 'attributes': {'group_id': 1, 'state': 'active'},
         'targets': ['21:00:00:24:ff:31:4c:48', {'name': 'remote', 'attributes': {'rel_tgt_id': 11}}]},
        {'name': 'tg2'}]}],
}

GOLDEN_TEXT = _tabs('''# Automatically generated by storage.scst.

setup_id 4660

HANDLER vdisk_fileio {
    DEVICE disk0
    DEVICE disk1 {
        filename "/srv/disk 1.img"
        nv_cache 1
        prod_id a\\#b
    }
}

TARGET_DRIVER iscsi {
    enabled 1

    TARGET iqn.2026-01.com.example:t1 {
        IncomingUser "joe 12charsecret"
        enabled 0

        LUN 1 disk1 {
            read_only 1
        }
    }
}

TARGET_DRIVER qla2x00t {
    TARGET 21:00:00:24:ff:31:4c:48 {
        HW_TARGET

        enabled 1
        rel_tgt_id 1

        LUN 0 disk0

        GROUP blocked {

            black_hole 1
        }

        GROUP esx {
            LUN 0 disk0
            LUN 1 disk1 {
                read_only 1
            }

            INITIATOR 21:00:00:24:ff:7a:11:*

            INITIATOR 21:00:00:24:ff:7a:11:00
        }
    }
}

DEVICE_GROUP dg {
    DEVICE disk0

    TARGET_GROUP tg1 {
        group_id 1
        state active

        TARGET 21:00:00:24:ff:31:4c:48
        TARGET remote {
            rel_tgt_id 11
        }
    }

    TARGET_GROUP tg2
}

''')


def test_render_golden_layout():
    assert render(GOLDEN_MODEL) == GOLDEN_TEXT
    assert parse(GOLDEN_TEXT)[0] == check(GOLDEN_MODEL)


def test_render_empty_blocks_stay_for_the_init_script():
    text = render({'handlers': [{'name': 'vdisk_blockio'}], 'drivers': [{'name': 'iscsi'}]})
    assert 'HANDLER vdisk_blockio {\n}\n' in text and 'TARGET_DRIVER iscsi {\n}\n' in text
    assert parse(text)[0] == normalize({'handlers': [{'name': 'vdisk_blockio'}], 'drivers': [{'name': 'iscsi'}]})


def test_render_empty_model():
    assert render(empty_model()) == '# Automatically generated by storage.scst.\n\n\n'
    assert parse(render(empty_model()))[0] == empty_model()


@pytest.mark.parametrize('value', ['a"b', 'a{b', 'a}b', 'a\tb', 'a\nb', 'a\\ b', '[HANDLER x]'])
def test_render_refuses_what_scst_conf_cannot_carry(value):
    with pytest.raises(ModelError) as info:
        render({'attributes': {'comment': value}})
    assert 'attributes.comment' in str(info.value)


@pytest.mark.parametrize('name', ['LUN', 'enabled', 'Target', 'a b', ''])
def test_render_refuses_keywords_as_attribute_names(name):
    with pytest.raises(ModelError):
        render({'handlers': [{'name': 'vdisk_nullio', 'devices': [{'name': 'd', 'attributes': {name: '1'}}]}]})


def test_render_refuses_multiline_generator():
    with pytest.raises(ValueError):
        render(empty_model(), generator='a\nb')


# -- Round trip over many models ---------------------------------------------------------------------------

_CHARS = 'abcXYZ019._:-*#\\/@'


def _word(rng, size=8, chars=_CHARS):
    return ''.join(rng.choice(chars) for dummy in range(rng.randint(1, size)))


def _value(rng):
    kind = rng.random()
    if kind < 0.15:
        return ''
    if kind < 0.35:
        words = [_word(rng, chars=_CHARS.replace('\\', '')) for dummy in range(rng.randint(2, 3))]
        return ' '.join(words)
    if kind < 0.5:
        return rng.randint(0, 100000)
    return _word(rng)


def _attrs(rng, names):
    return dict((name, _value(rng)) for name in rng.sample(names, rng.randint(0, len(names))))


def _wwn(rng):
    return ':'.join('%02x' % rng.randint(0, 255) for dummy in range(8))


def _random_model(rng):
    devices = []
    handlers = []
    for handler in rng.sample(['vdisk_fileio', 'vdisk_blockio', 'vdisk_nullio', 'vcdrom', 'dev_disk'], rng.randint(0, 5)):
        entries = []
        for index in range(rng.randint(0, 4)):
            if handler == 'dev_disk':
                name = '%d:0:%d:0' % (len(devices), index)
                attributes = {}
            else:
                name = '%s%d_%d' % (handler[-2:], len(devices), index)
                attributes = _attrs(rng, ['filename', 'prod_id', 'usn', 't10_vend_id', 'comment_x'])
                if rng.random() < 0.5:
                    attributes['blocksize'] = rng.choice([512, '4096', '0x1000'])
                    attributes['nv_cache'] = rng.choice([True, False, 'yes', 0])
            devices.append(name)
            entries.append({'name': name, 'attributes': attributes})
        handlers.append({'name': handler, 'attributes': _attrs(rng, ['trace_x']), 'devices': entries})

    def luns():
        if not devices:
            return []
        numbers = rng.sample(range(0, 300), rng.randint(0, 4))
        return [{'lun': n, 'device': rng.choice(devices), 'read_only': rng.random() < 0.3} for n in numbers]

    drivers = []
    for driver in rng.sample(['iscsi', 'qla2x00t', 'scst_local', 'copy_manager', 'ib_srpt'], rng.randint(0, 5)):
        targets = []
        for index in range(rng.randint(0, 3)):
            fc = driver == 'qla2x00t'
            # iSCSI target names follow RFC 7143 (iqn.YYYY-MM.domain:...); other drivers take any name.
            name = _wwn(rng) if fc else 'iqn.2026-01.%s.t%d:%s' % (driver.replace('_', '-'), index, _word(rng, 5, 'abc09'))
            attributes = _attrs(rng, ['comment', 'addr_method', 'alias'])
            if rng.random() < 0.5:
                attributes['rel_tgt_id'] = rng.choice([index + 1, '0x%x' % (index + 1)])
            if driver == 'iscsi' and rng.random() < 0.6:
                attributes['IncomingUser'] = ['u%d 12charsecret%s' % (i, _word(rng, 14, 'abcdef0123')) for i in range(rng.randint(1, 3))]
                attributes['allowed_portal'] = ['10.0.0.%d' % i for i in range(rng.randint(1, 2))]
                attributes['InitialR2T'] = rng.choice([True, False, 'Yes'])
            used = set()
            groups = []
            for gindex in range(rng.randint(0, 3)):
                initiators = []
                for dummy in range(rng.randint(0, 3)):
                    initiator = _wwn(rng) if fc else 'iqn.1998-01.com.vmware:h%s' % _word(rng, 4, 'abc#*?09')
                    if initiator not in used:
                        used.add(initiator)
                        initiators.append(initiator)
                groups.append({'name': 'g%d' % gindex, 'initiators': initiators, 'luns': luns(),
                               'attributes': _attrs(rng, ['addr_method', 'io_grouping_type', 'cpu_mask'])})
            targets.append({'name': name, 'hw_target': fc and rng.random() < 0.7,
                            'enabled': rng.choice([None, True, False]), 'attributes': attributes,
                            'luns': luns(), 'groups': groups})
        drivers.append({'name': driver, 'enabled': rng.choice([None, True, False]),
                        'attributes': _attrs(rng, ['trace_x', 'allow_x']), 'targets': targets})
    device_groups = []
    free = list(devices)
    for dindex in range(rng.randint(0, 2)):
        members = [free.pop() for dummy in range(min(len(free), rng.randint(0, 2)))]
        tgroups = []
        for gindex in range(rng.randint(0, 2)):
            tgroups.append({'name': 'tg%d' % gindex,
                            'attributes': {'group_id': gindex + 1, 'state': rng.choice(['active', 'standby'])},
                            'targets': [{'name': 'remote%d_%d' % (gindex, i), 'attributes': {'rel_tgt_id': 10 + i}}
                                        for i in range(rng.randint(0, 2))]})
        device_groups.append({'name': 'dg%d' % dindex, 'devices': members, 'target_groups': tgroups})
    attributes = _attrs(rng, ['cluster_name', 'trace_x'])
    if rng.random() < 0.5:
        attributes['setup_id'] = rng.choice([4660, '0x1234', '011'])
    return {'attributes': attributes, 'handlers': handlers,
            'drivers': drivers, 'alua': _attrs(rng, ['alua_x']), 'device_groups': device_groups}


@pytest.mark.parametrize('seed', range(150))
def test_round_trip_property(seed):
    model = check(_random_model(random.Random(seed)))
    text = render(model)
    parsed, warnings = parse(text, filename='seed%d' % seed)
    assert warnings == []
    assert parsed == model
    assert render(parsed) == text


_PIECES = ['{', '}', '"', '#', '\\', '\n', ' ', '\t', 'a', 'LUN', 'lun', '0', '1', 'HANDLER', 'DEVICE', 'TARGET_DRIVER',
           'TARGET', 'GROUP', 'INITIATOR', 'enabled', 'HW_TARGET', 'DEVICE_GROUP', 'TARGET_GROUP', 'ALUA', 'vdisk_nullio',
           'qla2x00t', 'iscsi', '21:00:00:24:FF:31:4C:48', 'read_only', '[', ']', '010', 'IncomingUser']


@pytest.mark.parametrize('seed', range(300))
def test_any_text_is_read_or_refused_never_crashes(seed):
    rng = random.Random(seed)
    text = ''.join(rng.choice(_PIECES) + rng.choice(['', ' ', '\n']) for dummy in range(rng.randint(0, 40)))
    try:
        parse(text)
    except ConfError as exc:
        assert exc.issues
    model, dummy = parse(text, compat=COMPAT_SCSTADMIN)
    try:
        rendered = render(model)
    except ModelError:
        return  # scstadmin kept a value that scst.conf cannot carry (e.g. a lone double quote)
    assert parse(rendered, compat=COMPAT_SCSTADMIN)[0] == model
