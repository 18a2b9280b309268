"""TIMED_OUT broadcasts have no ``end`` (issue 10, point 11): stats, CSV, table and JSON.

A TIMED_OUT broadcast lasts from its start to its last ``ping`` (where its video stops); the
``timedout`` stamp (when Periscope stopped waiting, later) is not counted. Its ``end`` cell
stays empty.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pyperi import stats
from pyperi.cli import main
from pyperi.testing import FakePeriscope
from pyperi.timeutil import parse_timestamp

UTC = timezone.utc
NOW = datetime(2019, 7, 20, tzinfo=UTC)
USERNAME = 'timed_out_user'

# As a 2019 history record has it: Z timestamps with nanoseconds, no end, a timedout stamp.
TIMED_OUT = {
    'id': '1mnxeAbCdEfGh', 'state': 'TIMED_OUT', 'n_total_watched': 40,
    'created_at': '2019-07-18T14:22:50.123456789Z', 'start': '2019-07-18T14:23:45.987654321Z',
    'ping': '2019-07-18T14:43:45.987654321Z', 'timedout': '2019-07-18T14:44:55.000000001Z',
    'updated_at': '2019-07-18T14:45:01.000000000Z', 'broadcast_source': 'ios',
    'interstitial': False, 'version': 2,
}
# An ENDED record of the same shape: its timedout is Go's zero time, never read.
ENDED = {
    'id': '1OwxWkqlVRKJQ', 'state': 'ENDED', 'n_total_watched': 10,
    'start': '2019-07-19T10:00:00.000000000Z', 'end': '2019-07-19T10:30:00.000000000Z',
    'ping': '2019-07-19T10:29:55.000000000Z', 'timedout': '0001-01-01T00:00:00Z',
}


def test_stats__timed_out_lasts_until_its_last_ping() -> None:
    assert stats.broadcast_end(TIMED_OUT) is None
    assert stats.broadcast_duration(TIMED_OUT, now=NOW) == 1200.0


def test_stats__the_timedout_stamp_is_never_the_end() -> None:
    without_ping = {key: value for key, value in TIMED_OUT.items() if key != 'ping'}
    assert stats.broadcast_duration(without_ping, now=NOW) is None
    assert stats.broadcast_duration(ENDED, now=NOW) == 1800.0


def test_stats__summary_counts_it_with_its_duration() -> None:
    summary = stats.summarize([ENDED, TIMED_OUT], now=NOW)
    assert (summary.count, summary.total_duration, summary.unknown_durations) == (2, 3000.0, 0)


def test_stats__the_fakes_timed_out_records() -> None:
    fake = FakePeriscope()
    timed_out = [b for b in fake.history('376827') or [] if b['state'] == 'TIMED_OUT']
    assert len(timed_out) == 2
    for broadcast in timed_out:
        ping, start = parse_timestamp(broadcast['ping']), parse_timestamp(broadcast['start'])
        assert stats.broadcast_duration(broadcast) == (ping - start).total_seconds() > 0


@pytest.fixture
def periscope(fake_periscope: FakePeriscope) -> FakePeriscope:
    """The fake plus a user with one ENDED and one TIMED_OUT broadcast of 20 minutes each."""
    user = fake_periscope.add_user(USERNAME)
    start = datetime.now(UTC) - timedelta(days=2)
    fake_periscope.add_broadcast(user['id'], start=start, duration=1200, n_total_watched=5,
                                 broadcast_id='1endedNormal1')
    fake_periscope.add_broadcast(user['id'], start=start + timedelta(hours=1), duration=1200,
                                 state='TIMED_OUT', n_total_watched=7,
                                 broadcast_id='1timedOutOne1')
    return fake_periscope


def run(periscope: FakePeriscope, capsys: Any, *argv: str) -> str:
    code = main(['--api-base-url', periscope.api_base_url, '--web-base-url',
                 periscope.web_base_url, '--retries', '0', *argv])
    out, err = capsys.readouterr()
    assert (code, err) == (0, '')
    return out


@pytest.mark.integration
def test_csv__empty_end_and_the_duration_to_the_last_ping(periscope: FakePeriscope,
                                                          capsys: Any) -> None:
    out = run(periscope, capsys, 'history', USERNAME, '--format', 'csv')
    rows = list(csv.DictReader(io.StringIO(out)))
    timed_out = next(row for row in rows if row['id'] == '1timedOutOne1')
    assert (timed_out['state'], timed_out['end'], timed_out['duration']) == (
        'TIMED_OUT', '', '1200')
    ended = next(row for row in rows if row['id'] == '1endedNormal1')
    assert ended['end'] and ended['duration'] == '1200'


@pytest.mark.integration
def test_table__shows_its_duration(periscope: FakePeriscope, capsys: Any) -> None:
    out = run(periscope, capsys, 'history', USERNAME, '--format', 'table')
    line = next(line for line in out.splitlines() if '1timedOutOne1' in line)
    assert 'TIMED_OUT' in line and '0:20:00' in line


@pytest.mark.integration
def test_json_fields__end_is_null(periscope: FakePeriscope, capsys: Any) -> None:
    out = run(periscope, capsys, 'history', USERNAME, '--format', 'jsonl', '--fields',
              'id,end,duration')
    records = {record['id']: record for record in map(json.loads, out.splitlines())}
    assert records['1timedOutOne1'] == {'id': '1timedOutOne1', 'end': None, 'duration': 1200.0}


@pytest.mark.integration
def test_stats_command__counts_its_time_on_air(periscope: FakePeriscope, capsys: Any) -> None:
    out = run(periscope, capsys, 'stats', USERNAME, '--since', '7d', '--format', 'json')
    (summary,) = json.loads(out)['users']
    assert (summary['broadcasts'], summary['total_duration'], summary['unknown_durations'],
            summary['views']) == (2, 2400.0, 0, 12)
