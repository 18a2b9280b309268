"""What the replay code needs from a client: :class:`ReplayClient`, which :class:`pyperi.Peri` is.

The replay modules depend on this protocol, never on :class:`pyperi.Peri` itself, so that
``pyperi.client`` imports ``pyperi.replay`` and never the other way round, and so that any
object with these members (a wrapper, an archive reader, a test double) can download.
"""
from __future__ import annotations

from typing import Any, MutableMapping, Protocol, runtime_checkable

import requests

from ..deadline import Deadline

__all__ = ['ReplayClient']


@runtime_checkable
class ReplayClient(Protocol):
    """The members of :class:`pyperi.Peri` that stream URLs, downloads and watching use."""

    @property
    def web_base_url(self) -> str:
        """Web root, for parsing user URLs and building broadcast links."""
        ...

    @property
    def deadline(self) -> float:
        """Seconds a whole call may take; downloads give each playlist and each segment
        (every redirect, retry and byte of it) one deadline of this many seconds."""
        ...

    def http_get(self, url: str, *, stream: bool = False,
                 cookies: MutableMapping[str, str] | None = None,
                 allow_redirects: bool = True,
                 deadline: Deadline | float | None = None) -> requests.Response | None:
        """GET ``url``: the response, or None for a 404; raises ``PyPeriError`` otherwise.

        Playlists and segments are fetched streamed, with ``allow_redirects=False`` (a
        redirect is then returned as the response, and the replay code follows it
        itself, deciding the cookies for each hop: :mod:`~pyperi.replay.fetching`) and
        with the :class:`~pyperi.deadline.Deadline` of that playlist or segment, which
        the replay code then gives :func:`pyperi.bodies.iter_body` to read the body.
        """
        ...

    def request_api(self, endpoint: str, **params: Any) -> dict[str, Any] | None:
        """An API endpoint's JSON object, or None for a 404."""
        ...

    def get_broadcast_info(self, broadcast_id: str) -> dict[str, Any] | None:
        """A broadcast's details, or None if there is no such broadcast."""
        ...

    def get_user_broadcast_history(self, user_id: str | int | None = None,
                                   username: str | None = None
                                   ) -> list[dict[str, Any]] | None:
        """A user's broadcasts, newest first, or None if there is no such user."""
        ...
