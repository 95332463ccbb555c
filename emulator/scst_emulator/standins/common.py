"""What every stand-in shares: finding the control socket, one-line errors, never a traceback."""

import argparse
import os
import sys

from ..control import ControlError

CONTROL_ENV = 'SCST_EMULATOR_CONTROL'


class Parser(argparse.ArgumentParser):
    """argparse whose errors are one line (``prog: error: ...``) with exit status 2, like most tools."""

    def error(self, message):
        self.exit(2, f'{self.prog}: error: {message}\n')


def control_path(control):
    path = control or os.environ.get(CONTROL_ENV)
    if not path:
        raise ControlError(f'no emulated kernel: {CONTROL_ENV} is not set')
    return path


def run(prog, body):
    """Run ``body()`` (returns the exit status) turning failures into ``prog: message`` and a status."""
    try:
        return body()
    except ControlError as exc:
        message = str(exc)
        print(message if message.startswith(f'{prog}:') else f'{prog}: {message}', file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        print(f'{prog}: {exc.strerror or exc}', file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
