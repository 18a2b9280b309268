"""Build, parse and validate Periscope URLs and ids; pure functions, no I/O."""
from __future__ import annotations

import re
from typing import Any, Mapping
from urllib.parse import quote, urlencode, urlsplit

from .checks import check_mapping, check_optional_str, check_str, check_text_of, shown

__all__ = [
    'DEFAULT_API_BASE_URL',
    'DEFAULT_WEB_BASE_URL',
    'validate_user_id',
    'validate_username',
    'validate_broadcast_id',
    'validate_endpoint',
    'user_url',
    'broadcast_url',
    'api_url',
    'parse_periscope_url',
    'parse_user_ref',
    'parse_broadcast_ref',
    'ROUTE_WORDS',
]

DEFAULT_API_BASE_URL = 'https://api.periscope.tv/api/v2'
DEFAULT_WEB_BASE_URL = 'https://www.periscope.tv'

#: Hosts that served Periscope pages, besides an instance's own web base host.
PERISCOPE_HOSTS = frozenset({'periscope.tv', 'www.periscope.tv', 'pscp.tv', 'www.pscp.tv'})

#: Longest user id and broadcast id accepted (Periscope's were 20 and 13 characters): an id
#: ends up in URLs and file names, so an absurd one is refused up front.
MAX_USER_ID_DIGITS = 64
MAX_BROADCAST_ID_LENGTH = 128

_USER_ID = re.compile(r'[0-9]+')
_USERNAME = re.compile(r'[A-Za-z0-9_]{1,64}')
_BROADCAST_ID = re.compile(r'[A-Za-z0-9_=-]+')
_ENDPOINT = re.compile(r'[A-Za-z][A-Za-z0-9_]*')
# First path segments that name a route rather than a user.
_RESERVED = frozenset({'w', 'u'})
#: Second path segments that name a page of a user, never a broadcast (``/<username>/follow``
#: was a page's ``followUrl``; ``card`` ends player-card URLs). Compared case-insensitively.
ROUTE_WORDS = frozenset({'follow', 'followers', 'following', 'card', 'embed', 'chat', 'share'})
#: Scheme of the Periscope app's deep links (``pscp://user/<name>``, ``pscp://broadcast/<id>``).
DEEP_LINK_SCHEME = 'pscp'


def _check(value: Any, name: str, pattern: re.Pattern[str], what: str,
           max_length: int | None = None) -> str:
    text = check_str(value, check_str(name, 'name'))
    if not pattern.fullmatch(text) or (max_length is not None and len(text) > max_length):
        raise ValueError(f'{name} must be {what}, got {shown(text)}')
    return text


def validate_user_id(user_id: Any, name: str = 'user_id') -> str:
    """Return ``user_id`` as a str of digits (at most 64); accepts str or int.

    :raises TypeError: ``user_id`` is neither a ``str`` nor an ``int``.
    :raises ValueError: it is not 1 to 64 digits.
    """
    what = f'1 to {MAX_USER_ID_DIGITS} digits'
    check_str(name, 'name')
    if isinstance(user_id, int) and not isinstance(user_id, bool):
        if not 0 <= user_id < 10 ** MAX_USER_ID_DIGITS:
            raise ValueError(f'{name} must be {what}, got {shown(user_id)}')
        return str(user_id)
    if not isinstance(user_id, str):
        raise TypeError(f'{name} must be a str or int, not {type(user_id).__name__}')
    return _check(user_id, name, _USER_ID, what, MAX_USER_ID_DIGITS)


def validate_username(username: Any, name: str = 'username') -> str:
    """Return ``username`` if it is 1-64 letters, digits or underscores.

    :raises TypeError: ``username`` is not a ``str``.
    :raises ValueError: it has another character or length.
    """
    return _check(username, name, _USERNAME, '1 to 64 letters, digits or underscores')


def validate_broadcast_id(broadcast_id: Any, name: str = 'broadcast_id') -> str:
    """Return ``broadcast_id`` if it is 1-128 letters, digits, ``_``, ``=`` or ``-``.

    :raises TypeError: ``broadcast_id`` is not a ``str``.
    :raises ValueError: it has another character or length.
    """
    return _check(broadcast_id, name, _BROADCAST_ID,
                  f'1 to {MAX_BROADCAST_ID_LENGTH} letters, digits, "_", "=" or "-"',
                  MAX_BROADCAST_ID_LENGTH)


def validate_endpoint(endpoint: Any) -> str:
    """Return ``endpoint`` if it is a plain API method name such as ``getUserPublic``.

    :raises TypeError: ``endpoint`` is not a ``str``.
    :raises ValueError: it is not a plain word.
    """
    return _check(endpoint, 'endpoint', _ENDPOINT, 'a plain word like "getUserPublic"')


def _base(base_url: Any, name: str) -> str:
    return check_str(base_url, name).rstrip('/')


def user_url(web_base_url: str, user_id: Any = None, username: Any = None) -> str:
    """URL of a user's page: ``{web}/u/{user_id}`` or ``{web}/{username}``.

    ``user_id`` wins when both are given.

    :raises TypeError: an argument has the wrong type (see the ``validate_*`` functions).
    :raises ValueError: neither is given, or one is not a valid id or name.
    """
    base = _base(web_base_url, 'web_base_url')
    if user_id is not None:
        return f'{base}/u/{validate_user_id(user_id)}'
    if username is not None:
        return f'{base}/{validate_username(username)}'
    raise ValueError('user_id or username is required')


def broadcast_url(web_base_url: str, broadcast_id: Any) -> str:
    """URL of a broadcast's page: ``{web}/w/{broadcast_id}``.

    :raises TypeError: ``web_base_url`` or ``broadcast_id`` is not a ``str``.
    :raises ValueError: ``broadcast_id`` is not a valid id.
    """
    return f'{_base(web_base_url, "web_base_url")}/w/{validate_broadcast_id(broadcast_id)}'


def _query_value(value: Any, name: str) -> str | bytes:
    """A query parameter's value as text: a str, bytes or number (whose text is taken)."""
    if isinstance(value, bytes):
        return value
    if not isinstance(value, (str, int, float)):
        raise TypeError(f'{name} must be a str, bytes or number, not {type(value).__name__}')
    text = value if isinstance(value, str) else check_text_of(value, name)
    if not text.isascii():
        try:
            text.encode('utf-8')
        except UnicodeEncodeError:
            raise ValueError(f'{name} is not valid Unicode (a lone surrogate?): '
                             f'{shown(text)}') from None
    return text


def api_url(api_base_url: str, endpoint: Any, params: Mapping[str, Any] | None = None) -> str:
    """URL of an API call: params sorted by name, ``None`` values dropped.

    :param params: query parameters; values are ``str``, ``bytes`` or numbers.
    :raises TypeError: an argument or a parameter's name or value has the wrong type.
    :raises ValueError: ``endpoint`` is not a plain word, or a text cannot be sent (a lone
        surrogate).
    """
    base = _base(api_base_url, 'api_base_url')
    url = f'{base}/{quote(validate_endpoint(endpoint))}'
    items = []
    for key, value in check_mapping({} if params is None else params, 'params').items():
        if value is not None:
            if not isinstance(key, str):
                raise TypeError(f'params names must be str, not {type(key).__name__}')
            items.append((_query_value(key, 'a params name'),
                          _query_value(value, f'params[{shown(key)}]')))
    query = urlencode(sorted(items))
    return f'{url}?{query}' if query else url


def _empty() -> dict[str, str | None]:
    return {'broadcast_id': None, 'user_id': None, 'username': None}


def _split(url: str, web_base_url: str | None) -> list[str] | None:
    """The path segments of a Periscope URL, or None when it is not one.

    A path alone (``/george_clinton``, ``/w/<id>``, as pages wrote in ``relativeUrl``) is
    read as relative to the web base; ``pscp://`` deep links are read by :func:`_deep_link`.
    """
    text = url.strip()
    if text.startswith('/') and not text.startswith('//'):
        return _segments(text)
    text = _with_scheme(text)
    try:
        parts = urlsplit(text)
        host = (parts.hostname or '').lower()
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ('http', 'https'):
        return None
    path = parts.path
    if host not in PERISCOPE_HOSTS or port not in (None, 80, 443):
        prefix = _own_prefix(web_base_url, host, port, path)
        if prefix is None:
            return None
        path = path[len(prefix):]
    return _segments(path)


def _with_scheme(text: str) -> str:
    """``text`` with ``https:`` added when it has no scheme (``//host/...``, ``host/...``)."""
    if text.startswith('//'):
        return 'https:' + text
    return text if '://' in text else 'https://' + text


def _segments(path: str) -> list[str]:
    return [segment for segment in path.split('/') if segment]


def _own_prefix(web_base_url: str | None, host: str, port: int | None, path: str) -> str | None:
    """The base URL's path prefix if ``host``/``port``/``path`` sit under it, else None."""
    if not web_base_url:
        return None
    try:
        base = urlsplit(web_base_url)
        base_host, base_port = (base.hostname or '').lower(), base.port
    except ValueError:
        return None
    prefix = base.path.rstrip('/')
    if (base_host, base_port) != (host, port):
        return None
    if path != prefix and not path.startswith(prefix + '/'):
        return None
    return prefix


def _deep_link(url: str) -> dict[str, str | None] | None:
    """``pscp://user/<username>`` or ``pscp://broadcast/<id>`` read; None if not a deep link."""
    text = url.strip()
    if not text.lower().startswith(DEEP_LINK_SCHEME + '://'):
        return None
    out = _empty()
    kind, _, rest = text[len(DEEP_LINK_SCHEME) + 3:].partition('/')
    value = rest.split('?', 1)[0].split('#', 1)[0].strip('/')
    if kind.lower() == 'user' and _USERNAME.fullmatch(value) and value.lower() not in _RESERVED:
        out['username'] = value
    elif kind.lower() == 'broadcast' and _BROADCAST_ID.fullmatch(value):
        out['broadcast_id'] = value
    return out


def _is_broadcast_id(segment: str) -> bool:
    return bool(_BROADCAST_ID.fullmatch(segment)) and segment.lower() not in ROUTE_WORDS


def _read_path(segments: list[str]) -> dict[str, str | None]:
    """The ids a Periscope web path names (see :func:`parse_periscope_url` for the forms)."""
    out = _empty()
    if not segments:
        return out
    first, rest = segments[0], segments[1:]
    route = first.lower()
    if route == 'w':
        if rest and _BROADCAST_ID.fullmatch(rest[0]):
            out['broadcast_id'] = rest[0]
    elif route == 'u':
        if len(rest) == 1 and _USER_ID.fullmatch(rest[0]):
            out['user_id'] = rest[0]
    elif len(rest) <= 1:
        out.update(_read_name_path(first, rest[0] if rest else None))
    return out


def _read_name_path(first: str, second: str | None) -> dict[str, str | None]:
    """``/<username>``, ``/<username>/<broadcast_id or route word>``, ``/<channel>/<id>``."""
    username = first if _USERNAME.fullmatch(first) else None
    if second is None:
        return {'username': username}
    if _is_broadcast_id(second):
        return {'username': username, 'broadcast_id': second}
    if second.lower() in ROUTE_WORDS:
        return {'username': username}
    return {}   # /<username>/<not an id>: not a form Periscope used


def parse_periscope_url(url: str, web_base_url: str | None = None) -> dict[str, str | None]:
    """Pull ``broadcast_id``, ``user_id`` and ``username`` out of a Periscope URL.

    Understands, on periscope.tv and pscp.tv (with or without ``www.``, http or
    https) and on ``web_base_url``'s host:

    * ``/w/<broadcast_id>``, also with more after it (``/w/<id>/card``, the player card);
    * ``/u/<user_id>``;
    * ``/<username>`` and ``/<username>/<broadcast_id>``;
    * ``/<channel-name>/<broadcast_id>`` (a first segment that cannot be a username):
      the broadcast id alone;
    * ``/<username>/<route word>`` such as ``/george_clinton/follow``: the username
      alone (see :data:`ROUTE_WORDS`);
    * a bare path such as ``/george_clinton`` or ``/w/<id>`` (relative to the web base);
    * the app's deep links ``pscp://user/<username>`` and ``pscp://broadcast/<id>``.

    ``w`` and ``u`` are never usernames. Always returns the three keys; those not
    found (or a URL that is not Periscope's) are None. Never raises for a ``str``.

    :raises TypeError: ``url`` is not a ``str``, or ``web_base_url`` neither a ``str`` nor None.
    """
    check_str(url, 'url')
    check_optional_str(web_base_url, 'web_base_url')
    deep = _deep_link(url)
    if deep is not None:
        return deep
    segments = _split(url, web_base_url)
    return _read_path(segments) if segments else _empty()


def parse_user_ref(text: Any, web_base_url: str | None = None) -> tuple[str | None, str | None]:
    """Read a user id, a username or a Periscope URL as ``(user_id, username)``.

    Digits are a user id.

    :raises TypeError: ``text`` is not a ``str``, or ``web_base_url`` neither a ``str`` nor None.
    :raises ValueError: ``text`` names no user.
    """
    if not isinstance(text, str):
        raise TypeError(f'text (a user) must be a str, not {type(text).__name__}')
    check_optional_str(web_base_url, 'web_base_url')
    value = text.strip()
    if _USER_ID.fullmatch(value):
        return validate_user_id(value, 'text'), None
    if _USERNAME.fullmatch(value) and value.lower() not in _RESERVED:
        return None, value
    parsed = parse_periscope_url(value, web_base_url)
    if parsed['user_id'] or parsed['username']:
        return parsed['user_id'], parsed['username']
    raise ValueError(f'not a user id, username or Periscope user URL: {shown(text)}')


def parse_broadcast_ref(text: Any, web_base_url: str | None = None) -> str:
    """Read a broadcast id or a Periscope broadcast URL as a broadcast id.

    :raises TypeError: ``text`` is not a ``str``, or ``web_base_url`` neither a ``str`` nor None.
    :raises ValueError: ``text`` names no broadcast.
    """
    if not isinstance(text, str):
        raise TypeError(f'text (a broadcast) must be a str, not {type(text).__name__}')
    check_optional_str(web_base_url, 'web_base_url')
    value = text.strip()
    if _BROADCAST_ID.fullmatch(value):
        return validate_broadcast_id(value, 'text')
    broadcast_id = parse_periscope_url(value, web_base_url)['broadcast_id']
    if broadcast_id:
        return broadcast_id
    raise ValueError(f'not a broadcast id or Periscope broadcast URL: {shown(text)}')
