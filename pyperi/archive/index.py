"""The captures of one or more WARC files, found by canonical key in constant time.

Each WARC gets a sorted CDXJ index (built once, then reused from its cache
file, see :mod:`~pyperi.archive.cache`); in memory only a dict from each key
to the offsets of its lines is kept, and a line is decoded when asked for.
"""
from __future__ import annotations

import bisect
import logging
import os
import threading
from datetime import datetime
from pathlib import Path
from typing import Iterable, Union
from urllib.parse import urljoin

from .cache import IndexData, fingerprint, index_locations, read_index, write_index
from .captures import Capture, parse_cdxj_line
from .indexer import index_warc
from .keys import canonical_key, path_of, query_params, volatile_params
from .when import timestamp_seconds

__all__ = ['ArchiveIndex', 'WARC_SUFFIXES', 'PathsArgument', 'warc_files']

logger = logging.getLogger(__name__)

#: File name endings taken as WARC files when a folder is given (case-insensitive).
WARC_SUFFIXES = ('.warc', '.warc.gz')
#: One WARC file or folder, or several.
PathsArgument = Union[str, 'os.PathLike[str]', Iterable[Union[str, 'os.PathLike[str]']]]

_BLOCK = 1 << 22
# An entry packs the file's number and the line's offset into one int.
_OFFSET_BITS = 40


def warc_files(paths: PathsArgument) -> list[Path]:
    """The WARC files that ``paths`` names: files as given, folders searched for ``*.warc[.gz]``.

    :raises TypeError: ``paths`` is not a path or an iterable of paths.
    :raises FileNotFoundError: a path does not exist.
    :raises ValueError: no WARC file was found.
    """
    if isinstance(paths, (str, os.PathLike)):
        items = [paths]
    elif isinstance(paths, bytes) or not isinstance(paths, Iterable):
        raise TypeError(f'paths must be a path or an iterable of paths, not {type(paths).__name__}')
    else:
        items = list(paths)
    found: list[Path] = []
    for item in items:
        if not isinstance(item, (str, os.PathLike)):
            raise TypeError(f'paths must hold str or os.PathLike, not {type(item).__name__}')
        path = Path(item)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob('*')
                                if p.is_file() and p.name.lower().endswith(WARC_SUFFIXES)))
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f'no such WARC file or folder: {str(path)!r}')
    if not found:
        raise ValueError(f'no WARC files (*.warc, *.warc.gz) in {[str(p) for p in items]}')
    return found


class ArchiveIndex:
    """Every capture of some WARC files, by canonical key.

    :param paths: WARC / WARC.gz files, or folders searched for them.
    :param ignore_params: query parameters to ignore besides ``session_id``.
    :param index_dir: keep the index files in this folder (default: beside each
        WARC, else the user's cache folder).
    :param cache: read and write index files; False indexes in memory each time.
    :raises WarcFormatError: a file is damaged or not a WARC file.
    """

    def __init__(self, paths: PathsArgument, *, ignore_params: Iterable[str] | None = None,
                 index_dir: str | os.PathLike[str] | None = None, cache: bool = True) -> None:
        self.ignore = volatile_params(ignore_params)
        self.files = warc_files(paths)
        self._index_dir = None if index_dir is None else Path(index_dir)
        self._cache = cache
        self._data: list[IndexData] = []
        self._entries: dict[bytes, list[int]] = {}
        self._lock = threading.Lock()
        self._sorted_keys: list[bytes] | None = None
        self._paths: dict[str, list[bytes]] | None = None
        self.captures_count = 0
        try:
            for number, path in enumerate(self.files):
                self._add(number, self._load(path))
        except BaseException:
            self.close()
            raise

    def __repr__(self) -> str:
        return f'<ArchiveIndex {len(self.files)} files, {self.captures_count} captures>'

    def __len__(self) -> int:
        return self.captures_count

    def close(self) -> None:
        """Release the index files' memory maps (the index is unusable afterwards)."""
        for data in self._data:
            data.close()
        self._data = []
        self._entries = {}

    # -- building ----------------------------------------------------------------------------

    def _load(self, path: Path) -> IndexData:
        """The index of one WARC: from its cache file when still valid, else built and saved."""
        expected = fingerprint(path, self.ignore) if self._cache else {}
        locations = index_locations(path, self.ignore, self._index_dir) if self._cache else []
        for location in locations:
            data = read_index(location, expected)
            if data is not None:
                logger.debug('reusing index %s', location)
                return data
        lines = index_warc(path, self.ignore)
        for location in locations:
            if write_index(location, expected, lines):
                logger.info('wrote index %s', location)
                break
        else:
            if locations:
                logger.warning('could not save the index of %s anywhere; it is rebuilt next time',
                               path)
        return IndexData(lines)

    def _add(self, number: int, data: IndexData) -> None:
        """File the lines of one WARC's index by key (read in blocks: bounded extra memory)."""
        self._data.append(data)
        entries = self._entries
        base = number << _OFFSET_BITS
        buffer, position, size = data.buffer, data.start, len(data.buffer)
        count = 0
        while position < size:
            end = buffer.rfind(b'\n', position, min(size, position + _BLOCK))
            if end < 0:   # a line longer than a block
                end = buffer.find(b'\n', position)
                end = size if end < 0 else end
            offset = position
            for line in buffer[position:end].split(b'\n'):
                space = line.find(b' ')
                if space > 0 and line[0] != 0x21:   # '!': a header or comment line
                    entries.setdefault(line[:space], []).append(base | offset)
                    count += 1
                offset += len(line) + 1
            position = end + 1
        self.captures_count += count

    # -- lookups -----------------------------------------------------------------------------

    def key(self, url: str) -> str:
        """The canonical key of ``url`` under this index's volatile parameters."""
        return canonical_key(url, self.ignore)

    def _capture(self, entry: int) -> Capture:
        number, offset = entry >> _OFFSET_BITS, entry & ((1 << _OFFSET_BITS) - 1)
        return parse_cdxj_line(self._data[number].line_at(offset), number)

    def _timestamp(self, entry: int) -> bytes:
        number, offset = entry >> _OFFSET_BITS, entry & ((1 << _OFFSET_BITS) - 1)
        line = self._data[number].line_at(offset)
        return line.split(b' ', 2)[1]

    def captures(self, key: str) -> list[Capture]:
        """Every capture filed under ``key``, oldest first."""
        found = [self._capture(entry) for entry in self._entries.get(key.encode('utf-8'), ())]
        return sorted(found, key=lambda capture: capture.timestamp)

    def nearest(self, key: str, when: datetime | None) -> Capture | None:
        """The capture under ``key`` nearest to ``when`` (None: the latest); None if none.

        A captured redirect to the same key (``http`` to ``https``, ``pscp.tv`` to
        ``www.periscope.tv``) is passed over: replaying it would loop.
        """
        entries = self._entries.get(key.encode('utf-8'))
        if not entries:
            return None
        target = None if when is None else int(when.timestamp())

        def distance(item: tuple[int, int]) -> tuple[int, int, int]:
            order, entry = item
            seconds = timestamp_seconds(self._timestamp(entry).decode('ascii'))
            # Nearest first; among equals the later capture, then the one filed last.
            return (-seconds if target is None else abs(seconds - target), -seconds, -order)

        for _, entry in sorted(enumerate(entries), key=distance):
            capture = self._capture(entry)
            if capture.is_redirect and self._same_key(capture):
                continue
            return capture
        return None

    def _same_key(self, redirect: Capture) -> bool:
        try:
            return self.key(urljoin(redirect.url, redirect.location or '')) == redirect.key
        except ValueError:
            return False

    def similar_key(self, key: str) -> str | None:
        """A key for the same resource captured with extra query parameters, if any.

        Browsers called the API with parameters pyperi does not send (such as
        ``replay_redirect=false``); a capture whose query holds every parameter
        asked for, with the same values, is taken. The one with fewest extras wins.
        """
        paths = self._path_table()
        wanted = set(query_params(key.split('?', 1)[1], frozenset())) if '?' in key else set()
        best: tuple[int, str] | None = None
        for other in paths.get(path_of(key), ()):
            text = other.decode('utf-8')
            have = set(query_params(text.split('?', 1)[1], frozenset())) if '?' in text else set()
            if wanted <= have and (best is None or len(have) < best[0]):
                best = (len(have), text)
        return None if best is None else best[1]

    def neighbours(self, key: str, limit: int = 3) -> list[Capture]:
        """The latest capture of up to ``limit`` keys nearest to ``key`` (for messages)."""
        keys = self._key_list()
        position = bisect.bisect_left(keys, key.encode('utf-8'))
        window = keys[max(0, position - limit):position + limit]
        encoded = key.encode('utf-8')

        def shared(other: bytes) -> int:
            return len(os.path.commonprefix([other, encoded]))

        chosen = sorted(window, key=shared, reverse=True)[:limit]
        found = [self.nearest(other.decode('utf-8'), None) for other in chosen]
        return [capture for capture in found if capture is not None]

    def original(self, revisit: Capture) -> Capture | None:
        """The capture a revisit record stands for (same payload digest), or None if absent.

        Looked for under the revisit's ``WARC-Refers-To-Target-URI`` (else its own
        URL): the capture at ``WARC-Refers-To-Date`` with the same digest, else the
        latest earlier one with that digest.
        """
        try:
            key = self.key(revisit.refers_to_uri) if revisit.refers_to_uri else revisit.key
        except ValueError:
            key = revisit.key
        candidates = [c for c in self.captures(key) if not c.is_revisit]
        if revisit.digest:
            candidates = [c for c in candidates if c.digest == revisit.digest]
        if revisit.refers_to_date:
            exact = [c for c in candidates if c.timestamp == revisit.refers_to_date]
            candidates = exact or candidates
        earlier = [c for c in candidates if c.timestamp <= revisit.timestamp]
        chosen = earlier or candidates
        return chosen[-1] if chosen else None

    def keys(self) -> list[str]:
        """Every key with at least one capture, sorted."""
        return [key.decode('utf-8') for key in self._key_list()]

    def path(self, capture: Capture) -> Path:
        """The WARC file holding ``capture``."""
        return self.files[capture.file_number]

    def _key_list(self) -> list[bytes]:
        with self._lock:
            if self._sorted_keys is None:
                self._sorted_keys = sorted(self._entries)
            return self._sorted_keys

    def _path_table(self) -> dict[str, list[bytes]]:
        with self._lock:
            if self._paths is None:
                table: dict[str, list[bytes]] = {}
                for key in self._entries:
                    if b'?' in key:
                        table.setdefault(key.split(b'?', 1)[0].decode('utf-8'), []).append(key)
                self._paths = table
            return self._paths
