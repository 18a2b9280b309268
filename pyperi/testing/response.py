"""A response of the fake Periscope, and Periscope's JSON error body."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Callable, Iterable, Iterator

__all__ = ['JSON', 'Response', 'error_response', 'json_response', 'reason']

JSON = 'application/json; charset=utf-8'


@dataclass
class Response:
    """A response to send: a fixed body, or chunks produced on demand with a known length."""

    status: int
    content_type: str = JSON
    body: bytes = b''
    chunks: Callable[[], Iterator[bytes]] | None = None
    length: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def content_length(self) -> int:
        return len(self.body) if self.chunks is None else int(self.length or 0)

    def iter_body(self) -> Iterable[bytes]:
        if self.chunks is None:
            return (self.body,) if self.body else ()
        return self.chunks()


def json_response(status: int, payload: Any) -> Response:
    """``payload`` as UTF-8 JSON (emoji unescaped, as Periscope sent them)."""
    return Response(status, JSON, json.dumps(payload, ensure_ascii=False).encode('utf-8'))


def error_response(status: int, msg: str) -> Response:
    """Periscope's error body: ``{"success": false, "msg": ...}``."""
    return json_response(status, {'success': False, 'msg': msg})


def reason(status: int) -> str:
    """The standard reason phrase of ``status`` (``'Error'`` for an unknown one)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return 'Error'
