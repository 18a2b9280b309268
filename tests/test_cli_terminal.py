"""The command on a terminal (issue 14): table widths, colour, progress, stats chart, watch.

The terminal decision is forced with stand-in streams whose ``isatty()`` says yes, and
widths come from ``COLUMNS``; everything runs in-process against the embedded fake.
"""
from __future__ import annotations

import io
import json
import re
import sys
from datetime import datetime, timezone
from typing import Any

import pytest

from pyperi.cli import main, terminal
from pyperi.cli.capture import event_line
from pyperi.formatting import display_width
from pyperi.testing import FakePeriscope
from pyperi.testing.dataset import GEORGE_CLINTON_USERNAME

pytestmark = pytest.mark.integration

UTC = timezone.utc
BOLD_HEADER = re.compile(r'^\x1b\[1m.*\x1b\[0m$')
ANSI = re.compile(r'\x1b\[[0-9;]*m')


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class Pipe(io.StringIO):
    """A stream that says it is not a terminal (as a pipe or a file)."""

    def isatty(self) -> bool:
        return False


def run(periscope: FakePeriscope, monkeypatch: pytest.MonkeyPatch, *argv: str,
        tty_out: bool = False, tty_err: bool = False) -> tuple[int, str, str]:
    """Run the command with stdout/stderr that are (or are not) terminals."""
    out: io.StringIO = Terminal() if tty_out else Pipe()
    err: io.StringIO = Terminal() if tty_err else Pipe()
    monkeypatch.setattr(sys, 'stdout', out)
    monkeypatch.setattr(sys, 'stderr', err)
    code = main(['--api-base-url', periscope.api_base_url,
                 '--web-base-url', periscope.web_base_url, '--retries', '0', *argv])
    return code, out.getvalue(), err.getvalue()


def widest(text: str) -> int:
    return max(display_width(line) for line in ANSI.sub('', text).splitlines())


# -- tables fit the terminal (point 7) ------------------------------------------------------


@pytest.mark.parametrize('columns', [110, 120])
def test_history__table_fits_columns_on_a_terminal(fake_periscope, monkeypatch, columns):
    monkeypatch.setenv('COLUMNS', str(columns))
    monkeypatch.setenv('NO_COLOR', '1')
    code, out, _ = run(fake_periscope, monkeypatch, 'history', GEORGE_CLINTON_USERNAME,
                       tty_out=True)
    assert code == 0
    assert widest(out) <= columns
    lines = out.splitlines()
    assert lines[0].split() == ['start', 'id', 'username', 'state', 'duration',
                                'n_total_watched', 'status']
    # ids, usernames and times are whole: only the title is cut
    assert all(re.match(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ  \w{13}  george_clinton  ', line)
               for line in lines[1:])
    assert any(line.endswith('…') for line in lines[1:])


def test_history__narrower_than_the_fixed_columns_cuts_titles_to_their_minimum(
        fake_periscope, monkeypatch):
    monkeypatch.setenv('COLUMNS', '80')
    code, out, _ = run(fake_periscope, monkeypatch, 'history', GEORGE_CLINTON_USERNAME,
                       '-f', 'table')
    assert code == 0
    lines = out.splitlines()
    assert all(display_width(line.split('  ')[-1]) <= 10 for line in lines[1:])
    assert all(' george_clinton ' in line for line in lines[1:])


def test_history__piped_table_is_not_cut_without_columns(fake_periscope, monkeypatch):
    code, out, _ = run(fake_periscope, monkeypatch, 'history', GEORGE_CLINTON_USERNAME,
                       '-f', 'table')
    assert code == 0
    assert widest(out) > 120   # the whole 40-cell titles, as before


def test_history__piped_table_fits_an_explicit_columns(fake_periscope, monkeypatch):
    monkeypatch.setenv('COLUMNS', '120')
    code, out, _ = run(fake_periscope, monkeypatch, 'history', GEORGE_CLINTON_USERNAME,
                       '-f', 'table')
    assert code == 0 and widest(out) <= 120


def test_user__display_names_are_cut_before_anything_else(fake_periscope, monkeypatch):
    argv = ('user', GEORGE_CLINTON_USERNAME, 'no_broadcasts', '-f', 'table')
    _, whole, _ = run(fake_periscope, monkeypatch, *argv)
    monkeypatch.setenv('COLUMNS', str(widest(whole) - 2))
    code, out, _ = run(fake_periscope, monkeypatch, *argv)
    assert code == 0
    assert widest(out) == widest(whole) - 2
    assert '  George Clin…  ' in out and '  Quiet Accou…  ' in out
    assert f'{fake_periscope.web_base_url}/george_clinton' in out


@pytest.mark.parametrize('environ, stream_tty, expected', [
    ({'COLUMNS': '77'}, False, 77),
    ({'COLUMNS': '77'}, True, 77),
    ({}, False, None),
    ({'COLUMNS': ''}, False, None),
    ({'COLUMNS': 'wide'}, False, None),
    ({'COLUMNS': '0'}, False, None),
])
def test_table_width(environ, stream_tty, expected):
    stream = Terminal() if stream_tty else Pipe()
    assert terminal.table_width(stream, environ) == expected


def test_table_width__a_terminal_without_columns_asks_the_terminal():
    width = terminal.table_width(Terminal(), {})
    assert isinstance(width, int) and width > 0


# -- colour (point 13) ----------------------------------------------------------------------


@pytest.mark.parametrize('environ, tty, coloured', [
    ({}, True, True),
    ({'NO_COLOR': ''}, True, True),         # no-color.org: set and not empty
    ({'NO_COLOR': '1'}, True, False),
    ({'NO_COLOR': 'false'}, True, False),   # any non-empty value
    ({'TERM': 'dumb'}, True, False),
    ({'TERM': 'xterm-256color'}, True, True),
    ({}, False, False),
])
def test_wants_colour(environ, tty, coloured):
    assert terminal.wants_colour(Terminal() if tty else Pipe(), environ) is coloured


def test_table_header_is_bold_on_a_terminal(fake_periscope, monkeypatch):
    code, out, _ = run(fake_periscope, monkeypatch, 'user', GEORGE_CLINTON_USERNAME,
                       'no_broadcasts', tty_out=True)
    assert code == 0
    lines = out.splitlines()
    assert BOLD_HEADER.match(lines[0])
    assert ANSI.sub('', lines[0]).split()[:2] == ['id', 'username']
    assert not any('\x1b' in line for line in lines[1:])


@pytest.mark.parametrize('env, tty', [({'NO_COLOR': '1'}, True), ({'TERM': 'dumb'}, True),
                                      ({}, False)], ids=['no-color', 'dumb', 'piped'])
def test_no_colour_when_piped_no_color_or_dumb(fake_periscope, monkeypatch, env, tty):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, err = run(fake_periscope, monkeypatch, 'user', GEORGE_CLINTON_USERNAME,
                         'some_bad_username', '-f', 'table', tty_out=tty, tty_err=tty)
    assert code == 1
    assert '\x1b' not in out + err
    assert err == "pyperi: error: user 'some_bad_username' not found\n"


def test_error_prefix_is_red_on_a_terminal(fake_periscope, monkeypatch):
    code, _, err = run(fake_periscope, monkeypatch, 'user', 'some_bad_username', tty_err=True)
    assert code == 1
    assert err == (f'{terminal.BOLD}{terminal.RED}pyperi: error:{terminal.RESET} '
                   "user 'some_bad_username' not found\n")


def test_fatal_error_prefix_is_red_on_a_terminal(fake_periscope, monkeypatch):
    code, _, err = run(fake_periscope, monkeypatch, 'history', GEORGE_CLINTON_USERNAME,
                       '--since', 'last week', tty_err=True)
    assert code == 2   # a usage error: the usage line, then the coloured prefix
    assert err.splitlines()[1].startswith(
        f'{terminal.BOLD}{terminal.RED}pyperi history: error:{terminal.RESET} ')


def test_colour_on_stdout_does_not_follow_stderr(fake_periscope, monkeypatch):
    code, out, _ = run(fake_periscope, monkeypatch, 'user', GEORGE_CLINTON_USERNAME,
                       'no_broadcasts', '-f', 'table', tty_err=True)
    assert code == 0 and '\x1b' not in out


def test_json_is_never_coloured(fake_periscope, monkeypatch):
    code, out, _ = run(fake_periscope, monkeypatch, 'user', GEORGE_CLINTON_USERNAME,
                       '-f', 'json', tty_out=True)
    assert code == 0 and json.loads(out)['username'] == GEORGE_CLINTON_USERNAME


# -- the stats chart (point 8) --------------------------------------------------------------

CHART_USER = 'chart_user'
CHART_WINDOW = ('--since', '2024-05-06', '--until', '2024-05-26')   # ISO weeks 19, 20, 21


@pytest.fixture
def chart_fake(fake_periscope: FakePeriscope) -> FakePeriscope:
    """A user with 3 broadcasts (1 h, 1000 views) in W19, 1 (2 h, 0 views) in W20, none in W21."""
    user = fake_periscope.add_user(CHART_USER)
    for day in (6, 7, 8):
        fake_periscope.add_broadcast(user['id'], start=datetime(2024, 5, day, 12, tzinfo=UTC),
                                     duration=1200, n_total_watched=1000 // 3 + (day == 6))
    fake_periscope.add_broadcast(user['id'], start=datetime(2024, 5, 14, 12, tzinfo=UTC),
                                 duration=7200, n_total_watched=0)
    return fake_periscope


def chart_rows(out: str) -> dict[str, list[str]]:
    """The header (key ``week``) and rows of the period table, split at two spaces or more."""
    rows = {}
    for line in out.splitlines():
        cells = re.split(r' {2,}', line.strip())
        if cells and (cells[0] == 'week' or cells[0].startswith('2024-W')):
            rows[cells[0]] = cells[1:]
    return rows


@pytest.mark.parametrize('chart, header, measured, widths', [
    ([], ['broadcasts', 'bar (max 3)', 'on air', 'median', 'views'], 0, (30, 10, 0)),
    (['--chart', 'broadcasts'], ['broadcasts', 'bar (max 3)', 'on air', 'median', 'views'], 0,
     (30, 10, 0)),
    (['--chart', 'time'], ['broadcasts', 'on air', 'bar (max 2:00:00)', 'median', 'views'], 1,
     (15, 30, 0)),
    (['--chart', 'views'], ['broadcasts', 'on air', 'median', 'views', 'bar (max 1,000)'], 3,
     (30, 0, 0)),
], ids=['default', 'broadcasts', 'time', 'views'])
def test_stats__chart_bar_has_a_header_and_sits_beside_what_it_measures(
        chart_fake, monkeypatch, chart, header, measured, widths):
    code, out, _ = run(chart_fake, monkeypatch, 'stats', CHART_USER, *CHART_WINDOW,
                       '-f', 'table', *chart)
    assert code == 0
    rows = chart_rows(out)
    assert rows['week'] == header
    lines = out.splitlines()
    header_line = next(line for line in lines if line.strip().startswith('week'))
    at = header_line.index(header[measured + 1])   # bars are left-aligned under it
    drawn = [next(line for line in lines if line.strip().startswith(week))[at:].split(' ')[0]
             .count('█') for week in ('2024-W19', '2024-W20', '2024-W21')]
    assert tuple(drawn) == widths   # 0 draws an empty bar, never a full one


def test_stats__all_zero_values_draw_empty_bars(chart_fake, monkeypatch):
    code, out, _ = run(chart_fake, monkeypatch, 'stats', CHART_USER, '--since', '2024-05-13',
                       '--until', '2024-05-26', '-f', 'table', '--chart', 'views')
    assert code == 0
    assert chart_rows(out)['week'][-1] == 'bar (max 0)'
    assert '█' not in out and '▏' not in out


def test_stats__bars_narrow_to_fit_the_terminal(chart_fake, monkeypatch):
    monkeypatch.setenv('COLUMNS', '60')
    code, out, _ = run(chart_fake, monkeypatch, 'stats', CHART_USER, *CHART_WINDOW,
                       '-f', 'table')
    assert code == 0
    tables = [line for line in out.splitlines() if line.startswith('  ')]
    assert max(display_width(line) for line in tables) <= 60
    full = chart_rows(out)['2024-W19'][1]
    assert set(full) == {'█'} and 10 <= len(full) < 30   # narrower, never below 10


def test_stats__bad_chart_is_a_usage_error(chart_fake, monkeypatch):
    code, out, err = run(chart_fake, monkeypatch, 'stats', CHART_USER, '--chart', 'likes')
    assert (code, out) == (2, '') and 'likes' in err


def test_stats__chart_leaves_json_alone(chart_fake, monkeypatch):
    _, plain, _ = run(chart_fake, monkeypatch, 'stats', CHART_USER, *CHART_WINDOW, '-f', 'json')
    _, views, _ = run(chart_fake, monkeypatch, 'stats', CHART_USER, *CHART_WINDOW, '-f', 'json',
                      '--chart', 'views')
    assert json.loads(plain)['users'] == json.loads(views)['users']


# -- watch on a terminal (point 10) ---------------------------------------------------------

EVENT_LINE = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ  (\S+) +(\S+) +(\S+)  (.*)$')


TITLE = 'on air\x1b[2J now with the whole band, live from the Mothership'
SHOWN_TITLE = TITLE.replace('\x1b', ' ')


@pytest.fixture
def watcher(fake_periscope: FakePeriscope) -> tuple[FakePeriscope, dict[str, Any]]:
    """The fake, and a live broadcast of a new user whose title has a terminal escape."""
    user = fake_periscope.add_user('watched_user')
    live = fake_periscope.go_live(user['id'], live_segments=10, segment_interval=60,
                                  status=TITLE)
    return fake_periscope, live


def test_watch__human_lines_on_a_terminal(watcher, monkeypatch):
    fake, live = watcher
    monkeypatch.setenv('COLUMNS', '200')
    code, out, err = run(fake, monkeypatch, 'watch', 'watched_user', 'some_bad_username',
                         '--polls', '1', tty_out=True)
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 2
    first = EVENT_LINE.match(lines[0])
    assert first is not None
    assert first.groups() == ('watched_user', 'live', live['id'], SHOWN_TITLE)
    assert '\x1b' not in out
    assert re.match(r'^\S+  some_bad_username  user_not_found +user not found$', lines[1])
    assert err == "pyperi: error: user 'some_bad_username' not found\n"


@pytest.mark.parametrize('argv, tty', [([], False), (['-f', 'jsonl'], True),
                                       (['-f', 'json'], True), (['-f', 'json'], False)],
                         ids=['piped', 'jsonl-on-a-terminal', 'json-on-a-terminal', 'json-piped'])
def test_watch__json_lines_when_piped_or_asked(watcher, monkeypatch, argv, tty):
    fake, live = watcher
    code, out, _ = run(fake, monkeypatch, 'watch', 'watched_user', '--polls', '1', *argv,
                       tty_out=tty)
    assert code == 0
    [event] = [json.loads(line) for line in out.splitlines()]
    assert (event['event'], event['broadcast_id'], event['state']) == ('live', live['id'],
                                                                       'RUNNING')


def test_watch__table_when_asked_on_a_pipe(watcher, monkeypatch):
    fake, live = watcher
    code, out, _ = run(fake, monkeypatch, 'watch', 'watched_user', '--polls', '1',
                       '-f', 'table')
    assert code == 0 and EVENT_LINE.match(out.splitlines()[0])


@pytest.mark.parametrize('columns, title_width', [(60, 10), (90, 22)])
def test_watch__titles_fit_the_terminal(watcher, monkeypatch, columns, title_width):
    fake, _ = watcher
    monkeypatch.setenv('COLUMNS', str(columns))
    code, out, _ = run(fake, monkeypatch, 'watch', 'watched_user', '--polls', '1', tty_out=True)
    assert code == 0
    event = EVENT_LINE.match(out.splitlines()[0])
    assert event is not None
    title = event.group(4)   # 66 cells before it; at least 10 of it, even past the width
    assert display_width(title) == title_width and title.endswith('…')
    assert SHOWN_TITLE.startswith(title[:-1])


def test_watch__downloaded_event_has_the_state_after_the_capture(
        fake_periscope, monkeypatch, tmp_path):
    user = fake_periscope.add_user('capture_user')
    live = fake_periscope.go_live(user['id'], live_segments=3, segment_interval=0.5)
    code, out, err = run(fake_periscope, monkeypatch, 'watch', 'capture_user', '--polls', '1',
                         '--download', str(tmp_path))
    assert (code, err) == (0, '')
    events = [json.loads(line) for line in out.splitlines()]
    assert [e['event'] for e in events] == ['live', 'downloaded']
    assert events[0]['state'] == 'RUNNING'
    assert events[1]['state'] == 'ENDED'   # read again once the capture ended
    assert events[1]['broadcast_id'] == live['id']
    assert events[1]['path'] == str(tmp_path / f'{live["id"]}.ts')


def test_event_line__details():
    when = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert event_line({'event': 'error', 'user': 'u', 'error': 'HTTP 500'}, when) == \
        '2024-05-06T07:08:09Z  u  error            HTTP 500'
    assert event_line({'event': 'downloaded', 'user': 'u', 'broadcast_id': 'B',
                       'status': 'title', 'path': 'dir/B.ts'}, when, user_width=3) == \
        '2024-05-06T07:08:09Z  u    downloaded       B  dir/B.ts'
    assert event_line({'event': 'new', 'user': 'u', 'broadcast_id': 'B', 'status': 'x' * 50},
                      when, width=60, ellipsis='...') == \
        '2024-05-06T07:08:09Z  u  new              B  ' + 'x' * 12 + '...'   # 60 cells
