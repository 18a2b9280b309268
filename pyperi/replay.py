"""Stream URLs, HLS replay and live downloads, whole-history downloads and watching users.

Every HTTP request goes through :meth:`pyperi.Peri.http_get` (or ``request_api``), so
timeouts, retries and error mapping are the client's. Playlists are read by the pure
:mod:`pyperi.hls`, which uses the optional ``m3u8`` package (``pip install "pyperi[download]"``).
"""
from __future__ import annotations

import contextlib
import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, Iterable, Mapping, Union
from urllib.parse import urlsplit

import requests

from . import hls, stats, urls, web
from .exceptions import (
    PyPeriConnectionError,
    PyPeriDownloadError,
    PyPeriEncryptedStreamError,
    PyPeriError,
    PyPeriResponseError,
    PyPeriStreamUnavailableError,
    PyPeriTimeout,
)
from .timeutil import ensure_utc

if TYPE_CHECKING:
    from .client import Peri

__all__ = [
    'STREAM_URL_KEYS',
    'ProgressCallback',
    'DownloadResult',
    'get_broadcast_stream_urls',
    'download_broadcast',
    'download_user_history',
    'watch',
]

logger = logging.getLogger(__name__)

#: Result key -> accessVideoPublic field, for every playback URL Periscope served.
STREAM_URL_KEYS = {
    'replay': 'replay_url',
    'hls': 'hls_url',
    'https_hls': 'https_hls_url',
    'lhls': 'lhls_url',
    'lhlsweb': 'lhlsweb_url',
    'rtmp': 'rtmp_url',
}
# Which URL to download, best first. A live broadcast prefers its live playlists.
_REPLAY_ORDER = ('replay', 'https_hls', 'hls', 'lhlsweb', 'lhls')
_LIVE_ORDER = ('https_hls', 'hls', 'lhlsweb', 'lhls', 'replay')

#: Bytes read from the socket per write; memory use stays at about this much.
CHUNK_SIZE = 256 * 1024
#: Extra attempts at a segment whose body was cut off.
SEGMENT_RETRIES = 3
#: Seconds to wait between polls of a live playlist that names no target duration.
DEFAULT_TARGET_DURATION = 2.0
#: Give up on a live playlist that has not grown for this many seconds.
DEFAULT_MAX_IDLE = 60.0
#: Master playlists pointing at master playlists are followed this deep.
_MAX_MASTER_DEPTH = 3

#: ``progress(bytes_done, bytes_expected, segments_done, segments_total)``.
ProgressCallback = Callable[[int, Union[int, None], int, Union[int, None]], None]
PathLike = Union[str, 'os.PathLike[str]']


# -- stream URLs ---------------------------------------------------------------


def _cookie_list(value: Any) -> list[dict[str, str]]:
    """accessVideoPublic ``cookies`` as ``[{'name', 'value', 'domain'}]``."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise PyPeriResponseError(
            f'expected accessVideoPublic cookies to be a JSON array, got {type(value).__name__}')
    cookies = []
    for item in value:
        name = item.get('Name', item.get('name')) if isinstance(item, dict) else None
        content = item.get('Value', item.get('value')) if isinstance(item, dict) else None
        if not isinstance(name, str) or not name or not isinstance(content, str):
            raise PyPeriResponseError(
                'expected each accessVideoPublic cookie to be an object with string '
                f'Name and Value, got {type(item).__name__}')
        domain = item.get('Domain', item.get('domain'))
        cookies.append({'name': name, 'value': content,
                        'domain': domain if isinstance(domain, str) else ''})
    return cookies


def _stream_access(peri: Peri, broadcast_id: str) -> tuple[dict[str, Any], list[str]] | None:
    """(public stream-URL dict, cookie domains), or None when there is no such broadcast."""
    broadcast_id = urls.validate_broadcast_id(broadcast_id)
    body = peri.request_api('accessVideoPublic', broadcast_id=broadcast_id)
    if body is None:
        return None
    result: dict[str, Any] = {}
    for key, field in STREAM_URL_KEYS.items():
        value = body.get(field)
        if value in (None, ''):
            continue
        if not isinstance(value, str):
            raise PyPeriResponseError(
                f'expected accessVideoPublic {field} to be a URL string, '
                f'got {type(value).__name__}')
        result[key] = value
    broadcast = body.get('broadcast')
    if broadcast is not None and not isinstance(broadcast, dict):
        raise PyPeriResponseError(
            'expected accessVideoPublic broadcast to be a JSON object, '
            f'got {type(broadcast).__name__}')
    stream_type = body.get('type')
    state = broadcast.get('state') if broadcast else None
    cookies = _cookie_list(body.get('cookies'))
    result['type'] = stream_type if isinstance(stream_type, str) else None
    result['state'] = state if isinstance(state, str) else None
    result['cookies'] = {cookie['name']: cookie['value'] for cookie in cookies}
    return result, [cookie['domain'] for cookie in cookies if cookie['domain']]


def get_broadcast_stream_urls(peri: Peri, broadcast_id: str) -> dict[str, Any] | None:
    """The playback URLs of a broadcast, from the ``accessVideoPublic`` endpoint.

    Returns a dict with a key for each URL present among ``replay``, ``hls``,
    ``https_hls``, ``lhls``, ``lhlsweb`` and ``rtmp``, plus ``type`` (e.g.
    ``'StreamTypeReplay'``), ``state`` (``'RUNNING'``, ``'ENDED'``, ...) and
    ``cookies``, a plain ``{name: value}`` dict to send with every playlist and
    segment request (``requests.get(url, cookies=...)``). None if there is no
    such broadcast.

    :raises ValueError: ``broadcast_id`` is not a valid id.
    :raises PyPeriResponseError: the response is not shaped like Periscope's.
    """
    access = _stream_access(peri, broadcast_id)
    return None if access is None else access[0]


# -- downloading one broadcast -------------------------------------------------


def _target_path(broadcast_id: str, path: PathLike | None) -> Path:
    """Where the download of ``broadcast_id`` goes; the file name comes only from the id."""
    name = f'{urls.validate_broadcast_id(broadcast_id)}.ts'
    # validate_broadcast_id allows only [A-Za-z0-9_=-]; this guards that promise.
    if Path(name).name != name or name.startswith('.'):
        raise ValueError(f'broadcast_id cannot be used as a file name: {broadcast_id!r}')
    if path is None:
        return Path.cwd() / name
    text = os.fspath(path)
    target = Path(text)
    if target.is_dir():
        return target / name
    if text.endswith(('/', os.sep)):
        raise FileNotFoundError(f'no such directory: {text!r}')
    if not target.parent.is_dir():
        raise FileNotFoundError(f'no such directory: {str(target.parent)!r}')
    return target


class _Downloader:
    """Writes the segments of one broadcast, in order, into an open binary file."""

    def __init__(self, peri: Peri, out: IO[bytes], *, cookies: Mapping[str, str],
                 cookie_hosts: Iterable[str], progress: ProgressCallback | None,
                 segment_retries: int, sleep: Callable[[float], Any]) -> None:
        self.peri = peri
        self.out = out
        self.cookies = dict(cookies)
        self.cookie_hosts = {host.lower().lstrip('.') for host in cookie_hosts if host}
        self.progress = progress
        self.segment_retries = segment_retries
        self.sleep = sleep
        self.bytes_done = 0
        self.segments_done = 0
        self.segments_total: int | None = None
        self.segments_missing = 0

    def _cookies_for(self, url: str) -> dict[str, str] | None:
        """The access cookies, only for the stream's own hosts (never leaked elsewhere)."""
        host = (urlsplit(url).hostname or '').lower()
        if any(host == allowed or host.endswith('.' + allowed) for allowed in self.cookie_hosts):
            return self.cookies or None
        logger.debug('not sending stream cookies to %s', host)
        return None

    def report(self) -> None:
        if self.progress is not None:
            self.progress(self.bytes_done, None, self.segments_done, self.segments_total)

    def get(self, url: str, *, stream: bool = False) -> requests.Response | None:
        return self.peri.http_get(url, stream=stream, cookies=self._cookies_for(url))

    def playlist(self, url: str) -> hls.MediaPlaylist | None:
        """The media playlist at ``url`` (a master is resolved to its best variant); None if 404."""
        for _ in range(_MAX_MASTER_DEPTH):
            response = self.get(url)
            if response is None:
                return None
            parsed = hls.parse_playlist(web.body_text(response), response.url or url)
            if isinstance(parsed, hls.MediaPlaylist):
                if parsed.encryption:
                    raise PyPeriEncryptedStreamError(
                        f'the stream is encrypted ({parsed.encryption}); pyperi cannot '
                        f'download encrypted playlists: {hls.display_url(url)}')
                if parsed.unsupported:
                    raise PyPeriDownloadError(
                        f'the playlist uses {", ".join(parsed.unsupported)}, which pyperi cannot '
                        f'write into one .ts file: {hls.display_url(url)}')
                return parsed
            variant = parsed.best()
            logger.debug('master playlist: chose %s (bandwidth %s, resolution %s)',
                         hls.display_url(variant.url), variant.bandwidth, variant.resolution)
            url = variant.url
        raise PyPeriResponseError(
            f'expected a media playlist within {_MAX_MASTER_DEPTH} master playlists, '
            f'got only masters: {hls.display_url(url)}')

    def segment(self, segment: hls.Segment, *, missing_ok: bool = False) -> None:
        """Append one segment; a body cut off is fetched again from the segment's start.

        Resuming truncates the file back to where the segment began and fetches the
        whole segment again, so no byte is ever written twice, whatever the server
        does with Range requests. With ``missing_ok`` (live capture) a segment that
        is already gone (404) is skipped with a warning instead of failing.
        """
        start = self.out.tell()
        shown = hls.display_url(segment.url)
        last_error: Exception | None = None
        for attempt in range(self.segment_retries + 1):
            if attempt:
                self.out.seek(start)
                self.out.truncate()
                self.sleep(min(0.25 * attempt, 2.0))
            try:
                self._write_segment(segment, shown)
            except PyPeriStreamUnavailableError:
                if not missing_ok:
                    raise
                logger.warning('live segment %d is gone (HTTP 404); skipped', segment.sequence)
                self.segments_missing += 1
            except (requests.ConnectionError, requests.Timeout,
                    requests.exceptions.ChunkedEncodingError) as error:
                # PyPeriConnectionError/PyPeriTimeout from http_get are these too.
                logger.warning('segment %d attempt %d failed: %s', segment.sequence,
                               attempt + 1, error)
                last_error = error
                continue
            self.bytes_done += self.out.tell() - start
            self.segments_done += 1
            self.report()
            return
        what = (f'segment {segment.sequence} failed after {self.segment_retries + 1} attempts '
                f'({shown}): {last_error}')
        if isinstance(last_error, requests.Timeout):
            raise PyPeriTimeout(what) from last_error
        raise PyPeriConnectionError(what) from last_error

    def _write_segment(self, segment: hls.Segment, shown: str) -> None:
        response = self.get(segment.url, stream=True)
        if response is None:
            raise PyPeriStreamUnavailableError(
                f'segment {segment.sequence} is gone (HTTP 404): {shown}')
        with contextlib.closing(response):
            expected = response.headers.get('Content-Length')
            written = 0
            for chunk in response.iter_content(CHUNK_SIZE):
                self.out.write(chunk)
                written += len(chunk)
        # A decoded (gzip) body differs in length from its Content-Length: check identity only.
        identity = response.headers.get('Content-Encoding', 'identity').lower() == 'identity'
        if identity and expected is not None and expected.isdigit() and written != int(expected):
            raise requests.exceptions.ChunkedEncodingError(
                f'segment {segment.sequence}: got {written} of {expected} bytes')


def _still_running(peri: Peri, broadcast_id: str) -> bool:
    broadcast = peri.get_broadcast_info(broadcast_id)
    return broadcast is not None and broadcast.get('state') == 'RUNNING'


def _follow(job: _Downloader, url: str, broadcast_id: str, *, live: bool, max_idle: float,
            sleep: Callable[[float], Any], clock: Callable[[], float]) -> None:
    """Write every segment of the playlist at ``url``; for a live one, until it ends.

    A live playlist is polled every target duration, or half of that after a poll
    brought nothing new (as RFC 8216 suggests). Segments are de-duplicated by media
    sequence number. Following stops at EXT-X-ENDLIST, when the playlist disappears,
    when the broadcast leaves RUNNING, or after ``max_idle`` seconds without growth.
    """
    media = job.playlist(url)
    if media is None:
        raise PyPeriStreamUnavailableError(
            f'the playlist of broadcast {broadcast_id} is gone (HTTP 404): {hls.display_url(url)}')
    if media.ended or not live:
        job.segments_total = len(media.segments)
    job.report()
    next_sequence: int | None = None
    last_growth = last_check = clock()
    leaving = False
    while True:
        new = [s for s in media.segments if next_sequence is None or s.sequence >= next_sequence]
        if next_sequence is not None and new and new[0].sequence > next_sequence:
            logger.warning('broadcast %s: %d live segments expired before they were fetched',
                           broadcast_id, new[0].sequence - next_sequence)
        if media.ended and job.segments_total is None:
            job.segments_total = job.segments_done + len(new)
        for segment in new:
            job.segment(segment, missing_ok=live)
            next_sequence = segment.sequence + 1
        if media.ended or leaving:
            return
        if not live:
            logger.warning('broadcast %s: playlist has no EXT-X-ENDLIST but the broadcast is '
                           'not live; taking it as complete', broadcast_id)
            return
        now = clock()
        target = media.target_duration or DEFAULT_TARGET_DURATION
        if new:
            last_growth = now
        elif now - last_growth >= max_idle:
            logger.warning('broadcast %s: live playlist idle for %.0fs; stopping',
                           broadcast_id, now - last_growth)
            return
        elif now - last_check >= 2 * target:
            last_check = now
            # One more playlist fetch after the broadcast ends picks up its last segments.
            leaving = not _still_running(job.peri, broadcast_id)
        sleep(target if new else target / 2)
        reloaded = job.playlist(media.url)  # a master playlist is not fetched again
        if reloaded is None:
            logger.info('broadcast %s: live playlist gone; capture complete', broadcast_id)
            return
        media = reloaded


def _sync_directory(directory: Path) -> None:
    """fsync a directory so a rename in it survives a crash (POSIX only; best effort)."""
    if not hasattr(os, 'O_DIRECTORY'):
        return
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _exists_error(target: Path) -> FileExistsError:
    error = FileExistsError(f'{str(target)!r} already exists; pass overwrite=True to replace it')
    error.filename = str(target)
    return error


def _open_temp(target: Path) -> tuple[Path, IO[bytes]]:
    """Create a hidden, unique temporary file beside ``target``, opened for writing.

    Made with mode 0o666 less the umask, like any new file, so the published
    download has the usual permissions (``tempfile`` would make it 0o600).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_BINARY', 0)
    for _ in range(100):
        temp = target.with_name(f'.{target.name}.{secrets.token_hex(4)}.part')
        try:
            fd = os.open(temp, flags, 0o666)
        except FileExistsError:
            continue
        return temp, os.fdopen(fd, 'wb')
    raise FileExistsError(f'could not create a temporary file beside {str(target)!r}')


def _publish(temp: Path, target: Path, overwrite: bool) -> None:
    """Move the complete ``temp`` to ``target``; without ``overwrite``, never replace a file."""
    if overwrite:
        os.replace(temp, target)
        return
    try:
        os.link(temp, target)  # atomic, and fails if target appeared meanwhile
    except FileExistsError:
        raise _exists_error(target) from None
    except OSError:
        # Filesystems without hard links: check, then rename.
        if target.exists():
            raise _exists_error(target) from None
        os.replace(temp, target)
    else:
        os.unlink(temp)


def download_broadcast(peri: Peri, broadcast_id: str, path: PathLike | None = None, *,
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
    if isinstance(segment_retries, bool) or not isinstance(segment_retries, int) \
            or segment_retries < 0:
        raise ValueError(f'segment_retries must be an int >= 0, got {segment_retries!r}')
    target = _target_path(broadcast_id, path)
    if target.exists() and not overwrite:
        raise _exists_error(target)
    hls.import_m3u8()  # fail before any request when the parser is missing
    access = _stream_access(peri, broadcast_id)
    if access is None:
        raise PyPeriStreamUnavailableError(f'no broadcast {broadcast_id!r}')
    streams, cookie_domains = access
    live = streams['state'] == 'RUNNING'
    url = next((streams[key] for key in (_LIVE_ORDER if live else _REPLAY_ORDER)
                if key in streams), None)
    if url is None:
        offered = ', '.join(key for key in STREAM_URL_KEYS if key in streams) or 'none'
        raise PyPeriStreamUnavailableError(
            f'broadcast {broadcast_id} has no HLS stream to download (stream URLs: {offered})')
    cookie_hosts = [urlsplit(url).hostname or '', *cookie_domains]
    logger.info('downloading broadcast %s (%s) to %s', broadcast_id,
                'live' if live else 'replay', target)
    temp, out = _open_temp(target)
    with out:
        try:
            job = _Downloader(peri, out, cookies=streams['cookies'], cookie_hosts=cookie_hosts,
                              progress=progress, segment_retries=segment_retries, sleep=sleep)
            _follow(job, url, broadcast_id, live=live, max_idle=max_idle, sleep=sleep,
                    clock=clock)
            if job.segments_done == job.segments_missing:
                raise PyPeriStreamUnavailableError(
                    f'broadcast {broadcast_id} has no segments to download')
            out.flush()
            os.fsync(out.fileno())
        except BaseException:
            out.close()
            with contextlib.suppress(OSError):
                temp.unlink()
            raise
    try:
        _publish(temp, target, overwrite)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    _sync_directory(target.parent)
    logger.info('downloaded broadcast %s: %d segments, %d bytes', broadcast_id,
                job.segments_done, job.bytes_done)
    return target


# -- a user's history ----------------------------------------------------------


@dataclass(frozen=True)
class DownloadResult:
    """What :func:`download_user_history` did with one broadcast.

    ``status`` is ``'downloaded'``, ``'skipped'`` (already on disk),
    ``'unavailable'`` (live, not available for replay, or no stream) or
    ``'failed'`` (``error`` says why).
    """

    broadcast_id: str
    path: Path | None
    status: str
    error: str | None = None


def _since_datetime(since: datetime | timedelta | None) -> datetime | None:
    if since is None or isinstance(since, datetime):
        return None if since is None else ensure_utc(since)
    if isinstance(since, timedelta):
        return datetime.now(timezone.utc) - since
    raise TypeError(f'since must be a datetime or timedelta, not {type(since).__name__}')


def _download_one(peri: Peri, broadcast: Mapping[str, Any], directory: Path,
                  progress: ProgressCallback | None) -> DownloadResult:
    raw_id = broadcast.get('id')
    try:
        broadcast_id = urls.validate_broadcast_id(raw_id)
    except (TypeError, ValueError) as error:
        return DownloadResult(str(raw_id), None, 'failed', f'unusable broadcast id: {error}')
    target = directory / f'{broadcast_id}.ts'
    if target.exists():
        # Files appear under their final name only when complete, so existing means done.
        return DownloadResult(broadcast_id, target, 'skipped')
    if broadcast.get('state') == 'RUNNING':
        return DownloadResult(broadcast_id, None, 'unavailable', 'the broadcast is live')
    if broadcast.get('available_for_replay') is False:
        return DownloadResult(broadcast_id, None, 'unavailable', 'not available for replay')
    try:
        path = download_broadcast(peri, broadcast_id, directory, progress=progress)
    except FileExistsError:
        return DownloadResult(broadcast_id, target, 'skipped')
    except PyPeriStreamUnavailableError as error:
        return DownloadResult(broadcast_id, None, 'unavailable', str(error))
    except (PyPeriError, OSError) as error:
        # PyPeriError is an OSError too (requests.RequestException); OSError covers disk errors.
        logger.warning('broadcast %s failed: %s', broadcast_id, error)
        return DownloadResult(broadcast_id, None, 'failed', f'{type(error).__name__}: {error}')
    return DownloadResult(broadcast_id, path, 'downloaded')


def download_user_history(peri: Peri, user: str, directory: PathLike, *,
                          since: datetime | timedelta | None = None,
                          progress: ProgressCallback | None = None,
                          on_result: Callable[[DownloadResult], Any] | None = None,
                          ) -> list[DownloadResult] | None:
    """Download every available replay of a user into ``directory``, newest first.

    Broadcasts already on disk (``<id>.ts``) are skipped; one failure does not stop
    the rest. Live broadcasts are left alone (see :func:`download_broadcast`).

    :param user: a user id, username or Periscope user URL.
    :param directory: created if missing.
    :param since: only broadcasts that started at or after this (an aware or UTC
        naive datetime), or within this ``timedelta`` of now.
    :param progress: as for :func:`download_broadcast`, restarting for each broadcast.
    :param on_result: called with each :class:`DownloadResult` as soon as it is known.
    :returns: one :class:`DownloadResult` per broadcast considered; None if the
        user does not exist.
    :raises ValueError: ``user`` names no user.
    """
    user_id, username = urls.parse_user_ref(user, peri.web_base_url)
    cutoff = _since_datetime(since)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    hls.import_m3u8()
    history = peri.get_user_broadcast_history(user_id=user_id, username=username)
    if history is None:
        return None
    results: list[DownloadResult] = []
    seen: set[str] = set()
    for broadcast in stats.filter_broadcasts(history, since=cutoff):
        key = str(broadcast.get('id'))
        if key in seen:
            continue
        seen.add(key)
        result = _download_one(peri, broadcast, folder, progress)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


# -- watching users --------------------------------------------------------------


def _event(kind: str, user: str, broadcast: Mapping[str, Any] | None = None,
           web_base_url: str | None = None, **extra: Any) -> dict[str, Any]:
    event: dict[str, Any] = {'event': kind, 'user': user}
    if broadcast is not None:
        broadcast_id = broadcast.get('id')
        event.update({
            'broadcast_id': broadcast_id,
            'username': broadcast.get('username'),
            'user_id': broadcast.get('user_id'),
            'state': broadcast.get('state'),
            'status': broadcast.get('status'),
            'start': broadcast.get('start'),
        })
        if web_base_url and isinstance(broadcast_id, str):
            with contextlib.suppress(ValueError):
                event['url'] = urls.broadcast_url(web_base_url, broadcast_id)
    event.update(extra)
    return event


def watch(peri: Peri, users: Iterable[str], *, on_event: Callable[[dict[str, Any]], Any],
          interval: float = 30.0, download_dir: PathLike | None = None,
          stop: threading.Event | None = None, sleep: Callable[[float], Any] | None = None,
          max_polls: int | None = None) -> None:
    """Poll users' broadcast histories and report new and live broadcasts.

    Each round fetches every user's public history. The first round only records
    what exists (reporting broadcasts already live); later rounds report each
    broadcast not seen before. Events are JSON-ready dicts passed to ``on_event``,
    with ``event`` one of:

    * ``'live'``: a broadcast is RUNNING (once per broadcast);
    * ``'new'``: a broadcast that was not there before and is not live;
    * ``'ended'``: a broadcast reported live is no longer RUNNING;
    * ``'downloaded'`` / ``'download_failed'``: a live capture finished (``path``) or
      failed (``error``), with ``download_dir`` set;
    * ``'user_not_found'``: the user does not exist (reported once until found again);
    * ``'error'``: a poll failed (``error``); watching goes on.

    Broadcast events carry ``user`` (as given), ``broadcast_id``, ``username``,
    ``user_id``, ``state``, ``status``, ``start`` and ``url``.

    :param users: user ids, usernames or URLs (checked before the first poll).
    :param interval: seconds between rounds.
    :param download_dir: capture live broadcasts there, one after another (the
        watch pauses while capturing).
    :param stop: set it (from another thread) to stop after the current step.
    :param sleep: waits between rounds; default ``stop.wait`` when ``stop`` is
        given, else ``time.sleep``.
    :param max_polls: stop after this many rounds (None: until stopped).

    Returns when ``stop`` is set or after ``max_polls`` rounds. A
    KeyboardInterrupt reaches the caller (a capture in progress is then
    discarded, as by :func:`download_broadcast`).
    """
    refs = [(user, *urls.parse_user_ref(user, peri.web_base_url)) for user in users]
    if not refs:
        raise ValueError('users must name at least one user')
    if sleep is None:
        sleep = stop.wait if stop is not None else time.sleep
    known: dict[str, dict[str, str]] = {}  # user -> broadcast id -> last state seen
    missing: set[str] = set()
    polls = 0

    def stopped() -> bool:
        return stop is not None and stop.is_set()

    def capture(user: str, broadcast: Mapping[str, Any]) -> None:
        if download_dir is None:
            return
        try:
            path = download_broadcast(peri, str(broadcast['id']), download_dir)
        except (PyPeriError, OSError, ValueError) as error:
            on_event(_event('download_failed', user, broadcast, peri.web_base_url,
                            error=f'{type(error).__name__}: {error}'))
        else:
            on_event(_event('downloaded', user, broadcast, peri.web_base_url, path=str(path)))

    def poll(user: str, user_id: str | None, username: str | None) -> None:
        try:
            history = peri.get_user_broadcast_history(user_id=user_id, username=username)
        except PyPeriError as error:
            on_event(_event('error', user, error=f'{type(error).__name__}: {error}'))
            return
        if history is None:
            if user not in missing:
                missing.add(user)
                on_event(_event('user_not_found', user))
            return
        missing.discard(user)
        first = user not in known
        seen = known.setdefault(user, {})
        for broadcast in reversed(history):  # oldest first, so events come in order
            broadcast_id = broadcast.get('id')
            if not isinstance(broadcast_id, str):
                continue
            state = str(broadcast.get('state'))
            before = seen.get(broadcast_id)
            seen[broadcast_id] = state
            if state == 'RUNNING' and before != 'RUNNING':
                on_event(_event('live', user, broadcast, peri.web_base_url))
                capture(user, broadcast)
            elif before == 'RUNNING' and state != 'RUNNING':
                on_event(_event('ended', user, broadcast, peri.web_base_url))
            elif before is None and not first:
                on_event(_event('new', user, broadcast, peri.web_base_url))
            if stopped():
                return

    try:
        while not stopped():
            for user, user_id, username in refs:
                poll(user, user_id, username)
                if stopped():
                    return
            polls += 1
            if max_polls is not None and polls >= max_polls:
                return
            sleep(interval)
    except KeyboardInterrupt:
        logger.info('watch interrupted')
        raise
