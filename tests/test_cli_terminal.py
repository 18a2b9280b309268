"""The command on a terminal (issue 14): table widths, colour, progress, stats chart, watch.

The terminal decision is forced with stand-in streams whose ``isatty()`` says yes, and
widths come from ``COLUMNS``; everything runs in-process against the embedded fake.
"""
from __future__ import annotations

import io
import json
import re
import sys
from typing import Any

import pytest

from pyperi.cli import main, terminal
from pyperi.formatting import display_width
from pyperi.testing import FakePeriscope
from pyperi.testing.dataset import GEORGE_CLINTON_USERNAME

pytestmark = pytest.mark.integration

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


def _unused(*args: Any) -> None:   # keeps Any imported for the sections below
    return None
