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
          ├── PyPeriNotArchivedError                          an archive holds no capture of it
          └── PyPeriDownloadError                              a replay cannot be saved
               ├── PyPeriStreamUnavailableError               no stream, playlist or segment
               └── PyPeriEncryptedStreamError                 segments are encrypted
"""
from __future__ import annotations

import math
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from .checks import check_optional_str, check_str

__all__ = [
    'PyPeriError',
    'PyPeriConnectionError',
    'PyPeriTimeout',
    'PyPeriHTTPError',
    'PyPeriRateLimitError',
    'PyPeriServerError',
    'PyPeriResponseError',
    'PyPeriNotArchivedError',
    'PyPeriDownloadError',
    'PyPeriStreamUnavailableError',
    'PyPeriEncryptedStreamError',
    'error_for_response',
    'parse_retry_after',
]


class PyPeriError(requests.RequestException):
    """Base of every error pyperi raises on purpose."""


class PyPeriConnectionError(PyPeriError, requests.ConnectionError):
    """The server could not be reached, or dropped the connection."""


class PyPeriTimeout(PyPeriError, requests.Timeout):
    """The server did not answer within the timeout."""


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
    """The ``msg`` field of a JSON error body, if there is one."""
    try:
        body = response.json()
    except (ValueError, RecursionError):   # RecursionError: absurdly deep nesting
        return None
    msg = body.get('msg') if isinstance(body, dict) else None
    return str(msg) if msg is not None else None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or HTTP date), or None.

    :raises TypeError: ``value`` is neither a ``str`` nor None.
    """
    value = check_optional_str(value, 'value')
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


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
