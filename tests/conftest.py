"""Fixtures for the unit tests."""
from __future__ import annotations

from typing import Iterator

import pytest

from pyperi import Peri
from pyperi.client import build_retry


@pytest.fixture
def pp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Peri]:
    """A Peri on the default Periscope URLs whose retries never sleep."""
    monkeypatch.delenv('PYPERI_API_BASE_URL', raising=False)
    monkeypatch.delenv('PYPERI_WEB_BASE_URL', raising=False)
    with Peri(retries=build_retry(3, backoff_factor=0)) as peri:
        yield peri
