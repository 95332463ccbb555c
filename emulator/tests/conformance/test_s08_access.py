"""SYSFS.md §8: access control with simulated initiator logins (group choice, wildcards, `!`, LUN 0 rule,
session re-evaluation, session dirs §8.5, EBUSY on group delete §2.5)."""

import errno
import fnmatch
import os
import random

import pytest

from scst_emulator.control import ControlError

import conformance_io as io

IQN = 'iqn.2024-01.test:t1'
TGT = f'targets/iscsi/{IQN}'


@pytest.fixture
def ac(iscsi):
    """An enabled iSCSI target (driver enabled) and nullio devices nd0..nd2."""
    for name in ('nd0', 'nd1', 'nd2'):
        io.ok(iscsi / 'handlers/vdisk_nullio/mgmt', f'add_device {name}')
    io.ok(iscsi / 'targets/iscsi/mgmt', f'add_target {IQN}')
    io.ok(iscsi / TGT / 'enabled', '1')
    io.ok(iscsi / 'targets/iscsi/enabled', '1')
    return iscsi


def _configure(emu, default, groups):
    for dev, lun in default:
        io.ok(emu / TGT / 'luns/mgmt', f'add {dev} {lun}')
    for name, inis, luns in groups:
        io.ok(emu / TGT / 'ini_groups/mgmt', f'create {name}')
        for ini in inis:
            io.ok(emu / TGT / 'ini_groups' / name / 'initiators/mgmt', f'add {ini}')
        for dev, lun in luns:
            io.ok(emu / TGT / 'ini_groups' / name / 'luns/mgmt', f'add {dev} {lun}')


def _visible(emu, initiator):
    return sorted((entry['lun'], entry['device']) for entry in emu.visible_luns('iscsi', IQN, initiator))


DEFAULT = [('nd0', 0)]
G1 = [('nd1', 0)]
G2 = [('nd2', 0)]
# (id, default-set LUNs, groups [(name, initiators, LUNs)] in creation order, initiator, expected [(lun, device)],
#  group whose LUN set the session gets or None for the default set)
ACCESS = [
    ('no-groups-default-set', DEFAULT, [], 'iqn.x:a', [(0, 'nd0')], None),
    ('exact-match', DEFAULT, [('g1', ['iqn.x:a'], G1)], 'iqn.x:a', [(0, 'nd1')], 'g1'),
    ('no-match-default', DEFAULT, [('g1', ['iqn.x:a'], G1)], 'iqn.x:b', [(0, 'nd0')], None),
    ('case-insensitive', DEFAULT, [('g1', ['iqn.x:a'], G1)], 'IQN.X:A', [(0, 'nd1')], 'g1'),
    ('star', DEFAULT, [('g1', ['iqn.x:*'], G1)], 'iqn.x:anything', [(0, 'nd1')], 'g1'),
    ('star-empty', DEFAULT, [('g1', ['iqn.x:*'], G1)], 'iqn.x:', [(0, 'nd1')], 'g1'),
    ('star-no-match', DEFAULT, [('g1', ['iqn.x:*'], G1)], 'iqn.y:a', [(0, 'nd0')], None),
    ('question-one-char', DEFAULT, [('g1', ['iqn.x:?'], G1)], 'iqn.x:b', [(0, 'nd1')], 'g1'),
    ('question-not-two', DEFAULT, [('g1', ['iqn.x:?'], G1)], 'iqn.x:bc', [(0, 'nd0')], None),
    ('question-not-zero', DEFAULT, [('g1', ['iqn.x:?'], G1)], 'iqn.x:', [(0, 'nd0')], None),
    ('bang-inverts', DEFAULT, [('g1', ['!iqn.x:a'], G1)], 'iqn.x:b', [(0, 'nd1')], 'g1'),
    ('bang-excludes-named', DEFAULT, [('g1', ['!iqn.x:a'], G1)], 'iqn.x:a', [(0, 'nd0')], None),
    ('bang-with-wildcard', DEFAULT, [('g1', ['!iqn.x:*'], G1)], 'iqn.y:a', [(0, 'nd1')], 'g1'),
    ('bang-with-wildcard-excludes', DEFAULT, [('g1', ['!iqn.x:*'], G1)], 'iqn.x:zz', [(0, 'nd0')], None),
    ('second-bang-is-literal', DEFAULT, [('g1', ['!a!b'], G1)], 'a!b', [(0, 'nd0')], None),
    ('second-bang-is-literal-other', DEFAULT, [('g1', ['!a!b'], G1)], 'ab', [(0, 'nd1')], 'g1'),
    ('wildcard-case-insensitive', DEFAULT, [('g1', ['IQN.X:*'], G1)], 'iqn.x:a', [(0, 'nd1')], 'g1'),
    ('star-middle', DEFAULT, [('g1', ['iqn.*:a'], G1)], 'iqn.2024-01.test:a', [(0, 'nd1')], 'g1'),
    ('star-middle-no-match', DEFAULT, [('g1', ['iqn.*:a'], G1)], 'iqn.2024-01.test:b', [(0, 'nd0')], None),
    ('creation-order-first-wins', DEFAULT, [('g1', ['iqn.x:*'], G1), ('g2', ['iqn.x:a'], G2)], 'iqn.x:a',
     [(0, 'nd1')], 'g1'),
    ('creation-order-not-alphabetical', DEFAULT, [('gz', ['iqn.x:*'], G1), ('ga', ['iqn.x:a'], G2)], 'iqn.x:a',
     [(0, 'nd1')], 'gz'),
    ('second-group-when-first-misses', DEFAULT, [('g1', ['iqn.y:*'], G1), ('g2', ['iqn.x:a'], G2)], 'iqn.x:a',
     [(0, 'nd2')], 'g2'),
    ('group-without-luns-blocks', DEFAULT, [('g1', ['iqn.x:a'], [])], 'iqn.x:a', [], 'g1'),
    ('no-lun-0-no-luns', DEFAULT, [('g1', ['iqn.x:a'], [('nd1', 1), ('nd2', 2)])], 'iqn.x:a', [], 'g1'),
    ('default-without-lun-0', [('nd0', 1)], [], 'iqn.x:a', [], None),
    ('several-luns', [('nd0', 0), ('nd1', 7)], [], 'iqn.x:a', [(0, 'nd0'), (7, 'nd1')], None),
]


@pytest.mark.parametrize('default,groups,initiator,expected,group', [c[1:] for c in ACCESS], ids=[c[0] for c in ACCESS])
def test_s8_2_lun_set_selection(ac, default, groups, initiator, expected, group):
    """§8.2: groups in creation order, first match; `*`, `?`, leading `!`; case-insensitive; LUN 0 rule.
    The session of that initiator links the chosen LUN set (§8.5)."""
    _configure(ac, default, groups)
    assert _visible(ac, initiator) == expected
    session = ac.login('iscsi', IQN, initiator)
    link = io.link(ac / TGT / 'sessions' / session / 'luns')
    assert link == (f'../../ini_groups/{group}/luns' if group else '../../luns')


def test_s8_2_read_only_visible(ac):
    """§8.2/§9: the read_only flag of a LUN (or of the device) is what the initiator sees."""
    io.ok(ac / 'handlers/vdisk_nullio/mgmt', 'add_device ro0 read_only=1')
    _configure(ac, [('nd0', 0), ('nd1', 1), ('ro0', 2)], [])
    io.ok(ac / TGT / 'luns/mgmt', 'replace nd1 1 read_only=1')
    luns = {e['lun']: e['read_only'] for e in ac.visible_luns('iscsi', IQN, 'iqn.x:a')}
    assert luns == {0: False, 1: True, 2: True}


def test_s8_5_session_dir(ac):
    """§8.5: session dir entries and the luns link of a group session."""
    _configure(ac, DEFAULT, [('g1', ['iqn.x:a'], G1)])
    session = ac.login('iscsi', IQN, 'iqn.x:a')
    sess = ac / TGT / 'sessions' / session
    for name in ('initiator_name', 'commands', 'active_commands', 'force_close', 'read_cmd_count', 'latency'):
        assert os.path.exists(sess / name), name
    assert io.mode(sess / 'force_close') == 0o200
    assert io.link(sess / 'luns') == '../../ini_groups/g1/luns'
    other = ac.login('iscsi', IQN, 'iqn.x:b')
    assert io.link(ac / TGT / 'sessions' / other / 'luns') == '../../luns'


REEVALUATE = [  # (id, step on the mgmt files after login, expected luns link of the session)
    ('add-moves-to-group', ['g1/initiators/mgmt:add iqn.x:a'], '../../ini_groups/g1/luns'),
    ('del-moves-back', ['g1/initiators/mgmt:add iqn.x:a', 'g1/initiators/mgmt:del iqn.x:a'], '../../luns'),
    ('move-between-groups', ['g1/initiators/mgmt:add iqn.x:a', 'g1/initiators/mgmt:move iqn.x:a g2'],
     '../../ini_groups/g2/luns'),
    ('clear-moves-back', ['g1/initiators/mgmt:add iqn.x:*', 'g1/initiators/mgmt:clear'], '../../luns'),
]


@pytest.mark.parametrize('steps,expected', [r[1:] for r in REEVALUATE], ids=[r[0] for r in REEVALUATE])
def test_s8_2_session_reevaluation(ac, steps, expected):
    """§2.6/§8.2: after each initiator change existing sessions are re-evaluated (luns link re-created)."""
    _configure(ac, DEFAULT, [('g1', [], G1), ('g2', [], G2)])
    session = ac.login('iscsi', IQN, 'iqn.x:a')
    assert io.link(ac / TGT / 'sessions' / session / 'luns') == '../../luns'
    for step in steps:
        rel, cmd = step.split(':', 1)
        io.ok(ac / TGT / 'ini_groups' / rel, cmd)
    assert io.link(ac / TGT / 'sessions' / session / 'luns') == expected


def test_s2_5_del_group_with_session_ebusy(ac):
    """§2.5/§2.8: deleting a group that has sessions -> EBUSY; after logout it succeeds."""
    _configure(ac, DEFAULT, [('g1', ['iqn.x:a'], G1)])
    session = ac.login('iscsi', IQN, 'iqn.x:a')
    io.fails(ac / TGT / 'ini_groups/mgmt', 'del g1', errno.EBUSY)
    assert os.path.isdir(ac / TGT / 'ini_groups/g1')
    ac.logout('iscsi', IQN, session)
    io.ok(ac / TGT / 'ini_groups/mgmt', 'del g1')


def test_s2_5_del_group_forcibly_close_sessions(emu):
    """§2.5: with scst forcibly_close_sessions=1 the sessions are closed and the group deleted."""
    emu.modprobe('scst', forcibly_close_sessions=1)
    emu.modprobe('scst_vdisk')
    emu.modprobe('iscsi_scst')
    emu.iscsi_start()
    io.ok(emu / 'targets/iscsi/mgmt', f'add_target {IQN}')
    io.ok(emu / TGT / 'enabled', '1')
    io.ok(emu / 'targets/iscsi/enabled', '1')
    _configure(emu, [], [('g1', ['iqn.x:a'], [])])
    emu.login('iscsi', IQN, 'iqn.x:a')
    io.ok(emu / TGT / 'ini_groups/mgmt', 'del g1')
    assert io.entries(emu / TGT / 'sessions') == []


def test_s6_3_login_needs_enabled_target(ac):
    """§6.3: disabling a target stops new logins; existing sessions stay."""
    session = ac.login('iscsi', IQN, 'iqn.x:a')
    io.ok(ac / TGT / 'enabled', '0')
    with pytest.raises(ControlError):
        ac.login('iscsi', IQN, 'iqn.x:b')
    assert io.entries(ac / TGT / 'sessions') == [session]


def test_s6_3_login_needs_enabled_driver(ac):
    """§6.3: the driver must be enabled to accept any connection."""
    io.ok(ac / 'targets/iscsi/enabled', '0')
    with pytest.raises(ControlError):
        ac.login('iscsi', IQN, 'iqn.x:a')
    assert io.entries(ac / TGT / 'sessions') == []


def test_s6_8_del_target_with_sessions_ebusy(ac):
    """§6.8/§2.3: iSCSI del_target fails EBUSY while sessions exist; force_close then del_target works."""
    session = ac.login('iscsi', IQN, 'iqn.x:a')
    io.fails(ac / 'targets/iscsi/mgmt', f'del_target {IQN}', errno.EBUSY)
    io.ok(ac / TGT / 'sessions' / session / 'force_close', '1')
    assert io.entries(ac / TGT / 'sessions') == []
    io.ok(ac / 'targets/iscsi/mgmt', f'del_target {IQN}')
    assert not os.path.exists(ac / TGT)


def test_s6_8_per_portal_acl_names(ac):
    """§6.6: per_portal_acl=1 -> SCST sees the initiator as IQN#PORTAL_IP (group entries match that)."""
    io.ok(ac / TGT / 'per_portal_acl', '1')
    _configure(ac, DEFAULT, [('g1', ['iqn.x:a#10.0.0.1'], G1)])
    luns = ac.visible_luns('iscsi', IQN, 'iqn.x:a', '10.0.0.1')
    assert [(e['lun'], e['device']) for e in luns] == [(0, 'nd1')]
    luns = ac.visible_luns('iscsi', IQN, 'iqn.x:a', '10.0.0.2')
    assert [(e['lun'], e['device']) for e in luns] == [(0, 'nd0')]


def test_s8_5_session_lun_dirs(ac):
    """§8.5: one lunN dir per LUN of the session's set, with active_commands, thread_pid, thread_index."""
    _configure(ac, [('nd0', 0), ('nd1', 3)], [])
    session = ac.login('iscsi', IQN, 'iqn.x:a')
    sess = ac / TGT / 'sessions' / session
    for lun in ('lun0', 'lun3'):
        for name in ('active_commands', 'thread_pid', 'thread_index'):
            assert os.path.exists(sess / lun / name), f'{lun}/{name}'
    assert not os.path.exists(sess / 'lun1')


def test_s8_5_session_counters_reset(ac):
    """§8.5: session statistics counters are 0644 and any write resets them."""
    session = ac.login('iscsi', IQN, 'iqn.x:a')
    path = ac / TGT / 'sessions' / session / 'read_cmd_count'
    assert io.mode(path) == 0o644
    io.ok(path, '0')
    assert io.read(path) == '0\n'


def test_s8_5_initiator_name(ac):
    """§8.5: initiator_name of the session."""
    session = ac.login('iscsi', IQN, 'iqn.x:a')
    assert io.read(ac / TGT / 'sessions' / session / 'initiator_name').split('\n', 1)[0] == 'iqn.x:a'


def test_appendix_c_bare_initiator_einval(ac):
    """Appendix C: a bare initiator name written to initiators/mgmt (README example) fails EINVAL."""
    io.ok(ac / TGT / 'ini_groups/mgmt', 'create g1')
    io.fails(ac / TGT / 'ini_groups/g1/initiators/mgmt', 'iqn.x:a', errno.EINVAL)
    assert io.entries(ac / TGT / 'ini_groups/g1/initiators') == ['mgmt']


def test_s8_5_latency_dir(ac):
    """§8.5: sessions/<s>/latency/ with n512, r512, w512, b512 ... up to *524288."""
    session = ac.login('iscsi', IQN, 'iqn.x:a')
    names = set(io.entries(ac / TGT / 'sessions' / session / 'latency'))
    assert {'n512', 'r512', 'w512', 'b512'} <= names
    assert any(name.endswith('524288') for name in names)


def test_s8_5_session_lun_dirs_follow_changes(ac):
    """§8.5/§9: LUNs added to or removed from the session's set (also by del_device) show up in its lunN dirs."""
    _configure(ac, [('nd0', 0)], [('g1', ['iqn.x:g'], [('nd1', 0)])])
    plain = ac / TGT / 'sessions' / ac.login('iscsi', IQN, 'iqn.x:a')
    grouped = ac / TGT / 'sessions' / ac.login('iscsi', IQN, 'iqn.x:g')
    io.ok(ac / TGT / 'luns/mgmt', 'add nd2 5')
    assert os.path.isdir(plain / 'lun5') and not os.path.exists(grouped / 'lun5')
    io.ok(ac / 'handlers/vdisk_nullio/mgmt', 'del_device nd2')
    assert not os.path.exists(plain / 'lun5')
    io.ok(ac / TGT / 'ini_groups/g1/luns/mgmt', 'add nd0 7')
    assert os.path.isdir(grouped / 'lun7') and not os.path.exists(plain / 'lun7')
    assert sorted((e['lun'], e['device']) for e in ac.visible_luns('iscsi', IQN, 'iqn.x:g')) == [(0, 'nd1'), (7, 'nd0')]


def _spec_match(pattern, name):
    """§8.2 reference: case-insensitive, `*` any sequence, `?` one character, a leading `!` inverts."""
    if pattern.startswith('!'):
        return not _spec_match(pattern[1:], name)
    return fnmatch.fnmatchcase(name.lower(), pattern.lower())


def test_s8_2_wildcard_randomized(ac):
    """§8.2: 150 random patterns (`*`, `?`, letters, optional leading `!`) against random initiator names:
    the initiator gets the group's LUN set exactly when the reference matcher says so."""
    rng = random.Random(8_2)
    _configure(ac, DEFAULT, [('g1', [], G1)])
    mgmt = ac / TGT / 'ini_groups/g1/initiators/mgmt'
    mismatches = []
    for dummy in range(150):
        pattern = ''.join(rng.choice('aAb:*?') for dummy in range(rng.randint(1, 6)))
        if rng.random() < 0.3:
            pattern = '!' + pattern
        io.ok(mgmt, 'clear')
        io.ok(mgmt, f'add {pattern}')
        for dummy in range(4):
            name = ''.join(rng.choice('aAbB:') for dummy in range(rng.randint(1, 6)))
            got = _visible(ac, name) == [(0, 'nd1')]
            if got != _spec_match(pattern, name):
                mismatches.append((pattern, name, got))
    assert not mismatches
