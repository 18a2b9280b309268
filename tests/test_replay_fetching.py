"""Unit tests for GETs of playlists and segments (pyperi.replay.fetching), mocked HTTP."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import responses

from pyperi.replay import PyPeriDownloadError, download_broadcast

from replay_mocks import CDN, PLAYLIST, add_access, calls_to, files_in, media_playlist

fired = responses.activate(assert_all_requests_are_fired=True)


def serve_segment_redirect(status: int, headers: dict[str, str]) -> None:
    add_access()
    responses.get(PLAYLIST, body=media_playlist(['c0.ts']))
    responses.get(f'{CDN}/b/BID/c0.ts', status=status, headers=headers)


@fired
def test_https_to_http_redirect_is_refused(pp: Any, tmp_path: Path) -> None:
    # The cookies would travel in clear, whatever the host.
    serve_segment_redirect(302, {'Location': 'http://replay.periscope.tv/b/BID/c0.ts'})
    with pytest.raises(PyPeriDownloadError, match='from https to another scheme .http.'):
        download_broadcast(pp, 'BID', tmp_path, segment_retries=0)
    assert files_in(tmp_path) == []


@fired
def test_redirect_without_location_is_refused(pp: Any, tmp_path: Path) -> None:
    serve_segment_redirect(301, {})
    with pytest.raises(PyPeriDownloadError, match='redirect without a Location'):
        download_broadcast(pp, 'BID', tmp_path, segment_retries=0)


@pytest.mark.parametrize('status', [300, 304])
@fired
def test_other_3xx_is_an_error_not_segment_bytes(pp: Any, tmp_path: Path, status: int) -> None:
    serve_segment_redirect(status, {})
    with pytest.raises(PyPeriDownloadError, match=f'unexpected HTTP {status}'):
        download_broadcast(pp, 'BID', tmp_path, segment_retries=0)


@fired
def test_redirect_keeps_cookies_on_the_streams_hosts(pp: Any, tmp_path: Path) -> None:
    # The cookies' domain is .periscope.tv: another of its hosts gets them, others do not.
    add_access()
    responses.get(PLAYLIST, body=media_playlist(['c0.ts', 'c1.ts']))
    responses.get(f'{CDN}/b/BID/c0.ts', status=307,
                  headers={'Location': 'https://cdn2.periscope.tv/b/BID/c0.ts'})
    responses.get('https://cdn2.periscope.tv/b/BID/c0.ts', body=b'A')
    responses.get(f'{CDN}/b/BID/c1.ts', status=302,
                  headers={'Location': 'https://cdn.example.net/c1.ts'})
    responses.get('https://cdn.example.net/c1.ts', body=b'B')
    assert download_broadcast(pp, 'BID', tmp_path).read_bytes() == b'AB'
    assert 'CloudFront-Policy=pol' in calls_to('cdn2.periscope.tv/b/BID/c0.ts')[0] \
        .request.headers['Cookie']
    assert 'Cookie' not in calls_to('cdn.example.net/c1.ts')[0].request.headers
