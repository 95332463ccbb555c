"""Offline stand-in for the get-pip bootstrap script that ansible-test downloads.

ansible-test creates empty virtual environments for its sanity tests and runs get-pip.py in them with pip-install
arguments; the real script is fetched from a host that CI cannot reach. This one imports pip from a wheel that
is already on the machine (CPython's ensurepip bundle or Debian's python-wheels) and runs the same install
against the configured package index.
"""

import glob
import os
import sys

import ensurepip


def _pip_wheel():
    # The interpreter's own bundled pip first: it is the one that runs on this Python (Debian's pip 23.0 fails
    # on 3.12+, where pkgutil.ImpImporter is gone). Debian's python3 has no bundle, only python-wheels.
    bundled = sorted(glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), '_bundled', 'pip-*.whl')))
    wheels = bundled or sorted(glob.glob('/usr/share/python-wheels/pip-*.whl'))
    if not wheels:
        sys.exit('get_pip stand-in: no pip wheel found in ensurepip or /usr/share/python-wheels')
    return wheels[-1]


def main():
    sys.path.insert(0, _pip_wheel())
    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel

    # get-pip's own switches; pip install does not know them, and leaving those packages out is the default here.
    args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
    return pip_main(['install'] + args)


if __name__ == '__main__':
    sys.exit(main())
