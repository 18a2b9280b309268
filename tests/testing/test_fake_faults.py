"""Fault injection knobs and the request log, checked over HTTP with plain requests."""

from __future__ import annotations

import http.client
import threading
import time

import pytest
import requests

pytestmark = pytest.mark.integration

USER_PATH = '/api/v2/getUserPublic'


def get_user(fake, http, **kwargs):
    return http.get(fake.api_base_url + '/getUserPublic', params={'user_id': '376827'},
                    timeout=5, **kwargs)


def test_fail_next__status_and_periscope_body(fake_server, http):
    fake_server.fail_next(1, 503)
    response = get_user(fake_server, http)
    assert response.status_code == 503
    assert response.json() == {'success': False, 'msg': 'Service Unavailable'}


def test_fail_next__no_retry_after_unless_asked(fake_server, http):
    fake_server.fail_next(1, 503)
    assert 'Retry-After' not in get_user(fake_server, http).headers


def test_fail_next__only_the_next_n_then_normal_again(fake_server, http):
    fake_server.fail_next(2, 503)
    assert [get_user(fake_server, http).status_code for _ in range(3)] == [503, 503, 200]
    assert fake_server.pending_faults == 0


DATE = 'Wed, 21 Oct 2015 07:28:00 GMT'


@pytest.mark.parametrize('value, header', [(1, '1'), (0.2, '1'), (DATE, DATE)])
def test_fail_next__retry_after(fake_server, http, value, header):
    fake_server.fail_next(1, 429, retry_after=value)
    response = get_user(fake_server, http)
    assert response.status_code == 429
    assert response.headers['Retry-After'] == header


def test_fail_next__path_prefix_spares_other_paths(fake_server, http):
    fake_server.fail_next(1, 500, path_prefix=fake_server.api_base_url + '/accessVideoPublic')
    assert get_user(fake_server, http).status_code == 200


def test_fail_next__path_prefix_as_url_matches_its_path(fake_server, http):
    fake_server.fail_next(1, 500, path_prefix=fake_server.api_base_url + '/accessVideoPublic')
    response = http.get(fake_server.api_base_url + '/accessVideoPublic',
                        params={'broadcast_id': '1zqKVWybqeDGB'}, timeout=5)
    assert response.status_code == 500


def test_drop_next__closes_without_response(fake_server, http):
    fake_server.drop_next(1, path_prefix=USER_PATH)
    with pytest.raises(requests.ConnectionError):
        get_user(fake_server, http)


def test_drop_next__next_request_is_served(fake_server, http):
    fake_server.drop_next(1, path_prefix=USER_PATH)
    with pytest.raises(requests.ConnectionError):
        get_user(fake_server, http)
    assert get_user(fake_server, http).status_code == 200


def test_drop_next__is_logged_with_status_0(fake_server, http):
    fake_server.drop_next(1, path_prefix=USER_PATH)
    with pytest.raises(requests.ConnectionError):
        get_user(fake_server, http)
    get_user(fake_server, http)
    assert [r.status for r in fake_server.requests] == [0, 200]


def test_drop_next__after_bytes_truncates_body(fake_server):
    fake_server.drop_next(1, after_bytes=10)
    connection = http.client.HTTPConnection(fake_server.host, fake_server.port, timeout=5)
    try:
        connection.request('GET', USER_PATH + '?user_id=376827')
        response = connection.getresponse()
        assert response.status == 200
        with pytest.raises(http.client.IncompleteRead) as info:
            response.read()
        assert len(info.value.partial) == 10
    finally:
        connection.close()


def test_delay_next__held_until_released(fake_server, http):
    release = threading.Event()
    fake_server.delay_next(1, release, path_prefix=USER_PATH)
    answered = []
    held = threading.Thread(target=lambda: answered.append(get_user(fake_server, http)))
    held.start()
    # Another request goes through while the first is held.
    assert requests.get(fake_server.web_base_url + '/george_clinton', timeout=5).ok
    assert answered == []
    release.set()
    held.join(5.0)
    assert [r.status_code for r in answered] == [200]
    assert fake_server.pending_faults == 0


def test_stall_next__client_times_out(fake_server, http):
    fake_server.stall_next(1, 2.0)
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        http.get(fake_server.api_base_url + '/getUserPublic', params={'user_id': '1'},
                 timeout=0.3)
    assert time.monotonic() - started < 1.5


def test_stall_next__next_request_is_served(fake_server, http):
    fake_server.stall_next(1, 2.0)
    with pytest.raises(requests.Timeout):
        http.get(fake_server.api_base_url + '/getUserPublic', params={'user_id': '1'},
                 timeout=0.3)
    assert get_user(fake_server, http).status_code == 200


def test_latency__delays_every_response(fake_server, http):
    fake_server.latency = 0.2
    started = time.monotonic()
    assert get_user(fake_server, http).status_code == 200
    assert time.monotonic() - started >= 0.2


def test_clear_faults(fake_server, http):
    fake_server.fail_next(5, 500)
    fake_server.clear_faults()
    assert get_user(fake_server, http).status_code == 200


def page(fake, http, path='/george_clinton'):
    return http.get(fake.web_base_url + path, timeout=5).text


@pytest.mark.parametrize('path', ['/george_clinton', '/u/376827'])
def test_malformed_page__missing_has_no_data_store(fake_server, http, path):
    fake_server.malformed_page('george_clinton', 'missing')
    assert 'id="page-container"' not in page(fake_server, http, path)


@pytest.mark.parametrize('path', ['/george_clinton', '/u/376827'])
def test_malformed_page__no_tokens_keeps_the_rest_of_the_store(fake_server, http, path):
    fake_server.malformed_page('george_clinton', 'no_tokens')
    text = page(fake_server, http, path)
    assert '&quot;SessionToken&quot;' not in text and '&quot;Tracking&quot;' in text


@pytest.mark.parametrize('path', ['/george_clinton', '/u/376827'])
def test_malformed_page__bad_json_still_starts_like_a_store(fake_server, http, path):
    fake_server.malformed_page('george_clinton', 'bad_json')
    assert 'data-store="{&quot;' in page(fake_server, http, path)


@pytest.mark.parametrize('kind', ['missing', 'bad_json', 'no_tokens'])
def test_malformed_page__none_repairs_it(fake_server, http, kind):
    fake_server.malformed_page('george_clinton', kind)
    fake_server.malformed_page('george_clinton', None)
    assert '&quot;SessionToken&quot;' in page(fake_server, http)


def test_request_log__records_method_path_params_and_status(fake_server, http):
    get_user(fake_server, http)
    (first,) = fake_server.requests
    assert (first.method, first.path, first.params, first.status) == (
        'GET', USER_PATH, {'user_id': '376827'}, 200)


def test_request_log__keeps_the_headers(fake_server, http):
    get_user(fake_server, http, headers={'X-Test': 'yes'})
    assert fake_server.requests[0].headers['X-Test'] == 'yes'


def test_request_log__in_arrival_order(fake_server, http):
    get_user(fake_server, http)
    http.get(fake_server.web_base_url + '/george_clinton', timeout=5)
    assert [r.path for r in fake_server.requests] == [USER_PATH, '/george_clinton']


def test_requests_for__path_prefix_or_url(fake_server, http):
    get_user(fake_server, http)
    http.get(fake_server.web_base_url + '/george_clinton', timeout=5)
    first, second = fake_server.requests
    assert fake_server.requests_for('/api/') == [first]
    assert fake_server.requests_for(fake_server.web_base_url + '/george') == [second]


def test_clear_requests(fake_server, http):
    get_user(fake_server, http)
    fake_server.clear_requests()
    assert fake_server.requests == []


def test_add_fault__a_fault_of_your_own(fake_server, http):
    from pyperi.testing.faults import Fault
    from pyperi.testing.response import Response

    class Teapot(Fault):
        def respond(self, answer):
            return Response(418, 'text/plain', b'short and stout')

    fake_server.add_fault(Teapot(), 1, path_prefix=USER_PATH)
    response = get_user(fake_server, http)
    assert (response.status_code, response.text) == (418, 'short and stout')
    assert fake_server.requests[-1].status == 418
