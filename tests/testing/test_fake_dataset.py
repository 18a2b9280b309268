"""The fake's data, without a server: the default dataset, generated records, adding records."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

import pytest

from pyperi.testing import (
    GEORGE_CLINTON_ID, MISSING_BROADCAST_IDS, MISSING_USER_IDS, MISSING_USERNAMES, FakePeriscope,
)
from pyperi.testing.dataset import RESERVED_IDS, load_default_dataset
from pyperi.testing.store import Dataset
from pyperi.timeutil import parse_timestamp

NOW = datetime(2024, 3, 10, 12, 0, tzinfo=timezone.utc)
# 2016 records write local time with its offset, 2019 records UTC with Z; both nanoseconds.
TIMESTAMP_RE = r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}([+-]\d\d:\d\d|Z)$'


def build(now=NOW):
    dataset = Dataset(now, clock=time.monotonic, wall=time.time, reserved_ids=RESERVED_IDS)
    load_default_dataset(dataset)
    return dataset


@pytest.fixture
def unstarted():
    """A fake with no data and no socket: its data methods work without serving."""
    return FakePeriscope(default_data=False)


def test_generated__deterministic_for_a_given_now():
    assert build().history(GEORGE_CLINTON_ID) == build().history(GEORGE_CLINTON_ID)


def test_generated__five_or_more_in_the_last_week():
    starts = [parse_timestamp(b['start']) for b in build().history(GEORGE_CLINTON_ID)]
    assert sum(NOW - timedelta(days=7) <= s <= NOW for s in starts) >= 5


def test_generated__one_running_broadcast_without_end():
    running = [b for b in build().history(GEORGE_CLINTON_ID) if b['state'] == 'RUNNING']
    assert len(running) == 1 and 'end' not in running[0]


def test_generated__every_ended_broadcast_has_an_end():
    assert all('end' in b for b in build().history(GEORGE_CLINTON_ID) if b['state'] == 'ENDED')


def test_generated__timed_out_broadcasts_have_no_end():
    timed_out = [b for b in build().history(GEORGE_CLINTON_ID) if b['state'] == 'TIMED_OUT']
    assert len(timed_out) == 2 and not any('end' in b for b in timed_out)


def test_generated__periscope_shaped():
    for broadcast in build().history(GEORGE_CLINTON_ID):
        for key in ('created_at', 'start', 'updated_at', 'ping'):
            assert re.match(TIMESTAMP_RE, broadcast[key]), broadcast[key]
        assert broadcast['class_name'] == 'Broadcast'
        assert re.fullmatch(r'[A-Za-z0-9]{13}', broadcast['id'])
        assert isinstance(broadcast['n_total_watched'], int)


@pytest.mark.parametrize('user_id', MISSING_USER_IDS)
def test_missing_user_ids_stay_missing(user_id):
    assert FakePeriscope().get_user(user_id) is None


@pytest.mark.parametrize('username', MISSING_USERNAMES)
def test_missing_usernames_stay_missing(username):
    assert FakePeriscope().user_id_for(username) is None


@pytest.mark.parametrize('broadcast_id', MISSING_BROADCAST_IDS)
def test_missing_broadcast_ids_stay_missing(broadcast_id):
    assert FakePeriscope().get_broadcast(broadcast_id) is None


def test_missing_user_ids_are_never_given_to_new_users():
    fake = FakePeriscope()
    for index in range(30):
        assert fake.add_user('u%d' % index)['id'] not in MISSING_USER_IDS


def test_reserved_ids__are_skipped_by_the_store():
    dataset = Dataset(NOW, clock=time.monotonic, wall=time.time, reserved_ids={'8000000001'})
    assert dataset.add_user('first')['id'] == '8000000002'


def test_add_user__fields_override_generated_ones(unstarted):
    user = unstarted.add_user('brand_new', 77, display_name='Brand New')
    assert user['id'] == '77' and user['display_name'] == 'Brand New'


@pytest.mark.parametrize('args', [('bad name!',), ('',), ('x' * 65,)])
def test_add_user__bad_username_is_value_error(unstarted, args):
    with pytest.raises(ValueError, match='username'):
        unstarted.add_user(*args)


def test_add_user__non_digit_id_is_value_error(unstarted):
    with pytest.raises(ValueError, match='user_id'):
        unstarted.add_user('other', 'abc')


def test_add_user__taken_username_is_value_error(unstarted):
    unstarted.add_user('taken', 1)
    with pytest.raises(ValueError, match='taken'):
        unstarted.add_user('TAKEN', 2)


def test_add_broadcast__fields_override_generated_ones(unstarted):
    unstarted.add_user('brand_new', 77)
    broadcast = unstarted.add_broadcast(77, n_total_watched=9, status='hello \U0001f44b',
                                        city='Paris')
    assert broadcast['n_total_watched'] == 9 and broadcast['city'] == 'Paris'
    assert broadcast['status'] == 'hello \U0001f44b'


def test_add_broadcast__lasts_its_duration(unstarted):
    unstarted.add_user('brand_new', 77)
    start = datetime.now(timezone.utc) - timedelta(hours=1)
    broadcast = unstarted.add_broadcast(77, start=start, duration=120)
    assert parse_timestamp(broadcast['end']) - parse_timestamp(broadcast['start']) == timedelta(
        seconds=120)


def test_add_broadcast__is_the_users_history(unstarted):
    unstarted.add_user('brand_new', 77)
    broadcast = unstarted.add_broadcast(77)
    assert unstarted.history(77) == [broadcast]


def test_add_broadcast__unknown_user_is_value_error(unstarted):
    with pytest.raises(ValueError, match='unknown user'):
        unstarted.add_broadcast('404404')


def test_add_broadcast__unknown_state_is_value_error(unstarted):
    unstarted.add_user('brand_new', 77)
    with pytest.raises(ValueError, match='state'):
        unstarted.add_broadcast(77, state='PAUSED')


def test_add_broadcast__naive_start_is_value_error(unstarted):
    unstarted.add_user('brand_new', 77)
    with pytest.raises(ValueError, match='timezone-aware'):
        unstarted.add_broadcast(77, start=datetime(2024, 1, 1))


def test_add_broadcast__duplicate_id_is_value_error(unstarted):
    unstarted.add_user('brand_new', 77)
    unstarted.add_broadcast(77, broadcast_id='1sameIdTwice')
    with pytest.raises(ValueError, match='already exists'):
        unstarted.add_broadcast(77, broadcast_id='1sameIdTwice')


def test_replay_bytes__unknown_broadcast_is_key_error(unstarted):
    with pytest.raises(KeyError):
        unstarted.replay_bytes('nope')


def test_replay_sha256__large_replay_streams(unstarted):
    unstarted.add_user('big_replay', 1)
    broadcast = unstarted.add_broadcast(1, segments=4, segment_size=5 * 1024 * 1024)
    started = time.monotonic()
    assert len(unstarted.replay_sha256(broadcast['id'])) == 64
    assert time.monotonic() - started < 2


def test_replay_size__whole_packets_of_every_segment(unstarted):
    unstarted.add_user('big_replay', 1)
    broadcast = unstarted.add_broadcast(1, segments=4, segment_size=5 * 1024 * 1024)
    assert unstarted.replay_size(broadcast['id']) >= 20 * 1024 * 1024 - 4 * 188
    assert unstarted.replay_size(broadcast['id']) % 188 == 0


def test_remove_user__takes_its_broadcasts(unstarted):
    unstarted.add_user('leaving', 5)
    broadcast = unstarted.add_broadcast(5)
    unstarted.remove_user(5)
    assert unstarted.get_user(5) is None and unstarted.get_broadcast(broadcast['id']) is None


def test_remove_user__unknown_is_key_error(unstarted):
    with pytest.raises(KeyError):
        unstarted.remove_user(404)
