"""Reading a stream's media playlist: a master playlist is resolved to its best variant."""
from __future__ import annotations

import logging

import requests

from .. import hls
from ..bodies import iter_body
from ..deadline import Deadline
from ..exceptions import (
    PyPeriDownloadError,
    PyPeriEncryptedStreamError,
    PyPeriResponseError,
    PyPeriResponseTooLargeError,
)
from .fetching import get_following_redirects
from .protocol import ReplayClient
from .streams import AccessCookies

__all__ = ['MAX_MASTER_DEPTH', 'MAX_PLAYLIST_BYTES', 'MAX_PLAYLIST_SEGMENTS', 'read_playlist',
           'PlaylistReader']

logger = logging.getLogger(__name__)

#: Master playlists pointing at master playlists are followed this deep.
MAX_MASTER_DEPTH = 3
#: The largest playlist read, in bytes (decoded, if the server compressed it). A replay
#: playlist of Periscope's takes about 210 bytes per 3-second segment: this is room for
#: some 150,000 segments, more than 100 hours.
MAX_PLAYLIST_BYTES = 32 * 1024 * 1024
#: The most segments a playlist may list (about 83 hours of 3-second segments). The
#: parser needs about 2.5 KB of memory per segment, so this bounds memory too.
MAX_PLAYLIST_SEGMENTS = 100_000


def read_playlist(response: requests.Response, url: str, deadline: Deadline | None = None
                  ) -> str:
    """The body of ``response`` as text, read in chunks and never past the size cap.

    Playlists are UTF-8 (RFC 8216); a byte-order mark is dropped, undecodable bytes
    are replaced. The response is closed.

    :param deadline: the playlist's deadline (that of its request), kept by every read.
    :raises PyPeriResponseTooLargeError: the body is larger than
        :data:`MAX_PLAYLIST_BYTES` (the message names the URL, without its query, and
        the limit).
    :raises PyPeriResponseError: it lists more than :data:`MAX_PLAYLIST_SEGMENTS`
        segments, or cannot be decoded.
    :raises PyPeriConnectionError: the body was cut off.
    :raises PyPeriTimeout: it stalled, or the deadline passed.
    """
    shown = hls.display_url(url)
    body = bytearray()
    try:
        for chunk in iter_body(response, deadline=deadline, url=shown):
            if len(body) + len(chunk) > MAX_PLAYLIST_BYTES:
                raise PyPeriResponseTooLargeError(
                    f'the playlist {shown} is larger than {MAX_PLAYLIST_BYTES} bytes '
                    f'(pyperi.replay.MAX_PLAYLIST_BYTES); not read further',
                    url=shown, limit=MAX_PLAYLIST_BYTES)
            body += chunk
    finally:
        response.close()   # iter_body closes it at the end; this, when stopped early
    text = body.decode('utf-8-sig', errors='replace')
    segments = text.count('#EXTINF')
    if segments > MAX_PLAYLIST_SEGMENTS:
        raise PyPeriResponseError(
            f'the playlist {shown} lists {segments} segments, more than '
            f'{MAX_PLAYLIST_SEGMENTS} (pyperi.replay.MAX_PLAYLIST_SEGMENTS)')
    return text


def _writable(media: hls.MediaPlaylist, url: str) -> hls.MediaPlaylist:
    """``media``, if its segments can be concatenated into one plain ``.ts`` file."""
    if media.encryption:
        raise PyPeriEncryptedStreamError(
            f'the stream is encrypted ({media.encryption}); pyperi cannot '
            f'download encrypted playlists: {hls.display_url(url)}')
    if media.unsupported:
        raise PyPeriDownloadError(
            f'the playlist uses {", ".join(media.unsupported)}, which pyperi cannot '
            f'write into one .ts file: {hls.display_url(url)}')
    return media


class PlaylistReader:
    """Fetches and parses a stream's playlists, sending the access cookies where they belong."""

    def __init__(self, client: ReplayClient, cookies: AccessCookies) -> None:
        self.client = client
        self.cookies = cookies

    def media(self, url: str) -> hls.MediaPlaylist | None:
        """The media playlist at ``url`` (a master is resolved to its best variant); None if 404.

        :raises PyPeriEncryptedStreamError: the segments are encrypted.
        :raises PyPeriDownloadError: the playlist uses features one ``.ts`` file cannot hold.
        :raises PyPeriResponseError: not a playlist, larger than :data:`MAX_PLAYLIST_BYTES`
            (:class:`~pyperi.PyPeriResponseTooLargeError`) or
            :data:`MAX_PLAYLIST_SEGMENTS`, or masters nested too deep.
        :raises PyPeriTimeout: the playlist did not come whole within the client's
            deadline (its redirects included).
        :raises PyPeriDownloadError: a redirect refused (see
            :func:`~pyperi.replay.fetching.get_following_redirects`).
        """
        for _ in range(MAX_MASTER_DEPTH):
            deadline = Deadline(self.client.deadline)   # one per playlist, hops and body
            response = get_following_redirects(self.client, url, self.cookies,
                                               deadline=deadline)
            if response is None:
                return None
            final_url = response.url or url
            parsed = hls.parse_playlist(read_playlist(response, final_url, deadline), final_url)
            if isinstance(parsed, hls.MediaPlaylist):
                return _writable(parsed, url)
            variant = parsed.best()
            logger.debug('master playlist: chose %s (bandwidth %s, resolution %s)',
                         hls.display_url(variant.url), variant.bandwidth, variant.resolution)
            url = variant.url
        raise PyPeriResponseError(
            f'expected a media playlist within {MAX_MASTER_DEPTH} master playlists, '
            f'got only masters: {hls.display_url(url)}')
