"""pyperi.testing.warc: the fake recorded as a WARC under the real Periscope URLs."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pyperi.archive import ArchiveIndex
from pyperi.testing import command
from pyperi.testing.warc import WarcWriter, write_warc

pytestmark = pytest.mark.integration


def test_write_warc_files_everything_under_periscope_urls(tmp_path: Path) -> None:
    path = tmp_path / 'periscope.warc.gz'
    records = write_warc(path, users=['no_broadcasts'])
    index = ArchiveIndex(path, cache=False)
    urls = sorted(capture.url for key in index.keys()
                  for capture in index.captures(key))
    index.close()
    assert records == 2 * len(urls)   # each response has its request record
    assert all(url.startswith(('https://www.periscope.tv/', 'https://api.periscope.tv/api/v2/'))
               for url in urls)
    assert 'https://www.periscope.tv/no_broadcasts' in urls
    assert not any('127.0.0.1' in url for url in urls)


def test_write_warc_refuses_a_bad_username(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match='users'):
        write_warc(tmp_path / 'x.warc', users=['not a name'])
    with pytest.raises(TypeError, match='users'):
        write_warc(tmp_path / 'x.warc', users='george_clinton')
    assert not list(tmp_path.iterdir())


def test_writer_leaves_no_file_when_the_block_fails(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        with WarcWriter(tmp_path / 'x.warc') as warc:
            warc.response('https://www.periscope.tv/x', b'body')
            raise RuntimeError('stop')
    assert not list(tmp_path.iterdir())


def test_command_write_warc(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    from pyperi.testing import warc

    written: list[dict[str, Any]] = []
    real = warc.write_warc

    def small(path: Path, **options: Any) -> int:   # one small user keeps the test quick
        written.append(options)
        return real(path, users=['no_broadcasts'], **options)

    monkeypatch.setattr(warc, 'write_warc', small)
    path = tmp_path / 'cmd.warc'
    assert command.main(['--write-warc', str(path)]) == 0
    assert f'to {path}' in capsys.readouterr().out
    assert len(ArchiveIndex(path, cache=False)) > 5 and written[0]['fake'] is not None


def test_command_write_warc_into_a_missing_folder(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert command.main(['--write-warc', str(tmp_path / 'no' / 'x.warc')]) == 3
    assert 'cannot write' in capsys.readouterr().err
