"""The whole client, unchanged, on a WARC recorded from the fake (gzip and uncompressed)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from pyperi import Peri, PyPeriError, PyPeriNotArchivedError, stats
from pyperi.archive import archive_session

from warc_helpers import API, CAPTURED, sha256

# The WARCs are recorded from the fake over loopback (the reading is offline).
pytestmark = pytest.mark.integration


@pytest.fixture
def pp(warc_copy: Path) -> Iterator[Peri]:
    with Peri.from_archive(warc_copy) as peri:
        yield peri


def test_get_user_info__by_id_and_username(pp: Peri) -> None:
    assert pp.get_user_info('376827')['username'] == 'george_clinton'
    assert pp.get_user_info(username='george_clinton')['id'] == '376827'


def test_get_broadcast_info(pp: Peri) -> None:
    info = pp.get_broadcast_info('1zqKVWybqeDGB')
    assert info is not None and info['id'] == '1zqKVWybqeDGB'


def test_session_tokens_come_from_the_archived_page(pp: Peri) -> None:
    tokens = pp.get_web_public_user_session_tokens(username='george_clinton')
    assert tokens is not None and tokens['user_id'] == '376827'
    assert set(tokens) == {'broadcastHistory', 'serviceToken', 'thumbnailPlaylist', 'user_id'}


def test_get_user_broadcast_history(pp: Peri, recorded: dict[str, Any]) -> None:
    history = pp.get_user_broadcast_history(username='george_clinton')
    assert [item['id'] for item in history or []] == recorded['history_ids']
    by_id = pp.get_user_broadcast_history(user_id='376827')
    assert by_id == history


def test_stats_of_the_archived_history(pp: Peri) -> None:
    history = pp.get_user_broadcast_history(username='george_clinton') or []
    summary = stats.summarize(history)
    assert summary.count == len(history) > 20


def test_get_broadcast_stream_urls(pp: Peri) -> None:
    streams = pp.get_broadcast_stream_urls('1zqKVWybqeDGB')
    assert streams is not None
    assert re.fullmatch(r'https://replay\.periscope\.tv/[A-Za-z0-9_-]{86}==/playlist_\d{19}\.m3u8',
                        streams['replay'])
    assert streams['state'] == 'ENDED' and streams['cookies']


def test_download_broadcast_is_byte_identical_to_the_fake(pp: Peri, tmp_path: Path,
                                                          recorded: dict[str, Any]) -> None:
    pytest.importorskip('m3u8')
    path = pp.download_broadcast('1zqKVWybqeDGB', tmp_path)
    assert sha256(path) == recorded['replay_sha256']


def test_captured_404_is_none(pp: Peri) -> None:
    assert pp.get_user_info('156816811') is None
    assert pp.get_user_info(username='some_bad_username') is None
    assert pp.get_broadcast_info('aAaAAaaaAAAA') is None
    assert pp.get_user_broadcast_history(username='some_bad_username') is None


def test_not_archived_raises_naming_the_url_and_nearest(pp: Peri) -> None:
    with pytest.raises(PyPeriNotArchivedError) as caught:
        pp.get_user_info('12345')
    error = caught.value
    assert error.url == f'{API}/getUserPublic?user_id=12345'
    assert 'not archived' in str(error) and 'user_id=12345' in str(error)
    assert error.nearest and all('getUserPublic' in url for url, _ in error.nearest)
    assert error.nearest[0][1] == CAPTURED.strftime('%Y-%m-%dT%H:%M:%SZ')


def test_not_archived_passes_http_get_unchanged(pp: Peri) -> None:
    with pytest.raises(PyPeriNotArchivedError):
        pp.http_get('https://www.periscope.tv/nobody_archived_this')
    assert issubclass(PyPeriNotArchivedError, PyPeriError)


def test_not_archived_history_of_an_unarchived_user(pp: Peri) -> None:
    with pytest.raises(PyPeriNotArchivedError, match='acme_marketing'):
        pp.get_user_broadcast_history(username='acme_marketing')


def test_archive_session_with_a_peri(warc_copy: Path) -> None:
    session = archive_session(warc_copy)
    with Peri(session=session) as peri:
        assert peri.get_user_info('376827')['id'] == '376827'
    response = session.get('http://PSCP.tv/george_clinton')  # still open: Peri did not own it
    assert response.status_code == 200 and 'Memento-Datetime' in response.headers
    session.close()


def test_from_archive_closes_its_session(warc_copy: Path) -> None:
    peri = Peri.from_archive(warc_copy)
    peri.close()
    with pytest.raises(Exception):
        peri.get_user_info('376827')


def test_from_archive_takes_a_folder(warc_copy: Path) -> None:
    with Peri.from_archive(warc_copy.parent) as peri:
        assert peri.get_user_info('376827') is not None


def test_archive_never_touches_the_network(warc_copy: Path) -> None:
    with Peri.from_archive(warc_copy) as peri:
        with pytest.raises(PyPeriNotArchivedError):
            peri.http_get('https://example.com/')
        assert isinstance(peri.session, requests.Session)


def test_post_is_not_replayed(warc_copy: Path) -> None:
    with archive_session(warc_copy) as session:
        with pytest.raises(PyPeriNotArchivedError, match='GET'):
            session.post(f'{API}/getUserPublic?user_id=376827')


def test_one_archive_peri_shared_by_threads(warc_copy: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with Peri.from_archive(warc_copy) as peri:
        def work(number: int) -> Any:
            if number % 3 == 0:
                return len(peri.get_user_broadcast_history(username='george_clinton') or [])
            if number % 3 == 1:
                return peri.get_user_info('376827')['id']
            return peri.get_broadcast_info('1zqKVWybqeDGB')['id']

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(work, range(48)))
    assert set(results) == {'376827', '1zqKVWybqeDGB', results[0]} and results[0] > 20
