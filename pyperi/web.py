"""Read Periscope's responses: the page ``data-store``, its session tokens, JSON bodies.

Periscope's pages carry their state as HTML-escaped JSON in the ``data-store``
attribute of the element whose id is ``page-container``. Pages run from 10 KB
to over a megabyte, so the element is found with a light scan of its start
tag; a full ``html.parser`` pass is only the fallback for odd markup.
"""
from __future__ import annotations

import html as htmllib
import json
import re
from html.parser import HTMLParser
from typing import Any

import requests

from .checks import check_mapping, check_optional_str, check_str
from .exceptions import PyPeriResponseError

__all__ = ['TOKEN_NAMES', 'body_text', 'extract_data_store', 'json_object', 'session_tokens']

#: The public session tokens a user page hands out.
TOKEN_NAMES = ('broadcastHistory', 'serviceToken', 'thumbnailPlaylist')

_CONTAINER_ID = 'page-container'
_BOM = '\ufeff'
_TAG_NAME = re.compile(r'<[A-Za-z][A-Za-z0-9:-]*')
_ATTRIBUTE = re.compile(
    r'''[\s/]*([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?''')
_TAG_END = re.compile(r'[\s/]*>')


# What HTML escapers emit, '&amp;' last so that '&amp;quot;' stays '&quot;'.
_COMMON_ENTITIES = (('&quot;', '"'), ('&#34;', '"'), ('&#39;', "'"), ('&#x27;', "'"),
                    ('&lt;', '<'), ('&gt;', '>'), ('&amp;', '&'))
_UNCOMMON_ENTITY = re.compile(r'&(?!(?:quot|#34|#39|#x27|lt|gt|amp);)')


def _unescape(value: str) -> str:
    """``html.unescape``, with a fast path when only the common entities occur.

    A megabyte of escaped JSON holds a hundred thousand ``&quot;``; plain
    string replacement is several times faster than the general decoder.
    """
    if '&' not in value:
        return value
    if _UNCOMMON_ENTITY.search(value):
        return htmllib.unescape(value)
    for entity, char in _COMMON_ENTITIES:
        if entity in value:
            value = value.replace(entity, char)
    return value


def _start_tag_attributes(page: str, start: int) -> dict[str, str] | None:
    """Attributes of the start tag at ``page[start]``, unescaped; None if it is not one."""
    match = _TAG_NAME.match(page, start)
    if not match:
        return None
    attributes: dict[str, str] = {}
    pos = match.end()
    while True:
        match = _ATTRIBUTE.match(page, pos)
        if not match:
            break
        name = match.group(1).lower()
        if name not in attributes:  # as in browsers, the first of a repeated attribute wins
            raw = next((g for g in match.group(2, 3, 4) if g is not None), '')
            attributes[name] = _unescape(raw)
        pos = match.end()
    return attributes if _TAG_END.match(page, pos) else None


class _ContainerFinder(HTMLParser):
    """Full-parse fallback: remembers the attributes of the page-container element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attributes: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.attributes is None:
            found = {name: value or '' for name, value in attrs}
            if found.get('id', '').strip() == _CONTAINER_ID:
                self.attributes = found


def _in_comment(page: str, pos: int) -> bool:
    """Whether ``page[pos]`` lies inside an ``<!-- -->`` comment."""
    opened = page.rfind('<!--', 0, pos)
    return opened != -1 and page.find('-->', opened + 4, pos) == -1


def _container_attributes(page: str) -> dict[str, str] | None:
    pos = page.find(_CONTAINER_ID)
    if pos == -1:
        return None
    while pos != -1:
        start = page.rfind('<', 0, pos)
        attributes = _start_tag_attributes(page, start) \
            if start != -1 and not _in_comment(page, start) else None
        if attributes is not None and attributes.get('id', '').strip() == _CONTAINER_ID:
            return attributes
        pos = page.find(_CONTAINER_ID, pos + 1)
    finder = _ContainerFinder()
    finder.feed(page)
    finder.close()
    return finder.attributes


def extract_data_store(page: str) -> dict[str, Any]:
    """Decode the ``data-store`` of the ``page-container`` element of an HTML page.

    :raises PyPeriResponseError: the element or its attribute is missing, or
        the attribute is not a JSON object.
    """
    if not isinstance(page, str):
        raise TypeError(f'page must be a str, not {type(page).__name__}')
    attributes = _container_attributes(page)
    if attributes is None:
        raise PyPeriResponseError(
            f'expected an element with id="{_CONTAINER_ID}" in the page, '
            f'found none in {len(page)} characters')
    raw = attributes.get('data-store')
    if raw is None:
        raise PyPeriResponseError(
            f'expected a data-store attribute on the {_CONTAINER_ID} element, found only '
            f'{sorted(attributes)}')
    return json_object(raw, 'the data-store attribute')


def body_text(response: requests.Response) -> str:
    """A response body as text: UTF-8 (JSON, playlists and Periscope's pages are) unless
    the server names a charset; requests would guess, slowly, or assume Latin-1.

    :raises TypeError: ``response`` is not a ``requests.Response``.
    """
    if not isinstance(response, requests.Response):
        raise TypeError(f'response must be a requests.Response, not {type(response).__name__}')
    if 'charset=' not in response.headers.get('Content-Type', '').lower():
        # utf-8-sig drops a byte-order mark, as Response.json() (which 0.2.0 used) did.
        return response.content.decode('utf-8-sig', errors='replace')
    return response.text.removeprefix(_BOM)


def json_object(text: str, source: str) -> dict[str, Any]:
    """``text`` decoded as a JSON object; PyPeriResponseError saying what came otherwise.

    :param source: where the text came from, for the message.
    :raises TypeError: ``text`` or ``source`` is not a ``str``.
    """
    check_str(text, 'text')
    check_str(source, 'source')
    try:
        data = json.loads(text.removeprefix(_BOM))
    except (ValueError, RecursionError) as error:  # RecursionError: absurdly deep nesting
        raise PyPeriResponseError(
            f'expected JSON from {source}, got {text[:60]!r} ({error})') from None
    if not isinstance(data, dict):
        raise PyPeriResponseError(
            f'expected a JSON object from {source}, got {type(data).__name__}')
    return data


def _lookup(data: Any, *keys: str) -> Any:
    """``data[k1][k2]...``, or PyPeriResponseError naming the missing path."""
    for depth, key in enumerate(keys):
        if not isinstance(data, dict) or key not in data:
            path = '.'.join(keys[:depth + 1])
            raise PyPeriResponseError(f'expected {path} in the page data-store, it is missing')
        data = data[key]
    return data


def _cached_users(data_store: dict[str, Any]) -> dict[str, Any]:
    """``UserCache.users`` (``{id: {"timestamp": ..., "user": {...}}}``), or {} if unreadable."""
    cache = data_store.get('UserCache')
    users = cache.get('users') if isinstance(cache, dict) else None
    return users if isinstance(users, dict) else {}


def _cached_user_id(users: dict[str, Any], username: str | None) -> Any:
    """The id of ``username`` in ``UserCache.users``, or of its only user; None otherwise."""
    if username is not None:
        for key, entry in users.items():
            user = entry.get('user') if isinstance(entry, dict) else None
            if isinstance(user, dict) and str(user.get('username')).lower() == username.lower():
                return user.get('id') or key
    return next(iter(users)) if len(users) == 1 else None


def _page_user_id(data_store: dict[str, Any], user_id: str | None,
                  username: str | None) -> str:
    """The id of the user a page is about.

    2016 pages name it in ``Tracking.userId``; 2019 (pscp.tv) pages have no ``Tracking``, so
    the id is the one the page was fetched for (``/u/<id>``), else the ``UserCache`` entry
    whose username is the one the page was fetched for (the cache may hold several users),
    else the cache's only user.
    """
    tracking = data_store.get('Tracking')
    found = tracking.get('userId') if isinstance(tracking, dict) else None
    users: dict[str, Any] = {}
    if found in (None, ''):
        users = _cached_users(data_store)
        found = user_id or _cached_user_id(users, username)
    if isinstance(found, bool) or not isinstance(found, (str, int)) or found == '':
        named = f' named {username!r}' if username is not None else ''
        raise PyPeriResponseError(
            'expected Tracking.userId, or the page\'s user in UserCache.users, in the page '
            f'data-store; found no Tracking.userId and {len(users)} cached users, none{named} '
            'to choose')
    return str(found)


def session_tokens(data_store: dict[str, Any], *, user_id: str | None = None,
                   username: str | None = None) -> dict[str, str]:
    """The public session tokens and the page's user id from a decoded data-store.

    Returns a dict with the keys of :data:`TOKEN_NAMES` and ``user_id``. Each token is
    ``SessionToken.public.<name>.token.session_id``; its ``expiry`` (epoch ms, beside
    ``token`` on real pages, inside it on some copies) is not needed: tokens are fetched
    afresh for each use. The id comes from ``Tracking.userId`` (2016 pages); a page without
    it (2019 pscp.tv pages) falls back to the ``user_id`` the page was fetched for, then to
    ``username``'s entry in ``UserCache.users``, then to that cache's only user.

    :param user_id: the id the page was fetched for (``/u/<id>``), if any.
    :param username: the username the page was fetched for (``/<username>``), if any.
    :raises PyPeriResponseError: a token or the user id is missing.
    :raises TypeError: ``data_store`` is not a dict, ``user_id`` or ``username`` neither a
        ``str`` nor None.
    """
    check_mapping(data_store, 'data_store')
    check_optional_str(user_id, 'user_id')
    check_optional_str(username, 'username')
    tokens: dict[str, str] = {}
    for name in TOKEN_NAMES:
        value = _lookup(data_store, 'SessionToken', 'public', name, 'token', 'session_id')
        if not isinstance(value, str) or not value:
            raise PyPeriResponseError(
                f'expected SessionToken.public.{name}.token.session_id to be a non-empty '
                f'string, got {type(value).__name__}')
        tokens[name] = value
    tokens['user_id'] = _page_user_id(data_store, user_id, username)
    return tokens
