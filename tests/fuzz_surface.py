"""The fuzz's machinery: pyperi's public surface, values to call it with, and the verdict.

Used by tests/test_fuzz.py (the property) and tools/fuzz_report.py (leaks counted by
function). Nothing here is specific to one function: the surface is found by
introspection (each library module's ``__all__``, ``Peri``'s public methods) and values
are chosen by parameter name and type hint, so new functions are fuzzed as they appear.
"""
from __future__ import annotations

import atexit
import contextlib
import importlib
import inspect
import json
import linecache
import math
import os
import pkgutil
import re
import shutil
import signal
import tempfile
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterator

import requests
import responses
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict

import pyperi
from pyperi import Peri, PyPeriError
from pyperi.web import extract_data_store
from helpers import API, NOT_FOUND, WEB, load_json, load_text

PYPERI_DIR = Path(pyperi.__file__).resolve().parent

# -- the surface ------------------------------------------------------------------------------

#: Top-level modules that are not the library's API, and why the fuzz leaves them alone.
NOT_LIBRARY = {
    'cli': 'the command line: its arguments are checked by argparse, tested in test_cli*.py',
    'testing': 'the fake Periscope server, a test tool with its own tests',
    'pyperi': "PyPeri 0.2.0's module name: it only re-exports Peri, fuzzed as Peri",
    'checks': "pyperi's own argument checks (their callers are fuzzed; the name given is "
              "pyperi's, never the user's)",
}

#: Public functions and methods the fuzz does not call, each with the reason (keep it short).
SKIP: dict[str, str] = {
}

#: Targets with leaks known when the fuzz landed, each with who fixes them (issue 11). They
#: are still fuzzed, but their failure is expected (xfail, not strict). Remove an entry once
#: ``python tools/fuzz_report.py --only NAME`` finds nothing: from then on, the fuzz guards it.
PENDING: dict[str, str] = {
}

#: Parameters every call gets a stand-in for, so that nothing waits on the real clock:
#: a ``sleep`` that checks its argument as ``time.sleep`` does and ends the call after a
#: few waits (loops such as ``watch`` or a live capture end there), and a ``clock``.
PINNED = ('sleep', 'clock')

#: Seconds an example may run before it counts as a hang.
TIME_LIMIT = 20.0


@dataclass(frozen=True)
class Target:
    """One public callable: ``call(peri, args, kwargs)`` runs it with the example's Peri."""

    name: str
    parameters: tuple[inspect.Parameter, ...]
    call: Callable[[Peri, list[Any], dict[str, Any]], Any]
    #: Exception classes the docstring names in ``:raises X:`` lines.
    documented: frozenset[str] = frozenset()


def documented_errors(function: Any) -> frozenset[str]:
    """The exception names of the ``:raises X:`` lines of ``function``'s docstring.

    A wrapper whose docstring says ``See :func:`pyperi.module.name``` documents what
    that function raises too (``Peri.download_broadcast`` and the replay functions).
    """
    doc = inspect.getdoc(function) or ''
    found = re.findall(r':raises\s+([\w.]+)\s*:', doc)
    names = frozenset(name.rsplit('.', 1)[-1] for name in found)
    for reference in re.findall(r'See :func:`(pyperi(?:\.\w+)+)`', doc):
        module, _, attribute = reference.rpartition('.')
        names |= documented_errors(getattr(importlib.import_module(module), attribute))
    return names


def library_modules() -> list[str]:
    """``pyperi.<name>`` for every top-level module or package of the library."""
    found = []
    for info in pkgutil.iter_modules(pyperi.__path__):
        if not info.name.startswith('_') and info.name not in NOT_LIBRARY:
            found.append(f'pyperi.{info.name}')
    return sorted(found)


def _function_target(name: str, function: Callable[..., Any]) -> Target:
    def call(peri: Peri, args: list[Any], kwargs: dict[str, Any]) -> Any:
        return function(*args, **kwargs)

    return Target(name, tuple(inspect.signature(function).parameters.values()), call,
                  documented_errors(function))


def _method_target(name: str, method: Any) -> Target:
    def call(peri: Peri, args: list[Any], kwargs: dict[str, Any]) -> Any:
        return getattr(peri, name)(*args, **kwargs)

    parameters = tuple(inspect.signature(method).parameters.values())
    return Target(f'Peri.{name}', parameters, call, documented_errors(method))


def _constructor_target() -> Target:
    """``Peri(...)``; a Peri that was built is then used once, so late failures count too."""
    def call(peri: Peri, args: list[Any], kwargs: dict[str, Any]) -> Any:
        with Peri(*args, **kwargs) as built:
            repr(built)
            built.create_user_url(username='george_clinton')
            built.get_user_info(user_id='376827')
            return built.get_user_broadcast_history(username='george_clinton')

    return Target('Peri', tuple(inspect.signature(Peri).parameters.values()), call,
                  documented_errors(Peri))


def public_surface() -> list[Target]:
    """Every public function of the library modules, ``Peri()`` and Peri's public methods."""
    targets = [_constructor_target()]
    sample = Peri()
    for name in sorted(dir(Peri)):
        member = getattr(Peri, name)
        if not name.startswith('_') and callable(member):
            targets.append(_method_target(name, getattr(sample, name)))
    sample.close()
    seen: set[int] = set()
    for module_name in library_modules():
        module = __import__(module_name, fromlist=['__all__'])
        for name in getattr(module, '__all__', ()):
            function = getattr(module, name)
            if inspect.isfunction(function) and id(function) not in seen:
                seen.add(id(function))
                targets.append(_function_target(f'{module_name}.{name}', function))
    return [target for target in targets if target.name not in SKIP]


# -- values -----------------------------------------------------------------------------------

def _nested_list(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def _nested_dict(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {'a': value}
    return value


class _Opaque:
    """An object of no type pyperi knows."""

    def __repr__(self) -> str:
        return '<opaque>'


DEEP = 3000   # beyond Python's default recursion limit of 1000

#: Values no parameter of pyperi takes, or only at the edge of its range.
HOSTILE_OBJECTS: list[Any] = [
    None, True, False, 0, -1, 1, 2 ** 63, -2 ** 63, 10 ** 400, -10 ** 400, 10 ** 5000,
    math.nan, math.inf, -math.inf, 1e300, -1e300, 5e-324, -0.0, 1.5,
    complex(1, 2), Decimal('NaN'), Decimal('1e999999'), Fraction(1, 3),
    b'', b'x', b'\xff\xfe', bytearray(b'1'), memoryview(b'1'),
    [], [None], [1, 'a'], (), (1, 2, 3), {}, {'a': 1}, {1: 2}, set(), frozenset({'a'}),
    _nested_list(DEEP), _nested_dict(DEEP),
    datetime.max, datetime.min, datetime.max.replace(tzinfo=timezone.utc),
    datetime.min.replace(tzinfo=timezone.utc), date.max, date.min,
    timedelta.max, timedelta.min, timedelta(0),
    timezone.utc, _Opaque(), object, int, Ellipsis, NotImplemented,
    iter([1]), (lambda: None), print,
]
HOSTILE_TEXTS = [
    '', ' ', '\x00', '\ud800', 'a\udfffb', '\ufeff', '€', '😀' * 3, '\u202e', 'x' * 100_000,
    '1' * 5000, '../x', '..', '/', '%', '%2e%2e', '?#', '\r\n', '\t', 'nan', 'inf', '-1',
    '1e309', '9' * 30, 'None', '[' * 5000, '{"a":' * 5000, '<div>', '&quot;',
]
_SURROGATE_TEXT = st.text(st.characters(exclude_categories=()), max_size=30)
HOSTILE = st.one_of(
    st.sampled_from(HOSTILE_OBJECTS),
    st.sampled_from(HOSTILE_TEXTS),
    _SURROGATE_TEXT,
    st.integers(),
    st.floats(),
    st.binary(max_size=20),
    st.lists(st.one_of(st.none(), st.integers(), _SURROGATE_TEXT), max_size=4),
    st.dictionaries(_SURROGATE_TEXT, st.one_of(st.none(), st.integers(), _SURROGATE_TEXT),
                    max_size=3),
)
#: The hostile values that are not text, for parameters naming files (text there is kept
#: to harmless names inside the temporary working directory).
HOSTILE_NOT_TEXT = st.sampled_from([value for value in HOSTILE_OBJECTS
                                    if not isinstance(value, str)])


def _recording(*args: Any, **kwargs: Any) -> None:
    """A callback that accepts anything."""


CALLBACKS = st.sampled_from([_recording, lambda *args: None])
TZ = st.one_of(st.none(), st.just(timezone.utc),
               st.builds(timezone, st.timedeltas(min_value=timedelta(hours=-23, minutes=-59),
                                                 max_value=timedelta(hours=23, minutes=59))))
DATETIMES = st.one_of(st.datetimes(timezones=TZ),
                      st.datetimes(min_value=datetime(2015, 1, 1),
                                   max_value=datetime(2022, 1, 1), timezones=TZ))
TIMEDELTAS = st.one_of(st.timedeltas(), st.timedeltas(min_value=timedelta(0),
                                                      max_value=timedelta(days=400)))
NUMBERS = st.one_of(st.integers(-10, 10 ** 6), st.floats(allow_nan=False, allow_infinity=False),
                    st.sampled_from([0, 1, 3, 30, 0.5]))
SMALL_INTS = st.integers(-3, 40)
TEXT = st.one_of(st.text(max_size=20), _SURROGATE_TEXT)
# Names of files and folders: inside the working directory, never above it.
PATHS = st.one_of(st.from_regex(r'[a-z_][a-z0-9_.-]{0,12}', fullmatch=True),
                  st.sampled_from(['.', 'out', 'sub/dir', 'x.ts']),
                  st.builds(Path, st.sampled_from(['.', 'out', 'a/b.ts'])))

USER_IDS = st.one_of(st.integers(0, 10 ** 15), st.from_regex(r'[0-9]{1,20}', fullmatch=True),
                     st.just('376827'))
USERNAMES = st.one_of(st.from_regex(r'[A-Za-z0-9_]{1,64}', fullmatch=True),
                      st.just('george_clinton'))
BROADCAST_IDS = st.one_of(st.from_regex(r'[A-Za-z0-9_=-]{1,20}', fullmatch=True),
                          st.just('1zqKVWybqeDGB'))
SAMPLE_URLS = [
    'https://www.periscope.tv/george_clinton', 'https://www.pscp.tv/w/1zqKVWybqeDGB',
    'http://periscope.tv/u/376827', 'https://www.periscope.tv/george_clinton/1zqKVWybqeDGB',
    'pscp://user/george_clinton', 'pscp://broadcast/1zqKVWybqeDGB', '/w/1zqKVWybqeDGB',
    'https://www.pscp.tv/w/1zqKVWybqeDGB/card', 'https://[::1', 'http://x:99999/',
    'http://[v1.x]/', 'https://www.periscope.tv:-1/u/1', 'http://a:b/', '//[::1/x', '\ud800://x',
    'https://replay.periscope.tv/k/playlist_1.m3u8?Signature=s', 'https://example.com/',
    'https://api.periscope.tv/api/v2/getUserPublic?user_id=1&session_id=secret',
]
URLS = st.one_of(st.sampled_from(SAMPLE_URLS),
                 st.builds(str.__add__, st.sampled_from(SAMPLE_URLS), TEXT))
BASE_URLS = st.sampled_from([API, WEB, 'http://127.0.0.1:1', 'https://web.archive.org/web',
                             'http://127.0.0.1:1/prefix/', 'ftp://x', 'http://', 'https://a?b'])
USER_REFS = st.one_of(USERNAMES, USER_IDS.map(str), st.sampled_from(SAMPLE_URLS))
WHENS = st.one_of(DATETIMES, st.dates(),
                  st.sampled_from(['2021', '20210301', '2021-03-01', '20210301120000',
                                   '2016-05-27T20:03:44Z', 'latest', '']))
SPANS = st.one_of(st.from_regex(r'[0-9]{1,4}(\.[0-9]{1,3})?[smhdw]', fullmatch=True),
                  st.sampled_from(['7d', '4w', '1e400d', '9' * 400 + 'd', 'today', 'now',
                                   'yesterday', '2024-05-01', '2016-05-27T20:03:44.732179203-07:00',
                                   '9999-12-31', '0001-01-01T00:00:00+23:59']))
TIMESTAMPS = st.one_of(
    st.sampled_from(['2016-05-27T20:03:44.732179203-07:00', '2019-03-05T18:20:01.123456789Z',
                     '9999-12-31T23:59:59-23:59', '0001-01-01T00:00:00+23:59', 'garbage']),
    DATETIMES.map(lambda moment: moment.isoformat()))


def _playlist(*lines: str) -> str:
    return '\n'.join(['#EXTM3U', *lines]) + '\n'


PLAYLISTS = st.one_of(
    st.sampled_from([
        _playlist('#EXT-X-TARGETDURATION:2', '#EXTINF:2.0,', 'chunk_0.ts', '#EXTINF:2,',
                  'https://replay.periscope.tv/k/chunk_1.ts', '#EXT-X-ENDLIST'),
        _playlist('#EXT-X-STREAM-INF:BANDWIDTH=1000,RESOLUTION=320x568', 'low.m3u8',
                  '#EXT-X-STREAM-INF:BANDWIDTH=x', 'high.m3u8'),
        _playlist('#EXT-X-TARGETDURATION:100000', '#EXT-X-MEDIA-SEQUENCE:' + '9' * 30,
                  '#EXTINF:nan,', 'a.ts'),
        _playlist('#EXT-X-KEY:METHOD=AES-128,URI="k"', '#EXTINF:1,', 'file:///etc/passwd'),
        _playlist('#EXT-X-BYTERANGE:1@2', '#EXTINF:1,', 'a.ts', '#EXT-X-MAP:URI="i.mp4"'),
        _playlist('#EXTINF:-5,', '\ud800.ts'), '\ufeff#EXTM3U\n', 'not a playlist',
    ]),
    st.builds(lambda lines: _playlist(*lines), st.lists(TEXT, max_size=5)),
)
TEXTS = st.one_of(SPANS, TIMESTAMPS, USER_REFS, PLAYLISTS, URLS)


def _broadcast(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not _OMIT}


_OMIT = object()
_FIELD = st.one_of(st.just(_OMIT), TIMESTAMPS, HOSTILE)
BROADCAST = st.builds(
    _broadcast, st.fixed_dictionaries({
        'id': st.one_of(BROADCAST_IDS, HOSTILE), 'start': _FIELD, 'end': _FIELD,
        'created_at': _FIELD, 'ping': _FIELD,
        'state': st.one_of(st.sampled_from(['RUNNING', 'ENDED', 'TIMED_OUT', 'running']),
                           HOSTILE),
        'n_total_watched': st.one_of(st.integers(), st.floats(), HOSTILE)}))
BROADCAST_LISTS = st.one_of(st.lists(BROADCAST, max_size=4),
                            st.just(load_json('getUserBroadcastsPublic.json')['broadcasts']))
PAGES = st.one_of(
    st.just(load_text('user_page.html')),
    st.builds(lambda store: f'<div id="page-container" data-store="{store}"></div>',
              st.one_of(TEXT, st.just('&quot;' * 3 + '[' * 5000))),
    TEXT)
DATA_STORES = st.one_of(
    st.just(extract_data_store(load_text('user_page.html'))),
    st.dictionaries(TEXT, HOSTILE, max_size=3),
    st.builds(lambda token: {'SessionToken': {'public': {
        name: {'token': {'session_id': token}} for name in
        ('broadcastHistory', 'serviceToken', 'thumbnailPlaylist')}}},
        st.one_of(TEXT, HOSTILE)))


def _response(status: int, body: bytes, headers: dict[str, str]) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.headers = CaseInsensitiveDict(headers)
    response.url = f'{API}/getUserPublic?user_id=1&session_id=secret'
    response.reason = 'Reason'
    return response


BODIES = st.one_of(
    st.sampled_from([b'[' * 100_000, b'', b'{}', b'null', b'\xff\xfe\x00', b'{"msg": 5}',
                     b'{"msg": "Not Found"}', json.dumps(NOT_FOUND).encode(),
                     b'\xef\xbb\xbf{"msg": "bom"}']),
    st.binary(max_size=40))
RESPONSES = st.builds(
    _response, st.sampled_from([200, 400, 404, 429, 500, 503, 999]), BODIES,
    st.dictionaries(st.sampled_from(['Retry-After', 'Content-Type']),
                    st.sampled_from(['1.5', '-5', 'soon', '1e309', '', 'text/html; charset=x',
                                     'Wed, 21 Oct 2015 07:28:00 GMT', '99999999999999999999',
                                     'application/json; charset=utf-8']), max_size=2))

#: Stands for the example's own Peri where a parameter takes a client.
CLIENT = object()

#: Plausible values by parameter name, so that calls get past the first check.
BY_NAME: dict[str, Any] = {
    'user_id': USER_IDS, 'username': USERNAMES, 'broadcast_id': BROADCAST_IDS,
    'endpoint': st.sampled_from(['getUserPublic', 'accessVideoPublic',
                                 'getUserBroadcastsPublic', 'a/b', '']),
    'parse_playlist.text': PLAYLISTS, 'parse_span.text': SPANS, 'parse_time_spec.text': SPANS,
    'parse_user_ref.text': USER_REFS, 'parse_broadcast_ref.text': st.one_of(BROADCAST_IDS, URLS),
    'parse_timestamp.value': TIMESTAMPS, 'try_parse_timestamp.value': TIMESTAMPS,
    'url': URLS, 'base_url': BASE_URLS, 'web_base_url': BASE_URLS, 'api_base_url': BASE_URLS,
    'prefix': BASE_URLS, 'user': USER_REFS, 'users': st.lists(USER_REFS, max_size=3),
    'text': TEXTS, 'value': st.one_of(TEXTS, DATETIMES, NUMBERS), 'page': PAGES,
    'data_store': DATA_STORES, 'broadcasts': BROADCAST_LISTS, 'broadcast': BROADCAST,
    'items': BROADCAST_LISTS, 'response': RESPONSES, 'client': st.just(CLIENT),
    'session': st.builds(requests.Session), 'now': DATETIMES, 'moment': DATETIMES,
    'since': st.one_of(DATETIMES, TIMEDELTAS), 'until': DATETIMES, 'when': WHENS,
    'by': st.sampled_from(['day', 'week', 'month', 'year']),
    'states': st.one_of(st.sampled_from(['RUNNING', 'ended']),
                        st.lists(st.sampled_from(['RUNNING', 'ENDED', 'TIMED_OUT']))),
    'fmt': st.sampled_from(['table', 'json', 'jsonl', 'csv', 'xml']),
    'kind': st.sampled_from(['text', 'number', 'time', 'duration', 'bool']),
    'encoding': st.sampled_from(['utf-8', 'ascii', 'latin-1', 'cp1252', 'no-such-codec']),
    'seconds': NUMBERS, 'maximum': NUMBERS, 'width': SMALL_INTS, 'limit': SMALL_INTS,
    'offset': st.one_of(TIMEDELTAS, st.timedeltas(min_value=timedelta(hours=-24),
                                                  max_value=timedelta(hours=24))),
    'nanoseconds': st.integers(-5, 1005), 'headers': st.lists(TEXT, max_size=3),
    'rows': st.lists(st.lists(TEXT, min_size=2, max_size=2), max_size=3),
    'timeout': st.one_of(NUMBERS, st.tuples(NUMBERS, NUMBERS)),
    'retries': st.one_of(SMALL_INTS, st.sampled_from([0, 10 ** 400])),
    'max_periods': SMALL_INTS, 'max_workers': SMALL_INTS, 'max_polls': SMALL_INTS,
    'interval': NUMBERS, 'max_idle': NUMBERS, 'segment_retries': SMALL_INTS,
    'ignore': st.frozensets(TEXT, max_size=2), 'ignore_params': st.lists(TEXT, max_size=2),
    'user_agent': st.one_of(TEXT, st.just('pyperi-test/1')),
}
#: Plausible values by a word of the type hint, for parameters not named above.
BY_HINT: dict[str, Any] = {
    'str': TEXT, 'int': st.integers(), 'float': st.floats(), 'bool': st.booleans(),
    'datetime': DATETIMES, 'timedelta': TIMEDELTAS, 'date': st.dates(), 'Callable': CALLBACKS,
    'ProgressCallback': CALLBACKS, 'Mapping': st.dictionaries(TEXT, TEXT, max_size=2),
    'dict': st.dictionaries(TEXT, TEXT, max_size=2), 'Iterable': st.lists(TEXT, max_size=3),
    'Sequence': st.lists(TEXT, max_size=3), 'list': st.lists(TEXT, max_size=3),
    'AbstractSet': st.frozensets(TEXT, max_size=2), 'Event': st.builds(threading.Event),
    'Session': st.builds(requests.Session), 'Response': RESPONSES,
    'ReplayClient': st.just(CLIENT), 'HistoryClient': st.just(CLIENT),
}
#: Words of a name or type hint that mark a file or folder (given only harmless names).
PATH_WORDS = ('path', 'dir', 'directory', 'folder', 'file', 'PathLike', 'Path', 'PathsArgument')


def _hint_words(parameter: inspect.Parameter) -> set[str]:
    hint = parameter.annotation
    text = hint if isinstance(hint, str) else getattr(hint, '__name__', str(hint))
    return set(re.findall(r'\w+', '' if hint is inspect.Parameter.empty else text))


def names_a_file(parameter: inspect.Parameter) -> bool:
    """Whether the parameter names a file or folder (by its name or its type hint)."""
    words = _hint_words(parameter) | set(parameter.name.split('_'))
    return any(word in words for word in PATH_WORDS)


OMITTED = object()   # the parameter is left out, so its default applies


def _plausible(parameter: inspect.Parameter, function: str) -> list[st.SearchStrategy[Any]]:
    """Values that could pass ``parameter``'s checks, by ``function.name``, name and hint."""
    if names_a_file(parameter):
        return [PATHS]
    found = [BY_NAME[key] for key in (f'{function}.{parameter.name}', parameter.name)
             if key in BY_NAME][:1]
    found += [BY_HINT[word] for word in sorted(_hint_words(parameter)) if word in BY_HINT]
    return found


def _default(parameter: inspect.Parameter) -> list[st.SearchStrategy[Any]]:
    if parameter.default is inspect.Parameter.empty:
        return []
    return [st.just(OMITTED), st.just(parameter.default)]


def values_for(parameter: inspect.Parameter, function: str = '') -> st.SearchStrategy[Any]:
    """Values to pass for ``parameter``: hostile ones, plausible ones, and its default."""
    hostile = HOSTILE_NOT_TEXT if names_a_file(parameter) else HOSTILE
    return st.one_of(hostile, *_plausible(parameter, function), *_default(parameter))


def benign_values_for(parameter: inspect.Parameter, function: str = '') -> st.SearchStrategy[Any]:
    """Plausible values and the default only (all values when there are none)."""
    choices = _plausible(parameter, function) + _default(parameter)
    return st.one_of(*choices) if choices else values_for(parameter, function)


def extra_keywords(known: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments for a ``**kwargs`` parameter: known parameter names and others."""
    names = st.one_of(st.sampled_from(sorted(set(known))),
                      st.from_regex(r'[a-z][a-z_]{0,10}', fullmatch=True))
    return st.dictionaries(names, st.one_of(HOSTILE, NUMBERS, TEXT), max_size=2)


# -- running one call ---------------------------------------------------------------------------

class FuzzStop(BaseException):
    """Raised by the stand-in ``sleep`` to end a call that would go on waiting."""


class FuzzHang(BaseException):
    """Raised when a call runs past :data:`TIME_LIMIT`."""


class FakeTime:
    """``sleep`` and ``clock`` stand-ins: no real waiting, ``time.sleep``'s argument checks."""

    WAITS = 3

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits = 0

    def sleep(self, seconds: Any) -> None:
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise TypeError(f"'{type(seconds).__name__}' object cannot be interpreted as an "
                            'integer or float (from time.sleep)')
        if math.isnan(seconds) or seconds < 0:
            raise ValueError('sleep length must be non-negative (from time.sleep)')
        if seconds > 1e9:
            raise OverflowError('sleep length is too large (from time.sleep)')
        self.waits += 1
        self.now += seconds
        if self.waits > self.WAITS:
            raise FuzzStop

    def clock(self) -> float:
        self.now += 1.0
        return self.now


REPLIES = ('periscope', 'not_found', 'server_error', 'garbage')
_GARBAGE = [(200, b'[' * 100_000), (200, b'\xff\xfe{'), (200, b'{"user": 5, "broadcast": []}'),
            (200, b'#EXTM3U\n#EXT-X-TARGETDURATION:100000\n'), (200, b''),
            (429, b'{"msg": "slow down"}'), (400, b'[' * 100_000)]


def _periscope_reply(url: str) -> tuple[int, dict[str, str], bytes]:
    """What Periscope answered for ``url`` (a small replay of two segments for streams)."""
    path = url.split('?', 1)[0]
    if '/getUserPublic' in path:
        return 200, {}, json.dumps(load_json('getUserPublic.json')).encode()
    if '/getUserBroadcastsPublic' in path:
        return 200, {}, json.dumps(load_json('getUserBroadcastsPublic.json')).encode()
    if '/accessVideoPublic' in path:
        body = load_json('accessVideoPublic.json')
        body['replay_url'] = 'https://replay.periscope.tv/k/playlist_1.m3u8'
        return 200, {}, json.dumps(body).encode()
    if path.endswith('.m3u8'):
        playlist = _playlist('#EXT-X-TARGETDURATION:2', '#EXTINF:2.0,', 'chunk_0.ts',
                             '#EXTINF:2.0,', 'chunk_1.ts', '#EXT-X-ENDLIST')
        return 200, {}, playlist.encode()
    if path.endswith('.ts'):
        return 200, {}, b'\x47' * 376
    return 200, {'Content-Type': 'text/html; charset=utf-8'}, load_text('user_page.html').encode()


def _responder(reply: str, garbage: int) -> Callable[[Any], tuple[int, dict[str, str], bytes]]:
    def respond(request: Any) -> tuple[int, dict[str, str], bytes]:
        if reply == 'not_found':
            return 404, {}, json.dumps(NOT_FOUND).encode()
        if reply == 'server_error':
            return 500, {}, b'{"msg": "Internal"}'
        if reply == 'garbage':
            status, body = _GARBAGE[garbage % len(_GARBAGE)]
            return status, {'Retry-After': 'soon'}, body
        return _periscope_reply(request.url)

    return respond


@contextlib.contextmanager
def mocked_http(reply: str, garbage: int = 0) -> Iterator[responses.RequestsMock]:
    """Every request answered by ``responses`` (never the network), as ``reply`` says."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for method in (responses.GET, responses.HEAD):
            mock.add_callback(method, re.compile(r'.*'), callback=_responder(reply, garbage))
        yield mock


_SANDBOXES: list[Path] = []


def _sandbox() -> Path:
    """One temporary directory per process, removed at exit (made afresh per call is slow)."""
    if not _SANDBOXES:
        _SANDBOXES.append(Path(tempfile.mkdtemp(prefix='pyperi-fuzz-')))
        atexit.register(shutil.rmtree, _SANDBOXES[0], ignore_errors=True)
    return _SANDBOXES[0]


def _empty(sandbox: Path) -> None:
    """Leave only an empty ``cwd`` in ``sandbox``."""
    for child in sandbox.iterdir():
        if child.name == 'cwd' and child.is_dir() and not child.is_symlink() \
                and not any(child.iterdir()):
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink()
    (sandbox / 'cwd').mkdir(exist_ok=True)


@contextlib.contextmanager
def fresh_directory() -> Iterator[Path]:
    """Work in an empty directory (inside another, so ``..`` stays in the sandbox).

    ``HOME`` and ``XDG_CACHE_HOME`` point into the sandbox too; it is emptied afterwards.
    """
    sandbox = _sandbox()
    _empty(sandbox)
    work = sandbox / 'cwd'
    old = os.getcwd()
    saved = {name: os.environ.get(name) for name in
             ('XDG_CACHE_HOME', 'HOME', 'PYPERI_API_BASE_URL', 'PYPERI_WEB_BASE_URL')}
    os.environ['XDG_CACHE_HOME'] = str(sandbox / 'cache')
    os.environ['HOME'] = str(sandbox / 'home')
    os.environ.pop('PYPERI_API_BASE_URL', None)
    os.environ.pop('PYPERI_WEB_BASE_URL', None)
    os.chdir(work)
    try:
        yield work
    finally:
        os.chdir(old)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _empty(sandbox)


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`FuzzHang` in the main thread if the block runs past ``seconds``."""
    def on_alarm(signum: int, frame: Any) -> None:
        raise FuzzHang(f'still running after {seconds:g} s')

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# -- the verdict --------------------------------------------------------------------------------

# Python's own check of a call's arguments (unknown keyword, missing argument...): it names
# the argument, as pyperi's own checks do.
_BINDING = re.compile(r"(got an unexpected keyword argument|missing \d+ required"
                      r"|takes \d+ positional argument|takes from \d+ to \d+ positional"
                      r"|got multiple values for argument|positional-only arguments? passed)")


def _innermost(error: BaseException) -> tuple[str, int]:
    tb = error.__traceback__
    if tb is None:
        return '?', 0
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_filename, tb.tb_lineno


def where(error: BaseException) -> str:
    """``file:line`` (relative to the repository for pyperi's files) where ``error`` was raised."""
    filename, line = _innermost(error)
    path = Path(filename)
    with contextlib.suppress(ValueError):
        return f'{path.resolve().relative_to(PYPERI_DIR.parent)}:{line}'
    return f'{path.name}:{line}'


def raised_on_purpose(error: BaseException) -> bool:
    """Whether a ``raise`` statement in pyperi's own code raised ``error``."""
    filename, line = _innermost(error)
    try:
        inside = Path(filename).resolve().is_relative_to(PYPERI_DIR)
    except (OSError, ValueError):
        return False
    return inside and linecache.getline(filename, line).lstrip().startswith('raise')


def is_argument_error(error: BaseException) -> bool:
    """A TypeError or ValueError about an argument (not a PyPeriError about a response)."""
    return isinstance(error, (TypeError, ValueError)) and not isinstance(error, PyPeriError)


def leak_of(error: BaseException, documented: frozenset[str] = frozenset()) -> str | None:
    """Why ``error`` is not a documented outcome, or None when it is one.

    :param documented: more exception names the function documents (``:raises X:``), such
        as FileNotFoundError for a file that does not exist.
    """
    if isinstance(error, (FuzzStop, PyPeriError)):
        return None
    if not isinstance(error, (TypeError, ValueError)) and any(
            cls.__name__ in documented for cls in type(error).__mro__[:-2]):
        return None
    if isinstance(error, (TypeError, ValueError)):
        if _BINDING.search(str(error)) or raised_on_purpose(error):
            return None
        return f'{type(error).__name__} raised inside {where(error)}, not by pyperi on purpose'
    return f'{type(error).__name__} (never a documented outcome) from {where(error)}'


def short(value: Any, limit: int = 120) -> str:
    """A bounded repr (deeply nested values have none)."""
    try:
        text = repr(value)
    except (RecursionError, ValueError):
        return f'<{type(value).__name__} without a repr>'
    return text if len(text) <= limit else text[:limit] + '...'


@dataclass
class Outcome:
    """What one call did."""

    target: str
    error: BaseException | None
    requests: int
    written: list[str]
    documented: frozenset[str] = frozenset()

    @property
    def problem(self) -> str | None:
        """Why this outcome breaks the property, or None."""
        if self.error is None:
            return None
        leak = leak_of(self.error, self.documented)
        if leak is not None:
            return f'{self.target}: {leak}: {short(str(self.error))}'
        if is_argument_error(self.error) and not isinstance(self.error, FuzzStop):
            if self.requests:
                return (f'{self.target}: {self.requests} request(s) sent before the argument '
                        f'error {short(str(self.error))}')
            if self.written:
                return (f'{self.target}: wrote {self.written} before the argument error '
                        f'{short(str(self.error))}')
        return None


def substitute(value: Any, peri: Peri) -> Any:
    """``value`` with :data:`CLIENT` replaced by the example's Peri."""
    return peri if value is CLIENT else value


def call_target(target: Target, args: list[Any], kwargs: dict[str, Any], *, reply: str,
                garbage: int = 0) -> Outcome:
    """Call ``target`` in a fresh directory with mocked HTTP; what happened."""
    fake_time = FakeTime()
    pinned = {'sleep': fake_time.sleep, 'clock': fake_time.clock}
    with fresh_directory() as work:
        peri = Peri(api_base_url=API, web_base_url=WEB, retries=0)
        args = [substitute(value, peri) for value in args]
        kwargs = {name: pinned.get(name, substitute(value, peri))
                  for name, value in kwargs.items()}
        error: BaseException | None = None
        with mocked_http(reply, garbage) as mock:
            try:
                with time_limit(TIME_LIMIT):
                    target.call(peri, args, kwargs)
            except (Exception, FuzzStop, FuzzHang, RecursionError) as caught:
                error = caught
            count = len(mock.calls)
        peri.close()
        written = sorted(str(p.relative_to(work)) for p in work.rglob('*'))
    return Outcome(target.name, error, count, written, target.documented)


def arguments_strategy(target: Target) -> st.SearchStrategy[tuple[list[Any], dict[str, Any]]]:
    """Positional and keyword arguments for one call of ``target``.

    Half the time one parameter (the focus) takes any value and the others only plausible
    ones, so that a bad value meets the code behind the other checks; otherwise every
    parameter takes any value.
    """
    function = target.name.rsplit('.', 1)[-1]
    known = [parameter.name for parameter in target.parameters]
    free: dict[str, st.SearchStrategy[Any]] = {}
    benign: dict[str, st.SearchStrategy[Any]] = {}
    positional: list[str] = []
    extra: st.SearchStrategy[dict[str, Any]] = st.just({})
    for parameter in target.parameters:
        name = parameter.name
        if name in PINNED:
            free[name] = benign[name] = st.just(None)   # replaced by the stand-in
        elif parameter.kind is inspect.Parameter.VAR_KEYWORD:
            extra = extra_keywords(known + list(BY_NAME))
        elif parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            continue
        else:
            free[name] = values_for(parameter, function)
            benign[name] = benign_values_for(parameter, function)
            if parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
                positional.append(name)
    focuses = [name for name in free if name not in PINNED]

    @st.composite
    def arguments(draw: Callable[..., Any]) -> tuple[list[Any], dict[str, Any]]:
        focus = draw(st.one_of(st.none(), st.sampled_from(focuses))) if focuses else None
        values = {name: draw((free if focus in (None, name) else benign)[name], label=name)
                  for name in free}
        args = [values.pop(name) for name in positional]
        if OMITTED in args:   # a positional-only parameter left out: those after it too
            args = args[:args.index(OMITTED)]
        kwargs = {name: value for name, value in values.items() if value is not OMITTED}
        more = draw(extra, label='**kwargs')
        kwargs.update({name: value for name, value in more.items() if name not in free})
        return args, kwargs

    return arguments()
