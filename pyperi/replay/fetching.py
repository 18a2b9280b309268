"""GETs of playlists and segments: redirects followed here, hop by hop; body errors mapped.

``requests`` re-sends per-request cookies on every redirect it follows, to whatever host
the redirect names. The stream's CloudFront cookies must reach only the stream's hosts,
so redirects are followed here instead: each hop is a GET of its own, with the cookies
:class:`~pyperi.replay.streams.AccessCookies` allows for that hop's host, and at most
:data:`MAX_REDIRECTS` hops, never in a loop, never to another scheme (``https`` to
``http`` included: it would send the cookies in clear).

A body read as a stream fails outside ``http_get``; :func:`reading_body` turns those
failures into pyperi's errors, as ``http_get`` does for the rest.
"""
from __future__ import annotations

import contextlib
import logging
from typing import Iterator
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import ReadTimeoutError

from .. import hls
from ..exceptions import (
    PyPeriConnectionError, PyPeriDownloadError, PyPeriError, PyPeriResponseError, PyPeriTimeout,
)
from .protocol import ReplayClient
from .streams import AccessCookies

__all__ = ['MAX_REDIRECTS', 'REDIRECT_STATUSES', 'get_following_redirects', 'reading_body']

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
                            stream: bool) -> requests.Response | None:
    """GET ``url`` as ``client.http_get`` does, following redirects hop by hop.

    Each hop gets the stream cookies only if its host is one of the stream's. The
    response returned is the last hop's (its ``url`` is where relative URIs resolve);
    with ``stream=True`` the caller closes it.

    :returns: None for a 404 at any hop.
    :raises PyPeriDownloadError: more than :data:`MAX_REDIRECTS` redirects, a loop, a
        redirect to another scheme (or from https to http), one without a Location, or
        another 3xx status.
    :raises PyPeriError: what ``client.http_get`` raises for a hop.
    """
    seen = {url}
    for _ in range(MAX_REDIRECTS + 1):
        response = client.http_get(url, stream=stream, cookies=cookies.for_url(url),
                                   allow_redirects=False)
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


@contextlib.contextmanager
def reading_body(url: str, what: str) -> Iterator[None]:
    """Map the errors of reading a streamed body of ``url`` to pyperi's.

    :param what: names the body in messages (``'playlist'``, ``'segment 12'``).
    :raises PyPeriTimeout: the server stopped sending (read timeout).
    :raises PyPeriConnectionError: the connection dropped or the body was cut off.
    :raises PyPeriResponseError: the body could not be decoded (Content-Encoding).
    """
    shown = hls.display_url(url)
    try:
        yield
    except PyPeriError:
        raise
    except requests.exceptions.ContentDecodingError as error:
        raise PyPeriResponseError(f'cannot decode the {what} from {shown}: '
                                  f'{_reason(error)}') from None
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as error:
        if _timed_out(error):
            raise PyPeriTimeout(f'the {what} from {shown} stopped coming: read timed out') \
                from None
        raise PyPeriConnectionError(f'the {what} from {shown} was cut off: '
                                    f'{_reason(error)}') from None
    except requests.Timeout:
        raise PyPeriTimeout(f'the {what} from {shown} stopped coming: timed out') from None


def _timed_out(error: BaseException) -> bool:
    """Whether ``error`` (requests wraps urllib3's) was caused by a read timeout."""
    return any(isinstance(arg, ReadTimeoutError) for arg in error.args) \
        or isinstance(error.__context__, ReadTimeoutError)


def _reason(error: BaseException) -> str:
    """What ``error`` says, short of any URL it quotes (a query may carry a signature)."""
    text = str(error)
    return text.split('?', 1)[0][:200]
