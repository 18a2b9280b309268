"""WARC files of the fake Periscope, under the real Periscope URLs: archives to try pyperi on.

:func:`write_warc` records a run against a :class:`~pyperi.testing.FakePeriscope`
(user pages, API calls, replay playlists and segments) as a WARC file, as a
crawler would have archived Periscope: ``https://www.periscope.tv/...``,
``https://api.periscope.tv/api/v2/...`` and ``https://replay.periscope.tv/...``.
:class:`WarcWriter` writes single records, for tests that need particular ones
(several captures of a URL, revisits, redirects). Needs FastWARC
(``pip install "pyperi[archive]"``).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import secrets
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterable, Sequence
from urllib.parse import urljoin, urlsplit

import requests

from pyperi import urls, web
from pyperi.testing.dataset import (
    EMPTY_HISTORY_USERNAME, GEORGE_CLINTON_USERNAME, MARKETING_USERNAME, MISSING_BROADCAST_IDS,
    MISSING_USER_IDS, MISSING_USERNAMES,
)

if TYPE_CHECKING:  # pragma: no cover
    from pyperi.testing.fake import FakePeriscope

__all__ = ['DEFAULT_WARC_USERS', 'REAL_API_BASE_URL', 'REAL_LIVE_BASE_URL',
           'REAL_REPLAY_BASE_URL', 'REAL_WEB_BASE_URL', 'WarcWriter', 'payload_digest',
           'write_warc']

REAL_WEB_BASE_URL = urls.DEFAULT_WEB_BASE_URL
REAL_API_BASE_URL = urls.DEFAULT_API_BASE_URL
#: Where the recorded replay playlists and segments are filed (Periscope's replay host).
REAL_REPLAY_BASE_URL = 'https://replay.periscope.tv'
#: Where live playlists are filed (the transcoder's CDN host, as in 2019's accessVideoPublic).
REAL_LIVE_BASE_URL = 'https://prod-fastly-us-west-1.video.pscp.tv'
#: The users :func:`write_warc` records by default: their pages, API calls and replays.
DEFAULT_WARC_USERS = (GEORGE_CLINTON_USERNAME, MARKETING_USERNAME, EMPTY_HISTORY_USERNAME)

_TEXT_TYPES = ('application/json', 'text/', 'application/vnd.apple.mpegurl',
               'application/x-mpegurl')
_HOP_BY_HOP = frozenset({'content-length', 'transfer-encoding', 'connection', 'keep-alive'})
_REASONS = {200: 'OK', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified',
            400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
            500: 'Internal Server Error', 503: 'Service Unavailable'}


def payload_digest(body: bytes) -> str:
    """``sha1:<base32>``, the payload digest WARC writers record (and revisits refer to)."""
    return 'sha1:' + base64.b32encode(hashlib.sha1(body).digest()).decode('ascii')


def _warc_date(date: datetime | None) -> str:
    moment = date if date is not None else datetime.now(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def _fastwarc() -> Any:
    try:
        import fastwarc
    except ImportError as error:
        raise ImportError('writing WARC files needs the optional fastwarc package: '
                          'pip install "pyperi[archive]"') from error
    return fastwarc


class WarcWriter:
    """Writes WARC records into a new file, published under its name only when closed.

    Use it as a context manager; if the block raises, no file is left behind::

        with WarcWriter('capture.warc.gz') as warc:
            warc.response('https://www.periscope.tv/george_clinton', b'<html>...',
                          headers=[('Content-Type', 'text/html; charset=utf-8')])

    :param path: the file to write (replaced if it exists).
    :param gzip: compress each record as its own gzip member (default: the name ends in ``.gz``).
    """

    def __init__(self, path: str | os.PathLike[str], *, gzip: bool | None = None) -> None:
        self._fastwarc = _fastwarc()
        self.path = Path(path)
        self.gzip = self.path.name.endswith('.gz') if gzip is None else gzip
        self._temp = self.path.with_name(f'.{self.path.name}.{secrets.token_hex(4)}.part')
        self._file: IO[bytes] | None = open(self._temp, 'wb')
        #: Records written so far.
        self.records = 0

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, exc_type: Any, exc: Any, traceback: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()

    @property
    def size(self) -> int:
        """Bytes written so far."""
        return self._file.tell() if self._file is not None else self.path.stat().st_size

    def close(self) -> None:
        """Finish the file and move it to its name."""
        if self._file is None:
            return
        self._file.close()
        self._file = None
        os.replace(self._temp, self.path)

    def discard(self) -> None:
        """Drop what was written; no file appears."""
        if self._file is not None:
            self._file.close()
            self._file = None
        with contextlib.suppress(FileNotFoundError):
            self._temp.unlink()

    def _write(self, kind: str, url: str, block: bytes, content_type: str, *,
               date: datetime | None, http: bool, extra: Sequence[tuple[str, str]] = ()) -> str:
        if self._file is None:
            raise ValueError('the WarcWriter is closed')
        fw = self._fastwarc
        record = fw.WarcRecord()
        record_id = f'<urn:uuid:{uuid.uuid4()}>'
        record.init_headers(getattr(fw.WarcRecordType, kind), content_length=len(block))
        record.headers['WARC-Record-ID'] = record_id
        record.headers['WARC-Date'] = _warc_date(date)
        record.headers['WARC-Target-URI'] = url
        record.headers['Content-Type'] = content_type
        for name, value in extra:
            record.headers[name] = value
        record.set_bytes_content(block)
        record.is_http = http
        if self.gzip:
            out = fw.GzipWriter(self._file)
            record.write(out, checksum_data=True)
            out.finish()
        else:
            record.write(self._file, checksum_data=True)
        self.records += 1
        return record_id

    def response(self, url: str, body: bytes = b'', *, status: int = 200,
                 headers: Iterable[tuple[str, str]] = (), date: datetime | None = None,
                 reason: str | None = None, raw_body: bool = False) -> str:
        """Write a ``response`` record: an HTTP response captured from ``url``; its record id.

        ``Content-Length`` is set from ``body`` unless ``raw_body`` (the body is
        written as given, e.g. already chunked, with the headers as given).
        """
        lines = [f'HTTP/1.1 {status} {reason or _REASONS.get(status, "Status")}']
        lines += [f'{name}: {value}' for name, value in headers
                  if raw_body or name.lower() not in _HOP_BY_HOP]
        if not raw_body:
            lines.append(f'Content-Length: {len(body)}')
        block = ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1') + body
        return self._write('response', url, block, 'application/http; msgtype=response',
                           date=date, http=True,
                           extra=[('WARC-Payload-Digest', payload_digest(body))])

    def revisit(self, url: str, *, refers_to_uri: str, refers_to_date: datetime,
                digest: str, status: int = 200, headers: Iterable[tuple[str, str]] = (),
                date: datetime | None = None) -> str:
        """Write a ``revisit`` record (identical payload digest) pointing at an earlier capture."""
        lines = [f'HTTP/1.1 {status} {_REASONS.get(status, "Status")}']
        lines += [f'{name}: {value}' for name, value in headers]
        block = ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1')
        extra = [('WARC-Profile',
                  'http://netpreserve.org/warc/1.1/revisit/identical-payload-digest'),
                 ('WARC-Refers-To-Target-URI', refers_to_uri),
                 ('WARC-Refers-To-Date', _warc_date(refers_to_date)),
                 ('WARC-Payload-Digest', digest)]
        return self._write('revisit', url, block, 'application/http; msgtype=response',
                           date=date, http=True, extra=extra)

    def resource(self, url: str, body: bytes, content_type: str, *,
                 date: datetime | None = None) -> str:
        """Write a ``resource`` record: content without an HTTP message."""
        return self._write('resource', url, body, content_type, date=date, http=False,
                           extra=[('WARC-Payload-Digest', payload_digest(body))])

    def request(self, url: str, *, date: datetime | None = None,
                concurrent_to: str | None = None) -> str:
        """Write the ``request`` record of a GET (archives keep them; readers skip them)."""
        parts = urlsplit(url)
        target = parts.path or '/'
        if parts.query:
            target += '?' + parts.query
        block = (f'GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n'
                 f'User-Agent: pyperi-testing\r\n\r\n').encode('latin-1')
        extra = [('WARC-Concurrent-To', concurrent_to)] if concurrent_to else []
        return self._write('request', url, block, 'application/http; msgtype=request',
                           date=date, http=True, extra=extra)


class _Recorder:
    """GETs URLs of a running fake and writes each exchange under the real Periscope URLs."""

    def __init__(self, fake: FakePeriscope, warc: WarcWriter, date: datetime | None) -> None:
        self.base = fake.web_base_url
        self.warc = warc
        self.date = date
        self.session = requests.Session()
        self.session.trust_env = False
        self._replace = (
            (self.base + '/Transcoding/', REAL_LIVE_BASE_URL + '/Transcoding/'),
            (self.base + '/api/v2', REAL_API_BASE_URL),
        )
        # Replay files live under /<replay key>/ (88 characters ending in ==) on the fake's host.
        self._replay = re.compile(re.escape(self.base) + r'(?=/[A-Za-z0-9_-]{86}==/)')
        host = re.escape(fake.host)
        self._domain = re.compile(r'("Domain":\s*")' + host + '"')

    def close(self) -> None:
        self.session.close()

    def real(self, text: str) -> str:
        """``text`` with the fake's URLs turned into Periscope's."""
        for fake_url, real_url in self._replace:
            text = text.replace(fake_url, real_url)
        text = self._replay.sub(REAL_REPLAY_BASE_URL, text).replace(self.base, REAL_WEB_BASE_URL)
        return self._domain.sub(r'\1.periscope.tv"', text)

    def get(self, url: str, cookies: dict[str, str] | None = None) -> requests.Response:
        """GET ``url`` from the fake and record it; the fake's own response is returned."""
        response = self.session.get(url, cookies=cookies, timeout=30, allow_redirects=False)
        body = response.content
        content_type = response.headers.get('Content-Type', '')
        if content_type.startswith(_TEXT_TYPES):
            body = self.real(body.decode('utf-8')).encode('utf-8')
        headers = [(name, value) for name, value in response.raw.headers.items()
                   if name.lower() not in ('date', 'server')]
        real_url = self.real(url)
        record_id = self.warc.response(real_url, body, status=response.status_code,
                                       reason=response.reason, headers=headers, date=self.date)
        self.warc.request(real_url, date=self.date, concurrent_to=record_id)
        return response

    def api(self, endpoint: str, **params: Any) -> requests.Response:
        return self.get(urls.api_url(self.base + '/api/v2', endpoint, params))

    def user(self, username: str, replays: bool) -> None:
        """A user's pages, profile, history and, with ``replays``, every replay in it."""
        page = self.get(urls.user_url(self.base, username=username))
        if page.status_code != 200:
            return
        tokens = web.session_tokens(web.extract_data_store(web.body_text(page)),
                                    username=username)
        user_id = tokens['user_id']
        self.get(urls.user_url(self.base, user_id=user_id))
        self.api('getUserPublic', user_id=user_id)
        self.api('getUserPublic', username=username)
        history = self.api('getUserBroadcastsPublic', user_id=user_id, all='true',
                           session_id=tokens['broadcastHistory'])
        for broadcast in history.json().get('broadcasts', []):
            self.broadcast(str(broadcast['id']), replays)

    def broadcast(self, broadcast_id: str, replays: bool) -> None:
        access = self.api('accessVideoPublic', broadcast_id=broadcast_id)
        self.get(urls.broadcast_url(self.base, broadcast_id))
        if access.status_code != 200 or not replays:
            return
        body = access.json()
        replay_url = body.get('replay_url')
        if not replay_url or body.get('broadcast', {}).get('state') == 'RUNNING':
            return  # a live playlist never ends: archives hold replays
        cookies = {c['Name']: c['Value'] for c in body.get('cookies') or []}
        self.playlist(replay_url, cookies)

    def playlist(self, url: str, cookies: dict[str, str], depth: int = 0) -> None:
        """A playlist and what it lists: variant playlists (of a master) or segments."""
        response = self.get(url, cookies)
        if response.status_code != 200 or depth > 2:
            return
        for line in response.text.splitlines():
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            target = urljoin(url, line)
            if target.split('?', 1)[0].endswith('.m3u8'):
                self.playlist(target, cookies, depth + 1)
            else:
                self.get(target, cookies)

    def missing(self) -> None:
        """What Periscope answered 404 for: archives hold those answers too."""
        for username in MISSING_USERNAMES:
            self.get(urls.user_url(self.base, username=username))
            self.api('getUserPublic', username=username)
        for user_id in MISSING_USER_IDS:
            self.api('getUserPublic', user_id=user_id)
        for broadcast_id in MISSING_BROADCAST_IDS:
            self.api('accessVideoPublic', broadcast_id=broadcast_id)


def write_warc(path: str | os.PathLike[str], *, users: Iterable[str] = DEFAULT_WARC_USERS,
               replays: bool = True, fake: FakePeriscope | None = None,
               gzip: bool | None = None, date: datetime | None = None) -> int:
    """Record the fake Periscope into a WARC file under the real Periscope URLs.

    For each user: the page by name and by id, ``getUserPublic`` by id and by
    name, ``getUserBroadcastsPublic`` (with the page's token), and for each
    broadcast ``accessVideoPublic``, its page and (with ``replays``) its replay
    playlists and segments; plus the 404s of the dataset's missing users and
    broadcasts. Returns the number of records written.

    :param users: usernames to record (default :data:`DEFAULT_WARC_USERS`).
    :param fake: a running fake to record (default: a new one with the default data and
        small replays, five segments each).
    :param gzip: compress record by record (default: the name ends in ``.gz``).
    :param date: the ``WARC-Date`` of every record (default: when each was recorded).
    """
    if isinstance(users, str):
        raise TypeError('users must be a collection of usernames, not one string')
    names = [urls.validate_username(name, 'users') for name in users]
    own = fake is None
    if fake is None:
        from pyperi.testing.fake import FakePeriscope

        fake = FakePeriscope(small_replays=True).start()
    try:
        with WarcWriter(path, gzip=gzip) as warc:
            recorder = _Recorder(fake, warc, date)
            try:
                for name in names:
                    recorder.user(name, replays)
                recorder.missing()
            finally:
                recorder.close()
        return warc.records
    finally:
        if own:
            fake.stop()
