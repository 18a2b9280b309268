"""The default dataset of the fake Periscope (George Clinton and friends) and its named records."""

from __future__ import annotations

import copy
import random
import string
from datetime import timedelta
from typing import Any

from pyperi.testing._documented import DOCUMENTED_BROADCAST, DOCUMENTED_HISTORY, DOCUMENTED_USER
from pyperi.testing.generate import LOCATIONS, history_fields, make_broadcast, make_user, token
from pyperi.testing.store import Dataset

__all__ = [
    'BIG_PAGE_USERNAME', 'BIG_PAGE_USER_ID', 'DOCUMENTED_BROADCAST_ID', 'DOCUMENTED_HISTORY_IDS',
    'EMPTY_HISTORY_USERNAME', 'EMPTY_HISTORY_USER_ID', 'GEORGE_CLINTON_ID',
    'GEORGE_CLINTON_USERNAME', 'GEORGE_LIVE_BROADCAST_ID', 'GEORGE_LIVE_STATUS',
    'LONG_HISTORY_COUNT', 'LONG_HISTORY_USERNAME', 'LONG_HISTORY_USER_ID', 'MARKETING_USERNAME',
    'MARKETING_USER_ID', 'MISSING_BROADCAST_IDS', 'MISSING_USERNAMES', 'MISSING_USER_IDS',
    'RESERVED_IDS', 'load_default_dataset',
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
#: Ids a store must never give to a new user or broadcast (pass to ``Dataset(reserved_ids=)``).
RESERVED_IDS = frozenset(MISSING_USER_IDS + MISSING_BROADCAST_IDS)

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
# Days ago of George's ended broadcasts: five inside the last week, the rest over six weeks.
_GEORGE_DAYS_AGO = [0.4, 1.3, 2.6, 4.1, 6.2, 8.5, 10.1, 12.7, 15.2, 17.4, 20.3, 22.8, 25.1, 27.6,
                    30.2, 33.3, 36.4, 39.5, 41.7]
# George's generated broadcasts newer than this are served in the 2019 shape, older ones in 2016's.
_GEORGE_2019_DAYS = 14
# George's TIMED_OUT broadcasts (no end): one of each generation.
_GEORGE_TIMED_OUT = (7, 15)


def load_default_dataset(ds: Dataset) -> None:
    """Fill ``ds`` with the default data, relative to ``ds.now``.

    Both generations of Periscope are there: George Clinton's page and his older records are
    2016-shaped (his documented records verbatim), his recent records 2019-shaped;
    ``acme_marketing``, ``long_history`` and ``big_page`` have 2019 pages (no ``Tracking``),
    ``no_broadcasts`` a 2016 page. George has a TIMED_OUT broadcast (no ``end``) of each
    generation, ``acme_marketing`` one.
    """
    _add_george(ds)
    _add_marketing(ds)
    ds.add_user(EMPTY_HISTORY_USERNAME, EMPTY_HISTORY_USER_ID, page_generation=2016,
                display_name='Quiet Account', description='Nothing broadcast yet.')
    _add_long_history(ds)
    _add_big_page(ds)


def _store_generated(ds: Dataset, rng: random.Random, user_id: str, info: dict[str, Any],
                     **options: Any) -> None:
    """Store a generated broadcast with the fields its history item adds."""
    ds.store(user_id, info, history_extra=history_fields(rng, info), **options)


def _add_george(ds: Dataset) -> None:
    """The documented user and broadcasts, generated ended ones and one live for hours."""
    ds.set_user(DOCUMENTED_USER, page_generation=2016)
    extra = {'n_total_watched': 2214, 'n_total_watching': 0, 'n_watching': 0,
             'n_web_watching': 0}
    ds.store(GEORGE_CLINTON_ID, copy.deepcopy(DOCUMENTED_BROADCAST), history_extra=extra)
    for item in DOCUMENTED_HISTORY:
        ds.store(GEORGE_CLINTON_ID, copy.deepcopy(item), history_extra={})
    rng = random.Random('george')
    for index, days in enumerate(_GEORGE_DAYS_AGO):
        start = ds.now - timedelta(days=days, seconds=rng.randint(0, 3600))
        fields: dict[str, Any] = {'available_for_replay': False} if index == 12 else {}
        info = make_broadcast(rng, DOCUMENTED_USER, ds.new_broadcast_id(), start=start,
                              duration=rng.randint(180, 4500),
                              state='TIMED_OUT' if index in _GEORGE_TIMED_OUT else 'ENDED',
                              n_total_watched=rng.randint(50, 9000),
                              status=_GEORGE_STATUSES[index % len(_GEORGE_STATUSES)],
                              generation=2019 if days < _GEORGE_2019_DAYS else 2016, **fields)
        _store_generated(ds, rng, GEORGE_CLINTON_ID, info)
    info = make_broadcast(rng, DOCUMENTED_USER, GEORGE_LIVE_BROADCAST_ID,
                          start=ds.now - timedelta(minutes=12), duration=12 * 60,
                          state='RUNNING', n_total_watched=0, status=GEORGE_LIVE_STATUS,
                          location=LOCATIONS[1], generation=2019)
    # Live for about four hours of the fake's clock, so CLI sessions see it RUNNING.
    _store_generated(ds, rng, GEORGE_CLINTON_ID, info, live_segments=7200, segment_interval=2.0,
                     live_initial=360)


def _add_marketing(ds: Dataset) -> None:
    user = ds.add_user(MARKETING_USERNAME, MARKETING_USER_ID, page_generation=2019,
                       display_name='ACME Marketing',
                       description='We help brands go live \U0001f4e3 & grow <3',
                       is_twitter_verified=True)
    rng = random.Random('marketing')
    for index, days in enumerate((0.8, 2.2, 5.9, 9.5, 13.0, 16.4, 19.8, 23.1, 26.5, 29.9)):
        start = ds.now - timedelta(days=days, seconds=rng.randint(0, 7200))
        info = make_broadcast(rng, user, ds.new_broadcast_id(), start=start,
                              duration=rng.randint(300, 3600), n_total_watched=rng.randint(5, 800),
                              state='TIMED_OUT' if index == 3 else 'ENDED',
                              location=LOCATIONS[4], generation=2019)
        _store_generated(ds, rng, MARKETING_USER_ID, info)


def _add_long_history(ds: Dataset) -> None:
    user = ds.add_user(LONG_HISTORY_USERNAME, LONG_HISTORY_USER_ID, page_generation=2019,
                       display_name='Long History',
                       description='Broadcasting every few hours since forever \u23f0')

    def build() -> None:
        rng = random.Random('long_history')
        for index in range(LONG_HISTORY_COUNT):
            start = ds.now - timedelta(hours=3 + 8 * index, seconds=rng.randint(0, 1800))
            info = make_broadcast(rng, user, ds.new_broadcast_id(), start=start,
                                  duration=rng.randint(60, 1800),
                                  n_total_watched=rng.randint(0, 300), location=LOCATIONS[5],
                                  generation=2019 if index % 2 else 2016)
            _store_generated(ds, rng, LONG_HISTORY_USER_ID, info)

    ds.set_lazy(LONG_HISTORY_USER_ID, broadcasts=build)


def _add_big_page(ds: Dataset) -> None:
    description = ('Big page \U0001f418 ' + 'All the funk that fits & more <3 "quoted" ' * 40)
    user = ds.add_user(BIG_PAGE_USERNAME, BIG_PAGE_USER_ID, page_generation=2019,
                       display_name='Big Page \U0001f418', description=description.strip())
    rng = random.Random('big_page')
    for days in (1.5, 3.5, 12.0):
        start = ds.now - timedelta(days=days)
        info = make_broadcast(rng, user, ds.new_broadcast_id(), start=start, duration=900,
                              n_total_watched=rng.randint(100, 500), generation=2019)
        _store_generated(ds, rng, BIG_PAGE_USER_ID, info)
    cache: dict[str, Any] = {}

    def page_users() -> dict[str, Any]:
        # Built once per fake, then shared read-only: about 1.5 MB once HTML-escaped. These
        # users fill the 2019 page's UserCache, which has no Tracking to name the page's user.
        if not cache:
            urng = random.Random('big_page_users')
            stamp = int(ds.now.timestamp() * 1000)
            for index in range(1200):
                follower_id = str(7000000000 + index)
                name = 'fan_%04d_%s' % (index, token(urng, 6, string.ascii_lowercase))
                follower = make_user(urng, name, follower_id, ds.now,
                                     description='Funk fan #%d \U0001f3b6 "P-Funk" & more' % index)
                cache[follower_id] = {'timestamp': stamp - index, 'user': follower}
        return cache

    ds.set_lazy(BIG_PAGE_USER_ID, page_users=page_users)
