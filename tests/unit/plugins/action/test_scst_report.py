# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The report writer on the controller: files, modes, atomic replacement, check mode and refused names."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

from unittest.mock import MagicMock

from ansible_collections.storage.scst.plugins.action.scst_report import ActionModule


def run(args, check_mode=False):
    task = MagicMock(args=args, check_mode=check_mode, async_val=0, action='storage.scst.scst_report')
    connection = MagicMock()
    connection._shell.tmpdir = '/nowhere'  # pylint: disable=protected-access
    action = ActionModule(task, connection, MagicMock(), loader=MagicMock(), templar=None, shared_loader_obj=None)
    return action.run(task_vars={})


def test_writes_each_file_once_with_mode_0644(tmp_path):
    dest = tmp_path / 'reports' / 'fleet'
    result = run(dict(dest=str(dest), name='scst-report', content=dict(md='# r\n', html='<p>r</p>\n')))
    assert result['changed'] and result['files'] == [str(dest / 'scst-report.html'), str(dest / 'scst-report.md')]
    assert (dest / 'scst-report.md').read_text() == '# r\n' and (dest / 'scst-report.html').read_text() == '<p>r</p>\n'
    assert stat.S_IMODE(os.stat(str(dest / 'scst-report.md')).st_mode) == 0o644
    assert sorted(os.listdir(str(dest))) == ['scst-report.html', 'scst-report.md']  # no temporary file left
    again = run(dict(dest=str(dest), name='scst-report', content=dict(md='# r\n', html='<p>changed</p>\n')))
    assert again['changed'] and again['written'] == [str(dest / 'scst-report.html')]
    assert (dest / 'scst-report.html').read_text() == '<p>changed</p>\n'
    same = run(dict(dest=str(dest), name='scst-report', content=dict(md='# r\n', html='<p>changed</p>\n')))
    assert not same['changed'] and same['written'] == []


def test_check_mode_writes_nothing(tmp_path):
    result = run(dict(dest=str(tmp_path / 'new'), name='r', content=dict(md='x')), check_mode=True)
    assert result['changed'] and result['written'] == [str(tmp_path / 'new' / 'r.md')]
    assert not (tmp_path / 'new').exists()


def test_a_path_as_name_or_extension_is_refused_before_writing(tmp_path):
    result = run(dict(dest=str(tmp_path), name='../escape', content=dict(md='x')))
    assert result['failed'] and result['msg'] == "name: '../escape' must be a file name, not a path"
    result = run(dict(dest=str(tmp_path), name='r', content={'md': 'x', '/etc/passwd': 'y'}))
    assert result['failed'] and "content: '/etc/passwd' is not a file extension" == result['msg']
    assert os.listdir(str(tmp_path)) == []


def test_an_unwritable_directory_is_named(tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text('')
    result = run(dict(dest=str(blocker / 'sub'), name='r', content=dict(md='x')))
    assert result['failed'] and result['msg'].startswith('dest: cannot write %s: ' % (blocker / 'sub' / 'r.md'))
