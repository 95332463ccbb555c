"""``scst-emulator``: run a command on a virtual SCST host, or manage a fleet of them reachable over SSH.

Errors are one line (``scst-emulator: error: ...``) with a non-zero status; never a traceback.
"""

import argparse
import os
import sys

from . import daemon, fleet, host

EPILOG = '''examples:
  scst-emulator host -- sh -c 'modprobe scst_vdisk && ls /sys/kernel/scst_tgt/handlers'
  scst-emulator host --fc-port 21:00:00:24:ff:31:4c:48 -- bash
  scst-emulator fleet up --hosts 3 --inventory inventory.ini --fc-ports-per-host 2
  scst-emulator fleet reboot h2
  scst-emulator fleet down

boot of a host: FC ports present and qla2xxx not blacklisted -> modprobe -b qla2xxx (udev); then every
line of /etc/modules (modprobe -b, options from /etc/modprobe.d); then, if the SCST service is enabled
(a start link /etc/rc3.d/S*scst exists), the /etc/scst.conf hook (not implemented yet). Details: boot.log.

fleet host hI: sshd on 127.0.0.(10+I):22, FC WWPNs 21:00:00:24:ff:HH:PP:00 (HH host, PP port, hex).
state: fleets keep their state in --state-dir, else $SCST_EMULATOR_STATE, else <repo>/.work/emulator.
'''


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f'scst-emulator: error: {message}\n')


def _scsi_device(text):
    daemon.parse_scsi_device(text)  # validate now, pass the text on
    return text


def _parser():
    parser = _Parser(prog='scst-emulator', description=__doc__.split('\n', 1)[0], epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest='command', required=True, parser_class=_Parser)

    one = sub.add_parser('host', help='run COMMAND inside a fresh virtual host; exit with its status',
                         description='Run COMMAND in private pid/mount/uts namespaces with the emulated SCST kernel '
                                     'at /sys/kernel/scst_tgt, copy-on-write /etc, /root and /run, and stand-in '
                                     'modprobe/rmmod/lsmod/dmesg/iscsi-scstd/scst-initiator/scst-fault on PATH. '
                                     'Exit status: COMMAND\'s; 125 if the host cannot be set up; 127 if COMMAND is not found.')
    one.add_argument('--fc-port', action='append', default=[], metavar='WWPN', help='an emulated QLogic FC port (repeatable)')
    one.add_argument('--scsi-device', action='append', default=[], type=_scsi_device, metavar='H:C:I:L,TYPE,MODEL',
                     help='a local SCSI device for the pass-through handlers (repeatable), e.g. 2:0:0:0,0,VBOX HARDDISK')
    one.add_argument('--state-dir', help='keep the host state (/etc, /root changes) here; default: a temporary dir')
    one.add_argument('--hostname', default='scst-host', help='host name in the uts namespace (default: %(default)s)')
    one.add_argument('cmd', nargs=argparse.REMAINDER, metavar='-- COMMAND [ARG]...')

    fl = sub.add_parser('fleet', help='virtual hosts with their own sshd on 127.0.0.(10+i):22')
    fl_sub = fl.add_subparsers(dest='action', required=True, parser_class=_Parser)
    up = fl_sub.add_parser('up', help='start N hosts and write an Ansible inventory')
    up.add_argument('--hosts', type=int, required=True, metavar='N')
    up.add_argument('--inventory', required=True, metavar='FILE', help='INI, or YAML when FILE ends in .yml/.yaml')
    up.add_argument('--fc-ports-per-host', type=int, default=0, metavar='K')
    up.add_argument('--address-base', type=int, default=fleet.DEFAULT_ADDRESS_BASE, metavar='B',
                    help='host I listens on 127.0.0.(B+I):22 (default: %(default)s)')
    down = fl_sub.add_parser('down', help='stop every host of the fleet')
    reboot = fl_sub.add_parser('reboot', help='restart one host: kernel state lost, /etc kept, boot replayed')
    reboot.add_argument('name', metavar='HOST')
    status = fl_sub.add_parser('status', help='list the hosts and whether they run')
    for action in (up, down, reboot, status):
        action.add_argument('--state-dir', help='default: $SCST_EMULATOR_STATE or <repo>/.work/emulator')
    return parser


def _run(args):
    if args.command == 'host':
        command = args.cmd[1:] if args.cmd[:1] == ['--'] else args.cmd
        if not command:
            raise fleet.FleetError('host needs a COMMAND after --')
        spec = host.HostSpec(args.hostname, os.path.abspath(args.state_dir or '.'), args.fc_port, args.scsi_device)
        return host.run(spec, command) if args.state_dir else host.run_ephemeral(spec, command)
    state = fleet.state_dir(args.state_dir)
    if args.action == 'up':
        return fleet.up(state, args.hosts, args.inventory, args.fc_ports_per_host, args.address_base)
    if args.action == 'down':
        return fleet.down(state)
    if args.action == 'reboot':
        return fleet.reboot(state, args.name)
    return fleet.status(state)


def main(argv=None):
    args = _parser().parse_args(argv)
    if os.geteuid() != 0:
        print('scst-emulator: error: must run as root (namespaces, mounts, FUSE)', file=sys.stderr)
        return 1
    try:
        return _run(args)
    except (fleet.FleetError, host.HostError, RuntimeError, OSError) as exc:
        print(f'scst-emulator: error: {exc}', file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == '__main__':
    sys.exit(main())
