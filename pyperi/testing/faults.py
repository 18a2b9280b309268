"""Fault injection rules of the fake Periscope: failing, dropped and stalled responses."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ['Fault', 'FaultPlan']

_KINDS = ('fail', 'drop', 'stall')


@dataclass
class Fault:
    """One rule: the next ``remaining`` requests under ``path_prefix`` get ``kind``."""

    kind: str
    remaining: int
    path_prefix: str | None = None
    status: int = 0
    retry_after: float | str | None = None
    after_bytes: int = 0
    seconds: float = 0.0

    def matches(self, path: str) -> bool:
        return self.path_prefix is None or path.startswith(self.path_prefix)


def normalise_prefix(path_prefix: str | None) -> str | None:
    """Accept a path (``/api/v2/getUserPublic``) or a full URL; keep its path."""
    if path_prefix is None:
        return None
    if '://' in path_prefix:
        path_prefix = urlsplit(path_prefix).path or '/'
    if not path_prefix.startswith('/'):
        path_prefix = '/' + path_prefix
    return path_prefix


class FaultPlan:
    """Thread-safe queue of fault rules; the first matching rule wins and is used up."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        if fault.kind not in _KINDS:
            raise ValueError('unknown fault kind %r' % (fault.kind,))
        if fault.remaining < 0:
            raise ValueError('n must be >= 0')
        if fault.kind == 'fail' and not 400 <= fault.status <= 599:
            raise ValueError('status must be an HTTP error status (400-599): %r' % (fault.status,))
        if fault.after_bytes < 0 or fault.seconds < 0:
            raise ValueError('after_bytes and seconds must be >= 0')
        fault.path_prefix = normalise_prefix(fault.path_prefix)
        if fault.remaining:
            with self._lock:
                self._faults.append(fault)

    def take(self, path: str) -> Fault | None:
        """Use up one application of the first rule matching ``path``."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(path):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def pending(self) -> int:
        """How many faulty responses are still queued."""
        with self._lock:
            return sum(f.remaining for f in self._faults)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
