"""Watching users: poll their histories and report new, live and ended broadcasts."""
from __future__ import annotations

import contextlib
import errno
import logging
import os
import threading
import time
from typing import Any, Callable, Mapping, Sequence

from .. import urls
from ..exceptions import PyPeriError
from .arguments import check_callable, check_client, check_count, check_path, check_seconds, \
    check_stop, check_users
from .download import download_broadcast
from .files import PathLike, check_path_length
from .protocol import ReplayClient

__all__ = ['watch']

logger = logging.getLogger(__name__)

#: (user as given, user id, username): a user to poll, parsed once.
_UserRef = tuple[str, 'str | None', 'str | None']


def _event(kind: str, user: str, broadcast: Mapping[str, Any] | None = None,
           web_base_url: str | None = None, **extra: Any) -> dict[str, Any]:
    """A JSON-ready event dict: ``event``, ``user``, broadcast fields, then ``extra``."""
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


def _change(before: str | None, state: str, *, first_round: bool) -> str | None:
    """The event for a broadcast last seen in state ``before`` (None: unseen), now ``state``."""
    if state == 'RUNNING' and before != 'RUNNING':
        return 'live'
    if before == 'RUNNING' and state != 'RUNNING':
        return 'ended'
    if before is None and not first_round:
        return 'new'
    return None


class _Watcher:
    """The state of one :func:`watch`: the broadcasts seen per user, the users missing."""

    def __init__(self, client: ReplayClient, on_event: Callable[[dict[str, Any]], Any], *,
                 download_dir: PathLike | None, stop: threading.Event | None) -> None:
        self.client = client
        self.on_event = on_event
        self.download_dir = download_dir
        self.stop = stop
        self.known: dict[str, dict[str, str]] = {}  # user -> broadcast id -> last state seen
        self.missing: set[str] = set()

    def stopped(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def emit(self, kind: str, user: str, broadcast: Mapping[str, Any] | None = None,
             **extra: Any) -> None:
        self.on_event(_event(kind, user, broadcast, self.client.web_base_url, **extra))

    def run(self, refs: list[_UserRef], *, interval: float, sleep: Callable[[float], Any],
            max_polls: int | None) -> None:
        """Poll every user each round, ``interval`` apart, until stopped or ``max_polls``."""
        polls = 0
        while not self.stopped():
            for user, user_id, username in refs:
                self.poll(user, user_id, username)
                if self.stopped():
                    return
            polls += 1
            if max_polls is not None and polls >= max_polls:
                return
            sleep(interval)

    def poll(self, user: str, user_id: str | None, username: str | None) -> None:
        """One user's history, compared with what was seen before (oldest first)."""
        history = self._history(user, user_id, username)
        if history is None:
            return
        first_round = user not in self.known
        seen = self.known.setdefault(user, {})
        for broadcast in reversed(history):  # oldest first, so events come in order
            broadcast_id = broadcast.get('id')
            if not isinstance(broadcast_id, str):
                continue
            state = str(broadcast.get('state'))
            kind = _change(seen.get(broadcast_id), state, first_round=first_round)
            seen[broadcast_id] = state
            if kind is not None:
                self.emit(kind, user, broadcast)
            if kind == 'live':
                self.capture(user, broadcast)
            if self.stopped():
                return

    def _history(self, user: str, user_id: str | None,
                 username: str | None) -> list[dict[str, Any]] | None:
        """The user's history; None (after an event, if news) when it failed or the user is gone."""
        try:
            history = self.client.get_user_broadcast_history(user_id=user_id, username=username)
        except PyPeriError as error:
            self.emit('error', user, error=f'{type(error).__name__}: {error}')
            return None
        if history is None:
            if user not in self.missing:
                self.missing.add(user)
                self.emit('user_not_found', user)
            return None
        self.missing.discard(user)
        return history

    def capture(self, user: str, broadcast: Mapping[str, Any]) -> None:
        """Download a live broadcast into ``download_dir`` (if set) and report how it went."""
        if self.download_dir is None:
            return
        try:
            path = download_broadcast(self.client, str(broadcast['id']), self.download_dir)
        except (PyPeriError, OSError, ValueError) as error:
            self.emit('download_failed', user, broadcast, error=f'{type(error).__name__}: {error}')
        else:
            self.emit('downloaded', user, self.refreshed(broadcast), path=str(path))

    def refreshed(self, broadcast: Mapping[str, Any]) -> Mapping[str, Any]:
        """``broadcast`` as Periscope has it now (a capture ends when the broadcast does).

        If it cannot be read again, its ``state`` is None (unknown), never the
        ``RUNNING`` it had when the capture began.
        """
        try:
            fresh = self.client.get_broadcast_info(str(broadcast['id']))
        except PyPeriError as error:
            logger.warning('could not read broadcast %s again: %s', broadcast.get('id'), error)
            fresh = None
        if isinstance(fresh, Mapping) and fresh.get('id') == broadcast.get('id'):
            return fresh
        return {**broadcast, 'state': None}


def _check_download_dir(directory: Any) -> str:
    """``download_dir`` as a str, if it names an existing directory.

    :raises TypeError: it is not a str or PathLike.
    :raises ValueError: it is empty, or a name in it is too long.
    :raises FileNotFoundError: it does not exist.
    :raises NotADirectoryError: it is not a directory.
    """
    text = check_path(directory, 'download_dir', optional=False)
    assert text is not None
    check_path_length(text, 'download_dir')
    if not os.path.exists(text):
        raise FileNotFoundError(errno.ENOENT, 'No such directory (download_dir)', text)
    if not os.path.isdir(text):
        raise NotADirectoryError(errno.ENOTDIR, 'Not a directory (download_dir)', text)
    return text


def watch(client: ReplayClient, users: Sequence[str], *,
          on_event: Callable[[dict[str, Any]], Any], interval: float = 30.0,
          download_dir: PathLike | None = None, stop: threading.Event | None = None,
          sleep: Callable[[float], Any] | None = None, max_polls: int | None = None) -> None:
    """Poll users' broadcast histories and report new and live broadcasts.

    Each round fetches every user's public history. The first round only records
    what exists (reporting broadcasts already live); later rounds report each
    broadcast not seen before. Events are JSON-ready dicts passed to ``on_event``,
    with ``event`` one of:

    * ``'live'``: a broadcast is RUNNING (once per broadcast);
    * ``'new'``: a broadcast that was not there before and is not live;
    * ``'ended'``: a broadcast reported live is no longer RUNNING;
    * ``'downloaded'`` / ``'download_failed'``: a live capture finished (``path``) or
      failed (``error``), with ``download_dir`` set; ``downloaded`` carries the
      broadcast as read again after the capture (its ``state`` None if that failed);
    * ``'user_not_found'``: the user does not exist (reported once until found again);
    * ``'error'``: a poll failed (``error``); watching goes on.

    Broadcast events carry ``user`` (as given), ``broadcast_id``, ``username``,
    ``user_id``, ``state``, ``status``, ``start`` and ``url``.

    :param client: a :class:`pyperi.Peri` (or any :class:`~pyperi.replay.ReplayClient`).
    :param users: a list or tuple of user ids, usernames or URLs (checked before the
        first poll; a single ``str`` is a TypeError, not a list of letters).
    :param interval: seconds between rounds, 0 to :data:`~pyperi.replay.MAX_SECONDS`.
    :param download_dir: an existing directory to capture live broadcasts into, one
        after another (the watch pauses while capturing).
    :param stop: set it (from another thread) to stop after the current step.
    :param sleep: waits between rounds; default ``stop.wait`` when ``stop`` is
        given, else ``time.sleep``.
    :param max_polls: stop after this many rounds, at least 1 (None: until stopped).
    :raises TypeError: an argument has the wrong type (``users`` a str, ``on_event`` not
        callable, ``stop`` not a ``threading.Event``, ...).
    :raises ValueError: ``users`` is empty or names no user, ``interval`` or
        ``max_polls`` is out of range.
    :raises FileNotFoundError: ``download_dir`` does not exist (NotADirectoryError: it
        is not a directory).

    Returns when ``stop`` is set or after ``max_polls`` rounds. A
    KeyboardInterrupt reaches the caller; one during a capture is a
    :class:`~pyperi.replay.DownloadInterrupted` saying where the capture, finished
    with its segments so far, was published (as by :func:`download_broadcast`).
    """
    check_client(client)
    users = check_users(users)
    check_callable(on_event, 'on_event', optional=False)
    interval = check_seconds(interval, 'interval', allow_zero=True)
    stop = check_stop(stop)
    check_callable(sleep, 'sleep')
    if max_polls is not None:
        check_count(max_polls, 'max_polls', 1)
    if download_dir is not None:
        download_dir = _check_download_dir(download_dir)
    refs: list[_UserRef] = [(user, *urls.parse_user_ref(user, client.web_base_url))
                            for user in users]
    if sleep is None:
        sleep = stop.wait if stop is not None else time.sleep
    watcher = _Watcher(client, on_event, download_dir=download_dir, stop=stop)
    try:
        watcher.run(refs, interval=interval, sleep=sleep, max_polls=max_polls)
    except KeyboardInterrupt:
        logger.info('watch interrupted')
        raise
