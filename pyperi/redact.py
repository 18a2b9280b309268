"""Secrets out of text and logs: session tokens, signed query strings, CloudFront cookies.

:func:`redact` replaces the value of every parameter named in :data:`SECRET_NAMES`
wherever it appears as ``name=value`` (a query string, a cookie header, also
percent-encoded inside another URL) or as ``'name': 'value'`` (a dict or JSON).
:func:`install_log_filters` puts the same rule on the loggers of urllib3 and
requests, which quote URLs in their own messages at every level.
"""
from __future__ import annotations

import logging
import re
import traceback

__all__ = ['SECRET_NAMES', 'REDACTED', 'redact', 'RedactingFilter', 'install_log_filters',
           'LIBRARY_LOGGERS']

#: Parameters and cookies whose values are secrets: Periscope's session tokens, the
#: parts of CloudFront and S3 signed URLs, and CloudFront's signed cookies.
SECRET_NAMES = (
    'session_id', 'access_token', 'token',
    'Signature', 'Policy', 'Key-Pair-Id',
    'CloudFront-Signature', 'CloudFront-Policy', 'CloudFront-Key-Pair-Id',
    'X-Amz-Signature', 'X-Amz-Credential', 'X-Amz-Security-Token',
)
#: What a secret value is replaced with.
REDACTED = '<redacted>'

#: The loggers of the libraries pyperi's requests go through; each gets the filter
#: (a filter on ``urllib3`` alone would miss records of its child loggers).
LIBRARY_LOGGERS = (
    'urllib3', 'urllib3.connectionpool', 'urllib3.connection', 'urllib3.poolmanager',
    'urllib3.response', 'urllib3.util.retry', 'urllib3.util.ssl_', 'urllib3.http2',
    'urllib3.contrib.socks', 'requests', 'requests.sessions', 'requests.adapters',
)

_NAMES = '|'.join(re.escape(name) for name in sorted(SECRET_NAMES, key=len, reverse=True))
# name=value and name%3Dvalue: the value runs to the next separator (a percent-encoded
# '&' included); the name must not be the tail of a longer one (serviceToken=...).
_ASSIGNED = re.compile(
    rf'(?:(?<![\w-])|(?<=%3[fF])|(?<=%26))((?:{_NAMES})(?:=|%3[dD]))'
    rf'((?:(?!%26|%3[bB])[^&;#\s\'"<>),\]}}])+)',
    re.IGNORECASE)
# 'name': 'value' and "name": "value" (a dict's repr, JSON).
_QUOTED = re.compile(rf'''(['"](?:{_NAMES})['"]\s*:\s*)(['"])((?:(?!\2)[^\\]|\\.)*)\2''',
                     re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with every secret value replaced by ``<redacted>``, fit for logs and messages.

    >>> from pyperi.redact import redact
    >>> redact('https://api.periscope.tv/api/v2/x?session_id=abc&user_id=1')
    'https://api.periscope.tv/api/v2/x?session_id=<redacted>&user_id=1'
    >>> redact("{'CloudFront-Signature': 'xyz'}")
    "{'CloudFront-Signature': '<redacted>'}"

    :raises TypeError: ``text`` is not a ``str``.
    """
    if not isinstance(text, str):
        raise TypeError(f'text must be a str, not {type(text).__name__}')
    if '=' not in text and '%3' not in text and ':' not in text:
        return text
    text = _ASSIGNED.sub(rf'\1{REDACTED}', text)
    return _QUOTED.sub(rf'\1\2{REDACTED}\2', text)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts secrets from a record's message and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):
            return True  # a malformed record: logging reports it itself when formatting
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            # Formatters use exc_text when it is set: the traceback text, redacted once here.
            record.exc_text = redact(''.join(traceback.format_exception(*record.exc_info))
                                     .rstrip('\n'))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_log_filters(names: tuple[str, ...] = LIBRARY_LOGGERS) -> None:
    """Add one :class:`RedactingFilter` to each logger named, and to every ``urllib3.*`` logger
    that exists already; loggers that have one keep just the one.

    :raises TypeError: ``names`` is not a tuple or list of str.
    """
    if not isinstance(names, (tuple, list)) or not all(isinstance(n, str) for n in names):
        raise TypeError(f'names must be a tuple of logger names, not {type(names).__name__}')
    manager = logging.Logger.manager
    existing = [name for name in list(manager.loggerDict)
                if name.startswith(('urllib3.', 'requests.'))]
    for name in (*names, *existing):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
