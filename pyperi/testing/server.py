"""The HTTP/1.1 plumbing of the fake Periscope: a threaded server and its request handler.

The server is given everything it uses when it is made (what answers requests, the fault plan,
where to record requests, the stop event and the latency); it knows nothing of FakePeriscope.

A stray client cannot pin it: at most ``max_connections`` connections are served at once (an
idle keep-alive connection is closed to make room; with none idle a newcomer gets a 503), a
request must arrive whole within ``request_timeout`` seconds of its first byte however slowly
it drips, an idle connection is closed after ``idle_timeout`` seconds, and a request body
must declare a sane ``Content-Length`` (a negative or huge one gets 400 or 413).
"""

from __future__ import annotations

import io
import logging
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Protocol
from urllib.parse import parse_qsl, urlsplit

from pyperi.testing.faults import FaultPlan
from pyperi.testing.requestlog import RecordedRequest
from pyperi.testing.response import Response

logger = logging.getLogger(__name__)

__all__ = ['FakeHTTPServer', 'Responder', 'DEFAULT_MAX_CONNECTIONS', 'DEFAULT_REQUEST_TIMEOUT',
           'DEFAULT_IDLE_TIMEOUT', 'MAX_REQUEST_BODY']

_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)

#: Connections served at once by default.
DEFAULT_MAX_CONNECTIONS = 128
#: Seconds a request (line, headers and body) may take to arrive, from its first byte.
DEFAULT_REQUEST_TIMEOUT = 10.0
#: Seconds a keep-alive connection may wait for its next request.
DEFAULT_IDLE_TIMEOUT = 60.0
#: Largest request body read; a larger Content-Length is refused (413).
MAX_REQUEST_BODY = 1024 * 1024

_BUSY = 503


class _RequestClock(io.RawIOBase):
    """The connection's bytes as the handler reads them, timing each request from its first byte.

    While no request is under way the read waits up to the idle timeout (the socket's); once
    a request has begun, each read waits at most what is left of the request timeout, so a
    request dripped a byte at a time still ends. :meth:`request_read` stops the clock.
    """

    def __init__(self, sock: socket.socket, request_timeout: float) -> None:
        super().__init__()
        self._sock = sock
        self._raw = sock.makefile('rb', buffering=0)
        self._request_timeout = request_timeout
        self._started: float | None = None
        #: True while waiting for a request to begin: the connection may be closed for room.
        self.idle = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        if self._started is None:
            self.idle = True
            count = self._raw.readinto(buffer)
            self.idle = False
            if count:
                self._started = time.monotonic()
            return count
        left = self._started + self._request_timeout - time.monotonic()
        if left <= 0:
            raise TimeoutError(f'request not received in full within {self._request_timeout:g} s')
        usual = self._sock.gettimeout()
        self._sock.settimeout(left if usual is None else min(usual, left))
        try:
            return self._raw.readinto(buffer)
        finally:
            self._sock.settimeout(usual)

    def request_read(self) -> None:
        """The request has been read: stop timing it."""
        self._started = None
        self.idle = False

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class Responder(Protocol):
    """What answers the fake's requests (:class:`pyperi.testing.app.App`)."""

    def handle(self, method: str, path: str, params: dict[str, str],
               headers: dict[str, str]) -> Response:
        """The response to a request; ``headers`` have lower-case names."""


class FakeHTTPServer(ThreadingHTTPServer):
    """A threaded HTTP server that knows its open connections, so it can close them all.

    :param address: (host, port) to bind; port 0 picks a free one.
    :param app: answers the requests.
    :param faults: the faults to apply, taken one per request.
    :param record: called with every request received, before its response goes out.
    :param stop: set when the fake stops: pending waits end and connections are dropped.
    :param latency: seconds to wait before answering, asked once per request.
    :param max_connections: connections served at once.
    :param request_timeout: seconds a request may take to arrive, from its first byte.
    :param idle_timeout: seconds a keep-alive connection may wait for its next request.
    :ivar refused: how many connections were turned away (503) for lack of room.
    """

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], *, app: Responder, faults: FaultPlan,
                 record: Callable[[RecordedRequest], None], stop: threading.Event,
                 latency: Callable[[], float], max_connections: int = DEFAULT_MAX_CONNECTIONS,
                 request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
                 idle_timeout: float = DEFAULT_IDLE_TIMEOUT) -> None:
        if isinstance(max_connections, bool) or not isinstance(max_connections, int) \
                or max_connections < 1:
            raise ValueError(f'max_connections must be an int of 1 or more: {max_connections!r}')
        for name, value in (('request_timeout', request_timeout), ('idle_timeout', idle_timeout)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not 0 < value <= 86400:
                raise ValueError(f'{name} must be seconds, more than 0 and at most a day: '
                                 f'{value!r}')
        self.app = app
        self.faults = faults
        self.record = record
        self.stop = stop
        self.latency = latency
        self.max_connections = max_connections
        self.request_timeout = float(request_timeout)
        self.idle_timeout = float(idle_timeout)
        self.refused = 0
        self._conn_lock = threading.Lock()
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._clocks: dict[socket.socket, _RequestClock] = {}
        super().__init__(address, _Handler)

    def pause(self, seconds: float) -> bool:
        """Wait ``seconds`` unless the server stops first; False if it has stopped."""
        if seconds > 0:
            self.stop.wait(seconds)
        return not self.stop.is_set()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conn_lock:
            if len(self._connections) >= self.max_connections and not self._make_room():
                self.refused += 1
                full = True
            else:
                full = False
                thread = threading.Thread(target=self._process, args=(request, client_address),
                                          name='fake-periscope-conn', daemon=True)
                self._connections[request] = thread
        if full:
            self._refuse(request, client_address)
            return
        thread.start()

    def _make_room(self) -> bool:
        """Close one idle keep-alive connection (lock held); False if every one is busy."""
        for sock, clock in self._clocks.items():
            if clock.idle:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                self._connections.pop(sock, None)
                self._clocks.pop(sock, None)
                return True
        return False

    def _refuse(self, request: Any, client_address: Any) -> None:
        logger.debug('fake periscope: %d connections open, %s turned away',
                     self.max_connections, client_address)
        try:
            request.settimeout(1.0)
            request.sendall(b'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n'
                            b'Retry-After: 1\r\nContent-Length: 0\r\n\r\n')
        except OSError:
            pass
        self.shutdown_request(request)

    def watch(self, sock: socket.socket) -> _RequestClock:
        """The request clock reading ``sock``, known to the server (to make room)."""
        clock = _RequestClock(sock, self.request_timeout)
        with self._conn_lock:
            self._clocks[sock] = clock
        return clock

    def _process(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._conn_lock:
                self._connections.pop(request, None)
                self._clocks.pop(request, None)

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


@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]

    def recorded(self, status: int) -> RecordedRequest:
        return RecordedRequest(self.method, self.path, self.params, self.headers, status)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'FakePeriscope/1.0'
    sys_version = ''
    # The socket's timeout is set in setup(): the server's idle timeout.
    timeout = None
    # Headers and body go out in separate writes: without this each response waits ~40 ms.
    disable_nagle_algorithm = True
    server: FakeHTTPServer

    def setup(self) -> None:
        super().setup()
        # The socket's own timeout is the idle one; the clock bounds a request once it begins.
        self.connection.settimeout(self.server.idle_timeout)
        self.rfile.close()
        self.clock = self.server.watch(self.connection)
        self.rfile = io.BufferedReader(self.clock)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base class name
        logger.debug('fake periscope: %s - %s', self.address_string(), format % args)

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._serve()

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve()

    def do_POST(self) -> None:  # noqa: N802
        self._serve()

    def do_PUT(self) -> None:  # noqa: N802
        self._serve()

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve()

    def _serve(self) -> None:
        server = self.server
        request = self._read_request()
        self.clock.request_read()
        if request is None:
            return
        fault = server.faults.take(request.path)
        if not server.pause(server.latency() + fault.delay):
            server.record(request.recorded(0))
            self.abort()
            return
        response = fault.respond(lambda: server.app.handle(
            request.method, request.path, request.params,
            {k.lower(): v for k, v in request.headers.items()}))
        server.record(request.recorded(fault.recorded_status(response)))
        fault.deliver(response, self)

    def _read_request(self) -> _Request | None:
        """The request, its body read and dropped; None (answered 400/413) if its length is bad."""
        declared = (self.headers.get('Content-Length') or '0').strip()
        if not (declared.isascii() and declared.isdigit()):
            self.send_error(400, 'Bad Content-Length', f'Content-Length {declared[:40]!r}')
            return None
        if len(declared) > 12 or int(declared) > MAX_REQUEST_BODY:
            self.send_error(413, 'Request body too large',
                            f'at most {MAX_REQUEST_BODY} bytes are read')
            return None
        length = int(declared)
        if length:
            self.rfile.read(length)
        split = urlsplit(self.path)
        return _Request(self.command, split.path,
                        dict(parse_qsl(split.query, keep_blank_values=True)),
                        dict(self.headers.items()))

    def send(self, response: Response, limit: int | None = None) -> None:
        """Send ``response`` (head only for HEAD); with ``limit``, at most that many body bytes."""
        try:
            self._send_head(response)
            if self.command != 'HEAD':
                self._send_body(response, limit)
        except _DISCONNECTS:
            logger.debug('fake periscope: client went away during %s', self.path)
            self.close_connection = True

    def _send_head(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header('Content-Type', response.content_type)
        self.send_header('Content-Length', str(response.content_length))
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()

    def _send_body(self, response: Response, limit: int | None) -> None:
        sent = 0
        for chunk in response.iter_body():
            if limit is not None:
                chunk = chunk[: max(0, limit - sent)]
            if chunk:
                self.wfile.write(chunk)
                sent += len(chunk)
            if limit is not None and sent >= limit:
                break

    def abort(self) -> None:
        """Close the connection without (finishing) a response."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
