"""Benchmark replay downloads against the embedded fake Periscope on loopback.

1. Against other downloaders: a 100-segment replay (26 MB) served with 30 ms of latency
   per request (what a CDN's first byte costs), downloaded by pyperi (API and command
   line), a plain ``requests`` loop with 8 threads writing in order, yt-dlp ``-N 8``
   (its native HLS downloader) and streamlink ``--stream-segment-threads 8``, then the
   same one segment at a time. Every output is checked by sha256.
2. Throughput with no latency: pyperi against a plain sequential ``requests`` streaming
   loop over the same segments, written to a file in the same directory.
3. Peak memory of ``download_broadcast`` for a small and a large replay, each in a fresh
   subprocess: ``tracemalloc`` peak and ``ru_maxrss``. Flat means the large replay's
   figures are about the small one's.

The fake runs in its own process so its memory and CPU are not counted. yt-dlp and
streamlink are not dependencies of pyperi: they are installed into a virtualenv of their
own (``--tools-venv``, created with pip when missing; ``--no-tools`` skips them).

    python benchmarks/bench_download.py                  # everything, 5 rounds
    python benchmarks/bench_download.py --quick          # smaller, for a smoke run
"""
from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

#: The issue's case: 100 segments of about 260 KB (3 s of Periscope video each).
SEGMENT_SIZE = 260_000
LATENCY = 0.03
THREADS = 8
TOOLS = ('yt-dlp', 'streamlink')
DEFAULT_TOOLS_VENV = Path(tempfile.gettempdir()) / 'pyperi-bench-tools'


# -- the fake, in a process of its own ------------------------------------------------------


def _serve(conn: Any, replays: dict[str, int]) -> None:
    """Child process: the fake with one replay per name (segment count); serve until told.

    Messages: ``('latency', seconds)`` sets the latency; ``('stop',)`` stops.
    """
    from pyperi.testing import FakePeriscope

    with FakePeriscope() as fake:
        user = fake.add_user('bench_user')
        made = {}
        for name, segments in replays.items():
            broadcast = fake.add_broadcast(user['id'], segments=segments,
                                           segment_size=SEGMENT_SIZE)
            made[name] = {'id': broadcast['id'], 'segments': segments,
                          'bytes': fake.replay_size(broadcast['id']),
                          'sha256': fake.replay_sha256(broadcast['id']),
                          'playlist': fake.replay_url(broadcast['id']),
                          'cookies': fake.stream_cookies(broadcast['id'])}
        conn.send({'api': fake.api_base_url, 'web': fake.web_base_url, 'replays': made})
        while True:
            message = conn.recv()
            if message[0] == 'latency':
                fake.latency = message[1]
                conn.send('ok')
            else:
                return


class Server:
    """The fake's process, and what it serves."""

    def __init__(self, replays: dict[str, int]) -> None:
        self._conn, there = multiprocessing.Pipe()
        self._process = multiprocessing.Process(target=_serve, args=(there, replays),
                                                daemon=True)
        self._process.start()
        info = self._conn.recv()
        self.api: str = info['api']
        self.web: str = info['web']
        self.replays: dict[str, dict[str, Any]] = info['replays']

    def latency(self, seconds: float) -> None:
        self._conn.send(('latency', seconds))
        self._conn.recv()

    def stop(self) -> None:
        self._conn.send(('stop',))
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.terminate()


# -- the contenders: each writes one file into ``directory`` and returns its path ----------


Runner = Callable[[Server, dict[str, Any], Path], Path]


def pyperi_api(concurrency: int) -> Runner:
    def run(server: Server, replay: dict[str, Any], directory: Path) -> Path:
        from pyperi import Peri
        from pyperi.replay import download_broadcast

        with Peri(api_base_url=server.api, web_base_url=server.web) as peri:
            return download_broadcast(peri, replay['id'], directory, concurrency=concurrency)
    return run


def pyperi_cli(server: Server, replay: dict[str, Any], directory: Path) -> Path:
    subprocess.run([sys.executable, '-m', 'pyperi', '--api-base-url', server.api,
                    '--web-base-url', server.web, 'download', replay['id'], '-o',
                    str(directory), '--no-progress', '--format', 'json'],
                   check=True, stdout=subprocess.DEVNULL)
    return directory / f'{replay["id"]}.ts'


def _plain_playlist(session: Any, server: Server, replay: dict[str, Any]) -> tuple[Any, dict]:
    """What a user writes by hand: accessVideoPublic, cookies, the playlist (m3u8)."""
    import m3u8

    access = session.get(f'{server.api}/accessVideoPublic',
                         params={'broadcast_id': replay['id']}, timeout=30).json()
    cookies = {c['Name']: c['Value'] for c in access.get('cookies', [])}
    url = access['replay_url']
    playlist = m3u8.loads(session.get(url, cookies=cookies, timeout=30).text, uri=url)
    return playlist, cookies


def plain_sequential(server: Server, replay: dict[str, Any], directory: Path) -> Path:
    """One segment at a time, streamed to the file in 256 KiB reads (no retries)."""
    import requests

    with requests.Session() as session:
        playlist, cookies = _plain_playlist(session, server, replay)
        target = directory / 'plain_sequential.ts'
        with open(target, 'wb') as out:
            for segment in playlist.segments:
                with session.get(segment.absolute_uri, cookies=cookies, stream=True,
                                 timeout=30) as response:
                    response.raise_for_status()
                    for chunk in response.iter_content(256 * 1024):
                        out.write(chunk)
    return target


def plain_parallel(server: Server, replay: dict[str, Any], directory: Path) -> Path:
    """8 threads on one session; whole segments written in playlist order (executor.map)."""
    import requests
    from requests.adapters import HTTPAdapter

    with requests.Session() as session:
        session.mount('http://', HTTPAdapter(pool_maxsize=THREADS))
        playlist, cookies = _plain_playlist(session, server, replay)

        def fetch(uri: str) -> bytes:
            response = session.get(uri, cookies=cookies, timeout=30)
            response.raise_for_status()
            return response.content

        target = directory / 'plain_parallel.ts'
        with ThreadPoolExecutor(THREADS) as pool, open(target, 'wb') as out:
            for body in pool.map(fetch, [s.absolute_uri for s in playlist.segments]):
                out.write(body)
    return target


def _cookie_file(directory: Path, replay: dict[str, Any]) -> Path:
    """The stream cookies in the Netscape format yt-dlp reads."""
    host = replay['playlist'].split('/')[2].split(':')[0]
    lines = ['# Netscape HTTP Cookie File']
    lines += [f'{host}\tFALSE\t/\tFALSE\t0\t{name}\t{value}'
              for name, value in replay['cookies'].items()]
    path = directory.parent / 'cookies.txt'
    path.write_text('\n'.join(lines) + '\n')
    return path


def yt_dlp(threads: int, venv_dir: Path) -> Runner:
    def run(server: Server, replay: dict[str, Any], directory: Path) -> Path:
        target = directory / 'yt-dlp.ts'
        cookies = _cookie_file(directory, replay)
        subprocess.run([str(_tool(venv_dir, 'yt-dlp')), '--ignore-config', '--no-cache-dir',
                        '--hls-prefer-native', '-N', str(threads), '--fixup', 'never',
                        '--quiet', '--no-progress', '--cookies', str(cookies),
                        '-o', str(target), replay['playlist']],
                       check=True, stdout=subprocess.DEVNULL)
        return target
    return run


def streamlink(threads: int, venv_dir: Path) -> Runner:
    def run(server: Server, replay: dict[str, Any], directory: Path) -> Path:
        target = directory / 'streamlink.ts'
        cookies = [arg for name, value in replay['cookies'].items()
                   for arg in ('--http-cookie', f'{name}={value}')]
        subprocess.run([str(_tool(venv_dir, 'streamlink')), '--stream-segment-threads',
                        str(threads), *cookies, '--loglevel', 'error', '-f', '-o', str(target),
                        f'hls://{replay["playlist"]}', 'best'],
                       check=True, stdout=subprocess.DEVNULL)
        return target
    return run


# -- the tools' virtualenv ---------------------------------------------------------------------


def _tool(venv_dir: Path, name: str) -> Path:
    return venv_dir / ('Scripts' if os.name == 'nt' else 'bin') / name


def tools_venv(venv_dir: Path) -> dict[str, str]:
    """The virtualenv with yt-dlp and streamlink (made with pip if missing); their versions."""
    if not all(_tool(venv_dir, name).exists() for name in TOOLS):
        print(f'installing {", ".join(TOOLS)} into {venv_dir} ...', flush=True)
        venv.create(venv_dir, with_pip=True, clear=True)
        subprocess.run([str(_tool(venv_dir, 'python')), '-m', 'pip', 'install', '-q', *TOOLS],
                       check=True)
    return {name: subprocess.run([str(_tool(venv_dir, name)), '--version'], check=True,
                                 capture_output=True, text=True).stdout.split()[-1]
            for name in TOOLS}


# -- measuring ------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as source:
        for block in iter(lambda: source.read(1024 * 1024), b''):
            digest.update(block)
    return digest.hexdigest()


def _empty(directory: Path) -> None:
    for path in directory.iterdir():
        path.unlink()


def race(server: Server, replay: dict[str, Any], runners: dict[str, Runner], runs: int,
         directory: Path) -> dict[str, list[float]]:
    """Each runner ``runs`` times, interleaved, after a warm-up; outputs checked by sha256."""
    times: dict[str, list[float]] = {name: [] for name in runners}
    order = list(runners)
    for run in range(runs + 1):   # run 0 warms up (imports, page cache, connections)
        for name in order[run % len(order):] + order[:run % len(order)]:
            work = directory / 'out'
            work.mkdir(exist_ok=True)
            started = time.perf_counter()
            path = runners[name](server, replay, work)
            elapsed = time.perf_counter() - started
            if _sha256(path) != replay['sha256']:
                raise AssertionError(f'{name} wrote the wrong bytes')
            if run:
                times[name].append(elapsed)
            _empty(work)
    return times


def startup(venv_dir: Path | None) -> dict[str, float]:
    """Median seconds each command needs to start and exit (``--version``)."""
    commands = {'pyperi': [sys.executable, '-m', 'pyperi', '--version']}
    if venv_dir is not None:
        commands.update({name: [str(_tool(venv_dir, name)), '--version'] for name in TOOLS})
    figures = {}
    for name, command in commands.items():
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            samples.append(time.perf_counter() - started)
        figures[name] = statistics.median(samples)
    return figures


def _child_memory(args: argparse.Namespace) -> None:
    """Subprocess mode: one download, then print its memory figures as JSON."""
    import tracemalloc

    import m3u8  # noqa: F401  imported before measuring, like the rest of pyperi

    import pyperi.replay  # noqa: F401

    directory = Path(args.directory)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if args.tracemalloc:
        tracemalloc.start()
    from pyperi import Peri
    with Peri(api_base_url=args.api, web_base_url=args.web) as peri:
        path = pyperi.replay.download_broadcast(peri, args.broadcast_id, directory)
    result: dict[str, Any] = {'bytes': path.stat().st_size, 'maxrss_before_kb': before,
                              'maxrss_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
    if args.tracemalloc:
        result['tracemalloc_peak'] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print(json.dumps(result))


def memory(server: Server, name: str, directory: Path, trace: bool) -> dict[str, Any]:
    directory = directory / 'memory'
    directory.mkdir(exist_ok=True)
    command = [sys.executable, __file__, '--child-memory', '--api', server.api,
               '--web', server.web, '--broadcast-id', server.replays[name]['id'],
               '--directory', str(directory)]
    if trace:
        command.append('--tracemalloc')
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    _empty(directory)
    return json.loads(out.strip().splitlines()[-1])


# -- reports --------------------------------------------------------------------------------


def _report(title: str, times: dict[str, list[float]], reference: str) -> dict[str, float]:
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(title)
    for name, value in sorted(medians.items(), key=lambda item: item[1]):
        ratio = value / medians[reference]
        print(f'  {name:42s} {value:7.3f} s   {ratio:5.2f}x {reference}'
              f'   (min {min(times[name]):.3f}, max {max(times[name]):.3f})')
    return medians


def against_tools(args: argparse.Namespace, server: Server, directory: Path) -> None:
    replay = server.replays['case']
    venv_dir = None if args.no_tools else args.tools_venv
    versions = tools_venv(venv_dir) if venv_dir is not None else {}
    parallel: dict[str, Runner] = {
        'pyperi download_broadcast (8)': pyperi_api(THREADS),
        'pyperi download command (8)': pyperi_cli,
        f'plain requests, {THREADS} threads': plain_parallel,
    }
    sequential: dict[str, Runner] = {
        'pyperi download_broadcast (concurrency=1)': pyperi_api(1),
        'plain requests, one segment at a time': plain_sequential,
    }
    if venv_dir is not None:
        parallel[f'yt-dlp {versions["yt-dlp"]} -N {THREADS}'] = yt_dlp(THREADS, venv_dir)
        parallel[f'streamlink {versions["streamlink"]}, {THREADS} threads'] = \
            streamlink(THREADS, venv_dir)
        sequential['yt-dlp -N 1'] = yt_dlp(1, venv_dir)
        sequential['streamlink, 1 thread'] = streamlink(1, venv_dir)
    server.latency(args.latency)
    megabytes = replay['bytes'] / 1e6
    print(f'\n1. {replay["segments"]} segments, {megabytes:.1f} MB, {args.latency * 1000:.0f} ms '
          f'latency per request; {args.runs} interleaved runs, medians')
    medians = _report('  in parallel:', race(server, replay, parallel, args.runs, directory),
                      f'plain requests, {THREADS} threads')
    _report('  one segment at a time:', race(server, replay, sequential, args.sequential_runs,
                                             directory),
            'plain requests, one segment at a time')
    pyperi = medians['pyperi download_broadcast (8)']
    print(f'  goal: pyperi <= 1.25x the parallel requests loop: '
          f'{pyperi / medians[f"plain requests, {THREADS} threads"]:.2f}x')
    for name, value in medians.items():
        if name.startswith(('yt-dlp', 'streamlink')):
            print(f'  goal: faster than {name}: {value / pyperi:.2f}x faster')
    print('  start-up alone (--version): ' + ', '.join(
        f'{name} {value:.3f} s' for name, value in startup(venv_dir).items()))
    server.latency(0)


def throughput(args: argparse.Namespace, server: Server, directory: Path) -> None:
    replay = server.replays['throughput']
    runners: dict[str, Runner] = {
        'pyperi (default concurrency 8)': pyperi_api(THREADS),
        'pyperi (concurrency=1)': pyperi_api(1),
        'plain requests, sequential streaming': plain_sequential,
        f'plain requests, {THREADS} threads': plain_parallel,
    }
    megabytes = replay['bytes'] / 1e6
    print(f'\n2. no latency: {replay["segments"]} segments, {megabytes:.0f} MB; '
          f'{args.runs} interleaved runs, medians')
    medians = _report('', race(server, replay, runners, args.runs, directory),
                      'plain requests, sequential streaming')
    for name in ('pyperi (default concurrency 8)', 'pyperi (concurrency=1)'):
        print(f'  {name}: {megabytes / medians[name]:.0f} MB/s, '
              f'{medians["plain requests, sequential streaming"] / medians[name]:.2f}x the '
              f'throughput of the sequential loop (goal >= 0.9)')


def memory_report(args: argparse.Namespace, server: Server, directory: Path) -> None:
    print(f'\n3. peak memory of download_broadcast (concurrency {THREADS}, segments of '
          f'{SEGMENT_SIZE // 1000} KB), fresh subprocess per figure:')
    for name in ('small', 'large'):
        traced = memory(server, name, directory, trace=True)
        rss = memory(server, name, directory, trace=False)
        assert traced['bytes'] == rss['bytes'] == server.replays[name]['bytes']
        print(f'  {traced["bytes"] / 1e6:6.0f} MB replay: tracemalloc peak '
              f'{traced["tracemalloc_peak"] / 1024:8.0f} KiB; '
              f'ru_maxrss {rss["maxrss_kb"] / 1024:6.1f} MiB '
              f'(after imports {rss["maxrss_before_kb"] / 1024:.1f} MiB)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--sequential-runs', type=int, default=3)
    parser.add_argument('--segments', type=int, default=100, help='segments of case 1')
    parser.add_argument('--latency', type=float, default=LATENCY)
    parser.add_argument('--throughput-mb', type=int, default=100)
    parser.add_argument('--small-mb', type=int, default=20)
    parser.add_argument('--large-mb', type=int, default=500)
    parser.add_argument('--tools-venv', type=Path, default=DEFAULT_TOOLS_VENV,
                        help=f'virtualenv with yt-dlp and streamlink (default {DEFAULT_TOOLS_VENV}'
                             '; made when missing)')
    parser.add_argument('--no-tools', action='store_true', help='leave out yt-dlp and streamlink')
    parser.add_argument('--only', choices=('tools', 'throughput', 'memory'))
    parser.add_argument('--quick', action='store_true', help='2 runs, 20 MB, 10 vs 50 MB')
    parser.add_argument('--child-memory', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument('--tracemalloc', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument('--api', help=argparse.SUPPRESS)
    parser.add_argument('--web', help=argparse.SUPPRESS)
    parser.add_argument('--broadcast-id', help=argparse.SUPPRESS)
    parser.add_argument('--directory', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_memory:
        _child_memory(args)
        return
    if args.quick:
        args.runs, args.sequential_runs = 2, 1
        args.throughput_mb, args.small_mb, args.large_mb = 20, 10, 50

    def segments(megabytes: int) -> int:
        return max(1, megabytes * 1_000_000 // SEGMENT_SIZE)

    server = Server({'case': args.segments, 'throughput': segments(args.throughput_mb),
                     'small': segments(args.small_mb), 'large': segments(args.large_mb)})
    try:
        with tempfile.TemporaryDirectory(prefix='pyperi-bench-') as tmp:
            directory = Path(tmp)
            if args.only in (None, 'tools'):
                against_tools(args, server, directory)
            if args.only in (None, 'throughput'):
                throughput(args, server, directory)
            if args.only in (None, 'memory'):
                memory_report(args, server, directory)
    finally:
        server.stop()


if __name__ == '__main__':
    os.environ.pop('PYPERI_API_BASE_URL', None)
    os.environ.pop('PYPERI_WEB_BASE_URL', None)
    main()
