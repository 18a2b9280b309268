"""pyperi.checks: the shared argument checks name the argument and show the value briefly."""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pyperi import checks


def nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize('value', [nested(5000), 10 ** 5000, 'x' * 100_000, {'a': nested(5000)}],
                         ids=['deep list', 'huge int', 'long str', 'deep dict'])
def test_shown__is_short_for_any_value(value: Any) -> None:
    assert len(checks.shown(value)) <= 80


def test_shown__quotes_a_short_string_as_repr_does() -> None:
    assert checks.shown('7x') == "'7x'"


@pytest.mark.parametrize('check, value, error, message', [
    (checks.check_str, 5, TypeError, 'arg must be a str, not int'),
    (checks.check_optional_str, b'x', TypeError, 'arg must be a str or None, not bytes'),
    (checks.check_bool, 'no', TypeError, 'arg must be True or False, not str'),
    (checks.check_int, 1.0, TypeError, 'arg must be an int, not float'),
    (checks.check_int, True, TypeError, 'arg must be an int, not bool'),
    (checks.check_number, '1', TypeError, 'arg must be a number, not str'),
    (checks.check_number, math.nan, ValueError, 'arg must be a finite number'),
    (checks.check_number, -math.inf, ValueError, 'arg must be a finite number'),
    (checks.check_number, 10 ** 400, ValueError, 'arg must be a finite number'),
    pytest.param(checks.check_number, 10 ** 5000, ValueError, 'arg must be a finite number',
                 id='check_number-5000 digits'),
    (checks.check_datetime, '2024-01-01', TypeError, 'arg must be a datetime, not str'),
    (checks.check_utc, 0, TypeError, 'arg must be a datetime, not int'),
    (checks.check_timedelta, 5, TypeError, 'arg must be a timedelta, not int'),
    (checks.check_callable, 5, TypeError, 'arg must be callable, not int'),
    (checks.check_mapping, [], TypeError, r'arg must be a mapping \(a dict\), not list'),
])
def test_check__names_the_argument(check: Any, value: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        check(value, 'arg')


@pytest.mark.parametrize('value', [datetime.max.replace(tzinfo=timezone(timedelta(hours=-1))),
                                   datetime.min.replace(tzinfo=timezone(timedelta(hours=1)))])
def test_check_utc__refuses_a_moment_without_a_utc_equivalent(value: datetime) -> None:
    with pytest.raises(ValueError, match='since is out of range in UTC'):
        checks.check_utc(value, 'since')


def test_check_utc__converts_and_takes_naive_as_utc() -> None:
    two = timezone(timedelta(hours=2))
    assert checks.check_utc(datetime(2024, 1, 1, 2, tzinfo=two), 'x') == \
        datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert checks.check_utc(datetime(2024, 1, 1), 'x').tzinfo is timezone.utc


@pytest.mark.parametrize('value, message', [
    (-1, 'n must be 0 or more, got -1'),
    (11, 'n must be from 0 to 10, got 11'),
])
def test_check_int__bounds(value: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        checks.check_int(value, 'n', minimum=0, maximum=10 if value > 0 else None)


def test_check_number__bounds_and_result() -> None:
    assert checks.check_number(3, 'x', minimum=0) == 3.0
    with pytest.raises(ValueError, match='x must be 5 or less, got 6'):
        checks.check_number(6, 'x', maximum=5)


@pytest.mark.parametrize('value', ['abc', b'abc', {'a': 1}, 5, None])
def test_check_items__refuses_what_is_not_a_collection_of_items(value: Any) -> None:
    with pytest.raises(TypeError, match='users must be a list or other iterable'):
        checks.check_items(value, 'users', checks.check_str)


def test_check_items__names_the_bad_item() -> None:
    assert checks.check_items(iter(['a', 'b']), 'users', checks.check_str) == ['a', 'b']
    with pytest.raises(TypeError, match=r'users\[1\] must be a str, not int'):
        checks.check_items(['a', 2], 'users', checks.check_str)


@pytest.mark.parametrize('value', ['year', 5, None, ['day']])
def test_check_choice__refuses_other_values(value: Any) -> None:
    with pytest.raises(ValueError, match='by must be one of day, week'):
        checks.check_choice(value, 'by', ('day', 'week'))


@pytest.mark.parametrize('value', [nested(5000), 10 ** 5000], ids=['deep list', 'huge int'])
def test_check_text_of__turns_unshowable_values_into_value_errors(value: Any) -> None:
    with pytest.raises(ValueError, match='cell cannot be shown as text'):
        checks.check_text_of(value, 'cell')
