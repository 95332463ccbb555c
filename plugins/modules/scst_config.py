#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: scst_config
short_description: Converge a whole SCST host to one configuration, or read, render and parse scst.conf
version_added: 0.1.0
description:
  - Declarative resource module for the whole SCST configuration of a host (global attributes, handlers and
    devices, target drivers, targets, LUNs, initiator groups, ALUA device groups), in the states of the network
    resource modules.
  - The configuration is given as the collection's configuration model (O(config)), as the text of an
    C(scst.conf) file (O(content)) or as the path of an C(scst.conf) on the managed host (O(src)).
  - The running kernel is read from C(/sys/kernel/scst_tgt), compared with the configuration after
    normalisation (numbers in any base, V(Yes)/V(No) and V(0)/V(1), WWPN case, multi-valued attributes as sets),
    and only the writes needed are sent, in the order SCST needs them (devices, targets, attributes, groups,
    initiators, LUNs, then target C(enabled), then driver C(enabled); removals first, in reverse order). A second
    run with the same configuration sends nothing.
  - If a write fails part-way, the module stops and reports what was applied and what was not; the next run
    continues from the real state. With O(rollback=true) the kernel is first brought back to where it was before
    the run (see O(rollback)).
  - Hardware targets (QLogic physical ports, C(copy_manager_tgt), C(ib_srpt) ports) are never created or deleted;
    where the state would remove them they are disabled and cleared. The copy manager's automatic LUNs are left
    alone unless the configuration names C(copy_manager_tgt).
extends_documentation_fragment:
  - storage.scst.model
  - storage.scst.attributes
  - storage.scst.attributes.sysfs
attributes:
  check_mode:
    details: Check mode reports exactly the writes a real run sends (RV(commands)).
  diff_mode:
    details:
      - The diff shows the running configuration before and after as C(scst.conf) text. With O(state=merged) it
        covers what the configuration names (its objects and the attributes it sets); with the other states it is
        the key attributes, as C(scstadmin -write_config) would write them. The "after" side is RV(after),
        predicted from the writes, in check mode too.
      - With O(dest), a second diff shows the file, CHAP secrets masked.
options:
  src:
    description:
      - Path of an C(scst.conf) file on the managed host to read the configuration from.
      - Mutually exclusive with O(config) and O(content).
    type: path
  content:
    description:
      - The text of an C(scst.conf) file, for example from a C(lookup('file', ...)) or a template.
      - Mutually exclusive with O(config) and O(src).
    type: str
  compat:
    description:
      - How O(src) and O(content) are read.
      - V(strict) refuses every construct that C(scstadmin) silently reads differently from what the file says
        (text before C(}) on its line, C({) on its own line, more than three words, duplicate blocks, stray or
        missing braces, C(#) inside quotes, keywords in the wrong case), with file, line and column.
      - V(scstadmin) reads the file exactly as C(scstadmin) would, and reports each silent change as a warning.
      - A file in the deprecated procfs format is refused in both modes.
    type: str
    choices: [strict, scstadmin]
    default: strict
  state:
    description:
      - V(merged) adds and changes what the configuration says and never removes anything (like
        C(scstadmin -config)). What it leaves in place that widens access (an initiator added to a group by hand,
        a LUN in a target's default set, an enabled target the configuration does not name) is reported in
        RV(drift) and as a warning.
      - V(replaced) makes each device, target and device group the configuration names exactly as described
        (its LUNs, groups, initiators and dynamic attributes not in the configuration are removed); objects it does
        not name are left alone. In V(replaced) and V(overridden) a target or driver whose C(enabled) the
        configuration leaves out keeps its state.
      - V(overridden) makes the kernel exactly the configuration (like C(scstadmin -config -force)); devices,
        targets, groups, LUNs and initiators not in it are removed; hardware targets are disabled and cleared,
        never deleted. An empty configuration is refused (use V(deleted)).
      - V(deleted) removes exactly what the configuration names, or everything (hardware targets disabled and
        cleared) when no configuration is given. An entry named with contents loses only those (a target with
        C(luns) loses those LUNs); an entry named with nothing in it goes as a whole. A device goes only when it is
        named under its handler and no LUN or device group of the configuration names it; a device that the
        configuration lists only because a LUN entry maps it describes that LUN and stays (with its LUNs in other
        targets). A device named under another handler than the one serving it, or a LUN entry naming another
        device than the one the LUN maps, is refused. A driver or target named with C(enabled) V(false) is disabled;
        named with only that, nothing else is removed.
      - V(gathered) returns the running configuration in RV(gathered) and as C(scst.conf) text in RV(rendered).
      - V(rendered) returns the configuration as canonical C(scst.conf) text in RV(rendered) without reading or
        changing the host's SCST (it can run with C(delegate_to=localhost) on a machine without SCST).
      - V(parsed) returns the configuration read from O(content) or O(src) as a model in RV(parsed), without
        reading or changing the host's SCST. Its CHAP secrets are masked (C(joe ********)) like every result of
        this module, so the model cannot be applied as it is; to convert an C(scst.conf) into variables with its
        secrets, use the P(storage.scst.from_scst_conf#filter) filter on the controller, or the
        C(playbooks/adopt.yml) playbook, which puts the secrets in a separate vault file.
    type: str
    choices: [merged, replaced, overridden, deleted, gathered, rendered, parsed]
    default: merged
  recreate:
    description:
      - What to do with a device whose creation-time attributes (for example C(filename), C(blocksize),
        C(read_only) of a vdisk) differ from the configuration. SCST accepts them only when the device is created,
        and re-creating a device disconnects the initiators that use it; its LUNs are added back.
      - V(never) leaves the device as it is and warns; V(options-changed) re-creates it; V(always) re-creates every
        device the configuration names.
    type: str
    choices: [never, options-changed, always]
    default: never
  force:
    description:
      - Allow what initiators that are logged in would notice. Without it the task fails before it writes anything
        (check mode too), naming every session and LUN (C(driver/target/group/LUN)) concerned, when it would
        remove or re-point a LUN that a session sees (in the session's group or the target's default LUN set),
        delete or re-create (O(recreate)) a device such a LUN maps, disable a target, FC port or driver that has
        sessions, delete a target or group that sessions use, or remove the initiator entry that put a logged-in
        initiator in its group. This holds for V(merged), V(replaced), V(overridden) and V(deleted).
      - With it those changes are made; the sessions of targets and groups being deleted are closed, and waited
        for, first.
    type: bool
    default: false
  rollback:
    description:
      - When a write fails part-way, bring every object the run could change back to the state it had before the
        run, then fail. Before its first write such a run reads those objects (every attribute, default values
        included); after the failure it reads them again and converges them back with the same planner. A deleted
        target or initiator group comes back with its attributes, CHAP users, LUNs, groups and initiators, a
        deleted device with its attributes, every LUN that mapped it (in every target and group), its device group
        membership and its C(copy_manager_tgt) LUN number; changed attributes get their old values back; targets
        and drivers are enabled or disabled as they were, with their C(rel_tgt_id) values. What the rollback removes
        is what the run added, even where an initiator started using it meanwhile. RV(not_rolled_back) lists what
        still differs (empty when the state before was restored).
      - What no rollback can undo is refused before anything is written (the run fails, naming each step, and
        RV(commands) is empty) - closing initiator sessions (O(force)), disabling a target that has open sessions
        (an FC port drops its logins), and overwriting a value that SCST shows in a form it would not take back.
        Run without rollback to make such changes.
      - Not restored, since SCST keeps them outside its configuration - sessions that ended, the copy manager's
        counter of the next automatic LUN number, the C(exported) counters of devices, and the C(tid) of a
        re-created iSCSI target.
      - Without it the writes made stay, and a later run continues from there.
    type: bool
    default: false
  dest:
    description:
      - Also keep O(config) as an C(scst.conf) file at this path on the host, for the SCST service to apply at
        boot. Only with O(config) and states V(merged), V(replaced) and V(overridden).
      - The file is written only after the running kernel converged, atomically (a new file in the same
        directory, renamed over the old one) and root's with mode C(0600) from its creation, so that at any moment
        it describes a configuration that was applied. When the converge fails the file is left as it was.
      - Before anything is applied, the text must parse back, with this collection's parser, to exactly the
        configuration it was rendered from.
      - The file holds the CHAP secrets of O(config). In diff mode the diff shows the file too, every CHAP
        secret replaced by C(********); the results never show a secret.
    type: path
  backup:
    description: Before O(dest) is replaced, keep the old file beside it (C(NAME.PID.TIME~), mode C(0600)).
    type: bool
    default: false
  deferred_drivers:
    description:
      - Target drivers of O(config) whose kernel module loads only at the next boot (see O(storage.scst.scst_module#module:on_conflict)).
        They are written to O(dest) but left out of the running converge.
    type: list
    elements: str
    default: []
  info:
    description:
      - After the converge (and O(dest)), also read these parts of the running SCST, in the same module run, and
        return them in RV(scst) as M(storage.scst.scst_info) does for the same
        O(storage.scst.scst_info#module:gather_subset). A report of the state after the change then needs no
        module run of its own. In check mode nothing was changed, so it is the state before.
      - Only with the states V(merged), V(replaced), V(overridden) and V(deleted).
    type: list
    elements: str
    choices: [config, exports, devices, version, modules, fc_ports, sessions]
    default: []
notes:
  - Reads and writes C(/sys/kernel/scst_tgt) only; the kernel modules must be loaded first (M(storage.scst.scst_module)).
  - All runs of this collection's modules on one host are serialised by a host-wide lock.
  - Results never show CHAP secrets, RV(rendered) included; to write an C(scst.conf) with its secrets, render it on
    the controller with the P(storage.scst.to_scst_conf#filter) filter in a template.
seealso:
  - module: storage.scst.scst_module
  - module: storage.scst.scst_info
  - plugin: storage.scst.to_scst_conf
    plugin_type: filter
  - plugin: storage.scst.from_scst_conf
    plugin_type: filter
'''

EXAMPLES = r'''
- name: Converge the running SCST to /etc/scst.conf, removing what the file does not describe
  storage.scst.scst_config:
    src: /etc/scst.conf
    state: overridden

- name: Add a disk and export it over iSCSI with CHAP, leaving everything else alone
  storage.scst.scst_config:
    config:
      handlers:
        - name: vdisk_fileio
          devices:
            - name: disk01
              attributes: {filename: /srv/disk01.img, blocksize: 4096}
      drivers:
        - name: iscsi
          enabled: true
          targets:
            - name: iqn.2026-01.com.example:storage.t1
              enabled: true
              attributes:
                IncomingUser: ["joe {{ chap_secret }}"]
              luns: [{lun: 0, device: disk01}]
    state: merged
  no_log: true

- name: Read a file with scstadmin's own rules, warning about every line it would misread
  storage.scst.scst_config:
    content: "{{ lookup('ansible.builtin.file', 'legacy-scst.conf') }}"
    compat: scstadmin
    state: parsed
  delegate_to: localhost
  register: legacy

- name: Save the running configuration as text
  storage.scst.scst_config:
    state: gathered
  register: running

- name: Re-create devices whose backing file or block size changed
  storage.scst.scst_config:
    config: "{{ scst_config }}"
    state: replaced
    recreate: options-changed

- name: Remove every SCST object (hardware targets are disabled and cleared)
  storage.scst.scst_config:
    state: deleted
    force: true
'''

RETURN = r'''
commands:
  description:
    - Every sysfs write sent (or, in check mode, that a real run would send), in order, as shell lines, secrets
      masked.
    - When a write fails, the writes applied before it (the failed one and the rest are in RV(not_applied)).
  returned: states merged, replaced, overridden and deleted
  type: list
  elements: str
  sample: ["echo 'add_device disk01 filename=/srv/disk01.img;blocksize=4096' > /sys/kernel/scst_tgt/handlers/vdisk_fileio/mgmt"]
before:
  description:
    - The running configuration before the run, secrets masked. O(state=merged) reads only what the configuration
      names (its objects with the attributes it sets, every LUN and initiator of its targets); the other states
      show the key attributes, as scst.conf keeps them.
  returned: states merged, replaced, overridden and deleted
  type: dict
  sample: &model_sample
    attributes: {}
    handlers:
      - name: vdisk_fileio
        attributes: {}
        devices: [{name: disk01, attributes: {filename: /srv/disk01.img, blocksize: "4096"}}]
    drivers:
      - name: iscsi
        enabled: true
        attributes: {}
        targets:
          - name: iqn.2026-01.com.example:storage.t1
            hw_target: false
            enabled: true
            attributes: {IncomingUser: ["joe ********"]}
            luns: [{lun: 0, device: disk01, read_only: false}]
            groups: []
    alua: {}
    device_groups: []
after:
  description:
    - The running configuration after the run, in the form of RV(before), secrets masked. It is predicted from the
      writes, and returned in check mode too. Only what SCST decides itself is read back after a real run (an
      automatic C(rel_tgt_id), the attributes of new objects and, with states other than merged, whether a value
      written is one scst.conf keeps, that is one that differs from SCST's default). In check mode those are left as
      planned, so a target enabled without C(rel_tgt_id) shows none, and the LUNs SCST adds to C(copy_manager_tgt)
      for new devices are missing.
  returned: when changed, with states merged, replaced, overridden and deleted
  type: dict
  sample: *model_sample
gathered:
  description: The running configuration as a model, as scst.conf keeps it, secrets masked.
  returned: state gathered
  type: dict
  sample: *model_sample
rendered:
  description: The configuration (V(rendered)) or the running configuration (V(gathered)) as scst.conf text, secrets masked.
  returned: states rendered and gathered
  type: str
  sample: "# Automatically generated by storage.scst.\n\n\nHANDLER vdisk_fileio {\n\tDEVICE disk01 {\n\t\tfilename /srv/disk01.img\n\t}\n}\n\n"
parsed:
  description: The model read from O(content) or O(src), secrets masked.
  returned: state parsed
  type: dict
  sample: *model_sample
drift:
  description:
    - With O(state=merged), what the running kernel grants beyond the configuration in the drivers it names and
      that a merged run leaves in place - an initiator in a group, a group, a LUN of a target's default set (seen
      by every initiator outside the groups) or of a group, an enabled target - one entry each, also given as a
      warning. V(overridden) removes them; check mode with O(state=overridden) shows how.
  returned: state merged
  type: list
  elements: dict
  contains:
    path:
      description: Where, as C(DRIVER/TARGET[/groups/GROUP][/initiators/NAME|/luns/N]).
      type: str
    kind:
      description: One of C(initiator), C(group), C(lun), C(target).
      type: str
    message:
      description: What it is and who it exposes LUNs to.
      type: str
    removed_by:
      description: The state that would remove it (C(overridden)).
      type: str
  sample:
    - path: "iscsi/iqn.2026-01.com.example:t1/groups/cluster/initiators/iqn.1991-05.com.microsoft:rogue"
      kind: initiator
      message: "initiator iqn.1991-05.com.microsoft:rogue in iscsi/iqn.2026-01.com.example:t1/groups/cluster is not
        in the configuration and sees LUN 0 (device csv01)"
      removed_by: overridden
not_applied:
  description: On failure, the write that failed and every write after it.
  returned: failure part-way through the writes
  type: list
  elements: str
  sample: ["echo 'add disk01 0' > /sys/kernel/scst_tgt/targets/iscsi/iqn.2026-01.com.example:storage.t1/luns/mgmt"]
failed_command:
  description: On failure, the write that failed.
  returned: failure part-way through the writes
  type: str
  sample: "echo 'add disk01 0' > /sys/kernel/scst_tgt/targets/iscsi/iqn.2026-01.com.example:storage.t1/luns/mgmt"
rolled_back:
  description: With O(rollback=true), the writes the rollback made to bring the kernel back, in order (secrets masked).
  returned: failure part-way through the writes, with rollback
  type: list
  elements: str
  sample: ["echo 'add_target iqn.2026-01.com.example:storage.t1' > /sys/kernel/scst_tgt/targets/iscsi/mgmt",
           "echo 'add disk01 0' > /sys/kernel/scst_tgt/targets/iscsi/iqn.2026-01.com.example:storage.t1/luns/mgmt"]
not_rolled_back:
  description:
    - With O(rollback=true), what still differs from the state before the run once the rollback ended, each as the
      sysfs path (relative to C(/sys/kernel/scst_tgt)) of an object, attribute, LUN, initiator or membership and
      how it differs (V(gone), V(new), V(changed)); values are never shown. Empty when the state before the run
      was restored.
  returned: failure part-way through the writes, with rollback
  type: list
  elements: str
  sample: ["targets/iscsi/iqn.2026-01.com.example:storage.t1: gone"]
rollback_error:
  description: With O(rollback=true), the error that stopped the rollback (RV(not_rolled_back) then says what is left).
  returned: failure part-way through the writes, with rollback, when the rollback itself failed
  type: str
dest_changed:
  description: Whether O(dest) was (or, in check mode, would be) written.
  returned: when O(dest) is given
  type: bool
scst:
  description:
    - The parts of the running SCST that O(info) names, read after the converge, as
      RV(storage.scst.scst_info#module:scst) describes them (with RV(storage.scst.scst_info#module:scst.loaded) and
      RV(storage.scst.scst_info#module:scst.notes)); CHAP secrets masked.
  returned: when O(info) is not empty and the converge succeeded
  type: dict
  sample: {loaded: true, notes: [], version: 3.11.0-pre, sessions: {iscsi: {"iqn.2026-01.com.example:t1": ["iqn.1998-01.com.vmware:esx01"]}}}
backup_file:
  description: The copy of the previous O(dest) kept with O(backup=true).
  returned: when O(dest) was replaced with O(backup=true)
  type: str
issues:
  description: When O(content) or O(src) cannot be read, each problem with file, line, column and message.
  returned: failure to read scst.conf
  type: list
  elements: dict
  sample: [{file: scst.conf, line: 6, column: 9, message: "text before '}' on the same line ..."}]
'''

import os

from ansible_collections.storage.scst.plugins.module_utils import _conf_file, _drift, _secrets
from ansible_collections.storage.scst.plugins.module_utils._conf import COMPAT_SCSTADMIN, parse, render, unlike_scst_conf
from ansible_collections.storage.scst.plugins.module_utils._errors import MASK, mask_text
from ansible_collections.storage.scst.plugins.module_utils._model import ModelError, check, format_path
from ansible_collections.storage.scst.plugins.module_utils._plan import PlanError
from ansible_collections.storage.scst.plugins.module_utils._runner import ScstModule
from ansible_collections.storage.scst.plugins.module_utils._info import SUBSETS, read as read_info

SOURCES = ('config', 'src', 'content')
CONVERGING = ('merged', 'replaced', 'overridden', 'deleted')


def _named(**options):
    """A list of objects keyed by name, with free-form attributes (storage.scst.model documents each one).

    Names and LUN numbers are raw: _model.check() reads them with the rule every module uses (Ansible's str and
    int would turn an unquoted YAML boolean into 'True' and read '010' as 10 where SCST reads 8)."""
    spec = dict(name=dict(type='raw', required=True), attributes=dict(type='dict'))
    spec.update(options)
    return dict(type='list', elements='dict', options=spec)


def _luns():
    return dict(type='list', elements='dict', options=dict(
        lun=dict(type='raw', required=True), device=dict(type='raw', required=True),
        read_only=dict(type='bool', default=False)))


# The shape of the configuration model; what a spec cannot say (names, numbers, references) _model.check() says.
MODEL_SPEC = dict(
    attributes=dict(type='dict'),
    handlers=_named(devices=_named()),
    drivers=_named(enabled=dict(type='bool'), targets=_named(
        hw_target=dict(type='bool', default=False), enabled=dict(type='bool'), luns=_luns(),
        groups=_named(luns=_luns(), initiators=dict(type='list', elements='raw')))),
    alua=dict(type='dict'),
    device_groups=_named(devices=dict(type='list', elements='raw'),
                         target_groups=_named(targets=dict(type='list', elements='raw'))),
)


def secrets_in(params):
    """The CHAP secrets of the config and content options, known before the module logs its arguments."""
    return _secrets.in_model(params.get('config')) | _secrets.in_text(params.get('content'))


def read_source(module):
    """The configuration text of src or content, and the name to use in messages."""
    params = module.params
    if params['content'] is not None:
        return params['content'], 'content'
    try:
        with open(params['src'], 'rb') as handle:
            return handle.read(), params['src']
    except (IOError, OSError) as err:
        raise PlanError('src: cannot read %s: %s' % (params['src'], err.strerror or err))


def desired_model(module, hide=lambda secrets: None):
    """The configuration of config, src or content as a canonical model (the empty model when none is given).

    hide is called with the CHAP secrets of scst.conf text before the text is parsed, so that no parse error
    can show them."""
    params = module.params
    if params['config'] is not None:
        try:
            return check(params['config'])
        except ModelError as err:
            problems = ['%s: %s' % ('config.' + format_path(path) if path else 'config', message)
                        for path, message in err.problems]
            raise PlanError('invalid configuration: ' + '; '.join(problems), problems=problems)
    if params['src'] is None and params['content'] is None:
        return check({})
    text, filename = read_source(module)
    hide(_secrets.in_text(text))
    stranger = params['src'] is not None and unlike_scst_conf(text)
    if stranger:
        # Parse errors quote lines: never those of a file that may be anything (a shadow file, a key).
        raise PlanError('src: %s does not look like scst.conf (line %d is not a comment, a block or an attribute); '
                        'its content is not shown' % (filename, stranger))
    compat = COMPAT_SCSTADMIN if params['compat'] == 'scstadmin' else None
    model, issues = parse(text, filename=filename, compat=compat)
    for issue in issues:
        module.warn('%s (scstadmin reads it this way)' % issue)
    return model


def scope_for(state, desired, recreate):
    """What to read from sysfs: the named drivers, unless the run may remove or re-create anywhere."""
    everything = not (desired['drivers'] or desired['handlers'] or desired['device_groups'] or desired['attributes']
                      or desired['alua'])
    if state == 'overridden' or state == 'deleted' or everything or recreate != 'never':
        return {}
    return {'drivers': [driver['name'] for driver in desired['drivers']]}


def option_of(params, desired, live):
    """How the task names a path of the applied model ``live`` (``desired`` less any deferred drivers)."""
    source = ([name for name in SOURCES if params.get(name) is not None] or ['config'])[0]

    def option(path):
        if path[:1] == ('drivers',):
            path = ('drivers', desired['drivers'].index(live['drivers'][path[1]])) + tuple(path[2:])
        return '%s.%s' % (source, format_path(path))
    return option


def boot_file_text(params, state):
    """The scst.conf text for dest (None without dest), checked before anything is applied."""
    if params['dest'] is None:
        return None
    if state not in ('merged', 'replaced', 'overridden'):
        raise PlanError('dest: a file is written only with state merged, replaced or overridden, not %s' % state)
    text = render(params['config'])
    problem = _conf_file.round_trip_problem(text)
    if problem:
        raise PlanError('dest: %s; nothing was applied and %s was left as it was' % (problem, params['dest']))
    return text


def file_diff(path, before, after, secrets):
    """The diff of the scst.conf file, every CHAP secret replaced by the mask. A secret of the old text that the
    configuration does not hold (a hand edit) is masked as such, so that the change still shows."""
    before = before or ''
    for stale in sorted(_secrets.in_text(before) - _secrets.in_text(after) - set(secrets), key=len, reverse=True):
        before = before.replace(stale, MASK + ' (not the secret of the configuration)')
    return {'before_header': path, 'after_header': path, 'before': mask_text(before, secrets),
            'after': mask_text(after, secrets)}


def missing_backing_files(desired, current):
    """Refuse devices to be created whose backing file does not exist, as add_device would (ENOENT, SYSFS.md
    2.1), before anything is written: check mode then predicts the failure of the real run."""
    have = set(device['name'] for handler in current['handlers'] for device in handler['devices'])
    missing = ['device %s: filename %s does not exist' % (device['name'], device['attributes']['filename'])
               for handler in desired['handlers'] if handler['name'] in ('vdisk_fileio', 'vdisk_blockio')
               for device in handler['devices']
               if device['name'] not in have and device['attributes'].get('filename')
               and device['attributes'].get('active') != '0' and not os.path.exists(device['attributes']['filename'])]
    if missing:
        raise PlanError('; '.join(missing) + '; nothing was changed')


def main():
    scst = ScstModule(
        secrets_in=secrets_in,
        argument_spec=dict(
            config=dict(type='dict', options=MODEL_SPEC),
            src=dict(type='path'),
            content=dict(type='str'),
            compat=dict(type='str', choices=['strict', 'scstadmin'], default='strict'),
            state=dict(type='str', default='merged',
                       choices=['merged', 'replaced', 'overridden', 'deleted', 'gathered', 'rendered', 'parsed']),
            recreate=dict(type='str', choices=['never', 'options-changed', 'always'], default='never'),
            force=dict(type='bool', default=False),
            rollback=dict(type='bool', default=False),
            dest=dict(type='path'),
            backup=dict(type='bool', default=False),
            deferred_drivers=dict(type='list', elements='str', default=[]),
            info=dict(type='list', elements='str', default=[], choices=list(SUBSETS)),
        ),
        mutually_exclusive=[SOURCES],
        required_by={'dest': 'config'},
        required_if=[
            ('state', 'merged', SOURCES, True),
            ('state', 'replaced', SOURCES, True),
            ('state', 'overridden', SOURCES, True),
            ('state', 'rendered', SOURCES, True),
            ('state', 'parsed', ('src', 'content'), True),
        ],
    )
    module = scst.module
    params = module.params
    state = params['state']
    secrets = set()

    def register(found):
        secrets.update(found)
        scst.client.add_secret(*secrets)
        module.no_log_values.update(secrets)

    def hide(*models):
        register(set().union(*[_secrets.in_model(model) for model in models]))

    def body():
        # Registered before anything is checked, so that no error message can show them either.
        hide(params['config'])
        desired = desired_model(module, register)
        hide(desired)
        if params['info'] and state not in CONVERGING:
            raise PlanError('info: %s is read only after a converge (states %s), not with state=%s'
                            % (', '.join(params['info']), ', '.join(CONVERGING), state))
        if MASK in secrets and state in CONVERGING:
            raise PlanError('a CHAP secret of the configuration is %s, the mask of this collection\'s results: the '
                            'configuration was copied from masked output (gathered, before, after); put the real '
                            'secrets back before applying it' % MASK)
        if state == 'parsed':
            return {'changed': False, 'parsed': desired}
        if state == 'rendered':
            return {'changed': False, 'rendered': render(desired)}
        if state == 'gathered':
            scst.client.check_loaded()
            with scst.client.locked():
                running = scst.read({}, nonkey=False)
            hide(running)
            return {'changed': False, 'gathered': running, 'rendered': render(running)}
        if state == 'overridden' and desired == check({}):
            raise PlanError('state=overridden with an empty configuration would remove everything; refused '
                            '(use state=deleted to clear SCST)')
        text = boot_file_text(params, state)
        live = desired
        if params['deferred_drivers']:
            live = dict(desired, drivers=[d for d in desired['drivers'] if d['name'] not in params['deferred_drivers']])
        result = scst.converge(live, state, scope_for(state, live, params['recreate']),
                               recreate=params['recreate'], force=params['force'], rollback=params['rollback'],
                               report_keys_only=True, focus=True, option=option_of(params, desired, live),
                               prepare=lambda current: missing_backing_files(live, current))
        hide(result.get('before'), result.get('after'))
        if state == 'merged':
            # merged removes nothing, so access that the kernel grants beyond the configuration stays: say so.
            result['drift'] = _drift.find(desired, result['before'], removed_by='overridden')
            for entry in result['drift']:
                module.warn('%s; state=overridden would remove it' % entry['message'])
        if text is not None:
            # Reached only when the converge succeeded: the file then describes a state that was applied.
            try:
                written = _conf_file.write(params['dest'], text, backup=params['backup'], check_mode=module.check_mode)
            except _conf_file.ConfFileError as err:
                raise _conf_file.ConfFileError('dest: the running SCST converged, but %s; it was left as it was' % err,
                                               applied=result['commands'])
            result['dest_changed'] = written['changed']
            if module._diff:  # pylint: disable=protected-access
                result['diff'] = [dict(result.get('diff', {}), before_header='running SCST', after_header='running SCST'),
                                  file_diff(params['dest'], written['before'], text, secrets)]
            result['changed'] = result['changed'] or written['changed']
            if written['backup_file']:
                result['backup_file'] = written['backup_file']
        if params['info']:
            with scst.client.locked():
                result['scst'] = read_info(scst.client, set(params['info']))
            hide(result['scst'].get('config'))
        return result

    scst.run(body)


if __name__ == '__main__':
    main()
