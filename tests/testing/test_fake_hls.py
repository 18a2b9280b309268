"""HLS replays and live playlists served by the fake."""

from __future__ import annotations

import hashlib
import time
from urllib.parse import urljoin

import pytest

from pyperi.testing import (
    DOCUMENTED_BROADCAST_ID, GEORGE_CLINTON_ID, GEORGE_LIVE_BROADCAST_ID, FakePeriscope,
)
from pyperi.testing.hls import PACKET_SIZE

pytestmark = pytest.mark.integration


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


def test_replay__playlist_is_vod_with_relative_uris(fake_server, http):
    body = access(fake_server, http, DOCUMENTED_BROADCAST_ID)
    response = http.get(body['replay_url'], cookies=cookies_of(body), timeout=5)
    assert response.headers['Content-Type'] == 'application/vnd.apple.mpegurl'
    text = response.text
    assert text.startswith('#EXTM3U\n')
    assert '#EXT-X-PLAYLIST-TYPE:VOD' in text and text.endswith('#EXT-X-ENDLIST\n')
    assert uris(text) == ['main/chunk_%d.ts' % i for i in range(5)]


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
    assert fetch(http, body, 'main/chunk_1.ts').headers['Content-Type'] == 'video/mp2t'


def test_segments__whole_packets_with_sync_bytes(fake_server, http):
    content = fetch(http, two_segments(fake_server, http, 188 * 3 + 100), 'main/chunk_1.ts').content
    assert len(content) == 188 * 3
    assert content[::PACKET_SIZE] == b'\x47' * 3


def test_segments__same_bytes_every_time(fake_server, http):
    body = two_segments(fake_server, http, 188 * 3)
    assert fetch(http, body, 'main/chunk_1.ts').content == fetch(http, body,
                                                                 'main/chunk_1.ts').content


def test_segments__same_bytes_from_another_fake(fake_server, http):
    first = fetch(http, two_segments(fake_server, http, 188 * 3), 'main/chunk_1.ts').content
    with FakePeriscope() as other:
        assert fetch(http, two_segments(other, http, 188 * 3), 'main/chunk_1.ts').content == first


def test_segments__differ_from_each_other(fake_server, http):
    body = two_segments(fake_server, http, 188 * 3)
    assert fetch(http, body, 'main/chunk_0.ts').content != fetch(http, body,
                                                                 'main/chunk_1.ts').content


def test_segments__large_ones_stream(fake_server, http):
    fake_server.add_user('big_seg', '43')
    broadcast = fake_server.add_broadcast('43', segments=1, segment_size=3 * 1024 * 1024)
    body = access(fake_server, http, broadcast['id'])
    response = fetch(http, body, 'main/chunk_0.ts', stream=True)
    digest = hashlib.sha256()
    for chunk in response.iter_content(65536):
        digest.update(chunk)
    response.close()
    assert digest.hexdigest() == fake_server.replay_sha256(broadcast['id'])


@pytest.mark.parametrize('name', ['main/chunk_99.ts', 'other/chunk_0.ts', 'main/nope.ts'])
def test_missing_segment__404(fake_server, http, name):
    body = access(fake_server, http, DOCUMENTED_BROADCAST_ID)
    assert fetch(http, body, name).status_code == 404


# -- cookies -----------------------------------------------------------------------------------

@pytest.mark.parametrize('cookies', [None, {'CloudFront-Policy': 'x', 'CloudFront-Signature': 'y',
                                            'CloudFront-Key-Pair-Id': 'APKAIHCXHHQVRTVSFRWQ'}])
def test_cookies__required(fake_server, http, cookies):
    body = access(fake_server, http, DOCUMENTED_BROADCAST_ID)
    for url in (body['replay_url'], urljoin(body['replay_url'], 'main/chunk_0.ts')):
        response = http.get(url, cookies=cookies, timeout=5)
        assert response.status_code == 403
        assert b'AccessDenied' in response.content


def test_cookies__only_for_their_broadcast(fake_server, http):
    other = fake_server.history(GEORGE_CLINTON_ID)[3]['id']
    body = access(fake_server, http, DOCUMENTED_BROADCAST_ID)
    response = http.get(body['replay_url'].replace(DOCUMENTED_BROADCAST_ID, other),
                        cookies=cookies_of(body), timeout=5)
    assert response.status_code == 403


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
    found = bandwidths(fetch(http, master_body, 'playlist.m3u8').text)
    assert len(found) == 3 and found != sorted(found, reverse=True)


def test_master__relative_variant_playlists(master_body, http):
    text = fetch(http, master_body, 'playlist.m3u8').text
    assert uris(text) == ['low/playlist.m3u8', 'high/playlist.m3u8', 'mid/playlist.m3u8']


def test_master__best_variant_is_what_a_download_yields(fake_server, master_body, http):
    data = download(http, master_body['replay_url'], cookies_of(master_body))
    assert data == fake_server.replay_bytes(master_body['broadcast']['id'])


def test_master__low_variant_has_smaller_segments(master_body, http):
    data = download(http, master_body['replay_url'], cookies_of(master_body))
    low = fetch(http, master_body, 'low/chunk_0.ts').content
    assert 0 < len(low) < len(data) // 3


@pytest.fixture
def absolute_body(fake_server, http):
    """accessVideoPublic of a new broadcast whose playlists use absolute URIs."""
    fake_server.add_user('abs_user', '45')
    broadcast = fake_server.add_broadcast('45', absolute_uris=True, master=True, segments=2)
    return access(fake_server, http, broadcast['id'])


def test_absolute_uris__in_the_master_playlist(fake_server, absolute_body, http):
    master = fetch(http, absolute_body, 'playlist.m3u8').text
    assert all(uri.startswith(fake_server.web_base_url + '/hls/') for uri in uris(master))


def test_absolute_uris__in_the_media_playlist(fake_server, absolute_body, http):
    master = fetch(http, absolute_body, 'playlist.m3u8').text
    media = http.get(uris(master)[1], cookies=cookies_of(absolute_body), timeout=5).text
    assert uris(media)[0] == '%s/hls/%s/high/chunk_0.ts' % (fake_server.web_base_url,
                                                            absolute_body['broadcast']['id'])


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
    text = fetch(http, body, 'playlist.m3u8').text
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
    for uri in uris(fetch(http, encrypted_body, 'playlist.m3u8').text):
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
    return broadcast, body['hls_url'], cookies_of(body)


def live_playlist(http, live):
    _broadcast, live_url, cookies = live
    return http.get(live_url, cookies=cookies, timeout=5).text


def test_live__go_live_is_running_without_end(live):
    broadcast, _url, _cookies = live
    assert broadcast['state'] == 'RUNNING' and 'end' not in broadcast


def test_live__playlist_starts_with_one_segment_and_no_end(live, http):
    first = live_playlist(http, live)
    assert '#EXT-X-ENDLIST' not in first and uris(first) == ['main/chunk_0.ts']


def test_live__future_segment_is_404(live, http):
    _broadcast, live_url, cookies = live
    assert http.get(urljoin(live_url, 'main/chunk_1.ts'), cookies=cookies,
                    timeout=5).status_code == 404


def test_live__playlist_grows_with_the_clock(fake_server, live, http):
    fake_server.advance_time(30)
    assert uris(live_playlist(http, live)) == ['main/chunk_0.ts', 'main/chunk_1.ts']


def test_live__playlist_ends_after_the_last_segment(fake_server, live, http):
    fake_server.advance_time(60)
    last = live_playlist(http, live)
    assert last.endswith('#EXT-X-ENDLIST\n') and len(uris(last)) == 3


def test_live__ended_broadcast_becomes_a_replay(fake_server, live, http):
    broadcast, _url, _cookies = live
    fake_server.advance_time(60)
    ended = access(fake_server, http, broadcast['id'])
    assert ended['broadcast']['state'] == 'ENDED' and 'end' in ended['broadcast']
    assert ended['type'] == 'StreamTypeReplay'


def live_segments(fake, http, live):
    """Every segment of ``live``, fetched from its finished live playlist."""
    _broadcast, live_url, cookies = live
    fake.advance_time(60)
    return b''.join(http.get(urljoin(live_url, uri), cookies=cookies, timeout=5).content
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
        text = http.get(body['lhls_url'], cookies=cookies_of(body), timeout=5).text
        if text.endswith('#EXT-X-ENDLIST\n'):
            break
        time.sleep(0.02)
    assert len(uris(text)) == 3
    assert fake_server.history('49')[0]['state'] == 'ENDED'


def test_live__sliding_window_of_six(fake_server, http):
    body = access(fake_server, http, GEORGE_LIVE_BROADCAST_ID)
    text = http.get(body['hls_url'], cookies=cookies_of(body), timeout=5).text
    sequence = int(text.split('#EXT-X-MEDIA-SEQUENCE:')[1].split()[0])
    assert sequence > 0 and len(uris(text)) == 6
    assert uris(text)[0] == 'main/chunk_%d.ts' % sequence
    assert '#EXT-X-ENDLIST' not in text


def test_live__no_replay_playlist_while_running(fake_server, http):
    body = access(fake_server, http, GEORGE_LIVE_BROADCAST_ID)
    assert 'replay_url' not in body
    url = body['hls_url'].replace('live.m3u8', 'playlist.m3u8')
    assert http.get(url, cookies=cookies_of(body), timeout=5).status_code == 404


def test_default_live_broadcast__runs_for_hours(fake_server):
    fake_server.advance_time(3 * 3600)
    assert fake_server.get_broadcast(GEORGE_LIVE_BROADCAST_ID)['state'] == 'RUNNING'
