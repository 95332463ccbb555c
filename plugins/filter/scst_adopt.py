# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filter scst_adopt: a configuration model as variables to keep, compact and with its CHAP secrets set apart.

The documentation is in scst_adopt.yml next to this file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.storage.scst.plugins.module_utils import _adopt, _model, _secrets
from ansible_collections.storage.scst.plugins.module_utils._errors import MASK, mask_text


def scst_adopt(model, secret_prefix='vault_scst_chap', chap_files=None):
    """model -> {'config': compact model with secret references, 'secrets': {variable: secret}}."""
    model, missing = _adopt.unmask(model, chap_files, MASK)
    if missing:
        raise AnsibleFilterError('scst_adopt: the secrets of these CHAP users are masked and not in chap_files: %s'
                                 % ', '.join(missing))
    try:
        canonical = _model.check(model)
    except _model.ModelError as exc:
        raise AnsibleFilterError('scst_adopt: the configuration is not a valid model:\n%s'
                                 % mask_text(str(exc), _secrets.in_model(model)))
    config, secrets = _adopt.split_secrets(_adopt.compact(canonical), prefix=secret_prefix)
    # The references ("joe {{ vault_scst_chap_joe }}") are text to write into a vars file, not templates to
    # render now: marked unsafe, Ansible never templates them while they are facts.
    return {'config': wrap_var(config), 'secrets': secrets}


class FilterModule(object):

    def filters(self):
        return {'scst_adopt': scst_adopt}
