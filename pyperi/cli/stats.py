"""The ``stats`` command: per user, counts, time on air and views, then per day, week or month.

Its output (:class:`StatsOutput`) has a shape of its own: a report with bar
charts for people, one JSON document with the window, one CSV row per period.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping, Sequence

from pyperi import stats
from pyperi.cli.args import add_users_argument, add_window_options
from pyperi.cli.command import Command
from pyperi.cli.runtime import Runtime
from pyperi.formatting import (
    Output, RenderOptions, bar, display_width, format_duration, format_table, machine_value,
    raw_column,
)
from pyperi.histories import UserHistory
from pyperi.timeutil import format_timestamp

__all__ = ['COMMANDS', 'STATS_CSV_FIELDS', 'StatsQuery', 'UserStats', 'StatsOutput']

STATS_CSV_FIELDS = ('user', 'user_id', 'username', 'period', 'period_start', 'broadcasts',
                    'total_duration', 'median_duration', 'views', 'live_now')
_CSV_COLUMNS = {name: raw_column(name, 'duration' if name.endswith('_duration') else 'text')
                for name in STATS_CSV_FIELDS}
_PERIOD_TITLES = {'day': 'day (UTC)', 'week': 'ISO week (UTC)', 'month': 'month (UTC)'}
_BAR_WIDTH = 30        # the widest bar; narrower when the terminal is
_MIN_BAR_WIDTH = 10


@dataclass(frozen=True)
class _Measure:
    """What a ``--chart`` bar counts: the column it sits beside, its value and its text."""

    column: str
    value: Callable[[stats.PeriodRow], float]
    text: Callable[[float], str]


#: ``--chart`` choices, in ``--help`` order; the first is the default.
CHARTS: dict[str, _Measure] = {
    'broadcasts': _Measure('broadcasts', lambda row: row.count, lambda v: f'{v:,.0f}'),
    'time': _Measure('on air', lambda row: row.total_duration, format_duration),
    'views': _Measure('views', lambda row: row.total_views, lambda v: f'{v:,.0f}'),
}


@dataclass(frozen=True)
class StatsQuery:
    """What ``stats`` was asked: the period, the window, the states, and the moment of asking."""

    by: str
    since: datetime | None
    until: datetime | None
    now: datetime
    states: list[str] | None
    chart: str = 'broadcasts'


@dataclass(frozen=True)
class UserStats:
    """The numbers of one user's history in the window."""

    ref: str
    user_id: str | None
    username: str | None
    summary: stats.Summary
    periods: list[stats.PeriodRow] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The username, else the user id, else the reference as given."""
        return self.username or self.user_id or self.ref


def user_stats(history: UserHistory, query: StatsQuery) -> UserStats:
    """The numbers of ``history`` (of a user that exists) in the window of ``query``."""
    broadcasts = history.broadcasts or []
    user_id, username = history.user_id, history.username
    if broadcasts:   # a reference gives the id or the name: the records give the other
        user_id = user_id or broadcasts[0].get('user_id')
        username = username or broadcasts[0].get('username')
    kept = stats.filter_broadcasts(broadcasts, since=query.since, until=query.until,
                                   states=query.states)
    live_now = any(stats.is_live(b) for b in broadcasts)
    summary = stats.summarize(kept, now=query.now, live_now=live_now)
    periods = stats.group_by_period(kept, query.by, now=query.now, since=query.since,
                                    until=query.until, fill=query.since is not None)
    return UserStats(history.ref, user_id, username, summary, periods)


def _user_record(item: UserStats, by: str) -> dict[str, Any]:
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


def _csv_rows(record: Mapping[str, Any], since: datetime | None) -> list[dict[str, Any]]:
    """A ``total`` row, then one row per period."""
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


def _summary_line(item: UserStats, query: StatsQuery) -> str:
    summary = item.summary
    noun = 'broadcast' if summary.count == 1 else 'broadcasts'
    line = f'{item.name}: {summary.count} {noun} {_window_text(query.since, query.until)}'
    if summary.count:
        line += f', {format_duration(summary.total_duration)} on air'
        if summary.median_duration is not None:
            line += f' (median {format_duration(summary.median_duration)})'
        line += f', {summary.total_views:,} views'
    line += '; LIVE NOW' if summary.live_now else '; not live'
    return line


def _period_lines(item: UserStats, by: str, chart: str, peak: float,
                  options: RenderOptions) -> list[str]:
    """``NAME by PERIOD:`` and the table of periods, the ``chart`` bar beside its column.

    The bar's header says what a full bar is (``bar (max 4)``); bars are scaled to
    ``peak``, drawn as wide as the terminal allows (10 to 30 cells), empty for 0.
    """
    lines = ['', f'{item.name} by {_PERIOD_TITLES[by]}:']
    if not item.periods:
        return lines + ['  (no broadcasts)']
    measure = CHARTS[chart]
    headers = [by, 'broadcasts', 'on air', 'median', 'views']
    rows = [[row.label, str(row.count), format_duration(row.total_duration) if row.count else '',
             format_duration(row.median_duration), f'{row.total_views:,}']
            for row in item.periods]
    width = _BAR_WIDTH
    if options.width is not None:   # indent, the other columns, one more gap
        others = max(display_width(line) for line in format_table(headers, rows))
        width = max(_MIN_BAR_WIDTH, min(_BAR_WIDTH, options.width - others - 4))
    where = headers.index(measure.column) + 1
    headers.insert(where, f'bar (max {measure.text(peak)})')
    for row, period in zip(rows, item.periods):
        row.insert(where, bar(measure.value(period), peak, width, ascii=options.ascii_only))
    right = [i for i in range(1, len(headers)) if i != where]
    return lines + ['  ' + line for line in options.table(headers, rows, right)]


class StatsOutput(Output):
    """What ``stats`` prints.

    ``lines``: one summary line per user, then per user a table of periods with
    bars (of the query's ``chart``) scaled to the busiest period of all.
    ``document``: the window and the users. ``items``: one record per user.
    ``grid`` (the only part that takes fields): a ``total`` row and one row per
    period for each user.
    """

    fixed_parts = frozenset({'lines', 'document', 'items'})

    def __init__(self, users: Sequence[UserStats], query: StatsQuery) -> None:
        self.users = list(users)
        self.query = query
        self.user_records = [_user_record(item, query.by) for item in self.users]
        rows = [row for record in self.user_records for row in _csv_rows(record, query.since)]
        super().__init__(rows, _CSV_COLUMNS, STATS_CSV_FIELDS, STATS_CSV_FIELDS)

    def lines(self, options: RenderOptions) -> list[str]:
        """The summary lines, then each user's periods with bars."""
        lines = [_summary_line(item, self.query) for item in self.users]
        value = CHARTS[self.query.chart].value
        peak = max((value(row) for item in self.users for row in item.periods), default=0)
        for item in self.users:
            lines.extend(_period_lines(item, self.query.by, self.query.chart, peak, options))
        return lines

    def items(self, options: RenderOptions) -> list[Any]:
        """One record per user, with its periods."""
        return list(self.user_records)

    def document(self, options: RenderOptions) -> Any:
        """The window asked for, and the users."""
        query = self.query
        return {'since': machine_value(query.since, 'time'),
                'until': machine_value(query.until, 'time'),
                'now': format_timestamp(query.now), 'by': query.by,
                'states': query.states, 'users': self.user_records}


def _configure_stats(parser: argparse.ArgumentParser) -> None:
    add_users_argument(parser)
    add_window_options(parser)
    parser.add_argument('--by', choices=stats.PERIODS, default='week',
                        help='group by UTC day, ISO week or month (default: week)')
    parser.add_argument('--chart', choices=list(CHARTS), default='broadcasts',
                        help='what the bars of the table measure: broadcasts, time on air or '
                             'views (default: broadcasts)')


def _run_stats(args: argparse.Namespace, runtime: Runtime) -> int:
    runtime.check_shape(StatsOutput)   # --fields with a fixed-shape format: before any request
    since, until = runtime.window()
    query = StatsQuery(args.by, since, until, runtime.now, args.state, args.chart)
    results = [user_stats(history, query) for history in runtime.histories(args.users)]
    if results:
        runtime.emit(StatsOutput(results, query))
    return runtime.exit_code


#: This module's subcommands, in ``--help`` order.
COMMANDS = (
    Command('stats', 'count broadcasts, time on air and views per user and per week',
            _configure_stats, _run_stats,
            examples=('pyperi --offline stats george_clinton --since 4w',
                      'pyperi stats george_clinton another_user --by month -f csv',
                      'pyperi stats george_clinton --since 2024-01-01 --state ENDED -f json')),
)
