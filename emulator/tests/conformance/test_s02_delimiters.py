"""SYSFS.md §2.0 as the SCST source has it: the delimiter that ends a lexem is consumed.

``scst_get_next_lexem`` (scst_lib.c) skips blanks and ``=``, reads a word, overwrites the ONE character that
ended it with NUL and continues after it; ``scst_get_next_token_str`` splits the rest on ``;``/``\\n`` and an
empty token ends the list. So ``add d 0 `` (what scstadmin writes) leaves no parameter token, while
``add d 0  `` leaves a token of one blank, which the parameter loops reject ("Syntax error"). SYSFS.md §2.0
only says "a token consisting only of spaces -> EINVAL"; the source decides which tokens exist.
"""

import errno

import pytest

import conformance_io as io

LUNS = 'targets/scst_local/t1/luns'
NULLIO = 'handlers/vdisk_nullio/mgmt'
LOCAL = 'targets/scst_local/mgmt'

# Suffixes after `add nd0 0` (scst_parse_add_repl_param): (id, suffix, errno, read_only of LUN 0 or None)
LUN_ADD_SUFFIXES = [
    ('one-trailing-space', ' ', 0, '0\n'),
    ('two-trailing-spaces', '  ', errno.EINVAL, None),
    ('trailing-tab', '\t', 0, '0\n'),
    ('space-then-tab', ' \t', errno.EINVAL, None),
    ('trailing-newline', '\n', 0, '0\n'),
    ('space-then-newline', ' \n', 0, '0\n'),
    ('two-spaces-then-newline', '  \n', errno.EINVAL, None),
    ('two-newlines', '\n\n', 0, '0\n'),
    ('trailing-nbsp', '\xa0', 0, '0\n'),
    ('semicolon-glued-to-lun', ';', errno.EINVAL, None),
    ('semicolon-after-space', ' ;', 0, '0\n'),
    ('param-after-empty-token-ignored', ' ;read_only=1', 0, '0\n'),
    ('param', ' read_only=1', 0, '1\n[key]\n'),
    ('param-after-two-spaces', '  read_only=1', 0, '1\n[key]\n'),
    ('param-after-eq', '=read_only=1', 0, '1\n[key]\n'),
    ('param-after-tab', '\tread_only=1', 0, '1\n[key]\n'),
    ('param-trailing-semicolon', ' read_only=1;', 0, '1\n[key]\n'),
    ('param-semicolon-newline', ' read_only=1;\n', 0, '1\n[key]\n'),
    ('param-trailing-space', ' read_only=1 ', 0, '1\n[key]\n'),
    ('param-double-semicolon-ends-list', ' read_only=1;;bogus=1', 0, '1\n[key]\n'),
    ('param-semicolon-then-blank-token', ' read_only=1; ', errno.EINVAL, None),
    ('param-eq-run', ' read_only===1', 0, '1\n[key]\n'),
    ('param-trailing-eq-run', ' read_only=1==', 0, '1\n[key]\n'),
    ('param-no-value', ' read_only', errno.EINVAL, None),
    ('param-eq-no-value', ' read_only=', errno.EINVAL, None),
    ('param-eq-then-semicolon', ' read_only=;', errno.EINVAL, None),
    ('param-three-lexems', ' read_only=1=2', errno.EINVAL, None),
]


@pytest.mark.parametrize('suffix,code,read_only', [c[1:] for c in LUN_ADD_SUFFIXES],
                         ids=[c[0] for c in LUN_ADD_SUFFIXES])
def test_s2_0_lun_add_delimiters(local, suffix, code, read_only):
    """scst_parse_add_repl_param: the lexem `0` consumes one delimiter; the rest is the parameter list."""
    luns = local / LUNS
    if code:
        io.fails(luns / 'mgmt', 'add nd0 0' + suffix, code)
        assert io.entries(luns) == ['mgmt']
        return
    io.ok(luns / 'mgmt', 'add nd0 0' + suffix)
    assert io.read(luns / '0/read_only') == read_only


@pytest.mark.parametrize('prefix', ['  ', '\t', '=', '\n'], ids=['spaces', 'tab', 'eq', 'newline'])
def test_s2_0_lun_leading_separators(local, prefix):
    """scst_get_next_lexem skips every leading blank and `=` before the keyword."""
    io.ok(local / LUNS / 'mgmt', prefix + 'add nd0 3 ')
    assert 'mgmt' in io.entries(local / LUNS) and '3' in io.entries(local / LUNS)


@pytest.mark.parametrize('cmd,code', [
    ('del 0 ', 0), ('del 0  ', 0), ('del 0\t\n', 0), ('del 0;', errno.EINVAL), ('clear ', 0), ('clear  \n', 0),
], ids=['del-one-space', 'del-two-spaces', 'del-tab-newline', 'del-semicolon', 'clear-space', 'clear-blanks'])
def test_s2_0_lun_del_clear_trailing(local, cmd, code):
    """del/clear check "nothing more" with one more lexem, which skips any run of blanks: no token loop."""
    io.ok(local / LUNS / 'mgmt', 'add nd0 0')
    if code:
        io.fails(local / LUNS / 'mgmt', cmd, code)
        assert '0' in io.entries(local / LUNS)
    else:
        io.ok(local / LUNS / 'mgmt', cmd)
        assert io.entries(local / LUNS) == ['mgmt']


# After `add_device nd1` (vdev_parse_add_dev_params): (id, suffix, errno, blocksize of nd1 or None)
ADD_DEVICE_SUFFIXES = [
    ('one-trailing-space', ' ', 0, '512\n'),
    ('two-trailing-spaces', '  ', errno.EINVAL, None),
    ('trailing-tab', '\t', 0, '512\n'),
    ('tab-then-space', '\t ', errno.EINVAL, None),
    ('space-then-newline', ' \n', 0, '512\n'),
    ('semicolon-glued-to-name', ';x', 0, None),
    ('semicolon-glued-then-param', ';blocksize=4096', errno.EINVAL, None),
    ('param-after-two-spaces', '  blocksize=4096', 0, '4096\n[key]\n'),
    ('param-trailing-space', ' blocksize=4096 ', 0, '4096\n[key]\n'),
    ('param-semicolon-blank', ' blocksize=4096; ', errno.EINVAL, None),
    ('param-double-semicolon', ' blocksize=4096;;bogus=1', 0, '4096\n[key]\n'),
    ('param-eq-run', ' blocksize==4096', 0, '4096\n[key]\n'),
    ('param-no-value', ' blocksize', errno.EINVAL, None),
    ('param-eq-no-value', ' blocksize=', errno.EINVAL, None),
]


@pytest.mark.parametrize('suffix,code,blocksize', [c[1:] for c in ADD_DEVICE_SUFFIXES],
                         ids=[c[0] for c in ADD_DEVICE_SUFFIXES])
def test_s2_0_add_device_delimiters(vdisk, suffix, code, blocksize):
    """scst_process_devt_mgmt_store: the device-name lexem consumes one delimiter before the parameters.

    `;` is no lexem separator: `add_device nd1;x` names a device `nd1;x` (scst_check_device_name refuses only
    `/` and `.`), and in `add_device nd1;blocksize=4096` the name is `nd1;blocksize` and `4096` is taken
    for a parameter name."""
    if code:
        io.fails(vdisk / NULLIO, 'add_device nd1' + suffix, code)
        assert not [name for name in io.entries(vdisk / 'devices') if name.startswith('nd1')]
        return
    io.ok(vdisk / NULLIO, 'add_device nd1' + suffix)
    if blocksize is None:
        assert io.read(vdisk / 'devices/nd1;x/blocksize') == '512\n'
    else:
        assert io.read(vdisk / 'devices/nd1/blocksize') == blocksize


@pytest.mark.parametrize('suffix,code,sessions', [
    (' ', 0, []),
    ('  ', 0, []),
    (' session_name=s1 ', 0, ['s1']),
    (' session_name=s1;;session_name=s2', 0, ['s1']),
    (' session_name=s1; ;session_name=s2', 0, ['s1']),
    (' session_name', errno.EINVAL, None),
    (' bogus=s1', errno.EINVAL, None),
], ids=['one-space', 'two-spaces', 'param-space', 'double-semicolon', 'blank-token-ends', 'no-value', 'unknown'])
def test_s2_0_scst_local_add_target_delimiters(local, suffix, code, sessions):
    """scst_local_sysfs_add_target: unlike the core loops, a token without a lexem ENDS the list (break)."""
    if code:
        io.fails(local / LOCAL, 'add_target t2' + suffix, code)
        assert 't2' not in io.entries(local / 'targets/scst_local')
        return
    io.ok(local / LOCAL, 'add_target t2' + suffix)
    assert sorted(io.entries(local / 'targets/scst_local/t2/sessions')) == sessions


INITIATORS = 'targets/scst_local/t1/ini_groups/g1/initiators'


@pytest.mark.parametrize('cmd,code,after', [
    ('add i1 ', 0, ['i1']),
    ('add i1  ', 0, ['i1']),
    ('add i1\t', 0, ['i1']),
    ('add i1\n', 0, ['i1']),
    ('add i1;', 0, ['i1;']),
    ('add i1;;', 0, ['i1;;']),
    ('add==i1', 0, ['i1']),
    ('  add i1', 0, ['i1']),
    ('add i1 extra', 0, ['i1']),
    ('add i1=extra', 0, ['i1']),
    ('add ', errno.EINVAL, []),
    ('add =', errno.EINVAL, []),
    ('add ;', 0, [';']),
], ids=['one-space', 'two-spaces', 'tab', 'newline', 'semicolon-is-a-name-character', 'double-semicolon',
        'eq-run', 'leading-spaces', 'extra-word-ignored', 'eq-ends-name', 'no-name', 'eq-only', 'semicolon-name'])
def test_s2_6_initiator_add_delimiters(local, cmd, code, after):
    """scst_process_acg_ini_mgmt_store: the name is one lexem, whatever follows it is not looked at, and `;`
    is an ordinary character of a name (no token loop here)."""
    io.ok(local / 'targets/scst_local/t1/ini_groups/mgmt', 'create g1')
    if code:
        io.fails(local / INITIATORS / 'mgmt', cmd, code)
    else:
        io.ok(local / INITIATORS / 'mgmt', cmd)
    assert io.entries(local / INITIATORS) == sorted(['mgmt', *after])


@pytest.mark.parametrize('cmd,code', [
    ('move i1 g2 ', 0), ('move i1  g2  ', 0), ('move i1=g2\n', 0), ('move i1 ', errno.EINVAL),
    ('del i1 ', 0), ('del i1\t\t', 0), ('clear ', 0), ('clear junk', 0),
], ids=['move-space', 'move-spaces', 'move-eq-newline', 'move-no-group', 'del-space', 'del-tabs', 'clear-space',
        'clear-ignores-rest'])
def test_s2_6_initiator_move_del_clear_delimiters(local, cmd, code):
    """move/del/clear: lexems only; `clear` does not check for more words (unlike luns/mgmt clear)."""
    io.ok(local / 'targets/scst_local/t1/ini_groups/mgmt', 'create g1')
    io.ok(local / 'targets/scst_local/t1/ini_groups/mgmt', 'create g2')
    io.ok(local / INITIATORS / 'mgmt', 'add i1')
    if code:
        io.fails(local / INITIATORS / 'mgmt', cmd, code)
        assert 'i1' in io.entries(local / INITIATORS)
        return
    io.ok(local / INITIATORS / 'mgmt', cmd)
    assert 'i1' not in io.entries(local / INITIATORS)
    moved = 'i1' in io.entries(local / 'targets/scst_local/t1/ini_groups/g2/initiators')
    assert moved == cmd.startswith('move')


@pytest.mark.parametrize('cmd,code,groups', [
    ('create g1 ', 0, ['g1']),
    ('create g1  ', 0, ['g1']),
    ('create g1\n', 0, ['g1']),
    ('create=g1;', 0, ['g1;']),
    ('\tcreate g1 extra', 0, ['g1']),
    ('create ', errno.EINVAL, []),
], ids=['one-space', 'two-spaces', 'newline', 'eq-then-semicolon-name', 'tab-and-extra-word', 'no-name'])
def test_s2_5_group_create_delimiters(local, cmd, code, groups):
    """scst_process_ini_group_mgmt_store: keyword and name are lexems; nothing after the name is read."""
    mgmt = local / 'targets/scst_local/t1/ini_groups/mgmt'
    if code:
        io.fails(mgmt, cmd, code)
    else:
        io.ok(mgmt, cmd)
    assert io.entries(local / 'targets/scst_local/t1/ini_groups') == sorted(['mgmt', *groups])


@pytest.mark.parametrize('cmd,code,groups', [
    ('create dg1 ', 0, ['dg1']),
    ('create dg1  \t', 0, ['dg1']),
    ('create dg1;', 0, ['dg1;']),
    ('create\ndg1', errno.EINVAL, []),
    ('create dg1\ncreate dg2', 0, ['dg1']),
    ('  add==dg1', 0, ['dg1']),
], ids=['one-space', 'blanks', 'semicolon-name', 'newline-cuts-before-name', 'second-line-ignored', 'eq-run'])
def test_s2_7_device_group_delimiters(local, cmd, code, groups):
    """scst_device_groups_mgmt_store: the text is cut at the first newline, then keyword and name are lexems."""
    if code:
        io.fails(local / 'device_groups/mgmt', cmd, code)
    else:
        io.ok(local / 'device_groups/mgmt', cmd)
    assert io.entries(local / 'device_groups') == sorted(['mgmt', *groups])


@pytest.mark.parametrize('cmd,code', [
    ('del_device nd0 ', 0), ('del_device nd0  ', 0), ('del_device nd0\t\n', 0), ('del_device nd0;', errno.EINVAL),
    ('del_device nd0 x', errno.EINVAL), ('del_device=nd0=', 0),
], ids=['one-space', 'two-spaces', 'tab-newline', 'semicolon-glued', 'extra-word', 'eq-run'])
def test_s2_1_del_device_delimiters(local, cmd, code):
    """scst_process_devt_mgmt_store del_device: one more lexem must be empty (any run of blanks is)."""
    if code:
        io.fails(local / NULLIO, cmd, code)
        assert 'nd0' in io.entries(local / 'devices')
    else:
        io.ok(local / NULLIO, cmd)
        assert 'nd0' not in io.entries(local / 'devices')


ISCSI_IQN = 'iqn.2024-01.test:t1'


@pytest.mark.parametrize('cmd,code,content', [
    (f'add_target_attribute {ISCSI_IQN} IncomingUser joe secretsecret ', 0, 'joe secretsecret'),
    (f'add_target_attribute {ISCSI_IQN} IncomingUser joe secretsecret  \n', 0, 'joe secretsecret'),
    (f'add_target_attribute  {ISCSI_IQN}\tIncomingUser==joe=secretsecret', 0, 'joe secretsecret'),
    (f'add_target_attribute {ISCSI_IQN} IncomingUser joe secretsecret;', 0, 'joe secretsecret;'),
    (f'add_target_attribute {ISCSI_IQN} IncomingUser joe secretsecret;;', 0, 'joe secretsecret;;'),
    (f'add_target_attribute {ISCSI_IQN} IncomingUser joe', errno.EINVAL, None),
    (f'add_target_attribute {ISCSI_IQN} IncomingUser joe=', errno.EINVAL, None),
], ids=['one-space', 'blanks-newline', 'tab-eq-runs', 'semicolon-in-secret', 'double-semicolon-in-secret',
        'no-secret', 'eq-no-secret'])
def test_s6_4_dynamic_attribute_delimiters(iscsi, cmd, code, content):
    """iscsi-scstd handle_e_mgmt_cmd/handle_add_user (config_sep_string, the daemon's copy of
    scst_get_next_lexem): blanks and `=` separate, `;` is part of a word, trailing blanks are harmless."""
    io.ok(iscsi / 'targets/iscsi/mgmt', f'add_target {ISCSI_IQN}')
    user = iscsi / f'targets/iscsi/{ISCSI_IQN}/IncomingUser'
    if code:
        io.fails(iscsi / 'targets/iscsi/mgmt', cmd, code)
        assert not user.exists()
    else:
        io.ok(iscsi / 'targets/iscsi/mgmt', cmd)
        assert io.read(user).split('\n', 1)[0] == content
