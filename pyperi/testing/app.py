"""Routes of the fake Periscope: the API, the web pages and the HLS files (no socket code)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

from pyperi.testing import hls, pages
from pyperi.testing.generate import GO_ZERO_TIME
from pyperi.testing.response import Response, error_response, json_response
from pyperi.testing.store import BroadcastRecord, Dataset
from pyperi.testing.wire import (
    API_PATH, CLOUDFRONT_COOKIES, CLOUDFRONT_KEY_PAIR_ID, HISTORY_TOKEN, REFUSED_STATUS,
    TOKEN_NAMES, USERNAME_RE,
)

__all__ = ['App']

_RESERVED = {'w', 'u', 'api', 'assets', 'favicon.ico', 'robots.txt'}
_HTML = 'text/html; charset=utf-8'
_M3U8 = 'application/vnd.apple.mpegurl'
_COOKIE_TTL = 6 * 3600
_LIVE_PREFIX = ['Transcoding', 'v1', 'hls']


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
        if parts[:3] == _LIVE_PREFIX:
            return self._live(parts[3:])
        if parts and hls.REPLAY_KEY_RE.fullmatch(parts[0]):
            return self._replay(parts[0], parts[1:], headers)
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
        """The accessVideoPublic body for ``record``: a replay's (signed cookies, fresh each
        time) or a live broadcast's (2019: three playlists, no cookies, no RTMP)."""
        base = self._base_url()
        body: dict[str, Any] = {
            'broadcast': dict(record.info),
            'session': '',
            'share_url': '%s/w/%s' % (base, record.id),
            'chat_token': secrets.token_urlsafe(96),
            'life_cycle_token': secrets.token_urlsafe(32),
            'broadcaster_only_visibility': False,
            'default_playback_buffer_length': 1.0,
            'autoplay_view_threshold': 3.0,
        }
        if record.running:
            body['session'] = secrets.token_urlsafe(48)
            https_hls = hls.live_playlist_url(record, base, 'hls_url')
            body.update(type='StreamTypeWeb', hls_url=https_hls, https_hls_url=https_hls,
                        lhls_url=hls.live_playlist_url(record, base, 'lhls_url'),
                        lhlsweb_url=hls.live_playlist_url(record, base, 'lhlsweb_url'),
                        hls_is_encrypted=record.encrypted, lhls_is_encrypted=record.encrypted,
                        min_playback_buffer_length=1.0, max_playback_buffer_length=5.0)
        else:
            body['type'] = 'StreamTypeReplay'
            if record.info.get('available_for_replay'):
                body['replay_url'] = self.replay_url(record)
            body['cookies'] = self.cookies_for(record)
        return body

    def replay_url(self, record: BroadcastRecord) -> str:
        """The replay playlist URL of a broadcast: ``<host>/<replay key>/playlist_<19
        digits>.m3u8``."""
        return '%s%s/%s' % (self._base_url(), hls.replay_dir(record), hls.playlist_name(record))

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
                               malformed=self._malformed.get(user_id),
                               generation=self.dataset.page_generation(user_id) or 2019)
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
                                    canonical='%s/w/%s' % (self._base_url(), broadcast_id),
                                    generation=self.dataset.page_generation(owner) or 2019)
        return _html(200, body)

    # -- HLS ---------------------------------------------------------------------------------

    def cookies_for(self, record: BroadcastRecord) -> list[dict[str, Any]]:
        """CloudFront signed cookies for one broadcast's replay files, with Go's cookie fields
        (``Path`` is ``/<replay key>``, ``Domain`` the fake's host)."""
        base = self._base_url()
        path = hls.replay_dir(record)
        policy = json.dumps({'Statement': [{
            'Resource': '%s%s/*' % (base, path),
            'Condition': {'DateLessThan': {'AWS:EpochTime': int(self._wall()) + _COOKIE_TTL}},
        }]}, separators=(',', ':'))
        encoded = _cloudfront_b64(policy.encode())
        domain = urlsplit(base).hostname or '127.0.0.1'
        values = (encoded, self._sign(encoded), CLOUDFRONT_KEY_PAIR_ID)
        return [{'Name': name, 'Value': value, 'Path': path, 'Domain': domain,
                 'Expires': GO_ZERO_TIME, 'RawExpires': '', 'MaxAge': 0, 'Secure': False,
                 'HttpOnly': False, 'Raw': '', 'Unparsed': None}
                for name, value in zip(CLOUDFRONT_COOKIES, values)]

    def _sign(self, encoded_policy: str) -> str:
        digest = hmac.new(self._secret, encoded_policy.encode(), hashlib.sha256).digest()
        return _cloudfront_b64(digest)

    def _cookies_ok(self, key: str, headers: dict[str, str]) -> bool:
        """Whether the request's cookies are signed by the fake, unexpired, for ``/<key>/*``."""
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
        return urlsplit(resource).path == '/%s/*' % key and float(expires) > self._wall()

    def _replay(self, key: str, rest: list[str], headers: dict[str, str]) -> Response:
        """``/<replay key>/...``: signed cookies for that key first, then the file."""
        if not self._cookies_ok(key, headers):
            return Response(403, 'application/xml', _ACCESS_DENIED)
        record = self.dataset.get_record_by_key(key)
        if record is None or record.keys.replay != key:
            return _no_such_key()
        if rest == ['key'] and record.encrypted:
            return Response(200, 'application/octet-stream', hls.aes_key(record.id))
        variant, name = self._variant_and_name(record, rest)
        if variant is None:
            return _no_such_key()
        if name == hls.playlist_name(record) and record.replayable:
            if record.master and len(rest) == 1:
                return _m3u8(hls.master_playlist(record, self._base_url()))
            return _m3u8(hls.media_playlist(record, variant, self._base_url()))
        return self._segment_file(record, variant, name)

    def _live(self, rest: list[str]) -> Response:
        """``/Transcoding/v1/hls/<live key>/<region path>/...``: no cookies, as in 2019."""
        tail = len(hls.LIVE_REGION_PATH) + 1
        if len(rest) <= tail or tuple(rest[1:tail]) != hls.LIVE_REGION_PATH:
            return _no_such_key()
        record = self.dataset.get_record_by_key(rest[0])
        if record is None or record.live is None or record.keys.live != rest[0]:
            return _no_such_key()
        files = rest[tail:]
        if files == ['key'] and record.encrypted:
            return Response(200, 'application/octet-stream', hls.aes_key(record.id))
        if len(files) == 1 and files[0] in hls.LIVE_PLAYLISTS.values():
            return self._live_playlist(record)
        variant, name = self._variant_and_name(record, files)
        if variant is None:
            return _no_such_key()
        return self._segment_file(record, variant, name)

    @staticmethod
    def _variant_and_name(record: BroadcastRecord,
                          files: list[str]) -> tuple[hls.Variant | None, str]:
        """The variant and file name a path names: ``<name>`` for a single rendition,
        ``<variant>/<name>`` under a master playlist (``<name>`` alone: the master)."""
        if len(files) == 1:
            if record.master and not files[0].endswith('.m3u8'):
                return None, ''
            return hls.best_variant(record), files[0]
        if len(files) == 2 and record.master:
            return hls.find_variant(record, files[0]), files[1]
        return None, ''

    def _segment_file(self, record: BroadcastRecord, variant: hls.Variant, name: str) -> Response:
        match = hls.SEGMENT_RE.fullmatch(name)
        if match is None or name != hls.segment_name(record, int(match.group(2))):
            return _no_such_key()
        index = int(match.group(2))
        if index >= self._available(record) or not (record.replayable or record.running):
            return _no_such_key()
        return self._segment(record, variant, index)

    def _available(self, record: BroadcastRecord) -> int:
        """How many segments of ``record`` exist now."""
        if record.live is not None:
            return record.live.available(self._clock())
        return record.segments

    def _live_playlist(self, record: BroadcastRecord) -> Response:
        assert record.live is not None
        first, stop = hls.live_window(record, self._available(record))
        variant = hls.variants(record)[0]
        return _m3u8(hls.media_playlist(record, variant, self._base_url(), live=True,
                                        first=first, stop=stop, ended=not record.running))

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
