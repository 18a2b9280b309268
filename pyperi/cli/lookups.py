"""The lookup commands: ``user``, ``broadcast``, ``tokens``, ``url``, ``parse``, ``serve-fake``.

Also the user and broadcast record shapes (columns and default fields) they print.
"""
from __future__ import annotations

import argparse
from typing import Any, Mapping

from pyperi import stats, urls
from pyperi.cli.runtime import (
    NotFoundError, Runtime, UsageError, _non_negative_int, _positive_float,
)
from pyperi.formatting import Column, Output, raw_column
from pyperi.timeutil import try_parse_timestamp


# -- record shapes -------------------------------------------------------------------------


def _broadcast_columns(runtime: Runtime) -> dict[str, Column]:
    def url(record: Mapping[str, Any]) -> str | None:
        try:
            return urls.broadcast_url(runtime.web_base_url, record.get('id'))
        except (TypeError, ValueError):
            return None

    return {
        'id': raw_column('id'),
        'state': raw_column('state'),
        'start': Column(stats.broadcast_start, 'time'),
        'end': Column(stats.broadcast_end, 'time'),
        'created_at': Column(lambda r: try_parse_timestamp(r.get('created_at')), 'time'),
        'duration': Column(lambda r: stats.broadcast_duration(r, now=runtime.now), 'duration'),
        'n_total_watched': Column(lambda r: r.get('n_total_watched'), 'number'),
        'status': Column(lambda r: r.get('status'), 'text', 40),
        'url': Column(url),
    }


BROADCAST_TABLE_FIELDS = ('start', 'id', 'username', 'state', 'duration', 'n_total_watched',
                          'status')
BROADCAST_CSV_FIELDS = ('id', 'username', 'user_id', 'state', 'start', 'end', 'duration',
                        'n_total_watched', 'available_for_replay', 'language', 'country', 'city',
                        'status', 'url')


def _user_columns(runtime: Runtime) -> dict[str, Column]:
    def url(record: Mapping[str, Any]) -> str | None:
        try:
            return urls.user_url(runtime.web_base_url, username=record.get('username'))
        except (TypeError, ValueError):
            return None

    return {
        'created_at': Column(lambda r: try_parse_timestamp(r.get('created_at')), 'time'),
        'n_followers': Column(lambda r: r.get('n_followers'), 'number'),
        'n_following': Column(lambda r: r.get('n_following'), 'number'),
        'n_hearts': Column(lambda r: r.get('n_hearts'), 'number'),
        'description': Column(lambda r: r.get('description'), 'text', 40),
        'url': Column(url),
    }


USER_TABLE_FIELDS = ('id', 'username', 'display_name', 'n_followers', 'n_hearts',
                     'is_twitter_verified', 'url')
USER_CSV_FIELDS = ('id', 'username', 'display_name', 'created_at', 'n_followers', 'n_following',
                   'n_hearts', 'is_twitter_verified', 'twitter_screen_name', 'description', 'url')


# -- commands ------------------------------------------------------------------------------


def _configure_user(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('users', nargs='+', metavar='USER',
                        help='user id, username or Periscope URL')


def _run_user(args: argparse.Namespace, runtime: Runtime) -> int:
    refs = [(ref, runtime.user_ref(ref)) for ref in args.users]
    records = []
    for ref, (user_id, username) in refs:
        user = runtime.peri.get_user_info(user_id=user_id, username=username)
        if user is None:
            runtime.not_found(f'user {ref!r} not found')
        else:
            records.append(user)
    if records:
        runtime.emit(Output(records, _user_columns(runtime), USER_TABLE_FIELDS, USER_CSV_FIELDS,
                            single=len(args.users) == 1, extra_fields=('url',)))
    return runtime.exit_code


def _configure_broadcast(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('broadcasts', nargs='+', metavar='BROADCAST',
                        help='broadcast id or Periscope URL')


def _run_broadcast(args: argparse.Namespace, runtime: Runtime) -> int:
    refs = [(ref, runtime.broadcast_ref(ref)) for ref in args.broadcasts]
    records = []
    for ref, broadcast_id in refs:
        broadcast = runtime.peri.get_broadcast_info(broadcast_id)
        if broadcast is None:
            runtime.not_found(f'broadcast {ref!r} not found')
        else:
            records.append(broadcast)
    if records:
        runtime.emit(Output(records, _broadcast_columns(runtime), BROADCAST_TABLE_FIELDS,
                            BROADCAST_CSV_FIELDS, single=len(args.broadcasts) == 1,
                            extra_fields=('duration', 'url')))
    return runtime.exit_code


def _configure_tokens(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('user', metavar='USER', help='user id, username or Periscope URL')


def _run_tokens(args: argparse.Namespace, runtime: Runtime) -> int:
    user_id, username = runtime.user_ref(args.user)
    tokens = runtime.peri.get_web_public_user_session_tokens(user_id=user_id, username=username)
    if tokens is None:
        raise NotFoundError(f'user {args.user!r} not found')
    columns = {name: raw_column(name) for name in tokens}
    fields = ('user_id', 'broadcastHistory', 'serviceToken', 'thumbnailPlaylist')
    runtime.emit(Output([tokens], columns, fields, fields, single=True, vertical_limit=None))
    return runtime.exit_code


def _configure_url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('users', nargs='*', metavar='USER',
                        help='user id, username or Periscope URL: prints the user page URL')
    parser.add_argument('-b', '--broadcast', action='append', default=[], metavar='BROADCAST',
                        help='broadcast id or URL: prints the broadcast page URL (repeatable)')


def _run_url(args: argparse.Namespace, runtime: Runtime) -> int:
    if not args.users and not args.broadcast:
        raise UsageError('give at least one USER or --broadcast BROADCAST')
    records = []
    for ref in args.users:
        user_id, username = runtime.user_ref(ref)
        url = urls.user_url(runtime.web_base_url, user_id=user_id, username=username)
        records.append({'input': ref, 'kind': 'user', 'url': url})
    for ref in args.broadcast:
        url = urls.broadcast_url(runtime.web_base_url, runtime.broadcast_ref(ref))
        records.append({'input': ref, 'kind': 'broadcast', 'url': url})
    fields = ('input', 'kind', 'url')
    runtime.emit(Output(records, {}, fields, fields))
    return runtime.exit_code


def _configure_parse(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('urls', nargs='+', metavar='URL', help='a Periscope URL')


def _run_parse(args: argparse.Namespace, runtime: Runtime) -> int:
    records = []
    for url in args.urls:
        parsed = urls.parse_periscope_url(url, runtime.web_base_url)
        if not any(parsed.values()):
            runtime.not_found(f'no broadcast, user id or username in {url!r}')
        records.append({'url': url, **parsed})
    fields = ('url', 'broadcast_id', 'user_id', 'username')
    runtime.emit(Output(records, {}, fields, fields, single=len(records) == 1))
    return runtime.exit_code


def _configure_serve_fake(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--host', default='127.0.0.1', help='address to bind (default: 127.0.0.1)')
    parser.add_argument('--port', type=_non_negative_int, default=0,
                        help='port to bind (default: 0, a free one)')
    parser.add_argument('--token-ttl', type=_positive_float, default=300.0, metavar='SECONDS',
                        help='lifetime of the session tokens it issues (default: 300)')


def _run_serve_fake(args: argparse.Namespace, runtime: Runtime) -> int:
    from pyperi import testing   # the fake server is only loaded for this command

    return int(testing.main(['--host', args.host, '--port', str(args.port),
                             '--token-ttl', repr(args.token_ttl)]) or 0)
