"""Figures for the download rows of docs/security.rst: hostile CDNs against ``download_broadcast``.

Each case runs in a fresh subprocess against a small loopback server started in it, and
reports the outcome (the exception class and the start of its message), the wall time and
the peak resident memory of the process (``ru_maxrss``; a plain Python with pyperi
imported is the baseline row).

Cases: an endless playlist (64 KiB lines, as fast as loopback goes), a playlist of 150,000
tiny segments, a live playlist announcing ``#EXT-X-TARGETDURATION:100000`` with
``max_idle=2``, a redirect loop, an endless chain of redirects, a segment redirected to
``file://``, a segment whose body drips one byte every 0.5 s and one whose headers do (both
with ``Peri(deadline=3)``), and a full disk (a 1 MiB tmpfs when run as root on Linux, else
skipped).

    python benchmarks/bench_replay_hostile.py
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator

CASES = ['baseline', 'endless playlist', '150,000-segment playlist', 'target duration 100000',
         'redirect loop', 'endless redirects', 'redirect to file://', 'segment byte drip',
         'segment header drip', 'full disk']


def playlist(uris: list[str], target: int | str = 2, ended: bool = True) -> bytes:
    lines = ['#EXTM3U', f'#EXT-X-TARGETDURATION:{target}', '#EXT-X-MEDIA-SEQUENCE:0']
    for uri in uris:
        lines += ['#EXTINF:2.0,', uri]
    if ended:
        lines.append('#EXT-X-ENDLIST')
    return ('\n'.join(lines) + '\n').encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {}
    stop = threading.Event()

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        route = self.routes.get(self.path.split('?')[0])
        if route is None:
            self.send_error(404)
            return
        try:
            route(self)
        except OSError:
            self.close_connection = True


def send(handler: BaseHTTPRequestHandler, body: bytes, status: int = 200,
         headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    for name, value in {'Content-Length': str(len(body)), **(headers or {})}.items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def chunked(handler: BaseHTTPRequestHandler, chunks: Iterator[bytes]) -> None:
    handler.send_response(200)
    handler.send_header('Transfer-Encoding', 'chunked')
    handler.end_headers()
    for chunk in chunks:
        if Handler.stop.is_set():
            return
        handler.wfile.write(b'%x\r\n%s\r\n' % (len(chunk), chunk))
    handler.wfile.write(b'0\r\n\r\n')


def setup(case: str, base: str) -> dict[str, Any]:
    """Routes for ``case``; returns the download's options."""
    routes = Handler.routes
    state = 'RUNNING' if case == 'target duration 100000' else 'ENDED'
    access = {'broadcast': {'id': 'BID', 'state': state},
              ('https_hls_url' if state == 'RUNNING' else 'replay_url'): f'{base}/k/p.m3u8',
              'cookies': [{'Name': 'CloudFront-Policy', 'Value': 'x', 'Domain': '127.0.0.1'}]}
    routes['/api/v2/accessVideoPublic'] = lambda h: send(h, json.dumps(access).encode())
    options: dict[str, Any] = {}
    if case == 'endless playlist':
        line = b'#EXTINF:2.0,\n' + b'a' * 65_000 + b'.ts\n'
        routes['/k/p.m3u8'] = lambda h: chunked(h, iter(lambda: line, None))
    elif case == '150,000-segment playlist':
        body = playlist([f's{i}.ts' for i in range(150_000)])
        routes['/k/p.m3u8'] = lambda h: send(h, body)
    elif case == 'target duration 100000':
        routes['/k/p.m3u8'] = lambda h: send(h, playlist(['s0.ts'], 100000, ended=False))
        routes['/k/s0.ts'] = lambda h: send(h, b'\x47' * 188)
        options['max_idle'] = 2
    else:
        routes['/k/p.m3u8'] = lambda h: send(h, playlist([f's{i}.ts' for i in range(40)]))
        for i in range(40):
            routes[f'/k/s{i}.ts'] = lambda h: send(h, b'\x47' * 40_000)
    if case == 'redirect loop':
        routes['/k/s0.ts'] = lambda h: send(h, b'', 302, {'Location': '/k/r.ts'})
        routes['/k/r.ts'] = lambda h: send(h, b'', 302, {'Location': '/k/s0.ts'})
    elif case == 'endless redirects':
        routes['/k/s0.ts'] = lambda h: send(h, b'', 302,
                                            {'Location': f'/k/s0.ts?hop={time.monotonic_ns()}'})
    elif case == 'redirect to file://':
        routes['/k/s0.ts'] = lambda h: send(h, b'', 302, {'Location': 'file:///etc/passwd'})
    elif case == 'segment byte drip':
        def drip(h: BaseHTTPRequestHandler) -> None:
            h.send_response(200)
            h.send_header('Content-Length', '1000000')
            h.end_headers()
            while not Handler.stop.wait(0.5):
                h.wfile.write(b'\x47')
                h.wfile.flush()
        routes['/k/s0.ts'] = drip
    elif case == 'segment header drip':
        def header_drip(h: BaseHTTPRequestHandler) -> None:
            h.wfile.write(b'HTTP/1.1 200 OK\r\n')
            while not Handler.stop.wait(0.5):
                h.wfile.write(b'X')
                h.wfile.flush()
        routes['/k/s0.ts'] = header_drip
    if case in ('segment byte drip', 'segment header drip'):
        options['segment_retries'] = 1
    return options


def run_case(case: str) -> dict[str, Any]:
    """In the subprocess: one case, its outcome, time and peak memory."""
    from pyperi import Peri
    from pyperi.client import build_retry
    from pyperi.replay import download_broadcast

    if case == 'baseline':
        return {'outcome': '-', 'seconds': 0.0,
                'rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    server.daemon_threads = True
    base = f'http://127.0.0.1:{server.server_address[1]}'
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    options = setup(case, base)
    target = tempfile.mkdtemp()
    if case == 'full disk':
        target = os.environ['PYPERI_TINY_FS']
    peri = Peri(api_base_url=f'{base}/api/v2', web_base_url=base, retries=build_retry(0),
                **({'deadline': 3} if 'drip' in case else {}))
    started = time.monotonic()
    try:
        download_broadcast(peri, 'BID', target, **options)
        outcome = 'downloaded'
    except (Exception, KeyboardInterrupt) as error:
        outcome = f'{type(error).__name__}: {str(error)[:110]}'
    seconds = time.monotonic() - started
    left = sum(os.path.getsize(os.path.join(target, n)) for n in os.listdir(target))
    Handler.stop.set()
    server.shutdown()
    return {'outcome': outcome, 'seconds': round(seconds, 2), 'left_bytes': left,
            'rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def tiny_fs() -> str | None:
    """A 1 MiB tmpfs, if this process may mount one (root on Linux)."""
    if sys.platform != 'linux' or os.geteuid() != 0:
        return None
    where = tempfile.mkdtemp(prefix='pyperi-tinyfs-')
    done = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', where],
                          capture_output=True)
    return where if done.returncode == 0 else None


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == '--case':
        print(json.dumps(run_case(sys.argv[2])))
        return 0
    fs = tiny_fs()
    try:
        print(f'{"case":28} {"seconds":>8} {"peak RSS":>9}  outcome')
        for case in CASES:
            if case == 'full disk' and fs is None:
                print(f'{case:28} {"-":>8} {"-":>9}  skipped (needs root to mount a tmpfs)')
                continue
            env = {**os.environ, **({'PYPERI_TINY_FS': fs} if fs else {})}
            done = subprocess.run([sys.executable, __file__, '--case', case], env=env,
                                  capture_output=True, text=True, timeout=300)
            if done.returncode:
                print(f'{case:28} failed: {done.stderr.strip().splitlines()[-1:]}')
                continue
            result = json.loads(done.stdout)
            extra = f' [{result["left_bytes"]} bytes left on disk]' if 'left_bytes' in result \
                and case == 'full disk' else ''
            print(f'{case:28} {result["seconds"]:>8} {result["rss_mb"]:>6} MB  '
                  f'{result["outcome"]}{extra}')
    finally:
        if fs is not None:
            subprocess.run(['umount', fs], check=False)
            os.rmdir(fs)
    return 0


if __name__ == '__main__':
    sys.exit(main())
