"""Following a stream's playlist: every segment of a replay, or a live one as it grows."""
from __future__ import annotations

import logging
import math
from typing import Any, Callable, Iterator, Protocol, Sequence

from .. import hls
from .playlists import PlaylistReader
from .protocol import ReplayClient

__all__ = ['DEFAULT_TARGET_DURATION', 'DEFAULT_MAX_IDLE', 'MIN_POLL_INTERVAL',
           'MAX_POLL_INTERVAL', 'poll_interval', 'PlaylistFollower', 'ReplayFollower',
           'LiveFollower']

logger = logging.getLogger(__name__)

#: Seconds to wait between polls of a live playlist that names no target duration.
DEFAULT_TARGET_DURATION = 2.0
#: Give up on a live playlist that has not grown for this many seconds.
DEFAULT_MAX_IDLE = 60.0
#: A live playlist is polled at least this many seconds apart, whatever its
#: EXT-X-TARGETDURATION says (Periscope's segments were 2 to 4 seconds long) ...
MIN_POLL_INTERVAL = 0.5
#: ... and at most this many: a playlist announcing ``#EXT-X-TARGETDURATION:100000``
#: is still polled every 15 seconds (and never longer than ``max_idle`` allows).
MAX_POLL_INTERVAL = 15.0


def poll_interval(target_duration: float | None) -> float:
    """Seconds between reloads of a live playlist whose target duration is ``target_duration``.

    A missing, zero, negative or non-finite target means :data:`DEFAULT_TARGET_DURATION`;
    the result is clamped to [:data:`MIN_POLL_INTERVAL`, :data:`MAX_POLL_INTERVAL`].
    """
    if target_duration is None or not math.isfinite(target_duration) or target_duration <= 0:
        target_duration = DEFAULT_TARGET_DURATION
    return min(MAX_POLL_INTERVAL, max(MIN_POLL_INTERVAL, target_duration))


class PlaylistFollower(Protocol):
    """Says which segments to fetch, in order, batch by batch.

    ``media`` is the playlist as first read; ``total`` is the number of segments, once
    known (None while a live playlist grows).
    """

    media: hls.MediaPlaylist
    total: int | None

    def batches(self, after: int | None = None, *, done: int = 0
                ) -> Iterator[Sequence[hls.Segment]]:
        """The segments to fetch, in order, a batch at a time.

        A batch may be fetched in parallel; the next is asked for only once the last
        is written. ``after`` skips segments up to that media sequence number, and
        ``done`` says how many segments before it are already in the file (a resumed
        download), so that ``total`` counts them.
        """
        ...


class ReplayFollower:
    """The segments of a finished broadcast's playlist, all known from the first read.

    ``total`` is the number of segments.
    """

    def __init__(self, media: hls.MediaPlaylist, broadcast_id: str) -> None:
        self.media = media
        self.broadcast_id = broadcast_id
        self.total: int | None = len(media.segments)

    def __iter__(self) -> Iterator[hls.Segment]:
        for batch in self.batches():
            yield from batch

    def batches(self, after: int | None = None, *, done: int = 0
                ) -> Iterator[Sequence[hls.Segment]]:
        """One batch: every segment after the sequence number ``after`` (None: all)."""
        yield [segment for segment in self.media.segments
               if after is None or segment.sequence > after]
        if not self.media.ended:
            logger.warning('broadcast %s: playlist has no EXT-X-ENDLIST but the broadcast is '
                           'not live; taking it as complete', self.broadcast_id)


class LiveFollower:
    """The segments of a live playlist as it grows, each once, until the broadcast ends.

    The playlist is reloaded every target duration, or half of that after a reload
    brought nothing new (as RFC 8216 suggests), within the bounds of
    :func:`poll_interval`, and never later than the moment ``max_idle`` runs out.
    Segments are de-duplicated by media sequence number. Following stops at
    EXT-X-ENDLIST, when the playlist disappears, when the broadcast leaves RUNNING
    (after one more reload, which picks up its last segments), or after ``max_idle``
    seconds without growth.

    ``total`` is None until the playlist ends, then the number of segments yielded
    and to come. Each reload's new segments are one batch; the next reload waits
    (``sleep``) until the consumer asks for the next batch.
    """

    def __init__(self, media: hls.MediaPlaylist, broadcast_id: str, *, reader: PlaylistReader,
                 client: ReplayClient, max_idle: float, sleep: Callable[[float], Any],
                 clock: Callable[[], float]) -> None:
        self.media = media
        self.broadcast_id = broadcast_id
        self.total: int | None = len(media.segments) if media.ended else None
        self._reader = reader
        self._client = client
        self._max_idle = max_idle
        self._sleep = sleep
        self._clock = clock
        self._yielded = 0
        self._next_sequence: int | None = None
        self._last_growth = self._last_check = 0.0
        self._leaving = False

    def __iter__(self) -> Iterator[hls.Segment]:
        for batch in self.batches():
            yield from batch

    def batches(self, after: int | None = None, *, done: int = 0
                ) -> Iterator[Sequence[hls.Segment]]:
        """The new segments of each reload (after the sequence number ``after``)."""
        self._last_growth = self._last_check = self._clock()
        if after is not None:
            self._next_sequence = after + 1
        self._yielded = done
        media: hls.MediaPlaylist | None = self.media
        while media is not None:
            new = self._unseen(media)
            if media.ended and self.total is None:
                self.total = self._yielded + len(new)
            if new:
                self._next_sequence = new[-1].sequence + 1
                self._yielded += len(new)
                yield new
            if media.ended or self._leaving or not self._keep_polling(media, grew=bool(new)):
                return
            media = self._reload(media, grew=bool(new))

    def _unseen(self, media: hls.MediaPlaylist) -> list[hls.Segment]:
        """The segments of ``media`` not yielded yet; warns about those that expired unseen."""
        after = self._next_sequence
        new = [s for s in media.segments if after is None or s.sequence >= after]
        if after is not None and new and new[0].sequence > after:
            logger.warning('broadcast %s: %d live segments expired before they were fetched',
                           self.broadcast_id, new[0].sequence - after)
        return new

    def _target(self, media: hls.MediaPlaylist) -> float:
        return poll_interval(media.target_duration)

    def _keep_polling(self, media: hls.MediaPlaylist, *, grew: bool) -> bool:
        """False once the playlist is idle too long; checks the broadcast's state now and then."""
        now = self._clock()
        if grew:
            self._last_growth = now
        elif now - self._last_growth >= self._max_idle:
            logger.warning('broadcast %s: live playlist idle for %.0fs; stopping',
                           self.broadcast_id, now - self._last_growth)
            return False
        elif now - self._last_check >= 2 * self._target(media):
            self._last_check = now
            # One more playlist fetch after the broadcast ends picks up its last segments.
            self._leaving = not self._still_running()
        return True

    def _still_running(self) -> bool:
        broadcast = self._client.get_broadcast_info(self.broadcast_id)
        return broadcast is not None and broadcast.get('state') == 'RUNNING'

    def _reload(self, media: hls.MediaPlaylist, *, grew: bool) -> hls.MediaPlaylist | None:
        """Wait, then read the playlist again; None when it is gone."""
        target = self._target(media)
        wait = target if grew else max(MIN_POLL_INTERVAL, target / 2)
        idle_left = self._max_idle - (self._clock() - self._last_growth)
        self._sleep(max(0.0, min(wait, idle_left)))
        reloaded = self._reader.media(media.url)  # a master playlist is not fetched again
        if reloaded is None:
            logger.info('broadcast %s: live playlist gone; capture complete', self.broadcast_id)
        return reloaded
