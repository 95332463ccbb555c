# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a user gets from Galaxy: the tarball that ``ansible-galaxy collection build`` writes from this checkout,
its documentation as ``ansible-doc`` shows it from that tarball alone, and the checks a release needs
(CONTRIBUTING.md, "Checks a release needs"): ansible-lint's production profile, antsibull-changelog and
antsibull-docs.

Run by ``make test`` as the suite ``package``, from the checkout, with the tools of requirements/venv.txt.
SCST_COLLECTION names the staged collection (.../ansible_collections/storage/scst), which antsibull-docs reads.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINDIR = os.path.dirname(sys.executable)

# Every file of the tarball is one of these: what a user runs, reads, or runs the unit tests with.
SHIPPED = re.compile(r'^(MANIFEST\.json|FILES\.json|README\.md|LICENSE|CHANGELOG\.rst|changelogs/(changelog|config)\.yaml'
                     r'|meta/[^/]+\.yml|plugins/.+|roles/scst/.+|playbooks/.+|docs/docsite/.+|tests/unit/.+)$')
# The repository's own tooling, test rig and emulator, which a user of the collection cannot run.
NOT_SHIPPED = ('Makefile', 'tools/', 'demo/', 'emulator/', 'bench/', 'extensions/', 'requirements/', 'changelogs/fragments/',
               'tests/integration/', 'tests/role/', 'tests/scstadmin/', 'tests/ci/', 'tests/package/', 'CONTRIBUTING.md',
               'docs/performance.md', 'execution-environment.yml')
# Model options that ansible-doc must show, as paths under scst_config's config and the role's scst_config.
MODEL_PATHS = ('attributes', 'alua', 'handlers.name', 'handlers.attributes', 'handlers.devices.name',
               'handlers.devices.attributes', 'drivers.name', 'drivers.enabled', 'drivers.attributes', 'drivers.targets.name',
               'drivers.targets.enabled', 'drivers.targets.hw_target', 'drivers.targets.attributes',
               'drivers.targets.luns.lun', 'drivers.targets.luns.device', 'drivers.targets.luns.read_only',
               'drivers.targets.groups.name', 'drivers.targets.groups.initiators', 'drivers.targets.groups.luns.lun',
               'drivers.targets.groups.attributes', 'device_groups.name', 'device_groups.devices',
               'device_groups.attributes', 'device_groups.target_groups.name', 'device_groups.target_groups.targets',
               'device_groups.target_groups.attributes')


def run(cmd, cwd=REPO, env=None):
    """Run a tool of the venv; returns its CompletedProcess (text, stdout and stderr apart)."""
    return subprocess.run(cmd, cwd=cwd, env=dict(os.environ, **(env or {})), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL, check=False)


@pytest.fixture(scope='module')
def tarball(tmp_path_factory):
    out = tmp_path_factory.mktemp('build')
    done = run([os.path.join(BINDIR, 'ansible-galaxy'), 'collection', 'build', '--output-path', str(out), REPO])
    assert done.returncode == 0, done.stderr
    (path,) = out.glob('storage-scst-*.tar.gz')
    return str(path)


@pytest.fixture(scope='module')
def installed(tarball, tmp_path_factory):
    """A collections path that holds nothing but the tarball, installed."""
    path = tmp_path_factory.mktemp('collections')
    # Only this path, and --force: an ansible-galaxy that sees the staged collection installs nothing.
    done = run([os.path.join(BINDIR, 'ansible-galaxy'), 'collection', 'install', '--offline', '--force', '-p', str(path),
                tarball], env={'ANSIBLE_COLLECTIONS_PATH': str(path)})
    assert done.returncode == 0, done.stderr
    assert os.path.isfile(os.path.join(path, 'ansible_collections', 'storage', 'scst', 'MANIFEST.json'))
    return str(path)


def test_tarball_holds_only_what_users_need(tarball):
    with tarfile.open(tarball) as tar:
        files = [member.name for member in tar.getmembers() if not member.isdir()]
    assert [name for name in files if not SHIPPED.match(name)] == []
    assert [name for name in files if name.startswith(NOT_SHIPPED) or '/.' in '/' + name] == []
    for needed in ('LICENSE', 'README.md', 'CHANGELOG.rst', 'changelogs/changelog.yaml', 'meta/runtime.yml',
                   'plugins/doc_fragments/model.py', 'roles/scst/meta/argument_specs.yml', 'docs/docsite/rst/model.rst'):
        assert needed in files


def test_shipped_tests_need_nothing_that_is_not_shipped(tarball):
    """The emulator stays in the repository, so the tests that drive it stay there too (a test that reads SCST's
    examples from ../shared beside a checkout says in one skip line that they are absent)."""
    with tarfile.open(tarball) as tar:
        tests = {member.name: tar.extractfile(member).read().decode('utf-8') for member in tar.getmembers()
                 if member.isfile() and member.name.startswith('tests/')}
    assert tests, 'the unit tests ship'
    assert sorted(name for name, text in tests.items() if re.search(r'scst_emulator|emulated_host', text)) == []


def options_paths(options, key, prefix=''):
    """Every option path (a.b.c) of a documented option tree whose nested options sit under ``key``."""
    paths = set()
    for name, spec in options.items():
        paths.add(prefix + name)
        paths |= options_paths(spec.get(key) or {}, key, prefix + name + '.')
    return paths


def test_ansible_doc_shows_the_model_from_the_tarball_alone(installed):
    env = {'ANSIBLE_COLLECTIONS_PATH': installed, 'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'false'}
    module = run([os.path.join(BINDIR, 'ansible-doc'), '--json', 'storage.scst.scst_config'], env=env)
    role = run([os.path.join(BINDIR, 'ansible-doc'), '-t', 'role', '--json', 'storage.scst.scst'], env=env)
    assert module.returncode == 0 and role.returncode == 0, module.stderr + role.stderr
    module_doc = json.loads(module.stdout)['storage.scst.scst_config']['doc']
    assert module_doc['filename'].startswith(installed)
    config = options_paths(module_doc['options']['config']['suboptions'], 'suboptions')
    role_options = json.loads(role.stdout)['storage.scst.scst']['entry_points']['main']['options']
    role_config = options_paths(role_options['scst_config']['options'], 'options')
    assert sorted(set(MODEL_PATHS) - config) == []
    assert role_config == config | {'drivers.targets.port'}
    # Text as ansible-doc prints it: the nested options are there with their descriptions.
    text = run([os.path.join(BINDIR, 'ansible-doc'), 'storage.scst.scst_config'], env=env).stdout
    assert 'initiators' in text and 'An initiator can be in one group of a' in text


def staged_collections():
    """The collections path that holds the staged copy of this checkout (make test passes SCST_COLLECTION)."""
    collection = os.environ.get('SCST_COLLECTION')
    if not collection:
        pytest.fail('SCST_COLLECTION (the staged collection that make test passes) is not set')
    return collection, os.path.dirname(os.path.dirname(os.path.dirname(collection)))


def test_ansible_lint_production_profile_finds_nothing():
    # From the checkout, with its .ansible-lint; no ignore file may hide a finding. Not --offline: that also skips
    # installing the checkout into .ansible/, and the playbooks' modules would resolve to whatever storage.scst
    # an earlier run left in ~/.ansible.
    assert not os.path.exists(os.path.join(REPO, '.ansible-lint-ignore'))
    done = run([os.path.join(BINDIR, 'ansible-lint'), '--profile', 'production', '--nocolor', '-q'])
    assert done.returncode == 0, done.stdout + done.stderr


def test_changelog_fragments_and_changelog_lint_clean():
    fragments = run([os.path.join(BINDIR, 'antsibull-changelog'), 'lint'])
    changelog = run([os.path.join(BINDIR, 'antsibull-changelog'), 'lint-changelog-yaml', 'changelogs/changelog.yaml'])
    assert (fragments.returncode, fragments.stdout, changelog.returncode, changelog.stdout) == (0, '', 0, '')


def test_antsibull_docs_lint_clean():
    collection, collections = staged_collections()
    done = run([os.path.join(BINDIR, 'antsibull-docs'), 'lint-collection-docs', '--plugin-docs', '.'], cwd=collection,
               env={'ANSIBLE_COLLECTIONS_PATH': collections})
    assert done.returncode == 0, done.stdout + done.stderr
