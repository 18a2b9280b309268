"""HLS playlists and deterministic segment bytes for the fake Periscope, generated on the fly."""

from __future__ import annotations

import hashlib
import importlib.util
import math
import posixpath
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable, Iterator

from pyperi.testing.store import BroadcastRecord

__all__ = ['LIVE_PLAYLISTS', 'LIVE_REGION_PATH', 'MASTER_VARIANTS', 'PACKET_SIZE', 'REPLAY_KEY_RE',
           'SEGMENT_RE', 'Variant', 'aes_iv', 'aes_key', 'best_variant', 'find_variant',
           'live_dir', 'live_playlist_url', 'live_window', 'master_playlist', 'media_playlist',
           'plain_chunks', 'plain_size', 'playlist_name', 'replay_chunks', 'replay_dir',
           'require_cryptography', 'segment_chunks', 'segment_duration', 'segment_name',
           'segment_path', 'served_size', 'variants']

#: The live playlists accessVideoPublic names, by URL field: HLS, low-latency HLS, LHLS for the
#: web player. Each is its own path; the fake serves the same media playlist at all three.
LIVE_PLAYLISTS = {'hls_url': 'dynamic_playlist.m3u8', 'lhls_url': 'dynamic_lowlatency.m3u8',
                  'lhlsweb_url': 'dynamic_lhlsweb.m3u8'}
#: Path of a live stream's files after its key, as Periscope's transcoder named them.
LIVE_REGION_PATH = ('non_transcode', 'us-west-1', 'periscope-replay-direct-prod-us-west-1-public')
#: A replay key: 64 bytes of URL-safe base64 (never a username, so never a user page).
REPLAY_KEY_RE = re.compile(r'[A-Za-z0-9_-]{86}==')
#: A segment's file name: the broadcast's start in nanoseconds (19 digits from 2001 to 2286),
#: then the segment's index.
SEGMENT_RE = re.compile(r'chunk_(\d+)_(\d+)_a\.ts')

PACKET_SIZE = 188
#: Packets generated per chunk while streaming a segment (64 KiB, less a few bytes).
CHUNK_PACKETS = 348
MAIN_VARIANT = 'main'


@dataclass(frozen=True)
class Variant:
    """One rendition of a broadcast."""

    name: str
    bandwidth: int
    resolution: str
    scale: float


#: Master playlists list the best rendition in the middle, so picking by order is wrong.
MASTER_VARIANTS = (
    Variant('low', 280000, '180x320', 0.25),
    Variant('high', 1200000, '320x568', 1.0),
    Variant('mid', 640000, '240x426', 0.5),
)


def variants(record: BroadcastRecord) -> tuple[Variant, ...]:
    """The renditions of a broadcast (one unless it has a master playlist)."""
    if record.master:
        return MASTER_VARIANTS
    return (Variant(MAIN_VARIANT, 800000, '320x568', 1.0),)


def best_variant(record: BroadcastRecord) -> Variant:
    """The rendition a correct downloader picks: the highest bandwidth."""
    return max(variants(record), key=lambda v: v.bandwidth)


def find_variant(record: BroadcastRecord, name: str) -> Variant | None:
    for variant in variants(record):
        if variant.name == name:
            return variant
    return None


def plain_size(record: BroadcastRecord, variant: Variant) -> int:
    """Bytes of one unencrypted segment: whole 188-byte packets, at least one."""
    packets = max(1, int(record.segment_size * variant.scale) // PACKET_SIZE)
    return packets * PACKET_SIZE


def served_size(record: BroadcastRecord, variant: Variant) -> int:
    """Bytes of one segment as served (AES-128-CBC with PKCS#7 padding when encrypted)."""
    size = plain_size(record, variant)
    if record.encrypted:
        return (size // 16 + 1) * 16
    return size


def _seed(broadcast_id: str, variant: str, index: int, chunk: int) -> int:
    digest = hashlib.sha256(('%s/%s/%d/%d' % (broadcast_id, variant, index, chunk)).encode())
    return int.from_bytes(digest.digest(), 'big')


def plain_chunks(broadcast_id: str, variant: str, index: int, size: int) -> Iterator[bytes]:
    """The bytes of segment ``index``: TS-like packets starting with 0x47, in chunks."""
    packets_left = size // PACKET_SIZE
    chunk = 0
    while packets_left > 0:
        count = min(CHUNK_PACKETS, packets_left)
        block = bytearray(random.Random(_seed(broadcast_id, variant, index, chunk))
                          .randbytes(count * PACKET_SIZE))
        block[0::PACKET_SIZE] = b'\x47' * count
        yield bytes(block)
        packets_left -= count
        chunk += 1


def aes_key(broadcast_id: str) -> bytes:
    """The AES-128 key of an encrypted broadcast."""
    return hashlib.sha256(('key/' + broadcast_id).encode()).digest()[:16]


def aes_iv(broadcast_id: str) -> bytes:
    """The IV written into the playlist's EXT-X-KEY tag."""
    return hashlib.sha256(('iv/' + broadcast_id).encode()).digest()[:16]


def require_cryptography() -> None:
    """Fail fast where encryption will be needed.

    :raises RuntimeError: if the ``cryptography`` package is not installed.
    """
    if importlib.util.find_spec('cryptography') is None:  # pragma: no cover - environment
        raise RuntimeError('encrypted=True needs the cryptography package')


def encrypt_chunks(chunks: Iterable[bytes], key: bytes, iv: bytes) -> Iterator[bytes]:
    """AES-128-CBC with PKCS#7 padding, streamed (needs the ``cryptography`` package)."""
    require_cryptography()
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    padder = padding.PKCS7(128).padder()
    for chunk in chunks:
        out = encryptor.update(padder.update(chunk))
        if out:
            yield out
    yield encryptor.update(padder.finalize()) + encryptor.finalize()


def segment_chunks(record: BroadcastRecord, variant: Variant, index: int) -> Iterator[bytes]:
    """Segment ``index`` of ``variant`` exactly as served."""
    chunks = plain_chunks(record.id, variant.name, index, plain_size(record, variant))
    if record.encrypted:
        return encrypt_chunks(chunks, aes_key(record.id), aes_iv(record.id))
    return chunks


def replay_chunks(record: BroadcastRecord) -> Iterator[bytes]:
    """What a correct download yields: the best variant's decrypted segments, in order."""
    variant = best_variant(record)
    size = plain_size(record, variant)
    for index in range(record.segments):
        yield from plain_chunks(record.id, variant.name, index, size)


def segment_duration(record: BroadcastRecord) -> float:
    if record.live is not None:
        return record.live.interval
    return record.duration / record.segments


def replay_dir(record: BroadcastRecord) -> str:
    """The path holding a broadcast's replay files: ``/<replay key>`` (on the replay host)."""
    return '/' + record.keys.replay


def live_dir(record: BroadcastRecord) -> str:
    """The path holding a broadcast's live playlists and segments (no cookies needed)."""
    return '/'.join(('/Transcoding/v1/hls', record.keys.live) + LIVE_REGION_PATH)


def live_playlist_url(record: BroadcastRecord, base: str, field: str) -> str:
    """The live playlist URL of ``field`` (``hls_url``, ``lhls_url`` or ``lhlsweb_url``)."""
    return '%s%s/%s?type=live' % (base, live_dir(record), LIVE_PLAYLISTS[field])


def playlist_name(record: BroadcastRecord) -> str:
    """``playlist_<19 digits>.m3u8``: the replay playlist's file name."""
    return 'playlist_%s.m3u8' % record.keys.playlist


def segment_name(record: BroadcastRecord, index: int) -> str:
    """``chunk_<start in ns>_<index>_a.ts``."""
    return 'chunk_%019d_%d_a.ts' % (max(0, round(record.start * 1e9)), index)


def _variant_dir(record: BroadcastRecord, variant: Variant, stream_dir: str) -> str:
    """Where a variant's segments (and media playlist) live: the stream's own directory for a
    single rendition, a subdirectory per variant under a master playlist."""
    return '%s/%s' % (stream_dir, variant.name) if record.master else stream_dir


def segment_path(record: BroadcastRecord, index: int, *, live: bool = False,
                 variant: Variant | None = None) -> str:
    """The path of segment ``index`` of ``variant`` (default: the best) as replay or live."""
    stream_dir = live_dir(record) if live else replay_dir(record)
    chosen = variant or best_variant(record)
    return '%s/%s' % (_variant_dir(record, chosen, stream_dir), segment_name(record, index))


def _program_date_time(record: BroadcastRecord, index: int, duration: float) -> str:
    """When segment ``index`` was recorded: ``2016-12-12T18:41:09.286Z``."""
    moment = datetime.fromtimestamp(record.start, timezone.utc) + timedelta(
        seconds=index * duration)
    return moment.isoformat(timespec='milliseconds').replace('+00:00', 'Z')


class _Uris:
    """URIs as a playlist at ``playlist_dir`` writes them: absolute or relative to itself."""

    def __init__(self, record: BroadcastRecord, base: str, playlist_dir: str) -> None:
        self.absolute = record.absolute_uris
        self.base = base
        self.playlist_dir = playlist_dir

    def __call__(self, path: str) -> str:
        if self.absolute:
            return self.base + path
        return posixpath.relpath(path, self.playlist_dir)


def _key_line(record: BroadcastRecord, uri: _Uris, stream_dir: str) -> list[str]:
    if not record.encrypted:
        return []
    key_uri = uri(stream_dir + '/key')
    return ['#EXT-X-KEY:METHOD=AES-128,URI="%s",IV=0x%s' % (key_uri, aes_iv(record.id).hex())]


def media_playlist(record: BroadcastRecord, variant: Variant, base: str, *, live: bool = False,
                   first: int = 0, stop: int | None = None, ended: bool = True) -> str:
    """A media playlist of segments ``first`` .. ``stop - 1``, in Periscope's style: version 6,
    independent segments, a program date-time before every segment.

    :param base: the server's base URL, used for absolute URIs.
    :param live: the live playlist (in the live directory; no ``PLAYLIST-TYPE``) rather than
        the replay (``VOD``).
    :param ended: add ``#EXT-X-ENDLIST`` (a replay, or a live broadcast that finished).
    """
    stop = record.segments if stop is None else stop
    duration = segment_duration(record)
    stream_dir = live_dir(record) if live else replay_dir(record)
    segment_dir = _variant_dir(record, variant, stream_dir)
    uri = _Uris(record, base, stream_dir if live else segment_dir)
    lines = ['#EXTM3U', '#EXT-X-VERSION:6',
             '#EXT-X-TARGETDURATION:%d' % max(1, math.ceil(duration)),
             '#EXT-X-MEDIA-SEQUENCE:%d' % first]
    if not live:
        lines.append('#EXT-X-PLAYLIST-TYPE:VOD')
    lines.append('#EXT-X-INDEPENDENT-SEGMENTS')
    lines.extend(_key_line(record, uri, stream_dir))
    for index in range(first, stop):
        lines.append('#EXT-X-PROGRAM-DATE-TIME:' + _program_date_time(record, index, duration))
        lines.append('#EXTINF:%.3f,' % duration)
        lines.append(uri('%s/%s' % (segment_dir, segment_name(record, index))))
    if ended:
        lines.append('#EXT-X-ENDLIST')
    return '\n'.join(lines) + '\n'


def master_playlist(record: BroadcastRecord, base: str) -> str:
    """A master playlist listing every variant's media playlist."""
    stream_dir = replay_dir(record)
    uri = _Uris(record, base, stream_dir)
    lines = ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-INDEPENDENT-SEGMENTS']
    for variant in variants(record):
        lines.append('#EXT-X-STREAM-INF:BANDWIDTH=%d,RESOLUTION=%s,CODECS="avc1.42c01e,mp4a.40.2"'
                     % (variant.bandwidth, variant.resolution))
        lines.append(uri('%s/%s' % (_variant_dir(record, variant, stream_dir),
                                    playlist_name(record))))
    return '\n'.join(lines) + '\n'


def live_window(record: BroadcastRecord, available: int) -> tuple[int, int]:
    """The (first, stop) segment indexes a live playlist shows when ``available`` exist."""
    assert record.live is not None
    return max(0, available - record.live.window), available
