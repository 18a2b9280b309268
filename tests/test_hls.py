"""Unit tests for pyperi.hls: parsing the HLS playlists that replay downloads read."""
from __future__ import annotations

from urllib.parse import urljoin

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyperi import PyPeriResponseError, hls
from pyperi.hls import MasterPlaylist, MediaPlaylist, parse_playlist

from replay_mocks import CDN, media_playlist

PLAYLIST_URL = 'https://h.example/p.m3u8'


def parse_media(text: str, url: str = PLAYLIST_URL) -> MediaPlaylist:
    parsed = parse_playlist(text, url)
    assert isinstance(parsed, MediaPlaylist)
    return parsed


def test_parse_playlist__relative_uris_resolved_against_playlist_url() -> None:
    text = media_playlist(['a.ts', '../up/b.ts', '/root/c.ts', 'https://other.example/d.ts'])
    parsed = parse_media(text, 'https://h.example/x/y/playlist.m3u8?token=1')
    assert [s.url for s in parsed.segments] == [
        'https://h.example/x/y/a.ts', 'https://h.example/x/up/b.ts',
        'https://h.example/root/c.ts', 'https://other.example/d.ts']


def test_parse_playlist__segments_numbered_from_media_sequence() -> None:
    parsed = parse_media(media_playlist(['a.ts', 'b.ts', 'c.ts', 'd.ts'], first=7))
    assert [s.sequence for s in parsed.segments] == [7, 8, 9, 10]


def test_parse_playlist__endlist_and_target_duration_read() -> None:
    parsed = parse_media(media_playlist(['a.ts'], target=2))
    assert parsed.ended and parsed.target_duration == 2.0


def test_parse_playlist__master_best_variant_by_bandwidth_then_resolution() -> None:
    text = ('#EXTM3U\n'
            '#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\nmid.m3u8\n'
            '#EXT-X-STREAM-INF:BANDWIDTH=1600000,RESOLUTION=640x360\nhigh_small.m3u8\n'
            '#EXT-X-STREAM-INF:BANDWIDTH=1600000,RESOLUTION=1280x720\nhigh_big.m3u8\n'
            '#EXT-X-STREAM-INF:BANDWIDTH=200000\nlow.m3u8\n')
    parsed = parse_playlist(text, 'https://h.example/m/master.m3u8')
    assert isinstance(parsed, MasterPlaylist)
    assert parsed.best().url == 'https://h.example/m/high_big.m3u8'


@pytest.mark.parametrize('text', [
    '<html>Not here</html>',
    '',
    '#EXTM3U\n#EXT-X-TARGETDURATION:soon\n',
    '#EXTM3U\n#EXT-X-STREAM-INF:RESOLUTION=1x1\nv.m3u8\n',
    '#EXTM3U\n#EXTINF:2,\nfile:///etc/passwd\n',
])
def test_parse_playlist__garbage_raises_response_error(text: str) -> None:
    with pytest.raises(PyPeriResponseError):
        parse_playlist(text, PLAYLIST_URL)


def test_parse_playlist__aes_encryption_reported() -> None:
    parsed = parse_media(media_playlist(['a.ts'], extra='#EXT-X-KEY:METHOD=AES-128,URI="key"'))
    assert parsed.encryption == 'AES-128'


def test_parse_playlist__key_method_none_is_not_encryption() -> None:
    parsed = parse_media(media_playlist(['a.ts'], extra='#EXT-X-KEY:METHOD=NONE'))
    assert parsed.encryption is None


def test_parse_playlist__ext_x_map_reported_unsupported() -> None:
    parsed = parse_media(media_playlist(['a.m4s'], extra='#EXT-X-MAP:URI="init.mp4"'))
    assert parsed.unsupported == ('EXT-X-MAP',)


def test_parse_playlist__segment_without_uri_is_a_response_error() -> None:
    with pytest.raises(PyPeriResponseError, match='URI after each #EXTINF'):
        parse_playlist('#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:1,\n', f'{CDN}/p.m3u8')


@given(st.from_regex(r"https?://[a-z0-9.-]{1,20}(:[0-9]{1,5})?"
                     r"(/[A-Za-z0-9._~%=+,:@!$&'()*/-]{0,30})?(\?[a-z0-9=&%-]{1,20})?",
                     fullmatch=True),
       st.sampled_from(['https://replay.periscope.tv/k/playlist_1.m3u8', 'http://127.0.0.1:8/a/b']))
def test_absolute_uri_fast_path__same_as_urljoin(uri: str, base: str) -> None:
    assert hls._absolute(base, uri) == urljoin(base, uri)
