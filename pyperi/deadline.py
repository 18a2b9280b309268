"""A total deadline per call, and the transport adapter that holds every socket read to it.

A read timeout restarts with every byte, so a server sending one byte a second
keeps a plain ``requests`` call going for ever. A :class:`Deadline` is the time a
whole call (connecting, every retry and its pause, the headers, the body) must
end by. :meth:`Deadline.running` makes it the deadline of the calls made in the
current thread (a context variable); :class:`DeadlineAdapter`, which
:class:`~pyperi.Peri` mounts on the session it makes, then bounds each connect and
each socket read by the time left, headers included, and raises
:class:`DeadlinePassed` once it is gone. The retry policy
(:mod:`pyperi.retries`) reads the same deadline to skip pauses that cannot fit.
"""
from __future__ import annotations

import contextlib
import io
import math
import time
from contextvars import ContextVar
from typing import Any, Iterator, Union

from requests.adapters import HTTPAdapter
from urllib3 import connection, connectionpool, poolmanager

__all__ = ['Deadline', 'DeadlinePassed', 'DeadlineAdapter', 'active_deadline', 'MAX_SECONDS']

#: Longest timeout or deadline accepted, in seconds (a day): longer ones are mistakes,
#: and past about 292 years the clocks below overflow.
MAX_SECONDS = 86400.0

Timeout = Union[float, 'tuple[float, float]']

_ACTIVE: ContextVar[Deadline | None] = ContextVar('pyperi_deadline', default=None)


class DeadlinePassed(TimeoutError):
    """A call's deadline passed (a socket timeout to the layers below pyperi).

    Raised inside the transport, where urllib3 and requests turn it into their own
    timeout or connection errors; :class:`~pyperi.Peri` reports it as
    :class:`~pyperi.PyPeriTimeout`.
    """


class Deadline:
    """The moment a call must be over by: ``seconds`` from now, on the monotonic clock.

    >>> from pyperi.deadline import Deadline
    >>> deadline = Deadline(30)
    >>> deadline.expired
    False
    >>> deadline.bound((5.0, 20.0))
    (5.0, 20.0)
    >>> deadline.bound((5.0, 60.0))[1] <= 30
    True

    :param seconds: the time allowed, positive, finite and at most :data:`MAX_SECONDS`.
    :raises TypeError: ``seconds`` is not a number.
    :raises ValueError: it is out of range.
    """

    __slots__ = ('seconds', 'expires')

    def __init__(self, seconds: float) -> None:
        self.seconds = check_seconds(seconds, 'seconds')
        self.expires = time.monotonic() + self.seconds

    def __repr__(self) -> str:
        return f'Deadline({self.seconds:g}, remaining={max(0.0, self.remaining()):.3f})'

    def remaining(self) -> float:
        """Seconds left (negative once passed)."""
        return self.expires - time.monotonic()

    @property
    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return time.monotonic() >= self.expires

    def bound(self, timeout: Timeout) -> Timeout:
        """``timeout`` (seconds or a (connect, read) pair) with no value beyond the time left.

        The timeout comes back unchanged while the deadline is further away than it.
        """
        left = max(self.remaining(), 0.001)
        if isinstance(timeout, tuple):
            if max(timeout) <= left:
                return timeout
            return (min(timeout[0], left), min(timeout[1], left))
        return timeout if timeout <= left else left

    def check(self) -> None:
        """Raise :class:`DeadlinePassed` if the deadline has passed."""
        if self.expired:
            raise DeadlinePassed(f'the deadline of {self.seconds:g} s passed')

    @contextlib.contextmanager
    def running(self) -> Iterator[Deadline]:
        """Make this the deadline of the requests made in this thread until the block ends."""
        token = _ACTIVE.set(self)
        try:
            yield self
        finally:
            _ACTIVE.reset(token)


def active_deadline() -> Deadline | None:
    """The deadline of the call running in this thread, if any (see :meth:`Deadline.running`)."""
    return _ACTIVE.get()


def check_seconds(value: Any, name: str) -> float:
    """``value`` as seconds: a positive, finite number of at most :data:`MAX_SECONDS`.

    :raises TypeError: not an int or float (bool refused).
    :raises ValueError: zero, negative, NaN, infinite or above the maximum.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f'{name} must be a number of seconds, not {type(value).__name__}')
    if not 0 < value <= MAX_SECONDS:   # False for NaN; exact for ints of any size
        shown = f'{value!r}' if isinstance(value, float) or abs(value) < 10 ** 30 else 'a huge int'
        raise ValueError(f'{name} must be more than 0 and at most {MAX_SECONDS:g} seconds, '
                         f'got {shown}')
    seconds = float(value)
    if not math.isfinite(seconds):  # pragma: no cover - excluded by the range check
        raise ValueError(f'{name} must be finite')
    return seconds


# -- the transport -------------------------------------------------------------------------

class _DeadlineReader(io.RawIOBase):
    """The socket as a response reads it: each read waits at most the time the deadline leaves."""

    def __init__(self, raw: Any, sock: Any, deadline: Deadline) -> None:
        super().__init__()
        self._raw = raw
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        left = self._deadline.remaining()
        if left <= 0:
            raise DeadlinePassed(f'the deadline of {self._deadline.seconds:g} s passed')
        usual = self._sock.gettimeout()
        if usual is None or usual > left:
            # Only near the deadline does the wait shrink; put back after, for the next call.
            self._sock.settimeout(left)
            try:
                return int(self._raw.readinto(buffer))
            finally:
                self._sock.settimeout(usual)
        return int(self._raw.readinto(buffer))

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _GuardedSocket:
    """A connection's socket as ``http.client`` sees it while a response arrives.

    Everything is the socket's own except :meth:`makefile`, whose reader keeps to
    the deadline: so the status line, the headers and the whole body do.
    """

    def __init__(self, sock: Any, deadline: Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def makefile(self, mode: str = 'r', *args: Any, **kwargs: Any) -> Any:
        if mode != 'rb':
            return self._sock.makefile(mode, *args, **kwargs)
        return io.BufferedReader(
            _DeadlineReader(self._sock.makefile('rb', buffering=0), self._sock, self._deadline))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _DeadlineConnectionMixin:
    """Connect and read within the deadline of the call in progress (if there is one)."""

    sock: Any
    timeout: Any

    def connect(self) -> None:
        deadline = active_deadline()
        if deadline is not None:
            deadline.check()
            left = deadline.remaining()
            if self.timeout is None or self.timeout > left:
                self.timeout = max(left, 0.001)
        super().connect()  # type: ignore[misc]

    def getresponse(self) -> Any:
        deadline = active_deadline()
        sock = self.sock
        if deadline is None or sock is None:
            return super().getresponse()  # type: ignore[misc]
        guarded = _GuardedSocket(sock, deadline)
        self.sock = guarded
        try:
            return super().getresponse()  # type: ignore[misc]
        finally:
            if self.sock is guarded:  # http.client sets it to None when it closes
                self.sock = sock


# Named as urllib3's own, since urllib3 puts the pool's class name in its error messages.

class HTTPConnection(_DeadlineConnectionMixin, connection.HTTPConnection):
    """urllib3's HTTPConnection, within the active deadline."""


class HTTPSConnection(_DeadlineConnectionMixin, connection.HTTPSConnection):
    """urllib3's HTTPSConnection, within the active deadline."""


class HTTPConnectionPool(connectionpool.HTTPConnectionPool):
    """urllib3's pool, of connections keeping to the active deadline."""

    ConnectionCls = HTTPConnection


class HTTPSConnectionPool(connectionpool.HTTPSConnectionPool):
    """urllib3's pool, of connections keeping to the active deadline."""

    ConnectionCls = HTTPSConnection


_POOL_CLASSES = {'http': HTTPConnectionPool, 'https': HTTPSConnectionPool}


class DeadlineAdapter(HTTPAdapter):
    """``requests``' HTTPAdapter whose connections keep to the deadline of the call.

    :class:`~pyperi.Peri` mounts one on the session it makes. Mount one on a
    session of your own to get the same enforcement (arguments as for
    ``HTTPAdapter``)::

        session.mount('https://', DeadlineAdapter(max_retries=build_retry(3)))

    Without an active deadline it behaves exactly as ``HTTPAdapter``.
    """

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOL_CLASSES

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        # SOCKS proxies bring pools of their own; plain HTTP(S) proxies use urllib3's.
        if manager.pool_classes_by_scheme is poolmanager.pool_classes_by_scheme:
            manager.pool_classes_by_scheme = _POOL_CLASSES
        return manager
