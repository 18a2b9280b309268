"""Realistic user and broadcast dicts for the fake Periscope, deterministic for a given rng."""

from __future__ import annotations

import base64
import hashlib
import random
import re
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from pyperi.testing.wire import CLOUDFRONT_KEY_PAIR_ID
from pyperi.timeutil import format_periscope_timestamp, parse_timestamp

__all__ = ['BROADCAST_SOURCES', 'BROADCAST_STATES', 'GENERATIONS', 'GO_ZERO_TIME', 'ID_CHARS',
           'LOCATIONS', 'Location', 'StreamKeys', 'history_fields', 'make_broadcast', 'make_user',
           'offset_of', 'stream_keys', 'token']

#: (city, country, iso_code, lat, lng, utc offset in minutes)
Location = tuple[str, str, str, float, float, int]

BROADCAST_STATES = ('RUNNING', 'ENDED', 'TIMED_OUT')
#: The shapes of Periscope's records and pages: 2016 (www.periscope.tv) and 2019 (pscp.tv).
GENERATIONS = (2016, 2019)
#: Where Periscope's broadcasts came from, as history records name it.
BROADCAST_SOURCES = ('ios', 'android', 'producer', 'web')
#: Go's zero ``time.Time``: what a history record's ``timedout`` holds when it never timed out.
GO_ZERO_TIME = '0001-01-01T00:00:00Z'
ID_CHARS = string.ascii_letters + string.digits
_TOKEN_CHARS = ID_CHARS + '-_'
_OFFSET_RE = re.compile(r'([+-])(\d\d):(\d\d)$')
#: Offset of timestamps without a location of their own (Periscope's home, California).
_DEFAULT_OFFSET = timedelta(minutes=-420)

LOCATIONS: list[Location] = [
    ('Lake Hiawatha, NJ', 'United States', 'US', 40.862, -74.412, -240),
    ('Houston, TX', 'United States', 'US', 29.76, -95.37, -300),
    ('Detroit, MI', 'United States', 'US', 42.331, -83.046, -240),
    ('Tallahassee, FL', 'United States', 'US', 30.438, -84.281, -240),
    ('London', 'United Kingdom', 'GB', 51.507, -0.128, 60),
    ('Tokyo', 'Japan', 'JP', 35.689, 139.692, 540),
    ('', '', '', 0, 0, -420),
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


def token(rng: random.Random, length: int, chars: str = _TOKEN_CHARS) -> str:
    """``length`` random characters of ``chars`` (URL-safe base64 by default)."""
    return ''.join(rng.choices(chars, k=length))


def _stamper(rng: random.Random, offset: timedelta | None) -> Callable[[datetime], str]:
    """Writes timestamps at ``offset`` (None: UTC with ``Z``, as in 2019) with random
    nanoseconds, as Periscope's records show."""
    def stamp(when: datetime) -> str:
        return format_periscope_timestamp(when, offset=offset, nanoseconds=rng.randint(0, 999))

    return stamp


def _image_urls(rng: random.Random) -> list[dict[str, Any]]:
    number = rng.randint(10 ** 17, 10 ** 18)
    base = 'https://pbs.twimg.com/profile_images/%d/%s' % (number, token(rng, 8, ID_CHARS))
    sizes = [(128, 'reasonably_small'), (200, '200x200'), (400, '400x400')]
    return [{'height': px, 'ssl_url': '%s_%s.jpeg' % (base, name),
             'url': '%s_%s.jpeg' % (base.replace('https:', 'http:', 1), name), 'width': px}
            for px, name in sizes]


def make_user(rng: random.Random, username: str, user_id: str, now: datetime,
              **fields: Any) -> dict[str, Any]:
    """A realistic user dict created before ``now``; ``fields`` override generated values."""
    created = now - timedelta(days=rng.randint(400, 2500), seconds=rng.randint(0, 86400))
    title = username.replace('_', ' ').title()
    user: dict[str, Any] = {
        'class_name': 'User',
        'created_at': _stamper(rng, _DEFAULT_OFFSET)(created),
        'description': '%s on Periscope \U0001f4fa' % title,
        'display_name': title,
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


def _thumbnail(rng: random.Random, chunk: int, expires: int, size: int | None) -> str:
    path = token(rng, 86) + '==' if rng.random() < 0.5 else token(rng, 86)
    name = 'chunk_%d_thumb_%d.jpg' % (chunk, size) if size else 'chunk_%d.jpg' % chunk
    return ('https://tn.periscope.tv/%s/%s?Expires=%d&Signature=%s__&Key-Pair-Id=%s'
            % (path, name, expires, token(rng, 342), CLOUDFRONT_KEY_PAIR_ID))


def _place(location: Location) -> dict[str, Any]:
    city, country, iso, lat, lng, _offset = location
    return {'city': city, 'country': country, 'country_state': '', 'has_location': bool(city),
            'ip_lat': lat, 'ip_lng': lng, 'iso_code': iso}


def _fixed_fields(user: dict[str, Any], broadcast_id: str, state: str, n_total_watched: int,
                  watching: int) -> dict[str, Any]:
    """The fields of a broadcast that take nothing from the random generator."""
    images = user.get('profile_image_urls') or [{}]
    return {
        'available_for_replay': state != 'RUNNING',
        'class_name': 'Broadcast',
        'expiration': -1,
        'featured': False,
        'friend_chat': False,
        'height': 568,
        'id': broadcast_id,
        'is_locked': False,
        'language': 'en',
        'n_total_watched': n_total_watched,
        'n_total_watching': watching,
        'n_watching': watching,
        'n_web_watching': watching // 4,
        'profile_image_url': images[0].get('url', ''),
        'state': state,
        'tags': [],
        'twitter_username': user.get('twitter_screen_name', user.get('username', '')),
        'user_display_name': user.get('display_name', ''),
        'user_id': user['id'],
        'username': user['username'],
        'width': 320,
    }


def _random_fields(rng: random.Random, stamp: Callable[[datetime], str], *, start: datetime,
                   duration: float, created: datetime, running: bool,
                   status: str | None) -> dict[str, Any]:
    """The fields of a broadcast drawn from ``rng``, drawn in this order (keep it: determinism)."""
    end = start + timedelta(seconds=duration)
    chunk = max(1, int(duration // 8))
    expires = int(start.timestamp()) + 10 * 365 * 86400
    return {
        'camera_rotation': rng.choice([0, 0, 0, 90, 271]),
        'created_at': stamp(created),
        'end': stamp(end),
        'has_moderation': rng.random() < 0.5,
        'highlight_available': not running and rng.random() < 0.5,
        'image_url': _thumbnail(rng, chunk, expires, None),
        'image_url_small': _thumbnail(rng, chunk, expires, 128),
        'ping': stamp(end - timedelta(seconds=rng.uniform(2, 10))),
        'start': stamp(start),
        'status': status if status is not None else rng.choice(_GENERIC_STATUSES),
        'tweet_id': str(rng.randint(7 * 10 ** 17, 9 * 10 ** 17)),
        'updated_at': stamp(end + timedelta(seconds=rng.uniform(1, 10))),
    }


def _generation_2019(rng: random.Random, user: dict[str, Any], start: datetime,
                     duration: float) -> dict[str, Any]:
    """The fields 2019 records add to the 2016 shape."""
    chunk = max(1, int(duration // 8))
    return {
        'image_url_medium': _thumbnail(rng, chunk, int(start.timestamp()) + 10 * 365 * 86400, 320),
        'is_high_latency': rng.random() < 0.1,
        'media_key': '28_%d' % rng.randint(10 ** 18, 2 * 10 ** 18),
        'twitter_id': str(user.get('twitter_id', '')),
        'version': 2,
    }


def make_broadcast(rng: random.Random, user: dict[str, Any], broadcast_id: str, *,
                   start: datetime, duration: float, state: str = 'ENDED',
                   n_total_watched: int = 0, status: str | None = None,
                   location: Location | None = None, generation: int = 2016,
                   **fields: Any) -> dict[str, Any]:
    """A realistic broadcast dict (the shape of the documented ones); ``fields`` override.

    A RUNNING broadcast has no ``end`` and has viewers. An ENDED one has an ``end``. A
    TIMED_OUT one has no ``end``: its last ``ping`` is where its video stops, ``duration``
    after its start. Generation 2016 writes timestamps at the location's UTC offset; 2019
    writes them in UTC with ``Z`` and adds ``twitter_id``, ``version``, ``media_key``,
    ``image_url_medium`` and ``is_high_latency``.

    :raises ValueError: if ``state`` is not RUNNING, ENDED or TIMED_OUT, or ``generation``
        not 2016 or 2019.
    """
    if state not in BROADCAST_STATES:
        raise ValueError('state must be RUNNING, ENDED or TIMED_OUT: %r' % (state,))
    if generation not in GENERATIONS:
        raise ValueError('generation must be 2016 or 2019: %r' % (generation,))
    place = location or rng.choice(LOCATIONS)
    stamp = _stamper(rng, timedelta(minutes=place[5]) if generation == 2016 else None)
    created = start - timedelta(seconds=rng.uniform(5, 90))
    running = state == 'RUNNING'
    watching = rng.randint(3, 400) if running else 0
    info = _fixed_fields(user, broadcast_id, state, n_total_watched, watching)
    info.update(_place(place))
    info.update(_random_fields(rng, stamp, start=start, duration=duration, created=created,
                               running=running, status=status))
    info['tags'] = [w.lstrip('#') for w in info['status'].split() if w.startswith('#')]
    if running:
        del info['end']
        info['ping'] = info['updated_at'] = stamp(start + timedelta(seconds=rng.uniform(0, 5)))
    elif state == 'TIMED_OUT':
        info['ping'] = info.pop('end')
    if generation == 2019:
        info.update(_generation_2019(rng, user, start, duration))
    info.update(fields)
    return dict(sorted(info.items()))


def history_fields(rng: random.Random, info: dict[str, Any]) -> dict[str, Any]:
    """What a getUserBroadcastsPublic item adds to a broadcast: ``timedout``,
    ``broadcast_source`` and ``interstitial``.

    ``timedout`` is when Periscope gave up waiting for a TIMED_OUT broadcast (a minute or
    so after its last ``ping``, written like it), and Go's zero time otherwise.
    """
    timedout = GO_ZERO_TIME
    ping = info.get('ping')
    if info.get('state') == 'TIMED_OUT' and isinstance(ping, str):
        when = parse_timestamp(ping) + timedelta(seconds=rng.uniform(30, 90))
        timedout = format_periscope_timestamp(when, offset=offset_of(ping),
                                              nanoseconds=rng.randint(0, 999))
    return {'broadcast_source': rng.choice(BROADCAST_SOURCES), 'interstitial': False,
            'timedout': timedout}


def offset_of(stamp: Any) -> timedelta | None:
    """The numeric UTC offset a Periscope timestamp was written with; None for ``Z`` or none."""
    match = _OFFSET_RE.search(stamp) if isinstance(stamp, str) else None
    if match is None:
        return None
    sign, hours, minutes = match.groups()
    offset = timedelta(hours=int(hours), minutes=int(minutes))
    return -offset if sign == '-' else offset


@dataclass(frozen=True)
class StreamKeys:
    """The opaque names of a broadcast's streams: the replay key (the first path segment of its
    replay files), the live key (of its live playlists) and the playlist number (19 digits)."""

    replay: str
    live: str
    playlist: str


def stream_keys(broadcast_id: str) -> StreamKeys:
    """The stream names of ``broadcast_id``: derived from it, so the same on every run.

    Keys are 88 characters of URL-safe base64 ending in ``==``, as Periscope's were, so they
    never look like a username.
    """
    def key(kind: str) -> str:
        digest = hashlib.sha512(('%s/%s' % (kind, broadcast_id)).encode()).digest()
        return base64.urlsafe_b64encode(digest).decode('ascii')

    number = int.from_bytes(hashlib.sha256(('playlist/' + broadcast_id).encode()).digest(), 'big')
    return StreamKeys(key('replay'), key('live'), str(10 ** 18 + number % (9 * 10 ** 18)))
