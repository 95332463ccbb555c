# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SCST's own scstadmin as a second client of the virtual SCST host, and as an oracle for the collection.

The whole suite runs inside one virtual host (``tools/testrun.py`` starts ``scst-emulator host -- pytest``), so
scstadmin finds the emulated kernel where it looks for it, at /sys/kernel/scst_tgt. Every test starts from a
rebooted kernel (control op ``reboot``) with the modules it asks for. scstadmin is the unmodified copy in
``../shared/scst/scstadmin`` (never copied into the repository); the collection is the staged copy that
ANSIBLE_COLLECTIONS_PATH names (``make test`` exports it), imported for its parser and its modules run.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(os.path.dirname(REPO), 'shared', 'scst')
SCSTADMIN = os.path.join(SHARED, 'scstadmin', 'scstadmin')
EXAMPLES = os.path.join(SHARED, 'examples')
SYSFS = '/sys/kernel/scst_tgt'
CONTROL = os.environ.get('SCST_EMULATOR_CONTROL')

if not os.path.isfile(SCSTADMIN) or not CONTROL:
    # tools/testrun.py says so in one line and does not start this suite; this guards a direct pytest run.
    pytest.skip('needs ../shared/scst/scstadmin and a virtual SCST host (run it as `make test SUITES=scstadmin`)',
                allow_module_level=True)

COLLECTIONS = os.environ['ANSIBLE_COLLECTIONS_PATH'].split(os.pathsep)[0]
sys.path.insert(0, COLLECTIONS)
# pylint: disable=wrong-import-position
from ansible_collections.storage.scst.plugins.module_utils import _conf  # noqa: E402
from scst_emulator import control  # noqa: E402

# The modules every test gets, as the scst_config_examples target loads them (FC ports in target mode only).
MODULES = (('scst', {}), ('scst_vdisk', {}), ('scst_local', {'add_default_tgt': '0'}), ('iscsi_scst', {}),
           ('qla2xxx_scst', {'qlini_mode': 'disabled'}), ('qla2x00tgt', {}))
# The emulated QLogic ports (tools/testrun.py gives the host these and the examples' ones).
FC1 = '21:00:00:24:ff:31:4c:48'
FC2 = '21:00:00:24:ff:31:4c:49'
IQN = 'iqn.2026-01.com.example:storage.t1'
CHANGES = re.compile(r'-> Done, (\d+) change\(s\) made\.')


class Kernel:
    """The emulated kernel of this host: sysfs reads and the control socket."""

    def __init__(self, sock):
        self.sock = sock
        self._iscsid = None

    def reboot(self):
        self.iscsi_stop()
        control.call(self.sock, 'reboot')

    def load(self, modules=MODULES):
        for name, params in modules:
            control.call(self.sock, 'modprobe', name=name, params=params)
        self._iscsid = control.attach_iscsi_daemon(self.sock)

    def iscsi_stop(self):
        """Detach the iSCSI daemon and wait until the kernel has noticed (open_state no longer ``open``):
        a detach noticed only after the next test attached its daemon would take that daemon's targets."""
        if self._iscsid is None:
            return
        self._iscsid.close()
        self._iscsid = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.read('targets/iscsi/open_state') != 'open':
                    return
            except OSError:
                return
            time.sleep(0.02)

    @staticmethod
    def path(rel):
        return os.path.join(SYSFS, rel)

    def exists(self, rel):
        return os.path.lexists(self.path(rel))

    def read(self, rel):
        """The value line of an attribute (without the ``[key]`` mark)."""
        with open(self.path(rel), encoding='latin-1') as handle:
            return handle.read().split('\n', 1)[0]

    def is_key(self, rel):
        with open(self.path(rel), encoding='latin-1') as handle:
            return '[key]' in handle.read().split('\n')[1:]

    def entries(self, rel, skip=('mgmt',)):
        return sorted(name for name in os.listdir(self.path(rel)) if name not in skip)

    def write(self, rel, text):
        with open(self.path(rel), 'w', encoding='latin-1') as handle:
            handle.write(text)

    def dmesg(self):
        return subprocess.run(['dmesg'], capture_output=True, text=True, check=False).stdout


@pytest.fixture
def kernel():
    """A rebooted kernel with every module the suite needs and the iSCSI daemon attached."""
    emulated = Kernel(CONTROL)
    emulated.reboot()
    emulated.load()
    yield emulated
    emulated.iscsi_stop()


class Result:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    @property
    def changes(self):
        """The N of scstadmin's last "-> Done, N change(s) made." (None when it printed none)."""
        found = CHANGES.findall(self.out)
        return int(found[-1]) if found else None


def scstadmin(*args, ok=True):
    """Run scstadmin with ``args`` (and -noprompt); assert exit status 0 unless ``ok`` is False."""
    proc = subprocess.run(['perl', SCSTADMIN, *args, '-noprompt'], capture_output=True, text=True, check=False,
                          timeout=300, stdin=subprocess.DEVNULL)
    result = Result(proc)
    if ok:
        assert result.rc == 0, f'scstadmin {" ".join(args)}: status {result.rc}\n{result.out}\n{result.err}'
    return result


def module(name, **args):
    """Run a module of the collection on this host, as Ansible runs it on a managed node but without the
    controller (which would double this suite's run time): ``python -m`` the module with its arguments file.
    ``_check=True`` runs it in check mode. Returns the module's result."""
    args = dict(args)
    args['_ansible_check_mode'] = args.pop('_check', False)
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': args}, handle)
    try:
        proc = subprocess.run([sys.executable, '-m', f'ansible_collections.storage.scst.plugins.modules.{name}',
                               handle.name], capture_output=True, text=True, check=False, timeout=300,
                              env=dict(os.environ, PYTHONPATH=COLLECTIONS))
    finally:
        os.unlink(handle.name)
    try:
        result = json.loads(proc.stdout)
    except ValueError:
        raise AssertionError(f'{name}: no result\n{proc.stdout}\n{proc.stderr}') from None
    assert not result.get('failed'), f'{name} failed: {result.get("msg")}'
    return result


def parse(text, compat=None):
    """The collection's parser: the model of an scst.conf text (strict unless ``compat``)."""
    model, _warnings = _conf.parse(text, compat=compat)
    return model
