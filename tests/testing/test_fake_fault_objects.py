"""Faults as objects that apply themselves, and the plan queuing them (no sockets)."""

from __future__ import annotations

import threading

import pytest

from pyperi.testing.faults import NO_FAULT, Delay, Drop, Fail, Fault, FaultPlan, Stall
from pyperi.testing.response import Response, json_response

OK = json_response(200, {'user': {}})


class RecordingConnection:
    """A Connection that remembers what a fault did with it."""

    def __init__(self):
        self.calls = []

    def send(self, response, limit=None):
        self.calls.append(('send', response.status, limit))

    def abort(self):
        self.calls.append(('abort',))


def answer():
    return OK


def test_no_fault__changes_nothing():
    connection = RecordingConnection()
    assert (NO_FAULT.delay, NO_FAULT.respond(answer), NO_FAULT.recorded_status(OK)) == (
        0.0, OK, 200)
    NO_FAULT.deliver(OK, connection)
    assert connection.calls == [('send', 200, None)]


def test_fail__answers_with_status_and_periscope_body():
    response = Fail(503).respond(answer)
    assert response.status == 503
    assert response.body == b'{"success": false, "msg": "Service Unavailable"}'
    assert response.headers == []


@pytest.mark.parametrize('retry_after, header', [(1, '1'), (0.2, '1'), (0, '0'), (-3, '0'),
                                                 ('soon', 'soon')])
def test_fail__retry_after_header(retry_after, header):
    assert Fail(429, retry_after).respond(answer).headers == [('Retry-After', header)]


def test_fail__unknown_status_has_a_generic_reason():
    assert Fail(499).respond(answer).body == b'{"success": false, "msg": "Error"}'


@pytest.mark.parametrize('status', [200, 399, 600])
def test_fail__non_error_status_is_value_error(status):
    with pytest.raises(ValueError, match='status'):
        Fail(status)


def test_drop__at_once_sends_nothing_and_logs_0():
    connection = RecordingConnection()
    Drop().deliver(OK, connection)
    assert connection.calls == [('abort',)]
    assert Drop().recorded_status(OK) == 0


def test_drop__after_bytes_sends_that_much_then_aborts():
    connection = RecordingConnection()
    Drop(after_bytes=10).deliver(OK, connection)
    assert connection.calls == [('send', 200, 10), ('abort',)]
    assert Drop(after_bytes=10).recorded_status(OK) == 200


def test_drop__negative_after_bytes_is_value_error():
    with pytest.raises(ValueError, match='after_bytes'):
        Drop(after_bytes=-1)


def test_stall__delays_then_answers_normally():
    stall = Stall(2.5)
    assert stall.delay == 2.5 and stall.respond(answer) is OK


def test_stall__negative_seconds_is_value_error():
    with pytest.raises(ValueError, match='seconds'):
        Stall(-1)


def test_delay__answers_normally_once_released():
    release = threading.Event()
    release.set()
    delay = Delay(release, 5.0)
    assert delay.delay == 0 and delay.respond(answer) is OK


def test_delay__waits_until_released_from_another_thread():
    release = threading.Event()
    answered = []
    waiter = threading.Thread(target=lambda: answered.append(Delay(release, 30.0).respond(answer)))
    waiter.start()
    assert answered == []
    release.set()
    waiter.join(5.0)
    assert answered == [OK]


def test_delay__answers_after_seconds_if_never_released():
    assert Delay(threading.Event(), 0.0).respond(answer) is OK


@pytest.mark.parametrize('release, seconds, error', [
    (None, 1.0, TypeError), (threading.Event(), -1, ValueError),
    (threading.Event(), float('nan'), ValueError)])
def test_delay__bad_arguments(release, seconds, error):
    with pytest.raises(error):
        Delay(release, seconds)


def test_a_new_fault_is_a_subclass():
    class Teapot(Fault):
        def respond(self, answer):
            return Response(418, body=b'short and stout')

    plan = FaultPlan()
    plan.add(Teapot(), 1)
    assert plan.take('/').respond(answer).status == 418


def test_plan__first_matching_rule_wins_and_is_used_up():
    plan = FaultPlan()
    plan.add(Fail(500), 1, '/api/')
    plan.add(Fail(503), 2)
    assert [plan.take('/api/v2/x') for _ in range(4)] == [Fail(500), Fail(503), Fail(503),
                                                          NO_FAULT]


def test_plan__prefix_spares_other_paths():
    plan = FaultPlan()
    plan.add(Drop(), 1, 'http://127.0.0.1:1/hls/')
    assert plan.take('/api/v2/x') is NO_FAULT
    assert plan.take('/hls/abc/playlist.m3u8') == Drop()


def test_plan__pending_counts_queued_responses():
    plan = FaultPlan()
    plan.add(Fail(500), 2)
    plan.add(Stall(1), 3, 'hls')
    plan.take('/')
    assert plan.pending() == 4


def test_plan__zero_adds_nothing():
    plan = FaultPlan()
    plan.add(Fail(500), 0)
    assert plan.pending() == 0 and plan.take('/') is NO_FAULT


def test_plan__negative_n_is_value_error():
    with pytest.raises(ValueError, match='n must be'):
        FaultPlan().add(Fail(500), -1)


def test_plan__clear_forgets_every_rule():
    plan = FaultPlan()
    plan.add(Fail(500), 5)
    plan.clear()
    assert plan.take('/') is NO_FAULT
