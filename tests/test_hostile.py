"""Hostile replies over real HTTP on 127.0.0.1: each ends in a documented error, in bounded time
and memory.

Every server here is written for its test (:mod:`hostile`). Deadlines and caps are small so the
tests stay fast; :func:`finish` only guards against a hang (a generous bound, not a timing
assertion), and :func:`peak_memory` measures what the call allocated with tracemalloc.
"""
from __future__ import annotations

import contextlib
import threading
import tracemalloc
from typing import Any, Callable, Iterator

import pytest

from pyperi import (
    Peri,
    PyPeriConnectionError,
    PyPeriError,
    PyPeriHTTPError,
    PyPeriRateLimitError,
    PyPeriResponseError,
    PyPeriResponseTooLargeError,
    PyPeriServerError,
    PyPeriTimeout,
)
from pyperi.bodies import iter_body
from pyperi.client import MAX_REDIRECTS, build_retry
from pyperi.deadline import Deadline

from hostile import Connection, HostileServer, gzip_bytes, gzip_zeros, head

pytestmark = pytest.mark.integration

MB = 1024 * 1024
CAP = 1 * MB
#: Generous bound on any call here: only a hang (a bug) comes near it.
HANG = 30.0


def finish(call: Callable[[], Any]) -> Any:
    """Run ``call`` in a thread; its result, or the exception it raised. Fails if it hangs."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as error:  # noqa: B902 - handed back to the test
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(HANG)
    assert not thread.is_alive(), f'the call did not end within {HANG} s'
    return outcome[0]


@contextlib.contextmanager
def peak_memory() -> Iterator[list[int]]:
    """Bytes allocated at the peak of the block, above what was allocated before it."""
    result: list[int] = []
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        yield result
        result.append(tracemalloc.get_traced_memory()[1] - before)
    finally:
        tracemalloc.stop()


def client(server: HostileServer, **options: Any) -> Peri:
    options.setdefault('retries', build_retry(3, backoff_factor=0))
    options.setdefault('deadline', 2.0)
    options.setdefault('timeout', 5.0)
    return Peri(api_base_url=server.url + '/api/v2', web_base_url=server.url, **options)


def get_user(server: HostileServer, **options: Any) -> Any:
    """The outcome of ``get_user_info('1')`` against ``server``."""
    with client(server, **options) as peri:
        return finish(lambda: peri.get_user_info('1'))


def answer(*parts: bytes) -> Callable[[Connection], None]:
    """A handler sending ``parts`` after reading the request."""
    def handler(connection: Connection) -> None:
        if connection.read_head() is not None:
            connection.send_all(parts)
    return handler


# -- bodies too large -------------------------------------------------------------------

def _valid_json_400_mb(connection: Connection) -> None:
    connection.read_head()
    opening, closing = b'{"user": {"pad": "', b'"}}'
    size = 400 * MB
    connection.send(head(length=size) + opening)
    block = b'a' * (64 * 1024)
    sent = len(opening) + len(closing)
    while sent < size and connection.send(block[:size - sent]):
        sent += len(block)
    connection.send(closing)


def test_body_of_400_mb__refused_at_the_cap() -> None:
    with HostileServer(_valid_json_400_mb) as server, peak_memory() as peak:
        error = get_user(server, max_body_bytes=CAP)
    assert isinstance(error, PyPeriResponseTooLargeError)
    assert error.limit == CAP and error.url == f'{server.url}/api/v2/getUserPublic?user_id=1'
    assert f'larger than the limit of {CAP} bytes' in str(error)
    assert peak[0] < 4 * CAP


def _endless_chunked(connection: Connection) -> None:
    connection.read_head()
    connection.send(head('200 OK', 'Transfer-Encoding: chunked'))
    chunk = b'%x\r\n%s\r\n' % (64 * 1024, b' ' * 64 * 1024)
    while connection.send(chunk):
        pass


def test_endless_chunked_body__refused_at_the_cap() -> None:
    with HostileServer(_endless_chunked) as server, peak_memory() as peak:
        error = get_user(server, max_body_bytes=CAP)
    assert isinstance(error, PyPeriResponseTooLargeError)
    assert peak[0] < 4 * CAP


def test_gzip_bomb__10_mb_of_zeros() -> None:
    bomb = gzip_bytes(bytes(10 * MB))
    assert len(bomb) < 20_000
    handler = answer(head('200 OK', 'Content-Encoding: gzip', length=len(bomb)), bomb)
    with HostileServer(handler) as server, peak_memory() as peak:
        error = get_user(server, max_body_bytes=CAP)
    assert isinstance(error, PyPeriResponseTooLargeError)
    assert peak[0] < 4 * CAP


def _gzip_of_a_gigabyte(connection: Connection) -> None:
    connection.read_head()
    connection.send(head('200 OK', 'Content-Encoding: gzip'))   # the body ends with the connection
    connection.send_all(gzip_zeros(1024 * MB, block=64 * 1024))


def test_gzip_bomb__1_gb_of_zeros_counts_decoded_bytes() -> None:
    with HostileServer(_gzip_of_a_gigabyte) as server, peak_memory() as peak:
        error = get_user(server, max_body_bytes=CAP)
    assert isinstance(error, PyPeriResponseTooLargeError)
    assert peak[0] < 4 * CAP


def test_gzip_body_within_the_cap_is_read() -> None:
    body = gzip_bytes(b'{"user": {"username": "g"}}' + b' ' * 500_000)
    handler = answer(head('200 OK', 'Content-Encoding: gzip', length=len(body)), body)
    with HostileServer(handler) as server:
        assert get_user(server, max_body_bytes=CAP) == {'username': 'g'}


def test_huge_error_body__the_status_still_comes_through_quickly() -> None:
    with HostileServer(_endless_chunked_error) as server, peak_memory() as peak:
        error = get_user(server)
    assert isinstance(error, PyPeriServerError) and error.status_code == 500
    assert peak[0] < 4 * CAP


def _endless_chunked_error(connection: Connection) -> None:
    connection.read_head()
    connection.send(head('500 Internal Server Error', 'Transfer-Encoding: chunked'))
    chunk = b'%x\r\n%s\r\n' % (64 * 1024, b'[' * 64 * 1024)
    while connection.send(chunk):
        pass


def test_huge_404_body__none() -> None:
    def handler(connection: Connection) -> None:
        connection.read_head()
        connection.send(head('404 Not Found', 'Transfer-Encoding: chunked'))
        while connection.send(b'%x\r\n%s\r\n' % (65536, b' ' * 65536)):
            pass

    with HostileServer(handler) as server:
        assert get_user(server) is None


# -- bodies that lie or stall ----------------------------------------------------------------

def test_content_length_larger_than_the_body__cut_off() -> None:
    handler = answer(head(length=1000), b'{"user": {}}')
    with HostileServer(handler) as server:
        error = get_user(server)
    assert isinstance(error, PyPeriConnectionError)
    assert 'cut off' in str(error) and '988 more expected' in str(error)


def test_content_length_larger_than_the_body__then_silence() -> None:
    def handler(connection: Connection) -> None:
        connection.read_head()
        connection.send(head(length=1000) + b'{"user": {}}')
        connection.hold()

    with HostileServer(handler) as server:
        error = get_user(server, deadline=0.3)
    assert isinstance(error, PyPeriTimeout) and error.which == 'deadline'


def test_stall_after_headers__read_timeout() -> None:
    def handler(connection: Connection) -> None:
        connection.read_head()
        connection.send(head(length=10))
        connection.hold()

    with HostileServer(handler) as server:
        error = get_user(server, timeout=(5, 0.2), deadline=10)
    assert isinstance(error, PyPeriTimeout)
    assert error.which == 'read' and 'within the read timeout' in str(error)


def test_byte_drip_body__the_deadline_ends_it() -> None:
    def handler(connection: Connection) -> None:
        connection.read_head()
        connection.send(head(length=1000))
        connection.drip(b'{' + b' ' * 998 + b'}', 0.02)

    with HostileServer(handler) as server:
        error = get_user(server, deadline=0.3, timeout=5)
    assert isinstance(error, PyPeriTimeout)
    assert (error.which, error.seconds) == ('deadline', 0.3)
    assert 'deadline of 0.3 s passed' in str(error)


def test_byte_drip_headers__the_deadline_ends_it() -> None:
    def handler(connection: Connection) -> None:
        connection.read_head()
        connection.drip(head(length=2) + b'{}', 0.02)

    with HostileServer(handler) as server:
        error = get_user(server, deadline=0.3, timeout=5)
    assert isinstance(error, PyPeriTimeout) and error.which == 'deadline'
    assert len(server.requests) == 1   # a stall is not retried


def test_byte_drip_streamed__iter_body_with_the_same_deadline() -> None:
    def handler(connection: Connection) -> None:
        connection.read_head()
        connection.send(head(length=100_000, content_type='video/mp2t'))
        connection.drip(bytes(100_000), 0.01, size=100)

    with HostileServer(handler) as server, client(server) as peri:
        def download() -> int:
            deadline = Deadline(0.3)
            response = peri.http_get(server.url + '/segment.ts', stream=True, deadline=deadline)
            assert response is not None
            return sum(len(c) for c in iter_body(response, chunk_size=1000, deadline=deadline))

        error = finish(download)
    assert isinstance(error, PyPeriTimeout) and error.which == 'deadline'


def test_byte_drip_streamed__plain_iter_content_is_held_to_the_deadline_too() -> None:
    import requests

    def handler(connection: Connection) -> None:
        connection.read_head()
        connection.send(head(length=100_000, content_type='video/mp2t'))
        connection.drip(bytes(100_000), 0.01, size=100)

    with HostileServer(handler) as server, client(server) as peri:
        def download() -> int:
            response = peri.http_get(server.url + '/segment.ts', stream=True, deadline=0.3)
            assert response is not None
            with response:
                return sum(len(c) for c in response.iter_content(1000))

        error = finish(download)
    assert isinstance(error, requests.ConnectionError)   # requests' name for a read timeout


# -- malformed bodies -------------------------------------------------------------------------

def test_deep_nesting__200_is_a_response_error() -> None:
    body = b'[' * 100_000
    with HostileServer(answer(head(length=len(body)), body)) as server:
        error = get_user(server)
    assert type(error) is PyPeriResponseError


@pytest.mark.parametrize('status, cls', [('400 Bad Request', PyPeriHTTPError),
                                         ('500 Internal Server Error', PyPeriServerError)])
def test_deep_nesting__error_status_stays_typed(status: str, cls: type) -> None:
    body = b'[' * 100_000
    with HostileServer(answer(head(status, length=len(body)), body)) as server:
        error = get_user(server)
    assert type(error) is cls and error.msg is None


def test_invalid_utf8__json() -> None:
    body = b'{"user": {"username": "g\xff", "display_name": "\xc3("}}'
    with HostileServer(answer(head(length=len(body)), body)) as server:
        assert get_user(server) == {'username': 'g\ufffd', 'display_name': '\ufffd('}


def test_invalid_utf8__page_without_data_store() -> None:
    page = b'<html><body>\xff\xfe\xc3( <div id="other"></div></body></html>'
    handler = answer(head(length=len(page), content_type='text/html'), page)
    with HostileServer(handler) as server, client(server) as peri:
        error = finish(lambda: peri.get_web_public_user_session_tokens(username='george'))
    assert isinstance(error, PyPeriResponseError)
    assert 'page-container' in str(error)


# -- Retry-After and endless 429s -------------------------------------------------------------

@pytest.mark.parametrize('value', ['-5', 'soon', '1e309', '1.5', ''])
def test_retry_after_malformed__retried_as_if_absent(value: str) -> None:
    handler = answer(head('429 Too Many Requests', f'Retry-After: {value}', length=2), b'{}')
    with HostileServer(handler) as server:
        error = get_user(server)
    assert isinstance(error, PyPeriRateLimitError) and error.retry_after is None
    assert len(server.requests) == 4


def test_retry_after_of_a_year__no_wait_and_a_finite_value() -> None:
    handler = answer(head('429 Too Many Requests', 'Retry-After: 31536000', length=2), b'{}')
    with HostileServer(handler) as server:
        error = get_user(server)
    assert isinstance(error, PyPeriRateLimitError)
    assert error.retry_after == 86400.0
    assert len(server.requests) == 1


def test_429_forever__ends_by_the_deadline() -> None:
    handler = answer(head('429 Too Many Requests', length=2), b'{}')
    with HostileServer(handler) as server:
        error = get_user(server, retries=build_retry(100, backoff_factor=0.02), deadline=0.5)
    assert isinstance(error, PyPeriRateLimitError)
    assert 1 <= len(server.requests) < 101


# -- redirects ----------------------------------------------------------------------------------

def test_redirect_loop__http_error_after_the_limit() -> None:
    handler = answer(head('302 Found', 'Location: /api/v2/getUserPublic?user_id=1', length=0))
    with HostileServer(handler) as server:
        error = get_user(server)
    assert isinstance(error, PyPeriHTTPError) and 'too many redirects' in str(error)
    assert len(server.requests) == MAX_REDIRECTS + 1


@pytest.mark.parametrize('location', ['file:///etc/passwd', 'ftp://127.0.0.1/x',
                                      'gopher://127.0.0.1/'])
def test_redirect_to_another_scheme__refused(location: str) -> None:
    handler = answer(head('302 Found', f'Location: {location}', length=0))
    with HostileServer(handler) as server:
        error = get_user(server)
    assert isinstance(error, PyPeriHTTPError) and 'refused to follow a redirect' in str(error)
    assert len(server.requests) == 1


def test_redirect_with_an_endless_body__not_read_whole() -> None:
    def handler(connection: Connection) -> None:
        request = connection.read_head() or ''
        if 'moved' in request.split('\r\n', 1)[0]:
            connection.send(head(length=24) + b'{"user": {"id": "moved"}}'[:24])
            return
        connection.send(head('302 Found', 'Location: /moved', 'Transfer-Encoding: chunked'))
        while connection.send(b'%x\r\n%s\r\n' % (65536, b' ' * 65536)):
            pass

    with HostileServer(handler) as server, peak_memory() as peak:
        with client(server) as peri:
            outcome = finish(lambda: peri.http_get(server.url + '/start'))
    assert not isinstance(outcome, BaseException), outcome
    assert outcome.status_code == 200
    assert peak[0] < 4 * CAP


# -- header floods --------------------------------------------------------------------------

@pytest.mark.parametrize('headers', [
    pytest.param([f'X-Flood-{i}: y' for i in range(1000)], id='1000 headers'),
    pytest.param(['X-Huge: ' + 'a' * MB], id='one 1 MB header'),
])
def test_header_flood__connection_error(headers: list[str]) -> None:
    with HostileServer(answer(head('200 OK', *headers, length=2), b'{}')) as server, \
            peak_memory() as peak:
        error = get_user(server)
    assert isinstance(error, PyPeriConnectionError)
    assert peak[0] < 4 * CAP


def test_every_outcome_above_is_a_pyperi_error() -> None:
    for cls in (PyPeriConnectionError, PyPeriResponseError, PyPeriTimeout, PyPeriHTTPError):
        assert issubclass(cls, PyPeriError)


# -- the command line ---------------------------------------------------------------------------

def test_command_line_deadline(capsys: pytest.CaptureFixture[str]) -> None:
    from pyperi.cli import main

    def handler(connection: Connection) -> None:
        connection.read_head()
        connection.drip(head(length=2) + b'{}', 0.02)

    with HostileServer(handler) as server:
        code = finish(lambda: main(['--api-base-url', server.url + '/api/v2', '--web-base-url',
                                    server.url, '--deadline', '0.3', 'user', '1']))
    assert code == 3
    assert 'within the deadline of 0.3 s (--deadline' in capsys.readouterr().err


@pytest.mark.parametrize('value', ['1e300', '0', 'soon'])
def test_command_line_deadline__bad_value_is_a_usage_error(value: str) -> None:
    from pyperi.cli import main
    assert main(['--deadline', value, 'user', '1']) == 2
