"""Fetching segments with a pool of threads and handing them back in playlist order.

The window of segments in flight is bounded: at most ``concurrency`` segments are
fetched or held at a time, so memory stays about ``concurrency`` times a segment's size
whatever the broadcast's length. The first segment that fails for good cancels the
others: they stop at their next chunk, no thread outlives the download, and the error
raised is the one that came first.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Callable, Generator, Iterable

from .. import hls
from .segments import SegmentFetcher
from .spool import SegmentSpool

__all__ = ['FetchedSegment', 'ParallelFetcher']

logger = logging.getLogger(__name__)


class _Cancelled(Exception):
    """Raised inside a worker whose download was cancelled; never leaves this module."""


@dataclass(frozen=True)
class FetchedSegment:
    """A segment and its bytes (``spool`` None: it was gone and is skipped)."""

    segment: hls.Segment
    spool: SegmentSpool | None


class _CancellableSink:
    """A spool that refuses further bytes once the download is cancelled."""

    def __init__(self, spool: SegmentSpool, cancel: threading.Event) -> None:
        self.spool = spool
        self.cancel = cancel

    def write(self, chunk: bytes) -> None:
        if self.cancel.is_set():
            raise _Cancelled
        self.spool.write(chunk)

    def restart(self) -> None:
        self.spool.restart()


class ParallelFetcher:
    """A pool of ``concurrency`` threads fetching segments for one download.

    Use it as a context manager (leaving it cancels what is in flight and waits for
    the threads), and iterate :meth:`fetch` for each batch of segments.

    :param fetcher: fetches one segment (cookies, retries); shared by the threads.
    :param concurrency: threads, and segments in flight or held at most.
    :param missing_ok: skip segments that are gone (404), as a live capture does.
    :param spill_directory: where a segment too large for memory is held.
    :param sleep: the pause between attempts at a segment (``time.sleep`` is replaced
        by a wait that ends early when the download is cancelled).
    """

    def __init__(self, fetcher: SegmentFetcher, *, concurrency: int, missing_ok: bool,
                 spill_directory: str | os.PathLike[str] | None,
                 sleep: Callable[[float], Any]) -> None:
        if concurrency < 1:
            raise ValueError(f'concurrency must be >= 1, got {concurrency!r}')
        self.concurrency = concurrency
        self.missing_ok = missing_ok
        self.spill_directory = spill_directory
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._first_error: BaseException | None = None
        self._failed: Future[None] = Future()   # done once a segment has failed for good
        self._sleep = sleep
        self._fetcher = fetcher.with_sleep(self._pause)
        self._pool: ThreadPoolExecutor | None = None

    def __enter__(self) -> ParallelFetcher:
        self._pool = ThreadPoolExecutor(max_workers=self.concurrency,
                                        thread_name_prefix='pyperi-segment')
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Cancel what is in flight and wait until every thread has stopped."""
        self._cancel.set()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _pause(self, seconds: float) -> None:
        """Pause between attempts at a segment; cut short when the download is cancelled."""
        if self._sleep is time.sleep:
            self._cancel.wait(seconds)
        else:
            self._sleep(seconds)
        if self._cancel.is_set():
            raise _Cancelled

    def _fail(self, error: BaseException) -> None:
        """Remember the first real failure and tell everyone to stop."""
        with self._lock:
            if self._first_error is not None or self._cancel.is_set():
                return
            self._first_error = error
            self._cancel.set()
        self._failed.set_result(None)

    def _fetch_one(self, segment: hls.Segment) -> SegmentSpool | None:
        """In a worker: the whole segment in a spool; None if gone and ``missing_ok``."""
        if self._cancel.is_set():
            raise _Cancelled
        spool = SegmentSpool(self.spill_directory)
        try:
            fetched = self._fetcher.fetch(segment, _CancellableSink(spool, self._cancel),
                                          missing_ok=self.missing_ok)
        except _Cancelled:
            spool.close()
            raise
        except BaseException as error:
            spool.close()
            self._fail(error)
            raise
        if not fetched:
            spool.close()
            return None
        return spool

    def _submit(self, segment: hls.Segment) -> Future[SegmentSpool | None]:
        if self._pool is None:
            raise RuntimeError('use ParallelFetcher as a context manager')
        return self._pool.submit(self._fetch_one, segment)

    def _raise_failure(self) -> None:
        error = self._first_error
        if error is not None:
            raise error

    def fetch(self, segments: Iterable[hls.Segment]) -> Generator[FetchedSegment, None, None]:
        """Fetch ``segments`` ahead, in parallel; yield each, whole, in their order.

        The caller writes each spool and closes it. Leaving the iteration early (an
        error, ``close()``) cancels the segments still in flight.

        :raises PyPeriError: (or OSError) the first segment to fail for good.
        """
        window: deque[tuple[hls.Segment, Future[SegmentSpool | None]]] = deque()
        pending = iter(segments)
        try:
            while True:
                while len(window) < self.concurrency:
                    segment = next(pending, None)
                    if segment is None:
                        break
                    window.append((segment, self._submit(segment)))
                if not window:
                    return
                segment, future = window[0]
                either: list[Future[Any]] = [future, self._failed]
                wait(either, return_when=FIRST_COMPLETED)
                self._raise_failure()
                window.popleft()
                yield FetchedSegment(segment, future.result())
        except BaseException:
            self._cancel.set()
            _abandon(window)
            raise


def _abandon(window: Iterable[tuple[hls.Segment, Future[SegmentSpool | None]]]) -> None:
    """Let go of segments fetched ahead but never handed out; wait for those in flight."""
    futures = [future for _, future in window]
    for future in futures:
        future.cancel()
    for future in futures:
        # A failed one was reported when it failed (the first) or failed for the cancel.
        if not future.cancelled() and future.exception() is None:
            spool = future.result()
            if spool is not None:
                spool.close()
