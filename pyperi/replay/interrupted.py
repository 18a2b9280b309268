""":class:`DownloadInterrupted`: what a download stopped by Ctrl-C left on disk."""
from __future__ import annotations

from pathlib import Path

__all__ = ['DownloadInterrupted']


class DownloadInterrupted(KeyboardInterrupt):
    """A download stopped by :class:`KeyboardInterrupt` (Ctrl-C, or SIGTERM where the program
    turns it into one), saying what it left on disk.

    It is a ``KeyboardInterrupt``, so code that stops on Ctrl-C still stops. A replay
    keeps its partial file for the next run to resume (``partial``); a live capture
    is finished with the segments complete so far and published (``path``).

    :ivar broadcast_id: the broadcast being downloaded.
    :ivar live: whether it was a live capture.
    :ivar path: the published file (a live capture with at least one segment), else None.
    :ivar partial: the partial file kept for resuming (a replay), else None.
    :ivar segments: complete segments written.
    :ivar total: segments in the playlist (None for a live one).
    :ivar seconds: seconds of media written (from the playlist's segment durations).
    """

    def __init__(self, *, broadcast_id: str, live: bool, path: Path | None,
                 partial: Path | None, segments: int, total: int | None,
                 seconds: float) -> None:
        self.broadcast_id = broadcast_id
        self.live = live
        self.path = path
        self.partial = partial
        self.segments = segments
        self.total = total
        self.seconds = seconds
        super().__init__(self._message())

    def _message(self) -> str:
        if self.path is not None:
            return (f'capture of {self.broadcast_id} stopped: {self.seconds:.1f} s '
                    f'({self.segments} segments) saved to {self.path}')
        if self.partial is not None:
            of = '' if self.total is None else f' of {self.total}'
            return (f'download of {self.broadcast_id} interrupted: {self.segments}{of} '
                    f'segments kept in {self.partial}; download it again to resume')
        return f'download of {self.broadcast_id} interrupted before any segment was complete'
