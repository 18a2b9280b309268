"""Fixtures for the fake server's own tests (downstream projects use pyperi.testing.plugin)."""

from __future__ import annotations

from typing import Iterator

import pytest
import requests

from pyperi.testing import FakePeriscope


@pytest.fixture
def fake_server() -> Iterator[FakePeriscope]:
    """A started FakePeriscope with the default dataset, stopped after the test."""
    with FakePeriscope() as server:
        yield server


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """A plain requests session, to see the fake's wire format without pyperi in between."""
    with requests.Session() as session:
        yield session
