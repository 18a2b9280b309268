"""A 7,000-segment replay playlist, end to end (issue 10, point 12).

Periscope cut replays into segments of about 3 s, so a long broadcast's playlist lists
thousands (5 h 50 min: 7,000), each with a program date-time and an absolute URI. Reading it
is timed in benchmarks/bench_playlist.py, not here. Downloading all 7,000 segments takes one
HTTP request each (about 15 s against the in-process fake), so that test is marked ``slow``:
run it with ``pytest -m slow`` (.ci/run does).
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterator

import pytest

from pyperi.replay import download_broadcast
from pyperi.replay.playlists import PlaylistReader
from pyperi.replay.streams import get_stream_access
from pyperi.testing import FakePeriscope

pytest.importorskip('m3u8')
pytestmark = pytest.mark.integration

SEGMENTS = 7000


@pytest.fixture(scope='module')
def long_replay() -> Iterator[tuple[FakePeriscope, str]]:
    """A fake serving a 7,000-segment replay (3 s each) of one-packet segments."""
    with FakePeriscope(default_data=False) as fake:
        user = fake.add_user('long_replay')
        broadcast = fake.add_broadcast(user['id'], duration=3.0 * SEGMENTS, segment_size=188)
        yield fake, broadcast['id']


def test_long_playlist__read_end_to_end(long_replay: tuple[FakePeriscope, str]) -> None:
    fake, broadcast_id = long_replay
    access = get_stream_access(fake.peri, broadcast_id)
    assert access is not None
    url = access.download_url()
    assert url == fake.replay_url(broadcast_id)
    media = PlaylistReader(fake.peri, access.cookies_for(url)).media(url)
    assert media is not None and media.ended and media.target_duration == 3
    assert [segment.sequence for segment in media.segments] == list(range(SEGMENTS))
    last = fake.segment_path(broadcast_id, SEGMENTS - 1)
    assert media.segments[-1].url == fake.web_base_url + last
    assert {segment.duration for segment in media.segments} == {3.0}


@pytest.mark.slow
def test_long_playlist__downloaded_whole(long_replay: tuple[FakePeriscope, str],
                                         tmp_path: Path) -> None:
    fake, broadcast_id = long_replay
    fake.clear_requests()
    path = download_broadcast(fake.peri, broadcast_id, tmp_path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == fake.replay_sha256(broadcast_id)
    assert path.stat().st_size == SEGMENTS * 188
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]   # no partial, no journal
    segments = [r for r in fake.requests_for(fake.replay_path(broadcast_id))
                if r.path.endswith('.ts')]
    assert len(segments) == SEGMENTS and {r.status for r in segments} == {200}
