"""Downloading every available replay of a user, one :class:`DownloadResult` per broadcast."""
from __future__ import annotations

import errno
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Mapping

from .. import hls, stats, urls
from ..exceptions import PyPeriError, PyPeriStreamUnavailableError
from ..timeutil import ensure_utc
from .download import (
    DEFAULT_CONCURRENCY, ProgressCallback, ProgressReport, check_download_options,
    download_broadcast,
)
from .arguments import check_callable, check_client, check_path
from .files import PathLike, check_path_length, target_path
from .protocol import ReplayClient
from .segments import SEGMENT_RETRIES

__all__ = ['DownloadResult', 'download_user_history']

logger = logging.getLogger(__name__)


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


_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)
_LATEST = datetime.max.replace(tzinfo=timezone.utc)


def _since_datetime(since: datetime | timedelta | None) -> datetime | None:
    """The UTC cutoff ``since`` means; one beyond what datetime reaches is its end."""
    if since is None:
        return None
    try:
        if isinstance(since, datetime):
            return ensure_utc(since)
        if isinstance(since, timedelta):
            return datetime.now(timezone.utc) - since
    except OverflowError:
        # Further back (or ahead) than datetime reaches: every broadcast, or none.
        if isinstance(since, datetime):
            return _EARLIEST if since.year == datetime.min.year else _LATEST
        return _EARLIEST if since > timedelta(0) else _LATEST
    raise TypeError(f'since must be a datetime or timedelta, not {type(since).__name__}')


def _check_directory(directory: Any) -> str:
    """``directory`` as a str, if it is a path that is or can become a directory.

    :raises TypeError: it is not a str or PathLike.
    :raises ValueError: it is empty, or a name in it is too long.
    :raises NotADirectoryError: it exists and is not a directory.
    """
    text = check_path(directory, 'directory', optional=False)
    assert text is not None
    check_path_length(text, 'directory')
    if os.path.exists(text) and not os.path.isdir(text):
        raise NotADirectoryError(errno.ENOTDIR, 'Not a directory', text)
    return text


def _not_to_download(broadcast: Mapping[str, Any], broadcast_id: str,
                     target: Path) -> DownloadResult | None:
    """The result for a broadcast that needs no download attempt; None to try it."""
    if target.exists():
        # Files appear under their final name only when complete, so existing means done.
        return DownloadResult(broadcast_id, target, 'skipped')
    if broadcast.get('state') == 'RUNNING':
        return DownloadResult(broadcast_id, None, 'unavailable', 'the broadcast is live')
    if broadcast.get('available_for_replay') is False:
        return DownloadResult(broadcast_id, None, 'unavailable', 'not available for replay')
    return None


def _download_one(client: ReplayClient, broadcast: Mapping[str, Any], directory: Path,
                  progress: ProgressCallback | None, options: Mapping[str, Any]
                  ) -> DownloadResult:
    raw_id = broadcast.get('id')
    try:
        broadcast_id = urls.validate_broadcast_id(raw_id)
        target = target_path(broadcast_id, directory)
    except (TypeError, ValueError) as error:
        return DownloadResult(str(raw_id)[:100], None, 'failed', f'unusable broadcast id: {error}')
    skip = _not_to_download(broadcast, broadcast_id, target)
    if skip is not None:
        return skip
    try:
        path = download_broadcast(client, broadcast_id, directory, progress=progress, **options)
    except FileExistsError:
        return DownloadResult(broadcast_id, target, 'skipped')
    except PyPeriStreamUnavailableError as error:
        return DownloadResult(broadcast_id, None, 'unavailable', str(error))
    except (PyPeriError, OSError) as error:
        # PyPeriError is an OSError too (requests.RequestException); OSError covers disk errors.
        logger.warning('broadcast %s failed: %s', broadcast_id, error)
        return DownloadResult(broadcast_id, None, 'failed', f'{type(error).__name__}: {error}')
    return DownloadResult(broadcast_id, path, 'downloaded')


def download_user_history(client: ReplayClient, user: str, directory: PathLike, *,
                          since: datetime | timedelta | None = None,
                          progress: ProgressCallback | None = None,
                          on_result: Callable[[DownloadResult], Any] | None = None,
                          concurrency: int = DEFAULT_CONCURRENCY, resume: bool = True,
                          on_progress: ProgressReport | None = None,
                          on_start: Callable[[int, int, str], Any] | None = None,
                          ) -> list[DownloadResult] | None:
    """Download every available replay of a user into ``directory``, newest first.

    Broadcasts already on disk (``<id>.ts``) are skipped; one failure does not stop
    the rest, and leaves its partial file for the next call to resume. Live broadcasts
    are left alone (see :func:`download_broadcast`).

    :param client: a :class:`pyperi.Peri` (or any :class:`~pyperi.replay.ReplayClient`).
    :param user: a user id, username or Periscope user URL.
    :param directory: created if missing (once the user is known to exist).
    :param since: only broadcasts that started at or after this (an aware or UTC
        naive datetime), or within this ``timedelta`` of now.
    :param progress: as for :func:`download_broadcast`, restarting for each broadcast.
    :param on_result: called with each :class:`DownloadResult` as soon as it is known.
    :param on_progress: as for :func:`download_broadcast`, for each broadcast downloaded.
    :param on_start: called as ``on_start(position, count, broadcast_id)`` before each
        broadcast is considered (``position`` from 1 to ``count``, the broadcasts in
        the window), downloaded or not.
    :param concurrency: segments fetched at once, as for :func:`download_broadcast`.
    :param resume: continue interrupted downloads, as for :func:`download_broadcast`.
    :returns: one :class:`DownloadResult` per broadcast considered; None if the
        user does not exist.
    :raises TypeError: an argument has the wrong type (``resume`` not a bool, a callback
        not callable, ``directory`` not a path).
    :raises ValueError: ``user`` names no user, ``concurrency`` is out of range, or a name
        in ``directory`` is too long.
    :raises NotADirectoryError: ``directory`` exists and is not a directory.
    :raises DownloadInterrupted: Ctrl-C stopped the broadcast being downloaded.
    """
    check_client(client)
    check_download_options(SEGMENT_RETRIES, concurrency, resume, progress=progress,
                           on_progress=on_progress)
    check_callable(on_result, 'on_result')
    check_callable(on_start, 'on_start')
    options = {'concurrency': concurrency, 'resume': resume, 'on_progress': on_progress}
    user_id, username = urls.parse_user_ref(user, client.web_base_url)
    cutoff = _since_datetime(since)
    folder = Path(_check_directory(directory))
    hls.import_m3u8()
    history = client.get_user_broadcast_history(user_id=user_id, username=username)
    if history is None:
        return None   # no such user: nothing made on disk
    folder.mkdir(parents=True, exist_ok=True)
    results: list[DownloadResult] = []
    seen: set[str] = set()
    todo = []
    for broadcast in stats.filter_broadcasts(history, since=cutoff):
        key = str(broadcast.get('id'))
        if key not in seen:
            seen.add(key)
            todo.append((key, broadcast))
    for position, (key, broadcast) in enumerate(todo, 1):
        if on_start is not None:
            on_start(position, len(todo), key[:100])
        result = _download_one(client, broadcast, folder, progress, options)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results
