"""The command on a terminal (issue 14): table widths, colour, progress, stats chart, watch.

The terminal decision is forced with stand-in streams whose ``isatty()`` says yes, and
widths come from ``COLUMNS``; everything runs in-process against the embedded fake.
"""
from __future__ import annotations

import io
import json
import os
import re
import struct
import sys
from datetime import datetime, timezone
from typing import Any

import pytest

from pyperi.cli import main, progress, terminal
from pyperi.cli.capture import event_line
from pyperi.formatting import display_width
from pyperi.replay import DownloadProgress
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


def test_history__titles_are_cut_before_any_column_is_left_out(fake_periscope, monkeypatch):
    monkeypatch.setenv('COLUMNS', '105')
    code, out, _ = run(fake_periscope, monkeypatch, 'history', GEORGE_CLINTON_USERNAME,
                       '-f', 'table')
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ['start', 'id', 'username', 'state', 'duration',
                                'n_total_watched', 'status']
    assert widest(out) <= 105
    assert all(display_width(line[91:]) <= 14 for line in lines[1:])   # 79 cells + 6 gaps
    assert all(' george_clinton ' in line for line in lines[1:])


def test_history__too_narrow_leaves_out_views_then_username(fake_periscope, monkeypatch):
    monkeypatch.setenv('COLUMNS', '80')
    code, out, _ = run(fake_periscope, monkeypatch, 'history', GEORGE_CLINTON_USERNAME,
                       '-f', 'table')
    assert code == 0
    assert out.splitlines()[0].split() == ['start', 'id', 'state', 'duration', 'status']
    assert widest(out) <= 80


def test_history__asked_fields_are_never_left_out(fake_periscope, monkeypatch):
    monkeypatch.setenv('COLUMNS', '80')
    fields = 'start,id,username,state,duration,n_total_watched,status'
    code, out, _ = run(fake_periscope, monkeypatch, 'history', GEORGE_CLINTON_USERNAME,
                       '-f', 'table', '--fields', fields)
    assert code == 0
    assert out.splitlines()[0].split() == fields.split(',')
    assert widest(out) > 80   # wider than asked: the fields were chosen


def test_user__too_narrow_leaves_out_optional_columns_in_order(fake_periscope, monkeypatch):
    argv = ('user', GEORGE_CLINTON_USERNAME, 'no_broadcasts', '-f', 'table')
    monkeypatch.setenv('COLUMNS', '100')
    _, out, _ = run(fake_periscope, monkeypatch, *argv)
    assert out.splitlines()[0].split() == ['id', 'username', 'display_name', 'n_followers',
                                           'url']
    monkeypatch.setenv('COLUMNS', '80')
    _, out, _ = run(fake_periscope, monkeypatch, *argv)
    assert out.splitlines()[0].split() == ['id', 'username', 'display_name', 'n_followers']


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
    fcntl = pytest.importorskip('fcntl')
    termios = pytest.importorskip('termios')
    leader, follower = os.openpty()
    try:
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 97, 0, 0))
        with os.fdopen(os.dup(follower), 'w') as stream:
            assert terminal.table_width(stream, {}) == 97
            assert terminal.table_width(stream, {'COLUMNS': '60'}) == 60
    finally:
        os.close(leader)
        os.close(follower)


def test_table_width__a_stand_in_terminal_without_a_file_has_no_width():
    assert terminal.table_width(Terminal(), {}) is None


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


# -- download progress (points 5 and 6) -----------------------------------------------------


def report(done: int, total: int | None, *, live: bool = False, seconds: float = 0.0,
           size: int = 0) -> DownloadProgress:
    return DownloadProgress('BID', live, size, done, total, seconds)


@pytest.mark.parametrize('count, text', [(0, '0 B'), (1023, '1023 B'), (1024, '1.0 KiB'),
                                         (11684200, '11.1 MiB'), (3 * 1024 ** 3, '3.0 GiB'),
                                         (5 * 1024 ** 5, '5120.0 TiB')])
def test_format_bytes(count, text):
    assert progress.format_bytes(count) == text


def test_progress_text__live_says_live_and_the_time_recorded():
    assert progress.progress_text('BID', report(7, None, live=True, seconds=83.5,
                                                size=65800), elapsed=5) == \
        'BID  LIVE  recorded 0:01:24  64.3 KiB  7 segments'
    assert progress.progress_text('BID', report(1, None, live=True, seconds=2), elapsed=1) == \
        'BID  LIVE  recorded 0:00:02  0 B  1 segment'


@pytest.mark.parametrize('done, before, elapsed, tail', [
    (0, 0, 0.0, '  0%  0/200 segments  0 B  ETA ?'),
    (50, 0, 10.0, ' 25%  50/200 segments  0 B  ETA 0:00:30'),
    (150, 100, 10.0, ' 75%  150/200 segments  0 B  ETA 0:00:10'),   # resumed: this run's pace
    (100, 100, 0.0, ' 50%  100/200 segments  0 B  ETA ?'),
    (200, 0, 40.0, '100%  200/200 segments  0 B  done'),
])
def test_progress_text__replay_percentage_and_eta(done, before, elapsed, tail):
    assert progress.progress_text('[2/5] BID', report(done, 200), elapsed=elapsed,
                                  segments_before=before) == f'[2/5] BID  {tail}'


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_line__redraws_in_place_at_most_every_redraw_seconds():
    stream, clock = Terminal(), Clock()
    line = progress.ProgressLine(stream, 'BID', clock=clock)
    line.update(report(0, 4))
    line.update(report(1, 4))                 # too soon: not drawn
    clock.now += progress.REDRAW_SECONDS
    line.update(report(2, 4))
    line.update(report(4, 4))                 # the last segment: always drawn
    drawn = stream.getvalue().split('\r')[1:]
    assert [text.split()[1] for text in drawn] == ['0%', '50%', '100%']
    line.clear()
    assert stream.getvalue().endswith('\r' + ' ' * len(drawn[-1].rstrip()) + '\r')


def test_progress_line__cut_to_the_width_and_hint_once_for_live():
    stream, said = Terminal(), []
    line = progress.ProgressLine(stream, 'a-long-label', width=30, say=said.append)
    line.update(report(1, None, live=True, seconds=2))
    line.update(report(2, None, live=True, seconds=4))
    assert said == [progress.LIVE_HINT]
    assert all(display_width(text) <= 29 for text in stream.getvalue().split('\r'))


def test_progress_line__without_drawing_only_hints():
    stream, said = Terminal(), []
    line = progress.ProgressLine(stream, 'BID', draw=False, say=said.append)
    line.update(report(1, 3))
    line.update(report(1, None, live=True))
    assert said == [progress.LIVE_HINT] and stream.getvalue() == ''


def download(fake: FakePeriscope, monkeypatch: pytest.MonkeyPatch,
             *argv: str) -> tuple[int, str, str]:
    return run(fake, monkeypatch, 'download', *argv, '-f', 'json', tty_err=True)


@pytest.fixture
def replay_user(fake_periscope: FakePeriscope) -> str:
    return str(fake_periscope.add_user('progress_user')['id'])


def test_download__replay_progress_shows_percentage_and_eta(fake_periscope, replay_user,
                                                            monkeypatch, tmp_path):
    broadcast = fake_periscope.add_broadcast(replay_user, segments=3)
    code, out, err = download(fake_periscope, monkeypatch, broadcast['id'], '-o', str(tmp_path))
    assert code == 0 and json.loads(out)['status'] == 'downloaded'
    assert f'\r{broadcast["id"]}    0%  0/3 segments  0 B  ETA ?' in err
    assert re.search(rf'\r{broadcast["id"]}  100%  3/3 segments  [\d.]+ KiB  done', err)
    assert err.endswith('\r') and 'LIVE' not in err and 'Ctrl-C' not in err


def test_download__live_capture_says_live_and_how_to_stop(fake_periscope, replay_user,
                                                          monkeypatch, tmp_path):
    live = fake_periscope.go_live(replay_user, live_segments=3, segment_interval=0.3)
    code, out, err = download(fake_periscope, monkeypatch, live['id'], '-o', str(tmp_path))
    assert code == 0 and json.loads(out)['status'] == 'downloaded'
    lines = err.split('\n')
    assert lines[0] == f'pyperi: {progress.LIVE_HINT}'
    assert re.search(rf'\r{live["id"]}  LIVE  recorded \d:\d\d:\d\d  [\d.]+ (B|KiB)  '
                     r'\d+ segments?', err)
    assert '%' not in err


def test_download__no_progress_keeps_the_live_hint_only(fake_periscope, replay_user,
                                                        monkeypatch, tmp_path):
    live = fake_periscope.go_live(replay_user, live_segments=2, segment_interval=0.3)
    code, _, err = download(fake_periscope, monkeypatch, live['id'], '-o', str(tmp_path),
                            '--no-progress')
    assert code == 0 and err == f'pyperi: {progress.LIVE_HINT}\n'


def test_download__quiet_or_piped_stderr_shows_nothing(fake_periscope, replay_user,
                                                       monkeypatch, tmp_path):
    live = fake_periscope.go_live(replay_user, live_segments=2, segment_interval=0.3)
    code, _, err = download(fake_periscope, monkeypatch, live['id'], '-o', str(tmp_path), '-q')
    assert (code, err) == (0, '')
    code, _, err = run(fake_periscope, monkeypatch, 'download', live['id'], '-o',
                       str(tmp_path / 'again.ts'))
    assert (code, err) == (0, '')


def test_download_user__progress_says_which_broadcast_of_how_many(
        fake_periscope, replay_user, monkeypatch, tmp_path):
    ids = [fake_periscope.add_broadcast(replay_user, segments=2)['id'] for _ in range(3)]
    code, out, err = download(fake_periscope, monkeypatch, '--user', 'progress_user',
                              '-o', str(tmp_path))
    assert code == 0 and len(json.loads(out)) == 3
    shown = re.findall(r'\r\[(\d)/(\d)\] (\w+) ', err)
    assert sorted({(int(i), int(n), b) for i, n, b in shown}) == \
        [(i, 3, b) for i, b in enumerate([r['broadcast_id'] for r in json.loads(out)], 1)]
    assert set(ids) == {r['broadcast_id'] for r in json.loads(out)}


# -- what the library tells the progress line -------------------------------------------------


def test_on_progress__reports_live_and_the_seconds_written(fake_periscope, replay_user,
                                                           tmp_path):
    from pyperi import Peri
    replay_broadcast = fake_periscope.add_broadcast(replay_user, segments=3)
    live = fake_periscope.go_live(replay_user, live_segments=2, segment_interval=0.3)
    reports: list[DownloadProgress] = []
    with Peri(api_base_url=fake_periscope.api_base_url,
              web_base_url=fake_periscope.web_base_url) as peri:
        peri.download_broadcast(replay_broadcast['id'], tmp_path, on_progress=reports.append)
        peri.download_broadcast(live['id'], tmp_path, on_progress=reports.append)
    replays = [r for r in reports if r.broadcast_id == replay_broadcast['id']]
    lives = [r for r in reports if r.broadcast_id == live['id']]
    assert [(r.live, r.segments_done, r.segments_total) for r in replays] == \
        [(False, 0, 3), (False, 1, 3), (False, 2, 3), (False, 3, 3)]
    assert replays[-1].bytes_done == (tmp_path / f'{replay_broadcast["id"]}.ts').stat().st_size
    assert [r.seconds_done for r in replays] == sorted(r.seconds_done for r in replays)
    assert replays[-1].seconds_done > 0
    assert lives and all(r.live for r in lives) and lives[-1].segments_done == 2
    assert lives[-1].seconds_done > 0


def test_on_start__position_count_and_id_for_every_broadcast(fake_periscope, replay_user,
                                                             tmp_path):
    from pyperi import Peri
    for _ in range(2):
        fake_periscope.add_broadcast(replay_user, segments=1)
    fake_periscope.go_live(replay_user, live_segments=10, segment_interval=60)
    started: list[tuple[int, int, str]] = []
    with Peri(api_base_url=fake_periscope.api_base_url,
              web_base_url=fake_periscope.web_base_url) as peri:
        results = peri.download_user_history('progress_user', tmp_path,
                                             on_start=lambda *a: started.append(a))
    assert results is not None
    assert started == [(i, 3, r.broadcast_id) for i, r in enumerate(results, 1)]
    assert [r.status for r in results] == ['unavailable', 'downloaded', 'downloaded']


@pytest.mark.parametrize('name', ['on_progress', 'on_start'])
def test_callbacks_must_be_callable(fake_periscope, tmp_path, name):
    from pyperi import Peri
    with Peri(api_base_url=fake_periscope.api_base_url,
              web_base_url=fake_periscope.web_base_url) as peri:
        with pytest.raises(TypeError, match=name):
            peri.download_user_history('george_clinton', tmp_path, **{name: 'print'})


def test_watch__downloaded_event_state_is_unknown_when_it_cannot_be_read_again(
        fake_periscope, monkeypatch, tmp_path):
    from pyperi import Peri, PyPeriConnectionError

    def unreachable(self: Any, broadcast_id: str) -> None:
        raise PyPeriConnectionError('no route')

    monkeypatch.setattr(Peri, 'get_broadcast_info', unreachable)
    user = fake_periscope.add_user('capture_user')
    fake_periscope.go_live(user['id'], live_segments=2, segment_interval=0.3)
    code, out, _ = run(fake_periscope, monkeypatch, 'watch', 'capture_user', '--polls', '1',
                       '--download', str(tmp_path))
    assert code == 0
    events = [json.loads(line) for line in out.splitlines()]
    assert [e['event'] for e in events] == ['live', 'downloaded']
    assert events[1]['state'] is None and events[1]['path'].endswith('.ts')
