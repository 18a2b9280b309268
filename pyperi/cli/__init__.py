"""The ``pyperi`` command: collects the subcommands and runs :func:`main` (the only printer).

Where things are:

* :mod:`pyperi.cli.runtime`: exit codes, the CLI errors and :class:`Runtime`
  (options, streams, the one Peri, output);
* :mod:`pyperi.cli.args`: argument types and the options several subcommands share;
* :mod:`pyperi.cli.command`: :class:`Command`, a subcommand's entry, and the parser
  (common options before or after the command name, usage errors, "did you mean");
* :mod:`pyperi.cli.records`: the columns and fields of user and broadcast records;
* :mod:`pyperi.cli.terminal`: what a terminal takes (the width tables fit, colour);
* :mod:`pyperi.cli.progress`: the download progress line on stderr;
* the command modules, each with its ``COMMANDS``: :mod:`~pyperi.cli.lookups`
  (``user``, ``broadcast``), :mod:`~pyperi.cli.capture` (``download``, ``watch``),
  :mod:`~pyperi.cli.history` (``history``), :mod:`~pyperi.cli.stats` (``stats``),
  :mod:`~pyperi.cli.pages` (``tokens``, ``url``, ``parse``), :mod:`~pyperi.cli.serve`
  (``serve-fake``), :mod:`~pyperi.cli.completion` (``completion``, which needs the
  parser and so is made here);
* :mod:`pyperi.cli.process`: logging to stderr, SIGTERM and SIGHUP, a closed pipe;
* :mod:`pyperi.cli.problems`: errors said plainly (unreachable hosts, timeouts, a wrong
  API base URL, one base URL moved without the other), without class names.

Adding a subcommand: in a command module (or a new one, which imports from the
modules above, never from here), write a function that adds its arguments and one
``run(args, runtime) -> int`` that does the work and prints through
``runtime.emit(Output(...))``; add a :class:`Command` (with two or three ``examples``
for ``--help``) to the module's ``COMMANDS``
(and, for a new module, add the module to :data:`COMMANDS` here). A command gets the
one shared :class:`~pyperi.Peri` of the run from ``runtime.peri``; raising
:class:`UsageError`, :class:`NotFoundError`, :class:`CLIError` (a failure outside
HTTP, such as a full disk) or a :class:`~pyperi.PyPeriError` gives the documented
exit code and one line on stderr (see :func:`exit_code_for`); a :class:`UsageError`
also prints the command's usage line, like argparse's own errors. Output formats are
the table :data:`pyperi.formatting.FORMATS`.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from pyperi.cli import capture, command, completion, history, lookups, pages, serve, stats
from pyperi.cli.command import Command
from pyperi.cli.process import silence_broken_pipe, terminate_like_interrupt, verbose_logging
from pyperi.cli.runtime import (
    EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, PROG, CLIError, NotFoundError, Runtime,
    UsageError, exit_code_for, logger,
)
from pyperi.exceptions import PyPeriError
from pyperi.formatting import Column, Output

# Public names of the former single-module cli, so `from pyperi.cli import X` keeps working.
from pyperi.cli.capture import DOWNLOAD_FIELDS  # noqa: F401
from pyperi.cli.records import (  # noqa: F401
    BROADCAST_CSV_FIELDS, BROADCAST_TABLE_FIELDS, USER_CSV_FIELDS, USER_TABLE_FIELDS,
)
from pyperi.cli.runtime import EXIT_NOT_FOUND  # noqa: F401
from pyperi.cli.stats import STATS_CSV_FIELDS  # noqa: F401

__all__ = ['main', 'build_parser', 'exit_code_for', 'COMMANDS', 'Command', 'Runtime',
           'Column', 'Output', 'CLIError', 'UsageError', 'NotFoundError']

#: Every subcommand, in ``--help`` order: each command module's ``COMMANDS``.
COMMANDS: tuple[Command, ...] = (
    *lookups.COMMANDS, *capture.COMMANDS, *history.COMMANDS, *stats.COMMANDS,
    *pages.COMMANDS, *serve.COMMANDS, completion.command(lambda: build_parser()),
)


def build_parser() -> command.CommandParser:
    """The argument parser of the ``pyperi`` command."""
    return command.build_parser(COMMANDS)


def _combination_error(parser: command.CommandParser, args: argparse.Namespace) -> str | None:
    """What is wrong with the combination of options in ``args``, or None."""
    refused = parser.options_refused(args)
    if refused:
        return f'{args.command} does not take {refused[0]}'
    if args.offline and (args.api_base_url or args.web_base_url):
        return '--offline cannot be combined with --api-base-url/--web-base-url'
    return None


def _parse(parser: command.CommandParser, argv: Sequence[str] | None) -> argparse.Namespace | int:
    """The parsed arguments, or the exit code when there is nothing to run.

    A usage error prints the usage of the command it concerns and one
    ``pyperi COMMAND: error: ...`` line (exit status 2).
    """
    try:
        args = parser.parse_command_line(argv)
        problem = _combination_error(parser, args)
        if problem:
            parser.usage_error(args, problem)
    except SystemExit as done:   # --help, --version and usage errors
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 2)
    _strip_handles(args)
    return args


def _handle(text: str) -> str:
    """``@george_clinton``, as people write a handle, is the username ``george_clinton``."""
    return text[1:] if text.startswith('@') and len(text) > 1 else text


def _strip_handles(args: argparse.Namespace) -> None:
    """One leading ``@`` off every USER argument (``users`` and ``--user``/``user``)."""
    if isinstance(getattr(args, 'users', None), list):
        args.users = [_handle(text) for text in args.users]
    if isinstance(getattr(args, 'user', None), str):
        args.user = _handle(args.user)


def _run(parser: command.CommandParser, args: argparse.Namespace, runtime: Runtime) -> int:
    spec: Command = args.command_spec
    try:
        code = spec.run(args, runtime)
        runtime.stdout.flush()   # a full disk or closed pipe is reported here, not at exit
        return code
    except UsageError as error:   # reported like the parser's own usage errors
        parser.report_usage_error(args, str(error), runtime.stderr)
        return EXIT_USAGE
    finally:
        runtime.close()


def _exit_code_after(error: BaseException, runtime: Runtime) -> int:
    """Report ``error`` (one line; Ctrl-C and a closed pipe quietly) and give the exit code."""
    if isinstance(error, BrokenPipeError):
        silence_broken_pipe(runtime.stdout)
        return EXIT_OK
    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if runtime.args.verbose:
        logger.debug('error details', exc_info=error)
    if isinstance(error, OSError) and not isinstance(error, PyPeriError):
        # Only writing to stdout gets here (downloads turn disk errors into CLIError).
        silence_broken_pipe(runtime.stdout)
        error = CLIError(f'cannot write the output: {error.strerror or error}')
    error = runtime.explain(error)
    print(runtime.error_text(error), file=runtime.stderr)
    return exit_code_for(error) or EXIT_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``pyperi`` command with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    if sys.stderr is None:   # started with 2>&-: problems go nowhere rather than crash
        sys.stderr = open(os.devnull, 'w', encoding='utf-8')   # closed when the process ends
    parser = build_parser()
    args = _parse(parser, argv)
    if isinstance(args, int):
        return args
    if sys.stdout is None:   # started with >&-
        print(f'{PROG}: error: cannot write the output: standard output is closed '
              f'(redirect it to a file or to /dev/null instead)', file=sys.stderr)
        return EXIT_ERROR
    runtime = Runtime(args, sys.stdout, sys.stderr)
    with verbose_logging(args.verbose, sys.stderr), terminate_like_interrupt():
        try:
            return _run(parser, args, runtime)
        except (KeyboardInterrupt, OSError, CLIError, PyPeriError) as error:
            return _exit_code_after(error, runtime)
