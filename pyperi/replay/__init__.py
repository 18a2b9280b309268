"""Stream URLs, HLS replay and live downloads, whole-history downloads and watching users.

Every HTTP request goes through the client's ``http_get`` (or ``request_api``), so
timeouts, retries and error mapping are the client's. The code depends only on
:class:`ReplayClient`, the members of :class:`pyperi.Peri` it uses, never on ``Peri``
itself. Playlists are read by the pure :mod:`pyperi.hls`, which uses the optional
``m3u8`` package (``pip install "pyperi[download]"``).

Where things live:

* :mod:`~pyperi.replay.protocol`: :class:`ReplayClient`, what is needed from the client;
* :mod:`~pyperi.replay.arguments`: the checks of every argument, before any request;
* :mod:`~pyperi.replay.streams`: stream URLs and access cookies (``accessVideoPublic``);
* :mod:`~pyperi.replay.fetching`: GETs of playlists and segments, redirects followed hop by
  hop with the cookies each hop may have;
* :mod:`~pyperi.replay.playlists`: reading a media playlist (master to best variant), capped;
* :mod:`~pyperi.replay.follower`: which segments to fetch, from a replay or a live playlist;
* :mod:`~pyperi.replay.segments`: fetching one segment, again when its body is cut off;
* :mod:`~pyperi.replay.parallel`: fetching segments in a pool of threads, handed back in order;
* :mod:`~pyperi.replay.spool`: a segment fetched ahead, held until its turn;
* :mod:`~pyperi.replay.writer`: writing segments in order into the partial file;
* :mod:`~pyperi.replay.journal`: the journal of complete segments beside a partial file;
* :mod:`~pyperi.replay.partial`: the partial file: locked, resumed or restarted, published;
* :mod:`~pyperi.replay.files`: the target's name, the partial's names, the atomic publish;
* :mod:`~pyperi.replay.interrupted`: :class:`DownloadInterrupted`, what Ctrl-C left;
* :mod:`~pyperi.replay.download`: :func:`download_broadcast`, which joins those pieces;
* :mod:`~pyperi.replay.history`: :func:`download_user_history` and :class:`DownloadResult`;
* :mod:`~pyperi.replay.watching`: :func:`watch`.
"""
from __future__ import annotations

# The download errors and PathLike stay importable from here, as before the split.
from ..exceptions import PyPeriDownloadError as PyPeriDownloadError  # noqa: F401
from ..exceptions import PyPeriEncryptedStreamError as PyPeriEncryptedStreamError  # noqa: F401
from ..exceptions import (  # noqa: F401
    PyPeriStreamUnavailableError as PyPeriStreamUnavailableError,
)
from .arguments import MAX_SECONDS
from .download import (
    CHECKPOINT_SECONDS,
    DEFAULT_CONCURRENCY,
    MAX_CONCURRENCY,
    MAX_SEGMENT_RETRIES,
    DownloadProgress,
    ProgressCallback,
    ProgressReport,
    download_broadcast,
)
from .fetching import MAX_REDIRECTS
from .files import PathLike as PathLike  # noqa: F401
from .follower import (
    DEFAULT_MAX_IDLE,
    DEFAULT_TARGET_DURATION,
    MAX_POLL_INTERVAL,
    MIN_POLL_INTERVAL,
)
from .history import DownloadResult, download_user_history
from .interrupted import DownloadInterrupted
from .playlists import MAX_PLAYLIST_BYTES, MAX_PLAYLIST_SEGMENTS
from .protocol import ReplayClient
from .segments import CHUNK_SIZE, SEGMENT_RETRIES
from .streams import STREAM_URL_KEYS, get_broadcast_stream_urls
from .watching import watch

__all__ = [
    'STREAM_URL_KEYS',
    'CHUNK_SIZE',
    'SEGMENT_RETRIES',
    'MAX_SEGMENT_RETRIES',
    'DEFAULT_TARGET_DURATION',
    'DEFAULT_MAX_IDLE',
    'MIN_POLL_INTERVAL',
    'MAX_POLL_INTERVAL',
    'MAX_SECONDS',
    'DEFAULT_CONCURRENCY',
    'MAX_CONCURRENCY',
    'MAX_REDIRECTS',
    'MAX_PLAYLIST_BYTES',
    'MAX_PLAYLIST_SEGMENTS',
    'CHECKPOINT_SECONDS',
    'ProgressCallback',
    'DownloadProgress',
    'ProgressReport',
    'DownloadResult',
    'DownloadInterrupted',
    'ReplayClient',
    'get_broadcast_stream_urls',
    'download_broadcast',
    'download_user_history',
    'watch',
]
