"""Downloading one broadcast: its playlist followed, segments fetched and written in order.

The pieces, each replaceable on its own: a :class:`~pyperi.replay.follower.ReplayFollower`
or :class:`~pyperi.replay.follower.LiveFollower` says which segments to fetch, a
:class:`~pyperi.replay.segments.SegmentFetcher` fetches each one, a
:class:`~pyperi.replay.writer.SegmentWriter` appends it to a temporary file that
:func:`~pyperi.replay.files.write_atomically` publishes when complete.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Union

from .. import hls
from ..exceptions import PyPeriStreamUnavailableError
from .files import PathLike, exists_error, target_path, write_atomically
from .follower import DEFAULT_MAX_IDLE, LiveFollower, PlaylistFollower, ReplayFollower
from .playlists import PlaylistReader
from .protocol import ReplayClient
from .segments import SEGMENT_RETRIES, SegmentFetcher
from .streams import StreamAccess, get_stream_access
from .writer import SegmentWriter

__all__ = ['ProgressCallback', 'download_broadcast']

logger = logging.getLogger(__name__)

#: ``progress(bytes_done, bytes_expected, segments_done, segments_total)``.
ProgressCallback = Callable[[int, Union[int, None], int, Union[int, None]], None]


@dataclass(frozen=True)
class _Options:
    """How one download behaves, as :func:`download_broadcast` was asked."""

    progress: ProgressCallback | None
    max_idle: float
    segment_retries: int
    sleep: Callable[[float], Any]
    clock: Callable[[], float]

    def report(self, writer: SegmentWriter, total: int | None) -> None:
        if self.progress is not None:
            self.progress(writer.bytes_done, None, writer.segments_done, total)


def _check_segment_retries(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f'segment_retries must be an int >= 0, got {value!r}')


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
        return ReplayFollower(media, broadcast_id)
    return LiveFollower(media, broadcast_id, reader=reader, client=client,
                        max_idle=options.max_idle, sleep=options.sleep, clock=options.clock)


def _write_segments(client: ReplayClient, broadcast_id: str, access: StreamAccess, url: str,
                    writer: SegmentWriter, options: _Options) -> None:
    """Fetch every segment the playlist at ``url`` gives, in order, into ``writer``."""
    cookies = access.cookies_for(url)
    follower = _follower(client, broadcast_id, access.live, PlaylistReader(client, cookies),
                         url, options)
    fetcher = SegmentFetcher(client, cookies, retries=options.segment_retries,
                             sleep=options.sleep)
    options.report(writer, follower.total)
    for segment in follower:
        writer.begin()
        fetched = fetcher.fetch(segment, writer, missing_ok=access.live)
        writer.end(skipped=not fetched)
        options.report(writer, follower.total)
    if writer.empty:
        raise PyPeriStreamUnavailableError(f'broadcast {broadcast_id} has no segments to download')


def download_broadcast(client: ReplayClient, broadcast_id: str, path: PathLike | None = None, *,
                       overwrite: bool = False, progress: ProgressCallback | None = None,
                       max_idle: float = DEFAULT_MAX_IDLE,
                       segment_retries: int = SEGMENT_RETRIES,
                       sleep: Callable[[float], Any] = time.sleep,
                       clock: Callable[[], float] = time.monotonic) -> Path:
    """Download a broadcast's HLS stream into one ``.ts`` file and return its path.

    An ended broadcast is fetched from its replay playlist; a live one (state
    ``RUNNING``) is followed as its playlist grows until it ends. Segments are
    streamed in order into a hidden temporary file beside the target, which is
    fsynced and renamed to the target only when complete.

    :param client: a :class:`pyperi.Peri` (or any :class:`~pyperi.replay.ReplayClient`).
    :param broadcast_id: the broadcast's id (file names are built only from it).
    :param path: the file to write; a directory gets ``<broadcast_id>.ts`` inside
        it; None means ``<broadcast_id>.ts`` in the current directory.
    :param overwrite: replace an existing file instead of raising FileExistsError.
    :param progress: called as ``progress(bytes_done, bytes_expected, segments_done,
        segments_total)`` once the playlist is read and after every segment;
        ``bytes_expected`` is None (HLS does not say), ``segments_total`` is None
        while a live playlist is still growing.
    :param max_idle: seconds a live playlist may go without a new segment before
        the capture is finished with what it has.
    :param segment_retries: extra attempts at a segment whose connection dropped.
    :param sleep: ``time.sleep`` or a stand-in (tests).
    :param clock: ``time.monotonic`` or a stand-in (tests).
    :raises FileExistsError: the target exists and ``overwrite`` is false.
    :raises ValueError: ``broadcast_id`` is not a valid id.
    :raises PyPeriStreamUnavailableError: no such broadcast, no playable stream,
        or its playlist or a segment is gone.
    :raises PyPeriEncryptedStreamError: the stream is encrypted.
    :raises PyPeriError: other HTTP, connection or response errors.
    :raises ImportError: the optional ``m3u8`` package is not installed.

    Whatever goes wrong (including KeyboardInterrupt), no file is left under the
    target name nor any temporary file.
    """
    _check_segment_retries(segment_retries)
    target = target_path(broadcast_id, path)
    if target.exists() and not overwrite:
        raise exists_error(target)
    hls.import_m3u8()  # fail before any request when the parser is missing
    access, url = _stream_to_download(client, broadcast_id)
    logger.info('downloading broadcast %s (%s) to %s', broadcast_id,
                'live' if access.live else 'replay', target)
    options = _Options(progress, max_idle, segment_retries, sleep, clock)
    with write_atomically(target, overwrite=overwrite) as out:
        writer = SegmentWriter(out)
        _write_segments(client, broadcast_id, access, url, writer, options)
    logger.info('downloaded broadcast %s: %d segments, %d bytes', broadcast_id,
                writer.segments_done, writer.bytes_done)
    return target
