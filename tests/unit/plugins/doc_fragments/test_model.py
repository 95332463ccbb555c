# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's scst_config variable documents the same model as scst_config's config option (the doc fragment
storage.scst.model), plus the role's port shorthand. Role argument specs cannot use doc fragments, so the role
carries a copy; this test keeps the copy equal to the fragment."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import os

import yaml

from ansible_collections.storage.scst.plugins.doc_fragments.model import ModuleDocFragment

ROLE_SPEC = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'roles', 'scst', 'meta', 'argument_specs.yml')


def fragment_model():
    return yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options']['config']['suboptions']


def role_model():
    with open(ROLE_SPEC) as handle:
        spec = yaml.safe_load(handle)
    return spec['argument_specs']['main']['options']['scst_config']['options']


def as_module_text(model):
    """The role's model as the module documents it: option paths under config, the module's recreate and state options, and
    nested options under suboptions (role argument specs name them options)."""
    text = json.dumps(model).replace('O(scst_config.', 'O(config.').replace('O(scst_config_recreate)', 'O(recreate)')
    text = text.replace('O(scst_config_state=', 'O(state=')
    return json.loads(text.replace('"options": {', '"suboptions": {'))


def test_role_documents_the_same_model_with_port():
    role = as_module_text(copy.deepcopy(role_model()))
    targets = role['drivers']['suboptions']['targets']['suboptions']
    port = targets.pop('port')
    assert port['type'] == 'int'
    # In the role a qla2x00t target has a name or a port, so name is not required there; its last line says so.
    name = targets['name']
    assert 'required' not in name and 'port' in name['description'].pop()
    name['required'] = True
    assert role == fragment_model()


def test_fragment_covers_every_key_of_the_canonical_model():
    from ansible_collections.storage.scst.plugins.module_utils._model import empty_model
    assert sorted(fragment_model()) == sorted(empty_model())
