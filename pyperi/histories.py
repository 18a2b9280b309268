"""Several users' broadcast histories, fetched in parallel: :func:`fetch_histories`.

It needs only :class:`HistoryClient` from the client (:class:`pyperi.Peri` is one), so
any object with those two members (a wrapper, a cache, a test double) can serve it.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Iterable, Protocol, runtime_checkable

from pyperi import urls
from pyperi.checks import check_items, check_str

__all__ = ['HistoryClient', 'UserHistory', 'fetch_histories', 'DEFAULT_MAX_WORKERS']

logger = logging.getLogger(__name__)

#: Histories fetched at once by default; one :class:`pyperi.Peri` is sized for this.
DEFAULT_MAX_WORKERS = 8


@runtime_checkable
class HistoryClient(Protocol):
    """The members of :class:`pyperi.Peri` that :func:`fetch_histories` uses."""

    @property
    def web_base_url(self) -> str:
        """Web root, so that user URLs on it are understood."""
        ...

    def get_user_broadcast_history(self, user_id: str | int | None = None,
                                   username: str | None = None
                                   ) -> list[dict[str, Any]] | None:
        """A user's broadcasts, newest first, or None if there is no such user."""
        ...


@dataclass(frozen=True)
class UserHistory:
    """One user's history as :func:`fetch_histories` found it.

    ``ref`` is the reference as given; ``user_id`` or ``username`` is what it
    named (the other is None). ``broadcasts`` is None when the user does not exist.
    """

    ref: str
    user_id: str | None
    username: str | None
    broadcasts: list[dict[str, Any]] | None


def _check_users(users: Iterable[str]) -> list[str]:
    if isinstance(users, (str, bytes)):
        raise TypeError('users must be a list of user references, not a single string')
    return check_items(users, 'users', check_str)


def _check_max_workers(max_workers: int) -> int:
    if isinstance(max_workers, bool) or not isinstance(max_workers, int):
        raise TypeError(f'max_workers must be an int, not {type(max_workers).__name__}')
    if max_workers < 1:
        raise ValueError(f'max_workers must be 1 or more, not {max_workers}')
    return max_workers


def fetch_histories(client: HistoryClient, users: Iterable[str], *,
                    max_workers: int = DEFAULT_MAX_WORKERS) -> list[UserHistory]:
    """The broadcast history of each of ``users``, in their order, fetched in parallel.

    Every reference is read before any request, so a bad one costs nothing.
    When a fetch fails (or on Ctrl-C) no further fetch starts, the ones under
    way finish, and the error propagates.

    :param client: a :class:`pyperi.Peri` or any :class:`HistoryClient`.
    :param users: user ids, usernames or Periscope user URLs (each a str).
    :param max_workers: at most this many histories are fetched at once.
    :raises TypeError: ``client`` is not a :class:`HistoryClient`, ``users`` is a single
        string, or holds something else.
    :raises ValueError: a reference names no user, or ``max_workers`` is below 1.
    :raises pyperi.PyPeriError: a request failed.
    """
    if not isinstance(client, HistoryClient):
        raise TypeError(f'client must be a HistoryClient such as pyperi.Peri, '
                        f'not {type(client).__name__}')
    refs = _check_users(users)
    max_workers = _check_max_workers(max_workers)
    parsed = [urls.parse_user_ref(ref, client.web_base_url) for ref in refs]

    def fetch(ids: tuple[str | None, str | None]) -> list[dict[str, Any]] | None:
        return client.get_user_broadcast_history(user_id=ids[0], username=ids[1])

    if len(parsed) <= 1:
        found = [fetch(ids) for ids in parsed]
    else:
        pool = ThreadPoolExecutor(max_workers=min(max_workers, len(parsed)))
        try:
            found = list(pool.map(fetch, parsed))
        finally:   # on an error or Ctrl-C, start no further fetches
            pool.shutdown(wait=True, cancel_futures=True)
    logger.debug('fetched %d histories', len(found))
    return [UserHistory(ref, user_id, username, broadcasts)
            for ref, (user_id, username), broadcasts in zip(refs, parsed, found)]
