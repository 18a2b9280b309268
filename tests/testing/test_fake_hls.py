"""HLS replays and live playlists served by the fake."""

from __future__ import annotations

import hashlib
import time
from urllib.parse import urljoin

import pytest

from pyperi.testing import DOCUMENTED_BROADCAST_ID, GEORGE_CLINTON_ID, GEORGE_LIVE_BROADCAST_ID
from pyperi.testing.hls import PACKET_SIZE


def cookies_of(body):
    """The accessVideoPublic cookies as a name -> value dict."""
    return {c['Name']: c['Value'] for c in body['cookies']}


def access(fake, http, broadcast_id):
    return http.get(fake.api_base_url + '/accessVideoPublic',
                    params={'broadcast_id': broadcast_id}, timeout=5).json()


def uris(playlist):
    return [line for line in playlist.splitlines() if line and not line.startswith('#')]


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


def test_replay__download_matches_replay_bytes(fake, http):
    body = access(fake, http, DOCUMENTED_BROADCAST_ID)
    data = download(http, body['replay_url'], cookies_of(body))
    assert data == fake.replay_bytes(DOCUMENTED_BROADCAST_ID)
    assert hashlib.sha256(data).hexdigest() == fake.replay_sha256(DOCUMENTED_BROADCAST_ID)
    assert len(data) == fake.replay_size(DOCUMENTED_BROADCAST_ID)


def test_replay__playlist_is_vod_with_relative_uris(fake, http):
    body = access(fake, http, DOCUMENTED_BROADCAST_ID)
    response = http.get(body['replay_url'], cookies=cookies_of(body), timeout=5)
    assert response.headers['Content-Type'] == 'application/vnd.apple.mpegurl'
    text = response.text
    assert text.startswith('#EXTM3U\n')
    assert '#EXT-X-PLAYLIST-TYPE:VOD' in text and text.endswith('#EXT-X-ENDLIST\n')
    assert uris(text) == ['main/chunk_%d.ts' % i for i in range(5)]


def test_segments__deterministic_ts_packets(fake, http):
    fake.add_user('seg_user', '42')
    broadcast = fake.add_broadcast('42', segments=2, segment_size=188 * 3 + 100)
    body = access(fake, http, broadcast['id'])
    url = urljoin(body['replay_url'], 'main/chunk_1.ts')
    first = http.get(url, cookies=cookies_of(body), timeout=5)
    second = http.get(url, cookies=cookies_of(body), timeout=5)
    assert first.headers['Content-Type'] == 'video/mp2t'
    assert first.content == second.content
    assert len(first.content) == 188 * 3
    assert first.content[::PACKET_SIZE] == b'\x47' * 3
    chunk0 = http.get(urljoin(body['replay_url'], 'main/chunk_0.ts'), cookies=cookies_of(body),
                      timeout=5).content
    assert chunk0 != first.content


def test_segments__large_ones_stream(fake, http):
    fake.add_user('big_seg', '43')
    broadcast = fake.add_broadcast('43', segments=1, segment_size=3 * 1024 * 1024)
    body = access(fake, http, broadcast['id'])
    response = http.get(urljoin(body['replay_url'], 'main/chunk_0.ts'), cookies=cookies_of(body),
                        stream=True, timeout=5)
    digest = hashlib.sha256()
    for chunk in response.iter_content(65536):
        digest.update(chunk)
    response.close()
    assert digest.hexdigest() == fake.replay_sha256(broadcast['id'])


@pytest.mark.parametrize('cookies', [None, {'CloudFront-Policy': 'x', 'CloudFront-Signature': 'y',
                                            'CloudFront-Key-Pair-Id': 'APKAIHCXHHQVRTVSFRWQ'}])
def test_cookies__required(fake, http, cookies):
    body = access(fake, http, DOCUMENTED_BROADCAST_ID)
    for url in (body['replay_url'], urljoin(body['replay_url'], 'main/chunk_0.ts')):
        response = http.get(url, cookies=cookies, timeout=5)
        assert response.status_code == 403
        assert b'AccessDenied' in response.content


def test_cookies__only_for_their_broadcast(fake, http):
    other = fake.history(GEORGE_CLINTON_ID)[3]['id']
    body = access(fake, http, DOCUMENTED_BROADCAST_ID)
    response = http.get(body['replay_url'].replace(DOCUMENTED_BROADCAST_ID, other),
                        cookies=cookies_of(body), timeout=5)
    assert response.status_code == 403


def test_cookies__work_from_a_cookie_jar(fake, http):
    body = access(fake, http, DOCUMENTED_BROADCAST_ID)
    for cookie in body['cookies']:
        http.cookies.set(cookie['Name'], cookie['Value'], domain=cookie['Domain'],
                         path=cookie['Path'])
    assert http.get(body['replay_url'], timeout=5).status_code == 200


def test_missing_segment__404(fake, http):
    body = access(fake, http, DOCUMENTED_BROADCAST_ID)
    for name in ('main/chunk_99.ts', 'other/chunk_0.ts', 'main/nope.ts'):
        url = urljoin(body['replay_url'], name)
        assert http.get(url, cookies=cookies_of(body), timeout=5).status_code == 404


def test_master__best_variant_is_what_a_download_yields(fake, http):
    fake.add_user('master_user', '44')
    broadcast = fake.add_broadcast('44', master=True, segments=3)
    body = access(fake, http, broadcast['id'])
    text = http.get(body['replay_url'], cookies=cookies_of(body), timeout=5).text
    bandwidths = [int(line.split('BANDWIDTH=')[1].split(',')[0])
                  for line in text.splitlines() if line.startswith('#EXT-X-STREAM-INF')]
    assert len(bandwidths) == 3 and bandwidths != sorted(bandwidths, reverse=True)
    assert uris(text) == ['low/playlist.m3u8', 'high/playlist.m3u8', 'mid/playlist.m3u8']
    data = download(http, body['replay_url'], cookies_of(body))
    assert data == fake.replay_bytes(broadcast['id'])
    low = http.get(urljoin(body['replay_url'], 'low/chunk_0.ts'), cookies=cookies_of(body),
                   timeout=5).content
    assert 0 < len(low) < len(data) // 3


def test_absolute_uris(fake, http):
    fake.add_user('abs_user', '45')
    broadcast = fake.add_broadcast('45', absolute_uris=True, master=True, segments=2)
    body = access(fake, http, broadcast['id'])
    master = http.get(body['replay_url'], cookies=cookies_of(body), timeout=5).text
    assert all(uri.startswith(fake.web_base_url + '/hls/') for uri in uris(master))
    media = http.get(uris(master)[1], cookies=cookies_of(body), timeout=5).text
    assert uris(media)[0] == '%s/hls/%s/high/chunk_0.ts' % (fake.web_base_url, broadcast['id'])
    assert download(http, body['replay_url'], cookies_of(body)) == fake.replay_bytes(
        broadcast['id'])


def test_encrypted__aes128_key_and_ciphertext(fake, http):
    pytest.importorskip('cryptography')
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    fake.add_user('enc_user', '46')
    broadcast = fake.add_broadcast('46', encrypted=True, segments=2)
    body = access(fake, http, broadcast['id'])
    cookies = cookies_of(body)
    text = http.get(body['replay_url'], cookies=cookies, timeout=5).text
    key_line = next(line for line in text.splitlines() if line.startswith('#EXT-X-KEY'))
    assert 'METHOD=AES-128' in key_line
    key_uri = key_line.split('URI="')[1].split('"')[0]
    iv = bytes.fromhex(key_line.split('IV=0x')[1])
    key = http.get(urljoin(body['replay_url'], key_uri), cookies=cookies, timeout=5).content
    assert len(key) == 16
    plain = b''
    for uri in uris(text):
        data = http.get(urljoin(body['replay_url'], uri), cookies=cookies, timeout=5).content
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        unpadder = padding.PKCS7(128).unpadder()
        padded = decryptor.update(data) + decryptor.finalize()
        plain += unpadder.update(padded) + unpadder.finalize()
    assert plain == fake.replay_bytes(broadcast['id'])
    assert http.get(urljoin(body['replay_url'], key_uri), timeout=5).status_code == 403


def test_unavailable_replay__no_replay_url(fake, http):
    fake.add_user('gone_user', '47')
    broadcast = fake.add_broadcast('47', available_for_replay=False)
    body = access(fake, http, broadcast['id'])
    assert 'replay_url' not in body and body['type'] == 'StreamTypeReplay'


def test_live__playlist_grows_then_ends(fake, http):
    fake.add_user('live_user', '48')
    broadcast = fake.go_live('48', live_segments=3, segment_interval=30.0)
    assert broadcast['state'] == 'RUNNING' and 'end' not in broadcast
    body = access(fake, http, broadcast['id'])
    live_url, cookies = body['hls_url'], cookies_of(body)
    first = http.get(live_url, cookies=cookies, timeout=5).text
    assert '#EXT-X-ENDLIST' not in first and uris(first) == ['main/chunk_0.ts']
    assert http.get(urljoin(live_url, 'main/chunk_1.ts'), cookies=cookies,
                    timeout=5).status_code == 404
    fake.advance_time(30)
    assert uris(http.get(live_url, cookies=cookies, timeout=5).text) == [
        'main/chunk_0.ts', 'main/chunk_1.ts']
    fake.advance_time(30)
    last = http.get(live_url, cookies=cookies, timeout=5).text
    assert last.endswith('#EXT-X-ENDLIST\n') and len(uris(last)) == 3
    ended = access(fake, http, broadcast['id'])
    assert ended['broadcast']['state'] == 'ENDED' and 'end' in ended['broadcast']
    assert ended['type'] == 'StreamTypeReplay'
    data = b''.join(http.get(urljoin(live_url, uri), cookies=cookies, timeout=5).content
                    for uri in uris(last))
    assert data == fake.replay_bytes(broadcast['id'])
    assert download(http, ended['replay_url'], cookies_of(ended)) == data


def test_live__grows_in_real_time(fake, http):
    fake.add_user('live_rt', '49')
    broadcast = fake.go_live('49', live_segments=3, segment_interval=0.05)
    body = access(fake, http, broadcast['id'])
    deadline = time.monotonic() + 5
    text = ''
    while time.monotonic() < deadline:
        text = http.get(body['lhls_url'], cookies=cookies_of(body), timeout=5).text
        if text.endswith('#EXT-X-ENDLIST\n'):
            break
        time.sleep(0.02)
    assert len(uris(text)) == 3
    assert fake.history('49')[0]['state'] == 'ENDED'


def test_live__sliding_window(fake, http):
    body = access(fake, http, GEORGE_LIVE_BROADCAST_ID)
    text = http.get(body['hls_url'], cookies=cookies_of(body), timeout=5).text
    sequence = int(text.split('#EXT-X-MEDIA-SEQUENCE:')[1].split()[0])
    assert sequence > 0 and len(uris(text)) == 6
    assert uris(text)[0] == 'main/chunk_%d.ts' % sequence
    assert '#EXT-X-ENDLIST' not in text
    assert http.get(body['replay_url'] if 'replay_url' in body else
                    body['hls_url'].replace('live.m3u8', 'playlist.m3u8'),
                    cookies=cookies_of(body), timeout=5).status_code == 404


def test_default_live_broadcast__runs_for_hours(fake):
    fake.advance_time(3 * 3600)
    assert fake.get_broadcast(GEORGE_LIVE_BROADCAST_ID)['state'] == 'RUNNING'
