"""The ``pyperi`` command: argument parsing, subcommands and exit codes (the only printer).

The package is split by what the code does: :mod:`pyperi.cli.runtime` holds the
exit codes, the CLI errors and :class:`Runtime` (options, streams, the one Peri,
output helpers); :mod:`pyperi.cli.lookups` (``user``, ``broadcast``, ``tokens``,
``url``, ``parse``, ``serve-fake``), :mod:`pyperi.cli.history` (``history``,
``stats``) and :mod:`pyperi.cli.capture` (``download``, ``watch``) hold the
commands; this module builds the parser and runs :func:`main`.

Adding a subcommand: in a command module (or a new one that imports from
:mod:`pyperi.cli.runtime`, never from here), write ``_configure_NAME(parser)``
(its arguments) and ``_run_NAME(args, runtime) -> int`` (its work, printing
through ``runtime.emit``), then import both here and add a :class:`Command` to
:data:`COMMANDS`. A command gets the one shared :class:`~pyperi.Peri` of the
run from ``runtime.peri``; raising :class:`UsageError`, :class:`NotFoundError`,
:class:`CLIError` (a failure outside HTTP, such as a full disk) or a
:class:`~pyperi.PyPeriError` gives the documented exit code and one line on
stderr (see :func:`exit_code_for`).
Pure output formatting lives in :mod:`pyperi.formatting`.
"""
from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading
from dataclasses import dataclass
from typing import IO, Any, Callable, Iterator, Sequence

from pyperi import urls
from pyperi._version import __version__
from pyperi.cli.capture import _configure_download, _configure_watch, _run_download, _run_watch
from pyperi.cli.history import _configure_history, _configure_stats, _run_history, _run_stats
from pyperi.cli.lookups import (
    _configure_broadcast, _configure_parse, _configure_serve_fake, _configure_tokens,
    _configure_url, _configure_user, _run_broadcast, _run_parse, _run_serve_fake, _run_tokens,
    _run_url, _run_user,
)
from pyperi.cli.runtime import (
    EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, PROG, CLIError, NotFoundError, Runtime,
    UsageError, _error_line, _field_list, _non_negative_int, _positive_float, exit_code_for,
)
from pyperi.client import DEFAULT_RETRIES
from pyperi.exceptions import PyPeriError
from pyperi.formatting import FORMATS, Column, Output

# Public names of the former single-module cli, so `from pyperi.cli import X` keeps working.
from pyperi.cli.capture import DOWNLOAD_FIELDS  # noqa: F401
from pyperi.cli.history import STATS_CSV_FIELDS  # noqa: F401
from pyperi.cli.lookups import (  # noqa: F401
    BROADCAST_CSV_FIELDS, BROADCAST_TABLE_FIELDS, USER_CSV_FIELDS, USER_TABLE_FIELDS,
)
from pyperi.cli.runtime import EXIT_NOT_FOUND  # noqa: F401

__all__ = ['main', 'build_parser', 'exit_code_for', 'COMMANDS', 'Command', 'Runtime',
           'Column', 'Output', 'CLIError', 'UsageError', 'NotFoundError']

logger = logging.getLogger(__name__)


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


#: Every subcommand, in ``--help`` order. Add new ones here.
COMMANDS: tuple[Command, ...] = (
    Command('user', 'show users (by id, username or URL)', _configure_user, _run_user),
    Command('broadcast', 'show broadcasts (by id or URL)', _configure_broadcast, _run_broadcast),
    Command('download', 'download a replay or capture a live broadcast as .ts '
            "(or a user's whole history with --user)", _configure_download, _run_download),
    Command('watch', 'poll users and print new and live broadcasts as JSON lines',
            _configure_watch, _run_watch, output=False),
    Command('history', "list users' public broadcast history", _configure_history, _run_history),
    Command('stats', 'count broadcasts, time on air and views per user and per week',
            _configure_stats, _run_stats),
    Command('tokens', "print a user's public session tokens", _configure_tokens, _run_tokens),
    Command('url', 'build user and broadcast page URLs', _configure_url, _run_url),
    Command('parse', 'read broadcast id, user id and username out of URLs',
            _configure_parse, _run_parse),
    Command('serve-fake', 'run the embedded fake Periscope server until Ctrl-C',
            _configure_serve_fake, _run_serve_fake, output=False, network=False),
)


# -- parser -------------------------------------------------------------------------------


def _add_network_options(parser: argparse.ArgumentParser, *, sub: bool) -> None:
    """Connection options; on a subcommand they default to SUPPRESS so the top level's stay."""
    def default(value: Any) -> Any:
        return argparse.SUPPRESS if sub else value

    group = parser.add_argument_group('connection')
    group.add_argument('--offline', action='store_true', default=default(False),
                       help='run against the embedded fake Periscope, started in-process')
    group.add_argument('--api-base-url', metavar='URL', default=default(None),
                       help='API root (default: $PYPERI_API_BASE_URL or '
                            f'{urls.DEFAULT_API_BASE_URL})')
    group.add_argument('--web-base-url', metavar='URL', default=default(None),
                       help='web root (default: $PYPERI_WEB_BASE_URL or '
                            f'{urls.DEFAULT_WEB_BASE_URL})')
    group.add_argument('--timeout', type=_positive_float, metavar='SECONDS',
                       default=default(None), help='per-request timeout')
    group.add_argument('--retries', type=_non_negative_int, metavar='N',
                       default=default(DEFAULT_RETRIES),
                       help=f'retries on connection errors, 429 and 502-504 '
                            f'(default: {DEFAULT_RETRIES})')
    group.add_argument('-v', '--verbose', action='store_true', default=default(False),
                       help='log requests to stderr and show tracebacks')


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``pyperi`` command."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Query Periscope's public API from the command line. Output is a table on "
                    'a terminal and JSON when piped; choose with --format.',
        epilog='exit status: 0 ok, 1 not found, 2 usage error, 3 network/HTTP/response error, '
               '130 interrupted',
    )
    parser.add_argument('--version', action='version', version=f'%(prog)s {__version__}')
    _add_network_options(parser, sub=False)
    subparsers = parser.add_subparsers(dest='command', metavar='COMMAND', required=True)
    for command in COMMANDS:
        sub = subparsers.add_parser(command.name, help=command.help, description=command.help)
        command.configure(sub)
        if command.output:
            out = sub.add_argument_group('output')
            out.add_argument('-f', '--format', choices=FORMATS,
                             help='output format (default: table on a terminal, json otherwise)')
            out.add_argument('--fields', type=_field_list, metavar='A,B,...',
                             help='fields to print, in order (table and csv; json too if given)')
        if command.network:
            _add_network_options(sub, sub=True)
        sub.set_defaults(command_spec=command)
    return parser


@contextlib.contextmanager
def _verbose_logging(enabled: bool, stream: IO[str]) -> Any:
    """DEBUG logs of pyperi and urllib3 to ``stream`` for the run, removed afterwards."""
    if not enabled:
        yield
        return
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter('%(asctime)s %(levelname)s %(name)s: %(message)s'))
    loggers = [logging.getLogger('pyperi'), logging.getLogger('urllib3')]
    saved = [(lg, lg.level) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        for lg, level in saved:
            lg.removeHandler(handler)
            lg.setLevel(level)


def _silence_broken_pipe(stream: IO[str]) -> None:
    """After the reader went away (``| head``), point stdout at devnull so exit stays quiet."""
    if stream is not sys.__stdout__:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


@contextlib.contextmanager
def _terminate_like_interrupt() -> Iterator[None]:
    """Treat SIGTERM as Ctrl-C while the command runs, so partial downloads are removed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``pyperi`` command with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    stdout, stderr = sys.stdout, sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:   # --help, --version and usage errors
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 2)
    if args.offline and (args.api_base_url or args.web_base_url):
        print(f'{PROG}: error: --offline cannot be combined with --api-base-url/--web-base-url',
              file=stderr)
        return EXIT_USAGE
    runtime = Runtime(args, stdout, stderr)
    with _verbose_logging(args.verbose, stderr), _terminate_like_interrupt():
        try:
            try:
                return args.command_spec.run(args, runtime)
            finally:
                runtime.close()
        except KeyboardInterrupt:
            return EXIT_INTERRUPTED
        except BrokenPipeError:
            _silence_broken_pipe(stdout)
            return EXIT_OK
        except (CLIError, PyPeriError) as error:
            if args.verbose:
                logger.debug('error details', exc_info=True)
            print(_error_line(error), file=stderr)
            return exit_code_for(error) or EXIT_ERROR
