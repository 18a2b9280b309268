"""Canonical capture keys: the form two URLs share when an archive should treat them as one.

A key is SURT-like (``tv,periscope)/george_clinton``): the host reversed and
comma-joined, then the path and the sorted query. Scheme, host case, a default
port, ``www.``, the fragment and *volatile* query parameters (tokens that
change on every visit, such as ``session_id``) are left out, and the Periscope
web site's host names (``periscope.tv``, ``www.periscope.tv``, ``pscp.tv``,
``www.pscp.tv``) are one site. Path and query keep their case: broadcast ids
are case-sensitive. Pure functions, no I/O.
"""
from __future__ import annotations

import functools
import re
from typing import AbstractSet, Iterable
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from .. import checks

__all__ = [
    'VOLATILE_PARAMS',
    'SITE_ALIASES',
    'canonical_key',
    'display_url',
    'path_of',
    'query_params',
    'volatile_params',
]

#: Query parameters ignored when matching, by default: Periscope's short-lived page tokens.
VOLATILE_PARAMS: frozenset[str] = frozenset({'session_id'})

#: Host names that served one site, mapped to the name keys use for it.
SITE_ALIASES = {
    'periscope.tv': 'periscope.tv',
    'www.periscope.tv': 'periscope.tv',
    'pscp.tv': 'periscope.tv',
    'www.pscp.tv': 'periscope.tv',
}

_DEFAULT_PORTS = {'http': 80, 'https': 443}
# Characters left unescaped in keys: those a browser leaves alone in a path or a query value.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_QUERY_SAFE = ":@!$'()*,;/?-._~"
# URLs that need no decoding or quoting (most of what crawlers write): keyed by string work alone.
_SIMPLE_URL = re.compile(r"(https?)://([a-z0-9.-]+)(/[A-Za-z0-9/:@!$&'()*+,;=._~-]*)?"
                         r"(?:\?([A-Za-z0-9=&:@!$'()*,;/?._~-]*))?")


def volatile_params(extra: Iterable[str] | None = None) -> frozenset[str]:
    """:data:`VOLATILE_PARAMS` plus ``extra`` (parameter names, compared case-insensitively).

    :raises TypeError: ``extra`` is a single string, not iterable, or holds something else
        than strings.
    :raises ValueError: ``extra`` holds an empty name.
    """
    if extra is None:
        return VOLATILE_PARAMS
    names = checks.check_items(extra, 'ignore_params', checks.check_str)
    empty = [index for index, name in enumerate(names) if not name]
    if empty:
        raise ValueError(f'ignore_params[{empty[0]}] must be a non-empty parameter name')
    return VOLATILE_PARAMS | {name.lower() for name in names}


@functools.lru_cache(maxsize=1024)   # a crawl has few hosts and many URLs
def _host_part(host: str) -> str:
    """``www.periscope.tv`` -> ``tv,periscope``: the alias resolved, ``www.`` dropped, reversed."""
    host = SITE_ALIASES.get(host, host)
    if host.startswith('www.'):
        host = host[4:]
    return ','.join(reversed(host.split('.')))


def _normal_path(path: str) -> str:
    """``path`` with one percent-encoding for every character (``%7E`` and ``~`` agree)."""
    return quote(unquote(path) if '%' in path else path, safe=_PATH_SAFE)


def query_params(query: str, ignore: AbstractSet[str] = VOLATILE_PARAMS) -> list[tuple[str, str]]:
    """A query string's ``(name, value)`` pairs, normalised and sorted, volatile ones left out."""
    pairs = parse_qsl(query, keep_blank_values=True)
    return sorted((quote(name, safe=_QUERY_SAFE), quote(value, safe=_QUERY_SAFE))
                  for name, value in pairs if name.lower() not in ignore)


def canonical_key(url: str, ignore: AbstractSet[str] = VOLATILE_PARAMS) -> str:
    """The key under which captures of ``url`` are filed.

    >>> from pyperi.archive import canonical_key
    >>> canonical_key('https://WWW.pscp.tv/george_clinton?b=2&a=1')
    'tv,periscope)/george_clinton?a=1&b=2'
    >>> canonical_key('https://api.periscope.tv:443/api/v2/x?user_id=1&session_id=abc')
    'tv,periscope,api)/api/v2/x?user_id=1'

    :param ignore: query parameter names (lowercase) to leave out.
    :raises ValueError: ``url`` is not an absolute http(s) URL.
    """
    if not isinstance(url, str):
        raise TypeError(f'url must be a str, not {type(url).__name__}')
    simple = _SIMPLE_URL.fullmatch(url)
    if simple is not None:
        return _simple_key(simple, ignore)
    return _general_key(url, ignore)


def _general_key(url: str, ignore: AbstractSet[str]) -> str:
    """:func:`canonical_key` of any URL: split, decoded and quoted again."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or '').rstrip('.')
        port = parts.port
    except ValueError:
        raise ValueError(f'not an http(s) URL: {url!r}') from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not host:
        raise ValueError(f'not an http(s) URL: {url!r}')
    key = _host_part(host)
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        key += f':{port}'
    key += ')' + (_normal_path(parts.path) or '/')
    if parts.query:
        params = query_params(parts.query, ignore)
        if params:
            key += '?' + '&'.join(f'{name}={value}' for name, value in params)
    return key


def _simple_key(match: re.Match[str], ignore: AbstractSet[str]) -> str:
    """:func:`canonical_key` of a URL that :data:`_SIMPLE_URL` matched, without any quoting."""
    _, host, path, query = match.groups()
    key = _host_part(host.rstrip('.')) + ')' + (path or '/')
    if not query:
        return key
    if '&' not in query:   # one parameter, the usual API call
        name, _, value = query.partition('=')
        return key if name.lower() in ignore else f'{key}?{name}={value}'
    pairs = sorted([pair.partition('=')[::2] for pair in query.split('&')
                    if pair and pair.partition('=')[0].lower() not in ignore])
    if pairs:
        key += '?' + '&'.join([f'{name}={value}' for name, value in pairs])
    return key


def path_of(key: str) -> str:
    """The part of a key before its query: captures of one resource with other parameters."""
    return key.split('?', 1)[0]


def display_url(url: str, ignore: AbstractSet[str] = VOLATILE_PARAMS) -> str:
    """``url`` fit for messages and logs: the values of volatile parameters replaced."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(name.lower() in ignore for name, _ in pairs):
        return url
    query = '&'.join(f'{name}=<redacted>' if name.lower() in ignore else f'{name}={value}'
                     for name, value in pairs)
    return parts._replace(query=query).geturl()
