# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""scst_config's own logic: where the desired model comes from, which secrets are masked, what is read."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.storage.scst.plugins.module_utils import _secrets
from ansible_collections.storage.scst.plugins.module_utils._conf import ConfError
from ansible_collections.storage.scst.plugins.module_utils._model import check
from ansible_collections.storage.scst.plugins.module_utils._plan import PlanError
from ansible_collections.storage.scst.plugins.modules import scst_config


class FakeModule(object):
    def __init__(self, **params):
        self.params = dict(config=None, src=None, content=None, compat='strict')
        self.params.update(params)
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)


ISCSI = {'drivers': [{'name': 'iscsi', 'attributes': {'IncomingUser': ['disc secretdiscovery'], 'OutgoingUser': 'out secretout1-12'},
                      'targets': [{'name': 'iqn.2026-01.com.example:t1',
                                   'attributes': {'IncomingUser': ['joe 12charsecret', 'ann 14charsecret2'],
                                                  'allowed_portal': ['10.0.0.1']}}]}]}


def test_chap_secrets_are_found_at_driver_and_target_level_and_only_there():
    assert _secrets.in_model(check(ISCSI)) == {'secretdiscovery', 'secretout1-12', '12charsecret', '14charsecret2'}
    assert _secrets.in_model(ISCSI) == {'secretdiscovery', 'secretout1-12', '12charsecret', '14charsecret2'}
    assert _secrets.in_model(None) == set()


def test_numbered_chap_attributes_are_secrets_too():
    # sysfs numbers a second user IncomingUser1; a model copied from sysfs names may carry that spelling.
    model = {'drivers': [{'name': 'iscsi', 'targets': [{'name': 't', 'attributes': {'IncomingUser1': 'ann numberedsecret1'}}]}]}
    assert _secrets.in_model(model) == {'numberedsecret1'}
    assert scst_config.secrets_in({'config': model, 'content': '\tOutgoingUser2 "out textsecret22"\n'}) == \
        {'numberedsecret1', 'textsecret22'}


def test_config_errors_name_the_option_path():
    module = FakeModule(config={'drivers': [{'name': 'iscsi', 'targets': [{'name': 'iqn.2026-01.x:y', 'luns': [{'lun': 0, 'device': 'nodev'}]}]}]})
    with pytest.raises(PlanError) as refused:
        scst_config.desired_model(module)
    assert refused.value.details['problems'] == ["config.drivers[0].targets[0].luns[0].device: 'nodev' is not a defined device"]


def test_content_is_parsed_strictly_with_line_numbers_or_as_scstadmin_with_warnings():
    text = 'HANDLER vdisk_nullio {\n\tDEVICE n1 {\n\t\tsize_mb 8 }\n}\n'
    with pytest.raises(ConfError) as refused:
        scst_config.desired_model(FakeModule(content=text))
    assert [issue['line'] for issue in refused.value.to_dict()['issues']] == [3]
    assert refused.value.to_dict()['msg'].startswith('content cannot be read: content:3:')
    module = FakeModule(content=text, compat='scstadmin')
    model = scst_config.desired_model(module)
    assert model['handlers'][0]['devices'] == [{'name': 'n1', 'attributes': {}}]
    assert len(module.warnings) == 1 and 'content:3:' in module.warnings[0]


def test_no_source_is_the_empty_model():
    assert scst_config.desired_model(FakeModule()) == check({})


@pytest.mark.parametrize('state, recreate, config, scope', [
    ('merged', 'never', ISCSI, {'drivers': ['iscsi']}),
    ('replaced', 'never', {'handlers': [{'name': 'vdisk_nullio'}]}, {'drivers': []}),
    ('merged', 'options-changed', ISCSI, {}),
    ('overridden', 'never', ISCSI, {}),
    ('deleted', 'never', ISCSI, {}),
    ('deleted', 'never', {}, {}),
])
def test_scope_reads_only_what_the_run_may_touch(state, recreate, config, scope):
    assert scst_config.scope_for(state, check(config), recreate) == scope


def test_src_that_is_not_scst_conf_is_refused_without_showing_it(tmp_path):
    # A task pointed at the wrong file must not copy that file into the job output (issue 13: a shadow file).
    shadow = tmp_path / 'shadow'
    shadow.write_text('root:$6$Zx9qsalt$hashhashhash:19700:0:99999:7:::\ndaemon:*:19700:0:99999:7:::\n')
    with pytest.raises(PlanError) as refused:
        scst_config.desired_model(FakeModule(src=str(shadow)))
    assert refused.value.msg == ('src: %s does not look like scst.conf (line 1 is not a comment, a block or an '
                                 'attribute); its content is not shown' % shadow)
    assert not refused.value.details


def test_src_in_the_procfs_format_still_gets_its_own_message(tmp_path):
    old = tmp_path / 'scst.conf'
    old.write_text('[HANDLER vdisk]\nDEVICE disk1,/dev/sdb,NV_CACHE,512\n')
    with pytest.raises(ConfError) as refused:
        scst_config.desired_model(FakeModule(src=str(old)))
    assert 'procfs-era' in refused.value.msg
