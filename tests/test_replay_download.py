"""Unit tests for downloading a finished broadcast (pyperi.replay.download), mocked HTTP."""
from __future__ import annotations

import gzip
import os
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from responses import registries

from pyperi import PyPeriConnectionError, PyPeriResponseError, PyPeriServerError
from pyperi.replay import (
    DownloadInterrupted,
    PyPeriEncryptedStreamError,
    PyPeriStreamUnavailableError,
    download_broadcast,
)

from replay_mocks import (
    CDN,
    HOSTILE_IDS,
    PLAYLIST,
    access_body,
    add_access,
    add_replay,
    calls_to,
    files_in,
    media_playlist,
    no_sleep,
    segment_bytes,
)

fired = responses.activate(assert_all_requests_are_fired=True)


# -- where the file goes -------------------------------------------------------------


@fired
def test_download_broadcast__no_path_writes_id_ts_in_current_directory(
        pp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    add_access()
    add_replay(4)
    assert download_broadcast(pp, 'BID') == tmp_path / 'BID.ts'
    assert files_in(tmp_path) == ['BID.ts']


@fired
def test_download_broadcast__directory_path_gets_id_name(pp: Any, tmp_path: Path) -> None:
    add_access()
    add_replay(1)
    assert download_broadcast(pp, 'BID', str(tmp_path)) == tmp_path / 'BID.ts'


@fired
def test_download_broadcast__explicit_file_path(pp: Any, tmp_path: Path) -> None:
    add_access()
    expected = add_replay(2)
    target = tmp_path / 'my name.ts'
    assert download_broadcast(pp, 'BID', target) == target
    assert target.read_bytes() == expected
    assert files_in(tmp_path) == ['my name.ts']


@pytest.mark.parametrize('where', ['nope/x.ts', 'nodir/'],
                         ids=['file-in-missing-dir', 'missing-dir-with-slash'])
def test_download_broadcast__missing_directory_fails_before_request(pp: Any, tmp_path: Path,
                                                                    where: str) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        with pytest.raises(FileNotFoundError):
            download_broadcast(pp, 'BID', f'{tmp_path}/{where}')
        assert len(mock.calls) == 0


@pytest.mark.parametrize('bad', HOSTILE_IDS)
@pytest.mark.parametrize('into_directory', [False, True], ids=['cwd', 'directory'])
def test_download_broadcast__hostile_id_never_touches_disk(pp: Any, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           bad: str,
                                                           into_directory: bool) -> None:
    work = tmp_path / 'work'
    work.mkdir()
    monkeypatch.chdir(work)
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        with pytest.raises(ValueError):
            download_broadcast(pp, bad, work if into_directory else None)
        assert len(mock.calls) == 0
    assert list(tmp_path.rglob('*')) == [work]


def test_download_broadcast__non_string_id_is_type_error(pp: Any, tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        download_broadcast(pp, 123, tmp_path)  # type: ignore[arg-type]


def test_download_broadcast__m3u8_missing_names_the_extra(pp: Any, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, 'm3u8', None)
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        with pytest.raises(ImportError, match=r'pip install "pyperi\[download\]"'):
            download_broadcast(pp, 'BID', tmp_path)
        assert len(mock.calls) == 0


@pytest.mark.parametrize('bad', [-1, 21])
def test_download_broadcast__bad_segment_retries_is_value_error(pp: Any, tmp_path: Path,
                                                                bad: Any) -> None:
    with pytest.raises(ValueError, match='segment_retries'):
        download_broadcast(pp, 'BID', tmp_path, segment_retries=bad)


@pytest.mark.parametrize('bad', [1.5, True, '3', None])
def test_download_broadcast__non_int_segment_retries_is_type_error(pp: Any, tmp_path: Path,
                                                                   bad: Any) -> None:
    with pytest.raises(TypeError, match='segment_retries'):
        download_broadcast(pp, 'BID', tmp_path, segment_retries=bad)


# -- what is written -------------------------------------------------------------------


@fired
def test_download_broadcast__replay_written_in_order(pp: Any, tmp_path: Path) -> None:
    add_access()
    expected = add_replay(4)
    assert download_broadcast(pp, 'BID', tmp_path).read_bytes() == expected


@fired
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


@fired
def test_download_broadcast__cookies_not_sent_to_foreign_hosts(pp: Any, tmp_path: Path) -> None:
    add_access()
    responses.get(PLAYLIST, body=media_playlist(['chunk_0.ts', 'https://evil.example/x.ts']))
    responses.get(f'{CDN}/b/BID/chunk_0.ts', body=b'one')
    responses.get('https://evil.example/x.ts', body=b'two')
    path = download_broadcast(pp, 'BID', tmp_path)
    assert path.read_bytes() == b'onetwo'
    # Segments are fetched in parallel: find each call by its URL, not by its place.
    assert 'Cookie' not in calls_to('evil.example/x.ts')[0].request.headers
    assert 'CloudFront-Signature=sig' in calls_to('/chunk_0.ts')[0].request.headers['Cookie']


@fired
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


@fired
def test_download_broadcast__progress_reported_per_segment(pp: Any, tmp_path: Path) -> None:
    add_access()
    add_replay(3)
    calls: list[tuple[Any, ...]] = []
    download_broadcast(pp, 'BID', tmp_path, progress=lambda *args: calls.append(args))
    sizes = [len(segment_bytes(i)) for i in range(3)]
    assert calls == [(0, None, 0, 3), (sizes[0], None, 1, 3),
                     (sizes[0] + sizes[1], None, 2, 3), (sum(sizes), None, 3, 3)]


@fired
def test_download_broadcast__partial_file_and_journal_beside_target(pp: Any,
                                                                    tmp_path: Path) -> None:
    add_access()
    add_replay(2)
    seen: list[list[str]] = []
    download_broadcast(pp, 'BID', tmp_path,
                       progress=lambda *args: seen.append(files_in(tmp_path)))
    assert seen and all(names == ['.BID.ts.journal', '.BID.ts.part'] for names in seen)
    assert files_in(tmp_path) == ['BID.ts']


@pytest.mark.skipif(os.name != 'posix', reason='POSIX permissions')
@fired
def test_download_broadcast__file_mode_follows_umask(pp: Any, tmp_path: Path) -> None:
    add_access()
    add_replay(1)
    umask = os.umask(0o022)
    os.umask(umask)
    path = download_broadcast(pp, 'BID', tmp_path)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


@fired
def test_download_broadcast__gzip_segment_is_not_short(pp: Any, tmp_path: Path) -> None:
    add_access()
    responses.get(PLAYLIST, body=media_playlist(['c0.ts']))
    responses.get(f'{CDN}/b/BID/c0.ts', body=gzip.compress(b'x' * 5000),
                  headers={'Content-Encoding': 'gzip'})
    assert download_broadcast(pp, 'BID', tmp_path).read_bytes() == b'x' * 5000


# -- an existing file ---------------------------------------------------------------------


def test_download_broadcast__refuses_to_overwrite(pp: Any, tmp_path: Path) -> None:
    (tmp_path / 'BID.ts').write_bytes(b'mine')
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        with pytest.raises(FileExistsError) as caught:
            download_broadcast(pp, 'BID', tmp_path)
        assert len(mock.calls) == 0
    assert caught.value.filename == str(tmp_path / 'BID.ts')
    assert (tmp_path / 'BID.ts').read_bytes() == b'mine'
    assert files_in(tmp_path) == ['BID.ts']


@fired
def test_download_broadcast__overwrite_replaces(pp: Any, tmp_path: Path) -> None:
    (tmp_path / 'BID.ts').write_bytes(b'old')
    add_access()
    expected = add_replay(2)
    download_broadcast(pp, 'BID', tmp_path, overwrite=True)
    assert (tmp_path / 'BID.ts').read_bytes() == expected
    assert files_in(tmp_path) == ['BID.ts']


@fired
def test_download_broadcast__file_appearing_meanwhile_is_not_replaced(
        pp: Any, tmp_path: Path) -> None:
    add_access()
    add_replay(1)

    def appear(*progress: Any) -> None:
        (tmp_path / 'BID.ts').write_bytes(b'theirs')

    with pytest.raises(FileExistsError):
        download_broadcast(pp, 'BID', tmp_path, progress=appear)
    assert (tmp_path / 'BID.ts').read_bytes() == b'theirs'
    # The complete download stays hidden, for a run with overwrite=True to publish.
    assert files_in(tmp_path) == ['.BID.ts.journal', '.BID.ts.part', 'BID.ts']


# -- failures: nothing under the target's name ---------------------------------------------


@fired
def test_download_broadcast__not_found(pp: Any, tmp_path: Path) -> None:
    add_access(status=404)
    with pytest.raises(PyPeriStreamUnavailableError):
        download_broadcast(pp, 'BID', tmp_path)
    assert files_in(tmp_path) == []


@fired
def test_download_broadcast__no_hls_stream(pp: Any, tmp_path: Path) -> None:
    add_access(access_body('RUNNING', rtmp_url='rtmp://h/live'))
    with pytest.raises(PyPeriStreamUnavailableError, match='rtmp'):
        download_broadcast(pp, 'BID', tmp_path)
    assert files_in(tmp_path) == []


@fired
def test_download_broadcast__playlist_gone(pp: Any, tmp_path: Path) -> None:
    add_access()
    responses.get(PLAYLIST, status=404)
    with pytest.raises(PyPeriStreamUnavailableError, match='playlist .* is gone'):
        download_broadcast(pp, 'BID', tmp_path)
    assert files_in(tmp_path) == []


@fired
def test_download_broadcast__encrypted_playlist_refused(pp: Any, tmp_path: Path) -> None:
    add_access()
    responses.get(PLAYLIST, body=media_playlist(
        ['c0.ts'], extra='#EXT-X-KEY:METHOD=AES-128,URI="https://k.example/key"'))
    with pytest.raises(PyPeriEncryptedStreamError, match='AES-128'):
        download_broadcast(pp, 'BID', tmp_path)
    assert files_in(tmp_path) == []


@fired
def test_download_broadcast__not_a_playlist(pp: Any, tmp_path: Path) -> None:
    add_access()
    responses.get(PLAYLIST, body='<html>gone</html>')
    with pytest.raises(PyPeriResponseError):
        download_broadcast(pp, 'BID', tmp_path)
    assert files_in(tmp_path) == []


@fired
def test_download_broadcast__errors_hide_the_signed_query(pp: Any, tmp_path: Path) -> None:
    add_access()
    responses.get(PLAYLIST, body='<html>gone</html>')
    with pytest.raises(PyPeriResponseError) as caught:
        download_broadcast(pp, 'BID', tmp_path)
    assert 'secret' not in str(caught.value)


@fired
def test_download_broadcast__empty_playlist(pp: Any, tmp_path: Path) -> None:
    add_access()
    responses.get(PLAYLIST, body=media_playlist([]))
    with pytest.raises(PyPeriStreamUnavailableError, match='no segments'):
        download_broadcast(pp, 'BID', tmp_path)
    assert files_in(tmp_path) == []


@pytest.mark.parametrize('status, error', [(404, PyPeriStreamUnavailableError),
                                           (500, PyPeriServerError)])
@fired
def test_download_broadcast__segment_error_stops_and_keeps_what_is_complete(
        pp: Any, tmp_path: Path, status: int, error: type) -> None:
    add_access()
    responses.get(PLAYLIST, body=media_playlist(['c0.ts', 'c1.ts', 'c2.ts']))
    responses.get(f'{CDN}/b/BID/c0.ts', body=b'x' * 1000)
    responses.get(f'{CDN}/b/BID/c1.ts', status=status)
    with pytest.raises(error):
        download_broadcast(pp, 'BID', tmp_path, concurrency=1)
    assert files_in(tmp_path) == ['.BID.ts.journal', '.BID.ts.part']
    assert (tmp_path / '.BID.ts.part').read_bytes() == b'x' * 1000
    assert not calls_to('c2.ts')


@fired
def test_download_broadcast__error_in_the_first_segment_leaves_nothing(
        pp: Any, tmp_path: Path) -> None:
    add_access()
    responses.get(PLAYLIST, body=media_playlist(['c0.ts']))
    responses.get(f'{CDN}/b/BID/c0.ts', status=500)
    with pytest.raises(PyPeriServerError):
        download_broadcast(pp, 'BID', tmp_path)
    assert files_in(tmp_path) == []   # nothing complete: nothing to resume


@fired
def test_download_broadcast__keyboard_interrupt_keeps_the_partial(pp: Any,
                                                                  tmp_path: Path) -> None:
    add_access()
    expected = add_replay(3, fetched=2)

    def interrupt(done: int, expected: Any, segments: int, total: Any) -> None:
        if segments == 2:
            raise KeyboardInterrupt

    with pytest.raises(DownloadInterrupted) as caught:
        download_broadcast(pp, 'BID', tmp_path, progress=interrupt, concurrency=1)
    assert isinstance(caught.value, KeyboardInterrupt)
    assert (caught.value.segments, caught.value.total) == (2, 3)
    assert caught.value.partial == tmp_path / '.BID.ts.part'
    assert files_in(tmp_path) == ['.BID.ts.journal', '.BID.ts.part']
    assert (tmp_path / '.BID.ts.part').read_bytes() == expected[:len(segment_bytes(0)) +
                                                                len(segment_bytes(1))]


@fired
def test_download_broadcast__resumes_where_it_stopped(pp: Any, tmp_path: Path) -> None:
    add_access()
    add_replay(3, fetched=1)
    with pytest.raises(DownloadInterrupted):
        download_broadcast(pp, 'BID', tmp_path, concurrency=1,
                           progress=lambda *args: args[2] == 1 and _interrupt())
    responses.reset()
    add_access()
    responses.get(PLAYLIST, body=media_playlist([f'chunk_{i}.ts?x={i}' for i in range(3)]))
    for i in (1, 2):   # segment 0 is not asked for again
        responses.get(f'{CDN}/b/BID/chunk_{i}.ts?x={i}', body=segment_bytes(i))
    path = download_broadcast(pp, 'BID', tmp_path)
    assert path.read_bytes() == b''.join(segment_bytes(i) for i in range(3))
    assert files_in(tmp_path) == ['BID.ts']


def _interrupt() -> None:
    raise KeyboardInterrupt


@fired
def test_download_broadcast__in_parallel_written_in_playlist_order(pp: Any,
                                                                   tmp_path: Path) -> None:
    add_access()
    expected = add_replay(20)
    assert download_broadcast(pp, 'BID', tmp_path, concurrency=5).read_bytes() == expected


@pytest.mark.parametrize('bad', [0, -1, 33])
def test_download_broadcast__bad_concurrency_is_value_error(pp: Any, tmp_path: Path,
                                                            bad: Any) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        with pytest.raises(ValueError, match='concurrency'):
            download_broadcast(pp, 'BID', tmp_path, concurrency=bad)
        assert len(mock.calls) == 0


@pytest.mark.parametrize('bad', [2.0, True, '8', None])
def test_download_broadcast__non_int_concurrency_is_type_error(pp: Any, tmp_path: Path,
                                                               bad: Any) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        with pytest.raises(TypeError, match='concurrency'):
            download_broadcast(pp, 'BID', tmp_path, concurrency=bad)
        assert len(mock.calls) == 0


@pytest.mark.parametrize('bad', [1, 'yes', None])
def test_download_broadcast__non_bool_resume_is_type_error(pp: Any, tmp_path: Path,
                                                           bad: Any) -> None:
    with pytest.raises(TypeError, match='resume'):
        download_broadcast(pp, 'BID', tmp_path, resume=bad)


# -- segments cut off ----------------------------------------------------------------------


def add_cut_then_whole_segment() -> None:
    """c1 comes short of its Content-Length, then fails to connect, then whole.

    The responses come in this order, so segments are fetched one at a time.
    """
    add_access()
    responses.get(PLAYLIST, body=media_playlist(['c0.ts', 'c1.ts']))
    responses.get(f'{CDN}/b/BID/c0.ts', body=b'A' * 100)
    # The body stops short of its Content-Length: a connection dropped mid-body.
    responses.get(f'{CDN}/b/BID/c1.ts', body=b'B' * 40,
                  headers={'Content-Length': '100'}, auto_calculate_content_length=False)
    responses.get(f'{CDN}/b/BID/c1.ts', body=requests.ConnectionError('reset'))
    responses.get(f'{CDN}/b/BID/c1.ts', body=b'B' * 100)


@responses.activate(registry=registries.OrderedRegistry, assert_all_requests_are_fired=True)
def test_download_broadcast__cut_segment_refetched_without_duplicates(pp: Any,
                                                                      tmp_path: Path) -> None:
    add_cut_then_whole_segment()
    path = download_broadcast(pp, 'BID', tmp_path, sleep=no_sleep, concurrency=1)
    assert path.read_bytes() == b'A' * 100 + b'B' * 100
    assert files_in(tmp_path) == ['BID.ts']


@responses.activate(registry=registries.OrderedRegistry, assert_all_requests_are_fired=True)
def test_download_broadcast__pause_before_each_segment_retry(pp: Any, tmp_path: Path) -> None:
    add_cut_then_whole_segment()
    sleeps: list[float] = []
    download_broadcast(pp, 'BID', tmp_path, sleep=sleeps.append, concurrency=1)
    assert len(sleeps) == 2


@fired
def test_download_broadcast__retries_are_bounded(pp: Any, tmp_path: Path) -> None:
    add_access()
    responses.get(PLAYLIST, body=media_playlist(['c0.ts']))
    responses.get(f'{CDN}/b/BID/c0.ts', body=requests.ConnectionError('reset'))
    with pytest.raises(PyPeriConnectionError, match='3 attempts'):
        download_broadcast(pp, 'BID', tmp_path, segment_retries=2, sleep=no_sleep)
    assert len(calls_to('c0.ts')) == 3
    assert files_in(tmp_path) == []


@fired
def test_download_broadcast__replay_without_endlist_taken_as_complete(
        pp: Any, tmp_path: Path, caplog: Any) -> None:
    add_access()
    responses.get(PLAYLIST, body=media_playlist(['c0.ts'], ended=False))
    responses.get(f'{CDN}/b/BID/c0.ts', body=b'only')
    with caplog.at_level('WARNING', logger='pyperi.replay'):
        path = download_broadcast(pp, 'BID', tmp_path, sleep=no_sleep)
    assert path.read_bytes() == b'only'
    assert 'no EXT-X-ENDLIST' in caplog.text
