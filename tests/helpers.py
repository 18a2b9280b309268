"""Shared test helpers: saved Periscope bodies, loaded relative to this file."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESPONSES = Path(__file__).parent / 'responses'

API = 'https://api.periscope.tv/api/v2'
WEB = 'https://www.periscope.tv'
NOT_FOUND = {'success': False, 'msg': 'Not Found'}


def load_json(name: str) -> Any:
    """A saved JSON body from tests/responses/."""
    return json.loads((RESPONSES / name).read_text(encoding='utf-8'))


def load_text(name: str) -> str:
    """A saved text body (an HTML page) from tests/responses/."""
    return (RESPONSES / name).read_text(encoding='utf-8')


def usage_error(err: str, command: str | None = None) -> str:
    """The message of the usage error report ``err`` (asserted to be the usage, then one line).

    ``command`` is the subcommand the report is about (None: the ``pyperi`` command itself).
    """
    prog = 'pyperi' if command is None else f'pyperi {command}'
    lines = err.splitlines()
    assert len(lines) == 2 and err.endswith('\n'), err
    assert lines[0].startswith(f'usage: {prog} [options]'), err
    assert lines[1].startswith(f'{prog}: error: '), err
    return lines[1][len(f'{prog}: error: '):]
