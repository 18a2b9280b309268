"""Hostile CDNs against replay downloads, over real HTTP on loopback (tests/replay_cdn.py).

Cookies across redirects (127.0.0.1 and localhost are different hosts to cookies),
redirect loops and schemes, playlists too large or endless, and absurd target durations.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from pyperi import PyPeriError, PyPeriResponseError, PyPeriTimeout
from pyperi.replay import MAX_REDIRECTS, PyPeriDownloadError, download_broadcast, playlists

from replay_cdn import COOKIE_NAMES, ReplayCDN, media_playlist

pytestmark = pytest.mark.integration


@pytest.fixture
def cdn() -> Iterator[ReplayCDN]:
    with ReplayCDN() as server:
        yield server


def files_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def has_stream_cookies(cookie_header: str) -> bool:
    return any(name in cookie_header for name in COOKIE_NAMES)


# -- cookies across redirects ------------------------------------------------------------


def test_redirect_to_another_host_gets_no_stream_cookies(cdn: ReplayCDN, tmp_path: Path) -> None:
    cdn.broadcast(cdn.url('/k/playlist.m3u8'))
    cdn.body('/k/playlist.m3u8', media_playlist(['s0.ts', 's1.ts', 's2.ts']))
    cdn.body('/k/s0.ts', b'zero')
    cdn.redirect('/k/s1.ts', cdn.url('/elsewhere/s1.ts', host='localhost'))   # another host
    cdn.body('/elsewhere/s1.ts', b'one')
    cdn.redirect('/k/s2.ts', '/k/moved/s2.ts')                                 # the same host
    cdn.body('/k/moved/s2.ts', b'two')
    with cdn.peri() as peri:
        path = download_broadcast(peri, 'BID', tmp_path)
    assert path.read_bytes() == b'zeroonetwo'
    [foreign] = cdn.requests_to('/elsewhere/s1.ts')
    assert foreign.host.startswith('localhost:')
    assert not has_stream_cookies(foreign.cookie)
    [moved] = cdn.requests_to('/k/moved/s2.ts')
    assert all(f'{name}=secret-{i}' in moved.cookie for i, name in enumerate(COOKIE_NAMES))
    assert has_stream_cookies(cdn.requests_to('/k/s1.ts')[0].cookie)   # the stream's own host


def test_playlist_redirected_to_another_host_gets_no_stream_cookies(
        cdn: ReplayCDN, tmp_path: Path) -> None:
    cdn.broadcast(cdn.url('/k/playlist.m3u8'))
    cdn.redirect('/k/playlist.m3u8', cdn.url('/mirror/playlist.m3u8', host='localhost'))
    cdn.body('/mirror/playlist.m3u8', media_playlist(['s0.ts']))
    cdn.body('/mirror/s0.ts', b'zero')
    with cdn.peri() as peri:
        assert download_broadcast(peri, 'BID', tmp_path).read_bytes() == b'zero'
    # Relative segment URIs resolve against where the playlist really came from.
    assert [s.host.split(':')[0] for s in cdn.requests_to('/mirror/s0.ts')] == ['localhost']
    assert not any(has_stream_cookies(s.cookie) for s in cdn.seen if s.host.startswith('localhost'))


def test_redirect_loop_is_refused(cdn: ReplayCDN, tmp_path: Path) -> None:
    cdn.broadcast(cdn.url('/k/playlist.m3u8'))
    cdn.body('/k/playlist.m3u8', media_playlist(['s0.ts']))
    cdn.redirect('/k/s0.ts', '/k/s0b.ts')
    cdn.redirect('/k/s0b.ts', '/k/s0.ts')
    with cdn.peri() as peri, pytest.raises(PyPeriDownloadError, match='redirect loop'):
        download_broadcast(peri, 'BID', tmp_path, segment_retries=0)
    assert len(cdn.requests_to('/k/s0.ts')) == 1
    assert files_in(tmp_path) == []


def test_endless_chain_of_redirects_is_refused(cdn: ReplayCDN, tmp_path: Path) -> None:
    cdn.broadcast(cdn.url('/k/playlist.m3u8'))
    cdn.body('/k/playlist.m3u8', media_playlist(['r0.ts']))
    for hop in range(50):
        cdn.redirect(f'/k/r{hop}.ts', f'/k/r{hop + 1}.ts')
    with cdn.peri() as peri, pytest.raises(PyPeriDownloadError, match='more than 10 redirects'):
        download_broadcast(peri, 'BID', tmp_path, segment_retries=0)
    assert len(cdn.seen) == 1 + 1 + MAX_REDIRECTS + 1   # API, playlist, the hops allowed


@pytest.mark.parametrize('location', ['file:///etc/passwd', 'ftp://127.0.0.1/x.ts',
                                      'gopher://127.0.0.1/x'])
def test_redirect_to_another_scheme_is_refused(cdn: ReplayCDN, tmp_path: Path,
                                               location: str) -> None:
    cdn.broadcast(cdn.url('/k/playlist.m3u8'))
    cdn.body('/k/playlist.m3u8', media_playlist(['s0.ts']))
    cdn.redirect('/k/s0.ts', location)
    with cdn.peri() as peri, pytest.raises(PyPeriError, match='redirect') as caught:
        download_broadcast(peri, 'BID', tmp_path, segment_retries=0)
    assert location.split(':')[0] in str(caught.value)
    assert files_in(tmp_path) == []


# -- playlists: size caps ------------------------------------------------------------------


def test_endless_playlist_stops_at_the_cap(cdn: ReplayCDN, tmp_path: Path) -> None:
    def endless(stop: threading.Event) -> Iterator[bytes]:
        yield b'#EXTM3U\n#EXT-X-TARGETDURATION:2\n'
        line = b'#EXTINF:2.0,\n' + b'a' * 1000 + b'.ts\n'
        while not stop.is_set():
            yield line * 64

    cdn.broadcast(cdn.url('/k/playlist.m3u8'))
    cdn.stream('/k/playlist.m3u8', endless)
    with cdn.peri() as peri, pytest.raises(PyPeriResponseError) as caught:
        download_broadcast(peri, 'BID', tmp_path)
    message = str(caught.value)
    assert cdn.url('/k/playlist.m3u8') in message
    assert str(playlists.MAX_PLAYLIST_BYTES) in message
    assert files_in(tmp_path) == []


def test_playlist_of_too_many_segments_is_refused(cdn: ReplayCDN, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(playlists, 'MAX_PLAYLIST_SEGMENTS', 100)
    cdn.broadcast(cdn.url('/k/playlist.m3u8?sig=SECRET'))
    cdn.body('/k/playlist.m3u8', media_playlist([f's{i}.ts' for i in range(101)]))
    with cdn.peri() as peri, pytest.raises(PyPeriResponseError, match='101 segments') as caught:
        download_broadcast(peri, 'BID', tmp_path)
    assert 'SECRET' not in str(caught.value)
    assert [s.path for s in cdn.seen if s.path.endswith('.ts')] == []


# -- live playlists: absurd target durations -----------------------------------------------


@pytest.mark.parametrize('target', ['100000', '-5'])
def test_live_target_duration_is_clamped_and_max_idle_honoured(
        cdn: ReplayCDN, tmp_path: Path, target: str) -> None:
    cdn.broadcast(cdn.url('/k/live.m3u8'), state='RUNNING')
    cdn.body('/k/live.m3u8', media_playlist(['s0.ts'], target=target, ended=False))
    cdn.body('/k/s0.ts', b'zero')
    started = time.monotonic()
    with cdn.peri() as peri:
        path = download_broadcast(peri, 'BID', tmp_path, max_idle=0.3)
    assert time.monotonic() - started < 5   # not 100,000 s, and no ValueError from sleep
    assert path.read_bytes() == b'zero'
    assert len(cdn.requests_to('/k/live.m3u8')) >= 2   # polled again within max_idle


# -- drips: the client's deadline, per playlist and per segment ------------------------------


@pytest.mark.parametrize('drip', ['body', 'headers'])
def test_dripping_segment_ends_at_the_deadline(cdn: ReplayCDN, tmp_path: Path,
                                               drip: str) -> None:
    cdn.broadcast(cdn.url('/k/playlist.m3u8'))
    cdn.body('/k/playlist.m3u8', media_playlist(['s0.ts', 's1.ts']))
    cdn.body('/k/s0.ts', b'zero')
    if drip == 'body':
        cdn.drip_body('/k/s1.ts', 0.05)
    else:
        cdn.drip_headers('/k/s1.ts', 0.05)
    started = time.monotonic()
    with cdn.peri(deadline=0.5) as peri, pytest.raises(PyPeriTimeout) as caught:
        download_broadcast(peri, 'BID', tmp_path)   # the read timeout (2 s) never fires
    assert time.monotonic() - started < 4
    assert caught.value.which == 'deadline'
    assert 'segment 1' in str(caught.value) and 'deadline of 0.5 s' in str(caught.value)
    assert files_in(tmp_path) == ['.BID.ts.journal', '.BID.ts.part']   # segment 0 kept


def test_dripping_playlist_ends_at_the_deadline(cdn: ReplayCDN, tmp_path: Path) -> None:
    cdn.broadcast(cdn.url('/k/playlist.m3u8'))
    cdn.drip_body('/k/playlist.m3u8', 0.05)
    started = time.monotonic()
    with cdn.peri(deadline=0.5) as peri, pytest.raises(PyPeriTimeout) as caught:
        download_broadcast(peri, 'BID', tmp_path)
    assert time.monotonic() - started < 4
    assert caught.value.which == 'deadline'
    assert files_in(tmp_path) == []


def test_deadline_applies_per_segment_not_to_the_whole_replay(cdn: ReplayCDN,
                                                              tmp_path: Path) -> None:
    # Four segments of 0.3 s each, one at a time: 1.2 s in all, each well within 1 s.
    cdn.broadcast(cdn.url('/k/playlist.m3u8'))
    cdn.body('/k/playlist.m3u8', media_playlist([f's{i}.ts' for i in range(4)]))
    for i in range(4):
        cdn.slow_body(f'/k/s{i}.ts', bytes([i]) * 1000, 0.3)
    started = time.monotonic()
    with cdn.peri(deadline=1) as peri:
        path = download_broadcast(peri, 'BID', tmp_path, concurrency=1)
    assert time.monotonic() - started > 1
    assert path.read_bytes() == b''.join(bytes([i]) * 1000 for i in range(4))
