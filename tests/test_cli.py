"""Tests for the ``pyperi`` command, in-process against the embedded fake over real HTTP."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from pyperi import cli, formatting, timeutil
from pyperi.cli import main
from pyperi.exceptions import (
    PyPeriConnectionError, PyPeriError, PyPeriHTTPError, PyPeriResponseError, PyPeriServerError,
)
from pyperi.testing import FakePeriscope
from pyperi.testing.dataset import (
    DOCUMENTED_BROADCAST_ID, EMPTY_HISTORY_USERNAME, GEORGE_CLINTON_ID, GEORGE_CLINTON_USERNAME,
    MISSING_BROADCAST_IDS, MISSING_USERNAMES,
)
from helpers import usage_error

pytestmark = pytest.mark.integration

UTC = timezone.utc
ROOT = Path(__file__).resolve().parent.parent
STATS_USER = 'cli_stats_user'


@pytest.fixture
def stats_fake(fake_periscope):
    """The shared fake plus a user with a small hand-made history (see test_stats__*)."""
    user = fake_periscope.add_user(STATS_USER)

    def add(day, hour, minute, duration, views, state='ENDED'):
        fake_periscope.add_broadcast(
            user['id'], start=datetime(2024, 5, day, hour, minute, tzinfo=UTC),
            duration=duration, n_total_watched=views, state=state)

    add(5, 23, 0, 7200, 1000)      # Sun (2024-W18), runs into Monday: outside a Monday window
    add(6, 10, 0, 600, 10)         # Mon 2024-W19
    add(7, 23, 30, 1800, 20)       # Tue 2024-W19
    add(13, 0, 0, 3600, 30)        # Mon 2024-W20
    add(14, 12, 0, 300, 5, state='TIMED_OUT')   # Tue 2024-W20
    return fake_periscope


def run(periscope, capsys, *argv):
    """Run the command in-process against ``periscope``; (exit code, stdout, stderr)."""
    code = main(['--api-base-url', periscope.api_base_url, '--web-base-url', periscope.web_base_url,
                 '--retries', '0', *argv])
    out, err = capsys.readouterr()
    return code, out, err


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


# -- basics ---------------------------------------------------------------------------------


def test_version(capsys):
    from pyperi import __version__
    assert main(['--version']) == 0
    assert capsys.readouterr().out.strip() == f'pyperi {__version__}'


def test_help_lists_every_subcommand(capsys):
    assert main(['--help']) == 0
    out = capsys.readouterr().out
    for name in ('user', 'broadcast', 'history', 'stats', 'tokens', 'url', 'parse', 'serve-fake'):
        assert name in out


def test_no_subcommand_is_a_usage_error(capsys):
    assert main([]) == 2
    assert 'usage:' in capsys.readouterr().err


def test_unknown_option_is_a_usage_error(capsys):
    assert main(['user', 'x', '--frobnicate']) == 2
    assert 'unrecognized arguments' in capsys.readouterr().err


@pytest.mark.parametrize('error, code', [
    (KeyboardInterrupt(), 130), (cli.NotFoundError('x'), 1), (cli.UsageError('x'), 2),
    (PyPeriError('x'), 3), (PyPeriConnectionError('x'), 3), (PyPeriHTTPError('x'), 3),
    (PyPeriServerError('x'), 3), (PyPeriResponseError('x'), 3),
], ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value))
def test_exit_code_table_is_explicit(error, code):
    assert cli.exit_code_for(error) == code


def test_exit_code_of_a_bug_is_none():
    assert cli.exit_code_for(ValueError('a bug')) is None


def test_every_subcommand_is_registered_once_in_help_order():
    assert [command.name for command in cli.COMMANDS] == [
        'user', 'broadcast', 'download', 'watch', 'history', 'stats', 'tokens', 'url', 'parse',
        'serve-fake', 'completion']


# -- user -----------------------------------------------------------------------------------


def test_user__piped_output_is_json(stats_fake, capsys):
    code, out, err = run(stats_fake, capsys, 'user', GEORGE_CLINTON_USERNAME)
    assert code == 0 and err == ''
    user = json.loads(out)
    assert user['id'] == GEORGE_CLINTON_ID
    assert user['display_name'] == 'George Clinton'


@pytest.mark.parametrize('ref', [
    GEORGE_CLINTON_ID, GEORGE_CLINTON_USERNAME, 'https://www.periscope.tv/george_clinton',
    'https://pscp.tv/u/376827', 'www.periscope.tv/george_clinton/1zqKVWybqeDGB',
])
def test_user__accepts_id_username_and_urls(stats_fake, capsys, ref):
    code, out, _ = run(stats_fake, capsys, 'user', ref)
    assert code == 0
    assert json.loads(out)['username'] == GEORGE_CLINTON_USERNAME


def test_user__url_on_the_configured_web_base(stats_fake, capsys):
    url = f'{stats_fake.web_base_url}/u/{GEORGE_CLINTON_ID}'
    code, out, _ = run(stats_fake, capsys, 'user', url)
    assert code == 0
    assert json.loads(out)['id'] == GEORGE_CLINTON_ID


def test_user__table_is_vertical_for_one_user(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'user', GEORGE_CLINTON_USERNAME, '--format', 'table')
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ['field', 'value']
    assert any(line.split() == ['username', GEORGE_CLINTON_USERNAME] for line in lines)
    assert any(line.startswith('url ') and line.endswith('/george_clinton') for line in lines)


TWO_USERS = ('user', GEORGE_CLINTON_USERNAME, STATS_USER)


def test_user__several_users_json_is_an_array(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, *TWO_USERS)
    assert code == 0
    assert [u['username'] for u in json.loads(out)] == [GEORGE_CLINTON_USERNAME, STATS_USER]


def test_user__several_users_table_has_a_header_and_a_row_each(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, *TWO_USERS, '-f', 'table')
    lines = out.splitlines()
    assert lines[0].split()[:3] == ['id', 'username', 'display_name']
    assert len(lines) == 3


def test_user__csv_has_the_user_csv_fields(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, *TWO_USERS, '-f', 'csv')
    rows = csv_rows(out)
    assert list(rows[0]) == list(cli.USER_CSV_FIELDS)
    assert rows[0]['id'] == GEORGE_CLINTON_ID


def test_user__csv_times_in_utc_and_booleans_as_words(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, *TWO_USERS, '-f', 'csv')
    row = csv_rows(out)[0]
    assert row['created_at'] == '2015-03-29T02:52:59Z'
    assert row['is_twitter_verified'] == 'true'


def test_user__jsonl_and_fields(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'user', GEORGE_CLINTON_USERNAME, STATS_USER,
                       '-f', 'jsonl', '--fields', 'id,username')
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[0] == {'id': GEORGE_CLINTON_ID, 'username': GEORGE_CLINTON_USERNAME}
    assert len(lines) == 2


def test_user__unknown_user_exits_1_with_one_line(stats_fake, capsys):
    code, out, err = run(stats_fake, capsys, 'user', MISSING_USERNAMES[0])
    assert code == 1
    assert out == ''
    assert err == f"pyperi: error: user '{MISSING_USERNAMES[0]}' not found\n"


def test_user__one_of_several_missing_prints_the_others_and_exits_1(stats_fake, capsys):
    code, out, err = run(stats_fake, capsys, 'user', GEORGE_CLINTON_USERNAME, MISSING_USERNAMES[0])
    assert code == 1
    assert [u['username'] for u in json.loads(out)] == [GEORGE_CLINTON_USERNAME]
    assert 'not found' in err


@pytest.mark.parametrize('ref', ['not a user!', 'https://example.com/george_clinton',
                                 'https://www.periscope.tv/w/1zqKVWybqeDGB', 'w'])
def test_user__bad_reference_exits_2_before_any_request(stats_fake, capsys, ref):
    stats_fake.clear_requests()
    code, out, err = run(stats_fake, capsys, 'user', ref)
    assert code == 2
    assert out == ''
    assert usage_error(err, 'user').startswith('not a user id, username or Periscope user URL')
    assert stats_fake.requests == []


# -- broadcast ------------------------------------------------------------------------------


def test_broadcast__json(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'broadcast', DOCUMENTED_BROADCAST_ID)
    assert code == 0
    broadcast = json.loads(out)
    assert broadcast['id'] == DOCUMENTED_BROADCAST_ID
    assert broadcast['end'] == '2016-12-12T11:43:16.649191397-08:00'   # raw, as served


DOCUMENTED_URL = f'https://www.periscope.tv/w/{DOCUMENTED_BROADCAST_ID}'


def test_broadcast__by_url_table_is_vertical(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'broadcast', DOCUMENTED_URL, '-f', 'table')
    assert code == 0
    assert any(line.split()[:2] == ['id', DOCUMENTED_BROADCAST_ID] for line in out.splitlines())


def test_broadcast__table_adds_the_duration(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'broadcast', DOCUMENTED_URL, '-f', 'table')
    # documented start 10:41:09.286 and end 11:43:16.649 (-08:00): 3727.363 s
    assert any(line.split() == ['duration', '1:02:07'] for line in out.splitlines())


def test_broadcast__csv_times_in_utc_and_duration_in_seconds(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'broadcast', DOCUMENTED_URL, '-f', 'csv')
    row, = csv_rows(out)
    assert (row['start'], row['end'], row['duration']) == (
        '2016-12-12T18:41:09Z', '2016-12-12T19:43:16Z', '3727.363')


def test_broadcast__csv_url_on_the_web_base_in_use(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'broadcast', DOCUMENTED_URL, '-f', 'csv')
    row, = csv_rows(out)
    assert row['url'] == f'{stats_fake.web_base_url}/w/{DOCUMENTED_BROADCAST_ID}'


def test_broadcast__jsonl(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'broadcast', DOCUMENTED_URL, '-f', 'jsonl')
    assert json.loads(out)['id'] == DOCUMENTED_BROADCAST_ID


def test_broadcast__fields_in_json_are_normalised(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'broadcast', DOCUMENTED_BROADCAST_ID,
                       '--fields', 'id,start,duration')
    assert code == 0
    assert json.loads(out) == {'id': DOCUMENTED_BROADCAST_ID, 'start': '2016-12-12T18:41:09Z',
                               'duration': 3727.363}


def test_broadcast__unknown_exits_1(stats_fake, capsys):
    code, out, err = run(stats_fake, capsys, 'broadcast', MISSING_BROADCAST_IDS[0])
    assert code == 1
    assert err == f"pyperi: error: broadcast '{MISSING_BROADCAST_IDS[0]}' not found\n"


@pytest.mark.parametrize('ref', ['bad id!', 'https://example.com/w/abc',
                                 'https://www.periscope.tv/george_clinton'])
def test_broadcast__bad_reference_exits_2(stats_fake, capsys, ref):
    code, _, err = run(stats_fake, capsys, 'broadcast', ref)
    assert code == 2
    assert usage_error(err, 'broadcast').startswith('not a broadcast id')


# -- history --------------------------------------------------------------------------------


def test_history__json_newest_first_as_served(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'history', STATS_USER)
    assert code == 0
    items = json.loads(out)
    assert len(items) == 5
    starts = [item['start'] for item in items]
    assert starts[0].startswith('2024-05-14') and starts[-1].startswith('2024-05-05')


@pytest.fixture
def george_csv(stats_fake, capsys):
    """``pyperi history george_clinton --format csv``: its output."""
    code, out, _ = run(stats_fake, capsys, 'history', GEORGE_CLINTON_USERNAME, '--format', 'csv')
    assert code == 0
    return out


def test_history__csv_header_is_the_broadcast_csv_fields(george_csv):
    assert george_csv.startswith(','.join(cli.BROADCAST_CSV_FIELDS) + '\r\n')


def test_history__csv_has_a_row_per_broadcast_of_the_user(george_csv):
    rows = csv_rows(george_csv)
    assert len(rows) >= 3
    assert {row['username'] for row in rows} == {GEORGE_CLINTON_USERNAME}


def test_history__csv_starts_are_utc_iso_8601(george_csv):
    for row in csv_rows(george_csv):
        assert row['start'].endswith('Z') and datetime.fromisoformat(row['start'][:-1])


def test_history__csv_durations_of_ended_broadcasts_are_seconds(george_csv):
    for row in csv_rows(george_csv):
        if row['state'] != 'RUNNING':
            assert float(row['duration']) >= 0


def test_history__csv_values_of_the_documented_broadcast(george_csv):
    documented = next(row for row in csv_rows(george_csv) if row['id'] == '1YqGoOkLbLAGv')
    # 20:04:44.636015867 -> 20:10:34.727278696 (-07:00) = 350.091263 s
    assert (documented['start'], documented['duration'], documented['n_total_watched']) == (
        '2016-05-28T03:04:44Z', '350.091', '529')


def test_history__window_by_start_and_until_date_includes_the_day(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'history', STATS_USER, '--since', '2024-05-06',
                       '--until', '2024-05-13', '--format', 'jsonl', '--fields', 'start')
    assert code == 0
    # the broadcast that started on Sunday and ran into Monday is not in the window;
    # --until 2024-05-13 includes all of 13 May
    assert [json.loads(line)['start'] for line in out.splitlines()] == [
        '2024-05-13T00:00:00Z', '2024-05-07T23:30:00Z', '2024-05-06T10:00:00Z']


def test_history__state_is_case_insensitive(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'history', STATS_USER, '--state', 'timed_out')
    assert [item['state'] for item in json.loads(out)] == ['TIMED_OUT']


def test_history__limit(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'history', STATS_USER, '--limit', '2')
    assert len(json.loads(out)) == 2


def test_history__relative_since(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'history', GEORGE_CLINTON_USERNAME, '--since', '7d')
    assert code == 0
    cutoff = datetime.now(UTC) - timedelta(days=7, minutes=1)
    items = json.loads(out)
    assert items, 'the fake has broadcasts in the last 7 days'
    assert all(timeutil.try_parse_timestamp(item['start']) >= cutoff for item in items)


def test_history__table(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'history', STATS_USER, '-f', 'table')
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == list(cli.BROADCAST_TABLE_FIELDS)
    assert len(lines) == 6
    assert '2024-05-06T10:00:00Z' in lines[-2] and '0:10:00' in lines[-2]


def test_history__empty_history_is_an_empty_array(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'history', EMPTY_HISTORY_USERNAME)
    assert code == 0 and json.loads(out) == []


def test_history__empty_history_csv_is_the_header_alone(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'history', EMPTY_HISTORY_USERNAME, '-f', 'csv')
    assert csv_rows(out) == [] and out.startswith('id,')


@pytest.mark.parametrize('option, value, message', [
    ('--since', 'last tuesday', 'argument --since: not a date, time or span'),
    ('--since', '2024-02-30', 'argument --since: not a valid date'),
    ('--until', '7x', 'argument --until: not a time span'),
])
def test_history__bad_date_exits_2(stats_fake, capsys, option, value, message):
    code, out, err = run(stats_fake, capsys, 'history', STATS_USER, option, value)
    assert code == 2 and out == ''
    assert usage_error(err, 'history').startswith(message)


def test_history__since_after_until_exits_2(stats_fake, capsys):
    code, _, err = run(stats_fake, capsys, 'history', STATS_USER, '--since', '2024-05-10',
                       '--until', '2024-05-01')
    assert code == 2 and 'must be before' in err


def test_history__bad_state_exits_2(stats_fake, capsys):
    code, _, err = run(stats_fake, capsys, 'history', STATS_USER, '--state', 'PAUSED')
    assert code == 2 and 'unknown state PAUSED' in err


def test_history__unknown_field_exits_2(stats_fake, capsys):
    code, _, err = run(stats_fake, capsys, 'history', STATS_USER, '--fields', 'id,nonsense')
    assert code == 2 and 'unknown field(s) nonsense' in err


def test_history__unknown_user_exits_1(stats_fake, capsys):
    code, out, err = run(stats_fake, capsys, 'history', MISSING_USERNAMES[1])
    assert code == 1
    assert json.loads(out) == []
    assert 'not found' in err


def test_history__csv_neutralises_spreadsheet_formulas(stats_fake, capsys):
    user = stats_fake.add_user('formula_fan')
    stats_fake.add_broadcast(user['id'], status='=HYPERLINK("http://x","click")',
                             start=datetime(2024, 1, 1, tzinfo=UTC))
    code, out, _ = run(stats_fake, capsys, 'history', 'formula_fan', '-f', 'csv')
    assert code == 0
    assert csv_rows(out)[0]['status'] == '\'=HYPERLINK("http://x","click")'


# -- stats ----------------------------------------------------------------------------------

WINDOW = ('--since', '2024-05-06', '--until', '2024-05-19')


@pytest.fixture
def stats_json(stats_fake, capsys):
    """``pyperi stats STATS_USER`` over two ISO weeks, as JSON."""
    code, out, err = run(stats_fake, capsys, 'stats', STATS_USER, *WINDOW)
    assert code == 0 and err == ''
    return json.loads(out)


@pytest.fixture
def stats_user(stats_json):
    """The one user of ``stats_json``."""
    user, = stats_json['users']
    return user


def test_stats__json_gives_the_window_in_utc(stats_json):
    assert (stats_json['since'], stats_json['until']) == ('2024-05-06T00:00:00Z',
                                                          '2024-05-20T00:00:00Z')


def test_stats__json_gives_the_period(stats_json):
    assert stats_json['by'] == 'week'


def test_stats__json_names_the_user(stats_user):
    assert stats_user['username'] == STATS_USER


def test_stats__a_broadcast_that_started_before_the_window_is_left_out(stats_user):
    assert stats_user['broadcasts'] == 4                 # the Sunday straddler is left out


def test_stats__total_duration_hand_computed(stats_user):
    assert stats_user['total_duration'] == 600 + 1800 + 3600 + 300


def test_stats__median_duration_hand_computed(stats_user):
    assert stats_user['median_duration'] == (600 + 1800) / 2


def test_stats__views_hand_computed(stats_user):
    assert stats_user['views'] == 10 + 20 + 30 + 5


def test_stats__not_live_without_a_running_broadcast(stats_user):
    assert stats_user['live_now'] is False


def test_stats__periods_hand_computed(stats_user):
    assert [(p['period'], p['broadcasts'], p['total_duration'], p['views'])
            for p in stats_user['periods']] == [('2024-W19', 2, 2400, 30),
                                                ('2024-W20', 2, 3900, 35)]


def test_stats__period_start_is_monday_midnight_utc(stats_user):
    assert stats_user['periods'][0]['period_start'] == '2024-05-06T00:00:00Z'


def test_stats__state_filter(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'stats', STATS_USER, *WINDOW, '--state', 'ENDED')
    user, = json.loads(out)['users']
    assert (user['broadcasts'], user['total_duration'], user['median_duration']) == (
        3, 600 + 1800 + 3600, 1800)


def test_stats__by_day_lists_every_day_of_the_window(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'stats', STATS_USER, *WINDOW, '--state', 'ENDED',
                       '--by', 'day')
    periods = json.loads(out)['users'][0]['periods']
    assert len(periods) == 14                            # 6..19 May, empty days included
    assert [p['period'] for p in periods if p['broadcasts']] == [
        '2024-05-06', '2024-05-07', '2024-05-13']


@pytest.fixture
def stats_csv(stats_fake, capsys):
    """The rows of ``pyperi stats STATS_USER --format csv`` over two ISO weeks."""
    code, out, _ = run(stats_fake, capsys, 'stats', STATS_USER, *WINDOW, '--format', 'csv')
    assert code == 0
    return csv_rows(out)


def test_stats__csv_header_is_the_stats_csv_fields(stats_csv):
    assert list(stats_csv[0]) == list(cli.STATS_CSV_FIELDS)


def test_stats__csv_total_row_first_with_the_same_numbers(stats_csv):
    total = stats_csv[0]
    assert (total['period'], total['period_start']) == ('total', '2024-05-06T00:00:00Z')
    assert (total['broadcasts'], total['total_duration'], total['median_duration'],
            total['views'], total['live_now']) == ('4', '6300', '1200', '65', 'false')


def test_stats__csv_then_a_row_per_period(stats_csv):
    assert [(w['period'], w['broadcasts'], w['total_duration'], w['median_duration'],
             w['views']) for w in stats_csv[1:]] == [('2024-W19', '2', '2400', '1200', '30'),
                                                     ('2024-W20', '2', '3900', '1950', '35')]


def test_stats__csv_takes_fields(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'stats', STATS_USER, *WINDOW, '--format', 'csv',
                       '--fields', 'period,broadcasts')
    assert code == 0
    assert out.splitlines() == ['period,broadcasts', 'total,4', '2024-W19,2', '2024-W20,2']


@pytest.fixture
def stats_table(stats_fake, capsys):
    """The lines of ``pyperi stats STATS_USER --format table`` over two ISO weeks."""
    code, out, _ = run(stats_fake, capsys, 'stats', STATS_USER, *WINDOW, '--format', 'table')
    assert code == 0
    return out.splitlines()


def test_stats__table_starts_with_one_line_per_user(stats_table):
    assert stats_table[0] == (f'{STATS_USER}: 4 broadcasts between 2024-05-06T00:00:00Z and '
                              '2024-05-20T00:00:00Z, 1:45:00 on air (median 0:20:00), 65 views; '
                              'not live')


def test_stats__table_then_weeks_with_bars(stats_table):
    week = next(line for line in stats_table if '2024-W19' in line)
    # the bar (of broadcasts, by default) sits beside the count it draws
    assert week.split() == ['2024-W19', '2', '█' * 30, '0:40:00', '0:20:00', '30']


def test_stats__table_bars_are_hashes_when_stdout_cannot_print_blocks(stats_fake, capsys,
                                                                      monkeypatch):
    stream = io.TextIOWrapper(io.BytesIO(), encoding='ascii')
    monkeypatch.setattr(sys, 'stdout', stream)
    code, _, _ = run(stats_fake, capsys, 'stats', STATS_USER, *WINDOW, '--format', 'table')
    stream.flush()
    week = next(line for line in stream.buffer.getvalue().decode('ascii').splitlines()
                if '2024-W19' in line)
    assert week.split()[2] == '#' * 30


def test_stats__several_users_jsonl_one_line_each_in_order(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'stats', STATS_USER, GEORGE_CLINTON_USERNAME,
                       EMPTY_HISTORY_USERNAME, '--since', '4w', '-f', 'jsonl')
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [r['user'] for r in records] == [STATS_USER, GEORGE_CLINTON_USERNAME,
                                            EMPTY_HISTORY_USERNAME]
    assert records[0]['broadcasts'] == 0


def test_stats__periods_add_up_to_the_user_line(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'stats', GEORGE_CLINTON_USERNAME, '--since', '4w',
                       '-f', 'jsonl')
    george = json.loads(out)
    assert george['broadcasts'] > 0 and george['live_now'] is True
    assert sum(p['broadcasts'] for p in george['periods']) == george['broadcasts']
    assert len(george['periods']) in (5, 6)            # the 4 weeks touch 5 ISO weeks (+ now)


def test_stats__table_for_george(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'stats', GEORGE_CLINTON_USERNAME, '--since', '4w',
                       '-f', 'table')
    assert code == 0
    assert out.splitlines()[0].startswith('george_clinton: ')
    assert 'LIVE NOW' in out.splitlines()[0]
    assert 'george_clinton by ISO week (UTC):' in out


def test_stats__unknown_user_among_others(stats_fake, capsys):
    code, out, err = run(stats_fake, capsys, 'stats', STATS_USER, MISSING_USERNAMES[0], *WINDOW)
    assert code == 1
    assert [u['user'] for u in json.loads(out)['users']] == [STATS_USER]
    assert err == f"pyperi: error: user '{MISSING_USERNAMES[0]}' not found\n"


def test_stats__only_unknown_users_print_nothing(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'stats', MISSING_USERNAMES[0])
    assert (code, out) == (1, '')


def test_stats__bad_by_exits_2(stats_fake, capsys):
    code, _, err = run(stats_fake, capsys, 'stats', STATS_USER, '--by', 'year')
    assert code == 2 and "invalid choice: 'year'" in err


def test_stats__fields_only_with_csv(stats_fake, capsys):
    assert main(['--api-base-url', stats_fake.api_base_url, '--web-base-url',
                 stats_fake.web_base_url, 'stats', 'george_clinton', '--format', 'json',
                 '--fields', 'period']) == 2
    assert '--fields with --format csv only' in capsys.readouterr().err


def test_stats__fields_with_a_fixed_shape_are_refused_before_any_request(stats_fake, capsys):
    stats_fake.clear_requests()
    code, out, err = run(stats_fake, capsys, 'stats', STATS_USER, '-f', 'table',
                         '--fields', 'period')
    assert (code, out) == (2, '')
    assert usage_error(err, 'stats') == ('stats takes --fields with --format csv only (its other '
                                         'formats have a fixed shape)')
    assert stats_fake.requests == []


# -- tokens, url, parse ----------------------------------------------------------------------


def test_tokens__json_has_the_three_tokens_and_the_user_id(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'tokens', GEORGE_CLINTON_USERNAME)
    assert code == 0
    tokens = json.loads(out)
    assert tokens['user_id'] == GEORGE_CLINTON_ID
    assert set(tokens) >= {'broadcastHistory', 'serviceToken', 'thumbnailPlaylist'}


def test_tokens__csv(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'tokens', GEORGE_CLINTON_ID, '-f', 'csv')
    assert csv_rows(out)[0]['user_id'] == GEORGE_CLINTON_ID


def test_tokens__table_never_cuts_a_token(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, 'tokens', GEORGE_CLINTON_ID, '-f', 'table')
    rows = dict(line.split() for line in out.splitlines()[1:])
    assert rows['user_id'] == GEORGE_CLINTON_ID
    assert len(rows['broadcastHistory']) > 100 and '…' not in out


def test_tokens__unknown_user_exits_1(stats_fake, capsys):
    code, out, err = run(stats_fake, capsys, 'tokens', MISSING_USERNAMES[0])
    assert code == 1 and out == '' and 'not found' in err


URL_ARGS = ('url', GEORGE_CLINTON_USERNAME, GEORGE_CLINTON_ID, '-b', DOCUMENTED_BROADCAST_ID)


def expected_urls(periscope):
    return [f'{periscope.web_base_url}/george_clinton', f'{periscope.web_base_url}/u/376827',
            f'{periscope.web_base_url}/w/{DOCUMENTED_BROADCAST_ID}']


def test_url__users_and_broadcasts_as_json(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, *URL_ARGS)
    assert code == 0 and [r['url'] for r in json.loads(out)] == expected_urls(stats_fake)


def test_url__csv(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, *URL_ARGS, '-f', 'csv')
    assert [r['url'] for r in csv_rows(out)] == expected_urls(stats_fake)


def test_url__jsonl_says_the_kind(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, *URL_ARGS, '-f', 'jsonl')
    assert [json.loads(line)['kind'] for line in out.splitlines()] == ['user', 'user',
                                                                       'broadcast']


def test_url__table(stats_fake, capsys):
    code, out, _ = run(stats_fake, capsys, *URL_ARGS, '-f', 'table')
    assert out.splitlines()[1].split() == [GEORGE_CLINTON_USERNAME, 'user',
                                           expected_urls(stats_fake)[0]]


def test_url__needs_no_network(stats_fake, capsys):
    run(stats_fake, capsys, *URL_ARGS)
    assert stats_fake.requests == []


def test_url__default_periscope_base(capsys, monkeypatch):
    monkeypatch.delenv('PYPERI_WEB_BASE_URL', raising=False)
    assert main(['url', 'george_clinton']) == 0
    url = json.loads(capsys.readouterr().out)[0]['url']
    assert url == 'https://www.periscope.tv/george_clinton'


def test_url__needs_something(capsys):
    assert main(['url']) == 2
    assert 'give at least one USER' in capsys.readouterr().err


def test_url__bad_broadcast_exits_2(capsys):
    assert main(['url', '-b', 'not/an id']) == 2


PARSED_URL = 'https://www.periscope.tv/george_clinton/1zqKVWybqeDGB'


def test_parse__json_object_for_one_url(capsys):
    assert main(['parse', PARSED_URL]) == 0
    assert json.loads(capsys.readouterr().out) == {
        'url': PARSED_URL, 'broadcast_id': '1zqKVWybqeDGB', 'user_id': None,
        'username': 'george_clinton'}


def test_parse__csv_leaves_what_is_absent_empty(capsys):
    assert main(['parse', PARSED_URL, '-f', 'csv']) == 0
    assert csv_rows(capsys.readouterr().out)[0]['user_id'] == ''


def test_parse__jsonl_a_line_per_url(capsys):
    assert main(['parse', PARSED_URL, 'https://pscp.tv/u/376827', '-f', 'jsonl']) == 0
    lines = capsys.readouterr().out.splitlines()
    assert json.loads(lines[1])['user_id'] == '376827'


def test_parse__table(capsys):
    assert main(['parse', PARSED_URL, '-f', 'table']) == 0
    assert 'george_clinton' in capsys.readouterr().out


def test_parse__not_periscope_exits_1(capsys):
    assert main(['parse', 'https://example.com/george_clinton']) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)['username'] is None
    assert err.startswith('pyperi: error: no broadcast, user id or username in')


# -- output defaults and the format table --------------------------------------------------------


def test_terminal_gets_a_table(stats_fake, capsys, monkeypatch):
    monkeypatch.setattr(sys.stdout, 'isatty', lambda: True)
    monkeypatch.setenv('NO_COLOR', '1')
    code, out, _ = run(stats_fake, capsys, 'history', STATS_USER)
    assert code == 0
    assert out.splitlines()[0].split() == list(cli.BROADCAST_TABLE_FIELDS)


def test_table_strips_terminal_control_characters(stats_fake, capsys):
    user = stats_fake.add_user('escape_artist')
    stats_fake.add_broadcast(user['id'], status='hi\x1b[2Jthere\nnext',
                             start=datetime(2024, 1, 1, tzinfo=UTC))
    code, out, _ = run(stats_fake, capsys, 'history', 'escape_artist', '-f', 'table')
    assert '\x1b' not in out
    assert 'hi [2Jthere next' in out


def ascii_runtime():
    stream = io.TextIOWrapper(io.BytesIO(), encoding='ascii')
    return cli.Runtime(cli.build_parser().parse_args(['url', 'x']), stream, stream), stream


def test_ascii_bars_when_stdout_cannot_encode_blocks():
    runtime, _ = ascii_runtime()
    assert runtime.ascii_only


def test_json_escapes_what_stdout_cannot_encode():
    runtime, stream = ascii_runtime()
    runtime.write_json({'status': 'café 🎸'})
    stream.flush()
    assert json.loads(stream.buffer.getvalue()) == {'status': 'café 🎸'}


# Every command that prints through --format, with arguments that print something.
PRINTING = {
    'user': ['user', GEORGE_CLINTON_USERNAME],
    'broadcast': ['broadcast', DOCUMENTED_BROADCAST_ID],
    'download': ['download', DOCUMENTED_BROADCAST_ID, '-o', '{tmp}', '--no-progress'],
    'history': ['history', STATS_USER],
    'stats': ['stats', STATS_USER],
    'tokens': ['tokens', GEORGE_CLINTON_USERNAME],
    'url': ['url', GEORGE_CLINTON_USERNAME],
    'parse': ['parse', PARSED_URL],
}
PART_TYPES = {'lines': list, 'document': (dict, list), 'items': list, 'grid': formatting.Grid}


def test_every_command_with_format_is_in_the_format_table_test():
    # watch prints a stream of events as they happen (lines for people or JSON lines),
    # not an Output: its -f takes table, json and jsonl (tests/test_cli_terminal.py).
    assert {command.name for command in cli.COMMANDS if command.output} == {*PRINTING, 'watch'}


@pytest.mark.parametrize('part', formatting.PARTS)
@pytest.mark.parametrize('name', sorted(PRINTING))
def test_a_format_added_to_the_table_is_used_by_every_command(stats_fake, capsys, monkeypatch,
                                                              tmp_path, name, part):
    def write(value, options):
        assert isinstance(value, PART_TYPES[part])
        return f'probe {part} {type(value).__name__}\n'

    monkeypatch.setitem(formatting.FORMATS, 'probe', formatting.Format(part, write))
    argv = [arg.replace('{tmp}', str(tmp_path)) for arg in PRINTING[name]]
    code, out, err = run(stats_fake, capsys, *argv, '--format', 'probe')
    assert (code, err) == (0, '')
    assert out.startswith(f'probe {part} ')


def test_a_format_added_to_the_table_is_listed_in_help(monkeypatch, capsys):
    monkeypatch.setitem(formatting.FORMATS, 'probe', formatting.Format('grid', lambda g, o: ''))
    assert main(['history', '--help']) == 0
    assert '{table,json,jsonl,csv,probe}' in capsys.readouterr().out


def test_fields_with_a_fixed_shape_name_every_format_that_takes_them(stats_fake, capsys,
                                                                     monkeypatch):
    monkeypatch.setitem(formatting.FORMATS, 'tsv', formatting.Format('grid', lambda g, o: ''))
    code, _, err = run(stats_fake, capsys, 'stats', STATS_USER, '-f', 'json', '--fields', 'x')
    assert code == 2
    assert 'stats takes --fields with --format csv, tsv only' in err


# -- errors ---------------------------------------------------------------------------------


def test_server_error_exits_3_with_one_line(stats_fake, capsys):
    stats_fake.fail_next(1, 500)
    code, out, err = run(stats_fake, capsys, 'user', GEORGE_CLINTON_USERNAME)
    assert code == 3 and out == ''
    assert err.startswith('pyperi: error: HTTP 500')
    assert err.count('\n') == 1 and 'Traceback' not in err


def test_server_error_with_verbose_shows_traceback_and_requests(stats_fake, capsys):
    stats_fake.fail_next(1, 500)
    code, _, err = run(stats_fake, capsys, '-v', 'user', GEORGE_CLINTON_USERNAME)
    assert code == 3
    assert 'Traceback' in err and 'PyPeriServerError' in err
    assert 'GET ' in err                                   # the request log
    assert err.rstrip().splitlines()[-1].startswith('pyperi: error: HTTP 500')


def test_rate_limited_exits_3(stats_fake, capsys):
    stats_fake.fail_next(1, 429, retry_after=7)
    code, _, err = run(stats_fake, capsys, 'stats', STATS_USER)
    assert code == 3 and 'HTTP 429' in err and 'retry after 7s' in err


def test_connection_refused_exits_3(capsys):
    code = main(['--api-base-url', 'http://127.0.0.1:9/api/v2', '--web-base-url',
                 'http://127.0.0.1:9', '--retries', '0', '--timeout', '2', 'user', '376827'])
    _, err = capsys.readouterr()
    assert code == 3
    assert err.startswith('pyperi: error: cannot reach 127.0.0.1:9 (connection refused)') and \
        err.count('\n') == 1


def test_bad_base_url_exits_2(capsys):
    assert main(['--api-base-url', 'ftp://nowhere', 'user', 'x']) == 2
    assert 'api_base_url must be an http(s) URL' in capsys.readouterr().err


def test_bad_timeout_exits_2(capsys):
    assert main(['--timeout', '-1', 'user', 'x']) == 2
    assert 'positive number' in capsys.readouterr().err


def test_keyboard_interrupt_exits_130_quietly(stats_fake, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(cli.runtime.Peri, 'get_user_info', interrupted)
    code, out, err = run(stats_fake, capsys, 'user', GEORGE_CLINTON_USERNAME)
    assert (code, out, err) == (130, '', '')


def test_offline_conflicts_with_base_urls(capsys):
    assert main(['--offline', '--api-base-url', 'http://127.0.0.1:1', 'user', 'x']) == 2
    assert '--offline cannot be combined' in capsys.readouterr().err


# -- --offline ------------------------------------------------------------------------------


def test_offline_in_process_stats(capsys):
    assert main(['--offline', 'stats', GEORGE_CLINTON_USERNAME, '--since', '4w']) == 0
    data = json.loads(capsys.readouterr().out)
    assert data['users'][0]['broadcasts'] > 0


def test_offline_after_the_subcommand(capsys):
    assert main(['user', GEORGE_CLINTON_USERNAME, '--offline', '-f', 'csv']) == 0
    assert csv_rows(capsys.readouterr().out)[0]['id'] == GEORGE_CLINTON_ID


def test_offline_stops_the_fake_afterwards(capsys, monkeypatch):
    started = []
    original = FakePeriscope.__exit__

    def exit_(self, *exc):
        started.append(self)
        return original(self, *exc)
    monkeypatch.setattr(FakePeriscope, '__exit__', exit_)
    assert main(['--offline', 'user', GEORGE_CLINTON_ID]) == 0
    assert len(started) == 1


def _python_m_pyperi(*argv, **kwargs):
    env = {**os.environ, 'PYTHONPATH': str(ROOT)}
    env.pop('PYPERI_API_BASE_URL', None)
    env.pop('PYPERI_WEB_BASE_URL', None)
    return subprocess.run([sys.executable, '-m', 'pyperi', *argv], capture_output=True,
                          text=True, encoding='utf-8', timeout=60, env=env, **kwargs)


def test_python_m_pyperi_offline_piped_gives_json():
    done = _python_m_pyperi('--offline', 'history', GEORGE_CLINTON_USERNAME)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ''
    items = json.loads(done.stdout)
    assert any(item['id'] == DOCUMENTED_BROADCAST_ID for item in items)


def test_python_m_pyperi_unknown_user_exit_code():
    done = _python_m_pyperi('--offline', 'user', MISSING_USERNAMES[0])
    assert done.returncode == 1
    assert done.stderr == f"pyperi: error: user '{MISSING_USERNAMES[0]}' not found\n"


def test_closed_pipe_ends_quietly():
    env = {**os.environ, 'PYTHONPATH': str(ROOT)}
    with subprocess.Popen([sys.executable, '-m', 'pyperi', '--offline', 'history',
                           'long_history', '-f', 'csv'], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env) as proc:
        header = proc.stdout.readline()
        proc.stdout.close()
        stderr = proc.stderr.read()
        code = proc.wait(timeout=60)
    assert header.startswith(b'id,username')
    assert code == 0
    assert stderr == b''


# -- serve-fake -------------------------------------------------------------------------------


@pytest.fixture
def served(monkeypatch):
    """The options ``serve-fake`` hands to the fake's own command (which is not run)."""
    from pyperi.testing import command as fake_command
    seen = []
    monkeypatch.setattr(fake_command, 'run', lambda args, **kw: seen.append(args) or 0)
    return seen


def test_serve_fake__passes_its_options_to_the_fake(served):
    assert main(['serve-fake', '--port', '8765', '--token-ttl', '5']) == 0
    [args] = served
    assert (args.host, args.port, args.token_ttl) == ('127.0.0.1', 8765, 5.0)


def test_serve_fake__takes_the_fakes_latency(served):
    assert main(['serve-fake', '--latency', '0.25']) == 0
    assert served[0].latency == 0.25


def test_serve_fake__bad_port_is_a_usage_error(served, capsys):
    assert main(['serve-fake', '--port', '70000']) == 2
    assert served == [] and 'port' in capsys.readouterr().err


def test_serve_fake__exit_status_is_the_fakes(monkeypatch):
    from pyperi.testing import command as fake_command
    monkeypatch.setattr(fake_command, 'run', lambda args, **kw: 3)
    assert main(['serve-fake']) == 3


def test_the_fake_server_is_loaded_only_to_serve():
    code = ('import sys; from pyperi.cli import main; main(["url", "george_clinton"]); '
            'print(sorted(m for m in sys.modules if m.startswith("pyperi.testing")))')
    done = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          timeout=60, env={**os.environ, 'PYTHONPATH': str(ROOT)})
    assert done.returncode == 0, done.stderr
    loaded = done.stdout.splitlines()[-1]
    assert "'pyperi.testing.command'" in loaded
    for server_module in ('pyperi.testing.fake', 'pyperi.testing.server', 'pyperi.testing.app'):
        assert f"'{server_module}'" not in loaded


@pytest.mark.skipif(sys.platform == 'win32', reason='SIGINT delivery is POSIX-only here')
def test_serve_fake__serves_until_ctrl_c():
    import signal
    import requests
    # A shell's background jobs start with SIGINT ignored; put Python's handler back first.
    code = ('import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); '
            'from pyperi.cli import main; sys.exit(main(["serve-fake"]))')
    env = {**os.environ, 'PYTHONPATH': str(ROOT)}
    with subprocess.Popen([sys.executable, '-c', code], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, env=env) as proc:
        try:
            first = proc.stdout.readline()
            assert first.startswith('Fake Periscope serving at http://127.0.0.1:')
            web_base_url = first.split()[-1]
            page = requests.get(f'{web_base_url}/george_clinton', timeout=10)
            assert page.status_code == 200
        finally:
            proc.send_signal(signal.SIGINT)
            code = proc.wait(timeout=30)
    assert code == 0
