"""A broadcast's stream URLs and access cookies, from the ``accessVideoPublic`` endpoint."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Iterable, Mapping
from urllib.parse import urlsplit

from .. import urls
from ..exceptions import PyPeriResponseError
from .arguments import check_client
from .protocol import ReplayClient

__all__ = [
    'STREAM_URL_KEYS',
    'AccessCookies',
    'StreamAccess',
    'get_broadcast_stream_urls',
    'get_stream_access',
]

logger = logging.getLogger(__name__)

#: Result key -> accessVideoPublic field, for every playback URL Periscope served.
STREAM_URL_KEYS = {
    'replay': 'replay_url',
    'hls': 'hls_url',
    'https_hls': 'https_hls_url',
    'lhls': 'lhls_url',
    'lhlsweb': 'lhlsweb_url',
    'rtmp': 'rtmp_url',
}
# Which URL to download, best first. A live broadcast prefers its live playlists.
_REPLAY_ORDER = ('replay', 'https_hls', 'hls', 'lhlsweb', 'lhls')
_LIVE_ORDER = ('https_hls', 'hls', 'lhlsweb', 'lhls', 'replay')


class AccessCookies:
    """The access cookies of a stream, handed out only for the stream's own hosts.

    :param cookies: ``{name: value}``.
    :param hosts: the hosts (or cookie domains, leading dot or not) that may see them;
        their subdomains may too.
    """

    def __init__(self, cookies: Mapping[str, str], hosts: Iterable[str]) -> None:
        self.cookies = dict(cookies)
        self.hosts = {host.lower().lstrip('.') for host in hosts if host}

    def for_url(self, url: str) -> dict[str, str] | None:
        """The cookies to send with a GET of ``url``; None for other hosts (never leaked)."""
        host = (urlsplit(url).hostname or '').lower()
        if any(host == allowed or host.endswith('.' + allowed) for allowed in self.hosts):
            return self.cookies or None
        logger.debug('not sending stream cookies to %s', host)
        return None


@dataclass(frozen=True)
class StreamAccess:
    """What ``accessVideoPublic`` grants for one broadcast.

    ``streams`` is the dict :func:`get_broadcast_stream_urls` returns; ``cookie_domains``
    are the domains the cookies were issued for.
    """

    streams: dict[str, Any]
    cookie_domains: tuple[str, ...]

    @property
    def live(self) -> bool:
        """Whether the broadcast is RUNNING (captured from its live playlist)."""
        return bool(self.streams['state'] == 'RUNNING')

    def download_url(self) -> str | None:
        """The playlist to download, best first for a replay or a live broadcast; None if none."""
        order = _LIVE_ORDER if self.live else _REPLAY_ORDER
        return next((self.streams[key] for key in order if key in self.streams), None)

    def offered(self) -> str:
        """The stream URL keys present, for messages (``'none'`` if there are none)."""
        return ', '.join(key for key in STREAM_URL_KEYS if key in self.streams) or 'none'

    def cookies_for(self, url: str) -> AccessCookies:
        """The cookies, for the host of ``url`` and the cookies' own domains."""
        return AccessCookies(self.streams['cookies'],
                             [urlsplit(url).hostname or '', *self.cookie_domains])


def _cookie(item: Any) -> dict[str, str]:
    """One accessVideoPublic cookie (Go field names, or lowercase) as name, value, domain."""
    name = item.get('Name', item.get('name')) if isinstance(item, dict) else None
    content = item.get('Value', item.get('value')) if isinstance(item, dict) else None
    if not isinstance(name, str) or not name or not isinstance(content, str):
        raise PyPeriResponseError(
            'expected each accessVideoPublic cookie to be an object with string '
            f'Name and Value, got {type(item).__name__}')
    domain = item.get('Domain', item.get('domain'))
    return {'name': name, 'value': content, 'domain': domain if isinstance(domain, str) else ''}


def _cookie_list(value: Any) -> list[dict[str, str]]:
    """accessVideoPublic ``cookies`` as ``[{'name', 'value', 'domain'}]``."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise PyPeriResponseError(
            f'expected accessVideoPublic cookies to be a JSON array, got {type(value).__name__}')
    return [_cookie(item) for item in value]


def _playback_urls(body: Mapping[str, Any]) -> dict[str, str]:
    """The playback URLs present in an accessVideoPublic body, by result key."""
    found: dict[str, str] = {}
    for key, field in STREAM_URL_KEYS.items():
        value = body.get(field)
        if value in (None, ''):
            continue
        if not isinstance(value, str):
            raise PyPeriResponseError(
                f'expected accessVideoPublic {field} to be a URL string, '
                f'got {type(value).__name__}')
        found[key] = value
    return found


def _broadcast_state(body: Mapping[str, Any]) -> str | None:
    """The ``broadcast.state`` of an accessVideoPublic body, if it is a string."""
    broadcast = body.get('broadcast')
    if broadcast is not None and not isinstance(broadcast, dict):
        raise PyPeriResponseError(
            'expected accessVideoPublic broadcast to be a JSON object, '
            f'got {type(broadcast).__name__}')
    state = broadcast.get('state') if broadcast else None
    return state if isinstance(state, str) else None


def get_stream_access(client: ReplayClient, broadcast_id: str) -> StreamAccess | None:
    """The stream URLs and cookies of a broadcast; None when there is no such broadcast.

    :raises ValueError: ``broadcast_id`` is not a valid id.
    :raises PyPeriResponseError: the response is not shaped like Periscope's.
    """
    broadcast_id = urls.validate_broadcast_id(broadcast_id)
    body = client.request_api('accessVideoPublic', broadcast_id=broadcast_id)
    if body is None:
        return None
    streams: dict[str, Any] = _playback_urls(body)
    state = _broadcast_state(body)
    cookies = _cookie_list(body.get('cookies'))
    stream_type = body.get('type')
    streams['type'] = stream_type if isinstance(stream_type, str) else None
    streams['state'] = state
    streams['cookies'] = {cookie['name']: cookie['value'] for cookie in cookies}
    return StreamAccess(streams, tuple(cookie['domain'] for cookie in cookies
                                       if cookie['domain']))


def get_broadcast_stream_urls(client: ReplayClient, broadcast_id: str) -> dict[str, Any] | None:
    """The playback URLs of a broadcast, from the ``accessVideoPublic`` endpoint.

    Returns a dict with a key for each URL present among ``replay``, ``hls``,
    ``https_hls``, ``lhls``, ``lhlsweb`` and ``rtmp``, plus ``type`` (e.g.
    ``'StreamTypeReplay'``), ``state`` (``'RUNNING'``, ``'ENDED'``, ...) and
    ``cookies``, a plain ``{name: value}`` dict to send with every playlist and
    segment request (``requests.get(url, cookies=...)``). None if there is no
    such broadcast.

    :param client: a :class:`pyperi.Peri` (or any :class:`~pyperi.replay.ReplayClient`).
    :raises TypeError: ``client`` is not a ReplayClient, ``broadcast_id`` not a str.
    :raises ValueError: ``broadcast_id`` is not a valid id.
    :raises PyPeriResponseError: the response is not shaped like Periscope's.
    """
    access = get_stream_access(check_client(client), broadcast_id)
    return None if access is None else access.streams
