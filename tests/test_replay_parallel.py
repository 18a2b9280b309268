"""Unit tests for pyperi.replay.parallel: segments fetched in threads, handed back in order."""
from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any, Callable

import pytest

from pyperi import PyPeriServerError
from pyperi.hls import Segment
from pyperi.replay.parallel import ParallelFetcher

WAIT = 5.0   # seconds a test waits for another thread at most


def segments(n: int) -> list[Segment]:
    return [Segment(i, f'https://cdn.example/chunk_{i}.ts', 3.0) for i in range(n)]


class StubFetcher:
    """Stands in for a SegmentFetcher: each segment writes ``body(n)`` unless scripted else."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.before: dict[int, Callable[[], Any]] = {}   # run first (may wait or raise)
        self.gone: set[int] = set()
        self.endless: set[int] = set()   # write until the sink refuses (cancelled)
        self.started: list[int] = []
        self.finished: list[int] = []
        self.stopped: list[int] = []      # refused by a cancelled sink
        self.sleep: Any = None

    def with_sleep(self, sleep: Any) -> StubFetcher:
        self.sleep = sleep
        return self

    @staticmethod
    def body(n: int) -> bytes:
        return f'<{n}>'.encode() * (n + 1)

    def fetch(self, segment: Segment, sink: Any, *, missing_ok: bool = False) -> bool:
        n = segment.sequence
        with self.lock:
            self.started.append(n)
        try:
            if n in self.before:
                self.before[n]()
            if n in self.gone:
                return False
            if n in self.endless:
                for _ in range(int(WAIT * 1000)):
                    sink.write(b'x')
                    threading.Event().wait(0.001)
            sink.write(self.body(n))
        except BaseException:
            with self.lock:
                self.stopped.append(n)
            raise
        with self.lock:
            self.finished.append(n)
        return True


def parallel(stub: StubFetcher, tmp_path: Path, concurrency: int = 4) -> ParallelFetcher:
    return ParallelFetcher(stub, concurrency=concurrency, missing_ok=True,  # type: ignore
                           spill_directory=tmp_path, sleep=lambda s: None)


def collect(fetcher: ParallelFetcher, items: list[Segment]) -> list[tuple[int, bytes | None]]:
    got = []
    for item in fetcher.fetch(items):
        if item.spool is None:
            got.append((item.segment.sequence, None))
            continue
        chunks: list[bytes] = []

        class Out:
            def write(self, chunk: bytes) -> None:
                chunks.append(bytes(chunk))

        item.spool.write_to(Out())  # type: ignore[arg-type]
        item.spool.close()
        got.append((item.segment.sequence, b''.join(chunks)))
    return got


def segment_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith('pyperi-segment')]


def wait_until(condition: Callable[[], bool]) -> None:
    """Bounded polling: until ``condition()`` or WAIT seconds."""
    done = threading.Event()
    for _ in range(int(WAIT / 0.005)):
        if condition():
            return
        done.wait(0.005)
    raise AssertionError('condition not met in time')


def test_parallel__handed_back_in_order_when_completing_out_of_order(tmp_path: Path) -> None:
    stub = StubFetcher()
    # Segment 0 completes only after segments 1 to 3 have.
    stub.before[0] = lambda: wait_until(lambda: {1, 2, 3} <= set(stub.finished))
    with parallel(stub, tmp_path) as fetcher:
        got = collect(fetcher, segments(6))
    assert got == [(n, StubFetcher.body(n)) for n in range(6)]
    assert stub.finished.index(0) > stub.finished.index(3)


def test_parallel__at_most_concurrency_segments_fetched_or_held(tmp_path: Path) -> None:
    stub = StubFetcher()
    ahead: list[int] = []
    with parallel(stub, tmp_path, concurrency=3) as fetcher:
        for count, item in enumerate(fetcher.fetch(segments(12))):
            if item.spool is not None:
                item.spool.close()
            with stub.lock:
                ahead.append(len(stub.started) - count)
    assert max(ahead) <= 3
    assert sorted(stub.started) == list(range(12))


def test_parallel__a_gone_segment_comes_back_without_bytes(tmp_path: Path) -> None:
    stub = StubFetcher()
    stub.gone.add(1)
    with parallel(stub, tmp_path) as fetcher:
        got = collect(fetcher, segments(3))
    assert got[1] == (1, None) and got[2] == (2, StubFetcher.body(2))


def fail(n: int) -> Callable[[], Any]:
    def raise_it() -> None:
        raise PyPeriServerError(f'segment {n} failed', status_code=500)
    return raise_it


def test_parallel__a_failure_cancels_the_rest_and_no_thread_is_left(tmp_path: Path) -> None:
    stub = StubFetcher()
    stub.endless.add(0)   # would write for WAIT seconds unless cancelled
    stub.before[2] = fail(2)
    with pytest.raises(PyPeriServerError, match='segment 2'):
        with parallel(stub, tmp_path) as fetcher:
            collect(fetcher, segments(20))
    assert 0 in stub.stopped
    assert max(stub.started) < 4 + 1   # nothing was started after the window
    assert segment_threads() == []


def test_parallel__the_first_failure_is_the_one_raised(tmp_path: Path) -> None:
    stub = StubFetcher()
    first_failed = threading.Event()

    def fail_second() -> None:
        first_failed.wait(WAIT)
        raise PyPeriServerError('segment 0 failed later', status_code=500)

    def fail_first() -> None:
        first_failed.set()
        raise PyPeriServerError('segment 3 failed first', status_code=503)

    stub.before[0] = fail_second
    stub.before[3] = fail_first
    with pytest.raises(PyPeriServerError, match='segment 3 failed first'):
        with parallel(stub, tmp_path) as fetcher:
            collect(fetcher, segments(6))
    assert segment_threads() == []


def test_parallel__leaving_early_cancels_what_is_in_flight(tmp_path: Path) -> None:
    stub = StubFetcher()
    stub.endless.update({2, 3})
    with parallel(stub, tmp_path) as fetcher:
        with contextlib.closing(fetcher.fetch(segments(8))) as fetched:
            first = next(fetched)
            assert first.segment.sequence == 0
            assert first.spool is not None
            first.spool.close()
            wait_until(lambda: {2, 3} <= set(stub.started))
    assert {2, 3} <= set(stub.stopped)
    assert segment_threads() == []


def test_parallel__keyboard_interrupt_in_the_consumer_cancels(tmp_path: Path) -> None:
    stub = StubFetcher()
    stub.endless.add(1)
    with pytest.raises(KeyboardInterrupt):
        with parallel(stub, tmp_path) as fetcher:
            for item in fetcher.fetch(segments(4)):
                if item.spool is not None:
                    item.spool.close()
                wait_until(lambda: 1 in stub.started)
                raise KeyboardInterrupt
    assert 1 in stub.stopped
    assert segment_threads() == []


def test_parallel__pause_between_attempts_ends_when_cancelled(tmp_path: Path) -> None:
    import time
    stub = StubFetcher()
    fetcher = ParallelFetcher(stub, concurrency=2, missing_ok=False,  # type: ignore[arg-type]
                              spill_directory=tmp_path, sleep=time.sleep)
    with fetcher:
        started = time.monotonic()
        fetcher.close()   # cancelled: a pause on the real clock returns at once
        with pytest.raises(Exception) as caught:
            stub.sleep(30)
    assert time.monotonic() - started < WAIT
    assert type(caught.value).__name__ == '_Cancelled'


@pytest.mark.parametrize('bad', [0, -1])
def test_parallel__concurrency_below_one_is_value_error(tmp_path: Path, bad: int) -> None:
    with pytest.raises(ValueError, match='concurrency'):
        parallel(StubFetcher(), tmp_path, concurrency=bad)
