"""Benchmarks of reading web archives: indexing, the index's size and memory, lookups, history.

Run by hand (not part of the test suite)::

    python benchmarks/bench_archive.py [--size-mb 1024] [--rounds 3] [--dir /tmp/bench]

It writes a generated WARC (uncompressed and gzipped, each at least ``--size-mb``)
shaped like a crawl of Periscope: per broadcast a user page, API answers, a
replay playlist and a few hundred ~300 KB segments. Then it measures:

* indexing each file with pyperi against FastWARC's own bare iteration over the
  same file (a loop that only takes each record, given the arguments pyperi's
  indexer gives FastWARC), FastWARC's loop with its default arguments over a
  Python file, a FastWARC loop that only takes out of each record the values a
  CDXJ line needs, and warcio's bare iteration;
* the same for a WARC of many small API answers (``--small-records``);
* the index file's size and the memory an opened index keeps, per record, and
  the time to open it from its cache file;
* one lookup (canonical key, nearest capture) in that index;
* ``get_user_broadcast_history`` from a recorded WARC against the embedded fake
  over loopback.
"""
from __future__ import annotations

import argparse
import gc
import platform
import random
import shutil
import statistics
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Callable

import fastwarc
import requests

from pyperi import Peri
from pyperi.archive import ArchiveIndex
from pyperi.archive.cache import INDEX_SUFFIX
from pyperi.archive.indexer import index_warc, warc_records
from pyperi.archive.keys import VOLATILE_PARAMS
from pyperi.testing import FakePeriscope
from pyperi.testing.warc import WarcWriter, write_warc

SEGMENT = 300 * 1024
SEGMENTS_PER_BROADCAST = 200
API = 'https://api.periscope.tv/api/v2'
WEB = 'https://www.periscope.tv'


def generate(path: Path, size: int) -> int:
    """A WARC of at least ``size`` bytes shaped like a Periscope crawl; its record count."""
    rng = random.Random(1)
    pool = rng.randbytes(4 * SEGMENT)  # segments are slices of it: fast to make, hard to pack
    page = ('<html><div id="page-container" data-store="' + '&quot;x&quot;' * 8000
            + '"></div></html>').encode()
    start = datetime(2019, 1, 1, tzinfo=timezone.utc)
    broadcast = 0
    with WarcWriter(path) as warc:
        while warc.size < size:
            broadcast += 1
            user_id = 1000 + broadcast % 50
            bid = f'1{broadcast:012d}'
            when = start + timedelta(hours=broadcast)
            html = [('Content-Type', 'text/html; charset=utf-8')]
            json = [('Content-Type', 'application/json; charset=utf-8')]
            warc.response(f'{WEB}/user_{user_id}', page, headers=html, date=when)
            warc.response(f'{API}/getUserPublic?user_id={user_id}', b'{"user": {}}' * 40,
                          headers=json, date=when)
            warc.response(f'{API}/getUserBroadcastsPublic?all=true&session_id={bid}x'
                          f'&user_id={user_id}', b'{"broadcasts": []}' * 500, headers=json,
                          date=when)
            warc.response(f'{API}/accessVideoPublic?broadcast_id={bid}',
                          b'{"broadcast": {}}' * 100, headers=json, date=when)
            base = f'https://replay.periscope.tv/hls/{bid}'
            lines = [f'{base}/chunk_{n}.ts' for n in range(SEGMENTS_PER_BROADCAST)]
            warc.response(f'{base}/playlist.m3u8', '\n'.join(lines).encode(),
                          headers=[('Content-Type', 'application/vnd.apple.mpegurl')], date=when)
            for url in lines:
                offset = rng.randrange(0, 3 * SEGMENT)
                warc.response(url, pool[offset:offset + SEGMENT],
                              headers=[('Content-Type', 'video/mp2t')], date=when)
        return warc.records


def generate_small(path: Path, records: int) -> int:
    """A WARC of ``records`` small API answers (many users), for the index's per-record costs."""
    start = datetime(2019, 1, 1, tzinfo=timezone.utc)
    json = [('Content-Type', 'application/json; charset=utf-8')]
    with WarcWriter(path) as warc:
        for number in range(records):
            warc.response(f'{API}/getUserPublic?user_id={10_000_000 + number}',
                          b'{"user": {"id": "%d"}}' % number, headers=json,
                          date=start + timedelta(seconds=number))
        return warc.records


def timed(function: Callable[[], object]) -> float:
    gc.collect()
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def fastwarc_bare(path: Path) -> int:
    """FastWARC's loop taking each record, with the arguments pyperi's indexer gives it."""
    return sum(1 for _ in warc_records(path))


def fastwarc_default(path: Path) -> int:
    """FastWARC's loop with its default arguments, over a Python file object."""
    with open(path, 'rb') as f:
        return sum(1 for _ in fastwarc.ArchiveIterator(f))


def fastwarc_fields(path: Path) -> int:
    """FastWARC's loop taking out of each record what a CDXJ line needs, and nothing else."""
    names = fastwarc.WarcHeader
    uri, date, digest = names.WARC_TARGET_URI, names.WARC_DATE, names.WARC_PAYLOAD_DIGEST
    content_type = names.CONTENT_TYPE
    taken = []
    for record in warc_records(path):
        headers, http = record.headers, record.http_headers
        taken.append((record.stream_pos, record.record_type, headers.get(uri),
                      headers.get(date), headers.get(digest),
                      http and http.get(content_type), http and http.status_code))
    return len(taken)


def warcio_bare(path: Path) -> int:
    from warcio.archiveiterator import ArchiveIterator

    with open(path, 'rb') as f:
        return sum(1 for _ in ArchiveIterator(f))


def row(case: str, value: str, floor: str = '', ratio: str = '', goal: str = '') -> None:
    print(f'{case:<58} {value:>12} {floor:>12} {ratio:>8}  {goal}')


def indexing(path: Path, rounds: int) -> None:
    size = path.stat().st_size
    ours, bare, default, fields = [], [], [], []
    for _ in range(rounds):   # interleaved, so all see the same page cache and load
        bare.append(timed(lambda: fastwarc_bare(path)))
        ours.append(timed(lambda: index_warc(path, VOLATILE_PARAMS)))
        default.append(timed(lambda: fastwarc_default(path)))
        fields.append(timed(lambda: fastwarc_fields(path)))
    slow = timed(lambda: warcio_bare(path))
    o, b = statistics.median(ours), statistics.median(bare)
    d, f = statistics.median(default), statistics.median(fields)
    label = f'{path.name} ({size / 2**30:.2f} GiB)'
    row(f'index {label} vs FastWARC bare iteration', f'{o:.3f} s', f'{b:.3f} s',
        f'{o / b:.2f}x', '<= 1.2')
    row('  FastWARC bare, default arguments, Python file', '', f'{d:.3f} s', f'{o / d:.2f}x')
    row('  FastWARC loop taking the fields a line needs', '', f'{f:.3f} s', f'{o / f:.2f}x')
    row('  warcio bare iteration (1 run)', f'{slow:.2f} s', '', f'{slow / o:.1f}x',
        'pyperi faster by this')


def index_costs(path: Path) -> None:
    ArchiveIndex(path).close()       # writes the cache file
    index_file = path.with_name(path.name + INDEX_SUFFIX)
    gc.collect()
    started = time.perf_counter()
    ArchiveIndex(path).close()
    opened = time.perf_counter() - started
    gc.collect()
    tracemalloc.start()
    index = ArchiveIndex(path)
    kept = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    count = len(index)
    row('index file size per record', f'{index_file.stat().st_size / count:.0f} B')
    row('memory an open index keeps per record (tracemalloc)', f'{kept / count:.0f} B')
    row(f'open {count:,} records from the cache file', f'{opened * 1000:.1f} ms')
    keys = index.keys()
    sample = random.Random(2).sample(keys, min(2000, len(keys)))
    started = time.perf_counter()
    for key in sample:
        index.nearest(key, None)
    per = (time.perf_counter() - started) / len(sample)
    row('one lookup: nearest capture of a key', f'{per * 1e6:.1f} us')
    index.close()


def history(rounds: int, calls: int, folder: Path) -> None:
    with FakePeriscope() as fake:
        warc = folder / 'george.warc.gz'
        write_warc(warc, users=['george_clinton'], fake=fake, replays=False)
        session = requests.Session()
        live = Peri(session=session, api_base_url=fake.api_base_url,
                    web_base_url=fake.web_base_url)
        archived = Peri.from_archive(warc)
        theirs, ours = [], []
        for _ in range(rounds):
            theirs.append(timed(lambda: [live.get_user_broadcast_history(
                username='george_clinton') for _ in range(calls)]) / calls)
            ours.append(timed(lambda: [archived.get_user_broadcast_history(
                username='george_clinton') for _ in range(calls)]) / calls)
        archived.close()
        session.close()
    o, t = statistics.median(ours), statistics.median(theirs)
    row('get_user_broadcast_history: archive vs fake on loopback', f'{o * 1000:.2f} ms',
        f'{t * 1000:.2f} ms', f'{o / t:.2f}x', 'archive no slower')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--size-mb', type=int, default=1024, help='size of each WARC (1024)')
    parser.add_argument('--rounds', type=int, default=3, help='rounds per case (3)')
    parser.add_argument('--calls', type=int, default=50, help='history calls per round (50)')
    parser.add_argument('--small-records', type=int, default=200_000,
                        help='records of the WARC of small API answers (200000)')
    parser.add_argument('--dir', type=Path, default=None, help='where to write the WARCs')
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix='bench-archive-'))
    folder.mkdir(parents=True, exist_ok=True)
    print(f'Python {platform.python_version()}, FastWARC {version("fastwarc")}, '
          f'warcio {version("warcio")}, {platform.machine()}, {folder}')
    try:
        row('case', 'pyperi', 'floor', 'ratio', 'goal')
        for name in ('bench.warc', 'bench.warc.gz'):
            path = folder / name
            started = time.perf_counter()
            records = generate(path, args.size_mb * 2**20)
            print(f'  generated {name}: {records:,} records, {path.stat().st_size / 2**30:.2f} GiB'
                  f' in {time.perf_counter() - started:.0f} s')
            indexing(path, args.rounds)
            index_costs(path)
            path.unlink()
        path = folder / 'small.warc'
        records = generate_small(path, args.small_records)
        print(f'  generated {path.name}: {records:,} small records, '
              f'{path.stat().st_size / 2**20:.0f} MiB')
        indexing(path, args.rounds)
        index_costs(path)
        path.unlink()
        history(args.rounds, args.calls, folder)
    finally:
        if args.dir is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == '__main__':
    main()
