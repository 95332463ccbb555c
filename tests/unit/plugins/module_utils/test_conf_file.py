# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_conf_file: scst.conf written atomically in its own directory, 0600 from creation, backups too; the round
trip check that guards what is written."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

from ansible_collections.storage.scst.plugins.module_utils import _conf, _conf_file

MODEL = {'handlers': [{'name': 'vdisk_nullio', 'devices': [{'name': 'disk01'}]}],
         'drivers': [{'name': 'iscsi', 'enabled': True, 'targets': [
             {'name': 'iqn.2026-01.com.example:t1', 'enabled': True,
              'attributes': {'IncomingUser': ['joe Secret-0123456789']}, 'luns': [{'lun': 0, 'device': 'disk01'}]}]}]}


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_file_is_0600_and_holds_the_text(tmp_path):
    path = str(tmp_path / 'scst.conf')
    text = _conf.render(MODEL)
    os.umask(0o022)
    assert _conf_file.write(path, text) == {'changed': True, 'backup_file': None, 'before': None}
    assert mode(path) == 0o600
    with open(path) as handle:
        assert handle.read() == text
    # Nothing else is left in the directory (the temporary file was renamed, not copied).
    assert os.listdir(str(tmp_path)) == ['scst.conf']


def test_same_text_and_mode_is_unchanged_and_wrong_mode_is_fixed(tmp_path):
    path = str(tmp_path / 'scst.conf')
    text = _conf.render(MODEL)
    _conf_file.write(path, text)
    inode = os.stat(path).st_ino
    assert _conf_file.write(path, text)['changed'] is False
    assert os.stat(path).st_ino == inode
    os.chmod(path, 0o644)
    assert _conf_file.write(path, text)['changed'] is True
    assert mode(path) == 0o600


def test_replacement_is_a_new_inode_and_backup_is_0600(tmp_path):
    path = str(tmp_path / 'scst.conf')
    with open(path, 'w') as handle:
        handle.write('# old\n')
    os.chmod(path, 0o644)
    inode = os.stat(path).st_ino
    result = _conf_file.write(path, _conf.render(MODEL), backup=True)
    assert result['changed'] and os.stat(path).st_ino != inode
    assert result['before'] == '# old\n'
    backup = result['backup_file']
    assert os.path.dirname(backup) == str(tmp_path) and backup.endswith('~')
    assert mode(backup) == 0o600
    with open(backup) as handle:
        assert handle.read() == '# old\n'


def test_check_mode_writes_nothing(tmp_path):
    path = str(tmp_path / 'scst.conf')
    assert _conf_file.write(path, _conf.render(MODEL), check_mode=True) == {'changed': True, 'backup_file': None, 'before': None}
    assert not os.path.exists(path)


def test_round_trip_accepts_rendered_text_and_refuses_other_text_without_quoting_it():
    assert _conf_file.round_trip_problem(_conf.render(MODEL)) is None
    problem = _conf_file.round_trip_problem('HANDLER vdisk_nullio {\n\tDEVICE disk01 {\n}\n# Secret-0123456789\n')
    assert problem and 'Secret-0123456789' not in problem
