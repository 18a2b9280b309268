"""The fake serves what Periscope served (issue 10, points 7 to 12), seen with plain requests.

Each section checks one point against the shapes captured from the real service (SPEC
section 3); docs/testing.rst ("What the fake serves") shows the same shapes to users.
"""

from __future__ import annotations

import html
import json
import math
import re
from urllib.parse import urlsplit

import pytest

from pyperi.testing import (
    BIG_PAGE_USERNAME, DOCUMENTED_BROADCAST_ID, DOCUMENTED_HISTORY_IDS, GEORGE_CLINTON_ID,
    GEORGE_LIVE_BROADCAST_ID, MARKETING_USER_ID, MARKETING_USERNAME, FakePeriscope,
)
from pyperi.testing._documented import DOCUMENTED_BROADCAST, DOCUMENTED_HISTORY
from pyperi.timeutil import parse_timestamp
from pyperi.web import session_tokens

pytestmark = pytest.mark.integration

STORE_RE = re.compile(r'<div id="page-container" class="[^"]*" data-store="([^"]*)">')
TOKEN_NAMES = {'broadcastHistory', 'serviceToken', 'thumbnailPlaylist'}
GO_COOKIE_FIELDS = ['Name', 'Value', 'Path', 'Domain', 'Expires', 'RawExpires', 'MaxAge',
                    'Secure', 'HttpOnly', 'Raw', 'Unparsed']
ZULU_RE = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$')
OFFSET_RE = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}[+-]\d\d:\d\d$')
FIELDS_2019 = {'twitter_id', 'version', 'media_key', 'image_url_medium', 'is_high_latency'}
HISTORY_FIELDS = {'timedout', 'broadcast_source', 'interstitial'}


def page_store(fake, http, path):
    response = http.get(fake.web_base_url + path, timeout=5)
    assert response.status_code == 200
    return json.loads(html.unescape(STORE_RE.search(response.text).group(1)))


def access_video(fake, http, broadcast_id):
    return http.get(fake.api_base_url + '/accessVideoPublic',
                    params={'broadcast_id': broadcast_id}, timeout=5).json()


def history(fake, user_id):
    return fake.history(user_id)


# -- 7. session tokens -------------------------------------------------------------------------

@pytest.mark.parametrize('path', ['/george_clinton', '/' + MARKETING_USERNAME])
def test_tokens__expiry_beside_the_token_and_no_requested_at(fake_server, http, path):
    tokens = page_store(fake_server, http, path)['SessionToken']
    assert set(tokens) == {'public', 'authed'}
    assert set(tokens['public']) == TOKEN_NAMES
    for value in tokens['public'].values():
        assert set(value) == {'token', 'expiry'} and set(value['token']) == {'session_id'}
        assert isinstance(value['expiry'], int) and value['expiry'] > 1.6e12   # epoch ms


def test_tokens__are_what_get_user_broadcasts_public_takes(fake_server, http):
    public = page_store(fake_server, http, '/' + MARKETING_USERNAME)['SessionToken']['public']
    response = http.get(fake_server.api_base_url + '/getUserBroadcastsPublic', timeout=5, params={
        'user_id': MARKETING_USER_ID, 'session_id': public['broadcastHistory']['token'][
            'session_id']})
    assert response.status_code == 200 and response.json()['broadcasts']


# -- 8. page generations: Tracking in 2016, none in 2019; UserCache entries ----------------------

def test_pages__2016_page_has_tracking_of_the_history_request(fake_server, http):
    store = page_store(fake_server, http, '/george_clinton')
    assert store['Tracking'] == {'type': 'periscope/USER_BROADCAST_HISTORY_REQUEST',
                                 'userId': GEORGE_CLINTON_ID}


@pytest.mark.parametrize('name', [MARKETING_USERNAME, 'long_history'])
def test_pages__2019_pages_have_no_tracking(fake_server, http, name):
    assert 'Tracking' not in page_store(fake_server, http, '/' + name)


@pytest.mark.parametrize('path', ['/george_clinton', '/' + MARKETING_USERNAME])
def test_pages__user_cache_entries_are_timestamp_and_user(fake_server, http, path):
    users = page_store(fake_server, http, path)['UserCache']['users']
    for user_id, entry in users.items():
        assert set(entry) == {'timestamp', 'user'} and entry['user']['id'] == user_id
        assert isinstance(entry['timestamp'], int)


def test_pages__2019_page_caches_many_users_and_the_client_finds_its_own(fake_server, http):
    store = page_store(fake_server, http, '/' + BIG_PAGE_USERNAME)
    assert len(store['UserCache']['users']) > 1000 and 'Tracking' not in store
    tokens = session_tokens(store, username=BIG_PAGE_USERNAME)
    assert tokens['user_id'] == fake_server.user_id_for(BIG_PAGE_USERNAME)


@pytest.mark.parametrize('name', [MARKETING_USERNAME, 'George_Clinton'])
def test_pages__the_client_finds_the_user_of_either_generation(fake_server, name):
    tokens = fake_server.peri.get_web_public_user_session_tokens(username=name)
    assert tokens['user_id'] == fake_server.user_id_for(name)
    assert fake_server.peri.get_user_broadcast_history(username=name)


def test_pages__add_user_serves_2019_pages_unless_asked(fake_server, http):
    fake_server.add_user('new_2019')
    fake_server.add_user('old_2016', page_generation=2016)
    assert 'Tracking' not in page_store(fake_server, http, '/new_2019')
    assert page_store(fake_server, http, '/old_2016')['Tracking']['userId'] == \
        fake_server.user_id_for('old_2016')


@pytest.mark.parametrize('generation', [2017, '2019', True, None])
def test_pages__other_generations_are_value_errors(generation):
    with pytest.raises(ValueError, match='page_generation'):
        FakePeriscope(default_data=False).add_user('someone', page_generation=generation)


# -- 9. accessVideoPublic of a replay ----------------------------------------------------------

def test_replay_body__empty_session_and_autoplay_threshold(fake_server, http):
    body = access_video(fake_server, http, DOCUMENTED_BROADCAST_ID)
    assert body['session'] == '' and body['type'] == 'StreamTypeReplay'
    assert 'autoplay_view_threshold' in body


def test_replay_body__cloudfront_cookies_with_gos_fields(fake_server, http):
    cookies = access_video(fake_server, http, DOCUMENTED_BROADCAST_ID)['cookies']
    assert [c['Name'] for c in cookies] == ['CloudFront-Policy', 'CloudFront-Signature',
                                            'CloudFront-Key-Pair-Id']
    for cookie in cookies:
        assert list(cookie) == GO_COOKIE_FIELDS
        assert (cookie['Expires'], cookie['RawExpires'], cookie['MaxAge'], cookie['Raw'],
                cookie['Unparsed']) == ('0001-01-01T00:00:00Z', '', 0, '', None)
        assert cookie['Secure'] is False and cookie['HttpOnly'] is False
        assert cookie['Domain'] == '127.0.0.1'


def test_replay_body__replay_url_is_key_then_playlist_of_19_digits(fake_server, http):
    body = access_video(fake_server, http, DOCUMENTED_BROADCAST_ID)
    match = re.fullmatch(re.escape(fake_server.web_base_url)
                         + r'/([A-Za-z0-9_-]{86}==)/playlist_\d{19}\.m3u8', body['replay_url'])
    assert match is not None
    assert {c['Path'] for c in body['cookies']} == {'/' + match.group(1)}


def test_replay_body__files_need_cookies_for_their_key(fake_server, http):
    body = access_video(fake_server, http, DOCUMENTED_BROADCAST_ID)
    cookies = {c['Name']: c['Value'] for c in body['cookies']}
    assert http.get(body['replay_url'], timeout=5).status_code == 403
    assert http.get(body['replay_url'], cookies=cookies, timeout=5).status_code == 200
    other = fake_server.replay_url(DOCUMENTED_HISTORY_IDS[0])
    assert http.get(other, cookies=cookies, timeout=5).status_code == 403


# -- 10. accessVideoPublic of a live broadcast (2019) ------------------------------------------

LIVE_PLAYLISTS = {'hls_url': 'dynamic_playlist.m3u8', 'https_hls_url': 'dynamic_playlist.m3u8',
                  'lhls_url': 'dynamic_lowlatency.m3u8', 'lhlsweb_url': 'dynamic_lhlsweb.m3u8'}


def test_live_body__web_stream_without_cookies_or_rtmp(fake_server, http):
    body = access_video(fake_server, http, GEORGE_LIVE_BROADCAST_ID)
    assert body['type'] == 'StreamTypeWeb'
    assert 'cookies' not in body and 'rtmp_url' not in body and 'replay_url' not in body
    assert body['hls_is_encrypted'] is False and body['lhls_is_encrypted'] is False
    assert 0 < body['min_playback_buffer_length'] <= body['max_playback_buffer_length']


def test_live_body__three_different_playlists(fake_server, http):
    body = access_video(fake_server, http, GEORGE_LIVE_BROADCAST_ID)
    for field, name in LIVE_PLAYLISTS.items():
        assert urlsplit(body[field]).path.endswith('/' + name)
    assert len({body[field] for field in LIVE_PLAYLISTS}) == 3


def test_live_body__every_playlist_plays_without_cookies(fake_server, http):
    body = access_video(fake_server, http, GEORGE_LIVE_BROADCAST_ID)
    for field in LIVE_PLAYLISTS:
        response = http.get(body[field], timeout=5)
        assert response.status_code == 200 and response.text.startswith('#EXTM3U\n')


def test_live_body__encrypted_stream_says_so(fake_server, http):
    pytest.importorskip('cryptography')
    user = fake_server.add_user('secret_live')
    broadcast = fake_server.go_live(user['id'], encrypted=True)
    body = access_video(fake_server, http, broadcast['id'])
    assert body['hls_is_encrypted'] is True and body['lhls_is_encrypted'] is True


# -- 11. history records -----------------------------------------------------------------------

def test_history__timed_out_has_no_end_but_a_ping_and_timedout(fake_server):
    timed_out = [b for b in history(fake_server, GEORGE_CLINTON_ID) if b['state'] == 'TIMED_OUT']
    assert len(timed_out) == 2
    for broadcast in timed_out:
        assert 'end' not in broadcast
        assert parse_timestamp(broadcast['timedout']) > parse_timestamp(broadcast['ping'])


def test_history__others_carry_gos_zero_timedout(fake_server):
    others = [b for b in history(fake_server, MARKETING_USER_ID) if b['state'] != 'TIMED_OUT']
    assert others and {b['timedout'] for b in others} == {'0001-01-01T00:00:00Z'}


@pytest.mark.parametrize('user_id', [GEORGE_CLINTON_ID, MARKETING_USER_ID])
def test_history__generated_records_carry_the_history_fields(fake_server, user_id):
    generated = [b for b in history(fake_server, user_id)
                 if b['id'] not in (DOCUMENTED_BROADCAST_ID, *DOCUMENTED_HISTORY_IDS)]
    assert generated and all(HISTORY_FIELDS <= set(b) for b in generated)


def test_history__both_generations_in_georges_history(fake_server):
    generated = [b for b in history(fake_server, GEORGE_CLINTON_ID)
                 if b['id'] not in (DOCUMENTED_BROADCAST_ID, *DOCUMENTED_HISTORY_IDS)]
    new = [b for b in generated if FIELDS_2019 <= set(b)]
    old = [b for b in generated if not FIELDS_2019 & set(b)]
    assert new and old and len(new) + len(old) == len(generated)
    assert all(ZULU_RE.match(b['start']) and ZULU_RE.match(b['ping']) for b in new)
    assert all(OFFSET_RE.match(b['start']) and OFFSET_RE.match(b['ping']) for b in old)
    assert {b['state'] for b in new if b['state'] == 'TIMED_OUT'} == \
        {b['state'] for b in old if b['state'] == 'TIMED_OUT'} == {'TIMED_OUT'}


def test_history__2019_fields(fake_server):
    record = history(fake_server, MARKETING_USER_ID)[0]
    assert record['twitter_id'] == fake_server.get_user(MARKETING_USER_ID)['twitter_id']
    assert isinstance(record['version'], int) and isinstance(record['is_high_latency'], bool)
    assert re.fullmatch(r'\d+_\d+', record['media_key'])
    assert record['image_url_medium'].startswith('https://tn.periscope.tv/')


def test_history__documented_records_are_verbatim(fake_server):
    by_id = {b['id']: b for b in history(fake_server, GEORGE_CLINTON_ID)}
    assert [by_id[i] for i in DOCUMENTED_HISTORY_IDS] == DOCUMENTED_HISTORY
    documented = dict(by_id[DOCUMENTED_BROADCAST_ID])
    assert documented.pop('n_total_watched') == 2214
    assert {k: v for k, v in documented.items() if k in DOCUMENTED_BROADCAST} == \
        DOCUMENTED_BROADCAST


# -- 12. replay playlists ----------------------------------------------------------------------

def replay_playlist(fake, http, broadcast_id):
    body = access_video(fake, http, broadcast_id)
    cookies = {c['Name']: c['Value'] for c in body['cookies']}
    return http.get(body['replay_url'], cookies=cookies, timeout=5).text


def playlist_header(text):
    return text.split('#EXT-X-PROGRAM-DATE-TIME', 1)[0].splitlines()


def test_playlist__version_6_vod_independent_segments(fake_server, http):
    header = playlist_header(replay_playlist(fake_server, http, DOCUMENTED_BROADCAST_ID))
    assert header[:2] == ['#EXTM3U', '#EXT-X-VERSION:6']
    assert {'#EXT-X-PLAYLIST-TYPE:VOD', '#EXT-X-INDEPENDENT-SEGMENTS'} <= set(header)


def test_playlist__a_program_date_time_before_every_segment(fake_server, http):
    lines = replay_playlist(fake_server, http, DOCUMENTED_BROADCAST_ID).splitlines()
    infs = [i for i, line in enumerate(lines) if line.startswith('#EXTINF')]
    assert infs and all(lines[i - 1].startswith('#EXT-X-PROGRAM-DATE-TIME:') for i in infs)
    first = parse_timestamp(lines[infs[0] - 1].split(':', 1)[1])
    assert abs((first - parse_timestamp(DOCUMENTED_BROADCAST['start'])).total_seconds()) < 0.01


def test_playlist__three_second_segments_on_the_cdn_host(fake_server, http):
    text = replay_playlist(fake_server, http, DOCUMENTED_BROADCAST_ID)
    durations = [float(line[8:].rstrip(',')) for line in text.splitlines()
                 if line.startswith('#EXTINF:')]
    start, end = (parse_timestamp(DOCUMENTED_BROADCAST[k]) for k in ('start', 'end'))
    assert len(durations) == math.ceil((end - start).total_seconds() / 3) == 1243
    assert all(2.5 <= d <= 3.0 for d in durations)
    uris = [line for line in text.splitlines() if line and not line.startswith('#')]
    assert all(uri.startswith(fake_server.web_base_url + '/') for uri in uris)


def test_playlist__a_two_hour_broadcast_has_2400_segments(fake_server, http):
    user = fake_server.add_user('two_hours')
    broadcast = fake_server.add_broadcast(user['id'], duration=7200, segment_size=188)
    assert replay_playlist(fake_server, http, broadcast['id']).count('#EXTINF:3.000,') == 2400


def test_playlist__small_replays_keep_the_style_with_five_segments(http):
    with FakePeriscope(small_replays=True) as fake:
        text = replay_playlist(fake, http, DOCUMENTED_BROADCAST_ID)
    assert text.count('#EXTINF') == text.count('#EXT-X-PROGRAM-DATE-TIME') == 5
    assert '#EXT-X-VERSION:6' in text and '#EXT-X-INDEPENDENT-SEGMENTS' in text
