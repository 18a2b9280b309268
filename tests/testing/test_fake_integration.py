"""Every public Peri method against the fake server over real HTTP, and the fault tests."""

from __future__ import annotations

import time

import pytest

from pyperi import Peri, PyPeriConnectionError, PyPeriHTTPError, PyPeriResponseError
from pyperi import PyPeriServerError
from pyperi import PyPeriRateLimitError, PyPeriTimeout
from pyperi.client import build_retry
from pyperi.testing import (
    DOCUMENTED_BROADCAST_ID, DOCUMENTED_HISTORY_IDS, GEORGE_CLINTON_ID, GEORGE_CLINTON_USERNAME,
    GEORGE_LIVE_STATUS, FakePeriscope,
)
from pyperi.testing._documented import DOCUMENTED_BROADCAST, DOCUMENTED_USER

pytestmark = pytest.mark.integration

USER_PATH = '/api/v2/getUserPublic'


def statuses(fake, prefix=USER_PATH):
    return [r.status for r in fake.requests_for(prefix)]


def test_get_user_info__by_id(fake_server):
    assert fake_server.peri.get_user_info(GEORGE_CLINTON_ID) == DOCUMENTED_USER


def test_get_user_info__by_username(fake_server):
    assert fake_server.peri.get_user_info(username=GEORGE_CLINTON_USERNAME) == DOCUMENTED_USER


@pytest.mark.parametrize('kwargs', [{'user_id': '156816811'}, {'username': 'some_bad_username'}])
def test_get_user_info__missing_is_none(fake_server, kwargs):
    assert fake_server.peri.get_user_info(**kwargs) is None


def test_get_broadcast_info(fake_server):
    assert fake_server.peri.get_broadcast_info(DOCUMENTED_BROADCAST_ID) == DOCUMENTED_BROADCAST


def test_get_broadcast_info__missing_is_none(fake_server):
    assert fake_server.peri.get_broadcast_info('aAaAAaaaAAAA') is None


def test_request_api(fake_server):
    result = fake_server.peri.request_api('getUserPublic', user_id='376827')
    assert result == {'user': DOCUMENTED_USER}


def test_request_api__404_is_none(fake_server):
    assert fake_server.peri.request_api('getUserPublic', user_id='6666666666') is None


def test_request_api__sends_the_params(fake_server):
    fake_server.peri.request_api('getUserPublic', user_id='6666666666')
    assert fake_server.requests[-1].params == {'user_id': '6666666666'}


def test_request_api__400_raises(fake_server):
    with pytest.raises(PyPeriHTTPError) as info:
        fake_server.peri.request_api('getUserPublic', user_id='not_a_number')
    assert info.value.status_code == 400


def test_get_web_public_user_session_tokens(fake_server):
    tokens = fake_server.peri.get_web_public_user_session_tokens(username=GEORGE_CLINTON_USERNAME)
    assert set(tokens) == {'broadcastHistory', 'serviceToken', 'thumbnailPlaylist', 'user_id'}
    assert tokens['user_id'] == GEORGE_CLINTON_ID


def test_get_web_public_user_session_tokens__by_id(fake_server):
    tokens = fake_server.peri.get_web_public_user_session_tokens(user_id=GEORGE_CLINTON_ID)
    assert tokens['user_id'] == GEORGE_CLINTON_ID


def test_get_web_public_user_session_tokens__fresh_each_call(fake_server):
    peri = fake_server.peri
    by_name = peri.get_web_public_user_session_tokens(username=GEORGE_CLINTON_USERNAME)
    by_id = peri.get_web_public_user_session_tokens(user_id=GEORGE_CLINTON_ID)
    assert by_id['broadcastHistory'] != by_name['broadcastHistory']


def test_get_web_public_user_session_tokens__missing_is_none(fake_server):
    assert fake_server.peri.get_web_public_user_session_tokens(
        username='some_non_existant_user') is None


def test_get_user_broadcast_history__is_the_fakes_history(fake_server):
    history = fake_server.peri.get_user_broadcast_history(username=GEORGE_CLINTON_USERNAME)
    assert history == fake_server.history(GEORGE_CLINTON_ID)
    assert history[0]['status'] == GEORGE_LIVE_STATUS
    assert [b['id'] for b in history[-2:]] == list(DOCUMENTED_HISTORY_IDS)


def test_get_user_broadcast_history__page_then_api(fake_server):
    fake_server.peri.get_user_broadcast_history(username=GEORGE_CLINTON_USERNAME)
    paths = [r.path for r in fake_server.requests]
    assert paths == ['/' + GEORGE_CLINTON_USERNAME, '/api/v2/getUserBroadcastsPublic']


def test_get_user_broadcast_history__asks_for_all_of_the_users(fake_server):
    fake_server.peri.get_user_broadcast_history(username=GEORGE_CLINTON_USERNAME)
    params = fake_server.requests[-1].params
    assert params['user_id'] == GEORGE_CLINTON_ID and params['all'] == 'true'


def test_get_user_broadcast_history__by_id(fake_server):
    assert len(fake_server.peri.get_user_broadcast_history(user_id=GEORGE_CLINTON_ID)) > 20


@pytest.mark.parametrize('kwargs', [{'username': 'some_bad_username'}, {'user_id': '156816811'}])
def test_get_user_broadcast_history__missing_is_none(fake_server, kwargs):
    assert fake_server.peri.get_user_broadcast_history(**kwargs) is None


def test_get_user_broadcast_history__expired_token_refused():
    with FakePeriscope(token_ttl=0) as fake:
        with pytest.raises(PyPeriHTTPError) as info:
            fake.peri.get_user_broadcast_history(username=GEORGE_CLINTON_USERNAME)
        assert info.value.status_code == 401
        assert 'Expired' in str(info.value.msg)


def test_get_user_broadcast_history__fresh_tokens_each_call(fake_server):
    fake_server.peri.get_user_broadcast_history(username=GEORGE_CLINTON_USERNAME)
    fake_server.advance_time(fake_server.token_ttl + 1)  # the first call's token is now expired
    assert fake_server.peri.get_user_broadcast_history(username=GEORGE_CLINTON_USERNAME)


def test_get_user_broadcast_history__user_vanished(fake_server):
    user = fake_server.add_user('vanishing')
    fake_server.add_broadcast(user['id'])
    assert len(fake_server.peri.get_user_broadcast_history(username='vanishing')) == 1
    fake_server.remove_user(user['id'])
    assert fake_server.peri.get_user_broadcast_history(username='vanishing') is None


def test_urls__user_url_by_name_is_the_fakes_page(fake_server):
    user_url = fake_server.peri.create_user_url(username=GEORGE_CLINTON_USERNAME)
    assert user_url == fake_server.web_base_url + '/george_clinton'


def test_urls__user_url_by_id_is_the_fakes_page(fake_server):
    user_url = fake_server.peri.create_user_url(user_id=GEORGE_CLINTON_ID)
    assert user_url == fake_server.web_base_url + '/u/376827'


def test_urls__parse_the_fakes_user_urls(fake_server):
    peri = fake_server.peri
    assert peri.parse_periscope_url(fake_server.web_base_url + '/george_clinton') == {
        'broadcast_id': None, 'user_id': None, 'username': GEORGE_CLINTON_USERNAME}
    assert peri.parse_periscope_url(fake_server.web_base_url + '/u/376827')['user_id'] == '376827'


def test_urls__broadcast_url_is_the_share_url(fake_server):
    share_url = fake_server.peri.request_api(
        'accessVideoPublic', broadcast_id=DOCUMENTED_BROADCAST_ID)['share_url']
    assert fake_server.peri.create_broadcast_url(DOCUMENTED_BROADCAST_ID) == share_url


def test_urls__parse_the_share_url(fake_server):
    share_url = fake_server.peri.request_api(
        'accessVideoPublic', broadcast_id=DOCUMENTED_BROADCAST_ID)['share_url']
    assert fake_server.peri.parse_periscope_url(share_url)['broadcast_id'] == (
        DOCUMENTED_BROADCAST_ID)


def test_peri__is_shared_and_points_at_the_fake(fake_server):
    assert fake_server.peri is fake_server.peri
    assert isinstance(fake_server.peri, Peri)
    assert fake_server.peri.api_base_url == fake_server.api_base_url


def test_peri__closed_with_the_fake():
    with FakePeriscope() as fake:
        session = fake.peri.session
        fake.peri.get_user_info(GEORGE_CLINTON_ID)
    assert not fake.running
    assert all(not adapter.poolmanager.pools for adapter in session.adapters.values())


# -- fault tests ----------------------------------------------------------------------------

def test_fault__503_twice_then_success_is_retried_through(fake_server):
    fake_server.fail_next(2, 503, path_prefix=USER_PATH)
    assert fake_server.peri.get_user_info(GEORGE_CLINTON_ID) == DOCUMENTED_USER
    assert statuses(fake_server) == [503, 503, 200]


def test_fault__429_retry_after_is_honoured(fake_server):
    fake_server.fail_next(1, 429, path_prefix=USER_PATH, retry_after=1)
    started = time.monotonic()
    assert fake_server.peri.get_user_info(GEORGE_CLINTON_ID) == DOCUMENTED_USER
    assert 0.9 <= time.monotonic() - started < 3
    assert statuses(fake_server) == [429, 200]


def test_fault__429_persistent_raises_rate_limit_error(fake_server):
    peri = fake_server.make_peri(retries=0)
    fake_server.fail_next(1, 429, path_prefix=USER_PATH, retry_after=1)
    with pytest.raises(PyPeriRateLimitError) as info:
        peri.get_user_info(GEORGE_CLINTON_ID)
    assert info.value.retry_after == 1


def test_fault__persistent_500_raises_server_error(fake_server):
    fake_server.fail_next(10, 500, path_prefix=USER_PATH)
    with pytest.raises(PyPeriServerError) as info:
        fake_server.peri.get_user_info(GEORGE_CLINTON_ID)
    assert info.value.status_code == 500
    assert statuses(fake_server) == [500]  # 500 is not retried


def test_fault__persistent_503_after_retries_raises_server_error(fake_server):
    fake_server.fail_next(10, 503, path_prefix=USER_PATH)
    with pytest.raises(PyPeriServerError) as info:
        fake_server.peri.get_user_info(GEORGE_CLINTON_ID)
    assert info.value.status_code == 503
    assert statuses(fake_server) == [503] * 4  # the first try and 3 retries


def test_fault__stalled_response_raises_timeout(fake_server):
    peri = fake_server.make_peri(timeout=0.5)
    fake_server.stall_next(1, 5, path_prefix=USER_PATH)
    started = time.monotonic()
    with pytest.raises(PyPeriTimeout):
        peri.get_user_info(GEORGE_CLINTON_ID)
    assert time.monotonic() - started < 1.5


def test_fault__dropped_connection_is_retried(fake_server):
    fake_server.drop_next(1, path_prefix=USER_PATH)
    assert fake_server.peri.get_user_info(GEORGE_CLINTON_ID) == DOCUMENTED_USER
    assert statuses(fake_server) == [0, 200]


def test_fault__dropped_connections_past_retries_raise_connection_error(fake_server):
    fake_server.drop_next(10, path_prefix=USER_PATH)
    with pytest.raises(PyPeriConnectionError):
        fake_server.peri.get_user_info(GEORGE_CLINTON_ID)


def test_fault__truncated_body_raises_connection_error(fake_server):
    fake_server.drop_next(1, path_prefix=USER_PATH, after_bytes=5)
    with pytest.raises(PyPeriConnectionError):
        fake_server.peri.get_user_info(GEORGE_CLINTON_ID)


@pytest.mark.parametrize('kind', ['missing', 'bad_json', 'no_tokens'])
def test_fault__malformed_page_raises_response_error(fake_server, kind):
    fake_server.malformed_page(GEORGE_CLINTON_USERNAME, kind)
    with pytest.raises(PyPeriResponseError):
        fake_server.peri.get_user_broadcast_history(username=GEORGE_CLINTON_USERNAME)


def test_fault__latency_within_timeout_is_fine(fake_server):
    fake_server.latency = 0.1
    assert fake_server.make_peri(timeout=2).get_user_info(GEORGE_CLINTON_ID) == DOCUMENTED_USER


def test_concurrent_use_of_one_peri(fake_server):
    from concurrent.futures import ThreadPoolExecutor

    ids = [GEORGE_CLINTON_ID, '156816811'] * 20
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(fake_server.peri.get_user_info, ids))
    assert results == [DOCUMENTED_USER, None] * 20


def test_retry_policy_without_backoff(fake_server):
    peri = fake_server.make_peri(retries=build_retry(1, backoff_factor=0))
    fake_server.fail_next(2, 502, path_prefix=USER_PATH)
    with pytest.raises(PyPeriServerError):
        peri.get_user_info(GEORGE_CLINTON_ID)
    assert statuses(fake_server) == [502, 502]
