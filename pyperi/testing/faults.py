"""Fault injection of the fake Periscope: faults that apply themselves, and the plan queuing them.

A fault changes one exchange at up to three points: how long the server says nothing first
(:attr:`Fault.delay`), what it answers (:meth:`Fault.respond`) and how that answer goes on the
wire (:meth:`Fault.deliver`, with :meth:`Fault.recorded_status` for the request log). The base
class changes nothing; each fault overrides what it needs. A new fault is a subclass here plus
one :class:`~pyperi.testing.FakePeriscope` method that queues it with :meth:`FaultPlan.add`.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Callable, Protocol
from urllib.parse import urlsplit

from pyperi.testing.response import Response, error_response, reason

__all__ = ['Connection', 'Delay', 'Drop', 'Fail', 'Fault', 'FaultPlan', 'NO_FAULT', 'Stall',
           'normalise_prefix']


class Connection(Protocol):
    """The side of a server connection a fault acts on."""

    def send(self, response: Response, limit: int | None = None) -> None:
        """Send ``response``; with ``limit``, only the head and that many body bytes."""

    def abort(self) -> None:
        """Close the connection without finishing the response."""


class Fault:
    """A fault that changes nothing: the default behaviour of every step."""

    @property
    def delay(self) -> float:
        """Seconds to say nothing before answering."""
        return 0.0

    def respond(self, answer: Callable[[], Response]) -> Response:
        """The response to send; ``answer`` gives the one the fake would normally send."""
        return answer()

    def recorded_status(self, response: Response) -> int:
        """The status the request log records (0: the client never sees a status line)."""
        return response.status

    def deliver(self, response: Response, connection: Connection) -> None:
        """Put ``response`` on the wire."""
        connection.send(response)


#: The fault of a request no rule matches.
NO_FAULT = Fault()


@dataclass(frozen=True)
class Fail(Fault):
    """Answer with ``status`` and Periscope's error body, and maybe a ``Retry-After`` header.

    :param status: an HTTP error status (400-599).
    :param retry_after: seconds (rounded up) or a str sent as is; None sends no header.
    """

    status: int
    retry_after: float | str | None = None

    def __post_init__(self) -> None:
        if not 400 <= self.status <= 599:
            raise ValueError('status must be an HTTP error status (400-599): %r' % (self.status,))

    def respond(self, answer: Callable[[], Response]) -> Response:
        response = error_response(self.status, reason(self.status))
        if self.retry_after is not None:
            response.headers.append(('Retry-After', self._retry_after_text()))
        return response

    def _retry_after_text(self) -> str:
        if isinstance(self.retry_after, str):
            return self.retry_after
        return str(max(0, math.ceil(self.retry_after or 0)))


@dataclass(frozen=True)
class Drop(Fault):
    """Close the connection: at once, or after the head and ``after_bytes`` body bytes."""

    after_bytes: int = 0

    def __post_init__(self) -> None:
        if self.after_bytes < 0:
            raise ValueError('after_bytes must be >= 0')

    def recorded_status(self, response: Response) -> int:
        return response.status if self.after_bytes else 0

    def deliver(self, response: Response, connection: Connection) -> None:
        if self.after_bytes:
            connection.send(response, limit=self.after_bytes)
        connection.abort()


@dataclass(frozen=True)
class Stall(Fault):
    """Say nothing for ``seconds`` before answering (a stop of the fake ends the wait)."""

    seconds: float

    def __post_init__(self) -> None:
        if self.seconds < 0:
            raise ValueError('seconds must be >= 0')

    @property
    def delay(self) -> float:
        return self.seconds


@dataclass(frozen=True)
class Delay(Fault):
    """Hold the answer until ``release`` is set, ``seconds`` at most, then answer normally.

    Tests use it to make responses complete in the order they choose (a segment held
    until later ones have arrived), without sleeping: the test sets ``release`` when
    the moment has come. ``seconds`` bounds the wait if it never does (a stop of the fake
    does not end it).

    :param release: the event that lets the answer go.
    :param seconds: the longest wait.
    """

    release: threading.Event
    seconds: float = 5.0

    def __post_init__(self) -> None:
        if not isinstance(self.release, threading.Event):
            raise TypeError('release must be a threading.Event, not %s'
                            % (type(self.release).__name__,))
        if not self.seconds >= 0:
            raise ValueError('seconds must be >= 0')

    def respond(self, answer: Callable[[], Response]) -> Response:
        self.release.wait(self.seconds)
        return answer()


def normalise_prefix(path_prefix: str | None) -> str | None:
    """Accept a path (``/api/v2/getUserPublic``) or a full URL; keep its path."""
    if path_prefix is None:
        return None
    if '://' in path_prefix:
        path_prefix = urlsplit(path_prefix).path or '/'
    if not path_prefix.startswith('/'):
        path_prefix = '/' + path_prefix
    return path_prefix


@dataclass
class _Rule:
    fault: Fault
    remaining: int
    path_prefix: str | None

    def matches(self, path: str) -> bool:
        return self.path_prefix is None or path.startswith(self.path_prefix)


class FaultPlan:
    """Thread-safe queue of fault rules; the first rule matching a path wins and is used up."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []

    def add(self, fault: Fault, n: int, path_prefix: str | None = None) -> None:
        """Apply ``fault`` to the next ``n`` requests whose path starts with ``path_prefix``.

        :param path_prefix: a path or a full URL; None matches every request.
        :raises ValueError: if ``n`` is negative.
        """
        if n < 0:
            raise ValueError('n must be >= 0')
        if n:
            with self._lock:
                self._rules.append(_Rule(fault, n, normalise_prefix(path_prefix)))

    def take(self, path: str) -> Fault:
        """Use up one application of the first rule matching ``path``; :data:`NO_FAULT` if none."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(path):
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        self._rules.remove(rule)
                    return rule.fault
        return NO_FAULT

    def pending(self) -> int:
        """How many faulty responses are still queued."""
        with self._lock:
            return sum(rule.remaining for rule in self._rules)

    def clear(self) -> None:
        """Forget every queued rule."""
        with self._lock:
            self._rules.clear()
