"""The ``history`` command: users' broadcast histories, filtered and listed."""
from __future__ import annotations

import argparse
from typing import Any, Mapping

from pyperi import stats
from pyperi.cli.args import add_users_argument, add_window_options, non_negative_int
from pyperi.cli.command import Command
from pyperi.cli.records import (
    BROADCAST_CSV_FIELDS, BROADCAST_OPTIONAL_FIELDS, BROADCAST_TABLE_FIELDS, broadcast_columns,
)
from pyperi.cli.runtime import Runtime
from pyperi.formatting import Output

__all__ = ['COMMANDS']


def _configure_history(parser: argparse.ArgumentParser) -> None:
    add_users_argument(parser)
    add_window_options(parser)
    parser.add_argument('--limit', type=non_negative_int, metavar='N',
                        help='at most N broadcasts per user (newest first)')


def _run_history(args: argparse.Namespace, runtime: Runtime) -> int:
    since, until = runtime.window()
    records: list[Mapping[str, Any]] = []
    for history in runtime.histories(args.users):
        kept = stats.filter_broadcasts(history.broadcasts or [], since=since, until=until,
                                       states=args.state)
        records.extend(kept if args.limit is None else kept[:args.limit])
    runtime.emit(Output(records, broadcast_columns(runtime), BROADCAST_TABLE_FIELDS,
                        BROADCAST_CSV_FIELDS, optional_fields=BROADCAST_OPTIONAL_FIELDS))
    return runtime.exit_code


#: This module's subcommands, in ``--help`` order.
COMMANDS = (
    Command('history', "list users' public broadcast history", _configure_history, _run_history,
            examples=('pyperi --offline history george_clinton --since 4w',
                      'pyperi history george_clinton --state ENDED --limit 10 -f csv',
                      'pyperi history george_clinton another_user --since 2024-05-01 '
                      '--until 2024-06-01')),
)
