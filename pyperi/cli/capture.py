"""The ``download`` and ``watch`` commands (:mod:`pyperi.replay`) and their progress bar."""
from __future__ import annotations

import argparse
import contextlib
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from pyperi import replay
from pyperi.cli.args import positive_float, positive_int
from pyperi.cli import terminal
from pyperi.cli.command import Command
from pyperi.cli.problems import plain, plain_text
from pyperi.cli.progress import ProgressLine
from pyperi.cli.runtime import CLIError, NotFoundError, Runtime, UsageError, isatty
from pyperi.exceptions import PyPeriError, PyPeriStreamUnavailableError
from pyperi.formatting import (
    MIN_FITTED_WIDTH, Output, display_width, pad, raw_column, table_value,
)
from pyperi.timeutil import format_timestamp

__all__ = ['COMMANDS', 'DOWNLOAD_FIELDS']


class _ProgressBar:
    """The progress line of downloads on stderr (:mod:`pyperi.cli.progress`).

    Nothing unless stderr is a terminal, nor with ``-q``; ``--no-progress`` keeps only
    the one-time hint that Ctrl-C ends a live recording and keeps it.
    """

    def __init__(self, runtime: Runtime, label: str) -> None:
        self._line: ProgressLine | None = None
        if runtime.quiet or not isatty(runtime.stderr):
            return
        self._line = ProgressLine(runtime.stderr, label,
                                  width=terminal.table_width(runtime.stderr),
                                  draw=not getattr(runtime.args, 'no_progress', False),
                                  say=runtime.info)

    @property
    def callback(self) -> replay.ProgressReport | None:
        """The ``on_progress`` callback to pass to the download, or None without a line."""
        return self._line.update if self._line is not None else None

    @property
    def on_start(self) -> Callable[[int, int, str], None] | None:
        """The ``on_start`` callback of ``download --user``: labels ``[2/5] <id>``."""
        return self.start if self._line is not None else None

    def start(self, position: int, count: int, broadcast_id: str) -> None:
        """Label the line with the broadcast about to be downloaded, and which of how many."""
        if self._line is not None:
            self._line.start(f'[{position}/{count}] {broadcast_id}')

    def close(self) -> None:
        """Erase the line."""
        if self._line is not None:
            self._line.clear()


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
        raise UsageError(f'{error} (end -o with / to have it created)') from None
    except (ImportError, OSError) as error:   # m3u8 missing; disk full, no permission
        raise CLIError(plain(str(error)) if str(error) else f'{error!r}') from None


def _is_directory_name(text: str) -> bool:
    """True for ``-o DIR/``: a trailing slash always means a directory."""
    return text.endswith(('/', os.sep))


def _output_directory(text: str, *, create: bool = True) -> Path:
    """The directory ``text``, created (with its parents) if missing and ``create``;
    UsageError if it is something else."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise UsageError(f'{text!r} is not a directory')
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CLIError(f'cannot create directory {text!r}: {error.strerror or error}') \
                from None
    return path


@contextlib.contextmanager
def _made_for_download(text: str | None) -> Iterator[None]:
    """Create ``-o DIR/`` (and its parents) for a download; if the download fails, remove the
    directories made here again while they are still empty, so a mistake leaves nothing.

    A missing path without a trailing slash is a file name; one that has no extension is
    refused rather than written as a file the user may have meant as a directory.
    """
    if text is None or not _is_directory_name(text):
        if text is not None and not Path(text).exists() and not Path(text).suffix:
            raise UsageError(f'{text!r} does not exist: end it with / to download into a new '
                             f'directory ({text.rstrip("/")}/), or give a file name such as '
                             f'{text}.ts')
        yield
        return
    path = Path(text)
    missing = [p for p in (path, *path.parents) if not p.exists()]
    _output_directory(text)
    try:
        yield
    except BaseException:
        for made in missing:   # innermost first
            with contextlib.suppress(OSError):
                made.rmdir()
        raise


def _jobs(text: str) -> int:
    """``--jobs``: segments fetched at once, 1 to :data:`pyperi.replay.MAX_CONCURRENCY`."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= replay.MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(
            f'expected a whole number from 1 to {replay.MAX_CONCURRENCY}, got {text!r}')
    return value


def _add_download_options(parser: argparse.ArgumentParser) -> None:
    """``--jobs`` and ``--no-resume``, shared by ``download`` and ``download --user``."""
    parser.add_argument('-N', '--jobs', type=_jobs, default=replay.DEFAULT_CONCURRENCY,
                        metavar='N',
                        help=f'segments fetched at once (1 to {replay.MAX_CONCURRENCY}; '
                             f'default: {replay.DEFAULT_CONCURRENCY})')
    parser.add_argument('--no-resume', action='store_true',
                        help='start over instead of continuing an interrupted download '
                             '(its partial file is discarded)')


@contextlib.contextmanager
def _interruptions(runtime: Runtime, bar: _ProgressBar | None = None) -> Iterator[None]:
    """Say on stderr what a download stopped by Ctrl-C or SIGTERM left (below the progress
    line, erased first), then stop."""
    try:
        yield
    except replay.DownloadInterrupted as stopped:
        if bar is not None:
            bar.close()
        if stopped.path is None:   # a live capture published has its say after the record
            runtime.info(str(stopped))
        raise


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
    _add_download_options(parser)
    parser.add_argument('--no-progress', action='store_true',
                        help='no progress line on stderr (a live capture still says once '
                             'how to end it)')


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
    broadcast_id = _broadcast_or_hint(args.broadcast, runtime)
    stopped: replay.DownloadInterrupted | None = None
    with _made_for_download(args.output):
        bar = _ProgressBar(runtime, broadcast_id)
        try:
            with _file_errors(), _interruptions(runtime, bar), \
                    _user_hint(args.broadcast, runtime):
                path = runtime.peri.download_broadcast(broadcast_id, args.output,
                                                       overwrite=args.overwrite,
                                                       on_progress=bar.callback,
                                                       concurrency=args.jobs,
                                                       resume=not args.no_resume)
        except replay.DownloadInterrupted as interrupted:
            if interrupted.path is None:
                raise   # a replay: its partial file is kept (exit 130)
            # Ctrl-C is how a live recording is ended: what was captured is published.
            stopped, path = interrupted, interrupted.path
        finally:
            bar.close()
    if stopped is not None:
        runtime.info(str(stopped))
    record = _download_record(replay.DownloadResult(broadcast_id, path, 'downloaded'))
    runtime.emit(Output([record], _DOWNLOAD_COLUMNS, DOWNLOAD_FIELDS, DOWNLOAD_FIELDS,
                        single=True))
    return runtime.exit_code


def _broadcast_or_hint(text: str, runtime: Runtime) -> str:
    """The broadcast id in ``text``; a user's URL gets the hint to use ``--user``."""
    try:
        return runtime.broadcast_ref(text)
    except UsageError as error:
        try:
            runtime.user_ref(text)
        except UsageError:
            raise error from None
        raise UsageError(f'{error} (did you mean --user {text}?)') from None


@contextlib.contextmanager
def _user_hint(text: str, runtime: Runtime) -> Iterator[None]:
    """``no broadcast 'george_clinton'`` gets ``(did you mean --user george_clinton?)`` when
    a user of that name exists."""
    try:
        yield
    except PyPeriStreamUnavailableError as error:
        if not str(error).startswith('no broadcast'):
            raise
        try:
            user_id, username = runtime.user_ref(text)
            user = runtime.peri.get_user_info(user_id=user_id, username=username)
        except (UsageError, PyPeriError):
            user = None
        if user is None:
            raise
        raise NotFoundError(f'{error} (did you mean --user {text}?)') from None


def _download_user(args: argparse.Namespace, runtime: Runtime) -> int:
    runtime.user_ref(args.user)   # a bad USER is a usage error, before any request
    if args.overwrite:
        raise UsageError('--overwrite does not apply to --user (complete files are skipped)')
    since, _ = runtime.window()
    # Checked now, created by the library once the user is known to exist.
    directory = _output_directory(args.output or '.', create=False)
    bar = _ProgressBar(runtime, args.user)
    try:
        with _file_errors():
            with _interruptions(runtime, bar):
                results = runtime.peri.download_user_history(
                    args.user, directory, since=since, on_progress=bar.callback,
                    on_start=bar.on_start,
                    concurrency=args.jobs, resume=not args.no_resume)
    finally:
        bar.close()
    if results is None:
        raise NotFoundError(f'user {args.user!r} not found')
    for result in results:
        if result.status == 'failed':
            why = plain_text(result.error or 'failed')
            runtime.error(CLIError(f'{result.broadcast_id}: {why}'))
    runtime.emit(Output([_download_record(result) for result in results], _DOWNLOAD_COLUMNS,
                        DOWNLOAD_FIELDS, DOWNLOAD_FIELDS))
    return runtime.exit_code


def _configure_watch(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('users', nargs='+', metavar='USER', help='user id, username or URL')
    parser.add_argument('--interval', type=positive_float, default=30.0, metavar='SECONDS',
                        help='seconds between polls of each user (default: 30)')
    parser.add_argument('--download', metavar='DIR',
                        help='capture live broadcasts into DIR (created if missing), one at a '
                             'time; polling pauses while capturing')
    parser.add_argument('--polls', type=positive_int, metavar='N',
                        help='stop after N polling rounds (default: until Ctrl-C)')


#: What ``watch -f`` takes: ``table`` is one line per event for people (the default on a
#: terminal); ``json`` and ``jsonl`` are one JSON object per line (the default otherwise).
_WATCH_FORMATS = ('table', 'json', 'jsonl')
_EVENT_WIDTH = len('download_failed')


def _watch_format(args: argparse.Namespace, runtime: Runtime) -> str:
    """``table`` or ``jsonl`` (``json`` too is one object per line: a stream has no end)."""
    for name in ('fields', 'array'):
        if getattr(args, name, None):
            raise UsageError(f'watch does not take --{name}')
    chosen = getattr(args, 'format', None)
    if chosen is None:
        return 'table' if isatty(runtime.stdout) else 'jsonl'
    if chosen not in _WATCH_FORMATS:
        raise UsageError(f'watch prints --format {", ".join(_WATCH_FORMATS)} only, '
                         f'not {chosen}')
    return 'table' if chosen == 'table' else 'jsonl'


def event_line(event: Mapping[str, Any], when: datetime, *, user_width: int = 0,
               width: int | None = None, ellipsis: str = '…') -> str:
    """One line for people: UTC time, user, event, broadcast id, then the title, path or error.

    The title (written by strangers: no control characters) is cut to ``width``
    cells; a path or an error never is.
    """
    user = str(event.get('user', ''))
    kind = str(event.get('event', ''))
    parts = [format_timestamp(when), pad(table_value(user, 'text', None), user_width, False),
             pad(kind, _EVENT_WIDTH, False)]
    if event.get('broadcast_id') is not None:
        parts.append(table_value(event['broadcast_id'], 'text', None))
    line = '  '.join(parts)
    if 'path' in event or 'error' in event:
        detail = table_value(event.get('path', event.get('error')), 'text', None)
        return f'{line}  {detail}'.rstrip()
    if kind == 'user_not_found':
        return f'{line}  user not found'
    title = event.get('status')
    if not title:
        return line.rstrip()
    room = None if width is None else max(MIN_FITTED_WIDTH, width - display_width(line) - 2)
    return f'{line}  {table_value(title, "prose", room, ellipsis=ellipsis)}'


def _run_watch(args: argparse.Namespace, runtime: Runtime) -> int:
    for ref in args.users:   # every USER checked before any request
        runtime.user_ref(ref)
    fmt = _watch_format(args, runtime)
    directory = _output_directory(args.download) if args.download else None
    options = runtime.render_options
    user_width = max(display_width(table_value(ref, 'text', None)) for ref in args.users)

    def on_event(event: dict[str, Any]) -> None:
        if fmt == 'table':
            runtime.write_lines([event_line(event, datetime.now(timezone.utc),
                                            user_width=user_width, width=options.width,
                                            ellipsis=options.ellipsis)])
        else:
            runtime.write_json(event, indent=None)
        runtime.stdout.flush()
        # Problems are also one line on stderr, and decide the exit code when watching ends.
        if event['event'] == 'user_not_found':
            runtime.not_found(f'user {event["user"]!r} not found')
        elif event['event'] in ('error', 'download_failed'):
            runtime.error(CLIError(f'{event["user"]}: {plain_text(str(event["error"]))}'))

    # Runs until --polls rounds are done; Ctrl-C reaches main (exit 130); a capture in
    # progress is published with what it has, and the message says where.
    try:
        replay.watch(runtime.peri, args.users, interval=args.interval, on_event=on_event,
                     download_dir=directory, max_polls=args.polls)
    except replay.DownloadInterrupted as stopped:
        runtime.info(str(stopped))
        raise
    return runtime.exit_code


#: This module's subcommands, in ``--help`` order.
COMMANDS = (
    Command('download', 'download a replay or capture a live broadcast as .ts '
            "(or a user's whole history with --user)", _configure_download, _run_download,
            examples=('pyperi --offline download 1zqKVWybqeDGB',
                      'pyperi download https://www.periscope.tv/w/1zqKVWybqeDGB -o talk.ts',
                      'pyperi download --user george_clinton --since 4w -o george -N 4')),
    Command('watch', 'poll users and print new, live and ended broadcasts as they happen',
            _configure_watch, _run_watch,
            examples=('pyperi --offline watch george_clinton --polls 2 --interval 1',
                      'pyperi watch george_clinton another_user --download live',
                      'pyperi -q watch george_clinton > events.jsonl')),
)
