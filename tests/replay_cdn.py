"""A small loopback "CDN" for the hostile replay tests: routes scripted per test, requests recorded.

It answers ``accessVideoPublic`` itself (one broadcast, ``BID``), so that a real
:class:`pyperi.Peri` downloads from it over real HTTP. ``127.0.0.1`` and ``localhost``
reach the same server but are different hosts to cookies: that is how a redirect to
"another host" is tested without leaving loopback. Every pause waits on the server's
stop event, so leaving the ``with`` block ends every handler at once.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable

from pyperi import Peri
from pyperi.client import build_retry

__all__ = ['ReplayCDN', 'Seen', 'COOKIE_NAMES']

COOKIE_NAMES = ('CloudFront-Policy', 'CloudFront-Signature', 'CloudFront-Key-Pair-Id')
Route = Callable[[BaseHTTPRequestHandler, threading.Event], None]


@dataclass(frozen=True)
class Seen:
    """A request the CDN received: its path (with query), Host header and Cookie header."""

    path: str
    host: str
    cookie: str


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = 'HTTP/1.1'

    def log_message(self, format: str, *args: Any) -> None:   # quiet
        pass

    def do_GET(self) -> None:
        cdn = self.server.cdn
        cdn.seen.append(Seen(self.path, self.headers.get('Host', ''),
                             self.headers.get('Cookie', '')))
        route = cdn.routes.get(self.path.split('?', 1)[0])
        if route is None:
            cdn.send(self, 404, b'{"success":false,"msg":"Not Found"}', 'application/json')
            return
        route(self, cdn.stop)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    cdn: ReplayCDN


class ReplayCDN:
    """A threaded HTTP server on 127.0.0.1 serving what each test scripts."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self.stop = threading.Event()
        self._server = _Server(('127.0.0.1', 0), _Handler)
        self._server.cdn = self
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)

    def __enter__(self) -> ReplayCDN:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str, host: str = '127.0.0.1') -> str:
        return f'http://{host}:{self.port}{path}'

    def peri(self, **options: Any) -> Peri:
        """A Peri whose API is this server, retrying nothing, with short timeouts."""
        options.setdefault('timeout', (2.0, 2.0))
        return Peri(api_base_url=self.url('/api/v2'), web_base_url=self.url(''),
                    retries=build_retry(0), **options)

    def requests_to(self, path: str) -> list[Seen]:
        """The requests whose path (query left out) is ``path``."""
        return [seen for seen in self.seen if seen.path.split('?', 1)[0] == path]

    # -- answers ---------------------------------------------------------------------------

    @staticmethod
    def send(handler: BaseHTTPRequestHandler, status: int, body: bytes,
             content_type: str = 'application/octet-stream',
             headers: Iterable[tuple[str, str]] = ()) -> None:
        handler.send_response(status)
        handler.send_header('Content-Type', content_type)
        handler.send_header('Content-Length', str(len(body)))
        for name, value in headers:
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

    def body(self, path: str, body: bytes | str, content_type: str = 'application/octet-stream',
             status: int = 200) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = lambda h, stop: self.send(h, status, data, content_type)

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.routes[path] = lambda h, stop: self.send(h, status, b'', 'text/plain',
                                                      [('Location', location)])

    def stream(self, path: str, chunks: Callable[[threading.Event], Iterable[bytes]],
               content_type: str = 'application/vnd.apple.mpegurl') -> None:
        """Answer with a chunked body of ``chunks(stop)``, as slowly or as long as they come."""
        def route(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
            handler.send_response(200)
            handler.send_header('Content-Type', content_type)
            handler.send_header('Transfer-Encoding', 'chunked')
            handler.end_headers()
            try:
                for chunk in chunks(stop):
                    if stop.is_set():
                        return
                    handler.wfile.write(b'%x\r\n%s\r\n' % (len(chunk), chunk))
                handler.wfile.write(b'0\r\n\r\n')
            except OSError:   # the client hung up, as it should
                handler.close_connection = True
        self.routes[path] = route

    def drip_body(self, path: str, interval: float, size: int = 1_000_000) -> None:
        """Headers at once (``Content-Length: size``), then one body byte every ``interval``."""
        def route(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
            handler.send_response(200)
            handler.send_header('Content-Length', str(size))
            handler.end_headers()
            self._drip(handler, stop, interval, b'\x47')
        self.routes[path] = route

    def drip_headers(self, path: str, interval: float) -> None:
        """The status line, then a header line one byte every ``interval``, never ending."""
        def route(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
            handler.wfile.write(b'HTTP/1.1 200 OK\r\nX-Drip: ')
            self._drip(handler, stop, interval, b'x')
        self.routes[path] = route

    @staticmethod
    def _drip(handler: BaseHTTPRequestHandler, stop: threading.Event, interval: float,
              byte: bytes) -> None:
        handler.close_connection = True
        try:
            while not stop.wait(interval):
                handler.wfile.write(byte)
                handler.wfile.flush()
        except OSError:   # the client gave up, as it should
            pass

    def slow_body(self, path: str, body: bytes, seconds: float, pieces: int = 5) -> None:
        """``body`` in ``pieces`` spread over ``seconds``: slow, but each piece in time."""
        step = -(-len(body) // pieces)

        def route(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
            handler.send_response(200)
            handler.send_header('Content-Length', str(len(body)))
            handler.end_headers()
            for start in range(0, len(body), step):
                if stop.wait(seconds / pieces):
                    return
                handler.wfile.write(body[start:start + step])
                handler.wfile.flush()
        self.routes[path] = route

    def broadcast(self, playlist_url: str, *, state: str = 'ENDED',
                  cookie_domain: str = '127.0.0.1') -> None:
        """Serve accessVideoPublic for ``BID``: ``playlist_url`` and CloudFront cookies."""
        key = 'replay_url' if state != 'RUNNING' else 'https_hls_url'
        body = {'broadcast': {'id': 'BID', 'state': state},
                'type': 'StreamTypeReplay' if state != 'RUNNING' else 'StreamTypeWeb',
                key: playlist_url,
                'cookies': [{'Name': name, 'Value': f'secret-{i}', 'Domain': cookie_domain,
                             'Path': '/'} for i, name in enumerate(COOKIE_NAMES)]}
        self.body('/api/v2/accessVideoPublic', json.dumps(body), 'application/json')


def media_playlist(uris: Iterable[str], *, target: int | str = 2, ended: bool = True) -> str:
    lines = ['#EXTM3U', '#EXT-X-VERSION:3', f'#EXT-X-TARGETDURATION:{target}',
             '#EXT-X-MEDIA-SEQUENCE:0']
    for uri in uris:
        lines += ['#EXTINF:2.0,', uri]
    if ended:
        lines.append('#EXT-X-ENDLIST')
    return '\n'.join(lines) + '\n'
