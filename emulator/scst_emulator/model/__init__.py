"""Pure-Python model of the SCST kernel side (SYSFS.md): no FUSE, no threads of its own except delayed works."""
