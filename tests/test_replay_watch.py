"""Unit tests for watching users (pyperi.replay.watching), with scripted histories."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import responses

from pyperi import PyPeriConnectionError
from pyperi.replay import watch

from replay_mocks import (
    LIVE,
    access_body,
    add_access,
    add_live_segments,
    history_item,
    media_playlist,
    scripted_history,
    segment_bytes,
)

OLD = history_item('OLD')
LIVE_NOW = history_item('LIVE', state='RUNNING')


def watch_rounds(pp: Any, monkeypatch: pytest.MonkeyPatch, rounds: list[Any],
                 **options: Any) -> list[dict[str, Any]]:
    """Watch george_clinton for ``len(rounds)`` polls of the scripted histories; the events."""
    scripted_history(pp, monkeypatch, rounds)
    events: list[dict[str, Any]] = []
    options.setdefault('sleep', lambda seconds: None)
    watch(pp, ['george_clinton'], on_event=events.append, max_polls=len(rounds), **options)
    return events


def kinds(events: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    return [(e['event'], e.get('broadcast_id')) for e in events]


def test_watch__first_round_only_records_what_exists(pp: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    assert watch_rounds(pp, monkeypatch, [[OLD]]) == []


def test_watch__first_round_reports_broadcasts_already_live(
        pp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    events = watch_rounds(pp, monkeypatch, [[LIVE_NOW, OLD]])
    assert kinds(events) == [('live', 'LIVE')]


def test_watch__later_rounds_report_new_broadcasts(pp: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    events = watch_rounds(pp, monkeypatch, [[OLD], [history_item('NEW'), OLD]])
    assert kinds(events) == [('new', 'NEW')]


def test_watch__new_broadcasts_reported_oldest_first(pp: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    events = watch_rounds(pp, monkeypatch,
                          [[OLD], [history_item('NEW2'), history_item('NEW1'), OLD]])
    assert kinds(events) == [('new', 'NEW1'), ('new', 'NEW2')]


def test_watch__live_broadcast_reported_once(pp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    events = watch_rounds(pp, monkeypatch, [[OLD], [LIVE_NOW, OLD], [LIVE_NOW, OLD]])
    assert kinds(events) == [('live', 'LIVE')]


def test_watch__live_broadcast_reported_ended(pp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    events = watch_rounds(pp, monkeypatch, [[LIVE_NOW], [history_item('LIVE')]])
    assert kinds(events) == [('live', 'LIVE'), ('ended', 'LIVE')]


def test_watch__broadcast_events_carry_user_and_url(pp: Any,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    [event] = watch_rounds(pp, monkeypatch, [[LIVE_NOW]])
    assert event['url'] == 'https://www.periscope.tv/w/LIVE'
    assert event['user'] == 'george_clinton'


def test_watch__failed_poll_reported_and_watching_goes_on(
        pp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    events = watch_rounds(pp, monkeypatch, [[OLD], PyPeriConnectionError('down'),
                                            [LIVE_NOW, OLD]])
    assert kinds(events) == [('error', None), ('live', 'LIVE')]
    assert events[0]['error'] == 'PyPeriConnectionError: down'


def test_watch__user_not_found_reported_once(pp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    events = watch_rounds(pp, monkeypatch, [[OLD], None, None])
    assert events == [{'event': 'user_not_found', 'user': 'george_clinton'}]


def test_watch__user_not_found_reported_again_after_reappearing(
        pp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    events = watch_rounds(pp, monkeypatch, [None, [OLD], None])
    assert kinds(events) == [('user_not_found', None)] * 2


def test_watch__sleeps_interval_between_rounds(pp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps: list[float] = []
    watch_rounds(pp, monkeypatch, [[OLD]] * 6, interval=5, sleep=sleeps.append)
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


def test_watch__no_users_is_value_error(pp: Any) -> None:
    with pytest.raises(ValueError, match='at least one user'):
        watch(pp, [], on_event=lambda event: None, max_polls=1)


@responses.activate(assert_all_requests_are_fired=True)
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


@responses.activate(assert_all_requests_are_fired=True)
def test_watch__failed_capture_reported(pp: Any, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    scripted_history(pp, monkeypatch, [[history_item('BID', state='RUNNING')]])
    add_access(status=404)
    events: list[dict[str, Any]] = []
    watch(pp, ['george_clinton'], on_event=events.append, download_dir=tmp_path, max_polls=1)
    assert [e['event'] for e in events] == ['live', 'download_failed']
    assert events[1]['error'].startswith('PyPeriStreamUnavailableError: ')
