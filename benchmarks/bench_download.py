"""Benchmark replay downloads against the embedded fake Periscope on loopback.

1. Throughput: ``pyperi.replay.download_broadcast`` against a plain ``requests``
   streaming loop over the same segments (same cookies, same chunk size, written
   to a file in the same directory), runs interleaved, medians and their ratio.
2. Peak memory of ``download_broadcast`` for a small and a large replay, each in a
   fresh subprocess: ``tracemalloc`` peak and ``ru_maxrss``. Flat means the large
   replay's figures are about the small one's, not ten times them.

The fake runs in its own process so its memory and CPU are not counted.

    python benchmarks/bench_download.py                  # defaults: 100 MB x 7, 20 vs 200 MB
    python benchmarks/bench_download.py --quick          # smaller, for a smoke run
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SEGMENT_SIZE = 2 * 1024 * 1024


def _serve(conn: Any, sizes_mb: list[int]) -> None:
    """Child process: run the fake with one replay per size; report ids; serve until told."""
    from pyperi.testing import FakePeriscope

    with FakePeriscope() as fake:
        user = fake.add_user('bench_user')
        replays = {}
        for size in sizes_mb:
            segments = max(1, size * 1024 * 1024 // SEGMENT_SIZE)
            broadcast = fake.add_broadcast(user['id'], segments=segments,
                                           segment_size=SEGMENT_SIZE)
            replays[size] = {'id': broadcast['id'], 'segments': segments,
                             'bytes': fake.replay_size(broadcast['id'])}
        conn.send({'api': fake.api_base_url, 'web': fake.web_base_url, 'replays': replays})
        conn.recv()  # any message: stop


def _peri(api: str, web: str) -> Any:
    from pyperi import Peri
    return Peri(api_base_url=api, web_base_url=web)


def run_pyperi(api: str, web: str, broadcast_id: str, directory: Path) -> int:
    from pyperi.replay import download_broadcast

    with _peri(api, web) as peri:
        path = download_broadcast(peri, broadcast_id, directory)
    return path.stat().st_size


def run_pyperi_no_fsync(api: str, web: str, broadcast_id: str, directory: Path) -> int:
    """Diagnostic: pyperi with ``os.fsync`` made a no-op, to show what durability costs."""
    real = os.fsync
    os.fsync = lambda fd: None
    try:
        return run_pyperi(api, web, broadcast_id, directory)
    finally:
        os.fsync = real


def run_plain(api: str, web: str, broadcast_id: str, directory: Path) -> int:
    """What a user would write by hand with requests and m3u8 (no retries, no temp file)."""
    import m3u8
    import requests

    from pyperi.replay import CHUNK_SIZE

    with requests.Session() as session:
        access = session.get(f'{api}/accessVideoPublic', params={'broadcast_id': broadcast_id},
                             timeout=30).json()
        cookies = {c['Name']: c['Value'] for c in access.get('cookies', [])}
        url = access['replay_url']
        playlist = m3u8.loads(session.get(url, cookies=cookies, timeout=30).text, uri=url)
        if playlist.is_variant:
            url = max(playlist.playlists, key=lambda p: p.stream_info.bandwidth).absolute_uri
            playlist = m3u8.loads(session.get(url, cookies=cookies, timeout=30).text, uri=url)
        target = directory / f'plain_{broadcast_id}.ts'
        with open(target, 'wb') as out:
            for segment in playlist.segments:
                with session.get(segment.absolute_uri, cookies=cookies, stream=True,
                                 timeout=30) as response:
                    response.raise_for_status()
                    for chunk in response.iter_content(CHUNK_SIZE):
                        out.write(chunk)
    return target.stat().st_size


def _child_memory(args: argparse.Namespace) -> None:
    """Subprocess mode: one download, then print its memory figures as JSON."""
    import tracemalloc

    import m3u8  # noqa: F401  imported before measuring, like the rest of pyperi
    import pyperi.replay  # noqa: F401

    directory = Path(args.directory)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if args.tracemalloc:
        tracemalloc.start()
    size = run_pyperi(args.api, args.web, args.broadcast_id, directory)
    result: dict[str, Any] = {'bytes': size, 'maxrss_before_kb': before,
                              'maxrss_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
    if args.tracemalloc:
        result['tracemalloc_peak'] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print(json.dumps(result))


def _memory(server: dict[str, Any], size: int, directory: Path, trace: bool) -> dict[str, Any]:
    command = [sys.executable, __file__, '--child-memory', '--api', server['api'],
               '--web', server['web'], '--broadcast-id', server['replays'][size]['id'],
               '--directory', str(directory)]
    if trace:
        command.append('--tracemalloc')
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    for written in directory.glob('*.ts'):
        written.unlink()
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--throughput-mb', type=int, default=100)
    parser.add_argument('--runs', type=int, default=7)
    parser.add_argument('--small-mb', type=int, default=20)
    parser.add_argument('--large-mb', type=int, default=200)
    parser.add_argument('--quick', action='store_true', help='20 MB x 3, 10 vs 50 MB')
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
        args.throughput_mb, args.runs, args.small_mb, args.large_mb = 20, 3, 10, 50

    sizes = sorted({args.throughput_mb, args.small_mb, args.large_mb})
    here, there = multiprocessing.Pipe()
    server_process = multiprocessing.Process(target=_serve, args=(there, sizes), daemon=True)
    server_process.start()
    try:
        server = here.recv()
        with tempfile.TemporaryDirectory(prefix='pyperi-bench-') as tmp:
            directory = Path(tmp)
            _throughput(args, server, directory)
            _memory_report(args, server, directory)
    finally:
        here.send('stop')
        server_process.join(timeout=10)
        if server_process.is_alive():
            server_process.terminate()


def _throughput(args: argparse.Namespace, server: dict[str, Any], directory: Path) -> None:
    replay = server['replays'][args.throughput_mb]
    runners = {'pyperi': run_pyperi, 'plain requests': run_plain,
               'pyperi no fsync': run_pyperi_no_fsync}
    times: dict[str, list[float]] = {name: [] for name in runners}
    # Warm-up: imports, connection pool, page cache.
    for runner in runners.values():
        runner(server['api'], server['web'], replay['id'], directory)
        for written in directory.glob('*.ts'):
            written.unlink()
    order = list(runners)
    for run in range(args.runs):
        for name in order[run % len(order):] + order[:run % len(order)]:
            started = time.perf_counter()
            size = runners[name](server['api'], server['web'], replay['id'], directory)
            times[name].append(time.perf_counter() - started)
            assert size == replay['bytes'], (name, size, replay['bytes'])
            # Both write a fresh file each run: delete outside the timed part.
            for written in directory.glob('*.ts'):
                written.unlink()
    megabytes = replay['bytes'] / 1e6
    print(f'throughput: {megabytes:.0f} MB replay ({replay["segments"]} segments '
          f'of about {SEGMENT_SIZE // 1024} KiB), {args.runs} interleaved runs each, loopback')
    medians = {}
    for name, values in times.items():
        medians[name] = statistics.median(values)
        print(f'  {name:15s} median {medians[name]:.3f} s  = {megabytes / medians[name]:7.1f} MB/s'
              f'   (min {min(values):.3f}, max {max(values):.3f})')
    ratio = medians['plain requests'] / medians['pyperi']
    print(f'  ratio pyperi / plain requests throughput: {ratio:.2f}')
    ratio = medians['plain requests'] / medians['pyperi no fsync']
    print(f'  (diagnostic) pyperi without fsync / plain requests: {ratio:.2f}')


def _memory_report(args: argparse.Namespace, server: dict[str, Any], directory: Path) -> None:
    print('peak memory of download_broadcast, fresh subprocess per figure:')
    for size in (args.small_mb, args.large_mb):
        traced = _memory(server, size, directory, trace=True)
        rss = _memory(server, size, directory, trace=False)
        assert traced['bytes'] == rss['bytes'] == server['replays'][size]['bytes']
        print(f'  {traced["bytes"] / 1e6:6.0f} MB replay: tracemalloc peak '
              f'{traced["tracemalloc_peak"] / 1024:8.0f} KiB; '
              f'ru_maxrss {rss["maxrss_kb"] / 1024:6.1f} MiB '
              f'(after imports {rss["maxrss_before_kb"] / 1024:.1f} MiB)')


if __name__ == '__main__':
    os.environ.pop('PYPERI_API_BASE_URL', None)
    os.environ.pop('PYPERI_WEB_BASE_URL', None)
    main()
