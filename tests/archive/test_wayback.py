"""The Wayback-style replay adapter, its session and ``Peri.from_wayback``, with mocked HTTP.

The same behaviour against a real pywb is in test_pywb.py (behind the ``pywb`` marker).
"""
from __future__ import annotations

import pytest
import requests
import responses

from pyperi import Peri, PyPeriNotArchivedError
from pyperi.archive import WaybackAdapter, wayback_session

PREFIX = 'http://replay.test/coll'
API = f'{PREFIX}/20210101000000id_/https://api.periscope.tv/api/v2'
USER = {'user': {'id': '376827', 'username': 'george_clinton'}}


@pytest.fixture
def pp() -> Peri:
    return Peri.from_wayback(PREFIX, when='2021', retries=0)


@responses.activate(assert_all_requests_are_fired=True)
def test_api_calls_go_to_the_prefixed_original_url(pp: Peri) -> None:
    responses.get(f'{API}/getUserPublic', json=USER,
                  headers={'Memento-Datetime': 'Fri, 01 Jan 2021 00:00:00 GMT'})
    assert pp.get_user_info('376827')['username'] == 'george_clinton'
    assert responses.calls[0].request.url == f'{API}/getUserPublic?user_id=376827'


@responses.activate(assert_all_requests_are_fired=True)
def test_a_captured_404_is_none(pp: Peri) -> None:
    responses.get(f'{API}/getUserPublic', status=404, json={'msg': 'not found'},
                  headers={'Memento-Datetime': 'Fri, 01 Jan 2021 00:00:00 GMT'})
    assert pp.get_user_info('1') is None


@responses.activate(assert_all_requests_are_fired=True)
def test_a_404_of_the_server_itself_means_not_archived(pp: Peri) -> None:
    responses.get(f'{API}/getUserPublic', status=404, body='no capture')
    with pytest.raises(PyPeriNotArchivedError) as caught:
        pp.get_user_info('12345')
    assert caught.value.url == 'https://api.periscope.tv/api/v2/getUserPublic?user_id=12345'
    assert PREFIX in str(caught.value)


@responses.activate(assert_all_requests_are_fired=True)
def test_other_hosts_go_through_the_server_too() -> None:
    session = wayback_session(PREFIX, '2021')
    segment = 'https://replay.periscope.tv/x/chunk_1.ts?Signature=abc'
    responses.get(f'{PREFIX}/20210101000000id_/{segment}', body=b'ts',
                  headers={'Memento-Datetime': 'Fri, 01 Jan 2021 00:00:00 GMT'})
    assert session.get(segment).content == b'ts'


def test_the_session_given_keeps_its_inner_adapters() -> None:
    session = requests.Session()
    inner = session.get_adapter('https://x')
    assert wayback_session(PREFIX, session=session) is session
    adapter = session.get_adapter('https://x')
    assert isinstance(adapter, WaybackAdapter) and adapter.inner is inner
    wayback_session(PREFIX, session=session)   # twice: not wrapped twice
    again = session.get_adapter('https://x')
    assert isinstance(again, WaybackAdapter) and again.inner is inner


@pytest.mark.parametrize('call, error, match', [
    (lambda: wayback_session(5), TypeError, 'prefix must be a str'),  # type: ignore[arg-type]
    (lambda: wayback_session('ftp://x/y'), ValueError, 'prefix must be an http'),
    (lambda: wayback_session(PREFIX, session=5), TypeError,  # type: ignore[arg-type]
     'session must be a requests.Session'),
    (lambda: wayback_session(PREFIX, 'not a time'), ValueError, 'when must be a time'),
    (lambda: Peri.from_wayback(PREFIX, api_base_url='http://x'), TypeError,
     'from_wayback builds api_base_url'),
])
@responses.activate(assert_all_requests_are_fired=True)
def test_wrong_arguments(call: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()  # type: ignore[operator]
    assert len(responses.calls) == 0
