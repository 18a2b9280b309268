"""Scripts written for PyPeri 0.2.0 keep working: class-level calls, its module and its
underscore helpers, and the byte-order mark its ``Response.json()`` accepted."""
from __future__ import annotations

import pytest
import responses

from pyperi import Peri, PyPeriResponseError
from pyperi.pyperi import Peri as Peri020

from helpers import API, NOT_FOUND, WEB, load_json, load_text

EMPTY = {'broadcast_id': None, 'user_id': None, 'username': None}
OWN_WEB = 'http://127.0.0.1:8000/mirror'


def test_pyperi_pyperi_module__is_the_same_class() -> None:
    assert Peri020 is Peri


# -- classmethods of 0.2.0 work on the class, with the class's base URL -------------------

def test_parse_periscope_url__on_the_class() -> None:
    assert Peri.parse_periscope_url('https://www.periscope.tv/w/1zqKVWybqeDGB') == \
        {**EMPTY, 'broadcast_id': '1zqKVWybqeDGB'}


def test_create_user_url__on_the_class_by_username() -> None:
    assert Peri.create_user_url(username='george_clinton') == \
        'https://www.periscope.tv/george_clinton'


def test_create_user_url__on_the_class_positional_user_id() -> None:
    assert Peri.create_user_url('376827') == 'https://www.periscope.tv/u/376827'


def test_create_user_url__on_the_class_needs_an_argument() -> None:
    with pytest.raises(ValueError):
        Peri.create_user_url()


def test_create_broadcast_url__on_the_class() -> None:
    assert Peri.create_broadcast_url('1zqKVWybqeDGB') == 'https://www.periscope.tv/w/1zqKVWybqeDGB'


def test_class_level_calls__follow_a_patched_class_attribute(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Peri, 'PERISCOPE_WEB_BASE_URL', OWN_WEB)
    assert Peri.create_user_url(username='george') == f'{OWN_WEB}/george'
    assert Peri.parse_periscope_url(f'{OWN_WEB}/w/abc')['broadcast_id'] == 'abc'


def test_instance_calls__use_the_instance_base_url() -> None:
    pp = Peri(web_base_url=OWN_WEB)
    assert pp.create_user_url(username='george') == f'{OWN_WEB}/george'
    assert pp.create_broadcast_url('abc') == f'{OWN_WEB}/w/abc'
    assert pp.parse_periscope_url(f'{OWN_WEB}/u/376827')['user_id'] == '376827'
    assert Peri.parse_periscope_url(f'{OWN_WEB}/u/376827') == EMPTY   # not the class's host


# -- 0.2.0's underscore helpers --------------------------------------------------------

def test_create_api_request_url__sorted_params_on_class_and_instance() -> None:
    expected = f'{API}/testEndpoint?test_param=something&test_param2=else'
    assert Peri._create_api_request_url(
        'testEndpoint', test_param2='else', test_param='something') == expected
    assert Peri()._create_api_request_url(
        'testEndpoint', test_param2='else', test_param='something') == expected


def test_create_api_request_url__no_trailing_question_mark() -> None:
    # A documented difference from 0.2.0, which ended the URL in '?' without params.
    assert Peri._create_api_request_url('testEndpoint') == f'{API}/testEndpoint'


def test_create_api_request_url__instance_uses_its_api_base() -> None:
    pp = Peri(api_base_url='http://127.0.0.1:8000/api/v2')
    assert pp.create_api_request_url('getUserPublic', user_id='1') == \
        'http://127.0.0.1:8000/api/v2/getUserPublic?user_id=1'


@responses.activate(assert_all_requests_are_fired=True)
def test_get_web_data_store__decodes_the_page(pp: Peri) -> None:
    responses.get(f'{WEB}/george_clinton', body=load_text('user_page.html'),
                  content_type='text/html')
    store = pp._get_web_data_store(f'{WEB}/george_clinton')
    assert store is not None
    assert store['SessionToken']['public']['broadcastHistory']['token']['session_id'] == \
        load_json('tokens.json')['broadcastHistory']


@responses.activate(assert_all_requests_are_fired=True)
def test_get_web_data_store__missing_page_is_none(pp: Peri) -> None:
    responses.get(f'{WEB}/nobody', body='<html></html>', status=404)
    assert pp._get_web_data_store(f'{WEB}/nobody') is None


@responses.activate(assert_all_requests_are_fired=True)
def test_get_web_data_store__page_without_store_raises(pp: Peri) -> None:
    responses.get(f'{WEB}/odd', body='<html><body>hi</body></html>')
    with pytest.raises(PyPeriResponseError, match='page-container'):
        pp._get_web_data_store(f'{WEB}/odd')


@pytest.mark.parametrize('helper, url, expected', [
    ('_parse_periscope_w_url', f'{WEB}/w/1zqKVWybqeDGB', {'broadcast_id': '1zqKVWybqeDGB'}),
    ('_parse_periscope_w_url', f'{WEB}/george/1zqKVWybqeDGB', {}),
    ('_parse_periscope_w_url', f'{WEB}/u/376827', {}),
    ('_parse_periscope_u_url', f'{WEB}/u/376827', {'user_id': '376827'}),
    ('_parse_periscope_u_url', f'{WEB}/w/1zqKVWybqeDGB', {}),
    ('_parse_periscope_username_url', f'{WEB}/SomeUsername', {'username': 'SomeUsername'}),
    ('_parse_periscope_username_url', f'{WEB}/some_username/1zqKVWybqeDGB',
     {'username': 'some_username'}),
    ('_parse_periscope_username_url', f'{WEB}/w/1zqKVWybqeDGB', {}),
    ('_parse_periscope_username_broadcast_id_url', f'{WEB}/someusername/1zqKVWybqeDGB',
     {'username': 'someusername', 'broadcast_id': '1zqKVWybqeDGB'}),
    ('_parse_periscope_username_broadcast_id_url', f'{WEB}/okUsername/', {}),
    ('_parse_periscope_username_broadcast_id_url', f'{WEB}/okUsername', {}),
])
def test_parse_helpers__each_reads_its_own_form(helper: str, url: str,
                                                expected: dict[str, str]) -> None:
    assert getattr(Peri, helper)(url) == {**EMPTY, **expected}
    assert getattr(Peri(), helper)(url) == {**EMPTY, **expected}


# -- a UTF-8 byte-order mark, which Response.json() accepted ---------------------------

@responses.activate(assert_all_requests_are_fired=True)
def test_api_body_with_byte_order_mark(pp: Peri) -> None:
    body = '\ufeff{"user": {"id": "376827", "username": "george_clinton"}}'.encode()
    responses.get(f'{API}/getUserPublic', body=body, content_type='application/json')
    assert pp.get_user_info('376827') == {'id': '376827', 'username': 'george_clinton'}


@responses.activate(assert_all_requests_are_fired=True)
def test_api_body_with_byte_order_mark_and_charset(pp: Peri) -> None:
    body = '\ufeff{"broadcast": {"id": "abc"}}'.encode()
    responses.get(f'{API}/accessVideoPublic', body=body,
                  content_type='application/json; charset=utf-8')
    assert pp.get_broadcast_info('abc') == {'id': 'abc'}


@responses.activate(assert_all_requests_are_fired=True)
def test_page_with_byte_order_mark(pp: Peri) -> None:
    page = ('\ufeff' + load_text('user_page.html')).encode()
    responses.get(f'{WEB}/george_clinton', body=page, content_type='text/html; charset=utf-8')
    tokens = pp.get_web_public_user_session_tokens(username='george_clinton')
    assert tokens is not None and tokens['user_id'] == '376827'


@responses.activate(assert_all_requests_are_fired=True)
def test_not_found_body_with_byte_order_mark_is_still_none(pp: Peri) -> None:
    responses.get(f'{API}/getUserPublic', body=b'\xef\xbb\xbf' + str(NOT_FOUND).encode(),
                  status=404)
    assert pp.get_user_info(username='nobody') is None
