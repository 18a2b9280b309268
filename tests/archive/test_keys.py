"""Canonical keys and capture times: pure functions."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyperi.archive import keys
from pyperi.archive.keys import canonical_key, display_url, volatile_params
from pyperi.archive.when import parse_when, timestamp_seconds, to_timestamp, warc_date_timestamp


@pytest.mark.parametrize('url, key', [
    ('https://www.periscope.tv/george_clinton', 'tv,periscope)/george_clinton'),
    ('http://PSCP.TV/george_clinton', 'tv,periscope)/george_clinton'),
    ('https://www.pscp.tv/w/1zqKVWybqeDGB', 'tv,periscope)/w/1zqKVWybqeDGB'),
    ('https://periscope.tv', 'tv,periscope)/'),
    ('https://api.periscope.tv/api/v2/getUserPublic?username=x',
     'tv,periscope,api)/api/v2/getUserPublic?username=x'),
    ('https://api.periscope.tv/api/v2/getUserBroadcastsPublic?user_id=1&session_id=T&all=true',
     'tv,periscope,api)/api/v2/getUserBroadcastsPublic?all=true&user_id=1'),
    ('https://replay.periscope.tv:8443/a', 'tv,periscope,replay:8443)/a'),
    ('https://example.com/a%7Eb?x=%41', 'com,example)/a~b?x=A'),
    ('https://example.com/?a', 'com,example)/?a='),
    ('https://example.com/a#frag', 'com,example)/a'),
])
def test_canonical_key(url: str, key: str) -> None:
    assert canonical_key(url) == key


@pytest.mark.parametrize('url', ['ftp://example.com/', 'dns:example.com', '/relative',
                                 'https://', 'http://[::1'])
def test_not_a_web_url(url: str) -> None:
    with pytest.raises(ValueError, match='not an http'):
        canonical_key(url)


def test_key_of_a_non_str() -> None:
    with pytest.raises(TypeError):
        canonical_key(b'https://x/')  # type: ignore[arg-type]


_SEGMENT = st.text(alphabet='abcXYZ019-_.~%!$&()*+,;=:@/', max_size=8)
_PARAM = st.tuples(st.text(alphabet='abc_', min_size=1, max_size=4),
                   st.text(alphabet='abcXYZ019-_.~', max_size=6))


@given(host=st.sampled_from(['www.periscope.tv', 'api.periscope.tv', 'pscp.tv', 'example.com']),
       scheme=st.sampled_from(['http', 'https']), path=st.lists(_SEGMENT, max_size=4),
       params=st.lists(_PARAM, max_size=4))
def test_fast_path_agrees_with_the_general_one(host: str, scheme: str, path: list[str],
                                               params: list[tuple[str, str]]) -> None:
    url = f'{scheme}://{host}/' + '/'.join(path)
    if params:
        url += '?' + '&'.join(f'{k}={v}' for k, v in params)
    ignore = volatile_params(['a'])
    assert canonical_key(url, ignore) == keys._general_key(url, ignore)


def test_volatile_params() -> None:
    assert volatile_params(None) == {'session_id'}
    assert volatile_params(['Cache_Buster']) == {'session_id', 'cache_buster'}
    with pytest.raises(TypeError):
        volatile_params('_')
    with pytest.raises(ValueError, match=r'ignore_params\[1\]'):
        volatile_params(['a', ''])
    with pytest.raises(TypeError, match='ignore_params must be a list'):
        volatile_params(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r'ignore_params\[0\] must be a str'):
        volatile_params([5])  # type: ignore[list-item]


def test_display_url_redacts_tokens() -> None:
    assert display_url('https://a/x?user_id=1&session_id=SECRET') == \
        'https://a/x?user_id=1&session_id=<redacted>'
    assert display_url('https://a/x?user_id=1') == 'https://a/x?user_id=1'


@pytest.mark.parametrize('when, expected', [
    (None, None),
    ('2021', datetime(2021, 1, 1, tzinfo=timezone.utc)),
    ('202103', datetime(2021, 3, 1, tzinfo=timezone.utc)),
    ('2021-03', datetime(2021, 3, 1, tzinfo=timezone.utc)),
    ('20210301123456', datetime(2021, 3, 1, 12, 34, 56, tzinfo=timezone.utc)),
    ('2021-03-01', datetime(2021, 3, 1, tzinfo=timezone.utc)),
    ('2021-03-01T12:00:00+02:00', datetime(2021, 3, 1, 10, tzinfo=timezone.utc)),
    (date(2021, 3, 1), datetime(2021, 3, 1, tzinfo=timezone.utc)),
    (datetime(2021, 3, 1, 12), datetime(2021, 3, 1, 12, tzinfo=timezone.utc)),
])
def test_parse_when(when: Any, expected: datetime | None) -> None:
    assert parse_when(when) == expected


@pytest.mark.parametrize('when', ['21', '2021-3-1', '20211301', 'soon', '202101011'])
def test_parse_when_refuses(when: str) -> None:
    with pytest.raises(ValueError, match='when'):
        parse_when(when)


def test_parse_when_type() -> None:
    with pytest.raises(TypeError, match='when'):
        parse_when(2021)  # type: ignore[arg-type]


def test_timestamps() -> None:
    moment = datetime(2021, 3, 1, 12, 34, 56, tzinfo=timezone.utc)
    assert to_timestamp(moment) == '20210301123456'
    assert timestamp_seconds('20210301123456') == int(moment.timestamp())
    assert timestamp_seconds('2021') == int(datetime(2021, 1, 1, tzinfo=timezone.utc).timestamp())
    assert warc_date_timestamp('2021-03-01T12:34:56.123456Z') == '20210301123456'
    assert warc_date_timestamp('garbage') is None and warc_date_timestamp(None) is None
