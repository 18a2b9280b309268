"""The commands about users' web pages: ``tokens`` (read from one), ``url`` and ``parse``."""
from __future__ import annotations

import argparse

from pyperi import urls
from pyperi.cli.command import Command
from pyperi.cli.runtime import NotFoundError, Runtime, UsageError
from pyperi.formatting import Output, raw_column

__all__ = ['COMMANDS']


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


#: This module's subcommands, in ``--help`` order.
COMMANDS = (
    Command('tokens', "print a user's public session tokens", _configure_tokens, _run_tokens,
            examples=('pyperi --offline tokens george_clinton',
                      'pyperi tokens https://www.periscope.tv/george_clinton -f json')),
    Command('url', 'build user and broadcast page URLs', _configure_url, _run_url,
            examples=('pyperi url george_clinton 376827',
                      'pyperi url -b 1zqKVWybqeDGB -f csv',
                      'pyperi --web-base-url http://127.0.0.1:8765 url george_clinton')),
    Command('parse', 'read broadcast id, user id and username out of URLs',
            _configure_parse, _run_parse,
            examples=('pyperi parse https://www.periscope.tv/w/1zqKVWybqeDGB',
                      'pyperi parse https://www.pscp.tv/george_clinton '
                      'https://www.periscope.tv/u/376827 -f csv')),
)
