"""The exception hierarchy, its mapping from responses, and the public surface."""
from __future__ import annotations

import types

import pytest
import requests

import pyperi
from pyperi import exceptions
from pyperi.exceptions import error_for_response, parse_retry_after


def make_response(status: int, body: bytes = b'', **headers: str) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.headers.update(headers)
    return response


@pytest.mark.parametrize('cls, bases', [
    (pyperi.PyPeriError, (requests.RequestException,)),
    (pyperi.PyPeriConnectionError, (pyperi.PyPeriError, requests.ConnectionError)),
    (pyperi.PyPeriTimeout, (pyperi.PyPeriError, requests.Timeout)),
    (pyperi.PyPeriHTTPError, (pyperi.PyPeriError, requests.HTTPError)),
    (pyperi.PyPeriRateLimitError, (pyperi.PyPeriHTTPError,)),
    (pyperi.PyPeriServerError, (pyperi.PyPeriHTTPError,)),
    (pyperi.PyPeriResponseError, (pyperi.PyPeriError, ValueError)),
    (pyperi.PyPeriResponseTooLargeError, (pyperi.PyPeriResponseError,)),
])
def test_hierarchy(cls: type, bases: tuple) -> None:
    for base in bases:
        assert issubclass(cls, base)


@pytest.mark.parametrize('status, cls', [
    (400, pyperi.PyPeriHTTPError), (401, pyperi.PyPeriHTTPError), (418, pyperi.PyPeriHTTPError),
    (429, pyperi.PyPeriRateLimitError), (500, pyperi.PyPeriServerError),
    (502, pyperi.PyPeriServerError), (599, pyperi.PyPeriServerError),
])
def test_error_for_response(status: int, cls: type) -> None:
    error = error_for_response(make_response(status, b'{"success":false,"msg":"why"}'),
                               url='https://x/api/v2/e', endpoint='e')
    assert type(error) is cls
    assert (error.status_code, error.url, error.endpoint, error.msg) == (
        status, 'https://x/api/v2/e', 'e', 'why')
    assert error.response.status_code == status
    assert str(error).startswith(f'HTTP {status}')
    assert str(error).endswith(': why')


@pytest.mark.parametrize('body', [b'', b'not json', b'[1]', b'{"msg": null}', b'{}'])
def test_error_for_response__body_without_msg(body: bytes) -> None:
    assert error_for_response(make_response(500, body), url='u').msg is None


@pytest.mark.parametrize('value, expected', [
    (None, None), ('', None), ('5', 5.0), (' 7 ', 7.0), ('0', 0.0), ('soon', None),
    ('inf', None), ('nan', None), ('1.5', None), (' 2.5 ', None), ('-3', None), ('-5', None),
    ('1e309', None), ('  ', None), ('+5', None), ('0x10', None),
    ('31536000', 86400.0), ('9' * 5000, 86400.0), ('0' * 5000 + '3', 3.0),
    ('Fri, 31 Dec 9999 23:59:59 GMT', 86400.0),
    ('Wed, 21 Oct 2015 07:28:00 GMT', 0.0), ('Wed, 21 Oct 2015 07:28:00', None),
])
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_parse_retry_after__future_date() -> None:
    from email.utils import format_datetime
    from datetime import datetime, timedelta, timezone
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=120), usegmt=True)
    assert 100 < parse_retry_after(when) <= 120


def test_rate_limit_error_carries_retry_after() -> None:
    error = error_for_response(make_response(429, **{'Retry-After': '7'}), url='u')
    assert error.retry_after == 7.0


def test_errors_are_catchable_as_requests_errors() -> None:
    with pytest.raises(requests.HTTPError):
        raise error_for_response(make_response(503), url='u')


def test_exported_members() -> None:
    # pytest's assertion rewriting adds '@py_builtins' and the like to plugin packages.
    public = {name for name in dir(pyperi) if not name.startswith(('_', '@'))}
    # Submodules become attributes once imported (by the package or by other tests).
    modules = {name for name in public if isinstance(getattr(pyperi, name), types.ModuleType)}
    assert public - modules == set(pyperi.__all__) - {'__version__'}
    for name in pyperi.__all__:
        assert hasattr(pyperi, name)


def test_every_exception_is_exported() -> None:
    classes = {name for name in exceptions.__all__ if isinstance(getattr(exceptions, name), type)}
    assert classes <= set(pyperi.__all__)
