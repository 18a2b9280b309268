"""The fake's wire format (SPEC section 3), checked with plain requests."""

from __future__ import annotations

import html
import json
import re

import pytest

from pyperi.testing import (
    BIG_PAGE_USERNAME, DOCUMENTED_BROADCAST_ID, DOCUMENTED_HISTORY_IDS, EMPTY_HISTORY_USERNAME,
    GEORGE_CLINTON_ID, GEORGE_LIVE_BROADCAST_ID, GEORGE_LIVE_STATUS, LONG_HISTORY_COUNT,
    LONG_HISTORY_USERNAME, MISSING_BROADCAST_IDS, MISSING_USER_IDS, MISSING_USERNAMES,
    FakePeriscope,
)
from pyperi.testing._documented import DOCUMENTED_BROADCAST, DOCUMENTED_HISTORY, DOCUMENTED_USER
from pyperi.timeutil import parse_timestamp

pytestmark = pytest.mark.integration

NOT_FOUND = {'success': False, 'msg': 'Not Found'}
STORE_RE = re.compile(r'<div id="page-container" class="[^"]*" data-store="([^"]*)">')


def api(fake, http, endpoint, **params):
    return http.get('%s/%s' % (fake.api_base_url, endpoint), params=params, timeout=5)


def data_store(text):
    return json.loads(html.unescape(STORE_RE.search(text).group(1)))


def page_tokens(fake, http, path):
    store = data_store(http.get(fake.web_base_url + path, timeout=5).text)
    return {name: value['token']['session_id']
            for name, value in store['SessionToken']['public'].items()}


def test_get_user_public__by_id_is_the_documented_user(fake_server, http):
    response = api(fake_server, http, 'getUserPublic', user_id=GEORGE_CLINTON_ID)
    assert response.status_code == 200
    assert response.headers['Content-Type'].startswith('application/json')
    assert response.json() == {'user': DOCUMENTED_USER}


def test_get_user_public__by_username_any_case(fake_server, http):
    response = api(fake_server, http, 'getUserPublic', username='George_Clinton')
    assert response.json()['user']['id'] == GEORGE_CLINTON_ID


@pytest.mark.parametrize('params', [{'user_id': uid} for uid in MISSING_USER_IDS]
                         + [{'username': name} for name in MISSING_USERNAMES])
def test_get_user_public__unknown_is_404(fake_server, http, params):
    response = api(fake_server, http, 'getUserPublic', **params)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


@pytest.mark.parametrize('params', [{'user_id': 'george_clinton'}, {'user_id': '12a'}, {}])
def test_get_user_public__bad_user_id_is_400(fake_server, http, params):
    response = api(fake_server, http, 'getUserPublic', **params)
    assert response.status_code == 400
    assert response.json()['success'] is False


def test_unknown_endpoint__is_404(fake_server, http):
    response = api(fake_server, http, 'getSomethingElse', user_id='1')
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def access_video(fake, http, broadcast_id):
    return api(fake, http, 'accessVideoPublic', broadcast_id=broadcast_id).json()


def test_access_video_public__ended_broadcast_is_the_documented_replay(fake_server, http):
    body = access_video(fake_server, http, DOCUMENTED_BROADCAST_ID)
    assert body['broadcast'] == DOCUMENTED_BROADCAST
    assert body['type'] == 'StreamTypeReplay'


def test_access_video_public__share_url_is_the_broadcast_page(fake_server, http):
    body = access_video(fake_server, http, DOCUMENTED_BROADCAST_ID)
    assert body['share_url'] == '%s/w/%s' % (fake_server.web_base_url, DOCUMENTED_BROADCAST_ID)


def test_access_video_public__ended_broadcast_has_replay_url_only(fake_server, http):
    body = access_video(fake_server, http, DOCUMENTED_BROADCAST_ID)
    assert body['replay_url'] == fake_server.replay_url(DOCUMENTED_BROADCAST_ID)
    assert 'hls_url' not in body


def test_access_video_public__cloudfront_cookies(fake_server, http):
    cookies = access_video(fake_server, http, DOCUMENTED_BROADCAST_ID)['cookies']
    names = [c['Name'] for c in cookies]
    assert names == ['CloudFront-Policy', 'CloudFront-Signature', 'CloudFront-Key-Pair-Id']


def test_access_video_public__cookies_for_the_fakes_host(fake_server, http):
    cookies = access_video(fake_server, http, DOCUMENTED_BROADCAST_ID)['cookies']
    assert cookies[0]['Domain'] == '127.0.0.1'


def test_access_video_public__running_broadcast_has_no_end(fake_server, http):
    body = access_video(fake_server, http, GEORGE_LIVE_BROADCAST_ID)
    assert body['broadcast']['state'] == 'RUNNING'
    assert 'end' not in body['broadcast']


def test_access_video_public__running_broadcast_is_a_web_stream(fake_server, http):
    body = access_video(fake_server, http, GEORGE_LIVE_BROADCAST_ID)
    assert body['type'] == 'StreamTypeWeb'
    assert 'replay_url' not in body


def test_access_video_public__running_broadcast_has_live_urls(fake_server, http):
    body = access_video(fake_server, http, GEORGE_LIVE_BROADCAST_ID)
    live = fake_server.web_base_url + fake_server.live_path(GEORGE_LIVE_BROADCAST_ID)
    for key in ('hls_url', 'https_hls_url', 'lhls_url', 'lhlsweb_url'):
        assert body[key].startswith(live)


@pytest.mark.parametrize('params, status', [({'broadcast_id': MISSING_BROADCAST_IDS[0]}, 404),
                                            ({}, 400)])
def test_access_video_public__errors(fake_server, http, params, status):
    response = api(fake_server, http, 'accessVideoPublic', **params)
    assert response.status_code == status
    assert response.json()['success'] is False


USER_PAGE_PATHS = ['/george_clinton', '/u/376827', '/GEORGE_CLINTON']


def user_page(fake, http, path):
    return http.get(fake.web_base_url + path, timeout=5)


@pytest.mark.parametrize('path', USER_PAGE_PATHS)
def test_user_page__is_an_html_page(fake_server, http, path):
    response = user_page(fake_server, http, path)
    assert response.status_code == 200
    assert response.headers['Content-Type'] == 'text/html; charset=utf-8'
    text = response.text
    assert text.startswith('<!DOCTYPE html>') and '<script' in text and '</html>' in text


@pytest.mark.parametrize('path', USER_PAGE_PATHS)
def test_user_page__data_store_is_html_escaped(fake_server, http, path):
    assert '&quot;' in user_page(fake_server, http, path).text


@pytest.mark.parametrize('path', USER_PAGE_PATHS)
def test_user_page__tracking_names_the_user(fake_server, http, path):
    store = data_store(user_page(fake_server, http, path).text)
    assert store['Tracking']['userId'] == GEORGE_CLINTON_ID


@pytest.mark.parametrize('path', USER_PAGE_PATHS)
def test_user_page__user_cache_holds_the_documented_user(fake_server, http, path):
    store = data_store(user_page(fake_server, http, path).text)
    assert store['UserCache']['users'][GEORGE_CLINTON_ID]['user'] == DOCUMENTED_USER


@pytest.mark.parametrize('path', USER_PAGE_PATHS)
def test_user_page__carries_the_three_public_tokens(fake_server, http, path):
    public = data_store(user_page(fake_server, http, path).text)['SessionToken']['public']
    assert set(public) == {'broadcastHistory', 'serviceToken', 'thumbnailPlaylist'}
    for value in public.values():
        assert value['token']['session_id']


@pytest.mark.parametrize('path', USER_PAGE_PATHS)
def test_user_page__tokens_expire_after_the_page_is_served(fake_server, http, path):
    store = data_store(user_page(fake_server, http, path).text)
    served = store['UserCache']['users'][GEORGE_CLINTON_ID]['timestamp']
    for value in store['SessionToken']['public'].values():
        assert value['expiry'] > served


@pytest.mark.parametrize('path', USER_PAGE_PATHS)
def test_user_page__keeps_emoji(fake_server, http, path):
    store = data_store(user_page(fake_server, http, path).text)
    assert '\U0001f440' in json.dumps(store, ensure_ascii=False)


def test_user_page__tokens_are_fresh_each_time(fake_server, http):
    first = page_tokens(fake_server, http, '/george_clinton')
    assert page_tokens(fake_server, http, '/george_clinton') != first


@pytest.mark.parametrize('path', ['/some_bad_username', '/u/156816811', '/u/not_digits',
                                  '/w/' + MISSING_BROADCAST_IDS[0], '/a/b/c', '/bad-name!'])
def test_pages__unknown_is_404_html(fake_server, http, path):
    response = http.get(fake_server.web_base_url + path, timeout=5)
    assert response.status_code == 404
    assert response.headers['Content-Type'].startswith('text/html')
    assert 'data-store' not in response.text.replace('getAttribute("data-store")', '')


@pytest.mark.parametrize('path', ['/w/' + DOCUMENTED_BROADCAST_ID,
                                  '/george_clinton/' + DOCUMENTED_BROADCAST_ID])
def test_broadcast_page(fake_server, http, path):
    store = data_store(http.get(fake_server.web_base_url + path, timeout=5).text)
    broadcasts = store['BroadcastCache']['broadcasts']
    assert broadcasts[DOCUMENTED_BROADCAST_ID]['broadcast']['id'] == DOCUMENTED_BROADCAST_ID


def test_big_page__is_over_a_megabyte(fake_server, http):
    response = http.get(fake_server.web_base_url + '/' + BIG_PAGE_USERNAME, timeout=10)
    assert len(response.content) >= 1024 * 1024
    assert len(data_store(response.text)['UserCache']['users']) > 1000


def george_history(fake, http):
    tokens = page_tokens(fake, http, '/george_clinton')
    return api(fake, http, 'getUserBroadcastsPublic', user_id=GEORGE_CLINTON_ID,
               session_id=tokens['broadcastHistory'], all='true')


def test_history__with_page_token_is_200(fake_server, http):
    assert george_history(fake_server, http).status_code == 200


def test_history__newest_is_the_live_broadcast(fake_server, http):
    newest = george_history(fake_server, http).json()['broadcasts'][0]
    assert newest['status'] == GEORGE_LIVE_STATUS
    assert newest['state'] == 'RUNNING'


def test_history__documented_items_served_unchanged(fake_server, http):
    by_id = {b['id']: b for b in george_history(fake_server, http).json()['broadcasts']}
    documented = {b['id']: b for b in DOCUMENTED_HISTORY}
    for broadcast_id in DOCUMENTED_HISTORY_IDS:
        assert by_id[broadcast_id] == documented[broadcast_id]


def test_history__documented_broadcast_has_views(fake_server, http):
    by_id = {b['id']: b for b in george_history(fake_server, http).json()['broadcasts']}
    assert by_id[DOCUMENTED_BROADCAST_ID]['n_total_watched'] > 0


def test_history__oldest_are_the_documented_history(fake_server, http):
    broadcasts = george_history(fake_server, http).json()['broadcasts']
    assert [b['id'] for b in broadcasts[-2:]] == list(DOCUMENTED_HISTORY_IDS)


def test_history__twenty_or_more_distinct_broadcasts(fake_server, http):
    broadcasts = george_history(fake_server, http).json()['broadcasts']
    assert len(broadcasts) == len(set(b['id'] for b in broadcasts)) >= 20


def test_history__every_state(fake_server, http):
    broadcasts = george_history(fake_server, http).json()['broadcasts']
    assert {b['state'] for b in broadcasts} == {'RUNNING', 'ENDED', 'TIMED_OUT'}


def test_history__newest_first(fake_server):
    history = fake_server.history(GEORGE_CLINTON_ID)
    starts = [parse_timestamp(b['start']) for b in history]
    assert starts == sorted(starts, reverse=True)


@pytest.mark.parametrize('session_id, msg', [(None, 'Missing session_id'),
                                             ('forged', 'Invalid session_id')])
def test_history__refuses_missing_or_unknown_token(fake_server, http, session_id, msg):
    response = api(fake_server, http, 'getUserBroadcastsPublic', user_id=GEORGE_CLINTON_ID,
                   session_id=session_id, all='true')
    assert response.status_code == 401
    assert response.json() == {'success': False, 'msg': msg}


def test_history__refuses_other_kinds_of_token(fake_server, http):
    tokens = page_tokens(fake_server, http, '/george_clinton')
    response = api(fake_server, http, 'getUserBroadcastsPublic', user_id=GEORGE_CLINTON_ID,
                   session_id=tokens['serviceToken'])
    assert response.status_code == 401


def test_history__refuses_token_of_another_user(fake_server, http):
    tokens = page_tokens(fake_server, http, '/' + EMPTY_HISTORY_USERNAME)
    response = api(fake_server, http, 'getUserBroadcastsPublic', user_id=GEORGE_CLINTON_ID,
                   session_id=tokens['broadcastHistory'])
    assert response.status_code == 401
    assert 'not issued for this user' in response.json()['msg']


def test_history__refuses_expired_token(fake_server, http):
    tokens = page_tokens(fake_server, http, '/george_clinton')
    fake_server.advance_time(fake_server.token_ttl + 1)
    response = api(fake_server, http, 'getUserBroadcastsPublic', user_id=GEORGE_CLINTON_ID,
                   session_id=tokens['broadcastHistory'])
    assert response.status_code == 401
    assert response.json() == {'success': False, 'msg': 'Expired session_id'}


def test_history__expire_tokens(fake_server, http):
    tokens = page_tokens(fake_server, http, '/george_clinton')
    fake_server.expire_tokens()
    response = api(fake_server, http, 'getUserBroadcastsPublic', user_id=GEORGE_CLINTON_ID,
                   session_id=tokens['broadcastHistory'])
    assert response.status_code == 401


def test_history__token_ttl_sets_expiry(http):
    with FakePeriscope(token_ttl=42) as fake:
        store = data_store(http.get(fake.web_base_url + '/george_clinton', timeout=5).text)
        token = store['SessionToken']['public']['broadcastHistory']
        served = store['UserCache']['users'][GEORGE_CLINTON_ID]['timestamp']
        assert token['expiry'] - served == 42000


@pytest.mark.parametrize('user_id, status', [('156816811', 404), ('abc', 400)])
def test_history__bad_user(fake_server, http, user_id, status):
    response = api(fake_server, http, 'getUserBroadcastsPublic', user_id=user_id, session_id='x')
    assert response.status_code == status


def test_long_history(fake_server, http):
    user_id = fake_server.user_id_for(LONG_HISTORY_USERNAME)
    tokens = page_tokens(fake_server, http, '/' + LONG_HISTORY_USERNAME)
    response = api(fake_server, http, 'getUserBroadcastsPublic', user_id=user_id,
                   session_id=tokens['broadcastHistory'], all='true')
    assert len(response.json()['broadcasts']) == LONG_HISTORY_COUNT >= 1000


def test_long_history__broadcasts_found_before_history_is_asked(fake_server, http):
    other = FakePeriscope()
    broadcast_id = other.history(other.user_id_for(LONG_HISTORY_USERNAME))[5]['id']
    body = api(fake_server, http, 'accessVideoPublic', broadcast_id=broadcast_id).json()
    assert body['broadcast']['username'] == LONG_HISTORY_USERNAME


def test_empty_history(fake_server, http):
    user_id = fake_server.user_id_for(EMPTY_HISTORY_USERNAME)
    tokens = page_tokens(fake_server, http, '/u/' + user_id)
    response = api(fake_server, http, 'getUserBroadcastsPublic', user_id=user_id,
                   session_id=tokens['broadcastHistory'])
    assert response.json() == {'broadcasts': []}


def test_json_is_utf8_with_emoji(fake_server, http):
    response = api(fake_server, http, 'accessVideoPublic', broadcast_id=DOCUMENTED_BROADCAST_ID)
    assert '\U0001f34b'.encode('utf-8') in response.content
