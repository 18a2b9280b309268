"""GETs of playlists and segments: redirects followed here, hop by hop, within one deadline.

``requests`` re-sends per-request cookies on every redirect it follows, to whatever host
the redirect names. The stream's CloudFront cookies must reach only the stream's hosts,
so redirects are followed here instead: each hop is a GET of its own, with the cookies
:class:`~pyperi.replay.streams.AccessCookies` allows for that hop's host, and at most
:data:`MAX_REDIRECTS` hops, never in a loop, never to another scheme (``https`` to
``http`` included: it would send the cookies in clear).

Every hop of one playlist or segment shares one :class:`~pyperi.deadline.Deadline`,
which the caller then also gives :func:`pyperi.bodies.iter_body` to read the body: a
server dripping headers or bytes, or redirecting slowly, is stopped when it passes.
"""
from __future__ import annotations

import logging
from urllib.parse import urljoin, urlsplit

import requests

from .. import hls
from ..deadline import Deadline
from ..exceptions import PyPeriDownloadError
from .protocol import ReplayClient
from .streams import AccessCookies

__all__ = ['MAX_REDIRECTS', 'REDIRECT_STATUSES', 'get_following_redirects']

logger = logging.getLogger(__name__)

#: Redirects followed at most for one playlist or segment.
MAX_REDIRECTS = 10
#: The statuses that redirect a GET.
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def _next_url(response: requests.Response, url: str, seen: set[str]) -> str:
    """Where the redirect ``response`` to a GET of ``url`` points, if it may be followed.

    :raises PyPeriDownloadError: no Location, another scheme, a loop.
    """
    location = response.headers.get('Location')
    if not location or not location.strip():
        raise PyPeriDownloadError(
            f'HTTP {response.status_code} redirect without a Location from {hls.display_url(url)}')
    target = urljoin(url, location.strip()).partition('#')[0]
    scheme, old_scheme = urlsplit(target).scheme.lower(), urlsplit(url).scheme.lower()
    if scheme not in ('http', 'https') or (old_scheme == 'https' and scheme == 'http'):
        raise PyPeriDownloadError(
            f'refused a redirect from {old_scheme} to another scheme ({scheme or "none"}): '
            f'{hls.display_url(url)} -> {hls.display_url(target)[:200]}')
    if target in seen:
        raise PyPeriDownloadError(
            f'redirect loop: {hls.display_url(url)} -> {hls.display_url(target)}, '
            f'which redirected here before')
    return target


def get_following_redirects(client: ReplayClient, url: str, cookies: AccessCookies, *,
                            deadline: Deadline) -> requests.Response | None:
    """GET ``url`` streamed, as ``client.http_get`` does, following redirects hop by hop.

    Each hop gets the stream cookies only if its host is one of the stream's, and all
    of them keep to ``deadline``. The response returned is the last hop's (its ``url``
    is where relative URIs resolve); the caller reads its body (with
    :func:`pyperi.bodies.iter_body` and the same deadline) and closes it.

    :returns: None for a 404 at any hop.
    :raises PyPeriDownloadError: more than :data:`MAX_REDIRECTS` redirects, a loop, a
        redirect to another scheme (or from https to http), one without a Location, or
        another 3xx status.
    :raises PyPeriTimeout: the deadline passed.
    :raises PyPeriError: what ``client.http_get`` raises for a hop.
    """
    seen = {url}
    for _ in range(MAX_REDIRECTS + 1):
        response = client.http_get(url, stream=True, cookies=cookies.for_url(url),
                                   allow_redirects=False, deadline=deadline)
        if response is None or response.status_code < 300:
            return response
        if response.status_code not in REDIRECT_STATUSES:
            response.close()   # 300, 304...: no body of a playlist or segment
            raise PyPeriDownloadError(
                f'unexpected HTTP {response.status_code} from {hls.display_url(url)}')
        try:
            target = _next_url(response, url, seen)
        finally:
            response.close()
        logger.debug('HTTP %d: %s redirects to %s', response.status_code,
                     hls.display_url(url), hls.display_url(target))
        seen.add(target)
        url = target
    raise PyPeriDownloadError(
        f'more than {MAX_REDIRECTS} redirects, the last to {hls.display_url(url)}')
