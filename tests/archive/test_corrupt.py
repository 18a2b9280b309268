"""Damaged WARC files: a clear WarcFormatError naming the file and the byte, never a hang."""
from __future__ import annotations

import gzip
from pathlib import Path
from typing import Callable

import pytest

from pyperi import Peri, PyPeriError
from pyperi.archive import ArchiveIndex, WarcFormatError, archive_session
from pyperi.testing.warc import WarcWriter

from warc_helpers import API

JSON = [('Content-Type', 'application/json')]
BIG = b'x' * 5000


def write_three(writer: WarcWriter) -> None:
    for number in range(3):
        writer.response(f'{API}/getUserPublic?user_id={number}', b'{"n": %d}' % number + BIG,
                        headers=JSON)


@pytest.fixture(params=['test.warc', 'test.warc.gz'])
def good(request: pytest.FixtureRequest, make_warc: Callable[..., Path]) -> Path:
    return make_warc(write_three, request.param)


def offsets(path: Path) -> list[int]:
    index = ArchiveIndex(path, cache=False)
    found = sorted(capture.offset for key in index.keys()
                   for capture in index.captures(key))
    index.close()
    return found


def damaged(path: Path, data: bytes) -> Path:
    target = path.with_name('damaged-' + path.name)
    target.write_bytes(data)
    return target


def test_truncated_last_record(good: Path) -> None:
    last = offsets(good)[-1]
    path = damaged(good, good.read_bytes()[:-200])
    with pytest.raises(WarcFormatError) as caught:
        ArchiveIndex(path, cache=False)
    error = caught.value
    assert error.path == str(path) and error.offset == last
    assert str(path) in str(error) and f'byte {last}' in str(error) and 'cut short' in str(error)


def test_truncated_in_a_header(good: Path) -> None:
    last = offsets(good)[-1]
    path = damaged(good, good.read_bytes()[:last + 30])
    with pytest.raises(WarcFormatError, match=str(path)):
        ArchiveIndex(path, cache=False)


def test_garbage_in_the_middle(good: Path) -> None:
    second = offsets(good)[1]
    data = good.read_bytes()
    path = damaged(good, data[:second] + b'this is not a WARC record\r\n\r\n' + data[second:])
    with pytest.raises(WarcFormatError) as caught:
        ArchiveIndex(path, cache=False)
    assert caught.value.offset == offsets(good)[0] and str(path) in str(caught.value)


def test_not_a_warc(tmp_path: Path) -> None:
    path = tmp_path / 'page.warc'
    path.write_bytes(b'<html><body>Not a WARC</body></html>\n' * 10)
    with pytest.raises(WarcFormatError, match='byte 0'):
        archive_session(path)


def test_gzipped_as_a_whole(make_warc: Callable[..., Path]) -> None:
    plain = make_warc(write_three, 'plain.warc')
    path = plain.with_name('whole.warc.gz')
    path.write_bytes(gzip.compress(plain.read_bytes()))
    with pytest.raises(WarcFormatError, match='record by record'):
        ArchiveIndex(path, cache=False)


def test_empty_file_is_an_empty_archive(tmp_path: Path) -> None:
    path = tmp_path / 'empty.warc'
    path.write_bytes(b'')
    with Peri.from_archive(path, cache=False) as peri, pytest.raises(PyPeriError):
        peri.get_user_info('1')


def test_damage_found_when_reading_a_record(good: Path) -> None:
    with Peri.from_archive(good) as peri:
        data = bytearray(good.read_bytes())
        second = offsets(good)[1]
        data[second:second + 40] = b'\0' * 40   # the index still points there
        good.write_bytes(bytes(data))
        with pytest.raises(WarcFormatError) as caught:
            peri.get_user_info('1')
        assert caught.value.offset == second and str(good) in str(caught.value)


def test_strict_error_is_a_pyperi_and_value_error() -> None:
    assert issubclass(WarcFormatError, PyPeriError) and issubclass(WarcFormatError, ValueError)
