"""The fake Periscope's log of the requests it received."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from pyperi.testing.faults import normalise_prefix

__all__ = ['RecordedRequest', 'RequestLog']


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received.

    ``status`` is the status sent (0 when the connection was dropped before a status line).
    """

    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    status: int = 0


class RequestLog:
    """Thread-safe list of :class:`RecordedRequest`, in arrival order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def all(self) -> list[RecordedRequest]:
        """Every request so far (a copy)."""
        with self._lock:
            return list(self._requests)

    def matching(self, path_prefix: str) -> list[RecordedRequest]:
        """The requests whose path starts with ``path_prefix`` (a path or a full URL)."""
        prefix = normalise_prefix(path_prefix) or '/'
        return [r for r in self.all() if r.path.startswith(prefix)]

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()
