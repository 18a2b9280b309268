"""Routes of the fake Periscope: the API, the web pages and the HLS files (no socket code)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import urlsplit

from pyperi.testing import hls, pages
from pyperi.testing.dataset import BroadcastRecord, Dataset

__all__ = ['App', 'Response', 'TOKEN_NAMES', 'REFUSED_STATUS']

TOKEN_NAMES = ('broadcastHistory', 'serviceToken', 'thumbnailPlaylist')
#: Status of getUserBroadcastsPublic with a missing, unknown, expired or foreign session_id.
REFUSED_STATUS = 401
_RESERVED = {'w', 'u', 'hls', 'api', 'assets', 'favicon.ico', 'robots.txt'}
_USERNAME_RE = re.compile(r'^[A-Za-z0-9_]{1,64}$')
_JSON = 'application/json; charset=utf-8'
_HTML = 'text/html; charset=utf-8'
_M3U8 = 'application/vnd.apple.mpegurl'
_KEY_PAIR_ID = 'APKAIHCXHHQVRTVSFRWQ'
_COOKIE_TTL = 6 * 3600


@dataclass
class Response:
    """A response to send: a fixed body, or chunks produced on demand with a known length."""

    status: int
    content_type: str = _JSON
    body: bytes = b''
    chunks: Callable[[], Iterator[bytes]] | None = None
    length: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def content_length(self) -> int:
        return len(self.body) if self.chunks is None else int(self.length or 0)

    def iter_body(self) -> Iterable[bytes]:
        if self.chunks is None:
            return (self.body,) if self.body else ()
        return self.chunks()


def json_response(status: int, payload: Any) -> Response:
    return Response(status, _JSON, json.dumps(payload, ensure_ascii=False).encode('utf-8'))


def error_response(status: int, msg: str) -> Response:
    """Periscope's error body: ``{"success": false, "msg": ...}``."""
    return json_response(status, {'success': False, 'msg': msg})


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
        self.malformed: dict[str, str] = {}

    # -- dispatch ----------------------------------------------------------------------------

    def handle(self, method: str, path: str, params: dict[str, str],
               headers: dict[str, str]) -> Response:
        if method not in ('GET', 'HEAD'):
            return error_response(405, 'Method Not Allowed')
        parts = [p for p in path.split('/') if p]
        if path.startswith('/api/v2/'):
            return self._api(path[len('/api/v2/'):], params)
        if parts and parts[0] == 'hls':
            return self._hls(parts[1:], headers)
        if not parts:
            return Response(200, _HTML, pages.home_page(self._base_url()))
        if parts[0] == 'u' and len(parts) == 2:
            return self._user_page(parts[1] if parts[1].isdigit() else None)
        if parts[0] == 'w' and len(parts) == 2:
            return self._broadcast_page(parts[1], None)
        if parts[0] not in _RESERVED and _USERNAME_RE.match(parts[0]):
            user_id = self.dataset.user_id_for(parts[0])
            if len(parts) == 1:
                return self._user_page(user_id)
            if len(parts) == 2:
                return self._broadcast_page(parts[1], user_id)
        return self._not_found_page()

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
        return json_response(200, self.access_video_body(record))

    def access_video_body(self, record: BroadcastRecord) -> dict[str, Any]:
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
        if token is None or token.name != 'broadcastHistory':
            return 'Invalid session_id'
        if token.expires <= self._wall():
            return 'Expired session_id'
        if token.user_id != user_id:
            return 'session_id was not issued for this user'
        return None

    # -- web pages ---------------------------------------------------------------------------

    def _not_found_page(self) -> Response:
        return Response(404, _HTML, pages.not_found_page())

    def _user_page(self, user_id: str | None) -> Response:
        user = self.dataset.get_user(user_id) if user_id else None
        if user is None or user_id is None:
            return self._not_found_page()
        tokens, now_ms = self.issue_tokens(user_id)
        body = pages.user_page(user, tokens, now_ms,
                               canonical='%s/%s' % (self._base_url(), user['username']),
                               extra_users=self.dataset.page_users(user_id),
                               malformed=self.malformed.get(user_id))
        return Response(200, _HTML, body)

    def _broadcast_page(self, broadcast_id: str, user_id: str | None) -> Response:
        record = self.dataset.get_record(broadcast_id)
        if record is None or (user_id is not None and record.info.get('user_id') != user_id):
            return self._not_found_page()
        owner = str(record.info.get('user_id'))
        user = self.dataset.get_user(owner)
        if user is None:
            return self._not_found_page()
        tokens, now_ms = self.issue_tokens(owner)
        body = pages.broadcast_page(user, dict(record.info), tokens, now_ms,
                                    canonical='%s/w/%s' % (self._base_url(), broadcast_id))
        return Response(200, _HTML, body)

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
        values = [('CloudFront-Policy', encoded),
                  ('CloudFront-Signature', self._sign(encoded)),
                  ('CloudFront-Key-Pair-Id', _KEY_PAIR_ID)]
        return [{'Name': n, 'Value': v, 'Domain': domain, 'Path': path} for n, v in values]

    def _sign(self, encoded_policy: str) -> str:
        digest = hmac.new(self._secret, encoded_policy.encode(), hashlib.sha256).digest()
        return _cloudfront_b64(digest)

    def _cookies_ok(self, broadcast_id: str, headers: dict[str, str]) -> bool:
        jar: dict[str, str] = {}
        for part in headers.get('cookie', '').split(';'):
            name, sep, value = part.strip().partition('=')
            if sep:
                jar[name] = value.strip().strip('"')
        policy = jar.get('CloudFront-Policy', '')
        signature = jar.get('CloudFront-Signature', '')
        if not policy or jar.get('CloudFront-Key-Pair-Id') != _KEY_PAIR_ID:
            return False
        if not hmac.compare_digest(signature, self._sign(policy)):
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
        if not parts or not self._cookies_ok(parts[0], headers):
            return Response(403, 'application/xml', _ACCESS_DENIED)
        record = self.dataset.get_record(parts[0])
        if record is None:
            return Response(404, 'application/xml', _NO_SUCH_KEY)
        rest = parts[1:]
        base = self._base_url()
        if rest in (['live.m3u8'], ['lhls.m3u8']):
            return self._live_playlist(record, base)
        if record.live is not None:
            available = record.live.available(self._clock())
        else:
            available = record.segments
        if rest == ['key'] and record.encrypted:
            return Response(200, 'application/octet-stream', hls.aes_key(record.id))
        replayable = not record.running and record.info.get('available_for_replay')
        if rest == ['playlist.m3u8'] and replayable:
            if record.master:
                return Response(200, _M3U8, hls.master_playlist(record, base).encode())
            variant = hls.variants(record)[0]
            text = hls.media_playlist(record, variant, base, from_variant_dir=False)
            return Response(200, _M3U8, text.encode())
        if len(rest) == 2:
            found = hls.find_variant(record, rest[0])
            if found is None:
                return Response(404, 'application/xml', _NO_SUCH_KEY)
            if rest[1] == 'playlist.m3u8' and replayable and record.master:
                return Response(200, _M3U8, hls.media_playlist(record, found, base).encode())
            match = re.fullmatch(r'chunk_(\d+)\.ts', rest[1])
            if match and int(match.group(1)) < available and (replayable or record.running):
                return self._segment(record, found, int(match.group(1)))
        return Response(404, 'application/xml', _NO_SUCH_KEY)

    def _live_playlist(self, record: BroadcastRecord, base: str) -> Response:
        if record.live is None:
            return Response(404, 'application/xml', _NO_SUCH_KEY)
        available = record.live.available(self._clock())
        first, stop = hls.live_window(record, available)
        variant = hls.variants(record)[0]
        text = hls.media_playlist(record, variant, base, first=first, stop=stop,
                                  ended=not record.running, from_variant_dir=False)
        return Response(200, _M3U8, text.encode())

    def _segment(self, record: BroadcastRecord, variant: hls.Variant, index: int) -> Response:
        def chunks() -> Iterator[bytes]:
            return hls.segment_chunks(record, variant, index)

        return Response(200, 'video/mp2t', chunks=chunks, length=hls.served_size(record, variant))


def _cloudfront_b64(data: bytes) -> str:
    return base64.b64encode(data).decode().replace('+', '-').replace('=', '_').replace('/', '~')


def _cloudfront_unb64(text: str) -> bytes:
    return base64.b64decode(text.replace('-', '+').replace('_', '=').replace('~', '/'))


_ACCESS_DENIED = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
                  b'<Message>Access denied</Message></Error>')
_NO_SUCH_KEY = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
                b'<Message>The specified key does not exist.</Message></Error>')
