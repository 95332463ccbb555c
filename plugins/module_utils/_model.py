# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The SCST configuration model as plain data: its canonical form, its validation and its class lists.

This module is private to this collection: it is not part of the public API and may change without notice.
The model travels through Ansible results, so it is made only of dicts, lists, strings, integers, booleans
and None. ``normalize()`` turns what a user wrote (or what the scst.conf parser or gather produced) into the
one canonical form below, in which two models that mean the same configuration are equal with ``==``;
``validate()`` lists every problem with the path of the option and the value; ``check()`` does both.

Canonical shape (every key is always present; lists are sorted as stated)::

    {
      "attributes": {NAME: VALUE},              # SCST core (/sys/kernel/scst_tgt/NAME)
      "handlers": [                             # sorted by name
        {"name": str, "attributes": {NAME: VALUE},
         "devices": [{"name": str, "attributes": {NAME: VALUE}}]},        # sorted by name
      ],
      "drivers": [                              # sorted by name
        {"name": str, "enabled": True | False | None, "attributes": {NAME: VALUE},
         "targets": [                           # sorted by name
           {"name": str, "hw_target": bool, "enabled": True | False | None, "attributes": {NAME: VALUE},
            "luns": [LUN],                      # the default LUN set, sorted by number
            "groups": [                         # sorted by name
              {"name": str, "attributes": {NAME: VALUE}, "luns": [LUN], "initiators": [str]}]}]}],
      "alua": {NAME: VALUE},                    # the ALUA { } block (device_groups/NAME)
      "device_groups": [                        # sorted by name
        {"name": str, "attributes": {NAME: VALUE}, "devices": [str],
         "target_groups": [                     # sorted by name
           {"name": str, "attributes": {NAME: VALUE},
            "targets": [{"name": str, "attributes": {NAME: VALUE}}]}]}],
    }
    LUN   = {"lun": int, "device": str, "read_only": bool}
    VALUE = str, or a sorted list of distinct str for a multi-valued attribute

Rules of the canonical form:

- ``enabled`` is None when the configuration does not say (scstadmin then leaves the kernel's value, or
  disables the target under ``-force``); it is never stored in ``attributes``. ``hw_target`` is the
  ``HW_TARGET`` flag of scst.conf (False when absent); ``is_hardware_target()`` answers the wider question.
- Attribute values are text. Numbers of known numeric attributes are decimal text (the kernel reads base 0:
  ``0x10`` and ``020`` both become ``16``); known booleans are ``"0"``/``"1"``, iSCSI booleans ``"Yes"``/``"No"``;
  WWNs are lower-case ``xx:xx:xx:xx:xx:xx:xx:xx``. Unknown attributes keep their text (YAML numbers become
  their decimal text, YAML booleans ``"1"``/``"0"``).
- Multi-valued attributes (``MULTI_VALUED``) are always lists, even with one value; any other attribute given
  as a list of several values stays a list (scstadmin passes such a set on as it is); an empty list is dropped.
- Names of qla2x00t targets and initiators are WWPNs in the form above (wildcard patterns are lower-cased).
- ``read_only`` of a LUN is its only creation parameter; False when absent.

Values are compared after normalisation with ``==``; ``normalize_value(level, name, value)`` gives the
canonical text of one attribute value for code that reads values from elsewhere (gather). Levels are
'global', 'handler', 'device', 'driver', 'target', 'group', 'alua', 'device_group', 'target_group' and
'tg_target' (a target inside a target group).

For the layers above: ``index()`` gives keyed indexes of a model (devices, targets, LUNs, initiators, ...)
and ``compare()`` the keys added, removed and changed between two models; ``is_hardware_target()``,
``device_create_attributes()``, ``target_create_attributes()``, ``dynamic_attributes()`` and
``is_multi_valued()`` answer the questions scstadmin asks of an attribute or a target, from the tables below.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.storage.scst.plugins.module_utils._errors import MASK, ScstError
from ansible_collections.storage.scst.plugins.module_utils._secrets import CHAP_ATTRIBUTE, CHAP_NAMES
from ansible_collections.storage.scst.plugins.module_utils._validate import (
    MAX_DEVICE_NAME_BYTES,
    MIN_CHAP_SECRET_LENGTH,
    lun_number,
    name_problem,
)


# Keywords of scst.conf (compared with exact case by scstadmin).
KEYWORDS = ('HANDLER', 'DEVICE', 'TARGET_DRIVER', 'TARGET', 'LUN', 'GROUP', 'INITIATOR', 'DEVICE_GROUP',
            'TARGET_GROUP', 'ALUA', 'HW_TARGET', 'enabled')

# add_device parameters advertised by each handler (the mgmt help of scst_vdisk.c, SCST 3.11). The running kernel's list can
# differ; gather reads it from mgmt and that list wins.
DEVICE_CREATE_ATTRIBUTES = {
    'vdisk_fileio': frozenset(('active', 'async', 'bind_alua_state', 'blocksize', 'cluster_mode', 'dif_filename',
                               'dif_mode', 'dif_static_app_tag', 'dif_type', 'filename', 'numa_node_id', 'nv_cache',
                               'o_direct', 'read_only', 'removable', 'rotational', 'thin_provisioned', 'tst',
                               't10_dev_id', 'write_through')),
    'vdisk_blockio': frozenset(('active', 'bind_alua_state', 'blocksize', 'cluster_mode', 'dif_filename', 'dif_mode',
                                'dif_static_app_tag', 'dif_type', 'filename', 'numa_node_id', 'nv_cache', 'read_only',
                                'removable', 'rotational', 'thin_provisioned', 'tst', 't10_dev_id', 'write_through')),
    'vdisk_nullio': frozenset(('blocksize', 'cluster_mode', 'dif_mode', 'dif_static_app_tag', 'dif_type', 'dummy',
                               'numa_node_id', 'read_only', 'removable', 'rotational', 'size', 'size_mb', 'tst',
                               't10_dev_id')),
    'vcdrom': frozenset(('tst',)),
}
VDISK_HANDLERS = frozenset(DEVICE_CREATE_ATTRIBUTES)
# Pass-through handlers serve existing SCSI devices named H:C:I:L; their add_device takes no parameters.
PASSTHROUGH_HANDLER_PREFIX = 'dev_'

# add_target parameters (the "The following parameters available" line of targets/<driver>/mgmt).
TARGET_CREATE_ATTRIBUTES = {
    'qla2x00t': frozenset(('node_name', 'parent_host')),
    'scst_local': frozenset(('session_name',)),
}
LUN_CREATE_ATTRIBUTES = frozenset(('read_only',))

# Dynamic attributes: added and removed value by value through the driver's mgmt file.
DRIVER_DYNAMIC_ATTRIBUTES = {'iscsi': frozenset(CHAP_NAMES)}
TARGET_DYNAMIC_ATTRIBUTES = {'iscsi': frozenset(CHAP_NAMES + ('allowed_portal',))}

# Attributes that hold a set of values, by level; scst_local lists one session_name per session.
MULTI_VALUED = {
    'driver': {'iscsi': DRIVER_DYNAMIC_ATTRIBUTES['iscsi']},
    'target': {'iscsi': TARGET_DYNAMIC_ATTRIBUTES['iscsi'], 'scst_local': frozenset(('session_name',))},
}

# Drivers without add_target: every target they have is hardware (exists by itself, is never created).
HARDWARE_ONLY_DRIVERS = frozenset(('copy_manager', 'ib_srpt'))
# Drivers whose targets and initiators are FC ports named by WWPN.
FC_DRIVERS = frozenset(('qla2x00t',))
COPY_MANAGER = 'copy_manager'

# Attributes that belong to one level only; using them elsewhere fails in the kernel.
TARGET_ONLY_ATTRIBUTES = frozenset(('allowed_portal', 'rel_tgt_id', 'per_portal_acl'))
READ_ONLY_GLOBAL_ATTRIBUTES = frozenset(('version', 'last_sysfs_mgmt_res', 'trace_cmds', 'trace_mcmds'))
ALUA_STATES = ('active', 'nonoptimized', 'standby', 'unavailable', 'offline', 'transitioning')
TG_TARGET_ATTRIBUTES = frozenset(('rel_tgt_id',))

# How values are read, by level then attribute name (scst_sysfs.c, scst_vdisk.c, iscsi-scst, qla2x00t); names not
# listed are free text.
_INT, _BOOL, _YESNO, _WWN, _STATE = 'int', 'bool', 'yesno', 'wwn', 'state'
_ISCSI_INT = ('QueuedCommands', 'RspTimeout', 'NopInInterval', 'NopInTimeout', 'MaxSessions', 'MaxConnections',
              'MaxRecvDataSegmentLength', 'MaxXmitDataSegmentLength', 'MaxBurstLength', 'FirstBurstLength',
              'MaxOutstandingR2T', 'DefaultTime2Wait', 'DefaultTime2Retain', 'ErrorRecoveryLevel', 'OFMarkInt',
              'IFMarkInt')
_ISCSI_YESNO = ('InitialR2T', 'ImmediateData', 'RDMAExtensions', 'DataPDUInOrder', 'DataSequenceInOrder',
                'OFMarker', 'IFMarker')
VALUE_KINDS = {
    'global': dict([(n, _INT) for n in ('threads', 'setup_id', 'max_tasklet_cmd', 'poll_us', 'suspend')]
                   + [(n, _BOOL) for n in ('force_global_sgv_pool', 'measure_latency', 'async_lun_replace')]),
    'device': dict([(n, _INT) for n in ('blocksize', 'size', 'size_mb', 'numa_node_id', 'threads_num',
                                        'max_tgt_dev_commands', 'opt_trans_len', 'dif_type', 'dif_static_app_tag')]
                   + [(n, _BOOL) for n in ('read_only', 'write_through', 'nv_cache', 'o_direct', 'async',
                                           'thin_provisioned', 'removable', 'rotational', 'tst', 'dummy', 'read_zero',
                                           'active', 'bind_alua_state', 'cluster_mode', 'expl_alua',
                                           'lb_per_pb_exp')]),
    'driver': {'link_local': _BOOL, 'allow_not_connected_copy': _BOOL},
    'target': dict([(n, _INT) for n in ('rel_tgt_id', 'black_hole') + _ISCSI_INT]
                   + [(n, _YESNO) for n in _ISCSI_YESNO]
                   + [(n, _BOOL) for n in ('forward_src', 'forward_dst', 'forwarding', 'aen_disabled',
                                           'per_portal_acl', 'explicit_confirmation')]
                   + [('node_name', _WWN), ('parent_host', _WWN)]),
    'group': {'black_hole': _INT, 'per_sess_dedicated_tgt_threads': _BOOL},
    'target_group': {'group_id': _INT, 'preferred': _BOOL, 'state': _STATE},
    'tg_target': {'rel_tgt_id': _INT},
}

_TRUE_WORDS = frozenset(('1', 'yes', 'y', 'true', 'on'))
_FALSE_WORDS = frozenset(('0', 'no', 'n', 'false', 'off'))
_DECIMAL = re.compile(r'^-?[0-9]+$')
_NUMBER = re.compile(r'^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$')
_WWN_COLON = re.compile(r'^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){7}$')
_WWN_PLAIN = re.compile(r'^(0[xX])?[0-9a-fA-F]{1,16}$')
_GID = re.compile(r'^[0-9a-fA-F]{4}(:[0-9a-fA-F]{4}){7}$')
_HCIL = re.compile(r'^[0-9]+:[0-9]+:[0-9]+:[0-9]+$')
_WILDCARD = re.compile(r'[*?!]')
# Characters that scst.conf cannot carry in a value or that the sysfs write would split.
_UNWRITABLE_VALUE = re.compile(r'["{}\x00-\x1f\x7f]')
_BAD_NAME = re.compile(r'[\s"{}=/;\x00-\x1f\x7f]')


class ModelError(ScstError):
    """A configuration model is malformed or invalid; ``problems`` lists (path, message) pairs."""

    sysfs_failure = False

    def __init__(self, problems):
        self.problems = list(problems)
        super(ModelError, self).__init__('\n'.join(format_problem(p) for p in self.problems))


def format_path(path):
    """Render a path tuple as the option path users write, e.g. ``drivers[0].targets[1].luns[0].device``."""
    text = ''
    for part in path:
        if isinstance(part, int):
            text += '[%d]' % part
        else:
            text += ('.' if text else '') + part
    return text or '(top)'


def format_problem(problem):
    path, message = problem
    return '%s: %s' % (format_path(path), message)


def _q(value):
    return "'%s'" % (value,)


def empty_model():
    """A canonical model that configures nothing."""
    return {'attributes': {}, 'handlers': [], 'drivers': [], 'alua': {}, 'device_groups': []}


# ---------------------------------------------------------------------------------------------------------
# Values

def parse_number(text):
    """The integer the kernel reads from text (kstrto* base 0: 0x hex, leading 0 octal), or None."""
    text = text.strip()
    match = _NUMBER.match(text)
    if not match:
        return None
    sign, digits = match.groups()
    if digits[:2] in ('0x', '0X'):
        number = int(digits[2:], 16)
    elif digits.startswith('0'):
        number = int(digits, 8)
    else:
        number = int(digits)
    return -number if sign == '-' else number


def normalize_wwn(text, pad=True):
    """A WWN/WWPN in SCST's spelling (lower case, colon-separated bytes), or None when text is not one.

    Accepts ``21:00:00:24:FF:31:4C:48``, ``21-00-…``, ``21000024ff314c48`` and the fc_host form ``0x21000024ff314c48``
    (the kernel prints it without zero padding: with pad the number is left-padded to 16 digits). Names a user
    writes are read with pad=False: ``0x1`` is a typing error, not the WWPN 00:00:00:00:00:00:00:01.
    """
    text = text.strip()
    if _WWN_COLON.match(text):
        digits = re.sub('[:-]', '', text)
    elif _WWN_PLAIN.match(text) and (text[:2] in ('0x', '0X') or len(text) == 16):
        digits = text[2:] if text[:2] in ('0x', '0X') else text
        if len(digits) < 16 and not pad:
            return None
        digits = digits.rjust(16, '0')
    else:
        return None
    digits = digits.lower()
    return ':'.join(digits[i:i + 2] for i in range(0, 16, 2))


def name_key(name):
    """How SCST (and the administrator) identifies a target or initiator: a WWN in the colon or dash spelling
    normalize_wwn() reads, or an InfiniBand GID (ib_srpt), in any case; any other name exactly."""
    return name.lower() if _WWN_COLON.match(name) or _GID.match(name) else name


def _scalar_text(value):
    """Text of one YAML scalar; None when the value is not a scalar."""
    if isinstance(value, bool):
        return '1' if value else '0'
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    return None


def value_kind(level, name):
    """The kind of an attribute ('int', 'bool', 'yesno', 'wwn', 'state') or None for free text.

    Kinds do not depend on the driver: every driver that has an attribute of that name reads it the same way.
    """
    return VALUE_KINDS.get(level, {}).get(name)


def normalize_value(level, name, value):
    """Canonical text of one value of attribute ``name`` at ``level`` (see the module docstring).

    Values that do not fit the attribute's kind are returned as text unchanged; validate() reports them.
    Returns None when the value is not a scalar.
    """
    kind = value_kind(level, name)
    if kind == _YESNO and isinstance(value, bool):
        return 'Yes' if value else 'No'
    text = _scalar_text(value)
    if text is None:
        return None
    if kind == _INT:
        number = parse_number(text)
        return text if number is None else str(number)
    if kind in (_BOOL, _YESNO):
        word = text.strip().lower()
        if word not in _TRUE_WORDS and word not in _FALSE_WORDS:
            number = parse_number(word)
            word = str(number) if number in (0, 1) else None
        if word is None:
            return text
        truth = word in _TRUE_WORDS
        if kind == _BOOL:
            return '1' if truth else '0'
        return 'Yes' if truth else 'No'
    if kind == _WWN:
        return normalize_wwn(text, pad=False) or text
    return text


def is_multi_valued(level, name, driver=None):
    """True when the attribute holds a set of values (written as repeated lines in scst.conf)."""
    return name in MULTI_VALUED.get(level, {}).get(driver, ())


def to_bool(value):
    """True/False for YAML booleans, 0/1 and the usual words; None when value is not one of them."""
    if isinstance(value, bool):
        return value
    text = _scalar_text(value)
    if text is None:
        return None
    word = text.strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    return None


def normalize_target_name(driver, name):
    """Target names of FC drivers are WWPNs in SCST's spelling; other names are kept as written."""
    if driver in FC_DRIVERS:
        return normalize_wwn(name, pad=False) or name
    return name


def normalize_initiator(driver, name):
    """FC initiator WWPNs get SCST's spelling; FC wildcard patterns are lower-cased (matching ignores case)."""
    if driver in FC_DRIVERS:
        wwn = normalize_wwn(name, pad=False)
        if wwn:
            return wwn
        if _WILDCARD.search(name):
            return name.lower()
    return name


# ---------------------------------------------------------------------------------------------------------
# Normalisation (structure)

class _Normalizer:
    """Builds the canonical model and remembers, for every object it creates, the user's path to it."""

    def __init__(self):
        self.problems = []
        self.origins = {}

    def fail(self, path, message):
        self.problems.append((path, message))

    def mapping(self, value, path, keys, required=()):
        if value is None:
            value = {}
        if not isinstance(value, dict):
            self.fail(path, 'must be a mapping, not %s' % type(value).__name__)
            return None
        for key in value:
            if key not in keys:
                self.fail(path + (key,), 'is not a known option (known: %s)' % ', '.join(keys))
        for key in required:
            if value.get(key) is None:
                self.fail(path + (key,), 'is required')
        return value

    def sequence(self, value, path):
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, 'must be a list, not %s' % type(value).__name__)
            return []
        return value

    def name(self, value, path):
        if isinstance(value, bool):
            self.fail(path, '%s is a YAML boolean, not a name (yes, no, true, false, on and off unquoted are '
                            'booleans); quote the name if it is meant as text' % _q(value))
            return None
        if value is None:
            self.fail(path, '%s is not a name' % _q(value))
            return None
        if isinstance(value, int):
            return str(value)
        if not isinstance(value, str):
            self.fail(path, 'must be a string, not %s' % type(value).__name__)
            return None
        return value

    def flag(self, value, path, allow_none):
        if value is None and allow_none:
            return None
        truth = to_bool(value)
        if truth is None:
            self.fail(path, '%s is not a boolean' % _q(value))
        return truth

    def attributes(self, value, path, level, driver=None):
        out = {}
        if value is None:
            return out
        if not isinstance(value, dict):
            self.fail(path, 'must be a mapping, not %s' % type(value).__name__)
            return out
        for name, raw in value.items():
            apath = path + (name,)
            if not isinstance(name, str) or not name:
                self.fail(apath, '%s is not an attribute name' % _q(name))
                continue
            values = raw if isinstance(raw, list) else [raw]
            texts = []
            for index, item in enumerate(values):
                text = normalize_value(level, name, item)
                if text is None:
                    self.fail(apath + ((index,) if isinstance(raw, list) else ()),
                              '%s is not a string, number or boolean' % _q(item))
                    continue
                texts.append(text)
            texts = sorted(set(texts))
            if not texts:
                continue
            if is_multi_valued(level, name, driver) or len(texts) > 1:
                out[name] = texts
            else:
                out[name] = texts[0]
            self.origins[(id(out), name)] = apath
        return out

    def keep(self, obj, path):
        self.origins[id(obj)] = path
        return obj

    def lun(self, raw, path):
        if isinstance(raw, dict) and 'attributes' in raw:
            self.fail(path + ('attributes',), 'a LUN has no attributes; its only creation parameter is read_only')
        raw = self.mapping(raw, path, ('lun', 'device', 'read_only'), required=('lun', 'device'))
        if raw is None or raw.get('lun') is None or raw.get('device') is None:
            return None
        number = raw['lun']
        if isinstance(number, bool) or not isinstance(number, int):
            # Text is read as scst_lun and scst_group read it (the scst.conf parser gives integers).
            number, reason = lun_number(number)
            if reason:
                self.fail(path + ('lun',), '%s %s' % (_q(raw['lun']), reason))
                return None
        device = self.name(raw['device'], path + ('device',))
        read_only = self.flag(raw.get('read_only', False), path + ('read_only',), allow_none=False)
        if device is None or read_only is None:
            return None
        return self.keep({'lun': number, 'device': device, 'read_only': read_only}, path)

    def luns(self, raw, path):
        out = [self.lun(item, path + (index,)) for index, item in enumerate(self.sequence(raw, path))]
        return sorted([x for x in out if x is not None], key=lambda x: (x['lun'], x['device']))

    def named_list(self, raw, path, build):
        out = []
        for index, item in enumerate(self.sequence(raw, path)):
            obj = build(item, path + (index,))
            if obj is not None:
                out.append(self.keep(obj, path + (index,)))
        return sorted(out, key=lambda x: x['name'])

    def device(self, raw, path):
        raw = self.mapping(raw, path, ('name', 'attributes'), required=('name',))
        name = raw and self.name(raw.get('name'), path + ('name',))
        if name is None:
            return None
        return {'name': name, 'attributes': self.attributes(raw.get('attributes'), path + ('attributes',), 'device')}

    def handler(self, raw, path):
        raw = self.mapping(raw, path, ('name', 'attributes', 'devices'), required=('name',))
        name = raw and self.name(raw.get('name'), path + ('name',))
        if name is None:
            return None
        return {'name': name,
                'attributes': self.attributes(raw.get('attributes'), path + ('attributes',), 'handler'),
                'devices': self.named_list(raw.get('devices'), path + ('devices',), self.device)}

    def group(self, raw, path, driver):
        raw = self.mapping(raw, path, ('name', 'attributes', 'luns', 'initiators'), required=('name',))
        name = raw and self.name(raw.get('name'), path + ('name',))
        if name is None:
            return None
        initiators = {}
        for index, item in enumerate(self.sequence(raw.get('initiators'), path + ('initiators',))):
            text = self.name(item, path + ('initiators', index))
            if text is not None:
                initiators.setdefault(normalize_initiator(driver, text), path + ('initiators', index))
        group = {'name': name,
                 'attributes': self.attributes(raw.get('attributes'), path + ('attributes',), 'group', driver),
                 'luns': self.luns(raw.get('luns'), path + ('luns',)),
                 'initiators': sorted(initiators)}
        # Initiators are sorted: their errors name the place the user wrote them.
        for initiator, where in initiators.items():
            self.origins[(id(group['initiators']), initiator)] = where
        return group

    def target(self, raw, path, driver):
        raw = self.mapping(raw, path, ('name', 'hw_target', 'enabled', 'attributes', 'luns', 'groups'),
                           required=('name',))
        name = raw and self.name(raw.get('name'), path + ('name',))
        if name is None:
            return None
        return {'name': normalize_target_name(driver, name),
                'hw_target': bool(self.flag(raw.get('hw_target', False), path + ('hw_target',), allow_none=False)),
                'enabled': self.flag(raw.get('enabled'), path + ('enabled',), allow_none=True),
                'attributes': self.attributes(raw.get('attributes'), path + ('attributes',), 'target', driver),
                'luns': self.luns(raw.get('luns'), path + ('luns',)),
                'groups': self.named_list(raw.get('groups'), path + ('groups',),
                                          lambda item, p: self.group(item, p, driver))}

    def driver(self, raw, path):
        raw = self.mapping(raw, path, ('name', 'enabled', 'attributes', 'targets'), required=('name',))
        name = raw and self.name(raw.get('name'), path + ('name',))
        if name is None:
            return None
        return {'name': name,
                'enabled': self.flag(raw.get('enabled'), path + ('enabled',), allow_none=True),
                'attributes': self.attributes(raw.get('attributes'), path + ('attributes',), 'driver', name),
                'targets': self.named_list(raw.get('targets'), path + ('targets',),
                                           lambda item, p: self.target(item, p, name))}

    def tg_target(self, raw, path):
        if isinstance(raw, (str, int)) and not isinstance(raw, bool):
            raw = {'name': raw}
        raw = self.mapping(raw, path, ('name', 'attributes'), required=('name',))
        name = raw and self.name(raw.get('name'), path + ('name',))
        if name is None:
            return None
        return {'name': name, 'attributes': self.attributes(raw.get('attributes'), path + ('attributes',), 'tg_target')}

    def target_group(self, raw, path):
        raw = self.mapping(raw, path, ('name', 'attributes', 'targets'), required=('name',))
        name = raw and self.name(raw.get('name'), path + ('name',))
        if name is None:
            return None
        return {'name': name,
                'attributes': self.attributes(raw.get('attributes'), path + ('attributes',), 'target_group'),
                'targets': self.named_list(raw.get('targets'), path + ('targets',), self.tg_target)}

    def device_group(self, raw, path):
        raw = self.mapping(raw, path, ('name', 'attributes', 'devices', 'target_groups'), required=('name',))
        name = raw and self.name(raw.get('name'), path + ('name',))
        if name is None:
            return None
        devices = set()
        for index, item in enumerate(self.sequence(raw.get('devices'), path + ('devices',))):
            text = self.name(item, path + ('devices', index))
            if text is not None:
                devices.add(text)
        return {'name': name,
                'attributes': self.attributes(raw.get('attributes'), path + ('attributes',), 'device_group'),
                'devices': sorted(devices),
                'target_groups': self.named_list(raw.get('target_groups'), path + ('target_groups',),
                                                 self.target_group)}

    def model(self, raw):
        raw = self.mapping(raw, (), ('attributes', 'handlers', 'drivers', 'alua', 'device_groups'))
        if raw is None:
            return empty_model()
        return {'attributes': self.attributes(raw.get('attributes'), ('attributes',), 'global'),
                'handlers': self.named_list(raw.get('handlers'), ('handlers',), self.handler),
                'drivers': self.named_list(raw.get('drivers'), ('drivers',), self.driver),
                'alua': self.attributes(raw.get('alua'), ('alua',), 'alua'),
                'device_groups': self.named_list(raw.get('device_groups'), ('device_groups',), self.device_group)}


def _normalize(model):
    normalizer = _Normalizer()
    canonical = normalizer.model(model)
    return canonical, normalizer.origins, normalizer.problems


def normalize(model):
    """The canonical form of a model; raises ModelError when its structure is wrong (types, unknown keys)."""
    canonical, dummy, problems = _normalize(model)
    if problems:
        raise ModelError(problems)
    return canonical


# ---------------------------------------------------------------------------------------------------------
# Validation (meaning)

class _Validator:
    def __init__(self, origins):
        self.origins = origins
        self.problems = []

    def where(self, obj, fallback, *rest):
        return self.origins.get(id(obj), fallback) + rest

    def fail(self, path, message):
        self.problems.append((path, message))

    def name(self, value, path, what, kind=None, driver=None, max_bytes=None):
        """The rule of _validate.name_problem() (shared with the modules), and what scst.conf cannot carry.

        Returns True when the name is valid."""
        if not value:
            self.fail(path, 'the %s name is empty' % what)
            return False
        limits = {} if max_bytes is None else {'max_bytes': max_bytes}
        reason = name_problem(value, kind, driver, **limits)
        if reason:
            self.fail(path, '%s is not a valid %s name: it %s' % (_q(value), what, reason))
        elif re.search(r'["{}]', value):
            self.fail(path, '%s is not a valid %s name: names cannot hold quotes or braces (scst.conf cannot carry '
                            'them)' % (_q(value), what))
        else:
            return True
        return False

    def unique(self, objs, fallback, what):
        seen = set()
        for index, obj in enumerate(objs):
            if obj['name'] in seen:
                self.fail(self.where(obj, fallback + (index,), 'name'), '%s %s is given twice' % (what, _q(obj['name'])))
            seen.add(obj['name'])

    def attributes(self, attrs, path, level, reserved=()):
        for name in sorted(attrs):
            apath = self.origins.get((id(attrs), name), path + (name,))
            values = attrs[name] if isinstance(attrs[name], list) else [attrs[name]]
            if name in reserved or name in KEYWORDS:
                self.fail(apath, '%s is a keyword of scst.conf, not an attribute%s' % (
                    _q(name), ' (use the %s option)' % name.lower() if name in ('enabled', 'HW_TARGET', 'hw_target') else ''))
                continue
            if _BAD_NAME.search(name) or '#' in name or '\\' in name or name[0] == '[':
                self.fail(apath, '%s is not a valid attribute name' % _q(name))
                continue
            if level == 'global' and name in READ_ONLY_GLOBAL_ATTRIBUTES:
                self.fail(apath, '%s is read-only' % _q(name))
            if level in ('driver', 'group') and name in TARGET_ONLY_ATTRIBUTES:
                self.fail(apath, '%s is a target attribute, not a %s attribute' % (_q(name), level))
            if level == 'tg_target' and name not in TG_TARGET_ATTRIBUTES:
                self.fail(apath, '%s is not an attribute of a target in a target group (only rel_tgt_id)' % _q(name))
            kind = value_kind(level, name)
            if kind and len(values) > 1:
                self.fail(apath, '%s takes one value, not %d' % (_q(name), len(values)))
            for value in values:
                self.value(apath, value, kind)

    def value(self, path, value, kind):
        if _UNWRITABLE_VALUE.search(value) or ('\\' in value and ' ' in value) or value[:1] == '"':
            self.fail(path, '%s cannot be written to scst.conf: values cannot hold double quotes, braces, tabs, '
                            'newlines or control characters, nor a backslash together with a blank' % _q(value))
        elif kind == _INT and not _DECIMAL.match(value):
            self.fail(path, '%s is not a number' % _q(value))
        elif kind == _BOOL and value not in ('0', '1'):
            self.fail(path, '%s is not 0 or 1' % _q(value))
        elif kind == _YESNO and value not in ('Yes', 'No'):
            self.fail(path, '%s is not Yes or No' % _q(value))
        elif kind == _WWN and value and normalize_wwn(value) != value:
            self.fail(path, '%s is not a WWN (xx:xx:xx:xx:xx:xx:xx:xx)' % _q(value))
        elif kind == _STATE and value not in ALUA_STATES:
            self.fail(path, '%s is not one of %s' % (_q(value), ', '.join(ALUA_STATES)))

    def luns(self, luns, path, devices):
        seen = {}
        for index, lun in enumerate(luns):
            lpath = self.where(lun, path + (index,))
            reason = lun_number(lun['lun'])[1]
            if reason:
                self.fail(lpath + ('lun',), '%d %s' % (lun['lun'], reason))
            if lun['lun'] in seen:
                self.fail(lpath + ('lun',), 'LUN %d is given twice (devices %s and %s)'
                          % (lun['lun'], _q(seen[lun['lun']]), _q(lun['device'])))
            seen[lun['lun']] = lun['device']
            if lun['device'] not in devices:
                self.fail(lpath + ('device',), '%s is not a defined device' % _q(lun['device']))

    def handlers(self, model):
        devices = {}
        for hindex, handler in enumerate(model['handlers']):
            hpath = self.where(handler, ('handlers', hindex))
            self.name(handler['name'], hpath + ('name',), 'handler')
            self.attributes(handler['attributes'], hpath + ('attributes',), 'handler')
            self.unique(handler['devices'], hpath + ('devices',), 'device')
            for dindex, device in enumerate(handler['devices']):
                dpath = self.where(device, hpath + ('devices', dindex))
                self.device(handler['name'], device, dpath)
                if device['name'] in devices and devices[device['name']] != handler['name']:
                    self.fail(dpath + ('name',), 'device %s is also defined under handler %s'
                              % (_q(device['name']), _q(devices[device['name']])))
                devices.setdefault(device['name'], handler['name'])
        self.unique(model['handlers'], ('handlers',), 'handler')
        return devices

    def device(self, handler, device, path):
        name = device['name']
        if handler.startswith(PASSTHROUGH_HANDLER_PREFIX):
            if not _HCIL.match(name):
                self.fail(path + ('name',), '%s is not a SCSI address H:C:I:L, which pass-through handler %s needs'
                          % (_q(name), _q(handler)))
            if device['attributes']:
                self.fail(path + ('attributes',), 'pass-through devices of %s take no attributes' % _q(handler))
            return
        if name.startswith('/dev/'):
            self.fail(path + ('name',), '%s is a path; the device name is %s' % (_q(name), _q(name[5:])))
            return
        self.name(name, path + ('name',), 'device', kind='device',
                  max_bytes=MAX_DEVICE_NAME_BYTES if handler in VDISK_HANDLERS else None)
        self.attributes(device['attributes'], path + ('attributes',), 'device')

    def drivers(self, model, devices):
        self.unique(model['drivers'], ('drivers',), 'driver')
        for dindex, driver in enumerate(model['drivers']):
            dpath = self.where(driver, ('drivers', dindex))
            self.name(driver['name'], dpath + ('name',), 'driver')
            self.attributes(driver['attributes'], dpath + ('attributes',), 'driver', reserved=('enabled',))
            self.chap_secrets(driver['attributes'], dpath + ('attributes',))
            self.unique(driver['targets'], dpath + ('targets',), 'target')
            for tindex, target in enumerate(driver['targets']):
                self.target(driver['name'], target, self.where(target, dpath + ('targets', tindex)), devices)

    def chap_secrets(self, attrs, path):
        """CHAP users ('NAME SECRET') whose secret iscsi-scstd would refuse; the message never shows the secret."""
        for name in sorted(attrs):
            if not CHAP_ATTRIBUTE.match(name):
                continue
            for value in attrs[name] if isinstance(attrs[name], list) else [attrs[name]]:
                words = value.split(' ')
                # A masked secret (copied from a result) is refused as such by the modules.
                if len(words) == 2 and len(words[1]) < MIN_CHAP_SECRET_LENGTH and words[1] != MASK:
                    self.fail(self.origins.get((id(attrs), name), path + (name,)),
                              'the CHAP secret of user %s is shorter than %d characters, which iscsi-scstd refuses'
                              % (_q(words[0]), MIN_CHAP_SECRET_LENGTH))

    def target(self, driver, target, path, devices):
        self.name(target['name'], path + ('name',), 'target', kind='target', driver=driver)
        if driver in FC_DRIVERS and normalize_wwn(target['name']) != target['name']:
            self.fail(path + ('name',), '%s is not a WWPN (xx:xx:xx:xx:xx:xx:xx:xx), which %s target names are'
                      % (_q(target['name']), driver))
        self.attributes(target['attributes'], path + ('attributes',), 'target', reserved=('enabled', 'hw_target'))
        self.chap_secrets(target['attributes'], path + ('attributes',))
        self.luns(target['luns'], path + ('luns',), devices)
        self.unique(target['groups'], path + ('groups',), 'group')
        owner = {}
        for gindex, group in enumerate(target['groups']):
            gpath = self.where(group, path + ('groups', gindex))
            self.name(group['name'], gpath + ('name',), 'group', kind='group')
            self.attributes(group['attributes'], gpath + ('attributes',), 'group')
            self.luns(group['luns'], gpath + ('luns',), devices)
            for iindex, initiator in enumerate(group['initiators']):
                ipath = self.origins.get((id(group['initiators']), initiator), gpath + ('initiators', iindex))
                valid = self.name(initiator, ipath, 'initiator', kind='initiator', driver=driver)
                if valid and driver in FC_DRIVERS and not _WILDCARD.search(initiator) and normalize_wwn(initiator) != initiator:
                    self.fail(ipath, '%s is not a WWPN (xx:xx:xx:xx:xx:xx:xx:xx) nor a wildcard pattern' % _q(initiator))
                if initiator in owner:
                    self.fail(ipath, 'initiator %s is also in group %s of this target; an initiator can be in one group only'
                              % (_q(initiator), _q(owner[initiator])))
                owner.setdefault(initiator, group['name'])

    def device_groups(self, model, devices):
        self.attributes(model['alua'], ('alua',), 'alua')
        self.unique(model['device_groups'], ('device_groups',), 'device group')
        member = {}
        for dindex, dgroup in enumerate(model['device_groups']):
            dpath = self.where(dgroup, ('device_groups', dindex))
            self.name(dgroup['name'], dpath + ('name',), 'device group', kind='device_group')
            self.attributes(dgroup['attributes'], dpath + ('attributes',), 'device_group')
            for index, device in enumerate(dgroup['devices']):
                if device not in devices:
                    self.fail(dpath + ('devices', index), '%s is not a defined device' % _q(device))
                if device in member:
                    self.fail(dpath + ('devices', index), 'device %s is also in device group %s; a device can be in '
                              'one device group only' % (_q(device), _q(member[device])))
                member.setdefault(device, dgroup['name'])
            self.unique(dgroup['target_groups'], dpath + ('target_groups',), 'target group')
            in_tg = {}
            for gindex, tgroup in enumerate(dgroup['target_groups']):
                gpath = self.where(tgroup, dpath + ('target_groups', gindex))
                self.name(tgroup['name'], gpath + ('name',), 'target group', kind='target_group')
                self.attributes(tgroup['attributes'], gpath + ('attributes',), 'target_group')
                for tindex, target in enumerate(tgroup['targets']):
                    tpath = self.where(target, gpath + ('targets', tindex))
                    self.name(target['name'], tpath + ('name',), 'target', kind='target')
                    self.attributes(target['attributes'], tpath + ('attributes',), 'tg_target')
                    if target['name'] in in_tg:
                        self.fail(tpath + ('name',), 'target %s is also in target group %s of this device group'
                                  % (_q(target['name']), _q(in_tg[target['name']])))
                    in_tg.setdefault(target['name'], tgroup['name'])

    def run(self, model):
        self.attributes(model['attributes'], ('attributes',), 'global')
        devices = self.handlers(model)
        self.drivers(model, devices)
        self.device_groups(model, devices)
        return self.problems


def _validate(model, origins=None):
    """Problems of a canonical model, with the paths in origins (the user's paths) where known."""
    return _Validator(origins or {}).run(model)


def validate(model):
    """Every problem of a user-supplied model as (path, message) pairs; an empty list when it is valid."""
    canonical, origins, problems = _normalize(model)
    if problems:
        return problems
    return _validate(canonical, origins)


def check(model):
    """The canonical form of a valid model; raises ModelError listing every problem otherwise."""
    canonical, origins, problems = _normalize(model)
    problems = problems or _validate(canonical, origins)
    if problems:
        raise ModelError(problems)
    return canonical


# ---------------------------------------------------------------------------------------------------------
# Questions the planner asks

def is_hardware_target(driver_name, target):
    """True when the target exists by itself and is never created or deleted (as scstadmin tells them).

    That is: HW_TARGET is set, or the driver cannot create targets, or it is a qla2x00t port that is not an
    NPIV port (NPIV ports are created with node_name and parent_host).
    """
    if target.get('hw_target') or driver_name in HARDWARE_ONLY_DRIVERS:
        return True
    return driver_name in FC_DRIVERS and 'parent_host' not in target.get('attributes', {})


def device_create_attributes(handler):
    """add_device parameters of a handler as SCST 3.11 advertises them (empty for unknown handlers)."""
    return DEVICE_CREATE_ATTRIBUTES.get(handler, frozenset())


def target_create_attributes(driver):
    return TARGET_CREATE_ATTRIBUTES.get(driver, frozenset())


def dynamic_attributes(level, driver):
    """Names of attributes added and removed value by value (level 'driver' or 'target')."""
    table = DRIVER_DYNAMIC_ATTRIBUTES if level == 'driver' else TARGET_DYNAMIC_ATTRIBUTES
    return table.get(driver, frozenset())


def by_name(items):
    """Index a list of named objects by name."""
    return dict((item['name'], item) for item in items)


def index(model):
    """Keyed indexes of a canonical model, for diffing two models kind by kind.

    Keys are tuples of names (LUN numbers for LUNs; group None for the default LUN set); values are the
    objects themselves. Kinds: handlers, devices, drivers, targets, groups, luns, initiators, device_groups,
    dg_devices, target_groups, tg_targets.
    """
    out = dict((kind, {}) for kind in ('handlers', 'devices', 'drivers', 'targets', 'groups', 'luns', 'initiators',
                                       'device_groups', 'dg_devices', 'target_groups', 'tg_targets'))
    for handler in model['handlers']:
        out['handlers'][(handler['name'],)] = handler
        for device in handler['devices']:
            out['devices'][(device['name'],)] = dict(device, handler=handler['name'])
    for driver in model['drivers']:
        out['drivers'][(driver['name'],)] = driver
        for target in driver['targets']:
            tkey = (driver['name'], target['name'])
            out['targets'][tkey] = target
            for lun in target['luns']:
                out['luns'][tkey + (None, lun['lun'])] = lun
            for group in target['groups']:
                out['groups'][tkey + (group['name'],)] = group
                for lun in group['luns']:
                    out['luns'][tkey + (group['name'], lun['lun'])] = lun
                for initiator in group['initiators']:
                    out['initiators'][tkey + (group['name'], initiator)] = initiator
    for dgroup in model['device_groups']:
        out['device_groups'][(dgroup['name'],)] = dgroup
        for device in dgroup['devices']:
            out['dg_devices'][(dgroup['name'], device)] = device
        for tgroup in dgroup['target_groups']:
            out['target_groups'][(dgroup['name'], tgroup['name'])] = tgroup
            for target in tgroup['targets']:
                out['tg_targets'][(dgroup['name'], tgroup['name'], target['name'])] = target
    return out


def compare(old, new):
    """For two canonical models: per kind, the keys only in old, only in new, and in both but different.

    Returns {kind: {'removed': [keys], 'added': [keys], 'changed': [keys]}} with sorted key lists; 'changed'
    compares whole objects, so a target whose LUN changed is 'changed' as well as its LUN.
    """
    old_index, new_index = index(old), index(new)
    out = {}
    for kind in old_index:
        before, after = old_index[kind], new_index[kind]
        out[kind] = {'removed': sorted(set(before) - set(after), key=_sort_key),
                     'added': sorted(set(after) - set(before), key=_sort_key),
                     'changed': sorted([k for k in set(before) & set(after) if before[k] != after[k]], key=_sort_key)}
    return out


def _sort_key(key):
    return tuple((0, '', part) if isinstance(part, int) else (1, part or '', 0) for part in key)
