"""Limits of Peri against mocked HTTP: argument checks, body caps, the deadline, Retry-After."""
from __future__ import annotations

import gzip
import math
import time

import pytest
import requests
import responses
from responses import registries

from pyperi import (
    Peri,
    PyPeriError,
    PyPeriHTTPError,
    PyPeriRateLimitError,
    PyPeriResponseError,
    PyPeriResponseTooLargeError,
    PyPeriServerError,
    PyPeriTimeout,
)
from pyperi.bodies import DEFAULT_MAX_BODY_BYTES, MAX_ERROR_BODY_BYTES, iter_body
from pyperi.client import DEFAULT_DEADLINE, build_retry
from pyperi.deadline import MAX_SECONDS, Deadline, DeadlinePassed

from helpers import API, load_text

URL = f'{API}/getUserPublic'


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> Peri:
    """A Peri on the default URLs, retrying without pauses."""
    monkeypatch.delenv('PYPERI_API_BASE_URL', raising=False)
    monkeypatch.delenv('PYPERI_WEB_BASE_URL', raising=False)
    return Peri(retries=build_retry(3, backoff_factor=0))


# -- constructor -------------------------------------------------------------------------

def test_defaults_are_documented_values() -> None:
    peri = Peri()
    assert (peri.deadline, peri.max_body_bytes) == (DEFAULT_DEADLINE, DEFAULT_MAX_BODY_BYTES)
    assert DEFAULT_DEADLINE == 4 * 30.0
    assert DEFAULT_MAX_BODY_BYTES == 32 * 1024 * 1024


@pytest.mark.parametrize('session', [5, 'session', object(), requests.adapters.HTTPAdapter()])
def test_session__wrong_type(session: object) -> None:
    with pytest.raises(TypeError, match='session must be a requests.Session'):
        Peri(session)  # type: ignore[arg-type]


@pytest.mark.parametrize('bad', [1e300, pytest.param(10 ** 400, id='10**400'),
                                 pytest.param(10 ** 5000, id='10**5000'), (1, 1e300),
                                 pytest.param((10 ** 400, 5), id='(10**400, 5)'),
                                 MAX_SECONDS + 1, -0.0, float('-inf')])
def test_timeout__out_of_range_is_refused_at_construction(bad: object) -> None:
    with pytest.raises(ValueError, match='timeout must be positive, finite and at most'):
        Peri(timeout=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize('bad', [0, -1, 1e300, pytest.param(10 ** 400, id='10**400'),
                                 float('nan'), float('inf'), MAX_SECONDS * 2])
def test_deadline__bad_values(bad: object) -> None:
    with pytest.raises(ValueError, match='deadline'):
        Peri(deadline=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize('bad', ['60', None, True, [60]])
def test_deadline__wrong_types(bad: object) -> None:
    with pytest.raises(TypeError, match='deadline'):
        Peri(deadline=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize('bad, error', [(0, ValueError), (-5, ValueError), (1.5, TypeError),
                                        ('1000', TypeError), (True, TypeError),
                                        (None, TypeError)])
def test_max_body_bytes__bad_values(bad: object, error: type) -> None:
    with pytest.raises(error, match='max_body_bytes'):
        Peri(max_body_bytes=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize('agent', ['€', 'caf\xe9', 'a\r\nX-Injected: 1', 'tab\there', '',
                                   'x' * 1025, '\ud800', 'nul\x00'])
def test_user_agent__not_a_header_value(agent: str) -> None:
    with pytest.raises(ValueError, match='user_agent must be 1 to 1024 printable ASCII'):
        Peri(user_agent=agent)


def test_user_agent__wrong_type() -> None:
    with pytest.raises(TypeError, match='user_agent'):
        Peri(user_agent=b'me/1')  # type: ignore[arg-type]


@pytest.mark.parametrize('name', ['api_base_url', 'web_base_url'])
@pytest.mark.parametrize('bad', [0, 0.0, False, [], b''])
def test_base_url__falsy_wrong_types_do_not_fall_back(name: str, bad: object) -> None:
    with pytest.raises(TypeError, match=name):
        Peri(**{name: bad})  # type: ignore[arg-type]


def test_base_url__empty_string_is_refused() -> None:
    with pytest.raises(ValueError, match='api_base_url'):
        Peri(api_base_url='')


@pytest.mark.parametrize('bad', [101, pytest.param(10 ** 400, id='10**400')])
def test_retries__too_many(bad: int) -> None:
    with pytest.raises(ValueError, match='retries must be from 0 to 100'):
        Peri(retries=bad)


@pytest.mark.parametrize('user_id', ['\ud800', '12\ud800', '١٢٣'])
def test_user_id__odd_text_named(user_id: str) -> None:
    with pytest.raises(ValueError, match='user_id'):
        Peri().get_user_info(user_id)


def test_username__lone_surrogate_named() -> None:
    with pytest.raises(ValueError, match='username'):
        Peri().get_user_info(username='\udcff')


# -- http_get arguments --------------------------------------------------------------------

@pytest.mark.parametrize('kwargs, error, name', [
    ({'url': 5}, TypeError, 'url'),
    ({'url': b'https://x'}, TypeError, 'url'),
    ({'url': 'ftp://x/y'}, ValueError, 'url'),
    ({'url': 'file:///etc/passwd'}, ValueError, 'url'),
    ({'url': 'https://'}, ValueError, 'url'),
    ({'url': 'https://x/' + 'a' * 70000}, ValueError, 'url'),
    ({'params': 5}, TypeError, 'params'),
    ({'stream': 'no'}, TypeError, 'stream'),
    ({'cookies': 'a=b'}, TypeError, 'cookies'),
    ({'headers': [('a', 'b')]}, TypeError, 'headers'),
    ({'timeout': 1e300}, ValueError, 'timeout'),
    ({'timeout': 'slow'}, TypeError, 'timeout'),
    ({'endpoint': 5}, TypeError, 'endpoint'),
    ({'max_bytes': 0}, ValueError, 'max_bytes'),
    ({'max_bytes': 1.0}, TypeError, 'max_bytes'),
    ({'deadline': 0}, ValueError, 'deadline'),
    ({'deadline': 'soon'}, TypeError, 'deadline'),
])
@responses.activate(assert_all_requests_are_fired=True)
def test_http_get__bad_arguments_send_nothing(quick: Peri, kwargs: dict, error: type,
                                              name: str) -> None:
    kwargs = {'url': URL, **kwargs}
    with pytest.raises(error, match=name):
        quick.http_get(**kwargs)
    assert len(responses.calls) == 0


# -- body caps -----------------------------------------------------------------------------

@responses.activate(assert_all_requests_are_fired=True)
def test_body_cap__larger_body_raises_naming_url_and_limit() -> None:
    responses.get(URL, body=b'{"user": {"pad": "' + b'a' * 2000 + b'"}}')
    with Peri(max_body_bytes=1000) as peri, pytest.raises(PyPeriResponseTooLargeError) as caught:
        peri.request_api('getUserPublic', user_id='1')
    error = caught.value
    assert isinstance(error, PyPeriResponseError)
    assert (error.limit, error.url) == (1000, f'{URL}?user_id=1')
    assert f'{URL}?user_id=1 is larger than the limit of 1000 bytes' in str(error)


@responses.activate(assert_all_requests_are_fired=True)
def test_body_cap__body_at_the_cap_is_read() -> None:
    body = b'{"user": {"pad": "' + b'a' * 100 + b'"}}'
    responses.get(URL, body=body)
    with Peri(max_body_bytes=len(body)) as peri:
        assert peri.get_user_info('1') == {'pad': 'a' * 100}


@responses.activate(assert_all_requests_are_fired=True)
def test_body_cap__counts_decoded_bytes() -> None:
    body = b'{"user": {}}' + b' ' * 100_000
    responses.get(URL, body=gzip.compress(body), headers={'Content-Encoding': 'gzip'})
    with Peri(max_body_bytes=50_000) as peri, pytest.raises(PyPeriResponseTooLargeError):
        peri.get_user_info('1')


@responses.activate(assert_all_requests_are_fired=True)
def test_body_cap__per_call_max_bytes(quick: Peri) -> None:
    responses.get(URL, body=b'x' * 5000)
    with pytest.raises(PyPeriResponseTooLargeError, match='limit of 4999 bytes'):
        quick.http_get(URL, max_bytes=4999)


@responses.activate(assert_all_requests_are_fired=True)
def test_body_cap__stream_leaves_the_body_to_the_caller(quick: Peri) -> None:
    responses.get(URL, body=b'x' * 5000)
    response = quick.http_get(URL, stream=True)
    assert response is not None
    chunks = iter_body(response, chunk_size=1000, max_bytes=3000)
    assert next(chunks) == b'x' * 1000
    with pytest.raises(PyPeriResponseTooLargeError, match='limit of 3000 bytes'):
        list(chunks)


@responses.activate(assert_all_requests_are_fired=True)
def test_error_body__only_the_start_is_read(quick: Peri) -> None:
    responses.get(URL, status=500, body=b'{"msg": "' + b'a' * (2 * MAX_ERROR_BODY_BYTES) + b'"}')
    with pytest.raises(PyPeriServerError) as caught:
        quick.request_api('getUserPublic', user_id='1')
    assert caught.value.msg is None
    assert len(caught.value.response.content) <= MAX_ERROR_BODY_BYTES


@responses.activate(assert_all_requests_are_fired=True)
def test_error_body__msg_is_kept(quick: Peri) -> None:
    responses.get(URL, status=400, json={'success': False, 'msg': 'Bad user_id'})
    with pytest.raises(PyPeriHTTPError, match=': Bad user_id$') as caught:
        quick.request_api('getUserPublic', user_id='x')
    assert caught.value.msg == 'Bad user_id'


# -- deep nesting, invalid UTF-8 --------------------------------------------------------

DEEP = b'[' * 100_000


@pytest.mark.parametrize('status, error', [(200, PyPeriResponseError), (400, PyPeriHTTPError),
                                           (500, PyPeriServerError), (418, PyPeriHTTPError)])
@responses.activate(assert_all_requests_are_fired=True)
def test_deep_nesting__typed_error_not_recursion_error(quick: Peri, status: int,
                                                       error: type) -> None:
    responses.get(URL, status=status, body=DEEP)
    with pytest.raises(error) as caught:
        quick.request_api('getUserPublic', user_id='1')
    assert type(caught.value) is error
    if status >= 400:
        assert caught.value.status_code == status and caught.value.msg is None


@responses.activate(assert_all_requests_are_fired=True)
def test_invalid_utf8__json_values_get_replacement_characters(quick: Peri) -> None:
    responses.get(URL, body=b'{"user": {"username": "ab\xff", "display_name": "\xc3("}}')
    assert quick.get_user_info('1') == {'username': 'ab\ufffd', 'display_name': '\ufffd('}


@responses.activate(assert_all_requests_are_fired=True)
def test_invalid_utf8__page_still_gives_its_tokens(quick: Peri) -> None:
    page = load_text('user_page.html').encode('utf-8')
    page = page.replace(b'<head>', b'<head>\xff\xfe\xc3(', 1)
    responses.get('https://www.periscope.tv/george_clinton', body=page,
                  content_type='text/html')
    tokens = quick.get_web_public_user_session_tokens(username='george_clinton')
    assert tokens is not None and tokens['user_id'] == '376827'


# -- Retry-After ---------------------------------------------------------------------------

@pytest.mark.parametrize('value', ['1.5', '-5', 'soon', '1e309', '', ' ', '0x10', 'inf'])
def test_retry_after__malformed_counts_as_absent(value: str) -> None:
    response = requests.Response()
    response.headers['Retry-After'] = value
    assert build_retry(3).get_retry_after(response) is None


@pytest.mark.parametrize('value', ['1.5', '-5', 'soon', '1e309', ''])
@responses.activate(assert_all_requests_are_fired=True)
def test_429_with_malformed_retry_after__retried_then_rate_limit_error(
        quick: Peri, value: str) -> None:
    limited = responses.get(URL, status=429, headers={'Retry-After': value})
    with pytest.raises(PyPeriRateLimitError) as caught:
        quick.request_api('getUserPublic', user_id='1')
    assert limited.call_count == 4
    assert caught.value.retry_after is None


@responses.activate(assert_all_requests_are_fired=True)
def test_429_with_a_year_of_retry_after__capped_and_finite(quick: Peri) -> None:
    responses.get(URL, status=429, headers={'Retry-After': '31536000'})
    peri = Peri(retries=build_retry(3, backoff_factor=0), deadline=5)
    with pytest.raises(PyPeriRateLimitError) as caught:
        peri.request_api('getUserPublic', user_id='1')
    assert caught.value.retry_after == 86400.0
    assert math.isfinite(caught.value.retry_after)


@responses.activate(registry=registries.OrderedRegistry, assert_all_requests_are_fired=True)
def test_retry_after_longer_than_the_deadline_is_not_waited_for(
        monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, 'sleep', slept.append)
    limited = responses.get(URL, status=429, headers={'Retry-After': '30'})
    with Peri(retries=build_retry(3, backoff_factor=0), deadline=10) as peri, \
            pytest.raises(PyPeriRateLimitError) as caught:
        peri.request_api('getUserPublic', user_id='1')
    assert limited.call_count == 1
    assert slept == []
    assert caught.value.retry_after == 30.0


# -- Deadline ------------------------------------------------------------------------------

def test_deadline__bound_keeps_timeouts_shorter_than_what_is_left() -> None:
    deadline = Deadline(100)
    assert deadline.bound((5.0, 30.0)) == (5.0, 30.0)
    assert deadline.bound(7.5) == 7.5
    short = Deadline(2)
    connect, read = short.bound((5.0, 30.0))
    assert 0 < connect <= 2 and 0 < read <= 2


def test_deadline__check_raises_once_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    deadline = Deadline(1)
    deadline.check()
    monkeypatch.setattr(time, 'monotonic', lambda: deadline.expires + 0.5)
    assert deadline.expired and deadline.remaining() < 0
    with pytest.raises(DeadlinePassed, match='deadline of 1 s passed'):
        deadline.check()


@pytest.mark.parametrize('bad, error', [(0, ValueError), (float('nan'), ValueError),
                                        pytest.param(10 ** 400, ValueError, id='10**400'),
                                        ('1', TypeError),
                                        (True, TypeError)])
def test_deadline__checked(bad: object, error: type) -> None:
    with pytest.raises(error, match='seconds'):
        Deadline(bad)  # type: ignore[arg-type]


@responses.activate(assert_all_requests_are_fired=True)
def test_deadline__passed_while_reading_streamed_body(quick: Peri,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    responses.get(URL, body=b'x' * 5000)
    deadline = Deadline(30)
    response = quick.http_get(URL, stream=True, deadline=deadline)
    assert response is not None
    chunks = iter_body(response, chunk_size=1000, deadline=deadline)
    next(chunks)
    monkeypatch.setattr(time, 'monotonic', lambda: deadline.expires + 1)
    with pytest.raises(PyPeriTimeout, match='deadline of 30 s passed') as caught:
        list(chunks)
    assert (caught.value.which, caught.value.seconds) == ('deadline', 30.0)


@responses.activate(assert_all_requests_are_fired=True)
def test_timeout_errors_say_which_timeout(quick: Peri) -> None:
    responses.get(URL, body=requests.ReadTimeout('slow'))
    with pytest.raises(PyPeriTimeout, match='read timeout of 30 s') as caught:
        quick.request_api('getUserPublic', user_id='1')
    assert (caught.value.which, caught.value.seconds) == ('read', 30.0)


@responses.activate(assert_all_requests_are_fired=True)
def test_connect_timeout_says_connect(quick: Peri) -> None:
    responses.get(URL, body=requests.ConnectTimeout('no route'))
    with pytest.raises(PyPeriTimeout, match='connect timeout of 5 s') as caught:
        quick.request_api('getUserPublic', user_id='1')
    assert caught.value.which == 'connect'


# -- redirects -------------------------------------------------------------------------------

@pytest.mark.parametrize('location', ['file:///etc/passwd', 'ftp://127.0.0.1/x',
                                      'javascript:alert(1)', 'data:text/plain,hi'])
@responses.activate(assert_all_requests_are_fired=True)
def test_redirect_to_another_scheme_is_refused(quick: Peri, location: str) -> None:
    responses.get(URL, status=302, headers={'Location': location})
    with pytest.raises(PyPeriHTTPError, match='refused to follow a redirect') as caught:
        quick.request_api('getUserPublic', user_id='1')
    assert caught.value.status_code == 302


@responses.activate(assert_all_requests_are_fired=True)
def test_redirect_loop_is_an_http_error(quick: Peri) -> None:
    loop = responses.get(URL, status=302, headers={'Location': URL})
    with pytest.raises(PyPeriHTTPError, match='too many redirects') as caught:
        quick.http_get(URL)
    assert caught.value.status_code == 302
    assert loop.call_count == 11


def test_every_error_here_is_a_pyperi_error() -> None:
    for cls in (PyPeriResponseTooLargeError, PyPeriTimeout, PyPeriHTTPError):
        assert issubclass(cls, PyPeriError)


@responses.activate(assert_all_requests_are_fired=True)
def test_redirect_not_followed_when_asked(quick: Peri) -> None:
    responses.get(URL, status=302, headers={'Location': 'file:///etc/passwd'})
    response = quick.http_get(URL, allow_redirects=False)
    assert response is not None and response.status_code == 302
    assert response.headers['Location'] == 'file:///etc/passwd'


# -- the session Peri makes ------------------------------------------------------------------

def test_own_session__deadline_transport_and_redirect_limit() -> None:
    from pyperi.deadline import DeadlineAdapter
    peri = Peri()
    assert isinstance(peri.session.get_adapter('https://api.periscope.tv'), DeadlineAdapter)
    assert isinstance(peri.session.get_adapter('http://127.0.0.1'), DeadlineAdapter)
    assert peri.session.max_redirects == 10


@responses.activate(assert_all_requests_are_fired=True)
def test_timeouts_sent_never_exceed_the_deadline() -> None:
    responses.get(URL, json={'user': {}})
    with Peri(timeout=(5, 30), deadline=2) as peri:
        peri.get_user_info('1')
    connect, read = responses.calls[0].request.req_kwargs['timeout']
    assert 0 < connect <= 2 and 0 < read <= 2
