"""The ``pyperi`` command: argument parsing, subcommands and exit codes (the only printer).

Adding a subcommand: write ``_configure_NAME(parser)`` (its arguments) and
``_run_NAME(args, runtime) -> int`` (its work, printing through
``runtime.emit``), then add a :class:`Command` to :data:`COMMANDS`. A command
gets the one shared :class:`~pyperi.Peri` of the run from ``runtime.peri``;
raising :class:`UsageError`, :class:`NotFoundError`, :class:`CLIError` (a
failure outside HTTP, such as a full disk) or a :class:`~pyperi.PyPeriError`
gives the documented exit code and one line on stderr (see :func:`exit_code_for`).
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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, Mapping, Sequence

from pyperi import replay, stats, urls
from pyperi._version import __version__
from pyperi.client import DEFAULT_RETRIES, Peri
from pyperi.exceptions import PyPeriError, PyPeriRateLimitError, PyPeriStreamUnavailableError
from pyperi.formatting import (
    FORMATS, Column, FieldError, Output, can_encode, format_table, json_text, machine_value,
    raw_column, render,
)
from pyperi.timeutil import format_timestamp, parse_time_spec, try_parse_timestamp

__all__ = ['main', 'build_parser', 'exit_code_for', 'COMMANDS', 'Command', 'Runtime',
           'Column', 'Output', 'CLIError', 'UsageError', 'NotFoundError']

logger = logging.getLogger(__name__)

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


# -- record shapes -------------------------------------------------------------------------


def _broadcast_columns(runtime: Runtime) -> dict[str, Column]:
    def url(record: Mapping[str, Any]) -> str | None:
        try:
            return urls.broadcast_url(runtime.web_base_url, record.get('id'))
        except (TypeError, ValueError):
            return None

    return {
        'id': raw_column('id'),
        'state': raw_column('state'),
        'start': Column(stats.broadcast_start, 'time'),
        'end': Column(stats.broadcast_end, 'time'),
        'created_at': Column(lambda r: try_parse_timestamp(r.get('created_at')), 'time'),
        'duration': Column(lambda r: stats.broadcast_duration(r, now=runtime.now), 'duration'),
        'n_total_watched': Column(lambda r: r.get('n_total_watched'), 'number'),
        'status': Column(lambda r: r.get('status'), 'text', 40),
        'url': Column(url),
    }


BROADCAST_TABLE_FIELDS = ('start', 'id', 'username', 'state', 'duration', 'n_total_watched',
                          'status')
BROADCAST_CSV_FIELDS = ('id', 'username', 'user_id', 'state', 'start', 'end', 'duration',
                        'n_total_watched', 'available_for_replay', 'language', 'country', 'city',
                        'status', 'url')


def _user_columns(runtime: Runtime) -> dict[str, Column]:
    def url(record: Mapping[str, Any]) -> str | None:
        try:
            return urls.user_url(runtime.web_base_url, username=record.get('username'))
        except (TypeError, ValueError):
            return None

    return {
        'created_at': Column(lambda r: try_parse_timestamp(r.get('created_at')), 'time'),
        'n_followers': Column(lambda r: r.get('n_followers'), 'number'),
        'n_following': Column(lambda r: r.get('n_following'), 'number'),
        'n_hearts': Column(lambda r: r.get('n_hearts'), 'number'),
        'description': Column(lambda r: r.get('description'), 'text', 40),
        'url': Column(url),
    }


USER_TABLE_FIELDS = ('id', 'username', 'display_name', 'n_followers', 'n_hearts',
                     'is_twitter_verified', 'url')
USER_CSV_FIELDS = ('id', 'username', 'display_name', 'created_at', 'n_followers', 'n_following',
                   'n_hearts', 'is_twitter_verified', 'twitter_screen_name', 'description', 'url')


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


def _fetch_histories(runtime: Runtime, refs: Sequence[str]
                     ) -> list[tuple[str, list[dict[str, Any]] | None]]:
    """Each user's history (None if the user does not exist), fetched in parallel."""
    parsed = [runtime.user_ref(ref) for ref in refs]   # every ref checked before any request
    peri = runtime.peri

    def fetch(ids: tuple[str | None, str | None]) -> list[dict[str, Any]] | None:
        return peri.get_user_broadcast_history(user_id=ids[0], username=ids[1])

    if len(parsed) == 1:
        results = [fetch(parsed[0])]
    else:
        pool = ThreadPoolExecutor(max_workers=min(8, len(parsed)))
        try:
            results = list(pool.map(fetch, parsed))
        finally:   # on an error or Ctrl-C, start no further fetches
            pool.shutdown(wait=True, cancel_futures=True)
    return list(zip(refs, results))


# -- commands ------------------------------------------------------------------------------


def _configure_user(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('users', nargs='+', metavar='USER',
                        help='user id, username or Periscope URL')


def _run_user(args: argparse.Namespace, runtime: Runtime) -> int:
    refs = [(ref, runtime.user_ref(ref)) for ref in args.users]
    records = []
    for ref, (user_id, username) in refs:
        user = runtime.peri.get_user_info(user_id=user_id, username=username)
        if user is None:
            runtime.not_found(f'user {ref!r} not found')
        else:
            records.append(user)
    if records:
        runtime.emit(Output(records, _user_columns(runtime), USER_TABLE_FIELDS, USER_CSV_FIELDS,
                            single=len(args.users) == 1, extra_fields=('url',)))
    return runtime.exit_code


def _configure_broadcast(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('broadcasts', nargs='+', metavar='BROADCAST',
                        help='broadcast id or Periscope URL')


def _run_broadcast(args: argparse.Namespace, runtime: Runtime) -> int:
    refs = [(ref, runtime.broadcast_ref(ref)) for ref in args.broadcasts]
    records = []
    for ref, broadcast_id in refs:
        broadcast = runtime.peri.get_broadcast_info(broadcast_id)
        if broadcast is None:
            runtime.not_found(f'broadcast {ref!r} not found')
        else:
            records.append(broadcast)
    if records:
        runtime.emit(Output(records, _broadcast_columns(runtime), BROADCAST_TABLE_FIELDS,
                            BROADCAST_CSV_FIELDS, single=len(args.broadcasts) == 1,
                            extra_fields=('duration', 'url')))
    return runtime.exit_code


# -- download and watch (pyperi.replay) ----------------------------------------------------


class _ProgressBar:
    """A tqdm bar on stderr fed by the replay progress callback; nothing without tqdm or a tty."""

    def __init__(self, runtime: Runtime, label: str) -> None:
        self._bar: Any = None
        if getattr(runtime.args, 'no_progress', False) or not _isatty(runtime.stderr):
            return
        try:
            from tqdm import tqdm
        except ImportError:
            return
        self._bar = tqdm(desc=label, unit='B', unit_scale=True, unit_divisor=1024,
                         file=runtime.stderr, leave=False, dynamic_ncols=True)

    @property
    def callback(self) -> replay.ProgressCallback | None:
        """The progress callback to pass to the download, or None when there is no bar."""
        return self.update if self._bar is not None else None

    def update(self, done: int, expected: int | None, segments: int, total: int | None) -> None:
        """Move the bar to ``done`` bytes."""
        if self._bar.n > done:   # a new broadcast (download --user) starts from zero
            self._bar.reset()
        self._bar.update(done - self._bar.n)
        self._bar.set_postfix_str(f'{segments}/{"?" if total is None else total} segments')

    def close(self) -> None:
        """Remove the bar."""
        if self._bar is not None:
            self._bar.close()


@contextlib.contextmanager
def _file_errors() -> Iterator[None]:
    """Turn the file-system and optional-package failures of a download into CLI errors."""
    try:
        yield
    except PyPeriError:
        raise   # a requests.RequestException is an OSError too: keep its own exit code
    except FileExistsError as error:
        raise UsageError(f'{error.filename} already exists; add --overwrite to replace it') \
            from None
    except FileNotFoundError as error:   # -o names a directory that does not exist
        raise UsageError(str(error)) from None
    except (ImportError, OSError) as error:   # m3u8 missing; disk full, no permission
        raise CLIError(str(error)) from None


def _output_directory(text: str) -> Path:
    """The directory ``text``, created if missing; UsageError if it is something else."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise UsageError(f'{text!r} is not a directory')
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CLIError(f'cannot create directory {text!r}: {error}') from None
    return path


def _configure_download(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('broadcast', nargs='?', metavar='BROADCAST',
                        help='broadcast id or URL (a live broadcast is captured until it ends)')
    parser.add_argument('--user', metavar='USER',
                        help="instead: every available replay of USER (id, username or URL), "
                             'into the -o directory; files already there are skipped')
    parser.add_argument('-o', '--output', metavar='PATH',
                        help='file or existing directory to write (default: <id>.ts in the '
                             'current directory); with --user, the directory (created if '
                             'missing; default: .)')
    parser.add_argument('--overwrite', action='store_true', help='replace an existing file')
    parser.add_argument('--since', metavar='WHEN',
                        help='with --user: only broadcasts started at or after WHEN '
                             '(a date, an ISO datetime, or 7d, 4w, 12h)')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')


DOWNLOAD_FIELDS = ('broadcast_id', 'status', 'path', 'bytes', 'error')
_DOWNLOAD_COLUMNS = {'bytes': raw_column('bytes', 'number')}


def _download_record(result: replay.DownloadResult) -> dict[str, Any]:
    size = result.path.stat().st_size if result.path and result.path.exists() else None
    return {'broadcast_id': result.broadcast_id, 'status': result.status,
            'path': str(result.path) if result.path else None, 'bytes': size,
            'error': result.error}


def _run_download(args: argparse.Namespace, runtime: Runtime) -> int:
    if (args.broadcast is None) == (args.user is None):
        raise UsageError('give either BROADCAST or --user USER')
    if args.user is not None:
        return _download_user(args, runtime)
    if args.since:
        raise UsageError('--since works with --user only')
    broadcast_id = runtime.broadcast_ref(args.broadcast)
    bar = _ProgressBar(runtime, broadcast_id)
    try:
        with _file_errors():
            path = runtime.peri.download_broadcast(broadcast_id, args.output,
                                                   overwrite=args.overwrite,
                                                   progress=bar.callback)
    finally:
        bar.close()
    record = _download_record(replay.DownloadResult(broadcast_id, path, 'downloaded'))
    runtime.emit(Output([record], _DOWNLOAD_COLUMNS, DOWNLOAD_FIELDS, DOWNLOAD_FIELDS,
                        single=True))
    return runtime.exit_code


def _download_user(args: argparse.Namespace, runtime: Runtime) -> int:
    runtime.user_ref(args.user)   # a bad USER is a usage error, before any request
    if args.overwrite:
        raise UsageError('--overwrite does not apply to --user (complete files are skipped)')
    since, _ = runtime.window()
    directory = _output_directory(args.output or '.')
    bar = _ProgressBar(runtime, args.user)
    try:
        with _file_errors():
            results = runtime.peri.download_user_history(args.user, directory, since=since,
                                                         progress=bar.callback)
    finally:
        bar.close()
    if results is None:
        raise NotFoundError(f'user {args.user!r} not found')
    for result in results:
        if result.status == 'failed':
            runtime.error(CLIError(f'{result.broadcast_id}: {result.error}'))
    runtime.emit(Output([_download_record(result) for result in results], _DOWNLOAD_COLUMNS,
                        DOWNLOAD_FIELDS, DOWNLOAD_FIELDS))
    return runtime.exit_code


def _configure_watch(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('users', nargs='+', metavar='USER', help='user id, username or URL')
    parser.add_argument('--interval', type=_positive_float, default=30.0, metavar='SECONDS',
                        help='seconds between polls of each user (default: 30)')
    parser.add_argument('--download', metavar='DIR',
                        help='capture live broadcasts into DIR (created if missing), one at a '
                             'time; polling pauses while capturing')
    parser.add_argument('--polls', type=_positive_int, metavar='N',
                        help='stop after N polling rounds (default: until Ctrl-C)')


def _run_watch(args: argparse.Namespace, runtime: Runtime) -> int:
    for ref in args.users:   # every USER checked before any request
        runtime.user_ref(ref)
    directory = _output_directory(args.download) if args.download else None

    def on_event(event: dict[str, Any]) -> None:
        runtime.write_json(event, indent=None)
        runtime.stdout.flush()
        # Problems are also one line on stderr, and decide the exit code when watching ends.
        if event['event'] == 'user_not_found':
            runtime.not_found(f'user {event["user"]!r} not found')
        elif event['event'] in ('error', 'download_failed'):
            runtime.error(CLIError(f'{event["user"]}: {event["error"]}'))

    # Runs until --polls rounds are done; Ctrl-C reaches main (exit 130, a capture is discarded).
    replay.watch(runtime.peri, args.users, interval=args.interval, on_event=on_event,
                 download_dir=directory, max_polls=args.polls)
    return runtime.exit_code


def _configure_history(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('users', nargs='+', metavar='USER',
                        help='user id, username or Periscope URL')
    _add_window_options(parser)
    parser.add_argument('--limit', type=_non_negative_int, metavar='N',
                        help='at most N broadcasts per user (newest first)')


def _run_history(args: argparse.Namespace, runtime: Runtime) -> int:
    since, until = runtime.window()
    records: list[Mapping[str, Any]] = []
    for ref, history in _fetch_histories(runtime, args.users):
        if history is None:
            runtime.not_found(f'user {ref!r} not found')
            continue
        kept = stats.filter_broadcasts(history, since=since, until=until, states=args.state)
        records.extend(kept if args.limit is None else kept[:args.limit])
    runtime.emit(Output(records, _broadcast_columns(runtime), BROADCAST_TABLE_FIELDS,
                        BROADCAST_CSV_FIELDS))
    return runtime.exit_code


@dataclass
class _UserStats:
    ref: str
    user_id: str | None
    username: str | None
    summary: stats.Summary
    periods: list[stats.PeriodRow] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.username or self.user_id or self.ref


def _configure_stats(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('users', nargs='+', metavar='USER',
                        help='user id, username or Periscope URL')
    _add_window_options(parser)
    parser.add_argument('--by', choices=stats.PERIODS, default='week',
                        help='group by UTC day, ISO week or month (default: week)')


STATS_CSV_FIELDS = ('user', 'user_id', 'username', 'period', 'period_start', 'broadcasts',
                    'total_duration', 'median_duration', 'views', 'live_now')


def _stats_record(item: _UserStats, by: str) -> dict[str, Any]:
    summary = item.summary
    return {
        'user': item.name,
        'user_id': item.user_id,
        'username': item.username,
        'broadcasts': summary.count,
        'total_duration': round(summary.total_duration, 3),
        'median_duration': machine_value(summary.median_duration, 'duration'),
        'views': summary.total_views,
        'live_now': summary.live_now,
        'unknown_durations': summary.unknown_durations,
        'first_start': machine_value(summary.first_start, 'time'),
        'last_start': machine_value(summary.last_start, 'time'),
        'by': by,
        'periods': [{
            'period': row.label,
            'period_start': format_timestamp(row.start),
            'broadcasts': row.count,
            'total_duration': round(row.total_duration, 3),
            'median_duration': machine_value(row.median_duration, 'duration'),
            'views': row.total_views,
        } for row in item.periods],
    }


def _stats_csv_rows(record: Mapping[str, Any], since: datetime | None) -> list[dict[str, Any]]:
    base = {'user': record['user'], 'user_id': record['user_id'],
            'username': record['username']}
    rows = [{**base, 'period': 'total', 'period_start': since,
             'broadcasts': record['broadcasts'], 'total_duration': record['total_duration'],
             'median_duration': record['median_duration'], 'views': record['views'],
             'live_now': record['live_now']}]
    rows.extend({**base, **period, 'live_now': None} for period in record['periods'])
    return rows


def _window_text(since: datetime | None, until: datetime | None) -> str:
    if since and until:
        return f'between {format_timestamp(since)} and {format_timestamp(until)}'
    if since:
        return f'since {format_timestamp(since)}'
    if until:
        return f'before {format_timestamp(until)}'
    return 'in the available history'


def _summary_line(item: _UserStats, since: datetime | None, until: datetime | None) -> str:
    summary = item.summary
    noun = 'broadcast' if summary.count == 1 else 'broadcasts'
    line = f'{item.name}: {summary.count} {noun} {_window_text(since, until)}'
    if summary.count:
        line += f', {stats.format_duration(summary.total_duration)} on air'
        if summary.median_duration is not None:
            line += f' (median {stats.format_duration(summary.median_duration)})'
        line += f', {summary.total_views:,} views'
    line += '; LIVE NOW' if summary.live_now else '; not live'
    return line


def _stats_table(runtime: Runtime, results: Sequence[_UserStats], by: str,
                 since: datetime | None, until: datetime | None) -> list[str]:
    lines = [_summary_line(item, since, until) for item in results]
    peak = max((row.count for item in results for row in item.periods), default=0)
    width = 30
    for item in results:
        lines.append('')
        label = {'day': 'day (UTC)', 'week': 'ISO week (UTC)', 'month': 'month (UTC)'}[by]
        lines.append(f'{item.name} by {label}:')
        if not item.periods:
            lines.append('  (no broadcasts)')
            continue
        headers = [by, 'broadcasts', 'on air', 'median', 'views', '']
        rows = [[row.label, str(row.count),
                 stats.format_duration(row.total_duration) if row.count else '',
                 stats.format_duration(row.median_duration), f'{row.total_views:,}',
                 stats.bar(row.count, peak, width, ascii=runtime.ascii_only)]
                for row in item.periods]
        lines.extend('  ' + line for line in format_table(headers, rows, right=(1, 2, 3, 4)))
    return lines


def _run_stats(args: argparse.Namespace, runtime: Runtime) -> int:
    if runtime.fields and runtime.format != 'csv':
        raise UsageError('stats takes --fields with --format csv only (its other formats '
                         'have a fixed shape)')
    since, until = runtime.window()
    results = []
    for ref, history in _fetch_histories(runtime, args.users):
        if history is None:
            runtime.not_found(f'user {ref!r} not found')
            continue
        user_id, username = runtime.user_ref(ref)
        if history:
            user_id = user_id or history[0].get('user_id')
            username = username or history[0].get('username')
        kept = stats.filter_broadcasts(history, since=since, until=until, states=args.state)
        live_now = any(stats.is_live(b) for b in history)
        summary = stats.summarize(kept, now=runtime.now, live_now=live_now)
        periods = stats.group_by_period(kept, args.by, now=runtime.now, since=since,
                                        until=until, fill=since is not None)
        results.append(_UserStats(ref, user_id, username, summary, periods))
    if not results:
        return runtime.exit_code
    fmt = runtime.format
    records = [_stats_record(item, args.by) for item in results]
    if fmt == 'table':
        runtime.write_lines(_stats_table(runtime, results, args.by, since, until))
    elif fmt == 'json':
        runtime.write_json({
            'since': machine_value(since, 'time'), 'until': machine_value(until, 'time'),
            'now': format_timestamp(runtime.now), 'by': args.by,
            'states': args.state, 'users': records})
    elif fmt == 'jsonl':
        for record in records:
            runtime.write_json(record, indent=None)
    else:
        rows = [row for record in records for row in _stats_csv_rows(record, since)]
        columns = {name: raw_column(name, 'duration' if name.endswith('_duration') else 'text')
                   for name in STATS_CSV_FIELDS}
        runtime.emit(Output(rows, columns, STATS_CSV_FIELDS, STATS_CSV_FIELDS))
    return runtime.exit_code


def _configure_tokens(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('user', metavar='USER', help='user id, username or Periscope URL')


def _run_tokens(args: argparse.Namespace, runtime: Runtime) -> int:
    user_id, username = runtime.user_ref(args.user)
    tokens = runtime.peri.get_web_public_user_session_tokens(user_id=user_id, username=username)
    if tokens is None:
        raise NotFoundError(f'user {args.user!r} not found')
    columns = {name: raw_column(name) for name in tokens}
    fields = ('user_id', 'broadcastHistory', 'serviceToken', 'thumbnailPlaylist')
    runtime.emit(Output([tokens], columns, fields, fields, single=True, vertical_limit=None))
    return runtime.exit_code


def _configure_url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('users', nargs='*', metavar='USER',
                        help='user id, username or Periscope URL: prints the user page URL')
    parser.add_argument('-b', '--broadcast', action='append', default=[], metavar='BROADCAST',
                        help='broadcast id or URL: prints the broadcast page URL (repeatable)')


def _run_url(args: argparse.Namespace, runtime: Runtime) -> int:
    if not args.users and not args.broadcast:
        raise UsageError('give at least one USER or --broadcast BROADCAST')
    records = []
    for ref in args.users:
        user_id, username = runtime.user_ref(ref)
        url = urls.user_url(runtime.web_base_url, user_id=user_id, username=username)
        records.append({'input': ref, 'kind': 'user', 'url': url})
    for ref in args.broadcast:
        url = urls.broadcast_url(runtime.web_base_url, runtime.broadcast_ref(ref))
        records.append({'input': ref, 'kind': 'broadcast', 'url': url})
    fields = ('input', 'kind', 'url')
    runtime.emit(Output(records, {}, fields, fields))
    return runtime.exit_code


def _configure_parse(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('urls', nargs='+', metavar='URL', help='a Periscope URL')


def _run_parse(args: argparse.Namespace, runtime: Runtime) -> int:
    records = []
    for url in args.urls:
        parsed = urls.parse_periscope_url(url, runtime.web_base_url)
        if not any(parsed.values()):
            runtime.not_found(f'no broadcast, user id or username in {url!r}')
        records.append({'url': url, **parsed})
    fields = ('url', 'broadcast_id', 'user_id', 'username')
    runtime.emit(Output(records, {}, fields, fields, single=len(records) == 1))
    return runtime.exit_code


def _configure_serve_fake(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--host', default='127.0.0.1', help='address to bind (default: 127.0.0.1)')
    parser.add_argument('--port', type=_non_negative_int, default=0,
                        help='port to bind (default: 0, a free one)')
    parser.add_argument('--token-ttl', type=_positive_float, default=300.0, metavar='SECONDS',
                        help='lifetime of the session tokens it issues (default: 300)')


def _run_serve_fake(args: argparse.Namespace, runtime: Runtime) -> int:
    from pyperi import testing   # the fake server is only loaded for this command

    return int(testing.main(['--host', args.host, '--port', str(args.port),
                             '--token-ttl', repr(args.token_ttl)]) or 0)


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
