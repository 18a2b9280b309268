"""A small loopback server that misbehaves on purpose, for the hostile-reply tests and benchmark.

Each connection is served by ``handler(connection)`` in its own thread: the handler reads the
request head with :meth:`Connection.read_head` and writes whatever bytes it likes, as fast or as
slowly as it likes (:meth:`Connection.drip`). Every pause waits on the server's stop event, so
leaving the ``with`` block ends every handler at once.
"""
from __future__ import annotations

import gzip
import socket
import threading
import zlib
from typing import Callable, Iterable, Iterator

__all__ = ['Connection', 'HostileServer', 'head', 'gzip_bytes', 'gzip_zeros']

_MAX_HEAD = 64 * 1024


class Connection:
    """One accepted connection, as a handler sees it."""

    def __init__(self, sock: socket.socket, stop: threading.Event) -> None:
        self.sock = sock
        self.stop = stop
        self._buffer = b''

    def read_head(self) -> str | None:
        """The request line and headers, or None if the client went away first."""
        while b'\r\n\r\n' not in self._buffer:
            if len(self._buffer) > _MAX_HEAD:
                return None
            try:
                data = self.sock.recv(4096)
            except OSError:
                return None
            if not data:
                return None
            self._buffer += data
        text, self._buffer = self._buffer.split(b'\r\n\r\n', 1)
        return text.decode('latin-1')

    def send(self, data: bytes) -> bool:
        """Send ``data``; False if the client has gone (or the server is stopping)."""
        if self.stop.is_set():
            return False
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        return True

    def send_all(self, chunks: Iterable[bytes]) -> bool:
        """Send each chunk until one fails; False if the client went away."""
        return all(self.send(chunk) for chunk in chunks)

    def drip(self, data: bytes, interval: float, size: int = 1) -> bool:
        """Send ``data`` ``size`` bytes at a time, ``interval`` seconds apart."""
        for start in range(0, len(data), size):
            if not self.send(data[start:start + size]) or self.stop.wait(interval):
                return False
        return True

    def hold(self) -> None:
        """Say nothing more until the server stops or the client goes away."""
        while not self.stop.wait(0.01):
            try:
                if self.sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b'':
                    return
            except BlockingIOError:
                continue
            except OSError:
                return


class HostileServer:
    """A threaded TCP server on 127.0.0.1 (a free port) answering with ``handler``.

    :ivar requests: the request heads received, in order.
    """

    def __init__(self, handler: Callable[[Connection], None]) -> None:
        self.handler = handler
        self.requests: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._socks: list[socket.socket] = []
        self._listener = socket.create_server(('127.0.0.1', 0))
        self.port = self._listener.getsockname()[1]
        self.url = f'http://127.0.0.1:{self.port}'

    def __enter__(self) -> HostileServer:
        thread = threading.Thread(target=self._accept, name='hostile-accept', daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        try:
            self._listener.shutdown(socket.SHUT_RDWR)   # wakes the accepting thread
        except OSError:
            pass
        with self._lock:
            socks, threads = list(self._socks), list(self._threads)
        for sock in socks:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in threads:
            thread.join(10)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(sock,), daemon=True,
                                      name='hostile-conn')
            with self._lock:
                self._socks.append(sock)
                self._threads.append(thread)
            thread.start()

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(10)
        connection = _Recording(sock, self._stop, self)
        try:
            self.handler(connection)
        finally:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


class _Recording(Connection):
    def __init__(self, sock: socket.socket, stop: threading.Event, server: HostileServer) -> None:
        super().__init__(sock, stop)
        self._server = server

    def read_head(self) -> str | None:
        text = super().read_head()
        if text is not None:
            with self._server._lock:
                self._server.requests.append(text)
        return text


def head(status: str = '200 OK', *headers: str, length: int | None = None,
         content_type: str = 'application/json') -> bytes:
    """A response head: status line, ``Content-Type``, ``Connection: close``, the headers given."""
    lines = [f'HTTP/1.1 {status}', f'Content-Type: {content_type}', 'Connection: close']
    if length is not None:
        lines.append(f'Content-Length: {length}')
    lines.extend(headers)
    return ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1')


def gzip_zeros(total: int, block: int = 1024 * 1024) -> Iterator[bytes]:
    """A gzip stream of ``total`` zero bytes, produced a block at a time (never held whole)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(block)
    left = total
    while left > 0:
        data = compressor.compress(zeros if left >= block else bytes(left))
        left -= block
        if data:
            yield data
    yield compressor.flush()


def gzip_bytes(data: bytes) -> bytes:
    """``data`` gzipped at once."""
    return gzip.compress(data, 9)
