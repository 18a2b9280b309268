"""One fetched segment held until its turn to be written: in memory, on disk past a limit."""
from __future__ import annotations

import contextlib
import os
import tempfile
from typing import IO

__all__ = ['SPILL_BYTES', 'SegmentSpool']

#: A segment larger than this goes to an anonymous temporary file rather than memory, so
#: an unexpectedly large segment cannot use unbounded memory.
SPILL_BYTES = 16 * 1024 * 1024


class SegmentSpool:
    """The bytes of one segment, fetched ahead of the file position where they belong.

    Chunks are kept as they came (no copy) until they add up to more than ``limit``
    bytes; then they move to an anonymous temporary file in ``directory`` (removed by
    the system when closed, even after a crash). It is the
    :class:`~pyperi.replay.segments.SegmentSink` a worker fetches into.

    :param directory: where a spilled segment goes (the download's own directory, so
        that a large segment fills the disk being written anyway, not ``/tmp``).
    :param limit: bytes kept in memory at most.
    """

    def __init__(self, directory: str | os.PathLike[str] | None = None, *,
                 limit: int = SPILL_BYTES) -> None:
        self.directory = directory
        self.limit = limit
        #: Bytes held so far.
        self.size = 0
        self._chunks: list[bytes] = []
        self._file: IO[bytes] | None = None

    @property
    def spilled(self) -> bool:
        """Whether the bytes are in a temporary file rather than in memory."""
        return self._file is not None

    def write(self, chunk: bytes) -> None:
        """Keep the next bytes of the segment."""
        self.size += len(chunk)
        if self._file is not None:
            self._file.write(chunk)
            return
        self._chunks.append(chunk)
        if self.size > self.limit:
            self._spill()

    def _spill(self) -> None:
        spill = tempfile.TemporaryFile(dir=self.directory, prefix='.pyperi-segment-')
        try:
            for chunk in self._chunks:
                spill.write(chunk)
        except BaseException:
            spill.close()
            raise
        self._file, self._chunks = spill, []

    def restart(self) -> None:
        """Forget the bytes kept so far: the segment is being fetched again."""
        self.size = 0
        self._chunks = []
        if self._file is not None:
            self._file.seek(0)
            self._file.truncate()

    def write_to(self, out: IO[bytes], chunk_size: int = 1024 * 1024) -> int:
        """Write every byte kept to ``out``; return how many."""
        if self._file is None:
            for chunk in self._chunks:
                out.write(chunk)
            return self.size
        self._file.flush()
        self._file.seek(0)
        written = 0
        while True:
            block = self._file.read(chunk_size)
            if not block:
                return written
            out.write(block)
            written += len(block)

    def close(self) -> None:
        """Let go of the bytes (and the temporary file)."""
        self.size = 0
        self._chunks = []
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
