"""A subcommand's entry (:class:`Command`) and the parser built from a list of them."""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Callable, Sequence

from pyperi import __version__
from pyperi.cli.args import add_network_options, add_output_options
from pyperi.cli.runtime import PROG, Runtime

__all__ = ['Command', 'build_parser']


@dataclass(frozen=True)
class Command:
    """A subcommand: its name, one-line help, argument setup and the function that runs it.

    ``output`` adds ``--format``/``--fields``; ``network`` adds the connection
    options (``--offline`` and the rest) after the subcommand name too.
    """

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Runtime], int]
    output: bool = True
    network: bool = True


def build_parser(commands: Sequence[Command]) -> argparse.ArgumentParser:
    """The argument parser of the ``pyperi`` command with ``commands``, in ``--help`` order.

    The chosen :class:`Command` is ``args.command_spec``.
    """
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Query Periscope's public API from the command line. Output is a table on "
                    'a terminal and JSON when piped; choose with --format.',
        epilog='exit status: 0 ok, 1 not found, 2 usage error, 3 network/HTTP/response error, '
               '130 interrupted',
    )
    parser.add_argument('--version', action='version', version=f'%(prog)s {__version__}')
    add_network_options(parser, sub=False)
    subparsers = parser.add_subparsers(dest='command', metavar='COMMAND', required=True)
    for command in commands:
        sub = subparsers.add_parser(command.name, help=command.help, description=command.help)
        command.configure(sub)
        if command.output:
            add_output_options(sub)
        if command.network:
            add_network_options(sub, sub=True)
        sub.set_defaults(command_spec=command)
    return parser
