"""The :class:`Peri` client: one ``requests.Session`` shared by every call."""
from __future__ import annotations

import logging
import math
import os
import re
from http.cookiejar import CookieJar
from datetime import date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, Mapping, MutableMapping, Union
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from . import legacy, replay, urls, web
from .checks import check_bool, check_mapping, check_number, check_optional_str, check_str, shown
from ._version import __version__
from .exceptions import (
    PyPeriConnectionError,
    PyPeriError,
    PyPeriResponseError,
    PyPeriTimeout,
    error_for_response,
)

if TYPE_CHECKING:
    from .archive import index as archive_index

__all__ = ['Peri', 'build_retry', 'DEFAULT_TIMEOUT', 'DEFAULT_RETRIES']

logger = logging.getLogger(__name__)

#: (connect, read) seconds applied to every request unless a Peri is given another.
DEFAULT_TIMEOUT = (5.0, 30.0)
#: How many times an idempotent GET is retried by default.
DEFAULT_RETRIES = 3
#: Statuses worth retrying: rate limited, or a gateway in trouble.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: Connections kept per host: enough for a pool of 16+ threads sharing one Peri.
POOL_SIZE = 32

Timeout = Union[float, 'tuple[float, float]']
_SECRET = re.compile(r'(session_id=)[^&#\s\'"]+')


def redact(text: str) -> str:
    """``text`` with session token values replaced, fit for logs and messages."""
    return _SECRET.sub(r'\1<redacted>', text)


class _RedactTokens(logging.Filter):
    """Keeps session tokens out of urllib3's retry warnings, which quote the URL."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if 'session_id=' in message:
            record.msg, record.args = redact(message), None
        return True


_urllib3_log = logging.getLogger('urllib3.connectionpool')
if not any(isinstance(f, _RedactTokens) for f in _urllib3_log.filters):
    _urllib3_log.addFilter(_RedactTokens())


class _Retry(Retry):
    """urllib3's Retry with Retry-After capped and read timeouts not retried.

    A server that stalls is not retried so that a call never outlasts its
    timeout by a multiple of it.
    """

    def __init__(self, *args: Any, retry_after_cap: float = 60.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after_cap = retry_after_cap

    def new(self, **kwargs: Any) -> _Retry:
        retry = super().new(**kwargs)
        retry.retry_after_cap = self.retry_after_cap
        return retry

    def get_retry_after(self, response: Any) -> float | None:
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, self.retry_after_cap)

    def increment(self, method: str | None = None, url: str | None = None,
                  *args: Any, **kwargs: Any) -> _Retry:
        error = kwargs.get('error')
        if isinstance(error, ReadTimeoutError):
            raise error
        return super().increment(method, url, *args, **kwargs)


def build_retry(total: int, *, backoff_factor: float = 0.25,
                retry_after_cap: float = 60.0) -> Retry:
    """The retry policy pyperi mounts: GETs on connection errors, 429, 502-504.

    :param total: retries after the first attempt; 0 disables retrying.
    :param backoff_factor: seconds scaling the exponential pause between tries.
    :param retry_after_cap: longest ``Retry-After`` honoured, in seconds.
    """
    if isinstance(total, bool) or not isinstance(total, int):
        raise TypeError(f'retries must be an int or a urllib3 Retry, not {type(total).__name__}')
    if total < 0:
        raise ValueError(f'retries must be 0 or more, got {total}')
    return _Retry(
        total=total, backoff_factor=backoff_factor, retry_after_cap=retry_after_cap,
        status_forcelist=RETRY_STATUSES, allowed_methods=frozenset({'GET', 'HEAD'}),
        raise_on_status=False, respect_retry_after_header=True)


def _check_timeout(timeout: Any) -> Timeout:
    """``timeout`` if it is a positive number or a pair of them.

    TypeError for what is not a number or a pair; ValueError for zero, negative
    or infinite seconds (a call must never hang).
    """
    values = timeout if isinstance(timeout, tuple) else (timeout,)
    if len(values) not in (1, 2) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        raise TypeError(
            f'timeout must be a number of seconds or a (connect, read) pair, got {shown(timeout)}')
    if not all(0 < check_number(v, 'timeout') < math.inf for v in values):
        raise ValueError(f'timeout must be positive and finite, got {shown(timeout)}')
    checked: Timeout = timeout
    return checked


def _base_url(given: str | None, variable: str, default: str, name: str) -> str:
    """The argument, else the environment variable, else the class default; checked."""
    if given:
        return _check_base_url(given, name)
    if os.environ.get(variable):
        return _check_base_url(os.environ[variable], f'{name} (from ${variable})')
    return _check_base_url(default, name)


def _check_base_url(url: Any, name: str) -> str:
    if not isinstance(url, str):
        raise TypeError(f'{name} must be a str, not {type(url).__name__}')
    parts = urlsplit(url.strip())
    if parts.scheme not in ('http', 'https') or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f'{name} must be an http(s) URL without query, got {url!r}')
    return url.strip().rstrip('/')


def _check_get_arguments(url: Any, params: Any, stream: Any, cookies: Any, headers: Any,
                         endpoint: Any) -> None:
    """TypeError naming the first argument of :meth:`Peri.http_get` of the wrong type."""
    check_str(url, 'url')
    if params is not None:
        check_mapping(params, 'params')
    check_bool(stream, 'stream')
    if cookies is not None and not isinstance(cookies, (Mapping, CookieJar)):
        raise TypeError(f'cookies must be a dict or a CookieJar, not {type(cookies).__name__}')
    for name, value in check_mapping(headers or {}, 'headers').items():
        check_str(value, f'headers[{check_str(name, "headers names")!r}]')
    check_optional_str(endpoint, 'endpoint')


def _field(result: Mapping[str, Any], key: str, kind: type, endpoint: str) -> Any:
    value = result.get(key)
    if not isinstance(value, kind):
        raise PyPeriResponseError(
            f'expected {key!r} to be a JSON {"object" if kind is dict else "array"} in the '
            f'{endpoint} response, got {type(value).__name__ if key in result else "nothing"}')
    return value


class Peri:
    """A client for Periscope's public API and web pages.

    :param session: a ``requests.Session`` to use as is (its own adapters,
        certificates and proxies); by default Peri makes one with retries and
        a connection pool sized for sharing between threads, and closes it.
    :param api_base_url: API root; default ``$PYPERI_API_BASE_URL``, else
        :attr:`PERISCOPE_API_BASE_URL`.
    :param web_base_url: web root; default ``$PYPERI_WEB_BASE_URL``, else
        :attr:`PERISCOPE_WEB_BASE_URL`.
    :param timeout: seconds, or a (connect, read) pair, for every request.
    :param retries: retries per GET (0 disables), or a ``urllib3`` Retry;
        applies to the session Peri makes.
    :param user_agent: the User-Agent header; default ``pyperi/<version>``.
    """

    PERISCOPE_API_BASE_URL = urls.DEFAULT_API_BASE_URL
    PERISCOPE_WEB_BASE_URL = urls.DEFAULT_WEB_BASE_URL

    def __init__(self, session: requests.Session | None = None, *,
                 api_base_url: str | None = None, web_base_url: str | None = None,
                 timeout: Timeout = DEFAULT_TIMEOUT, retries: int | Retry = DEFAULT_RETRIES,
                 user_agent: str | None = None) -> None:
        self.api_base_url = _base_url(api_base_url, 'PYPERI_API_BASE_URL',
                                      self.PERISCOPE_API_BASE_URL, 'api_base_url')
        self.web_base_url = _base_url(web_base_url, 'PYPERI_WEB_BASE_URL',
                                      self.PERISCOPE_WEB_BASE_URL, 'web_base_url')
        self.timeout = _check_timeout(timeout)
        if session is not None and not isinstance(session, requests.Session):
            raise TypeError(f'session must be a requests.Session or None, '
                            f'not {type(session).__name__}')
        retry = retries.new(raise_on_status=False) if isinstance(retries, Retry) \
            else build_retry(retries)  # checked even for a caller's session, which ignores it
        self._owns_session = session is None
        # A caller's session keeps its own headers; only an explicit user_agent is added per call.
        self._headers = {'User-Agent': user_agent} if user_agent and session is not None else {}
        if session is None:
            session = requests.Session()
            adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=POOL_SIZE)
            session.mount('https://', adapter)
            session.mount('http://', adapter)
            session.headers['User-Agent'] = (
                user_agent or f'pyperi/{__version__} python-requests/{requests.__version__}')
        self.session = session

    @classmethod
    def from_archive(cls, paths: archive_index.PathsArgument, *,
                     when: str | datetime | date | None = None, **options: Any) -> Peri:
        """A Peri answering from WARC files (extra ``pyperi[archive]``); see :doc:`archives`.

        :param paths: WARC / WARC.gz files or folders of them.
        :param when: replay the captures nearest to this time; None: the latest.
        :param options: ``ignore_params``, ``index_dir``, ``cache`` go to
            :func:`pyperi.archive.archive_session`; the rest to :class:`Peri`.
        """
        from . import archive  # optional: only archive users import the WARC reader

        names = ('ignore_params', 'index_dir', 'cache')
        session = archive.archive_session(
            paths, when, **{k: options.pop(k) for k in names if k in options})
        options.setdefault('api_base_url', urls.DEFAULT_API_BASE_URL)
        options.setdefault('web_base_url', urls.DEFAULT_WEB_BASE_URL)
        try:
            peri = cls(session, **options)
        except BaseException:
            session.close()
            raise
        peri._owns_session = True  # made here, so closed with the Peri
        return peri

    @classmethod
    def from_wayback(cls, prefix: str, *, when: str | datetime | date | None = None,
                     **options: Any) -> Peri:
        """A Peri reading Periscope through a Wayback-style replay server, see :doc:`archives`.

        :param prefix: the server's collection URL, e.g. ``https://web.archive.org/web``.
        :param when: the time whose nearest captures are replayed; None: now (the latest).
        :param options: go to :class:`Peri`.
        """
        from . import archive

        api_base_url, web_base_url = archive.wayback_base_urls(prefix, when)
        peri = cls(api_base_url=api_base_url, web_base_url=web_base_url, **options)
        archive.wayback_session(prefix, when, session=peri.session)
        return peri

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(api_base_url={self.api_base_url!r}, '
                f'web_base_url={self.web_base_url!r}, timeout={self.timeout!r})')

    def __enter__(self) -> Peri:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the session, if Peri made it; a session passed in is left open."""
        if self._owns_session:
            self.session.close()

    # -- HTTP core ---------------------------------------------------------

    def http_get(self, url: str, *, params: Mapping[str, Any] | None = None,
                 stream: bool = False, cookies: MutableMapping[str, str] | None = None,
                 headers: Mapping[str, str] | None = None, timeout: Timeout | None = None,
                 endpoint: str | None = None) -> requests.Response | None:
        """GET ``url`` on the shared session.

        Returns the response, or None for a 404. With ``stream=True`` the
        caller must close the response.

        :raises PyPeriHTTPError: (or a subclass) for any other error status.
        :raises PyPeriConnectionError: could not connect, or the connection dropped.
        :raises PyPeriTimeout: no answer within the timeout.
        :raises TypeError: an argument has the wrong type.
        """
        _check_get_arguments(url, params, stream, cookies, headers, endpoint)
        if timeout is not None:
            _check_timeout(timeout)
        shown = redact(url)
        wait = timeout or self.timeout
        logger.debug('GET %s', shown)
        try:
            response = self.session.get(
                url, params=params, stream=stream, cookies=cookies, timeout=wait,
                headers={**self._headers, **(headers or {})})
        except PyPeriError:
            raise  # already ours: e.g. PyPeriNotArchivedError from an archive session
        except requests.Timeout as error:
            raise PyPeriTimeout(f'no answer within {wait}s from {shown}') from error
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as error:
            raise PyPeriConnectionError(
                f'connection to {shown} failed: {redact(str(error))}') from error
        except requests.RequestException as error:
            raise PyPeriError(f'request to {shown} failed: {redact(str(error))}') from error
        logger.debug('HTTP %s from %s', response.status_code, shown)
        if response.status_code == 404:
            response.close()
            return None
        if response.status_code >= 400:
            problem = error_for_response(response, url=shown, endpoint=endpoint)
            response.close()
            raise problem
        return response

    def request_api(self, endpoint: str, **params: Any) -> dict[str, Any] | None:
        """Call an API endpoint and return its JSON object, or None on a 404.

        Params are sent sorted by name; those that are None are left out.

        :raises ValueError: ``endpoint`` is not a plain method name.
        :raises PyPeriResponseError: the body is not a JSON object.
        """
        url = urls.api_url(self.api_base_url, endpoint, params)
        response = self.http_get(url, endpoint=endpoint)
        if response is None:
            return None
        return web.json_object(web.body_text(response), endpoint)

    create_api_request_url = legacy.create_api_request_url

    # -- API ---------------------------------------------------------------

    def get_user_info(self, user_id: str | int | None = None,
                      username: str | None = None) -> dict[str, Any] | None:
        """A user's public profile, or None if there is no such user.

        Uses the ``getUserPublic`` endpoint, by ``user_id`` or, failing that,
        ``username``.
        """
        if user_id is not None:
            params = {'user_id': urls.validate_user_id(user_id)}
        elif username is not None:
            params = {'username': urls.validate_username(username)}
        else:
            raise ValueError('user_id or username is required')
        result = self.request_api('getUserPublic', **params)
        return None if result is None else _field(result, 'user', dict, 'getUserPublic')

    def get_broadcast_info(self, broadcast_id: str) -> dict[str, Any] | None:
        """A broadcast's details, or None if there is no such broadcast.

        Uses the ``accessVideoPublic`` endpoint.
        """
        result = self.request_api(
            'accessVideoPublic', broadcast_id=urls.validate_broadcast_id(broadcast_id))
        return None if result is None else _field(result, 'broadcast', dict, 'accessVideoPublic')

    def get_web_public_user_session_tokens(
            self, user_id: str | int | None = None,
            username: str | None = None) -> dict[str, str] | None:
        """Short-lived public session tokens from a user's web page, or None if no such user.

        Returns ``broadcastHistory``, ``serviceToken``, ``thumbnailPlaylist``
        and the ``user_id`` they give access to. Tokens expire within
        minutes: fetch them afresh for each use.

        :raises PyPeriResponseError: the page holds no readable tokens.
        """
        response = self.http_get(self.create_user_url(user_id=user_id, username=username))
        if response is None:
            return None
        return web.session_tokens(
            web.extract_data_store(web.body_text(response)),
            user_id=None if user_id is None else urls.validate_user_id(user_id),
            username=username if user_id is None else None)  # user_id wins, as in the URL

    def get_user_broadcast_history(self, user_id: str | int | None = None,
                                   username: str | None = None) -> list[dict[str, Any]] | None:
        """A user's available broadcasts, newest first, or None if no such user.

        Two steps: session tokens from the user's web page, then the
        ``getUserBroadcastsPublic`` endpoint with the ``broadcastHistory`` token.
        """
        tokens = self.get_web_public_user_session_tokens(user_id=user_id, username=username)
        if tokens is None:
            return None
        result = self.request_api(
            'getUserBroadcastsPublic', user_id=tokens['user_id'], all='true',
            session_id=tokens['broadcastHistory'])
        if result is None:
            return None
        broadcasts: list[dict[str, Any]] = _field(result, 'broadcasts', list,
                                                  'getUserBroadcastsPublic')
        if not all(isinstance(item, dict) for item in broadcasts):
            raise PyPeriResponseError(
                'expected every item of getUserBroadcastsPublic broadcasts to be a JSON object')
        return broadcasts

    # -- replays -----------------------------------------------------------

    def get_broadcast_stream_urls(self, broadcast_id: str) -> dict[str, Any] | None:
        """Playback URLs, stream type and cookies of a broadcast, or None if there is none.

        See :func:`pyperi.replay.get_broadcast_stream_urls`.
        """
        return replay.get_broadcast_stream_urls(self, broadcast_id)

    def download_broadcast(self, broadcast_id: str, path: str | os.PathLike[str] | None = None,
                           *, overwrite: bool = False,
                           progress: replay.ProgressCallback | None = None,
                           **options: Any) -> Path:
        """Save a replay (or capture a live broadcast) as one ``.ts`` file; returns its path.

        See :func:`pyperi.replay.download_broadcast`.
        """
        return replay.download_broadcast(self, broadcast_id, path, overwrite=overwrite,
                                         progress=progress, **options)

    def download_user_history(self, user: str, directory: str | os.PathLike[str], *,
                              since: datetime | timedelta | None = None,
                              progress: replay.ProgressCallback | None = None,
                              on_result: Callable[[replay.DownloadResult], Any] | None = None,
                              **options: Any) -> list[replay.DownloadResult] | None:
        """Save every available replay of a user into ``directory``; None if no such user.

        See :func:`pyperi.replay.download_user_history`.
        """
        return replay.download_user_history(self, user, directory, since=since,
                                            progress=progress, on_result=on_result, **options)

    # -- URLs (callable on the class too, as PyPeri 0.2.0's classmethods were) -----

    @legacy.class_or_instance_method
    def create_user_url(self, user_id: str | int | None = None,
                        username: str | None = None) -> str:
        """The user's page: ``{web}/u/{user_id}`` or ``{web}/{username}``; user_id wins.

        Works on the class (``Peri.create_user_url(...)``, the class's
        ``PERISCOPE_WEB_BASE_URL``) and on an instance (its ``web_base_url``).
        """
        return urls.user_url(legacy.web_base_of(self), user_id=user_id, username=username)

    @legacy.class_or_instance_method
    def create_broadcast_url(self, broadcast_id: str) -> str:
        """The broadcast's page: ``{web}/w/{broadcast_id}`` (on the class or an instance)."""
        return urls.broadcast_url(legacy.web_base_of(self), broadcast_id)

    @legacy.class_or_instance_method
    def parse_periscope_url(self, url: str) -> dict[str, str | None]:
        """``broadcast_id``, ``user_id`` and ``username`` from a Periscope URL (None if absent).

        Works on the class and on an instance (which also reads URLs on its own web host).
        See :func:`pyperi.urls.parse_periscope_url` for the forms understood.
        """
        return urls.parse_periscope_url(url, legacy.web_base_of(self))

    # -- PyPeri 0.2.0's underscore names, kept as thin aliases --------------------

    _create_api_request_url = legacy.create_api_request_url
    _get_web_data_store = legacy.get_web_data_store
    _parse_periscope_w_url = legacy.parse_w_url
    _parse_periscope_u_url = legacy.parse_u_url
    _parse_periscope_username_url = legacy.parse_username_url
    _parse_periscope_username_broadcast_id_url = legacy.parse_username_broadcast_id_url


if TYPE_CHECKING:
    # The replay code asks for a replay.ReplayClient, never for Peri: mypy checks here that
    # Peri is one (tests/test_replay_client.py checks it at run time).
    _PERI_IS_A_REPLAY_CLIENT: type[replay.ReplayClient] = Peri
