"""Resuming interrupted downloads, against the embedded fake over real HTTP.

An interrupted or failed download keeps its partial file and journal; the next
download of the same broadcast continues after the last complete segment, fetching
only the segments missing, and writes a file byte-identical to an uninterrupted one.
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
from pathlib import Path
from typing import Any

import pytest

from pyperi import PyPeriConnectionError, PyPeriDownloadError, PyPeriStreamUnavailableError
from pyperi.replay import DownloadInterrupted, download_broadcast, download_user_history

pytestmark = pytest.mark.integration

SEGMENTS = 8


def no_sleep(seconds: float) -> None:
    pass


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def fetched_segments(fake: Any, broadcast_id: str) -> list[int]:
    """The segment numbers of ``broadcast_id`` requested so far, sorted."""
    found = [re.search(r'chunk_\d+_(\d+)_a\.ts$', r.path)
             for r in fake.requests_for(fake.replay_path(broadcast_id))]
    return sorted(int(match.group(1)) for match in found if match)


def journal_lines(directory: Path, broadcast_id: str) -> list[Any]:
    text = (directory / f'.{broadcast_id}.ts.journal').read_text()
    return [json.loads(line) for line in text.splitlines()]


def partial_of(directory: Path, broadcast_id: str) -> Path:
    return directory / f'.{broadcast_id}.ts.part'


def interrupt_at(segments_done: int) -> Any:
    """A progress callback pressing Ctrl-C once ``segments_done`` segments are written."""
    def progress(done: int, expected: Any, segments: int, total: Any) -> None:
        if segments == segments_done:
            raise KeyboardInterrupt
    return progress


@pytest.fixture
def broadcast(fake_periscope: Any) -> dict[str, Any]:
    user = fake_periscope.add_user('resume_tester')
    return fake_periscope.add_broadcast(user['id'], segments=SEGMENTS, segment_size=20_000)


def resume_and_check(fake: Any, broadcast_id: str, directory: Path, *,
                     missing: list[int], **options: Any) -> Path:
    """Download again: same bytes as the fake's, only ``missing`` segments fetched."""
    fake.clear_requests()
    path = download_broadcast(fake.peri, broadcast_id, directory, **options)
    assert sha256(path) == fake.replay_sha256(broadcast_id)
    assert fetched_segments(fake, broadcast_id) == missing
    assert files_in(directory) == [path.name]   # partial file and journal gone
    return path


# -- interrupted at several points ---------------------------------------------------------


@pytest.mark.parametrize('concurrency', [1, 8])
def test_resume__after_the_first_segment(fake_periscope: Any, broadcast: dict[str, Any],
                                         tmp_path: Path, concurrency: int) -> None:
    with pytest.raises(DownloadInterrupted) as caught:
        download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path,
                           concurrency=concurrency, progress=interrupt_at(1))
    stopped = caught.value
    assert (stopped.segments, stopped.total, stopped.path) == (1, SEGMENTS, None)
    assert stopped.partial == partial_of(tmp_path, broadcast['id'])
    assert 'download it again to resume' in str(stopped)
    assert files_in(tmp_path) == [f'.{broadcast["id"]}.ts.journal', f'.{broadcast["id"]}.ts.part']
    resume_and_check(fake_periscope, broadcast['id'], tmp_path,
                     missing=list(range(1, SEGMENTS)), concurrency=concurrency)


def test_resume__mid_segment_cuts_the_half_written_tail(fake_periscope: Any,
                                                        tmp_path: Path) -> None:
    user = fake_periscope.add_user('resume_mid_segment')
    # Segments larger than a read (256 KiB), streamed one at a time straight into the
    # file: the connection of segment 2 drops after 300,000 bytes, and the first read's
    # bytes are left in the partial file.
    broadcast = fake_periscope.add_broadcast(user['id'], segments=4, segment_size=400_000)
    fake_periscope.drop_next(1, path_prefix=fake_periscope.segment_path(broadcast['id'], 2),
                             after_bytes=300_000)
    with pytest.raises(PyPeriConnectionError):
        download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path, concurrency=1,
                           segment_retries=0)
    complete = journal_lines(tmp_path, broadcast['id'])[-1][1]
    partial = partial_of(tmp_path, broadcast['id'])
    # The failed download cut its half-written segment off the partial file ...
    assert partial.stat().st_size == complete
    # ... but a killed one cannot: the resume cuts such a tail.
    with partial.open('ab') as tail:
        tail.write(b'\x47' * 300_000)
    resume_and_check(fake_periscope, broadcast['id'], tmp_path, missing=[2, 3])


def test_resume__after_the_last_segment_before_publishing(fake_periscope: Any,
                                                          broadcast: dict[str, Any],
                                                          tmp_path: Path) -> None:
    with pytest.raises(DownloadInterrupted) as caught:
        download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path,
                           progress=interrupt_at(SEGMENTS))
    assert caught.value.segments == SEGMENTS
    assert not (tmp_path / f'{broadcast["id"]}.ts').exists()
    resume_and_check(fake_periscope, broadcast['id'], tmp_path, missing=[])


def test_resume__twice_interrupted_then_finished(fake_periscope: Any, broadcast: dict[str, Any],
                                                 tmp_path: Path) -> None:
    for stop in (2, 5):
        with pytest.raises(DownloadInterrupted):
            download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path,
                               progress=interrupt_at(stop))
    resume_and_check(fake_periscope, broadcast['id'], tmp_path, missing=list(range(5, SEGMENTS)))


def test_resume__progress_starts_from_what_is_kept(fake_periscope: Any,
                                                   broadcast: dict[str, Any],
                                                   tmp_path: Path) -> None:
    with pytest.raises(DownloadInterrupted):
        download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path,
                           progress=interrupt_at(3))
    kept = partial_of(tmp_path, broadcast['id']).stat().st_size
    calls: list[tuple[Any, ...]] = []
    download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path,
                       progress=lambda *args: calls.append(args))
    assert calls[0] == (kept, None, 3, SEGMENTS)
    assert calls[-1] == (fake_periscope.replay_size(broadcast['id']), None, SEGMENTS, SEGMENTS)


def test_resume__a_failed_segment_keeps_a_resumable_partial(fake_periscope: Any,
                                                            broadcast: dict[str, Any],
                                                            tmp_path: Path) -> None:
    # Two at a time, segment 5 is asked for only once segment 3 is written.
    fake_periscope.drop_next(10, path_prefix=fake_periscope.segment_path(broadcast['id'], 5))
    with pytest.raises(PyPeriConnectionError, match='segment 5'):
        download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path, concurrency=2,
                           segment_retries=1, sleep=no_sleep)
    assert max(fetched_segments(fake_periscope, broadcast['id'])) <= 6   # the rest cancelled
    assert not [t for t in threading.enumerate() if t.name.startswith('pyperi-segment')]
    kept = [line[0] for line in journal_lines(tmp_path, broadcast['id'])[1:]]
    assert kept[:4] == [0, 1, 2, 3] and 5 not in kept
    fake_periscope.clear_faults()
    resume_and_check(fake_periscope, broadcast['id'], tmp_path,
                     missing=list(range(len(kept), SEGMENTS)))


def test_resume__failure_before_any_segment_leaves_nothing(fake_periscope: Any,
                                                           broadcast: dict[str, Any],
                                                           tmp_path: Path) -> None:
    fake_periscope.fail_next(1, 404, path_prefix=fake_periscope.segment_path(broadcast['id'], 0))
    with pytest.raises(PyPeriStreamUnavailableError):
        download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path)
    assert files_in(tmp_path) == []


# -- journals that do not match ---------------------------------------------------------------


def interrupted_partial(fake: Any, broadcast_id: str, directory: Path, at: int = 3) -> None:
    with pytest.raises(DownloadInterrupted):
        download_broadcast(fake.peri, broadcast_id, directory, progress=interrupt_at(at))


def test_resume__journal_of_another_broadcast_starts_over(fake_periscope: Any,
                                                          broadcast: dict[str, Any],
                                                          tmp_path: Path) -> None:
    other = fake_periscope.add_broadcast(broadcast['user_id'], segments=SEGMENTS,
                                         segment_size=20_000)
    interrupted_partial(fake_periscope, other['id'], tmp_path)
    for name in ('part', 'journal'):   # another broadcast's partial under this one's name
        (tmp_path / f'.{other["id"]}.ts.{name}').rename(tmp_path / f'.{broadcast["id"]}.ts.{name}')
    resume_and_check(fake_periscope, broadcast['id'], tmp_path, missing=list(range(SEGMENTS)))


def test_resume__changed_segment_list_starts_over(fake_periscope: Any, tmp_path: Path) -> None:
    user = fake_periscope.add_user('resume_changed')
    first = fake_periscope.add_broadcast(user['id'], broadcast_id='ChangedList1',
                                         segments=SEGMENTS, segment_size=20_000)
    interrupted_partial(fake_periscope, first['id'], tmp_path)
    journal = tmp_path / '.ChangedList1.ts.journal'
    header, *entries = journal.read_text().splitlines()
    fields = json.loads(header)
    fields['segments'] += 1
    fields['fingerprint'] = '0' * 64   # the playlist it was made for had another segment
    journal.write_text('\n'.join([json.dumps(fields), *entries]) + '\n')
    resume_and_check(fake_periscope, first['id'], tmp_path, missing=list(range(SEGMENTS)))


@pytest.mark.parametrize('damage', ['garbage', 'bad-line', 'old-version', 'longer-than-file',
                                    'empty', 'missing'])
def test_resume__corrupt_or_stale_journal_starts_over(fake_periscope: Any,
                                                      broadcast: dict[str, Any],
                                                      tmp_path: Path, damage: str) -> None:
    interrupted_partial(fake_periscope, broadcast['id'], tmp_path)
    journal = tmp_path / f'.{broadcast["id"]}.ts.journal'
    header, *entries = journal.read_text().splitlines()
    if damage == 'garbage':
        journal.write_bytes(b'\x00\xffnot a journal\n')
    elif damage == 'bad-line':
        journal.write_text('\n'.join([header, entries[0], '[1, "x"]', *entries[1:]]) + '\n')
    elif damage == 'old-version':
        journal.write_text('\n'.join([header.replace('"version": 1', '"version": 0'),
                                      *entries]) + '\n')
    elif damage == 'longer-than-file':
        with open(partial_of(tmp_path, broadcast['id']), 'r+b') as partial:
            partial.truncate(10)
    elif damage == 'empty':
        journal.write_text('')
    else:
        journal.unlink()
    resume_and_check(fake_periscope, broadcast['id'], tmp_path, missing=list(range(SEGMENTS)))


def test_resume__junk_after_the_last_complete_segment_is_cut(fake_periscope: Any,
                                                             broadcast: dict[str, Any],
                                                             tmp_path: Path) -> None:
    interrupted_partial(fake_periscope, broadcast['id'], tmp_path)
    with open(partial_of(tmp_path, broadcast['id']), 'ab') as partial:
        partial.write(b'half a segment written when the process was killed')
    resume_and_check(fake_periscope, broadcast['id'], tmp_path, missing=list(range(3, SEGMENTS)))


def test_resume__false_starts_over(fake_periscope: Any, broadcast: dict[str, Any],
                                   tmp_path: Path) -> None:
    interrupted_partial(fake_periscope, broadcast['id'], tmp_path)
    resume_and_check(fake_periscope, broadcast['id'], tmp_path, missing=list(range(SEGMENTS)),
                     resume=False)


# -- what is never done ----------------------------------------------------------------------


def test_resume__existing_file_is_never_touched_without_overwrite(fake_periscope: Any,
                                                                  broadcast: dict[str, Any],
                                                                  tmp_path: Path) -> None:
    interrupted_partial(fake_periscope, broadcast['id'], tmp_path)
    target = tmp_path / f'{broadcast["id"]}.ts'
    target.write_bytes(b'mine')
    fake_periscope.clear_requests()
    with pytest.raises(FileExistsError):
        download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path)
    assert target.read_bytes() == b'mine'
    assert fake_periscope.requests == []
    # With overwrite the partial is resumed and replaces the file.
    download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path, overwrite=True)
    assert sha256(target) == fake_periscope.replay_sha256(broadcast['id'])
    assert files_in(tmp_path) == [target.name]


def test_resume__a_file_appearing_meanwhile_is_kept_and_so_is_the_partial(
        fake_periscope: Any, broadcast: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / f'{broadcast["id"]}.ts'

    def appear(done: int, expected: Any, segments: int, total: Any) -> None:
        if segments == total:
            target.write_bytes(b'theirs')

    with pytest.raises(FileExistsError):
        download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path, progress=appear)
    assert target.read_bytes() == b'theirs'
    assert partial_of(tmp_path, broadcast['id']).exists()   # complete, kept for --overwrite


@pytest.mark.skipif(not hasattr(__import__('os'), 'fork'), reason='POSIX file locks')
def test_resume__a_partial_being_written_is_not_touched(fake_periscope: Any,
                                                        broadcast: dict[str, Any],
                                                        tmp_path: Path) -> None:
    import fcntl
    partial = partial_of(tmp_path, broadcast['id'])
    partial.write_bytes(b'another download is writing this')
    with open(partial, 'r+b') as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(PyPeriDownloadError, match='another download'):
            download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path)
    assert partial.read_bytes() == b'another download is writing this'


def test_resume__whole_history_continues_an_interrupted_replay(fake_periscope: Any,
                                                               broadcast: dict[str, Any],
                                                               tmp_path: Path) -> None:
    interrupted_partial(fake_periscope, broadcast['id'], tmp_path, at=4)
    fake_periscope.clear_requests()
    results = download_user_history(fake_periscope.peri, broadcast['user_id'], tmp_path,
                                    concurrency=3)
    assert results is not None and [r.status for r in results] == ['downloaded']
    assert sha256(tmp_path / f'{broadcast["id"]}.ts') == \
        fake_periscope.replay_sha256(broadcast['id'])
    assert fetched_segments(fake_periscope, broadcast['id']) == list(range(4, SEGMENTS))


# -- a process killed outright --------------------------------------------------------------

_KILLED_DOWNLOAD = '''
import sys
import pyperi.replay.download as download
from pyperi import Peri
download.CHECKPOINT_SECONDS = 0   # commit the journal after every segment
with Peri(api_base_url=sys.argv[1], web_base_url=sys.argv[2]) as peri:
    download.download_broadcast(peri, sys.argv[3], sys.argv[4], concurrency=2)
'''


@pytest.mark.skipif(not hasattr(__import__('signal'), 'SIGKILL'), reason='POSIX signals')
def test_resume__after_sigkill_gives_the_right_bytes(fake_periscope: Any,
                                                     tmp_path: Path) -> None:
    import subprocess
    import sys
    import time
    user = fake_periscope.add_user('resume_killed')
    broadcast = fake_periscope.add_broadcast(user['id'], segments=30, segment_size=20_000)
    fake_periscope.latency = 0.05
    journal = tmp_path / f'.{broadcast["id"]}.ts.journal'
    command = [sys.executable, '-c', _KILLED_DOWNLOAD, fake_periscope.api_base_url,
               fake_periscope.web_base_url, broadcast['id'], str(tmp_path)]
    with subprocess.Popen(command, stderr=subprocess.PIPE) as child:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:   # bounded polling for the journal's 3rd segment
            if journal.exists() and journal.read_text().count('\n') >= 4:
                break
            assert child.poll() is None, child.stderr.read() if child.stderr else ''
            threading.Event().wait(0.01)
        assert child.poll() is None, 'the download finished before it could be killed'
        child.kill()
        child.wait(timeout=10)
    kept = len(journal.read_text().splitlines()) - 1
    assert 3 <= kept < 30
    fake_periscope.latency = 0
    # The killed process's last requests may still be answered: tell ours by User-Agent.
    peri = fake_periscope.make_peri(user_agent='after-the-kill')
    path = download_broadcast(peri, broadcast['id'], tmp_path)
    assert sha256(path) == fake_periscope.replay_sha256(broadcast['id'])
    ours = [r.path for r in fake_periscope.requests
            if r.headers.get('User-Agent') == 'after-the-kill' and r.path.endswith('.ts')]
    assert sorted(int(re.search(r'chunk_\d+_(\d+)_a', p).group(1)) for p in ours) == \
        list(range(kept, 30))   # type: ignore[union-attr]
    assert files_in(tmp_path) == [path.name]


@pytest.mark.skipif(not hasattr(__import__('os'), 'O_NOFOLLOW'), reason='POSIX symlinks')
@pytest.mark.parametrize('name', ['part', 'journal'])
def test_resume__a_symlink_under_the_partial_names_is_not_followed(
        fake_periscope: Any, broadcast: dict[str, Any], tmp_path: Path, name: str) -> None:
    precious = tmp_path / 'precious.txt'
    precious.write_text('keep me')
    (tmp_path / f'.{broadcast["id"]}.ts.{name}').symlink_to(precious)
    with pytest.raises(OSError):
        download_broadcast(fake_periscope.peri, broadcast['id'], tmp_path)
    assert precious.read_text() == 'keep me'
    assert files_in(tmp_path) == sorted([f'.{broadcast["id"]}.ts.{name}', 'precious.txt'])


def test_resume__concurrency_never_exceeds_the_connections_a_peri_keeps() -> None:
    from pyperi import client, replay
    assert replay.DEFAULT_CONCURRENCY <= replay.MAX_CONCURRENCY <= client.POOL_SIZE
