# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter scst_adopt: compact variables that mean exactly the model, secrets set apart."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import json
import os
import random

import pytest
import yaml

from ansible.errors import AnsibleFilterError
from ansible.template import Templar
from ansible.parsing.dataloader import DataLoader

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core before 2.19 templates every string
    trust_as_template = None

from ansible_collections.storage.scst.plugins.filter.scst_adopt import scst_adopt
from ansible_collections.storage.scst.plugins.module_utils import _conf, _model

EXAMPLES = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', '..', 'shared', 'scst', 'examples')

ISCSI = {'drivers': [{'name': 'iscsi', 'enabled': True,
                      'attributes': {'IncomingUser': ['disc adopt-Disc-0011'], 'OutgoingUser': 'out adopt-Out-00223'},
                      'targets': [{'name': 'iqn.2026-01.com.example:t1', 'enabled': True,
                                   'attributes': {'IncomingUser': ['joe adopt-Joe-001', 'joe adopt-Joe-002', 'J.O-E adopt-Joe-003'],
                                                  'allowed_portal': ['10.0.0.1']},
                                   'luns': [{'lun': 0, 'device': 'd1'}]},
                                  {'name': 'iqn.2026-01.com.example:t2',
                                   'attributes': {'IncomingUser': ['joe adopt-Joe-001']}}]}],
         'handlers': [{'name': 'vdisk_nullio', 'devices': [{'name': 'd1'}]}]}


def _trusted(value):
    """Strings marked as templates, as Ansible marks those of vars files (ansible-core 2.19 and later)."""
    if trust_as_template is None or isinstance(value, (bool, int)) or value is None:
        return value
    if isinstance(value, dict):
        return dict((key, _trusted(item)) for key, item in value.items())
    if isinstance(value, list):
        return [_trusted(item) for item in value]
    return trust_as_template(value)


def resolve(config, secrets):
    """What Ansible makes of the variables once written to a vars file: YAML text, read back, its strings
    templated with the secrets as variables."""
    # JSON first: the filter marks its strings unsafe (AnsibleUnsafeText before 2.19), which safe_dump refuses.
    plain = json.loads(json.dumps({'scst_config': config}))
    loaded = yaml.safe_load(yaml.safe_dump(plain))['scst_config']
    return Templar(loader=DataLoader(), variables=dict(secrets)).template(_trusted(loaded))


def test_secrets_become_references_and_only_the_secrets_file_holds_them():
    adopted = scst_adopt(ISCSI)
    text = repr(adopted['config'])
    for secret in ('adopt-Disc-0011', 'adopt-Out-00223', 'adopt-Joe-001', 'adopt-Joe-002', 'adopt-Joe-003'):
        assert secret not in text and secret in adopted['secrets'].values()
    assert adopted['secrets'] == {'vault_scst_chap_disc': 'adopt-Disc-0011', 'vault_scst_chap_out': 'adopt-Out-00223',
                                  'vault_scst_chap_joe': 'adopt-Joe-001', 'vault_scst_chap_joe_2': 'adopt-Joe-002',
                                  'vault_scst_chap_j_o_e': 'adopt-Joe-003'}
    target = adopted['config']['drivers'][0]['targets'][0]
    assert target['attributes']['IncomingUser'] == ['J.O-E {{ vault_scst_chap_j_o_e }}', 'joe {{ vault_scst_chap_joe }}',
                                                    'joe {{ vault_scst_chap_joe_2 }}']
    assert adopted['config']['drivers'][0]['attributes']['OutgoingUser'] == ['out {{ vault_scst_chap_out }}']


def test_compact_drops_what_the_model_assumes_and_keeps_what_it_states():
    config = scst_adopt(ISCSI)['config']
    t2 = config['drivers'][0]['targets'][1]
    assert set(t2) == {'name', 'attributes'}          # no enabled: null, hw_target: false, luns: [], groups: []
    assert config['drivers'][0]['targets'][0]['luns'] == [{'lun': 0, 'device': 'd1'}]   # read_only: false left out
    assert 'alua' not in config and 'device_groups' not in config
    disabled = scst_adopt({'drivers': [{'name': 'iscsi', 'targets': [{'name': 'iqn.2026-01.com.example:t3', 'enabled': False}]}]})
    assert disabled['config']['drivers'][0]['targets'][0]['enabled'] is False


def _example_models():
    paths = sorted(glob.glob(os.path.join(EXAMPLES, '*.conf')))
    if not paths:
        pytest.skip('../shared/scst/examples is absent: the adoption round trip over real files cannot run')
    models = []
    for path in paths:
        with open(path) as handle:
            try:
                model = _conf.parse(handle.read(), compat=_conf.COMPAT_SCSTADMIN)[0]
                models.append((os.path.basename(path), _model.check(model)))
            except (_conf.ConfError, _model.ModelError):
                continue    # procfs-era, or a model the kernel would refuse: nothing anyone could adopt
    return models


def test_adopted_variables_mean_exactly_the_real_examples():
    for name, model in _example_models():
        adopted = scst_adopt(model)
        assert _model.check(resolve(adopted['config'], adopted['secrets'])) == model, name


def test_adopted_variables_mean_exactly_random_models():
    # Seeded: random subsets of the real examples' objects, with CHAP users added at random places.
    rng = random.Random(20261205)
    models = [model for dummy, model in _example_models()]
    for case in range(40):
        model = _model.check(rng.choice(models))
        for driver in model['drivers']:
            for owner in [driver] + driver['targets']:
                if driver['name'] == 'iscsi' and rng.random() < 0.5:
                    owner['attributes']['IncomingUser'] = ['u%d s%012d' % (n, rng.randrange(10 ** 12)) for n in range(rng.randrange(1, 4))]
        adopted = scst_adopt(model)
        assert _model.check(resolve(adopted['config'], adopted['secrets'])) == _model.check(model), case


def test_invalid_model_is_a_filter_error():
    with pytest.raises(AnsibleFilterError) as info:
        scst_adopt({'drivers': [{'name': 'iscsi', 'targets': [{'name': 'iqn.2026-01.x:y', 'luns': [{'lun': 0, 'device': 'none'}]}]}]})
    assert "'none' is not a defined device" in str(info.value)


def test_masked_secrets_of_a_gathered_model_come_back_from_the_sysfs_files():
    gathered = {'drivers': [{'name': 'iscsi', 'attributes': {'IncomingUser': ['disc ********']},
                             'targets': [{'name': 'iqn.2026-01.com.example:t1',
                                          'attributes': {'IncomingUser': ['ann ********', 'joe ********']}}]}]}
    root = '/sys/kernel/scst_tgt/targets/iscsi/'
    files = {root + 'IncomingUser': 'disc adopt-Disc-0011\n[key]\n',
             root + 'iqn.2026-01.com.example:t1/IncomingUser': 'joe adopt-Joe-001\n[key]\n',
             root + 'iqn.2026-01.com.example:t1/IncomingUser1': 'ann adopt-Ann-001\n[key]\n'}
    adopted = scst_adopt(gathered, chap_files=files)
    assert sorted(adopted['secrets'].values()) == ['adopt-Ann-001', 'adopt-Disc-0011', 'adopt-Joe-001']
    assert _model.check(resolve(adopted['config'], adopted['secrets']))['drivers'][0]['targets'][0]['attributes'] == \
        {'IncomingUser': ['ann adopt-Ann-001', 'joe adopt-Joe-001']}
    with pytest.raises(AnsibleFilterError) as info:
        scst_adopt(gathered, chap_files={root + 'IncomingUser': 'disc adopt-Disc-0011\n'})
    assert 'iscsi/iqn.2026-01.com.example:t1 IncomingUser ann' in str(info.value)
