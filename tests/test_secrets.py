"""Secrets stay out of messages, chained exceptions, tracebacks and logs at every level.

The secrets are session tokens (``session_id``), signed query strings (``Signature``, ``Policy``,
``Key-Pair-Id``) and CloudFront cookies. Real HTTP on 127.0.0.1 makes urllib3 log what it
really logs; the capture runs at DEBUG for every logger.
"""
from __future__ import annotations

import logging
import socket
import traceback

import pytest

from pyperi import Peri, PyPeriConnectionError, PyPeriError, PyPeriServerError, PyPeriTimeout
from pyperi.client import build_retry
from pyperi.redact import LIBRARY_LOGGERS, RedactingFilter, redact

from hostile import Connection, HostileServer, head

SECRETS = ('S3CR3T-SESSION', 'S3CR3T-SIGNATURE', 'S3CR3T-POLICY', 'S3CR3T-KEYPAIR',
           'S3CR3T-COOKIE')
SIGNED = (f'Policy={SECRETS[2]}&Signature={SECRETS[1]}&Key-Pair-Id={SECRETS[3]}')


def leaks(error: BaseException, caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every place a secret shows: the error's text, repr, traceback, and the log."""
    texts = {
        'str': str(error),
        'repr': repr(error),
        'traceback': ''.join(traceback.format_exception(error)),
        'log': caplog.text,
        'log records': '\n'.join(r.getMessage() for r in caplog.records),
    }
    return [f'{secret} in {where}' for where, text in texts.items() for secret in SECRETS
            if secret in text]


def raised(call: object) -> BaseException:
    try:
        call()  # type: ignore[operator]
    except PyPeriError as error:
        return error
    raise AssertionError('nothing was raised')


@pytest.fixture
def debug_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


# -- redact ------------------------------------------------------------------------------

@pytest.mark.parametrize('text, expected', [
    ('https://a/x?session_id=abc&user_id=1', 'https://a/x?session_id=<redacted>&user_id=1'),
    ('https://r/p.ts?Policy=p&Signature=s&Key-Pair-Id=k',
     'https://r/p.ts?Policy=<redacted>&Signature=<redacted>&Key-Pair-Id=<redacted>'),
    ('CloudFront-Signature=abc; CloudFront-Policy=def; CloudFront-Key-Pair-Id=ghi',
     'CloudFront-Signature=<redacted>; CloudFront-Policy=<redacted>; '
     'CloudFront-Key-Pair-Id=<redacted>'),
    ("{'CloudFront-Signature': 'abc', 'other': 'x'}",
     "{'CloudFront-Signature': '<redacted>', 'other': 'x'}"),
    ('{"session_id": "abc"}', '{"session_id": "<redacted>"}'),
    ('/web/2016id_/https://x/y%3Fsession_id%3Dabc%26user_id%3D1',
     '/web/2016id_/https://x/y%3Fsession_id%3D<redacted>%26user_id%3D1'),
    ('SESSION_ID=abc', 'SESSION_ID=<redacted>'),
    ("url: /x?session_id=abc (Caused by X('y'))",
     "url: /x?session_id=<redacted> (Caused by X('y'))"),
    ('serviceToken=abc&user_id=1', 'serviceToken=abc&user_id=1'),
    ('no secrets here', 'no secrets here'),
])
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redact__wrong_type() -> None:
    with pytest.raises(TypeError, match='text'):
        redact(b'session_id=1')  # type: ignore[arg-type]


@pytest.mark.parametrize('name', LIBRARY_LOGGERS)
def test_every_library_logger_is_filtered_at_every_level(name: str,
                                                         debug_log: pytest.LogCaptureFixture
                                                         ) -> None:
    log = logging.getLogger(name)
    for level in (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR):
        log.log(level, 'GET %s', f'/api/v2/x?session_id={SECRETS[0]}&{SIGNED}')
    assert not any(secret in debug_log.text for secret in SECRETS)
    assert debug_log.text.count('session_id=<redacted>') == 4


def test_urllib3_loggers_that_exist_have_the_filter() -> None:
    names = [name for name, logger in logging.Logger.manager.loggerDict.items()
             if name.startswith('urllib3') and isinstance(logger, logging.Logger)]
    assert 'urllib3.util.retry' in names and 'urllib3.connectionpool' in names
    for name in names:
        assert any(isinstance(f, RedactingFilter) for f in logging.getLogger(name).filters), name


def test_tracebacks_in_log_records_are_redacted(debug_log: pytest.LogCaptureFixture) -> None:
    try:
        raise ValueError(f'bad /x?session_id={SECRETS[0]}')
    except ValueError:
        logging.getLogger('urllib3.connection').warning('failed', exc_info=True)
    assert SECRETS[0] not in debug_log.text
    assert 'session_id=<redacted>' in debug_log.text


# -- over real HTTP -------------------------------------------------------------------------


def _peri(url: str, **options: object) -> Peri:
    options.setdefault('retries', build_retry(3, backoff_factor=0))
    return Peri(api_base_url=url + '/api/v2', web_base_url=url, **options)  # type: ignore[arg-type]


@pytest.mark.integration
def test_retries_spent_on_503__no_secret_anywhere(debug_log: pytest.LogCaptureFixture) -> None:
    def handler(connection: Connection) -> None:
        connection.read_head()
        connection.send(head('503 Service Unavailable', length=2) + b'{}')

    with HostileServer(handler) as server, _peri(server.url) as peri:
        error = raised(lambda: peri.request_api('getUserBroadcastsPublic', user_id='1',
                                                session_id=SECRETS[0], all='true'))
    assert isinstance(error, PyPeriServerError)
    assert error.url is not None and 'session_id=<redacted>' in error.url
    assert len(server.requests) == 4 and SECRETS[0] in server.requests[0]  # it was sent
    assert leaks(error, debug_log) == []


@pytest.mark.integration
def test_connection_refused__no_secret_anywhere(debug_log: pytest.LogCaptureFixture) -> None:
    with socket.create_server(('127.0.0.1', 0)) as closed:
        port = closed.getsockname()[1]
    with _peri(f'http://127.0.0.1:{port}') as peri:
        error = raised(lambda: peri.request_api('getUserBroadcastsPublic', user_id='1',
                                                session_id=SECRETS[0]))
    assert isinstance(error, PyPeriConnectionError)
    assert 'Retrying' in debug_log.text   # urllib3's retry warnings were logged, redacted
    assert error.__cause__ is None and error.__suppress_context__
    assert leaks(error, debug_log) == []


@pytest.mark.integration
def test_signed_segment_dropped__no_secret_anywhere(debug_log: pytest.LogCaptureFixture) -> None:
    def handler(connection: Connection) -> None:
        connection.read_head()   # then the connection closes without an answer

    with HostileServer(handler) as server, _peri(server.url) as peri:
        error = raised(lambda: peri.http_get(
            f'{server.url}/replay/chunk_1.ts?{SIGNED}', stream=True,
            cookies={'CloudFront-Signature': SECRETS[4]}))
    assert isinstance(error, PyPeriConnectionError)
    assert SECRETS[1] in server.requests[0] and SECRETS[4] in server.requests[0]
    assert leaks(error, debug_log) == []


@pytest.mark.integration
def test_deadline_passed__no_secret_anywhere(debug_log: pytest.LogCaptureFixture) -> None:
    def handler(connection: Connection) -> None:
        connection.read_head()
        connection.drip(head(length=2) + b'{}', 0.02)

    with HostileServer(handler) as server, _peri(server.url, deadline=0.3) as peri:
        error = raised(lambda: peri.request_api('getUserBroadcastsPublic', user_id='1',
                                                session_id=SECRETS[0]))
    assert isinstance(error, PyPeriTimeout) and error.which == 'deadline'
    assert leaks(error, debug_log) == []


@pytest.mark.integration
def test_redirect_to_a_signed_url_then_error__no_secret_anywhere(
        debug_log: pytest.LogCaptureFixture) -> None:
    def handler(connection: Connection) -> None:
        request = connection.read_head() or ''
        if 'Signature=' in request:
            connection.send(head('500 Internal Server Error', length=2) + b'{}')
        else:
            connection.send(head('302 Found', f'Location: /signed.m3u8?{SIGNED}', length=0))

    with HostileServer(handler) as server, _peri(server.url) as peri:
        error = raised(lambda: peri.http_get(f'{server.url}/playlist.m3u8'))
    assert isinstance(error, PyPeriServerError)
    assert leaks(error, debug_log) == []
