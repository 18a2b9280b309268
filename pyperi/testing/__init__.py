"""pyperi.testing: an embedded fake Periscope server and pytest fixtures for it.

``FakePeriscope`` and ``main`` are imported on first use, so importing this package (as the
pytest plugin does in every test run) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyperi.testing.dataset import (
    BIG_PAGE_USER_ID, BIG_PAGE_USERNAME, DOCUMENTED_BROADCAST_ID, DOCUMENTED_HISTORY_IDS,
    EMPTY_HISTORY_USER_ID, EMPTY_HISTORY_USERNAME, GEORGE_CLINTON_ID, GEORGE_CLINTON_USERNAME,
    GEORGE_LIVE_BROADCAST_ID, GEORGE_LIVE_STATUS, LONG_HISTORY_COUNT, LONG_HISTORY_USER_ID,
    LONG_HISTORY_USERNAME, MARKETING_USER_ID, MARKETING_USERNAME, MISSING_BROADCAST_IDS,
    MISSING_USER_IDS, MISSING_USERNAMES,
)

if TYPE_CHECKING:  # pragma: no cover
    from pyperi.testing.command import main
    from pyperi.testing.fake import FakePeriscope, RecordedRequest

__all__ = [
    'BIG_PAGE_USERNAME', 'BIG_PAGE_USER_ID', 'DOCUMENTED_BROADCAST_ID', 'DOCUMENTED_HISTORY_IDS',
    'EMPTY_HISTORY_USERNAME', 'EMPTY_HISTORY_USER_ID', 'FakePeriscope', 'GEORGE_CLINTON_ID',
    'GEORGE_CLINTON_USERNAME', 'GEORGE_LIVE_BROADCAST_ID', 'GEORGE_LIVE_STATUS',
    'LONG_HISTORY_COUNT', 'LONG_HISTORY_USERNAME', 'LONG_HISTORY_USER_ID', 'MARKETING_USERNAME',
    'MARKETING_USER_ID', 'MISSING_BROADCAST_IDS', 'MISSING_USERNAMES', 'MISSING_USER_IDS',
    'RecordedRequest', 'main',
]

_LAZY = {'FakePeriscope', 'RecordedRequest', 'main'}


def __getattr__(name: str) -> Any:
    if name == 'main':
        from pyperi.testing import command

        return command.main
    if name in _LAZY:
        from pyperi.testing import fake

        return getattr(fake, name)
    raise AttributeError('module %r has no attribute %r' % (__name__, name))


def __dir__() -> list[str]:
    return sorted(set(globals()) | _LAZY)
