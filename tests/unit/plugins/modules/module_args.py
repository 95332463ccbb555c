# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""patch_module_args(args): a module's main() run in-process reads ``args`` as its parameters, on every
ansible-core the collection supports."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible.module_utils import basic

try:
    from ansible.module_utils.testing import patch_module_args  # noqa: F401 pylint: disable=unused-import
except ImportError:  # ansible-core before 2.19
    import contextlib

    from unittest import mock

    @contextlib.contextmanager
    def patch_module_args(args):
        with mock.patch.object(basic, '_ANSIBLE_ARGS', json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode()):
            yield
