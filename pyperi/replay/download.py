"""Downloading one broadcast: its playlist followed, segments fetched and written in order.

The pieces, each replaceable on its own: a :class:`~pyperi.replay.follower.ReplayFollower`
or :class:`~pyperi.replay.follower.LiveFollower` says which segments to fetch, batch by
batch; a :class:`~pyperi.replay.segments.SegmentFetcher` fetches each one, alone or in a
:class:`~pyperi.replay.parallel.ParallelFetcher`'s pool of threads; a
:class:`~pyperi.replay.writer.SegmentWriter` appends them in order to the partial file
of a :class:`~pyperi.replay.partial.PartialDownload`, whose journal lets an interrupted
download resume, and which is published under the target's name only when complete.
"""
from __future__ import annotations

import contextlib
import errno
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence, Union

from .. import hls
from ..exceptions import PyPeriStreamUnavailableError
from .arguments import check_callable, check_client, check_count, check_flag, check_seconds
from .files import PathLike, exists_error, target_path
from .follower import DEFAULT_MAX_IDLE, LiveFollower, PlaylistFollower, ReplayFollower
from .interrupted import DownloadInterrupted
from .journal import JournalEntry, PlaylistIdentity
from .parallel import ParallelFetcher
from .partial import PartialDownload
from .playlists import PlaylistReader
from .protocol import ReplayClient
from .segments import SEGMENT_RETRIES, SegmentFetcher
from .streams import StreamAccess, get_stream_access
from .writer import SegmentWriter

__all__ = ['ProgressCallback', 'DownloadProgress', 'ProgressReport', 'DEFAULT_CONCURRENCY',
           'MAX_CONCURRENCY', 'MAX_SEGMENT_RETRIES', 'CHECKPOINT_SECONDS', 'download_broadcast']

logger = logging.getLogger(__name__)

#: ``progress(bytes_done, bytes_expected, segments_done, segments_total)``.
ProgressCallback = Callable[[int, Union[int, None], int, Union[int, None]], None]


@dataclass(frozen=True)
class DownloadProgress:
    """Where one download stands, as :func:`download_broadcast` passes it to ``on_progress``.

    ``segments_total`` is None while a live playlist is still growing;
    ``seconds_done`` is the playing time of the segments written (for a live
    capture, the time recorded so far).
    """

    broadcast_id: str
    live: bool
    bytes_done: int
    segments_done: int
    segments_total: int | None
    seconds_done: float


#: Called as ``on_progress(DownloadProgress(...))``.
ProgressReport = Callable[[DownloadProgress], Any]

#: Segments fetched at once by default.
DEFAULT_CONCURRENCY = 8
#: The most segments fetched at once: the connections a :class:`pyperi.Peri` keeps per
#: host (``pyperi.client.POOL_SIZE``), so that every thread reuses a connection.
MAX_CONCURRENCY = 32
#: Seconds between commits of the journal (each after an fsync of the partial file).
CHECKPOINT_SECONDS = 2.0


@dataclass(frozen=True)
class _Options:
    """How one download behaves, as :func:`download_broadcast` was asked."""

    progress: ProgressCallback | None
    concurrency: int
    max_idle: float
    segment_retries: int
    sleep: Callable[[float], Any]
    clock: Callable[[], float]
    on_progress: ProgressReport | None = None

    def report(self, writer: SegmentWriter, total: int | None, broadcast_id: str,
               live: bool) -> None:
        if self.progress is not None:
            self.progress(writer.bytes_done, None, writer.segments_done, total)
        if self.on_progress is not None:
            self.on_progress(DownloadProgress(broadcast_id, live, writer.bytes_done,
                                              writer.segments_done, total,
                                              writer.seconds_done))


#: The most extra attempts at one segment (each bounded by the client's deadline).
MAX_SEGMENT_RETRIES = 20


def check_download_options(segment_retries: Any, concurrency: Any, resume: Any, *,
                           overwrite: Any = False, progress: Any = None,
                           max_idle: Any = DEFAULT_MAX_IDLE, sleep: Any = time.sleep,
                           clock: Any = time.monotonic, on_progress: Any = None) -> None:
    """Fail fast on options :func:`download_broadcast` cannot use, before any request.

    :raises TypeError: a flag is not a bool, a callback not callable, a number not a number.
    :raises ValueError: ``segment_retries``, ``concurrency`` or ``max_idle`` is out of range.
    """
    check_count(segment_retries, 'segment_retries', 0, MAX_SEGMENT_RETRIES)
    check_count(concurrency, 'concurrency', 1, MAX_CONCURRENCY)
    check_flag(resume, 'resume')
    check_flag(overwrite, 'overwrite')
    check_callable(progress, 'progress')
    check_callable(on_progress, 'on_progress')
    check_seconds(max_idle, 'max_idle')
    check_callable(sleep, 'sleep', optional=False)
    check_callable(clock, 'clock', optional=False)


# errno values of a full disk or an exhausted quota.
_DISK_FULL = frozenset(code for code in (errno.ENOSPC, getattr(errno, 'EDQUOT', None))
                       if code is not None)


def _disk_full(error: OSError, partial: PartialDownload, kept: bool) -> OSError:
    """The error for a download the disk had no room for, saying what was kept on it."""
    if kept:
        what = (f'{partial.complete} complete segments kept in {str(partial.path)!r} (and its '
                f'journal) to resume: free some space and download again, or delete them')
    else:
        what = 'nothing was kept'
    return OSError(error.errno, f'{error.strerror or "No space left on device"}; {what}',
                   str(partial.target))


def _stream_to_download(client: ReplayClient, broadcast_id: str) -> tuple[StreamAccess, str]:
    """The broadcast's stream access and the playlist URL to download."""
    access = get_stream_access(client, broadcast_id)
    if access is None:
        raise PyPeriStreamUnavailableError(f'no broadcast {broadcast_id!r}')
    url = access.download_url()
    if url is None:
        raise PyPeriStreamUnavailableError(
            f'broadcast {broadcast_id} has no HLS stream to download '
            f'(stream URLs: {access.offered()})')
    return access, url


def _follower(client: ReplayClient, broadcast_id: str, live: bool, reader: PlaylistReader,
              url: str, options: _Options) -> PlaylistFollower:
    """The follower of the playlist at ``url``: live polling, or a replay's one read."""
    media = reader.media(url)
    if media is None:
        raise PyPeriStreamUnavailableError(
            f'the playlist of broadcast {broadcast_id} is gone (HTTP 404): {hls.display_url(url)}')
    if not live:
        if not media.segments:
            raise PyPeriStreamUnavailableError(
                f'broadcast {broadcast_id} has no segments to download')
        return ReplayFollower(media, broadcast_id)
    return LiveFollower(media, broadcast_id, reader=reader, client=client,
                        max_idle=options.max_idle, sleep=options.sleep, clock=options.clock)


class _Download:
    """One download in progress: the segments of ``follower`` written into ``partial``."""

    def __init__(self, follower: PlaylistFollower, fetcher: SegmentFetcher,
                 partial: PartialDownload, kept: tuple[JournalEntry, ...], *, live: bool,
                 options: _Options, broadcast_id: str = '') -> None:
        self.broadcast_id = broadcast_id
        self.follower = follower
        self.fetcher = fetcher
        self.partial = partial
        self.kept = kept
        self.live = live
        self.options = options
        self.writer = SegmentWriter(partial.file, on_segment=partial.add, start=kept)
        self._last_checkpoint = options.clock()

    def run(self) -> None:
        """Fetch and write every segment not already in the partial file."""
        after = self.kept[-1].sequence if self.kept else None
        self._report()
        parallel = None
        if self.options.concurrency > 1:
            parallel = ParallelFetcher(self.fetcher, concurrency=self.options.concurrency,
                                       missing_ok=self.live,
                                       spill_directory=self.partial.path.parent,
                                       sleep=self.options.sleep)
        with parallel or contextlib.nullcontext():
            for batch in self.follower.batches(after, done=len(self.kept)):
                if parallel is None:
                    self._one_at_a_time(batch)
                else:
                    self._in_parallel(parallel, batch)

    def _one_at_a_time(self, batch: Sequence[hls.Segment]) -> None:
        """Stream each segment straight into the file (``concurrency=1``)."""
        for segment in batch:
            self.writer.begin(segment)
            fetched = self.fetcher.fetch(segment, self.writer, missing_ok=self.live)
            self.writer.end(skipped=not fetched)
            self._written()

    def _in_parallel(self, parallel: ParallelFetcher, batch: Sequence[hls.Segment]) -> None:
        """Fetch the batch ahead in threads; write each segment whole, in order."""
        with contextlib.closing(parallel.fetch(batch)) as fetched:
            for item in fetched:
                try:
                    self.writer.append(item.segment, item.spool)
                finally:
                    if item.spool is not None:
                        item.spool.close()
                self._written()

    def _written(self) -> None:
        """After each segment: progress, and now and then a journal commit."""
        now = self.options.clock()
        if now - self._last_checkpoint >= CHECKPOINT_SECONDS:
            self.partial.checkpoint()
            self._last_checkpoint = now
        self._report()

    def _report(self) -> None:
        self.options.report(self.writer, self.follower.total, self.broadcast_id, self.live)

    def interrupted(self, broadcast_id: str, target: Path, *,
                    overwrite: bool) -> DownloadInterrupted:
        """Ctrl-C: keep a replay's partial file, or finish and publish a live capture."""
        published: Path | None = None
        kept: Path | None = None
        if not self.live:
            kept = self.partial.path if self.partial.keep() else None
        else:
            try:
                self.partial.cut_to_last_segment()
                if self.partial.complete:
                    self.partial.publish(overwrite=overwrite)
                    published = target
                    logger.info('capture of %s stopped: %d segments, %.1f s, in %s',
                                broadcast_id, self.partial.complete, self.writer.seconds_done,
                                target)
                else:
                    self.partial.discard()
            except OSError as error:   # a full disk, or the target appeared meanwhile
                logger.warning('could not publish the capture of %s: %s', broadcast_id, error)
                kept = self.partial.path if self.partial.keep() else None
        return DownloadInterrupted(broadcast_id=broadcast_id, live=self.live, path=published,
                                   partial=kept, segments=self.partial.complete,
                                   total=self.follower.total, seconds=self.writer.seconds_done)


def download_broadcast(client: ReplayClient, broadcast_id: str, path: PathLike | None = None, *,
                       overwrite: bool = False, progress: ProgressCallback | None = None,
                       concurrency: int = DEFAULT_CONCURRENCY, resume: bool = True,
                       max_idle: float = DEFAULT_MAX_IDLE,
                       segment_retries: int = SEGMENT_RETRIES,
                       sleep: Callable[[float], Any] = time.sleep,
                       clock: Callable[[], float] = time.monotonic,
                       on_progress: ProgressReport | None = None) -> Path:
    """Download a broadcast's HLS stream into one ``.ts`` file and return its path.

    An ended broadcast is fetched from its replay playlist; a live one (state
    ``RUNNING``) is followed as its playlist grows until it ends. Segments are
    fetched ``concurrency`` at a time and written strictly in playlist order into a
    hidden partial file beside the target (``.<name>.part``), with a journal of the
    complete segments (``.<name>.journal``); when complete, the file is fsynced and
    renamed to the target.

    :param client: a :class:`pyperi.Peri` (or any :class:`~pyperi.replay.ReplayClient`).
    :param broadcast_id: the broadcast's id (file names are built only from it).
    :param path: the file to write; a directory gets ``<broadcast_id>.ts`` inside
        it; None means ``<broadcast_id>.ts`` in the current directory.
    :param overwrite: replace an existing file instead of raising FileExistsError.
    :param progress: called as ``progress(bytes_done, bytes_expected, segments_done,
        segments_total)`` once the playlist is read and after every segment written;
        ``bytes_expected`` is None (HLS does not say), ``segments_total`` is None
        while a live playlist is still growing. A resumed download starts from what
        its partial file already holds.
    :param on_progress: called with a :class:`DownloadProgress` at the same moments
        as ``progress``; it also says whether the download is live and how many seconds
        of video are written (the time a live capture has recorded).
    :param concurrency: segments fetched at once, 1 to :data:`MAX_CONCURRENCY`; 1
        streams one segment at a time straight into the file.
    :param resume: continue from the partial file an interrupted download of the same
        playlist left; False starts over (discarding any partial file).
    :param max_idle: seconds a live playlist may go without a new segment before
        the capture is finished with what it has.
    :param segment_retries: extra attempts at a segment whose connection dropped.
    :param sleep: ``time.sleep`` or a stand-in (tests).
    :param clock: ``time.monotonic`` or a stand-in (tests).
    :raises FileExistsError: the target exists and ``overwrite`` is false.
    :raises FileNotFoundError: the directory to write into does not exist.
    :raises ValueError: ``broadcast_id``, ``concurrency`` or ``segment_retries`` is not valid.
    :raises PyPeriStreamUnavailableError: no such broadcast, no playable stream,
        or its playlist or a segment is gone.
    :raises PyPeriEncryptedStreamError: the stream is encrypted.
    :raises PyPeriDownloadError: another download is writing the same file.
    :raises PyPeriError: other HTTP, connection or response errors.
    :raises DownloadInterrupted: a :class:`KeyboardInterrupt` stopped the download;
        it says what was kept.
    :raises ImportError: the optional ``m3u8`` package is not installed.

    Nothing ever appears under the target name unless complete. When a replay
    download fails or is interrupted after some segments are complete, its partial
    file and journal stay for the next call to resume; a live capture interrupted
    by Ctrl-C is published with the segments complete so far.
    """
    check_client(client)
    check_download_options(segment_retries, concurrency, resume, overwrite=overwrite,
                           progress=progress, max_idle=max_idle, sleep=sleep, clock=clock,
                           on_progress=on_progress)
    target = target_path(broadcast_id, path)
    if target.exists() and not overwrite:
        raise exists_error(target)
    hls.import_m3u8()  # fail before any request when the parser is missing
    access, url = _stream_to_download(client, broadcast_id)
    logger.info('downloading broadcast %s (%s) to %s', broadcast_id,
                'live' if access.live else 'replay', target)
    options = _Options(progress, concurrency, max_idle, segment_retries, sleep, clock,
                       on_progress)
    cookies = access.cookies_for(url)
    follower = _follower(client, broadcast_id, access.live, PlaylistReader(client, cookies),
                         url, options)
    fetcher = SegmentFetcher(client, cookies, retries=segment_retries, sleep=sleep)
    partial = PartialDownload(target)
    kept = partial.open(PlaylistIdentity.of(broadcast_id, follower.media, live=access.live),
                        follower.media.segments, resume=resume)
    download = _Download(follower, fetcher, partial, kept, live=access.live, options=options,
                         broadcast_id=broadcast_id)
    try:
        download.run()
    except KeyboardInterrupt as interrupt:
        raise download.interrupted(broadcast_id, target, overwrite=overwrite) from interrupt
    except OSError as error:
        resumable = partial.keep()
        if error.errno in _DISK_FULL:
            raise _disk_full(error, partial, resumable) from error
        raise
    except BaseException:
        partial.keep()
        raise
    if download.writer.empty:
        partial.discard()
        raise PyPeriStreamUnavailableError(f'broadcast {broadcast_id} has no segments to download')
    try:
        partial.publish(overwrite=overwrite)
    except OSError as error:
        if error.errno in _DISK_FULL:
            raise _disk_full(error, partial, partial.path.exists()) from error
        raise
    logger.info('downloaded broadcast %s: %d segments, %d bytes', broadcast_id,
                download.writer.segments_done, download.writer.bytes_done)
    return target
