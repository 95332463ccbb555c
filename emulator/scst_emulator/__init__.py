"""scst-emulator: an emulated SCST kernel (sysfs tree, modules, FC ports) for hosts without SCST."""
