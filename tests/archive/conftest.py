"""Fixtures for the archive tests: WARC files written by the tests themselves, with FastWARC."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from pyperi.testing import FakePeriscope
from pyperi.testing.warc import WarcWriter, write_warc

from warc_helpers import CAPTURED

pytest.importorskip('fastwarc')


@pytest.fixture(scope='session')
def recorded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The fake's George Clinton recorded into a .warc.gz and a .warc, with the replay's digest."""
    folder = tmp_path_factory.mktemp('recorded')
    with FakePeriscope(small_replays=True) as fake:
        gz = folder / 'periscope.warc.gz'
        plain = folder / 'periscope.warc'
        write_warc(gz, users=['george_clinton'], fake=fake, date=CAPTURED)
        write_warc(plain, users=['george_clinton'], fake=fake, date=CAPTURED)
        digest = fake.replay_sha256('1zqKVWybqeDGB')
        history = [item['id'] for item in fake.history('376827') or []]
    return {'gz': gz, 'plain': plain, 'replay_sha256': digest, 'history_ids': history}


@pytest.fixture(params=['gz', 'plain'])
def warc_copy(request: pytest.FixtureRequest, recorded: dict[str, Any],
              tmp_path: Path) -> Path:
    """A fresh copy of a recorded WARC (gzip or not) in its own folder, so no index is shared."""
    source: Path = recorded[request.param]
    target = tmp_path / source.name
    target.write_bytes(source.read_bytes())
    return target


@pytest.fixture
def make_warc(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """``make_warc(write, name='test.warc.gz')``: a WARC whose records ``write(warc)`` adds."""
    def make(write: Callable[[WarcWriter], Any], name: str = 'test.warc.gz') -> Path:
        path = tmp_path / name
        with WarcWriter(path) as warc:
            write(warc)
        return path

    yield make
