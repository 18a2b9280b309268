"""Fetching one HLS segment into a sink, again from its start when the body is cut off."""
from __future__ import annotations

import logging
from typing import Any, Callable, Protocol

import requests

from .. import hls
from ..bodies import iter_body
from ..deadline import Deadline
from ..exceptions import PyPeriConnectionError, PyPeriStreamUnavailableError, PyPeriTimeout
from .fetching import get_following_redirects
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


def _attempts(count: int) -> str:
    return f'{count} attempt' if count == 1 else f'{count} attempts'


def _retries_spent(segment: hls.Segment, attempts: int, error: Exception | None) -> Exception:
    """The error for a segment whose every attempt was cut off (a timeout stays a timeout)."""
    what = (f'segment {segment.sequence} failed after {_attempts(attempts)} '
            f'({hls.display_url(segment.url)}): {error}')
    if isinstance(error, requests.Timeout):
        return PyPeriTimeout(what, which=getattr(error, 'which', None),
                             seconds=getattr(error, 'seconds', None))
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

        The whole segment, every attempt, redirect, pause and byte of it, keeps to one
        deadline of the client's ``deadline`` seconds: a server dripping headers or
        bytes is given up when it passes, and no attempt starts after it.

        :raises PyPeriStreamUnavailableError: the segment is gone and not ``missing_ok``.
        :raises PyPeriConnectionError: every attempt was cut off.
        :raises PyPeriTimeout: an attempt timed out and no other could follow, or the
            deadline passed (``which == 'deadline'``).
        """
        deadline = Deadline(self.client.deadline)
        last_error: Exception | None = None
        attempts = 0
        out_of_time = False
        for attempt in range(self.retries + 1):
            if attempt:
                pause = min(0.25 * attempt, 2.0)
                out_of_time = deadline.remaining() <= pause
                if out_of_time:
                    break
                sink.restart()
                self.sleep(pause)
            attempts += 1
            try:
                self._stream(segment, sink, deadline)
            except PyPeriStreamUnavailableError:
                if not missing_ok:
                    raise
                logger.warning('live segment %d is gone (HTTP 404); skipped', segment.sequence)
                return False
            except _RETRYABLE as error:
                logger.warning('segment %d attempt %d failed: %s', segment.sequence,
                               attempt + 1, error)
                last_error = error
                out_of_time = deadline.expired
                if out_of_time:
                    break
                continue
            return True
        if out_of_time:
            raise PyPeriTimeout(
                f'segment {segment.sequence} did not come whole within the deadline of '
                f'{deadline.seconds:g} s ({_attempts(attempts)}; {hls.display_url(segment.url)}): '
                f'{last_error}', which='deadline', seconds=deadline.seconds) from None
        raise _retries_spent(segment, attempts, last_error) from None

    def _stream(self, segment: hls.Segment, sink: SegmentSink, deadline: Deadline) -> None:
        """One attempt: the whole body into ``sink``, constant memory, within ``deadline``."""
        response = get_following_redirects(self.client, segment.url, self.cookies,
                                           deadline=deadline)
        if response is None:
            raise PyPeriStreamUnavailableError(
                f'segment {segment.sequence} is gone (HTTP 404): {hls.display_url(segment.url)}')
        written = 0
        try:
            for chunk in iter_body(response, chunk_size=CHUNK_SIZE, deadline=deadline,
                                   url=hls.display_url(response.url or segment.url)):
                sink.write(chunk)
                written += len(chunk)
        finally:
            response.close()   # iter_body closes it at the end; this, when the sink fails
        _check_complete(segment, response, written)
