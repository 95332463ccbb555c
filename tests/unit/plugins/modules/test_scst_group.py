# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""scst_group's own checks of its luns option: LUN numbers read as everywhere else, each number once."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.storage.scst.plugins.module_utils._errors import ScstInputError
from ansible_collections.storage.scst.plugins.module_utils import _intent


def lun(number, device='disk01'):
    return {'lun': number, 'device': device, 'read_only': False}


def test_luns_are_read_like_the_model():
    assert _intent.check_luns([lun(0), lun('10', 'disk02')]) == [lun(0), lun(10, 'disk02')]


@pytest.mark.parametrize('luns, option, words', [
    ([lun(3), lun('3', 'disk02')], 'luns[1].lun', 'also given as luns[0].lun'),
    ([lun(0), lun('010')], 'luns[1].lun', 'leading zero'),
    ([lun(True)], 'luns[0].lun', 'boolean'),
    ([lun(1, 'mgmt')], 'luns[0].device', 'entry SCST keeps'),
    ([lun(1, True)], 'luns[0].device', 'quote it'),
])
def test_luns_refused_before_anything_is_read(luns, option, words):
    with pytest.raises(ScstInputError) as err:
        _intent.check_luns(luns)
    assert err.value.option == option and words in err.value.reason
