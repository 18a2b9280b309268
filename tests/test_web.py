"""pyperi.web: the data-store of a user page, in every shape pages came in."""
from __future__ import annotations

import html
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyperi import PyPeriResponseError
from pyperi.web import extract_data_store, session_tokens

from helpers import load_json, load_text

STORE = {'SessionToken': {'public': {'broadcastHistory': {'token': {'session_id': 'bh'}}}},
         'status': 'caf\u00e9 "quoted" <b> & \'single\' \U0001F3B6 \u2028'}


def escaped(data: object, quote: bool = True) -> str:
    return html.escape(json.dumps(data, ensure_ascii=False), quote=quote)


def test_saved_page() -> None:
    store = extract_data_store(load_text('user_page.html'))
    assert store['Tracking']['userId'] == '376827'
    assert store['UserCache']['users']['376827']['user'] == load_json('getUserPublic.json')['user']
    status = store['BroadcastCache']['broadcasts']['x']['broadcast']['status']
    assert status == 'caf\u00e9 <b>"quoted"</b> & \'single\' \U0001F3B6'


@pytest.mark.parametrize('template', [
    '<div id="page-container" data-store="{v}"></div>',
    '<div data-store="{v}" id="page-container"></div>',
    '<div class="a" data-store="{v}" class="b" id="page-container" hidden></div>',
    '<DIV ID="page-container" DATA-STORE="{v}"></DIV>',
    '<div\n  id = "page-container"\n  data-store = "{v}"\n>',
    '<section id="page-container" data-store="{v}"/>',
    '<div id="page-container"data-store="{v}">',
    '<p>page-container</p><div id="page-container" data-store="{v}">',
    '<!-- old: <div id="page-container" data-store="{}"> -->'
    '<div id="page-container" data-store="{v}">',
    '<script>var s = "<div id=\\"page-container\\">";</script>'
    '<div id="page-container" data-store="{v}">',
])
def test_attribute_order_and_spacing(template: str) -> None:
    page = '<html><body>' + template.replace('{v}', escaped(STORE)) + '</body></html>'
    assert extract_data_store(page) == STORE


def test_single_quoted_attribute() -> None:
    value = json.dumps(STORE, ensure_ascii=False).replace('&', '&amp;').replace("'", '&#39;')
    page = f"<div id='page-container' data-store='{value}'></div>"
    assert extract_data_store(page) == STORE


def test_numeric_and_named_entities() -> None:
    value = '{&#34;a&#x22;: &quot;&lt;&eacute;&#x1F3B6;&gt;&quot;}'
    page = f'<div id="page-container" data-store="{value}"></div>'
    assert extract_data_store(page) == {'a': '<\u00e9\U0001F3B6>'}


def test_raw_angle_bracket_inside_value_falls_back_to_full_parse() -> None:
    page = ('<div data-store="{&quot;a&quot;: &quot;<div page-container>&quot;}" '
            'id="page-container">')
    assert extract_data_store(page) == {'a': '<div page-container>'}


def test_large_page() -> None:
    store = {**STORE, 'filler': ['\U0001F600 emoji & "quotes" ' * 20] * 2500}
    page = '<html>' + '<div class="x">filler</div>' * 5000 + \
        f'<div id="page-container" data-store="{escaped(store)}"></div></html>'
    assert len(page) > 1_000_000
    assert extract_data_store(page) == store


@pytest.mark.parametrize('page, message', [
    ('<html><body>Nothing here</body></html>', 'id="page-container"'),
    ('', 'id="page-container"'),
    ('<div class="page-container" data-store="{}"></div>', 'id="page-container"'),
    ('<div id="page-container" class="x"></div>', 'data-store attribute'),
    ('<div id="page-container" data-store="{&quot;a&quot;:"></div>', 'JSON'),
    ('<div id="page-container" data-store="not json"></div>', 'JSON'),
    ('<div id="page-container" data-store="[1, 2]"></div>', 'JSON object'),
    ('<div id="page-container" data-store></div>', 'JSON'),
])
def test_unreadable_pages(page: str, message: str) -> None:
    with pytest.raises(PyPeriResponseError, match=message):
        extract_data_store(page)


def test_not_a_str() -> None:
    with pytest.raises(TypeError, match='page'):
        extract_data_store(b'<html></html>')  # type: ignore[arg-type]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)


@settings(max_examples=150)
@given(st.dictionaries(st.text(max_size=10), json_values, max_size=5), st.booleans(),
       st.booleans())
def test_any_json_round_trips(data: dict, data_store_first: bool, ascii_only: bool) -> None:
    value = html.escape(json.dumps(data, ensure_ascii=ascii_only))
    attrs = [f'data-store="{value}"', 'id="page-container"', 'class="PageContainer"']
    if not data_store_first:
        attrs.reverse()
    page = f'<html><body><div {" ".join(attrs)}></div></body></html>'
    assert extract_data_store(page) == data


def token_store(**overrides: object) -> dict:
    store: dict = {
        'SessionToken': {'public': {
            name: {'expiry': 1, 'token': {'session_id': f'{name}-token'}}
            for name in ('broadcastHistory', 'serviceToken', 'thumbnailPlaylist')}},
        'Tracking': {'userId': '376827'},
    }
    store.update(overrides)
    return store


def test_session_tokens() -> None:
    assert session_tokens(token_store()) == {
        'broadcastHistory': 'broadcastHistory-token', 'serviceToken': 'serviceToken-token',
        'thumbnailPlaylist': 'thumbnailPlaylist-token', 'user_id': '376827'}


def test_session_tokens__user_id_from_user_cache() -> None:
    store = token_store(Tracking={}, UserCache={'users': {'42': {'user': {}}}})
    assert session_tokens(store)['user_id'] == '42'


def test_session_tokens__user_id_from_request_when_page_has_none() -> None:
    assert session_tokens(token_store(Tracking={}), user_id='99')['user_id'] == '99'


def test_session_tokens__user_id_from_username_in_user_cache() -> None:
    cache = {'users': {'1': {'user': {'id': '1', 'username': 'other'}},
                       '2': {'user': {'id': '2', 'username': 'George_Clinton'}}}}
    store = token_store(Tracking=None, UserCache=cache)
    assert session_tokens(store, username='george_clinton')['user_id'] == '2'
    with pytest.raises(PyPeriResponseError, match='Tracking.userId'):
        session_tokens(store, username='nobody')


def test_session_tokens__tracking_wins() -> None:
    assert session_tokens(token_store(), user_id='99')['user_id'] == '376827'


def test_session_tokens__numeric_user_id() -> None:
    assert session_tokens(token_store(Tracking={'userId': 42}))['user_id'] == '42'


@pytest.mark.parametrize('store, message', [
    ({}, 'SessionToken'),
    ({'SessionToken': []}, 'SessionToken.public'),
    ({'SessionToken': {'public': {}}}, 'SessionToken.public.broadcastHistory'),
    (token_store(SessionToken={'public': {'broadcastHistory': {'token': {}}}}), 'session_id'),
    (token_store(Tracking=None), 'Tracking.userId'),
    (token_store(Tracking={'userId': ''}), 'Tracking.userId'),
    (token_store(Tracking={'userId': True}), 'Tracking.userId'),
    (token_store(Tracking={}, UserCache={'users': {'1': {}, '2': {}}}), 'Tracking.userId'),
])
def test_session_tokens__missing(store: dict, message: str) -> None:
    with pytest.raises(PyPeriResponseError, match=message):
        session_tokens(store)


def test_session_tokens__token_not_a_string() -> None:
    store = token_store()
    store['SessionToken']['public']['serviceToken']['token']['session_id'] = 12
    with pytest.raises(PyPeriResponseError, match='serviceToken'):
        session_tokens(store)


@pytest.mark.parametrize('value', [
    '', 'plain', '&quot;a&quot;', '&amp;quot;', '&amp;amp;lt;', '&lt;&gt;&#39;&#x27;&#34;',
    '&eacute;&quot;', '&QUOT;', '&amp', 'a & b', '&#x1F3B6;&quot;', '&&lt;', '&quot',
])
def test_fast_unescape_agrees_with_html_unescape(value: str) -> None:
    from pyperi.web import _unescape
    assert _unescape(value) == html.unescape(value)


@given(st.text(alphabet='&;#x3927qugtlamp"\'<> ', max_size=40))
def test_fast_unescape_agrees_on_entity_soup(value: str) -> None:
    from pyperi.web import _unescape
    assert _unescape(value) == html.unescape(value)


def test_absurdly_deep_json_is_a_response_error() -> None:
    from pyperi.web import json_object
    with pytest.raises(PyPeriResponseError, match='expected JSON'):
        json_object('[' * 200_000, 'the body')
