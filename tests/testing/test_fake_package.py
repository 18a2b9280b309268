"""The pyperi.testing package surface, and a FakePeriscope before it serves (no sockets)."""

from __future__ import annotations

import pytest

import pyperi.testing
from pyperi import Peri
from pyperi.testing import FakePeriscope, RecordedRequest, command, fake

EXPORTS = {
    'BIG_PAGE_USERNAME', 'BIG_PAGE_USER_ID', 'DOCUMENTED_BROADCAST_ID', 'DOCUMENTED_HISTORY_IDS',
    'EMPTY_HISTORY_USERNAME', 'EMPTY_HISTORY_USER_ID', 'FakePeriscope', 'GEORGE_CLINTON_ID',
    'GEORGE_CLINTON_USERNAME', 'GEORGE_LIVE_BROADCAST_ID', 'GEORGE_LIVE_STATUS',
    'LONG_HISTORY_COUNT', 'LONG_HISTORY_USERNAME', 'LONG_HISTORY_USER_ID', 'MARKETING_USERNAME',
    'MARKETING_USER_ID', 'MISSING_BROADCAST_IDS', 'MISSING_USERNAMES', 'MISSING_USER_IDS',
    'RecordedRequest', 'main',
}


def test_package__exports_the_same_names():
    assert set(pyperi.testing.__all__) == EXPORTS


@pytest.mark.parametrize('name', sorted(EXPORTS))
def test_package__every_export_resolves(name):
    assert getattr(pyperi.testing, name) is not None


def test_package__lazy_names_are_the_real_ones():
    assert (pyperi.testing.FakePeriscope, pyperi.testing.RecordedRequest) == (
        fake.FakePeriscope, RecordedRequest)
    assert pyperi.testing.main is command.main


def test_package__dir_lists_the_lazy_names():
    assert {'FakePeriscope', 'RecordedRequest', 'main'} <= set(dir(pyperi.testing))


def test_package__unknown_name_is_attribute_error():
    with pytest.raises(AttributeError, match='no_such_name'):
        pyperi.testing.no_such_name


def test_addresses__need_a_started_server():
    with pytest.raises(RuntimeError, match='not started'):
        FakePeriscope(default_data=False).api_base_url


def test_repr__unbound_before_start():
    assert repr(FakePeriscope(default_data=False)) == '<FakePeriscope unbound stopped>'


def test_peri__is_typed_as_peri():
    hints = FakePeriscope.make_peri.__annotations__
    assert hints['return'] in ('Peri', Peri)
    assert FakePeriscope.peri.fget.__annotations__['return'] in ('Peri', Peri)


@pytest.mark.parametrize('value', [-1, -0.5])
def test_latency__negative_is_value_error(value):
    with pytest.raises(ValueError, match='latency'):
        FakePeriscope(default_data=False).latency = value


def test_advance_time__negative_is_value_error():
    with pytest.raises(ValueError, match='seconds'):
        FakePeriscope(default_data=False).advance_time(-1)


def test_malformed_page__unknown_user_is_value_error():
    with pytest.raises(ValueError, match='unknown username'):
        FakePeriscope().malformed_page('some_bad_username')


def test_malformed_page__unknown_kind_is_value_error():
    with pytest.raises(ValueError, match='kind must be one of'):
        FakePeriscope().malformed_page('george_clinton', 'weird')


@pytest.mark.parametrize('kwargs', [{'n': 1, 'status': 200}, {'n': -1, 'status': 500}])
def test_fail_next__rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        FakePeriscope(default_data=False).fail_next(**kwargs)


@pytest.mark.parametrize('kwargs', [{'n': -1}, {'n': 1, 'after_bytes': -1}])
def test_drop_next__rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        FakePeriscope(default_data=False).drop_next(**kwargs)


@pytest.mark.parametrize('n, seconds', [(-1, 1.0), (1, -1.0)])
def test_stall_next__rejects_bad_arguments(n, seconds):
    with pytest.raises(ValueError):
        FakePeriscope(default_data=False).stall_next(n, seconds)


def test_add_fault__not_a_fault_is_type_error():
    with pytest.raises(TypeError, match='fault must be'):
        FakePeriscope(default_data=False).add_fault('fail', 1)


def test_add_fault__queues_it():
    from pyperi.testing.faults import Stall

    fake = FakePeriscope(default_data=False)
    fake.add_fault(Stall(1.0), 3)
    assert fake.pending_faults == 3
