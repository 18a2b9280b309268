"""Reading response bodies in bounded chunks: never more than a cap, never past a deadline.

The cap counts decoded bytes, so a small gzip body that inflates to a gigabyte is
stopped at the cap like a plain one; urllib3 (2.6 and later) decodes at most one
chunk ahead. Errors come out as pyperi's: :class:`~pyperi.PyPeriResponseTooLargeError`,
:class:`~pyperi.PyPeriTimeout`, :class:`~pyperi.PyPeriConnectionError` (the body was
cut off) or :class:`~pyperi.PyPeriResponseError` (it could not be decoded).
"""
from __future__ import annotations

from typing import Any, Iterator

import requests
from urllib3.exceptions import ReadTimeoutError

from .checks import check_int, check_optional_str
from .deadline import Deadline
from .exceptions import (
    PyPeriConnectionError,
    PyPeriError,
    PyPeriResponseError,
    PyPeriResponseTooLargeError,
    PyPeriTimeout,
)
from .redact import redact

__all__ = ['CHUNK_SIZE', 'DEFAULT_MAX_BODY_BYTES', 'MAX_ERROR_BODY_BYTES',
           'MAX_REDIRECT_BODY_BYTES', 'iter_body', 'read_body', 'keep_body']

#: Decoded bytes read at a time.
CHUNK_SIZE = 64 * 1024
#: Default cap on an API answer or a page (``Peri(max_body_bytes=...)``): 32 MiB, ten
#: times the largest page Periscope served.
DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024
#: Bytes of an error response's body kept for its message (the rest is not read).
MAX_ERROR_BODY_BYTES = 64 * 1024
#: Bytes of a redirect's body read so that the connection can be reused.
MAX_REDIRECT_BODY_BYTES = 64 * 1024


def _shown(response: requests.Response, url: str | None) -> str:
    return url if url is not None else redact(response.url or '<unknown URL>')


def _timeout(error: Exception, shown: str, deadline: Deadline | None,
             got: int) -> PyPeriTimeout:
    if deadline is not None and deadline.expired:
        return PyPeriTimeout(
            f'deadline of {deadline.seconds:g} s passed while reading the body of {shown} '
            f'({got} bytes read; it covers the whole call: Peri(deadline=...))',
            which='deadline', seconds=deadline.seconds)
    return PyPeriTimeout(f'the body of {shown} stalled after {got} bytes (nothing came within '
                         f'the read timeout): {redact(str(error))}', which='read')


def _check_arguments(response: Any, chunk_size: Any, max_bytes: Any, deadline: Any,
                     url: Any) -> None:
    if not isinstance(response, requests.Response):
        raise TypeError(f'response must be a requests.Response, not {type(response).__name__}')
    check_int(chunk_size, 'chunk_size', minimum=1)
    if max_bytes is not None:
        check_int(max_bytes, 'max_bytes', minimum=0)
    if deadline is not None and not isinstance(deadline, Deadline):
        raise TypeError(f'deadline must be a Deadline or None, not {type(deadline).__name__}')
    check_optional_str(url, 'url')


def iter_body(response: requests.Response, *, chunk_size: int = CHUNK_SIZE,
              max_bytes: int | None = None, deadline: Deadline | None = None,
              url: str | None = None) -> Iterator[bytes]:
    """Yield ``response``'s body, decoded, in chunks of at most ``chunk_size`` bytes.

    The response is closed when the body ends or reading it fails. This is how
    a streamed download keeps to a deadline: make one per request, pass it to
    ``Peri.http_get(..., stream=True, deadline=deadline)`` and here.

    :param max_bytes: raise rather than read more decoded bytes than this; None: no cap.
    :param deadline: raise once it has passed (checked between chunks; the
        session Peri makes also holds each socket read to it).
    :param url: the URL for messages, already redacted; default the response's, redacted.
    :raises PyPeriResponseTooLargeError: the body is larger than ``max_bytes``.
    :raises PyPeriTimeout: the deadline passed, or the server stalled.
    :raises PyPeriConnectionError: the connection dropped, or the body is shorter than
        its ``Content-Length``.
    :raises PyPeriResponseError: the body could not be decoded (``Content-Encoding``).
    :raises TypeError: an argument has the wrong type (at once, not when iterating).
    :raises ValueError: ``chunk_size`` or ``max_bytes`` is out of range (likewise).
    """
    _check_arguments(response, chunk_size, max_bytes, deadline, url)
    return _chunks(response, chunk_size, max_bytes, deadline, url)


def _source(response: requests.Response, chunk_size: int) -> Iterator[bytes]:
    if response.raw is None:   # a Response made by hand: its body, if any, is in memory
        content = response.content or b''
        return (content[i:i + chunk_size] for i in range(0, len(content), chunk_size))
    return response.iter_content(chunk_size)


def _chunks(response: requests.Response, chunk_size: int, max_bytes: int | None,
            deadline: Deadline | None, url: str | None) -> Iterator[bytes]:
    got = 0
    problem: PyPeriError | None = None
    try:
        for chunk in _source(response, chunk_size):
            got += len(chunk)
            if max_bytes is not None and got > max_bytes:
                problem = PyPeriResponseTooLargeError(
                    f'the body of {_shown(response, url)} is larger than the limit of '
                    f'{max_bytes} bytes (max_body_bytes)', url=_shown(response, url),
                    limit=max_bytes)
                break
            yield chunk
            if deadline is not None and deadline.expired:
                problem = _timeout(TimeoutError(), _shown(response, url), deadline, got)
                break
    except PyPeriError:
        raise
    except requests.exceptions.ContentDecodingError as error:
        problem = PyPeriResponseError(
            f'the body of {_shown(response, url)} could not be decoded '
            f'({response.headers.get("Content-Encoding")}): {redact(str(error))}')
    except requests.exceptions.ChunkedEncodingError as error:
        problem = PyPeriConnectionError(
            f'the body of {_shown(response, url)} was cut off: {redact(str(error))}')
    except (requests.ConnectionError, requests.Timeout) as error:
        timed_out = isinstance(error, requests.Timeout) or (
            bool(error.args) and isinstance(error.args[0], (ReadTimeoutError, TimeoutError)))
        problem = _timeout(error, _shown(response, url), deadline, got) if timed_out \
            else PyPeriConnectionError(f'the connection dropped while reading the body of '
                                       f'{_shown(response, url)}: {redact(str(error))}')
    except requests.RequestException as error:
        problem = PyPeriError(f'reading the body of {_shown(response, url)} failed: '
                              f'{redact(str(error))}')
    finally:
        if response.raw is not None:
            response.close()
    if problem is not None:
        raise problem from None


def read_body(response: requests.Response, *, max_bytes: int | None,
              deadline: Deadline | None = None, url: str | None = None) -> bytes:
    """``response``'s whole body, decoded; raises as :func:`iter_body` does.

    :raises PyPeriError: as :func:`iter_body`.
    :raises TypeError: an argument has the wrong type.
    :raises ValueError: ``max_bytes`` is negative.
    """
    return b''.join(iter_body(response, max_bytes=max_bytes, deadline=deadline, url=url))


def keep_body(response: requests.Response, content: bytes) -> requests.Response:
    """``response`` with ``content`` as its body, read already (``.content``, ``.json()``...).

    The connection must have been released (the body read to its end) or closed.

    :raises TypeError: ``response`` is not a ``requests.Response`` or ``content`` not bytes.
    """
    if not isinstance(response, requests.Response):
        raise TypeError(f'response must be a requests.Response, not {type(response).__name__}')
    if not isinstance(content, bytes):
        raise TypeError(f'content must be bytes, not {type(content).__name__}')
    # requests keeps a read body in these two attributes; its own code and test doubles
    # (responses, requests-cache) set them the same way.
    response._content = content
    response._content_consumed = True  # type: ignore[attr-defined]
    return response
