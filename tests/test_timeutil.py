"""Tests for pyperi.timeutil: Periscope timestamps and --since/--until values."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyperi.timeutil import (
    ensure_utc, format_timestamp, parse_span, parse_time_spec, parse_timestamp,
    try_parse_timestamp,
)

UTC = timezone.utc
NOW = datetime(2024, 5, 8, 10, 30, 15, tzinfo=UTC)


@pytest.mark.parametrize('text, expected', [
    # the documented broadcast: nanoseconds truncated to microseconds, -07:00 moved to UTC
    ('2016-05-27T20:03:44.732179203-07:00', datetime(2016, 5, 28, 3, 3, 44, 732179, tzinfo=UTC)),
    ('2016-12-12T10:41:09.286489243-08:00', datetime(2016, 12, 12, 18, 41, 9, 286489, tzinfo=UTC)),
    ('2024-05-01T12:00:00Z', datetime(2024, 5, 1, 12, tzinfo=UTC)),
    ('2024-05-01T12:00:00z', datetime(2024, 5, 1, 12, tzinfo=UTC)),
    ('2024-05-01T12:00:00.5+05:30', datetime(2024, 5, 1, 6, 30, 0, 500000, tzinfo=UTC)),
    ('2024-05-01T12:00:00+0530', datetime(2024, 5, 1, 6, 30, tzinfo=UTC)),
    ('2024-05-01T12:00:00+05', datetime(2024, 5, 1, 7, tzinfo=UTC)),
    ('2024-05-01 12:00:00', datetime(2024, 5, 1, 12, tzinfo=UTC)),  # no offset: UTC
    ('2024-05-01T12:00', datetime(2024, 5, 1, 12, tzinfo=UTC)),
    ('  2024-05-01T23:59:59.999999999-00:30  ',
     datetime(2024, 5, 2, 0, 29, 59, 999999, tzinfo=UTC)),
    ('2024-12-31T23:00:00-02:00', datetime(2025, 1, 1, 1, tzinfo=UTC)),
])
def test_parse_timestamp__periscope_forms(text, expected):
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed.tzinfo == UTC


def test_parse_timestamp__datetime_passes_through_as_utc():
    plus_two = timezone(timedelta(hours=2))
    expected = datetime(2024, 1, 1, tzinfo=UTC)
    assert parse_timestamp(datetime(2024, 1, 1, 2, tzinfo=plus_two)) == expected
    assert parse_timestamp(datetime(2024, 1, 1)).tzinfo == UTC


@pytest.mark.parametrize('text', [
    '', 'yesterday', '2016-05-27', '2016-13-01T00:00:00Z', '2016-02-30T00:00:00Z',
    '2016-05-27T25:00:00Z', '2016-05-27T20:03:44.73-25:00', '2016-05-27T20:03:44+07:99',
    '2016-05-27T20:03:44 junk', '20160527T200344Z',
])
def test_parse_timestamp__garbage_raises_value_error_quoting_it(text):
    with pytest.raises(ValueError, match='timestamp'):
        parse_timestamp(text)


def test_parse_timestamp__wrong_type_raises_type_error():
    with pytest.raises(TypeError):
        parse_timestamp(12345)


@pytest.mark.parametrize('value', [None, 42, '', 'garbled', [], '2016-02-30T00:00:00Z'])
def test_try_parse_timestamp__returns_none_for_bad_values(value):
    assert try_parse_timestamp(value) is None


def test_format_timestamp__utc_z_to_the_second():
    value = parse_timestamp('2016-05-27T20:03:44.732179203-07:00')
    assert format_timestamp(value) == '2016-05-28T03:03:44Z'
    assert format_timestamp(None) == ''


@pytest.mark.parametrize('text, expected', [
    ('7d', timedelta(days=7)), ('4w', timedelta(weeks=4)), ('12h', timedelta(hours=12)),
    ('30m', timedelta(minutes=30)), ('90s', timedelta(seconds=90)),
    ('1.5h', timedelta(minutes=90)), ('2 days', timedelta(days=2)), ('1W', timedelta(weeks=1)),
    ('0d', timedelta(0)),
])
def test_parse_span(text, expected):
    assert parse_span(text) == expected


@pytest.mark.parametrize('text', ['7', 'd', '7x', '3mo', '-7d', '7d ago', '', '1y'])
def test_parse_span__bad_input_names_units(text):
    with pytest.raises(ValueError, match='unit s, m, h, d or w'):
        parse_span(text)


@pytest.mark.parametrize('text, expected', [
    ('7d', NOW - timedelta(days=7)),
    ('4w', datetime(2024, 4, 10, 10, 30, 15, tzinfo=UTC)),
    ('12h', datetime(2024, 5, 7, 22, 30, 15, tzinfo=UTC)),
    ('30m', datetime(2024, 5, 8, 10, 0, 15, tzinfo=UTC)),
    ('now', NOW),
    ('today', datetime(2024, 5, 8, tzinfo=UTC)),
    ('yesterday', datetime(2024, 5, 7, tzinfo=UTC)),
    ('2024-05-01', datetime(2024, 5, 1, tzinfo=UTC)),
    ('2024-05-01T12:00:00-07:00', datetime(2024, 5, 1, 19, tzinfo=UTC)),
    ('2024-05-01T12:00', datetime(2024, 5, 1, 12, tzinfo=UTC)),
])
def test_parse_time_spec(text, expected):
    assert parse_time_spec(text, NOW) == expected


def test_parse_time_spec__end_of_day_includes_the_whole_date():
    end_of_may_1 = datetime(2024, 5, 2, tzinfo=UTC)
    assert parse_time_spec('2024-05-01', NOW, end_of_day=True) == end_of_may_1
    assert parse_time_spec('today', NOW, end_of_day=True) == datetime(2024, 5, 9, tzinfo=UTC)
    # datetimes and spans are exact moments either way
    assert parse_time_spec('7d', NOW, end_of_day=True) == NOW - timedelta(days=7)


def test_parse_time_spec__naive_now_is_utc():
    assert parse_time_spec('1d', datetime(2024, 5, 8)) == datetime(2024, 5, 7, tzinfo=UTC)


@pytest.mark.parametrize('text, message', [
    ('last week', 'not a date, time or span'),
    ('2024-02-30', 'not a valid date'),
    ('2024-5-1', 'not a date, time or span'),
    ('7x', 'not a time span'),
    ('99999999999w', 'too large'),
    ('', 'not a date, time or span'),
])
def test_parse_time_spec__bad_input_has_a_clear_message(text, message):
    with pytest.raises(ValueError, match=message):
        parse_time_spec(text, NOW)


def test_ensure_utc():
    assert ensure_utc(datetime(2024, 1, 1)) == datetime(2024, 1, 1, tzinfo=UTC)
    minus_seven = timezone(timedelta(hours=-7))
    expected = datetime(2024, 1, 2, 3, tzinfo=UTC)
    assert ensure_utc(datetime(2024, 1, 1, 20, tzinfo=minus_seven)) == expected


offsets = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59)


@given(
    moment=st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1)),
    offset_minutes=offsets,
    extra_digits=st.text(alphabet='0123456789', max_size=3),
)
def test_parse_timestamp__round_trips_any_offset_and_nanoseconds(
        moment, offset_minutes, extra_digits):
    tz = timezone(timedelta(minutes=offset_minutes))
    local = moment.replace(tzinfo=tz)
    sign = '-' if offset_minutes < 0 else '+'
    hours, minutes = divmod(abs(offset_minutes), 60)
    text = (local.strftime('%Y-%m-%dT%H:%M:%S.%f') + extra_digits
            + f'{sign}{hours:02d}:{minutes:02d}')
    parsed = parse_timestamp(text)
    assert parsed == local
    assert parsed.utcoffset() == timedelta(0)


@given(amount=st.integers(min_value=0, max_value=10 ** 5),
       unit=st.sampled_from(['s', 'm', 'h', 'd', 'w']))
def test_parse_time_spec__span_counts_back_from_now(amount, unit):
    seconds = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}[unit]
    assert NOW - parse_time_spec(f'{amount}{unit}', NOW) == timedelta(seconds=amount * seconds)


@given(st.text(max_size=20))
def test_parse_time_spec__never_raises_anything_but_value_error(text):
    try:
        result = parse_time_spec(text, NOW)
    except ValueError:
        return
    assert result.tzinfo == UTC


# -- format_periscope_timestamp: Periscope's own form, read back by parse_timestamp ------------

import re  # noqa: E402 - this section was appended

from pyperi.timeutil import format_periscope_timestamp  # noqa: E402

PERISCOPE_FORM = r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d)'


@pytest.mark.parametrize('text, offset, nanoseconds', [
    ('2016-05-27T20:03:44.732179203-07:00', timedelta(hours=-7), 203),
    ('2016-12-12T10:41:09.286489243-08:00', timedelta(hours=-8), 243),
    ('2015-03-28T19:52:59.150319197-07:00', timedelta(hours=-7), 197),
    ('2024-05-01T12:00:00.500000000+05:30', timedelta(hours=5, minutes=30), 0),
])
def test_format_periscope_timestamp__writes_the_2016_form(text, offset, nanoseconds):
    parsed = parse_timestamp(text)
    assert format_periscope_timestamp(parsed, offset=offset, nanoseconds=nanoseconds) == text


def test_format_periscope_timestamp__without_offset_writes_the_2019_z_form():
    moment = datetime(2019, 3, 5, 18, 20, 1, 123456, tzinfo=UTC)
    text = format_periscope_timestamp(moment, nanoseconds=789)
    assert text == '2019-03-05T18:20:01.123456789Z'
    assert parse_timestamp(text) == moment


def test_format_periscope_timestamp__shows_local_time_at_the_offset():
    moment = datetime(2016, 5, 28, 3, 3, 44, tzinfo=UTC)
    text = format_periscope_timestamp(moment, offset=timedelta(hours=-7))
    assert text == '2016-05-27T20:03:44.000000000-07:00'


def test_format_periscope_timestamp__zero_offset_is_numeric():
    moment = datetime(2016, 5, 28, 3, 3, 44, tzinfo=UTC)
    assert format_periscope_timestamp(moment, offset=timedelta(0)).endswith('.000000000+00:00')


def test_format_periscope_timestamp__naive_is_utc():
    naive = datetime(2019, 3, 5, 18, 20, 1)
    assert format_periscope_timestamp(naive) == format_periscope_timestamp(
        naive.replace(tzinfo=UTC))


def test_format_periscope_timestamp__early_years_keep_four_digits():
    moment = datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert format_periscope_timestamp(moment) == '0999-01-02T03:04:05.000000000Z'


@pytest.mark.parametrize('kwargs, message', [
    ({'nanoseconds': -1}, 'nanoseconds'),
    ({'nanoseconds': 1000}, 'nanoseconds'),
    ({'offset': timedelta(seconds=30)}, 'offset'),
    ({'offset': timedelta(hours=24)}, 'offset'),
    ({'offset': timedelta(hours=-24)}, 'offset'),
])
def test_format_periscope_timestamp__out_of_range_is_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        format_periscope_timestamp(NOW, **kwargs)


@pytest.mark.parametrize('value, kwargs, message', [
    ('2024-05-01T12:00:00Z', {}, 'value'),
    (NOW, {'offset': -420}, 'offset'),
    (NOW, {'nanoseconds': 1.5}, 'nanoseconds'),
    (NOW, {'nanoseconds': True}, 'nanoseconds'),
])
def test_format_periscope_timestamp__wrong_type_is_type_error(value, kwargs, message):
    with pytest.raises(TypeError, match=message):
        format_periscope_timestamp(value, **kwargs)


def test_format_periscope_timestamp__unshowable_year_is_value_error():
    last = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    with pytest.raises(ValueError, match='out of range'):
        format_periscope_timestamp(last, offset=timedelta(hours=1))


@given(
    moment=st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1),
                        timezones=st.just(UTC)),
    offset_minutes=st.none() | offsets,
    nanoseconds=st.integers(min_value=0, max_value=999),
)
def test_format_periscope_timestamp__parse_reads_back_the_same_moment(
        moment, offset_minutes, nanoseconds):
    offset = None if offset_minutes is None else timedelta(minutes=offset_minutes)
    text = format_periscope_timestamp(moment, offset=offset, nanoseconds=nanoseconds)
    assert re.fullmatch(PERISCOPE_FORM, text)
    assert text[26:29] == '%03d' % nanoseconds
    assert parse_timestamp(text) == moment
