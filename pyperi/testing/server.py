"""The HTTP/1.1 plumbing of the fake Periscope: threaded server, handler, faults on the wire."""

from __future__ import annotations

import logging
import math
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from pyperi.testing.app import Response, error_response

if TYPE_CHECKING:  # pragma: no cover
    from pyperi.testing.fake import FakePeriscope

logger = logging.getLogger(__name__)

__all__ = ['FakeHTTPServer']

_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


class FakeHTTPServer(ThreadingHTTPServer):
    """A threaded HTTP server that knows its open connections, so it can close them all."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], fake: FakePeriscope) -> None:
        self.fake = fake
        self._conn_lock = threading.Lock()
        self._connections: dict[socket.socket, threading.Thread] = {}
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(target=self._process, args=(request, client_address),
                                  name='fake-periscope-conn', daemon=True)
        with self._conn_lock:
            self._connections[request] = thread
        thread.start()

    def _process(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._conn_lock:
                self._connections.pop(request, None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug('fake periscope: error while serving %s', client_address, exc_info=True)

    def close_connections(self, timeout: float = 5.0) -> None:
        """Shut every open connection down and wait for its thread."""
        with self._conn_lock:
            items = list(self._connections.items())
        for sock, _thread in items:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for _sock, thread in items:
            thread.join(timeout)

    def connection_count(self) -> int:
        with self._conn_lock:
            return len(self._connections)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'FakePeriscope/1.0'
    sys_version = ''
    # Idle keep-alive connections are closed after this long.
    timeout = 120
    # Headers and body go out in separate writes: without this each response waits ~40 ms.
    disable_nagle_algorithm = True
    server: FakeHTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base class name
        logger.debug('fake periscope: %s - %s', self.address_string(), format % args)

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._serve('GET')

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve('HEAD')

    def do_POST(self) -> None:  # noqa: N802
        self._serve('POST')

    def do_PUT(self) -> None:  # noqa: N802
        self._serve('PUT')

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve('DELETE')

    def _serve(self, method: str) -> None:
        fake = self.server.fake
        length = int(self.headers.get('Content-Length') or 0)
        if length:
            self.rfile.read(length)
        split = urlsplit(self.path)
        path = split.path
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        fault = fake._faults.take(path)
        stop = fake._stop_event
        if fake.latency > 0:
            stop.wait(fake.latency)
        if fault is not None and fault.kind == 'stall':
            stop.wait(fault.seconds)
        if stop.is_set():
            fake._record(method, path, params, dict(self.headers.items()), 0)
            self._abort()
            return
        if fault is not None and fault.kind == 'fail':
            response = error_response(fault.status, _reason(fault.status))
            if fault.retry_after is not None:
                response.headers.append(('Retry-After', _retry_after(fault.retry_after)))
        else:
            response = fake._app.handle(method, path, params, headers)
        dropping = fault is not None and fault.kind == 'drop'
        status = 0 if dropping and fault is not None and not fault.after_bytes else response.status
        fake._record(method, path, params, dict(self.headers.items()), status)
        if dropping and fault is not None:
            self._send(response, method, limit=fault.after_bytes)
            self._abort()
            return
        self._send(response, method)

    def _send(self, response: Response, method: str, limit: int | None = None) -> None:
        if limit == 0:
            return
        try:
            self.send_response(response.status)
            self.send_header('Content-Type', response.content_type)
            self.send_header('Content-Length', str(response.content_length))
            for name, value in response.headers:
                self.send_header(name, value)
            self.end_headers()
            if method == 'HEAD':
                return
            sent = 0
            for chunk in response.iter_body():
                if limit is not None:
                    chunk = chunk[: max(0, limit - sent)]
                if chunk:
                    self.wfile.write(chunk)
                    sent += len(chunk)
                if limit is not None and sent >= limit:
                    break
        except _DISCONNECTS:
            logger.debug('fake periscope: client went away during %s', self.path)
            self.close_connection = True

    def _abort(self) -> None:
        """Close the connection without (finishing) a response."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _reason(status: int) -> str:
    return BaseHTTPRequestHandler.responses.get(status, ('Error',))[0]


def _retry_after(value: float | str) -> str:
    if isinstance(value, str):
        return value
    return str(max(0, math.ceil(value)))
