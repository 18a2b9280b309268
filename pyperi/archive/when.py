"""Capture times: reading ``when`` and the archives' 14-digit timestamps; pure functions."""
from __future__ import annotations

import calendar
import functools
import re
from datetime import date, datetime, timezone

from .. import timeutil

__all__ = ['parse_when', 'to_timestamp', 'timestamp_seconds', 'warc_date_timestamp']

# Wayback-style timestamps: 4 to 14 digits, YYYY[MM[DD[hh[mm[ss]]]]].
_DIGITS = re.compile(r'\d{4}(?:\d{2}){0,5}')
_MONTH = re.compile(r'(\d{4})-(\d{2})')
_WARC_DATE = re.compile(r'(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})')


def _from_digits(digits: str, text: str) -> datetime:
    """The start of the period that a Wayback timestamp names (``2021`` is 2021-01-01)."""
    padded = digits + '0101000000'[len(digits) - 4:]
    try:
        return datetime.strptime(padded, '%Y%m%d%H%M%S').replace(tzinfo=timezone.utc)
    except ValueError:
        raise ValueError(f'when is not a valid time: {text!r}') from None


def parse_when(when: str | datetime | date | None) -> datetime | None:
    """The moment whose nearest captures are wanted, as an aware UTC datetime; None for latest.

    Accepts a ``datetime`` (naive ones are UTC), a ``date`` (its midnight UTC), or a
    string: Wayback digits ``YYYY[MM[DD[hh[mm[ss]]]]]`` (``2021``, ``20210301``,
    ``20210301120000``), ``YYYY-MM``, an ISO date ``2021-03-01`` or an ISO 8601
    time ``2021-03-01T12:00:00Z``. A partial time means the start of its period.

    :raises TypeError: ``when`` is of another type.
    :raises ValueError: the string is none of these forms.
    """
    if when is None:
        return None
    if isinstance(when, datetime):
        return timeutil.ensure_utc(when)
    if isinstance(when, date):
        return datetime(when.year, when.month, when.day, tzinfo=timezone.utc)
    if not isinstance(when, str):
        raise TypeError(f'when must be a str, datetime, date or None, not {type(when).__name__}')
    text = when.strip()
    if _DIGITS.fullmatch(text):
        return _from_digits(text, when)
    month = _MONTH.fullmatch(text)
    if month:
        return _from_digits(month.group(1) + month.group(2), when)
    try:
        return timeutil.parse_time_spec(text, datetime.now(timezone.utc)) \
            if re.fullmatch(r'\d{4}-\d{2}-\d{2}', text) else timeutil.parse_timestamp(text)
    except ValueError:
        raise ValueError(
            f'when must be a time such as 2021, 20210301, 2021-03-01 or 2021-03-01T12:00:00Z, '
            f'got {when!r}') from None


def to_timestamp(moment: datetime) -> str:
    """The 14-digit UTC timestamp (``YYYYMMDDhhmmss``) of ``moment``."""
    return timeutil.ensure_utc(moment).strftime('%Y%m%d%H%M%S')


def timestamp_seconds(timestamp: str) -> int:
    """Seconds since the epoch of a 14-digit timestamp (fewer digits: the period's start)."""
    padded = timestamp + '0101000000'[len(timestamp) - 4:] if len(timestamp) < 14 else timestamp
    return calendar.timegm((int(padded[0:4]), int(padded[4:6]), int(padded[6:8]),
                            int(padded[8:10]), int(padded[10:12]), int(padded[12:14])))


@functools.lru_cache(maxsize=4096)   # records of one crawl share their seconds
def warc_date_timestamp(value: str | None) -> str | None:
    """The 14-digit timestamp of a ``WARC-Date`` (``2021-03-01T12:00:00Z``, fractions allowed).

    None when the value is missing or not such a date.
    """
    if not value:
        return None
    text = value.strip()
    digits = text[0:4] + text[5:7] + text[8:10] + text[11:13] + text[14:16] + text[17:19]
    if len(digits) == 14 and digits.isdigit() and text[4:5] == '-' and text[10:11] in 'Tt':
        return digits   # the usual form, without a regex
    match = _WARC_DATE.match(text)
    return ''.join(match.groups()) if match else None
