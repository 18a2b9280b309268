"""Run a fixed list of ``pyperi`` commands against a fake with a fixed dataset; print everything.

Used to prove that a refactoring changed no output: run it before and after, then diff::

    python tools/cli_snapshot.py > before.txt
    ... change the code ...
    python tools/cli_snapshot.py > after.txt && diff before.txt after.txt

The fake's data is generated relative to a fixed moment, windows are absolute dates, and the
live broadcast (whose duration grows by the second) is filtered out where a duration shows. The
fake's address, which changes from run to run, is printed as ``{fake}``.
"""
from __future__ import annotations

import contextlib
import io
import re
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from pyperi.cli import main as cli_main
from pyperi.testing import FakePeriscope

NOW = datetime(2026, 11, 20, 12, 0, 0, tzinfo=timezone.utc)
WINDOW = ['--since', '2026-10-01', '--until', '2026-11-21']
ENDED = ['--state', 'ENDED,TIMED_OUT']

COMMANDS: list[list[str]] = [
    ['user', 'george_clinton', '-f', 'table'],
    ['user', 'george_clinton', '376827', '-f', 'table'],
    ['user', 'george_clinton', '-f', 'json'],
    ['user', 'george_clinton', 'acme_marketing', '-f', 'csv'],
    ['user', 'nobody_here', '-f', 'table'],
    ['broadcast', '1zqKVWybqeDGB', '-f', 'table'],
    ['broadcast', '1zqKVWybqeDGB', '-f', 'json'],
    ['broadcast', '1zqKVWybqeDGB', '1YqGoOkLbLAGv', '-f', 'csv'],
    ['history', 'george_clinton', *WINDOW, *ENDED, '-f', 'table'],
    ['history', 'george_clinton', *WINDOW, *ENDED, '-f', 'csv'],
    ['history', 'george_clinton', 'acme_marketing', *WINDOW, *ENDED, '-f', 'jsonl',
     '--fields', 'id,state,start,duration'],
    ['history', 'george_clinton', '--limit', '3', *ENDED, '-f', 'json'],
    ['stats', 'george_clinton', *WINDOW, *ENDED, '-f', 'table'],
    ['stats', 'george_clinton', 'acme_marketing', *WINDOW, *ENDED, '-f', 'table', '--by', 'month'],
    ['stats', 'george_clinton', *WINDOW, *ENDED, '-f', 'json'],
    ['stats', 'george_clinton', *WINDOW, *ENDED, '-f', 'jsonl'],
    ['stats', 'george_clinton', 'acme_marketing', *WINDOW, *ENDED, '-f', 'csv'],
    ['stats', 'george_clinton', *WINDOW, *ENDED, '-f', 'csv', '--by', 'day'],
    ['url', 'george_clinton', '376827', '-b', '1zqKVWybqeDGB', '-f', 'table'],
    ['parse', 'https://www.periscope.tv/w/1zqKVWybqeDGB', '-f', 'json'],
    ['parse', 'https://www.periscope.tv/george_clinton', 'https://example.com/x', '-f', 'csv'],
    ['download', '1zqKVWybqeDGB', '-o', '{out}', '-f', 'json', '--no-progress'],
    ['download', '1zqKVWybqeDGB', '-o', '{out}', '-f', 'table', '--no-progress'],
    ['download', '--user', 'acme_marketing', '-o', '{out}/acme', '-f', 'csv', '--no-progress'],
    ['watch', 'george_clinton', '--polls', '1'],
    ['history', 'george_clinton', '--since', 'nonsense'],
    ['stats', 'george_clinton', '-f', 'table', '--fields', 'x'],
    ['broadcast', 'not/an/id'],
]


def run(argv: list[str]) -> tuple[int, str, str]:
    """Run the command in-process; (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(argv)
    return code, out.getvalue(), err.getvalue()


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix='pyperi-snapshot-'))
    try:
        with FakePeriscope(now=NOW) as fake:
            base = ['--api-base-url', fake.api_base_url, '--web-base-url', fake.web_base_url]
            for command in COMMANDS:
                argv = [arg.replace('{out}', str(work)) for arg in command]
                code, out, err = run(argv + base)
                text = f'$ pyperi {" ".join(command)}\n{out}--- stderr\n{err}--- exit {code}\n\n'
                text = text.replace(fake.web_base_url, '{fake}').replace(str(work), '{out}')
                sys.stdout.write(re.sub(r'"now": "[^"]*"', '"now": "{now}"', text))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
