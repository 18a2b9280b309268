"""The ``history`` and ``stats`` commands: users' broadcast history, listed or summarized."""
from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping, Sequence

from pyperi import stats
from pyperi.cli.lookups import BROADCAST_CSV_FIELDS, BROADCAST_TABLE_FIELDS, _broadcast_columns
from pyperi.cli.runtime import (
    Runtime, UsageError, _add_window_options, _fetch_histories, _non_negative_int,
)
from pyperi.formatting import Output, format_table, machine_value, raw_column
from pyperi.timeutil import format_timestamp


def _configure_history(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('users', nargs='+', metavar='USER',
                        help='user id, username or Periscope URL')
    _add_window_options(parser)
    parser.add_argument('--limit', type=_non_negative_int, metavar='N',
                        help='at most N broadcasts per user (newest first)')


def _run_history(args: argparse.Namespace, runtime: Runtime) -> int:
    since, until = runtime.window()
    records: list[Mapping[str, Any]] = []
    for ref, _, history in _fetch_histories(runtime, args.users):
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
    for ref, (user_id, username), history in _fetch_histories(runtime, args.users):
        if history is None:
            runtime.not_found(f'user {ref!r} not found')
            continue
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
