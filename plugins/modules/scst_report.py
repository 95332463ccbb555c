#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The work is done on the controller by the action plugin of the same name (plugins/action/scst_report.py).

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: scst_report
short_description: Write the files of an SCST report on the controller
version_added: 0.1.0
description:
  - Writes text that the play has rendered (for example the fleet report of C(playbooks/gather.yml), in Markdown
    and HTML) to files in a directory on the Ansible controller, creating the directory (mode C(0755)) when needed.
  - It runs in the controller's process, without a module run on any host or on the controller itself, so it costs
    the same on a fleet of any size. Use it with C(run_once=true).
  - Each file is replaced atomically (written beside it, then renamed) with mode C(0644), and only when its text
    differs.
author:
  - storage.scst maintainers (@storage-scst)
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: In check mode nothing is written; C(changed) and RV(written) say which files would change.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
    details: The files are written on the controller, whatever the host of the task.
options:
  dest:
    description: The directory on the controller; created with its parents (mode C(0755)) when it does not exist.
    type: path
    required: true
  name:
    description: The file name without extension, the same for every file; a name, not a path.
    type: str
    required: true
  content:
    description: The text of each file, by file extension (for example C(md) and C(html)).
    type: dict
    required: true
notes:
  - The files are written as the user that runs C(ansible-playbook); C(become) does not apply.
seealso:
  - module: storage.scst.scst_info
'''

EXAMPLES = r'''
- name: Write the report as Markdown and HTML, rendered from the play's templates
  storage.scst.scst_report:
    dest: "{{ lookup('ansible.builtin.env', 'HOME') }}/scst-reports"
    name: scst-report
    content:
      md: "{{ lookup('ansible.builtin.template', 'scst_report.md.j2') }}"
      html: "{{ lookup('ansible.builtin.template', 'scst_report.html.j2') }}"
  run_once: true
'''

RETURN = r'''
files:
  description: The path of every file, in the order of their extensions.
  returned: success
  type: list
  elements: str
  sample: [/home/admin/scst-reports/scst-report.html, /home/admin/scst-reports/scst-report.md]
written:
  description: The files whose text changed (in check mode, would change).
  returned: success
  type: list
  elements: str
  sample: [/home/admin/scst-reports/scst-report.md]
'''
