"""Unit tests for downloading a user's history (pyperi.replay.history), mocked HTTP."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import responses

from pyperi.replay import DownloadResult, download_user_history

from replay_mocks import (
    CDN,
    access_body,
    add_access,
    add_replay,
    files_in,
    history_item,
    media_playlist,
    scripted_history,
)

fired = responses.activate(assert_all_requests_are_fired=True)


def statuses(results: list[DownloadResult] | None) -> list[tuple[str, str]]:
    return [(r.broadcast_id, r.status) for r in results or []]


@fired
def test_download_user_history__history_asked_by_username(
        pp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked = scripted_history(pp, monkeypatch, [[]])
    download_user_history(pp, 'george_clinton', tmp_path)
    assert asked == [{'user_id': None, 'username': 'george_clinton'}]


@fired
def test_download_user_history__available_replay_downloaded(
        pp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scripted_history(pp, monkeypatch, [[history_item('BID')]])
    add_access()
    expected = add_replay(2)
    results = download_user_history(pp, 'george_clinton', tmp_path)
    assert results == [DownloadResult('BID', tmp_path / 'BID.ts', 'downloaded')]
    assert (tmp_path / 'BID.ts').read_bytes() == expected


@fired
def test_download_user_history__live_broadcast_unavailable(
        pp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scripted_history(pp, monkeypatch, [[history_item('LIVE1', state='RUNNING')]])
    results = download_user_history(pp, 'george_clinton', tmp_path)
    assert statuses(results) == [('LIVE1', 'unavailable')]


@fired
def test_download_user_history__file_on_disk_skipped(
        pp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scripted_history(pp, monkeypatch, [[history_item('DONE')]])
    (tmp_path / 'DONE.ts').write_bytes(b'done before')
    results = download_user_history(pp, 'george_clinton', tmp_path)
    assert statuses(results) == [('DONE', 'skipped')]
    assert (tmp_path / 'DONE.ts').read_bytes() == b'done before'


@fired
def test_download_user_history__not_available_for_replay_unavailable(
        pp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scripted_history(pp, monkeypatch, [[history_item('GONE', available_for_replay=False)]])
    results = download_user_history(pp, 'george_clinton', tmp_path)
    assert statuses(results) == [('GONE', 'unavailable')]


def add_broken_replay() -> None:
    """Broadcast BROKEN, whose only segment answers 500; BID downloads fine."""
    broken = f'{CDN}/b/BROKEN/playlist.m3u8'
    add_access(access_body(replay_url=broken), broadcast_id='BROKEN')
    responses.get(broken, body=media_playlist(['c0.ts']))
    responses.get(f'{CDN}/b/BROKEN/c0.ts', status=500)


@fired
def test_download_user_history__failure_reported_with_its_error(
        pp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scripted_history(pp, monkeypatch, [[history_item('BROKEN')]])
    add_broken_replay()
    [result] = download_user_history(pp, 'george_clinton', tmp_path) or []
    assert (result.broadcast_id, result.status) == ('BROKEN', 'failed')
    assert result.error and '500' in result.error
    assert files_in(tmp_path) == []


@fired
def test_download_user_history__failure_does_not_stop_the_rest(
        pp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scripted_history(pp, monkeypatch, [[history_item('BROKEN'), history_item('BID')]])
    add_broken_replay()
    add_access()
    add_replay(1)
    results = download_user_history(pp, 'george_clinton', tmp_path)
    assert statuses(results) == [('BROKEN', 'failed'), ('BID', 'downloaded')]


@fired
def test_download_user_history__unusable_id_failed_and_nothing_escapes(
        pp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scripted_history(pp, monkeypatch, [[history_item('../../escape')]])
    results = download_user_history(pp, 'george_clinton', tmp_path)
    assert statuses(results) == [('../../escape', 'failed')]
    assert files_in(tmp_path) == []
    assert not (tmp_path.parent / 'escape.ts').exists()


@fired
def test_download_user_history__repeated_broadcast_considered_once(
        pp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scripted_history(pp, monkeypatch, [[history_item('BID'), history_item('BID')]])
    add_access()
    add_replay(1)
    results = download_user_history(pp, 'george_clinton', tmp_path)
    assert statuses(results) == [('BID', 'downloaded')]


@fired
def test_download_user_history__on_result_gets_each_result_in_turn(
        pp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scripted_history(pp, monkeypatch, [[history_item('LIVE1', state='RUNNING'),
                                        history_item('GONE', available_for_replay=False)]])
    seen: list[DownloadResult] = []
    results = download_user_history(pp, 'george_clinton', tmp_path, on_result=seen.append)
    assert results == seen and len(seen) == 2


@fired
def test_download_user_history__since_filters(pp: Any, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    scripted_history(pp, monkeypatch, [[history_item('BID', start='2024-05-02T00:00:00Z'),
                                        history_item('OLD', start='2024-04-01T00:00:00Z')]])
    add_access()
    add_replay(1)
    results = download_user_history(pp, '376827', tmp_path,
                                    since=datetime(2024, 5, 1, tzinfo=timezone.utc))
    assert statuses(results) == [('BID', 'downloaded')]


def test_download_user_history__since_timedelta_counts_back_from_now(
        pp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = (datetime.now(timezone.utc) - timedelta(days=30)).isoformat()
    scripted_history(pp, monkeypatch, [[history_item('OLD', start=old)]])
    assert download_user_history(pp, '376827', tmp_path, since=timedelta(days=7)) == []


def test_download_user_history__since_of_another_type_is_type_error(pp: Any,
                                                                    tmp_path: Path) -> None:
    with pytest.raises(TypeError, match='since'):
        download_user_history(pp, '376827', tmp_path, since='7d')  # type: ignore[arg-type]


def test_download_user_history__unknown_user_is_none(pp: Any, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    scripted_history(pp, monkeypatch, [None])
    assert download_user_history(pp, 'nobody', tmp_path / 'new') is None


def test_download_user_history__directory_created(pp: Any, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    scripted_history(pp, monkeypatch, [[]])
    assert download_user_history(pp, 'someone', tmp_path / 'new' / 'deeper') == []
    assert (tmp_path / 'new' / 'deeper').is_dir()


def test_download_user_history__unknown_user_creates_nothing(
        pp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scripted_history(pp, monkeypatch, [None])
    assert download_user_history(pp, 'nobody', tmp_path / 'new') is None
    assert list(tmp_path.iterdir()) == []


def test_download_user_history__bad_user_ref(pp: Any, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        download_user_history(pp, '../etc', tmp_path)
