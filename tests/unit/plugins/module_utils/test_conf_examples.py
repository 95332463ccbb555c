# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every real scst.conf of the shared examples: parsed in the mode that fits it, refused, or round-tripped.

The examples live outside the repository (<repo>/../shared/scst/examples, or $SCST_EXAMPLES) and are never
copied into it. Without them these tests are skipped, saying so.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.storage.scst.plugins.module_utils._conf import COMPAT_SCSTADMIN, ConfError, parse, render

_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))))
EXAMPLES = os.environ.get('SCST_EXAMPLES') or os.path.join(os.path.dirname(_REPO), 'shared', 'scst', 'examples')
TEMPLATES = ('.erb', '.mako')   # Puppet and TrueNAS templates: they generate scst.conf, they are not scst.conf
ABSENT = ('the scst.conf examples directory is absent (%s); set SCST_EXAMPLES to run these tests, or, under ansible-test '
          '(which drops that variable), make <collection>/../shared a link to the shared directory' % EXAMPLES)

STRICT, COMPAT, NEGATIVE, PROCFS = 'strict', 'compat', 'negative', 'procfs'

# file -> (mode, lines that must be reported: strict errors for NEGATIVE/COMPAT files, compat warnings too)
EXPECTED = {
    'PauloRodriguesPH_Linux__scst.conf': (STRICT, ()),
    'SCST-project_scst__scstadmin_examples_scst.conf.sysfs.conf': (STRICT, ()),
    'SCST-project_scst__t_07-result.conf': (STRICT, ()),
    'Tualua_pk-api-linux__etc_scst.conf': (STRICT, ()),
    'Tualua_pk-api-linux__scst.conf.example': (COMPAT, (163,)),
    'efschu_AP-HA-CIAB-ISER__scst.conf': (STRICT, ()),
    'github-issue_SCST-project_scst_275__write_config_before.conf': (STRICT, ()),
    'github-issue_quantum_esos_200__esos_scst.conf': (STRICT, ()),
    'tinuzz_scst-3.x-debian__scst.conf': (STRICT, ()),
    'truenas_truenas_pyscstadmin__tests_fixtures_invalid_configs_syntax_errors.conf': (NEGATIVE, (6, 9, 12, 19, 34)),
    'truenas_truenas_pyscstadmin__tests_fixtures_valid_configs_basic.conf': (COMPAT, (16, 29, 54)),
    'truenas_truenas_pyscstadmin__tests_fixtures_valid_configs_complex.conf': (COMPAT, (30, 56, 71, 80, 86, 90, 98)),
    'zultron_scstadmin-rpm__scst.conf.example': (PROCFS, (4,)),
}
# Files that scstadmin -write_config wrote: the renderer must reproduce them byte for byte (after the
# "# source:" line this collection's copies start with, and the generator line).
WRITTEN_BY_SCSTADMIN = ('SCST-project_scst__t_07-result.conf',
                        'github-issue_SCST-project_scst_275__write_config_before.conf',
                        'github-issue_quantum_esos_200__esos_scst.conf')


def _files():
    if not os.path.isdir(EXAMPLES):
        return []
    return sorted(name for name in os.listdir(EXAMPLES) if not name.endswith(TEMPLATES))


FILES = _files()


def _read(name):
    with open(os.path.join(EXAMPLES, name), 'rb') as handle:
        return handle.read().decode('utf-8')


def _skip_if_absent(name):
    if name is None:
        pytest.skip(ABSENT)


def test_examples_directory_is_present():
    if not FILES:
        pytest.skip(ABSENT)
    assert set(EXPECTED) <= set(FILES), 'examples missing: %s' % sorted(set(EXPECTED) - set(FILES))


@pytest.mark.parametrize('name', FILES or [None])
def test_example_parses_in_its_mode_and_round_trips(name):
    _skip_if_absent(name)
    text = _read(name)
    mode, lines = EXPECTED.get(name, (STRICT, ()))
    if mode == PROCFS:
        for compat in (None, COMPAT_SCSTADMIN):
            with pytest.raises(ConfError) as info:
                parse(text, filename=name, compat=compat)
            assert 'deprecated procfs-era' in str(info.value)
            assert [i.line for i in info.value.issues] == list(lines)
        return
    if mode == STRICT:
        model, warnings = parse(text, filename=name)
        assert warnings == []
        compat_model, compat_warnings = parse(text, filename=name, compat=COMPAT_SCSTADMIN)
        assert (compat_model, compat_warnings) == (model, [])
    else:
        with pytest.raises(ConfError) as info:
            parse(text, filename=name)
        reported = set(issue.line for issue in info.value.issues)
        assert set(lines) <= reported, str(info.value)
        assert all(str(issue).startswith('%s:%d:%d: ' % (name, issue.line, issue.column)) for issue in info.value.issues)
        model, warnings = parse(text, filename=name, compat=COMPAT_SCSTADMIN)
        assert warnings
        if mode == COMPAT:
            assert set(lines) <= set(w.line for w in warnings)
    rendered = render(model)
    again, dummy = parse(rendered, filename='rendered', compat=None if mode == STRICT else COMPAT_SCSTADMIN)
    assert again == model
    assert render(again) == rendered


@pytest.mark.parametrize('name', [n for n in WRITTEN_BY_SCSTADMIN if n in FILES] or [None])
def test_render_reproduces_scstadmin_write_config(name):
    _skip_if_absent(name)
    text = _read(name)
    model, dummy = parse(text, filename=name)
    original = text.split('\n', 2)[2]           # after the "# source:" line and scstadmin's generator line
    rendered = render(model).split('\n', 1)[1]  # after our generator line
    # The copies taken from issue bodies lost the blank line that ends every -write_config file.
    assert rendered.rstrip('\n') == original.rstrip('\n')
    assert rendered.endswith('}\n\n')


def test_example_facts():
    if not FILES:
        pytest.skip(ABSENT)
    model, dummy = parse(_read('PauloRodriguesPH_Linux__scst.conf'))
    qla = [d for d in model['drivers'] if d['name'] == 'qla2x00t'][0]
    target = qla['targets'][0]
    assert (target['name'], target['hw_target'], target['enabled']) == ('21:00:00:1b:32:94:31:e3', True, True)
    assert [g['name'] for g in target['groups']] == ['HOST01_ONLY', 'HOST02_ONLY']
    assert [lun['lun'] for lun in target['luns']] == [3, 4]
    model, dummy = parse(_read('SCST-project_scst__scstadmin_examples_scst.conf.sysfs.conf'))
    assert model['attributes'] == {'setup_id': '4660'}
    assert [h['name'] for h in model['handlers']] == ['dev_disk', 'vcdrom', 'vdisk_blockio', 'vdisk_fileio']
    model, dummy = parse(_read('efschu_AP-HA-CIAB-ISER__scst.conf'))
    assert model['drivers'][0]['targets'][0]['attributes'] == {'QueuedCommands': '128',
                                                               'allowed_portal': ['10.10.101.11', '10.10.103.11']}
    model, warnings = parse(_read('Tualua_pk-api-linux__scst.conf.example'), compat=COMPAT_SCSTADMIN)
    iscsi = model['drivers'][0]
    assert len(iscsi['targets']) == 15
    assert [t for t in iscsi['targets'] if t['name'].endswith('desktop-master-test')][0]['groups'][0]['luns'] == []
    assert 'desktop-master-test' in warnings[0].message
    model, dummy = parse(_read('truenas_truenas_pyscstadmin__tests_fixtures_valid_configs_basic.conf'), compat=COMPAT_SCSTADMIN)
    assert 'max_tasklet_cmd' not in model['attributes'] and model['attributes'] == {'setup_id': '12345'}
