"""Pure functions summarising a broadcast history (no I/O): windows, durations, views, periods.

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
  ``end`` counts up to ``now``. A ``TIMED_OUT`` broadcast has no ``end`` (its
  broadcaster vanished and Periscope stopped waiting): it lasts until its last
  ``ping``, the last moment its video was coming in. Its ``timedout`` stamp, when
  Periscope gave up waiting a minute or so later, is not counted, nor is it ever
  read (other records carry Go's zero time there). Any other ended broadcast
  without ``end`` falls back to its last ``ping`` likewise. When that still gives
  nothing (or a negative span), the duration is unknown (None): the broadcast is
  counted but adds nothing to the duration totals, and ``unknown_durations`` says
  how many there were.
* Views are ``n_total_watched``; a missing or non-numeric value counts as 0.
* Arguments are checked: a ``broadcast`` that is not a mapping (a dict),
  ``broadcasts`` that are not an iterable of them, or a time that is not a
  ``datetime`` raise ``TypeError``; a time with no UTC equivalent raises
  ``ValueError``. Fields *inside* a broadcast are data: garbled ones are skipped
  as described above, never an error.

Numbers only: drawing them (bars, ``H:MM:SS``) is :mod:`pyperi.formatting`'s job.
``pyperi.stats.bar``, ``bar_chart`` and ``format_duration`` still work, with a
DeprecationWarning, for code written against 1.0.0.
"""
from __future__ import annotations

import math
import statistics
import warnings
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Mapping, Sequence

from pyperi.checks import (
    check_bool, check_choice, check_int, check_items, check_mapping, check_str, check_text_of,
    check_utc,
)
from pyperi.timeutil import try_parse_timestamp

__all__ = [
    'PERIODS',
    'STATES',
    'MAX_PERIODS',
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
]

#: Grouping periods accepted by :func:`group_by_period`.
PERIODS = ('day', 'week', 'month')
#: Broadcast states Periscope used.
STATES = ('RUNNING', 'ENDED', 'TIMED_OUT')

#: Most periods :func:`group_by_period` lists (``max_periods`` may not exceed it).
MAX_PERIODS = 100_000

Broadcast = Mapping[str, Any]


def _now(now: datetime | None) -> datetime:
    return datetime.now(timezone.utc) if now is None else check_utc(now, 'now')


def _optional_utc(value: datetime | None, name: str) -> datetime | None:
    return None if value is None else check_utc(value, name)


def _broadcasts(broadcasts: Iterable[Broadcast]) -> list[Broadcast]:
    return check_items(broadcasts, 'broadcasts', check_mapping)


def broadcast_start(broadcast: Broadcast) -> datetime | None:
    """When the broadcast started (``start``, else ``created_at``), in UTC; None if unknown."""
    check_mapping(broadcast, 'broadcast')
    return (try_parse_timestamp(broadcast.get('start'))
            or try_parse_timestamp(broadcast.get('created_at')))


def broadcast_end(broadcast: Broadcast) -> datetime | None:
    """The broadcast's ``end`` in UTC; None if missing (RUNNING and TIMED_OUT records have
    none) or garbled."""
    return try_parse_timestamp(check_mapping(broadcast, 'broadcast').get('end'))


def is_live(broadcast: Broadcast) -> bool:
    """True if the broadcast's state is ``RUNNING``."""
    state = check_mapping(broadcast, 'broadcast').get('state')
    return isinstance(state, str) and state.upper() == 'RUNNING'


def broadcast_duration(broadcast: Broadcast, *, now: datetime | None = None) -> float | None:
    """Length in seconds: ``end - start``; RUNNING without end counts to ``now``, an ended
    or TIMED_OUT one without end to its last ``ping``.

    Returns None when the length cannot be known (no start, no usable end or ping,
    or an end before the start).
    """
    now = _now(now)
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
    value = check_mapping(broadcast, 'broadcast').get('n_total_watched')
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
    return frozenset(s.strip().upper() for s in check_items(states, 'states', check_str))


def _has_state(broadcast: Broadcast, wanted: frozenset[str] | None) -> bool:
    if wanted is None:
        return True
    state = broadcast.get('state')
    return isinstance(state, str) and state.upper() in wanted


def _starts_within(broadcast: Broadcast, since: datetime | None, until: datetime | None) -> bool:
    if since is None and until is None:
        return True   # even a broadcast without a start
    start = broadcast_start(broadcast)
    return (start is not None and (since is None or start >= since)
            and (until is None or start < until))


def filter_broadcasts(broadcasts: Iterable[Broadcast], *, since: datetime | None = None,
                      until: datetime | None = None,
                      states: Iterable[str] | str | None = None) -> list[Broadcast]:
    """The broadcasts that started in ``[since, until)`` and have one of ``states``.

    Order is kept. ``since``/``until`` None leave that side open; ``states``
    None keeps every state (matching is case-insensitive). See the module
    docstring for straddling broadcasts and missing starts.

    :raises TypeError: ``states`` is neither a str nor an iterable of str, or see above.
    """
    items = _broadcasts(broadcasts)
    since = _optional_utc(since, 'since')
    until = _optional_utc(until, 'until')
    wanted = _normalise_states(states)
    return [broadcast for broadcast in items
            if _has_state(broadcast, wanted) and _starts_within(broadcast, since, until)]


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

    :raises TypeError: ``live_now`` is neither a bool nor None, or see above.
    """
    now = _now(now)
    items = _broadcasts(broadcasts)
    if live_now is not None:
        check_bool(live_now, 'live_now')
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
    check_choice(by, 'by (the period)', PERIODS)


def period_start(moment: datetime, by: str = 'week') -> datetime:
    """Start (UTC midnight) of the day, ISO week (Monday) or month holding ``moment``.

    :raises ValueError: ``by`` is not one of :data:`PERIODS`.
    """
    _check_period(by)
    day = check_utc(moment, 'moment').replace(hour=0, minute=0, second=0, microsecond=0)
    if by == 'week':
        return day - timedelta(days=day.weekday())
    if by == 'month':
        return day.replace(day=1)
    return day


def _next_period(start: datetime, by: str) -> datetime | None:
    """The start of the period after ``start``'s; None past the year 9999."""
    try:
        if by == 'day':
            return start + timedelta(days=1)
        if by == 'week':
            return start + timedelta(weeks=1)
        if start.month == 12:
            return start.replace(year=start.year + 1, month=1)
        return start.replace(month=start.month + 1)
    except (OverflowError, ValueError):
        return None


def period_label(moment: datetime, by: str = 'week') -> str:
    """``2024-05-01`` (day), ``2024-W18`` (ISO week) or ``2024-05`` (month), in UTC.

    :raises ValueError: ``by`` is not one of :data:`PERIODS`.
    """
    _check_period(by)
    moment = check_utc(moment, 'moment')
    if by == 'week':
        year, week, _ = moment.isocalendar()
        return f'{year:04d}-W{week:02d}'
    if by == 'month':
        return f'{moment.year:04d}-{moment.month:02d}'
    return f'{moment.year:04d}-{moment.month:02d}-{moment.day:02d}'


@dataclass(frozen=True)
class PeriodRow:
    """One day, ISO week or month of a history (durations in seconds)."""

    label: str
    start: datetime
    count: int = 0
    total_duration: float = 0.0
    median_duration: float | None = None
    total_views: int = 0
    broadcast_ids: tuple[str, ...] = field(default=(), repr=False)

    def as_dict(self) -> dict[str, Any]:
        """A plain dict without the broadcast ids; datetimes stay datetimes."""
        data = asdict(self)
        del data['broadcast_ids']
        return data


def _by_period(broadcasts: Iterable[Broadcast], by: str) -> dict[datetime, list[Broadcast]]:
    """Broadcasts by the start of their period; those without a parseable start are left out."""
    buckets: dict[datetime, list[Broadcast]] = {}
    for broadcast in broadcasts:
        start = broadcast_start(broadcast)
        if start is not None:
            buckets.setdefault(period_start(start, by), []).append(broadcast)
    return buckets


def _last_period(busy: Sequence[datetime], by: str, *, now: datetime, since: datetime | None,
                 until: datetime | None) -> datetime:
    if until is not None:
        try:
            return period_start(until - timedelta(microseconds=1), by)
        except OverflowError:   # until is the first moment there is
            return period_start(until, by)
    if since is not None:
        return period_start(now, by)
    return busy[-1]


def _every_period(busy: Sequence[datetime], by: str, *, now: datetime, since: datetime | None,
                  until: datetime | None, max_periods: int) -> list[datetime] | None:
    """Each period start of the range (see :func:`group_by_period`); None past ``max_periods``.

    ``busy`` (sorted) or ``since`` must be given.
    """
    first = period_start(since, by) if since is not None else busy[0]
    last = _last_period(busy, by, now=now, since=since, until=until)
    if busy:
        first, last = min(first, busy[0]), max(last, busy[-1])
    starts: list[datetime] = []
    current: datetime | None = first
    while current is not None and current <= last:
        if len(starts) >= max_periods:
            return None
        starts.append(current)
        current = _next_period(current, by)
    return starts


def _shown_id(value: Any) -> str:
    return value if isinstance(value, str) else check_text_of(value, 'a broadcast id')


def _period_row(key: datetime, items: Sequence[Broadcast], by: str, now: datetime) -> PeriodRow:
    summary = summarize(items, now=now)
    return PeriodRow(
        label=period_label(key, by), start=key, count=summary.count,
        total_duration=summary.total_duration, median_duration=summary.median_duration,
        total_views=summary.total_views,
        broadcast_ids=tuple(_shown_id(b.get('id', '')) for b in items),
    )


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

    :raises ValueError: ``by`` is not one of :data:`PERIODS`, or ``max_periods`` is not
        from 0 to :data:`MAX_PERIODS`.
    :raises TypeError: ``fill`` is not a bool, or see above.
    """
    _check_period(by)
    now = _now(now)
    since = _optional_utc(since, 'since')
    until = _optional_utc(until, 'until')
    check_bool(fill, 'fill')
    check_int(max_periods, 'max_periods', minimum=0, maximum=MAX_PERIODS)
    buckets = _by_period(_broadcasts(broadcasts), by)
    keys = sorted(buckets)
    if fill and (keys or since is not None):
        keys = _every_period(keys, by, now=now, since=since, until=until,
                             max_periods=max_periods) or keys
    return [_period_row(key, buckets.get(key, []), by, now) for key in keys]


# Display helpers of 1.0.0, now in pyperi.formatting: still importable from here, with a warning.
_MOVED_TO_FORMATTING = frozenset({'bar', 'bar_chart', 'format_duration'})


def __getattr__(name: str) -> Any:
    if name in _MOVED_TO_FORMATTING:
        warnings.warn(f'pyperi.stats.{name} is deprecated; use pyperi.formatting.{name}',
                      DeprecationWarning, stacklevel=2)
        from pyperi import formatting   # only for old callers: stats itself draws nothing

        return getattr(formatting, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
