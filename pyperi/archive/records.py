"""Reading one captured HTTP response out of a WARC file, by the offset its index gives."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .errors import WarcFormatError, import_fastwarc

__all__ = ['CapturedResponse', 'RecordBody', 'read_record']

logger = logging.getLogger(__name__)

# Hop-by-hop framing that was undone when the record was read: not to be replayed.
_FRAMING = frozenset({'transfer-encoding', 'connection', 'keep-alive'})


class RecordBody:
    """A record's payload as a file-like object that closes its WARC file when done.

    Reads stream from the file (a segment of megabytes is never held in memory);
    a damaged payload raises :class:`~pyperi.archive.errors.WarcFormatError`.
    """

    def __init__(self, file: IO[bytes], keep: Any, reader: Any, path: Path, offset: int) -> None:
        self._file = file
        self._keep = keep   # the iterator and record the reader belongs to
        self._reader = reader
        self._path = path
        self._offset = offset

    @property
    def closed(self) -> bool:
        return self._file.closed

    def read(self, size: int = -1) -> bytes:
        if self._file.closed:
            return b''
        try:
            return bytes(self._reader.read() if size is None or size < 0
                         else self._reader.read(size))
        except (OSError, ValueError) as error:
            self.close()
            raise WarcFormatError(f'damaged payload: {error}', path=str(self._path),
                                  offset=self._offset) from None

    def close(self) -> None:
        self._keep = self._reader = None
        self._file.close()

    def __enter__(self) -> RecordBody:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


@dataclass
class CapturedResponse:
    """A captured response: status line, headers (framing removed) and a streaming body."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: RecordBody


def read_record(path: Path, offset: int) -> CapturedResponse:
    """Open the record at ``offset`` of ``path`` and return its HTTP response.

    A chunked body comes out de-chunked (its ``Transfer-Encoding`` dropped); a
    ``Content-Encoding`` is left for the client to decode. A resource record
    (no HTTP message) is a 200 with the record's Content-Type.

    :raises WarcFormatError: no readable record starts there (the file changed or is damaged).
    :raises OSError: the file cannot be opened.
    """
    fastwarc = import_fastwarc()
    file = open(path, 'rb')
    try:
        file.seek(offset)
        iterator = fastwarc.ArchiveIterator(file, parse_http=True, auto_decode='transfer')
        record = next(iterator, None)
        if record is None or record.stream_pos != offset:
            raise WarcFormatError('no WARC record starts here; was the file changed?',
                                  path=str(path), offset=offset)
        body = RecordBody(file, (iterator, record), record.reader, path, offset)
        if not record.is_http:
            content_type = record.headers.get('Content-Type') or 'application/octet-stream'
            return CapturedResponse(200, 'OK', [('Content-Type', content_type),
                                                ('Content-Length', str(record.content_length))],
                                    body)
        http = record.http_headers
        chunked = 'chunked' in (http.get('Transfer-Encoding') or '').lower()
        headers = [(name, value) for name, value in http.items()
                   if name.lower() not in _FRAMING
                   and not (chunked and name.lower() == 'content-length')]
        return CapturedResponse(int(http.status_code or 200), http.reason_phrase or '',
                                headers, body)
    except (OSError, ValueError) as error:
        file.close()
        if isinstance(error, WarcFormatError):
            raise
        raise WarcFormatError(f'damaged WARC record: {error}', path=str(path),
                              offset=offset) from None
    except BaseException:
        file.close()
        raise
