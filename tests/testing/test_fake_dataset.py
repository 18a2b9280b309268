"""The default dataset: documented records, generated ones relative to now, determinism."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

import pytest

from pyperi.testing import (
    GEORGE_CLINTON_ID, MISSING_BROADCAST_IDS, MISSING_USER_IDS, MISSING_USERNAMES, FakePeriscope,
)
from pyperi.testing.dataset import Dataset, format_timestamp, load_default_dataset, parse_timestamp

NOW = datetime(2024, 3, 10, 12, 0, tzinfo=timezone.utc)
TIMESTAMP_RE = r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}[+-]\d\d:\d\d$'


def build(now=NOW):
    dataset = Dataset(now, clock=time.monotonic, wall=time.time)
    load_default_dataset(dataset)
    return dataset


def test_timestamps__round_trip():
    text = '2016-05-27T20:03:44.732179203-07:00'
    parsed = parse_timestamp(text)
    assert parsed.utcoffset() == timedelta(hours=-7)
    assert format_timestamp(parsed, extra_nanos=203) == text
    with pytest.raises(ValueError):
        parse_timestamp('yesterday')


def test_generated__deterministic_for_a_given_now():
    assert build().history(GEORGE_CLINTON_ID) == build().history(GEORGE_CLINTON_ID)


def test_generated__relative_to_now():
    history = build().history(GEORGE_CLINTON_ID)
    starts = [parse_timestamp(b['start']) for b in history]
    assert sum(NOW - timedelta(days=7) <= s <= NOW for s in starts) >= 5
    running = [b for b in history if b['state'] == 'RUNNING']
    assert len(running) == 1 and 'end' not in running[0]
    assert all('end' in b for b in history if b['state'] != 'RUNNING')


def test_generated__periscope_shaped():
    for broadcast in build().history(GEORGE_CLINTON_ID):
        for key in ('created_at', 'start', 'updated_at', 'ping'):
            assert re.match(TIMESTAMP_RE, broadcast[key]), broadcast[key]
        assert broadcast['class_name'] == 'Broadcast'
        assert re.fullmatch(r'[A-Za-z0-9]{13}', broadcast['id'])
        assert isinstance(broadcast['n_total_watched'], int)


def test_missing_records_stay_missing():
    with FakePeriscope() as fake:
        for user_id in MISSING_USER_IDS:
            assert fake.get_user(user_id) is None
        for username in MISSING_USERNAMES:
            assert fake.user_id_for(username) is None
        for broadcast_id in MISSING_BROADCAST_IDS:
            assert fake.get_broadcast(broadcast_id) is None
        for _ in range(30):
            assert fake.add_user('u%d' % _)['id'] not in MISSING_USER_IDS


def test_add_user_and_broadcast():
    fake = FakePeriscope(default_data=False)
    user = fake.add_user('brand_new', 77, display_name='Brand New')
    assert user['id'] == '77' and user['display_name'] == 'Brand New'
    start = datetime.now(timezone.utc) - timedelta(hours=1)
    broadcast = fake.add_broadcast(77, start=start, duration=120, n_total_watched=9,
                                   status='hello \U0001f44b', city='Paris')
    assert broadcast['n_total_watched'] == 9 and broadcast['city'] == 'Paris'
    assert parse_timestamp(broadcast['end']) - parse_timestamp(broadcast['start']) == timedelta(
        seconds=120)
    assert fake.history(77) == [broadcast]
    with pytest.raises(ValueError):
        fake.add_broadcast('404404')
    with pytest.raises(ValueError):
        fake.add_broadcast(77, state='PAUSED')
    with pytest.raises(ValueError):
        fake.add_user('bad name!')
    with pytest.raises(ValueError):
        fake.add_user('other', 'abc')
    with pytest.raises(KeyError):
        fake.replay_bytes('nope')


def test_replay_sha256__large_replay_streams():
    fake = FakePeriscope(default_data=False)
    fake.add_user('big_replay', 1)
    broadcast = fake.add_broadcast(1, segments=4, segment_size=5 * 1024 * 1024)
    started = time.monotonic()
    assert len(fake.replay_sha256(broadcast['id'])) == 64
    assert fake.replay_size(broadcast['id']) >= 20 * 1024 * 1024 - 4 * 188
    assert time.monotonic() - started < 2
