"""The fake's routes, asked directly (no sockets): which path gets which kind of answer."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import pytest

from pyperi.testing import DOCUMENTED_BROADCAST_ID, GEORGE_CLINTON_ID
from pyperi.testing.app import App
from pyperi.testing.dataset import RESERVED_IDS, load_default_dataset
from pyperi.testing.store import Dataset

BASE = 'http://127.0.0.1:1'
NOW = datetime(2024, 3, 10, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope='module')
def app():
    dataset = Dataset(NOW, clock=time.monotonic, wall=time.time, reserved_ids=RESERVED_IDS)
    load_default_dataset(dataset)
    return App(dataset, lambda: BASE, time.time, time.monotonic, 300.0)


def get(app, path, **params):
    return app.handle('GET', path, params, {})


@pytest.mark.parametrize('path', [
    '/', '/george_clinton', '/GEORGE_CLINTON', '/u/376827', '/w/' + DOCUMENTED_BROADCAST_ID,
    '/george_clinton/' + DOCUMENTED_BROADCAST_ID,
])
def test_pages__found(app, path):
    response = get(app, path)
    assert (response.status, response.content_type) == (200, 'text/html; charset=utf-8')


@pytest.mark.parametrize('path', [
    '/nobody_here', '/u/not_digits', '/u/156816811', '/u', '/w', '/u/1/2', '/w/aAaAAaaaAAAA',
    '/george_clinton/aAaAAaaaAAAA', '/acme_marketing/' + DOCUMENTED_BROADCAST_ID, '/a/b/c',
    '/bad-name!', '/assets', '/favicon.ico', '/robots.txt', '/api', '/api/v2',
])
def test_pages__not_found_is_html(app, path):
    response = get(app, path)
    assert (response.status, response.content_type) == (404, 'text/html; charset=utf-8')


def test_api__unknown_endpoint_is_periscopes_404(app):
    response = get(app, '/api/v2/getSomethingElse')
    assert response.status == 404
    assert json.loads(response.body) == {'success': False, 'msg': 'Not Found'}


def test_api__user_by_id(app):
    response = get(app, '/api/v2/getUserPublic', user_id=GEORGE_CLINTON_ID)
    assert json.loads(response.body)['user']['username'] == 'george_clinton'


@pytest.mark.parametrize('method', ['POST', 'PUT', 'DELETE'])
def test_other_methods__405(app, method):
    assert app.handle(method, '/', {}, {}).status == 405


@pytest.mark.parametrize('path', ['/hls', '/hls/', '/hls/' + DOCUMENTED_BROADCAST_ID + '/x'])
def test_hls__without_cookies_is_access_denied(app, path):
    response = get(app, path)
    assert (response.status, response.content_type) == (403, 'application/xml')
    assert b'AccessDenied' in response.body


def signed(app, broadcast_id):
    """Request headers carrying the cookies accessVideoPublic gives for ``broadcast_id``."""
    jar = '; '.join('%s=%s' % (c['Name'], c['Value']) for c in app.cookies_for(broadcast_id))
    return {'cookie': jar}


@pytest.mark.parametrize('name, status', [
    ('playlist.m3u8', 200), ('main/chunk_0.ts', 200), ('main/chunk_4.ts', 200),
    ('main/chunk_5.ts', 404), ('main/playlist.m3u8', 404), ('live.m3u8', 404), ('key', 404),
    ('other/chunk_0.ts', 404), ('main/chunk_x.ts', 404), ('a/b/c', 404), ('', 404),
])
def test_hls__files_of_a_replay(app, name, status):
    path = '/hls/%s/%s' % (DOCUMENTED_BROADCAST_ID, name)
    assert app.handle('GET', path, {}, signed(app, DOCUMENTED_BROADCAST_ID)).status == status


def test_hls__unknown_broadcast_is_no_such_key(app):
    response = app.handle('GET', '/hls/1unknownBcast/playlist.m3u8', {},
                          signed(app, '1unknownBcast'))
    assert response.status == 404 and b'NoSuchKey' in response.body
