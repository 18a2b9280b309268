"""Fixtures for the tests: a Peri for mocked HTTP, and a guard that keeps tests on loopback."""
from __future__ import annotations

import socket
from typing import Any, Iterator

import pytest
from hypothesis import settings

from pyperi import Peri
from pyperi.client import build_retry
from pyperi.testing import FakePeriscope

LOOPBACK = {'127.0.0.1', 'localhost', '::1'}

# Hypothesis profiles. Both derandomized, so a run is reproducible and never flaky.
# 'fast' (the default) keeps the suite quick: 10 examples per test, so the fuzz of the
# public surface (tests/test_fuzz.py) tries 10 per function. 'ci' (.ci/run:
# pytest -m hypothesis --hypothesis-profile=ci) runs every property at hypothesis' usual
# 100 examples: 100 per function for the fuzz, over 8,000 in all. 'explore' is random, for
# hunting: pytest tests/test_fuzz.py --hypothesis-profile=explore.
settings.register_profile('fast', max_examples=10, derandomize=True)
settings.register_profile('ci', max_examples=100, derandomize=True, deadline=None)
settings.register_profile('explore', max_examples=500, derandomize=False, deadline=None)
settings.load_profile('fast')


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that tries to resolve (and so reach) a host other than loopback.

    Mocked HTTP (responses) never resolves names; the fake server is on 127.0.0.1.
    """
    resolve = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in LOOPBACK:
            raise OSError(f'tests stay on loopback, but one tried to reach {name!r}')
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, 'getaddrinfo', guarded)


@pytest.fixture(autouse=True)
def plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """No COLUMNS, NO_COLOR or TERM from the shell running the tests: each test sets its own."""
    for name in ('COLUMNS', 'NO_COLOR', 'TERM'):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def pp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Peri]:
    """A Peri on the default Periscope URLs whose retries never sleep."""
    monkeypatch.delenv('PYPERI_API_BASE_URL', raising=False)
    monkeypatch.delenv('PYPERI_WEB_BASE_URL', raising=False)
    with Peri(retries=build_retry(3, backoff_factor=0)) as peri:
        yield peri


@pytest.fixture
def fake_periscope() -> Iterator[FakePeriscope]:
    """The plugin's fixture with small replays (5 segments, not one per 3 s of broadcast).

    Many tests download the default dataset's replays; the fake's own tests of the real
    segment counts (tests/testing) build their fakes themselves.
    """
    with FakePeriscope(small_replays=True) as fake:
        yield fake
