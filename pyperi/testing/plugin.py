"""pytest plugin (``pytest11`` entry point): fixtures serving a fake Periscope.

Loaded into every pytest run where pyperi is installed, so it only defines two fixtures and
imports the server when one of them is used.

    def test_user(fake_peri):
        assert fake_peri.get_user_info('376827')['username'] == 'george_clinton'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from pyperi import Peri
    from pyperi.testing.fake import FakePeriscope


@pytest.fixture
def fake_periscope() -> Iterator[FakePeriscope]:
    """A started :class:`pyperi.testing.FakePeriscope` with the default dataset."""
    from pyperi.testing.fake import FakePeriscope

    with FakePeriscope() as fake:
        yield fake


@pytest.fixture
def fake_peri(fake_periscope: FakePeriscope) -> Peri:
    """A :class:`pyperi.Peri` pointed at ``fake_periscope``."""
    return fake_periscope.peri
