"""HLS playlists and deterministic segment bytes for the fake Periscope, generated on the fly."""

from __future__ import annotations

import hashlib
import importlib.util
import math
import random
from dataclasses import dataclass
from typing import Iterable, Iterator

from pyperi.testing.store import BroadcastRecord

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


def _segment_uri(record: BroadcastRecord, variant: Variant, index: int, base: str,
                 from_variant_dir: bool) -> str:
    name = 'chunk_%d.ts' % index
    if record.absolute_uris:
        return '%s/hls/%s/%s/%s' % (base, record.id, variant.name, name)
    return name if from_variant_dir else '%s/%s' % (variant.name, name)


def _key_line(record: BroadcastRecord, base: str, from_variant_dir: bool) -> list[str]:
    if not record.encrypted:
        return []
    if record.absolute_uris:
        uri = '%s/hls/%s/key' % (base, record.id)
    else:
        uri = '../key' if from_variant_dir else 'key'
    return ['#EXT-X-KEY:METHOD=AES-128,URI="%s",IV=0x%s' % (uri, aes_iv(record.id).hex())]


def media_playlist(record: BroadcastRecord, variant: Variant, base: str, *,
                   first: int = 0, stop: int | None = None, ended: bool = True,
                   from_variant_dir: bool = True) -> str:
    """A media playlist of segments ``first`` .. ``stop - 1``.

    :param base: the server's base URL, used for absolute URIs.
    :param ended: add ``#EXT-X-ENDLIST`` (a replay, or a live broadcast that finished).
    :param from_variant_dir: URIs relative to ``/hls/<id>/<variant>/`` (else ``/hls/<id>/``).
    """
    stop = record.segments if stop is None else stop
    duration = segment_duration(record)
    lines = ['#EXTM3U', '#EXT-X-VERSION:3',
             '#EXT-X-TARGETDURATION:%d' % max(1, math.ceil(duration)),
             '#EXT-X-MEDIA-SEQUENCE:%d' % first]
    if ended and record.live is None:
        lines.append('#EXT-X-PLAYLIST-TYPE:VOD')
    lines.extend(_key_line(record, base, from_variant_dir))
    for index in range(first, stop):
        lines.append('#EXTINF:%.3f,' % duration)
        lines.append(_segment_uri(record, variant, index, base, from_variant_dir))
    if ended:
        lines.append('#EXT-X-ENDLIST')
    return '\n'.join(lines) + '\n'


def master_playlist(record: BroadcastRecord, base: str) -> str:
    """A master playlist listing every variant's media playlist."""
    lines = ['#EXTM3U', '#EXT-X-VERSION:3']
    for variant in variants(record):
        lines.append('#EXT-X-STREAM-INF:BANDWIDTH=%d,RESOLUTION=%s,CODECS="avc1.42c01e,mp4a.40.2"'
                     % (variant.bandwidth, variant.resolution))
        if record.absolute_uris:
            lines.append('%s/hls/%s/%s/playlist.m3u8' % (base, record.id, variant.name))
        else:
            lines.append('%s/playlist.m3u8' % variant.name)
    return '\n'.join(lines) + '\n'


def live_window(record: BroadcastRecord, available: int) -> tuple[int, int]:
    """The (first, stop) segment indexes a live playlist shows when ``available`` exist."""
    assert record.live is not None
    return max(0, available - record.live.window), available
