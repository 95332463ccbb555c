# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""scstadmin as the oracle of random transitions: after scst_config state=overridden takes the host from one
random valid configuration to the next (tests/unit/.../random_configs.py, seeded), SCST's own
`scstadmin -config FILE -force` with the same configuration as scst.conf finds nothing to change beyond its
own hysteresis (test_config.unexplained, ../shared/scst/scstadmin/README.md)."""

from __future__ import annotations

import os
import random

import pytest

from conftest import FC1, FC2, module, scstadmin
from test_config import unexplained
# pylint: disable=wrong-import-order
from ansible_collections.storage.scst.plugins.module_utils._conf import render
from ansible_collections.storage.scst.tests.unit.plugins.module_utils.random_configs import DEVICES, random_config

# Case budget: SCST_SCSTADMIN_SEEDS (comma-separated, default 21,22) and SCST_SCSTADMIN_STEPS (transitions per seed,
# default 6; each step runs scst_config and scstadmin once) widen the search off the suite.
SEEDS = tuple(int(seed) for seed in os.environ.get('SCST_SCSTADMIN_SEEDS', '21,22').split(','))
STEPS = int(os.environ.get('SCST_SCSTADMIN_STEPS', '6'))


@pytest.mark.parametrize('seed', SEEDS)
def test_scstadmin_finds_nothing_to_change_after_a_random_transition(kernel, tmp_path, seed):
    rng = random.Random(seed)
    images = {}
    for name in DEVICES:
        images[name] = str(tmp_path / f'{name}.img')
        with open(images[name], 'wb') as handle:
            handle.truncate(1 << 20)
    for step in range(STEPS):
        desired = random_config(rng, images, fc_targets=(FC1, FC2))
        module('scst_config', config=desired, state='overridden', recreate='options-changed', force=True)
        conf = tmp_path / f'step{step}.conf'
        conf.write_text(render(desired))
        forced = scstadmin('-config', str(conf), '-force')
        assert unexplained(forced.out, kernel) == [], f'seed {seed} step {step}:\n{conf.read_text()}\n{forced.out}'
