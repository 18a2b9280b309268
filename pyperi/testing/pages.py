"""HTML pages of the fake Periscope web site, with the ``data-store`` the client reads."""

from __future__ import annotations

import html
import json
from typing import Any

__all__ = ['HISTORY_TRACKING_TYPE', 'MALFORMED_KINDS', 'broadcast_page', 'not_found_page',
           'home_page', 'user_page']

MALFORMED_KINDS = ('missing', 'bad_json', 'no_tokens')

_TRANSLATIONS = {
    'tagline': "Explore the world through someone else's eyes \U0001f440",
    'welcome': 'Bienvenue sur Periscope \u2764\ufe0f',
    'live': '<b>"LIVE"</b> & \'loud\'',
    'path_hint': 'C:\\Periscope\\replays',
    'rtl': '\u0645\u0628\u0627\u0634\u0631',
    'cjk': '\u751f\u653e\u9001',
}


def _head(title: str, description: str, canonical: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en" dir="ltr">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<title>%(title)s</title>\n'
        '<meta name="description" content="%(description)s">\n'
        '<meta property="og:title" content="%(title)s">\n'
        '<meta property="og:site_name" content="Periscope">\n'
        '<meta name="twitter:card" content="summary">\n'
        '<link rel="canonical" href="%(canonical)s">\n'
        '<link rel="stylesheet" href="/assets/css/main.7c1f0e.css">\n'
        '<script>window.__PSCP_CONFIG__ = {"env": "production", "apiHost": "api",'
        ' "features": ["replay", "lhls"]};</script>\n'
        '</head>\n' % {'title': html.escape(title), 'description': html.escape(description),
                       'canonical': html.escape(canonical)})


def _body(store_attr: str | None, content: str) -> str:
    container = ''
    if store_attr is not None:
        container = ('<div id="page-container" class="Page Page--profile u-flexColumn" '
                     'data-store="%s"></div>\n' % store_attr)
    return (
        '<body class="Theme--light">\n'
        '<div id="fb-root"></div>\n'
        '<noscript><div class="NoScript">Periscope needs JavaScript &amp; cookies.</div>'
        '</noscript>\n'
        '<div class="Header"><a class="Header-logo" href="/">Periscope</a></div>\n'
        '%s'
        '<div class="Content">%s</div>\n'
        '<script src="/assets/js/vendor.3b9a1d.js"></script>\n'
        '<script>var el = document.getElementById("page-container");'
        ' window.__STORE__ = el && JSON.parse(el.getAttribute("data-store"));</script>\n'
        '<script src="/assets/js/main.5e2c44.js" async></script>\n'
        '</body>\n</html>\n' % (container, content))


def _encode_store(store: dict[str, Any]) -> str:
    # Raw UTF-8 (emoji and all) then HTML attribute escaping, as the real pages did.
    return html.escape(json.dumps(store, ensure_ascii=False, separators=(',', ':')), quote=True)


#: ``Tracking.type`` of a 2016 profile page (2019 pages have no ``Tracking`` at all).
HISTORY_TRACKING_TYPE = 'periscope/USER_BROADCAST_HISTORY_REQUEST'


def _tokens_block(tokens: dict[str, tuple[str, int]]) -> dict[str, Any]:
    # The expiry sits beside the token, not inside it.
    return {name: {'token': {'session_id': session_id}, 'expiry': expiry}
            for name, (session_id, expiry) in tokens.items()}


def _store(user: dict[str, Any], tokens: dict[str, tuple[str, int]], now_ms: int,
           extra_users: dict[str, Any], broadcast: dict[str, Any] | None,
           generation: int) -> dict[str, Any]:
    user_id = str(user['id'])
    users = dict(extra_users)
    users[user_id] = {'timestamp': now_ms, 'user': user}
    store: dict[str, Any] = {
        'Auth': {'cookie': None, 'user': None},
        'Locale': {'locale': 'en', 'language': 'en', 'timezone': 'America/Los_Angeles'},
        'Experiments': {'lhls_web': True, 'replay_scrubber': 'B'},
        'BroadcastCache': {'broadcasts': {broadcast['id']: {'broadcast': broadcast}}
                           if broadcast else {}, 'pending': []},
        'SessionToken': {'public': _tokens_block(tokens), 'authed': {}},
        'Translations': _TRANSLATIONS,
        'UserCache': {'users': users},
    }
    if generation == 2016 and broadcast is None:
        store['Tracking'] = {'type': HISTORY_TRACKING_TYPE, 'userId': user_id}
    return store


def user_page(user: dict[str, Any], tokens: dict[str, tuple[str, int]], now_ms: int, *,
              canonical: str, extra_users: dict[str, Any] | None = None,
              malformed: str | None = None, broadcast: dict[str, Any] | None = None,
              generation: int = 2019) -> bytes:
    """A profile (or broadcast) page for ``user`` carrying ``tokens`` (name -> (id, expiry ms)).

    :param now_ms: when the page is served (epoch ms), the ``UserCache`` timestamp.
    :param extra_users: more ``UserCache.users`` entries (``{id: {"timestamp", "user"}}``).
    :param malformed: one of :data:`MALFORMED_KINDS` to break the data-store on purpose.
    :param generation: 2016 (a profile page has ``Tracking``) or 2019 (no ``Tracking``).
    """
    name = str(user.get('display_name') or user.get('username'))
    title = '%s (@%s) on Periscope' % (name, user.get('username'))
    store = _store(user, tokens, now_ms, extra_users or {}, broadcast, generation)
    if malformed == 'no_tokens':
        del store['SessionToken']
    attr: str | None = _encode_store(store)
    if malformed == 'missing':
        attr = None
    elif malformed == 'bad_json':
        attr = attr[: len(attr) // 2] if attr else ''
    content = ('<div class="ProfileHeader"><h1 class="ProfileHeader-name">%s</h1>'
               '<p class="ProfileHeader-bio">%s</p></div>'
               % (html.escape(name), html.escape(str(user.get('description', '')))))
    description = str(user.get('description', ''))[:200]
    return (_head(title, description, canonical) + _body(attr, content)).encode('utf-8')


def broadcast_page(user: dict[str, Any], broadcast: dict[str, Any],
                   tokens: dict[str, tuple[str, int]], now_ms: int, *,
                   canonical: str, generation: int = 2019) -> bytes:
    """The page of one broadcast (``/w/<id>``)."""
    return user_page(user, tokens, now_ms, canonical=canonical, broadcast=broadcast,
                     generation=generation)


def not_found_page() -> bytes:
    """Periscope's 404 page (no data-store)."""
    return (_head('Periscope - Page not found', 'Sorry, this page does not exist.', '/')
            + _body(None, '<div class="NotFound"><h1>Sorry, this page doesn&#x27;t exist'
                          ' \U0001f615</h1></div>')).encode('utf-8')


def home_page(web_base_url: str) -> bytes:
    """The front page: points at the profiles the fake serves."""
    return (_head('Periscope - Explore the world through someone else\'s eyes', 'Periscope',
                  web_base_url + '/')
            + _body(None, '<div class="Home"><a href="/george_clinton">george_clinton</a></div>')
            ).encode('utf-8')
