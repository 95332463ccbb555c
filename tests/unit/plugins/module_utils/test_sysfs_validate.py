# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.storage.scst.plugins.module_utils._errors import MASK, ScstError, ScstInputError, mask_text
from ansible_collections.storage.scst.plugins.module_utils._validate import (
    Command,
    Secret,
    build_command,
    check_attr_value,
    check_command,
    check_device_name,
    check_lun,
    check_name,
    check_param_name,
    check_param_value,
    check_token,
)

# Inputs that would end a word, a parameter or a command for SCST's lexer (SYSFS.md 2.0, 11).
INJECTIONS = [
    ('disk01 read_only=1', 'whitespace'),
    ('disk01\tx', 'whitespace'),
    ('disk01\n', 'line break'),
    ('disk01\rx', 'line break'),
    ('a\nadd_device evil filename=/etc/shadow', 'line break'),
    ('disk01;read_only=0', "';'"),
    ('disk01=1', "'='"),
    ('disk\x0001', 'NUL'),
    ('disk\x0b01', 'whitespace'),
    ('disk\x0701', 'control character'),
    ('disk\u00a001', 'whitespace'),
    ('disk\u202801', 'whitespace'),
    ('', 'empty'),
]


@pytest.mark.parametrize('func', [check_token, check_name, check_device_name, check_param_value])
@pytest.mark.parametrize('value, reason', INJECTIONS)
def test_every_token_validator_refuses_separators(func, value, reason):
    with pytest.raises(ScstInputError) as info:
        func(value, 'devices[0].name')
    err = info.value
    assert err.option == 'devices[0].name'
    assert err.value == value
    assert reason in err.reason
    assert str(err).startswith('devices[0].name: invalid value %r: ' % value)
    assert isinstance(err, ScstError)


@pytest.mark.parametrize('value', ['disk01', 'iqn.2026-01.com.example:storage.t1', '21:00:00:24:ff:31:4c:48',
                                   'iqn.1993-08.org.debian:01:*', '!iqn.x:ini', 'ini?', 'Ünïcode', 42])
def test_check_name_accepts_real_names(value):
    assert check_name(value, 'name') == str(value)


@pytest.mark.parametrize('value, reason', [
    ('a/b', "'/'"), ('/etc', "'/'"), ('.', 'not usable'), ('..', 'not usable'), ('x' * 256, '256 bytes'),
    ('é' * 128, '256 bytes'), (None, 'type NoneType'), (1.5, 'type float'), (['a'], 'type list'), (True, 'boolean'),
])
def test_check_name_refuses(value, reason):
    with pytest.raises(ScstInputError) as info:
        check_name(value, 'targets[1].name')
    assert reason in str(info.value)
    assert 'targets[1].name' in str(info.value)


def test_check_name_length_limit_is_255_bytes():
    assert check_name('x' * 255, 'n') == 'x' * 255


@pytest.mark.parametrize('value', ['disk01', 'd' * 64, '0:0:0:0', 'lun-01_a'])
def test_check_device_name_accepts(value):
    assert check_device_name(value, 'name') == value


@pytest.mark.parametrize('value, reason', [
    ('disk.01', "'.'"), ('d' * 65, '65 bytes'), ('a/b', "'/'"), ('d x', 'whitespace'),
])
def test_check_device_name_refuses(value, reason):
    with pytest.raises(ScstInputError) as info:
        check_device_name(value, 'handlers[0].devices[2].name')
    assert reason in info.value.reason
    assert info.value.option == 'handlers[0].devices[2].name'


@pytest.mark.parametrize('value, expected', [(0, 0), (16383, 16383), ('0', 0), ('16383', 16383), ('10', 10)])
def test_check_lun_accepts(value, expected):
    assert check_lun(value, 'lun') == expected


@pytest.mark.parametrize('value, reason', [
    (-1, 'out of range'), (16384, 'out of range'), ('16384', 'out of range'), ('0x10', 'not a decimal'), ('010', 'leading zero'),
    ('1 2', 'not a decimal'), ('1;read_only=1', 'not a decimal'), ('', 'not a decimal'), (True, 'boolean'),
    (1.0, 'type float'), (None, 'type NoneType'),
])
def test_check_lun_refuses(value, reason):
    with pytest.raises(ScstInputError) as info:
        check_lun(value, 'luns[3].lun')
    assert reason in info.value.reason
    assert str(info.value).startswith('luns[3].lun: ')


@pytest.mark.parametrize('value', ['filename', 'read_only', 'IncomingUser', 'allowed_portal', '_x1'])
def test_check_param_name_accepts(value):
    assert check_param_name(value, 'p') == value


@pytest.mark.parametrize('value', ['1abc', 'read only', 'a=b', 'a;b', 'a-b', '', 'a\n', 'x' * 256])
def test_check_param_name_refuses(value):
    with pytest.raises(ScstInputError):
        check_param_name(value, 'attributes')


def test_check_param_value_allows_paths_and_converts_booleans():
    assert check_param_value('/dev/vg0/lun01', 'filename') == '/dev/vg0/lun01'
    assert check_param_value(True, 'read_only') == '1'
    assert check_param_value(False, 'read_only') == '0'
    assert check_param_value(4096, 'blocksize') == '4096'


@pytest.mark.parametrize('value, expected', [
    ('', ''), ('1', '1'), (0, '0'), (True, '1'), (False, '0'), ('1 1 data', '1 1 data'),
    ('isns.example.com AccessControl No', 'isns.example.com AccessControl No'), ('ff,ffffffff', 'ff,ffffffff'),
    ('/var/lib/scst/pr/disk01', '/var/lib/scst/pr/disk01'),
])
def test_check_attr_value_accepts(value, expected):
    assert check_attr_value(value, 'attr') == expected


@pytest.mark.parametrize('value, reason', [
    ('1\n', 'line break'), ('active\nstandby', 'line break'), ('a;b', "';'"), ('a=b', "'='"), ('a\tb', 'whitespace'),
    ('a\x00', 'NUL'), (' 1', 'space'), ('1 ', 'space'), ('x' * 4096, '4096 bytes'), (None, 'type NoneType'),
    ({'a': 1}, 'type dict'),
])
def test_check_attr_value_refuses(value, reason):
    with pytest.raises(ScstInputError) as info:
        check_attr_value(value, 'attributes.comment')
    assert reason in info.value.reason
    assert info.value.option == 'attributes.comment'


def test_check_command_envelope():
    assert check_command('add_device d filename=/x;blocksize=4096') == 'add_device d filename=/x;blocksize=4096'
    for bad in ['', '   ', 'add a 0\nadd b 1', 'add a\x00', 'x' * 4096, None, b'add a 0']:
        with pytest.raises(ScstInputError):
            check_command(bad)
    assert check_command('x' * 4095) == 'x' * 4095


def test_build_command_formats_words_and_params():
    cmd = build_command('add_device', 'disk01', params={'filename': '/dev/vg0/lun01', 'blocksize': 4096, 'read_only': False})
    assert cmd == 'add_device disk01 filename=/dev/vg0/lun01;blocksize=4096;read_only=0'
    assert isinstance(cmd, Command) and cmd.secrets == ()
    assert build_command('add', 'disk01', 0, params=[('read_only', True)]) == 'add disk01 0 read_only=1'
    assert build_command('del', 7) == 'del 7'
    assert build_command('clear') == 'clear'
    assert build_command('create', 'grp', params={}) == 'create grp'


@pytest.mark.parametrize('args, params, option', [
    (('disk01;read_only=1',), None, 'add_device argument 1'),
    (('disk01', 'extra\ndel_device x'), None, 'add_device argument 2'),
    (('disk01',), {'filename': '/a;read_only=0'}, 'filename'),
    (('disk01',), {'filename': '/a\nread_only=0'}, 'filename'),
    (('disk01',), {'filename': '/a b'}, 'filename'),
    (('disk01',), {'filename=/x;read_only': '1'}, 'parameter name'),
    (('disk01',), {'file name': '1'}, 'parameter name'),
    (('disk01',), [('filename', '')], 'filename'),
    ((-1,), None, 'add_device argument 1'),
    ((True,), None, 'add_device argument 1'),
    (('disk01',), {'filename': '/' + 'x' * 4090}, 'add_device command'),
])
def test_build_command_refuses_injection(args, params, option):
    with pytest.raises(ScstInputError) as info:
        build_command('add_device', *args, params=params)
    assert info.value.option == option


@pytest.mark.parametrize('keyword', ['add device', 'ADD', 'add\n', '', None, 'add;x'])
def test_build_command_refuses_bad_keywords(keyword):
    with pytest.raises(ScstInputError):
        build_command(keyword, 'x')


def test_build_command_rejects_unknown_keyword_arguments():
    with pytest.raises(TypeError):
        build_command('add', 'x', parms={})


def test_secret_is_never_echoed():
    secret = Secret('pass word 12chars')
    assert 'pass word' not in repr(secret)
    with pytest.raises(ScstInputError) as info:
        check_token(secret, 'IncomingUser.secret')
    err = info.value
    assert 'pass word' not in str(err)
    assert MASK in str(err)
    assert 'pass word' not in json.dumps(err.to_dict())
    assert err.to_dict()['option'] == 'IncomingUser.secret'


def test_build_command_reports_secrets_and_masks_them_in_its_errors():
    cmd = build_command('add_target_attribute', 'iqn.t1', 'IncomingUser', 'joe', Secret('12charsecret'))
    assert cmd == 'add_target_attribute iqn.t1 IncomingUser joe 12charsecret'
    assert cmd.secrets == ('12charsecret',)
    # Too long as a whole: the error quotes the command, and must mask the secret in it.
    with pytest.raises(ScstInputError) as info:
        build_command('add_target_attribute', 'i' * 4080, 'IncomingUser', 'joe', Secret('12charsecret'))
    assert '12charsecret' not in str(info.value)
    assert '12charsecret' not in json.dumps(info.value.to_dict())
    with pytest.raises(ScstInputError) as info:
        build_command('add_target', 'iqn.t1', params={'IncomingUser': Secret('bad secret;x')})
    assert 'bad secret' not in str(info.value)


def test_input_error_masks_registered_secrets_before_quoting():
    err = ScstInputError('opt', 'joe sec\nret', 'contains a line break')
    assert 'sec\\nret' in str(err)
    err.mask(['sec\nret'])
    assert 'sec' not in str(err)
    assert MASK in str(err)


def test_input_error_cuts_long_values_in_messages():
    err = ScstInputError('opt', 'x' * 5000, 'too long')
    assert len(str(err)) < 300
    assert '5000 characters' in str(err)


def test_mask_text_masks_longest_secret_first():
    assert mask_text('abc abcdef', ['abc', 'abcdef']) == '%s %s' % (MASK, MASK)
    assert mask_text(None, ['x']) is None
    assert mask_text('abc', ['', None]) == 'abc'
