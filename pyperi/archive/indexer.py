"""Streaming a WARC file once into sorted CDXJ lines, one per response, revisit or resource.

The file is read with FastWARC (see :doc:`archives` for why): it seeks past the
bodies of uncompressed records and inflates gzip members in native code.
Damage is reported as :class:`~pyperi.archive.errors.WarcFormatError` naming
the file and the byte: a record that does not parse, a file gzipped as a whole
(its records cannot be read one by one), and a last record cut short.
"""
from __future__ import annotations

import logging
import zlib
from pathlib import Path
from typing import AbstractSet, Any

from .captures import REVISIT_MIME, quote_json
from .errors import WarcFormatError, import_fastwarc
from .keys import canonical_key
from .when import warc_date_timestamp

__all__ = ['index_warc', 'is_gzip']

logger = logging.getLogger(__name__)

_GZIP_MAGIC = b'\x1f\x8b'
_BLOCK = 1 << 16
# A WARC header block is never this long; used to bound the look at a last record.
_MAX_HEADER = 1 << 20


def is_gzip(path: Path) -> bool:
    """Whether the file starts like a gzip stream (a ``.warc.gz``, whatever its name)."""
    with open(path, 'rb') as f:
        return f.read(2) == _GZIP_MAGIC


class _Reader:
    """FastWARC's record types and header names, looked up once (by name they are slow)."""

    def __init__(self, fastwarc: Any) -> None:
        types, names = fastwarc.WarcRecordType, fastwarc.WarcHeader
        self.response, self.revisit, self.resource = types.response, types.revisit, types.resource
        self.indexed = (self.response, self.revisit, self.resource)
        self.uri, self.date = names.WARC_TARGET_URI, names.WARC_DATE
        self.digest, self.content_type = names.WARC_PAYLOAD_DIGEST, names.CONTENT_TYPE
        self.refers_uri, self.refers_date = names.WARC_REFERS_TO_TARGET_URI, \
            names.WARC_REFERS_TO_DATE

    def line_start(self, record: Any, ignore: AbstractSet[str]) -> str | None:
        """A record's CDXJ line up to its ``length``, ``offset`` and ``filename``; None to skip.

        Written with f-strings rather than :func:`~pyperi.archive.captures.cdxj_line` (same
        output): for uncompressed files this is most of the indexing time.
        """
        kind = record.record_type
        if kind not in self.indexed:
            return None
        headers = record.headers
        uri = headers.get(self.uri)
        timestamp = warc_date_timestamp(headers.get(self.date))
        if not uri or timestamp is None:
            return None
        if uri.startswith('<') and uri.endswith('>'):  # WARC/1.0's grammar, as some write it
            uri = uri[1:-1]
        try:
            key = canonical_key(uri, ignore)
        except ValueError:  # dns:, urn: and other records that are not web captures
            return None
        http = record.http_headers if record.is_http else None
        status = http.status_code if http is not None else None
        extra = ''
        if kind == self.revisit:
            mime = REVISIT_MIME
            refers_uri = headers.get(self.refers_uri)
            refers_date = warc_date_timestamp(headers.get(self.refers_date))
            if refers_uri:
                extra += f', "refers_to_uri": {quote_json(refers_uri)}'
            if refers_date:
                extra += f', "refers_to_date": "{refers_date}"'
        elif http is not None:
            mime = record.http_content_type or ''
        elif kind == self.resource:
            status = 200
            mime = (headers.get(self.content_type) or '').split(';', 1)[0].strip()
        else:
            return None  # a response record without an HTTP message
        line = f'{key} {timestamp} {{"url": {quote_json(uri)}, "mime": {quote_json(mime)}'
        if status is not None:
            line += f', "status": "{status}"'
        digest = headers.get(self.digest)
        if digest:
            line += f', "digest": {quote_json(digest)}'
        if http is not None and status is not None and 300 <= status < 400:
            location = http.get('Location')
            if location:
                extra += f', "location": {quote_json(location)}'
        return line + extra


def index_warc(path: Path, ignore: AbstractSet[str]) -> list[bytes]:
    """Read ``path`` once and return its CDXJ lines, sorted (no header line).

    :param ignore: query parameters left out of keys (see :mod:`pyperi.archive.keys`).
    :raises WarcFormatError: the file is damaged or not a WARC file.
    :raises OSError: the file cannot be read.
    :raises ImportError: FastWARC is not installed.
    """
    fastwarc = import_fastwarc()
    reader = _Reader(fastwarc)
    shown, name = str(path), path.name
    size = path.stat().st_size
    gzipped = size > 0 and is_gzip(path)
    lines: list[bytes] = []
    pending: tuple[int, str] | None = None
    tail = f'", "filename": {quote_json(name)}}}'
    position = -1
    with open(path, 'rb') as f:
        try:
            for record in fastwarc.ArchiveIterator(f, parse_http=True):
                start = record.stream_pos
                if start <= position:
                    raise WarcFormatError(
                        'gzipped as a whole, not record by record, so its records cannot be '
                        'read one at a time; recompress it (e.g. warcio recompress)',
                        path=shown, offset=start)
                if pending is not None:
                    lines.append(_line(pending, start, tail))
                if record.record_id is None:
                    raise WarcFormatError('damaged WARC record header', path=shown, offset=start)
                position = start
                found = reader.line_start(record, ignore)
                pending = None if found is None else (start, found)
        except WarcFormatError:
            raise
        except (OSError, ValueError) as error:  # FastWARC's words for a record that won't parse
            raise WarcFormatError(f'damaged WARC data after byte {max(position, 0)}: {error}',
                                  path=shown, offset=max(position, 0)) from None
    if pending is not None:
        lines.append(_line(pending, size, tail))
    if position >= 0:
        _check_last_record(path, position, gzipped)
    lines.sort()
    logger.info('indexed %s: %d captures', shown, len(lines))
    return lines


def _line(pending: tuple[int, str], end: int, tail: str) -> bytes:
    """The whole CDXJ line of the record that started at ``pending[0]`` and ends at ``end``."""
    start, line = pending
    return f'{line}, "length": "{end - start}", "offset": "{start}{tail}'.encode('utf-8')


def _check_last_record(path: Path, offset: int, gzipped: bool) -> None:
    """Raise WarcFormatError when the record at ``offset`` ends before its Content-Length,
    or (gzip) unreadable bytes follow it.

    Damage in the middle of a file stops the reader at the next record; only the
    last record can be cut short unnoticed, so it alone is measured (streamed).
    """
    shown = str(path)
    inflate = zlib.decompressobj(wbits=31) if gzipped else None
    head = b''
    total = trailing = 0
    with open(path, 'rb') as f:
        f.seek(offset)
        while True:
            block = f.read(_BLOCK)
            if not block:
                break
            if inflate is None:
                data = block
            elif inflate.eof:
                trailing += len(block)
                continue
            else:
                try:
                    data = inflate.decompress(block)
                except zlib.error as error:
                    raise WarcFormatError(f'damaged gzip member: {error}', path=shown,
                                          offset=offset) from None
                trailing += len(inflate.unused_data) if inflate.eof else 0
            if len(head) < _MAX_HEADER and b'\r\n\r\n' not in head:
                head += data
            total += len(data)
        size = f.tell()
    if inflate is not None and not inflate.eof:
        raise WarcFormatError('last record is cut short (its gzip member ends early)',
                              path=shown, offset=offset)
    if trailing:
        raise WarcFormatError('unreadable bytes after the last record', path=shown,
                              offset=size - trailing)
    end = head.find(b'\r\n\r\n')
    length = None
    for line in head[:max(end, 0)].split(b'\r\n'):
        name, _, value = line.partition(b':')
        if name.strip().lower() == b'content-length' and value.strip().isdigit():
            length = int(value)
    if end < 0 or length is None:
        raise WarcFormatError('last record is cut short in its header', path=shown, offset=offset)
    if total < end + 4 + length:
        raise WarcFormatError(
            f'last record is cut short: {total - end - 4} of its {length} bytes are there',
            path=shown, offset=offset)
