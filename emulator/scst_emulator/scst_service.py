"""The SCST service of a virtual host: what SCST's init script does at ``start``, with the collection's own code.

SCST's ``/etc/init.d/scst start`` (SCST_CONF.md 1.8 and 3.3) does three things, in this order:

1. loads the kernel modules that ``/etc/scst.conf`` names: ``scst`` itself, then one module per ``HANDLER x {``
   or ``TARGET_DRIVER x {`` header found at column 0 (dev_disk -> scst_disk, vdisk_* and vcdrom -> scst_vdisk,
   iscsi -> iscsi_scst, qla2x00t -> qla2x00tgt, copy_manager -> none, anything else -> the same name), with
   their modprobe.d options, and starts ``iscsi-scstd`` when ``iscsi_scst`` is among them;
2. runs ``scstadmin -clear_config -force`` (a no-op on a kernel that has just booted);
3. runs ``scstadmin -config /etc/scst.conf``: additive, which is the collection's ``merged`` state.

Here the collection's strict parser (``_conf``), gatherer, planner and applier stand in for scstadmin, through
``SysfsClient`` at the real ``/sys/kernel/scst_tgt``. A file that does not parse is refused as a whole: the reason
goes to boot.log and to the emulated kernel log, and nothing of the file is applied (the modules of step 1 stay
loaded, as with the real script, whose module scan does not parse the file).
"""

import os
import re
import subprocess
import sys

from . import control
from .standins import modprobe as modprobe_tool

CONF = '/etc/scst.conf'
# The real init script's regex: a header that is re-indented or commented out loads nothing.
_HEADER = re.compile(r'^(HANDLER|TARGET_DRIVER)[ \t]+(\S+)[ \t]+\{[ \t]*$', re.M)
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# A valid name of the SCST service's start link, as `update-rc.d scst defaults` (SysV, what the role's
# ansible.builtin.service enabled=true runs on a Debian host without systemd) or `systemctl enable scst`
# (Debian with systemd and SCST's native scst.service) creates it.
ENABLED_MARKERS = ('/etc/rc3.d/S*scst', '/etc/systemd/system/multi-user.target.wants/scst.service')


def module_for(kind, name):
    """The kernel module the init script loads for one HANDLER or TARGET_DRIVER header (None: nothing)."""
    if kind == 'HANDLER':
        if name.startswith('vdisk') or name == 'vcdrom':
            return 'scst_vdisk'
        if name.startswith('dev_'):
            return 'scst_' + name[4:]
        return name
    return {'iscsi': 'iscsi_scst', 'qla2x00t': 'qla2x00tgt', 'copy_manager': None}.get(name, name)


def config_modules(text):
    """``scst`` and the modules of the file's column-0 headers, first occurrence first."""
    modules = ['scst']
    for kind, name in _HEADER.findall(text):
        module = module_for(kind, name)
        if module and module not in modules:
            modules.append(module)
    return modules


def import_collection(state_dir):
    """Import the collection's module_utils (they import each other as ``ansible_collections.storage.scst...``).

    The repository root is the collection root but is not laid out as ansible_collections/storage/scst, and the
    emulator must not depend on a staged copy: a directory in the host's state dir holding that path as a symlink
    to the repository, put on sys.path, makes the absolute imports resolve (implicit namespace packages).
    """
    top = os.path.join(state_dir, 'pylib')
    link = os.path.join(top, 'ansible_collections', 'storage', 'scst')
    if not os.path.islink(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(REPO_ROOT, link)
    if top not in sys.path:
        sys.path.insert(0, top)
    # pylint: disable=import-outside-toplevel
    from ansible_collections.storage.scst.plugins.module_utils import _apply, _conf, _errors, _gather, _plan, _sysfs
    return _apply, _conf, _errors, _gather, _plan, _sysfs


def _run(args):
    """run(args) -> (rc, out, err) for the collection's dmesg reader (in modules it is AnsibleModule.run_command)."""
    proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False, env=dict(os.environ, LC_ALL='C'))
    return proc.returncode, proc.stdout.decode('utf-8', 'replace'), proc.stderr.decode('utf-8', 'replace')


def _kmsg(sock, message):
    """Say it in the emulated kernel log too (as a boot script writing to /dev/kmsg)."""
    try:
        control.call(sock, 'kmsg', message=message)
    except control.ControlError:
        pass


def start(sock, log, state_dir, standin_dir='/usr/local/sbin'):
    """``/etc/init.d/scst start``; messages go to ``log``. Returns 0 when the file was applied (or is absent)."""
    if not os.path.exists(CONF):
        print(f'scst: {CONF} is absent, nothing to apply', file=log)
        return 0
    with open(CONF, encoding='utf-8', errors='surrogateescape') as handle:
        text = handle.read()
    modules = config_modules(text)
    for module in modules:
        modprobe_tool.main([module], control_socket=sock)
    if 'iscsi_scst' in modules:
        subprocess.run([os.path.join(standin_dir, 'iscsi-scstd')], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                       check=False)
    _apply, _conf, _errors, _gather, _plan, _sysfs = import_collection(state_dir)
    try:
        model, dummy = _conf.parse(text, filename=CONF)
    except _conf.ConfError as err:
        reason = '; '.join(str(issue) for issue in err.issues)
        print(f'scst: {CONF} not applied: {reason}', file=log)
        _kmsg(sock, f'scst: {CONF} not applied: {reason}')
        return 1
    # Boot has no hurry but a tight poll keeps a reboot short when the emulator answers EAGAIN.
    client = _sysfs.SysfsClient(poll_interval=0.05, log_reader=_sysfs.dmesg_reader(_run))
    try:
        with client.locked():
            current = _gather.gather(client, nonkey=True)
            meta = _gather.gather_meta(client)
            actions = _plan.plan(model, current, 'merged', meta=meta)
            result = _apply.apply(client, actions)
    except (_plan.PlanError, _errors.ScstError, OSError) as err:
        # Whatever the collection's code refuses (a driver not loaded, a bad value) stops the service, not the boot.
        print(f'scst: {CONF} not applied: {err}', file=log)
        _kmsg(sock, f'scst: {CONF} not applied: {err}')
        return 1
    for line in client.applied:
        print(line, file=log)
    if not result.ok:
        print(f'scst: {CONF} applied in part: {result.message()}', file=log)
        _kmsg(sock, f'scst: {CONF} applied in part: {result.message()}')
        return 1
    print(f'scst: {CONF} applied ({len(actions)} change(s))', file=log)
    return 0


INIT_SCRIPT = '''#!/bin/sh
### BEGIN INIT INFO
# Provides:          scst
# Required-Start:    $remote_fs $syslog
# Required-Stop:     $remote_fs $syslog
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: SCST target (emulated)
# Description:       Stand-in for SCST's init script, written by scst-emulator on a virtual host.
### END INIT INFO
# SCST userland counts as installed on a virtual host; its service is not enabled until something (the role)
# runs update-rc.d. The virtual host's boot sequence applies /etc/scst.conf itself when it finds the start link.
case "$1" in
    start|restart|reload|force-reload)
        exec {python} -m scst_emulator.scst_service --control-socket {sock} --state-dir {state} ;;
    stop) exit 0 ;;
    status) [ -d /sys/kernel/scst_tgt ] ;;
    *) echo "Usage: /etc/init.d/scst {{start|stop|restart|reload|force-reload|status}}" >&2; exit 3 ;;
esac
'''


def main(argv=None):
    import argparse  # pylint: disable=import-outside-toplevel
    parser = argparse.ArgumentParser(prog='scst_emulator.scst_service', description='/etc/init.d/scst start (internal)')
    parser.add_argument('--control-socket', required=True)
    parser.add_argument('--state-dir', required=True)
    args = parser.parse_args(argv)
    return start(args.control_socket, sys.stdout, args.state_dir)


if __name__ == '__main__':
    sys.exit(main())
