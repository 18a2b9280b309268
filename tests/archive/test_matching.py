"""How requests find captures: canonical keys, nearest time, revisits, redirects, extra params."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
import requests

from pyperi import Peri, PyPeriError, PyPeriNotArchivedError
from pyperi.archive import MAX_REDIRECTS, archive_session
from pyperi.testing.warc import WarcWriter, payload_digest

from warc_helpers import API, WEB, at

JSON = [('Content-Type', 'application/json; charset=utf-8')]
HISTORY = f'{API}/getUserBroadcastsPublic?all=true&session_id=TOKEN_OF_THE_PAGE&user_id=376827'


def user_body(name: str) -> bytes:
    return json.dumps({'user': {'id': '376827', 'username': name}}).encode()


def user_url(user_id: str = '376827') -> str:
    return f'{API}/getUserPublic?user_id={user_id}'


@pytest.fixture
def three_captures(make_warc: Callable[..., Path]) -> Path:
    """getUserPublic captured in 2019, 2020 and 2021, each with another username."""
    def write(warc: WarcWriter) -> None:
        for year in (2019, 2020, 2021):
            warc.response(user_url(), user_body(f'name_{year}'), headers=JSON,
                          date=at(f'{year}-06-01T00:00:00'))
    return make_warc(write)


def name_at(path: Path, when: Any) -> str:
    with Peri.from_archive(path, when=when) as peri:
        return str(peri.get_user_info('376827')['username'])


def test_latest_capture_by_default(three_captures: Path) -> None:
    assert name_at(three_captures, None) == 'name_2021'


@pytest.mark.parametrize('when, expected', [
    ('2019', 'name_2019'),
    ('20200101', 'name_2020'),              # nearer mid-2020 than mid-2019
    ('2020-09-01', 'name_2020'),
    ('2021-03-01T00:00:00Z', 'name_2021'),
    (at('2030-01-01T00:00:00'), 'name_2021'),
    ('1990', 'name_2019'),
])
def test_nearest_capture_to_when(three_captures: Path, when: Any, expected: str) -> None:
    assert name_at(three_captures, when) == expected


@pytest.mark.parametrize('when', ['yesterday-ish', '2021-13-01', '20211', 12.5])
def test_bad_when_fails_before_indexing(three_captures: Path, when: Any) -> None:
    with pytest.raises((ValueError, TypeError), match='when'):
        Peri.from_archive(three_captures, when=when)


def test_history_matches_whatever_token_was_archived(make_warc: Callable[..., Path]) -> None:
    def write(warc: WarcWriter) -> None:
        warc.response(HISTORY, json.dumps({'broadcasts': [{'id': 'abc'}]}).encode(),
                      headers=JSON)
    with archive_session(make_warc(write)) as session:
        other = f'{API}/getUserBroadcastsPublic?user_id=376827&session_id=ANOTHER&all=true'
        assert session.get(other).json() == {'broadcasts': [{'id': 'abc'}]}
        without = f'{API}/getUserBroadcastsPublic?all=true&user_id=376827'
        assert session.get(without).status_code == 200


@pytest.mark.parametrize('asked', [
    'http://api.periscope.tv/api/v2/getUserPublic?user_id=376827',
    'HTTPS://API.PERISCOPE.TV/api/v2/getUserPublic?user_id=376827',
    'https://api.periscope.tv:443/api/v2/getUserPublic?user_id=376827#fragment',
])
def test_scheme_host_case_port_and_fragment_ignored(make_warc: Callable[..., Path],
                                                    asked: str) -> None:
    path = make_warc(lambda warc: warc.response(user_url(), user_body('x'), headers=JSON))
    with archive_session(path) as session:
        assert session.get(asked).json()['user']['username'] == 'x'


@pytest.mark.parametrize('asked', [
    'https://www.periscope.tv/george_clinton', 'https://periscope.tv/george_clinton',
    'http://pscp.tv/george_clinton', 'https://www.pscp.tv/george_clinton',
])
def test_periscope_hosts_are_one_site(make_warc: Callable[..., Path], asked: str) -> None:
    path = make_warc(lambda warc: warc.response('https://www.pscp.tv/george_clinton', b'page',
                                                headers=[('Content-Type', 'text/html')]))
    with archive_session(path) as session:
        assert session.get(asked).content == b'page'


def test_path_case_matters(make_warc: Callable[..., Path]) -> None:
    path = make_warc(lambda warc: warc.response(f'{API}/accessVideoPublic?broadcast_id=1zqKV',
                                                b'{}', headers=JSON))
    with archive_session(path) as session, pytest.raises(PyPeriNotArchivedError):
        session.get(f'{API}/accessVideoPublic?broadcast_id=1ZQKV')


def test_query_order_ignored(make_warc: Callable[..., Path]) -> None:
    path = make_warc(lambda warc: warc.response(f'{API}/x?b=2&a=1', b'{}', headers=JSON))
    with archive_session(path) as session:
        assert session.get(f'{API}/x?a=1&b=2').status_code == 200


def test_extra_volatile_params(make_warc: Callable[..., Path]) -> None:
    path = make_warc(lambda warc: warc.response(f'{API}/x?a=1&_=1614600000', b'{}',
                                                headers=JSON))
    with archive_session(path, ignore_params=['_']) as session:
        assert session.get(f'{API}/x?a=1&_=999').status_code == 200
    with archive_session(path) as session, pytest.raises(PyPeriNotArchivedError):
        session.get(f'{API}/x?a=1&_=999')


def test_ignore_params_must_be_a_collection(make_warc: Callable[..., Path]) -> None:
    path = make_warc(lambda warc: warc.response(f'{API}/x', b'{}', headers=JSON))
    with pytest.raises(TypeError, match='ignore_params'):
        archive_session(path, ignore_params='_')


def test_capture_with_extra_params_matches(make_warc: Callable[..., Path]) -> None:
    # The web app asked accessVideoPublic with replay_redirect=false; pyperi does not.
    url = f'{API}/accessVideoPublic?broadcast_id=1zq&replay_redirect=false'
    path = make_warc(lambda warc: warc.response(url, b'{"broadcast": {"id": "1zq"}}',
                                                headers=JSON))
    with Peri.from_archive(path) as peri:
        assert peri.get_broadcast_info('1zq') == {'id': '1zq'}
        with pytest.raises(PyPeriNotArchivedError):
            peri.get_broadcast_info('other')


def test_captured_error_statuses_are_replayed(make_warc: Callable[..., Path]) -> None:
    def write(warc: WarcWriter) -> None:
        warc.response(user_url('1'), b'{"success":false,"msg":"Not Found"}', status=404,
                      headers=JSON)
        warc.response(user_url('2'), b'{"msg":"Service Unavailable"}', status=503,
                      headers=JSON)
    with Peri.from_archive(make_warc(write)) as peri:
        assert peri.get_user_info('1') is None
        with pytest.raises(PyPeriError, match='503'):
            peri.get_user_info('2')


def test_revisit_resolves_to_its_original(make_warc: Callable[..., Path]) -> None:
    body = user_body('original')

    def write(warc: WarcWriter) -> None:
        warc.response(user_url(), body, headers=JSON, date=at('2020-01-01T00:00:00'))
        warc.revisit(user_url(), refers_to_uri=user_url(),
                     refers_to_date=at('2020-01-01T00:00:00'), digest=payload_digest(body),
                     headers=JSON, date=at('2021-01-01T00:00:00'))
    path = make_warc(write)
    with archive_session(path) as session:
        response = session.get(user_url())
        assert response.json()['user']['username'] == 'original'
        assert response.headers['Memento-Datetime'] == 'Fri, 01 Jan 2021 00:00:00 GMT'


def test_revisit_without_its_original_is_not_archived(make_warc: Callable[..., Path]) -> None:
    path = make_warc(lambda warc: warc.revisit(
        user_url(), refers_to_uri=user_url(), refers_to_date=at('2020-01-01T00:00:00'),
        digest='sha1:AAAA', headers=JSON))
    with archive_session(path) as session, pytest.raises(PyPeriNotArchivedError,
                                                         match='revisit'):
        session.get(user_url())


def test_redirect_followed_inside_the_archive(make_warc: Callable[..., Path]) -> None:
    def write(warc: WarcWriter) -> None:
        warc.response('http://pscp.tv/u/376827', status=301,
                      headers=[('Location', 'https://www.periscope.tv/george_clinton')])
        warc.response(f'{WEB}/george_clinton', b'the page',
                      headers=[('Content-Type', 'text/html')])
    with archive_session(make_warc(write)) as session:
        response = session.get(f'{WEB}/u/376827')
        assert response.content == b'the page'
        assert [r.status_code for r in response.history] == [301]


def test_redirect_to_itself_is_passed_over(make_warc: Callable[..., Path]) -> None:
    def write(warc: WarcWriter) -> None:
        warc.response(f'{WEB}/george_clinton', b'the page', date=at('2020-01-01T00:00:00'))
        # Captured later: http to https of the same page, which has the same key.
        warc.response('http://www.periscope.tv/george_clinton', status=301,
                      headers=[('Location', f'{WEB}/george_clinton')],
                      date=at('2021-01-01T00:00:00'))
    with archive_session(make_warc(write)) as session:
        assert session.get(f'{WEB}/george_clinton').content == b'the page'


def test_only_a_redirect_to_itself_is_not_archived(make_warc: Callable[..., Path]) -> None:
    path = make_warc(lambda warc: warc.response(
        'http://www.periscope.tv/x', status=301, headers=[('Location', f'{WEB}/x')]))
    with archive_session(path) as session, pytest.raises(PyPeriNotArchivedError,
                                                         match='redirect to itself'):
        session.get(f'{WEB}/x')


def test_redirect_loop_is_bounded(make_warc: Callable[..., Path]) -> None:
    def write(warc: WarcWriter) -> None:
        warc.response(f'{WEB}/a', status=302, headers=[('Location', f'{WEB}/b')])
        warc.response(f'{WEB}/b', status=302, headers=[('Location', f'{WEB}/a')])
    with archive_session(make_warc(write)) as session:
        with pytest.raises(requests.TooManyRedirects):
            session.get(f'{WEB}/a')
        assert session.max_redirects == MAX_REDIRECTS
    with Peri.from_archive(make_warc(write, 'again.warc')) as peri:
        with pytest.raises(PyPeriError, match='redirect'):
            peri.http_get(f'{WEB}/a')


def test_resource_record_is_a_200(make_warc: Callable[..., Path]) -> None:
    path = make_warc(lambda warc: warc.resource(f'{WEB}/robots.txt', b'User-agent: *',
                                                'text/plain'))
    with archive_session(path) as session:
        response = session.get(f'{WEB}/robots.txt')
        assert (response.status_code, response.text) == (200, 'User-agent: *')


def test_chunked_and_gzipped_capture(make_warc: Callable[..., Path]) -> None:
    import gzip
    packed = gzip.compress(user_body('chunky'))
    chunked = b'%x\r\n%s\r\n0\r\n\r\n' % (len(packed), packed)
    path = make_warc(lambda warc: warc.response(
        user_url(), chunked, raw_body=True,
        headers=JSON + [('Transfer-Encoding', 'chunked'), ('Content-Encoding', 'gzip')]))
    with Peri.from_archive(path) as peri:
        assert peri.get_user_info('376827')['username'] == 'chunky'


def test_head_request(make_warc: Callable[..., Path]) -> None:
    path = make_warc(lambda warc: warc.response(user_url(), user_body('x'), headers=JSON))
    with archive_session(path) as session:
        response = session.head(user_url())
        assert response.status_code == 200 and response.content == b''


def test_several_files_and_folders(tmp_path: Path) -> None:
    (tmp_path / 'a').mkdir()
    with WarcWriter(tmp_path / 'a' / 'one.warc.gz') as warc:
        warc.response(user_url('1'), user_body('one'), headers=JSON)
    with WarcWriter(tmp_path / 'two.warc') as warc:
        warc.response(user_url('2'), user_body('two'), headers=JSON)
    (tmp_path / 'notes.txt').write_text('not a WARC')
    with archive_session(tmp_path) as session:
        assert session.get(user_url('1')).json()['user']['username'] == 'one'
        assert session.get(user_url('2')).json()['user']['username'] == 'two'


@pytest.mark.parametrize('paths, error', [
    ('/no/such/file.warc', FileNotFoundError),
    (42, TypeError),
    ([], ValueError),
])
def test_bad_paths(paths: Any, error: type) -> None:
    with pytest.raises(error):
        archive_session(paths)


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match='no WARC files'):
        archive_session(tmp_path)
