"""Argument checks shared by pyperi's public functions; pure, no I/O.

Each check takes the value and the argument's name, returns the value (converted where
it says so) and raises ``TypeError`` for a wrong type or ``ValueError`` for a wrong value,
with a message that names the argument and shows the value briefly (a huge string or
a deeply nested list is cut short, never repr'd whole).
"""
from __future__ import annotations

import math
import reprlib
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Collection, Iterable, Mapping, TypeVar

__all__ = [
    'shown', 'check_str', 'check_optional_str', 'check_bool', 'check_int', 'check_number',
    'check_datetime', 'check_utc', 'check_timedelta', 'check_callable', 'check_mapping',
    'check_items', 'check_choice', 'check_text_of',
]

T = TypeVar('T')

_REPR = reprlib.Repr()
_REPR.maxstring = 60
_REPR.maxother = 60
_REPR.maxlevel = 3


def shown(value: Any) -> str:
    """A short repr of ``value`` for messages: bounded in length and in nesting."""
    try:
        return _REPR.repr(value)
    except (ValueError, RecursionError):   # e.g. an int of more than 4300 digits
        return f'<{type(value).__name__}>'


def _type_name(value: Any) -> str:
    return type(value).__name__


def check_str(value: Any, name: str) -> str:
    """``value`` if it is a ``str``."""
    if not isinstance(value, str):
        raise TypeError(f'{name} must be a str, not {_type_name(value)}')
    return value


def check_optional_str(value: Any, name: str) -> str | None:
    """``value`` if it is a ``str`` or None."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f'{name} must be a str or None, not {_type_name(value)}')
    return value


def check_bool(value: Any, name: str) -> bool:
    """``value`` if it is a ``bool`` (a truthy string such as ``'no'`` is refused)."""
    if not isinstance(value, bool):
        raise TypeError(f'{name} must be True or False, not {_type_name(value)}')
    return value


def check_int(value: Any, name: str, *, minimum: int | None = None,
              maximum: int | None = None) -> int:
    """``value`` if it is an ``int`` (not a bool) within ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f'{name} must be an int, not {_type_name(value)}')
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        bounds = f'from {minimum} to {maximum}' if minimum is not None and maximum is not None \
            else f'{minimum} or more' if minimum is not None else f'{maximum} or less'
        raise ValueError(f'{name} must be {bounds}, got {shown(value)}')
    return value


def check_number(value: Any, name: str, *, minimum: float | None = None,
                 maximum: float | None = None) -> float:
    """``value`` as a finite float; an int or float (not a bool) within ``[minimum, maximum]``.

    NaN, infinities and ints too large for a float are refused with ValueError.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f'{name} must be a number, not {_type_name(value)}')
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f'{name} must be a finite number, got {shown(value)}')
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        bounds = f'from {minimum:g} to {maximum:g}' if minimum is not None and maximum is not None \
            else f'{minimum:g} or more' if minimum is not None else f'{maximum:g} or less'
        raise ValueError(f'{name} must be {bounds}, got {shown(value)}')
    return number


def check_datetime(value: Any, name: str) -> datetime:
    """``value`` if it is a ``datetime``."""
    if not isinstance(value, datetime):
        raise TypeError(f'{name} must be a datetime, not {_type_name(value)}')
    return value


def check_utc(value: Any, name: str) -> datetime:
    """``value`` as an aware UTC datetime; a naive one is taken to be UTC already.

    :raises ValueError: the moment has no UTC equivalent (``datetime.max`` at ``-01:00``).
    """
    moment = check_datetime(value, name)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    try:
        return moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise ValueError(f'{name} is out of range in UTC: {shown(value)}') from None


def check_timedelta(value: Any, name: str) -> timedelta:
    """``value`` if it is a ``timedelta``."""
    if not isinstance(value, timedelta):
        raise TypeError(f'{name} must be a timedelta, not {_type_name(value)}')
    return value


def check_callable(value: Any, name: str) -> Callable[..., Any]:
    """``value`` if it can be called."""
    if not callable(value):
        raise TypeError(f'{name} must be callable, not {_type_name(value)}')
    checked: Callable[..., Any] = value
    return checked


def check_mapping(value: Any, name: str) -> Mapping[Any, Any]:
    """``value`` if it is a mapping (a dict)."""
    if not isinstance(value, Mapping):
        raise TypeError(f'{name} must be a mapping (a dict), not {_type_name(value)}')
    return value


def check_items(value: Any, name: str, check: Callable[[Any, str], T]) -> list[T]:
    """The items of the iterable ``value``, each passed through ``check(item, 'name[i]')``.

    A ``str``, ``bytes`` or mapping is refused: it is one value, not a collection of them.
    """
    if isinstance(value, (str, bytes, bytearray, Mapping)) or not isinstance(value, Iterable):
        raise TypeError(f'{name} must be a list or other iterable of items, '
                        f'not {_type_name(value)}')
    return [check(item, f'{name}[{index}]') for index, item in enumerate(value)]


def check_choice(value: Any, name: str, choices: Collection[str]) -> str:
    """``value`` if it is one of the strings ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f'{name} must be one of {", ".join(choices)}, not {shown(value)}')
    return value


def check_text_of(value: Any, name: str, convert: Callable[[Any], str] = str) -> str:
    """``convert(value)``: text for any value, ValueError naming ``name`` when it has none.

    Some values cannot be shown: lists nested deeper than the recursion limit, ints of
    more than 4300 digits (Python refuses to convert them).
    """
    try:
        return convert(value)
    except (RecursionError, ValueError) as error:
        raise ValueError(f'{name} cannot be shown as text: {type(error).__name__}: '
                         f'{shown(str(error))}') from None
