"""A full disk (ENOSPC) during a download: cleanup survives failing closes, and only a partial
file the journal vouches for (resumable) is left; nothing otherwise.

The disk is simulated: the partial file (or the journal) is opened over a raw file that
refuses writes past a quota with ENOSPC, and whose close() can fail too.
"""
from __future__ import annotations

import errno
import io
import os
from pathlib import Path
from typing import IO, Any

import pytest
import responses

from pyperi.replay import download_broadcast, journal, partial

from replay_mocks import (
    CDN, PLAYLIST, add_access, add_replay, files_in, media_playlist, segment_bytes,
)

fired = responses.activate(assert_all_requests_are_fired=True)


class FullDisk(io.FileIO):
    """A file on a disk that has room for ``quota`` bytes in it, and fails to close if told."""

    quota = 0
    close_fails = False

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > self.quota:
            raise OSError(errno.ENOSPC, 'No space left on device')
        written = super().write(data)
        return int(written or 0)

    def close(self) -> None:
        super().close()
        if self.close_fails:
            raise OSError(errno.EIO, 'close failed too')


def partial_on_full_disk(monkeypatch: pytest.MonkeyPatch, quota: int, *,
                         close_fails: bool = False) -> None:
    """The partial file gets room for ``quota`` bytes (its lock is kept)."""
    real_open = partial._open_locked

    def open_locked(path: Path) -> IO[bytes]:
        real = real_open(path)
        raw = FullDisk(os.dup(real.fileno()), 'r+b')
        raw.quota, raw.close_fails = quota, close_fails
        real.close()   # the duplicate keeps the lock
        return io.BufferedRandom(raw, buffer_size=64)

    monkeypatch.setattr(partial, '_open_locked', open_locked)


def journal_on_full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The journal cannot even take its first line."""
    def full_open(fd: int, mode: str, **kwargs: Any) -> IO[str]:
        raw = FullDisk(fd, 'r+b')
        return io.TextIOWrapper(io.BufferedRandom(raw), **kwargs)

    monkeypatch.setattr(journal, 'open', full_open, raising=False)


def segments_size(n: int) -> int:
    return sum(len(segment_bytes(i)) for i in range(n))


@pytest.mark.parametrize('concurrency', [1, 4])
@responses.activate   # in parallel, how many segments are fetched before the cancel varies
def test_full_at_the_first_segment_leaves_nothing(pp: Any, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  concurrency: int) -> None:
    partial_on_full_disk(monkeypatch, quota=100, close_fails=True)
    add_access()
    add_replay(3)
    with pytest.raises(OSError) as caught:
        download_broadcast(pp, 'BID', tmp_path, concurrency=concurrency)
    assert caught.value.errno == errno.ENOSPC
    assert 'nothing was kept' in str(caught.value)
    assert files_in(tmp_path) == []


@fired
def test_full_after_some_segments_keeps_a_resumable_partial(pp: Any, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    # Room for two segments and a half: the journal commits every segment (clock always
    # past the checkpoint), so two are vouched for; the half is cut off.
    ticks = iter(range(0, 10_000, 10))
    partial_on_full_disk(monkeypatch, quota=segments_size(2) + 150, close_fails=True)
    add_access()
    add_replay(4, fetched=3)
    with pytest.raises(OSError) as caught:
        download_broadcast(pp, 'BID', tmp_path, concurrency=1,
                           clock=lambda: float(next(ticks)))
    error = caught.value
    assert error.errno == errno.ENOSPC
    assert '2 complete segments kept in' in str(error) and '.BID.ts.part' in str(error)
    assert error.filename == str(tmp_path / 'BID.ts')
    assert files_in(tmp_path) == ['.BID.ts.journal', '.BID.ts.part']
    # Cut back to what the journal vouches for: no half segment keeps taking space.
    assert (tmp_path / '.BID.ts.part').stat().st_size == segments_size(2)
    # Space freed: the next download fetches only the two segments missing.
    monkeypatch.undo()
    responses.reset()
    add_access()
    responses.get(PLAYLIST, body=media_playlist([f'chunk_{i}.ts?x={i}' for i in range(4)]))
    for i in (2, 3):
        responses.get(f'{CDN}/b/BID/chunk_{i}.ts?x={i}', body=segment_bytes(i))
    path = download_broadcast(pp, 'BID', tmp_path)
    assert path.read_bytes() == b''.join(segment_bytes(i) for i in range(4))
    assert files_in(tmp_path) == ['BID.ts']


@fired
def test_full_when_the_journal_is_started_leaves_nothing(pp: Any, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    journal_on_full_disk(monkeypatch)
    add_access()
    add_replay(2, fetched=0)
    with pytest.raises(OSError) as caught:
        download_broadcast(pp, 'BID', tmp_path)
    assert caught.value.errno == errno.ENOSPC
    assert files_in(tmp_path) == []


@fired
def test_full_at_the_final_fsync_keeps_the_complete_partial(pp: Any, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    add_access()
    expected = add_replay(2)
    real_fsync = os.fsync
    calls: list[int] = []

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 1:   # the fsync before publishing (no checkpoint came before it)
            raise OSError(errno.ENOSPC, 'No space left on device')
        real_fsync(fd)

    monkeypatch.setattr(partial.os, 'fsync', fsync)
    with pytest.raises(OSError, match='2 complete segments kept'):
        download_broadcast(pp, 'BID', tmp_path, concurrency=1,
                           clock=lambda: 0.0)
    assert not (tmp_path / 'BID.ts').exists()
    assert (tmp_path / '.BID.ts.part').read_bytes() == expected


def test_keep_and_discard_never_raise_os_error(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    partial_on_full_disk(monkeypatch, quota=10, close_fails=True)
    download = partial.PartialDownload(tmp_path / 'x.ts')
    identity = journal.PlaylistIdentity('x', 'replay', '/p', 'f', 1)
    download.open(identity, (), resume=False)
    download.file.write(b'y' * 50)     # buffered: the disk refuses it at the flush
    assert download.keep() is False    # nothing vouched for: nothing kept
    assert files_in(tmp_path) == []
    download.discard()                 # again, on closed files: still no error


def test_failing_writes_are_simulated(tmp_path: Path) -> None:
    # The stand-in itself: writes past the quota fail with ENOSPC, close() fails after closing.
    raw = FullDisk(str(tmp_path / 'f'), 'w+b')
    raw.quota, raw.close_fails = 4, True
    assert raw.write(b'abcd') == 4
    with pytest.raises(OSError) as caught:
        raw.write(b'e')
    assert caught.value.errno == errno.ENOSPC
    with pytest.raises(OSError):
        raw.close()
    assert raw.closed
