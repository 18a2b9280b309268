"""Unit tests for capturing a live broadcast (pyperi.replay.follower), mocked HTTP, fake clock."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import responses

from pyperi.replay import (
    DEFAULT_TARGET_DURATION,
    MAX_POLL_INTERVAL,
    MIN_POLL_INTERVAL,
    download_broadcast,
)
from pyperi.replay.follower import poll_interval

from replay_mocks import (
    ACCESS,
    CDN,
    LIVE,
    Clock,
    access_body,
    add_access,
    add_live_segments,
    calls_to,
    media_playlist,
    no_sleep,
    segment_bytes,
    serve_in_turn,
)

fired = responses.activate(assert_all_requests_are_fired=True)


class GrowingCapture:
    """A live playlist that repeats itself once, slides its window, then ends (5 segments)."""

    def __init__(self, pp: Any, tmp_path: Path) -> None:
        add_access(access_body('RUNNING', hls_url=LIVE))
        serve_in_turn(LIVE, [
            media_playlist(['live_0.ts', 'live_1.ts'], ended=False, target=4),
            media_playlist(['live_0.ts', 'live_1.ts'], ended=False, target=4),
            media_playlist(['live_1.ts', 'live_2.ts', 'live_3.ts'], first=1, ended=False,
                           target=4),
            media_playlist(['live_3.ts', 'live_4.ts'], first=3, ended=True, target=4),
        ])
        add_live_segments(5)
        self.clock = Clock()
        self.progress: list[tuple[Any, ...]] = []
        self.path = download_broadcast(pp, 'BID', tmp_path, sleep=self.clock.sleep,
                                       clock=self.clock, progress=self.record)

    def record(self, *args: Any) -> None:
        self.progress.append(args)


@fired
def test_live__followed_until_endlist(pp: Any, tmp_path: Path) -> None:
    capture = GrowingCapture(pp, tmp_path)
    assert capture.path.read_bytes() == b''.join(segment_bytes(i) for i in range(5))


@fired
def test_live__each_segment_fetched_once(pp: Any, tmp_path: Path) -> None:
    GrowingCapture(pp, tmp_path)
    assert [len(calls_to(f'live_{i}.ts')) for i in range(5)] == [1] * 5


@fired
def test_live__reload_after_target_duration_or_half_after_no_growth(
        pp: Any, tmp_path: Path) -> None:
    capture = GrowingCapture(pp, tmp_path)
    # Full target duration after growth, half after a poll that brought nothing new.
    assert capture.clock.sleeps == [4.0, 2.0, 4.0]


@fired
def test_live__segment_total_unknown_until_the_playlist_ends(pp: Any, tmp_path: Path) -> None:
    capture = GrowingCapture(pp, tmp_path)
    assert [p[3] for p in capture.progress] == [None] * 5 + [5]


@fired
def test_live__stops_when_broadcast_ends(pp: Any, tmp_path: Path) -> None:
    ended = access_body('ENDED', hls_url=LIVE)
    responses.get(ACCESS, json=access_body('RUNNING', hls_url=LIVE))
    responses.get(ACCESS, json=ended)
    serve_in_turn(LIVE, [media_playlist(['live_0.ts'], ended=False),
                         media_playlist(['live_0.ts', 'live_1.ts'], ended=False)])
    add_live_segments(2)
    clock = Clock()
    path = download_broadcast(pp, 'BID', tmp_path, sleep=clock.sleep, clock=clock)
    assert path.read_bytes() == segment_bytes(0) + segment_bytes(1)
    assert clock.now < 60


@fired
def test_live__idle_limit(pp: Any, tmp_path: Path) -> None:
    add_access(access_body('RUNNING', hls_url=LIVE))
    responses.get(ACCESS, json=access_body('RUNNING', hls_url=LIVE))
    serve_in_turn(LIVE, [media_playlist(['live_0.ts'], ended=False)])
    add_live_segments(1)
    clock = Clock()
    path = download_broadcast(pp, 'BID', tmp_path, sleep=clock.sleep, clock=clock, max_idle=10)
    assert path.read_bytes() == segment_bytes(0)
    assert 10 <= clock.now <= 12


@fired
def test_live__playlist_gone_finishes(pp: Any, tmp_path: Path) -> None:
    add_access(access_body('RUNNING', hls_url=LIVE))
    responses.get(LIVE, body=media_playlist(['live_0.ts'], ended=False))
    responses.get(LIVE, status=404)
    add_live_segments(1)
    clock = Clock()
    path = download_broadcast(pp, 'BID', tmp_path, sleep=clock.sleep, clock=clock)
    assert path.read_bytes() == segment_bytes(0)


@fired
def test_live__missing_segment_skipped(pp: Any, tmp_path: Path) -> None:
    add_access(access_body('RUNNING', hls_url=LIVE))
    responses.get(LIVE, body=media_playlist(['live_0.ts', 'live_1.ts', 'live_2.ts']))
    responses.get(f'{CDN}/b/BID/live_0.ts', body=segment_bytes(0))
    responses.get(f'{CDN}/b/BID/live_1.ts', status=404)
    responses.get(f'{CDN}/b/BID/live_2.ts', body=segment_bytes(2))
    path = download_broadcast(pp, 'BID', tmp_path, sleep=no_sleep)
    assert path.read_bytes() == segment_bytes(0) + segment_bytes(2)


MASTER = f'{CDN}/b/BID/master.m3u8'


def add_live_master() -> Clock:
    """A live master playlist whose variant (relative URIs) ends on its second read."""
    add_access(access_body('RUNNING', https_hls_url=MASTER, hls_url='http://other/x.m3u8'))
    responses.get(MASTER, body='#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv/live.m3u8\n')
    serve_in_turn(f'{CDN}/b/BID/v/live.m3u8', [
        media_playlist(['../live_0.ts'], ended=False),
        media_playlist(['../live_0.ts', '../live_1.ts'], ended=True)])
    add_live_segments(2)
    return Clock()


@fired
def test_live__master_variant_followed(pp: Any, tmp_path: Path) -> None:
    clock = add_live_master()
    path = download_broadcast(pp, 'BID', tmp_path, sleep=clock.sleep, clock=clock)
    assert path.read_bytes() == segment_bytes(0) + segment_bytes(1)


@fired
def test_live__master_fetched_once(pp: Any, tmp_path: Path) -> None:
    clock = add_live_master()
    download_broadcast(pp, 'BID', tmp_path, sleep=clock.sleep, clock=clock)
    assert len([c for c in responses.calls if c.request.url == MASTER]) == 1


@fired
def test_live__segments_that_expired_unfetched_are_warned_about(
        pp: Any, tmp_path: Path, caplog: Any) -> None:
    add_access(access_body('RUNNING', hls_url=LIVE))
    serve_in_turn(LIVE, [media_playlist(['live_0.ts'], ended=False),
                         media_playlist(['live_3.ts', 'live_4.ts'], first=3, ended=True)])
    for i in (0, 3, 4):
        responses.get(f'{CDN}/b/BID/live_{i}.ts', body=segment_bytes(i))
    clock = Clock()
    with caplog.at_level('WARNING', logger='pyperi.replay'):
        path = download_broadcast(pp, 'BID', tmp_path, sleep=clock.sleep, clock=clock)
    assert path.read_bytes() == segment_bytes(0) + segment_bytes(3) + segment_bytes(4)
    assert '2 live segments expired before they were fetched' in caplog.text


# -- poll intervals: clamped, and never past max_idle ---------------------------------------


@fired
def test_live__huge_target_duration_polls_within_max_idle(pp: Any, tmp_path: Path) -> None:
    add_access(access_body('RUNNING', hls_url=LIVE))
    responses.get(LIVE, body=media_playlist(['live_0.ts'], ended=False, target=100000))
    add_live_segments(1)
    clock = Clock()
    download_broadcast(pp, 'BID', tmp_path, sleep=clock.sleep, clock=clock, max_idle=5)
    assert clock.sleeps and max(clock.sleeps) <= 5
    assert clock.now <= 5 + MAX_POLL_INTERVAL   # stopped once idle for max_idle


@pytest.mark.parametrize('target', [-5, 0])
@fired
def test_live__non_positive_target_duration_polls_at_the_default(pp: Any, tmp_path: Path,
                                                                 target: int) -> None:
    add_access(access_body('RUNNING', hls_url=LIVE))
    responses.get(LIVE, body=media_playlist(['live_0.ts'], ended=False, target=target))
    add_live_segments(1)
    clock = Clock()
    download_broadcast(pp, 'BID', tmp_path, sleep=clock.sleep, clock=clock, max_idle=6)
    assert all(MIN_POLL_INTERVAL <= s <= DEFAULT_TARGET_DURATION for s in clock.sleeps[:-1])
    assert all(s >= 0 for s in clock.sleeps)


@pytest.mark.parametrize('target, expected', [
    (None, DEFAULT_TARGET_DURATION), (0.0, DEFAULT_TARGET_DURATION),
    (-5.0, DEFAULT_TARGET_DURATION), (float('nan'), DEFAULT_TARGET_DURATION),
    (float('inf'), DEFAULT_TARGET_DURATION), (0.01, MIN_POLL_INTERVAL), (3.0, 3.0),
    (100000.0, MAX_POLL_INTERVAL)])
def test_poll_interval__bounds(target: float | None, expected: float) -> None:
    assert poll_interval(target) == expected
