"""The index: built once per WARC, reused from its cache file, rebuilt when the WARC changes."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable

import pytest

from pyperi.archive import ArchiveIndex, archive_session
from pyperi.archive import index as index_module
from pyperi.archive.cache import HEADER_PREFIX, INDEX_SUFFIX, user_cache_dir
from pyperi.testing.warc import WarcWriter

from warc_helpers import API, at

JSON = [('Content-Type', 'application/json')]


def user_url(user_id: str) -> str:
    return f'{API}/getUserPublic?user_id={user_id}'


def write_five(writer: WarcWriter) -> None:
    for number in range(5):
        writer.response(user_url(str(number)), b'{"user": {"n": %d}}' % number,
                        headers=JSON, date=at(f'2021-01-0{number + 1}T00:00:00'))


@pytest.fixture
def warc(make_warc: Callable[..., Path]) -> Path:
    return make_warc(write_five)


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The WARCs indexed from scratch (not read from a cache file), in order."""
    seen: list[Path] = []
    real = index_module.index_warc

    def counting(path: Path, ignore: Any) -> bytes:
        seen.append(path)
        return real(path, ignore)

    monkeypatch.setattr(index_module, 'index_warc', counting)
    return seen


def index_file(warc: Path) -> Path:
    return warc.with_name(warc.name + INDEX_SUFFIX)


def test_first_open_writes_a_cdxj_index_beside_the_warc(warc: Path, builds: list[Path]) -> None:
    ArchiveIndex(warc).close()
    lines = index_file(warc).read_bytes().splitlines()
    assert lines[0].startswith(HEADER_PREFIX)
    key, timestamp, fields = lines[1].split(b' ', 2)
    assert key == b'tv,periscope,api)/api/v2/getUserPublic?user_id=0'
    assert timestamp == b'20210101000000'
    record = json.loads(fields)
    assert record['url'] == user_url('0') and record['status'] == '200'
    assert record['filename'] == warc.name and int(record['length']) > 0
    assert len(lines) == 6 and lines[1:] == sorted(lines[1:])
    assert builds == [warc]


def test_later_opens_reuse_the_index(warc: Path, builds: list[Path]) -> None:
    ArchiveIndex(warc).close()
    second = ArchiveIndex(warc)
    assert len(second) == 5 and builds == [warc]
    capture = second.nearest(second.key(user_url('3')), None)
    assert capture is not None and capture.timestamp == '20210104000000'
    second.close()


def test_changed_warc_is_indexed_again(warc: Path, builds: list[Path]) -> None:
    ArchiveIndex(warc).close()
    with WarcWriter(warc.with_name('more.warc.gz')) as writer:
        writer.response(user_url('9'), b'{}', headers=JSON)
    with open(warc, 'ab') as out:
        out.write(warc.with_name('more.warc.gz').read_bytes())
    index = ArchiveIndex(warc)
    assert len(index) == 6 and builds == [warc, warc]
    index.close()


def test_rewritten_in_place_with_size_and_time_kept(make_warc: Callable[..., Path],
                                                    builds: list[Path]) -> None:
    warc = make_warc(write_five, 'plain.warc')
    ArchiveIndex(warc).close()
    stat = warc.stat()
    with WarcWriter(warc) as writer:   # the same records with new record ids: same size
        write_five(writer)
    assert warc.stat().st_size == stat.st_size
    os.utime(warc, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    ArchiveIndex(warc).close()
    assert builds == [warc, warc]


def test_damaged_index_file_is_rebuilt(warc: Path, builds: list[Path]) -> None:
    ArchiveIndex(warc).close()
    index_file(warc).write_bytes(b'garbage\n')
    assert len(ArchiveIndex(warc)) == 5
    assert builds == [warc, warc]
    assert index_file(warc).read_bytes().startswith(HEADER_PREFIX)


def test_index_dir(warc: Path, tmp_path: Path, builds: list[Path]) -> None:
    folder = tmp_path / 'indexes'
    ArchiveIndex(warc, index_dir=folder).close()
    ArchiveIndex(warc, index_dir=folder).close()
    assert not index_file(warc).exists()
    assert [p.name.endswith(warc.name + INDEX_SUFFIX) for p in folder.iterdir()] == [True]
    assert builds == [warc]


def test_cache_false_writes_nothing(warc: Path, builds: list[Path]) -> None:
    ArchiveIndex(warc, cache=False).close()
    ArchiveIndex(warc, cache=False).close()
    assert not index_file(warc).exists() and builds == [warc, warc]


def test_unwritable_places_fall_back_to_the_user_cache(
        warc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        builds: list[Path]) -> None:
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    beside = index_file(warc)
    beside.mkdir()   # a folder where the index file should go: it cannot be written there
    ArchiveIndex(warc).close()
    ArchiveIndex(warc).close()
    cached = list(user_cache_dir().iterdir())
    assert len(cached) == 1 and cached[0].name.endswith(INDEX_SUFFIX)
    assert builds == [warc]


def test_other_ignore_params_get_their_own_index(warc: Path, builds: list[Path]) -> None:
    ArchiveIndex(warc).close()
    ArchiveIndex(warc, ignore_params=['_']).close()
    ArchiveIndex(warc, ignore_params=['_']).close()
    assert builds == [warc, warc]
    assert len(list(warc.parent.glob('*' + INDEX_SUFFIX))) == 2


def test_session_answers_from_a_reused_index(warc: Path, builds: list[Path]) -> None:
    archive_session(warc).close()
    with archive_session(warc) as session:
        assert session.get(user_url('4')).json() == {'user': {'n': 4}}
    assert builds == [warc]


def test_index_lines_are_what_cdxj_line_writes(warc: Path) -> None:
    from pyperi.archive.captures import cdxj_line, parse_cdxj_line
    from pyperi.archive.indexer import index_warc
    from pyperi.archive.keys import VOLATILE_PARAMS

    for line in index_warc(warc, VOLATILE_PARAMS).splitlines():
        key, timestamp, body = line.split(b' ', 2)
        again = cdxj_line(key.decode(), timestamp.decode(), json.loads(body))
        assert again == line
        assert parse_cdxj_line(line).key == key.decode()
