"""Helpers shared by the archive tests (constants and small functions)."""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

#: When the fake WARCs say they were captured.
CAPTURED = datetime(2021, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
API = 'https://api.periscope.tv/api/v2'
WEB = 'https://www.periscope.tv'


def at(text: str) -> datetime:
    """``'2021-03-01T12:00:00'`` as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
