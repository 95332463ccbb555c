# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""scstadmin's configuration-file commands on the virtual host, and scstadmin and the collection as each
other's oracle.

- ``-config`` (with and without ``-force``), ``-check_config``, ``-write_config``, ``-clear_config`` on a
  hand-made FC + iSCSI configuration (groups, CHAP, read-only LUNs, ALUA), checked in sysfs;
- every applicable file of ../shared/scst/examples, adapted as the scst_config_examples target adapts it (its
  ``files/adapt_example.py``, run as is): scstadmin ``-config``, a second ``-config`` with 0 changes, then
  scst_config with the same file has nothing to change;
- the reverse: scst_config applies the file, ``scstadmin -config -force`` finds nothing to change beyond the
  hysteresis its README documents, and ``scstadmin -write_config`` parses with the collection's parser to the
  model of the file.
"""

import json
import os
import re
import subprocess
import sys

import pytest
import yaml

from conftest import EXAMPLES, FC1, FC2, IQN, REPO, _conf, module, parse, scstadmin

EXAMPLES_TARGET = os.path.join(REPO, 'tests', 'integration', 'targets', 'scst_config_examples')
ADAPT = os.path.join(EXAMPLES_TARGET, 'files', 'adapt_example.py')
with open(os.path.join(EXAMPLES_TARGET, 'vars', 'main.yml'), encoding='utf-8') as _handle:
    EXAMPLE_VARS = yaml.safe_load(_handle)
APPLICABLE = sorted(name for name, mode in EXAMPLE_VARS['example_modes'].items() if mode in ('strict', 'compat'))

SECRET = EXAMPLE_VARS['chap_secret']
MASK = '********'
ESX = 'iqn.1998-01.com.vmware:esx1'
# The hand-made configuration: both transports, groups, CHAP, read-only LUNs, explicit rel_tgt_id, ALUA.
HAND_MADE = f'''
HANDLER vdisk_fileio {{
\tDEVICE disk01 {{
\t\tfilename @BACKING@/disk01.img
\t\tblocksize 4096
\t}}
}}
HANDLER vdisk_nullio {{
\tDEVICE null01
}}
TARGET_DRIVER iscsi {{
\tenabled 1
\tTARGET {IQN} {{
\t\tIncomingUser "joe {SECRET}"
\t\tenabled 1
\t\trel_tgt_id 3
\t\tLUN 0 null01
\t\tGROUP esx {{
\t\t\tLUN 0 disk01
\t\t\tLUN 1 null01 {{
\t\t\t\tread_only 1
\t\t\t}}
\t\t\tINITIATOR {ESX}
\t\t}}
\t}}
}}
TARGET_DRIVER qla2x00t {{
\tTARGET {FC1} {{
\t\tenabled 1
\t\trel_tgt_id 1
\t\tGROUP esx {{
\t\t\tLUN 0 disk01
\t\t\tINITIATOR 21:00:00:24:ff:aa:bb:01
\t\t}}
\t}}
\tTARGET {FC2} {{
\t\tenabled 0
\t}}
}}
DEVICE_GROUP dg1 {{
\tDEVICE disk01
\tTARGET_GROUP local {{
\t\tgroup_id 1
\t\tstate active
\t\tTARGET {FC1}
\t}}
}}
'''
# What scstadmin prints for a change (SCST's scstadmin, "\t-> Verb ...: done.").
ACTION = re.compile(r"^\t-> ((?:Adding|Removing|Opening|Closing|Creating|Setting|Replacing|Enabling|Disabling|Moving|"
                    r"Clearing)[^\n]*)", re.M)
SET_SETUP_ID = re.compile(r"^Setting SCST attribute 'setup_id' to value '(\w+)': done\.$")
SET_TARGET_ATTR = re.compile(r"^Setting target attribute '(\w+)' to value '([^']*)' for driver/target '([^/]+)/(.+)': done\.$")
REMOVE_LUN = re.compile(r"^Removing LUN (\d+) from driver/target(?:/group)? '([^']+)': done\.$")
ADD_LUN = re.compile(r"^Adding device '([^']+)' at LUN (\d+) to driver/target(?:/group)? '([^']+)': done\.$")


def actions(output):
    return ACTION.findall(output)


def unexplained(output, kernel):
    """scstadmin's changes that its own hysteresis does not explain; each exception is one of scstadmin's
    textual comparisons against what the SCST source shows:

    - copy_manager_tgt LUNs: -force removes those the file does not list (scstadmin README) and re-numbers the
      listed ones; the copy manager numbers its LUNs itself (SYSFS.md §2.1) and the collection accepts a
      configured copy_manager LUN at any number (_plan_luns.LunPlanner.copy_manager_luns);
    - setup_id: the kernel shows it as ``0x%x`` (scst_sysfs.c, setup_id_show), so a decimal value in the file
      is written again on every run;
    - a list value in another order: iscsi-scstd shows digests as ``None,CRC32C`` (param.c, digest_val_to_str);
    - a LUN of a read-only device is re-assigned by -force on every run: SCST shows its ``read_only`` as
      ``1`` + ``[key]`` (scst_lun_rd_only_show) although the file sets no read_only for it.
    """
    lines = actions(output)
    added = set()
    for line in lines:
        match = ADD_LUN.match(line)
        if match and read_only_device(kernel, match.group(1)):
            added.add((match.group(2), match.group(3)))
    left = []
    for line in lines:
        if "'copy_manager/copy_manager_tgt'" in line:
            continue
        match = SET_SETUP_ID.match(line)
        if match and int(match.group(1), 0) == int(kernel.read('setup_id'), 16):
            continue
        match = SET_TARGET_ATTR.match(line)
        if match and sorted(match.group(2).split(',')) == sorted(
                kernel.read(f'targets/{match.group(3)}/{match.group(4)}/{match.group(1)}').split(',')):
            continue
        match = REMOVE_LUN.match(line) or ADD_LUN.match(line)
        if match and tuple(match.groups()[-2:]) in added:
            continue
        left.append(line)
    return left


def read_only_device(kernel, name):
    """A vcdrom device is always read-only and has no read_only attribute (scst_vdisk.c, vcdrom_attrs)."""
    if kernel.exists(f'devices/{name}/read_only'):
        return kernel.read(f'devices/{name}/read_only') == '1'
    return os.path.basename(os.readlink(kernel.path(f'devices/{name}/handler'))) == 'vcdrom'


def masked(model):
    """``model`` with its CHAP secrets masked as the collection masks them in its results (``user ********``)."""
    def mask(attributes):
        for name in ('IncomingUser', 'OutgoingUser'):
            if name in attributes:
                attributes[name] = [value.split(' ', 1)[0] + ' ' + MASK for value in attributes[name]]
    model = json.loads(json.dumps(model))
    for driver in model['drivers']:
        mask(driver['attributes'])
        for target in driver['targets']:
            mask(target['attributes'])
    return model


def as_scstadmin_writes(model):
    """The collection's model of the running state, cut to what scstadmin -write_config writes.

    - scstadmin leaves out a HANDLER without devices and a TARGET_DRIVER without targets or attributes (the
      collection writes them, for the init script's module scan: _conf.render);
    - COLLECTION DIVERGENCE, reported and pinned by test_collection_keeps_read_only_size below: the collection
      keeps ``size`` of vdisk_fileio and vcdrom devices, a [key] attribute that is read-only for them (SYSFS.md
      §10), which scstadmin does not write (it writes [key] attributes it could write back).
    """
    model = json.loads(json.dumps(model))
    model['handlers'] = [handler for handler in model['handlers'] if handler['devices'] or handler['attributes']]
    for handler in model['handlers']:
        if handler['name'] in ('vdisk_fileio', 'vcdrom'):
            for device in handler['devices']:
                device['attributes'].pop('size', None)
    model['drivers'] = [driver for driver in model['drivers']
                        if driver['targets'] or driver['attributes'] or driver['enabled'] is not None]
    return model


def without_local_sessions(model):
    """scstadmin's model without the ``session_name`` of scst_local targets.

    COLLECTION DIVERGENCE, reported and pinned by test_collection_gathers_local_sessions below: scstadmin reads
    an scst_local target's sessions/ as its session_name values (SCST.pm, targetAttributes); the collection's
    gathered and after models have no session_name.
    """
    model = json.loads(json.dumps(model))
    for driver in model['drivers']:
        if driver['name'] == 'scst_local':
            for target in driver['targets']:
                target['attributes'].pop('session_name', None)
    return model


@pytest.fixture(scope='module')
def loop_device(tmp_path_factory):
    """One loop device for every vdisk_blockio device of the examples (as the examples target has)."""
    image = tmp_path_factory.mktemp('block') / 'block.img'
    with open(image, 'wb') as handle:
        handle.truncate(64 << 20)
    device = subprocess.run(['losetup', '-f', '--show', str(image)], capture_output=True, text=True,
                            check=True).stdout.strip()
    yield device
    subprocess.run(['losetup', '-d', device], check=False)


def adapted_file(name, tmp_path, loop_device):
    """The example ``name`` parsed in its mode, adapted to this host by adapt_example.py, rendered back to
    scst.conf with the collection's renderer; its backing files created. Returns (path, adapted model)."""
    with open(os.path.join(EXAMPLES, name), encoding='utf-8') as handle:
        text = handle.read()
    mode = EXAMPLE_VARS['example_modes'][name]
    model = parse(text, compat='scstadmin' if mode == 'compat' else None)
    (tmp_path / 'parsed.json').write_text(json.dumps(model))
    (tmp_path / 'wwpn_map.json').write_text(json.dumps(EXAMPLE_VARS['wwpn_map']))
    out = subprocess.run([sys.executable, ADAPT, str(tmp_path / 'parsed.json'), str(tmp_path), loop_device,
                          EXAMPLE_VARS['chap_secret'], str(tmp_path / 'wwpn_map.json')],
                         capture_output=True, text=True, check=True).stdout
    adapted = json.loads(out)
    for path in adapted['files']:
        with open(path, 'wb') as handle:
            handle.truncate(16 << 20)
    conf = tmp_path / 'scst.conf'
    conf.write_text(_conf.render(adapted['config']))
    return str(conf), adapted['config']


def hand_made_file(tmp_path):
    with open(tmp_path / 'disk01.img', 'wb') as handle:
        handle.truncate(16 << 20)
    conf = tmp_path / 'scst.conf'
    conf.write_text(HAND_MADE.replace('@BACKING@', str(tmp_path)))
    return str(conf)


def names_in_sysfs(kernel):
    names = set(kernel.entries('devices'))
    for driver in kernel.entries('targets'):
        names.update(kernel.entries(f'targets/{driver}'))
    return names


def wanted_names(model):
    names = {device['name'] for handler in model['handlers'] for device in handler['devices']}
    names.update(target['name'] for driver in model['drivers'] for target in driver['targets'])
    return names


def test_config_check_write_clear(kernel, tmp_path):
    """-check_config accepts the file; -config applies it (checked in sysfs); a second -config makes 0 changes;
    -write_config writes what the kernel has; -clear_config without -force changes nothing, with it empties."""
    conf = hand_made_file(tmp_path)
    check = scstadmin('-check_config', conf)
    assert 'Done, 0 warnings found.' in check.out, check.out
    assert names_in_sysfs(kernel).isdisjoint({'disk01', 'null01', IQN})
    first = scstadmin('-config', conf)
    assert first.changes and first.changes > 0
    tgt = f'targets/iscsi/{IQN}'
    assert kernel.read('devices/disk01/blocksize') == '4096'
    assert kernel.read(f'{tgt}/enabled') == '1' and kernel.read(f'{tgt}/rel_tgt_id') == '3'
    assert kernel.read(f'{tgt}/IncomingUser') == f'joe {SECRET}'
    assert kernel.read(f'{tgt}/ini_groups/esx/luns/1/read_only') == '1'
    assert kernel.entries(f'{tgt}/ini_groups/esx/initiators') == [ESX]
    assert kernel.read(f'targets/qla2x00t/{FC1}/enabled') == '1'
    assert kernel.read('device_groups/dg1/target_groups/local/state') == 'active'
    second = scstadmin('-config', conf)
    assert second.changes == 0, actions(second.out)
    written = tmp_path / 'written.conf'
    scstadmin('-write_config', str(written))
    with open(conf, encoding='utf-8') as handle:
        assert wanted_names(parse(handle.read())) <= wanted_names(parse(written.read_text(), compat='scstadmin'))
    kept = scstadmin('-clear_config', ok=False)
    assert 'disk01' in kernel.entries('devices'), kept.out
    scstadmin('-clear_config', '-force')
    assert kernel.entries('devices') == [] and not kernel.exists(f'targets/iscsi/{IQN}')
    assert kernel.entries('device_groups') == []
    assert kernel.read(f'targets/qla2x00t/{FC1}/enabled') == '0'


def test_config_force_removes_what_the_file_lacks(kernel, tmp_path):
    """-config keeps objects the file does not list; -config -force removes them (scstadmin(1))."""
    conf = hand_made_file(tmp_path)
    scstadmin('-config', conf)
    scstadmin('-open_dev', 'extra01', '-handler', 'vdisk_nullio')
    scstadmin('-add_group', 'other', '-driver', 'iscsi', '-target', IQN)
    kept = scstadmin('-config', conf)
    assert kept.changes == 0 and 'extra01' in kernel.entries('devices')
    assert 'other' in kernel.entries(f'targets/iscsi/{IQN}/ini_groups')
    scstadmin('-config', conf, '-force')
    assert 'extra01' not in kernel.entries('devices')
    assert kernel.entries(f'targets/iscsi/{IQN}/ini_groups') == ['esx']


@pytest.mark.parametrize('name', APPLICABLE)
def test_example_scstadmin_then_scst_config(kernel, tmp_path, loop_device, name):
    """An example applied by scstadmin: a second -config makes 0 changes, and scst_config with the same file
    (state overridden, check mode) has nothing to change."""
    conf, model = adapted_file(name, tmp_path, loop_device)
    scstadmin('-config', conf)
    assert wanted_names(model) <= names_in_sysfs(kernel)
    again = scstadmin('-config', conf)
    assert unexplained(again.out, kernel) == [], again.out
    # scstadmin -config is additive: the collection's equivalent is state merged.
    result = module('scst_config', src=conf, state='merged', _check=True)
    assert result['commands'] == [] and not result['changed'], result['commands']


@pytest.mark.parametrize('name', APPLICABLE + ['hand-made'])
def test_scst_config_then_scstadmin(kernel, tmp_path, loop_device, name):
    """scst_config applies the file; scstadmin -write_config of that state parses (collection's parser) to the
    model scst_config reports after its run; scstadmin -config -force with the file then finds nothing to
    change but its hysteresis."""
    conf = hand_made_file(tmp_path) if name == 'hand-made' else adapted_file(name, tmp_path, loop_device)[0]
    after = module('scst_config', src=conf, state='overridden', force=True)['after']
    written = tmp_path / 'written.conf'
    scstadmin('-write_config', str(written))
    read_back = without_local_sessions(masked(parse(written.read_text(), compat='scstadmin')))
    assert read_back == as_scstadmin_writes(after)
    forced = scstadmin('-config', conf, '-force')
    assert unexplained(forced.out, kernel) == [], forced.out


LOCAL_CONF = """
HANDLER vdisk_fileio {
\tDEVICE disk01 {
\t\tfilename @BACKING@/disk01.img
\t}
}
TARGET_DRIVER scst_local {
\tTARGET local1 {
\t\tsession_name host1
\t\tLUN 0 disk01
\t}
}
"""


@pytest.mark.xfail(strict=True, reason='collection divergence: gathered has no session_name of scst_local targets')
def test_collection_gathers_local_sessions(kernel, tmp_path):
    """What scstadmin -write_config keeps of an scst_local target, the collection's gathered model keeps too."""
    hand_made_file(tmp_path)
    conf = tmp_path / 'local.conf'
    conf.write_text(LOCAL_CONF.replace('@BACKING@', str(tmp_path)))
    scstadmin('-config', str(conf))
    assert kernel.entries('targets/scst_local/local1/sessions') == ['host1']
    written = tmp_path / 'written.conf'
    scstadmin('-write_config', str(written))
    gathered = module('scst_config', state='gathered')['gathered']
    assert masked(parse(written.read_text(), compat='scstadmin')) == as_scstadmin_writes(gathered)


def test_collection_leaves_out_read_only_size(kernel, tmp_path):
    """The gathered model of a vdisk_fileio device leaves out its size, as scstadmin -write_config does: the size is
    read-only and comes from the backing file (SYSFS.md 10; _schema marks it information)."""
    hand_made_file(tmp_path)
    scstadmin('-open_dev', 'disk01', '-handler', 'vdisk_fileio', '-attributes', f'filename={tmp_path}/disk01.img')
    assert kernel.is_key('devices/disk01/size')
    gathered = module('scst_config', state='gathered')['gathered']
    device = next(handler for handler in gathered['handlers'] if handler['name'] == 'vdisk_fileio')['devices'][0]
    assert 'size' not in device['attributes']
