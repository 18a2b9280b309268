"""Every argument of the download and watch API is checked before any request or disk access."""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import responses

from pyperi import urls
from pyperi.replay import (
    download_broadcast,
    download_user_history,
    get_broadcast_stream_urls,
    watch,
)

from replay_mocks import add_access, add_replay, files_in


@pytest.fixture
def untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working directory that must stay empty, and no request allowed."""
    work = tmp_path / 'work'
    work.mkdir()
    monkeypatch.chdir(work)
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield work
        assert len(mock.calls) == 0
    assert files_in(work) == []
    assert files_in(tmp_path) == ['work']


def ignore(*args: Any) -> None:
    pass


# -- download_broadcast --------------------------------------------------------------------


DOWNLOAD_TYPE_ERRORS = [
    ({'overwrite': 'no'}, 'overwrite'),
    ({'overwrite': 1}, 'overwrite'),
    ({'overwrite': None}, 'overwrite'),
    ({'resume': 'yes'}, 'resume'),
    ({'progress': 'print'}, 'progress'),
    ({'progress': 5}, 'progress'),
    ({'concurrency': '8'}, 'concurrency'),
    ({'concurrency': 8.0}, 'concurrency'),
    ({'max_idle': '5'}, 'max_idle'),
    ({'max_idle': True}, 'max_idle'),
    ({'max_idle': None}, 'max_idle'),
    ({'segment_retries': 2.0}, 'segment_retries'),
    ({'sleep': None}, 'sleep'),
    ({'sleep': 0}, 'sleep'),
    ({'clock': 'now'}, 'clock'),
]


@pytest.mark.parametrize('options, name', DOWNLOAD_TYPE_ERRORS,
                         ids=[f'{n}={o[n]!r}' for o, n in DOWNLOAD_TYPE_ERRORS])
def test_download__wrong_type_is_type_error_naming_it(pp: Any, untouched: Path,
                                                      options: dict[str, Any],
                                                      name: str) -> None:
    with pytest.raises(TypeError, match=name):
        download_broadcast(pp, 'BID', untouched, **options)


DOWNLOAD_VALUE_ERRORS = [
    ({'max_idle': -5}, 'max_idle'),
    ({'max_idle': 0}, 'max_idle'),
    ({'max_idle': float('nan')}, 'max_idle'),
    ({'max_idle': float('inf')}, 'max_idle'),
    ({'max_idle': 10 ** 400}, 'max_idle'),
    ({'max_idle': 86401}, 'max_idle'),
    ({'concurrency': 0}, 'concurrency'),
    ({'concurrency': 10 ** 100}, 'concurrency'),
    ({'segment_retries': -1}, 'segment_retries'),
    ({'segment_retries': 10 ** 9}, 'segment_retries'),
]


@pytest.mark.parametrize('options, name', DOWNLOAD_VALUE_ERRORS,
                         ids=[f'{n}={o[n]!r:.12}' for o, n in DOWNLOAD_VALUE_ERRORS])
def test_download__out_of_range_is_value_error_naming_it(pp: Any, untouched: Path,
                                                         options: dict[str, Any],
                                                         name: str) -> None:
    with pytest.raises(ValueError, match=name):
        download_broadcast(pp, 'BID', untouched, **options)


def test_download__overwrite_no_keeps_the_file(pp: Any, tmp_path: Path) -> None:
    # The case from the issue: a truthy string replaced the file.
    (tmp_path / 'keep.ts').write_bytes(b'mine')
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        with pytest.raises(TypeError, match='overwrite must be True or False, not str'):
            download_broadcast(pp, 'BID', tmp_path / 'keep.ts', overwrite='no')  # type: ignore
        assert len(mock.calls) == 0
    assert (tmp_path / 'keep.ts').read_bytes() == b'mine'


@pytest.mark.parametrize('path', [b'/tmp', 5, ['x.ts']], ids=['bytes', 'int', 'list'])
def test_download__path_of_the_wrong_type(pp: Any, untouched: Path, path: Any) -> None:
    with pytest.raises(TypeError, match='path'):
        download_broadcast(pp, 'BID', path)


@pytest.mark.parametrize('path', ['', 'a\x00b.ts', 'lone\ud800.ts'],
                         ids=['empty', 'nul', 'surrogate'])
def test_download__unusable_path_is_value_error(pp: Any, untouched: Path, path: str) -> None:
    with pytest.raises(ValueError, match='path'):
        download_broadcast(pp, 'BID', path)


def test_download__client_must_be_a_replay_client(untouched: Path) -> None:
    with pytest.raises(TypeError, match='client'):
        download_broadcast('https://api.periscope.tv', 'BID')  # type: ignore[arg-type]


def test_stream_urls__client_must_be_a_replay_client() -> None:
    with pytest.raises(TypeError, match='client'):
        get_broadcast_stream_urls(None, 'BID')  # type: ignore[arg-type]


# -- over-long names -----------------------------------------------------------------------


def test_download__over_long_id_is_value_error_before_any_request(pp: Any,
                                                                  untouched: Path) -> None:
    with pytest.raises(ValueError, match='broadcast_id'):
        download_broadcast(pp, 'A' * 300)


@responses.activate(assert_all_requests_are_fired=True)
def test_download__longest_id_fits_with_its_partial_and_journal(pp: Any,
                                                                tmp_path: Path) -> None:
    longest = 'A' * urls.MAX_BROADCAST_ID_LENGTH
    add_access(broadcast_id=longest)
    expected = add_replay(1)
    path = download_broadcast(pp, longest, tmp_path)
    assert path.read_bytes() == expected


def test_download__name_too_long_for_the_journal_beside_it(pp: Any, untouched: Path) -> None:
    # 250 bytes is a valid file name, but .<name>.journal (259 bytes) would not be.
    with pytest.raises(ValueError, match='path is too long for a file name'):
        download_broadcast(pp, 'BID', untouched / ('n' * 247 + '.ts'))


@pytest.mark.parametrize('make', [
    lambda d: d / ('n' * 250 + '.ts'),          # the file's own name
    lambda d: d / ('d' * 300) / 'x.ts',         # a directory in the path
    lambda d: Path(str(d) + '/d' * 2000) / 'x.ts',  # the whole path
], ids=['name', 'directory', 'whole-path'])
def test_download__over_long_path_is_value_error(pp: Any, untouched: Path,
                                                 make: Callable[[Path], Path]) -> None:
    with pytest.raises(ValueError, match='path'):
        download_broadcast(pp, 'BID', make(untouched))


def test_download__file_exists_error_reads_well(pp: Any, tmp_path: Path) -> None:
    (tmp_path / 'BID.ts').write_bytes(b'mine')
    with pytest.raises(FileExistsError) as caught:
        download_broadcast(pp, 'BID', tmp_path)
    error = caught.value
    assert str(error) == (f'[Errno 17] File exists (pass overwrite=True to replace it): '
                          f'{str(tmp_path / "BID.ts")!r}')
    assert error.filename == str(tmp_path / 'BID.ts')
    assert 'None' not in str(error)


# -- download_user_history -----------------------------------------------------------------


@pytest.mark.parametrize('options, error, name', [
    ({'on_result': 'print'}, TypeError, 'on_result'),
    ({'progress': 3}, TypeError, 'progress'),
    ({'resume': 'no'}, TypeError, 'resume'),
    ({'concurrency': 0}, ValueError, 'concurrency'),
    ({'since': '7d'}, TypeError, 'since'),
])
def test_history__bad_option_before_any_request(pp: Any, untouched: Path,
                                                options: dict[str, Any], error: type,
                                                name: str) -> None:
    with pytest.raises(error, match=name):
        download_user_history(pp, 'george_clinton', untouched / 'out', **options)


@pytest.mark.parametrize('directory, error', [
    (None, TypeError), (b'out', TypeError), ('', ValueError), ('d' * 300, ValueError)],
    ids=['none', 'bytes', 'empty', 'over-long'])
def test_history__bad_directory_before_any_request(pp: Any, untouched: Path, directory: Any,
                                                   error: type) -> None:
    with pytest.raises(error, match='directory'):
        download_user_history(pp, 'george_clinton', directory)


def test_history__directory_that_is_a_file(pp: Any, tmp_path: Path) -> None:
    (tmp_path / 'file').write_text('x')
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        with pytest.raises(NotADirectoryError):
            download_user_history(pp, 'george_clinton', tmp_path / 'file')
        assert len(mock.calls) == 0


# -- watch ---------------------------------------------------------------------------------


WATCH_TYPE_ERRORS = [
    ({'users': 'george_clinton'}, 'users'),
    ({'users': [376827]}, 'users'),
    ({'users': {'george_clinton'}}, 'users'),
    ({'users': None}, 'users'),
    ({'on_event': None}, 'on_event'),
    ({'on_event': 'print'}, 'on_event'),
    ({'interval': '30'}, 'interval'),
    ({'stop': True}, 'stop'),
    ({'stop': 'x'}, 'stop'),
    ({'sleep': 5}, 'sleep'),
    ({'max_polls': 1.0}, 'max_polls'),
    ({'download_dir': 5}, 'download_dir'),
]


@pytest.mark.parametrize('options, name', WATCH_TYPE_ERRORS,
                         ids=[f'{n}={o[n]!r}' for o, n in WATCH_TYPE_ERRORS])
def test_watch__wrong_type_is_type_error_naming_it(pp: Any, untouched: Path,
                                                   options: dict[str, Any], name: str) -> None:
    arguments: dict[str, Any] = {'users': ['george_clinton'], 'on_event': ignore,
                                 'max_polls': 1, **options}
    with pytest.raises(TypeError, match=name):
        watch(pp, **arguments)


WATCH_VALUE_ERRORS = [
    ({'users': []}, 'users'),
    ({'users': ('ok', 'not a user!')}, 'not a user id'),
    ({'interval': -1}, 'interval'),
    ({'interval': float('nan')}, 'interval'),
    ({'interval': 1e300}, 'interval'),
    ({'max_polls': 0}, 'max_polls'),
    ({'download_dir': ''}, 'download_dir'),
    ({'download_dir': 'd' * 300}, 'download_dir'),
]


@pytest.mark.parametrize('options, name', WATCH_VALUE_ERRORS,
                         ids=[f'{n}={v!r:.12}' for o in WATCH_VALUE_ERRORS
                              for n, v in o[0].items()])
def test_watch__out_of_range_is_value_error_naming_it(pp: Any, untouched: Path,
                                                      options: dict[str, Any],
                                                      name: str) -> None:
    arguments: dict[str, Any] = {'users': ['george_clinton'], 'on_event': ignore,
                                 'max_polls': 1, **options}
    with pytest.raises(ValueError, match=name):
        watch(pp, **arguments)


def test_watch__missing_download_dir_before_any_poll(pp: Any, untouched: Path) -> None:
    with pytest.raises(FileNotFoundError, match='download_dir'):
        watch(pp, ['george_clinton'], on_event=ignore, max_polls=1,
              download_dir=untouched / 'nope')


def test_watch__tuple_of_users_and_an_event_are_accepted(
        pp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[Any] = []
    monkeypatch.setattr(pp, 'get_user_broadcast_history', lambda **kw: asked.append(kw) or [])
    watch(pp, ('george_clinton', '376827'), on_event=ignore, max_polls=1,
          stop=threading.Event(), interval=0)
    assert asked == [{'user_id': None, 'username': 'george_clinton'},
                     {'user_id': '376827', 'username': None}]


def test_no_test_wrote_into_the_source_tree() -> None:
    assert not any(name.endswith(('.part', '.journal')) for name in os.listdir('.'))
