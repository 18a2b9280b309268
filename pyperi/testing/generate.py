"""Realistic user and broadcast dicts for the fake Periscope, deterministic for a given rng."""

from __future__ import annotations

import random
import string
from datetime import datetime, timedelta
from typing import Any, Callable

from pyperi.testing.wire import CLOUDFRONT_KEY_PAIR_ID
from pyperi.timeutil import format_periscope_timestamp

__all__ = ['BROADCAST_STATES', 'ID_CHARS', 'LOCATIONS', 'Location', 'make_broadcast', 'make_user',
           'token']

#: (city, country, iso_code, lat, lng, utc offset in minutes)
Location = tuple[str, str, str, float, float, int]

BROADCAST_STATES = ('RUNNING', 'ENDED', 'TIMED_OUT')
ID_CHARS = string.ascii_letters + string.digits
_TOKEN_CHARS = ID_CHARS + '-_'
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


def _stamper(rng: random.Random, offset: timedelta) -> Callable[[datetime], str]:
    """Writes timestamps at ``offset`` with random nanoseconds, as Periscope's records show."""
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


def _thumbnail(rng: random.Random, chunk: int, expires: int, small: bool) -> str:
    path = token(rng, 86) + '==' if rng.random() < 0.5 else token(rng, 86)
    name = 'chunk_%d_thumb_128.jpg' % chunk if small else 'chunk_%d.jpg' % chunk
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
        'image_url': _thumbnail(rng, chunk, expires, False),
        'image_url_small': _thumbnail(rng, chunk, expires, True),
        'ping': stamp(end - timedelta(seconds=rng.uniform(2, 10))),
        'start': stamp(start),
        'status': status if status is not None else rng.choice(_GENERIC_STATUSES),
        'tweet_id': str(rng.randint(7 * 10 ** 17, 9 * 10 ** 17)),
        'updated_at': stamp(end + timedelta(seconds=rng.uniform(1, 10))),
    }


def make_broadcast(rng: random.Random, user: dict[str, Any], broadcast_id: str, *,
                   start: datetime, duration: float, state: str = 'ENDED',
                   n_total_watched: int = 0, status: str | None = None,
                   location: Location | None = None, **fields: Any) -> dict[str, Any]:
    """A realistic broadcast dict (the shape of the documented ones); ``fields`` override.

    A RUNNING broadcast has no ``end`` and has viewers; the others have an ``end``.

    :raises ValueError: if ``state`` is not RUNNING, ENDED or TIMED_OUT.
    """
    if state not in BROADCAST_STATES:
        raise ValueError('state must be RUNNING, ENDED or TIMED_OUT: %r' % (state,))
    place = location or rng.choice(LOCATIONS)
    stamp = _stamper(rng, timedelta(minutes=place[5]))
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
    info.update(fields)
    return dict(sorted(info.items()))
