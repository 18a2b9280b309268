"""The index cache: one CDXJ file per WARC, reused while the WARC is unchanged.

An index file starts with a header line ``!pyperi-cdxj 1 {...}`` recording the
WARC's size, modification time (nanoseconds), a SHA-256 of its first and last
64 KiB, and the query parameters its keys leave out; the sorted CDXJ lines
follow. It is reused only when all of these still agree, else rebuilt. It
lives beside the WARC (``<name>.pyperi.cdxj``) or, where that folder cannot be
written, under the user's cache folder; ``index_dir`` puts them all in one place.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import mmap
import os
import secrets
from pathlib import Path
from typing import AbstractSet, Any

from .keys import VOLATILE_PARAMS

__all__ = ['HEADER_PREFIX', 'INDEX_SUFFIX', 'IndexData', 'fingerprint', 'index_locations',
           'read_index', 'write_index', 'user_cache_dir']

logger = logging.getLogger(__name__)

#: What every pyperi index file starts with (format version 1).
HEADER_PREFIX = b'!pyperi-cdxj 1 '
#: The ending of index file names.
INDEX_SUFFIX = '.pyperi.cdxj'
_SAMPLE = 1 << 16


class IndexData:
    """The sorted CDXJ lines of one WARC: a memory map of an index file, or bytes in memory.

    :ivar buffer: the bytes; :ivar start: the offset of the first line in them.
    """

    def __init__(self, buffer: mmap.mmap | bytes, start: int = 0) -> None:
        self.buffer = buffer
        self.start = start

    def line_at(self, offset: int) -> bytes:
        """The line (without its newline) starting at ``offset``."""
        end = self.buffer.find(b'\n', offset)
        return self.buffer[offset:end if end >= 0 else len(self.buffer)]

    def close(self) -> None:
        """Release the memory map, if any."""
        if isinstance(self.buffer, mmap.mmap):
            self.buffer.close()


def fingerprint(path: Path, ignore: AbstractSet[str]) -> dict[str, Any]:
    """What must still hold for an index of ``path`` to be reused.

    Size and modification time catch almost every change; the digest of the
    first and last 64 KiB catches a file rewritten in place with its time kept.
    """
    stat = path.stat()
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        digest.update(f.read(_SAMPLE))
        if stat.st_size > _SAMPLE:
            f.seek(max(_SAMPLE, stat.st_size - _SAMPLE))
            digest.update(f.read(_SAMPLE))
    return {'warc': path.name, 'size': stat.st_size, 'mtime_ns': stat.st_mtime_ns,
            'sample_sha256': digest.hexdigest(), 'ignore': sorted(ignore)}


def user_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/pyperi/archive-index``, else ``~/.cache/pyperi/archive-index``."""
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return Path(base) / 'pyperi' / 'archive-index'


def _file_name(warc: Path, ignore: AbstractSet[str], *, qualified: bool) -> str:
    """The index file name for ``warc``; ``qualified`` adds a hash of its folder (shared dirs)."""
    name = warc.name
    if qualified:
        name = hashlib.sha256(str(warc.resolve().parent).encode()).hexdigest()[:12] + '-' + name
    if set(ignore) != VOLATILE_PARAMS:
        name += '.' + hashlib.sha256(' '.join(sorted(ignore)).encode()).hexdigest()[:8]
    return name + INDEX_SUFFIX


def index_locations(warc: Path, ignore: AbstractSet[str],
                    index_dir: Path | None) -> list[Path]:
    """Where the index of ``warc`` may be, in the order tried: given folder, else beside, else
    the user's cache folder."""
    if index_dir is not None:
        return [index_dir / _file_name(warc, ignore, qualified=True)]
    return [warc.with_name(_file_name(warc, ignore, qualified=False)),
            user_cache_dir() / _file_name(warc, ignore, qualified=True)]


def read_index(location: Path, expected: dict[str, Any]) -> IndexData | None:
    """The CDXJ lines of an index file whose header matches ``expected``; None otherwise.

    A missing, stale, unreadable or foreign file gives None (and is rebuilt).
    """
    try:
        with open(location, 'rb') as f:
            header = f.readline(1 << 16)
            if not header.startswith(HEADER_PREFIX):
                return None
            try:
                recorded = json.loads(header[len(HEADER_PREFIX):])
            except ValueError:
                return None
            if recorded != expected:
                logger.info('index %s is stale; rebuilding it', location)
                return None
            start = f.tell()
            if os.fstat(f.fileno()).st_size == start:
                return IndexData(b'')
            if not header.endswith(b'\n'):
                return None
            data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        logger.info('cannot read index %s: %s', location, error)
        return None
    if data[-1:] != b'\n':  # cut short while written by something else than pyperi
        data.close()
        return None
    return IndexData(data, start)


def write_index(location: Path, header: dict[str, Any], lines: bytes) -> bool:
    """Write an index file atomically (a temporary file renamed); False if it cannot be written.

    :param lines: the CDXJ lines, each ending in a newline.
    """
    temp = location.with_name(f'.{location.name}.{secrets.token_hex(4)}.part')
    try:
        location.parent.mkdir(parents=True, exist_ok=True)
        with open(temp, 'wb') as out:
            out.write(HEADER_PREFIX + json.dumps(header, sort_keys=True).encode() + b'\n')
            out.write(lines)
        os.replace(temp, location)
    except OSError as error:
        logger.debug('cannot write index %s: %s', location, error)
        with contextlib.suppress(OSError):
            temp.unlink()
        return False
    return True
