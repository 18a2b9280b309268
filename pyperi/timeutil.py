"""Pure time helpers: Periscope timestamps and ``--since``/``--until`` values, all in UTC."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from .checks import (
    check_bool, check_datetime, check_int, check_str, check_timedelta, check_utc, shown,
)

__all__ = [
    'parse_timestamp',
    'try_parse_timestamp',
    'parse_span',
    'parse_time_spec',
    'format_timestamp',
    'format_periscope_timestamp',
    'ensure_utc',
]

# Periscope writes ISO 8601 with up to nine fraction digits and a numeric offset
# ('2016-05-27T20:03:44.732179203-07:00'); datetime.fromisoformat() in Python 3.9/3.10
# refuses both the nanoseconds and 'Z', so the format is read with one explicit pattern.
_TIMESTAMP_RE = re.compile(
    r'''
    (?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})
    [Tt\ ]
    (?P<hour>\d{2}):(?P<minute>\d{2})
    (?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,12}))?)?
    \s*
    (?P<tz>[Zz]|[+-]\d{2}(?::?\d{2})?)?
    ''',
    re.VERBOSE,
)
_DATE_RE = re.compile(r'(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})')
_SPAN_RE = re.compile(r'(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>[a-zA-Z]+)')

_SPAN_UNITS = {
    's': 1.0, 'sec': 1.0, 'secs': 1.0, 'second': 1.0, 'seconds': 1.0,
    'm': 60.0, 'min': 60.0, 'mins': 60.0, 'minute': 60.0, 'minutes': 60.0,
    'h': 3600.0, 'hr': 3600.0, 'hrs': 3600.0, 'hour': 3600.0, 'hours': 3600.0,
    'd': 86400.0, 'day': 86400.0, 'days': 86400.0,
    'w': 604800.0, 'week': 604800.0, 'weeks': 604800.0,
}


def ensure_utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime; a naive one is taken to be UTC already.

    :raises TypeError: ``value`` is not a ``datetime``.
    :raises ValueError: ``value`` has no UTC equivalent (``datetime.max`` at ``-01:00``).
    """
    return check_utc(value, 'value')


def _offset(text: str | None) -> timezone:
    if text is None or text in ('Z', 'z'):
        return timezone.utc
    sign = -1 if text[0] == '-' else 1
    digits = text[1:].replace(':', '')
    hours = int(digits[:2])
    minutes = int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f'bad UTC offset {text!r}')
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_timestamp(value: str | datetime) -> datetime:
    """Parse a Periscope timestamp into an aware UTC datetime.

    Accepts ISO 8601 as Periscope wrote it, with any number of fraction digits
    (nanoseconds are truncated to microseconds) and an offset such as ``-07:00``,
    ``+0530`` or ``Z``. A timestamp without an offset is taken to be UTC. A
    ``datetime`` passes through, converted to UTC.

    :raises ValueError: if ``value`` is not such a timestamp (the message quotes it).
    :raises TypeError: if ``value`` is neither a ``str`` nor a ``datetime``.
    """
    if isinstance(value, datetime):
        return ensure_utc(value)
    if not isinstance(value, str):
        raise TypeError(
            f'value must be a timestamp str or a datetime, not {type(value).__name__}')
    match = _TIMESTAMP_RE.fullmatch(value.strip())
    if match is None:
        raise ValueError(f'value is not an ISO 8601 timestamp: {shown(value)}')
    fraction = (match['fraction'] or '')[:6].ljust(6, '0')
    try:
        parsed = datetime(
            int(match['year']), int(match['month']), int(match['day']),
            int(match['hour']), int(match['minute']), int(match['second'] or 0),
            int(fraction), tzinfo=_offset(match['tz']),
        )
        return parsed.astimezone(timezone.utc)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f'value is not a valid timestamp: {shown(value)} ({exc})') from None


def try_parse_timestamp(value: object) -> datetime | None:
    """Like :func:`parse_timestamp`, but return None for anything missing or garbled."""
    if not isinstance(value, (str, datetime)):
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        return None


def format_timestamp(value: datetime | None) -> str:
    """Format as ISO 8601 in UTC with a ``Z`` suffix, to the second; ``''`` for None.

    :raises TypeError: ``value`` is neither a ``datetime`` nor None.
    :raises ValueError: ``value`` has no UTC equivalent.
    """
    if value is None:
        return ''
    utc = ensure_utc(value)
    return utc.replace(microsecond=0, tzinfo=None).isoformat() + 'Z'   # four-digit years


def format_periscope_timestamp(value: datetime, *, offset: timedelta | None = None,
                               nanoseconds: int = 0) -> str:
    """Write ``value`` the way Periscope did: nine fraction digits and a UTC offset.

    With ``offset`` the local time at that offset is written with a numeric offset, as in 2016
    (``2016-05-27T20:03:44.732179203-07:00``); without it, UTC with ``Z``, as in 2019
    (``2019-03-05T18:20:01.123456789Z``). :func:`parse_timestamp` reads both back.

    :param value: the moment; a naive datetime is taken to be UTC.
    :param offset: the UTC offset to write, whole minutes strictly between -24 h and +24 h;
        None writes UTC as ``Z``.
    :param nanoseconds: 0 to 999, the digits below the microsecond that ``datetime`` lacks.
    :raises TypeError: if ``value`` is not a ``datetime``, ``offset`` not a ``timedelta`` or
        ``nanoseconds`` not an ``int``.
    :raises ValueError: if ``offset`` or ``nanoseconds`` is out of range, or ``value`` cannot be
        shown at ``offset`` (a year outside 1-9999).
    """
    check_datetime(value, 'value')
    check_int(nanoseconds, 'nanoseconds', minimum=0, maximum=999)
    _check_offset(offset)
    try:
        local = ensure_utc(value).astimezone(timezone(offset or timedelta(0)))
    except OverflowError:
        raise ValueError(f'value out of range at offset {offset!r}: {value!r}') from None
    seconds = local.replace(microsecond=0, tzinfo=None).isoformat()
    fraction = local.microsecond * 1000 + nanoseconds
    return f'{seconds}.{fraction:09d}{_offset_text(offset)}'


def _check_offset(offset: timedelta | None) -> None:
    """Refuse an offset that is not None or whole minutes strictly within a day."""
    if offset is None:
        return
    check_timedelta(offset, 'offset')
    day = timedelta(days=1)
    if offset % timedelta(minutes=1) or not -day < offset < day:
        raise ValueError(f'offset must be whole minutes within a day: {offset!r}')


def _offset_text(offset: timedelta | None) -> str:
    if offset is None:
        return 'Z'
    minutes = int(offset.total_seconds()) // 60
    sign = '-' if minutes < 0 else '+'
    hours, minutes = divmod(abs(minutes), 60)
    return f'{sign}{hours:02d}:{minutes:02d}'


def parse_span(text: str) -> timedelta:
    """Parse a relative span such as ``7d``, ``4w``, ``12h``, ``30m``, ``90s`` or ``1.5h``.

    :raises ValueError: for anything else, naming the accepted units.
    :raises TypeError: ``text`` is not a ``str``.
    """
    match = _SPAN_RE.fullmatch(check_str(text, 'text').strip())
    unit = match['unit'].lower() if match else ''
    if match is None or unit not in _SPAN_UNITS:
        raise ValueError(
            f'not a time span: {shown(text)} '
            '(use a number and a unit s, m, h, d or w, e.g. 7d, 4w)')
    seconds = float(match['amount']) * _SPAN_UNITS[unit]
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        raise ValueError(f'time span too large: {shown(text)}') from None


def _named_day(name: str, now: datetime, end_of_day: bool) -> datetime:
    """Midnight (UTC) starting ``today`` or ``yesterday``, or ending it with ``end_of_day``."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        day = midnight - timedelta(days=1 if name == 'yesterday' else 0)
        return day + timedelta(days=1) if end_of_day else day
    except OverflowError:
        raise ValueError(f'{name} is out of range for now={shown(now)}') from None


def _day(match: re.Match[str], text: str, end_of_day: bool) -> datetime:
    """Midnight (UTC) starting the matched ISO date, or ending it with ``end_of_day``."""
    try:
        day_start = datetime.combine(
            date(int(match['year']), int(match['month']), int(match['day'])),
            datetime.min.time(), tzinfo=timezone.utc)
    except ValueError as exc:
        raise ValueError(f'not a valid date: {shown(text)} ({exc})') from None
    if not end_of_day:
        return day_start
    try:
        return day_start + timedelta(days=1)
    except OverflowError:
        raise ValueError(f'date out of range: {shown(text)}') from None


def parse_time_spec(text: str, now: datetime, *, end_of_day: bool = False) -> datetime:
    """Parse a ``--since``/``--until`` value into an aware UTC datetime.

    Accepted forms:

    * a relative span (see :func:`parse_span`), counted back from ``now``: ``7d`` is
      seven days before ``now``;
    * ``now``, ``today`` (midnight UTC today) or ``yesterday``;
    * an ISO date ``2024-05-01``: midnight UTC at the start of that day, or, with
      ``end_of_day=True`` (used for ``--until`` so the day is included), midnight at its end;
    * an ISO datetime, with or without an offset (none means UTC).

    :raises ValueError: with a message listing the accepted forms, or when the time
        falls outside the years 1 to 9999.
    :raises TypeError: ``text`` is not a ``str``, ``now`` not a ``datetime`` or
        ``end_of_day`` not a ``bool``.
    """
    check_str(text, 'text')
    now = check_utc(now, 'now')
    check_bool(end_of_day, 'end_of_day')
    cleaned = text.strip()
    lowered = cleaned.lower()
    if lowered == 'now':
        return now
    if lowered in ('today', 'yesterday'):
        return _named_day(lowered, now, end_of_day)
    if _SPAN_RE.fullmatch(cleaned):
        try:
            return now - parse_span(cleaned)
        except OverflowError:
            raise ValueError(f'time span reaches before year 1: {shown(text)}') from None
    match = _DATE_RE.fullmatch(cleaned)
    if match:
        return _day(match, text, end_of_day)
    try:
        return parse_timestamp(cleaned)
    except ValueError:
        pass
    raise ValueError(
        f'not a date, time or span: {shown(text)} '
        '(use e.g. 2024-05-01, 2024-05-01T12:00:00Z, 7d, 4w, 12h, 30m, today)')
