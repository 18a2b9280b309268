"""What the user and broadcast records print: their columns and default fields."""
from __future__ import annotations

from typing import Any, Mapping

from pyperi import stats, urls
from pyperi.cli.runtime import Runtime
from pyperi.formatting import Column, raw_column
from pyperi.timeutil import try_parse_timestamp

__all__ = ['broadcast_columns', 'user_columns', 'BROADCAST_TABLE_FIELDS',
           'BROADCAST_CSV_FIELDS', 'BROADCAST_OPTIONAL_FIELDS', 'USER_TABLE_FIELDS',
           'USER_CSV_FIELDS', 'USER_OPTIONAL_FIELDS']


def broadcast_columns(runtime: Runtime) -> dict[str, Column]:
    """The fields pyperi computes for a broadcast (times in UTC, duration, page URL).

    Free text (the title, ``status``) is ``prose``: the only column narrowed to fit a
    terminal; ids, usernames and times never are.
    """
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
        'status': Column(lambda r: r.get('status'), 'prose', 40),   # the title
        'url': Column(url),
    }


BROADCAST_TABLE_FIELDS = ('start', 'id', 'username', 'state', 'duration', 'n_total_watched',
                          'status')
#: Left out of a broadcast table, in this order, while it is too wide for the terminal.
BROADCAST_OPTIONAL_FIELDS = ('n_total_watched', 'username')
BROADCAST_CSV_FIELDS = ('id', 'username', 'user_id', 'state', 'start', 'end', 'duration',
                        'n_total_watched', 'available_for_replay', 'language', 'country', 'city',
                        'status', 'url')


def user_columns(runtime: Runtime) -> dict[str, Column]:
    """The fields pyperi reads or computes for a user (creation time in UTC, page URL).

    ``display_name`` and ``description`` are ``prose``, narrowed first to fit a terminal.
    """
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
        'display_name': Column(lambda r: r.get('display_name'), 'prose'),
        'description': Column(lambda r: r.get('description'), 'prose', 40),
        'url': Column(url),
    }


USER_TABLE_FIELDS = ('id', 'username', 'display_name', 'n_followers', 'n_hearts',
                     'is_twitter_verified', 'url')
#: Left out of a user table, in this order, while it is too wide for the terminal.
USER_OPTIONAL_FIELDS = ('is_twitter_verified', 'n_hearts', 'url')
USER_CSV_FIELDS = ('id', 'username', 'display_name', 'created_at', 'n_followers', 'n_following',
                   'n_hearts', 'is_twitter_verified', 'twitter_screen_name', 'description', 'url')
