#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: scst_module
short_description: Load or unload SCST kernel modules and keep them loaded at boot
version_added: 0.1.0
description:
  - Loads SCST kernel modules (C(scst), handlers such as C(scst_vdisk), target drivers such as C(iscsi_scst),
    C(qla2xxx_scst) and C(qla2x00tgt)) in dependency order, or unloads them in reverse order.
  - After each C(modprobe) the module checks the exit status B(and) the kernel log, and fails with the kernel's
    own words when either complains (for example C(unknown parameter 'x' ignored), which C(modprobe) itself does
    not report).
  - With O(persistent=true) the modules are listed in C(/etc/modules) (Debian family) or a file in
    C(/etc/modules-load.d/), and their parameters are written as C(options) lines to a file in C(/etc/modprobe.d/),
    only after the runtime change worked.
  - A module that is already loaded with other parameter values (for example C(qlini_mode) of C(qla2xxx_scst)) is
    not reloaded unless O(allow_reload=true), because unloading an FC or iSCSI driver drops every session on the
    host. The difference is reported in RV(pending_reload) and as a warning.
extends_documentation_fragment:
  - storage.scst.attributes
attributes:
  diff_mode:
    details: The diff shows the boot-time files before and after.
options:
  name:
    description:
      - Kernel modules to load or unload. They are sorted into SCST's dependency order whatever order is given
        (C(scst) first, C(qla2xxx_scst) before C(qla2x00tgt), C(iscsi_scst) before C(isert_scst)).
    type: list
    elements: str
    required: true
    aliases: [names]
  state:
    description: Whether the modules are loaded (V(present)) or not (V(absent)).
    type: str
    choices: [present, absent]
    default: present
  params:
    description:
      - "Module parameters, per module, for example C({qla2xxx_scst: {qlini_mode: disabled}})."
      - With O(persistent=true) each module named here owns one C(options) line in O(options_file); an empty
        dictionary removes that line. Other lines of that file (comments, other modules) are kept as they are.
      - Values may hold printable ASCII only, and no double quote, backslash or C(#), because O(options_file)
        is read by C(modprobe) as root; anything else is refused before any change.
    type: dict
    default: {}
  persistent:
    description: Also write the boot-time files so the same modules, with the same parameters, load at boot.
    type: bool
    default: false
  modules_file:
    description:
      - The module list read at boot. Defaults to C(/etc/modules) on the Debian family and to
        C(/etc/modules-load.d/storage-scst.conf) elsewhere.
    type: path
  options_file:
    description: The C(/etc/modprobe.d) file holding the C(options) lines this module manages.
    type: path
    default: /etc/modprobe.d/storage-scst.conf
  runtime:
    description:
      - Load or unload the modules now. With V(false) only the boot-time files are written, and O(persistent=true)
        is required. This is for a change that must wait for the next boot, such as replacing the distribution
        C(qla2xxx) on a host where unloading it is not allowed.
    type: bool
    default: true
  allow_reload:
    description:
      - Unload and load again a module whose running parameters differ from O(params) (with the modules that
        use it), and unload the distribution C(qla2xxx) driver when C(qla2xxx_scst) must replace it.
      - This drops every session that goes through the driver, boot from SAN included.
    type: bool
    default: false
  on_conflict:
    description:
      - What to do when the distribution C(qla2xxx) holds the HBAs that C(qla2xxx_scst) must drive and
        O(allow_reload=false).
      - V(fail) stops with an explanation.
      - V(next_boot) writes the boot-time files of C(qla2xxx_scst) and of the modules that need it (with
        O(blacklist), the next boot loads SCST's driver instead), loads the other modules now, and lists the
        waiting modules in RV(deferred). Needs O(persistent=true).
    type: str
    choices: [fail, next_boot]
    default: fail
  blacklist:
    description:
      - Distribution drivers that must not load at boot, such as C(qla2xxx), which would claim the QLogic HBAs
        before C(qla2xxx_scst). Written as C(blacklist) lines to O(blacklist_file), which this module then owns
        whole. An empty list leaves O(blacklist_file) alone. Needs O(persistent=true).
      - A driver in the initramfs loads before C(/etc/modprobe.d) is read; RV(commands) shows C(write) of the
        file when it changed, so that the initramfs can be rebuilt.
    type: list
    elements: str
    default: []
  blacklist_file:
    description: The C(/etc/modprobe.d) file that holds the O(blacklist) lines.
    type: path
    default: /etc/modprobe.d/storage-scst-blacklist.conf
  enable_services:
    description:
      - Services to enable at boot after the modules are loaded, for example C(scst), whose init script applies
        C(/etc/scst.conf) at boot. They are not started.
      - systemd (when C(/run/systemd/system) exists) and SysV init scripts in C(/etc/init.d) (C(update-rc.d) or
        C(chkconfig)) are handled. A service that no service manager knows is listed in RV(unknown_services).
    type: list
    elements: str
    default: []
  preflight:
    description:
      - What the host must have before anything is changed, checked first, in check mode too. When one of them
        is missing the module fails and changes nothing. P(storage.scst.scst_preflight#filter) makes this
        dictionary from a configuration model; the role C(storage.scst.scst) passes it.
      - Every module of O(name) that is not loaded must also be loadable (C(modprobe -n)), with O(state=present).
    type: dict
    suboptions:
      files:
        description: Files that must exist (backing files of devices), each mapped to the option that names it.
        type: dict
        default: {}
      fc_ports:
        description:
          - FC ports that must exist, each mapped to the option that names it, as a WWPN or as C(port N) (the
            Nth port of C(/sys/class/fc_host), from 0).
          - Checked when the host shows FC ports before the module changes anything (the distribution C(qla2xxx) or
            C(qla2xxx_scst) is loaded); a host that shows none yet is not checked here. The role C(storage.scst.scst)
            checks them again with P(storage.scst.scst_missing_ports#filter) once the modules are loaded and the ports
            appeared, before it changes the configuration.
        type: dict
        default: {}
  iscsi_daemon:
    description:
      - Keep C(iscsi-scstd), the user-space half of C(iscsi_scst), running; decided and done under the host-wide
        lock, so two runs at once never both start it.
      - Where a service manager knows O(iscsi_daemon.service), the service is enabled at boot and started when it
        is not running. Otherwise O(iscsi_daemon.command) is run when the kernel shows no daemon attached
        (C(/sys/kernel/scst_tgt/targets/iscsi/open_state)), and the service is listed in RV(unknown_services).
    type: dict
    suboptions:
      service:
        description: The service that runs C(iscsi-scstd).
        type: str
        default: iscsi-scst
      command:
        description: The daemon and its arguments, run where no service manager knows O(iscsi_daemon.service).
        type: list
        elements: str
        default: [/usr/local/sbin/iscsi-scstd]
notes:
  - Reads C(/sys/module) to learn what is loaded and with which parameters; runs C(modprobe), C(rmmod) and
    C(dmesg).
  - Holds the host-wide lock of this collection's modules while it decides and changes anything, so a run of
    M(storage.scst.scst_config) or of this module on the same host waits for it.
seealso:
  - module: storage.scst.scst_info
'''

EXAMPLES = r'''
- name: Load SCST for Fibre Channel, QLogic ports in target mode, and keep it at boot
  storage.scst.scst_module:
    name: [scst, scst_vdisk, scst_disk, scst_user, qla2xxx_scst, qla2x00tgt]
    params:
      qla2xxx_scst:
        qlini_mode: disabled
    persistent: true

- name: Load the iSCSI target driver
  storage.scst.scst_module:
    name: [scst, scst_vdisk, iscsi_scst]
    persistent: true

- name: Everything a storage host needs before its configuration, in one call (what the role storage.scst.scst does)
  storage.scst.scst_module:
    name: [scst, scst_vdisk, qla2xxx_scst, qla2x00tgt, iscsi_scst]
    params:
      qla2xxx_scst:
        qlini_mode: disabled
    persistent: true
    blacklist: [qla2xxx]
    on_conflict: next_boot
    enable_services: [scst]
    iscsi_daemon: {}
  register: storage_host

- name: Unload the iSCSI target driver and forget it at boot
  storage.scst.scst_module:
    name: iscsi_scst
    state: absent
    persistent: true
'''

RETURN = r'''
commands:
  description: The commands run (or that would run in check mode), and the files written, in order.
  returned: always
  type: list
  elements: str
  sample: ['/usr/sbin/modprobe scst', '/usr/sbin/modprobe qla2xxx_scst qlini_mode=disabled', 'write /etc/modules']
modules:
  description: The modules of the task in the order they were handled for loading.
  returned: always
  type: list
  elements: str
  sample: [scst, scst_vdisk, qla2xxx_scst, qla2x00tgt]
pending_reload:
  description: Parameters whose running value differs from the wanted or persisted one; a reload or a reboot is needed.
  returned: always
  type: list
  elements: dict
  sample: [{module: qla2xxx_scst, parameter: qlini_mode, running: exclusive, wanted: disabled}]
kernel_log:
  description: Kernel log lines that appeared while the module ran.
  returned: always
  type: list
  elements: str
  sample: ["[ 1234.567890] [1842]: scst: Target template qla2x00t registered successfully"]
loaded:
  description: The modules of O(name) that run in the kernel when the module ends (in check mode, those already running).
  returned: always
  type: list
  elements: str
deferred:
  description: With O(on_conflict=next_boot), the modules written to the boot-time files only; they load at the next boot.
  returned: always
  type: list
  elements: str
  sample: [qla2xxx_scst, qla2x00tgt]
fc_ports:
  description: The FC ports of the host (C(/sys/class/fc_host)), ordered by host number, WWPNs as SCST names targets.
  returned: always
  type: list
  elements: dict
  sample: [{host: host0, number: 0, wwpn: "21:00:00:24:ff:31:4c:48"}]
unknown_services:
  description: Services of O(enable_services) and O(iscsi_daemon) that no service manager of the host knows.
  returned: always
  type: list
  elements: str
'''

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.storage.scst.plugins.module_utils import _hba, _kmod
from ansible_collections.storage.scst.plugins.module_utils._kmod_backend import SYS_MODULE, KernelModules, ModuleFailure, validate
from ansible_collections.storage.scst.plugins.module_utils._lock import HostLock
from ansible_collections.storage.scst.plugins.module_utils._runner import run
from ansible_collections.storage.scst.plugins.module_utils._services import ServiceFailure, Services, iscsi_daemon_attached


def default_modules_file():
    if os.path.exists('/etc/debian_version'):
        return '/etc/modules'
    return '/etc/modules-load.d/storage-scst.conf'


def services(module, backend, args):
    """Enable the services and keep iscsi-scstd running; returns the services no service manager knows."""
    manager = Services(module, backend.commands)
    unknown = [name for name in args['enable_services'] if not manager.ensure(name, started=False)['known']]
    daemon = args['iscsi_daemon']
    if daemon is not None and 'iscsi_scst' not in backend.deferred:
        if not manager.ensure(daemon['service'], started=True)['known']:
            unknown.append(daemon['service'])
            if not iscsi_daemon_attached():
                backend.commands.append(' '.join(daemon['command']))
                if not module.check_mode:
                    rc, out, err = module.run_command(daemon['command'])
                    if rc != 0:
                        raise ServiceFailure('%s failed (exit %d): %s' % (daemon['command'][0], rc, (err or out).strip()),
                                             applied=backend.commands)
    return unknown


def preflight(backend, checks):
    """Every missing file, FC port and unloadable module, before anything changes; [] when all are there."""
    missing = ['%s: %s does not exist on this host' % (option, path)
               for path, option in sorted(checks['files'].items()) if not os.path.exists(path)]
    # A host that shows no FC port yet (no FC driver loaded) cannot tell which ports it has.
    ports = _hba.fc_ports()
    if ports:
        missing.extend(_hba.missing_ports(checks['fc_ports'], ports))
    return missing + backend.unloadable()


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='list', elements='str', required=True, aliases=['names']),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            params=dict(type='dict', default={}),
            persistent=dict(type='bool', default=False),
            modules_file=dict(type='path'),
            options_file=dict(type='path', default='/etc/modprobe.d/storage-scst.conf'),
            allow_reload=dict(type='bool', default=False),
            runtime=dict(type='bool', default=True),
            on_conflict=dict(type='str', choices=['fail', 'next_boot'], default='fail'),
            blacklist=dict(type='list', elements='str', default=[]),
            blacklist_file=dict(type='path', default='/etc/modprobe.d/storage-scst-blacklist.conf'),
            enable_services=dict(type='list', elements='str', default=[]),
            preflight=dict(type='dict', options=dict(files=dict(type='dict', default={}),
                                                     fc_ports=dict(type='dict', default={}))),
            iscsi_daemon=dict(type='dict', options=dict(
                service=dict(type='str', default='iscsi-scst'),
                command=dict(type='list', elements='str', default=['/usr/local/sbin/iscsi-scstd']),
            )),
        ),
        supports_check_mode=True,
    )
    args = module.params

    def body():
        validate(args['name'], args['params'], args['blacklist'])
        backend = KernelModules(module, args['name'], args['params'], args['state'], args['persistent'],
                                args['modules_file'] or default_modules_file(), args['options_file'], args['allow_reload'],
                                args['runtime'], args['on_conflict'], args['blacklist'], args['blacklist_file'])
        missing = preflight(backend, args['preflight'] or {'files': {}, 'fc_ports': {}})
        if missing:
            raise ModuleFailure('nothing was changed: ' + '; '.join(missing), commands=[])
        # Decided and changed under the lock of every module of this collection: two runs at once on one host
        # take turns, and the second finds the modules loaded and the daemon attached.
        with HostLock():
            result = backend.run()
            result['unknown_services'] = services(module, backend, args)
        result['changed'] = bool(backend.commands)
        result['loaded'] = [name for name in backend.names if _kmod.is_loaded(SYS_MODULE, name)]
        result['fc_ports'] = _hba.fc_ports()
        for warning in backend.warnings:
            module.warn(warning)
        if module._diff:
            result['diff'] = backend.diff
        return result

    run(module, body)


if __name__ == '__main__':
    main()
