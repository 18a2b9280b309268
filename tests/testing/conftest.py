"""Fixtures for the fake server's own tests (downstream projects use pyperi.testing.plugin)."""

from __future__ import annotations

from typing import Iterator

import pytest
import requests

from pyperi.testing import FakePeriscope


@pytest.fixture
def fake() -> Iterator[FakePeriscope]:
    with FakePeriscope() as server:
        yield server


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session
