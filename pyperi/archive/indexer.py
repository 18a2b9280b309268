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

from .captures import REVISIT_MIME, cdxj_line
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


def _target(headers: Any) -> str | None:
    uri: str | None = headers.get('WARC-Target-URI')
    if uri and uri.startswith('<') and uri.endswith('>'):  # WARC/1.0's grammar, some writers
        uri = uri[1:-1]
    return uri


def _fields(record: Any, kinds: Any,
            ignore: AbstractSet[str]) -> tuple[str, str, dict[str, Any]] | None:
    """Key, timestamp and CDXJ fields (without offset and length) of a record; None to skip."""
    kind = record.record_type
    if kind not in kinds:
        return None
    headers = record.headers
    uri = _target(headers)
    timestamp = warc_date_timestamp(headers.get('WARC-Date'))
    if not uri or timestamp is None:
        return None
    try:
        key = canonical_key(uri, ignore)
    except ValueError:  # dns:, urn: and other records that are not web captures
        return None
    fields: dict[str, Any] = {'url': uri}
    http = record.http_headers if record.is_http else None
    status = http.status_code if http is not None else None
    if kind == kinds.revisit:
        fields['mime'] = REVISIT_MIME
        fields['refers_to_uri'] = headers.get('WARC-Refers-To-Target-URI')
        fields['refers_to_date'] = warc_date_timestamp(headers.get('WARC-Refers-To-Date'))
    elif http is not None:
        fields['mime'] = (http.get('Content-Type') or '').split(';', 1)[0].strip()
    elif kind == kinds.resource:
        status = 200
        fields['mime'] = (headers.get('Content-Type') or '').split(';', 1)[0].strip()
    else:
        return None  # a response record without an HTTP message
    fields['status'] = str(status) if status is not None else None
    fields['digest'] = headers.get('WARC-Payload-Digest')
    if http is not None and status is not None and 300 <= status < 400:
        fields['location'] = http.get('Location')
    return key, timestamp, fields


class _Kinds:
    """The record types indexed, as FastWARC's flags."""

    def __init__(self, fastwarc: Any) -> None:
        types = fastwarc.WarcRecordType
        self.response, self.revisit, self.resource = types.response, types.revisit, types.resource
        self._all = (self.response, self.revisit, self.resource)

    def __contains__(self, kind: Any) -> bool:
        return kind in self._all


def index_warc(path: Path, ignore: AbstractSet[str]) -> list[bytes]:
    """Read ``path`` once and return its CDXJ lines, sorted (no header line).

    :param ignore: query parameters left out of keys (see :mod:`pyperi.archive.keys`).
    :raises WarcFormatError: the file is damaged or not a WARC file.
    :raises OSError: the file cannot be read.
    :raises ImportError: FastWARC is not installed.
    """
    fastwarc = import_fastwarc()
    kinds = _Kinds(fastwarc)
    shown, name = str(path), path.name
    size = path.stat().st_size
    gzipped = size > 0 and is_gzip(path)
    lines: list[bytes] = []
    pending: tuple[int, str, str, dict[str, Any]] | None = None
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
                    lines.append(_line(pending, start - pending[0], name))
                if record.record_id is None or record.headers.get('WARC-Type') is None:
                    raise WarcFormatError('damaged WARC record header', path=shown, offset=start)
                position = start
                found = _fields(record, kinds, ignore)
                pending = None if found is None else (start, *found)
        except WarcFormatError:
            raise
        except (OSError, ValueError) as error:  # FastWARC's words for a record that won't parse
            raise WarcFormatError(f'damaged WARC data after byte {max(position, 0)}: {error}',
                                  path=shown, offset=max(position, 0)) from None
    if pending is not None:
        lines.append(_line(pending, size - pending[0], name))
    if position >= 0:
        _check_last_record(path, position, gzipped)
    lines.sort()
    logger.info('indexed %s: %d captures', shown, len(lines))
    return lines


def _line(pending: tuple[int, str, str, dict[str, Any]], length: int, name: str) -> bytes:
    start, key, timestamp, fields = pending
    fields.update(length=str(length), offset=str(start), filename=name)
    return cdxj_line(key, timestamp, fields)


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
