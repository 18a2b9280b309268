"""Memory and wall time of one call against hostile servers, pyperi against a plain client.

Each case serves one hostile reply from a small loopback server (``tests/hostile.py``) and
times one ``get_user_info`` in a fresh subprocess, whose peak resident memory is read from
``/proc`` while it runs. Cases:

* ``body-400mb``: a valid JSON body of 400 MB (with its ``Content-Length``);
* ``chunked-endless``: a chunked body that never ends;
* ``gzip-bomb-1gb``: ``Content-Encoding: gzip``, about 1 MB inflating to 1 GB of zeros;
* ``byte-drip``: the headers, then one body byte every second;
* ``header-drip``: the status line and headers one byte every second.

Contenders: ``pyperi`` (this checkout, default caps, the deadline given by ``--deadline``),
``requests`` (one ``requests.get(...).json()`` with the same timeout: what a plain client
does) and, with ``--before PATH``, pyperi from another source tree (e.g. an export of an
older commit) run the same way. A run that has not ended after ``--kill-after`` seconds, or
has grown past ``--kill-at-mb``, is killed and reported as such.

    python benchmarks/bench_hostile.py
    python benchmarks/bench_hostile.py --before /tmp/pyperi-before --deadline 10
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Callable

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tests'))

from hostile import Connection, HostileServer, head  # noqa: E402

MB = 1024 * 1024
CASES = ('body-400mb', 'chunked-endless', 'gzip-bomb-1gb', 'byte-drip', 'header-drip')


# -- the hostile replies ----------------------------------------------------------------------

def _body_400mb(connection: Connection) -> None:
    connection.read_head()
    opening, closing, size = b'{"user": {"pad": "', b'"}}', 400 * MB
    connection.send(head(length=size) + opening)
    block, sent = b'a' * (256 * 1024), len(opening) + len(closing)
    while sent < size and connection.send(block[:size - sent]):
        sent += len(block)
    connection.send(closing)


def _chunked_endless(connection: Connection) -> None:
    connection.read_head()
    connection.send(head('200 OK', 'Transfer-Encoding: chunked'))
    chunk = b'%x\r\n%s\r\n' % (256 * 1024, b' ' * 256 * 1024)
    while connection.send(chunk):
        pass


def _gzip_gigabyte() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(MB)
    return b''.join(compressor.compress(zeros) for _ in range(1024)) + compressor.flush()


def _gzip_bomb(bomb: bytes) -> Callable[[Connection], None]:
    def handler(connection: Connection) -> None:
        connection.read_head()
        connection.send(head('200 OK', 'Content-Encoding: gzip', length=len(bomb)) + bomb)
    return handler


def _byte_drip(connection: Connection) -> None:
    connection.read_head()
    connection.send(head(length=100_000))
    connection.drip(b'{' + b' ' * 99_998 + b'}', 1.0)


def _header_drip(connection: Connection) -> None:
    connection.read_head()
    connection.drip(head(length=2) + b'{}', 1.0)


# -- one call in a child process ------------------------------------------------------------

CHILD = '''
import resource, sys, time
import requests
kind, url, deadline = sys.argv[1], sys.argv[2], float(sys.argv[3])
if kind != 'requests':
    from pyperi import Peri
started = time.monotonic()
try:
    if kind == 'requests':
        requests.get(url + '/api/v2/getUserPublic?user_id=1', timeout=(5, 30)).json()
        outcome = 'returned'
    else:
        options = {'deadline': deadline} if kind == 'pyperi' else {}
        with Peri(api_base_url=url + '/api/v2', web_base_url=url, timeout=(5, 30),
                  **options) as peri:
            peri.get_user_info('1')
        outcome = 'returned'
except BaseException as error:
    outcome = type(error).__name__
print(outcome, time.monotonic() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
'''


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f'/proc/{pid}/status').read_text().splitlines():
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_child(kind: str, url: str, deadline: float, kill_after: float, kill_at_mb: int,
              pythonpath: str | None) -> tuple[str, float, float]:
    """(outcome, seconds, peak MB) of one call in a fresh interpreter."""
    env = dict(os.environ)
    if pythonpath:
        env['PYTHONPATH'] = pythonpath
    started = time.monotonic()
    # Run from / so that the checkout in the working directory does not shadow PYTHONPATH.
    child = subprocess.Popen([sys.executable, '-c', CHILD, kind, url, str(deadline)],
                             stdout=subprocess.PIPE, text=True, env=env, cwd='/')
    peak_kb, killed = 0, ''
    while child.poll() is None:
        peak_kb = max(peak_kb, _rss_kb(child.pid))
        elapsed = time.monotonic() - started
        if elapsed > kill_after:
            killed = f'killed after {kill_after:g} s'
        elif peak_kb > kill_at_mb * 1024:
            killed = f'killed at {kill_at_mb} MB'
        if killed:
            child.kill()
            child.wait()
            return killed, elapsed, peak_kb / 1024
        time.sleep(0.01)
    out = child.stdout.read() if child.stdout else ''
    fields = out.split()
    if len(fields) != 3:
        return f'crashed ({child.returncode})', time.monotonic() - started, peak_kb / 1024
    outcome, seconds, maxrss_kb = fields[0], float(fields[1]), int(fields[2])
    return outcome, seconds, max(peak_kb, maxrss_kb) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--cases', nargs='+', choices=CASES, default=list(CASES))
    parser.add_argument('--deadline', type=float, default=10.0,
                        help='pyperi deadline=, seconds (default 10; the library default is 120)')
    parser.add_argument('--kill-after', type=float, default=40.0)
    parser.add_argument('--kill-at-mb', type=int, default=3000)
    parser.add_argument('--before', metavar='PATH',
                        help='a source tree of an older pyperi to measure as "pyperi before"')
    parser.add_argument('--no-requests', action='store_true', help='skip the plain client')
    args = parser.parse_args(argv)

    bomb = _gzip_gigabyte() if 'gzip-bomb-1gb' in args.cases else b''
    handlers = {'body-400mb': _body_400mb, 'chunked-endless': _chunked_endless,
                'gzip-bomb-1gb': _gzip_bomb(bomb), 'byte-drip': _byte_drip,
                'header-drip': _header_drip}
    contenders = [('pyperi', 'pyperi', str(ROOT))]
    if args.before:
        contenders.append(('pyperi before', 'before', args.before))
    if not args.no_requests:
        contenders.append(('requests', 'requests', None))
    print(f'Python {platform.python_version()} on {platform.machine()}, '
          f'{platform.system()} {platform.release()}; requests {requests.__version__}; '
          f'gzip bomb {len(bomb) / MB:.2f} MB; pyperi deadline={args.deadline:g} s')
    print(f'{"case":<18}{"client":<16}{"outcome":<32}{"time":>10}{"peak RSS":>12}')
    for case in args.cases:
        for label, kind, path in contenders:
            with HostileServer(handlers[case]) as server:
                outcome, seconds, peak_mb = run_child(kind, server.url, args.deadline,
                                                      args.kill_after, args.kill_at_mb, path)
            print(f'{case:<18}{label:<16}{outcome:<32}{seconds:>9.2f}s{peak_mb:>9.0f} MB',
                  flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
