"""In-memory data of the fake Periscope: users, broadcasts and the deterministic default set."""

from __future__ import annotations

import copy
import random
import re
import string
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterator

from pyperi.testing._documented import DOCUMENTED_BROADCAST, DOCUMENTED_HISTORY, DOCUMENTED_USER

__all__ = [
    'BIG_PAGE_USERNAME', 'BIG_PAGE_USER_ID', 'DOCUMENTED_BROADCAST_ID', 'DOCUMENTED_HISTORY_IDS',
    'EMPTY_HISTORY_USERNAME', 'EMPTY_HISTORY_USER_ID', 'GEORGE_CLINTON_ID',
    'GEORGE_CLINTON_USERNAME', 'GEORGE_LIVE_BROADCAST_ID', 'GEORGE_LIVE_STATUS',
    'LONG_HISTORY_COUNT', 'LONG_HISTORY_USERNAME', 'LONG_HISTORY_USER_ID', 'MARKETING_USERNAME',
    'MARKETING_USER_ID', 'MISSING_BROADCAST_IDS', 'MISSING_USERNAMES', 'MISSING_USER_IDS',
    'BroadcastRecord', 'Dataset', 'LiveState', 'format_timestamp', 'load_default_dataset',
    'parse_timestamp',
]

GEORGE_CLINTON_ID = '376827'
GEORGE_CLINTON_USERNAME = 'george_clinton'
DOCUMENTED_BROADCAST_ID = '1zqKVWybqeDGB'
DOCUMENTED_HISTORY_IDS = ('1YqGoOkLbLAGv', '1nAKEnBDXXnGL')
#: George's broadcast that is RUNNING in the default dataset (live for hours).
GEORGE_LIVE_BROADCAST_ID = '1OdKrXqBnmZxL'
#: The status of George's newest broadcast, as the documentation's quick start prints it.
GEORGE_LIVE_STATUS = '#George Clinton listening to music in houston'
LONG_HISTORY_USERNAME = 'long_history'
LONG_HISTORY_USER_ID = '9100000001'
LONG_HISTORY_COUNT = 1200
BIG_PAGE_USERNAME = 'big_page'
BIG_PAGE_USER_ID = '9100000002'
MARKETING_USERNAME = 'acme_marketing'
MARKETING_USER_ID = '9100000003'
EMPTY_HISTORY_USERNAME = 'no_broadcasts'
EMPTY_HISTORY_USER_ID = '9100000004'
#: Never present, so the documentation's ``None`` examples hold.
MISSING_USER_IDS = ('156816811', '6666666666')
MISSING_USERNAMES = ('some_bad_username', 'some_non_existant_user')
MISSING_BROADCAST_IDS = ('aAaAAaaaAAAA',)

#: Extra keys that getUserBroadcastsPublic adds to a broadcast (accessVideoPublic omits them).
HISTORY_KEYS = ('n_total_watched', 'n_total_watching', 'n_watching', 'n_web_watching')

_TS_RE = re.compile(r'^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$')
_ID_CHARS = string.ascii_letters + string.digits
_TOKEN_CHARS = string.ascii_letters + string.digits + '-_'
_KEY_PAIR_ID = 'APKAIHCXHHQVRTVSFRWQ'
#: Default size of one HLS segment: 50 MPEG-TS packets of 188 bytes.
DEFAULT_SEGMENT_SIZE = 188 * 50

_LOCATIONS = [
    # city, country, iso_code, lat, lng, utc offset in minutes
    ('Lake Hiawatha, NJ', 'United States', 'US', 40.862, -74.412, -240),
    ('Houston, TX', 'United States', 'US', 29.76, -95.37, -300),
    ('Detroit, MI', 'United States', 'US', 42.331, -83.046, -240),
    ('Tallahassee, FL', 'United States', 'US', 30.438, -84.281, -240),
    ('London', 'United Kingdom', 'GB', 51.507, -0.128, 60),
    ('Tokyo', 'Japan', 'JP', 35.689, 139.692, 540),
    ('', '', '', 0, 0, -420),
]
_GEORGE_STATUSES = [
    '#George Clinton soundcheck \U0001f3a4 come say hi',
    'Mothership Connection \U0001f680 backstage with the band',
    "Funkin' on the tour bus \U0001f68c\U0001f3b6",
    'Q&A with the fans <3 ask me "anything" \U0001f60e',
    '#GeorgeClinton in the studio \U0001f3b8\U0001f3b9 new music',
    'Atomic Dog \U0001f436 rehearsal',
    'Parliament-Funkadelic live \u2728 #PFunk',
    'Cooking with George \U0001f373\U0001f35d',
    'Fishing day \U0001f3a3 #relax',
    '#George Clinton talking about the book \U0001f4d6',
]
_GENERIC_STATUSES = [
    'Product launch \U0001f680 live Q&A',
    'Behind the scenes at the shoot \U0001f4f8',
    'Weekly update #marketing',
    'Unboxing the new line \U0001f4e6 <b>not bold</b>',
    "Ask us anything & we'll answer \U0001f4ac",
    'Coffee chat \u2615 with the team',
    'Office tour \U0001f3e2',
    'Live from the conference \U0001f3a4 #events',
]


def format_timestamp(when: datetime, *, offset_minutes: int = -420, extra_nanos: int = 0) -> str:
    """Format ``when`` the way Periscope did: nanosecond fraction and a numeric UTC offset.

    :param when: an aware datetime.
    :param offset_minutes: the offset to show (Periscope used the broadcaster's local one).
    :param extra_nanos: 0..999 nanoseconds appended to the microseconds.
    """
    local = when.astimezone(timezone(timedelta(minutes=offset_minutes)))
    nanos = local.microsecond * 1000 + extra_nanos % 1000
    sign = '-' if offset_minutes < 0 else '+'
    off = abs(offset_minutes)
    return '%s.%09d%s%02d:%02d' % (local.strftime('%Y-%m-%dT%H:%M:%S'), nanos, sign,
                                   off // 60, off % 60)


def parse_timestamp(text: str) -> datetime:
    """Parse a Periscope timestamp (nanoseconds are truncated to microseconds)."""
    match = _TS_RE.match(text)
    if not match:
        raise ValueError('not a Periscope timestamp: %r' % (text,))
    base, frac, offset = match.groups()
    frac = (frac or '0')[:6].ljust(6, '0')
    offset = '+00:00' if offset == 'Z' else offset
    return datetime.fromisoformat('%s.%s%s' % (base, frac, offset))


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
    absolute_uris: bool = False
    encrypted: bool = False
    live: LiveState | None = None

    @property
    def id(self) -> str:
        return str(self.info['id'])

    @property
    def running(self) -> bool:
        return self.info.get('state') == 'RUNNING'

    def history_item(self) -> dict[str, Any]:
        item = dict(self.info)
        item.update(self.history_extra)
        return item


@dataclass
class _UserEntry:
    user: dict[str, Any]
    broadcast_ids: list[str] = field(default_factory=list)
    lazy: Callable[[], None] | None = None
    page_users: Callable[[], dict[str, Any]] | None = None


class Dataset:
    """Thread-safe store of users and broadcasts.

    :param now: wall-clock "now" the generated data is relative to (UTC aware).
    :param clock: monotonic clock (live playlists grow with it).
    :param wall: wall clock in epoch seconds (used when a live broadcast ends).
    :param seed: seed of the deterministic generator.
    """

    def __init__(self, now: datetime | None = None, *, clock: Callable[[], float],
                 wall: Callable[[], float], seed: int = 0) -> None:
        self.now = now or datetime.now(timezone.utc)
        if self.now.tzinfo is None:
            raise ValueError('now must be timezone-aware')
        self._clock = clock
        self._wall = wall
        self._lock = threading.RLock()
        self._rng = random.Random(seed)
        self._users: dict[str, _UserEntry] = {}
        self._ids_by_name: dict[str, str] = {}
        self._broadcasts: dict[str, BroadcastRecord] = {}
        self._next_user_id = 8000000001

    # -- users -------------------------------------------------------------------------------

    def add_user(self, username: str, user_id: str | int | None = None,
                 **fields: Any) -> dict[str, Any]:
        """Add (or replace) a user; return a copy of its user dict."""
        if not re.fullmatch(r'[A-Za-z0-9_]{1,64}', username or ''):
            raise ValueError('username must match [A-Za-z0-9_]{1,64}: %r' % (username,))
        with self._lock:
            if user_id is None:
                user_id = self._new_user_id()
            user_id = str(user_id)
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
            entry = _UserEntry(user, old.broadcast_ids if old else [])
            self._users[user_id] = entry
            self._ids_by_name[username.lower()] = user_id
            return copy.deepcopy(user)

    def set_user(self, user: dict[str, Any]) -> None:
        """Store ``user`` exactly as given (used for the documented user)."""
        with self._lock:
            user_id = str(user['id'])
            self._users[user_id] = _UserEntry(copy.deepcopy(user))
            self._ids_by_name[str(user['username']).lower()] = user_id

    def remove_user(self, user_id: str) -> None:
        """Forget a user and its broadcasts (a user that vanished)."""
        with self._lock:
            entry = self._users.pop(str(user_id), None)
            if entry is None:
                raise KeyError('unknown user id %r' % (user_id,))
            self._ids_by_name.pop(entry.user['username'].lower(), None)
            for broadcast_id in entry.broadcast_ids:
                self._broadcasts.pop(broadcast_id, None)

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
              history_extra: dict[str, Any] | None = None, segments: int = 5,
              segment_size: int = DEFAULT_SEGMENT_SIZE, duration: float | None = None,
              master: bool = False, absolute_uris: bool = False, encrypted: bool = False,
              live_segments: int | None = None, segment_interval: float | None = None,
              live_initial: int = 1, live_window: int = 6) -> BroadcastRecord:
        """Store broadcast ``info`` for ``user_id`` with its HLS options; return the record."""
        if segments < 1 or segment_size < 1:
            raise ValueError('segments and segment_size must be positive')
        stamp = info.get('start') or info.get('created_at')
        start = parse_timestamp(stamp) if stamp else self.now
        if duration is None:
            end = info.get('end')
            duration = (parse_timestamp(end) - start).total_seconds() if end else 600.0
        live = None
        if info.get('state') == 'RUNNING':
            total = live_segments or segments
            interval = segment_interval if segment_interval is not None else duration / total
            live = LiveState(self._clock(), interval, total, max(1, live_window),
                             max(1, min(live_initial, total)))
            segments = total
        record = BroadcastRecord(info=copy.deepcopy(info),
                                 history_extra=copy.deepcopy(history_extra or {}),
                                 sort_key=start.timestamp(), segments=segments,
                                 segment_size=segment_size, duration=max(duration, 0.001),
                                 master=master, absolute_uris=absolute_uris, encrypted=encrypted,
                                 live=live)
        with self._lock:
            entry = self._users.get(str(user_id))
            if entry is None:
                raise ValueError('unknown user id %r' % (user_id,))
            if record.id in self._broadcasts:
                raise ValueError('broadcast id %r already exists' % (record.id,))
            self._broadcasts[record.id] = record
            entry.broadcast_ids.append(record.id)
        return record

    def new_broadcast_id(self) -> str:
        """A fresh, unused Periscope-looking broadcast id."""
        with self._lock:
            while True:
                candidate = '1' + ''.join(self._rng.choice(_ID_CHARS) for _ in range(12))
                if candidate not in self._broadcasts and candidate not in MISSING_BROADCAST_IDS:
                    return candidate

    def get_record(self, broadcast_id: str) -> BroadcastRecord | None:
        """The record of a broadcast (live state refreshed), or None."""
        with self._lock:
            record = self._broadcasts.get(broadcast_id)
            if record is None:
                for entry in list(self._users.values()):
                    if entry.lazy is not None:
                        self._build_lazy(entry)
                record = self._broadcasts.get(broadcast_id)
            if record is not None:
                self._refresh(record)
            return record

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

    def records(self) -> Iterator[BroadcastRecord]:
        """All records built so far."""
        with self._lock:
            return iter(list(self._broadcasts.values()))

    # -- internals ---------------------------------------------------------------------------

    def _new_user_id(self) -> str:
        while True:
            candidate = str(self._next_user_id)
            self._next_user_id += 1
            if candidate not in self._users and candidate not in MISSING_USER_IDS:
                return candidate

    def _build_lazy(self, entry: _UserEntry) -> None:
        builder, entry.lazy = entry.lazy, None
        if builder is not None:
            builder()

    def _refresh(self, record: BroadcastRecord) -> None:
        """End a live broadcast whose last segment has been published."""
        live = record.live
        if live is None or not record.running:
            return
        if live.available(self._clock()) < live.total:
            return
        ended = datetime.fromtimestamp(self._wall(), timezone.utc)
        offset = _offset_of(record.info.get('start', ''))
        stamp = format_timestamp(ended, offset_minutes=offset)
        record.info.update(state='ENDED', end=stamp, ping=stamp, updated_at=stamp,
                           available_for_replay=True)
        record.history_extra.update(n_total_watching=0, n_watching=0, n_web_watching=0)
        record.info.update({k: 0 for k in ('n_total_watching', 'n_watching', 'n_web_watching')
                            if k in record.info})


def _offset_of(stamp: str) -> int:
    match = _TS_RE.match(stamp)
    if not match or match.group(3) == 'Z':
        return 0
    sign = -1 if match.group(3)[0] == '-' else 1
    hours, minutes = match.group(3)[1:].split(':')
    return sign * (int(hours) * 60 + int(minutes))


def _token(rng: random.Random, length: int, chars: str = _TOKEN_CHARS) -> str:
    return ''.join(rng.choices(chars, k=length))


def _image_urls(rng: random.Random) -> list[dict[str, Any]]:
    number = rng.randint(10 ** 17, 10 ** 18)
    base = 'https://pbs.twimg.com/profile_images/%d/%s' % (number, _token(rng, 8, _ID_CHARS))
    sizes = [(128, 'reasonably_small'), (200, '200x200'), (400, '400x400')]
    return [{'height': px, 'ssl_url': '%s_%s.jpeg' % (base, name),
             'url': '%s_%s.jpeg' % (base.replace('https:', 'http:', 1), name), 'width': px}
            for px, name in sizes]


def make_user(rng: random.Random, username: str, user_id: str, now: datetime,
              **fields: Any) -> dict[str, Any]:
    """A realistic user dict; ``fields`` override generated values."""
    created = now - timedelta(days=rng.randint(400, 2500), seconds=rng.randint(0, 86400))
    user: dict[str, Any] = {
        'class_name': 'User',
        'created_at': format_timestamp(created, extra_nanos=rng.randint(0, 999)),
        'description': '%s on Periscope \U0001f4fa' % username.replace('_', ' ').title(),
        'display_name': username.replace('_', ' ').title(),
        'id': user_id,
        'initials': '',
        'is_beta_user': False,
        'is_employee': False,
        'is_twitter_verified': False,
        'n_followers': rng.randint(0, 50000),
        'n_following': rng.randint(0, 2000),
        'n_hearts': rng.randint(0, 3000000),
        'profile_image_urls': _image_urls(rng),
        'twitter_id': str(rng.randint(10 ** 7, 10 ** 9)),
        'twitter_screen_name': username,
        'username': username,
    }
    user.update(fields)
    return dict(sorted(user.items()))


def _thumbnail(rng: random.Random, chunk: int, expires: int, small: bool) -> str:
    path = _token(rng, 86) + '==' if rng.random() < 0.5 else _token(rng, 86)
    name = 'chunk_%d_thumb_128.jpg' % chunk if small else 'chunk_%d.jpg' % chunk
    return ('https://tn.periscope.tv/%s/%s?Expires=%d&Signature=%s__&Key-Pair-Id=%s'
            % (path, name, expires, _token(rng, 342), _KEY_PAIR_ID))


def make_broadcast(rng: random.Random, user: dict[str, Any], broadcast_id: str, *,
                   start: datetime, duration: float, state: str = 'ENDED',
                   n_total_watched: int = 0, status: str | None = None,
                   location: tuple[Any, ...] | None = None, **fields: Any) -> dict[str, Any]:
    """A realistic broadcast dict (the shape of the documented ones); ``fields`` override."""
    if state not in ('RUNNING', 'ENDED', 'TIMED_OUT'):
        raise ValueError('state must be RUNNING, ENDED or TIMED_OUT: %r' % (state,))
    city, country, iso, lat, lng, offset = location or rng.choice(_LOCATIONS)

    def stamp(when: datetime) -> str:
        return format_timestamp(when, offset_minutes=offset, extra_nanos=rng.randint(0, 999))

    created = start - timedelta(seconds=rng.uniform(5, 90))
    end = start + timedelta(seconds=duration)
    running = state == 'RUNNING'
    chunk = max(1, int(duration // 8))
    expires = int(start.timestamp()) + 10 * 365 * 86400
    images = user.get('profile_image_urls') or [{}]
    watching = rng.randint(3, 400) if running else 0
    info: dict[str, Any] = {
        'available_for_replay': not running,
        'camera_rotation': rng.choice([0, 0, 0, 90, 271]),
        'city': city,
        'class_name': 'Broadcast',
        'country': country,
        'country_state': '',
        'created_at': stamp(created),
        'end': stamp(end),
        'expiration': -1,
        'featured': False,
        'friend_chat': False,
        'has_location': bool(city),
        'has_moderation': rng.random() < 0.5,
        'height': 568,
        'highlight_available': not running and rng.random() < 0.5,
        'id': broadcast_id,
        'image_url': _thumbnail(rng, chunk, expires, False),
        'image_url_small': _thumbnail(rng, chunk, expires, True),
        'ip_lat': lat,
        'ip_lng': lng,
        'is_locked': False,
        'iso_code': iso,
        'language': 'en',
        'n_total_watched': n_total_watched,
        'n_total_watching': watching,
        'n_watching': watching,
        'n_web_watching': watching // 4,
        'ping': stamp(end - timedelta(seconds=rng.uniform(2, 10))),
        'profile_image_url': images[0].get('url', ''),
        'start': stamp(start),
        'state': state,
        'status': status if status is not None else rng.choice(_GENERIC_STATUSES),
        'tags': [],
        'tweet_id': str(rng.randint(7 * 10 ** 17, 9 * 10 ** 17)),
        'twitter_username': user.get('twitter_screen_name', user.get('username', '')),
        'updated_at': stamp(end + timedelta(seconds=rng.uniform(1, 10))),
        'user_display_name': user.get('display_name', ''),
        'user_id': user['id'],
        'username': user['username'],
        'width': 320,
    }
    info['tags'] = [w.lstrip('#') for w in info['status'].split() if w.startswith('#')]
    if running:
        del info['end']
        now = start + timedelta(seconds=rng.uniform(0, 5))
        info['ping'] = info['updated_at'] = stamp(now)
    info.update(fields)
    return dict(sorted(info.items()))


def _george_records() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The documented broadcasts as (info, history_extra) pairs."""
    pairs = []
    extra = {'n_total_watched': 2214, 'n_total_watching': 0, 'n_watching': 0,
             'n_web_watching': 0}
    pairs.append((copy.deepcopy(DOCUMENTED_BROADCAST), extra))
    for item in DOCUMENTED_HISTORY:
        pairs.append((copy.deepcopy(item), {}))
    return pairs


def load_default_dataset(ds: Dataset) -> None:
    """Fill ``ds`` with the default data, relative to ``ds.now``.

    """
    now = ds.now
    ds.set_user(DOCUMENTED_USER)
    george = DOCUMENTED_USER
    for info, extra in _george_records():
        ds.store(GEORGE_CLINTON_ID, info, history_extra=extra)

    rng = random.Random('george')
    # Days ago of George's ended broadcasts: five inside the last week, the rest over six weeks.
    days_ago = [0.4, 1.3, 2.6, 4.1, 6.2, 8.5, 10.1, 12.7, 15.2, 17.4, 20.3, 22.8, 25.1, 27.6,
                30.2, 33.3, 36.4, 39.5, 41.7]
    for index, days in enumerate(days_ago):
        start = now - timedelta(days=days, seconds=rng.randint(0, 3600))
        state = 'TIMED_OUT' if index == 7 else 'ENDED'
        fields: dict[str, Any] = {}
        if index == 12:
            fields['available_for_replay'] = False
        info = make_broadcast(rng, george, ds.new_broadcast_id(), start=start,
                              duration=rng.randint(180, 4500), state=state,
                              n_total_watched=rng.randint(50, 9000),
                              status=_GEORGE_STATUSES[index % len(_GEORGE_STATUSES)], **fields)
        ds.store(GEORGE_CLINTON_ID, info, segments=3 + index % 4)
    live_start = now - timedelta(minutes=12)
    info = make_broadcast(rng, george, GEORGE_LIVE_BROADCAST_ID, start=live_start,
                          duration=12 * 60, state='RUNNING', n_total_watched=0,
                          status=GEORGE_LIVE_STATUS, location=_LOCATIONS[1])
    # Live for about four hours of the fake's clock, so CLI sessions see it RUNNING.
    ds.store(GEORGE_CLINTON_ID, info, live_segments=7200, segment_interval=2.0, live_initial=360)

    _add_marketing(ds)
    ds.add_user(EMPTY_HISTORY_USERNAME, EMPTY_HISTORY_USER_ID, display_name='Quiet Account',
                description='Nothing broadcast yet.')
    _add_long_history(ds)
    _add_big_page(ds)


def _add_marketing(ds: Dataset) -> None:
    user = ds.add_user(MARKETING_USERNAME, MARKETING_USER_ID, display_name='ACME Marketing',
                       description='We help brands go live \U0001f4e3 & grow <3',
                       is_twitter_verified=True)
    rng = random.Random('marketing')
    for days in (0.8, 2.2, 5.9, 9.5, 13.0, 16.4, 19.8, 23.1, 26.5, 29.9):
        start = ds.now - timedelta(days=days, seconds=rng.randint(0, 7200))
        info = make_broadcast(rng, user, ds.new_broadcast_id(), start=start,
                              duration=rng.randint(300, 3600), n_total_watched=rng.randint(5, 800),
                              location=_LOCATIONS[4])
        ds.store(MARKETING_USER_ID, info, segments=3)


def _add_long_history(ds: Dataset) -> None:
    user = ds.add_user(LONG_HISTORY_USERNAME, LONG_HISTORY_USER_ID, display_name='Long History',
                       description='Broadcasting every few hours since forever \u23f0')

    def build() -> None:
        rng = random.Random('long_history')
        for index in range(LONG_HISTORY_COUNT):
            start = ds.now - timedelta(hours=3 + 8 * index, seconds=rng.randint(0, 1800))
            info = make_broadcast(rng, user, ds.new_broadcast_id(), start=start,
                                  duration=rng.randint(60, 1800),
                                  n_total_watched=rng.randint(0, 300), location=_LOCATIONS[5])
            ds.store(LONG_HISTORY_USER_ID, info, segments=2)

    ds.set_lazy(LONG_HISTORY_USER_ID, broadcasts=build)


def _add_big_page(ds: Dataset) -> None:
    description = ('Big page \U0001f418 ' + 'All the funk that fits & more <3 "quoted" ' * 40)
    user = ds.add_user(BIG_PAGE_USERNAME, BIG_PAGE_USER_ID, display_name='Big Page \U0001f418',
                       description=description.strip())
    rng = random.Random('big_page')
    for days in (1.5, 3.5, 12.0):
        start = ds.now - timedelta(days=days)
        info = make_broadcast(rng, user, ds.new_broadcast_id(), start=start, duration=900,
                              n_total_watched=rng.randint(100, 500))
        ds.store(BIG_PAGE_USER_ID, info, segments=2)
    cache: dict[str, Any] = {}

    def page_users() -> dict[str, Any]:
        # Built once per fake, then shared read-only: about 1.5 MB once HTML-escaped.
        if not cache:
            urng = random.Random('big_page_users')
            for index in range(1200):
                follower_id = str(7000000000 + index)
                name = 'fan_%04d_%s' % (index, _token(urng, 6, string.ascii_lowercase))
                follower = make_user(urng, name, follower_id, ds.now,
                                     description='Funk fan #%d \U0001f3b6 "P-Funk" & more' % index)
                cache[follower_id] = {'user': follower}
        return cache

    ds.set_lazy(BIG_PAGE_USER_ID, page_users=page_users)
