# -*- coding: utf-8 -*-
# Copyright (c) storage.scst contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The errors of this collection: one family, rooted in ScstError.

This module is private to this collection: it is not part of the public API and may change without notice.
Every error a module should report is an ScstError; _runner catches the family once and turns it into one
fail_json (``to_dict()``, secrets masked). The root is what the sysfs layer raises; subclasses exist where a
caller tells them apart: ScstInputError (here), _plan_base.PlanError, _model.ModelError, _conf_lexer.ConfError,
_conf_file.ConfFileError, _kmod_backend.ModuleFailure, _services.ServiceFailure. The module also masks secret
strings, such as iSCSI CHAP passwords, in every text an error carries.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno as _errno
import os


MASK = '********'
_SHOWN_CHARS = 120  # an over-long value is shown cut, so that the message stays readable


def mask_text(text, secrets):
    """Return text with every secret replaced by MASK (None stays None)."""
    if text is None:
        return None
    # Longest first, so a secret that contains another secret is masked as a whole.
    for secret in sorted(set(s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def errno_name(number):
    """Symbolic name of an errno value, e.g. 22 -> 'EINVAL' (the number as text if unknown)."""
    return _errno.errorcode.get(number, str(number))


def describe_errno(number):
    """'EINVAL (Invalid argument)' for 22."""
    return '%s (%s)' % (errno_name(number), os.strerror(number))


class ScstError(Exception):
    """A failure (the root: of an operation on /sys/kernel/scst_tgt), with everything a user needs to act on it.

    msg: one sentence that says what failed, on which path, with the kernel's words where it gave any.
    path: the absolute sysfs path involved (or None).
    command: the text that was (or would have been) written, secrets masked (or None).
    errno: the errno number the kernel answered with (or None); errno_name is its symbol ('EINVAL').
    kernel_log: kernel log lines that appeared while the operation ran.
    applied: the commands already applied in this run before the failure (see SysfsClient.applied).
    details: further return keys for the user (e.g. the problems or issues of a configuration).
    """

    # The result carries the sysfs keys (sysfs_path, command, errno, kernel_log); subclasses for failures that
    # never reached sysfs turn this off and report msg, commands and their details only.
    sysfs_failure = True

    def __init__(self, msg, path=None, command=None, errno=None, kernel_log=None, applied=None, **details):
        super(ScstError, self).__init__(msg)
        self.msg = msg
        self.path = path
        self.command = command
        self.errno = errno
        self.kernel_log = list(kernel_log or [])
        self.applied = list(applied or [])
        self.details = details

    @property
    def errno_name(self):
        return None if self.errno is None else errno_name(self.errno)

    def __str__(self):
        return self.msg

    def mask(self, secrets):
        """Replace every secret in every text this error carries; returns self."""
        secrets = [s for s in secrets if s]
        if secrets:
            self._mask(secrets)
        return self

    def _mask(self, secrets):
        self.msg = mask_text(self.msg, secrets)
        self.path = mask_text(self.path, secrets)
        self.command = mask_text(self.command, secrets)
        self.kernel_log = [mask_text(line, secrets) for line in self.kernel_log]
        self.applied = [mask_text(line, secrets) for line in self.applied]
        self.args = (self.msg,)

    def to_dict(self):
        """Keyword arguments for AnsibleModule.fail_json(); 'commands' has the same shape as a module result."""
        result = dict(self.details, msg=self.msg, commands=list(self.applied))
        if self.sysfs_failure:
            result.update(sysfs_path=self.path, command=self.command, errno=self.errno_name,
                          kernel_log=list(self.kernel_log))
        elif self.kernel_log:
            result['kernel_log'] = list(self.kernel_log)
        return result


class ScstInputError(ScstError):
    """A name or value that must not be written to SCST; raised before anything is written.

    option: the name of the user's option (as the caller passed it); value: the rejected value;
    reason: why it was rejected. The value shown in the message is masked when it is (or contains) a secret.
    """

    def __init__(self, option, value, reason, secret=False):
        self.option = option
        self.value = value
        self.reason = reason
        self.secret = secret
        super(ScstInputError, self).__init__(self._render())

    def _render(self):
        if self.secret:
            shown = MASK
        elif isinstance(self.value, str) and len(self.value) > _SHOWN_CHARS:
            shown = '%r... (%d characters)' % (self.value[:_SHOWN_CHARS], len(self.value))
        else:
            shown = repr(self.value)
        return '%s: invalid value %s: %s' % (self.option, shown, self.reason)

    def _mask(self, secrets):
        # The raw value is masked before it is quoted: repr() would escape a secret that holds control
        # characters, and the quoted form would no longer match the registered secret.
        if isinstance(self.value, str):
            self.value = mask_text(self.value, secrets)
        super(ScstInputError, self)._mask(secrets)
        self.msg = mask_text(self._render(), secrets)
        self.args = (self.msg,)

    def to_dict(self):
        result = super(ScstInputError, self).to_dict()
        result['option'] = self.option
        return result
