"""The bad-input table: each bad value, its outcome, and no request sent.

| argument      | bad value                                   | outcome                  |
|---------------|---------------------------------------------|--------------------------|
| user_id       | '', 'abc', '12a', '-1', -1, ' 1', '1/2',    | ValueError naming it     |
|               | '../1', '1?x=2', '１２' (full-width digits)  |                          |
| user_id       | 1.5, b'1', True, ['1']                      | TypeError naming it      |
| username      | '', 'a b', 'a/b', '../x', 'x?y', 'ö', 65 chars | ValueError naming it  |
| username      | 7, b'x', None (with user_id None too)       | TypeError / ValueError   |
| broadcast_id  | '', 'a/b', '../x', 'a b', 'a?b', 'a#b', '%2e'| ValueError naming it    |
| broadcast_id  | None, 12, b'x'                              | TypeError naming it      |
| endpoint      | '', 'a/b', '../x', 'x?y=1', 'a.b', '1abc'   | ValueError naming it     |
| endpoint      | None, 3                                     | TypeError naming it      |
| url (parse)   | any str that is not a Periscope URL         | all three keys None      |
| url (parse)   | None, 3                                     | TypeError naming it      |
"""
from __future__ import annotations

from typing import Any, Callable

import pytest
import responses

from pyperi import Peri

BAD_USER_IDS = [('', ValueError), ('abc', ValueError), ('12a', ValueError), ('-1', ValueError),
                (-1, ValueError), (' 1', ValueError), ('1/2', ValueError), ('../1', ValueError),
                ('1?x=2', ValueError), ('\uff11\uff12', ValueError), (1.5, TypeError),
                (b'1', TypeError), (True, TypeError), (['1'], TypeError)]
BAD_USERNAMES = [('', ValueError), ('a b', ValueError), ('a/b', ValueError), ('../x', ValueError),
                 ('x?y', ValueError), ('\u00f6', ValueError), ('a' * 65, ValueError),
                 (7, TypeError), (b'x', TypeError)]
BAD_BROADCAST_IDS = [('', ValueError), ('a/b', ValueError), ('../x', ValueError),
                     ('a b', ValueError), ('a?b', ValueError), ('a#b', ValueError),
                     ('%2e', ValueError), (None, TypeError), (12, TypeError), (b'x', TypeError)]
BAD_ENDPOINTS = [('', ValueError), ('a/b', ValueError), ('../x', ValueError),
                 ('x?y=1', ValueError), ('a.b', ValueError), ('1abc', ValueError),
                 (None, TypeError), (3, TypeError)]

Call = Callable[[Peri, Any], Any]
CASES: list[tuple[str, Call, Any, type]] = []
for value, error in BAD_USER_IDS:
    CASES += [
        ('user_id', lambda p, v: p.get_user_info(v), value, error),
        ('user_id', lambda p, v: p.get_user_broadcast_history(user_id=v), value, error),
        ('user_id', lambda p, v: p.get_web_public_user_session_tokens(user_id=v), value, error),
        ('user_id', lambda p, v: p.create_user_url(user_id=v), value, error),
    ]
for value, error in BAD_USERNAMES:
    CASES += [
        ('username', lambda p, v: p.get_user_info(username=v), value, error),
        ('username', lambda p, v: p.get_user_broadcast_history(username=v), value, error),
        ('username', lambda p, v: p.create_user_url(username=v), value, error),
    ]
for value, error in BAD_BROADCAST_IDS:
    CASES += [
        ('broadcast_id', lambda p, v: p.get_broadcast_info(v), value, error),
        ('broadcast_id', lambda p, v: p.create_broadcast_url(v), value, error),
    ]
for value, error in BAD_ENDPOINTS:
    CASES.append(('endpoint', lambda p, v: p.request_api(v, user_id='1'), value, error))


@pytest.mark.parametrize('argument, call, value, error', CASES)
@responses.activate(assert_all_requests_are_fired=True)
def test_bad_input_fails_before_any_request(pp: Peri, argument: str, call: Call, value: Any,
                                            error: type) -> None:
    with pytest.raises(error, match=argument):
        call(pp, value)
    assert len(responses.calls) == 0


@pytest.mark.parametrize('call', [
    lambda p: p.get_user_info(),
    lambda p: p.get_user_broadcast_history(),
    lambda p: p.get_web_public_user_session_tokens(),
    lambda p: p.create_user_url(),
])
@responses.activate(assert_all_requests_are_fired=True)
def test_missing_user_fails_before_any_request(pp: Peri, call: Callable[[Peri], Any]) -> None:
    with pytest.raises(ValueError, match='user_id or username'):
        call(pp)
    assert len(responses.calls) == 0


@pytest.mark.parametrize('url', ['', 'not a url', 'https://example.com/w/abc',
                                 'https://www.periscope.tv/../../etc', '\x00\ud800', '//', '?#'])
def test_parse_of_any_text_gives_all_none(pp: Peri, url: str) -> None:
    assert pp.parse_periscope_url(url) == {'broadcast_id': None, 'user_id': None,
                                           'username': None}


@pytest.mark.parametrize('url', [None, 3, b'https://www.periscope.tv/w/x'])
def test_parse_of_non_text_is_a_type_error(pp: Peri, url: Any) -> None:
    with pytest.raises(TypeError, match='url'):
        pp.parse_periscope_url(url)
