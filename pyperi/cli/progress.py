"""The progress line of downloads on a terminal's stderr: LIVE and the time recorded, or
the percentage and ETA of a replay; ``[2/5]`` for the broadcasts of ``download --user``.

:func:`progress_text` is pure; :class:`ProgressLine` redraws it in place with ``\\r``,
at most every :data:`REDRAW_SECONDS`, cut to the terminal's width.
"""
from __future__ import annotations

import time
from typing import IO, Callable

from pyperi.formatting import display_width, format_duration, truncate
from pyperi.replay import DownloadProgress

__all__ = ['LIVE_HINT', 'REDRAW_SECONDS', 'format_bytes', 'progress_text', 'ProgressLine']

#: Said once on stderr when a download turns out to be a live capture.
LIVE_HINT = ('live broadcast: recording until it ends; press Ctrl-C to stop and keep what '
             'was recorded')
#: Shortest time between two redraws of the line (the last state is always drawn).
REDRAW_SECONDS = 0.2

_UNITS = ('B', 'KiB', 'MiB', 'GiB', 'TiB')


def format_bytes(count: int) -> str:
    """``count`` bytes for people, in powers of 1024: ``512 B``, ``11.1 MiB``."""
    value = float(count)
    for unit in _UNITS:
        if abs(value) < 1024 or unit == _UNITS[-1]:
            return f'{count} B' if unit == 'B' else f'{value:.1f} {unit}'
        value /= 1024
    raise AssertionError('unreachable')   # pragma: no cover


def progress_text(label: str, report: DownloadProgress, *, elapsed: float,
                  segments_before: int = 0) -> str:
    """One line: ``LABEL  LIVE  recorded H:MM:SS  SIZE  N segments`` for a live capture,
    ``LABEL  45%  120/265 segments  SIZE  ETA H:MM:SS`` for a replay.

    The ETA comes from the pace of this run: ``elapsed`` seconds for the segments
    written since ``segments_before`` (those a resumed download already had).
    """
    size = format_bytes(report.bytes_done)
    done, total = report.segments_done, report.segments_total
    if report.live or total is None:
        return (f'{label}  LIVE  recorded {format_duration(report.seconds_done)}  {size}  '
                f'{done} segment{"" if done == 1 else "s"}')
    percent = 100 * done // total if total else 100
    fetched = done - segments_before
    if done >= total:
        eta = 'done'
    elif fetched > 0 and elapsed > 0:
        eta = 'ETA ' + format_duration((total - done) * elapsed / fetched)
    else:
        eta = 'ETA ?'
    return f'{label}  {percent:3d}%  {done}/{total} segments  {size}  {eta}'


class ProgressLine:
    """The progress of one download after another, redrawn in place on ``stream``.

    ``draw=False`` draws nothing but still says :data:`LIVE_HINT` (through ``say``)
    once, when a download turns out to be live.
    """

    def __init__(self, stream: IO[str], label: str, *, width: int | None = None,
                 draw: bool = True, say: Callable[[str], None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._width = width
        self._draw = draw
        self._say = say
        self._clock = clock
        self._shown = 0            # cells of the line now on screen
        self._hinted = False
        self.start(label)

    def start(self, label: str) -> None:
        """A new download begins: its label, its clock, and no segments seen yet."""
        self._label = label
        self._started = self._clock()
        self._before: int | None = None
        self._last_drawn: float | None = None

    def update(self, report: DownloadProgress) -> None:
        """Show ``report`` (now and then; always its last segment)."""
        if report.live and not self._hinted:
            self._hinted = True
            if self._say is not None:
                self.clear()
                self._say(LIVE_HINT)
        if not self._draw:
            return
        if self._before is None:
            self._before = report.segments_done
            self._started = self._clock()
        now = self._clock()
        last = report.segments_total is not None and report.segments_done >= \
            report.segments_total
        if not last and self._last_drawn is not None and \
                now - self._last_drawn < REDRAW_SECONDS:
            return
        self._last_drawn = now
        text = progress_text(self._label, report, elapsed=now - self._started,
                             segments_before=self._before)
        if self._width is not None:   # one cell spare: a full line would wrap
            text = truncate(text, max(10, self._width - 1))
        shown = display_width(text)
        self._stream.write('\r' + text + ' ' * max(0, self._shown - shown))
        self._stream.flush()
        self._shown = shown

    def clear(self) -> None:
        """Erase the line, if one is drawn."""
        if self._shown:
            self._stream.write('\r' + ' ' * self._shown + '\r')
            self._stream.flush()
            self._shown = 0
