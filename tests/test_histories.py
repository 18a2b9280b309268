"""Tests for pyperi.histories.fetch_histories: order, validation, parallelism, clean stops."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import pytest

from pyperi import Peri, histories
from pyperi.exceptions import PyPeriServerError
from pyperi.histories import HistoryClient, UserHistory, fetch_histories
from pyperi.testing import GEORGE_CLINTON_ID, GEORGE_CLINTON_USERNAME, MISSING_USERNAMES

WEB = 'https://www.periscope.tv'
WAIT = 10   # seconds a test waits for other threads at most (a failure, never a pause)


class StubClient:
    """A HistoryClient whose histories are made by ``answer(user_id, username)``."""

    web_base_url = WEB

    def __init__(self, answer: Callable[[str | None, str | None], Any] | None = None) -> None:
        self.answer = answer or (lambda user_id, username: [{'id': f'b-{user_id or username}'}])
        self.calls: list[tuple[str | None, str | None]] = []
        self._lock = threading.Lock()

    def get_user_broadcast_history(self, user_id: str | int | None = None,
                                   username: str | None = None) -> Any:
        with self._lock:
            self.calls.append((None if user_id is None else str(user_id), username))
        return self.answer(None if user_id is None else str(user_id), username)


def test_peri_is_a_history_client():
    with Peri() as peri:
        assert isinstance(peri, HistoryClient)


def test_one_record_per_user_in_the_order_given():
    found = fetch_histories(StubClient(), ['george_clinton', '376827', 'acme'])
    assert [h.ref for h in found] == ['george_clinton', '376827', 'acme']


def test_a_record_says_what_the_reference_named():
    found = fetch_histories(StubClient(), ['george_clinton', '376827'])
    assert [(h.user_id, h.username) for h in found] == [(None, 'george_clinton'),
                                                        ('376827', None)]


def test_a_record_holds_the_users_broadcasts():
    found, = fetch_histories(StubClient(), ['george_clinton'])
    assert found == UserHistory('george_clinton', None, 'george_clinton',
                                [{'id': 'b-george_clinton'}])


def test_urls_on_the_clients_web_base_are_understood():
    client = StubClient()
    fetch_histories(client, [f'{WEB}/u/376827', f'{WEB}/george_clinton'])
    assert sorted(client.calls, key=str) == [('376827', None), (None, 'george_clinton')]


def test_a_user_that_does_not_exist_has_none():
    client = StubClient(lambda user_id, username: None if username == 'gone' else [])
    found = fetch_histories(client, ['gone', 'here'])
    assert [h.broadcasts for h in found] == [None, []]


def test_no_users_no_requests():
    client = StubClient()
    assert fetch_histories(client, []) == []
    assert client.calls == []


@pytest.mark.parametrize('bad', ['not a user!', 'https://example.com/george_clinton', 'w'])
def test_every_reference_is_checked_before_any_request(bad):
    client = StubClient()
    with pytest.raises(ValueError, match='not a user id, username or Periscope user URL'):
        fetch_histories(client, ['george_clinton', bad])
    assert client.calls == []


def test_a_reference_that_is_not_a_string_is_a_type_error():
    client = StubClient()
    with pytest.raises(TypeError, match=r'users\[1\] must be a str'):
        fetch_histories(client, ['george_clinton', 376827])   # type: ignore[list-item]
    assert client.calls == []


def test_a_single_string_is_a_type_error_not_one_user_per_letter():
    with pytest.raises(TypeError, match='users must be a list'):
        fetch_histories(StubClient(), 'george_clinton')


@pytest.mark.parametrize('max_workers', [0, -1])
def test_max_workers_below_one_is_a_value_error(max_workers):
    with pytest.raises(ValueError, match='max_workers must be 1 or more'):
        fetch_histories(StubClient(), ['a_user'], max_workers=max_workers)


@pytest.mark.parametrize('max_workers', [2.0, True, '8'])
def test_max_workers_not_an_int_is_a_type_error(max_workers):
    with pytest.raises(TypeError, match='max_workers must be an int'):
        fetch_histories(StubClient(), ['a_user'], max_workers=max_workers)


def test_histories_are_fetched_in_parallel():
    both_running = threading.Barrier(2, timeout=WAIT)   # broken (an error) if fetched one by one

    def answer(user_id: str | None, username: str | None) -> list[Any]:
        both_running.wait()
        return []

    found = fetch_histories(StubClient(answer), ['first', 'second'])
    assert [h.broadcasts for h in found] == [[], []]


@pytest.mark.parametrize('max_workers', [1, 2])
def test_max_workers_bounds_the_threads_fetching(max_workers):
    threads = set()

    def answer(user_id: str | None, username: str | None) -> list[Any]:
        threads.add(threading.get_ident())
        return []

    fetch_histories(StubClient(answer), [f'user_{i}' for i in range(6)], max_workers=max_workers)
    assert 1 <= len(threads) <= max_workers


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """An event set once fetch_histories has cancelled what had not started."""
    opened = threading.Event()

    class OpenGateOnShutdown(ThreadPoolExecutor):
        def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
            super().shutdown(wait=False, cancel_futures=cancel_futures)
            opened.set()
            super().shutdown(wait=wait)

    monkeypatch.setattr(histories, 'ThreadPoolExecutor', OpenGateOnShutdown)
    return opened


@pytest.mark.parametrize('error', [PyPeriServerError('HTTP 500'), KeyboardInterrupt()],
                         ids=['error', 'ctrl-c'])
def test_a_failure_stops_the_fetches_that_have_not_started(gate, error):
    started, finished = [], []

    def answer(user_id: str | None, username: str | None) -> list[Any]:
        started.append(username)
        try:
            if username == 'user_0':
                raise error
            assert gate.wait(WAIT), 'fetch_histories never shut its pool down'
            return []
        finally:
            finished.append(username)

    users = [f'user_{i}' for i in range(10)]
    with pytest.raises(type(error)):
        fetch_histories(StubClient(answer), users, max_workers=2)
    assert set(started) <= {'user_0', 'user_1', 'user_2'}   # two workers: at most one more
    assert sorted(finished) == sorted(started)              # none left running


@pytest.mark.integration
def test_against_the_fake(fake_peri):
    refs = [GEORGE_CLINTON_USERNAME, f'{fake_peri.web_base_url}/u/{GEORGE_CLINTON_ID}',
            MISSING_USERNAMES[0]]
    george, by_url, missing = fetch_histories(fake_peri, refs)
    assert george.broadcasts and george.broadcasts == by_url.broadcasts
    assert (by_url.user_id, by_url.username) == (GEORGE_CLINTON_ID, None)
    assert missing.broadcasts is None
