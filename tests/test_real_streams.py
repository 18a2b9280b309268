"""Downloads and watching on the stream shapes Periscope served (issue 10, points 9 and 10).

A replay's accessVideoPublic hands out CloudFront cookies for ``/<replay key>``; a 2019 live
broadcast's hands out none at all (``StreamTypeWeb``, three playlists, no RTMP). pyperi must
download and watch both, against the embedded fake over real HTTP.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from pyperi.replay import download_broadcast, get_broadcast_stream_urls, watch
from pyperi.testing import FakePeriscope

pytest.importorskip('m3u8')
pytestmark = pytest.mark.integration


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def user(fake_periscope: FakePeriscope) -> dict[str, Any]:
    return fake_periscope.add_user('stream_shapes')


# -- 9. a replay: cookies for its key ----------------------------------------------------------

def test_replay__stream_urls_of_the_real_form(fake_periscope: FakePeriscope,
                                              user: dict[str, Any]) -> None:
    broadcast = fake_periscope.add_broadcast(user['id'], segments=3)
    streams = get_broadcast_stream_urls(fake_periscope.peri, broadcast['id'])
    assert streams is not None
    assert streams['type'] == 'StreamTypeReplay' and streams['state'] == 'ENDED'
    assert streams['replay'] == fake_periscope.replay_url(broadcast['id'])
    assert streams['cookies'] == fake_periscope.stream_cookies(broadcast['id'])


def test_replay__every_file_fetched_with_the_cookies_of_its_key(
        fake_periscope: FakePeriscope, user: dict[str, Any], tmp_path: Path) -> None:
    broadcast = fake_periscope.add_broadcast(user['id'], segments=3)
    path = download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path)
    assert sha256(path) == fake_periscope.replay_sha256(broadcast['id'])
    fetched = fake_periscope.requests_for(fake_periscope.replay_path(broadcast['id']))
    assert len(fetched) == 4   # the playlist and three segments
    assert all(r.status == 200 and 'CloudFront-Signature=' in r.headers.get('Cookie', '')
               for r in fetched)


# -- 10. a live broadcast of 2019: no cookies at all -------------------------------------------

@pytest.fixture
def live(fake_periscope: FakePeriscope, user: dict[str, Any]) -> dict[str, Any]:
    """A broadcast going live with four segments, 0.05 s apart on the fake's clock."""
    return fake_periscope.go_live(user['id'], live_segments=4, segment_interval=0.05)


def test_live__stream_urls_without_cookies_or_rtmp(fake_periscope: FakePeriscope,
                                                   live: dict[str, Any]) -> None:
    streams = get_broadcast_stream_urls(fake_periscope.peri, live['id'])
    assert streams is not None
    assert streams['type'] == 'StreamTypeWeb' and streams['state'] == 'RUNNING'
    assert streams['cookies'] == {}
    assert {'hls', 'https_hls', 'lhls', 'lhlsweb'} <= set(streams) and 'rtmp' not in streams


def test_live__downloaded_whole_without_any_cookie(fake_periscope: FakePeriscope,
                                                   live: dict[str, Any], tmp_path: Path) -> None:
    # Waiting for the playlist to grow moves the fake's clock instead of sleeping.
    path = download_broadcast(fake_periscope.peri, live['id'], tmp_path,
                              sleep=fake_periscope.advance_time)
    assert sha256(path) == fake_periscope.replay_sha256(live['id'])
    fetched = fake_periscope.requests_for(fake_periscope.live_path(live['id']))
    assert any(r.path.endswith('/dynamic_playlist.m3u8') for r in fetched)
    assert sum(r.path.endswith('.ts') for r in fetched) == 4
    assert all(r.status == 200 and 'Cookie' not in r.headers for r in fetched)


def test_live__watch_reports_it_and_captures_it(fake_periscope: FakePeriscope,
                                                live: dict[str, Any], tmp_path: Path) -> None:
    events: list[dict[str, Any]] = []
    watch(fake_periscope.peri, ['stream_shapes'], interval=0.01, on_event=events.append,
          download_dir=tmp_path, sleep=lambda seconds: None, max_polls=2)
    kinds = [(event['event'], event.get('broadcast_id')) for event in events]
    assert kinds[:2] == [('live', live['id']), ('downloaded', live['id'])]
    assert sha256(Path(events[1]['path'])) == fake_periscope.replay_sha256(live['id'])
    assert all('Cookie' not in r.headers
               for r in fake_periscope.requests_for(fake_periscope.live_path(live['id'])))
