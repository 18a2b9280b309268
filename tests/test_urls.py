"""pyperi.urls: building, parsing and validating, with no I/O."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyperi import urls

WEB = 'https://www.periscope.tv'


def found(broadcast_id: str | None = None, user_id: str | None = None,
          username: str | None = None) -> dict[str, str | None]:
    return {'broadcast_id': broadcast_id, 'user_id': user_id, 'username': username}


NONE = found()

PARSE_TABLE = [
    # the four documented forms
    ('https://www.periscope.tv/w/1eaKbRMEMEQKX', found(broadcast_id='1eaKbRMEMEQKX')),
    ('https://www.periscope.tv/u/376827', found(user_id='376827')),
    ('https://www.periscope.tv/george_clinton', found(username='george_clinton')),
    ('https://www.periscope.tv/george_clinton/1eaKbRMEMEQKX',
     found(broadcast_id='1eaKbRMEMEQKX', username='george_clinton')),
    # beyond them
    ('http://www.periscope.tv/w/1eaKbRMEMEQKX', found(broadcast_id='1eaKbRMEMEQKX')),
    ('https://periscope.tv/u/376827', found(user_id='376827')),
    ('https://pscp.tv/w/1eaKbRMEMEQKX', found(broadcast_id='1eaKbRMEMEQKX')),
    ('https://www.pscp.tv/george_clinton', found(username='george_clinton')),
    ('HTTPS://WWW.PERISCOPE.TV/george_clinton', found(username='george_clinton')),
    ('https://www.periscope.tv:443/u/376827', found(user_id='376827')),
    ('https://www.periscope.tv/george_clinton/', found(username='george_clinton')),
    ('https://www.periscope.tv/w/1eaKbRMEMEQKX?t=1m2s', found(broadcast_id='1eaKbRMEMEQKX')),
    ('https://www.periscope.tv/w/1eaKbRMEMEQKX#chat', found(broadcast_id='1eaKbRMEMEQKX')),
    ('  https://www.periscope.tv/u/376827/  \n', found(user_id='376827')),
    ('www.periscope.tv/george_clinton', found(username='george_clinton')),
    ('pscp.tv/w/1eaKbRMEMEQKX', found(broadcast_id='1eaKbRMEMEQKX')),
    ('https://www.periscope.tv/w/1DXxyZZZVykKM-_=', found(broadcast_id='1DXxyZZZVykKM-_=')),
    ('HTTPS://WWW.PERISCOPE.TV/W/1eaKbRMEMEQKX', found(broadcast_id='1eaKbRMEMEQKX')),
    ('https://www.periscope.tv/U/376827', found(user_id='376827')),
    ('https://www.periscope.tv/U/abc', NONE),
    # forms the service wrote into its own pages (cardPlayerUrl, deepLinkUrl, relativeUrl)
    ('https://www.pscp.tv/w/1eaKbRMEMEQKX/card', found(broadcast_id='1eaKbRMEMEQKX')),
    ('https://www.periscope.tv/w/1eaKbRMEMEQKX/card', found(broadcast_id='1eaKbRMEMEQKX')),
    ('https://www.periscope.tv/w/1eaKbRMEMEQKX/anything/else', found('1eaKbRMEMEQKX')),
    ('pscp://user/george_clinton', found(username='george_clinton')),
    ('pscp://broadcast/1eaKbRMEMEQKX', found(broadcast_id='1eaKbRMEMEQKX')),
    ('PSCP://Broadcast/1eaKbRMEMEQKX/', found(broadcast_id='1eaKbRMEMEQKX')),
    ('pscp://user/w', NONE),
    ('pscp://user/bad-name', NONE),
    ('pscp://broadcast/bad!id', NONE),
    ('pscp://settings', NONE),
    ('/george_clinton', found(username='george_clinton')),
    ('/w/1eaKbRMEMEQKX', found(broadcast_id='1eaKbRMEMEQKX')),
    ('/u/376827', found(user_id='376827')),
    ('/', NONE),
    ('//www.pscp.tv/george_clinton', found(username='george_clinton')),
    # channel pages: a first segment that cannot be a username, then a broadcast id
    ('https://www.pscp.tv/funk-channel/1eaKbRMEMEQKX', found(broadcast_id='1eaKbRMEMEQKX')),
    ('https://www.pscp.tv/funk-channel', NONE),
    # route words after a username are pages of the user, never broadcasts
    ('https://www.pscp.tv/george_clinton/follow', found(username='george_clinton')),
    ('https://www.pscp.tv/george_clinton/Followers', found(username='george_clinton')),
    ('https://www.pscp.tv/george_clinton/card', found(username='george_clinton')),
    ('https://www.pscp.tv/funk-channel/follow', NONE),
    # not Periscope, or not a known form
    ('https://www.periscope.tv/', NONE),
    ('https://www.periscope.tv/w', NONE),
    ('https://www.periscope.tv/w/', NONE),
    ('https://www.periscope.tv/u', NONE),
    ('https://www.periscope.tv/u/george', NONE),
    ('https://www.periscope.tv/w/bad!id', NONE),
    ('https://www.periscope.tv/a/b/c', NONE),
    ('https://www.periscope.tv/u/376827/extra', NONE),
    ('https://www.periscope.tv/bad-name', NONE),
    ('https://example.com/w/1eaKbRMEMEQKX', NONE),
    ('https://periscope.tv.evil.com/george_clinton', NONE),
    ('https://www.periscope.tv:8080/george_clinton', NONE),
    ('ftp://www.periscope.tv/george_clinton', NONE),
    ('javascript:alert(1)', NONE),
    ('http://[::1', NONE),
    ('http://www.periscope.tv:99999/u/1', NONE),
    ('', NONE),
    ('   ', NONE),
    ('george_clinton', NONE),
]


@pytest.mark.parametrize('url, expected', PARSE_TABLE)
def test_parse_periscope_url(url: str, expected: dict) -> None:
    assert urls.parse_periscope_url(url) == expected


def test_parse_periscope_url__own_host_with_prefix() -> None:
    base = 'http://127.0.0.1:8000/archive'
    assert urls.parse_periscope_url('http://127.0.0.1:8000/archive/w/abc', base) == found('abc')
    assert urls.parse_periscope_url('http://127.0.0.1:8000/archive/george', base) == \
        found(username='george')
    assert urls.parse_periscope_url('http://127.0.0.1:8000/other/w/abc', base) == NONE
    assert urls.parse_periscope_url('http://127.0.0.1:8000/archivex/w/abc', base) == NONE


def test_parse_periscope_url__not_a_str() -> None:
    with pytest.raises(TypeError, match='url'):
        urls.parse_periscope_url(None)  # type: ignore[arg-type]


@given(st.text())
def test_parse_periscope_url__never_raises(text: str) -> None:
    result = urls.parse_periscope_url(text, 'http://127.0.0.1:1234')
    assert set(result) == {'broadcast_id', 'user_id', 'username'}


@given(st.text(alphabet='htps:/.wwperiscopv0123456789u_-=?#', max_size=60))
def test_parse_periscope_url__never_raises_on_url_like_text(text: str) -> None:
    assert set(urls.parse_periscope_url(text)) == {'broadcast_id', 'user_id', 'username'}


user_ids = st.integers(min_value=0, max_value=10**20).map(str)
usernames = st.from_regex(r'[A-Za-z0-9_]{1,64}', fullmatch=True).filter(
    lambda u: u.lower() not in ('w', 'u'))
broadcast_ids = st.from_regex(r'[A-Za-z0-9_=-]{1,40}', fullmatch=True)


@given(user_ids)
def test_user_url_round_trip__user_id(user_id: str) -> None:
    assert urls.parse_periscope_url(urls.user_url(WEB, user_id=user_id)) == found(user_id=user_id)


@given(usernames)
def test_user_url_round_trip__username(username: str) -> None:
    assert urls.parse_periscope_url(urls.user_url(WEB, username=username)) == \
        found(username=username)


@given(broadcast_ids)
def test_broadcast_url_round_trip(broadcast_id: str) -> None:
    url = urls.broadcast_url('http://127.0.0.1:5000/', broadcast_id)
    assert urls.parse_periscope_url(url, 'http://127.0.0.1:5000') == found(broadcast_id)


def test_api_url() -> None:
    assert urls.api_url('https://api.periscope.tv/api/v2/', 'getUserBroadcastsPublic',
                        {'user_id': '1', 'session_id': 'a b&c', 'all': 'true', 'x': None}) == (
        'https://api.periscope.tv/api/v2/getUserBroadcastsPublic'
        '?all=true&session_id=a+b%26c&user_id=1')


@pytest.mark.parametrize('text, expected', [
    ('376827', ('376827', None)),
    (' george_clinton ', (None, 'george_clinton')),
    ('https://www.periscope.tv/u/376827', ('376827', None)),
    ('https://pscp.tv/george_clinton/1eaKbRMEMEQKX', (None, 'george_clinton')),
])
def test_parse_user_ref(text: str, expected: tuple) -> None:
    assert urls.parse_user_ref(text) == expected


@pytest.mark.parametrize('text', ['', 'bad name', 'https://www.periscope.tv/w/abc', 'w', 'U',
                                  'https://example.com/george'])
def test_parse_user_ref__rejects(text: str) -> None:
    with pytest.raises(ValueError, match='user'):
        urls.parse_user_ref(text)


@pytest.mark.parametrize('text, expected', [
    ('1eaKbRMEMEQKX', '1eaKbRMEMEQKX'),
    ('https://www.periscope.tv/w/1eaKbRMEMEQKX?x=1', '1eaKbRMEMEQKX'),
    ('https://www.periscope.tv/george_clinton/1eaKbRMEMEQKX', '1eaKbRMEMEQKX'),
])
def test_parse_broadcast_ref(text: str, expected: str) -> None:
    assert urls.parse_broadcast_ref(text) == expected


@pytest.mark.parametrize('text', ['', '../etc/passwd', 'https://www.periscope.tv/george_clinton'])
def test_parse_broadcast_ref__rejects(text: str) -> None:
    with pytest.raises(ValueError, match='broadcast'):
        urls.parse_broadcast_ref(text)


@pytest.mark.parametrize('function', [urls.parse_user_ref, urls.parse_broadcast_ref])
def test_refs__not_a_str(function: object) -> None:
    with pytest.raises(TypeError):
        function(42)  # type: ignore[operator]
