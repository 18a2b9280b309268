"""Unit tests for pyperi.replay.journal: what a journal says, and when it may be trusted."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pyperi.hls import MediaPlaylist, Segment
from pyperi.replay.journal import (
    JOURNAL_VERSION,
    JournalEntry,
    JournalWriter,
    PlaylistIdentity,
    read_journal,
    usable_entries,
)

URL = 'https://replay.example/k/playlist_1.m3u8?sig=a'


def playlist(n: int = 4, *, url: str = URL, query: str = '?sig=a',
             durations: float = 3.0) -> MediaPlaylist:
    segments = tuple(Segment(10 + i, f'https://cdn.example/k/chunk_{i}.ts{query}', durations)
                     for i in range(n))
    return MediaPlaylist(url, segments, 3.0, 10, True)


def write_journal(path: Path, identity: PlaylistIdentity, entries: list[JournalEntry]) -> None:
    journal = JournalWriter(path, identity)
    for entry in entries:
        journal.add(entry)
    journal.commit()
    journal.close()


ENTRIES = [JournalEntry(10, 100, 3.0), JournalEntry(11, 250, 3.0)]


@pytest.fixture
def identity() -> PlaylistIdentity:
    return PlaylistIdentity.of('BID', playlist(), live=False)


def test_journal__round_trip(tmp_path: Path, identity: PlaylistIdentity) -> None:
    path = tmp_path / 'j'
    write_journal(path, identity, ENTRIES)
    state = read_journal(path)
    assert state is not None
    assert state.identity == identity and list(state.entries) == ENTRIES
    assert state.length == path.stat().st_size


def test_journal__format_is_a_header_then_one_line_per_segment(
        tmp_path: Path, identity: PlaylistIdentity) -> None:
    path = tmp_path / 'j'
    write_journal(path, identity, ENTRIES)
    header, *lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert header['version'] == JOURNAL_VERSION and header['broadcast_id'] == 'BID'
    assert header['kind'] == 'replay' and header['segments'] == 4
    assert header['playlist'] == '/k/playlist_1.m3u8'   # no signature, no host
    assert lines == [[10, 100, 3.0], [11, 250, 3.0]]


def test_journal__entries_reach_the_file_only_at_commit(tmp_path: Path,
                                                        identity: PlaylistIdentity) -> None:
    path = tmp_path / 'j'
    journal = JournalWriter(path, identity)
    journal.add(ENTRIES[0])
    assert read_journal(path).entries == ()   # type: ignore[union-attr]
    journal.commit()
    assert read_journal(path).entries == (ENTRIES[0],)   # type: ignore[union-attr]
    journal.close()


def test_journal__a_line_cut_off_at_the_end_is_left_out(tmp_path: Path,
                                                        identity: PlaylistIdentity) -> None:
    path = tmp_path / 'j'
    write_journal(path, identity, ENTRIES)
    whole = path.stat().st_size
    with open(path, 'a') as out:
        out.write('[12, 4')
    state = read_journal(path)
    assert state is not None and list(state.entries) == ENTRIES and state.length == whole


def test_journal__continued_after_its_readable_part(tmp_path: Path,
                                                    identity: PlaylistIdentity) -> None:
    path = tmp_path / 'j'
    write_journal(path, identity, ENTRIES[:1])
    with open(path, 'a') as out:
        out.write('[11, 2')   # cut off by a crash
    state = read_journal(path)
    journal = JournalWriter(path, identity, state)
    journal.add(ENTRIES[1])
    journal.commit()
    journal.close()
    assert list(read_journal(path).entries) == ENTRIES   # type: ignore[union-attr]


@pytest.mark.parametrize('content', [
    b'',
    b'not json\n',
    b'\xff\xfe\n',
    b'[' * 100_000 + b'\n',
    b'{"journal": "something else", "version": 1}\n',
    b'[1, 2, 3]\n',
], ids=['empty', 'text', 'binary', 'deep', 'foreign', 'no-header'])
def test_journal__unreadable_is_none(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / 'j'
    path.write_bytes(content)
    assert read_journal(path) is None


def test_journal__missing_is_none(tmp_path: Path) -> None:
    assert read_journal(tmp_path / 'nothing') is None


@pytest.mark.parametrize('line', ['[1, 2]', '[-1, 2, 3.0]', '["1", 2, 3.0]', '[1, 2, -3]',
                                  '[true, 2, 3.0]', '{}', '[1, 2, 3.0, 4]', ''])
def test_journal__a_bad_segment_line_makes_it_unusable(tmp_path: Path, line: str,
                                                       identity: PlaylistIdentity) -> None:
    path = tmp_path / 'j'
    write_journal(path, identity, ENTRIES)
    with open(path, 'a') as out:
        out.write(line + '\n' + ENTRIES[1].line())
    assert read_journal(path) is None


def test_journal__another_version_is_unusable(tmp_path: Path,
                                              identity: PlaylistIdentity) -> None:
    path = tmp_path / 'j'
    header = {**identity.header(), 'version': JOURNAL_VERSION - 1}
    path.write_text(json.dumps(header) + '\n' + ENTRIES[0].line())
    assert read_journal(path) is None


def test_journal__larger_than_any_journal_is_unusable(tmp_path: Path,
                                                      identity: PlaylistIdentity) -> None:
    path = tmp_path / 'j'
    write_journal(path, identity, ENTRIES)
    with open(path, 'a') as out:
        out.truncate(64 * 1024 * 1024)
    assert read_journal(path) is None


# -- whether a journal may be resumed ------------------------------------------------------


def state_of(tmp_path: Path, identity: PlaylistIdentity, entries: list[JournalEntry]) -> object:
    path = tmp_path / 'j'
    write_journal(path, identity, entries)
    return read_journal(path)


def test_usable__same_playlist_keeps_its_entries(tmp_path: Path,
                                                 identity: PlaylistIdentity) -> None:
    state = state_of(tmp_path, identity, ENTRIES)
    kept = usable_entries(state, identity, playlist().segments, 250)   # type: ignore[arg-type]
    assert kept == tuple(ENTRIES)


def test_usable__new_signatures_or_host_on_the_same_segments_still_match(
        tmp_path: Path, identity: PlaylistIdentity) -> None:
    state = state_of(tmp_path, identity, ENTRIES)
    again = playlist(url=URL.replace('sig=a', 'sig=b').replace('replay.example', 'other.cdn'),
                     query='?sig=b')
    now = PlaylistIdentity.of('BID', again, live=False)
    assert usable_entries(state, now, again.segments, 250) == tuple(ENTRIES)  # type: ignore


@pytest.mark.parametrize('other', [
    PlaylistIdentity.of('OTHER', playlist(), live=False),
    PlaylistIdentity.of('BID', playlist(5), live=False),
    PlaylistIdentity.of('BID', playlist(durations=2.0), live=False),
    PlaylistIdentity.of('BID', playlist(url='https://replay.example/k/playlist_2.m3u8'),
                        live=False),
    PlaylistIdentity.of('BID', playlist(), live=True),
], ids=['broadcast', 'more-segments', 'durations', 'playlist-url', 'live'])
def test_usable__another_playlist_starts_over(tmp_path: Path, identity: PlaylistIdentity,
                                              other: PlaylistIdentity) -> None:
    state = state_of(tmp_path, identity, ENTRIES)
    assert usable_entries(state, other, playlist().segments, 250) is None  # type: ignore


def test_usable__partial_file_shorter_than_the_journal_says_starts_over(
        tmp_path: Path, identity: PlaylistIdentity) -> None:
    state = state_of(tmp_path, identity, ENTRIES)
    assert usable_entries(state, identity, playlist().segments, 249) is None  # type: ignore


def test_usable__entries_not_the_first_segments_start_over(tmp_path: Path,
                                                           identity: PlaylistIdentity) -> None:
    state = state_of(tmp_path, identity, [JournalEntry(11, 100, 3.0)])
    assert usable_entries(state, identity, playlist().segments, 250) is None  # type: ignore


def test_usable__inconsistent_entries_start_over(tmp_path: Path,
                                                 identity: PlaylistIdentity) -> None:
    state = state_of(tmp_path, identity, [JournalEntry(10, 100, 3.0), JournalEntry(11, 50, 3.0)])
    assert usable_entries(state, identity, playlist().segments, 250) is None  # type: ignore


def test_usable__no_entries_or_no_journal_start_over(tmp_path: Path,
                                                     identity: PlaylistIdentity) -> None:
    state = state_of(tmp_path, identity, [])
    assert usable_entries(state, identity, playlist().segments, 0) is None  # type: ignore
    assert usable_entries(None, identity, playlist().segments, 0) is None


def test_usable__live_continues_after_its_last_sequence(tmp_path: Path) -> None:
    live = PlaylistIdentity.of('BID', playlist(), live=True)
    entries = [JournalEntry(3, 10, 2.0), JournalEntry(5, 20, 2.0)]
    state = state_of(tmp_path, live, entries)
    # The live window has slid: the journal's segments need not be in it any more.
    assert usable_entries(state, live, playlist().segments, 20) == tuple(entries)  # type: ignore
