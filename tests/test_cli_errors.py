"""The command's errors say what happened and what to do, in one line, without tracebacks.

Unreachable and silent hosts, wrong base URLs, ``-o DIR/``, ``@user``, ``--timeout
CONNECT,READ``, ``serve-fake`` ports, a closed or full stdout and SIGHUP.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import responses

from pyperi import Peri
from pyperi.cli import main, problems
from pyperi.cli.process import STOP_SIGNALS, terminate_like_interrupt
from pyperi.cli.runtime import Runtime
from pyperi.exceptions import PyPeriConnectionError, PyPeriServerError, PyPeriTimeout
from pyperi.testing import FakePeriscope
from pyperi.testing.dataset import DOCUMENTED_BROADCAST_ID, GEORGE_CLINTON_USERNAME
from helpers import stop_live_capture

ROOT = Path(__file__).resolve().parent.parent
REAL_GETADDRINFO = socket.getaddrinfo

# Most tests run the command over loopback, against the fake or small sockets of their own.
pytestmark = pytest.mark.integration


def one_line(err: str) -> str:
    """The single ``pyperi: error:`` line of ``err`` (no traceback, nothing else)."""
    assert err.startswith('pyperi: error: ') and err.count('\n') == 1, err
    assert 'Traceback' not in err
    return err.rstrip('\n')


def usage_line(err: str, command: str) -> str:
    """The ``pyperi COMMAND: error:`` line of a usage error (below the command's usage)."""
    assert 'Traceback' not in err
    last = err.rstrip('\n').splitlines()[-1]
    assert last.startswith(f'pyperi {command}: error: '), err
    return last


def against(fake: FakePeriscope, *argv: str) -> list[str]:
    return ['--api-base-url', fake.api_base_url, '--web-base-url', fake.web_base_url,
            '--retries', '0', *argv]


@pytest.fixture
def no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Names other than loopback do not resolve, as on a machine without network."""
    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name in ('127.0.0.1', 'localhost', '::1'):
            return REAL_GETADDRINFO(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, 'Name or service not known')

    monkeypatch.setattr(socket, 'getaddrinfo', getaddrinfo)


@pytest.fixture
def free_port() -> int:
    """A loopback port nobody listens on (connections to it are refused)."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def silent_server() -> Iterator[str]:
    """``http://127.0.0.1:PORT`` of a server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(('127.0.0.1', 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f'http://127.0.0.1:{server.getsockname()[1]}'
    finally:
        stop.set()
        thread.join(5)
        for connection in held:
            connection.close()
        server.close()


# -- point 1: a host that cannot be reached, or does not answer ----------------------------


def test_unreachable_periscope_is_one_line_that_says_what_to_do(no_dns, capsys):
    code = main(['--retries', '0', 'user', GEORGE_CLINTON_USERNAME])
    line = one_line(capsys.readouterr().err)
    assert code == 3
    assert line.startswith('pyperi: error: cannot reach api.periscope.tv (its name does not '
                           'resolve')
    assert 'Periscope closed in 2021' in line
    for hint in ('--offline', '--archive PATH', '--api-base-url', '--web-base-url',
                 'PYPERI_API_BASE_URL', 'PYPERI_WEB_BASE_URL'):
        assert hint in line
    assert 'HTTPSConnectionPool' not in line and 'Max retries' not in line
    assert len(line) < 250


def test_unreachable_with_verbose_keeps_the_whole_error(no_dns, capsys):
    assert main(['-v', '--retries', '0', 'user', GEORGE_CLINTON_USERNAME]) == 3
    err = capsys.readouterr().err
    assert 'Traceback' in err and 'NameResolutionError' in err   # the full, redacted error
    assert err.rstrip().splitlines()[-1].startswith('pyperi: error: cannot reach '
                                                    'api.periscope.tv')


def test_refused_connection_names_the_host_and_the_options(free_port, capsys):
    base = f'http://127.0.0.1:{free_port}'
    code = main(['--api-base-url', base + '/api/v2', '--web-base-url', base, '--retries', '0',
                 'user', GEORGE_CLINTON_USERNAME])
    line = one_line(capsys.readouterr().err)
    assert code == 3
    assert line.startswith(f'pyperi: error: cannot reach 127.0.0.1:{free_port} '
                           f'(connection refused): check --api-base-url')
    assert 'Periscope closed' not in line


def test_read_timeout_says_which_host_and_setting(silent_server, capsys):
    code = main(['--api-base-url', silent_server + '/api/v2', '--web-base-url', silent_server,
                 '--retries', '0', '--timeout', '2,0.2', 'user', GEORGE_CLINTON_USERNAME])
    line = one_line(capsys.readouterr().err)
    host = silent_server.removeprefix('http://')
    assert code == 3
    assert line == (f'pyperi: error: {host} sent nothing within the read timeout of 0.2 s '
                    f'(--timeout 2,0.2 now; give more as --timeout SECONDS or CONNECT,READ)')


def test_deadline_says_which_host_and_setting(silent_server, capsys):
    code = main(['--api-base-url', silent_server + '/api/v2', '--web-base-url', silent_server,
                 '--retries', '0', '--deadline', '0.2', 'user', GEORGE_CLINTON_USERNAME])
    line = one_line(capsys.readouterr().err)
    assert code == 3
    assert 'did not answer in full within the deadline of 0.2 s (--deadline SECONDS' in line


@pytest.mark.parametrize('error, expected', [
    (PyPeriTimeout('could not connect to https://api.periscope.tv/api/v2/x within ...',
                   which='connect', seconds=5.0),
     'could not connect to api.periscope.tv within the connect timeout of 5 s (--timeout 5,30 '
     'now; give more as --timeout SECONDS or CONNECT,READ)'),
    (PyPeriConnectionError("connection to https://www.periscope.tv/x failed: ... "
                           "[Errno 104] Connection reset by peer"),
     'cannot reach www.periscope.tv (the connection was reset; Periscope closed in 2021); '
     'try --offline, --archive PATH, or --api-base-url/--web-base-url (or '
     'PYPERI_API_BASE_URL/PYPERI_WEB_BASE_URL)'),
    (PyPeriConnectionError('the connection dropped while reading the body of http://h/x'),
     'the connection dropped while reading the body of http://h/x'),
    (PyPeriServerError(''), 'server error'),
    (PyPeriTimeout(''), 'timeout'),
])
def test_describe(error, expected):
    assert problems.describe(error, argparse.Namespace(timeout=None)) == expected


@pytest.mark.parametrize('text, expected', [
    ('PyPeriEncryptedStreamError: segments are encrypted', 'segments are encrypted'),
    ('pyperi.exceptions.PyPeriServerError: HTTP 500', 'HTTP 500'),
    ('OSError: disk full', 'disk full'),
    ('HTTP 500: Error: x', 'HTTP 500: Error: x'),
])
def test_class_names_never_show(text, expected):
    assert problems.plain(text) == expected


def test_errors_carried_as_text_are_said_plainly():
    text = ("PyPeriConnectionError: connection to https://api.periscope.tv/api/v2/x failed: "
            "HTTPSConnectionPool(...) (Caused by NameResolutionError(...))")
    assert problems.plain_text(text).startswith('cannot reach api.periscope.tv (its name does '
                                                'not resolve')
    assert problems.plain_text('PyPeriServerError: HTTP 500') == 'HTTP 500'


# -- point 2: a wrong base URL -------------------------------------------------------------


def test_api_base_without_api_v2_is_not_a_missing_user(fake_periscope, capsys):
    web = fake_periscope.web_base_url
    code = main(['--api-base-url', web, '--web-base-url', web, '--retries', '0',
                 'user', GEORGE_CLINTON_USERNAME, 'someone_else'])
    line = one_line(capsys.readouterr().err)
    assert code == 2
    assert line == (f"pyperi: error: the API base URL {web} does not look like Periscope's "
                    f"API: it answered 404 without Periscope's JSON error (did you mean "
                    f"{web}/api/v2?)")


def test_wrong_api_base_for_a_broadcast(fake_periscope, capsys):
    web = fake_periscope.web_base_url
    code = main(['--api-base-url', web + '/v2', '--web-base-url', web, '--retries', '0',
                 'broadcast', DOCUMENTED_BROADCAST_ID])
    assert code == 2
    assert 'does not look like Periscope' in one_line(capsys.readouterr().err)


def test_a_missing_user_on_the_right_base_is_still_not_found(fake_periscope, capsys):
    code = main(against(fake_periscope, 'user', 'some_bad_username'))
    assert code == 1
    assert one_line(capsys.readouterr().err) == "pyperi: error: user 'some_bad_username' not found"


@responses.activate
def test_library_logs_a_404_that_is_not_periscopes(caplog):
    responses.get('http://mirror.example/getUserPublic', status=404, body='<html>nope</html>')
    responses.get('http://mirror.example/api/v2/getUserPublic', status=404,
                  json={'success': False, 'msg': 'Not Found'})
    with caplog.at_level(logging.WARNING, logger='pyperi.client'):
        with Peri(api_base_url='http://mirror.example', retries=0) as pp:
            assert pp.get_user_info(username='nobody') is None
        [record] = caplog.records
        assert record.api_base_url == 'http://mirror.example'   # type: ignore[attr-defined]
        caplog.clear()
        with Peri(api_base_url='http://mirror.example/api/v2', retries=0) as pp:
            assert pp.get_user_info(username='nobody') is None
        assert caplog.records == []


@responses.activate
def test_one_base_moved_and_the_other_left_at_periscope_warns(fake_periscope, capsys):
    responses.add_passthru('http://127.0.0.1')
    responses.get('https://www.periscope.tv/george_clinton', status=404, body='gone')
    code = main(['--api-base-url', fake_periscope.api_base_url, '--retries', '0',
                 'history', GEORGE_CLINTON_USERNAME])
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert err[0] == ('pyperi: warning: the API base URL is set but the web base URL is still '
                      'https://www.periscope.tv, which history also uses; set --web-base-url '
                      '(or PYPERI_WEB_BASE_URL) too')


@pytest.mark.parametrize('command, user, warns', [
    ('history', None, True), ('stats', None, True), ('watch', None, True),
    ('download', 'x', True), ('download', None, False), ('user', None, False),
])
def test_half_set_bases_only_for_commands_that_use_both(command, user, warns):
    args = argparse.Namespace(command=command, user=user)
    moved = problems.half_set_bases(args, 'http://127.0.0.1:1/api/v2', 'https://www.periscope.tv')
    assert (moved is not None) == warns
    assert problems.half_set_bases(args, 'http://127.0.0.1:1/api/v2', 'http://127.0.0.1:1') is None
    assert problems.half_set_bases(args, 'https://api.periscope.tv/api/v2',
                                   'https://www.periscope.tv') is None


# -- point 4: -o DIR/ ----------------------------------------------------------------------


def test_download_into_a_new_directory_with_a_trailing_slash(fake_periscope, capsys, tmp_path):
    target = tmp_path / 'new' / 'replays'
    code = main(against(fake_periscope, 'download', DOCUMENTED_BROADCAST_ID, '-o',
                        f'{target}/', '--no-progress', '--format', 'json'))
    out, err = capsys.readouterr()
    assert (code, err) == (0, '')
    path = Path(json.loads(out)['path'])
    assert path == target / f'{DOCUMENTED_BROADCAST_ID}.ts' and path.stat().st_size > 0


def test_a_failed_download_leaves_no_new_directory(fake_periscope, capsys, tmp_path):
    code = main(against(fake_periscope, 'download', 'NoSuchBroadcast1', '-o',
                        f'{tmp_path}/a/b/'))
    assert code == 1
    one_line(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_name_without_extension_is_not_written_as_a_file(fake_periscope, capsys,
                                                                   tmp_path):
    fake_periscope.clear_requests()
    code = main(against(fake_periscope, 'download', DOCUMENTED_BROADCAST_ID, '-o',
                        str(tmp_path / 'replays')))
    line = usage_line(capsys.readouterr().err, 'download')
    assert code == 2
    assert 'end it with / to download into a new directory' in line
    assert list(tmp_path.iterdir()) == [] and fake_periscope.requests == []


def test_cli_extra_brings_what_the_commands_need():
    from configparser import ConfigParser
    config = ConfigParser()
    config.read(ROOT / 'setup.cfg')
    extras = config['options.extras_require']
    names = {line.split('>')[0].split('=')[0].strip() for line in extras['cli'].split('\n')}
    assert {'m3u8', 'shtab'} <= names   # progress needs nothing more: pyperi draws it
    assert 'm3u8' in extras['download']


# -- point 11: serve-fake ------------------------------------------------------------------


@pytest.mark.parametrize('port', ['80000', '70000', '-1', 'http'])
def test_serve_fake_bad_port_is_a_usage_error(port, capsys):
    assert main(['serve-fake', '--port', port]) == 2
    err = capsys.readouterr().err
    assert 'Traceback' not in err
    assert err.rstrip().splitlines()[-1].startswith('pyperi')
    assert 'error: argument --port' in err


def test_serve_fake_port_in_use_is_one_line(capsys):
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code = main(['serve-fake', '--port', str(port)])
    assert code == 3
    assert one_line(capsys.readouterr().err) == (
        f'pyperi: error: cannot serve on 127.0.0.1:{port}: the address is already in use '
        f'(choose another --port, or 0 for a free one)')


# -- point 12: smaller edges ---------------------------------------------------------------


def test_user_with_an_at_sign(fake_periscope, capsys):
    assert main(against(fake_periscope, 'user', f'@{GEORGE_CLINTON_USERNAME}', '-f', 'json')) == 0
    assert json.loads(capsys.readouterr().out)['username'] == GEORGE_CLINTON_USERNAME


def test_only_one_at_sign_is_taken_off(fake_periscope, capsys):
    assert main(against(fake_periscope, 'user', '@@george_clinton')) == 2


def test_download_of_a_username_hints_at_user(fake_periscope, capsys, tmp_path):
    code = main(against(fake_periscope, 'download', GEORGE_CLINTON_USERNAME, '-o', str(tmp_path)))
    assert code == 1
    assert one_line(capsys.readouterr().err) == (
        f"pyperi: error: no broadcast '{GEORGE_CLINTON_USERNAME}' (did you mean --user "
        f"{GEORGE_CLINTON_USERNAME}?)")


def test_download_of_a_missing_name_gives_no_hint(fake_periscope, capsys, tmp_path):
    assert main(against(fake_periscope, 'download', 'NoSuchBroadcast1', '-o', str(tmp_path))) == 1
    assert 'did you mean' not in capsys.readouterr().err


def test_download_of_a_user_url_hints_at_user(fake_periscope, capsys, tmp_path):
    url = f'{fake_periscope.web_base_url}/{GEORGE_CLINTON_USERNAME}'
    assert main(against(fake_periscope, 'download', url, '-o', str(tmp_path))) == 2
    assert f'(did you mean --user {url}?)' in usage_line(capsys.readouterr().err, 'download')


def test_download_user_nobody_creates_no_directory(fake_periscope, capsys, tmp_path):
    target = tmp_path / 'dir'
    code = main(against(fake_periscope, 'download', '--user', 'some_bad_username',
                        '-o', str(target)))
    assert code == 1
    assert one_line(capsys.readouterr().err) == "pyperi: error: user 'some_bad_username' not found"
    assert not target.exists()


@pytest.mark.parametrize('text, expected', [('1,5', (1.0, 5.0)), ('2.5', 2.5),
                                            (' 3 , 4 ', (3.0, 4.0))])
def test_timeout_takes_a_connect_read_pair(text, expected):
    from pyperi.cli import build_parser
    args = build_parser().parse_args(['--timeout', text, 'user', 'x'])
    runtime = Runtime(args, sys.stdout, sys.stderr)
    try:
        assert runtime.peri.timeout == expected
    finally:
        runtime.close()


@pytest.mark.parametrize('text', ['1e300', '0', '-1', 'inf', 'nan', '1,2,3', '1,', 'x', '86401'])
def test_bad_timeout_is_a_usage_error(text, capsys):
    assert main(['--timeout', text, 'user', 'x']) == 2
    err = capsys.readouterr().err
    assert 'Traceback' not in err and 'error: argument --timeout' in err


def test_bad_deadline_is_a_usage_error(capsys):
    assert main(['--deadline', '1e300', 'user', 'x']) == 2
    assert 'error: argument --deadline: must be at most 86400' in capsys.readouterr().err


def test_timeout_default_is_in_help(capsys):
    with pytest.raises(SystemExit):
        from pyperi.cli import build_parser
        build_parser().parse_args(['--help'])
    out = ' '.join(capsys.readouterr().out.split())
    assert '(default: 5,30)' in out and '(default: 120)' in out


def test_failed_broadcasts_of_download_user_carry_no_class_name(fake_periscope, capsys, tmp_path):
    user = fake_periscope.add_user('cli_errors_user')
    broadcast = fake_periscope.add_broadcast(user['id'], segments=1)
    fake_periscope.fail_next(1, 500, path_prefix=fake_periscope.replay_path(broadcast['id']))
    code = main(against(fake_periscope, 'download', '--user', 'cli_errors_user', '-o',
                        str(tmp_path), '--format', 'json'))
    err = capsys.readouterr().err
    assert code == 3
    assert err.startswith(f'pyperi: error: {broadcast["id"]}: HTTP 500') and 'PyPeri' not in err


# -- issue 11 item 8: the process ----------------------------------------------------------


def _pyperi(*argv: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, 'PYTHONPATH': str(ROOT)}
    return subprocess.run([sys.executable, '-m', 'pyperi', *argv], text=True, timeout=60,
                          env=env, stderr=subprocess.PIPE, **kwargs)


@pytest.mark.skipif(sys.platform == 'win32', reason='closing fd 1 is POSIX')
def test_closed_stdout_is_one_line_and_exit_3():
    done = _pyperi('url', GEORGE_CLINTON_USERNAME, preexec_fn=lambda: os.close(1))
    assert done.returncode == 3
    assert one_line(done.stderr) == ('pyperi: error: cannot write the output: standard output '
                                     'is closed (redirect it to a file or to /dev/null instead)')


@pytest.mark.skipif(not os.path.exists('/dev/full'), reason='needs /dev/full')
def test_full_stdout_is_one_line_and_exit_3():
    with open('/dev/full', 'w') as full:
        done = _pyperi('url', GEORGE_CLINTON_USERNAME, stdout=full)
    assert done.returncode == 3
    assert one_line(done.stderr) == ('pyperi: error: cannot write the output: '
                                     'No space left on device')


@pytest.mark.skipif(not hasattr(signal, 'SIGHUP'), reason='SIGHUP is POSIX')
def test_sighup_is_treated_like_ctrl_c():
    assert signal.SIGHUP in STOP_SIGNALS and signal.SIGTERM in STOP_SIGNALS
    before = signal.getsignal(signal.SIGHUP)
    with pytest.raises(KeyboardInterrupt):
        with terminate_like_interrupt():
            os.kill(os.getpid(), signal.SIGHUP)
            for _ in range(1000):   # the handler runs at the next bytecode; bounded
                time.sleep(0.001)
    assert signal.getsignal(signal.SIGHUP) == before


@pytest.mark.skipif(not hasattr(signal, 'SIGHUP'), reason='SIGHUP is POSIX')
def test_sighup_ends_a_live_capture_and_publishes_it(tmp_path):
    stopped = stop_live_capture(tmp_path, signal.SIGHUP)
    assert stopped.returncode == 0, stopped.err
    assert json.loads(stopped.out)['path'] == str(stopped.target)
    assert stopped.target.stat().st_size > 0
    assert 'Traceback' not in stopped.err
