"""One capture of a URL in a WARC file, and its line in a CDXJ index.

A CDXJ line is ``<key> <14-digit timestamp> <JSON>``, the JSON holding the field
names pywb and cdxj-indexer use (``url``, ``mime``, ``status``, ``digest``,
``length``, ``offset``, ``filename``, all strings) plus ``location`` for a
redirect and ``refers_to_uri`` / ``refers_to_date`` for a revisit.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

#: A str as a JSON string literal (json's own C quoting).
quote_json = json.encoder.encode_basestring

__all__ = ['Capture', 'REVISIT_MIME', 'cdxj_line', 'parse_cdxj_line', 'quote_json']

#: The ``mime`` of a revisit record in CDXJ indexes, as pywb writes it.
REVISIT_MIME = 'warc/revisit'


@dataclass(frozen=True)
class Capture:
    """Where one capture lies and what it answered.

    :ivar key: the canonical key of its URL (see :mod:`pyperi.archive.keys`).
    :ivar timestamp: when it was captured, ``YYYYMMDDhhmmss`` UTC.
    :ivar url: the URL as captured.
    :ivar status: the captured HTTP status (200 for a resource record).
    :ivar mime: the captured Content-Type, or ``warc/revisit``.
    :ivar filename: the WARC file's name.
    :ivar offset: where the record starts in the file.
    :ivar length: the record's length in the file.
    :ivar digest: the payload digest (``sha1:...``), if recorded.
    :ivar location: where a captured redirect pointed.
    :ivar refers_to_uri: the URL of the capture a revisit stands for.
    :ivar refers_to_date: when that capture was made.
    :ivar file_number: which of the archive's files holds it (not written to CDXJ).
    """

    key: str
    timestamp: str
    url: str
    status: int
    mime: str
    filename: str
    offset: int
    length: int
    digest: str | None = None
    location: str | None = None
    refers_to_uri: str | None = None
    refers_to_date: str | None = None
    file_number: int = 0

    @property
    def is_revisit(self) -> bool:
        """Whether the record only points at an earlier capture with the same payload."""
        return self.mime == REVISIT_MIME

    @property
    def is_redirect(self) -> bool:
        """Whether it is a captured redirect with somewhere to go."""
        return 300 <= self.status < 400 and bool(self.location)


def cdxj_line(key: str, timestamp: str, fields: dict[str, str | None]) -> bytes:
    """One CDXJ line (without the newline); fields that are None are left out.

    Every value is a string, so the JSON object is joined here from quoted strings
    (``json.dumps`` costs more than the rest of indexing a record).
    """
    body = ', '.join([f'"{name}": {quote_json(value)}' for name, value in fields.items()
                      if value is not None])  # names are plain words: no quoting needed
    return f'{key} {timestamp} {{{body}}}'.encode('utf-8')


def parse_cdxj_line(line: bytes, file_number: int = 0) -> Capture:
    """The capture a CDXJ line describes.

    :raises ValueError: the line is not a CDXJ line with the fields pyperi writes.
    """
    try:
        key, timestamp, body = line.decode('utf-8').split(' ', 2)
        fields = json.loads(body)
        return Capture(
            key=key, timestamp=timestamp, url=str(fields['url']),
            status=int(fields.get('status') or 200), mime=str(fields.get('mime', '')),
            filename=str(fields['filename']), offset=int(fields['offset']),
            length=int(fields['length']), digest=fields.get('digest'),
            location=fields.get('location'), refers_to_uri=fields.get('refers_to_uri'),
            refers_to_date=fields.get('refers_to_date'), file_number=file_number)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f'not a pyperi CDXJ line: {line[:80]!r} ({error})') from None
