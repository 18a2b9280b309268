"""Pure functions summarising a broadcast history (no I/O): windows, durations, periods, bars.

Conventions, shared by every function here:

* All times are compared in UTC (:mod:`pyperi.timeutil` parses Periscope's
  nanosecond, offset-carrying timestamps).
* A broadcast belongs to a window by its **start**: it counts when
  ``since <= start < until``. A broadcast that started before ``since`` and ran
  into the window is *not* counted; one that started inside and ran past
  ``until`` is counted whole, with its full duration. So every broadcast lands
  in exactly one window or period, and adjacent windows add up.
* A broadcast's start is its ``start`` field, else ``created_at`` (a broadcast
  that never went live has no ``start``). With no parseable start it matches no
  bounded window (it is kept only when neither ``since`` nor ``until`` is given)
  and falls into no period.
* Duration is ``end - start`` in seconds. A ``RUNNING`` broadcast without
  ``end`` counts up to ``now``; an ended one without ``end`` falls back to its
  last ``ping``. When that still gives nothing (or a negative span), the
  duration is unknown (None): the broadcast is counted but adds nothing to the
  duration totals, and ``unknown_durations`` says how many there were.
* Views are ``n_total_watched``; a missing or non-numeric value counts as 0.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Mapping, Sequence

from pyperi.timeutil import ensure_utc, try_parse_timestamp

__all__ = [
    'PERIODS',
    'STATES',
    'Summary',
    'PeriodRow',
    'broadcast_start',
    'broadcast_end',
    'broadcast_duration',
    'broadcast_views',
    'is_live',
    'filter_broadcasts',
    'summarize',
    'period_start',
    'period_label',
    'group_by_period',
    'bar',
    'bar_chart',
    'format_duration',
]

#: Grouping periods accepted by :func:`group_by_period`.
PERIODS = ('day', 'week', 'month')
#: Broadcast states Periscope used.
STATES = ('RUNNING', 'ENDED', 'TIMED_OUT')

Broadcast = Mapping[str, Any]


def _now(now: datetime | None) -> datetime:
    return datetime.now(timezone.utc) if now is None else ensure_utc(now)


def broadcast_start(broadcast: Broadcast) -> datetime | None:
    """When the broadcast started (``start``, else ``created_at``), in UTC; None if unknown."""
    return (try_parse_timestamp(broadcast.get('start'))
            or try_parse_timestamp(broadcast.get('created_at')))


def broadcast_end(broadcast: Broadcast) -> datetime | None:
    """The broadcast's ``end`` in UTC; None if missing or garbled."""
    return try_parse_timestamp(broadcast.get('end'))


def is_live(broadcast: Broadcast) -> bool:
    """True if the broadcast's state is ``RUNNING``."""
    state = broadcast.get('state')
    return isinstance(state, str) and state.upper() == 'RUNNING'


def broadcast_duration(broadcast: Broadcast, *, now: datetime | None = None) -> float | None:
    """Length in seconds: ``end - start``; RUNNING without end counts to ``now``.

    Returns None when the length cannot be known (no start, no usable end, or an
    end before the start).
    """
    start = broadcast_start(broadcast)
    if start is None:
        return None
    end = broadcast_end(broadcast)
    if end is None:
        end = _now(now) if is_live(broadcast) else try_parse_timestamp(broadcast.get('ping'))
    if end is None or end < start:
        return None
    return (end - start).total_seconds()


def broadcast_views(broadcast: Broadcast) -> int:
    """``n_total_watched`` as an int (0 when missing, negative or not a number)."""
    value = broadcast.get('n_total_watched')
    if isinstance(value, bool):
        return 0
    if isinstance(value, (int, float)):
        return int(value) if math.isfinite(value) and value > 0 else 0
    if isinstance(value, str):
        try:
            return max(int(value.strip()), 0)
        except ValueError:
            return 0
    return 0


def _normalise_states(states: Iterable[str] | str | None) -> frozenset[str] | None:
    if states is None:
        return None
    if isinstance(states, str):
        states = [states]
    return frozenset(s.strip().upper() for s in states)


def filter_broadcasts(broadcasts: Iterable[Broadcast], *, since: datetime | None = None,
                      until: datetime | None = None,
                      states: Iterable[str] | str | None = None) -> list[Broadcast]:
    """The broadcasts that started in ``[since, until)`` and have one of ``states``.

    Order is kept. ``since``/``until`` None leave that side open; ``states``
    None keeps every state (matching is case-insensitive). See the module
    docstring for straddling broadcasts and missing starts.
    """
    since = None if since is None else ensure_utc(since)
    until = None if until is None else ensure_utc(until)
    wanted = _normalise_states(states)
    kept = []
    for broadcast in broadcasts:
        if wanted is not None:
            state = broadcast.get('state')
            if not isinstance(state, str) or state.upper() not in wanted:
                continue
        if since is not None or until is not None:
            start = broadcast_start(broadcast)
            if start is None:
                continue
            if since is not None and start < since:
                continue
            if until is not None and start >= until:
                continue
        kept.append(broadcast)
    return kept


@dataclass(frozen=True)
class Summary:
    """Numbers for a set of broadcasts (durations in seconds)."""

    count: int = 0
    total_duration: float = 0.0
    median_duration: float | None = None
    total_views: int = 0
    live_now: bool = False
    unknown_durations: int = 0
    first_start: datetime | None = None
    last_start: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """A plain dict; datetimes stay datetimes."""
        return asdict(self)


def summarize(broadcasts: Iterable[Broadcast], *, now: datetime | None = None,
              live_now: bool | None = None) -> Summary:
    """Count, total and median duration, total views and liveness of ``broadcasts``.

    ``live_now`` defaults to "any of these broadcasts is RUNNING"; pass the
    answer for a user's whole history when ``broadcasts`` is a filtered window.
    """
    now = _now(now)
    items = list(broadcasts)
    durations = []
    unknown = 0
    starts = []
    for broadcast in items:
        duration = broadcast_duration(broadcast, now=now)
        if duration is None:
            unknown += 1
        else:
            durations.append(duration)
        start = broadcast_start(broadcast)
        if start is not None:
            starts.append(start)
    return Summary(
        count=len(items),
        total_duration=float(sum(durations)),
        median_duration=float(statistics.median(durations)) if durations else None,
        total_views=sum(broadcast_views(b) for b in items),
        live_now=any(is_live(b) for b in items) if live_now is None else live_now,
        unknown_durations=unknown,
        first_start=min(starts) if starts else None,
        last_start=max(starts) if starts else None,
    )


def _check_period(by: str) -> None:
    if by not in PERIODS:
        raise ValueError(f'period must be one of {", ".join(PERIODS)}, not {by!r}')


def period_start(moment: datetime, by: str = 'week') -> datetime:
    """Start (UTC midnight) of the day, ISO week (Monday) or month holding ``moment``."""
    _check_period(by)
    day = ensure_utc(moment).replace(hour=0, minute=0, second=0, microsecond=0)
    if by == 'week':
        return day - timedelta(days=day.weekday())
    if by == 'month':
        return day.replace(day=1)
    return day


def _next_period(start: datetime, by: str) -> datetime:
    if by == 'day':
        return start + timedelta(days=1)
    if by == 'week':
        return start + timedelta(weeks=1)
    if start.month == 12:
        return start.replace(year=start.year + 1, month=1)
    return start.replace(month=start.month + 1)


def period_label(moment: datetime, by: str = 'week') -> str:
    """``2024-05-01`` (day), ``2024-W18`` (ISO week) or ``2024-05`` (month), in UTC."""
    _check_period(by)
    moment = ensure_utc(moment)
    if by == 'week':
        year, week, _ = moment.isocalendar()
        return f'{year}-W{week:02d}'
    if by == 'month':
        return moment.strftime('%Y-%m')
    return moment.strftime('%Y-%m-%d')


@dataclass(frozen=True)
class PeriodRow:
    """One day, ISO week or month of a history (durations in seconds)."""

    label: str
    start: datetime
    count: int = 0
    total_duration: float = 0.0
    median_duration: float | None = None
    total_views: int = 0
    broadcast_ids: tuple = field(default=(), repr=False)

    def as_dict(self) -> dict[str, Any]:
        """A plain dict without the broadcast ids; datetimes stay datetimes."""
        data = asdict(self)
        del data['broadcast_ids']
        return data


def group_by_period(broadcasts: Iterable[Broadcast], by: str = 'week', *,
                    now: datetime | None = None, since: datetime | None = None,
                    until: datetime | None = None, fill: bool = True,
                    max_periods: int = 1000) -> list[PeriodRow]:
    """Group broadcasts by the UTC day, ISO week or month of their start, oldest first.

    With ``fill`` every period from the first to the last is listed, empty ones
    included, so a chart shows the gaps; the range runs from ``since`` (else the
    earliest start) to just before ``until`` (else ``now`` when ``since`` is
    given, else the latest start). Without ``fill``, or when the range would
    exceed ``max_periods``, only periods holding broadcasts are listed.
    Broadcasts without a parseable start are left out. This function does not
    filter by window: call :func:`filter_broadcasts` first.
    """
    _check_period(by)
    now = _now(now)
    buckets: dict[datetime, list[Broadcast]] = {}
    for broadcast in broadcasts:
        start = broadcast_start(broadcast)
        if start is not None:
            buckets.setdefault(period_start(start, by), []).append(broadcast)
    keys = sorted(buckets)
    if fill and (keys or since is not None):
        first = period_start(since, by) if since is not None else keys[0]
        if until is not None:
            last = period_start(ensure_utc(until) - timedelta(microseconds=1), by)
        elif since is not None:
            last = period_start(now, by)
        else:
            last = keys[-1]
        if keys:
            first, last = min(first, keys[0]), max(last, keys[-1])
        filled: list[datetime] = []
        current = first
        while current <= last and len(filled) <= max_periods:
            filled.append(current)
            current = _next_period(current, by)
        if len(filled) <= max_periods:
            keys = filled
    rows = []
    for key in keys:
        items = buckets.get(key, [])
        summary = summarize(items, now=now)
        rows.append(PeriodRow(
            label=period_label(key, by), start=key, count=summary.count,
            total_duration=summary.total_duration, median_duration=summary.median_duration,
            total_views=summary.total_views,
            broadcast_ids=tuple(str(b.get('id', '')) for b in items),
        ))
    return rows


_EIGHTHS = ' ▏▎▍▌▋▊▉'


def bar(value: float, maximum: float, width: int = 30, *, ascii: bool = False) -> str:
    """A horizontal bar ``width`` characters long at ``maximum``, scaled linearly.

    Unicode blocks draw eighths of a character; ``ascii=True`` draws ``#``.
    A positive value never draws as nothing (at least one eighth, or one ``#``).
    """
    if width <= 0 or maximum <= 0 or not value > 0:
        return ''
    cells = min(value / maximum, 1.0) * width
    if ascii:
        return '#' * max(1, round(cells))
    eighths = max(1, round(cells * 8))
    full, rest = divmod(eighths, 8)
    return '█' * full + (_EIGHTHS[rest] if rest else '')


def bar_chart(rows: Sequence[tuple[str, float]], width: int = 30, *,
              ascii: bool = False) -> list[str]:
    """Lines ``label  bar value`` for ``(label, value)`` pairs, bars scaled to the largest."""
    if not rows:
        return []
    maximum = max((value for _, value in rows), default=0)
    label_width = max(len(label) for label, _ in rows)
    lines = []
    for label, value in rows:
        drawn = bar(value, maximum, width, ascii=ascii)
        number = f'{value:g}' if isinstance(value, float) else str(value)
        lines.append(f'{label:<{label_width}}  {drawn:<{width}} {number}'.rstrip())
    return lines


def format_duration(seconds: float | None) -> str:
    """``1:02:03`` style (hours may exceed 24); ``''`` for None."""
    if seconds is None:
        return ''
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f'{hours}:{minutes:02d}:{secs:02d}'
