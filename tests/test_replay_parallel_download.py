"""Segments fetched in parallel, against the embedded fake over real HTTP.

The fake holds chosen segments back (``delay_next``) until later ones have arrived, so
segments complete out of order; the file is still written in playlist order.
"""
from __future__ import annotations

import hashlib
import re
import threading
from pathlib import Path
from typing import Any

import pytest
import requests

from pyperi.replay import DownloadInterrupted, download_broadcast

pytestmark = pytest.mark.integration


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def segment_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith('pyperi-segment')]


class ArrivalRecorder:
    """A ReplayClient over a Peri that notes the order segment bodies arrive in.

    Each segment's body is read whole as soon as it comes, and once every segment of
    ``release_after`` has arrived, ``release`` is set (letting held segments go).
    """

    def __init__(self, peri: Any, release: threading.Event, release_after: set[int]) -> None:
        self.peri = peri
        self.release = release
        self.release_after = release_after
        self.arrived: list[int] = []
        self.lock = threading.Lock()

    @property
    def web_base_url(self) -> str:
        return str(self.peri.web_base_url)

    @property
    def deadline(self) -> float:
        return float(self.peri.deadline)

    def http_get(self, url: str, **options: Any) -> requests.Response | None:
        response = self.peri.http_get(url, **options)
        found = re.search(r'chunk_\d+_(\d+)_a\.ts', url)
        if response is not None and found:
            response.content   # the whole body, now
            with self.lock:
                self.arrived.append(int(found.group(1)))
                if self.release_after <= set(self.arrived):
                    self.release.set()
        return response

    def request_api(self, endpoint: str, **params: Any) -> Any:
        return self.peri.request_api(endpoint, **params)

    def get_broadcast_info(self, broadcast_id: str) -> Any:
        return self.peri.get_broadcast_info(broadcast_id)

    def get_user_broadcast_history(self, user_id: Any = None, username: Any = None) -> Any:
        return self.peri.get_user_broadcast_history(user_id=user_id, username=username)


@pytest.fixture
def user(fake_periscope: Any) -> dict[str, Any]:
    return fake_periscope.add_user('parallel_tester')


def test_parallel__segments_completing_out_of_order_are_written_in_order(
        fake_periscope: Any, user: dict[str, Any], tmp_path: Path) -> None:
    broadcast = fake_periscope.add_broadcast(user['id'], segments=10, segment_size=20_000)
    release = threading.Event()
    # Segment 0 is held until segments 1 to 3 have arrived.
    first = fake_periscope.segment_path(broadcast['id'], 0)
    fake_periscope.delay_next(1, release, path_prefix=first)
    client = ArrivalRecorder(fake_periscope.peri, release, {1, 2, 3})
    path = download_broadcast(client, broadcast['id'], tmp_path, concurrency=4)
    assert client.arrived.index(0) > client.arrived.index(3)
    assert sha256(path) == fake_periscope.replay_sha256(broadcast['id'])
    assert files_in(tmp_path) == [path.name]
    assert segment_threads() == []


def test_parallel__several_held_segments_still_in_order(fake_periscope: Any,
                                                        user: dict[str, Any],
                                                        tmp_path: Path) -> None:
    broadcast = fake_periscope.add_broadcast(user['id'], segments=12, segment_size=20_000)
    release = threading.Event()
    for index in (1, 4):
        fake_periscope.delay_next(1, release,
                                  path_prefix=fake_periscope.segment_path(broadcast['id'], index))
    client = ArrivalRecorder(fake_periscope.peri, release, {2, 3, 5})
    path = download_broadcast(client, broadcast['id'], tmp_path, concurrency=6)
    assert client.arrived.index(1) > client.arrived.index(5)
    assert sha256(path) == fake_periscope.replay_sha256(broadcast['id'])


def test_parallel__concurrency_1_uses_no_thread(fake_periscope: Any, user: dict[str, Any],
                                                tmp_path: Path) -> None:
    broadcast = fake_periscope.add_broadcast(user['id'], segments=5, segment_size=20_000)
    threads: list[int] = []
    path = download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path, concurrency=1,
                              progress=lambda *args: threads.append(len(segment_threads())))
    assert sha256(path) == fake_periscope.replay_sha256(broadcast['id'])
    assert set(threads) == {0}


def test_parallel__one_peri_shared_by_downloads_in_threads(fake_periscope: Any,
                                                           user: dict[str, Any],
                                                           tmp_path: Path) -> None:
    broadcasts = [fake_periscope.add_broadcast(user['id'], segments=6, segment_size=20_000)
                  for _ in range(3)]
    errors: list[BaseException] = []

    def download(broadcast_id: str) -> None:
        try:
            download_broadcast(fake_periscope.peri, broadcast_id, tmp_path, concurrency=8)
        except BaseException as error:   # reported by the assertion below
            errors.append(error)

    workers = [threading.Thread(target=download, args=(b['id'],)) for b in broadcasts]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert errors == []
    for broadcast in broadcasts:
        assert sha256(tmp_path / f'{broadcast["id"]}.ts') == \
            fake_periscope.replay_sha256(broadcast['id'])


# -- live captures ----------------------------------------------------------------------------


def test_live__a_batch_of_new_segments_is_fetched_in_parallel(fake_periscope: Any,
                                                              user: dict[str, Any],
                                                              tmp_path: Path) -> None:
    broadcast = fake_periscope.go_live(user['id'], live_segments=4, segment_interval=0.05)
    fake_periscope.advance_time(1.0)   # all four listed at the first read, not yet ended
    release = threading.Event()
    first = fake_periscope.segment_path(broadcast['id'], 0)
    fake_periscope.delay_next(1, release, path_prefix=first)
    client = ArrivalRecorder(fake_periscope.peri, release, {1})
    path = download_broadcast(client, broadcast['id'], tmp_path, concurrency=4)
    assert client.arrived.index(0) > client.arrived.index(1)
    assert sha256(path) == fake_periscope.replay_sha256(broadcast['id'])


def test_live__ctrl_c_publishes_what_is_complete(fake_periscope: Any, user: dict[str, Any],
                                                 tmp_path: Path) -> None:
    broadcast = fake_periscope.go_live(user['id'], live_segments=50, segment_interval=0.05)
    fake_periscope.advance_time(0.5)   # several segments listed at the first read
    size = fake_periscope.replay_size(broadcast['id']) // 50

    def ctrl_c(done: int, expected: Any, segments: int, total: Any) -> None:
        if segments >= 2:
            raise KeyboardInterrupt

    with pytest.raises(DownloadInterrupted) as caught:
        download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path, progress=ctrl_c)
    stopped = caught.value
    assert stopped.live and stopped.partial is None and stopped.segments == 2
    assert stopped.path == tmp_path / f'{broadcast["id"]}.ts'
    assert 'saved to' in str(stopped) and stopped.seconds > 0
    # The file holds the first two segments fetched (the live window decides which).
    fetched = sorted(int(m.group(1)) for m in (
        re.search(r'chunk_\d+_(\d+)_a\.ts$', r.path) for r in fake_periscope.requests) if m)
    whole = fake_periscope.replay_bytes(broadcast['id'])
    expected = b''.join(whole[i * size:(i + 1) * size] for i in fetched[:2])
    assert stopped.path.read_bytes() == expected
    assert files_in(tmp_path) == [stopped.path.name]
    assert segment_threads() == []
