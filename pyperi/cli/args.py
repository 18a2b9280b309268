"""Argument types and the options several subcommands share (argparse only, no I/O)."""
from __future__ import annotations

import argparse
from typing import Any

from pyperi import stats, urls
from pyperi.client import DEFAULT_DEADLINE, DEFAULT_RETRIES, DEFAULT_TIMEOUT
from pyperi.deadline import MAX_SECONDS
from pyperi.formatting import FORMATS

__all__ = ['state_list', 'field_list', 'positive_float', 'seconds', 'timeout_seconds',
           'non_negative_int', 'positive_int',
           'archive_time',
           'add_users_argument', 'add_window_options', 'add_output_options',
           'add_general_options', 'add_network_options']


def state_list(text: str) -> list[str]:
    """argparse type for --state: comma-separated states, case-insensitive."""
    states = [part.strip().upper() for part in text.split(',') if part.strip()]
    bad = [s for s in states if s not in stats.STATES]
    if not states or bad:
        raise argparse.ArgumentTypeError(
            f'unknown state {",".join(bad) or repr(text)} (choose from {", ".join(stats.STATES)})')
    return states


def field_list(text: str) -> list[str]:
    """argparse type for --fields: comma-separated names."""
    names = [part.strip() for part in text.split(',') if part.strip()]
    if not names:
        raise argparse.ArgumentTypeError('expected comma-separated field names, e.g. id,start')
    return names


def positive_float(text: str) -> float:
    """argparse type: a finite number above 0 (seconds)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'not a number: {text!r}') from None
    if not value > 0 or value == float('inf'):
        raise argparse.ArgumentTypeError(f'must be a positive number of seconds: {text!r}')
    return value


def seconds(text: str) -> float:
    """argparse type for --deadline: a number of seconds above 0, at most a day."""
    value = positive_float(text)
    if value > MAX_SECONDS:
        raise argparse.ArgumentTypeError(f'must be at most {MAX_SECONDS:g} seconds (a day): '
                                         f'{text!r}')
    return value


def timeout_seconds(text: str) -> float | tuple[float, float]:
    """argparse type for --timeout: SECONDS, or CONNECT,READ as for ``Peri(timeout=...)``."""
    parts = text.split(',')
    if len(parts) > 2:
        raise argparse.ArgumentTypeError(f'expected SECONDS or CONNECT,READ: {text!r}')
    values = [seconds(part.strip()) for part in parts]
    return (values[0], values[1]) if len(values) == 2 else values[0]


def non_negative_int(text: str) -> int:
    """argparse type: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'not a whole number: {text!r}') from None
    if value < 0:
        raise argparse.ArgumentTypeError(f'must be 0 or more: {text!r}')
    return value


def positive_int(text: str) -> int:
    """argparse type: a whole number, 1 or more."""
    value = non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f'must be 1 or more: {text!r}')
    return value


def archive_time(text: str) -> str:
    """argparse type for --at: a time :func:`pyperi.archive.parse_when` reads (kept as given)."""
    from pyperi.archive.when import parse_when   # pure: no WARC reader is imported

    try:
        parse_when(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def add_users_argument(parser: argparse.ArgumentParser) -> None:
    """``USER...``: one or more user ids, usernames or URLs, as ``args.users``."""
    parser.add_argument('users', nargs='+', metavar='USER',
                        help='user id, username or Periscope URL')


def add_window_options(parser: argparse.ArgumentParser) -> None:
    """``--since``, ``--until`` and ``--state`` (read with :meth:`Runtime.window`)."""
    parser.add_argument('--since', metavar='WHEN',
                        help='only broadcasts that started at or after WHEN: a date (2024-05-01), '
                             'an ISO datetime, or a span back from now (7d, 4w, 12h, 30m)')
    parser.add_argument('--until', metavar='WHEN',
                        help='only broadcasts that started before WHEN (a date includes that day)')
    parser.add_argument('--state', type=state_list, action='extend', metavar='STATE[,STATE]',
                        help='only these states: RUNNING, ENDED, TIMED_OUT (repeatable)')


def _default(value: Any, sub: bool) -> Any:
    """A common option's default: SUPPRESS on a subcommand, so a value given before it stays."""
    return argparse.SUPPRESS if sub else value


def add_output_options(parser: argparse.ArgumentParser, *, sub: bool) -> None:
    """``--format`` (any format of :data:`pyperi.formatting.FORMATS`), ``--fields``, ``--array``."""
    out = parser.add_argument_group('output')
    out.add_argument('-f', '--format', choices=list(FORMATS), default=_default(None, sub),
                     help='output format (default: table on a terminal, json otherwise)')
    out.add_argument('--fields', type=field_list, metavar='A,B,...', default=_default(None, sub),
                     help='fields to print, in order (table and csv; json too if given)')
    out.add_argument('--array', action='store_true', default=_default(False, sub),
                     help='JSON: always an array, even for one USER or BROADCAST (by default '
                          'one gives an object)')


def add_general_options(parser: argparse.ArgumentParser, *, sub: bool) -> None:
    """``-v``/``--verbose`` and ``-q``/``--quiet``, on every command."""
    group = parser.add_argument_group('messages')
    group.add_argument('-v', '--verbose', action='store_true', default=_default(False, sub),
                       help='log requests to stderr and show tracebacks')
    group.add_argument('-q', '--quiet', action='store_true', default=_default(False, sub),
                       help='no progress bars and no informational lines on stderr (errors '
                            'still print)')


def add_network_options(parser: argparse.ArgumentParser, *, sub: bool) -> None:
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
    group.add_argument('--archive', action='append', metavar='PATH|URL', default=default(None),
                       help='read Periscope from web archives: WARC files or folders (repeat '
                            'for more), or the URL of a Wayback-style replay server collection')
    group.add_argument('--at', type=archive_time, metavar='WHEN', default=default(None),
                       help='with --archive: replay the captures nearest to WHEN '
                            '(2019, 2019-06-15, 2019-06-15T12:00:00Z; default: the latest)')
    group.add_argument('--timeout', type=timeout_seconds, metavar='SECONDS|CONNECT,READ',
                       default=default(None),
                       help='seconds to connect and to wait for each read, or the two apart '
                            f'(default: {DEFAULT_TIMEOUT[0]:g},{DEFAULT_TIMEOUT[1]:g})')
    group.add_argument('--deadline', type=seconds, metavar='SECONDS',
                       default=default(None),
                       help='total time a request may take, retries and body included '
                            f'(default: {DEFAULT_DEADLINE:g})')
    group.add_argument('--retries', type=non_negative_int, metavar='N',
                       default=default(DEFAULT_RETRIES),
                       help=f'retries on connection errors, 429 and 502-504 '
                            f'(default: {DEFAULT_RETRIES})')
