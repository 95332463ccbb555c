"""The copy manager (SYSFS.md sections 1.6, 2.1, 9): a target driver that SCST core registers itself.

It serves EXTENDED COPY inside the box: one target ``copy_manager_tgt`` with one session
``copy_manager_sess``, no ``mgmt``, no ``enabled``, no initiator groups, no read-only LUNs, and (with
``auto_cm_assignment=1``) one automatic LUN per vdisk device (``Acl.copy_manager_auto_lun``).
"""

import errno

from .lexer import kstrtoull
from .nodes import Attr, KernelError, keyed
from .target_driver import TargetDriver


class CopyManager(TargetDriver):
    name = 'copy_manager'
    copy_manager = True
    dif_supported = True
    dif_capabilities = 'dif_supported, hw_dif_type1_supported, hw_dif_type2_supported, hw_dif_type3_supported'
    sg_tablesize = 0xffff

    def __init__(self, kernel):
        super().__init__(kernel)
        self.allow_not_connected_copy = False

    def start(self):
        """``scst_cm_init``: the target and its only session; returns the target."""
        target = self.kernel.targets.add_target(self, 'copy_manager_tgt')
        self.kernel.acl.open_session(target, 'copy_manager_sess')
        return target

    def add_driver_attrs(self, driver_dir):
        driver_dir.add('allow_not_connected_copy', Attr(
            0o644, lambda: keyed(int(self.allow_not_connected_copy), self.allow_not_connected_copy),
            self._allow_store))

    def _allow_store(self, text):
        # kstrtoul into a bool: any nonzero number is 1.
        self.allow_not_connected_copy = kstrtoull(text) != 0

    def login_name(self, target, initiator, portal):
        raise KernelError(errno.ECONNREFUSED, 'the copy manager has no remote initiators')
