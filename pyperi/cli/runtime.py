"""What one run of ``pyperi`` shares: exit codes, CLI errors, :class:`Runtime`, argument types.

Command modules import from here; nothing here imports a command module.
"""
from __future__ import annotations

import argparse
import contextlib
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import IO, Any, Iterable, Sequence

from pyperi import stats, urls
from pyperi.client import DEFAULT_RETRIES, Peri
from pyperi.exceptions import PyPeriError, PyPeriRateLimitError, PyPeriStreamUnavailableError
from pyperi.formatting import FieldError, Output, can_encode, json_text, render
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


# The one table from error class to exit code; the first matching row wins, so
# subclasses go above their bases (PyPeriResponseError is also a ValueError). A plain
# CLIError is a failure outside HTTP (a disk error, a missing optional package).
_EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (KeyboardInterrupt, EXIT_INTERRUPTED),
    (NotFoundError, EXIT_NOT_FOUND),
    (UsageError, EXIT_USAGE),
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


def _isatty(stream: IO[str]) -> bool:
    isatty = getattr(stream, 'isatty', None)
    return bool(isatty is not None and isatty())


def _error_line(error: BaseException) -> str:
    message = str(error) or type(error).__name__
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
            try:
                peri = Peri(api_base_url=api_base_url, web_base_url=web_base_url, **options)
            except (TypeError, ValueError) as error:
                raise UsageError(str(error)) from None
            self._peri = self._stack.enter_context(peri)
        return self._peri

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

    def not_found(self, message: str) -> None:
        """Report a missing user or broadcast without stopping the others; exit code 1."""
        self.error(NotFoundError(message))

    def error(self, error: BaseException) -> None:
        """Print the one-line report of ``error`` and remember its exit code."""
        print(_error_line(error), file=self.stderr)
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
        return 'table' if _isatty(self.stdout) else 'json'

    @property
    def fields(self) -> list[str] | None:
        """The ``--fields`` list, or None."""
        return getattr(self.args, 'fields', None)

    @property
    def encoding(self) -> str:
        """The encoding of stdout (UTF-8 if it does not say)."""
        return getattr(self.stdout, 'encoding', None) or 'utf-8'

    @property
    def ascii_only(self) -> bool:
        """True when stdout cannot print the block characters of bars."""
        return not can_encode('█▏…', self.encoding)

    def write_lines(self, lines: Iterable[str]) -> None:
        """Print lines to stdout."""
        for line in lines:
            self.stdout.write(line + '\n')

    def write_json(self, data: Any, *, indent: int | None = 2) -> None:
        """Print ``data`` as JSON (non-ASCII kept when stdout can encode it)."""
        self.stdout.write(json_text(data, indent=indent, encoding=self.encoding) + '\n')

    def emit(self, output: Output) -> None:
        """Print ``output`` in the chosen format, with the chosen fields."""
        try:
            text = render(output, self.format, self.fields, encoding=self.encoding)
        except FieldError as error:
            raise UsageError(str(error)) from None
        self.stdout.write(text)


# -- argument types and shared options ----------------------------------------------------


def _state_list(text: str) -> list[str]:
    """argparse type for --state: comma-separated states, case-insensitive."""
    states = [part.strip().upper() for part in text.split(',') if part.strip()]
    bad = [s for s in states if s not in stats.STATES]
    if not states or bad:
        raise argparse.ArgumentTypeError(
            f'unknown state {",".join(bad) or repr(text)} (choose from {", ".join(stats.STATES)})')
    return states


def _field_list(text: str) -> list[str]:
    """argparse type for --fields: comma-separated names."""
    names = [part.strip() for part in text.split(',') if part.strip()]
    if not names:
        raise argparse.ArgumentTypeError('expected comma-separated field names, e.g. id,start')
    return names


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'not a number: {text!r}') from None
    if not value > 0 or value == float('inf'):
        raise argparse.ArgumentTypeError(f'must be a positive number of seconds: {text!r}')
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'not a whole number: {text!r}') from None
    if value < 0:
        raise argparse.ArgumentTypeError(f'must be 0 or more: {text!r}')
    return value


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f'must be 1 or more: {text!r}')
    return value


def _add_window_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--since', metavar='WHEN',
                        help='only broadcasts that started at or after WHEN: a date (2024-05-01), '
                             'an ISO datetime, or a span back from now (7d, 4w, 12h, 30m)')
    parser.add_argument('--until', metavar='WHEN',
                        help='only broadcasts that started before WHEN (a date includes that day)')
    parser.add_argument('--state', type=_state_list, action='extend', metavar='STATE[,STATE]',
                        help='only these states: RUNNING, ENDED, TIMED_OUT (repeatable)')


UserRef = tuple[str | None, str | None]


def _fetch_histories(runtime: Runtime, refs: Sequence[str]
                     ) -> list[tuple[str, UserRef, list[dict[str, Any]] | None]]:
    """``(ref, (user_id, username), history)`` per user, fetched in parallel.

    The history is None if the user does not exist.
    """
    parsed = [runtime.user_ref(ref) for ref in refs]   # every ref checked before any request
    peri = runtime.peri

    def fetch(ids: UserRef) -> list[dict[str, Any]] | None:
        return peri.get_user_broadcast_history(user_id=ids[0], username=ids[1])

    if len(parsed) == 1:
        results = [fetch(parsed[0])]
    else:
        pool = ThreadPoolExecutor(max_workers=min(8, len(parsed)))
        try:
            results = list(pool.map(fetch, parsed))
        finally:   # on an error or Ctrl-C, start no further fetches
            pool.shutdown(wait=True, cancel_futures=True)
    return list(zip(refs, parsed, results))
