"""Checks of the download and watch arguments, made before any request and any disk access.

Each check raises ``TypeError`` for a value of the wrong type and ``ValueError`` for one
out of range, naming the argument, and returns the value checked.
"""
from __future__ import annotations

import math
import os
import threading
from typing import Any, TypeVar

from .protocol import ReplayClient

__all__ = ['MAX_SECONDS', 'check_client', 'check_flag', 'check_callable', 'check_count',
           'check_seconds', 'check_path', 'check_users', 'check_stop']

#: The longest wait any seconds argument may ask for (a day): longer ones are mistakes,
#: and past about 10**9 s ``time.sleep`` raises OverflowError.
MAX_SECONDS = 86400.0

_T = TypeVar('_T')


def _type_name(value: Any) -> str:
    return type(value).__name__


def check_client(client: Any) -> ReplayClient:
    """``client`` if it has what downloads need (a :class:`pyperi.Peri` has).

    :raises TypeError: it is not a :class:`~pyperi.replay.ReplayClient`.
    """
    if not isinstance(client, ReplayClient):
        raise TypeError(f'client must be a pyperi.Peri (a ReplayClient), not {_type_name(client)}')
    return client


def check_flag(value: Any, name: str) -> bool:
    """``value`` if it is ``True`` or ``False`` (a truthy string is not).

    :raises TypeError: it is anything else.
    """
    if not isinstance(value, bool):
        raise TypeError(f'{name} must be True or False, not {_type_name(value)}')
    return value


def check_callable(value: _T, name: str, *, optional: bool = True) -> _T:
    """``value`` if it can be called (or is None, when ``optional``).

    :raises TypeError: it cannot be called.
    """
    if (value is None and optional) or callable(value):
        return value
    raise TypeError(f'{name} must be callable{" or None" if optional else ""}, '
                    f'not {_type_name(value)}')


def check_count(value: Any, name: str, low: int, high: int | None = None) -> int:
    """``value`` if it is an int (not a bool) from ``low`` to ``high`` (None: no limit).

    :raises TypeError: it is not an int.
    :raises ValueError: it is out of range.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f'{name} must be an int, not {_type_name(value)}')
    if value < low or (high is not None and value > high):
        bounds = f'from {low} to {high}' if high is not None else f'>= {low}'
        raise ValueError(f'{name} must be {bounds}, got {value}')
    return value


def check_seconds(value: Any, name: str, *, allow_zero: bool = False) -> float:
    """``value`` as float seconds if it is a finite number, positive (or zero when
    ``allow_zero``) and at most :data:`MAX_SECONDS`.

    :raises TypeError: it is not an int or float.
    :raises ValueError: it is negative, zero (unless allowed), too large, NaN or infinite.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f'{name} must be a number of seconds, not {_type_name(value)}')
    try:
        seconds = float(value)
    except OverflowError:
        seconds = math.inf
    low_ok = seconds >= 0 if allow_zero else seconds > 0
    if not (low_ok and seconds <= MAX_SECONDS):   # NaN fails both comparisons
        low = '0' if allow_zero else 'more than 0'
        raise ValueError(f'{name} must be from {low} to {MAX_SECONDS:.0f} seconds, '
                         f'got {value!r:.40}')
    return seconds


def check_path(value: Any, name: str, *, optional: bool = True) -> str | None:
    """``value`` as a ``str`` path if it is a ``str`` or ``os.PathLike[str]`` (or None).

    :raises TypeError: it is something else (bytes paths too).
    :raises ValueError: it is empty, holds a NUL, or cannot be encoded for the file system.
    """
    if value is None and optional:
        return None
    text = os.fspath(value) if isinstance(value, os.PathLike) else value
    if not isinstance(text, str):
        raise TypeError(f'{name} must be a str or os.PathLike path, not {_type_name(value)}')
    if not text:
        raise ValueError(f'{name} must not be empty')
    if '\x00' in text:
        raise ValueError(f'{name} must not contain a NUL character')
    try:
        os.fsencode(text)
    except UnicodeError:
        raise ValueError(f'{name} cannot be encoded for the file system: {text!r:.80}') from None
    return text


def check_users(users: Any) -> list[str]:
    """``users`` as a list if it is a non-empty list or tuple of ``str``.

    A single ``str`` is refused rather than watched letter by letter.

    :raises TypeError: ``users`` is a str or not a list or tuple, or holds a non-str.
    :raises ValueError: it is empty.
    """
    if isinstance(users, str) or not isinstance(users, (list, tuple)):
        hint = ' (wrap a single user in a list)' if isinstance(users, str) else ''
        raise TypeError(f'users must be a list or tuple of str, not {_type_name(users)}{hint}')
    for user in users:
        if not isinstance(user, str):
            raise TypeError(f'users must hold only str, not {_type_name(user)}')
    if not users:
        raise ValueError('users must name at least one user')
    return list(users)


def check_stop(stop: Any) -> threading.Event | None:
    """``stop`` if it is None or a ``threading.Event``.

    :raises TypeError: it is anything else.
    """
    if stop is not None and not isinstance(stop, threading.Event):
        raise TypeError(f'stop must be a threading.Event or None, not {_type_name(stop)}')
    return stop
