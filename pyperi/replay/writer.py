"""Writing whole segments, in playlist order, into the open temporary file of a download."""
from __future__ import annotations

from typing import IO

__all__ = ['SegmentWriter']


class SegmentWriter:
    """Appends segments one after another to ``out`` and counts what it wrote.

    Each segment goes between :meth:`begin` and :meth:`end`; :meth:`restart`
    truncates the file back to where the segment began, so a segment fetched again
    never leaves its first bytes twice. It is the
    :class:`~pyperi.replay.segments.SegmentSink` the fetcher streams into.
    """

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        #: Bytes of all segments ended so far.
        self.bytes_done = 0
        #: Segments ended so far, skipped ones included.
        self.segments_done = 0
        #: Segments skipped because they were gone (live capture).
        self.segments_missing = 0
        self._start = 0

    @property
    def empty(self) -> bool:
        """Whether no segment has been written (none ended, or all of them skipped)."""
        return self.segments_done == self.segments_missing

    def begin(self) -> None:
        """Start the next segment at the current end of the file."""
        self._start = self.out.tell()

    def write(self, chunk: bytes) -> None:
        """Append bytes of the current segment."""
        self.out.write(chunk)

    def restart(self) -> None:
        """Drop what the current segment has written so far."""
        self.out.seek(self._start)
        self.out.truncate()

    def end(self, *, skipped: bool = False) -> None:
        """Count the current segment as done (``skipped``: it was gone, nothing written)."""
        if skipped:
            self.segments_missing += 1
        self.bytes_done += self.out.tell() - self._start
        self.segments_done += 1
