"""The ``serve-fake`` command: the embedded fake Periscope, served until Ctrl-C.

Its options are the fake's own (:mod:`pyperi.testing.command`, which is cheap to
import); the fake server itself is loaded only when the command runs.
"""
from __future__ import annotations

import argparse

from pyperi.cli.command import Command
from pyperi.cli.runtime import PROG, Runtime
from pyperi.testing import command as fake_command

__all__ = ['COMMANDS']


def _run_serve_fake(args: argparse.Namespace, runtime: Runtime) -> int:
    return fake_command.run(args, prog=PROG)


#: This module's subcommands, in ``--help`` order.
COMMANDS = (
    Command('serve-fake', 'run the embedded fake Periscope server until Ctrl-C',
            fake_command.add_arguments, _run_serve_fake, output=False, network=False,
            examples=('pyperi serve-fake --port 8765',
                      'pyperi serve-fake --latency 0.2 --token-ttl 60',
                      'pyperi serve-fake --write-warc periscope.warc.gz')),
)
