# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Load order, parameter comparison and the boot-time file edits of scst_module."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.storage.scst.plugins.module_utils import _kmod
from ansible_collections.storage.scst.plugins.module_utils._kmod_backend import ModuleFailure, validate


def test_load_order_sorts_scst_dependencies_and_keeps_unknown_last():
    names = ['qla2x00tgt', 'foo', 'qla2xxx_scst', 'scst-vdisk', 'scst', 'iscsi_scst', 'bar']
    assert _kmod.load_order(names) == ['scst', 'scst_vdisk', 'iscsi_scst', 'qla2xxx_scst', 'qla2x00tgt', 'foo', 'bar']


def test_load_order_removes_duplicates_after_canonicalising_dashes():
    assert _kmod.load_order(['scst_vdisk', 'scst-vdisk', 'scst']) == ['scst', 'scst_vdisk']


def test_boot_order_keeps_the_given_order_but_puts_dependencies_first():
    assert _kmod.boot_order(['scst', 'scst_vdisk', 'qla2xxx_scst', 'qla2x00tgt', 'iscsi_scst']) == \
        ['scst', 'scst_vdisk', 'qla2xxx_scst', 'qla2x00tgt', 'iscsi_scst']
    assert _kmod.boot_order(['qla2x00tgt', 'iscsi-scst', 'qla2xxx_scst', 'scst']) == \
        ['scst', 'qla2xxx_scst', 'qla2x00tgt', 'iscsi_scst']


def test_dependents_are_listed_in_unload_order():
    loaded = {'scst', 'scst_vdisk', 'qla2xxx_scst', 'qla2x00tgt', 'iscsi_scst', 'isert_scst'}
    assert _kmod.dependents('qla2xxx_scst', loaded) == ['qla2x00tgt']
    assert _kmod.dependents('iscsi_scst', loaded) == ['isert_scst']
    users = _kmod.dependents('scst', loaded)
    assert set(users) == {'scst_vdisk', 'qla2x00tgt', 'iscsi_scst', 'isert_scst'}
    assert users.index('isert_scst') < users.index('iscsi_scst')


@pytest.mark.parametrize('running, wanted, same', [
    ('disabled', 'disabled', True),
    ('disabled', 'DISABLED', True),
    ('exclusive', 'disabled', False),
    ('Y', True, True),
    ('Y', 'yes', True),
    ('N', '1', False),
    ('N', 0, True),
    ('8', 8, True),
])
def test_same_param_compares_as_the_kernel_shows_values(running, wanted, same):
    assert _kmod.same_param(running, wanted) is same


def test_complaints_ignore_taint_notice_but_catch_unknown_parameter():
    lines = ['scst: loading out-of-tree module taints kernel.',
             "qla2xxx_scst: unknown parameter 'foo' ignored",
             'iscsi-scst: Registered iSCSI transport']
    assert _kmod.complaints(lines) == ["qla2xxx_scst: unknown parameter 'foo' ignored"]


def test_format_params_quotes_values_with_blanks_and_spells_booleans_as_the_kernel():
    assert _kmod.format_params({'b': 'x y', 'a': True, 'c': 3}) == ['a=Y', 'b="x y"', 'c=3']


def test_module_list_adds_missing_names_and_keeps_comments_and_other_modules():
    text = '# /etc/modules: kernel modules to load at boot time.\nloop\nscst'
    after = _kmod.edit_module_list(text, ['scst', 'scst_vdisk'], present=True)
    assert after == '# /etc/modules: kernel modules to load at boot time.\nloop\nscst\nscst_vdisk\n'
    assert _kmod.edit_module_list(after, ['scst', 'scst_vdisk'], present=True) == after


def test_module_list_removal_drops_only_the_named_modules():
    text = 'loop\nscst\nscst-vdisk # comment\niscsi_scst\n'
    assert _kmod.edit_module_list(text, ['scst_vdisk', 'iscsi_scst'], present=False) == 'loop\nscst\n'


def test_options_file_sets_replaces_and_removes_lines_per_module():
    text = _kmod.edit_options('', {'qla2xxx_scst': {'qlini_mode': 'disabled'}}, present=True)
    assert text == _kmod.HEADER + 'options qla2xxx_scst qlini_mode=disabled\n'
    text = _kmod.edit_options(text, {'scst': {'scst_threads': 4}}, present=True)
    assert 'options qla2xxx_scst qlini_mode=disabled\n' in text and 'options scst scst_threads=4\n' in text
    text = _kmod.edit_options(text, {'qla2xxx_scst': {'qlini_mode': 'dual'}}, present=True)
    assert _kmod.persisted_options(text) == {'qla2xxx_scst': {'qlini_mode': 'dual'}, 'scst': {'scst_threads': '4'}}
    text = _kmod.edit_options(text, {'qla2xxx_scst': {}, 'scst': {}}, present=True)
    assert text == ''


def test_persisted_options_last_value_wins_and_quotes_are_stripped():
    text = 'options qla2xxx_scst qlini_mode="exclusive"\noptions qla2xxx-scst qlini_mode=disabled ql2xextended_error_logging=1\n'
    assert _kmod.persisted_options(text) == {'qla2xxx_scst': {'qlini_mode': 'disabled', 'ql2xextended_error_logging': '1'}}


def test_is_loaded_and_running_params_read_sys_module(tmp_path):
    params = tmp_path / 'qla2xxx_scst' / 'parameters'
    params.mkdir(parents=True)
    (tmp_path / 'qla2xxx_scst' / 'initstate').write_text('live\n')
    (params / 'qlini_mode').write_text('disabled\n')
    (tmp_path / 'builtin').mkdir()
    assert _kmod.is_loaded(str(tmp_path), 'qla2xxx_scst')
    assert not _kmod.is_loaded(str(tmp_path), 'builtin')
    assert not _kmod.is_loaded(str(tmp_path), 'absent')
    assert _kmod.running_params(str(tmp_path), 'qla2xxx_scst') == {'qlini_mode': 'disabled'}


# modprobe.d runs its `install` lines as root: a parameter value must never become a line of its own. A form
# feed once did, because the file was read back with str.splitlines(), which also breaks at \f (issue 13).
INJECTION = 'install scst_vdisk /bin/touch /tmp/PWNED #'


@pytest.mark.parametrize('separator', ['\f', '\v', '\x1c', '\x1d', '\x1e', '\x85', '\u2028', '\u2029', '\n', '\r'])
def test_values_that_some_reader_splits_into_lines_are_refused(separator):
    value = '4' + separator + INJECTION
    with pytest.raises(ModuleFailure) as info:
        validate(['scst'], {'scst': {'scst_threads': value}})
    assert 'params.scst.scst_threads' in info.value.msg and repr(separator) in info.value.msg


@pytest.mark.parametrize('value', ['a"b', 'a\\', 'x # y', 'a\tb', 'a\x00b', 'caf\u00e9', '\u200b'])
def test_values_outside_the_options_grammar_are_refused(value):
    with pytest.raises(ModuleFailure) as info:
        validate(['scst'], {'scst': {'p': value}})
    assert 'params.scst.p' in info.value.msg


@pytest.mark.parametrize('value', ['disabled', '4', '1,2,3', 'a b', "it's", '/dev/sda', 'x=y'])
def test_ordinary_values_are_accepted(value):
    validate(['scst'], {'scst': {'p': value}})


@pytest.mark.parametrize('separator', ['\f', '\v', '\x85', '\u2028'])
def test_a_line_holding_a_line_break_character_is_read_back_as_one_line(separator):
    # A file written by an older version or by hand: its odd line must not grow a second options line.
    text = _kmod.HEADER + 'options scst scst_threads=4' + separator + INJECTION + '\n'
    after = _kmod.edit_options(text, {'scst': {'scst_threads': 8}}, present=True)
    assert after == _kmod.HEADER + 'options scst scst_threads=8\n'
    assert INJECTION not in _kmod.persisted_options(text).get('scst', {}).values()
    modules = _kmod.edit_module_list('loop' + separator + INJECTION + '\n', ['scst'], present=True)
    assert modules == 'loop' + separator + INJECTION + '\nscst\n'


def test_options_file_of_someone_else_is_edited_line_by_line():
    vendor = '# Vendor tuning, do not remove\n\noptions lpfc lpfc_enable_fc4_type=3\noptions qla2xxx_scst ql2xmaxqdepth=64\n'
    after = _kmod.edit_options(vendor, {'qla2xxx_scst': {'qlini_mode': 'disabled'}}, present=True)
    assert after == ('# Vendor tuning, do not remove\n\noptions lpfc lpfc_enable_fc4_type=3\n'
                     'options qla2xxx_scst qlini_mode=disabled\n')
    assert _kmod.HEADER not in after
    assert _kmod.edit_options(after, {'qla2xxx_scst': {}}, present=False) == \
        '# Vendor tuning, do not remove\n\noptions lpfc lpfc_enable_fc4_type=3\n'


def test_options_file_the_collection_owns_keeps_an_admins_comment():
    owned = _kmod.HEADER + '# ticket 4711\noptions scst scst_threads=4\n'
    assert _kmod.edit_options(owned, {'scst': {'scst_threads': 8}}, present=True) == \
        _kmod.HEADER + '# ticket 4711\noptions scst scst_threads=8\n'
