"""Unit tests for pyperi.replay.streams: stream URLs and access cookies (mocked HTTP)."""
from __future__ import annotations

from typing import Any

import pytest
import responses

from pyperi import PyPeriResponseError
from pyperi.replay import get_broadcast_stream_urls
from pyperi.replay.streams import AccessCookies

from replay_mocks import HOSTILE_IDS, PLAYLIST, access_body, add_access


@responses.activate(assert_all_requests_are_fired=True)
def test_get_broadcast_stream_urls__present_urls_type_state_cookies(pp: Any) -> None:
    add_access(access_body('RUNNING', hls_url='http://h/hls.m3u8',
                           https_hls_url='https://h/hls.m3u8', rtmp_url='rtmp://h/live',
                           lhls_url=''))
    result = get_broadcast_stream_urls(pp, 'BID')
    assert result == {
        'hls': 'http://h/hls.m3u8', 'https_hls': 'https://h/hls.m3u8', 'rtmp': 'rtmp://h/live',
        'type': 'StreamTypeWeb', 'state': 'RUNNING',
        'cookies': {'CloudFront-Policy': 'pol', 'CloudFront-Signature': 'sig'},
    }


@responses.activate(assert_all_requests_are_fired=True)
def test_get_broadcast_stream_urls__replay(pp: Any) -> None:
    add_access()
    result = get_broadcast_stream_urls(pp, 'BID')
    assert result is not None
    assert result['replay'] == PLAYLIST and result['state'] == 'ENDED'
    assert 'hls' not in result and 'rtmp' not in result


@responses.activate(assert_all_requests_are_fired=True)
def test_get_broadcast_stream_urls__not_found_is_none(pp: Any) -> None:
    add_access(status=404)
    assert get_broadcast_stream_urls(pp, 'BID') is None


@pytest.mark.parametrize('change', [
    {'cookies': 'a=b'},
    {'cookies': [{'Value': 'no name'}]},
    {'cookies': ['x']},
    {'replay_url': 42},
    {'broadcast': ['not', 'a', 'dict']},
])
@responses.activate(assert_all_requests_are_fired=True)
def test_get_broadcast_stream_urls__wrong_shape_raises(pp: Any, change: dict[str, Any]) -> None:
    body = access_body()
    body.update(change)
    add_access(body)
    with pytest.raises(PyPeriResponseError):
        get_broadcast_stream_urls(pp, 'BID')


@pytest.mark.parametrize('bad', HOSTILE_IDS)
@responses.activate(assert_all_requests_are_fired=True)
def test_get_broadcast_stream_urls__invalid_id_fails_before_request(pp: Any, bad: str) -> None:
    with pytest.raises(ValueError):
        get_broadcast_stream_urls(pp, bad)
    assert len(responses.calls) == 0


@pytest.mark.parametrize('url', ['https://replay.periscope.tv/p.m3u8',
                                 'https://a.b.periscope.tv/x.ts',
                                 'https://PERISCOPE.TV/x.ts',
                                 'https://cdn.example/x.ts'])
def test_access_cookies__sent_to_the_stream_hosts_and_cookie_domains(url: str) -> None:
    cookies = AccessCookies({'k': 'v'}, ['cdn.example', '.periscope.tv'])
    assert cookies.for_url(url) == {'k': 'v'}


@pytest.mark.parametrize('url', ['https://evil.example/x.ts', 'https://notperiscope.tv/x.ts',
                                 'https://periscope.tv.evil.example/x.ts', '/relative.ts'])
def test_access_cookies__withheld_from_other_hosts(url: str) -> None:
    cookies = AccessCookies({'k': 'v'}, ['', '.periscope.tv'])
    assert cookies.for_url(url) is None
