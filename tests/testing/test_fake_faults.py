"""Fault injection knobs and the request log, checked with plain requests."""

from __future__ import annotations

import http.client
import time

import pytest
import requests

USER_PATH = '/api/v2/getUserPublic'


def get_user(fake, http, **kwargs):
    return http.get(fake.api_base_url + '/getUserPublic', params={'user_id': '376827'},
                    timeout=5, **kwargs)


def test_fail_next__status_body_and_count(fake, http):
    fake.fail_next(2, 503)
    for _ in range(2):
        response = get_user(fake, http)
        assert response.status_code == 503
        assert response.json() == {'success': False, 'msg': 'Service Unavailable'}
        assert 'Retry-After' not in response.headers
    assert get_user(fake, http).status_code == 200
    assert fake.pending_faults == 0


DATE = 'Wed, 21 Oct 2015 07:28:00 GMT'


@pytest.mark.parametrize('value, header', [(1, '1'), (0.2, '1'), (DATE, DATE)])
def test_fail_next__retry_after(fake, http, value, header):
    fake.fail_next(1, 429, retry_after=value)
    response = get_user(fake, http)
    assert response.status_code == 429
    assert response.headers['Retry-After'] == header


def test_fail_next__path_prefix(fake, http):
    fake.fail_next(1, 500, path_prefix=fake.api_base_url + '/accessVideoPublic')
    assert get_user(fake, http).status_code == 200
    response = http.get(fake.api_base_url + '/accessVideoPublic',
                        params={'broadcast_id': '1zqKVWybqeDGB'}, timeout=5)
    assert response.status_code == 500


@pytest.mark.parametrize('kwargs', [{'n': 1, 'status': 200}, {'n': -1, 'status': 500}])
def test_fail_next__rejects_bad_arguments(fake, kwargs):
    with pytest.raises(ValueError):
        fake.fail_next(**kwargs)


def test_drop_next__closes_without_response(fake, http):
    fake.drop_next(1, path_prefix=USER_PATH)
    with pytest.raises(requests.ConnectionError):
        get_user(fake, http)
    assert get_user(fake, http).status_code == 200
    assert [r.status for r in fake.requests] == [0, 200]


def test_drop_next__after_bytes_truncates_body(fake):
    fake.drop_next(1, after_bytes=10)
    connection = http.client.HTTPConnection(fake.host, fake.port, timeout=5)
    try:
        connection.request('GET', USER_PATH + '?user_id=376827')
        response = connection.getresponse()
        assert response.status == 200
        with pytest.raises(http.client.IncompleteRead) as info:
            response.read()
        assert len(info.value.partial) == 10
    finally:
        connection.close()


def test_stall_next__client_times_out(fake, http):
    fake.stall_next(1, 2.0)
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        http.get(fake.api_base_url + '/getUserPublic', params={'user_id': '1'}, timeout=0.3)
    assert time.monotonic() - started < 1.5
    assert get_user(fake, http).status_code == 200


def test_latency__delays_every_response(fake, http):
    fake.latency = 0.2
    started = time.monotonic()
    assert get_user(fake, http).status_code == 200
    assert time.monotonic() - started >= 0.2
    with pytest.raises(ValueError):
        fake.latency = -1


def test_clear_faults(fake, http):
    fake.fail_next(5, 500)
    fake.clear_faults()
    assert get_user(fake, http).status_code == 200


@pytest.mark.parametrize('kind', ['missing', 'bad_json', 'no_tokens'])
def test_malformed_page(fake, http, kind):
    fake.malformed_page('george_clinton', kind)
    for path in ('/george_clinton', '/u/376827'):
        text = http.get(fake.web_base_url + path, timeout=5).text
        if kind == 'missing':
            assert 'id="page-container"' not in text
        elif kind == 'no_tokens':
            assert '&quot;SessionToken&quot;' not in text and '&quot;Tracking&quot;' in text
        else:
            assert 'data-store="{&quot;' in text
    fake.malformed_page('george_clinton', None)
    assert '&quot;SessionToken&quot;' in http.get(fake.web_base_url + '/george_clinton',
                                                  timeout=5).text


def test_malformed_page__rejects_unknown(fake):
    with pytest.raises(ValueError):
        fake.malformed_page('some_bad_username')
    with pytest.raises(ValueError):
        fake.malformed_page('george_clinton', 'weird')


def test_request_log(fake, http):
    get_user(fake, http, headers={'X-Test': 'yes'})
    http.get(fake.web_base_url + '/george_clinton', timeout=5)
    first, second = fake.requests
    assert (first.method, first.path, first.params, first.status) == (
        'GET', USER_PATH, {'user_id': '376827'}, 200)
    assert first.headers['X-Test'] == 'yes'
    assert second.path == '/george_clinton'
    assert fake.requests_for('/api/') == [first]
    assert fake.requests_for(fake.web_base_url + '/george') == [second]
    fake.clear_requests()
    assert fake.requests == []
