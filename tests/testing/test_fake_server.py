"""Lifecycle of the fake server: start, stop, keep-alive, parallel instances."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from pyperi.testing import FakePeriscope

pytestmark = pytest.mark.integration


def _port_closed(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(('127.0.0.1', port)) != 0


def test_start__binds_loopback_on_a_free_port():
    with FakePeriscope() as fake:
        assert fake.host == '127.0.0.1'
        assert fake.port > 0
        assert fake.web_base_url == 'http://127.0.0.1:%d' % fake.port
        assert fake.api_base_url == fake.web_base_url + '/api/v2'
        assert fake.running


def test_start__ready_without_waiting():
    with FakePeriscope() as fake:
        assert requests.get(fake.web_base_url + '/', timeout=5).status_code == 200


def test_start__twice_is_refused(fake_server):
    with pytest.raises(RuntimeError, match='already started'):
        fake_server.start()


def test_repr__shows_address_and_state(fake_server):
    assert repr(fake_server) == '<FakePeriscope %s running>' % fake_server.web_base_url


def test_stop__closes_port_and_joins_threads():
    before = set(threading.enumerate())
    with FakePeriscope() as fake, requests.Session() as session:
        port = fake.port
        # A keep-alive connection left open by the client must not keep a thread alive.
        session.get(fake.api_base_url + '/getUserPublic', params={'user_id': '376827'}, timeout=5)
    assert not fake.running
    assert _port_closed(port)
    assert set(threading.enumerate()) <= before


def test_stop__interrupts_stalled_response():
    fake = FakePeriscope().start()
    fake.stall_next(1, 30)
    errors = []

    def client():
        try:
            requests.get(fake.web_base_url + '/', timeout=10)
        except requests.RequestException as error:
            errors.append(error)

    thread = threading.Thread(target=client)
    thread.start()
    deadline = time.monotonic() + 5
    while fake.pending_faults and time.monotonic() < deadline:  # the stall has begun
        time.sleep(0.01)
    started = time.monotonic()
    fake.stop()
    thread.join(10)
    assert time.monotonic() - started < 3
    assert errors and isinstance(errors[0], requests.ConnectionError)


def test_stop__twice_is_harmless():
    fake = FakePeriscope().start()
    fake.stop()
    fake.stop()
    assert not fake.running


def test_stop__then_start_is_refused():
    fake = FakePeriscope().start()
    fake.stop()
    with pytest.raises(RuntimeError, match='cannot be restarted'):
        fake.start()


def test_wait_until_stopped__times_out_while_running():
    with FakePeriscope(default_data=False) as fake:
        assert fake.wait_until_stopped(0.01) is False


def test_wait_until_stopped__returns_when_stopped_from_another_thread():
    fake = FakePeriscope(default_data=False).start()
    threading.Timer(0.05, fake.stop).start()
    assert fake.wait_until_stopped(5) is True
    assert not fake.running


def test_parallel_instances__listen_on_different_ports():
    with FakePeriscope() as one, FakePeriscope() as two:
        assert one.port != two.port


def test_parallel_instances__have_their_own_data():
    with FakePeriscope() as one, FakePeriscope() as two:
        one.add_user('only_in_one', '123')
        assert requests.get(one.web_base_url + '/only_in_one', timeout=5).status_code == 200
        assert requests.get(two.web_base_url + '/only_in_one', timeout=5).status_code == 404


def test_parallel_instances__have_their_own_request_logs():
    with FakePeriscope() as one, FakePeriscope() as two:
        requests.get(one.web_base_url + '/', timeout=5)
        requests.get(two.web_base_url + '/', timeout=5)
        assert len(one.requests) == 1 and len(two.requests) == 1


def test_keep_alive__one_connection_for_many_requests(fake_server):
    with socket.create_connection((fake_server.host, fake_server.port), timeout=5) as sock:
        stream = sock.makefile('rb')
        for _ in range(3):
            sock.sendall(b'GET /api/v2/getUserPublic?user_id=376827 HTTP/1.1\r\n'
                         b'Host: x\r\n\r\n')
            status = stream.readline()
            assert status.startswith(b'HTTP/1.1 200')
            headers = {}
            while True:
                line = stream.readline()
                if line in (b'\r\n', b''):
                    break
                name, _, value = line.decode().partition(':')
                headers[name.lower()] = value.strip()
            body = stream.read(int(headers['content-length']))
            assert body.startswith(b'{"user"')
    assert len(fake_server.requests) == 3


def test_head__sends_length_without_body(fake_server, http):
    response = http.head(fake_server.web_base_url + '/george_clinton', timeout=5)
    assert response.status_code == 200
    assert int(response.headers['Content-Length']) > 1000
    assert response.content == b''


def test_other_methods__get_405(fake_server, http):
    response = http.post(fake_server.api_base_url + '/getUserPublic', data=b'x', timeout=5)
    assert response.status_code == 405
    assert response.json() == {'success': False, 'msg': 'Method Not Allowed'}


def test_concurrent_clients(fake_server):
    results = []

    def fetch():
        with requests.Session() as session:
            for _ in range(5):
                results.append(session.get(fake_server.api_base_url + '/getUserPublic',
                                           params={'user_id': '376827'}, timeout=5).status_code)

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == [200] * 40
