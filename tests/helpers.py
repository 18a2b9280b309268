"""Shared test helpers: saved Periscope bodies, loaded relative to this file."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple

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


class StoppedCapture(NamedTuple):
    """What a ``pyperi --offline download`` of the live broadcast did when stopped by a signal."""

    returncode: int
    out: str
    err: str
    target: Path


def stop_live_capture(directory: Path, stop: signal.Signals) -> StoppedCapture:
    """Run the command line's live capture in a subprocess, send ``stop`` after its first
    segment (polled for, at most 20 s) and return what it did.
    """
    from pyperi.testing import GEORGE_LIVE_BROADCAST_ID
    command = [sys.executable, '-m', 'pyperi', '--offline', 'download', GEORGE_LIVE_BROADCAST_ID,
               '-o', str(directory), '--no-progress', '--format', 'json']
    partial = directory / f'.{GEORGE_LIVE_BROADCAST_ID}.ts.part'
    env = {**os.environ, 'PYTHONPATH': str(Path(__file__).resolve().parent.parent)}
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=env) as proc:
        deadline = time.monotonic() + 20
        while not (partial.exists() and partial.stat().st_size) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ''
            time.sleep(0.05)   # polling for the first segment, bounded by the deadline
        assert partial.exists() and partial.stat().st_size, 'no segment was captured'
        proc.send_signal(stop)
        out, err = proc.communicate(timeout=30)
    return StoppedCapture(proc.returncode, out, err,
                          directory / f'{GEORGE_LIVE_BROADCAST_ID}.ts')
