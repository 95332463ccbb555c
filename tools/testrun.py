"""Run every test suite of the project in order and close with one summary line over all of them.

Each suite is a command whose own output streams to the terminal and to WORK/logs/<suite>.log. Its counts
come from the runner's machine-readable output (pytest JUnit XML) or, for ansible-test sanity, from its
own report. A suite that fails still lets the later ones run, so one run shows everything that is broken;
the exit status is non-zero when any suite failed. The last line has the form CI reads:
``total: N passed, N failed, N skipped``.
"""

import argparse
import glob
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON_VERSION = '%d.%d' % sys.version_info[:2]


def junit_counts(paths):
    """(passed, failed, skipped) summed over JUnit XML files."""
    passed = failed = skipped = 0
    for path in paths:
        root = ET.parse(path).getroot()
        suites = [root] if root.tag == 'testsuite' else root.iter('testsuite')
        for suite in suites:
            tests = int(suite.get('tests', 0))
            bad = int(suite.get('failures', 0)) + int(suite.get('errors', 0))
            skip = int(suite.get('skipped', 0))
            passed += tests - bad - skip
            failed += bad
            skipped += skip
    return passed, failed, skipped


def sanity_counts(output):
    ran = len(re.findall(r'^Running sanity test ["\']', output, re.M))
    match = re.search(r'The (\d+) sanity test\(s\) listed below \(out of \d+\) failed', output)
    failed = int(match.group(1)) if match else 0
    skipped = len(re.findall(r'^WARNING: Skipping sanity test ["\']', output, re.M))
    return ran - failed, failed, skipped


class Runner:
    def __init__(self, work, only):
        self.work = work
        self.only = only
        self.logs = os.path.join(work, 'logs')
        os.makedirs(self.logs, exist_ok=True)
        self.results = []

    def run(self, name, cmd, cwd, counts, env=None):
        """Run one suite; ``counts(output, rc)`` returns (passed, failed, skipped); ``env`` adds variables."""
        if self.only and name not in self.only:
            return
        print(f'\n===== suite {name}: {" ".join(cmd)}', flush=True)
        start = time.monotonic()
        log_path = os.path.join(self.logs, name.replace('/', '-') + '.log')
        with open(log_path, 'w', encoding='utf-8') as log:
            with subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  env=dict(os.environ, **env) if env else None,
                                  stdin=subprocess.DEVNULL) as proc:
                chunks = []
                for line in proc.stdout:
                    sys.stdout.write(line)
                    log.write(line)
                    chunks.append(line)
                rc = proc.wait()
        passed, failed, skipped = counts(''.join(chunks), rc)
        if rc != 0 and failed == 0:
            # A runner that died before reporting (bad collection, crash) still counts as a failure.
            failed = 1
        seconds = time.monotonic() - start
        self.results.append((name, passed, failed, skipped, seconds))
        print(f'===== suite {name}: {passed} passed, {failed} failed, {skipped} skipped in {seconds:.0f} s', flush=True)

    def pytest(self, name, args, cwd=REPO, env_python=None, prefix=(), env=None):
        """Run pytest as suite ``name``; ``prefix`` is a command that runs it (a virtual host); ``env`` adds variables."""
        junit = os.path.join(self.work, 'junit', f'{name}.xml')
        os.makedirs(os.path.dirname(junit), exist_ok=True)
        if os.path.exists(junit):
            os.remove(junit)
        python = env_python or sys.executable
        cmd = list(prefix) + [python, '-m', 'pytest', '-p', 'no:cacheprovider', f'--junitxml={junit}', '-o', 'junit_family=xunit2'] + args
        self.run(name, cmd, cwd, lambda out, rc: junit_counts([junit]) if os.path.exists(junit) else (0, 0, 0), env=env)

    def skip(self, name, reason):
        """Record suite ``name`` as one skipped test, saying why in one line."""
        if self.only and name not in self.only:
            return
        print(f'\n===== suite {name}: skipped: {reason}', flush=True)
        self.results.append((name, 0, 0, 1, 0.0))

    def summary(self):
        print('\n===== summary')
        for name, passed, failed, skipped, seconds in self.results:
            print(f'{name:<24} {passed:>5} passed {failed:>4} failed {skipped:>4} skipped {seconds:>6.0f} s')
        passed = sum(r[1] for r in self.results)
        failed = sum(r[2] for r in self.results)
        skipped = sum(r[3] for r in self.results)
        print(f'total: {passed} passed, {failed} failed, {skipped} skipped', flush=True)
        return failed


# ansible-core 2.19 runs its controller on Python 3.11 to 3.13. The venv has one of them; the machine image carries
# the others under pyenv, whose shims do not work inside ansible-test, hence the real bin directories.
CONTROLLER_PYTHONS = ('3.11', '3.12', '3.13')


def pyenv_python(version):
    """The newest pyenv build of Python ``version`` (X.Y) on this machine, or None."""
    found = sorted(glob.glob(os.path.expanduser(f'~/.pyenv/versions/{version}.*/bin/python{version}')))
    return found[-1] if found else None


def end_leftover_emulators(registry):
    """End every emulator of ``registry`` (the run directories the unit tests list, one per line) that is still
    mounted or running; returns how many were.

    A test that leaves its emulator running (a fixture wider than one test, which ansible-test's forked children
    never finalise) leaves a daemon and a mount per test: each one is a failure of the suite that made it. Only the
    emulators of this run are looked at: other runs on the machine may have theirs."""
    if not os.path.exists(registry):
        return 0
    with open(registry, encoding='utf-8') as listed:
        rundirs = sorted(set(line.strip() for line in listed if line.strip()))
    os.remove(registry)
    leaked = 0
    for rundir in rundirs:
        point = os.path.join(rundir, 'fs')
        pattern = f'scst_emulator.daemon --rundir {rundir}'
        running = subprocess.call(['pgrep', '-f', pattern], stdout=subprocess.DEVNULL) == 0
        if os.path.ismount(point) or running:
            leaked += 1
            print(f'===== left running after the suite: the emulator of {rundir}', flush=True)
            subprocess.call(['fusermount3', '-u', '-z', point], stderr=subprocess.DEVNULL)
            subprocess.call(['pkill', '-f', pattern])
    return leaked


def units(runner, ansible_test, coll, version, name, extra, env=None):
    junit = os.path.join(coll, 'tests', 'output', 'junit')
    pattern = os.path.join(junit, f'python{version}-*-units.xml')
    for stale in glob.glob(pattern):
        os.remove(stale)
    # tests/unit/plugins/module_utils/emulated_host.py REGISTRY
    registry = os.path.join(coll, 'tests', 'output', 'emulators.txt')
    if os.path.exists(registry):
        os.remove(registry)

    def counts(output, rc):
        passed, failed, skipped = junit_counts(glob.glob(pattern))
        return passed, failed + end_leftover_emulators(registry), skipped

    runner.run(name, ansible_test + ['units', '--python', version, '--color', 'no'] + extra, coll, counts, env=env)


def other_controller_pythons(runner, ansible_test, coll):
    """Sanity compile and import (the version-dependent sanity tests) and units on the other controller Pythons."""
    for version in CONTROLLER_PYTHONS:
        if version == PYTHON_VERSION:
            continue
        python = pyenv_python(version)
        if not python:
            print(f'\n===== Python {version} is not on this machine: sanity and units were not run for it', flush=True)
            continue
        env = {'PATH': os.path.dirname(python) + os.pathsep + os.environ['PATH']}
        runner.run(f'sanity-{version}', ansible_test + ['sanity', '--venv', '--python', version, '--test', 'compile',
                                                        '--test', 'import', '--color', 'no'], coll,
                   lambda out, rc: sanity_counts(out), env=env)
        # The two unit-test files that drive the emulator skip here (only the project's venv has the emulator);
        # they run on the venv's Python above. Naming the other files as targets instead would make ansible-test
        # drop its controller context (the filter tests), so the skip stays, with its reason in the log.
        units(runner, ansible_test, coll, version, f'units-{version}', ['--venv'], env=env)


def read_cores():
    """(release, python version) of every line of requirements/cores.txt."""
    cores = []
    with open(os.path.join(REPO, 'requirements', 'cores.txt'), encoding='utf-8') as handle:
        for line in handle:
            words = line.split('#', 1)[0].split()
            if words:
                cores.append((words[0].split('==', 1)[1], words[1].replace('python', '')))
    return cores


def core_venv(release, python):
    """The bin directory of .venv/cores/MAJOR.MINOR with ansible-core ``release`` on ``python``, made when missing."""
    venv = os.path.join(REPO, '.venv', 'cores', release.rsplit('.', 1)[0])
    stamp = os.path.join(venv, '.ready')
    if os.path.exists(stamp):
        with open(stamp, encoding='utf-8') as handle:
            if handle.read() == f'{release} {python}':
                return os.path.join(venv, 'bin')
    subprocess.run([python, '-m', 'venv', '--clear', venv], check=True)
    subprocess.run([os.path.join(venv, 'bin', 'pip'), 'install', '-q', f'ansible-core=={release}'], check=True)
    with open(stamp, 'w', encoding='utf-8') as handle:
        handle.write(f'{release} {python}')
    return os.path.join(venv, 'bin')


def other_cores(runner, coll):
    """Sanity and units on every other ansible-core of requirements/cores.txt (integration runs on the venv's).

    Each core runs on the controller Python of its line. The emulator-driven unit tests skip there, as on the
    other controller Pythons above."""
    for release, version in read_cores():
        core = release.rsplit('.', 1)[0]
        names = (f'sanity-{core}', f'units-{core}')
        if runner.only and not runner.only.intersection(names):
            continue
        python = pyenv_python(version)
        if not python:
            print(f'\n===== Python {version} is not on this machine: ansible-core {core} was not tested', flush=True)
            continue
        bindir = core_venv(release, python)
        env = {'PATH': bindir + os.pathsep + os.path.dirname(python) + os.pathsep + os.environ['PATH']}
        ansible_test = [os.path.join(bindir, 'ansible-test')]
        runner.run(names[0], ansible_test + ['sanity', '--python', version, '--color', 'no'], coll,
                   lambda out, rc: sanity_counts(out), env=env)
        units(runner, ansible_test, coll, version, names[1], ['--venv'], env=env)


# Every integration target runs in its own fresh virtual SCST host with two emulated QLogic ports and one local
# SCSI disk for the pass-through handlers.
FC_PORTS = ('0x21000024ff314c48', '0x21000024ff314c49')
SCSI_DEVICES = ('2:0:0:0,0,VIRTUAL DISK',)


def fc_ports(target_dir):
    """The WWPNs a target's host gets: those listed in its file `fc_ports` (one a line, 0x-hex or colon form,
    # comments), else FC_PORTS."""
    path = os.path.join(target_dir, 'fc_ports')
    if not os.path.exists(path):
        return FC_PORTS
    with open(path, encoding='utf-8') as handle:
        words = [line.split('#', 1)[0].strip() for line in handle]
    return tuple('0x' + word.lower().replace(':', '').replace('0x', '') for word in words if word)


def integration(runner, coll):
    bindir = os.path.dirname(sys.executable)
    root = os.path.join(coll, 'tests', 'integration', 'targets')
    for target in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        if target.startswith('setup_'):
            continue
        host = [os.path.join(bindir, 'scst-emulator'), 'host']
        for port in fc_ports(os.path.join(root, target)):
            host += ['--fc-port', port]
        for device in SCSI_DEVICES:
            host += ['--scsi-device', device]
        cmd = host + ['--', os.path.join(bindir, 'ansible-test'), 'integration', '--local', '--python', PYTHON_VERSION,
                      '--allow-destructive', '--color', 'no', target]
        runner.run(f'integration/{target}', cmd, coll, lambda out, rc: (1, 0, 0) if rc == 0 else (0, 1, 0))


SCSTADMIN = os.path.join(os.path.dirname(REPO), 'shared', 'scst', 'scstadmin', 'scstadmin')


def scstadmin(runner):
    """SCST's own scstadmin (unmodified, from ../shared) as a second client of one virtual host (tests/scstadmin).

    The host has the QLogic ports of the scst_config_examples target, so that the examples apply as they do there.
    """
    if not os.path.isfile(SCSTADMIN):
        runner.skip('scstadmin', f'{SCSTADMIN} is absent (SCST\'s scstadmin, never copied into the repository)')
        return
    host = [os.path.join(os.path.dirname(sys.executable), 'scst-emulator'), 'host']
    for port in fc_ports(os.path.join(REPO, 'tests', 'integration', 'targets', 'scst_config_examples')):
        host += ['--fc-port', port]
    runner.pytest('scstadmin', ['-q', 'tests/scstadmin'], prefix=host + ['--'])


def molecule(runner, coll):
    """Each molecule scenario of extensions/molecule as its own suite (``molecule test -s NAME``), after the faster suites.

    A scenario counts its testinfra results (the JUnit file its verifier writes to SCST_MOLECULE_JUNIT_DIR) plus
    one test for its own sequence (create, converge, idempotence, side_effect, destroy): passed when molecule
    exits 0. Its fleet lives under WORK/molecule/NAME and is taken down afterwards even if molecule was killed.
    """
    bindir = os.path.dirname(sys.executable)
    root = os.path.join(coll, 'extensions', 'molecule')
    junit_dir = os.path.join(runner.work, 'junit', 'molecule')
    state = os.path.join(runner.work, 'molecule')
    os.makedirs(junit_dir, exist_ok=True)
    env = {'SCST_MOLECULE_JUNIT_DIR': junit_dir, 'SCST_MOLECULE_STATE': state, 'NO_COLOR': '1', 'PY_COLORS': '0',
           'ANSIBLE_NOCOLOR': '1'}
    names = sorted(d for d in os.listdir(root) if os.path.isfile(os.path.join(root, d, 'molecule.yml'))) \
        if os.path.isdir(root) else []
    for name in names:
        junit = os.path.join(junit_dir, f'{name}.xml')
        if os.path.exists(junit):
            os.remove(junit)

        def counts(out, rc, junit=junit):
            passed, failed, skipped = junit_counts([junit]) if os.path.exists(junit) else (0, 0, 0)
            return (passed + 1, failed, skipped) if rc == 0 else (passed, failed + 1, skipped)

        runner.run(f'molecule/{name}', [os.path.join(bindir, 'molecule'), 'test', '-s', name],
                   os.path.join(coll, 'extensions'), counts, env=env)
        subprocess.run([os.path.join(bindir, 'scst-emulator'), 'fleet', 'down', '--state-dir', os.path.join(state, name)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--work', required=True, help='scratch directory (staged collection, logs, JUnit files)')
    parser.add_argument('--collection', required=True, help='the staged collection root')
    parser.add_argument('suites', nargs='*', help='run only these suites')
    args = parser.parse_args()

    runner = Runner(args.work, set(args.suites))
    coll = args.collection
    ansible_test = [os.path.join(os.path.dirname(sys.executable), 'ansible-test')]

    runner.pytest('emulator', ['-q', 'emulator/tests'])
    runner.run('sanity', ansible_test + ['sanity', '--python', PYTHON_VERSION, '--color', 'no'], coll,
               lambda out, rc: sanity_counts(out))
    units(runner, ansible_test, coll, PYTHON_VERSION, 'units', [])
    runner.pytest('package', ['-q', 'tests/package'], env={'SCST_COLLECTION': coll})
    other_controller_pythons(runner, ansible_test, coll)
    other_cores(runner, coll)
    integration(runner, coll)
    scstadmin(runner)
    runner.pytest('role', ['-q', 'tests/role'])
    molecule(runner, coll)
    return 1 if runner.summary() else 0


if __name__ == '__main__':
    sys.exit(main())
