# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""No CHAP secret reaches the managed host's log: AnsibleModule logs "Invoked with ..." while it is built, before
a module could mask anything, so the secrets inside structured options must be known by then (issue 13: they
reached syslog through scst_config's config and content and scst_target's attributes)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible.module_utils import basic
from ansible_collections.storage.scst.plugins.modules import scst_config, scst_target
from ansible_collections.storage.scst.tests.unit.plugins.modules.module_args import patch_module_args

SECRET = 'lg-Secret-4e7b19c0'
SECOND = 'lg-Second-88aa01f3'


def run_main(main, args, monkeypatch, capsys):
    """Run a module's main(); returns (every text it logged, what it printed)."""
    logged = []
    monkeypatch.setattr(basic.AnsibleModule, 'log', lambda self, msg, log_args=None: logged.append(msg))
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            main()
    assert logged and logged[0].startswith('Invoked with'), logged
    return '\n'.join(logged), capsys.readouterr().out


def assert_hidden(texts, secrets=(SECRET, SECOND)):
    for text in texts:
        for secret in secrets:
            assert secret not in text


ISCSI = {'drivers': [{'name': 'iscsi', 'attributes': {'IncomingUser': ['disc ' + SECOND]},
                      'targets': [{'name': 'iqn.2026-01.com.example:t1',
                                   'attributes': {'IncomingUser': ['joe ' + SECRET]}}]}]}


def test_scst_config_config_is_logged_with_its_secrets_masked(monkeypatch, capsys):
    log, out = run_main(scst_config.main, {'config': ISCSI, 'state': 'rendered'}, monkeypatch, capsys)
    assert_hidden([log, out])
    assert 'iqn.2026-01.com.example:t1' in log and '********' in log
    assert json.loads(out)['rendered']


@pytest.mark.parametrize('line', ['IncomingUser "joe %s"' % SECRET, 'IncomingUser joe %s' % SECRET,
                                  'IncomingUser1 "joe %s"' % SECRET, 'OutgoingUser "out %s"' % SECRET])
def test_scst_config_content_is_logged_with_its_secrets_masked(monkeypatch, capsys, line):
    content = 'TARGET_DRIVER iscsi {\n\tTARGET iqn.2026-01.com.example:t1 {\n\t\t%s\n\t}\n}\n' % line
    log, out = run_main(scst_config.main, {'content': content, 'state': 'parsed'}, monkeypatch, capsys)
    assert_hidden([log, out])
    assert 'TARGET_DRIVER' in log


def test_scst_target_attributes_are_logged_with_their_secrets_masked(monkeypatch, capsys):
    # CHAP users belong in the chap option and are refused in attributes; the refusal must not log them either.
    args = {'driver': 'iscsi', 'name': 'iqn.2026-01.com.example:t1',
            'attributes': {'IncomingUser': ['joe ' + SECRET]}, 'driver_attributes': {'OutgoingUser': 'out ' + SECOND}}
    log, out = run_main(scst_target.main, args, monkeypatch, capsys)
    assert_hidden([log, out])
    assert json.loads(out)['failed']
