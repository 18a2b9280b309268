"""Benchmark of reading a long replay playlist: 7,000 segments in Periscope's style.

Run by hand (not part of the test suite)::

    python benchmarks/bench_playlist.py [--segments 7000] [--rounds 7]

Periscope cut replays into segments of about 3 s, each with an
``#EXT-X-PROGRAM-DATE-TIME`` and an absolute URI, so a 5 h 50 min broadcast's
playlist lists 7,000 of them (about 1.5 MB). The embedded fake serves one; this
script measures, as medians of interleaved rounds:

* pyperi's parse (:func:`pyperi.hls.parse_playlist`, the m3u8 package underneath)
  against a floor: a bare loop taking every URI and ``#EXTINF`` duration;
* the same playlist without its date-times (what they cost the parser);
* fetching and parsing it from the fake over loopback, as a download does
  (:class:`pyperi.replay.playlists.PlaylistReader`, cookies included), and
  fetching it only.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import time
from importlib.metadata import version
from typing import Callable
from urllib.parse import urljoin

from pyperi import hls
from pyperi.replay.playlists import PlaylistReader
from pyperi.replay.streams import get_stream_access
from pyperi.testing import FakePeriscope


def timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def medians(cases: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Each case run ``rounds`` times, the cases interleaved (order rotated every round)."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    names = list(cases)
    for index in range(rounds):
        for name in names[index % len(names):] + names[:index % len(names)]:
            times[name].append(timed(cases[name]))
    return {name: statistics.median(values) for name, values in times.items()}


def bare_parse(text: str, url: str) -> list[tuple[str, float]]:
    """The floor: every segment's absolute URI and duration, and nothing else."""
    segments = []
    duration = 0.0
    for line in text.splitlines():
        if line.startswith('#EXTINF:'):
            duration = float(line[8:].split(',', 1)[0])
        elif line and not line.startswith('#'):
            segments.append((urljoin(url, line), duration))
    return segments


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--segments', type=int, default=7000)
    parser.add_argument('--rounds', type=int, default=7)
    args = parser.parse_args()
    hls.import_m3u8()
    print(f'Python {platform.python_version()}, m3u8 {version("m3u8")}, '
          f'{platform.machine()}, {args.segments} segments, {args.rounds} rounds')
    with FakePeriscope(default_data=False) as fake:
        user = fake.add_user('long_replay')
        broadcast = fake.add_broadcast(user['id'], duration=3.0 * args.segments,
                                       segment_size=188)
        access = get_stream_access(fake.peri, broadcast['id'])
        assert access is not None
        url = fake.replay_url(broadcast['id'])
        reader = PlaylistReader(fake.peri, access.cookies_for(url))
        text = fake.peri.http_get(url, cookies=fake.stream_cookies(broadcast['id'])).text
        # The same playlist without its date-times: what they cost the parser.
        plain = '\n'.join(line for line in text.splitlines()
                          if not line.startswith('#EXT-X-PROGRAM-DATE-TIME'))
        parsed = hls.parse_playlist(text, url)
        assert isinstance(parsed, hls.MediaPlaylist) and len(parsed.segments) == args.segments
        assert len(bare_parse(text, url)) == args.segments
        cookies = fake.stream_cookies(broadcast['id'])
        results = medians({
            'parse (pyperi.hls.parse_playlist)': lambda: hls.parse_playlist(text, url),
            'parse, floor (bare loop)': lambda: bare_parse(text, url),
            'parse without date-times': lambda: hls.parse_playlist(plain, url),
            'fetch + parse from the fake': lambda: reader.media(url),
            'fetch only (the fake writing it, loopback)':
                lambda: fake.peri.http_get(url, cookies=cookies).content,
        }, args.rounds)
    print(f'playlist: {len(text):,} characters, {len(plain):,} without date-times')
    width = max(map(len, results))
    for name, seconds in results.items():
        print(f'{name:<{width}}  {seconds * 1000:8.1f} ms')
    ratio = results['parse (pyperi.hls.parse_playlist)'] / results['parse, floor (bare loop)']
    print(f'parse vs floor: {ratio:.1f}x')


if __name__ == '__main__':
    main()
