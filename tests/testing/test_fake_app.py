"""The fake's routes, asked directly (no sockets): which path gets which kind of answer."""

from __future__ import annotations

import json
import random
import time
from datetime import datetime, timezone

import pytest

from pyperi.testing import DOCUMENTED_BROADCAST_ID, GEORGE_CLINTON_ID, GEORGE_LIVE_BROADCAST_ID
from pyperi.testing import hls
from pyperi.testing.app import App
from pyperi.testing.dataset import RESERVED_IDS, load_default_dataset
from pyperi.testing.generate import make_broadcast
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


@pytest.mark.parametrize('path', [
    '/' + 'A' * 86 + '==', '/' + 'A' * 86 + '==/x', '/Transcoding/v1/hls/x', '/Transcoding/v1/hls',
])
def test_stream_paths__not_pages(app, path):
    """Replay keys and the live transcoder's paths are never taken for user pages."""
    assert get(app, path).content_type == 'application/xml'


def test_replay__without_cookies_is_access_denied(app):
    record = app.dataset.get_record(DOCUMENTED_BROADCAST_ID)
    response = get(app, '%s/%s' % (hls.replay_dir(record), hls.playlist_name(record)))
    assert (response.status, response.content_type) == (403, 'application/xml')
    assert b'AccessDenied' in response.body


def signed(app, broadcast_id):
    """Request headers carrying the cookies accessVideoPublic gives for ``broadcast_id``."""
    record = app.dataset.get_record(broadcast_id)
    jar = '; '.join('%s=%s' % (c['Name'], c['Value']) for c in app.cookies_for(record))
    return {'cookie': jar}


def replay_file(app, broadcast_id, name):
    """The path of ``name`` in a replay's directory: PLAYLIST and SEGMENT<n> stand for the real
    names, LAST for the last segment and PAST for the one after it."""
    record = app.dataset.get_record(broadcast_id)
    last = record.segments - 1
    for word, value in (('PLAYLIST', hls.playlist_name(record)),
                        ('SEGMENT_LAST', hls.segment_name(record, last)),
                        ('SEGMENT_PAST', hls.segment_name(record, last + 1)),
                        ('SEGMENT0', hls.segment_name(record, 0))):
        name = name.replace(word, value)
    return '%s/%s' % (hls.replay_dir(record), name)


@pytest.mark.parametrize('name, status', [
    ('PLAYLIST', 200), ('SEGMENT0', 200), ('SEGMENT_LAST', 200), ('SEGMENT_PAST', 404),
    ('main/PLAYLIST', 404), ('playlist.m3u8', 404), ('dynamic_playlist.m3u8', 404), ('key', 404),
    ('other/SEGMENT0', 404), ('chunk_0.ts', 404), ('chunk_1_0_a.ts', 404), ('a/b/c', 404),
    ('', 404),
])
def test_replay__files(app, name, status):
    path = replay_file(app, DOCUMENTED_BROADCAST_ID, name)
    assert app.handle('GET', path, {}, signed(app, DOCUMENTED_BROADCAST_ID)).status == status


def test_replay__cookies_of_another_replay_are_refused(app):
    other = app.dataset.history(GEORGE_CLINTON_ID)[3]['id']
    path = replay_file(app, DOCUMENTED_BROADCAST_ID, 'PLAYLIST')
    assert app.handle('GET', path, {}, signed(app, other)).status == 403


def test_replay__vanished_broadcast_is_no_such_key():
    dataset = Dataset(NOW, clock=time.monotonic, wall=time.time)
    user = dataset.add_user('leaving', 5)
    info = make_broadcast(random.Random(1), user, '1leavingSoon1', start=NOW, duration=60)
    record = dataset.store(5, info)
    app = App(dataset, lambda: BASE, time.time, time.monotonic, 300.0)
    headers = signed(app, '1leavingSoon1')
    path = '%s/%s' % (hls.replay_dir(record), hls.playlist_name(record))
    assert app.handle('GET', path, {}, headers).status == 200
    dataset.remove_user('5')
    response = app.handle('GET', path, {}, headers)
    assert response.status == 404 and b'NoSuchKey' in response.body


def test_live__files_need_no_cookies(app):
    record = app.dataset.get_record(GEORGE_LIVE_BROADCAST_ID)
    for name in hls.LIVE_PLAYLISTS.values():
        assert get(app, '%s/%s' % (hls.live_dir(record), name)).status == 200
    assert get(app, hls.segment_path(record, 0, live=True)).status == 200


@pytest.mark.parametrize('suffix', ['/nope.m3u8', '/../dynamic_playlist.m3u8', ''])
def test_live__other_files_are_no_such_key(app, suffix):
    record = app.dataset.get_record(GEORGE_LIVE_BROADCAST_ID)
    response = get(app, hls.live_dir(record) + suffix)
    assert response.status == 404 and b'NoSuchKey' in response.body


def test_live__a_replay_has_no_live_files(app):
    record = app.dataset.get_record(DOCUMENTED_BROADCAST_ID)
    assert get(app, '%s/dynamic_playlist.m3u8' % hls.live_dir(record)).status == 404
