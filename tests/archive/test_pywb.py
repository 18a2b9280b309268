"""Against a real pywb: a replay server started on 127.0.0.1 over a WARC this test writes.

Slow (pywb starts in a few seconds), so behind the ``pywb`` marker: ``pytest -m pywb``.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from pyperi import Peri, PyPeriNotArchivedError
from pyperi.archive import wayback_base_urls
from pyperi.testing import FakePeriscope
from pyperi.testing.warc import write_warc

from warc_helpers import CAPTURED, sha256

pytestmark = [pytest.mark.integration, pytest.mark.pywb]

STARTUP_LIMIT = 60.0


def _script(name: str) -> str:
    found = Path(sys.executable).with_name(name)
    if found.exists():
        return str(found)
    path = shutil.which(name)
    if path is None:
        pytest.skip(f'pywb is not installed ({name} not found)')
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return int(probe.getsockname()[1])


def _wait_until_serving(process: subprocess.Popen[bytes], url: str) -> None:
    """Poll ``url`` until pywb answers; bounded, and stops early if pywb exits."""
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            pass
        try:
            process.wait(timeout=0.05)   # the pause between polls, and a check that it lives
        except subprocess.TimeoutExpired:
            continue
        raise AssertionError(f'pywb exited with status {process.returncode}')
    raise AssertionError(f'pywb did not answer within {STARTUP_LIMIT}s')


@pytest.fixture(scope='module')
def pywb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """pywb serving collection ``coll`` of the fake's George Clinton, at 127.0.0.1."""
    root = tmp_path_factory.mktemp('pywb')
    archive = root / 'collections' / 'coll' / 'archive'
    archive.mkdir(parents=True)
    (root / 'collections' / 'coll' / 'indexes').mkdir()
    with FakePeriscope(small_replays=True) as fake:
        write_warc(archive / 'periscope.warc.gz', users=['george_clinton'], fake=fake,
                   date=CAPTURED)
        digest = fake.replay_sha256('1zqKVWybqeDGB')
    subprocess.run([_script('wb-manager'), 'reindex', 'coll'], cwd=root, check=True,
                   capture_output=True, timeout=120)
    port = _free_port()
    log = open(root / 'pywb.log', 'wb')
    process = subprocess.Popen([_script('wayback'), '-b', '127.0.0.1', '-p', str(port)],
                               cwd=root, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_serving(process, f'http://127.0.0.1:{port}/')
        yield {'prefix': f'http://127.0.0.1:{port}/coll', 'replay_sha256': digest}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


@pytest.fixture
def pp(pywb: dict[str, Any]) -> Iterator[Peri]:
    with Peri.from_wayback(pywb['prefix'], when='2021', retries=0) as peri:
        yield peri


def test_base_urls_point_into_the_collection(pywb: dict[str, Any]) -> None:
    api, web = wayback_base_urls(pywb['prefix'], '2021')
    assert api == pywb['prefix'] + '/20210101000000id_/https://api.periscope.tv/api/v2'
    assert web == pywb['prefix'] + '/20210101000000id_/https://www.periscope.tv'


def test_user_and_broadcast(pp: Peri) -> None:
    assert pp.get_user_info('376827')['username'] == 'george_clinton'
    assert pp.get_broadcast_info('1zqKVWybqeDGB')['id'] == '1zqKVWybqeDGB'


def test_history_when_page_and_call_were_captured_together(pp: Peri) -> None:
    history = pp.get_user_broadcast_history(username='george_clinton')
    assert history is not None and len(history) > 20


def test_download_goes_through_the_replay_server(pp: Peri, pywb: dict[str, Any],
                                                 tmp_path: Path) -> None:
    pytest.importorskip('m3u8')
    path = pp.download_broadcast('1zqKVWybqeDGB', tmp_path)
    assert sha256(path) == pywb['replay_sha256']


def test_captured_404_is_none(pp: Peri) -> None:
    assert pp.get_user_info('156816811') is None


def test_not_archived(pp: Peri) -> None:
    with pytest.raises(PyPeriNotArchivedError) as caught:
        pp.get_user_info('12345')
    assert caught.value.url == 'https://api.periscope.tv/api/v2/getUserPublic?user_id=12345'
