"""Pure HLS playlist handling for replay downloads: parse, pick a variant, list segments."""
from __future__ import annotations

import re
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from .checks import check_str, shown
from .exceptions import PyPeriResponseError

__all__ = [
    'INSTALL_HINT',
    'Variant',
    'MasterPlaylist',
    'Segment',
    'MediaPlaylist',
    'import_m3u8',
    'parse_playlist',
    'display_url',
]

INSTALL_HINT = 'pip install "pyperi[download]"'


def import_m3u8() -> ModuleType:
    """Import the optional ``m3u8`` parser, or raise ImportError saying how to install it."""
    try:
        import m3u8
    except ImportError as exc:
        raise ImportError(
            f'downloading broadcasts needs the m3u8 package; install it with: {INSTALL_HINT}'
        ) from exc
    module: ModuleType = m3u8
    return module


def display_url(url: str) -> str:
    """``url`` without its query and fragment, fit for messages and logs.

    Stream URLs can carry signed query strings, which must not leak into logs.
    A text that does not split as a URL (an unclosed ``[``) is shown up to its ``?``.

    :raises TypeError: ``url`` is not a ``str``.
    """
    check_str(url, 'url')
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.split('?', 1)[0].split('#', 1)[0]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, '', ''))


@dataclass(frozen=True)
class Variant:
    """One entry of a master playlist."""

    url: str
    bandwidth: int
    resolution: tuple[int, int] | None

    @property
    def rank(self) -> tuple[int, int]:
        """Sort key: bandwidth first, then pixel count."""
        width, height = self.resolution or (0, 0)
        return (self.bandwidth, width * height)


@dataclass(frozen=True)
class MasterPlaylist:
    """A master (variant) playlist: only links to media playlists."""

    url: str
    variants: tuple[Variant, ...]

    def best(self) -> Variant:
        """The variant with the highest BANDWIDTH, then the highest resolution."""
        if not self.variants:
            raise PyPeriResponseError(
                f'expected variants in the master playlist {display_url(self.url)}, found none')
        # max() keeps the first of equal ranks, so ties go to the playlist's own order.
        return max(self.variants, key=lambda variant: variant.rank)


@dataclass(frozen=True)
class Segment:
    """A media segment: its media sequence number and absolute URL."""

    sequence: int
    url: str
    duration: float


@dataclass(frozen=True)
class MediaPlaylist:
    """A media playlist.

    ``encryption`` is the EXT-X-KEY method (e.g. ``'AES-128'``) if segments are
    encrypted, else None. ``unsupported`` names features that cannot be written as
    one plain ``.ts`` by concatenation (EXT-X-BYTERANGE, EXT-X-MAP).
    """

    url: str
    segments: tuple[Segment, ...]
    target_duration: float | None
    media_sequence: int
    ended: bool
    encryption: str | None = None
    unsupported: tuple[str, ...] = ()


# An absolute http(s) URL that urljoin returns unchanged: no parameters, fragment or empty query.
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?"
                        r"(?:/[A-Za-z0-9._~%/=+,:@!$&'()*-]*)?(?:\?[^\s#;]+)?")


def _absolute(base: str, uri: str | None) -> str:
    """Resolve ``uri`` against ``base``; only http(s) URLs may come out."""
    if not isinstance(uri, str) or not uri.strip():
        raise PyPeriResponseError(
            f'expected a URI after each #EXTINF in the HLS playlist {display_url(base)}, '
            f'found none')
    uri = uri.strip()
    if uri.startswith(('https://', 'http://')) and _PLAIN_URL.fullmatch(uri):
        # Periscope's replay URIs are absolute: urljoin would return them as they are,
        # at a quarter of a 7,000-segment playlist's parse time.
        return uri
    try:
        url = urljoin(base, uri)
        scheme = urlsplit(url).scheme
    except ValueError:   # e.g. an unclosed IPv6 bracket
        scheme = ''
    if scheme not in ('http', 'https'):
        raise PyPeriResponseError(
            f'expected http(s) URIs in the HLS playlist {display_url(base)}, got {uri[:60]!r}')
    return url


def _encryption(keys: list[Any]) -> str | None:
    for key in keys:
        method = getattr(key, 'method', None)
        if method and str(method).upper() != 'NONE':
            return str(method)
    return None


def parse_playlist(text: str, url: str) -> MasterPlaylist | MediaPlaylist:
    """Parse an HLS playlist fetched from ``url``; relative URIs are resolved against ``url``.

    :raises PyPeriResponseError: if ``text`` is not an HLS playlist.
    :raises ImportError: if the optional ``m3u8`` package is missing.
    :raises TypeError: ``text`` or ``url`` is not a ``str``.
    :raises ValueError: ``url`` is not a URL.
    """
    parsed = _load(text, url)
    if parsed.is_variant:
        return _master(parsed, url)
    return _media(parsed, url)


def _load(text: str, url: str) -> Any:
    """``text`` read by the m3u8 package, after checking the arguments and the header."""
    check_str(text, 'text')
    try:
        urlsplit(check_str(url, 'url'))
    except ValueError as error:
        raise ValueError(f'url is not a URL: {shown(url)} ({error})') from None
    m3u8 = import_m3u8()
    if not text.lstrip('\ufeff \t\r\n').startswith('#EXTM3U'):
        raise PyPeriResponseError(
            f'expected an HLS playlist (#EXTM3U) from {display_url(url)}, got {text[:60]!r}')
    try:
        # m3u8 raises bare KeyError/IndexError/TypeError on some broken tags, not only ParseError.
        return m3u8.loads(text)
    except (m3u8.ParseError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise PyPeriResponseError(
            f'unreadable HLS playlist from {display_url(url)}: {exc!r}') from None


def _master(parsed: Any, url: str) -> MasterPlaylist:
    variants = tuple(
        Variant(url=_absolute(url, item.uri), bandwidth=int(item.stream_info.bandwidth or 0),
                resolution=item.stream_info.resolution)
        for item in parsed.playlists if item.uri
    )
    return MasterPlaylist(url=url, variants=variants)


def _unsupported(parsed: Any) -> tuple[str, ...]:
    """Features that cannot be written as one plain ``.ts`` by concatenation."""
    found = []
    if any(segment.byterange for segment in parsed.segments):
        found.append('EXT-X-BYTERANGE')
    if parsed.segment_map or any(segment.init_section for segment in parsed.segments):
        found.append('EXT-X-MAP')
    return tuple(found)


def _media(parsed: Any, url: str) -> MediaPlaylist:
    first = int(parsed.media_sequence or 0)
    segments = tuple(
        Segment(sequence=first + index, url=_absolute(url, segment.uri),
                duration=float(segment.duration or 0.0))
        for index, segment in enumerate(parsed.segments)
    )
    target = parsed.target_duration
    return MediaPlaylist(
        url=url,
        segments=segments,
        target_duration=float(target) if target else None,
        media_sequence=first,
        ended=bool(parsed.is_endlist),
        encryption=_encryption(list(parsed.keys) + list(parsed.session_keys)),
        unsupported=_unsupported(parsed),
    )
