"""Fixtures for the tests: a Peri for mocked HTTP, and a guard that keeps tests on loopback."""
from __future__ import annotations

import socket
from typing import Any, Iterator

import pytest

from pyperi import Peri
from pyperi.client import build_retry

LOOPBACK = {'127.0.0.1', 'localhost', '::1'}


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


@pytest.fixture
def pp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Peri]:
    """A Peri on the default Periscope URLs whose retries never sleep."""
    monkeypatch.delenv('PYPERI_API_BASE_URL', raising=False)
    monkeypatch.delenv('PYPERI_WEB_BASE_URL', raising=False)
    with Peri(retries=build_retry(3, backoff_factor=0)) as peri:
        yield peri
