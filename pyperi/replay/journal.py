"""The journal beside a partial download: which segments of which playlist are complete.

A journal is a small text file of JSON lines. The first names the playlist::

    {"journal": "pyperi download", "version": 1, "broadcast_id": "1zqKVWybqeDGB",
     "kind": "replay", "playlist": "/k/playlist_1.m3u8",
     "fingerprint": "<sha256>", "segments": 100}

then one line per complete segment, in the order written: ``[sequence, end, duration]``,
the segment's media sequence number, the partial file's length once it was written, and
its seconds of media. Lines are only ever appended, so a line cut off by a crash is the
last one and is ignored. Anything else that does not read back exactly (another
version, a bad line, a header that does not match) makes the journal unusable, and the
download starts over.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Sequence
from urllib.parse import urlsplit

from .. import hls

__all__ = ['JOURNAL_VERSION', 'PlaylistIdentity', 'JournalEntry', 'JournalState',
           'read_journal', 'usable_entries', 'JournalWriter']

logger = logging.getLogger(__name__)

#: The journal format written; a journal of any other version is not resumed.
JOURNAL_VERSION = 1
_KIND_TAG = 'pyperi download'
# A journal is one short line per segment: a file larger than this is not one.
_MAX_JOURNAL_BYTES = 32 * 1024 * 1024


def _without_query(url: str) -> str:
    """The path of ``url``: signatures in its query, and the CDN host serving it (or the
    port of a local server), may change between runs of the same download."""
    return urlsplit(url).path


def _fingerprint(segments: Sequence[hls.Segment]) -> str:
    """A digest of the segment list: each segment's sequence number, URL path and duration."""
    digest = hashlib.sha256()
    for segment in segments:
        digest.update(f'{segment.sequence} {_without_query(segment.url)} '
                      f'{segment.duration!r}\n'.encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class PlaylistIdentity:
    """Which playlist a partial download holds segments of.

    ``fingerprint`` and ``segments`` describe a replay's whole segment list; a live
    playlist grows, so for it they are None and only its URL path must match.
    """

    broadcast_id: str
    kind: str
    playlist: str
    fingerprint: str | None
    segments: int | None

    @classmethod
    def of(cls, broadcast_id: str, media: hls.MediaPlaylist, *, live: bool) -> PlaylistIdentity:
        """The identity of ``media``, the playlist of ``broadcast_id`` about to be downloaded."""
        if live:
            return cls(broadcast_id, 'live', _without_query(media.url), None, None)
        return cls(broadcast_id, 'replay', _without_query(media.url),
                   _fingerprint(media.segments), len(media.segments))

    def header(self) -> dict[str, Any]:
        """The journal's first line."""
        return {'journal': _KIND_TAG, 'version': JOURNAL_VERSION,
                'broadcast_id': self.broadcast_id, 'kind': self.kind, 'playlist': self.playlist,
                'fingerprint': self.fingerprint, 'segments': self.segments}


@dataclass(frozen=True)
class JournalEntry:
    """A complete segment: its sequence number, the file's length after it, its seconds."""

    sequence: int
    end: int
    duration: float

    def line(self) -> str:
        return json.dumps([self.sequence, self.end, round(self.duration, 6)]) + '\n'


@dataclass(frozen=True)
class JournalState:
    """What a journal read back says, and the length of its readable part in bytes."""

    identity: PlaylistIdentity
    entries: tuple[JournalEntry, ...]
    length: int


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _identity(header: Any) -> PlaylistIdentity | None:
    """The identity in a journal's first line; None if it is not one this version wrote."""
    if not isinstance(header, dict) or header.get('journal') != _KIND_TAG:
        return None
    if header.get('version') != JOURNAL_VERSION:
        logger.info('download journal of version %r, not %d: starting over',
                    header.get('version'), JOURNAL_VERSION)
        return None
    fields = ('broadcast_id', 'kind', 'playlist')
    if not all(isinstance(header.get(name), str) for name in fields):
        return None
    fingerprint, segments = header.get('fingerprint'), header.get('segments')
    if fingerprint is not None and not isinstance(fingerprint, str):
        return None
    if segments is not None and not _count(segments):
        return None
    return PlaylistIdentity(header['broadcast_id'], header['kind'], header['playlist'],
                            fingerprint, segments)


def _entry(item: Any) -> JournalEntry | None:
    if not (isinstance(item, list) and len(item) == 3 and _count(item[0]) and _count(item[1])):
        return None
    duration = item[2]
    if isinstance(duration, bool) or not isinstance(duration, (int, float)) or duration < 0:
        return None
    return JournalEntry(item[0], item[1], float(duration))


def read_journal(path: Path) -> JournalState | None:
    """The journal at ``path``; None when it is missing, unreadable or corrupt.

    A last line without its newline (a write cut off by a crash) is left out.
    """
    try:
        with open(path, 'rb') as source:
            data = source.read(_MAX_JOURNAL_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as error:
        logger.warning('cannot read download journal %s: %s', path, error)
        return None
    if len(data) > _MAX_JOURNAL_BYTES:
        return None
    complete = data[:data.rfind(b'\n') + 1]   # whole lines only
    lines = complete.splitlines()
    try:
        parsed = [json.loads(line) for line in lines]
    except (ValueError, RecursionError):   # not UTF-8, not JSON, nested absurdly deep
        return None
    if not parsed:
        return None
    identity = _identity(parsed[0])
    entries = [_entry(item) for item in parsed[1:]]
    if identity is None or None in entries:
        return None
    return JournalState(identity, tuple(e for e in entries if e is not None), len(complete))


def _consistent(entries: Sequence[JournalEntry]) -> bool:
    """Sequence numbers strictly increasing, lengths never decreasing."""
    return all(b.sequence > a.sequence and b.end >= a.end for a, b in zip(entries, entries[1:]))


def usable_entries(state: JournalState | None, identity: PlaylistIdentity,
                   segments: Sequence[hls.Segment], partial_size: int
                   ) -> tuple[JournalEntry, ...] | None:
    """The complete segments a download of ``identity`` can keep; None to start over.

    The journal must name the same playlist, its entries must be consistent, the
    partial file must hold at least what they say was written, and for a replay they
    must be the first segments of ``segments`` (the playlist as read now), in order.
    """
    if state is None or not state.entries:
        return None
    if state.identity != identity:
        logger.info('download journal is for another playlist or broadcast: starting over')
        return None
    entries = state.entries
    if not _consistent(entries) or entries[-1].end > partial_size:
        logger.info('download journal does not match its partial file: starting over')
        return None
    if identity.kind == 'replay':
        expected = [segment.sequence for segment in segments[:len(entries)]]
        if [entry.sequence for entry in entries] != expected:
            logger.info('download journal does not match the playlist: starting over')
            return None
    return entries


class JournalWriter:
    """Appends complete segments to a journal; they reach the file at each :meth:`commit`.

    A new journal (``keep`` None) is created with its header line; otherwise the one
    read back is continued after its readable part (a cut-off last line is dropped).
    """

    def __init__(self, path: Path, identity: PlaylistIdentity,
                 keep: JournalState | None = None) -> None:
        self.path = path
        self._pending: list[str] = []
        self._file: IO[str]
        # Never through a symbolic link planted under the journal's name.
        flags = os.O_RDWR | os.O_CREAT | getattr(os, 'O_NOFOLLOW', 0)
        self._file = open(os.open(path, flags, 0o666), 'r+', encoding='utf-8', newline='\n')
        try:
            length = 0 if keep is None else keep.length
            self._file.truncate(length)
            self._file.seek(length)
            if keep is None:
                self._file.write(json.dumps(identity.header()) + '\n')
                self._file.flush()
        except BaseException:
            self.close()   # a full disk: the caller removes what is left
            raise

    def add(self, entry: JournalEntry) -> None:
        """Note a complete segment (written at the next :meth:`commit`)."""
        self._pending.append(entry.line())

    def commit(self) -> None:
        """Write the segments noted since the last commit.

        The caller first makes sure the bytes they describe are in the partial file
        (flushed, and fsynced when durability across a power cut matters).
        """
        if self._pending:
            self._file.write(''.join(self._pending))
            self._file.flush()
            self._pending = []

    def close(self) -> None:
        """Close the file (segments not committed are left out); never raises OSError."""
        with contextlib.suppress(OSError):
            self._file.close()   # closes the descriptor even when the flush fails

    def remove(self) -> None:
        """Close and delete the journal."""
        self.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
