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

    def run(self, name, cmd, cwd, counts):
        """Run one suite; ``counts(output, rc)`` returns (passed, failed, skipped)."""
        if self.only and name not in self.only:
            return
        print(f'\n===== suite {name}: {" ".join(cmd)}', flush=True)
        start = time.monotonic()
        log_path = os.path.join(self.logs, name.replace('/', '-') + '.log')
        with open(log_path, 'w', encoding='utf-8') as log:
            with subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
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

    def pytest(self, name, args, cwd=REPO, env_python=None):
        junit = os.path.join(self.work, 'junit', f'{name}.xml')
        os.makedirs(os.path.dirname(junit), exist_ok=True)
        if os.path.exists(junit):
            os.remove(junit)
        python = env_python or sys.executable
        cmd = [python, '-m', 'pytest', '-p', 'no:cacheprovider', f'--junitxml={junit}', '-o', 'junit_family=xunit2'] + args
        self.run(name, cmd, cwd, lambda out, rc: junit_counts([junit]) if os.path.exists(junit) else (0, 0, 0))

    def summary(self):
        print('\n===== summary')
        for name, passed, failed, skipped, seconds in self.results:
            print(f'{name:<24} {passed:>5} passed {failed:>4} failed {skipped:>4} skipped {seconds:>6.0f} s')
        passed = sum(r[1] for r in self.results)
        failed = sum(r[2] for r in self.results)
        skipped = sum(r[3] for r in self.results)
        print(f'total: {passed} passed, {failed} failed, {skipped} skipped', flush=True)
        return failed


# Every integration target runs in its own fresh virtual SCST host with two emulated QLogic ports.
FC_PORTS = ('0x21000024ff314c48', '0x21000024ff314c49')


def integration(runner, coll):
    bindir = os.path.dirname(sys.executable)
    root = os.path.join(coll, 'tests', 'integration', 'targets')
    for target in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        if target.startswith('setup_'):
            continue
        host = [os.path.join(bindir, 'scst-emulator'), 'host']
        for port in FC_PORTS:
            host += ['--fc-port', port]
        cmd = host + ['--', os.path.join(bindir, 'ansible-test'), 'integration', '--local', '--python', PYTHON_VERSION,
                      '--allow-destructive', '--color', 'no', target]
        runner.run(f'integration/{target}', cmd, coll, lambda out, rc: (1, 0, 0) if rc == 0 else (0, 1, 0))


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
    units_junit = os.path.join(coll, 'tests', 'output', 'junit')
    runner.run('units', ansible_test + ['units', '--python', PYTHON_VERSION, '--color', 'no'], coll,
               lambda out, rc: junit_counts(glob.glob(os.path.join(units_junit, '*units*.xml'))))
    integration(runner, coll)
    return 1 if runner.summary() else 0


if __name__ == '__main__':
    sys.exit(main())
