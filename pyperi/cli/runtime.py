"""What one run of ``pyperi`` shares: exit codes, CLI errors and :class:`Runtime`.

Command modules import from here; nothing here imports a command module.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import logging
from datetime import datetime, timezone
from typing import IO, Any, Iterable, Sequence

from pyperi import urls
from pyperi.cli import terminal
from pyperi.cli.terminal import isatty as isatty  # re-exported: commands import it from here
from pyperi.client import DEFAULT_RETRIES, Peri
from pyperi.exceptions import PyPeriError, PyPeriRateLimitError, PyPeriStreamUnavailableError
from pyperi.formatting import (
    FieldError, FixedShapeError, Output, RenderOptions, check_shape, json_text, render,
)
from pyperi.histories import UserHistory, fetch_histories
from pyperi.cli.problems import BaseURLCheck, describe, half_set_bases
from pyperi.timeutil import format_timestamp, parse_time_spec

logger = logging.getLogger('pyperi.cli')   # the command's one logger, shared by its modules

PROG = 'pyperi'

EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_USAGE = 2
EXIT_ERROR = 3
EXIT_INTERRUPTED = 130


class CLIError(Exception):
    """An error the command reports in one line and turns into an exit code."""


class UsageError(CLIError):
    """The command line asks for something impossible (bad date, user, URL, field)."""


class NotFoundError(CLIError):
    """The user or broadcast asked for does not exist."""


class BaseURLError(CLIError):
    """The API base URL is not Periscope's API (exit status 2, like a usage error, but
    reported in one line: the command line itself was well formed)."""


# The one table from error class to exit code; the first matching row wins, so
# subclasses go above their bases (PyPeriResponseError is also a ValueError). A plain
# CLIError is a failure outside HTTP (a disk error, a missing optional package).
_EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (KeyboardInterrupt, EXIT_INTERRUPTED),
    (NotFoundError, EXIT_NOT_FOUND),
    (UsageError, EXIT_USAGE),
    (BaseURLError, EXIT_USAGE),
    (CLIError, EXIT_ERROR),
    (PyPeriStreamUnavailableError, EXIT_NOT_FOUND),   # no such broadcast, replay or segment
    (PyPeriError, EXIT_ERROR),
)


def exit_code_for(error: BaseException) -> int | None:
    """The exit code for ``error``, or None if it is not an error the CLI reports (a bug)."""
    for kind, code in _EXIT_CODES:
        if isinstance(error, kind):
            return code
    return None


def error_line(error: BaseException, args: argparse.Namespace | None = None) -> str:
    """The one line on stderr that reports ``error`` (see :func:`pyperi.cli.problems.describe`)."""
    message = describe(error, args)
    if isinstance(error, PyPeriRateLimitError) and error.retry_after is not None:
        message += f' (retry after {error.retry_after:g}s)'
    return f'{PROG}: error: {message}'


# -- the run ----------------------------------------------------------------------------


class Runtime:
    """What one run of the command shares: options, output streams, the clock and one Peri."""

    def __init__(self, args: argparse.Namespace, stdout: IO[str], stderr: IO[str],
                 now: datetime | None = None) -> None:
        self.args = args
        self.stdout = stdout
        self.stderr = stderr
        self.now = now or datetime.now(timezone.utc)
        self.exit_code = EXIT_OK
        self._stack = contextlib.ExitStack()
        self._peri: Peri | None = None
        self._base_check = BaseURLCheck()

    # Opened on first use, so `url`/`parse` never touch the network.
    @property
    def peri(self) -> Peri:
        """The Peri for this run (started against the embedded fake with ``--offline``)."""
        if self._peri is None:
            api_base_url = getattr(self.args, 'api_base_url', None)
            web_base_url = getattr(self.args, 'web_base_url', None)
            if getattr(self.args, 'offline', False):
                from pyperi.testing import FakePeriscope   # only --offline needs the fake
                fake = self._stack.enter_context(FakePeriscope())
                api_base_url, web_base_url = fake.api_base_url, fake.web_base_url
                logger.debug('offline: embedded fake Periscope at %s', fake.web_base_url)
            options: dict[str, Any] = {'retries': getattr(self.args, 'retries', DEFAULT_RETRIES)}
            if getattr(self.args, 'timeout', None) is not None:
                options['timeout'] = self.args.timeout
            if getattr(self.args, 'deadline', None) is not None:
                options['deadline'] = self.args.deadline
            archive = getattr(self.args, 'archive', None)
            try:
                if archive or getattr(self.args, 'at', None):
                    peri = self._archive_peri(archive, options)
                else:
                    peri = Peri(api_base_url=api_base_url, web_base_url=web_base_url, **options)
            except (TypeError, ValueError) as error:
                if isinstance(error, PyPeriError):   # a damaged WARC: not a usage error
                    raise CLIError(str(error)) from None
                raise UsageError(str(error)) from None
            self._peri = self._stack.enter_context(peri)
            self._stack.enter_context(self._base_check)
            warning = None if archive else half_set_bases(self.args, peri.api_base_url,
                                                          peri.web_base_url)
            if warning:
                print(f'{PROG}: warning: {warning}', file=self.stderr)
        return self._peri

    def explain(self, error: BaseException) -> BaseException:
        """``error``, or a BaseURLError naming a wrong API base URL when that is what made
        a user or broadcast look missing (an API 404 that was not Periscope's)."""
        problem = self._base_check.problem()
        if problem is not None and exit_code_for(error) == EXIT_NOT_FOUND:
            return BaseURLError(problem)
        return error

    def _archive_peri(self, archive: list[str] | None, options: dict[str, Any]) -> Peri:
        """A Peri over ``--archive``: WARC files and folders, or one replay-server URL."""
        if not archive:
            raise UsageError('--at needs --archive')
        others = ('offline', 'api_base_url', 'web_base_url')
        if any(getattr(self.args, name, None) for name in others):
            raise UsageError('--archive cannot be combined with --offline, --api-base-url '
                             'or --web-base-url')
        when = getattr(self.args, 'at', None)
        servers = [item for item in archive if item.startswith(('http://', 'https://'))]
        try:
            if servers:
                if len(archive) > 1:
                    raise UsageError('argument --archive: give one replay-server URL, '
                                     'or WARC files and folders')
                return Peri.from_wayback(servers[0], when=when, **options)
            return Peri.from_archive(archive, when=when)
        except (FileNotFoundError, TypeError, ValueError) as error:
            if isinstance(error, PyPeriError):
                raise
            raise UsageError(f'argument --archive: {error}') from None
        except ImportError as error:
            raise CLIError(str(error)) from None
        except OSError as error:
            raise CLIError(f'cannot read the archive: {error}') from None

    @property
    def web_base_url(self) -> str:
        """The web base URL in use (user and broadcast URLs are built and read against it)."""
        return self.peri.web_base_url

    def close(self) -> None:
        """Close the Peri and stop the embedded fake, if they were started."""
        self._stack.close()

    # -- arguments -------------------------------------------------------------------

    def user_ref(self, text: str) -> tuple[str | None, str | None]:
        """``(user_id, username)`` from a user id, username or URL; UsageError otherwise."""
        try:
            return urls.parse_user_ref(text, self.web_base_url)
        except (TypeError, ValueError) as error:
            raise UsageError(str(error)) from None

    def broadcast_ref(self, text: str) -> str:
        """A broadcast id from an id or URL; UsageError otherwise."""
        try:
            return urls.parse_broadcast_ref(text, self.web_base_url)
        except (TypeError, ValueError) as error:
            raise UsageError(str(error)) from None

    def window(self) -> tuple[datetime | None, datetime | None]:
        """``--since``/``--until`` as UTC datetimes (a date given to --until includes that day)."""
        since = until = None
        try:
            if getattr(self.args, 'since', None):
                since = parse_time_spec(self.args.since, self.now)
        except ValueError as error:
            raise UsageError(f'argument --since: {error}') from None
        try:
            if getattr(self.args, 'until', None):
                until = parse_time_spec(self.args.until, self.now, end_of_day=True)
        except ValueError as error:
            raise UsageError(f'argument --until: {error}') from None
        if since is not None and until is not None and since >= until:
            raise UsageError(f'--since ({format_timestamp(since)}) must be before '
                             f'--until ({format_timestamp(until)})')
        return since, until

    @property
    def quiet(self) -> bool:
        """True with ``-q``/``--quiet``: no progress and no informational lines on stderr."""
        return bool(getattr(self.args, 'quiet', False))

    def info(self, message: str) -> None:
        """Print ``PROG: message`` on stderr, unless ``--quiet`` (errors use :meth:`error`)."""
        if not self.quiet:
            print(f'{PROG}: {message}', file=self.stderr)

    def not_found(self, message: str) -> None:
        """Report a missing user or broadcast without stopping the others; exit code 1."""
        self.error(NotFoundError(message))

    def error(self, error: BaseException) -> None:
        """Print the one-line report of ``error`` and remember its exit code.

        A "not found" caused by a wrong API base URL stops the run with a BaseURLError.
        """
        explained = self.explain(error)
        if explained is not error:
            raise explained
        print(self.error_text(error), file=self.stderr)
        code = exit_code_for(error)
        if code is not None and self.exit_code == EXIT_OK:
            self.exit_code = code

    # -- output ----------------------------------------------------------------------

    @property
    def format(self) -> str:
        """The chosen ``--format``; by default a table on a terminal and JSON otherwise."""
        chosen = getattr(self.args, 'format', None)
        if chosen:
            return str(chosen)
        return 'table' if isatty(self.stdout) else 'json'

    @property
    def array(self) -> bool:
        """True with ``--array``: JSON output is an array even for one record."""
        return bool(getattr(self.args, 'array', False))

    @property
    def fields(self) -> list[str] | None:
        """The ``--fields`` list, or None."""
        return getattr(self.args, 'fields', None)

    @property
    def encoding(self) -> str:
        """The encoding of stdout (UTF-8 if it does not say)."""
        return getattr(self.stdout, 'encoding', None) or 'utf-8'

    @property
    def render_options(self) -> RenderOptions:
        """The chosen ``--fields``, the encoding of stdout and what its terminal takes."""
        return RenderOptions(self.fields, self.encoding, terminal.table_width(self.stdout),
                             terminal.header_style(self.stdout))

    def error_text(self, error: BaseException) -> str:
        """The one line reporting ``error``, its prefix coloured on a terminal that takes it."""
        return terminal.paint_error(error_line(error, self.args), self.stderr)

    @property
    def ascii_only(self) -> bool:
        """True when stdout cannot print the block characters of bars."""
        return self.render_options.ascii_only

    def write_lines(self, lines: Iterable[str]) -> None:
        """Print lines to stdout."""
        for line in lines:
            self.stdout.write(line + '\n')

    def write_json(self, data: Any, *, indent: int | None = 2) -> None:
        """Print ``data`` as JSON (non-ASCII kept when stdout can encode it)."""
        self.stdout.write(json_text(data, indent=indent, encoding=self.encoding) + '\n')

    def check_shape(self, shape: Output | type[Output]) -> None:
        """UsageError if ``--fields`` was given for a format whose shape ``shape`` fixes.

        A command calls it with its Output class before any request.
        """
        try:
            check_shape(shape, self.format, self.fields)
        except FixedShapeError as error:
            raise UsageError(f'{self.args.command} takes --fields with --format '
                             f'{", ".join(error.formats)} only (its other formats have a '
                             f'fixed shape)') from None

    def emit(self, output: Output) -> None:
        """Print ``output`` in the chosen format, with the chosen fields."""
        self.check_shape(output)
        options = self.render_options
        if self.array and output.single and self.format == 'json' and type(output) is Output:
            output = dataclasses.replace(output, single=False)   # always an array
        try:
            text = render(output, self.format, self.fields, encoding=self.encoding,
                          width=options.width, header_style=options.header_style)
        except FieldError as error:
            raise UsageError(str(error)) from None
        self.stdout.write(text)

    # -- several users -----------------------------------------------------------------

    def histories(self, refs: Sequence[str]) -> list[UserHistory]:
        """The histories of the users ``refs`` that exist, fetched in parallel, in order.

        Every ref is checked before any request (UsageError); a user that does not
        exist is reported on stderr (exit code 1) and left out.
        """
        for ref in refs:
            self.user_ref(ref)
        found = []
        for history in fetch_histories(self.peri, refs):
            if history.broadcasts is None:
                self.not_found(f'user {history.ref!r} not found')
            else:
                found.append(history)
        return found
