"""Fetching one HLS segment into a sink, again from its start when the body is cut off."""
from __future__ import annotations

import contextlib
import logging
from typing import Any, Callable, Protocol

import requests

from .. import hls
from ..exceptions import PyPeriConnectionError, PyPeriStreamUnavailableError, PyPeriTimeout
from .fetching import get_following_redirects, reading_body
from .protocol import ReplayClient
from .streams import AccessCookies

__all__ = ['CHUNK_SIZE', 'SEGMENT_RETRIES', 'SegmentSink', 'SegmentFetcher']

logger = logging.getLogger(__name__)

#: Bytes read from the socket per write; memory use stays at about this much.
CHUNK_SIZE = 256 * 1024
#: Extra attempts at a segment whose body was cut off.
SEGMENT_RETRIES = 3

# A body cut off or never started: worth another attempt at the segment.
# PyPeriConnectionError and PyPeriTimeout from http_get are these too.
_RETRYABLE = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


class SegmentSink(Protocol):
    """Where a segment's bytes go (a :class:`~pyperi.replay.writer.SegmentWriter`)."""

    def write(self, chunk: bytes) -> Any:
        """Take the next bytes of the segment."""
        ...

    def restart(self) -> None:
        """Forget the bytes of this segment written so far: it is fetched again."""
        ...


def _check_complete(segment: hls.Segment, response: requests.Response, written: int) -> None:
    """Raise ChunkedEncodingError when fewer bytes came than the Content-Length promised."""
    expected = response.headers.get('Content-Length')
    # A decoded (gzip) body differs in length from its Content-Length: check identity only.
    identity = response.headers.get('Content-Encoding', 'identity').lower() == 'identity'
    if identity and expected is not None and expected.isdigit() and written != int(expected):
        raise requests.exceptions.ChunkedEncodingError(
            f'segment {segment.sequence}: got {written} of {expected} bytes')


def _retries_spent(segment: hls.Segment, attempts: int, error: Exception | None) -> Exception:
    """The error for a segment whose every attempt was cut off (a timeout stays a timeout)."""
    what = (f'segment {segment.sequence} failed after {attempts} attempts '
            f'({hls.display_url(segment.url)}): {error}')
    if isinstance(error, requests.Timeout):
        return PyPeriTimeout(what)
    return PyPeriConnectionError(what)


class SegmentFetcher:
    """GETs segments with the access cookies and streams their bodies into a sink.

    :param retries: extra attempts at a segment whose connection dropped.
    :param sleep: waits between attempts (``time.sleep`` or a stand-in).
    """

    def __init__(self, client: ReplayClient, cookies: AccessCookies, *, retries: int,
                 sleep: Callable[[float], Any]) -> None:
        self.client = client
        self.cookies = cookies
        self.retries = retries
        self.sleep = sleep

    def with_sleep(self, sleep: Callable[[float], Any]) -> SegmentFetcher:
        """The same fetcher pausing with ``sleep`` between attempts."""
        return SegmentFetcher(self.client, self.cookies, retries=self.retries, sleep=sleep)

    def fetch(self, segment: hls.Segment, sink: SegmentSink, *, missing_ok: bool = False) -> bool:
        """Stream ``segment`` into ``sink``; True once it is whole, False if it was skipped.

        A body cut off is fetched again from the segment's start (after
        ``sink.restart()``), so no byte is ever written twice, whatever the server
        does with Range requests. With ``missing_ok`` (live capture) a segment that
        is already gone (404) is skipped with a warning instead of failing.

        :raises PyPeriStreamUnavailableError: the segment is gone and not ``missing_ok``.
        :raises PyPeriConnectionError: every attempt was cut off (PyPeriTimeout: timed out).
        """
        last_error: Exception | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                sink.restart()
                self.sleep(min(0.25 * attempt, 2.0))
            try:
                self._stream(segment, sink)
            except PyPeriStreamUnavailableError:
                if not missing_ok:
                    raise
                logger.warning('live segment %d is gone (HTTP 404); skipped', segment.sequence)
                return False
            except _RETRYABLE as error:
                logger.warning('segment %d attempt %d failed: %s', segment.sequence,
                               attempt + 1, error)
                last_error = error
                continue
            return True
        raise _retries_spent(segment, self.retries + 1, last_error) from last_error

    def _stream(self, segment: hls.Segment, sink: SegmentSink) -> None:
        """One attempt: the whole body into ``sink``, constant memory."""
        response = get_following_redirects(self.client, segment.url, self.cookies, stream=True)
        if response is None:
            raise PyPeriStreamUnavailableError(
                f'segment {segment.sequence} is gone (HTTP 404): {hls.display_url(segment.url)}')
        with contextlib.closing(response), \
                reading_body(response.url or segment.url, f'segment {segment.sequence}'):
            written = 0
            for chunk in response.iter_content(CHUNK_SIZE):
                sink.write(chunk)
                written += len(chunk)
        _check_complete(segment, response, written)
