# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filters from_scst_conf and to_scst_conf: scst.conf text to the configuration model and back.

The documentation of each filter is in from_scst_conf.yml and to_scst_conf.yml next to this file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text
from ansible.utils.display import Display

from ansible_collections.storage.scst.plugins.module_utils import _conf, _model, _secrets
from ansible_collections.storage.scst.plugins.module_utils._errors import mask_text


def from_scst_conf(text, compat=False, filename='scst.conf', warnings=False):
    """scst.conf text -> configuration model (strict unless compat)."""
    if not isinstance(text, (str, bytes)):
        raise AnsibleFilterError('from_scst_conf expects the text of scst.conf, not %s' % type(text).__name__)
    try:
        model, issues = _conf.parse(to_text(text, errors='surrogate_or_strict'), filename=filename,
                                    compat=_conf.COMPAT_SCSTADMIN if compat else None)
    except _conf.ConfError as exc:
        raise AnsibleFilterError('from_scst_conf: %s is not a valid scst.conf:\n%s' % (filename, exc))
    if warnings:
        return {'config': model, 'warnings': [str(issue) for issue in issues]}
    display = Display()
    for issue in issues:
        display.warning('from_scst_conf: %s' % issue)
    return model


def to_scst_conf(model, generator=_conf.DEFAULT_GENERATOR):
    """configuration model -> canonical scst.conf text."""
    try:
        return _conf.render(model, generator=generator)
    except (_model.ModelError, ValueError) as exc:
        raise AnsibleFilterError('to_scst_conf: the configuration cannot be written as scst.conf:\n%s'
                                 % mask_text(str(exc), _secrets.in_model(model)))


class FilterModule(object):

    def filters(self):
        return {'from_scst_conf': from_scst_conf, 'to_scst_conf': to_scst_conf}
