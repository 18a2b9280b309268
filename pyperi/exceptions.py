"""Exceptions raised by pyperi.

Every class also inherits the ``requests`` exception it resembles, so code
written as ``except requests.HTTPError`` keeps working::

    requests.RequestException
     └── PyPeriError
          ├── PyPeriConnectionError   (+ requests.ConnectionError)
          ├── PyPeriTimeout           (+ requests.Timeout)
          ├── PyPeriHTTPError         (+ requests.HTTPError)  any non-404 error status
          │    ├── PyPeriRateLimitError                      429, carries retry_after
          │    └── PyPeriServerError                          5xx
          ├── PyPeriResponseError     (+ ValueError)          a 2xx body Periscope never sends
          │    └── PyPeriResponseTooLargeError                larger than the body cap
          ├── PyPeriNotArchivedError                          an archive holds no capture of it
          └── PyPeriDownloadError                              a replay cannot be saved
               ├── PyPeriStreamUnavailableError               no stream, playlist or segment
               └── PyPeriEncryptedStreamError                 segments are encrypted
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from .checks import check_optional_str, check_str
from .redact import redact

__all__ = [
    'PyPeriError',
    'PyPeriConnectionError',
    'PyPeriTimeout',
    'PyPeriHTTPError',
    'PyPeriRateLimitError',
    'PyPeriServerError',
    'PyPeriResponseError',
    'PyPeriResponseTooLargeError',
    'PyPeriNotArchivedError',
    'PyPeriDownloadError',
    'PyPeriStreamUnavailableError',
    'PyPeriEncryptedStreamError',
    'error_for_response',
    'parse_retry_after',
    'MAX_RETRY_AFTER',
]

#: Longest ``Retry-After`` :func:`parse_retry_after` reports, in seconds (a day): a server
#: asking for a year, or for 10**400 seconds, gets a value every clock can hold.
MAX_RETRY_AFTER = 86400.0


class PyPeriError(requests.RequestException):
    """Base of every error pyperi raises on purpose."""


class PyPeriConnectionError(PyPeriError, requests.ConnectionError):
    """The server could not be reached, or dropped the connection."""


class PyPeriTimeout(PyPeriError, requests.Timeout):
    """The server did not answer within the timeout, or the call outlasted its deadline.

    :ivar which: ``'connect'``, ``'read'`` (the server stalled) or ``'deadline'`` (the
        whole call, retries and body included, took too long); None if unknown.
    :ivar seconds: the timeout or deadline that passed, when known.
    """

    def __init__(self, *args: Any, which: str | None = None, seconds: float | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.which = which
        self.seconds = seconds


class PyPeriHTTPError(PyPeriError, requests.HTTPError):
    """The server answered with an error status other than 404.

    :ivar status_code: the HTTP status.
    :ivar url: the URL requested (session tokens redacted).
    :ivar endpoint: the API endpoint name, when the URL was an API call.
    :ivar msg: the server's own ``msg`` field, if its body had one.
    """

    def __init__(self, *args: Any, status_code: int | None = None, url: str | None = None,
                 endpoint: str | None = None, msg: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status_code = status_code
        self.url = url
        self.endpoint = endpoint
        self.msg = msg


class PyPeriRateLimitError(PyPeriHTTPError):
    """HTTP 429: too many requests. ``retry_after`` is in seconds, or None."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after


class PyPeriServerError(PyPeriHTTPError):
    """HTTP 5xx: the server failed."""


class PyPeriResponseError(PyPeriError, ValueError):
    """A successful response whose body is not what Periscope sends."""


class PyPeriResponseTooLargeError(PyPeriResponseError):
    """A body larger than the cap pyperi reads (``Peri(max_body_bytes=...)``, or a playlist's).

    Nothing past the cap is read or kept.

    :ivar url: the URL (secrets redacted).
    :ivar limit: the cap, in decoded bytes.
    """

    def __init__(self, *args: Any, url: str | None = None, limit: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.url = url
        self.limit = limit


class PyPeriNotArchivedError(PyPeriError):
    """A web archive holds no capture of the URL asked for.

    This is not a 404: it says nothing about whether Periscope had the user or
    broadcast, only that nobody archived it (see :doc:`archives`).

    :ivar url: the URL asked for (session tokens redacted).
    :ivar nearest: ``(url, timestamp)`` of the archived captures nearest to it, closest first.
    """

    def __init__(self, *args: Any, url: str | None = None,
                 nearest: tuple[tuple[str, str], ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.url = url
        self.nearest = tuple(nearest)


class PyPeriDownloadError(PyPeriError):
    """A broadcast could not be downloaded (besides HTTP and connection errors)."""


class PyPeriStreamUnavailableError(PyPeriDownloadError):
    """There is nothing to download: no playable stream, or its playlist or a segment is gone."""


class PyPeriEncryptedStreamError(PyPeriDownloadError):
    """The playlist's segments are encrypted (EXT-X-KEY), which pyperi does not decrypt."""


def _server_msg(response: requests.Response) -> str | None:
    """The ``msg`` field of a JSON error body, if there is one.

    Reads ``response.content``: :meth:`pyperi.Peri.http_get` has read at most
    :data:`pyperi.bodies.MAX_ERROR_BODY_BYTES` of it by then.
    """
    try:
        body = json.loads((response.content or b'').removeprefix(b'\xef\xbb\xbf'))
    except (ValueError, RecursionError, RuntimeError):  # not JSON or UTF-8, absurdly deep
        # nesting, or a body streamed away already
        return None
    msg = body.get('msg') if isinstance(body, dict) else None
    return redact(str(msg)[:1000]) if msg is not None else None


_DELAY_SECONDS = re.compile(r'[0-9]+')


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header, or None if there is no valid one.

    The header holds whole seconds or an HTTP date (RFC 9110); anything else
    (``1.5``, ``-5``, ``soon``, ``1e309``, blank) is None, as if absent. A date in the
    past is 0; no value exceeds :data:`MAX_RETRY_AFTER`.

    :raises TypeError: ``value`` is neither a ``str`` nor None.
    """
    value = check_optional_str(value, 'value')
    if not value:
        return None
    value = value.strip()
    if _DELAY_SECONDS.fullmatch(value):
        # Compared as text first: int() of thousands of digits is refused, and slow.
        return MAX_RETRY_AFTER if len(value.lstrip('0')) > 6 else min(float(value),
                                                                      MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None or when.tzinfo is None:
        return None
    try:
        seconds = (when - datetime.now(timezone.utc)).total_seconds()
    except OverflowError:
        return None
    return min(max(0.0, seconds), MAX_RETRY_AFTER)


def error_for_response(response: requests.Response, *, url: str,
                       endpoint: str | None = None) -> PyPeriHTTPError:
    """Build the exception for an error ``response`` (status >= 400, not 404).

    ``url`` is what may be shown to people, so it must already be redacted.

    :raises TypeError: ``response`` is not a ``requests.Response``, ``url`` not a ``str``
        or ``endpoint`` neither a str nor None.
    """
    if not isinstance(response, requests.Response):
        raise TypeError(f'response must be a requests.Response, not {type(response).__name__}')
    check_str(url, 'url')
    check_optional_str(endpoint, 'endpoint')
    status = response.status_code
    msg = _server_msg(response)
    what = f'{endpoint} ({url})' if endpoint else url
    text = f'HTTP {status} {response.reason or ""}'.rstrip() + f' from {what}'
    if msg:
        text += f': {msg}'
    fields: dict[str, Any] = dict(status_code=status, url=url, endpoint=endpoint, msg=msg,
                                  response=response)
    if status == 429:
        retry_after = parse_retry_after(response.headers.get('Retry-After'))
        return PyPeriRateLimitError(text, retry_after=retry_after, **fields)
    if status >= 500:
        return PyPeriServerError(text, **fields)
    return PyPeriHTTPError(text, **fields)
