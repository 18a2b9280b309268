"""The fake's server bounds its connections: a cap, a request timeout, an idle timeout, and sane
request bodies, so that a stray client cannot pin a test run."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any, Iterator

import pytest
import requests

from pyperi.testing.faults import FaultPlan
from pyperi.testing.response import Response
from pyperi.testing.server import DEFAULT_MAX_CONNECTIONS, FakeHTTPServer

pytestmark = pytest.mark.integration

#: Bound on any wait for the server here: only a server that never lets go comes near it.
GUARD = 10.0


class _Ok:
    def handle(self, method: str, path: str, params: dict[str, str],
               headers: dict[str, str]) -> Response:
        return Response(200, body=b'{}')


@pytest.fixture
def make_server() -> Iterator[Any]:
    servers: list[tuple[FakeHTTPServer, threading.Thread]] = []

    def make(**limits: Any) -> FakeHTTPServer:
        server = FakeHTTPServer(('127.0.0.1', 0), app=_Ok(), faults=FaultPlan(),
                                record=lambda request: None, stop=threading.Event(),
                                latency=lambda: 0.0, **limits)
        thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.01},
                                  daemon=True)
        thread.start()
        servers.append((server, thread))
        return server

    yield make
    for server, thread in servers:
        server.stop.set()
        server.shutdown()
        server.server_close()
        server.close_connections()
        thread.join(GUARD)


def connect(server: FakeHTTPServer) -> socket.socket:
    sock = socket.create_connection(server.server_address[:2], timeout=GUARD)
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (bounded by GUARD per read)."""
    data = b''
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


def test_defaults_are_bounded() -> None:
    assert FakeHTTPServer.__init__.__kwdefaults__['max_connections'] == DEFAULT_MAX_CONNECTIONS
    assert DEFAULT_MAX_CONNECTIONS <= 1024


def _wait_until_requests_began(server: Any, count: int) -> None:
    """Wait (bounded) until ``count`` connections have begun a request, so none is idle.

    Under load a handler thread may not have read its first bytes yet; until it has, its
    connection counts as idle and may be closed to make room.
    """
    deadline = time.monotonic() + GUARD
    while time.monotonic() < deadline:
        with server._conn_lock:   # the server's own view of its connections
            clocks = list(server._clocks.values())
        if len(clocks) == count and all(c._started is not None and not c.idle for c in clocks):
            return
        time.sleep(0.01)
    raise AssertionError(f'{count} connections did not begin their requests within {GUARD} s')


def test_connection_cap__a_connection_beyond_it_gets_503(make_server: Any) -> None:
    server = make_server(max_connections=2)
    busy = [connect(server), connect(server)]
    for sock in busy:
        sock.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n')   # a request under way: not idle
    try:
        _wait_until_requests_began(server, 2)
        with connect(server) as third:
            answer = read_until_closed(third)
        assert answer.startswith(b'HTTP/1.1 503 ')
        assert server.refused == 1
    finally:
        for sock in busy:
            sock.close()


def test_connection_cap__idle_keep_alive_connections_make_room(make_server: Any) -> None:
    server = make_server(max_connections=2)
    url = 'http://%s:%d/' % server.server_address[:2]
    sessions = [requests.Session() for _ in range(3)]
    try:
        # Two keep-alive connections left idle, then a third client: it is served.
        assert [s.get(url, timeout=GUARD).status_code for s in sessions] == [200, 200, 200]
        assert server.refused == 0
    finally:
        for session in sessions:
            session.close()


def test_request_dripped_byte_by_byte__closed_after_request_timeout(make_server: Any) -> None:
    server = make_server(request_timeout=0.3)
    with connect(server) as sock:
        sock.sendall(b'GET / HTTP/1.1\r\n')
        closed = False
        for _ in range(int(GUARD / 0.05)):   # a header byte every 50 ms, for up to GUARD
            try:
                sock.sendall(b'X')
            except OSError:
                closed = True
                break
            sock.settimeout(0.05)
            try:
                if sock.recv(1) == b'':
                    closed = True
                    break
            except TimeoutError:
                continue
    assert closed


def test_idle_connection__closed_after_idle_timeout(make_server: Any) -> None:
    server = make_server(idle_timeout=0.2)
    with connect(server) as sock:
        assert read_until_closed(sock) == b''


@pytest.mark.parametrize('length, status', [('-1', b'400'), ('abc', b'400'), ('1e3', b'400'),
                                            ('99999999999999999999', b'413'),
                                            ('2000000', b'413')])
def test_bad_content_length__refused_not_read(make_server: Any, length: str,
                                              status: bytes) -> None:
    server = make_server()
    with connect(server) as sock:
        sock.sendall(f'POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n'.encode())
        answer = read_until_closed(sock)
    assert answer.startswith(b'HTTP/1.1 ' + status)


def test_small_request_body_is_read_and_answered(make_server: Any) -> None:
    server = make_server()
    url = 'http://%s:%d/' % server.server_address[:2]
    assert requests.post(url, data=b'x' * 1000, timeout=GUARD).status_code == 200


@pytest.mark.parametrize('bad', [{'max_connections': 0}, {'max_connections': True},
                                 {'request_timeout': 0}, {'idle_timeout': float('inf')},
                                 {'request_timeout': '1'}])
def test_limits_are_checked(bad: dict) -> None:
    with pytest.raises(ValueError):
        FakeHTTPServer(('127.0.0.1', 0), app=_Ok(), faults=FaultPlan(), record=lambda r: None,
                       stop=threading.Event(), latency=lambda: 0.0, **bad)
