"""The replay code needs only :class:`pyperi.replay.ReplayClient`, and Peri is one."""
from __future__ import annotations

import ast
import hashlib
import inspect
from pathlib import Path
from typing import Any, MutableMapping

import pytest
import requests

import pyperi.replay
from pyperi import Peri
from pyperi.deadline import Deadline
from pyperi.replay import (
    ReplayClient,
    download_broadcast,
    download_user_history,
    get_broadcast_stream_urls,
    watch,
)

REPLAY_PACKAGE = Path(pyperi.replay.__file__).parent
PROTOCOL_METHODS = ['http_get', 'request_api', 'get_broadcast_info',
                    'get_user_broadcast_history']


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports made absolute under pyperi.replay."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ['pyperi', 'replay'][:max(0, 3 - node.level)] if node.level else []
            module = '.'.join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f'{module}.{alias.name}' for alias in node.names)
    return found


@pytest.mark.parametrize('path', sorted(REPLAY_PACKAGE.glob('*.py')), ids=lambda p: p.name)
def test_replay_modules_never_import_the_client(path: Path) -> None:
    imported = imported_modules(path)
    assert not {name for name in imported if name.startswith('pyperi.client')}
    assert not {name for name in imported if name.split('.')[-1] == 'Peri'}


@pytest.mark.parametrize('line', ['from ..client import Peri', 'from .. import client',
                                  'import pyperi.client', 'from pyperi import Peri'])
def test_client_imports_are_seen(tmp_path: Path, line: str) -> None:
    # The check above is only as good as this: every way of importing the client is seen.
    source = tmp_path / 'module.py'
    source.write_text(f'{line}\n', encoding='utf-8')
    imported = imported_modules(source)
    assert 'pyperi.client' in imported or 'pyperi.Peri' in imported


def test_peri_is_a_replay_client(pp: Peri) -> None:
    assert isinstance(pp, ReplayClient)


@pytest.mark.parametrize('name', PROTOCOL_METHODS)
def test_peri_methods_accept_what_the_protocol_passes(name: str) -> None:
    wanted = inspect.signature(getattr(ReplayClient, name)).parameters
    offered = inspect.signature(getattr(Peri, name)).parameters
    for parameter in wanted.values():
        if parameter.kind is parameter.VAR_KEYWORD:
            assert any(p.kind is p.VAR_KEYWORD for p in offered.values())
        else:
            assert parameter.name in offered
            assert offered[parameter.name].kind == parameter.kind


class OnlyTheProtocol:
    """A ReplayClient that has the protocol's members and nothing else, over a Peri."""

    def __init__(self, peri: Peri) -> None:
        self._peri = peri

    @property
    def web_base_url(self) -> str:
        return self._peri.web_base_url

    @property
    def deadline(self) -> float:
        return self._peri.deadline

    def http_get(self, url: str, *, stream: bool = False,
                 cookies: MutableMapping[str, str] | None = None,
                 allow_redirects: bool = True,
                 deadline: Deadline | float | None = None) -> requests.Response | None:
        return self._peri.http_get(url, stream=stream, cookies=cookies,
                                   allow_redirects=allow_redirects, deadline=deadline)

    def request_api(self, endpoint: str, **params: Any) -> dict[str, Any] | None:
        return self._peri.request_api(endpoint, **params)

    def get_broadcast_info(self, broadcast_id: str) -> dict[str, Any] | None:
        return self._peri.get_broadcast_info(broadcast_id)

    def get_user_broadcast_history(self, user_id: str | int | None = None,
                                   username: str | None = None
                                   ) -> list[dict[str, Any]] | None:
        return self._peri.get_user_broadcast_history(user_id=user_id, username=username)


def test_protocol_lists_every_member_the_stand_in_has() -> None:
    members = {name for name in vars(OnlyTheProtocol) if not name.startswith('_')}
    assert members == {*PROTOCOL_METHODS, 'web_base_url', 'deadline'}
    assert isinstance(OnlyTheProtocol(Peri()), ReplayClient)


@pytest.mark.integration
def test_stream_urls_with_only_the_protocol(fake_periscope: Any) -> None:
    user = fake_periscope.add_user('protocol_user')
    broadcast = fake_periscope.add_broadcast(user['id'], segments=2)
    client = OnlyTheProtocol(fake_periscope.peri)
    streams = get_broadcast_stream_urls(client, broadcast['id'])
    assert streams is not None and streams['replay'] == fake_periscope.replay_url(broadcast['id'])


@pytest.mark.integration
def test_download_with_only_the_protocol(fake_periscope: Any, tmp_path: Path) -> None:
    user = fake_periscope.add_user('protocol_user')
    broadcast = fake_periscope.add_broadcast(user['id'], segments=3, master=True)
    path = download_broadcast(OnlyTheProtocol(fake_periscope.peri), broadcast['id'], tmp_path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == fake_periscope.replay_sha256(broadcast['id'])


@pytest.mark.integration
def test_live_capture_with_only_the_protocol(fake_periscope: Any, tmp_path: Path) -> None:
    user = fake_periscope.add_user('protocol_user')
    broadcast = fake_periscope.go_live(user['id'], live_segments=2, segment_interval=0.05)
    path = download_broadcast(OnlyTheProtocol(fake_periscope.peri), broadcast['id'], tmp_path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == fake_periscope.replay_sha256(broadcast['id'])


@pytest.mark.integration
def test_history_download_with_only_the_protocol(fake_periscope: Any, tmp_path: Path) -> None:
    user = fake_periscope.add_user('protocol_user')
    broadcast = fake_periscope.add_broadcast(user['id'], segments=2)
    results = download_user_history(OnlyTheProtocol(fake_periscope.peri), 'protocol_user',
                                    tmp_path)
    assert [(r.broadcast_id, r.status) for r in results or []] == [
        (broadcast['id'], 'downloaded')]


@pytest.mark.integration
def test_watch_with_only_the_protocol(fake_periscope: Any) -> None:
    user = fake_periscope.add_user('protocol_user')
    live = fake_periscope.go_live(user['id'], live_segments=10, segment_interval=60)
    events: list[dict[str, Any]] = []
    watch(OnlyTheProtocol(fake_periscope.peri), ['protocol_user'], on_event=events.append,
          max_polls=1)
    assert [(e['event'], e['broadcast_id']) for e in events] == [('live', live['id'])]
