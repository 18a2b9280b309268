"""The indexer's lines: its shortcuts agree with the general way; record bounds; odd records."""
from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyperi.archive import WarcFormatError, indexer
from pyperi.archive.captures import parse_cdxj_line
from pyperi.archive.indexer import index_warc
from pyperi.archive.keys import VOLATILE_PARAMS, canonical_key
from pyperi.archive.when import warc_date_timestamp

from warc_helpers import API

PARAMS = VOLATILE_PARAMS | {'_'}


def raw_record(kind: str, uri: str | None, date: str | None, block: bytes = b'', *,
               record_id: bool = True, extra: str = '',
               content_type: str = 'application/http; msgtype=response') -> bytes:
    """One WARC record written by hand, so its headers can be anything."""
    head = f'WARC/1.1\r\nWARC-Type: {kind}\r\n'
    if record_id:
        head += f'WARC-Record-ID: <urn:uuid:{abs(hash((kind, uri, date, block))):032x}>\r\n'
    if date is not None:
        head += f'WARC-Date: {date}\r\n'
    if uri is not None:
        head += f'WARC-Target-URI: {uri}\r\n'
    head += f'Content-Type: {content_type}\r\n{extra}Content-Length: {len(block)}\r\n\r\n'
    return head.encode('utf-8') + block + b'\r\n\r\n'


def http(status: int = 200, content_type: str | None = 'application/json', body: bytes = b'{}',
         headers: str = '') -> bytes:
    head = f'HTTP/1.1 {status} X\r\n'
    if content_type is not None:
        head += f'Content-Type: {content_type}\r\n'
    return (head + headers + f'Content-Length: {len(body)}\r\n\r\n').encode() + body


def write(path: Path, records: list[bytes]) -> Path:
    if path.name.endswith('.gz'):
        path.write_bytes(b''.join(gzip.compress(record) for record in records))
    else:
        path.write_bytes(b''.join(records))
    return path


def lines_of(path: Path, ignore: Any = PARAMS) -> list[dict[str, Any]]:
    found = []
    for line in index_warc(path, ignore).splitlines():
        key, timestamp, body = line.decode().split(' ', 2)
        found.append({'key': key, 'timestamp': timestamp, **json.loads(body)})
    return found


def general_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing is learnt, so every record takes the general way."""
    monkeypatch.setattr(indexer, '_MAX_CACHED', 0)


# URLs of a crawl: few paths, many values, with the odd ones that must not take a shortcut.
BASES = [f'{API}/getUserPublic', 'https://WWW.pscp.tv/w/abc', 'http://example.org:8080/a%7Eb',
         'https://replay.periscope.tv/hls/1abc', 'https://example.org', 'https://example.org/a/./b',
         'https://example.org/x#frag', 'https://example.org/caf\u00e9', 'https://example.org/q"']
NAMES = ['user_id', 'session_id', 'SESSION_ID', '_', 'a-b.c~', 'a b', 'x&y']
VALUES = st.text(st.sampled_from('a0-_.%&=#?/\u00e9\u00b2 +;'), max_size=4) | \
    st.sampled_from(['.', '..', '~', 'a.ts'])
USUAL_DATES = ['2021-03-01T12:34:56Z', '2021-03-01T12:34:57Z', '2021-03-01T12:35:58Z']
DATES = st.sampled_from(['2021-03-01t12:35:00Z', '2021-03-01T12:34:56.123456Z',
                         ' 2021-03-01T12:34:56Z',
                         '2021-03-01T12:34:5xZ', '2021-03-01T12:34', '2021-03-01 12:34:56',
                         '2021-13-01T12:34:56Z', 'garbage', '2021-03-01T12:34:\u00b2\u00b2Z'])
FORMS = ['{base}?{name}={value}', '{base}/{value}', '{base}?{name}={value}&b=1',
         '<{base}?{name}={value}>', '{base}', '{base}?{name}', '{base}={value}', 'dns:{value}',
         '{base}/{value}?{name}=1', '{base}/{name}/{value}', '<{base}/{value}>']


@st.composite
def crawls(draw: st.DrawFn) -> list[tuple[str, str, int, Any]]:
    """Records of a few URL shapes (so that shortcuts are learnt, then tried), odd ones mixed in."""
    shapes = draw(st.lists(st.tuples(st.sampled_from(BASES), st.sampled_from(NAMES)),
                           max_size=2)) + [(BASES[0], NAMES[0])]
    plain = st.from_regex(r'[A-Za-z0-9]{1,12}', fullmatch=True)
    records = []
    for _ in range(draw(st.integers(1, 30))):
        base, name = draw(st.sampled_from(shapes))
        form = draw(st.sampled_from(FORMS[:2])) if draw(st.booleans()) \
            else draw(st.sampled_from(FORMS))
        value = draw(plain if draw(st.booleans()) else VALUES)
        date = draw(st.sampled_from(USUAL_DATES) if draw(st.booleans()) else DATES)
        records.append((form.format(base=base, name=name, value=value), date,
                        draw(st.sampled_from([200, 200, 301, 404])),
                        draw(st.sampled_from(['application/json', 'text/html; charset=utf-8',
                                              None, 'Text/HTML ;x']))))
    return records


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=crawls())
def test_shortcuts_give_what_the_general_way_gives(records: list[tuple[str, str, int, Any]],
                                                   tmp_path_factory: pytest.TempPathFactory,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path_factory.mktemp('shortcuts')
    path = write(folder / 'crawl.warc', [
        raw_record('response', url, date, http(status, content_type,
                                               headers='Location: /elsewhere\r\n'))
        for url, date, status, content_type in records])
    fast = index_warc(path, PARAMS)
    with monkeypatch.context() as patch:
        general_only(patch)
        assert index_warc(path, PARAMS) == fast
    with monkeypatch.context() as patch:
        patch.setattr(indexer, '_MAX_CACHED', 2)   # caches full: cleared or left as they are
        assert index_warc(path, PARAMS) == fast
    for line in fast.splitlines():
        capture = parse_cdxj_line(line)
        assert capture.key == canonical_key(capture.url, PARAMS)


def test_keys_and_times_of_a_crawl_are_the_general_ones(tmp_path: Path) -> None:
    records, expected = [], []
    for number in range(300):
        url = f'{BASES[number % 3]}?{NAMES[number % 4]}={number:x}'
        date = f'2021-03-01T12:{number // 60:02d}:{number % 60:02d}Z'
        records.append(raw_record('response', url, date, http()))
        expected.append((canonical_key(url, PARAMS), warc_date_timestamp(date), url))
    found = lines_of(write(tmp_path / 'crawl.warc', records))
    assert sorted((line['key'], line['timestamp'], line['url']) for line in found) == \
        sorted(expected)


@pytest.mark.parametrize('name', ['bounds.warc', 'bounds.warc.gz'])
def test_each_record_ends_where_the_next_starts(tmp_path: Path, name: str) -> None:
    records = [raw_record('warcinfo', None, '2021-03-01T00:00:00Z', b'software: test',
                          content_type='application/warc-fields')]
    for number in range(4):
        url = f'{API}/getUserPublic?user_id={number}'
        records.append(raw_record('request', url, '2021-03-01T00:00:00Z', b'GET / HTTP/1.1\r\n\r\n',
                                  content_type='application/http; msgtype=request'))
        records.append(raw_record('response', url, '2021-03-01T00:00:00Z',
                                  http(body=b'x' * 1000 * number)))
    path = write(tmp_path / name, records)
    data = path.read_bytes()
    found = sorted(lines_of(path), key=lambda line: int(line['offset']))
    assert len(found) == 4
    sizes = [len(gzip.compress(record)) if name.endswith('.gz') else len(record)
             for record in records]
    starts = [sum(sizes[:index]) for index in range(len(sizes))]
    for number, line in enumerate(found):
        offset, length = int(line['offset']), int(line['length'])
        response = 2 + 2 * number   # warcinfo, then request and response pairs
        assert offset == starts[response]
        # The length runs to the next record (the next request), the last one to the end.
        assert offset + length == (starts[response + 1] if response + 1 < len(starts)
                                   else len(data))


def test_a_capture_without_a_record_id_is_indexed(tmp_path: Path) -> None:
    path = write(tmp_path / 'noid.warc', [
        raw_record('response', f'{API}/getUserPublic?user_id=1', '2021-03-01T00:00:00Z', http(),
                   record_id=False)])
    assert [line['url'] for line in lines_of(path)] == [f'{API}/getUserPublic?user_id=1']


def test_another_record_without_a_record_id_is_damage(tmp_path: Path) -> None:
    path = write(tmp_path / 'noid.warc', [
        raw_record('response', f'{API}/getUserPublic?user_id=1', '2021-03-01T00:00:00Z', http()),
        raw_record('metadata', None, '2021-03-01T00:00:00Z', b'x', record_id=False)])
    second = len(raw_record('response', f'{API}/getUserPublic?user_id=1',
                            '2021-03-01T00:00:00Z', http()))
    with pytest.raises(WarcFormatError, match='damaged WARC record header') as caught:
        index_warc(path, PARAMS)
    assert caught.value.offset == second and caught.value.path == str(path)


def test_odd_records(tmp_path: Path) -> None:
    url = f'{API}/getUserPublic?user_id=7'
    path = write(tmp_path / 'odd.warc', [
        raw_record('response', url, '2021-03-01T00:00:00Z', http()),   # teaches the shortcuts
        raw_record('response', f'<{url}>', '2021-03-01T00:00:01Z', http()),
        raw_record('response', url, '2021-03-01T00:00:02Z', http(302, headers='Location: /x\r\n')),
        raw_record('response', url, '2021-03-01T00:00:03Z', b'not an HTTP message',
                   content_type='text/plain'),
        raw_record('response', None, '2021-03-01T00:00:04Z', http()),
        raw_record('response', url, None, http()),
        raw_record('resource', url, '2021-03-01T00:00:05Z', b'abc',
                   content_type='text/plain; charset=utf-8'),
        raw_record('revisit', url, '2021-03-01T00:00:06Z', http(body=b''),
                   extra=f'WARC-Refers-To-Target-URI: {url}\r\n'
                         'WARC-Refers-To-Date: 2021-03-01T00:00:00Z\r\n'),
        raw_record('revisit', url, '2021-03-01T00:00:07Z', b'', content_type='text/plain'),
        raw_record('response', 'dns:example.org', '2021-03-01T00:00:08Z', b'1.2.3.4',
                   content_type='text/dns'),
        raw_record('response', f'{url}0', '2021-03-01T00:00:09Z', http(content_type=None)),
    ])
    found = {line['timestamp'][-2:]: line for line in lines_of(path)}
    assert sorted(found) == ['00', '01', '02', '05', '06', '07', '09']
    assert found['01']['url'] == url and found['01']['key'] == found['00']['key']
    assert found['02']['status'] == '302' and found['02']['location'] == '/x'
    assert (found['05']['status'], found['05']['mime']) == ('200', 'text/plain')
    assert found['06']['mime'] == 'warc/revisit' and found['06']['status'] == '200'
    assert found['06']['refers_to_date'] == '20210301000000'
    assert 'status' not in found['07']   # a revisit without an HTTP head
    assert found['09']['mime'] == '' and found['09']['key'].endswith('user_id=70')


def test_ignored_parameter_shortcut(tmp_path: Path) -> None:
    page = 'https://www.periscope.tv/george_clinton'
    path = write(tmp_path / 'tokens.warc', [
        raw_record('response', f'{page}?session_id={token}', f'2021-03-01T00:00:0{n}Z', http())
        for n, token in enumerate(['abc', 'def', 'a%20b', ''])])
    assert {line['key'] for line in lines_of(path)} == {'tv,periscope)/george_clinton'}


def test_mimes_are_per_content_type(tmp_path: Path, make_warc: Callable[..., Path]) -> None:
    path = write(tmp_path / 'mimes.warc', [
        raw_record('response', f'{API}/x?id={n}', '2021-03-01T00:00:00Z', http(content_type=ct))
        for n, ct in enumerate(['application/json', 'text/html; charset=utf-8', 'application/json',
                                ' a/"b" ', 'text/html; charset=utf-8'])])
    assert [line['mime'] for line in sorted(lines_of(path), key=lambda line: line['key'])] == \
        ['application/json', 'text/html', 'application/json', 'a/"b"', 'text/html']


def test_odd_dates_after_usual_ones(tmp_path: Path) -> None:
    dates = ['2021-03-01T12:34:56Z', '2021-03-01T12:34:5xZ', '2021-03-01T12:34:57.250Z',
             '2021-03-01T12:34:58', '2021-03-01T12:34', ' 2021-03-01T12:34:59Z']
    path = write(tmp_path / 'dates.warc', [
        raw_record('response', f'{API}/getUserPublic?user_id={n}', date, http())
        for n, date in enumerate(dates)])
    found = {line['url'][-1]: line['timestamp'] for line in lines_of(path)}
    assert found == {str(n): warc_date_timestamp(date) for n, date in enumerate(dates)
                     if warc_date_timestamp(date) is not None}
    assert found == {'0': '20210301123456', '2': '20210301123457', '3': '20210301123458',
                     '5': '20210301123459'}


TRAPS = {
    'quote in the path': ['https://example.org/q"?user_id=1', 'https://example.org/q"?user_id=2'],
    'fragment': ['https://example.org/x#f?session_id=1', 'https://example.org/x#f?user_id=2',
                 'https://example.org/x#f/a', 'https://example.org/x#f/b'],
    'slash in a value': ['https://example.org/a?q=/b', 'https://example.org/a?q=/c'],
    'odd values': [f'{API}/getUserPublic?user_id=1'] + [
        f'{API}/getUserPublic?user_id={value}'
        for value in ['a b', 'a+b', '%41', '1&b=2', '1#x', '\u00e9', '', '1;2', '1=2', '1?2']],
    'odd names': [f'{API}/getUserPublic?{name}=1' for name in
                  ['user_id', 'USER_ID', 'Session_Id', 'a b', '%41', '']],
    'odd segments': ['https://r.example/hls/1/chunk_1.ts'] + [
        f'https://r.example/hls/1/{name}' for name in
        ['chunk 2.ts', '%41.ts', 'a.ts?x=1', '..', '.', 'a.ts#f', '', '\u00e9', 'a;b', 'A=B']],
    'hosts and ports': ['https://Example.ORG:443/a/1', 'https://Example.ORG:443/a/2',
                        'http://example.org:80/a/3', 'https://example.org:8443/a/4'],
}


@pytest.mark.parametrize('urls', TRAPS.values(), ids=TRAPS.keys())
def test_shortcuts_are_not_taken_where_they_would_err(urls: list[str], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / 'traps.warc', [
        raw_record('response', url, f'2021-03-01T12:00:{n:02d}Z', http())
        for n, url in enumerate(urls + urls)])   # twice: the second round has all learnt
    fast = index_warc(path, PARAMS)
    general_only(monkeypatch)
    assert index_warc(path, PARAMS) == fast
    for line in fast.splitlines():
        json.loads(line.split(b' ', 2)[2])
        capture = parse_cdxj_line(line)
        assert capture.key == canonical_key(capture.url, PARAMS)


def test_a_status_line_without_a_status_after_learnt_ones(tmp_path: Path) -> None:
    url = f'{API}/getUserPublic?user_id='
    path = write(tmp_path / 'status.warc', [
        raw_record('response', f'{url}1', '2021-03-01T12:00:00Z', http()),
        raw_record('response', f'{url}2', '2021-03-01T12:00:01Z',
                   b'HTTP/1.1 abc X\r\nContent-Type: application/json\r\n\r\n{}')])
    found = sorted(lines_of(path), key=lambda line: line['url'])
    assert [line.get('status') for line in found] == ['200', None]
