"""The target template (SYSFS.md sections 1.4 and 2.3): what every target driver plug-in answers.

``TargetDriver`` describes a kernel target driver: class attributes are the template's flags and strings,
methods are its callbacks, with the defaults of a driver that implements none of them. The generic
``mgmt`` file (help text and ``add_target``/``del_target`` dispatch) is the SCST core's and lives here too.
"""

import errno

from .lexer import next_lexem
from .nodes import KernelError


def einval(reason):
    return KernelError(errno.EINVAL, reason)


class TargetDriver:
    """A target template: the class attributes describe it, the methods are its callbacks.

    Subclasses override what their kernel driver implements; the defaults describe a driver without
    ``add_target`` (no ``mgmt``), without enable support and without session closing.
    """

    name = ''
    has_mgmt = False
    has_enable = False
    can_close_sessions = False
    dif_supported = False
    dif_capabilities = 'dif_supported'
    copy_manager = False
    sg_tablesize = 0
    # Drivers with trace flags get a trace_level file (tracing builds, section 3.6).
    trace_flags = False
    # Template strings of the generic mgmt help (scst_tgtt_mgmt_show).
    mgmt_cmd_help = ''
    add_target_parameters = ''
    driver_optional_attributes = ''
    target_optional_attributes = ''

    def __init__(self, kernel):
        self.kernel = kernel
        self.targets = {}
        self.dir = None

    # ------------------------------------------------------------------------------- callbacks
    def add_driver_attrs(self, driver_dir):
        """``tgtt_attrs``: driver-level files."""

    def add_target_attrs(self, target):
        """``tgt_attrs``: driver files in every target dir."""

    def add_acg_attrs(self, group, group_dir):
        """``acg_attrs``: driver files in every ini group dir."""

    def add_session_attrs(self, session):
        """``sess_attrs``: driver files in every session dir."""

    def unload(self):
        """The module goes: whatever the driver tears down itself before its targets are unregistered."""

    def add_target(self, name, rest):
        raise einval(f'{self.name} cannot add targets')

    def del_target(self, name):
        raise einval(f'{self.name} cannot delete targets')

    def mgmt_cmd(self, text):
        """Any other mgmt keyword; drivers without ``mgmt_cmd`` refuse it (section 2.3)."""
        raise einval(f'Unknown action "{next_lexem(text)[0]}"')

    def enable_target(self, target, enable):
        target.enabled = enable

    def close_session(self, session):
        self.kernel.acl.close_session(session)

    def initiator_name(self, target, initiator, portal):  # pylint: disable=unused-argument
        """The name SCST sees for an initiator (iSCSI appends ``#portal`` with per_portal_acl)."""
        return initiator

    def login_name(self, target, initiator, portal):
        """Check that a simulated initiator may log in now; return the name SCST sees."""
        if self.has_enable and not target.enabled:
            raise KernelError(errno.ECONNREFUSED, f'target {target.name} is not enabled')
        return self.initiator_name(target, initiator, portal)

    # ------------------------------------------------------------------------------- mgmt file
    def mgmt_help(self):
        """``scst_tgtt_mgmt_show``: the generic text with the template's optional parts."""
        text = ('Usage: echo "add_target target_name [parameters]" >mgmt\n'
                '       echo "del_target target_name" >mgmt\n')
        if self.driver_optional_attributes:
            text += ('       echo "add_attribute <attribute> <value>" >mgmt\n'
                     '       echo "del_attribute <attribute> <value>" >mgmt\n')
        if self.target_optional_attributes:
            text += ('       echo "add_target_attribute target_name <attribute> <value>" >mgmt\n'
                     '       echo "del_target_attribute target_name <attribute> <value>" >mgmt\n')
        text += self.mgmt_cmd_help
        text += "\nwhere parameters are one or more param_name=value pairs separated by ';'\n\n"
        if self.mgmt_cmd_help:
            text += '\n'
        if self.add_target_parameters:
            text += f'The following parameters available: {self.add_target_parameters}\n'
        if self.driver_optional_attributes:
            text += f'The following target driver attributes available: {self.driver_optional_attributes}\n'
        if self.target_optional_attributes:
            text += f'The following target attributes available: {self.target_optional_attributes}\n'
        return text + '\n'

    def mgmt_store(self, text):
        """``scst_process_tgtt_mgmt_store``: one command per write (section 2.3)."""
        word, pos = next_lexem(text)
        low = word.lower()
        if low in ('add_target', 'del_target'):
            name, pos = next_lexem(text, pos)
            if not name:
                raise einval('Target name required')
            if low == 'add_target':
                self.add_target(name, text[pos:])
                return
            extra = next_lexem(text, pos)[0]
            if extra:
                raise einval(f'Syntax error on "{extra}"')
            self.del_target(name)
            return
        self.mgmt_cmd(text)
