"""Reading a stream's media playlist: a master playlist is resolved to its best variant."""
from __future__ import annotations

import logging

from .. import hls, web
from ..exceptions import PyPeriDownloadError, PyPeriEncryptedStreamError, PyPeriResponseError
from .protocol import ReplayClient
from .streams import AccessCookies

__all__ = ['MAX_MASTER_DEPTH', 'PlaylistReader']

logger = logging.getLogger(__name__)

#: Master playlists pointing at master playlists are followed this deep.
MAX_MASTER_DEPTH = 3


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
        :raises PyPeriResponseError: not a playlist, or masters nested too deep.
        """
        for _ in range(MAX_MASTER_DEPTH):
            response = self.client.http_get(url, stream=False, cookies=self.cookies.for_url(url))
            if response is None:
                return None
            parsed = hls.parse_playlist(web.body_text(response), response.url or url)
            if isinstance(parsed, hls.MediaPlaylist):
                return _writable(parsed, url)
            variant = parsed.best()
            logger.debug('master playlist: chose %s (bandwidth %s, resolution %s)',
                         hls.display_url(variant.url), variant.bandwidth, variant.resolution)
            url = variant.url
        raise PyPeriResponseError(
            f'expected a media playlist within {MAX_MASTER_DEPTH} master playlists, '
            f'got only masters: {hls.display_url(url)}')
