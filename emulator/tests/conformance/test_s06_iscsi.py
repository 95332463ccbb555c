"""SYSFS.md §6 (iSCSI driver and iscsi-scstd), §2.3 iscsi rows, §3.1 daemon-attribute extra blank line."""

import errno
import os

import pytest

import conformance_io as io

IQN = 'iqn.2024-01.test:t1'
MGMT = 'targets/iscsi/mgmt'
TGT = f'targets/iscsi/{IQN}'
ISCSI_HELP = (
    'Usage: echo "add_target target_name [parameters]" >mgmt\n'
    '       echo "del_target target_name" >mgmt\n'
    '       echo "add_attribute <attribute> <value>" >mgmt\n'
    '       echo "del_attribute <attribute> <value>" >mgmt\n'
    '       echo "add_target_attribute target_name <attribute> <value>" >mgmt\n'
    '       echo "del_target_attribute target_name <attribute> <value>" >mgmt\n'
    '\n'
    "where parameters are one or more param_name=value pairs separated by ';'\n"
    '\n'
    'The following target driver attributes available: IncomingUser, OutgoingUser\n'
    'The following target attributes available: IncomingUser, OutgoingUser, allowed_portal\n'
    '\n'
)
DAEMON_DRIVER_ATTRS = ('enabled', 'iSNSServer', 'isns_entity_name', 'link_local', 'internal_portal')
DAEMON_TARGET_ATTRS = ('per_portal_acl', 'redirect', 'alias', 'InitialR2T', 'ImmediateData',
                       'MaxRecvDataSegmentLength', 'MaxXmitDataSegmentLength', 'MaxBurstLength', 'FirstBurstLength',
                       'MaxOutstandingR2T', 'HeaderDigest', 'DataDigest', 'RDMAExtensions', 'QueuedCommands',
                       'RspTimeout', 'NopInInterval', 'NopInTimeout', 'MaxSessions')


@pytest.fixture
def nodaemon(emu):
    emu.modprobe('iscsi_scst')
    return emu


@pytest.fixture
def tgt(iscsi):
    io.ok(iscsi / MGMT, f'add_target {IQN}')
    return iscsi


def test_s6_1_without_daemon(nodaemon):
    """§6.1/§6.7: without iscsi-scstd: kernel entries only, open_state closed, no daemon attributes."""
    drv = nodaemon / 'targets/iscsi'
    assert {'mgmt', 'version', 'open_state'} <= set(io.entries(drv))
    assert io.read(drv / 'open_state') == 'closed\n'
    assert io.read(drv / 'version').startswith('3.11.0-pre\n')
    for name in DAEMON_DRIVER_ATTRS:
        assert not os.path.exists(drv / name), name


# (del_target / add_target_attribute of a name are left out: without the daemon no iSCSI target can exist, and
# §2.8 lists ENOENT for an unknown target as well as EPERM for an absent daemon.)
NO_DAEMON_EPERM = [f'add_target {IQN}', 'add_target x QueuedCommands=8', 'add_attribute IncomingUser joe secretsecret12',
                   'del_attribute IncomingUser joe', f'frobnicate {IQN}']


@pytest.mark.parametrize('cmd', NO_DAEMON_EPERM)
def test_s6_7_eperm_without_daemon(nodaemon, cmd):
    """§6.7/§2.8: every iSCSI mgmt operation fails EPERM while the daemon is not running."""
    io.fails(nodaemon / MGMT, cmd, errno.EPERM)


def test_s6_7_eperm_bash(nodaemon):
    """§6.7 through bash: 'Operation not permitted'."""
    rc, err = io.echo(nodaemon / MGMT, f'add_target {IQN}')
    assert rc == 1 and 'Operation not permitted' in err


def test_s6_1_with_daemon(iscsi):
    """§6.1/§6.3: daemon attributes appear, open_state open, driver enabled reads "0\\n\\n"."""
    drv = iscsi / 'targets/iscsi'
    assert io.read(drv / 'open_state') == 'open\n'
    for name in DAEMON_DRIVER_ATTRS:
        assert io.mode(drv / name) == 0o644, name
    assert io.read(drv / 'enabled') == '0\n\n'
    assert io.read(drv / 'mgmt') == ISCSI_HELP


def test_s6_2_add_target_layout(tgt):
    """§6.1/§6.2: new target disabled, tid, daemon attributes with defaults (extra blank line §3.1)."""
    tdir = tgt / TGT
    assert io.read(tdir / 'enabled') == '0\n'
    assert io.mode(tdir / 'tid') == 0o444
    assert io.read(tdir / 'tid').strip().isdigit()
    for name in DAEMON_TARGET_ATTRS:
        assert io.mode(tdir / name) == 0o644, name
    assert io.read(tdir / 'QueuedCommands') == '32\n'
    assert io.read(tdir / 'InitialR2T') == 'No\n'
    assert io.read(tdir / 'ImmediateData') == 'Yes\n'
    assert io.read(tdir / 'HeaderDigest') == 'None\n'
    assert io.read(tdir / 'MaxRecvDataSegmentLength') == '1048576\n'
    assert io.read(tdir / 'FirstBurstLength') == '65536\n'
    assert io.read(tdir / 'MaxSessions') == '0\n'


ADD_TARGET = [  # (id, command, errno, {attribute: content})
    ('plain', f'add_target {IQN}', 0, {}),
    ('keyword-upper', f'ADD_TARGET {IQN}', 0, {}),
    ('queued-commands', f'add_target {IQN} QueuedCommands=64', 0, {'QueuedCommands': '64\n[key]\n\n'}),
    ('key-case-insensitive', f'add_target {IQN} queuedcommands=64', 0, {'QueuedCommands': '64\n[key]\n\n'}),
    ('two-params', f'add_target {IQN} QueuedCommands=64;InitialR2T=Yes', 0,
     {'QueuedCommands': '64\n[key]\n\n', 'InitialR2T': 'Yes\n[key]\n\n'}),
    ('hex-number', f'add_target {IQN} QueuedCommands=0x40', 0, {'QueuedCommands': '64\n[key]\n\n'}),
    ('digest', f'add_target {IQN} HeaderDigest=crc32c', 0, {'HeaderDigest': 'CRC32C\n[key]\n\n'}),
    ('session-keys', f'add_target {IQN} MaxConnections=1;DataPDUInOrder=Yes', 0, {}),
    ('space-separated-key', f'add_target {IQN} QueuedCommands 64', 0, {'QueuedCommands': '64\n[key]\n\n'}),
    ('newline-separated', f'add_target {IQN} QueuedCommands=64\nInitialR2T=Yes', 0,
     {'QueuedCommands': '64\n[key]\n\n', 'InitialR2T': 'Yes\n[key]\n\n'}),
    ('digest-list', f'add_target {IQN} DataDigest=None,CRC32C', 0, {'DataDigest': 'None,CRC32C\n[key]\n\n'}),
    ('mrdsl-512', f'add_target {IQN} MaxRecvDataSegmentLength=512', 0,
     {'MaxRecvDataSegmentLength': '512\n[key]\n\n'}),
    ('mrdsl-511', f'add_target {IQN} MaxRecvDataSegmentLength=511', errno.EINVAL, None),
    ('mrdsl-too-big', f'add_target {IQN} MaxRecvDataSegmentLength=1048577', errno.EINVAL, None),
    ('queued-2048', f'add_target {IQN} QueuedCommands=2048', 0, {'QueuedCommands': '2048\n[key]\n\n'}),
    ('queued-0', f'add_target {IQN} QueuedCommands=0', errno.EINVAL, None),
    ('queued-2049', f'add_target {IQN} QueuedCommands=2049', errno.EINVAL, None),
    ('rsp-timeout-1', f'add_target {IQN} RspTimeout=1', errno.EINVAL, None),
    ('bool-case-sensitive', f'add_target {IQN} InitialR2T=yes', errno.EINVAL, None),
    ('bad-digest', f'add_target {IQN} DataDigest=md5', errno.EINVAL, None),
    ('unknown-key', f'add_target {IQN} Bogus=1', errno.EINVAL, None),
    ('allowed_portal-not-here', f'add_target {IQN} allowed_portal=10.*', errno.EINVAL, None),
    ('missing-name', 'add_target', errno.EINVAL, None),
]


@pytest.mark.parametrize('cmd,code,attrs', [c[1:] for c in ADD_TARGET], ids=[c[0] for c in ADD_TARGET])
def test_s6_2_add_target(iscsi, cmd, code, attrs):
    """§6.2: parameters, ranges, Yes/No case-sensitive, unknown keys EINVAL (target not created)."""
    if code:
        io.fails(iscsi / MGMT, cmd, code)
        assert not os.path.exists(iscsi / TGT)
        return
    io.ok(iscsi / MGMT, cmd)
    for attr, content in attrs.items():
        assert io.read(iscsi / TGT / attr) == content, attr


# The session keys iscsi-scstd keeps without a file (iscsi-scst/usr/param.c session_keys, show_in_sysfs 0;
# ctldev.c kernel_target_create makes files only for the others) with the only values config_parse_main lets
# through add_target: num_check_val bounds the numbers to [min, max]; or_ops and and_ops have no check_val, so
# both Yes and No pass even where max is 0; marker_ops has no str_to_val, so any word passes.
UNSHOWN_ACCEPTED = {'MaxConnections': '1', 'DefaultTime2Wait': '0', 'DefaultTime2Retain': '0', 'ErrorRecoveryLevel': '0',
                    'DataPDUInOrder': 'Yes', 'DataSequenceInOrder': 'No', 'OFMarker': 'Yes', 'IFMarker': 'No',
                    'OFMarkInt': '9', 'IFMarkInt': 'x'}
UNSHOWN_REFUSED = {'MaxConnections': '2', 'DefaultTime2Wait': '1', 'DefaultTime2Retain': '20', 'ErrorRecoveryLevel': '1',
                   'DataPDUInOrder': '1', 'OFMarker': 'yes'}


@pytest.mark.parametrize('key', sorted(UNSHOWN_ACCEPTED))
def test_s6_2_session_key_only_at_creation(iscsi, key):
    """config_parse_main takes every session key in add_target, but the unshown ones get no file: after
    creation there is nothing to read or write (ENOENT), and add_target_attribute refuses them (event.c
    handle_add_attr knows only the CHAP users and allowed_portal: EINVAL)."""
    io.ok(iscsi / MGMT, f'add_target {IQN} {key}={UNSHOWN_ACCEPTED[key]}')
    assert key not in os.listdir(iscsi / TGT)
    io.fails(iscsi / TGT / key, UNSHOWN_ACCEPTED[key], errno.ENOENT)
    io.fails(iscsi / MGMT, f'add_target_attribute {IQN} {key} {UNSHOWN_ACCEPTED[key]}', errno.EINVAL)


@pytest.mark.parametrize('key', sorted(UNSHOWN_REFUSED))
def test_s6_2_session_key_out_of_range(iscsi, key):
    """num_check_val (out of [min, max]) and bool_str_to_val (not exactly Yes/No) make add_target fail: EINVAL."""
    io.fails(iscsi / MGMT, f'add_target {IQN} {key}={UNSHOWN_REFUSED[key]}', errno.EINVAL)
    assert not os.path.exists(iscsi / TGT)


TARGET_MGMT = [  # (id, command, errno) on a driver with target IQN
    ('duplicate', f'add_target {IQN}', errno.EEXIST),
    ('del-unknown', 'del_target iqn.2024-01.test:none', errno.ENOENT),
    ('del-extra-token', f'del_target {IQN} x', errno.EINVAL),
    ('del-missing-name', 'del_target', errno.EINVAL),
    ('del-wrong-case', f'del_target {IQN.upper()}', errno.ENOENT),
    ('unknown-command', f'frob {IQN}', errno.EINVAL),
    ('add_target_attribute-unknown-iqn', 'add_target_attribute iqn.none IncomingUser joe secretsecret12', errno.ENOENT),
]


@pytest.mark.parametrize('cmd,code', [c[1:] for c in TARGET_MGMT], ids=[c[0] for c in TARGET_MGMT])
def test_s6_2_target_mgmt_errors(tgt, cmd, code):
    """§6.2/§2.8 iSCSI errno: EEXIST, ENOENT, EINVAL."""
    io.fails(tgt / MGMT, cmd, code)
    assert os.path.isdir(tgt / TGT)


def test_s6_2_del_target(tgt):
    """§2.3/§6: del_target of an iSCSI target without sessions removes it."""
    io.ok(tgt / MGMT, f'del_target {IQN}')
    assert not os.path.exists(tgt / TGT)


ENABLE = [  # §6.3 (driver: daemon, exact 0/1; target: core, first char)
    ('targets/iscsi/enabled', '1', 0, '1\n\n'),
    ('targets/iscsi/enabled', '1\n', 0, '1\n\n'),
    ('targets/iscsi/enabled', ' 1 \n', 0, '1\n\n'),
    ('targets/iscsi/enabled', '2', errno.EINVAL, '0\n\n'),
    ('targets/iscsi/enabled', 'yes', errno.EINVAL, '0\n\n'),
    ('targets/iscsi/enabled', '10', errno.EINVAL, '0\n\n'),
    (f'{TGT}/enabled', '1', 0, '1\n'),
    (f'{TGT}/enabled', '0', 0, '0\n'),
    (f'{TGT}/enabled', '2', errno.EINVAL, '0\n'),
]


@pytest.mark.parametrize('rel,value,code,after', ENABLE, ids=[f'{e[0].split("/")[-2]}={e[1]!r}' for e in ENABLE])
def test_s6_3_enabled(tgt, rel, value, code, after):
    """§6.3: driver enabled (daemon, reads with extra blank line) and target enabled (core)."""
    if code:
        io.fails(tgt / rel, value, code)
    else:
        io.ok(tgt / rel, value)
    assert io.read(tgt / rel) == after


def test_s6_3_target_enable_twice_ok(tgt):
    """§6.3: writing the current value again succeeds (unlike qla2x00t)."""
    io.ok(tgt / TGT / 'enabled', '1')
    io.ok(tgt / TGT / 'enabled', '1')
    io.ok(tgt / TGT / 'enabled', '0')
    io.ok(tgt / TGT / 'enabled', '0')


JOE = 'joe secretsecret\n[key]\n\n'
ADD_JOE = f'add_target_attribute {IQN} IncomingUser joe secretsecret'
CHAP = [  # (id, setup, command, errno, every user file of the target or of the driver: content or None)
    ('incoming', [], ADD_JOE, 0, {'IncomingUser': JOE}),
    ('secret-11-chars', [], f'add_target_attribute {IQN} IncomingUser joe secretsecre', errno.EINVAL, {}),
    ('missing-secret', [], f'add_target_attribute {IQN} IncomingUser joe', errno.EINVAL, {}),
    ('second-user-numbered', [ADD_JOE], f'add_target_attribute {IQN} IncomingUser ann secretsecret', 0,
     {'IncomingUser': JOE, 'IncomingUser1': 'ann secretsecret\n[key]\n\n'}),
    ('same-user-twice', [ADD_JOE], f'add_target_attribute {IQN} IncomingUser joe othersecret12', errno.EINVAL,
     {'IncomingUser': JOE}),
    ('outgoing', [], f'add_target_attribute {IQN} OutgoingUser tgt secretsecret', 0,
     {'OutgoingUser': 'tgt secretsecret\n[key]\n\n'}),
    ('second-outgoing', [f'add_target_attribute {IQN} OutgoingUser tgt secretsecret'],
     f'add_target_attribute {IQN} OutgoingUser tg2 secretsecret', errno.EEXIST, {'OutgoingUser': None}),
    ('del-incoming', [ADD_JOE], f'del_target_attribute {IQN} IncomingUser joe', 0, {}),
    ('del-by-name-ignores-digits', [ADD_JOE, f'add_target_attribute {IQN} IncomingUser ann secretsecret'],
     f'del_target_attribute {IQN} IncomingUser5 ann', 0, {'IncomingUser': JOE}),
    ('del-unknown-user', [ADD_JOE], f'del_target_attribute {IQN} IncomingUser nobody', errno.ENOENT,
     {'IncomingUser': JOE}),
    ('del-unknown-iqn', [ADD_JOE], 'del_target_attribute iqn.none IncomingUser joe', errno.ENOENT,
     {'IncomingUser': JOE}),
    ('discovery-incoming', [], 'add_attribute IncomingUser joe secretsecret', 0, {'IncomingUser': JOE}),
    ('discovery-short-secret', [], 'add_attribute IncomingUser joe short', errno.EINVAL, {}),
    ('discovery-del', ['add_attribute IncomingUser joe secretsecret'], 'del_attribute IncomingUser joe', 0, {}),
    ('discovery-del-unknown', [], 'del_attribute IncomingUser joe', errno.ENOENT, {}),
    ('discovery-second-outgoing', ['add_attribute OutgoingUser tgt secretsecret'],
     'add_attribute OutgoingUser tg2 secretsecret', errno.EEXIST, {'OutgoingUser': None}),
]


@pytest.mark.parametrize('setup,cmd,code,files', [c[1:] for c in CHAP], ids=[c[0] for c in CHAP])
def test_s6_4_chap(tgt, setup, cmd, code, files):
    """§6.4: CHAP users: secret >= 12, numbered files, duplicate name EINVAL, second OutgoingUser EEXIST,
    delete by name (ENOENT when unknown); files 0600 with `NAME SECRET\\n[key]\\n\\n`."""
    for step in setup:
        io.ok(tgt / MGMT, step)
    if code:
        io.fails(tgt / MGMT, cmd, code)
    else:
        io.ok(tgt / MGMT, cmd)
    driver_level = cmd.startswith(('add_attribute', 'del_attribute'))
    where = tgt / ('targets/iscsi' if driver_level else TGT)
    users = {e for e in io.entries(where) if e.startswith(('IncomingUser', 'OutgoingUser'))}
    assert users == set(files)
    for name, content in files.items():
        assert io.mode(where / name) == 0o600
        if content is not None:
            assert io.read(where / name) == content


PORTALS = [  # (id, setup, command, errno, allowed_portal files)
    ('add', [], f'add_target_attribute {IQN} allowed_portal 10.*', 0, {'allowed_portal': '10.*\n[key]\n\n'}),
    ('second-pattern', [f'add_target_attribute {IQN} allowed_portal 10.*'],
     f'add_target_attribute {IQN} allowed_portal 192.168.?.1', 0,
     {'allowed_portal': '10.*\n[key]\n\n', 'allowed_portal1': '192.168.?.1\n[key]\n\n'}),
    ('two-values', [], f'add_target_attribute {IQN} allowed_portal 10.* 11.*', errno.EINVAL, {}),
    ('same-twice', [f'add_target_attribute {IQN} allowed_portal 10.*'],
     f'add_target_attribute {IQN} allowed_portal 10.*', errno.EINVAL, {'allowed_portal': '10.*\n[key]\n\n'}),
    ('del', [f'add_target_attribute {IQN} allowed_portal 10.*'], f'del_target_attribute {IQN} allowed_portal 10.*',
     0, {}),
    ('del-unknown', [], f'del_target_attribute {IQN} allowed_portal 10.*', errno.EINVAL, {}),
    ('driver-level', [], 'add_attribute allowed_portal 10.*', errno.EINVAL, {}),
]


@pytest.mark.parametrize('setup,cmd,code,files', [c[1:] for c in PORTALS], ids=[c[0] for c in PORTALS])
def test_s6_5_allowed_portal(tgt, setup, cmd, code, files):
    """§6.5: allowed_portal files, one value, duplicates and unknown deletes EINVAL, not at driver level."""
    for step in setup:
        io.ok(tgt / MGMT, step)
    if code:
        io.fails(tgt / MGMT, cmd, code)
    else:
        io.ok(tgt / MGMT, cmd)
    present = {e for e in io.entries(tgt / TGT) if e.startswith('allowed_portal')}
    assert present == set(files)
    for name, content in files.items():
        assert io.read(tgt / TGT / name) == content
    assert not os.path.exists(tgt / 'targets/iscsi/allowed_portal')


DAEMON_ATTRS = [  # §6.6 (attribute, value, errno, content)
    ('QueuedCommands', '64', 0, '64\n[key]\n\n'),
    ('QueuedCommands', '32', 0, '32\n'),
    ('QueuedCommands', '0', errno.EINVAL, '32\n'),
    ('QueuedCommands', '64 65', errno.EINVAL, '32\n'),
    ('QueuedCommands', '0x10', 0, '16\n[key]\n\n'),
    ('InitialR2T', 'Yes', 0, 'Yes\n[key]\n\n'),
    ('HeaderDigest', 'CRC32C', 0, 'CRC32C\n[key]\n\n'),
    ('HeaderDigest', 'crc32c,none', 0, 'None,CRC32C\n[key]\n\n'),
    ('HeaderDigest', 'md5', errno.EINVAL, 'None\n'),
    ('NopInInterval', '0', 0, '0\n[key]\n\n'),
    ('NopInTimeout', '1', errno.EINVAL, '30\n'),
    ('MaxSessions', '65536', errno.EINVAL, '0\n'),
    ('InitialR2T', 'YES', errno.EINVAL, 'No\n'),
    ('per_portal_acl', '1', 0, '1\n[key]\n\n'),
    ('per_portal_acl', '2', errno.EINVAL, '0\n\n'),
]


@pytest.mark.parametrize('attr,value,code,after', DAEMON_ATTRS, ids=[f'{d[0]}={d[1]}' for d in DAEMON_ATTRS])
def test_s6_6_daemon_attributes(tgt, attr, value, code, after):
    """§6.6/§3.1: parameter attributes written through the daemon; [key] and the extra blank line."""
    path = tgt / TGT / attr
    if code:
        io.fails(path, value, code)
    else:
        io.ok(path, value)
    assert io.read(path) == after


def test_s6_2_default_keyword_resets(tgt):
    """§6.2: `:default:` resets a parameter to its default."""
    path = tgt / TGT / 'QueuedCommands'
    io.ok(path, '64')
    io.ok(path, ':default:')
    assert io.read(path) == '32\n'


def test_s6_2_add_target_with_incoming_user(iscsi):
    """§6.2: add_target accepts `IncomingUser NAME SECRET` in its parameter list; Alias is ignored."""
    io.ok(iscsi / MGMT, f'add_target {IQN} IncomingUser joe secretsecret;Alias=ignored')
    assert io.read(iscsi / TGT / 'IncomingUser').split('\n', 1)[0] == 'joe secretsecret'
    assert io.read(iscsi / TGT / 'alias').split('\n', 1)[0] == ''


def test_s6_7_daemon_stop_deletes_targets(tgt):
    """§6.7/§5: when iscsi-scstd exits all iSCSI targets and daemon attributes go; ops fail EPERM again."""
    io.ok(tgt / TGT / 'enabled', '1')
    io.ok(tgt / MGMT, 'add_attribute IncomingUser joe secretsecret')
    assert os.path.exists(tgt / 'targets/iscsi/IncomingUser')
    tgt.iscsi_stop()
    drv = tgt / 'targets/iscsi'
    assert not os.path.exists(tgt / TGT)
    assert not os.path.exists(drv / 'IncomingUser')
    assert io.read(drv / 'open_state') != 'open\n'
    for name in DAEMON_DRIVER_ATTRS:
        assert not os.path.exists(drv / name), name
    io.fails(drv / 'mgmt', f'add_target {IQN}', errno.EPERM)
    tgt.iscsi_start()
    assert io.read(drv / 'open_state') == 'open\n'
    assert [e for e in io.entries(drv) if e.startswith('iqn.')] == []


def test_s6_7_second_daemon_refused(iscsi):
    """§6.7: only one opener of the control device."""
    from scst_emulator.control import ControlError, attach_iscsi_daemon  # pylint: disable=import-outside-toplevel
    with pytest.raises(ControlError):
        attach_iscsi_daemon(iscsi.sock).close()


def test_s6_4_direct_user_file_write(tgt):
    """§6.4: writing a user file directly replaces that entry (no 12-char check); a NAME used by another
    entry -> EEXIST."""
    io.ok(tgt / MGMT, ADD_JOE)
    io.ok(tgt / MGMT, f'add_target_attribute {IQN} IncomingUser ann secretsecret')
    io.ok(tgt / TGT / 'IncomingUser1', 'bob short')
    assert io.read(tgt / TGT / 'IncomingUser1') == 'bob short\n[key]\n\n'
    io.fails(tgt / TGT / 'IncomingUser1', 'joe whatever', errno.EEXIST)
    assert io.read(tgt / TGT / 'IncomingUser1') == 'bob short\n[key]\n\n'


def test_s6_2_name_truncated_to_255(iscsi):
    """§6.2/§11: iSCSI target names are truncated to 255 bytes (no IQN validation)."""
    name = 'iqn.2024-01.test:' + 'x' * 300
    io.ok(iscsi / MGMT, f'add_target {name}')
    assert os.path.isdir(iscsi / 'targets/iscsi' / name[:255])


def test_s6_2_no_iqn_validation(iscsi):
    """§6.2: no IQN syntax validation."""
    io.ok(iscsi / MGMT, 'add_target not-an-iqn')
    assert os.path.isdir(iscsi / 'targets/iscsi/not-an-iqn')


def test_appendix_c_bare_iqn_einval(iscsi):
    """Appendix C: writing a bare IQN to targets/iscsi/mgmt (README example) fails EINVAL."""
    io.fails(iscsi / MGMT, IQN, errno.EINVAL)
    assert not os.path.exists(iscsi / TGT)


def test_s2_5_iscsi_group_attr(tgt):
    """§2.5/§3.8: iSCSI ini groups get per_sess_dedicated_tgt_threads ("%d\\n", [key] if 1, nonzero -> 1)."""
    io.ok(tgt / TGT / 'ini_groups/mgmt', 'create g1')
    path = tgt / TGT / 'ini_groups/g1/per_sess_dedicated_tgt_threads'
    assert io.read(path) == '0\n'
    io.ok(path, '5')
    assert io.read(path) == '1\n[key]\n'


OTHER_ATTRS = [  # §6.6 (path relative to the driver dir, value, errno, expected first line)
    (f'{IQN}/redirect', '10.0.0.9:3261 temp', 0, '10.0.0.9:3261 temp'),
    (f'{IQN}/redirect', '10.0.0.9 perm', 0, '10.0.0.9 perm'),
    (f'{IQN}/redirect', '[fe80::1]:3261 temp', 0, '[fe80::1]:3261 temp'),
    (f'{IQN}/redirect', '10.0.0.9 sometimes', errno.EINVAL, ''),
    (f'{IQN}/alias', 'my target', 0, 'my target'),
    ('link_local', '0', 0, '0'),
    ('link_local', '1', 0, '1'),
    ('internal_portal', '10.0.0.1 10.0.0.2', 0, '10.0.0.1 10.0.0.2'),
    ('internal_portal', 'not-an-ip', errno.EINVAL, ''),
    ('iSNSServer', '10.0.0.5', 0, '10.0.0.5'),
    ('isns_entity_name', 'entity1', 0, 'entity1'),
    ('link_local', '7', errno.EINVAL, '1'),
]


@pytest.mark.parametrize('rel,value,code,first', OTHER_ATTRS, ids=[f'{o[0].rsplit("/", 1)[-1]}={o[1]}' for o in OTHER_ATTRS])
def test_s6_6_other_daemon_attributes(tgt, rel, value, code, first):
    """§6.6: redirect (ADDR[:PORT] temp|perm), alias, link_local 0/1 (default 1)."""
    path = tgt / 'targets/iscsi' / rel
    if code:
        io.fails(path, value, code)
    else:
        io.ok(path, value)
    # (trailing blanks of the daemon text are not specified: iSNSServer prints "HOST <access-control>")
    assert io.read(path).split('\n', 1)[0].rstrip() == first


def test_s6_6_redirect_clear(tgt):
    """§6.6: empty redirect clears it."""
    path = tgt / TGT / 'redirect'
    io.ok(path, '10.0.0.9 temp')
    assert '[key]' in io.read(path)
    io.ok(path, '\n')
    assert io.read(path).split('\n', 1)[0] == '' and '[key]' not in io.read(path)


PORTAL_LOGIN = [  # §6.5: (patterns, portal, login allowed)
    ([], '192.168.1.1', True),
    (['10.*'], '10.1.2.3', True),
    (['10.*'], '192.168.1.1', False),
    (['10.0.0.?'], '10.0.0.7', True),
    (['10.0.0.?'], '10.0.0.17', False),
    (['!10.*'], '192.168.1.1', True),
    (['!10.*'], '10.1.2.3', False),
    (['10.*', '192.168.*'], '192.168.1.1', True),
    (['FE80::*'], 'fe80::1', True),
]


@pytest.mark.parametrize('patterns,portal,allowed', PORTAL_LOGIN,
                         ids=[f'{"+".join(p) or "none"}@{q}' for p, q, _a in PORTAL_LOGIN])
def test_s6_5_allowed_portal_login(tgt, patterns, portal, allowed):
    """§6.5: allowed_portal patterns (`*`, `?`, leading `!`) decide on which portals the target is reachable."""
    from scst_emulator.control import ControlError  # pylint: disable=import-outside-toplevel
    for pattern in patterns:
        io.ok(tgt / MGMT, f'add_target_attribute {IQN} allowed_portal {pattern}')
    io.ok(tgt / TGT / 'enabled', '1')
    io.ok(tgt / 'targets/iscsi/enabled', '1')
    if allowed:
        session = tgt.login('iscsi', IQN, 'iqn.x:a', portal)
        assert os.path.isdir(tgt / TGT / 'sessions' / session)
    else:
        with pytest.raises(ControlError):
            tgt.login('iscsi', IQN, 'iqn.x:a', portal)
        assert io.entries(tgt / TGT / 'sessions') == []


def test_s6_8_same_initiator_twice(tgt):
    """§6.8: a `_N` suffix is added when the same initiator name is connected twice."""
    io.ok(tgt / TGT / 'enabled', '1')
    io.ok(tgt / 'targets/iscsi/enabled', '1')
    first = tgt.login('iscsi', IQN, 'iqn.x:a')
    second = tgt.login('iscsi', IQN, 'iqn.x:a')
    assert first == 'iqn.x:a'
    assert second != first and second.startswith('iqn.x:a_')
    assert io.entries(tgt / TGT / 'sessions') == sorted([first, second])


def test_s5_isert_rdma_extensions_default(emu):
    """§5/§6.2: isert-scst needs iscsi-scst; with it loaded RDMAExtensions defaults to Yes."""
    emu.modprobe('isert_scst')
    assert os.path.isdir(emu.module / 'iscsi_scst')
    emu.iscsi_start()
    io.ok(emu / MGMT, f'add_target {IQN}')
    assert io.read(emu / TGT / 'RDMAExtensions') == 'Yes\n'


def test_s6_1_tid_unique(iscsi):
    """§6.1: each iSCSI target has its own tid (`%u\\n`, 0444)."""
    for name in ('iqn.2024-01.test:a', 'iqn.2024-01.test:b'):
        io.ok(iscsi / MGMT, f'add_target {name}')
    tids = {io.read(iscsi / 'targets/iscsi' / name / 'tid') for name in ('iqn.2024-01.test:a', 'iqn.2024-01.test:b')}
    assert len(tids) == 2 and all(t.strip().isdigit() and t.endswith('\n') for t in tids)
