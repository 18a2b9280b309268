"""Wrong arguments to the helper modules: a TypeError or ValueError naming the argument.

One row per case; the fuzz (tests/test_fuzz.py) tries many more values, these pin the
messages. Values the fuzz first found leaking are marked ``# leaked <what> before``.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest
import requests

from pyperi import exceptions, formatting, hls, legacy, stats, timeutil, urls, web

MINUS_ONE = timezone(timedelta(hours=-1))
LAST_MOMENT = datetime.max.replace(tzinfo=MINUS_ONE)   # no UTC equivalent
NOW = datetime(2024, 5, 8, 12, tzinfo=timezone.utc)


def deep(depth: int = 5000) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def case(call: Callable[[], Any], error: type, message: str, id: str) -> Any:
    return pytest.param(call, error, message, id=id)


CASES = [
    # timeutil
    case(lambda: timeutil.parse_span(5), TypeError, 'text must be a str, not int',
         'parse_span int'),   # leaked AttributeError before
    case(lambda: timeutil.parse_span('1e400d'), ValueError, 'not a time span', 'parse_span 1e400'),
    case(lambda: timeutil.parse_span('9' * 400 + 'd'), ValueError, 'time span too large',
         'parse_span huge'),
    case(lambda: timeutil.format_timestamp('x'), TypeError, 'value must be a datetime, not str',
         'format_timestamp str'),   # leaked AttributeError before
    case(lambda: timeutil.format_timestamp(LAST_MOMENT), ValueError, 'value is out of range',
         'format_timestamp datetime.max at -01:00'),   # leaked OverflowError before
    case(lambda: timeutil.ensure_utc(None), TypeError, 'value must be a datetime',
         'ensure_utc None'),
    case(lambda: timeutil.parse_timestamp(12345), TypeError, 'value must be a timestamp str',
         'parse_timestamp int'),
    case(lambda: timeutil.parse_time_spec(7, NOW), TypeError, 'text must be a str',
         'parse_time_spec int'),
    case(lambda: timeutil.parse_time_spec('7d', '2024-05-08'), TypeError,
         'now must be a datetime', 'parse_time_spec now str'),   # leaked AttributeError before
    case(lambda: timeutil.parse_time_spec('7d', NOW, end_of_day='yes'), TypeError,
         'end_of_day must be True or False', 'parse_time_spec end_of_day str'),
    case(lambda: timeutil.parse_time_spec('yesterday', datetime.min), ValueError,
         'yesterday is out of range', 'parse_time_spec yesterday at year 1'),   # OverflowError
    case(lambda: timeutil.format_periscope_timestamp(NOW, offset=timedelta.min), ValueError,
         'offset must be whole minutes within a day', 'format_periscope_timestamp offset min'),
    # urls
    case(lambda: urls.validate_user_id(10 ** 5000), ValueError, 'user_id must be 1 to 64 digits',
         'validate_user_id 5000 digits'),   # leaked a ValueError about int conversion before
    case(lambda: urls.validate_user_id('1' * 65), ValueError, 'user_id must be 1 to 64 digits',
         'validate_user_id 65 digits'),
    case(lambda: urls.validate_broadcast_id('a' * 129), ValueError,
         'broadcast_id must be 1 to 128 letters', 'validate_broadcast_id 129 chars'),
    case(lambda: urls.validate_username('ab', name=5), TypeError, 'name must be a str',
         'validate_username name int'),
    case(lambda: urls.user_url(0, user_id=1), TypeError, 'web_base_url must be a str',
         'user_url base int'),   # leaked AttributeError before
    case(lambda: urls.broadcast_url(None, 'abc'), TypeError, 'web_base_url must be a str',
         'broadcast_url base None'),
    case(lambda: urls.api_url(b'x', 'getUserPublic'), TypeError, 'api_base_url must be a str',
         'api_url base bytes'),
    case(lambda: urls.api_url('https://a', 'getUserPublic', {'user_id': ['1']}), TypeError,
         r"params\['user_id'\] must be a str, bytes or number", 'api_url list value'),
    case(lambda: urls.api_url('https://a', 'getUserPublic', {'username': '\ud800'}), ValueError,
         r"params\['username'\] is not valid Unicode", 'api_url surrogate'),  # UnicodeEncodeError
    case(lambda: urls.api_url('https://a', 'getUserPublic', {1: 'x'}), TypeError,
         'params names must be str', 'api_url int name'),
    case(lambda: urls.api_url('https://a', 'getUserPublic', ['x']), TypeError,
         'params must be a mapping', 'api_url params list'),
    case(lambda: urls.parse_periscope_url('https://pscp.tv/x', web_base_url=5), TypeError,
         'web_base_url must be a str or None', 'parse_periscope_url base int'),
    case(lambda: urls.parse_user_ref(5), TypeError, r'text \(a user\) must be a str',
         'parse_user_ref int'),
    case(lambda: urls.parse_user_ref('1' * 100), ValueError, 'text must be 1 to 64 digits',
         'parse_user_ref 100 digits'),
    case(lambda: urls.parse_broadcast_ref(None), TypeError, r'text \(a broadcast\) must be a str',
         'parse_broadcast_ref None'),
    # stats
    case(lambda: stats.broadcast_start(5), TypeError, r'broadcast must be a mapping \(a dict\)',
         'broadcast_start int'),   # leaked AttributeError before
    case(lambda: stats.summarize([{'id': 'a'}, 'b']), TypeError,
         r'broadcasts\[1\] must be a mapping', 'summarize str item'),
    case(lambda: stats.summarize('abc'), TypeError, 'broadcasts must be a list',
         'summarize str'),
    case(lambda: stats.summarize([], live_now='no'), TypeError,
         'live_now must be True or False', 'summarize live_now str'),
    case(lambda: stats.filter_broadcasts([], since=timedelta(days=7)), TypeError,
         'since must be a datetime, not timedelta', 'filter_broadcasts since timedelta'),
    case(lambda: stats.filter_broadcasts([], until=LAST_MOMENT), ValueError,
         'until is out of range in UTC', 'filter_broadcasts until max'),
    case(lambda: stats.filter_broadcasts([], states=[1]), TypeError,
         r'states\[0\] must be a str', 'filter_broadcasts states int'),
    case(lambda: stats.broadcast_duration({}, now='now'), TypeError, 'now must be a datetime',
         'broadcast_duration now str'),
    case(lambda: stats.period_start('2024-05-01'), TypeError, 'moment must be a datetime',
         'period_start str'),
    case(lambda: stats.period_label(NOW, by=['week']), ValueError,
         r'by \(the period\) must be one of day, week, month', 'period_label by list'),
    case(lambda: stats.group_by_period([], max_periods=10 ** 9), ValueError,
         'max_periods must be from 0 to 100000', 'group_by_period max_periods huge'),
    case(lambda: stats.group_by_period([], fill=1), TypeError, 'fill must be True or False',
         'group_by_period fill int'),
    # formatting
    case(lambda: formatting.bar(1, 2, 10 ** 400), ValueError, 'width must be 1000 or less',
         'bar width huge'),   # leaked OverflowError before
    case(lambda: formatting.bar('1', 2), TypeError, 'value must be a number', 'bar value str'),
    case(lambda: formatting.bar(1, 2, ascii='yes'), TypeError, 'ascii must be True or False',
         'bar ascii str'),
    case(lambda: formatting.bar_chart([('a', 1, 2)]), TypeError,
         r'rows\[0\] must be a \(label, value\) pair', 'bar_chart triple'),
    case(lambda: formatting.bar_chart([(1, 1)]), TypeError, r'rows\[0\] label must be a str',
         'bar_chart int label'),
    case(lambda: formatting.format_duration(math.nan), ValueError,
         'seconds must be a finite number', 'format_duration nan'),   # leaked ValueError before
    case(lambda: formatting.format_duration('60'), TypeError, 'seconds must be a number',
         'format_duration str'),
    case(lambda: formatting.display_width(5), TypeError, 'text must be a str',
         'display_width int'),
    case(lambda: formatting.truncate('abc', 1.5), TypeError, 'limit must be an int',
         'truncate float limit'),
    case(lambda: formatting.pad('abc', 10 ** 9, True), ValueError, 'width must be 1000 or less',
         'pad huge width'),   # a gigabyte of spaces before
    case(lambda: formatting.compact_json(deep()), ValueError, 'value cannot be shown as text',
         'compact_json deep'),   # leaked RecursionError before
    case(lambda: formatting.json_text({'a': 10 ** 5000}), ValueError,
         'data cannot be shown as text', 'json_text huge int'),
    case(lambda: formatting.json_text({}, indent=10 ** 9), ValueError,
         'indent must be from 0 to 1000', 'json_text indent huge'),
    case(lambda: formatting.csv_value(deep(), 'text'), ValueError,
         'value cannot be shown as text', 'csv_value deep'),
    case(lambda: formatting.table_value(10 ** 5000, 'number', None), ValueError,
         'value cannot be shown as text', 'table_value huge int'),
    case(lambda: formatting.format_table(['a'], [['x', 'y']]), ValueError,
         r'rows\[0\] has 2 cells for 1 headers', 'format_table long row'),  # IndexError before
    case(lambda: formatting.format_table(['a'], [[1]]), TypeError, r'rows\[0\]\[0\] must be a str',
         'format_table int cell'),
    case(lambda: formatting.csv_text(['a'], [5]), TypeError, r'rows\[0\] must be a list',
         'csv_text int row'),   # leaked csv.Error before
    case(lambda: formatting.can_encode(b'x', 'utf-8'), TypeError, 'text must be a str',
         'can_encode bytes'),
    case(lambda: formatting.render(5, 'json'), TypeError,
         'output must be a pyperi.formatting.Output', 'render int'),
    case(lambda: formatting.check_shape(formatting.Output, ['json'], None), TypeError,
         'fmt must be a str', 'check_shape fmt list'),
    case(lambda: formatting.formats_taking_fields(dict), TypeError,
         'shape must be an Output or an Output class', 'formats_taking_fields dict'),
    case(lambda: formatting.raw_column(5), TypeError, 'name must be a str', 'raw_column int'),
    # hls
    case(lambda: hls.parse_playlist(b'#EXTM3U', 'https://a/p.m3u8'), TypeError,
         'text must be a str', 'parse_playlist bytes'),   # leaked AttributeError before
    case(lambda: hls.parse_playlist('#EXTM3U\n#EXTINF:1,\na.ts\n', 'https://[::1'), ValueError,
         'url is not a URL', 'parse_playlist bad url'),   # leaked urllib's ValueError before
    case(lambda: hls.display_url(None), TypeError, 'url must be a str', 'display_url None'),
    # web
    case(lambda: web.json_object(b'{}', 'x'), TypeError, 'text must be a str',
         'json_object bytes'),
    case(lambda: web.session_tokens([]), TypeError, 'data_store must be a mapping',
         'session_tokens list'),
    case(lambda: web.session_tokens({}, username=5), TypeError,
         'username must be a str or None', 'session_tokens username int'),
    # exceptions
    case(lambda: exceptions.parse_retry_after(5), TypeError, 'value must be a str or None',
         'parse_retry_after int'),   # leaked AttributeError before
    case(lambda: exceptions.error_for_response(None, url='u'), TypeError,
         'response must be a requests.Response', 'error_for_response None'),
    case(lambda: exceptions.error_for_response(requests.Response(), url=5), TypeError,
         'url must be a str', 'error_for_response url int'),
    # legacy
    case(lambda: legacy.web_base_of(5), TypeError, 'target must be a Peri or a Peri class',
         'web_base_of int'),   # leaked AttributeError before
]


@pytest.mark.parametrize('call, error, message', CASES)
def test_helper__wrong_argument_is_a_clear_error(call: Callable[[], Any], error: type,
                                                 message: str) -> None:
    with pytest.raises(error, match=message) as raised:
        call()
    assert type(raised.value) in (TypeError, ValueError)


def test_validate_user_id__64_digits_is_still_an_id() -> None:
    assert urls.validate_user_id(10 ** 64 - 1) == '9' * 64
    assert urls.validate_user_id('0' * 64) == '0' * 64


def test_format_timestamp__writes_four_digit_years() -> None:
    assert timeutil.format_timestamp(datetime(999, 1, 2, 3, 4, 5)) == '0999-01-02T03:04:05Z'


def test_group_by_period__stops_at_the_last_representable_period() -> None:
    last = {'id': 'a', 'start': '9999-12-31T12:00:00Z'}
    rows = stats.group_by_period([last], 'month', now=NOW,
                                 since=datetime(9999, 10, 1, tzinfo=timezone.utc))
    assert [row.label for row in rows] == ['9999-10', '9999-11', '9999-12']


def test_group_by_period__until_the_first_moment() -> None:
    first = datetime.min.replace(tzinfo=timezone.utc)
    rows = stats.group_by_period([{'id': 'a', 'start': '0001-01-01T00:00:00Z'}], 'day',
                                 now=NOW, until=first)
    assert [row.label for row in rows] == ['0001-01-01']


def test_bar__handles_infinite_and_nan_numbers() -> None:
    assert formatting.bar(math.inf, 10, 4) == '████'
    assert formatting.bar(1, math.inf, 4) == '▏'
    assert formatting.bar(math.nan, 10, 4) == formatting.bar(1, math.nan, 4) == ''
    assert formatting.bar(10 ** 400, 1, 2, ascii=True) == '##'


def test_table_value__infinite_duration_is_shown_as_is() -> None:
    assert formatting.table_value(math.inf, 'duration', None) == 'inf'
    assert formatting.csv_value(10 ** 400, 'duration') == 'inf'


def test_format_table__cells_wider_than_max_width_are_laid_out() -> None:
    wide = 'x' * (formatting.MAX_WIDTH + 500)
    lines = formatting.format_table(['a', 'b'], [[wide, '1'], ['y', '2']], right=[1])
    assert [len(line) for line in lines] == [len(wide) + 3] * 3


def test_can_encode__an_encoding_name_with_a_nul_can_write_nothing() -> None:
    assert formatting.can_encode('x', 'utf\x008') is False   # a ValueError before


def test_parse_playlist__bad_segment_uri_is_a_response_error() -> None:
    with pytest.raises(exceptions.PyPeriResponseError, match='expected http'):
        hls.parse_playlist('#EXTM3U\n#EXTINF:1,\nhttp://[::1/a.ts\n', 'https://a/p.m3u8')
