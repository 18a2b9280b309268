"""Wayback-style replay servers: ``{prefix}/{timestamp}id_/{original URL}``, the original bytes.

:func:`wayback_base_urls` builds the two base URLs a :class:`~pyperi.Peri` needs;
:func:`wayback_session` makes every other URL (replay playlists and segments,
which Periscope served from their own hosts) go through the same server, and
tells a URL the server never archived from a captured 404.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Mapping
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter

from .. import urls
from ..exceptions import PyPeriNotArchivedError
from .keys import display_url
from .when import parse_when, to_timestamp

__all__ = ['WaybackAdapter', 'wayback_base_urls', 'wayback_session', 'wayback_timestamp']


def _check_prefix(prefix: Any) -> str:
    if not isinstance(prefix, str):
        raise TypeError(f'prefix must be a str, not {type(prefix).__name__}')
    parts = urlsplit(prefix.strip())
    if parts.scheme not in ('http', 'https') or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f'prefix must be an http(s) URL without query, got {prefix!r}')
    return prefix.strip().rstrip('/')


def wayback_timestamp(when: str | datetime | date | None) -> str:
    """The 14-digit timestamp to ask a replay server for; None: now (the latest capture)."""
    moment = parse_when(when)
    return to_timestamp(moment if moment is not None else datetime.now(timezone.utc))


def wayback_base_urls(prefix: str, when: str | datetime | date | None = None) -> tuple[str, str]:
    """The API and web base URLs of Periscope as archived by a Wayback-style replay server.

    >>> from pyperi.archive import wayback_base_urls
    >>> wayback_base_urls('https://web.archive.org/web', '2021')
    ('https://web.archive.org/web/20210101000000id_/https://api.periscope.tv/api/v2', \
'https://web.archive.org/web/20210101000000id_/https://www.periscope.tv')

    The ``id_`` flag asks for the original bytes, not a page rewritten for browsers.

    :param prefix: the replay server's collection URL (``https://web.archive.org/web``,
        ``http://localhost:8080/my-collection``).
    :param when: the time whose nearest captures the server should replay; None: now.
    :raises ValueError: ``prefix`` is not an http(s) URL or ``when`` is not a time.
    """
    base = f'{_check_prefix(prefix)}/{wayback_timestamp(when)}id_/'
    return base + urls.DEFAULT_API_BASE_URL, base + urls.DEFAULT_WEB_BASE_URL


class WaybackAdapter(BaseAdapter):
    """Sends every request through a replay server, then tells "not archived" from a 404.

    A URL outside ``prefix`` becomes ``{prefix}/{timestamp}id_/{url}``. A 404
    without a ``Memento-Datetime`` header is the server's own "not in the archive"
    (a captured 404 carries one) and raises :class:`~pyperi.PyPeriNotArchivedError`.

    :param inner: the adapter that does the HTTP (default a plain ``HTTPAdapter``).
    """

    def __init__(self, prefix: str, timestamp: str, inner: BaseAdapter | None = None) -> None:
        super().__init__()
        self.prefix = _check_prefix(prefix)
        self.timestamp = timestamp
        self.inner = inner if inner is not None else HTTPAdapter()

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Mapping[str, str] | None = None) -> requests.Response:
        """Send ``request`` through the replay server (arguments as for ``HTTPAdapter``).

        :raises PyPeriNotArchivedError: the server has no capture of the URL.
        """
        url = request.url or ''
        if not url.startswith(self.prefix + '/'):
            request = request.copy()
            request.url = f'{self.prefix}/{self.timestamp}id_/{url}'
        response = self.inner.send(request, stream=stream, timeout=timeout, verify=verify,
                                   cert=cert, proxies=proxies)
        if response.status_code == 404 and 'Memento-Datetime' not in response.headers:
            response.close()
            original = url.split('id_/', 1)[1] if url.startswith(self.prefix + '/') \
                and 'id_/' in url else url
            shown = display_url(original)
            raise PyPeriNotArchivedError(f'not archived: {shown} (the replay server at '
                                         f'{self.prefix} has no capture of it)', url=shown)
        return response

    def close(self) -> None:
        self.inner.close()


def wayback_session(prefix: str, when: str | datetime | date | None = None, *,
                    session: requests.Session | None = None) -> requests.Session:
    """A session (``session``, or a new one) whose requests all go through a replay server.

    The adapters already mounted on ``session`` (retries, pool) still do the HTTP.

    :raises TypeError: ``prefix`` is not a str or ``session`` not a ``requests.Session``.
    :raises ValueError: ``prefix`` is not an http(s) URL or ``when`` is not a time.
    """
    prefix = _check_prefix(prefix)
    timestamp = wayback_timestamp(when)
    if session is not None and not isinstance(session, requests.Session):
        raise TypeError(f'session must be a requests.Session or None, not {type(session).__name__}')
    session = session if session is not None else requests.Session()
    for scheme in ('https://', 'http://'):
        inner = session.adapters.get(scheme)
        if isinstance(inner, WaybackAdapter):
            inner = inner.inner
        session.mount(scheme, WaybackAdapter(prefix, timestamp, inner))
    return session
