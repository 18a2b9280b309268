"""Unit tests for pyperi.replay and pyperi.hls, with ``responses`` standing in for Periscope."""
from __future__ import annotations

import gzip
import os
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from responses import matchers, registries

from pyperi import PyPeriConnectionError, PyPeriResponseError, PyPeriServerError
from pyperi.hls import MasterPlaylist, MediaPlaylist, parse_playlist
from pyperi.replay import (
    DownloadResult,
    PyPeriEncryptedStreamError,
    PyPeriStreamUnavailableError,
    download_broadcast,
    download_user_history,
    get_broadcast_stream_urls,
    watch,
)

from helpers import API, NOT_FOUND

ACCESS = f'{API}/accessVideoPublic'
CDN = 'https://replay.periscope.tv'
PLAYLIST = f'{CDN}/b/BID/playlist.m3u8?sig=secret'
COOKIES = [{'Name': 'CloudFront-Policy', 'Value': 'pol', 'Domain': '.periscope.tv', 'Path': '/'},
           {'Name': 'CloudFront-Signature', 'Value': 'sig', 'Domain': '.periscope.tv',
            'Path': '/'}]
HOSTILE_IDS = ['../../etc/passwd', 'a/b', '', '..', '.', '.hidden', 'a\\b', 'x\x00y', ' a',
               'a.ts', '/abs', 'C:x']


def segment_bytes(n: int) -> bytes:
    return (f'<segment {n}>'.encode() * 50)[: 300 + n]


def media_playlist(uris: list[str], *, first: int = 0, ended: bool = True,
                   target: int = 2, extra: str = '') -> str:
    lines = ['#EXTM3U', '#EXT-X-VERSION:3', f'#EXT-X-TARGETDURATION:{target}',
             f'#EXT-X-MEDIA-SEQUENCE:{first}', extra]
    for uri in uris:
        lines += ['#EXTINF:2.0,', uri]
    if ended:
        lines.append('#EXT-X-ENDLIST')
    return '\n'.join(line for line in lines if line) + '\n'


def access_body(state: str = 'ENDED', **urls: str) -> dict[str, Any]:
    body: dict[str, Any] = {'broadcast': {'id': 'BID', 'state': state},
                            'type': 'StreamTypeReplay' if state != 'RUNNING' else 'StreamTypeWeb',
                            'share_url': 'https://www.periscope.tv/w/BID', 'cookies': COOKIES}
    body.update(urls or {'replay_url': PLAYLIST})
    return body


def add_access(body: dict[str, Any] | None = None, status: int = 200,
               broadcast_id: str = 'BID') -> None:
    responses.get(ACCESS, json=NOT_FOUND if status == 404 else (body or access_body()),
                  status=status,
                  match=[matchers.query_param_matcher({'broadcast_id': broadcast_id})])


def add_replay(n: int = 3, *, playlist: str = PLAYLIST, uris: list[str] | None = None) -> bytes:
    """Serve a finished replay of ``n`` segments with relative URIs; return its bytes."""
    uris = uris or [f'chunk_{i}.ts?x={i}' for i in range(n)]
    responses.get(playlist, body=media_playlist(uris))
    for i in range(n):
        responses.get(f'{CDN}/b/BID/chunk_{i}.ts?x={i}', body=segment_bytes(i))
    return b''.join(segment_bytes(i) for i in range(n))


def no_sleep(seconds: float) -> None:
    pass


def files_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


# -- hls -----------------------------------------------------------------------


def test_parse_playlist__relative_uris_resolved_against_playlist_url() -> None:
    text = media_playlist(['a.ts', '../up/b.ts', '/root/c.ts', 'https://other.example/d.ts'],
                          first=7)
    parsed = parse_playlist(text, 'https://h.example/x/y/playlist.m3u8?token=1')
    assert isinstance(parsed, MediaPlaylist)
    assert [s.url for s in parsed.segments] == [
        'https://h.example/x/y/a.ts', 'https://h.example/x/up/b.ts',
        'https://h.example/root/c.ts', 'https://other.example/d.ts']
    assert [s.sequence for s in parsed.segments] == [7, 8, 9, 10]
    assert parsed.ended and parsed.target_duration == 2.0


def test_parse_playlist__master_best_variant_by_bandwidth_then_resolution() -> None:
    text = ('#EXTM3U\n'
            '#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\nmid.m3u8\n'
            '#EXT-X-STREAM-INF:BANDWIDTH=1600000,RESOLUTION=640x360\nhigh_small.m3u8\n'
            '#EXT-X-STREAM-INF:BANDWIDTH=1600000,RESOLUTION=1280x720\nhigh_big.m3u8\n'
            '#EXT-X-STREAM-INF:BANDWIDTH=200000\nlow.m3u8\n')
    parsed = parse_playlist(text, 'https://h.example/m/master.m3u8')
    assert isinstance(parsed, MasterPlaylist)
    assert parsed.best().url == 'https://h.example/m/high_big.m3u8'


@pytest.mark.parametrize('text', [
    '<html>Not here</html>',
    '',
    '#EXTM3U\n#EXT-X-TARGETDURATION:soon\n',
    '#EXTM3U\n#EXT-X-STREAM-INF:RESOLUTION=1x1\nv.m3u8\n',
    '#EXTM3U\n#EXTINF:2,\nfile:///etc/passwd\n',
])
def test_parse_playlist__garbage_raises_response_error(text: str) -> None:
    with pytest.raises(PyPeriResponseError):
        parse_playlist(text, 'https://h.example/p.m3u8')


def test_parse_playlist__encryption_and_unsupported_reported() -> None:
    encrypted = parse_playlist(media_playlist(
        ['a.ts'], extra='#EXT-X-KEY:METHOD=AES-128,URI="key"'), 'https://h.example/p.m3u8')
    assert isinstance(encrypted, MediaPlaylist) and encrypted.encryption == 'AES-128'
    plain = parse_playlist(media_playlist(['a.ts'], extra='#EXT-X-KEY:METHOD=NONE'),
                           'https://h.example/p.m3u8')
    assert isinstance(plain, MediaPlaylist) and plain.encryption is None
    fmp4 = parse_playlist(media_playlist(['a.m4s'], extra='#EXT-X-MAP:URI="init.mp4"'),
                          'https://h.example/p.m3u8')
    assert isinstance(fmp4, MediaPlaylist) and fmp4.unsupported == ('EXT-X-MAP',)


# -- get_broadcast_stream_urls ---------------------------------------------------


@responses.activate
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


@responses.activate
def test_get_broadcast_stream_urls__replay(pp: Any) -> None:
    add_access()
    result = get_broadcast_stream_urls(pp, 'BID')
    assert result is not None
    assert result['replay'] == PLAYLIST and result['state'] == 'ENDED'
    assert 'hls' not in result and 'rtmp' not in result


@responses.activate
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
@responses.activate
def test_get_broadcast_stream_urls__wrong_shape_raises(pp: Any, change: dict[str, Any]) -> None:
    body = access_body()
    body.update(change)
    add_access(body)
    with pytest.raises(PyPeriResponseError):
        get_broadcast_stream_urls(pp, 'BID')


@pytest.mark.parametrize('bad', HOSTILE_IDS)
@responses.activate
def test_get_broadcast_stream_urls__invalid_id_fails_before_request(pp: Any, bad: str) -> None:
    with pytest.raises(ValueError):
        get_broadcast_stream_urls(pp, bad)
    assert len(responses.calls) == 0


# -- download_broadcast: replays ---------------------------------------------------


@responses.activate
def test_download_broadcast__replay_written_in_order(pp: Any, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    add_access()
    expected = add_replay(4)
    path = download_broadcast(pp, 'BID')
    assert path == tmp_path / 'BID.ts'
    assert path.read_bytes() == expected
    assert files_in(tmp_path) == ['BID.ts']


@responses.activate
def test_download_broadcast__cookies_sent_with_playlist_and_segments(pp: Any,
                                                                     tmp_path: Path) -> None:
    add_access()
    add_replay(2)
    download_broadcast(pp, 'BID', tmp_path)
    stream_calls = [c for c in responses.calls if c.request.url.startswith(CDN)]
    assert len(stream_calls) == 3
    for call in stream_calls:
        cookie = call.request.headers.get('Cookie', '')
        assert 'CloudFront-Policy=pol' in cookie and 'CloudFront-Signature=sig' in cookie


@responses.activate
def test_download_broadcast__cookies_not_sent_to_foreign_hosts(pp: Any, tmp_path: Path) -> None:
    add_access()
    responses.get(PLAYLIST, body=media_playlist(['chunk_0.ts', 'https://evil.example/x.ts']))
    responses.get(f'{CDN}/b/BID/chunk_0.ts', body=b'one')
    responses.get('https://evil.example/x.ts', body=b'two')
    path = download_broadcast(pp, 'BID', tmp_path)
    assert path.read_bytes() == b'onetwo'
    assert 'Cookie' not in responses.calls[-1].request.headers


@responses.activate
def test_download_broadcast__master_playlist_picks_best_variant(pp: Any, tmp_path: Path) -> None:
    master = f'{CDN}/b/BID/master.m3u8'
    add_access(access_body(replay_url=master))
    responses.get(master, body='#EXTM3U\n'
                  '#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=320x568\nlow/playlist.m3u8\n'
                  '#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=720x1280\nhigh/playlist.m3u8\n')
    responses.get(f'{CDN}/b/BID/high/playlist.m3u8', body=media_playlist(['s0.ts', 's1.ts']))
    responses.get(f'{CDN}/b/BID/high/s0.ts', body=b'AA')
    responses.get(f'{CDN}/b/BID/high/s1.ts', body=b'BB')
    assert download_broadcast(pp, 'BID', tmp_path).read_bytes() == b'AABB'
    assert not any('/low/' in c.request.url for c in responses.calls)


@responses.activate
def test_download_broadcast__progress_reported_per_segment(pp: Any, tmp_path: Path) -> None:
    add_access()
    add_replay(3)
    calls: list[tuple[Any, ...]] = []
    download_broadcast(pp, 'BID', tmp_path, progress=lambda *args: calls.append(args))
    sizes = [len(segment_bytes(i)) for i in range(3)]
    assert calls == [(0, None, 0, 3), (sizes[0], None, 1, 3),
                     (sizes[0] + sizes[1], None, 2, 3), (sum(sizes), None, 3, 3)]


@responses.activate
def test_download_broadcast__temp_file_beside_target(pp: Any, tmp_path: Path) -> None:
    add_access()
    add_replay(2)
    seen: list[list[str]] = []
    download_broadcast(pp, 'BID', tmp_path,
                       progress=lambda *args: seen.append(files_in(tmp_path)))
    assert all(len(names) == 1 for names in seen)
    assert all(n.startswith('.BID.ts.') and n.endswith('.part') for names in seen for n in names)
    assert files_in(tmp_path) == ['BID.ts']


@pytest.mark.skipif(os.name != 'posix', reason='POSIX permissions')
@responses.activate
def test_download_broadcast__file_mode_follows_umask(pp: Any, tmp_path: Path) -> None:
    add_access()
    add_replay(1)
    umask = os.umask(0o022)
    os.umask(umask)
    path = download_broadcast(pp, 'BID', tmp_path)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


@responses.activate
def test_download_broadcast__directory_path_gets_id_name(pp: Any, tmp_path: Path) -> None:
    add_access()
    add_replay(1)
    assert download_broadcast(pp, 'BID', str(tmp_path)) == tmp_path / 'BID.ts'


@responses.activate
def test_download_broadcast__explicit_file_path(pp: Any, tmp_path: Path) -> None:
    add_access()
    expected = add_replay(2)
    target = tmp_path / 'my name.ts'
    assert download_broadcast(pp, 'BID', target) == target
    assert target.read_bytes() == expected
    assert files_in(tmp_path) == ['my name.ts']


def test_download_broadcast__missing_directory_fails_before_request(pp: Any,
                                                                    tmp_path: Path) -> None:
    with responses.RequestsMock() as mock:
        with pytest.raises(FileNotFoundError):
            download_broadcast(pp, 'BID', tmp_path / 'nope' / 'x.ts')
        with pytest.raises(FileNotFoundError):
            download_broadcast(pp, 'BID', str(tmp_path / 'nodir') + '/')
        assert len(mock.calls) == 0


def test_download_broadcast__refuses_to_overwrite(pp: Any, tmp_path: Path) -> None:
    (tmp_path / 'BID.ts').write_bytes(b'mine')
    with responses.RequestsMock() as mock:
        with pytest.raises(FileExistsError) as caught:
            download_broadcast(pp, 'BID', tmp_path)
        assert len(mock.calls) == 0
    assert caught.value.filename == str(tmp_path / 'BID.ts')
    assert (tmp_path / 'BID.ts').read_bytes() == b'mine'
    assert files_in(tmp_path) == ['BID.ts']


@responses.activate
def test_download_broadcast__overwrite_replaces(pp: Any, tmp_path: Path) -> None:
    (tmp_path / 'BID.ts').write_bytes(b'old')
    add_access()
    expected = add_replay(2)
    download_broadcast(pp, 'BID', tmp_path, overwrite=True)
    assert (tmp_path / 'BID.ts').read_bytes() == expected
    assert files_in(tmp_path) == ['BID.ts']


@pytest.mark.parametrize('bad', HOSTILE_IDS)
def test_download_broadcast__hostile_id_never_touches_disk(pp: Any, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           bad: str) -> None:
    work = tmp_path / 'work'
    work.mkdir()
    monkeypatch.chdir(work)
    with responses.RequestsMock() as mock:
        with pytest.raises(ValueError):
            download_broadcast(pp, bad)
        with pytest.raises(ValueError):
            download_broadcast(pp, bad, work)
        assert len(mock.calls) == 0
    assert list(tmp_path.rglob('*')) == [work]


def test_download_broadcast__non_string_id_is_type_error(pp: Any, tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        download_broadcast(pp, 123, tmp_path)  # type: ignore[arg-type]


def test_download_broadcast__m3u8_missing_names_the_extra(pp: Any, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, 'm3u8', None)
    with responses.RequestsMock() as mock:
        with pytest.raises(ImportError, match=r'pip install "pyperi\[download\]"'):
            download_broadcast(pp, 'BID', tmp_path)
        assert len(mock.calls) == 0


# -- download_broadcast: failures leave nothing behind -------------------------------


@responses.activate
def test_download_broadcast__not_found(pp: Any, tmp_path: Path) -> None:
    add_access(status=404)
    with pytest.raises(PyPeriStreamUnavailableError):
        download_broadcast(pp, 'BID', tmp_path)
    assert files_in(tmp_path) == []


@responses.activate
def test_download_broadcast__no_hls_stream(pp: Any, tmp_path: Path) -> None:
    add_access(access_body('RUNNING', rtmp_url='rtmp://h/live'))
    with pytest.raises(PyPeriStreamUnavailableError, match='rtmp'):
        download_broadcast(pp, 'BID', tmp_path)
    assert files_in(tmp_path) == []


@responses.activate
def test_download_broadcast__encrypted_playlist_refused(pp: Any, tmp_path: Path) -> None:
    add_access()
    responses.get(PLAYLIST, body=media_playlist(
        ['c0.ts'], extra='#EXT-X-KEY:METHOD=AES-128,URI="https://k.example/key"'))
    with pytest.raises(PyPeriEncryptedStreamError, match='AES-128'):
        download_broadcast(pp, 'BID', tmp_path)
    assert files_in(tmp_path) == []


@responses.activate
def test_download_broadcast__not_a_playlist(pp: Any, tmp_path: Path) -> None:
    add_access()
    responses.get(PLAYLIST, body='<html>gone</html>')
    with pytest.raises(PyPeriResponseError) as caught:
        download_broadcast(pp, 'BID', tmp_path)
    assert 'secret' not in str(caught.value)
    assert files_in(tmp_path) == []


@responses.activate
def test_download_broadcast__empty_playlist(pp: Any, tmp_path: Path) -> None:
    add_access()
    responses.get(PLAYLIST, body=media_playlist([]))
    with pytest.raises(PyPeriStreamUnavailableError, match='no segments'):
        download_broadcast(pp, 'BID', tmp_path)
    assert files_in(tmp_path) == []


@pytest.mark.parametrize('status, error', [(404, PyPeriStreamUnavailableError),
                                           (500, PyPeriServerError)])
@responses.activate
def test_download_broadcast__segment_error_aborts_cleanly(pp: Any, tmp_path: Path, status: int,
                                                          error: type) -> None:
    add_access()
    responses.get(PLAYLIST, body=media_playlist(['c0.ts', 'c1.ts', 'c2.ts']))
    responses.get(f'{CDN}/b/BID/c0.ts', body=b'x' * 1000)
    responses.get(f'{CDN}/b/BID/c1.ts', status=status)
    with pytest.raises(error):
        download_broadcast(pp, 'BID', tmp_path)
    assert files_in(tmp_path) == []
    assert not any(c.request.url.endswith('c2.ts') for c in responses.calls)


@responses.activate
def test_download_broadcast__keyboard_interrupt_cleans_up(pp: Any, tmp_path: Path) -> None:
    add_access()
    add_replay(3)

    def interrupt(done: int, expected: Any, segments: int, total: Any) -> None:
        if segments == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        download_broadcast(pp, 'BID', tmp_path, progress=interrupt)
    assert files_in(tmp_path) == []


@responses.activate(registry=registries.OrderedRegistry)
def test_download_broadcast__cut_segment_refetched_without_duplicates(pp: Any,
                                                                      tmp_path: Path) -> None:
    add_access()
    responses.get(PLAYLIST, body=media_playlist(['c0.ts', 'c1.ts']))
    responses.get(f'{CDN}/b/BID/c0.ts', body=b'A' * 100)
    # The body stops short of its Content-Length: a connection dropped mid-body.
    responses.get(f'{CDN}/b/BID/c1.ts', body=b'B' * 40,
                  headers={'Content-Length': '100'}, auto_calculate_content_length=False)
    responses.get(f'{CDN}/b/BID/c1.ts', body=requests.ConnectionError('reset'))
    responses.get(f'{CDN}/b/BID/c1.ts', body=b'B' * 100)
    sleeps: list[float] = []
    path = download_broadcast(pp, 'BID', tmp_path, sleep=sleeps.append)
    assert path.read_bytes() == b'A' * 100 + b'B' * 100
    assert len(sleeps) == 2
    assert files_in(tmp_path) == ['BID.ts']


@responses.activate
def test_download_broadcast__retries_are_bounded(pp: Any, tmp_path: Path) -> None:
    add_access()
    responses.get(PLAYLIST, body=media_playlist(['c0.ts']))
    responses.get(f'{CDN}/b/BID/c0.ts', body=requests.ConnectionError('reset'))
    with pytest.raises(PyPeriConnectionError, match='3 attempts'):
        download_broadcast(pp, 'BID', tmp_path, segment_retries=2, sleep=no_sleep)
    calls = [c for c in responses.calls if c.request.url.endswith('c0.ts')]
    assert len(calls) == 3
    assert files_in(tmp_path) == []


# -- download_broadcast: live ---------------------------------------------------------


class Clock:
    """A fake monotonic clock advanced by the fake sleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def serve_in_turn(url: str, bodies: list[str]) -> None:
    """Serve ``bodies`` on successive GETs of ``url``, then keep serving the last."""
    state = {'n': 0}

    def callback(request: Any) -> tuple[int, dict[str, str], str]:
        body = bodies[min(state['n'], len(bodies) - 1)]
        state['n'] += 1
        return 200, {}, body

    responses.add_callback(responses.GET, url, callback=callback)


def add_live_segments(n: int) -> None:
    for i in range(n):
        responses.get(f'{CDN}/b/BID/live_{i}.ts', body=segment_bytes(i))


LIVE = f'{CDN}/b/BID/live.m3u8'


@responses.activate
def test_download_broadcast__live_followed_until_endlist(pp: Any, tmp_path: Path) -> None:
    add_access(access_body('RUNNING', hls_url=LIVE))
    serve_in_turn(LIVE, [
        media_playlist(['live_0.ts', 'live_1.ts'], ended=False, target=4),
        media_playlist(['live_0.ts', 'live_1.ts'], ended=False, target=4),
        media_playlist(['live_1.ts', 'live_2.ts', 'live_3.ts'], first=1, ended=False, target=4),
        media_playlist(['live_3.ts', 'live_4.ts'], first=3, ended=True, target=4),
    ])
    add_live_segments(5)
    clock = Clock()
    progress: list[tuple[Any, ...]] = []
    path = download_broadcast(pp, 'BID', tmp_path, sleep=clock.sleep, clock=clock,
                              progress=lambda *a: progress.append(a))
    assert path.read_bytes() == b''.join(segment_bytes(i) for i in range(5))
    # Full target duration after growth, half after a poll that brought nothing new.
    assert clock.sleeps == [4.0, 2.0, 4.0]
    assert [p[3] for p in progress] == [None] * 5 + [5]
    for i in range(5):
        fetched = [c for c in responses.calls if c.request.url.endswith(f'live_{i}.ts')]
        assert len(fetched) == 1


@responses.activate
def test_download_broadcast__live_stops_when_broadcast_ends(pp: Any, tmp_path: Path) -> None:
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


@responses.activate
def test_download_broadcast__live_idle_limit(pp: Any, tmp_path: Path) -> None:
    add_access(access_body('RUNNING', hls_url=LIVE))
    responses.get(ACCESS, json=access_body('RUNNING', hls_url=LIVE))
    serve_in_turn(LIVE, [media_playlist(['live_0.ts'], ended=False)])
    add_live_segments(1)
    clock = Clock()
    path = download_broadcast(pp, 'BID', tmp_path, sleep=clock.sleep, clock=clock, max_idle=10)
    assert path.read_bytes() == segment_bytes(0)
    assert 10 <= clock.now <= 12


@responses.activate
def test_download_broadcast__live_playlist_gone_finishes(pp: Any, tmp_path: Path) -> None:
    add_access(access_body('RUNNING', hls_url=LIVE))
    responses.get(LIVE, body=media_playlist(['live_0.ts'], ended=False))
    responses.get(LIVE, status=404)
    add_live_segments(1)
    clock = Clock()
    path = download_broadcast(pp, 'BID', tmp_path, sleep=clock.sleep, clock=clock)
    assert path.read_bytes() == segment_bytes(0)


@responses.activate
def test_download_broadcast__live_missing_segment_skipped(pp: Any, tmp_path: Path) -> None:
    add_access(access_body('RUNNING', hls_url=LIVE))
    responses.get(LIVE, body=media_playlist(['live_0.ts', 'live_1.ts', 'live_2.ts']))
    responses.get(f'{CDN}/b/BID/live_0.ts', body=segment_bytes(0))
    responses.get(f'{CDN}/b/BID/live_1.ts', status=404)
    responses.get(f'{CDN}/b/BID/live_2.ts', body=segment_bytes(2))
    path = download_broadcast(pp, 'BID', tmp_path, sleep=no_sleep)
    assert path.read_bytes() == segment_bytes(0) + segment_bytes(2)


@responses.activate
def test_download_broadcast__live_master_fetched_once(pp: Any, tmp_path: Path) -> None:
    master = f'{CDN}/b/BID/master.m3u8'
    add_access(access_body('RUNNING', https_hls_url=master, hls_url='http://other/x.m3u8'))
    responses.get(master, body='#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv/live.m3u8\n')
    serve_in_turn(f'{CDN}/b/BID/v/live.m3u8', [
        media_playlist(['../live_0.ts'], ended=False),
        media_playlist(['../live_0.ts', '../live_1.ts'], ended=True)])
    add_live_segments(2)
    clock = Clock()
    path = download_broadcast(pp, 'BID', tmp_path, sleep=clock.sleep, clock=clock)
    assert path.read_bytes() == segment_bytes(0) + segment_bytes(1)
    assert len([c for c in responses.calls if c.request.url == master]) == 1


@responses.activate
def test_download_broadcast__gzip_segment_is_not_short(pp: Any, tmp_path: Path) -> None:
    add_access()
    responses.get(PLAYLIST, body=media_playlist(['c0.ts']))
    responses.get(f'{CDN}/b/BID/c0.ts', body=gzip.compress(b'x' * 5000),
                  headers={'Content-Encoding': 'gzip'})
    assert download_broadcast(pp, 'BID', tmp_path).read_bytes() == b'x' * 5000


# -- download_user_history -------------------------------------------------------------


def history_item(broadcast_id: str, start: str = '2024-05-01T10:00:00.123456789-07:00',
                 **fields: Any) -> dict[str, Any]:
    return {'id': broadcast_id, 'state': 'ENDED', 'available_for_replay': True,
            'start': start, **fields}


def fake_history(pp: Any, monkeypatch: pytest.MonkeyPatch,
                 history: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    asked: list[dict[str, Any]] = []

    def get_history(**kwargs: Any) -> list[dict[str, Any]] | None:
        asked.append(kwargs)
        return history

    monkeypatch.setattr(pp, 'get_user_broadcast_history', get_history)
    return asked


@responses.activate
def test_download_user_history__each_broadcast_handled(pp: Any, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    asked = fake_history(pp, monkeypatch, [
        history_item('LIVE1', state='RUNNING'),
        history_item('BID'),
        history_item('DONE'),
        history_item('GONE', available_for_replay=False),
        history_item('BROKEN'),
        history_item('../../escape'),
        history_item('BID'),
    ])
    (tmp_path / 'DONE.ts').write_bytes(b'done before')
    add_access()
    expected = add_replay(2)
    broken = f'{CDN}/b/BROKEN/playlist.m3u8'
    add_access(access_body(replay_url=broken), broadcast_id='BROKEN')
    responses.get(broken, body=media_playlist(['c0.ts']))
    responses.get(f'{CDN}/b/BROKEN/c0.ts', status=500)
    seen: list[DownloadResult] = []
    results = download_user_history(pp, 'george_clinton', tmp_path, on_result=seen.append)
    assert asked == [{'user_id': None, 'username': 'george_clinton'}]
    assert results == seen
    assert [(r.broadcast_id, r.status) for r in results] == [
        ('LIVE1', 'unavailable'), ('BID', 'downloaded'), ('DONE', 'skipped'),
        ('GONE', 'unavailable'), ('BROKEN', 'failed'), ('../../escape', 'failed')]
    assert results[1].path == tmp_path / 'BID.ts'
    assert results[4].error and '500' in results[4].error
    assert (tmp_path / 'BID.ts').read_bytes() == expected
    assert files_in(tmp_path) == ['BID.ts', 'DONE.ts']
    assert not (tmp_path.parent / 'escape.ts').exists()


@responses.activate
def test_download_user_history__since_filters(pp: Any, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import datetime, timezone
    fake_history(pp, monkeypatch, [history_item('BID', start='2024-05-02T00:00:00Z'),
                                   history_item('OLD', start='2024-04-01T00:00:00Z')])
    add_access()
    add_replay(1)
    results = download_user_history(pp, '376827', tmp_path,
                                    since=datetime(2024, 5, 1, tzinfo=timezone.utc))
    assert [(r.broadcast_id, r.status) for r in results or []] == [('BID', 'downloaded')]


def test_download_user_history__unknown_user_is_none(pp: Any, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    fake_history(pp, monkeypatch, None)
    assert download_user_history(pp, 'nobody', tmp_path / 'new') is None
    assert (tmp_path / 'new').is_dir()


def test_download_user_history__bad_user_ref(pp: Any, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        download_user_history(pp, '../etc', tmp_path)


# -- watch ---------------------------------------------------------------------------


def scripted_history(pp: Any, monkeypatch: pytest.MonkeyPatch,
                     rounds: list[Any]) -> None:
    """Each call returns the next item of ``rounds`` (raising it if it is an exception)."""
    state = {'n': 0}

    def get_history(**kwargs: Any) -> Any:
        item = rounds[min(state['n'], len(rounds) - 1)]
        state['n'] += 1
        if isinstance(item, BaseException):
            raise item
        return item

    monkeypatch.setattr(pp, 'get_user_broadcast_history', get_history)


def test_watch__reports_live_new_and_ended(pp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    old = history_item('OLD')
    scripted_history(pp, monkeypatch, [
        [old],
        [history_item('LIVE', state='RUNNING'), old],
        PyPeriConnectionError('down'),
        [history_item('LIVE'), history_item('NEW'), old],
        None,
    ])
    events: list[dict[str, Any]] = []
    sleeps: list[float] = []
    watch(pp, ['george_clinton'], interval=5, on_event=events.append, sleep=sleeps.append,
          max_polls=6)
    assert [(e['event'], e.get('broadcast_id')) for e in events] == [
        ('live', 'LIVE'), ('error', None), ('new', 'NEW'), ('ended', 'LIVE'),
        ('user_not_found', None)]
    assert events[0]['url'] == 'https://www.periscope.tv/w/LIVE'
    assert events[0]['user'] == 'george_clinton'
    assert sleeps == [5] * 5


def test_watch__stop_event_ends_it(pp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    stop = threading.Event()
    scripted_history(pp, monkeypatch, [[history_item('LIVE', state='RUNNING')]])
    events: list[dict[str, Any]] = []

    def on_event(event: dict[str, Any]) -> None:
        events.append(event)
        stop.set()

    watch(pp, ['1', '2'], interval=100, on_event=on_event, stop=stop)
    assert len(events) == 1


def test_watch__keyboard_interrupt_reaches_the_caller(
        pp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    scripted_history(pp, monkeypatch, [[]])
    events: list = []

    def sleep(seconds: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        watch(pp, ['someone'], on_event=events.append, sleep=sleep)
    assert events == []


def test_watch__bad_user_fails_before_polling(pp: Any) -> None:
    with pytest.raises(ValueError):
        watch(pp, ['ok', 'not a user!'], on_event=lambda event: None, max_polls=1)
    with pytest.raises(ValueError):
        watch(pp, [], on_event=lambda event: None, max_polls=1)


@responses.activate
def test_watch__captures_live_broadcasts(pp: Any, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    scripted_history(pp, monkeypatch, [[history_item('BID', state='RUNNING')]])
    add_access(access_body('RUNNING', hls_url=LIVE))
    responses.get(LIVE, body=media_playlist(['live_0.ts'], ended=True))
    add_live_segments(1)
    events: list[dict[str, Any]] = []
    watch(pp, ['george_clinton'], on_event=events.append, download_dir=tmp_path, max_polls=1)
    assert [e['event'] for e in events] == ['live', 'downloaded']
    assert events[1]['path'] == str(tmp_path / 'BID.ts')
    assert (tmp_path / 'BID.ts').read_bytes() == segment_bytes(0)


def test_parse_playlist__segment_without_uri_is_a_response_error() -> None:
    with pytest.raises(PyPeriResponseError, match='URI after each #EXTINF'):
        parse_playlist('#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:1,\n', f'{CDN}/p.m3u8')
