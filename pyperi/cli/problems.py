"""What went wrong, said plainly: the one-line reports of the command's errors.

* :func:`describe` turns an error into the text after ``pyperi: error:``: a host
  that cannot be reached or does not answer is named with what to do about it, and
  exception class names never show (``-v`` still logs the whole error);
* :class:`BaseURLCheck` notices what the library logs when an API base URL answers
  404 with a body that is not Periscope's (a base URL without ``/api/v2``), so "not
  found" can be reported as the wrong base URL it really is;
* :func:`half_set_bases` warns when one base URL was moved and the other left at
  Periscope's host.
"""
from __future__ import annotations

import argparse
import logging
import re
from typing import Any
from urllib.parse import urlsplit

from pyperi import urls
from pyperi.client import DEFAULT_TIMEOUT
from pyperi.exceptions import PyPeriConnectionError, PyPeriTimeout

__all__ = ['describe', 'plain', 'plain_text', 'BaseURLCheck', 'half_set_bases', 'seconds_text',
           'suggested_api_base', 'USES_BOTH_BASES']

#: What to try when Periscope's own hosts cannot be reached.
CLOSED_HINT = ('Periscope closed in 2021); try --offline, --archive PATH, or '
               '--api-base-url/--web-base-url (or PYPERI_API_BASE_URL/PYPERI_WEB_BASE_URL)')
#: What to check when another host cannot be reached.
OTHER_HINT = ('check --api-base-url/--web-base-url (or PYPERI_API_BASE_URL/'
              'PYPERI_WEB_BASE_URL) and that the server there is running')

_PERISCOPE_HOSTS = urls.PERISCOPE_HOSTS | {
    urlsplit(urls.DEFAULT_API_BASE_URL).netloc, urlsplit(urls.DEFAULT_WEB_BASE_URL).netloc}

# Words in urllib3's and the socket library's messages, and what they mean.
_CAUSES = (
    (('NameResolutionError', 'Failed to resolve', 'Name or service not known',
      'nodename nor servname', 'getaddrinfo failed', 'Temporary failure in name resolution'),
     'its name does not resolve: no network or no DNS'),
    (('Connection refused', 'ConnectionRefusedError', 'actively refused'),
     'connection refused'),
    (('Connection reset', 'ConnectionResetError', 'RemoteDisconnected', 'Connection aborted'),
     'the connection was reset'),
    (('Network is unreachable', 'No route to host'), 'no route to it'),
)

# A class name at the start of a message, as the library's results and events carry them.
_CLASS_PREFIX = re.compile(r'^(?:[A-Za-z_][\w.]*\.)?[A-Z]\w*(?:Error|Exception|Timeout|'
                           r'Interrupted|Warning): ')
_URL = re.compile(r'https?://[^\s\'"(),]+')


def plain(text: str) -> str:
    """``text`` without a leading exception class name (``PyPeriServerError: HTTP 500...``)."""
    return _CLASS_PREFIX.sub('', text, count=1)


def plain_text(text: str) -> str:
    """A library error carried as text (a download result's, a watch event's), said as
    :func:`describe` says errors: no class name, an unreachable host named plainly."""
    message = plain(text)
    return _unreachable(message) or message


def _kind(error: BaseException) -> str:
    """A readable name for an error with no message: ``PyPeriTimeout`` -> ``timeout``."""
    name = re.sub(r'^PyPeri', '', type(error).__name__) or 'error'
    words = re.sub(r'(?<=[a-z0-9])(?=[A-Z])', ' ', name).lower()
    return words if words.endswith(('error', 'timeout')) else f'{words} error'


def seconds_text(value: Any) -> str:
    """``5`` or ``5,30`` (a (connect, read) pair), as the option is written."""
    if isinstance(value, tuple):
        return ','.join(f'{part:g}' for part in value)
    return f'{value:g}'


def _host(message: str) -> str | None:
    """The host (and port) of the first URL in ``message``."""
    found = _URL.search(message)
    if found is None:
        return None
    try:
        return urlsplit(found.group(0)).netloc or None
    except ValueError:
        return None


def _is_periscope(host: str) -> bool:
    return host.split(':')[0].lower() in _PERISCOPE_HOSTS


def _unreachable(message: str) -> str | None:
    """``cannot reach HOST (why; ...)`` for a connection that could not be made."""
    host = _host(message)
    if host is None or not message.startswith('connection to '):
        return None   # e.g. a connection dropped in a body: the library's message says so
    cause = next((text for words, text in _CAUSES if any(w in message for w in words)),
                 'the connection failed')
    if _is_periscope(host):
        return f'cannot reach {host} ({cause}; {CLOSED_HINT}'
    return f'cannot reach {host} ({cause}): {OTHER_HINT}'


def _timed_out(error: PyPeriTimeout, args: argparse.Namespace | None) -> str | None:
    """Which host did not answer, which setting ran out and its value."""
    host = _host(str(error))
    if host is None or error.which not in ('connect', 'read', 'deadline'):
        return None
    seconds = '' if error.seconds is None else f'{error.seconds:g} s'
    if error.which == 'deadline':
        return (f'{host} did not answer in full within the deadline of {seconds} '
                f'(--deadline SECONDS; it covers connecting, retries and the body)')
    timeout = getattr(args, 'timeout', None) or DEFAULT_TIMEOUT
    setting = (f'--timeout {seconds_text(timeout)} now; give more as --timeout SECONDS '
               f'or CONNECT,READ')
    if error.which == 'connect':
        return f'could not connect to {host} within the connect timeout of {seconds} ({setting})'
    return f'{host} sent nothing within the read timeout of {seconds} ({setting})'


def describe(error: BaseException, args: argparse.Namespace | None = None) -> str:
    """The text that reports ``error`` after ``pyperi: error:`` (no class names)."""
    if isinstance(error, PyPeriConnectionError):
        text = _unreachable(str(error))
        if text:
            return text
    if isinstance(error, PyPeriTimeout):
        text = _timed_out(error, args)
        if text:
            return text
    message = plain(str(error))
    return message or _kind(error)


# -- base URLs ------------------------------------------------------------------------------

#: Commands that read both the API and the web pages (``download`` only with ``--user``).
USES_BOTH_BASES = frozenset({'history', 'stats', 'watch'})


def _default_host(url: str, default: str) -> bool:
    return urlsplit(url).netloc.lower() == urlsplit(default).netloc


def half_set_bases(args: argparse.Namespace, api_base_url: str, web_base_url: str) -> str | None:
    """A warning when one base URL was moved but the other still points at Periscope.

    Only for commands that use both (``history``, ``stats``, ``watch``, ``download
    --user``): they would read one half from the server given and the other from
    Periscope's closed host.
    """
    command = getattr(args, 'command', None)
    if command not in USES_BOTH_BASES and not (command == 'download'
                                               and getattr(args, 'user', None)):
        return None
    api_default = _default_host(api_base_url, urls.DEFAULT_API_BASE_URL)
    web_default = _default_host(web_base_url, urls.DEFAULT_WEB_BASE_URL)
    if api_default == web_default:
        return None
    moved, kept, kept_url = (('API', 'web', web_base_url) if web_default
                             else ('web', 'API', api_base_url))
    option = f'--{kept.lower()}-base-url'
    return (f'the {moved} base URL is set but the {kept} base URL is still {kept_url}, '
            f'which {command} also uses; set {option} (or PYPERI_{kept.upper()}_BASE_URL) too')


def suggested_api_base(api_base_url: str) -> str | None:
    """``api_base_url`` with ``/api/v2`` added, when it lacks it."""
    path = urlsplit(api_base_url).path.rstrip('/')
    if path.endswith('/api/v2'):
        return None
    return api_base_url.rstrip('/') + '/api/v2'


class BaseURLCheck(logging.Handler):
    """Collects the library's "404 that is not Periscope's" warnings during a run.

    :class:`pyperi.Peri` logs them on ``pyperi.client`` with the ``api_base_url``
    attribute (see :doc:`errors`); :meth:`problem` then says what is wrong.
    """

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.api_base_url: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        base = getattr(record, 'api_base_url', None)
        if isinstance(base, str):
            self.api_base_url = base

    def problem(self) -> str | None:
        """The report of a wrong API base URL, or None if none was seen."""
        if self.api_base_url is None:
            return None
        guess = suggested_api_base(self.api_base_url)
        hint = f' (did you mean {guess}?)' if guess else ''
        return (f"the API base URL {self.api_base_url} does not look like Periscope's API: "
                f"it answered 404 without Periscope's JSON error{hint}")

    def __enter__(self) -> BaseURLCheck:
        logging.getLogger('pyperi.client').addHandler(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        logging.getLogger('pyperi.client').removeHandler(self)
