"""Benchmarks of pyperi's client against floors measured in the same run.

Run by hand (not part of the test suite)::

    python benchmarks/bench_client.py [--rounds 7] [--calls 300]

Everything runs against the embedded fake Periscope on loopback. Each case
times pyperi and its floor in interleaved rounds and prints the medians and
their ratio; BeautifulSoup is needed only here (``pip install beautifulsoup4``).
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import html
import json
import platform
import re
import select
import signal
import statistics
import subprocess
import sys
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Callable, Iterator

import requests

from pyperi import Peri
from pyperi.client import DEFAULT_TIMEOUT
from pyperi.testing import BIG_PAGE_USERNAME, GEORGE_CLINTON_ID, LONG_HISTORY_USERNAME
from pyperi.testing import FakePeriscope
from pyperi.web import extract_data_store, session_tokens

_BARE = re.compile(r'<div id="page-container"[^>]*?data-store="([^"]*)"')


def bare_regex_extract(page: str) -> dict:
    """The fragile floor: one regex for one exact attribute order and quoting."""
    match = _BARE.search(page)
    assert match is not None
    return json.loads(html.unescape(match.group(1)))


def soup_extract(page: str) -> dict:
    """What PyPeri 0.2.0 did: BeautifulSoup with the standard html.parser."""
    from bs4 import BeautifulSoup
    element = BeautifulSoup(page, 'html.parser').find(id='page-container')
    return json.loads(element['data-store'])


def markup_heavy(page: str, cards: int = 4000) -> str:
    """``page`` with a megabyte of server-rendered broadcast cards before its data-store."""
    card = ('<div class="BroadcastCard" data-id="1YqGoOkLbLAGv{i}"><a href="/w/1YqGoOkLbLAGv{i}">'
            '<img src="https://tn.example/{i}.jpg" alt="#George Clinton &amp; band"></a>'
            '<span class="Status">Funkin&#39; on the bus {i}</span><time>2016-05-27</time></div>\n')
    body = ''.join(card.format(i=i) for i in range(cards))
    at = page.index('<div id="page-container"')
    return f'{page[:at]}<main>{body}</main>{page[at:]}'


def timed(function: Callable[[], object], repeat: int) -> float:
    """Seconds per call of ``function`` over ``repeat`` calls."""
    start = time.perf_counter()
    for _ in range(repeat):
        function()
    return (time.perf_counter() - start) / repeat


def compare(name: str, ours: Callable[[], object], floor: Callable[[], object], *,
            rounds: int, repeat: int, goal: str) -> dict:
    """Interleave rounds of both, alternating which goes first; medians and ratio."""
    ours(), floor()  # warm connections and caches
    ours_times, floor_times = [], []
    for i in range(rounds):
        pair = [(ours, ours_times), (floor, floor_times)]
        for function, times in (pair if i % 2 == 0 else pair[::-1]):
            times.append(timed(function, repeat))
    ours_median, floor_median = statistics.median(ours_times), statistics.median(floor_times)
    return {'case': name, 'pyperi': ours_median, 'floor': floor_median,
            'ratio': ours_median / floor_median, 'goal': goal}


def peak_memory(function: Callable[[], object]) -> int:
    """Peak bytes allocated by Python while ``function`` runs (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@contextlib.contextmanager
def fake_server(in_process: bool, latency: float = 0.0) -> Iterator[SimpleNamespace]:
    """The fake's base URLs; by default served from another process, as a real server is."""
    if in_process:
        with FakePeriscope() as fake:
            fake.latency = latency
            yield SimpleNamespace(api_base_url=fake.api_base_url, web_base_url=fake.web_base_url)
        return
    server = subprocess.Popen([sys.executable, '-m', 'pyperi.testing', '--port', '0',
                               '--latency', str(latency)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        ready, _, _ = select.select([server.stdout], [], [], 30)
        line = server.stdout.readline() if ready else ''
        match = re.search(r'(http://\S+)', line)
        if not match:
            raise RuntimeError(f'the fake server did not start: {line!r}')
        web = match.group(1).rstrip('/')
        yield SimpleNamespace(api_base_url=f'{web}/api/v2', web_base_url=web)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def bench(rounds: int, calls: int, in_process: bool) -> list[dict]:
    rows = []
    with fake_server(in_process) as fake, Peri(api_base_url=fake.api_base_url,
                                               web_base_url=fake.web_base_url) as pp:
        raw = requests.Session()
        user_url = f'{fake.api_base_url}/getUserPublic'

        def raw_user() -> object:
            response = raw.get(user_url, params={'user_id': GEORGE_CLINTON_ID},
                               timeout=DEFAULT_TIMEOUT)
            response.raise_for_status()
            return response.json()['user']

        rows.append(compare(
            'get_user_info, per call', lambda: pp.get_user_info(GEORGE_CLINTON_ID), raw_user,
            rounds=rounds, repeat=calls, goal='<= 1.15'))

        def raw_history() -> object:
            page = raw.get(f'{fake.web_base_url}/{LONG_HISTORY_USERNAME}',
                           timeout=DEFAULT_TIMEOUT)
            tokens = session_tokens(bare_regex_extract(page.content.decode('utf-8')))
            response = raw.get(f'{fake.api_base_url}/getUserBroadcastsPublic', params={
                'all': 'true', 'session_id': tokens['broadcastHistory'],
                'user_id': tokens['user_id']}, timeout=DEFAULT_TIMEOUT)
            response.raise_for_status()
            return response.json()['broadcasts']

        history = pp.get_user_broadcast_history(username=LONG_HISTORY_USERNAME) or []
        rows.append(compare(
            f'history of {len(history)} broadcasts',
            lambda: pp.get_user_broadcast_history(username=LONG_HISTORY_USERNAME), raw_history,
            rounds=rounds, repeat=max(3, calls // 30), goal='<= 1.2'))

        data_page = raw.get(f'{fake.web_base_url}/{BIG_PAGE_USERNAME}').content.decode('utf-8')
        george = raw.get(f'{fake.web_base_url}/george_clinton').content.decode('utf-8')
        for kind, page in (('data', data_page), ('markup', markup_heavy(george))):
            assert extract_data_store(page) == bare_regex_extract(page) == soup_extract(page)
            size = f'{len(page.encode()) / 1e6:.1f} MB {kind}-heavy page'
            rows.append(compare(f'data-store, {size} vs bare regex',
                                lambda: extract_data_store(page), lambda: bare_regex_extract(page),
                                rounds=rounds, repeat=5, goal='<= 2'))
            soup = compare(f'data-store, {size} vs BeautifulSoup',
                           lambda: extract_data_store(page), lambda: soup_extract(page),
                           rounds=max(3, rounds // 2), repeat=1, goal='>= 10x faster')
            soup['ratio'] = soup['floor'] / soup['pyperi']
            soup['note'] = '(speed-up)'
            rows.append(soup)

        rows.append(threads_row(pp, calls))
        rows.append({'case': f'peak memory, history of {len(history)} broadcasts',
                     'pyperi': peak_memory(lambda: pp.get_user_broadcast_history(
                         username=LONG_HISTORY_USERNAME)),
                     'floor': peak_memory(raw_history), 'unit': 'bytes', 'goal': '~ floor'})
        rows[-1]['ratio'] = rows[-1]['pyperi'] / rows[-1]['floor']
        raw.close()
    with fake_server(in_process, latency=0.02) as fake, Peri(
            api_base_url=fake.api_base_url, web_base_url=fake.web_base_url) as pp:
        rows.append(threads_row(pp, calls // 4, note='20 ms server latency'))
    return rows


def threads_row(pp: Peri, calls: int, note: str = 'no server latency') -> dict:
    """Throughput of 16 threads sharing ``pp`` against one thread; counts errors."""
    total = calls * 2
    errors: list[BaseException] = []

    def one(_: int) -> None:
        try:
            assert pp.get_user_info(GEORGE_CLINTON_ID)['id'] == GEORGE_CLINTON_ID
        except (AssertionError, OSError) as error:
            errors.append(error)

    def run(workers: int) -> float:
        start = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(one, range(total)))
        return total / (time.perf_counter() - start)

    run(16)
    single = statistics.median(run(1) for _ in range(3))
    shared = statistics.median(run(16) for _ in range(3))
    return {'case': f'16 threads, one Peri, {note} ({len(errors)} errors)',
            'pyperi': shared, 'floor': single, 'ratio': shared / single, 'unit': 'calls/s',
            'goal': 'no errors', 'note': '(vs 1 thread)'}


def show(rows: list[dict]) -> str:
    def cell(row: dict, key: str) -> str:
        unit = row.get('unit', 's')
        value = row[key]
        if unit == 's':
            return f'{value * 1000:.3f} ms'
        if unit == 'bytes':
            return f'{value / 1e6:.1f} MB'
        return f'{value:.0f} {unit}'

    lines = [f'{"case":<56} {"pyperi":>12} {"floor":>12} {"ratio":>8}  goal',
             '-' * 104]
    for row in rows:
        lines.append(f'{row["case"]:<56} {cell(row, "pyperi"):>12} {cell(row, "floor"):>12} '
                     f'{row["ratio"]:>7.2f}x  {row["goal"]} {row.get("note", "")}'.rstrip())
    return '\n'.join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=7, help='interleaved rounds per case')
    parser.add_argument('--calls', type=int, default=300, help='calls per round, per-call cases')
    parser.add_argument('--in-process', action='store_true',
                        help='serve the fake from this process (shares the GIL with the client)')
    args = parser.parse_args(argv)
    print(f'Python {platform.python_version()} on {platform.machine()}, '
          f'{platform.system()} {platform.release()}; requests {requests.__version__}')
    print(show(bench(args.rounds, args.calls, args.in_process)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
