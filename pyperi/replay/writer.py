"""Writing whole segments, in playlist order, into the open partial file of a download."""
from __future__ import annotations

from typing import IO, Callable, Sequence

from .. import hls
from .journal import JournalEntry
from .spool import SegmentSpool

__all__ = ['SegmentWriter']


class SegmentWriter:
    """Appends segments one after another to ``out`` and counts what it wrote.

    A segment is either streamed between :meth:`begin` and :meth:`end` (the writer is
    then the :class:`~pyperi.replay.segments.SegmentSink` the fetcher writes into;
    :meth:`restart` truncates the file back to where the segment began, so a segment
    fetched again never leaves its first bytes twice), or appended whole from a
    :class:`~pyperi.replay.spool.SegmentSpool` with :meth:`append`.

    :param on_segment: told of each segment complete (not of skipped ones), as a
        :class:`~pyperi.replay.journal.JournalEntry`.
    :param start: the complete segments already in ``out`` (a resumed download);
        ``out`` is positioned at their end.
    """

    def __init__(self, out: IO[bytes], *,
                 on_segment: Callable[[JournalEntry], object] | None = None,
                 start: Sequence[JournalEntry] = ()) -> None:
        self.out = out
        self.on_segment = on_segment
        #: Bytes of all segments ended so far.
        self.bytes_done = start[-1].end if start else 0
        #: Segments ended so far, skipped ones included.
        self.segments_done = len(start)
        #: Segments skipped because they were gone (live capture).
        self.segments_missing = 0
        #: Seconds of media written (the playlist's durations).
        self.seconds_done = sum(entry.duration for entry in start)
        self._start = self.bytes_done
        self._segment: hls.Segment | None = None

    @property
    def empty(self) -> bool:
        """Whether no segment has been written (none ended, or all of them skipped)."""
        return self.segments_done == self.segments_missing

    def begin(self, segment: hls.Segment) -> None:
        """Start ``segment`` at the current end of the file."""
        self._segment = segment
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
        segment = self._segment
        if segment is None:
            raise RuntimeError('end() without begin()')
        self._segment = None
        self.segments_done += 1
        if skipped:
            self.segments_missing += 1
            return
        end = self.out.tell()
        self.bytes_done += end - self._start
        self.seconds_done += segment.duration
        if self.on_segment is not None:
            self.on_segment(JournalEntry(segment.sequence, end, segment.duration))

    def append(self, segment: hls.Segment, spool: SegmentSpool | None) -> None:
        """Write the whole ``segment`` from ``spool`` (None: it was gone, skip it)."""
        self.begin(segment)
        if spool is not None:
            spool.write_to(self.out)
        self.end(skipped=spool is None)
