# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which sessions an initiator entry holds in its group (_plan_guard): the entry is matched as SCST's wildcmp
matches it (SYSFS.md §8.2: case-insensitive, *, ?, a leading ! inverts) against the session name without the
'#portal' and '_N' suffixes SCST adds (§6.8)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.storage.scst.plugins.module_utils._model import check
from ansible_collections.storage.scst.plugins.module_utils._plan import PlanError, plan

IQN = 'iqn.2026-01.com.example:t1'


def config(entries):
    return check({'handlers': [{'name': 'vdisk_nullio', 'devices': [{'name': 'd0'}]}],
                  'drivers': [{'name': 'iscsi', 'targets': [{'name': IQN, 'groups': [
                      {'name': 'g', 'initiators': entries, 'luns': [{'lun': 0, 'device': 'd0'}]}]}]}]})


@pytest.mark.parametrize('entry, session, held', [
    ('iqn.1998-01.com.vmware:esx1', 'iqn.1998-01.com.vmware:esx1', True),
    ('iqn.1998-01.com.vmware:esx1', 'IQN.1998-01.com.VMware:ESX1', True),
    ('iqn.1998-01.com.vmware:esx1', 'iqn.1998-01.com.vmware:esx1_1', True),
    ('iqn.1998-01.com.vmware:esx1', 'iqn.1998-01.com.vmware:esx1#10.0.0.5', True),
    ('iqn.1998-01.com.vmware:*', 'iqn.1998-01.com.vmware:esx7', True),
    ('iqn.1998-01.com.vmware:esx?', 'iqn.1998-01.com.vmware:esx12', False),
    ('!iqn.1998-01.com.vmware:esx1', 'iqn.1998-01.com.vmware:esx2', True),
    ('!iqn.1998-01.com.vmware:esx1', 'iqn.1998-01.com.vmware:esx1', False),
    ('iqn.1998-01.com.vmware:esx1', 'iqn.1998-01.com.vmware:esx10', False),
])
def test_removing_an_entry_is_refused_only_for_the_sessions_it_holds(entry, session, held):
    meta = {'sessions': {'iscsi': {IQN: {session: 'g'}}}}
    # replaced with the group's initiators emptied: the entry is deleted, its LUN stays.
    if held:
        with pytest.raises(PlanError, match='initiator .* would be deleted from group iscsi/%s/g' % IQN):
            plan(config([]), config([entry]), 'replaced', meta=meta)
    else:
        assert [a.kind for a in plan(config([]), config([entry]), 'replaced', meta=meta)] == ['del_initiator']
    assert [a.kind for a in plan(config([]), config([entry]), 'replaced', meta=meta, force=True)] == ['del_initiator']
