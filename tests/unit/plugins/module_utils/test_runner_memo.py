# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_runner._ReadMemo: the key-only model of scst_config's results comes from the planner's reads."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.storage.scst.plugins.module_utils import _gather
from ansible_collections.storage.scst.plugins.module_utils._runner import _ReadMemo

from ansible_collections.storage.scst.tests.unit.plugins.module_utils.test_gather import client, tree  # noqa: F401 pylint: disable=unused-import


def test_two_models_of_one_state_cost_one_pass_over_sysfs(client, monkeypatch):  # noqa: F811 pylint: disable=redefined-outer-name
    direct = (_gather.gather(client, nonkey=True), _gather.gather(client, nonkey=False))
    memo = _ReadMemo(client)
    first = _gather.gather(memo, nonkey=True)
    calls = []
    for name in ('read', 'read_value', 'read_attrs', 'list_dir', 'exists', 'read_link', 'link_name'):
        original = getattr(client, name)
        monkeypatch.setattr(client, name, lambda *a, _name=name, _original=original, **k: calls.append(_name) or _original(*a, **k))
    second = _gather.gather(memo, nonkey=False)
    assert (first, second) == direct
    assert calls == []
    assert memo.root == client.root


def test_answers_changed_by_a_caller_stay_as_read(client):  # noqa: F811 pylint: disable=redefined-outer-name
    # Text and (value, is_key) answers are shared (immutable); lists and dicts are the caller's own copies.
    memo = _ReadMemo(client)
    listed = memo.list_dir('handlers')
    expected = list(listed)
    listed.append('changed')
    attributes = memo.read_attrs('devices/disk01')
    expected_attributes = dict((name, value) for name, value in attributes.items())
    attributes.clear()
    assert memo.list_dir('handlers') == expected
    assert memo.read_attrs('devices/disk01') == expected_attributes
    assert memo.read_value('devices/disk01/filename') == client.read_value('devices/disk01/filename')
