"""The ``pyperi`` command with ``--archive`` and ``--at``, in-process on a recorded WARC."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest

from pyperi.cli import main
from pyperi.testing.warc import WarcWriter

from warc_helpers import API, at, sha256

# The WARC is recorded from the fake over loopback (the command itself reads it offline).
pytestmark = pytest.mark.integration


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize('command', [
    ['user', 'george_clinton'], ['user', '376827'], ['broadcast', '1zqKVWybqeDGB'],
    ['history', 'https://pscp.tv/george_clinton'], ['stats', 'george_clinton'],
])
def test_commands_read_the_archive(warc_copy: Path, capsys: pytest.CaptureFixture[str],
                                   command: list[str]) -> None:
    code, out, err = run(capsys, '--archive', str(warc_copy), *command, '--format', 'json')
    assert (code, err) == (0, '')
    assert '376827' in out or '1zqKVWybqeDGB' in out


def test_stats_counts_the_archived_history(warc_copy: Path, recorded: dict[str, Any],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, '--archive', str(warc_copy), 'stats', 'george_clinton',
                       '--format', 'json')
    assert code == 0
    assert json.loads(out)['users'][0]['broadcasts'] == len(recorded['history_ids'])


def test_archive_option_after_the_command(warc_copy: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, 'user', 'george_clinton', '--archive', str(warc_copy),
                       '--format', 'json')
    assert code == 0 and json.loads(out)['id'] == '376827'


def test_download_from_the_archive(warc_copy: Path, recorded: dict[str, Any], tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip('m3u8')
    target = tmp_path / 'out'
    target.mkdir()
    code, out, err = run(capsys, '--archive', str(warc_copy), 'download', '1zqKVWybqeDGB',
                         '-o', str(target), '--format', 'json', '--no-progress')
    assert code == 0, err
    assert sha256(target / '1zqKVWybqeDGB.ts') == recorded['replay_sha256']


def test_not_archived_is_exit_3_and_says_so(warc_copy: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, '--archive', str(warc_copy), 'user', '12345')
    assert code == 3 and out == ''
    assert err.count('\n') == 1 and 'not archived' in err and 'not found' not in err
    assert f'{API}/getUserPublic?user_id=12345' in err


def test_captured_404_is_not_found(warc_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, '--archive', str(warc_copy), 'user', '156816811')
    assert code == 1 and 'not found' in err


def test_at_chooses_the_capture(make_warc: Callable[..., Path],
                                capsys: pytest.CaptureFixture[str]) -> None:
    def write(warc: WarcWriter) -> None:
        for year in (2019, 2021):
            body = json.dumps({'user': {'id': '1', 'username': f'name_{year}'}}).encode()
            warc.response(f'{API}/getUserPublic?user_id=1', body,
                          headers=[('Content-Type', 'application/json')],
                          date=at(f'{year}-01-01T00:00:00'))
    path = make_warc(write)
    for when, name in (('2019-06', 'name_2019'), ('2022', 'name_2021')):
        code, out, _ = run(capsys, '--archive', str(path), '--at', when, 'user', '1',
                           '--format', 'json')
        assert code == 0 and json.loads(out)['username'] == name


@pytest.mark.parametrize('argv, message', [
    (['--at', '2021', 'user', '1'], '--at needs --archive'),
    (['--archive', '/no/such.warc', 'user', '1'], 'no such WARC'),
    (['--archive', 'ARCHIVE', '--offline', 'user', '1'], 'cannot be combined'),
    (['--archive', 'ARCHIVE', '--api-base-url', 'http://127.0.0.1:1/api', 'user', '1'],
     'cannot be combined'),
    (['--archive', 'ARCHIVE', '--archive', 'http://127.0.0.1:1/coll', 'user', '1'],
     'one replay-server URL'),
    (['--archive', 'ARCHIVE', '--at', 'soon', 'user', '1'], '--at'),
])
def test_usage_errors(warc_copy: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                      message: str) -> None:
    argv = [str(warc_copy) if item == 'ARCHIVE' else item for item in argv]
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err


def test_damaged_warc_is_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / 'bad.warc'
    path.write_bytes(b'not a WARC file\r\n\r\n')
    code, _, err = run(capsys, '--archive', str(path), 'user', '1')
    assert code == 3 and str(path) in err and 'byte 0' in err


def test_serve_fake_write_warc(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    from pyperi.testing import warc

    real = warc.write_warc
    monkeypatch.setattr(warc, 'write_warc',   # one small user keeps the test quick
                        lambda path, **options: real(path, users=['no_broadcasts'], **options))
    path = tmp_path / 'served.warc.gz'
    code, out, _ = run(capsys, 'serve-fake', '--write-warc', str(path))
    assert code == 0 and str(path) in out
    code, out, _ = run(capsys, '--archive', str(path), 'user', 'no_broadcasts', '--format', 'json')
    assert code == 0 and json.loads(out)['username'] == 'no_broadcasts'
