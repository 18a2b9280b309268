"""Tests for ``pyperi download`` and ``pyperi watch``, in-process against the embedded fake."""
from __future__ import annotations

import hashlib
import io
import json
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from pyperi import (
    PyPeriDownloadError, PyPeriEncryptedStreamError, PyPeriStreamUnavailableError, cli, replay,
)
from pyperi.cli import main
from pyperi.testing import FakePeriscope
from pyperi.testing import fake as fake_module
from pyperi.testing.dataset import DOCUMENTED_BROADCAST_ID
from helpers import stop_live_capture, usage_error

pytestmark = pytest.mark.integration

USERNAME = 'cli_replay_user'


@pytest.fixture
def replay_fake(fake_periscope: FakePeriscope) -> FakePeriscope:
    """The shared fake plus a user of our own, with no broadcasts yet."""
    fake_periscope.add_user(USERNAME)
    return fake_periscope


@pytest.fixture
def user_id(replay_fake: FakePeriscope) -> str:
    found = replay_fake.user_id_for(USERNAME)
    assert found is not None
    return found


def run(periscope: FakePeriscope, capsys: Any, *argv: str) -> tuple[int, str, str]:
    """Run the command in-process against ``periscope``; (exit code, stdout, stderr)."""
    code = main(['--api-base-url', periscope.api_base_url, '--web-base-url', periscope.web_base_url,
                 '--retries', '0', *argv])
    out, err = capsys.readouterr()
    return code, out, err


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_in(directory: Path) -> list[str]:
    """Every name in ``directory``, hidden temporary files included."""
    return sorted(p.name for p in directory.iterdir())


def one_error_line(err: str) -> str:
    assert err.startswith('pyperi: error: ') and err.count('\n') == 1, err
    assert 'Traceback' not in err
    return err


def json_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


# -- download BROADCAST ---------------------------------------------------------------------


def test_download__replay_byte_for_byte(replay_fake, user_id, capsys, tmp_path):
    broadcast = replay_fake.add_broadcast(user_id, segments=3, segment_size=10_000)
    code, out, err = run(replay_fake, capsys, 'download', broadcast['id'], '-o', str(tmp_path))
    assert (code, err) == (0, '')
    target = tmp_path / f'{broadcast["id"]}.ts'
    assert json.loads(out) == {'broadcast_id': broadcast['id'], 'status': 'downloaded',
                               'path': str(target), 'bytes': target.stat().st_size,
                               'error': None}
    assert sha256(target) == replay_fake.replay_sha256(broadcast['id'])
    assert files_in(tmp_path) == [target.name]


def test_download__url_into_the_current_directory(replay_fake, user_id, capsys, tmp_path,
                                                  monkeypatch):
    broadcast = replay_fake.add_broadcast(user_id, segments=2)
    monkeypatch.chdir(tmp_path)
    url = f'{replay_fake.web_base_url}/w/{broadcast["id"]}'
    code, out, _ = run(replay_fake, capsys, 'download', url, '--format', 'table')
    assert code == 0
    assert out.splitlines()[0].split() == ['field', 'value']
    assert 'downloaded' in out
    assert sha256(tmp_path / f'{broadcast["id"]}.ts') == replay_fake.replay_sha256(broadcast['id'])


def test_download__to_a_file_name(replay_fake, user_id, capsys, tmp_path):
    broadcast = replay_fake.add_broadcast(user_id, segments=2)
    target = tmp_path / 'funk.ts'
    code, out, _ = run(replay_fake, capsys, 'download', broadcast['id'], '-o', str(target),
                       '--format', 'json', '--fields', 'path,status')
    assert code == 0
    assert json.loads(out) == {'path': str(target), 'status': 'downloaded'}
    assert sha256(target) == replay_fake.replay_sha256(broadcast['id'])
    assert files_in(tmp_path) == ['funk.ts']


@pytest.fixture
def old_file(tmp_path: Path) -> Path:
    target = tmp_path / 'old.ts'
    target.write_bytes(b'keep me')
    return target


def test_download__refuses_to_overwrite(replay_fake, user_id, capsys, old_file):
    broadcast = replay_fake.add_broadcast(user_id, segments=2)
    code, out, err = run(replay_fake, capsys, 'download', broadcast['id'], '-o', str(old_file))
    assert (code, out) == (2, '')
    assert 'already exists; add --overwrite' in usage_error(err, 'download')
    assert old_file.read_bytes() == b'keep me'


def test_download__refuses_to_overwrite_before_any_request(replay_fake, user_id, capsys,
                                                           old_file):
    broadcast = replay_fake.add_broadcast(user_id, segments=2)
    replay_fake.clear_requests()
    run(replay_fake, capsys, 'download', broadcast['id'], '-o', str(old_file))
    assert replay_fake.requests == []


def test_download__overwrite_replaces_the_file(replay_fake, user_id, capsys, old_file):
    broadcast = replay_fake.add_broadcast(user_id, segments=2)
    code, _, err = run(replay_fake, capsys, 'download', broadcast['id'], '-o', str(old_file),
                       '--overwrite')
    assert (code, err) == (0, '')
    assert sha256(old_file) == replay_fake.replay_sha256(broadcast['id'])
    assert files_in(old_file.parent) == ['old.ts']


def test_download__unknown_broadcast_exits_1(replay_fake, capsys, tmp_path):
    code, out, err = run(replay_fake, capsys, 'download', 'NoSuchBroadcast1', '-o', str(tmp_path))
    assert (code, out) == (1, '')
    assert "no broadcast 'NoSuchBroadcast1'" in one_error_line(err)
    assert files_in(tmp_path) == []


@pytest.mark.parametrize('ref', ['https://example.com/w/1zqKVWybqeDGB', '../../etc', 'a b'])
def test_download__bad_broadcast_ref_exits_2_without_requests(replay_fake, capsys, tmp_path, ref):
    replay_fake.clear_requests()
    code, out, err = run(replay_fake, capsys, 'download', ref, '-o', str(tmp_path))
    assert (code, out) == (2, '')
    usage_error(err, 'download')
    assert replay_fake.requests == [] and files_in(tmp_path) == []


def test_download__segment_500_exits_3_and_keeps_what_is_complete(
        replay_fake, user_id, capsys, tmp_path):
    broadcast = replay_fake.add_broadcast(user_id, segments=4)
    replay_fake.fail_next(1, 500, path_prefix=replay_fake.segment_path(broadcast['id'], 2))
    code, out, err = run(replay_fake, capsys, 'download', broadcast['id'], '-o', str(tmp_path),
                         '--jobs', '1')
    assert (code, out) == (3, '')
    assert 'HTTP 500' in one_error_line(err)
    name = f'{broadcast["id"]}.ts'
    assert files_in(tmp_path) == [f'.{name}.journal', f'.{name}.part']   # no .ts: not complete
    code, _, _ = run(replay_fake, capsys, 'download', broadcast['id'], '-o', str(tmp_path))
    assert code == 0 and files_in(tmp_path) == [name]
    assert sha256(tmp_path / name) == replay_fake.replay_sha256(broadcast['id'])


def test_download__missing_directory_exits_2(replay_fake, user_id, capsys, tmp_path):
    broadcast = replay_fake.add_broadcast(user_id, segments=1)
    code, _, err = run(replay_fake, capsys, 'download', broadcast['id'],
                       '-o', str(tmp_path / 'nope' / 'x.ts'))
    assert code == 2
    assert 'no such directory' in usage_error(err, 'download')


def test_download__encrypted_stream_exits_3(replay_fake, user_id, capsys, tmp_path):
    pytest.importorskip('cryptography')
    broadcast = replay_fake.add_broadcast(user_id, segments=2, encrypted=True)
    code, _, err = run(replay_fake, capsys, 'download', broadcast['id'], '-o', str(tmp_path))
    assert code == 3
    assert 'encrypted' in one_error_line(err)
    assert files_in(tmp_path) == []


def test_download__missing_m3u8_exits_3(replay_fake, user_id, capsys, tmp_path, monkeypatch):
    broadcast = replay_fake.add_broadcast(user_id, segments=1)
    monkeypatch.setitem(sys.modules, 'm3u8', None)   # import m3u8 now raises ImportError
    code, _, err = run(replay_fake, capsys, 'download', broadcast['id'], '-o', str(tmp_path))
    assert code == 3
    assert 'm3u8' in one_error_line(err)


@pytest.mark.parametrize('argv', [
    ['download'],
    ['download', DOCUMENTED_BROADCAST_ID, '--user', 'george_clinton'],
    ['download', DOCUMENTED_BROADCAST_ID, '--since', '7d'],
    ['download', '--user', 'george_clinton', '--overwrite'],
    ['download', '--user', 'george_clinton', '--since', 'last week'],
    ['download', '--user', 'https://example.com/george_clinton'],
], ids=['nothing', 'both', 'since-without-user', 'overwrite-with-user', 'bad-since', 'bad-user'])
def test_download__usage_errors_exit_2(replay_fake, capsys, tmp_path, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    replay_fake.clear_requests()
    code, out, err = run(replay_fake, capsys, *argv)
    assert (code, out) == (2, '')
    usage_error(err, 'download')
    assert replay_fake.requests == [] and files_in(tmp_path) == []


@pytest.mark.parametrize('flags, drawn', [([], True), (['--no-progress'], False)],
                         ids=['bar', 'no-progress'])
def test_download__progress_bar_on_a_terminal(replay_fake, user_id, capsys, tmp_path,
                                              monkeypatch, flags, drawn):

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    broadcast = replay_fake.add_broadcast(user_id, segments=3)
    stderr = Terminal()
    monkeypatch.setattr(sys, 'stderr', stderr)
    code, _, _ = run(replay_fake, capsys, 'download', broadcast['id'], '-o', str(tmp_path),
                     *flags)
    assert code == 0
    assert ('3/3 segments' in stderr.getvalue()) is drawn


def interrupting_downloads(monkeypatch: pytest.MonkeyPatch, after: int) -> None:
    """Make the command's downloads press Ctrl-C once ``after`` segments are written."""
    real_download = cli.runtime.Peri.download_broadcast

    def interrupt(done: int, expected: Any, segments: int, total: Any) -> None:
        if segments >= after:
            raise KeyboardInterrupt

    def download(self: Any, *args: Any, **kwargs: Any) -> Path:
        kwargs['progress'] = interrupt
        return real_download(self, *args, **kwargs)

    monkeypatch.setattr(cli.runtime.Peri, 'download_broadcast', download)


def test_download__ctrl_c_keeps_the_partial_and_a_second_run_finishes_it(
        replay_fake, user_id, capsys, tmp_path, monkeypatch):
    broadcast = replay_fake.add_broadcast(user_id, segments=6)
    name = f'{broadcast["id"]}.ts'
    with monkeypatch.context() as patch:
        interrupting_downloads(patch, after=2)
        code, out, err = run(replay_fake, capsys, 'download', broadcast['id'], '-o',
                             str(tmp_path))
    assert (code, out) == (130, '')
    assert err == (f'pyperi: download of {broadcast["id"]} interrupted: 2 of 6 segments kept '
                   f'in {tmp_path / ("." + name + ".part")}; download it again to resume\n')
    assert files_in(tmp_path) == [f'.{name}.journal', f'.{name}.part']
    replay_fake.clear_requests()
    code, out, err = run(replay_fake, capsys, 'download', broadcast['id'], '-o', str(tmp_path),
                         '--format', 'json')
    assert (code, err) == (0, '')
    assert json.loads(out)['path'] == str(tmp_path / name)
    assert sha256(tmp_path / name) == replay_fake.replay_sha256(broadcast['id'])
    assert files_in(tmp_path) == [name]
    segments = sorted(r.path for r in replay_fake.requests_for(replay_fake.replay_path(
        broadcast['id'])) if r.path.endswith('.ts'))
    # only the missing ones
    assert segments == sorted(replay_fake.segment_path(broadcast['id'], i) for i in range(2, 6))


def test_download__no_resume_starts_over(replay_fake, user_id, capsys, tmp_path, monkeypatch):
    broadcast = replay_fake.add_broadcast(user_id, segments=4)
    with monkeypatch.context() as patch:
        interrupting_downloads(patch, after=2)
        run(replay_fake, capsys, 'download', broadcast['id'], '-o', str(tmp_path))
    replay_fake.clear_requests()
    code, _, _ = run(replay_fake, capsys, 'download', broadcast['id'], '-o', str(tmp_path),
                     '--no-resume', '-N', '2')
    assert code == 0
    assert len([r for r in replay_fake.requests_for(replay_fake.replay_path(broadcast['id']))
                if r.path.endswith('.ts')]) == 4
    assert sha256(tmp_path / f'{broadcast["id"]}.ts') == replay_fake.replay_sha256(broadcast['id'])


@pytest.mark.parametrize('jobs', ['1', '32'])
def test_download__jobs(replay_fake, user_id, capsys, tmp_path, jobs):
    broadcast = replay_fake.add_broadcast(user_id, segments=3)
    code, _, _ = run(replay_fake, capsys, 'download', broadcast['id'], '-o', str(tmp_path),
                     '--jobs', jobs)
    assert code == 0
    assert sha256(tmp_path / f'{broadcast["id"]}.ts') == replay_fake.replay_sha256(broadcast['id'])


@pytest.mark.parametrize('jobs', ['0', '33', 'eight', '-1', '2.5'])
def test_download__bad_jobs_exits_2(replay_fake, capsys, tmp_path, jobs):
    code, _, err = run(replay_fake, capsys, 'download', DOCUMENTED_BROADCAST_ID, '-o',
                       str(tmp_path), '-N', jobs)
    assert code == 2 and 'from 1 to 32' in err
    assert replay_fake.requests == []


def test_download_user__ctrl_c_says_what_is_kept(replay_fake, user_id, capsys, tmp_path,
                                                 monkeypatch):
    replay_fake.add_broadcast(user_id, segments=3)
    real_download = replay.history.download_broadcast

    def interrupt(*args: Any) -> None:
        if args[2] >= 1:
            raise KeyboardInterrupt

    def download(*args: Any, **kwargs: Any) -> Path:
        kwargs['progress'] = interrupt
        return real_download(*args, **kwargs)

    monkeypatch.setattr(replay.history, 'download_broadcast', download)
    code, out, err = run(replay_fake, capsys, 'download', '--user', USERNAME, '-o',
                         str(tmp_path))
    assert (code, out) == (130, '')
    assert err.startswith('pyperi: download of ') and 'download it again to resume' in err


# -- download --user ------------------------------------------------------------------------


@pytest.fixture
def downloaded_once(replay_fake, user_id, capsys, tmp_path):
    """Two replays and one unavailable broadcast, after one ``download --user`` into a folder."""
    made = [replay_fake.add_broadcast(user_id, segments=2) for _ in range(2)]
    gone = replay_fake.add_broadcast(user_id, segments=2, available_for_replay=False)
    folder = tmp_path / 'funk'   # created
    code, out, err = run(replay_fake, capsys, 'download', '--user', USERNAME, '-o', str(folder),
                         '--format', 'jsonl')
    assert (code, err) == (0, '')
    return {'made': made, 'gone': gone, 'folder': folder,
            'by_id': {r['broadcast_id']: r for r in json_lines(out)}}


def test_download_user__downloads_every_replay_into_a_new_directory(
        replay_fake, downloaded_once):
    folder = downloaded_once['folder']
    for broadcast in downloaded_once['made']:
        assert downloaded_once['by_id'][broadcast['id']]['status'] == 'downloaded'
        assert sha256(folder / f'{broadcast["id"]}.ts') == replay_fake.replay_sha256(
            broadcast['id'])


def test_download_user__a_broadcast_without_replay_is_unavailable(downloaded_once):
    assert downloaded_once['by_id'][downloaded_once['gone']['id']]['status'] == 'unavailable'


def test_download_user__run_again_skips_complete_files(replay_fake, user_id, capsys,
                                                       downloaded_once):
    made, gone, folder = (downloaded_once[key] for key in ('made', 'gone', 'folder'))
    replay_fake.clear_requests()
    code, out, _ = run(replay_fake, capsys, 'download', '--user', user_id, '-o', str(folder),
                       '--format', 'csv', '--fields', 'broadcast_id,status')
    assert code == 0
    assert sorted(out.splitlines()[1:]) == sorted(
        [f'{b["id"]},skipped' for b in made] + [f'{gone["id"]},unavailable'])
    assert [r for r in replay_fake.requests if r.path.endswith(('.m3u8', '.ts'))] == []
    assert files_in(folder) == sorted(f'{b["id"]}.ts' for b in made)


def test_download_user__since(replay_fake, user_id, capsys, tmp_path):
    now = datetime.now(timezone.utc)
    old = replay_fake.add_broadcast(user_id, segments=1, start=now - timedelta(days=30))
    recent = replay_fake.add_broadcast(user_id, segments=1, start=now - timedelta(days=2))
    code, out, _ = run(replay_fake, capsys, 'download', '--user', USERNAME, '-o', str(tmp_path),
                       '--since', '7d', '--format', 'json')
    assert code == 0
    assert [r['broadcast_id'] for r in json.loads(out)] == [recent['id']]
    assert files_in(tmp_path) == [f'{recent["id"]}.ts']
    assert old['id'] not in out


def test_download_user__table_on_a_terminal(replay_fake, user_id, capsys, tmp_path):
    broadcast = replay_fake.add_broadcast(user_id, segments=1)
    code, out, _ = run(replay_fake, capsys, 'download', '--user', USERNAME, '-o', str(tmp_path),
                       '-f', 'table')
    assert code == 0
    header, row = out.splitlines()
    assert header.split() == ['broadcast_id', 'status', 'path', 'bytes', 'error']
    assert row.split()[:2] == [broadcast['id'], 'downloaded']


def test_download_user__unknown_user_exits_1(replay_fake, capsys, tmp_path):
    code, out, err = run(replay_fake, capsys, 'download', '--user', 'some_bad_username',
                         '-o', str(tmp_path))
    assert (code, out) == (1, '')
    assert "user 'some_bad_username' not found" in one_error_line(err)


def test_download_user__a_failure_exits_3_after_the_rest(replay_fake, user_id, capsys, tmp_path):
    first = replay_fake.add_broadcast(user_id, segments=2)
    second = replay_fake.add_broadcast(user_id, segments=2)
    replay_fake.fail_next(1, 500, path_prefix=replay_fake.replay_path(first['id']))
    code, out, err = run(replay_fake, capsys, 'download', '--user', USERNAME, '-o', str(tmp_path),
                         '--format', 'json')
    assert code == 3
    assert one_error_line(err).startswith(f'pyperi: error: {first["id"]}: HTTP 500')
    statuses = {r['broadcast_id']: r['status'] for r in json.loads(out)}
    assert statuses == {first['id']: 'failed', second['id']: 'downloaded'}
    assert files_in(tmp_path) == [f'{second["id"]}.ts']


def test_download_user__output_is_a_file_exits_2(replay_fake, capsys, tmp_path):
    a_file = tmp_path / 'file.txt'
    a_file.write_text('x')
    code, _, err = run(replay_fake, capsys, 'download', '--user', USERNAME, '-o', str(a_file))
    assert code == 2
    assert 'is not a directory' in usage_error(err, 'download')


# -- watch ----------------------------------------------------------------------------------


def test_watch__one_poll_prints_live_broadcasts(replay_fake, user_id, capsys):
    replay_fake.add_broadcast(user_id, segments=1)
    live = replay_fake.go_live(user_id, live_segments=10, segment_interval=60)
    code, out, err = run(replay_fake, capsys, 'watch', USERNAME, '--polls', '1')
    assert (code, err) == (0, '')
    [event] = json_lines(out)
    assert event['event'] == 'live' and event['broadcast_id'] == live['id']
    assert event['user'] == USERNAME and event['state'] == 'RUNNING'
    assert event['url'] == f'{replay_fake.web_base_url}/w/{live["id"]}'


def test_watch__two_polls_print_new_and_ended(replay_fake, user_id, capsys, monkeypatch):
    live = replay_fake.go_live(user_id, live_segments=2, segment_interval=60)
    added: list[dict[str, Any]] = []
    real_watch = replay.watch

    def between_polls(seconds: float) -> None:
        assert seconds == 0.5
        replay_fake.advance_time(600)   # the live broadcast ends
        added.append(replay_fake.add_broadcast(user_id, segments=1))

    def watch(*args: Any, **kwargs: Any) -> None:
        real_watch(*args, sleep=between_polls, **kwargs)

    monkeypatch.setattr(replay, 'watch', watch)
    code, out, _ = run(replay_fake, capsys, 'watch', user_id, '--polls', '2', '--interval', '0.5')
    assert code == 0
    events = [(e['event'], e['broadcast_id']) for e in json_lines(out)]
    # The second round reports in history order (oldest first): both, in either order.
    assert events[0] == ('live', live['id'])
    assert sorted(events[1:]) == sorted([('ended', live['id']), ('new', added[0]['id'])])


def test_watch__download_captures_a_live_broadcast(replay_fake, user_id, capsys, tmp_path):
    # Slow enough to be RUNNING at the first poll even on a busy machine.
    live = replay_fake.go_live(user_id, live_segments=3, segment_interval=0.5)
    folder = tmp_path / 'captures'
    started = time.monotonic()
    code, out, err = run(replay_fake, capsys, 'watch', USERNAME, '--polls', '1',
                         '--download', str(folder))
    assert time.monotonic() - started < 10
    assert (code, err) == (0, '')
    events = json_lines(out)
    assert [e['event'] for e in events] == ['live', 'downloaded']
    path = Path(events[1]['path'])
    assert path == folder / f'{live["id"]}.ts'
    assert sha256(path) == replay_fake.replay_sha256(live['id'])
    assert files_in(folder) == [path.name]


def test_watch__unknown_user_exits_1_after_reporting_it(replay_fake, user_id, capsys):
    code, out, err = run(replay_fake, capsys, 'watch', 'some_bad_username', USERNAME,
                         '--polls', '1')
    assert code == 1
    assert json_lines(out) == [{'event': 'user_not_found', 'user': 'some_bad_username'}]
    assert "user 'some_bad_username' not found" in one_error_line(err)


def test_watch__failed_poll_exits_3_and_goes_on(replay_fake, user_id, capsys):
    replay_fake.add_broadcast(user_id, segments=1)
    replay_fake.fail_next(1, 500)
    code, out, err = run(replay_fake, capsys, 'watch', USERNAME, '--polls', '2',
                         '--interval', '0.01')
    assert code == 3
    assert [e['event'] for e in json_lines(out)] == ['error']
    assert 'HTTP 500' in one_error_line(err)


@pytest.mark.parametrize('argv', [
    ['watch', USERNAME, '--polls', '0'],
    ['watch', USERNAME, '--interval', '0'],
    ['watch', 'https://example.com/x', '--polls', '1'],
    ['watch', USERNAME, '--format', 'csv'],
], ids=['zero-polls', 'zero-interval', 'bad-user', 'no-csv'])
def test_watch__usage_errors_exit_2(replay_fake, capsys, argv):
    replay_fake.clear_requests()
    code, out, _ = run(replay_fake, capsys, *argv)
    assert (code, out) == (2, '')
    assert replay_fake.requests == []


def test_watch__download_dir_is_a_file_exits_2(replay_fake, capsys, tmp_path):
    a_file = tmp_path / 'file.txt'
    a_file.write_text('x')
    code, _, err = run(replay_fake, capsys, 'watch', USERNAME, '--polls', '1',
                       '--download', str(a_file))
    assert code == 2
    assert 'is not a directory' in usage_error(err, 'watch')


def test_watch__ctrl_c_stops_quietly(replay_fake, user_id, capsys, monkeypatch):
    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    real_watch = replay.watch
    monkeypatch.setattr(replay, 'watch',
                        lambda *a, **kw: real_watch(*a, sleep=interrupted, **kw))
    code, out, err = run(replay_fake, capsys, 'watch', USERNAME)
    assert (code, out, err) == (130, '', '')


# -- --offline and the exit code table -------------------------------------------------------


def test_offline_download_of_the_documented_broadcast(fake_periscope, capsys, tmp_path,
                                                      monkeypatch):
    # The embedded fake's replay of it has 1,243 segments (one per 3 s): five are enough here.
    class SmallReplays(fake_module.FakePeriscope):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, small_replays=True, **kwargs)

    monkeypatch.setattr(fake_module, 'FakePeriscope', SmallReplays)
    code = main(['--offline', 'download', DOCUMENTED_BROADCAST_ID, '-o', str(tmp_path)])
    out, err = capsys.readouterr()
    assert (code, err) == (0, '')
    path = Path(json.loads(out)['path'])
    # The default dataset is the same in every small-replay fake, so its replay bytes are too.
    assert sha256(path) == fake_periscope.replay_sha256(DOCUMENTED_BROADCAST_ID)


@pytest.mark.parametrize('error, code', [
    (PyPeriStreamUnavailableError('x'), 1), (PyPeriEncryptedStreamError('x'), 3),
    (PyPeriDownloadError('x'), 3), (cli.CLIError('disk full'), 3),
], ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value))
def test_exit_codes_of_download_errors(error, code):
    assert cli.exit_code_for(error) == code


@pytest.mark.skipif(sys.platform == 'win32', reason='SIGTERM delivery is POSIX-only here')
def test_download__sigterm_ends_a_live_capture_and_publishes_it(tmp_path):
    import signal
    from pyperi.testing import GEORGE_LIVE_BROADCAST_ID
    stopped = stop_live_capture(tmp_path, signal.SIGTERM)
    assert stopped.returncode == 0, stopped.err
    assert json.loads(stopped.out)['path'] == str(stopped.target)
    assert stopped.target.stat().st_size > 0
    assert stopped.err.startswith(f'pyperi: capture of {GEORGE_LIVE_BROADCAST_ID} stopped: ')
    assert stopped.err.rstrip().endswith(f'saved to {stopped.target}')
    assert files_in(tmp_path) == [stopped.target.name]
