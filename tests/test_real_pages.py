"""The client on user pages in the shapes Periscope served (issue 10, points 7 and 8).

``user_page_2016.html`` and ``user_page_2019.html`` in tests/responses are written in the real
shapes: session tokens with their expiry beside ``token``, an ``authed`` section, UserCache
entries of ``{"timestamp", "user"}``; ``Tracking`` on the 2016 page only, and several users
cached on the 2019 one. ``user_page.html`` keeps an older copy's shape (expiry inside
``token``, a ``requestedAt``), which must still be read.
"""
from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
import responses
from responses import matchers

from pyperi import Peri, PyPeriResponseError
from pyperi.web import extract_data_store, session_tokens

from helpers import API, WEB, load_json, load_text

TOKENS = load_json('tokens.json')
TOKEN_NAMES = ('broadcastHistory', 'serviceToken', 'thumbnailPlaylist')
GEORGE = '376827'


def store_of(name: str) -> dict[str, Any]:
    return extract_data_store(load_text(name))


def page_with(store: dict[str, Any]) -> str:
    attribute = html.escape(json.dumps(store), quote=True)
    return f'<html><body><div id="page-container" data-store="{attribute}"></div></body></html>'


def add_page(path: str, body: str) -> None:
    responses.get(f'{WEB}{path}', body=body, content_type='text/html; charset=utf-8')


# -- 7. session tokens: expiry beside the token, an authed section -----------------------------


@pytest.mark.parametrize('name', ['user_page_2016.html', 'user_page_2019.html'])
def test_tokens__real_shape_has_the_expiry_beside_the_token(name: str) -> None:
    public = store_of(name)['SessionToken']['public']
    assert all(set(public[token]) == {'token', 'expiry'} for token in TOKEN_NAMES)
    tokens = session_tokens(store_of(name), username='george_clinton')
    assert {token: tokens[token] for token in TOKEN_NAMES} == TOKENS


def test_tokens__older_shape_with_the_expiry_inside_the_token_is_still_read() -> None:
    store = store_of('user_page_2016.html')
    for value in store['SessionToken']['public'].values():
        value['token']['expiry'] = value.pop('expiry')
        value['requestedAt'] = 1482503700000
    assert session_tokens(store)['broadcastHistory'] == TOKENS['broadcastHistory']
    assert session_tokens(store_of('user_page.html'))['user_id'] == GEORGE


def test_tokens__the_authed_section_is_not_read() -> None:
    store = store_of('user_page_2016.html')
    store['SessionToken']['authed'] = {
        name: {'token': {'session_id': 'authed-' + name}, 'expiry': 1} for name in TOKEN_NAMES}
    assert session_tokens(store)['broadcastHistory'] == TOKENS['broadcastHistory']


@responses.activate(assert_all_requests_are_fired=True)
def test_tokens__from_a_2016_page(pp: Peri) -> None:
    add_page('/george_clinton', load_text('user_page_2016.html'))
    assert pp.get_web_public_user_session_tokens(username='george_clinton') == {
        **TOKENS, 'user_id': GEORGE}


# -- 8. the page's user: Tracking in 2016, the UserCache in 2019 --------------------------------


def test_user_id__2016_page_names_it_in_tracking() -> None:
    store = store_of('user_page_2016.html')
    assert store['Tracking'] == {'type': 'periscope/USER_BROADCAST_HISTORY_REQUEST',
                                 'userId': GEORGE}
    assert session_tokens(store)['user_id'] == GEORGE


def test_user_id__2019_page_has_no_tracking_and_several_cached_users() -> None:
    store = store_of('user_page_2019.html')
    assert 'Tracking' not in store
    users = store['UserCache']['users']
    assert len(users) == 3 and all(set(entry) == {'timestamp', 'user'} for entry in users.values())


@pytest.mark.parametrize('path, username', [
    ('/george_clinton', 'george_clinton'), ('/GEORGE_Clinton', 'GEORGE_Clinton'),
])
@responses.activate(assert_all_requests_are_fired=True)
def test_user_id__2019_page_by_username_picks_that_user_among_the_cached(
        pp: Peri, path: str, username: str) -> None:
    add_page(path, load_text('user_page_2019.html'))
    assert pp.get_web_public_user_session_tokens(username=username)['user_id'] == GEORGE


@responses.activate(assert_all_requests_are_fired=True)
def test_user_id__2019_page_by_id_is_that_id(pp: Peri) -> None:
    add_page(f'/u/{GEORGE}', load_text('user_page_2019.html'))
    assert pp.get_web_public_user_session_tokens(user_id=GEORGE)['user_id'] == GEORGE


@responses.activate(assert_all_requests_are_fired=True)
def test_user_id__2019_page_then_history_end_to_end(pp: Peri) -> None:
    add_page('/george_clinton', load_text('user_page_2019.html'))
    history = load_json('getUserBroadcastsPublic.json')
    responses.get(f'{API}/getUserBroadcastsPublic', json=history, match=[
        matchers.query_param_matcher({'all': 'true', 'user_id': GEORGE,
                                      'session_id': TOKENS['broadcastHistory']})])
    assert pp.get_user_broadcast_history(username='george_clinton') == history['broadcasts']


def test_user_id__2019_page_without_the_user_says_what_it_found() -> None:
    store = store_of('user_page_2019.html')
    with pytest.raises(PyPeriResponseError, match=re.escape(
            "found no Tracking.userId and 3 cached users, none named 'someone_else'")):
        session_tokens(store, username='someone_else')


def test_user_id__2019_page_with_one_cached_user_is_that_user() -> None:
    store = store_of('user_page_2019.html')
    store['UserCache']['users'] = {GEORGE: store['UserCache']['users'][GEORGE]}
    assert session_tokens(store)['user_id'] == GEORGE


@responses.activate(assert_all_requests_are_fired=True)
def test_user_id__2019_page_with_tracking_of_another_kind_falls_back(pp: Peri) -> None:
    store = store_of('user_page_2019.html')
    store['Tracking'] = {'type': 'periscope/SOMETHING_ELSE'}
    add_page('/george_clinton', page_with(store))
    assert pp.get_web_public_user_session_tokens(username='george_clinton')['user_id'] == GEORGE
