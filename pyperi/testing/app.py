"""Routes of the fake Periscope: the API, the web pages and the HLS files (no socket code)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

from pyperi.testing import hls, pages
from pyperi.testing.response import Response, error_response, json_response
from pyperi.testing.store import BroadcastRecord, Dataset
from pyperi.testing.wire import (
    API_PATH, CLOUDFRONT_COOKIES, CLOUDFRONT_KEY_PAIR_ID, HISTORY_TOKEN, REFUSED_STATUS,
    TOKEN_NAMES, USERNAME_RE,
)

__all__ = ['App']

_RESERVED = {'w', 'u', 'hls', 'api', 'assets', 'favicon.ico', 'robots.txt'}
_HTML = 'text/html; charset=utf-8'
_M3U8 = 'application/vnd.apple.mpegurl'
_COOKIE_TTL = 6 * 3600
_CHUNK_RE = re.compile(r'chunk_(\d+)\.ts')
_LIVE_PLAYLISTS = ('live.m3u8', 'lhls.m3u8')


@dataclass
class _Token:
    user_id: str
    name: str
    expires: float


class App:
    """Answers requests from the dataset.

    :param dataset: the data to serve.
    :param base_url: the server's own base URL (for replay URLs and absolute HLS URIs).
    :param wall: the fake's wall clock (epoch seconds; tests can move it forward).
    :param clock: the fake's monotonic clock (live playlists grow with it).
    :param token_ttl: lifetime of issued session tokens, in seconds.
    """

    def __init__(self, dataset: Dataset, base_url: Callable[[], str], wall: Callable[[], float],
                 clock: Callable[[], float], token_ttl: float) -> None:
        self.dataset = dataset
        self.token_ttl = token_ttl
        self._base_url = base_url
        self._wall = wall
        self._clock = clock
        self._secret = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._tokens: dict[str, _Token] = {}
        self._malformed: dict[str, str] = {}

    # -- dispatch ----------------------------------------------------------------------------

    def handle(self, method: str, path: str, params: dict[str, str],
               headers: dict[str, str]) -> Response:
        """The response to a request; ``headers`` have lower-case names."""
        if method not in ('GET', 'HEAD'):
            return error_response(405, 'Method Not Allowed')
        if path.startswith(API_PATH + '/'):
            return self._api(path[len(API_PATH) + 1:], params)
        parts = [p for p in path.split('/') if p]
        if parts[:1] == ['hls']:
            return self._hls(parts[1:], headers)
        return self._page(parts)

    def _page(self, parts: list[str]) -> Response:
        if not parts:
            return _html(200, pages.home_page(self._base_url()))
        first, rest = parts[0], parts[1:]
        if len(rest) == 1 and first in ('u', 'w'):
            return self._page_by_id(first, rest[0])
        if len(rest) > 1 or not _names_a_user(first):
            return _not_found_page()
        user_id = self.dataset.user_id_for(first)
        return self._broadcast_page(rest[0], user_id) if rest else self._user_page(user_id)

    def _page_by_id(self, kind: str, ident: str) -> Response:
        """``/u/<user id>`` or ``/w/<broadcast id>``."""
        if kind == 'u':
            return self._user_page(ident if ident.isdigit() else None)
        return self._broadcast_page(ident, None)

    def set_malformed(self, user_id: str, kind: str | None) -> None:
        """Break the page of ``user_id`` as :data:`pyperi.testing.pages.MALFORMED_KINDS` say;
        None repairs it."""
        if kind is None:
            self._malformed.pop(user_id, None)
        else:
            self._malformed[user_id] = kind

    # -- API ---------------------------------------------------------------------------------

    def _api(self, endpoint: str, params: dict[str, str]) -> Response:
        handler = {
            'getUserPublic': self._get_user_public,
            'accessVideoPublic': self._access_video_public,
            'getUserBroadcastsPublic': self._get_user_broadcasts_public,
        }.get(endpoint)
        if handler is None:
            return error_response(404, 'Not Found')
        return handler(params)

    def _get_user_public(self, params: dict[str, str]) -> Response:
        user_id = params.get('user_id')
        if user_id is not None:
            if not user_id.isdigit():
                return error_response(400, 'Bad Request')
        elif params.get('username'):
            user_id = self.dataset.user_id_for(params['username'])
        else:
            return error_response(400, 'Bad Request')
        user = self.dataset.get_user(user_id) if user_id else None
        if user is None:
            return error_response(404, 'Not Found')
        return json_response(200, {'user': user})

    def _access_video_public(self, params: dict[str, str]) -> Response:
        broadcast_id = params.get('broadcast_id')
        if not broadcast_id:
            return error_response(400, 'Bad Request')
        record = self.dataset.get_record(broadcast_id)
        if record is None:
            return error_response(404, 'Not Found')
        return json_response(200, self._access_video_body(record))

    def _access_video_body(self, record: BroadcastRecord) -> dict[str, Any]:
        """The accessVideoPublic body for ``record`` (fresh cookies each time)."""
        base = self._base_url()
        body: dict[str, Any] = {
            'broadcast': dict(record.info),
            'session': secrets.token_urlsafe(48),
            'share_url': '%s/w/%s' % (base, record.id),
            'chat_token': secrets.token_urlsafe(96),
            'life_cycle_token': secrets.token_urlsafe(32),
            'broadcaster_only_visibility': False,
            'default_playback_buffer_length': 1.0,
            'cookies': self.cookies_for(record.id),
        }
        if record.running:
            live = '%s/hls/%s' % (base, record.id)
            host = urlsplit(base).hostname or '127.0.0.1'
            body.update(type='StreamTypeLowLatency', hls_url=live + '/live.m3u8',
                        https_hls_url=live + '/live.m3u8', lhls_url=live + '/lhls.m3u8',
                        lhlsweb_url=live + '/lhls.m3u8',
                        rtmp_url='rtmp://%s:1935/live/%s' % (host, record.id))
        else:
            body['type'] = 'StreamTypeReplay'
            if record.info.get('available_for_replay'):
                body['replay_url'] = self.replay_url(record.id)
        return body

    def replay_url(self, broadcast_id: str) -> str:
        """The replay playlist URL of a broadcast."""
        return '%s/hls/%s/playlist.m3u8' % (self._base_url(), broadcast_id)

    def _get_user_broadcasts_public(self, params: dict[str, str]) -> Response:
        user_id = params.get('user_id')
        if not user_id or not user_id.isdigit():
            return error_response(400, 'Bad Request')
        history = self.dataset.history(user_id)
        if history is None:
            return error_response(404, 'Not Found')
        refusal = self._check_token(params.get('session_id'), user_id)
        if refusal:
            return error_response(REFUSED_STATUS, refusal)
        return json_response(200, {'broadcasts': history})

    # -- tokens ------------------------------------------------------------------------------

    def issue_tokens(self, user_id: str) -> tuple[dict[str, tuple[str, int]], int]:
        """New session tokens for ``user_id``: ({name: (session_id, expiry_ms)}, now_ms)."""
        now = self._wall()
        expires = now + self.token_ttl
        tokens = {}
        with self._lock:
            if len(self._tokens) > 5000:
                self._tokens = {k: t for k, t in self._tokens.items() if t.expires > now}
            for name in TOKEN_NAMES:
                session_id = '%x-%s' % (secrets.randbelow(1 << 24), secrets.token_urlsafe(84))
                self._tokens[session_id] = _Token(user_id, name, expires)
                tokens[name] = (session_id, int(expires * 1000))
        return tokens, int(now * 1000)

    def expire_tokens(self) -> None:
        """Make every token issued so far expired."""
        with self._lock:
            for token in self._tokens.values():
                token.expires = float('-inf')

    def _check_token(self, session_id: str | None, user_id: str) -> str | None:
        if not session_id:
            return 'Missing session_id'
        with self._lock:
            token = self._tokens.get(session_id)
        if token is None or token.name != HISTORY_TOKEN:
            return 'Invalid session_id'
        if token.expires <= self._wall():
            return 'Expired session_id'
        if token.user_id != user_id:
            return 'session_id was not issued for this user'
        return None

    # -- web pages ---------------------------------------------------------------------------

    def _user_page(self, user_id: str | None) -> Response:
        user = self.dataset.get_user(user_id) if user_id else None
        if user is None or user_id is None:
            return _not_found_page()
        tokens, now_ms = self.issue_tokens(user_id)
        body = pages.user_page(user, tokens, now_ms,
                               canonical='%s/%s' % (self._base_url(), user['username']),
                               extra_users=self.dataset.page_users(user_id),
                               malformed=self._malformed.get(user_id))
        return _html(200, body)

    def _broadcast_page(self, broadcast_id: str, user_id: str | None) -> Response:
        record = self.dataset.get_record(broadcast_id)
        if record is None or (user_id is not None and record.info.get('user_id') != user_id):
            return _not_found_page()
        owner = str(record.info.get('user_id'))
        user = self.dataset.get_user(owner)
        if user is None:
            return _not_found_page()
        tokens, now_ms = self.issue_tokens(owner)
        body = pages.broadcast_page(user, dict(record.info), tokens, now_ms,
                                    canonical='%s/w/%s' % (self._base_url(), broadcast_id))
        return _html(200, body)

    # -- HLS ---------------------------------------------------------------------------------

    def cookies_for(self, broadcast_id: str) -> list[dict[str, str]]:
        """CloudFront-style signed cookies granting access to one broadcast's HLS files."""
        base = self._base_url()
        policy = json.dumps({'Statement': [{
            'Resource': '%s/hls/%s/*' % (base, broadcast_id),
            'Condition': {'DateLessThan': {'AWS:EpochTime': int(self._wall()) + _COOKIE_TTL}},
        }]}, separators=(',', ':'))
        encoded = _cloudfront_b64(policy.encode())
        domain = urlsplit(base).hostname or '127.0.0.1'
        path = '/hls/%s/' % broadcast_id
        values = (encoded, self._sign(encoded), CLOUDFRONT_KEY_PAIR_ID)
        return [{'Name': n, 'Value': v, 'Domain': domain, 'Path': path}
                for n, v in zip(CLOUDFRONT_COOKIES, values)]

    def _sign(self, encoded_policy: str) -> str:
        digest = hmac.new(self._secret, encoded_policy.encode(), hashlib.sha256).digest()
        return _cloudfront_b64(digest)

    def _cookies_ok(self, broadcast_id: str, headers: dict[str, str]) -> bool:
        policy_name, signature_name, key_pair_name = CLOUDFRONT_COOKIES
        jar = _cookie_jar(headers.get('cookie', ''))
        policy = jar.get(policy_name, '')
        if not policy or jar.get(key_pair_name) != CLOUDFRONT_KEY_PAIR_ID:
            return False
        if not hmac.compare_digest(jar.get(signature_name, ''), self._sign(policy)):
            return False
        try:
            statement = json.loads(_cloudfront_unb64(policy))['Statement'][0]
            resource = statement['Resource']
            expires = statement['Condition']['DateLessThan']['AWS:EpochTime']
        except (ValueError, KeyError, IndexError, TypeError):
            return False
        return (resource.endswith('/hls/%s/*' % broadcast_id)
                and float(expires) > self._wall())

    def _hls(self, parts: list[str], headers: dict[str, str]) -> Response:
        """``/hls/<broadcast id>/<file>``: signed cookies first, then the file."""
        if not parts or not self._cookies_ok(parts[0], headers):
            return Response(403, 'application/xml', _ACCESS_DENIED)
        record = self.dataset.get_record(parts[0])
        if record is None:
            return _no_such_key()
        return self._hls_file(record, parts[1:])

    def _hls_file(self, record: BroadcastRecord, rest: list[str]) -> Response:
        if len(rest) == 2:
            return self._variant_file(record, rest[0], rest[1])
        name = '/'.join(rest)
        if name in _LIVE_PLAYLISTS:
            return self._live_playlist(record)
        if name == 'key' and record.encrypted:
            return Response(200, 'application/octet-stream', hls.aes_key(record.id))
        if name == 'playlist.m3u8' and record.replayable:
            return self._replay_playlist(record)
        return _no_such_key()

    def _replay_playlist(self, record: BroadcastRecord) -> Response:
        base = self._base_url()
        if record.master:
            return _m3u8(hls.master_playlist(record, base))
        variant = hls.variants(record)[0]
        return _m3u8(hls.media_playlist(record, variant, base, from_variant_dir=False))

    def _variant_file(self, record: BroadcastRecord, variant_name: str, name: str) -> Response:
        """``<variant>/playlist.m3u8`` of a master playlist, or ``<variant>/chunk_<n>.ts``."""
        variant = hls.find_variant(record, variant_name)
        if variant is None:
            return _no_such_key()
        if name == 'playlist.m3u8' and record.replayable and record.master:
            return _m3u8(hls.media_playlist(record, variant, self._base_url()))
        match = _CHUNK_RE.fullmatch(name)
        index = int(match.group(1)) if match else None
        if index is None or index >= self._available(record):
            return _no_such_key()
        if not (record.replayable or record.running):
            return _no_such_key()
        return self._segment(record, variant, index)

    def _available(self, record: BroadcastRecord) -> int:
        """How many segments of ``record`` exist now."""
        if record.live is not None:
            return record.live.available(self._clock())
        return record.segments

    def _live_playlist(self, record: BroadcastRecord) -> Response:
        if record.live is None:
            return _no_such_key()
        first, stop = hls.live_window(record, self._available(record))
        variant = hls.variants(record)[0]
        return _m3u8(hls.media_playlist(record, variant, self._base_url(), first=first,
                                        stop=stop, ended=not record.running,
                                        from_variant_dir=False))

    def _segment(self, record: BroadcastRecord, variant: hls.Variant, index: int) -> Response:
        def chunks() -> Iterator[bytes]:
            return hls.segment_chunks(record, variant, index)

        return Response(200, 'video/mp2t', chunks=chunks, length=hls.served_size(record, variant))


def _names_a_user(segment: str) -> bool:
    """Whether a one-segment path (``/<segment>``) can be a user's page."""
    return segment not in _RESERVED and USERNAME_RE.fullmatch(segment) is not None


def _html(status: int, body: bytes) -> Response:
    return Response(status, _HTML, body)


def _not_found_page() -> Response:
    return _html(404, pages.not_found_page())


def _m3u8(text: str) -> Response:
    return Response(200, _M3U8, text.encode())


def _no_such_key() -> Response:
    return Response(404, 'application/xml', _NO_SUCH_KEY)


def _cookie_jar(header: str) -> dict[str, str]:
    """The cookies of a ``Cookie`` header, quotes removed."""
    jar: dict[str, str] = {}
    for part in header.split(';'):
        name, sep, value = part.strip().partition('=')
        if sep:
            jar[name] = value.strip().strip('"')
    return jar


def _cloudfront_b64(data: bytes) -> str:
    return base64.b64encode(data).decode().replace('+', '-').replace('=', '_').replace('/', '~')


def _cloudfront_unb64(text: str) -> bytes:
    return base64.b64decode(text.replace('-', '+').replace('_', '=').replace('~', '/'))


_ACCESS_DENIED = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
                  b'<Message>Access denied</Message></Error>')
_NO_SUCH_KEY = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
                b'<Message>The specified key does not exist.</Message></Error>')
