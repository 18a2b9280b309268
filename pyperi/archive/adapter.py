"""A ``requests`` transport adapter that answers GETs from WARC files instead of the network."""
from __future__ import annotations

import io
import logging
from datetime import date, datetime
from email.utils import formatdate
from typing import Any, Mapping

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from urllib3 import HTTPResponse
from urllib3._collections import HTTPHeaderDict

from ..exceptions import PyPeriNotArchivedError
from .captures import Capture
from .index import ArchiveIndex
from .keys import display_url
from .records import read_record
from .when import parse_when, timestamp_seconds

__all__ = ['ArchiveAdapter']

logger = logging.getLogger(__name__)


def _shown_time(timestamp: str) -> str:
    """``20210301120000`` as ``2021-03-01T12:00:00Z``, for messages."""
    t = timestamp.ljust(14, '0')
    return f'{t[0:4]}-{t[4:6]}-{t[6:8]}T{t[8:10]}:{t[10:12]}:{t[12:14]}Z'


class ArchiveAdapter(BaseAdapter):
    """Replays captured responses from an :class:`~pyperi.archive.index.ArchiveIndex`.

    Mount it on a session for ``http://`` and ``https://`` (or use
    :func:`~pyperi.archive.archive_session`). For each GET it picks the capture of
    the URL's canonical key nearest to ``when`` and replays its status, headers and
    body (streamed from the file), with a ``Memento-Datetime`` header saying when
    it was captured. A captured redirect is returned as such, so the session
    follows it inside the archive.

    :param index: the captures to answer from; closed with the adapter.
    :param when: which captures (see :func:`~pyperi.archive.when.parse_when`); None: the latest.
    :raises PyPeriNotArchivedError: (from ``send``) the archive holds no capture of the URL.
    """

    def __init__(self, index: ArchiveIndex, *,
                 when: str | datetime | date | None = None) -> None:
        super().__init__()
        self.index = index
        self.when = parse_when(when)

    def __repr__(self) -> str:
        return f'<ArchiveAdapter {self.index!r} when={self.when}>'

    def close(self) -> None:
        self.index.close()

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Mapping[str, str] | None = None) -> requests.Response:
        """Answer ``request`` from the archive (timeouts, TLS and proxies do not apply).

        :raises PyPeriNotArchivedError: no capture of the URL (or of a revisit's original).
        :raises WarcFormatError: the record cannot be read.
        """
        url = request.url or ''
        shown = display_url(url, self.index.ignore)
        if request.method not in ('GET', 'HEAD'):
            raise PyPeriNotArchivedError(
                f'not archived: {request.method} {shown} (archives replay GET requests only)',
                url=shown)
        capture = self.find(url)
        source = capture
        if capture.is_revisit:
            original = self.index.original(capture)
            if original is None:
                raise PyPeriNotArchivedError(
                    f'not archived: {shown} (captured {_shown_time(capture.timestamp)} as a '
                    f'revisit whose original record is not in the archive)', url=shown)
            source = original
        logger.debug('replaying %s captured %s from %s', shown, capture.timestamp,
                     self.index.path(source).name)
        return self._response(request, capture, source)

    def find(self, url: str) -> Capture:
        """The capture replayed for ``url``.

        :raises PyPeriNotArchivedError: there is none.
        """
        try:
            key = self.index.key(url)
        except ValueError:
            key = None
        capture = None if key is None else self.index.nearest(key, self.when)
        if capture is None and key is not None:
            similar = self.index.similar_key(key)
            if similar is not None:
                capture = self.index.nearest(similar, self.when)
        if capture is None:
            raise self._not_archived(url, key)
        return capture

    def _not_archived(self, url: str, key: str | None) -> PyPeriNotArchivedError:
        shown = display_url(url, self.index.ignore)
        nearest = tuple((display_url(c.url, self.index.ignore), _shown_time(c.timestamp))
                        for c in (self.index.neighbours(key) if key else ()))
        text = f'not archived: {shown}'
        if key is not None and self.index.captures(key):
            text += ' (only captured as a redirect to itself)'
        if nearest:
            text += '; nearest captures: ' + ', '.join(f'{u} ({t})' for u, t in nearest)
        return PyPeriNotArchivedError(text, url=shown, nearest=nearest)

    def _response(self, request: requests.PreparedRequest, capture: Capture,
                  source: Capture) -> requests.Response:
        captured = read_record(self.index.path(source), source.offset)
        status = captured.status
        if capture is not source and capture.status not in (0, 304):
            status = capture.status  # a revisit's own status, with its original's payload
        headers = HTTPHeaderDict(captured.headers)
        headers['Memento-Datetime'] = formatdate(timestamp_seconds(capture.timestamp),
                                                 usegmt=True)
        body: Any = captured.body
        if request.method == 'HEAD':
            captured.body.close()
            body = io.BytesIO(b'')
        raw = HTTPResponse(body=body, headers=headers, status=status, reason=captured.reason,
                           preload_content=False, decode_content=False,
                           request_method=request.method, request_url=request.url)
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(headers)
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw = raw
        response.reason = captured.reason
        response.url = request.url or ''
        response.request = request
        response.connection = self  # type: ignore[assignment]  # requests types it narrowly
        return response
