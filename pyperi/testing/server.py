"""The HTTP/1.1 plumbing of the fake Periscope: a threaded server and its request handler.

The server is given everything it uses when it is made (what answers requests, the fault plan,
where to record requests, the stop event and the latency); it knows nothing of FakePeriscope.
"""

from __future__ import annotations

import logging
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Protocol
from urllib.parse import parse_qsl, urlsplit

from pyperi.testing.faults import FaultPlan
from pyperi.testing.requestlog import RecordedRequest
from pyperi.testing.response import Response

logger = logging.getLogger(__name__)

__all__ = ['FakeHTTPServer', 'Responder']

_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


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
    """

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], *, app: Responder, faults: FaultPlan,
                 record: Callable[[RecordedRequest], None], stop: threading.Event,
                 latency: Callable[[], float]) -> None:
        self.app = app
        self.faults = faults
        self.record = record
        self.stop = stop
        self.latency = latency
        self._conn_lock = threading.Lock()
        self._connections: dict[socket.socket, threading.Thread] = {}
        super().__init__(address, _Handler)

    def pause(self, seconds: float) -> bool:
        """Wait ``seconds`` unless the server stops first; False if it has stopped."""
        if seconds > 0:
            self.stop.wait(seconds)
        return not self.stop.is_set()

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
    # Idle keep-alive connections are closed after this long.
    timeout = 120
    # Headers and body go out in separate writes: without this each response waits ~40 ms.
    disable_nagle_algorithm = True
    server: FakeHTTPServer

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

    def _read_request(self) -> _Request:
        length = int(self.headers.get('Content-Length') or 0)
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
