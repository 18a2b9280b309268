"""Streaming a WARC file once into sorted CDXJ lines, one per response, revisit or resource.

The file is read with FastWARC (see :doc:`archives` for why), given the path so
that it reads the file itself: it seeks past the bodies of uncompressed records
and inflates gzip members in native code. Per record, only the headers a CDXJ
line needs are taken (FastWARC has already parsed the HTTP head), and keys of
URLs that differ only in one plain query parameter are built from a cached
prefix. Damage is reported as :class:`~pyperi.archive.errors.WarcFormatError`
naming the file and the byte: a record that does not parse, a file gzipped as a
whole (its records cannot be read one by one), and a last record cut short.
"""
from __future__ import annotations

import logging
import zlib
from pathlib import Path
from typing import AbstractSet, Any, Iterable

from .captures import REVISIT_MIME, quote_json
from .errors import WarcFormatError, import_fastwarc
from .keys import canonical_key
from .when import warc_date_timestamp

__all__ = ['index_warc', 'is_gzip', 'warc_records']

logger = logging.getLogger(__name__)

_GZIP_MAGIC = b'\x1f\x8b'
_BLOCK = 1 << 16
# FastWARC's read buffer: its default (64 KiB) costs more system calls on big files.
_READ_BUFFER = 1 << 20
# A WARC header block is never this long; used to bound the look at a last record.
_MAX_HEADER = 1 << 20
# Characters that no key or JSON string changes: a value made of them is taken as it is.
_PLAIN = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-'
_REVISIT = quote_json(REVISIT_MIME)
# Bounds for the per-file caches (a hostile file must not grow them without end).
_MAX_CACHED = 4096


def is_gzip(path: Path) -> bool:
    """Whether the file starts like a gzip stream (a ``.warc.gz``, whatever its name)."""
    with open(path, 'rb') as f:
        return f.read(2) == _GZIP_MAGIC


class _Indexer:
    """One pass over a WARC file's records into CDXJ lines (FastWARC's names looked up once).

    :meth:`line_start` makes any record's line. Most records of a crawl are
    HTTP responses whose line :meth:`run` can make from what earlier records
    taught :meth:`line_start`, with the same result: the key of
    ``base?name=value`` or ``folder/name`` is that of ``base?name=`` or
    ``folder/`` (learnt from one URL, checked against
    :func:`~pyperi.archive.keys.canonical_key`) followed by the plain value or
    name; a timestamp is learnt per minute, a media type per Content-Type.
    """

    def __init__(self, fastwarc: Any, path: Path, ignore: AbstractSet[str]) -> None:
        types, names = fastwarc.WarcRecordType, fastwarc.WarcHeader
        self.response, self.revisit, self.resource = types.response, types.revisit, types.resource
        self.uri, self.date = names.WARC_TARGET_URI, names.WARC_DATE
        self.digest, self.content_type = names.WARC_PAYLOAD_DIGEST, names.CONTENT_TYPE
        self.refers_uri, self.refers_date = names.WARC_REFERS_TO_TARGET_URI, \
            names.WARC_REFERS_TO_DATE
        self.path = path
        self.ignore = ignore
        self.heads: dict[str, str] = {}     # 'https://host/path?name' -> 'key?name='
        self.folders: dict[str, str] = {}   # 'https://host/path' -> 'key/' (for path/name)
        self.dropped: dict[str, str] = {}   # 'https://host/path?name' -> 'key', name ignored
        self.minutes: dict[str, str] = {}   # '2021-03-01T12:34' -> '202103011234'
        self.mimes: dict[str | None, str] = {}   # Content-Type -> its media type, quoted
        #: The lines made so far (without newlines).
        self.lines: list[str] = []
        #: Where the last record read starts (-1: none yet).
        self.position = -1

    def run(self, records: Iterable[Any]) -> None:
        """Make the line of each indexed record (its length: up to where the next starts).

        :raises WarcFormatError: the file is gzipped as a whole.
        :raises ValueError: a record's header is damaged.
        """
        append, line_start = self.lines.append, self.line_start
        heads, folders, minutes, mimes = self.heads, self.folders, self.minutes, self.mimes
        response, uri_name, date_name = self.response, self.uri, self.date
        type_name, digest_name = self.content_type, self.digest
        tail = f'", "filename": {quote_json(self.path.name)}}}'
        position = -1
        pending: str | None = None
        for record in records:
            start = record.stream_pos
            if start <= position:
                raise WarcFormatError(
                    'gzipped as a whole, not record by record, so its records cannot be '
                    'read one at a time; recompress it (e.g. warcio recompress)',
                    path=str(self.path), offset=start)
            if pending is not None:
                append(f'{pending}, "length": "{start - position}", "offset": "{position}{tail}')
            self.position = position = start
            http = record.http_headers
            if http is None or record.record_type != response:
                pending = line_start(record)
                continue
            headers = record.headers
            uri, date = headers.get(uri_name) or '', headers.get(date_name) or ''
            head, _, value = uri.rpartition('=')
            key = heads.get(head)
            if key is None:
                head, _, value = uri.rpartition('/')
                key = folders.get(head)
            minute, seconds = minutes.get(date[:16]), date[17:19]
            mime, status = mimes.get(http.get(type_name)), http.status_code
            if None in (key, minute, mime, status) or value.strip(_PLAIN) or not value \
                    or len(seconds) != 2 or not seconds.isdigit() or 300 <= status < 400:
                pending = line_start(record)   # the general way; it learns for the next ones
                continue
            pending = f'{key}{value} {minute}{seconds} {{"url": "{uri}", "mime": {mime}' \
                      f', "status": "{status}"'
            digest = headers.get(digest_name)
            if digest:
                pending += f', "digest": {quote_json(digest)}'
        if pending is not None:
            size = self.path.stat().st_size
            append(f'{pending}, "length": "{size - position}", "offset": "{position}{tail}')

    def line_start(self, record: Any) -> str | None:
        """A record's CDXJ line without ``length``, ``offset`` and ``filename``; None to skip.

        :raises ValueError: the record's header is damaged.
        """
        kind = record.record_type
        http = record.http_headers
        mime = self.quoted_mime(record, kind, http)
        if mime is None:
            return None
        headers = record.headers
        uri = headers.get(self.uri)
        date = headers.get(self.date)
        if not uri or not date:
            return self.unindexed(record)
        if uri[0] == '<' and uri[-1] == '>':   # WARC/1.0's grammar, as some write it
            uri = uri[1:-1]
        line = self.identity(uri, date)
        if line is None:
            return None
        line += f' {{"url": {quote_json(uri)}, "mime": {mime}'
        status = None if http is None else http.status_code
        if status is not None:
            line += f', "status": "{status}"'
        elif kind == self.resource:
            line += ', "status": "200"'
        digest = headers.get(self.digest)
        if digest:
            line += f', "digest": {quote_json(digest)}'
        if kind == self.revisit:
            line += self.revisit_fields(headers)
        if status is not None and 300 <= status < 400:
            location = http.get('Location')
            if location:
                line += f', "location": {quote_json(location)}'
        return line

    def quoted_mime(self, record: Any, kind: Any, http: Any) -> str | None:
        """The ``mime`` of a record as a JSON string; None (skip) if it is not indexed.

        :raises ValueError: the record's header is damaged.
        """
        if kind == self.revisit:
            return _REVISIT
        if http is None and kind == self.resource:
            content_type = record.headers.get(self.content_type)
        elif http is not None and kind in (self.response, self.resource):
            content_type = http.get(self.content_type)
        else:
            return self.unindexed(record)   # a response without an HTTP message, a request...
        quoted = quote_json((content_type or '').split(';', 1)[0].strip())
        if http is not None and len(self.mimes) < _MAX_CACHED:
            self.mimes[content_type] = quoted
        return quoted

    @staticmethod
    def unindexed(record: Any) -> None:
        """Skip a record that is not a web capture; ValueError if its header is damaged."""
        if record.record_id is None:
            raise ValueError('damaged WARC record header')

    def identity(self, uri: str, date: str) -> str | None:
        """``key timestamp`` of a record; None for a date that is none or a non-web URI."""
        timestamp = warc_date_timestamp(date)
        if timestamp is None:
            return None
        minute = date[:4] + date[5:7] + date[8:10] + date[11:13] + date[14:16]
        if len(minute) == 12 and minute.isdigit() and date[4] == '-' and date[10] in 'Tt':
            if len(self.minutes) >= _MAX_CACHED:
                self.minutes.clear()   # crawls go forward in time: old minutes are done
            self.minutes[date[:16]] = minute
        head, _, value = uri.rpartition('=')
        key = self.dropped.get(head) if value and not value.strip(_PLAIN) else None
        if key is None:
            try:
                key = canonical_key(uri, self.ignore)
            except ValueError:   # dns:, urn: and other records that are not web captures
                return None
            self.learn(uri, key)
        return f'{key} {timestamp}'

    def learn(self, uri: str, key: str) -> None:
        """Remember how the key of ``uri`` is made, for URLs that differ in a plain last value."""
        if quote_json(uri) != f'"{uri}"' or '#' in uri \
                or len(self.heads) + len(self.folders) + len(self.dropped) >= _MAX_CACHED:
            return
        head, equals, value = uri.rpartition('=')
        base, _, name = head.partition('?')
        if equals and name and not name.strip(_PLAIN) and value and not value.strip(_PLAIN):
            if name.lower() not in self.ignore:
                if key.endswith(f'?{name}={value}'):
                    self.heads[head] = key[:-len(value)]
            elif key == canonical_key(base, self.ignore):
                self.dropped[head] = key
            return
        head, _, value = uri.rpartition('/')
        if '?' not in uri and value and not value.strip(_PLAIN) and key.endswith(f'/{value}'):
            self.folders[head] = key[:-len(value)]

    def revisit_fields(self, headers: Any) -> str:
        """The fields of a revisit record naming the capture it stands for."""
        extra = ''
        refers_uri = headers.get(self.refers_uri)
        refers_date = warc_date_timestamp(headers.get(self.refers_date))
        if refers_uri:
            extra += f', "refers_to_uri": {quote_json(refers_uri)}'
        if refers_date:
            extra += f', "refers_to_date": "{refers_date}"'
        return extra


def warc_records(path: Path) -> Iterable[Any]:
    """FastWARC's iterator over the records of ``path``, as the indexer reads them.

    FastWARC opens the file itself (faster than through a Python file object),
    parses each HTTP head and reuses one record object (``inplace``): a record
    is valid only until the next one is taken.
    """
    records: Iterable[Any] = import_fastwarc().ArchiveIterator(
        str(path), parse_http=True, inplace=True, buffer_size=_READ_BUFFER, fsspec_args=False)
    return records


def index_warc(path: Path, ignore: AbstractSet[str]) -> bytes:
    """Read ``path`` once and return its CDXJ lines, sorted, each ending in a newline.

    :param ignore: query parameters left out of keys (see :mod:`pyperi.archive.keys`).
    :raises WarcFormatError: the file is damaged or not a WARC file.
    :raises OSError: the file cannot be read.
    :raises ImportError: FastWARC is not installed.
    """
    fastwarc = import_fastwarc()
    gzipped = is_gzip(path)   # also: an unreadable file raises OSError here, not below
    indexer = _Indexer(fastwarc, path, ignore)
    try:
        indexer.run(warc_records(path))
    except WarcFormatError:
        raise
    except (OSError, ValueError) as error:   # FastWARC's words for a record that won't parse
        offset = max(indexer.position, 0)
        raise WarcFormatError(f'damaged WARC data after byte {offset}: {error}',
                              path=str(path), offset=offset) from None
    if indexer.position >= 0:
        _check_last_record(path, indexer.position, gzipped)
    lines = indexer.lines
    lines.sort()
    logger.info('indexed %s: %d captures', path, len(lines))
    lines.append('')
    return '\n'.join(lines).encode('utf-8')


def _check_last_record(path: Path, offset: int, gzipped: bool) -> None:
    """Raise WarcFormatError when the record at ``offset`` ends before its Content-Length,
    or (gzip) unreadable bytes follow it.

    Damage in the middle of a file stops the reader at the next record; only the
    last record can be cut short unnoticed, so it alone is measured (streamed).
    """
    head, total = _read_last_record(path, offset, gzipped)
    end = head.find(b'\r\n\r\n')
    length = _content_length(head[:end]) if end >= 0 else None
    if length is None:
        raise WarcFormatError('last record is cut short in its header', path=str(path),
                              offset=offset)
    if total < end + 4 + length:
        raise WarcFormatError(
            f'last record is cut short: {total - end - 4} of its {length} bytes are there',
            path=str(path), offset=offset)


def _read_last_record(path: Path, offset: int, gzipped: bool) -> tuple[bytes, int]:
    """The start of the record at ``offset`` (its header, at least) and its size, inflated.

    :raises WarcFormatError: its gzip member is damaged or cut short, or bytes follow it.
    """
    inflate = zlib.decompressobj(wbits=31) if gzipped else None
    head = b''
    total = trailing = 0
    with open(path, 'rb') as f:
        f.seek(offset)
        for block in iter(lambda: f.read(_BLOCK), b''):
            if inflate is not None:
                if inflate.eof:
                    trailing += len(block)
                    continue
                try:
                    block = inflate.decompress(block)
                except zlib.error as error:
                    raise WarcFormatError(f'damaged gzip member: {error}', path=str(path),
                                          offset=offset) from None
                trailing += len(inflate.unused_data) if inflate.eof else 0
            if len(head) < _MAX_HEADER and b'\r\n\r\n' not in head:
                head += block
            total += len(block)
        size = f.tell()
    if inflate is not None and not inflate.eof:
        raise WarcFormatError('last record is cut short (its gzip member ends early)',
                              path=str(path), offset=offset)
    if trailing:
        raise WarcFormatError('unreadable bytes after the last record', path=str(path),
                              offset=size - trailing)
    return head, total


def _content_length(header: bytes) -> int | None:
    """The Content-Length of a WARC header block, or None if it has none that is a number."""
    length = None
    for line in header.split(b'\r\n'):
        name, _, value = line.partition(b':')
        if name.strip().lower() == b'content-length' and value.strip().isdigit():
            length = int(value)
    return length
