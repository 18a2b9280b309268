"""A subcommand's entry (:class:`Command`) and the parser built from a list of them."""
from __future__ import annotations

import argparse
import difflib
import sys
import textwrap
from dataclasses import dataclass
from typing import IO, Any, Callable, Iterable, NoReturn, Sequence

from pyperi import __version__
from pyperi.cli import terminal
from pyperi.cli.args import add_general_options, add_network_options, add_output_options
from pyperi.cli.runtime import EXIT_USAGE, PROG, Runtime

__all__ = ['Command', 'CommandParser', 'UsageReportingParser', 'build_parser',
           'unknown_command_message']

_DESCRIPTION = ("Query Periscope's public API from the command line. Output is a table on a\n"
                'terminal and JSON when piped; choose with --format.')
_EPILOG = '''\
examples:
  pyperi --offline stats george_clinton --since 4w
  pyperi user george_clinton -f csv
  pyperi COMMAND --help

The connection options, the output options (-f, --fields, --array), -v and -q
go before or after COMMAND (after wins when both are given).

exit status: 0 ok, 1 not found, 2 usage error, 3 network/HTTP/response error,
130 interrupted'''


@dataclass(frozen=True)
class Command:
    """A subcommand: its name, one-line help, argument setup and the function that runs it.

    ``output`` adds ``--format``/``--fields``/``--array`` after the subcommand name;
    ``network`` adds the connection options (``--offline`` and the rest) there too.
    ``examples`` are command lines shown under ``--help``.
    """

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Runtime], int]
    output: bool = True
    network: bool = True
    examples: tuple[str, ...] = ()

    @property
    def epilog(self) -> str | None:
        """The ``examples:`` block of ``--help`` (None without examples)."""
        if not self.examples:
            return None
        return 'examples:\n' + '\n'.join(f'  {example}' for example in self.examples)


def unknown_command_message(name: str, choices: Iterable[str]) -> str:
    """``unknown command 'NAME'``, with the closest commands when some are close."""
    close = difflib.get_close_matches(name, list(choices), n=2)
    hint = ' or '.join(repr(choice) for choice in close)
    return f'unknown command {name!r}' + (f' (did you mean {hint}?)' if hint else '')


class UsageReportingParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are the short usage, then ``PROG: error: MESSAGE``.

    The prefix is in bold red when stderr takes colour (:mod:`pyperi.cli.terminal`).
    """

    def report(self, message: str, file: IO[str]) -> None:
        """Print the usage and the one error line for ``message`` to ``file``."""
        self.print_usage(file)
        prefix = f'{self.prog}: error:'
        if terminal.wants_colour(file):
            prefix = f'{terminal.BOLD}{terminal.RED}{prefix}{terminal.RESET}'
        print(f'{prefix} {message}', file=file)

    def error(self, message: str) -> NoReturn:
        """Report ``message`` on stderr and exit with status 2."""
        self.report(message, sys.stderr)
        self.exit(EXIT_USAGE)


class CommandParser(UsageReportingParser):
    """The ``pyperi`` parser: it names unknown commands and reports mistakes per subcommand.

    :meth:`parse_command_line` reports an unknown option with the usage of the
    subcommand it was given to, and :meth:`usage_error` reports a mistake found
    after parsing the same way.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Each subcommand's parser, by name.
        self.subcommands: dict[str, UsageReportingParser] = {}
        #: The destinations of the connection options and of the output options.
        self.network_options: tuple[str, ...] = ()
        self.output_options: tuple[str, ...] = ()

    def _added_by(self, add: Callable[[argparse.ArgumentParser], None]) -> tuple[str, ...]:
        """Run ``add(self)``; the destinations of the options it added."""
        known = len(self._actions)
        add(self)
        return tuple(action.dest for action in self._actions[known:])

    def options_refused(self, args: argparse.Namespace) -> list[str]:
        """The common options given (not at their default) that the chosen command refuses."""
        spec: Command = args.command_spec
        names = (() if spec.network else self.network_options) + \
            (() if spec.output else self.output_options)
        return ['--' + name.replace('_', '-') for name in names
                if getattr(args, name, None) != self.get_default(name)]

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        # argparse's hook for `choices`: for the command name, say "unknown command" and
        # suggest the closest one instead of listing every choice.
        if isinstance(action, argparse._SubParsersAction) and value not in action.choices:
            raise argparse.ArgumentError(None, unknown_command_message(value, action.choices))
        super()._check_value(action, value)

    def parse_command_line(self, argv: Sequence[str] | None) -> argparse.Namespace:
        """The parsed ``argv``; a mistake prints usage and one line, then SystemExit(2)."""
        args, extras = self.parse_known_args(argv)
        if extras:
            self.usage_error(args, f'unrecognized arguments: {" ".join(extras)}')
        return args

    def command_parser(self, args: argparse.Namespace) -> UsageReportingParser:
        """The parser of the subcommand ``args`` chose (this parser if none)."""
        return self.subcommands.get(getattr(args, 'command', None) or '', self)

    def report_usage_error(self, args: argparse.Namespace, message: str,
                           file: IO[str]) -> None:
        """Print the usage of the chosen subcommand and ``PROG COMMAND: error: message``."""
        self.command_parser(args).report(message, file)

    def usage_error(self, args: argparse.Namespace, message: str) -> NoReturn:
        """Report ``message`` as :meth:`argparse.ArgumentParser.error` of the chosen subcommand."""
        self.command_parser(args).error(message)


def _short_usage(parser: argparse.ArgumentParser) -> str:
    """``PROG [options] POSITIONALS``: usage that stays short (``--help`` lists the options)."""
    positionals = [action for action in parser._actions if not action.option_strings]
    formatter = parser._get_formatter()
    formatter.add_usage(None, positionals, [], prefix='')
    arguments = formatter.format_help().strip()[len(parser.prog):]
    return f'%(prog)s [options]{arguments}'


def build_parser(commands: Sequence[Command]) -> CommandParser:
    """The argument parser of the ``pyperi`` command with ``commands``, in ``--help`` order.

    The common options are accepted before and after the command name; given in
    both places, the one after wins. The chosen :class:`Command` is
    ``args.command_spec``.
    """
    parser = CommandParser(prog=PROG, description=_DESCRIPTION, epilog=_EPILOG,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--version', action='version', version=f'%(prog)s {__version__}')
    parser.network_options = parser._added_by(lambda p: add_network_options(p, sub=False))
    parser.output_options = parser._added_by(lambda p: add_output_options(p, sub=False))
    add_general_options(parser, sub=False)
    subparsers = parser.add_subparsers(dest='command', metavar='COMMAND', required=True,
                                       parser_class=UsageReportingParser)
    for command in commands:
        sub = subparsers.add_parser(command.name, help=command.help,
                                    description=textwrap.fill(command.help, 79),
                                    epilog=command.epilog,
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
        command.configure(sub)
        if command.output:
            add_output_options(sub, sub=True)
        if command.network:
            add_network_options(sub, sub=True)
        add_general_options(sub, sub=True)
        sub.usage = _short_usage(sub)
        sub.set_defaults(command_spec=command)
        assert isinstance(sub, UsageReportingParser)   # the subparsers' parser_class
        parser.subcommands[command.name] = sub
    parser.usage = _short_usage(parser)
    return parser
