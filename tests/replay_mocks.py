"""Mocked Periscope stream responses (``responses``) shared by the replay unit tests."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import responses
from responses import matchers

from helpers import API, NOT_FOUND

ACCESS = f'{API}/accessVideoPublic'
CDN = 'https://replay.periscope.tv'
PLAYLIST = f'{CDN}/b/BID/playlist.m3u8?sig=secret'
LIVE = f'{CDN}/b/BID/live.m3u8'
COOKIES = [{'Name': 'CloudFront-Policy', 'Value': 'pol', 'Domain': '.periscope.tv', 'Path': '/'},
           {'Name': 'CloudFront-Signature', 'Value': 'sig', 'Domain': '.periscope.tv',
            'Path': '/'}]
HOSTILE_IDS = ['../../etc/passwd', 'a/b', '', '..', '.', '.hidden', 'a\\b', 'x\x00y', ' a',
               'a.ts', '/abs', 'C:x']


def segment_bytes(n: int) -> bytes:
    return (f'<segment {n}>'.encode() * 50)[: 300 + n]


def media_playlist(uris: list[str], *, first: int = 0, ended: bool = True,
                   target: int = 2, extra: str = '') -> str:
    lines = ['#EXTM3U', '#EXT-X-VERSION:3', f'#EXT-X-TARGETDURATION:{target}',
             f'#EXT-X-MEDIA-SEQUENCE:{first}', extra]
    for uri in uris:
        lines += ['#EXTINF:2.0,', uri]
    if ended:
        lines.append('#EXT-X-ENDLIST')
    return '\n'.join(line for line in lines if line) + '\n'


def access_body(state: str = 'ENDED', **urls: str) -> dict[str, Any]:
    body: dict[str, Any] = {'broadcast': {'id': 'BID', 'state': state},
                            'type': 'StreamTypeReplay' if state != 'RUNNING' else 'StreamTypeWeb',
                            'share_url': 'https://www.periscope.tv/w/BID', 'cookies': COOKIES}
    body.update(urls or {'replay_url': PLAYLIST})
    return body


def add_access(body: dict[str, Any] | None = None, status: int = 200,
               broadcast_id: str = 'BID') -> None:
    responses.get(ACCESS, json=NOT_FOUND if status == 404 else (body or access_body()),
                  status=status,
                  match=[matchers.query_param_matcher({'broadcast_id': broadcast_id})])


def add_replay(n: int = 3, *, playlist: str = PLAYLIST, fetched: int | None = None) -> bytes:
    """Serve a finished replay of ``n`` segments with relative URIs; return its bytes.

    Only the first ``fetched`` segments (default all) are mocked: a test that stops
    early must not leave mocks that are never called.
    """
    responses.get(playlist, body=media_playlist([f'chunk_{i}.ts?x={i}' for i in range(n)]))
    for i in range(n if fetched is None else fetched):
        responses.get(f'{CDN}/b/BID/chunk_{i}.ts?x={i}', body=segment_bytes(i))
    return b''.join(segment_bytes(i) for i in range(n))


def add_live_segments(n: int) -> None:
    for i in range(n):
        responses.get(f'{CDN}/b/BID/live_{i}.ts', body=segment_bytes(i))


def serve_in_turn(url: str, bodies: list[str]) -> None:
    """Serve ``bodies`` on successive GETs of ``url``, then keep serving the last."""
    state = {'n': 0}

    def callback(request: Any) -> tuple[int, dict[str, str], str]:
        body = bodies[min(state['n'], len(bodies) - 1)]
        state['n'] += 1
        return 200, {}, body

    responses.add_callback(responses.GET, url, callback=callback)


def calls_to(suffix: str) -> list[Any]:
    """The mocked calls whose URL ends with ``suffix``."""
    return [c for c in responses.calls if c.request.url.endswith(suffix)]


class Clock:
    """A fake monotonic clock advanced by the fake sleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def no_sleep(seconds: float) -> None:
    pass


def files_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def history_item(broadcast_id: str, start: str = '2024-05-01T10:00:00.123456789-07:00',
                 **fields: Any) -> dict[str, Any]:
    return {'id': broadcast_id, 'state': 'ENDED', 'available_for_replay': True,
            'start': start, **fields}


def scripted_history(pp: Any, monkeypatch: pytest.MonkeyPatch,
                     rounds: list[Any]) -> list[dict[str, Any]]:
    """Each history call returns the next item of ``rounds`` (raising it if it is an exception),
    then the last one again; returns the list of keyword arguments each call got."""
    asked: list[dict[str, Any]] = []

    def get_history(**kwargs: Any) -> Any:
        item = rounds[min(len(asked), len(rounds) - 1)]
        asked.append(kwargs)
        if isinstance(item, BaseException):
            raise item
        return item

    monkeypatch.setattr(pp, 'get_user_broadcast_history', get_history)
    return asked
