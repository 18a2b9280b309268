"""The fake Periscope's in-memory store of users and broadcasts (thread-safe)."""

from __future__ import annotations

import copy
import math
import random
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Collection

from pyperi.testing.generate import (
    GENERATIONS, ID_CHARS, StreamKeys, make_user, offset_of, stream_keys,
)
from pyperi.testing.wire import USERNAME_RE
from pyperi.timeutil import format_periscope_timestamp, parse_timestamp

__all__ = ['DEFAULT_SEGMENT_SIZE', 'REPLAY_SEGMENT_SECONDS', 'SMALL_REPLAY_SEGMENTS',
           'BroadcastRecord', 'Dataset', 'LiveState']

#: Default size of one HLS segment: 50 MPEG-TS packets of 188 bytes.
DEFAULT_SEGMENT_SIZE = 188 * 50
#: Length of a replay segment, as Periscope cut them: a two-hour replay has 2,400.
REPLAY_SEGMENT_SECONDS = 3.0
#: Segments of a replay when the store keeps replays small (for fast tests).
SMALL_REPLAY_SEGMENTS = 5
_AUDIENCE_KEYS = ('n_total_watching', 'n_watching', 'n_web_watching')


@dataclass
class LiveState:
    """Growth of a live playlist, computed from the fake's monotonic clock."""

    started: float
    interval: float
    total: int
    window: int = 6
    initial: int = 1

    def available(self, now: float) -> int:
        """How many segments exist at monotonic time ``now``."""
        if self.interval <= 0:
            return self.total
        grown = int(max(0.0, now - self.started) / self.interval)
        return min(self.total, self.initial + grown)


@dataclass
class BroadcastRecord:
    """A broadcast with what the fake needs to serve it."""

    info: dict[str, Any]
    history_extra: dict[str, Any]
    sort_key: float
    segments: int
    segment_size: int
    duration: float
    master: bool = False
    absolute_uris: bool = True
    encrypted: bool = False
    live: LiveState | None = None
    keys: StreamKeys = field(init=False)

    def __post_init__(self) -> None:
        self.keys = stream_keys(self.id)

    @property
    def id(self) -> str:
        return str(self.info['id'])

    @property
    def start(self) -> float:
        """When the broadcast started, in epoch seconds (its first segment's date)."""
        return self.sort_key

    @property
    def running(self) -> bool:
        return self.info.get('state') == 'RUNNING'

    @property
    def replayable(self) -> bool:
        """Ended and available for replay."""
        return not self.running and bool(self.info.get('available_for_replay'))

    def history_item(self) -> dict[str, Any]:
        """The broadcast as getUserBroadcastsPublic lists it."""
        item = dict(self.info)
        item.update(self.history_extra)
        return item


@dataclass
class _UserEntry:
    user: dict[str, Any]
    generation: int
    broadcast_ids: list[str] = field(default_factory=list)
    lazy: Callable[[], None] | None = None
    page_users: Callable[[], dict[str, Any]] | None = None


class Dataset:
    """Thread-safe store of users and broadcasts.

    :param now: wall-clock "now" the generated data is relative to (UTC aware).
    :param clock: monotonic clock (live playlists grow with it).
    :param wall: wall clock in epoch seconds (used when a live broadcast ends).
    :param seed: seed of the deterministic generator.
    :param reserved_ids: user and broadcast ids never given to new records, so they stay unknown.
    :param small_replays: give replays :data:`SMALL_REPLAY_SEGMENTS` segments unless told
        otherwise, instead of one per :data:`REPLAY_SEGMENT_SECONDS` of broadcast.
    """

    def __init__(self, now: datetime | None = None, *, clock: Callable[[], float],
                 wall: Callable[[], float], seed: int = 0,
                 reserved_ids: Collection[str] = (), small_replays: bool = False) -> None:
        self.now = now or datetime.now(timezone.utc)
        if self.now.tzinfo is None:
            raise ValueError('now must be timezone-aware')
        self.small_replays = small_replays
        self._clock = clock
        self._wall = wall
        self._reserved = frozenset(reserved_ids)
        self._lock = threading.RLock()
        self._rng = random.Random(seed)
        self._users: dict[str, _UserEntry] = {}
        self._ids_by_name: dict[str, str] = {}
        self._broadcasts: dict[str, BroadcastRecord] = {}
        self._by_key: dict[str, str] = {}
        self._next_user_id = 8000000001

    # -- users -------------------------------------------------------------------------------

    def add_user(self, username: str, user_id: str | int | None = None, *,
                 page_generation: int = 2019, **fields: Any) -> dict[str, Any]:
        """Add (or replace) a user; return a copy of its user dict.

        :param page_generation: the shape of the user's pages: 2016 (with ``Tracking``) or
            2019 (without).
        :raises ValueError: for a bad username, user id or page generation, or a username
            another user has.
        """
        if not USERNAME_RE.fullmatch(username or ''):
            raise ValueError('username must match %s: %r' % (USERNAME_RE.pattern, username))
        _check_generation(page_generation, 'page_generation')
        with self._lock:
            user_id = self._new_user_id() if user_id is None else str(user_id)
            if not user_id.isdigit():
                raise ValueError('user_id must be digits: %r' % (user_id,))
            other = self._ids_by_name.get(username.lower())
            if other is not None and other != user_id:
                raise ValueError('username %r is taken by user %s' % (username, other))
            user = make_user(random.Random('%s/%s' % (username, user_id)), username, user_id,
                             self.now, **fields)
            old = self._users.get(user_id)
            if old is not None:
                self._ids_by_name.pop(old.user['username'].lower(), None)
            self._users[user_id] = _UserEntry(user, page_generation,
                                              old.broadcast_ids if old else [])
            self._ids_by_name[username.lower()] = user_id
            return copy.deepcopy(user)

    def set_user(self, user: dict[str, Any], *, page_generation: int = 2016) -> None:
        """Store ``user`` exactly as given (used for the documented user)."""
        _check_generation(page_generation, 'page_generation')
        with self._lock:
            user_id = str(user['id'])
            self._users[user_id] = _UserEntry(copy.deepcopy(user), page_generation)
            self._ids_by_name[str(user['username']).lower()] = user_id

    def remove_user(self, user_id: str) -> None:
        """Forget a user and its broadcasts (a user that vanished).

        :raises KeyError: for an unknown user id.
        """
        with self._lock:
            entry = self._users.pop(str(user_id), None)
            if entry is None:
                raise KeyError('unknown user id %r' % (user_id,))
            self._ids_by_name.pop(entry.user['username'].lower(), None)
            for broadcast_id in entry.broadcast_ids:
                record = self._broadcasts.pop(broadcast_id, None)
                if record is not None:
                    self._by_key.pop(record.keys.replay, None)
                    self._by_key.pop(record.keys.live, None)

    def set_lazy(self, user_id: str, *, broadcasts: Callable[[], None] | None = None,
                 page_users: Callable[[], dict[str, Any]] | None = None) -> None:
        """Register builders run on first use (large histories, large pages)."""
        with self._lock:
            entry = self._users[user_id]
            entry.lazy = broadcasts
            entry.page_users = page_users

    def user_id_for(self, username: str) -> str | None:
        """The id of ``username`` (case-insensitive), or None."""
        with self._lock:
            return self._ids_by_name.get(username.lower())

    def get_user(self, user_id: str) -> dict[str, Any] | None:
        """A copy of the user dict, or None."""
        with self._lock:
            entry = self._users.get(str(user_id))
            return copy.deepcopy(entry.user) if entry else None

    def page_generation(self, user_id: str) -> int | None:
        """The shape of the user's pages (2016 or 2019), or None for an unknown user."""
        with self._lock:
            entry = self._users.get(str(user_id))
            return entry.generation if entry else None

    def page_users(self, user_id: str) -> dict[str, Any]:
        """Extra users shown in a user's page cache (big pages)."""
        with self._lock:
            entry = self._users.get(user_id)
            if entry is None or entry.page_users is None:
                return {}
            builder = entry.page_users
        return builder()

    # -- broadcasts --------------------------------------------------------------------------

    def store(self, user_id: str | int, info: dict[str, Any], *,
              history_extra: dict[str, Any] | None = None, segments: int | None = None,
              segment_size: int = DEFAULT_SEGMENT_SIZE, duration: float | None = None,
              master: bool = False, absolute_uris: bool = True, encrypted: bool = False,
              live_segments: int | None = None, segment_interval: float | None = None,
              live_initial: int = 1, live_window: int = 6) -> BroadcastRecord:
        """Store broadcast ``info`` for ``user_id`` with its HLS options; return the record.

        ``duration`` defaults to ``end - start`` of ``info`` (else to its last ``ping``, else
        600 s). ``segments`` defaults to one per :data:`REPLAY_SEGMENT_SECONDS` of it, or
        :data:`SMALL_REPLAY_SEGMENTS` when the store keeps replays small. A RUNNING broadcast
        gets a live playlist of ``live_segments`` (default ``segments``) segments, one every
        ``segment_interval`` seconds (default: spread over ``duration``).

        :raises ValueError: for non-positive sizes, an unknown user or a duplicate id.
        """
        start, duration = self._timing(info, duration)
        if segments is None:
            segments = (SMALL_REPLAY_SEGMENTS if self.small_replays
                        else max(1, math.ceil(duration / REPLAY_SEGMENT_SECONDS)))
        if segments < 1 or segment_size < 1:
            raise ValueError('segments and segment_size must be positive')
        live = None
        if info.get('state') == 'RUNNING':
            total = live_segments or segments
            interval = segment_interval if segment_interval is not None else duration / total
            live = LiveState(self._clock(), interval, total, max(1, live_window),
                             max(1, min(live_initial, total)))
        record = BroadcastRecord(info=copy.deepcopy(info),
                                 history_extra=copy.deepcopy(history_extra or {}),
                                 sort_key=start.timestamp(),
                                 segments=live.total if live else segments,
                                 segment_size=segment_size, duration=max(duration, 0.001),
                                 master=master, absolute_uris=absolute_uris, encrypted=encrypted,
                                 live=live)
        self._add_record(str(user_id), record)
        return record

    def new_broadcast_id(self) -> str:
        """A fresh, unused Periscope-looking broadcast id."""
        with self._lock:
            while True:
                candidate = '1' + ''.join(self._rng.choice(ID_CHARS) for _ in range(12))
                if candidate not in self._broadcasts and candidate not in self._reserved:
                    return candidate

    def get_record(self, broadcast_id: str) -> BroadcastRecord | None:
        """The record of a broadcast (live state refreshed), or None."""
        with self._lock:
            record = self._broadcasts.get(broadcast_id)
            if record is None:
                for entry in list(self._users.values()):
                    self._build_lazy(entry)
                record = self._broadcasts.get(broadcast_id)
            if record is not None:
                self._refresh(record)
            return record

    def get_record_by_key(self, key: str) -> BroadcastRecord | None:
        """The record whose replay or live key is ``key`` (live state refreshed), or None."""
        with self._lock:
            broadcast_id = self._by_key.get(key)
            if broadcast_id is None:
                for entry in list(self._users.values()):
                    self._build_lazy(entry)
                broadcast_id = self._by_key.get(key)
            return None if broadcast_id is None else self.get_record(broadcast_id)

    def history(self, user_id: str) -> list[dict[str, Any]] | None:
        """History items of a user, newest first; None if the user is unknown."""
        with self._lock:
            entry = self._users.get(str(user_id))
            if entry is None:
                return None
            self._build_lazy(entry)
            records = [self._broadcasts[b] for b in entry.broadcast_ids]
            for record in records:
                self._refresh(record)
            records.sort(key=lambda r: r.sort_key, reverse=True)
            return [r.history_item() for r in records]

    # -- internals ---------------------------------------------------------------------------

    def _timing(self, info: dict[str, Any], duration: float | None) -> tuple[datetime, float]:
        """(start, duration) of a broadcast from its stamps; a given ``duration`` wins."""
        stamp = info.get('start') or info.get('created_at')
        start = parse_timestamp(stamp) if stamp else self.now
        if duration is None:
            end = info.get('end') or (info.get('ping') if info.get('state') != 'RUNNING' else None)
            duration = (parse_timestamp(end) - start).total_seconds() if end else 600.0
        return start, duration

    def _add_record(self, user_id: str, record: BroadcastRecord) -> None:
        with self._lock:
            entry = self._users.get(user_id)
            if entry is None:
                raise ValueError('unknown user id %r' % (user_id,))
            if record.id in self._broadcasts:
                raise ValueError('broadcast id %r already exists' % (record.id,))
            self._broadcasts[record.id] = record
            self._by_key[record.keys.replay] = self._by_key[record.keys.live] = record.id
            entry.broadcast_ids.append(record.id)

    def _new_user_id(self) -> str:
        while True:
            candidate = str(self._next_user_id)
            self._next_user_id += 1
            if candidate not in self._users and candidate not in self._reserved:
                return candidate

    def _build_lazy(self, entry: _UserEntry) -> None:
        builder, entry.lazy = entry.lazy, None
        if builder is not None:
            builder()

    def _refresh(self, record: BroadcastRecord) -> None:
        """End a live broadcast whose last segment has been published."""
        live = record.live
        if live is None or not record.running or live.available(self._clock()) < live.total:
            return
        ended = datetime.fromtimestamp(self._wall(), timezone.utc)
        stamp = format_periscope_timestamp(ended, offset=offset_of(record.info.get('start')))
        record.info.update(state='ENDED', end=stamp, ping=stamp, updated_at=stamp,
                           available_for_replay=True)
        record.history_extra.update({key: 0 for key in _AUDIENCE_KEYS})
        record.info.update({key: 0 for key in _AUDIENCE_KEYS if key in record.info})


def _check_generation(value: Any, name: str) -> None:
    if value not in GENERATIONS or isinstance(value, bool):
        raise ValueError('%s must be 2016 or 2019: %r' % (name, value))
