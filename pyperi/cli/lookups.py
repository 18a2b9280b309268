"""The lookup commands: ``user`` and ``broadcast``."""
from __future__ import annotations

import argparse

from pyperi.cli.args import add_users_argument
from pyperi.cli.command import Command
from pyperi.cli.records import (
    BROADCAST_CSV_FIELDS, BROADCAST_OPTIONAL_FIELDS, BROADCAST_TABLE_FIELDS, USER_CSV_FIELDS,
    USER_OPTIONAL_FIELDS, USER_TABLE_FIELDS,
    broadcast_columns, user_columns,
)
from pyperi.cli.runtime import Runtime
from pyperi.formatting import Output

__all__ = ['COMMANDS']


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
        runtime.emit(Output(records, user_columns(runtime), USER_TABLE_FIELDS, USER_CSV_FIELDS,
                            single=len(args.users) == 1, extra_fields=('url',),
                            optional_fields=USER_OPTIONAL_FIELDS))
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
        runtime.emit(Output(records, broadcast_columns(runtime), BROADCAST_TABLE_FIELDS,
                            BROADCAST_CSV_FIELDS, single=len(args.broadcasts) == 1,
                            extra_fields=('duration', 'url'),
                            optional_fields=BROADCAST_OPTIONAL_FIELDS))
    return runtime.exit_code


#: This module's subcommands, in ``--help`` order.
COMMANDS = (
    Command('user', 'show users (by id, username or URL)', add_users_argument, _run_user,
            examples=('pyperi --offline user george_clinton',
                      'pyperi user george_clinton https://www.periscope.tv/u/376827 -f csv',
                      'pyperi user george_clinton --fields id,username,n_followers --array')),
    Command('broadcast', 'show broadcasts (by id or URL)', _configure_broadcast, _run_broadcast,
            examples=('pyperi --offline broadcast 1zqKVWybqeDGB',
                      'pyperi broadcast https://www.periscope.tv/w/1zqKVWybqeDGB -f json',
                      'pyperi broadcast 1zqKVWybqeDGB --fields id,start,duration -f csv')),
)
