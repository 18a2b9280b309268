"""Replay downloads, live capture and watching against the embedded fake over real HTTP."""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from pyperi import PyPeriHTTPError, PyPeriServerError
from pyperi.replay import (
    PyPeriEncryptedStreamError,
    PyPeriStreamUnavailableError,
    download_broadcast,
    download_user_history,
    get_broadcast_stream_urls,
    watch,
)
from pyperi.testing import FakePeriscope

pytestmark = pytest.mark.integration


def no_sleep(seconds: float) -> None:
    pass


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


@pytest.fixture
def user(fake_periscope: Any) -> dict[str, Any]:
    return fake_periscope.add_user('replay_tester')


# -- replays ----------------------------------------------------------------------------


@pytest.mark.parametrize('options', [
    {'absolute_uris': False},
    {'master': True, 'absolute_uris': False},
    {},
    {'master': True},
], ids=['relative', 'master', 'absolute', 'master-absolute'])
def test_download__byte_for_byte(fake_periscope: Any, user: dict[str, Any], tmp_path: Path,
                                 options: dict[str, Any]) -> None:
    broadcast = fake_periscope.add_broadcast(user['id'], segments=6, segment_size=20_000,
                                             **options)
    path = download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path)
    assert path == tmp_path / f'{broadcast["id"]}.ts'
    assert sha256(path) == fake_periscope.replay_sha256(broadcast['id'])
    assert files_in(tmp_path) == [path.name]


def test_download__master_playlist_only_best_variant_fetched(
        fake_periscope: Any, user: dict[str, Any], tmp_path: Path) -> None:
    broadcast = fake_periscope.add_broadcast(user['id'], segments=6, segment_size=20_000,
                                             master=True)
    download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path)
    # Only the best variant (listed in the middle of the master playlist) is fetched.
    fetched = {r.path.split('/')[2] for r in fake_periscope.requests_for(
        fake_periscope.replay_path(broadcast['id'])) if r.path.endswith('.ts')}
    assert fetched == {'high'}


def test_download__progress_totals(fake_periscope: Any, user: dict[str, Any],
                                   tmp_path: Path) -> None:
    broadcast = fake_periscope.add_broadcast(user['id'], segments=3)
    calls: list[tuple[Any, ...]] = []
    download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path,
                       progress=lambda *args: calls.append(args))
    size = fake_periscope.replay_size(broadcast['id'])
    assert calls[0] == (0, None, 0, 3)
    assert calls[-1] == (size, None, 3, 3)
    assert len(calls) == 4


# -- stream URLs --------------------------------------------------------------------------


def test_stream_urls__replay_stream_type(fake_periscope: Any, user: dict[str, Any]) -> None:
    broadcast = fake_periscope.add_broadcast(user['id'])
    streams = get_broadcast_stream_urls(fake_periscope.peri, broadcast['id'])
    assert streams is not None and streams['type'] == 'StreamTypeReplay'


def test_stream_urls__playlist_refused_without_cookies(fake_periscope: Any,
                                                       user: dict[str, Any]) -> None:
    broadcast = fake_periscope.add_broadcast(user['id'])
    streams = get_broadcast_stream_urls(fake_periscope.peri, broadcast['id'])
    assert streams is not None
    assert requests.get(streams['replay'], timeout=5).status_code == 403
    with pytest.raises(PyPeriHTTPError) as refused:
        fake_periscope.peri.http_get(streams['replay'])
    assert refused.value.status_code == 403


def test_stream_urls__cookies_grant_the_playlist(fake_periscope: Any,
                                                 user: dict[str, Any]) -> None:
    broadcast = fake_periscope.add_broadcast(user['id'])
    streams = get_broadcast_stream_urls(fake_periscope.peri, broadcast['id'])
    assert streams is not None
    granted = requests.get(streams['replay'], cookies=streams['cookies'], timeout=5)
    assert granted.status_code == 200 and granted.text.startswith('#EXTM3U')


def test_stream_urls__unknown_broadcast_is_none(fake_periscope: Any) -> None:
    assert get_broadcast_stream_urls(fake_periscope.peri, 'aAaAAaaaAAAA') is None


# -- failures ------------------------------------------------------------------------------


@pytest.mark.parametrize('after_bytes', [0, 7_000])
def test_download__dropped_segment_retried_without_duplicates(
        fake_periscope: Any, user: dict[str, Any], tmp_path: Path, after_bytes: int) -> None:
    broadcast = fake_periscope.add_broadcast(user['id'], segments=4, segment_size=40_000)
    chunk = fake_periscope.segment_path(broadcast['id'], 2)
    fake_periscope.drop_next(1, path_prefix=chunk, after_bytes=after_bytes)
    path = download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path, sleep=no_sleep)
    assert sha256(path) == fake_periscope.replay_sha256(broadcast['id'])
    assert path.stat().st_size == fake_periscope.replay_size(broadcast['id'])
    assert len(fake_periscope.requests_for(chunk)) == 2
    assert files_in(tmp_path) == [path.name]


def test_download__stalled_segment_retried(fake_periscope: Any, user: dict[str, Any],
                                           tmp_path: Path) -> None:
    broadcast = fake_periscope.add_broadcast(user['id'], segments=3)
    peri = fake_periscope.make_peri(timeout=0.3)
    fake_periscope.stall_next(1, 1.0, path_prefix=fake_periscope.segment_path(broadcast['id'], 1))
    path = download_broadcast(peri, broadcast['id'], tmp_path, sleep=no_sleep)
    assert sha256(path) == fake_periscope.replay_sha256(broadcast['id'])


def test_download__gateway_errors_retried_by_session(fake_periscope: Any, user: dict[str, Any],
                                                     tmp_path: Path) -> None:
    broadcast = fake_periscope.add_broadcast(user['id'], segments=3)
    fake_periscope.fail_next(2, 503, path_prefix=fake_periscope.segment_path(broadcast['id'], 0))
    path = download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path)
    assert sha256(path) == fake_periscope.replay_sha256(broadcast['id'])


@pytest.mark.parametrize('status, error', [(404, PyPeriStreamUnavailableError),
                                           (500, PyPeriServerError),
                                           (403, PyPeriHTTPError)])
def test_download__segment_error_keeps_only_complete_segments(
        fake_periscope: Any, user: dict[str, Any], tmp_path: Path, status: int,
        error: type) -> None:
    broadcast = fake_periscope.add_broadcast(user['id'], segments=4)
    fake_periscope.fail_next(1, status, path_prefix=fake_periscope.segment_path(broadcast['id'], 2))
    with pytest.raises(error):
        download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path, concurrency=1)
    name = f'{broadcast["id"]}.ts'
    assert files_in(tmp_path) == [f'.{name}.journal', f'.{name}.part']   # for resuming
    assert fake_periscope.requests_for(fake_periscope.segment_path(broadcast['id'], 3)) == []


def test_download__connection_gone_for_good_keeps_only_complete_segments(
        fake_periscope: Any, user: dict[str, Any], tmp_path: Path) -> None:
    broadcast = fake_periscope.add_broadcast(user['id'], segments=3, segment_size=40_000)
    fake_periscope.drop_next(50, path_prefix=fake_periscope.segment_path(broadcast['id'], 1),
                             after_bytes=5_000)
    with pytest.raises(requests.ConnectionError):
        download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path, sleep=no_sleep,
                           concurrency=1)
    name = f'{broadcast["id"]}.ts'
    assert name not in files_in(tmp_path)
    partial = tmp_path / f'.{name}.part'
    assert partial.read_bytes() == fake_periscope.replay_bytes(broadcast['id'])[
        :partial.stat().st_size]


def test_download__refuses_to_overwrite(fake_periscope: Any, user: dict[str, Any],
                                        tmp_path: Path) -> None:
    broadcast = fake_periscope.add_broadcast(user['id'], segments=2)
    target = tmp_path / f'{broadcast["id"]}.ts'
    target.write_bytes(b'precious')
    fake_periscope.clear_requests()
    with pytest.raises(FileExistsError):
        download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path)
    assert target.read_bytes() == b'precious'
    assert fake_periscope.requests == []


def test_download__overwrite_replaces(fake_periscope: Any, user: dict[str, Any],
                                      tmp_path: Path) -> None:
    broadcast = fake_periscope.add_broadcast(user['id'], segments=2)
    target = tmp_path / f'{broadcast["id"]}.ts'
    target.write_bytes(b'precious')
    download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path, overwrite=True)
    assert sha256(target) == fake_periscope.replay_sha256(broadcast['id'])
    assert files_in(tmp_path) == [target.name]


def test_download__encrypted_refused(fake_periscope: Any, user: dict[str, Any],
                                     tmp_path: Path) -> None:
    pytest.importorskip('cryptography')
    broadcast = fake_periscope.add_broadcast(user['id'], encrypted=True)
    with pytest.raises(PyPeriEncryptedStreamError, match='AES-128'):
        download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path)
    assert files_in(tmp_path) == []


def test_download__not_available_for_replay(fake_periscope: Any, user: dict[str, Any],
                                            tmp_path: Path) -> None:
    broadcast = fake_periscope.add_broadcast(user['id'], available_for_replay=False)
    with pytest.raises(PyPeriStreamUnavailableError):
        download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path)
    assert files_in(tmp_path) == []


# -- live capture: one capture, several behaviours ------------------------------------------


@dataclass
class LiveCapture:
    fake: FakePeriscope
    broadcast_id: str
    path: Path
    progress: list[tuple[Any, ...]]
    seconds: float


@pytest.fixture(scope='module')
def live_capture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveCapture]:
    """A broadcast going live with 5 segments, 0.1 s apart, captured until it ended."""
    with FakePeriscope() as fake:
        user = fake.add_user('replay_tester')
        broadcast = fake.go_live(user['id'], live_segments=5, segment_interval=0.1)
        progress: list[tuple[Any, ...]] = []
        started = time.monotonic()
        path = download_broadcast(fake.peri, broadcast['id'], tmp_path_factory.mktemp('live'),
                                  progress=lambda *args: progress.append(args))
        yield LiveCapture(fake, broadcast['id'], path, progress, time.monotonic() - started)


def test_live__captured_until_it_ends(live_capture: LiveCapture) -> None:
    assert sha256(live_capture.path) == live_capture.fake.replay_sha256(live_capture.broadcast_id)


def test_live__capture_takes_about_the_broadcast_time(live_capture: LiveCapture) -> None:
    assert live_capture.seconds < 5


def test_live__each_segment_fetched_once(live_capture: LiveCapture) -> None:
    for index in range(5):
        requested = live_capture.fake.requests_for(
            live_capture.fake.segment_path(live_capture.broadcast_id, index, live=True))
        assert len(requested) == 1


def test_live__progress_total_known_at_the_end(live_capture: LiveCapture) -> None:
    assert live_capture.progress[0][3] is None and live_capture.progress[-1][2:] == (5, 5)


def test_live__broadcast_ended_when_capture_returns(live_capture: LiveCapture) -> None:
    assert live_capture.fake.get_broadcast(live_capture.broadcast_id)['state'] == 'ENDED'


# -- a user's history -----------------------------------------------------------------------


def test_download_user_history__all_downloaded(fake_periscope: Any, user: dict[str, Any],
                                               tmp_path: Path) -> None:
    made = [fake_periscope.add_broadcast(user['id'], segments=2) for _ in range(3)]
    gone = fake_periscope.add_broadcast(user['id'], available_for_replay=False)
    results = download_user_history(fake_periscope.peri, 'replay_tester', tmp_path)
    assert results is not None
    by_id = {r.broadcast_id: r for r in results}
    assert by_id[gone['id']].status == 'unavailable'
    for broadcast in made:
        result = by_id[broadcast['id']]
        assert result.status == 'downloaded'
        assert sha256(result.path) == fake_periscope.replay_sha256(broadcast['id'])


def test_download_user_history__second_run_skips(fake_periscope: Any, user: dict[str, Any],
                                                 tmp_path: Path) -> None:
    for _ in range(3):
        fake_periscope.add_broadcast(user['id'], segments=2)
    fake_periscope.add_broadcast(user['id'], available_for_replay=False)
    download_user_history(fake_periscope.peri, 'replay_tester', tmp_path)
    again = download_user_history(fake_periscope.peri, user['id'], tmp_path)
    assert again is not None
    assert sorted(r.status for r in again) == ['skipped'] * 3 + ['unavailable']
    assert len(files_in(tmp_path)) == 3


def test_download_user_history__failure_does_not_stop_the_rest(
        fake_periscope: Any, user: dict[str, Any], tmp_path: Path) -> None:
    first = fake_periscope.add_broadcast(user['id'], segments=2)
    second = fake_periscope.add_broadcast(user['id'], segments=2)
    fake_periscope.fail_next(1, 500, path_prefix=fake_periscope.replay_path(first['id']))
    results = download_user_history(fake_periscope.peri, 'replay_tester', tmp_path)
    statuses = {r.broadcast_id: r.status for r in results or []}
    assert statuses == {first['id']: 'failed', second['id']: 'downloaded'}
    assert files_in(tmp_path) == [f'{second["id"]}.ts']


def test_download_user_history__unknown_user(fake_periscope: Any, tmp_path: Path) -> None:
    assert download_user_history(fake_periscope.peri, 'some_bad_username', tmp_path) is None


# -- watching: one watch, several behaviours ---------------------------------------------------


@dataclass
class WatchedLive:
    fake: FakePeriscope
    broadcast_id: str
    events: list[dict[str, Any]]
    seconds: float


@pytest.fixture(scope='module')
def watched_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WatchedLive]:
    """Three rounds of watching a user who goes live after the first, capturing it."""
    with FakePeriscope() as fake:
        user = fake.add_user('replay_tester')
        fake.add_broadcast(user['id'], segments=2)
        events: list[dict[str, Any]] = []
        live: list[dict[str, Any]] = []

        def sleep(seconds: float) -> None:
            if not live:  # after the first round: the user goes live
                live.append(fake.go_live(user['id'], live_segments=3, segment_interval=0.1))

        started = time.monotonic()
        watch(fake.peri, ['replay_tester'], interval=0.05, on_event=events.append,
              download_dir=tmp_path_factory.mktemp('captures'), sleep=sleep, max_polls=3)
        yield WatchedLive(fake, live[0]['id'], events, time.monotonic() - started)


def test_watch__reports_live_then_downloaded(watched_live: WatchedLive) -> None:
    kinds = [(e['event'], e.get('broadcast_id')) for e in watched_live.events]
    broadcast_id = watched_live.broadcast_id
    assert kinds[:2] == [('live', broadcast_id), ('downloaded', broadcast_id)]


def test_watch__reports_ended(watched_live: WatchedLive) -> None:
    kinds = [(e['event'], e.get('broadcast_id')) for e in watched_live.events]
    assert ('ended', watched_live.broadcast_id) in kinds


def test_watch__event_url_on_the_fake(watched_live: WatchedLive) -> None:
    expected = f'{watched_live.fake.web_base_url}/w/{watched_live.broadcast_id}'
    assert watched_live.events[0]['url'] == expected


def test_watch__capture_byte_for_byte(watched_live: WatchedLive) -> None:
    path = Path(watched_live.events[1]['path'])
    assert sha256(path) == watched_live.fake.replay_sha256(watched_live.broadcast_id)


def test_watch__three_rounds_take_about_the_capture_time(watched_live: WatchedLive) -> None:
    assert watched_live.seconds < 10


# -- hostile ids ---------------------------------------------------------------------------------


HOSTILE = ['../../evil', 'a/b', '..', '.hidden']


@pytest.mark.parametrize('hostile', HOSTILE)
def test_hostile_id__download_refused(fake_periscope: Any, user: dict[str, Any], tmp_path: Path,
                                      hostile: str) -> None:
    target = tmp_path / 'one' / 'two'
    target.mkdir(parents=True)
    fake_periscope.add_broadcast(user['id'], broadcast_id=hostile, segments=1)
    with pytest.raises(ValueError):
        download_broadcast(fake_periscope.peri, hostile, target)
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob('*')) == ['one', 'one/two']


@pytest.mark.parametrize('hostile', HOSTILE)
def test_hostile_id__history_fails_it_and_downloads_the_rest(
        fake_periscope: Any, user: dict[str, Any], tmp_path: Path, hostile: str) -> None:
    target = tmp_path / 'one' / 'two'
    target.mkdir(parents=True)
    fake_periscope.add_broadcast(user['id'], broadcast_id=hostile, segments=1)
    fine = fake_periscope.add_broadcast(user['id'], segments=1)
    results = download_user_history(fake_periscope.peri, 'replay_tester', target)
    statuses = {r.broadcast_id: r.status for r in results or []}
    assert statuses == {hostile: 'failed', fine['id']: 'downloaded'}
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob('*')) == [
        'one', 'one/two', f'one/two/{fine["id"]}.ts']
