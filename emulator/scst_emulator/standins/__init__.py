"""Command-line stand-ins for the tools that talk to a real kernel (modprobe, dmesg, iscsi-scstd, ...).

Each module has ``main(argv=None, control_socket=None)``; ``control_socket`` is the daemon's control socket, baked
into the per-host executables that ``host.py`` generates (see ``TOOLS`` for the command names).
"""

# command name -> module in this package
TOOLS = {
    'modprobe': 'modprobe',
    'rmmod': 'rmmod',
    'lsmod': 'lsmod',
    'dmesg': 'dmesg',
    'iscsi-scstd': 'iscsi_scstd',
    'scst-initiator': 'initiator',
    'scst-fault': 'fault',
}
