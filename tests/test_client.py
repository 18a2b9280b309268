"""Peri against mocked HTTP: the 0.2.0 documented behaviour, then the hardening."""
from __future__ import annotations

import logging

import pytest
import requests
import responses
from responses import matchers, registries

import pyperi
from pyperi import (
    Peri,
    PyPeriConnectionError,
    PyPeriError,
    PyPeriHTTPError,
    PyPeriRateLimitError,
    PyPeriResponseError,
    PyPeriServerError,
    PyPeriTimeout,
)
from pyperi.client import DEFAULT_TIMEOUT, build_retry

from helpers import API, NOT_FOUND, WEB, load_json, load_text

TOKENS = load_json('tokens.json')
USER = load_json('getUserPublic.json')['user']
HISTORY_URL = f'{API}/getUserBroadcastsPublic'
HISTORY_QUERY = {'all': 'true', 'session_id': TOKENS['broadcastHistory'], 'user_id': '376827'}


def add_user_page(path: str = '/george_clinton', **kwargs: object) -> None:
    kwargs.setdefault('body', load_text('user_page.html'))
    kwargs.setdefault('content_type', 'text/html')
    responses.get(f'{WEB}{path}', **kwargs)


def add_history(**kwargs: object) -> None:
    kwargs.setdefault('json', load_json('getUserBroadcastsPublic.json'))
    responses.get(HISTORY_URL, match=[matchers.query_param_matcher(HISTORY_QUERY)], **kwargs)


# -- the documented examples of 0.2.0 ------------------------------------------

@responses.activate(assert_all_requests_are_fired=True)
def test_get_user_info__documented_example(pp: Peri) -> None:
    responses.get(f'{API}/getUserPublic', json=load_json('getUserPublic.json'),
                  match=[matchers.query_param_matcher({'user_id': '376827'})])
    user_info = pp.get_user_info('376827')
    assert user_info == USER
    assert user_info['username'] == 'george_clinton'


@responses.activate(assert_all_requests_are_fired=True)
def test_get_user_info__not_found(pp: Peri) -> None:
    responses.get(f'{API}/getUserPublic', json=NOT_FOUND, status=404)
    assert pp.get_user_info('156816811') is None


@responses.activate(assert_all_requests_are_fired=True)
def test_get_user_info__by_username(pp: Peri) -> None:
    responses.get(f'{API}/getUserPublic', json=load_json('getUserPublic.json'),
                  match=[matchers.query_param_matcher({'username': 'george_clinton'})])
    assert pp.get_user_info(username='george_clinton') == USER


@responses.activate(assert_all_requests_are_fired=True)
def test_get_user_info__int_user_id_is_sent_as_digits(pp: Peri) -> None:
    responses.get(f'{API}/getUserPublic', json=load_json('getUserPublic.json'),
                  match=[matchers.query_param_matcher({'user_id': '376827'})])
    assert pp.get_user_info(376827) == USER


@responses.activate(assert_all_requests_are_fired=True)
def test_get_broadcast_info__documented_example(pp: Peri) -> None:
    body = load_json('accessVideoPublic.json')
    responses.get(f'{API}/accessVideoPublic', json=body,
                  match=[matchers.query_param_matcher({'broadcast_id': '1zqKVWybqeDGB'})])
    info = pp.get_broadcast_info('1zqKVWybqeDGB')
    assert info == body['broadcast']
    assert info['status'].startswith('\U0001F34B\U0001F34A#GeorgeClinton')


@responses.activate(assert_all_requests_are_fired=True)
def test_get_broadcast_info__not_found(pp: Peri) -> None:
    responses.get(f'{API}/accessVideoPublic', json=NOT_FOUND, status=404)
    assert pp.get_broadcast_info('aAaAAaaaAAAA') is None


@responses.activate(assert_all_requests_are_fired=True)
def test_get_user_broadcast_history__documented_example(pp: Peri) -> None:
    add_user_page()
    add_history()
    history = pp.get_user_broadcast_history(username='george_clinton')
    assert [b['id'] for b in history] == ['1YqGoOkLbLAGv', '1nAKEnBDXXnGL']
    assert history == load_json('getUserBroadcastsPublic.json')['broadcasts']


@responses.activate(assert_all_requests_are_fired=True)
def test_get_user_broadcast_history__by_user_id_uses_u_page(pp: Peri) -> None:
    add_user_page('/u/376827')
    add_history()
    assert len(pp.get_user_broadcast_history(user_id='376827')) == 2


@responses.activate(assert_all_requests_are_fired=True)
def test_get_user_broadcast_history__user_page_not_found(pp: Peri) -> None:
    add_user_page('/some_bad_username', status=404, body='<html>Not found</html>')
    assert pp.get_user_broadcast_history(username='some_bad_username') is None
    assert len(responses.calls) == 1


@responses.activate(assert_all_requests_are_fired=True)
def test_get_user_broadcast_history__history_endpoint_not_found(pp: Peri) -> None:
    add_user_page()
    add_history(json=NOT_FOUND, status=404)
    assert pp.get_user_broadcast_history(username='george_clinton') is None


@responses.activate(assert_all_requests_are_fired=True)
def test_get_user_broadcast_history__broadcasts_of_wrong_shape(pp: Peri) -> None:
    add_user_page()
    add_history(json={'broadcasts': {'not': 'a list'}})
    with pytest.raises(PyPeriResponseError, match='broadcasts'):
        pp.get_user_broadcast_history(username='george_clinton')


@responses.activate(assert_all_requests_are_fired=True)
def test_get_user_broadcast_history__items_of_wrong_shape(pp: Peri) -> None:
    add_user_page()
    add_history(json={'broadcasts': ['1YqGoOkLbLAGv']})
    with pytest.raises(PyPeriResponseError, match='JSON object'):
        pp.get_user_broadcast_history(username='george_clinton')


@responses.activate(assert_all_requests_are_fired=True)
def test_get_user_broadcast_history__refused_token(pp: Peri) -> None:
    add_user_page()
    add_history(json={'success': False, 'msg': 'Unauthorized'}, status=401)
    with pytest.raises(PyPeriHTTPError) as caught:
        pp.get_user_broadcast_history(username='george_clinton')
    assert caught.value.status_code == 401
    assert caught.value.msg == 'Unauthorized'
    assert TOKENS['broadcastHistory'] not in str(caught.value)


@responses.activate(assert_all_requests_are_fired=True)
def test_get_web_public_user_session_tokens__documented_example(pp: Peri) -> None:
    add_user_page()
    assert pp.get_web_public_user_session_tokens(username='george_clinton') == {
        **TOKENS, 'user_id': '376827'}


@responses.activate(assert_all_requests_are_fired=True)
def test_get_web_public_user_session_tokens__not_found(pp: Peri) -> None:
    add_user_page('/some_non_existant_user', status=404, body='nope')
    assert pp.get_web_public_user_session_tokens(username='some_non_existant_user') is None


@responses.activate(assert_all_requests_are_fired=True)
def test_get_web_public_user_session_tokens__page_without_data_store(pp: Peri) -> None:
    add_user_page(body='<html><body><div id="main"></div></body></html>')
    with pytest.raises(PyPeriResponseError, match='page-container'):
        pp.get_web_public_user_session_tokens(username='george_clinton')


@responses.activate(assert_all_requests_are_fired=True)
def test_get_web_public_user_session_tokens__page_with_broken_json(pp: Peri) -> None:
    add_user_page(body='<div id="page-container" data-store="{&quot;SessionToken&quot;:"></div>')
    with pytest.raises(PyPeriResponseError, match='JSON'):
        pp.get_web_public_user_session_tokens(username='george_clinton')


@responses.activate(assert_all_requests_are_fired=True)
def test_get_web_public_user_session_tokens__page_without_tokens(pp: Peri) -> None:
    add_user_page(body='<div id="page-container" data-store="{&quot;Tracking&quot;:{}}"></div>')
    with pytest.raises(PyPeriResponseError, match='SessionToken'):
        pp.get_web_public_user_session_tokens(username='george_clinton')


@responses.activate(assert_all_requests_are_fired=True)
def test_get_web_public_user_session_tokens__utf8_page_without_charset(pp: Peri) -> None:
    page = load_text('user_page.html').encode('utf-8')
    responses.get(f'{WEB}/george_clinton', body=page, content_type='text/html')
    assert pp.get_web_public_user_session_tokens(username='george_clinton')['user_id'] == '376827'


def test_create_user_url__documented_examples(pp: Peri) -> None:
    # 0.2.0's docs showed a broadcast URL here by mistake; this is the real result.
    assert pp.create_user_url(username='george_clinton') == \
        'https://www.periscope.tv/george_clinton'
    assert pp.create_user_url(user_id='376827') == 'https://www.periscope.tv/u/376827'


def test_create_user_url__user_id_wins(pp: Peri) -> None:
    assert pp.create_user_url(user_id=376827, username='x') == 'https://www.periscope.tv/u/376827'


def test_create_user_url__neither_given(pp: Peri) -> None:
    with pytest.raises(ValueError, match='user_id or username'):
        pp.create_user_url()


def test_create_broadcast_url(pp: Peri) -> None:
    assert pp.create_broadcast_url('1eaKbRMEMEQKX') == 'https://www.periscope.tv/w/1eaKbRMEMEQKX'


def test_parse_periscope_url__documented_example(pp: Peri) -> None:
    assert pp.parse_periscope_url('https://www.periscope.tv/w/1eaKbRMEMEQKX') == {
        'broadcast_id': '1eaKbRMEMEQKX', 'username': None, 'user_id': None}


def test_parse_periscope_url__own_web_host() -> None:
    peri = Peri(web_base_url='http://127.0.0.1:8080/mirror/')
    assert peri.parse_periscope_url('http://127.0.0.1:8080/mirror/u/42')['user_id'] == '42'
    assert peri.parse_periscope_url('http://127.0.0.1:8081/mirror/u/42')['user_id'] is None


@responses.activate(assert_all_requests_are_fired=True)
def test_request_api__returns_the_whole_body(pp: Peri) -> None:
    # 0.2.0's docs printed only the user here; the call always returned the endpoint's body.
    responses.get(f'{API}/getUserPublic', json=load_json('getUserPublic.json'))
    assert pp.request_api('getUserPublic', user_id='376827') == {'user': USER}


@responses.activate(assert_all_requests_are_fired=True)
def test_request_api__not_found(pp: Peri) -> None:
    responses.get(f'{API}/getUserPublic', json=NOT_FOUND, status=404)
    assert pp.request_api('getUserPublic', user_id='6666666666') is None


@responses.activate(assert_all_requests_are_fired=True)
def test_request_api__params_sorted_and_none_dropped(pp: Peri) -> None:
    responses.get(f'{API}/anEndpoint', json={})
    pp.request_api('anEndpoint', zeta='1', alpha='2', middle=None, beta='3')
    assert responses.calls[0].request.url == f'{API}/anEndpoint?alpha=2&beta=3&zeta=1'


@responses.activate(assert_all_requests_are_fired=True)
def test_request_api__no_params(pp: Peri) -> None:
    responses.get(f'{API}/anEndpoint', json={'ok': True})
    assert pp.request_api('anEndpoint') == {'ok': True}
    assert responses.calls[0].request.url == f'{API}/anEndpoint'


@responses.activate(assert_all_requests_are_fired=True)
def test_request_api__raw_params_not_validated(pp: Peri) -> None:
    responses.get(f'{API}/getUserPublic', json={'success': False, 'msg': 'Bad Request'},
                  status=400)
    with pytest.raises(PyPeriHTTPError) as caught:
        pp.request_api('getUserPublic', user_id='not-a-number')
    assert caught.value.status_code == 400
    assert caught.value.endpoint == 'getUserPublic'
    assert not isinstance(caught.value, PyPeriServerError)


def test_create_api_request_url__as_in_0_2_0(pp: Peri) -> None:
    assert pp.create_api_request_url('testEndpoint', test_param='something', test_param2='else') \
        == 'https://api.periscope.tv/api/v2/testEndpoint?test_param=something&test_param2=else'


# -- error statuses and bodies --------------------------------------------------

@pytest.mark.parametrize('status, error', [
    (400, PyPeriHTTPError), (401, PyPeriHTTPError), (403, PyPeriHTTPError),
    (500, PyPeriServerError), (503, PyPeriServerError), (429, PyPeriRateLimitError),
])
@responses.activate(assert_all_requests_are_fired=True)
def test_request_api__error_status(pp: Peri, status: int, error: type) -> None:
    responses.get(f'{API}/getUserPublic', json={'success': False, 'msg': 'Nope'}, status=status)
    with pytest.raises(error) as caught:
        pp.request_api('getUserPublic', user_id='1')
    assert type(caught.value) is error
    assert caught.value.status_code == status
    assert caught.value.msg == 'Nope'
    assert caught.value.response.status_code == status
    assert isinstance(caught.value, requests.HTTPError)
    assert f'HTTP {status}' in str(caught.value)


@responses.activate(assert_all_requests_are_fired=True)
def test_request_api__error_status_without_json_body(pp: Peri) -> None:
    responses.get(f'{API}/getUserPublic', body='<h1>Bad gateway</h1>', status=502)
    with pytest.raises(PyPeriServerError) as caught:
        pp.request_api('getUserPublic', user_id='1')
    assert caught.value.msg is None


@responses.activate(assert_all_requests_are_fired=True)
def test_request_api__rate_limit_carries_retry_after(pp: Peri) -> None:
    responses.get(f'{API}/getUserPublic', status=429, headers={'Retry-After': '0'})
    with pytest.raises(PyPeriRateLimitError) as caught:
        pp.request_api('getUserPublic', user_id='1')
    assert caught.value.retry_after == 0.0


@pytest.mark.parametrize('body, expected', [
    ('<html>maintenance</html>', 'expected JSON'),
    ('', 'expected JSON'),
    ('[1, 2, 3]', 'JSON object'),
    ('"user"', 'JSON object'),
])
@responses.activate(assert_all_requests_are_fired=True)
def test_request_api__ok_status_with_wrong_body(pp: Peri, body: str, expected: str) -> None:
    responses.get(f'{API}/getUserPublic', body=body)
    with pytest.raises(PyPeriResponseError, match=expected):
        pp.request_api('getUserPublic', user_id='1')


@pytest.mark.parametrize('method, args, endpoint, body', [
    ('get_user_info', ('376827',), 'getUserPublic', {'users': []}),
    ('get_user_info', ('376827',), 'getUserPublic', {'user': 'george'}),
    ('get_broadcast_info', ('1zqKVWybqeDGB',), 'accessVideoPublic', {}),
])
@responses.activate(assert_all_requests_are_fired=True)
def test_get__json_of_wrong_shape(pp: Peri, method: str, args: tuple, endpoint: str,
                                  body: dict) -> None:
    responses.get(f'{API}/{endpoint}', json=body)
    with pytest.raises(PyPeriResponseError, match='expected'):
        getattr(pp, method)(*args)


@responses.activate(assert_all_requests_are_fired=True)
def test_request_api__connection_refused(pp: Peri) -> None:
    responses.get(f'{API}/getUserPublic', body=requests.ConnectionError('refused'))
    with pytest.raises(PyPeriConnectionError, match='refused') as caught:
        pp.request_api('getUserPublic', user_id='1')
    assert isinstance(caught.value, requests.ConnectionError)


@responses.activate(assert_all_requests_are_fired=True)
def test_request_api__timeout(pp: Peri) -> None:
    responses.get(f'{API}/getUserPublic', body=requests.ReadTimeout('slow'))
    with pytest.raises(PyPeriTimeout) as caught:
        pp.request_api('getUserPublic', user_id='1')
    assert isinstance(caught.value, requests.Timeout)


@responses.activate(assert_all_requests_are_fired=True)
def test_request_api__dropped_mid_body(pp: Peri) -> None:
    responses.get(f'{API}/getUserPublic',
                  body=requests.exceptions.ChunkedEncodingError('connection broken'))
    with pytest.raises(PyPeriConnectionError):
        pp.request_api('getUserPublic', user_id='1')


@responses.activate(assert_all_requests_are_fired=True)
def test_request_api__other_requests_error_is_wrapped(pp: Peri) -> None:
    responses.get(f'{API}/getUserPublic', body=requests.exceptions.InvalidHeader('bad'))
    with pytest.raises(PyPeriError):
        pp.request_api('getUserPublic', user_id='1')


# -- retries --------------------------------------------------------------------

@responses.activate(registry=registries.OrderedRegistry, assert_all_requests_are_fired=True)
def test_request_api__retries_through_503s(pp: Peri) -> None:
    first = responses.get(f'{API}/getUserPublic', status=503)
    second = responses.get(f'{API}/getUserPublic', status=503)
    third = responses.get(f'{API}/getUserPublic', json={'user': USER})
    assert pp.get_user_info('376827') == USER
    assert (first.call_count, second.call_count, third.call_count) == (1, 1, 1)


@pytest.mark.parametrize('status', [429, 502, 503, 504])
@responses.activate(assert_all_requests_are_fired=True)
def test_request_api__max_retries_exceeded(pp: Peri, status: int) -> None:
    failing = responses.get(f'{API}/getUserPublic', status=status)
    with pytest.raises(PyPeriHTTPError) as caught:
        pp.request_api('getUserPublic', user_id='1')
    assert caught.value.status_code == status
    assert failing.call_count == 4  # the first try and three retries


@responses.activate(assert_all_requests_are_fired=True)
def test_request_api__500_is_not_retried(pp: Peri) -> None:
    failing = responses.get(f'{API}/getUserPublic', status=500)
    with pytest.raises(PyPeriServerError):
        pp.request_api('getUserPublic', user_id='1')
    assert failing.call_count == 1


@responses.activate(assert_all_requests_are_fired=True)
def test_request_api__404_is_not_retried(pp: Peri) -> None:
    missing = responses.get(f'{API}/getUserPublic', status=404, json=NOT_FOUND)
    assert pp.request_api('getUserPublic', user_id='1') is None
    assert missing.call_count == 1


@responses.activate(assert_all_requests_are_fired=True)
def test_retries_zero_disables_retrying() -> None:
    failing = responses.get(f'{API}/getUserPublic', status=503)
    with Peri(retries=0) as peri, pytest.raises(PyPeriServerError):
        peri.request_api('getUserPublic', user_id='1')
    assert failing.call_count == 1


def test_retry_after_is_capped() -> None:
    retry = build_retry(3, retry_after_cap=60)
    response = requests.Response()
    response.headers['Retry-After'] = '3600'
    assert retry.get_retry_after(response) == 60
    assert retry.new(total=1).get_retry_after(response) == 60
    response.headers['Retry-After'] = '2'
    assert retry.get_retry_after(response) == 2


def test_retry_policy() -> None:
    retry = build_retry(5)
    assert retry.total == 5
    assert set(retry.status_forcelist) == {429, 502, 503, 504}
    assert 404 not in retry.status_forcelist
    assert retry.raise_on_status is False
    assert 'POST' not in retry.allowed_methods


@pytest.mark.parametrize('bad, error', [(-1, ValueError), ('3', TypeError), (True, TypeError)])
def test_retries__bad_values(bad: object, error: type) -> None:
    with pytest.raises(error, match='retries'):
        Peri(retries=bad)  # type: ignore[arg-type]


def test_retries__urllib3_retry_accepted() -> None:
    from urllib3.util.retry import Retry
    peri = Peri(retries=Retry(total=7, raise_on_status=True))
    adapter = peri.session.get_adapter('https://api.periscope.tv')
    assert adapter.max_retries.total == 7
    assert adapter.max_retries.raise_on_status is False


# -- configuration ---------------------------------------------------------------

@responses.activate(assert_all_requests_are_fired=True)
def test_default_timeout(pp: Peri) -> None:
    responses.get(f'{API}/getUserPublic', json={'user': USER},
                  match=[matchers.request_kwargs_matcher({'timeout': DEFAULT_TIMEOUT})])
    assert pp.get_user_info('376827') == USER


@responses.activate(assert_all_requests_are_fired=True)
def test_custom_timeout() -> None:
    responses.get(f'{API}/getUserPublic', json={'user': USER},
                  match=[matchers.request_kwargs_matcher({'timeout': 2.5})])
    with Peri(timeout=2.5) as peri:
        assert peri.get_user_info('376827') == USER


@pytest.mark.parametrize('bad', [0, -1, (1, 0), float('inf'), float('nan'), (5, float('inf'))])
def test_timeout__bad_values(bad: object) -> None:
    with pytest.raises(ValueError, match='timeout'):
        Peri(timeout=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize('bad', [None, 'fast', '5', (1, 2, 3), True, [1, 2]])
def test_timeout__wrong_types(bad: object) -> None:
    with pytest.raises(TypeError, match='timeout'):
        Peri(timeout=bad)  # type: ignore[arg-type]


@responses.activate(assert_all_requests_are_fired=True)
def test_user_agent_names_pyperi(pp: Peri) -> None:
    responses.get(f'{API}/getUserPublic', json={'user': USER})
    pp.get_user_info('376827')
    assert responses.calls[0].request.headers['User-Agent'].startswith(
        f'pyperi/{pyperi.__version__} ')


@responses.activate(assert_all_requests_are_fired=True)
def test_custom_user_agent() -> None:
    responses.get(f'{API}/getUserPublic', json={'user': USER})
    with Peri(user_agent='my-dashboard/2') as peri:
        peri.get_user_info('376827')
    assert responses.calls[0].request.headers['User-Agent'] == 'my-dashboard/2'


def test_base_urls__defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv('PYPERI_API_BASE_URL', raising=False)
    monkeypatch.delenv('PYPERI_WEB_BASE_URL', raising=False)
    peri = Peri()
    assert peri.api_base_url == 'https://api.periscope.tv/api/v2'
    assert peri.web_base_url == 'https://www.periscope.tv'


def test_base_urls__environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('PYPERI_API_BASE_URL', 'http://127.0.0.1:9/api/v2/')
    monkeypatch.setenv('PYPERI_WEB_BASE_URL', 'http://127.0.0.1:9')
    peri = Peri()
    assert peri.api_base_url == 'http://127.0.0.1:9/api/v2'
    assert peri.create_user_url(user_id='1') == 'http://127.0.0.1:9/u/1'


def test_base_urls__arguments_beat_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('PYPERI_API_BASE_URL', 'http://127.0.0.1:9/api/v2')
    peri = Peri(api_base_url='http://127.0.0.1:10/api')
    assert peri.api_base_url == 'http://127.0.0.1:10/api'


def test_base_urls__patched_class_attributes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv('PYPERI_WEB_BASE_URL', raising=False)
    monkeypatch.setattr(Peri, 'PERISCOPE_WEB_BASE_URL', 'https://mirror.example/')
    assert Peri().create_user_url(username='x') == 'https://mirror.example/x'


@pytest.mark.parametrize('bad', ['', 'api.periscope.tv', 'ftp://x/y', 'https://', 'https://x?q=1'])
def test_base_urls__bad_values(bad: str) -> None:
    with pytest.raises(ValueError, match='api_base_url'):
        Peri(api_base_url=bad or 'nope')


def test_base_urls__bad_environment_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('PYPERI_WEB_BASE_URL', 'www.periscope.tv')
    with pytest.raises(ValueError, match=r'\$PYPERI_WEB_BASE_URL'):
        Peri()


def test_base_urls__wrong_type() -> None:
    with pytest.raises(TypeError, match='web_base_url'):
        Peri(web_base_url=b'https://x')  # type: ignore[arg-type]


def test_close__own_session_is_closed() -> None:
    peri = Peri()
    adapter = peri.session.get_adapter('https://x')
    adapter.poolmanager.connection_from_url('https://api.periscope.tv')
    with peri:
        pass
    assert len(adapter.poolmanager.pools) == 0


def test_close__passed_session_is_left_open() -> None:
    session = requests.Session()
    session.headers['X-Mine'] = '1'
    adapter = session.get_adapter('https://x')
    adapter.poolmanager.connection_from_url('https://api.periscope.tv')
    with Peri(session) as peri:
        assert peri.session is session
    assert len(adapter.poolmanager.pools) == 1
    assert session.headers['X-Mine'] == '1'


def test_pool_sized_for_threads() -> None:
    adapter = Peri().session.get_adapter('https://api.periscope.tv')
    assert adapter._pool_maxsize >= 16


def test_tls_verification_stays_on() -> None:
    assert Peri().session.verify is True


def test_repr_shows_config_not_tokens(pp: Peri) -> None:
    text = repr(pp)
    assert text.startswith('Peri(api_base_url=')
    assert 'session_id' not in text


@responses.activate(assert_all_requests_are_fired=True)
def test_tokens_never_logged_at_info_or_above(pp: Peri, caplog: pytest.LogCaptureFixture) -> None:
    add_user_page()
    add_history(status=503)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(PyPeriServerError) as caught:
        pp.get_user_broadcast_history(username='george_clinton')
    loud = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    for token in TOKENS.values():
        assert all(token not in line for line in loud)
        assert token not in str(caught.value)
    assert any('getUserBroadcastsPublic' in r.getMessage() for r in caplog.records)


def test_urllib3_retry_warnings_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger('urllib3.connectionpool')
    with caplog.at_level(logging.WARNING):
        log.warning('Retrying (%r) after connection broken by %r: %s', 'Retry(total=2)', 'err',
                    '/api/v2/getUserBroadcastsPublic?all=true&session_id=SECRET&user_id=1')
    assert 'SECRET' not in caplog.text
    assert 'session_id=<redacted>' in caplog.text


@responses.activate(assert_all_requests_are_fired=True)
def test_get_web_public_user_session_tokens__page_without_tracking(pp: Peri) -> None:
    page = load_text('user_page.html').replace('&quot;Tracking&quot;', '&quot;Untracked&quot;')
    add_user_page('/u/376827', body=page)
    assert pp.get_web_public_user_session_tokens(user_id=376827)['user_id'] == '376827'


@responses.activate(assert_all_requests_are_fired=True)
def test_custom_user_agent_on_a_passed_session() -> None:
    responses.get(f'{API}/getUserPublic', json={'user': USER})
    session = requests.Session()
    with Peri(session, user_agent='my-dashboard/2') as peri:
        peri.get_user_info('376827')
    assert responses.calls[0].request.headers['User-Agent'] == 'my-dashboard/2'
    assert 'my-dashboard' not in session.headers['User-Agent']
