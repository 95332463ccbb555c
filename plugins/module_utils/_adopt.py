# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A host's existing SCST configuration as variables a user keeps: compact, with the secrets set apart.

This module is private to this collection: it is not part of the public API and may change without notice.
compact() leaves out every key whose value is what the model assumes when the key is absent, so that
_model.check(compact(model)) == model and the variables read like what a person would write. split_secrets()
replaces each CHAP secret by a reference to a variable of its own ("joe {{ vault_scst_chap_joe }}"), so the
configuration can live in plain group_vars or host_vars and the secrets in a file encrypted with ansible-vault.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re

from ansible_collections.storage.scst.plugins.module_utils import _secrets

# Keys whose absence means the same as these values to _model.check: an unstated enabled leaves the kernel's
# value alone, a LUN is writable and a target is software-defined unless the model says otherwise.
_ABSENT_MEANS = {'enabled': None, 'hw_target': False, 'read_only': False}
_WORD = re.compile(r'[^a-z0-9_]+')


def compact(value):
    """The model without empty collections and without keys at their meaning-when-absent (recursively)."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = compact(item)
            if item in ({}, [], None) or (key in _ABSENT_MEANS and item is _ABSENT_MEANS[key]):
                continue
            out[key] = item
        return out
    if isinstance(value, list):
        return [compact(item) for item in value]
    return value


def unmask(model, files, mask):
    """The model with each masked CHAP entry ('NAME ' + mask) given back its secret from the sysfs files.

    files: {path: content} of CHAP attribute files, path ending in targets/DRIVER/ATTRIBUTE (driver level) or
    targets/DRIVER/TARGET/ATTRIBUTE; content as read (first line 'NAME SECRET', maybe '[key]' after it).
    Returns (model, entries left masked as 'driver[/target] attribute NAME').
    """
    model = copy.deepcopy(model)
    live = {}
    for path, content in (files or {}).items():
        parts = str(path).rstrip('/').split('/')
        if 'targets' not in parts or not _secrets.CHAP_ATTRIBUTE.match(parts[-1]):
            continue
        owner = tuple(parts[parts.index('targets') + 1:-1])
        user, dummy, secret = str(content).split('\n', 1)[0].strip().partition(' ')
        if secret:
            live.setdefault(owner, {}).setdefault(user, []).append(secret)
    missing = []

    def give_back(place, name, user, secret):
        if secret != mask:
            return None
        known = live.get(place, {}).get(user)
        if known:
            return '%s %s' % (user, known.pop(0))
        missing.append('%s %s %s' % ('/'.join(place), name, user))
        return None

    _secrets.rewrite_entries(model, give_back)
    return model, missing


def split_secrets(model, prefix='vault_scst_chap'):
    """(model with every CHAP secret replaced by a variable reference, {variable: secret}).

    Variables are named prefix + '_' + the user name in lower case (letters, digits and '_'), with a number
    added when one user has several secrets; the same user and secret share one variable.
    """
    model = copy.deepcopy(model)
    names = {}
    secrets = {}

    def reference(place, attribute, user, secret):
        if not secret:
            return None
        if (user, secret) not in names:
            base = '%s_%s' % (prefix, _WORD.sub('_', user.lower()).strip('_') or 'user')
            name, number = base, 1
            while name in secrets:
                number += 1
                name = '%s_%d' % (base, number)
            names[(user, secret)] = name
            secrets[name] = secret
        return '%s {{ %s }}' % (user, names[(user, secret)])

    _secrets.rewrite_entries(model, reference)
    return model, secrets
