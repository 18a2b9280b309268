"""HLS replays and live playlists served by the fake."""

from __future__ import annotations

import hashlib
import time
from urllib.parse import urljoin, urlsplit

import pytest

from pyperi.testing import (
    DOCUMENTED_BROADCAST_ID, GEORGE_CLINTON_ID, GEORGE_LIVE_BROADCAST_ID, FakePeriscope,
)
from pyperi.testing.hls import PACKET_SIZE

pytestmark = pytest.mark.integration


@pytest.fixture
def fake_server():
    """A fake with small replays (5 segments each): these tests fetch replays whole."""
    with FakePeriscope(small_replays=True) as server:
        yield server


def cookies_of(body):
    """The accessVideoPublic cookies as a name -> value dict."""
    return {c['Name']: c['Value'] for c in body['cookies']}


def access(fake, http, broadcast_id):
    return http.get(fake.api_base_url + '/accessVideoPublic',
                    params={'broadcast_id': broadcast_id}, timeout=5).json()


def uris(playlist):
    return [line for line in playlist.splitlines() if line and not line.startswith('#')]


def fetch(http, body, relative, **kwargs):
    """GET ``relative`` to the replay URL of an accessVideoPublic ``body``, with its cookies."""
    return http.get(urljoin(body['replay_url'], relative), cookies=cookies_of(body), timeout=5,
                    **kwargs)


def segment(fake, http, body, index, **kwargs):
    """GET segment ``index`` of the replay of ``body`` (best variant), with its cookies."""
    url = fake.web_base_url + fake.segment_path(body['broadcast']['id'], index)
    return http.get(url, cookies=cookies_of(body), timeout=5, **kwargs)


def playlist_of(http, body):
    return fetch(http, body, body['replay_url']).text


def download(http, playlist_url, cookies):
    """A minimal correct downloader: master -> best variant -> segments in order."""
    text = http.get(playlist_url, cookies=cookies, timeout=5).text
    if '#EXT-X-STREAM-INF' in text:
        lines = text.splitlines()
        best = max((int(line.split('BANDWIDTH=')[1].split(',')[0]), lines[i + 1])
                   for i, line in enumerate(lines) if line.startswith('#EXT-X-STREAM-INF'))
        playlist_url = urljoin(playlist_url, best[1])
        text = http.get(playlist_url, cookies=cookies, timeout=5).text
    assert text.rstrip().endswith('#EXT-X-ENDLIST')
    return b''.join(http.get(urljoin(playlist_url, uri), cookies=cookies, timeout=5).content
                    for uri in uris(text))


def documented_download(fake, http):
    body = access(fake, http, DOCUMENTED_BROADCAST_ID)
    return download(http, body['replay_url'], cookies_of(body))


# -- replays -----------------------------------------------------------------------------------

def test_replay__download_matches_replay_bytes(fake_server, http):
    data = documented_download(fake_server, http)
    assert data == fake_server.replay_bytes(DOCUMENTED_BROADCAST_ID)


def test_replay_sha256__is_the_hash_of_a_download(fake_server, http):
    data = documented_download(fake_server, http)
    assert hashlib.sha256(data).hexdigest() == fake_server.replay_sha256(DOCUMENTED_BROADCAST_ID)


def test_replay_size__is_the_length_of_a_download(fake_server, http):
    data = documented_download(fake_server, http)
    assert len(data) == fake_server.replay_size(DOCUMENTED_BROADCAST_ID)


def test_replay_url_and_stream_cookies__open_the_playlist(fake_server, http):
    url = fake_server.replay_url(DOCUMENTED_BROADCAST_ID)
    cookies = fake_server.stream_cookies(DOCUMENTED_BROADCAST_ID)
    response = http.get(url, cookies=cookies, timeout=5)
    assert response.status_code == 200 and response.text.startswith('#EXTM3U\n')


def test_replay__playlist_is_vod_with_absolute_uris(fake_server, http):
    body = access(fake_server, http, DOCUMENTED_BROADCAST_ID)
    response = http.get(body['replay_url'], cookies=cookies_of(body), timeout=5)
    assert response.headers['Content-Type'] == 'application/vnd.apple.mpegurl'
    text = response.text
    assert text.startswith('#EXTM3U\n')
    assert '#EXT-X-PLAYLIST-TYPE:VOD' in text and text.endswith('#EXT-X-ENDLIST\n')
    assert uris(text) == [fake_server.web_base_url + fake_server.segment_path(
        DOCUMENTED_BROADCAST_ID, i) for i in range(5)]


def test_replay__relative_uris_on_request(fake_server, http):
    fake_server.add_user('rel_user', '41')
    broadcast = fake_server.add_broadcast('41', segments=2, absolute_uris=False)
    text = playlist_of(http, access(fake_server, http, broadcast['id']))
    assert uris(text) == [fake_server.segment_path(broadcast['id'], i).rsplit('/', 1)[1]
                          for i in range(2)]


def test_unavailable_replay__no_replay_url(fake_server, http):
    fake_server.add_user('gone_user', '47')
    broadcast = fake_server.add_broadcast('47', available_for_replay=False)
    body = access(fake_server, http, broadcast['id'])
    assert 'replay_url' not in body and body['type'] == 'StreamTypeReplay'


# -- segments ----------------------------------------------------------------------------------

def two_segments(fake, http, segment_size):
    """accessVideoPublic of a new two-segment broadcast of ``segment_size`` bytes each."""
    fake.add_user('seg_user', '42')
    fake.add_broadcast('42', broadcast_id='1segmentTest1', segments=2, segment_size=segment_size)
    return access(fake, http, '1segmentTest1')


def test_segments__are_mpeg_ts(fake_server, http):
    body = two_segments(fake_server, http, 188 * 3)
    assert segment(fake_server, http, body, 1).headers['Content-Type'] == 'video/mp2t'


def test_segments__whole_packets_with_sync_bytes(fake_server, http):
    body = two_segments(fake_server, http, 188 * 3 + 100)
    content = segment(fake_server, http, body, 1).content
    assert len(content) == 188 * 3
    assert content[::PACKET_SIZE] == b'\x47' * 3


def test_segments__same_bytes_every_time(fake_server, http):
    body = two_segments(fake_server, http, 188 * 3)
    assert (segment(fake_server, http, body, 1).content
            == segment(fake_server, http, body, 1).content)


def test_segments__same_bytes_from_another_fake(fake_server, http):
    first = segment(fake_server, http, two_segments(fake_server, http, 188 * 3), 1).content
    with FakePeriscope(default_data=False) as other:
        again = segment(other, http, two_segments(other, http, 188 * 3), 1).content
    assert again == first


def test_segments__differ_from_each_other(fake_server, http):
    body = two_segments(fake_server, http, 188 * 3)
    assert (segment(fake_server, http, body, 0).content
            != segment(fake_server, http, body, 1).content)


def test_segments__large_ones_stream(fake_server, http):
    fake_server.add_user('big_seg', '43')
    broadcast = fake_server.add_broadcast('43', segments=1, segment_size=3 * 1024 * 1024)
    body = access(fake_server, http, broadcast['id'])
    response = segment(fake_server, http, body, 0, stream=True)
    digest = hashlib.sha256()
    for chunk in response.iter_content(65536):
        digest.update(chunk)
    response.close()
    assert digest.hexdigest() == fake_server.replay_sha256(broadcast['id'])


@pytest.mark.parametrize('index, prefix', [(99, ''), (0, 'other/'), (0, 'main/')])
def test_missing_segment__404(fake_server, http, index, prefix):
    body = access(fake_server, http, DOCUMENTED_BROADCAST_ID)
    name = fake_server.segment_path(DOCUMENTED_BROADCAST_ID, index).rsplit('/', 1)[1]
    assert fetch(http, body, prefix + name).status_code == 404


# -- cookies -----------------------------------------------------------------------------------

@pytest.mark.parametrize('cookies', [None, {'CloudFront-Policy': 'x', 'CloudFront-Signature': 'y',
                                            'CloudFront-Key-Pair-Id': 'APKAIHCXHHQVRTVSFRWQ'}])
def test_cookies__required(fake_server, http, cookies):
    body = access(fake_server, http, DOCUMENTED_BROADCAST_ID)
    first = fake_server.web_base_url + fake_server.segment_path(DOCUMENTED_BROADCAST_ID, 0)
    for url in (body['replay_url'], first):
        response = http.get(url, cookies=cookies, timeout=5)
        assert response.status_code == 403
        assert b'AccessDenied' in response.content


def test_cookies__only_for_their_broadcast(fake_server, http):
    other = fake_server.history(GEORGE_CLINTON_ID)[3]['id']
    body = access(fake_server, http, DOCUMENTED_BROADCAST_ID)
    response = http.get(fake_server.replay_url(other), cookies=cookies_of(body), timeout=5)
    assert response.status_code == 403


def test_cookies__path_is_the_replay_key_and_covers_every_file(fake_server, http):
    body = access(fake_server, http, DOCUMENTED_BROADCAST_ID)
    path = fake_server.replay_path(DOCUMENTED_BROADCAST_ID).rstrip('/')
    assert {cookie['Path'] for cookie in body['cookies']} == {path}
    assert urlsplit(body['replay_url']).path.startswith(path + '/')
    assert all(urlsplit(uri).path.startswith(path + '/') for uri in uris(playlist_of(http, body)))


def test_cookies__work_from_a_cookie_jar(fake_server, http):
    body = access(fake_server, http, DOCUMENTED_BROADCAST_ID)
    for cookie in body['cookies']:
        http.cookies.set(cookie['Name'], cookie['Value'], domain=cookie['Domain'],
                         path=cookie['Path'])
    assert http.get(body['replay_url'], timeout=5).status_code == 200


# -- master playlists, absolute URIs, encryption ---------------------------------------------

def bandwidths(master):
    return [int(line.split('BANDWIDTH=')[1].split(',')[0])
            for line in master.splitlines() if line.startswith('#EXT-X-STREAM-INF')]


@pytest.fixture
def master_body(fake_server, http):
    """accessVideoPublic of a new three-segment broadcast with a master playlist."""
    fake_server.add_user('master_user', '44')
    broadcast = fake_server.add_broadcast('44', master=True, segments=3)
    return access(fake_server, http, broadcast['id'])


def test_master__lists_three_variants_best_not_first(master_body, http):
    found = bandwidths(playlist_of(http, master_body))
    assert len(found) == 3 and found != sorted(found, reverse=True)


def test_master__relative_variant_playlists(fake_server, http):
    fake_server.add_user('rel_master', '40')
    broadcast = fake_server.add_broadcast('40', master=True, segments=2, absolute_uris=False)
    body = access(fake_server, http, broadcast['id'])
    name = urlsplit(body['replay_url']).path.rsplit('/', 1)[1]
    assert uris(playlist_of(http, body)) == ['%s/%s' % (variant, name)
                                             for variant in ('low', 'high', 'mid')]


def test_master__best_variant_is_what_a_download_yields(fake_server, master_body, http):
    data = download(http, master_body['replay_url'], cookies_of(master_body))
    assert data == fake_server.replay_bytes(master_body['broadcast']['id'])


def test_master__low_variant_has_smaller_segments(master_body, http):
    data = download(http, master_body['replay_url'], cookies_of(master_body))
    low_playlist = urljoin(master_body['replay_url'], uris(playlist_of(http, master_body))[0])
    first = uris(http.get(low_playlist, cookies=cookies_of(master_body), timeout=5).text)[0]
    low = fetch(http, master_body, urljoin(low_playlist, first)).content
    assert 0 < len(low) < len(data) // 3


@pytest.fixture
def absolute_body(fake_server, http):
    """accessVideoPublic of a new broadcast whose playlists use absolute URIs."""
    fake_server.add_user('abs_user', '45')
    broadcast = fake_server.add_broadcast('45', master=True, segments=2)
    return access(fake_server, http, broadcast['id'])


def test_absolute_uris__in_the_master_playlist(fake_server, absolute_body, http):
    master = playlist_of(http, absolute_body)
    replay = fake_server.web_base_url + fake_server.replay_path(absolute_body['broadcast']['id'])
    assert all(uri.startswith(replay) for uri in uris(master))


def test_absolute_uris__in_the_media_playlist(fake_server, absolute_body, http):
    master = playlist_of(http, absolute_body)
    media = http.get(uris(master)[1], cookies=cookies_of(absolute_body), timeout=5).text
    first = fake_server.segment_path(absolute_body['broadcast']['id'], 0)
    assert uris(media)[0] == fake_server.web_base_url + first
    assert first.split('/')[2] == 'high'


def test_absolute_uris__download_works(fake_server, absolute_body, http):
    data = download(http, absolute_body['replay_url'], cookies_of(absolute_body))
    assert data == fake_server.replay_bytes(absolute_body['broadcast']['id'])


@pytest.fixture
def encrypted_body(fake_server, http):
    """accessVideoPublic of a new AES-128 encrypted two-segment broadcast."""
    pytest.importorskip('cryptography')
    fake_server.add_user('enc_user', '46')
    broadcast = fake_server.add_broadcast('46', encrypted=True, segments=2)
    return access(fake_server, http, broadcast['id'])


def key_line(http, body):
    text = playlist_of(http, body)
    return next(line for line in text.splitlines() if line.startswith('#EXT-X-KEY'))


def test_encrypted__playlist_names_an_aes128_key(encrypted_body, http):
    assert 'METHOD=AES-128' in key_line(http, encrypted_body)


def test_encrypted__decrypted_segments_are_the_replay_bytes(fake_server, encrypted_body, http):
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    line = key_line(http, encrypted_body)
    key = fetch(http, encrypted_body, line.split('URI="')[1].split('"')[0]).content
    iv = bytes.fromhex(line.split('IV=0x')[1])
    assert len(key) == 16
    plain = b''
    for uri in uris(playlist_of(http, encrypted_body)):
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        unpadder = padding.PKCS7(128).unpadder()
        padded = decryptor.update(fetch(http, encrypted_body, uri).content) + decryptor.finalize()
        plain += unpadder.update(padded) + unpadder.finalize()
    assert plain == fake_server.replay_bytes(encrypted_body['broadcast']['id'])


def test_encrypted__key_needs_the_cookies(encrypted_body, http):
    key_uri = key_line(http, encrypted_body).split('URI="')[1].split('"')[0]
    assert http.get(urljoin(encrypted_body['replay_url'], key_uri),
                    timeout=5).status_code == 403


# -- live --------------------------------------------------------------------------------------

@pytest.fixture
def live(fake_server, http):
    """A new live broadcast of three segments, one every 30 s of the fake's clock."""
    fake_server.add_user('live_user', '48')
    broadcast = fake_server.go_live('48', live_segments=3, segment_interval=30.0)
    body = access(fake_server, http, broadcast['id'])
    return broadcast, body['hls_url']


def live_playlist(http, live):
    _broadcast, live_url = live
    return http.get(live_url, timeout=5).text


def live_segment_urls(fake, live, count):
    broadcast, _live_url = live
    return [fake.web_base_url + fake.segment_path(broadcast['id'], i, live=True)
            for i in range(count)]


def test_live__go_live_is_running_without_end(live):
    broadcast, _url = live
    assert broadcast['state'] == 'RUNNING' and 'end' not in broadcast


def test_live__playlist_starts_with_one_segment_and_no_end(fake_server, live, http):
    first = live_playlist(http, live)
    assert '#EXT-X-ENDLIST' not in first
    assert uris(first) == live_segment_urls(fake_server, live, 1)


def test_live__future_segment_is_404(fake_server, live, http):
    assert http.get(live_segment_urls(fake_server, live, 2)[1], timeout=5).status_code == 404


def test_live__playlist_grows_with_the_clock(fake_server, live, http):
    fake_server.advance_time(30)
    assert uris(live_playlist(http, live)) == live_segment_urls(fake_server, live, 2)


def test_live__playlist_ends_after_the_last_segment(fake_server, live, http):
    fake_server.advance_time(60)
    last = live_playlist(http, live)
    assert last.endswith('#EXT-X-ENDLIST\n') and len(uris(last)) == 3


def test_live__ended_broadcast_becomes_a_replay(fake_server, live, http):
    broadcast, _url = live
    fake_server.advance_time(60)
    ended = access(fake_server, http, broadcast['id'])
    assert ended['broadcast']['state'] == 'ENDED' and 'end' in ended['broadcast']
    assert ended['type'] == 'StreamTypeReplay'


def live_segments(fake, http, live):
    """Every segment of ``live``, fetched from its finished live playlist."""
    _broadcast, live_url = live
    fake.advance_time(60)
    return b''.join(http.get(urljoin(live_url, uri), timeout=5).content
                    for uri in uris(live_playlist(http, live)))


def test_live__segments_are_the_replay_bytes(fake_server, live, http):
    assert live_segments(fake_server, http, live) == fake_server.replay_bytes(live[0]['id'])


def test_live__replay_download_matches_the_live_segments(fake_server, live, http):
    data = live_segments(fake_server, http, live)
    ended = access(fake_server, http, live[0]['id'])
    assert download(http, ended['replay_url'], cookies_of(ended)) == data


def test_live__grows_in_real_time(fake_server, http):
    fake_server.add_user('live_rt', '49')
    broadcast = fake_server.go_live('49', live_segments=3, segment_interval=0.05)
    body = access(fake_server, http, broadcast['id'])
    deadline = time.monotonic() + 5
    text = ''
    while time.monotonic() < deadline:
        text = http.get(body['lhls_url'], timeout=5).text
        if text.endswith('#EXT-X-ENDLIST\n'):
            break
        time.sleep(0.02)
    assert len(uris(text)) == 3
    assert fake_server.history('49')[0]['state'] == 'ENDED'


def test_live__sliding_window_of_six(fake_server, http):
    body = access(fake_server, http, GEORGE_LIVE_BROADCAST_ID)
    text = http.get(body['hls_url'], timeout=5).text
    sequence = int(text.split('#EXT-X-MEDIA-SEQUENCE:')[1].split()[0])
    assert sequence > 0 and len(uris(text)) == 6
    first = fake_server.segment_path(GEORGE_LIVE_BROADCAST_ID, sequence, live=True)
    assert uris(text)[0] == fake_server.web_base_url + first
    assert '#EXT-X-ENDLIST' not in text


def test_live__no_replay_playlist_while_running(fake_server, http):
    body = access(fake_server, http, GEORGE_LIVE_BROADCAST_ID)
    assert 'replay_url' not in body and 'cookies' not in body
    url = fake_server.replay_url(GEORGE_LIVE_BROADCAST_ID)
    cookies = fake_server.stream_cookies(GEORGE_LIVE_BROADCAST_ID)
    assert http.get(url, cookies=cookies, timeout=5).status_code == 404


def test_default_live_broadcast__runs_for_hours(fake_server):
    fake_server.advance_time(3 * 3600)
    assert fake_server.get_broadcast(GEORGE_LIVE_BROADCAST_ID)['state'] == 'RUNNING'
