"""The :class:`Peri` client: one ``requests.Session`` shared by every call."""
from __future__ import annotations

import json
import logging
import os
from datetime import date, datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, Mapping, MutableMapping, Union
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.util.retry import Retry

from . import legacy, replay, urls, web
from ._version import __version__
from .checks import check_bool, check_mapping, check_str
from .checks import shown as brief
from .bodies import (
    DEFAULT_MAX_BODY_BYTES,
    MAX_ERROR_BODY_BYTES,
    MAX_REDIRECT_BODY_BYTES,
    keep_body,
    read_body,
)
from .deadline import MAX_SECONDS, Deadline, DeadlineAdapter, check_seconds
from .exceptions import (
    PyPeriConnectionError,
    PyPeriError,
    PyPeriHTTPError,
    PyPeriResponseError,
    PyPeriTimeout,
    error_for_response,
)
from .redact import install_log_filters, redact
from .retries import RETRY_STATUSES, build_retry

if TYPE_CHECKING:
    from .archive import index as archive_index

__all__ = ['Peri', 'build_retry', 'redact', 'DEFAULT_TIMEOUT', 'DEFAULT_RETRIES',
           'DEFAULT_DEADLINE', 'DEFAULT_MAX_BODY_BYTES', 'RETRY_STATUSES']

logger = logging.getLogger(__name__)

#: (connect, read) seconds applied to every request unless a Peri is given another.
DEFAULT_TIMEOUT = (5.0, 30.0)
#: How many times an idempotent GET is retried by default.
DEFAULT_RETRIES = 3
#: Seconds a whole call may take by default: connecting, every retry and its pause, the
#: headers and the body (four times the default read timeout).
DEFAULT_DEADLINE = 120.0
#: Connections kept per host: enough for a pool of 16+ threads sharing one Peri.
POOL_SIZE = 32
#: Redirects followed per call by the session Peri makes.
MAX_REDIRECTS = 10
#: Longest URL http_get accepts.
MAX_URL_LENGTH = 65536
#: Longest User-Agent accepted.
MAX_USER_AGENT_LENGTH = 1024

Timeout = Union[float, 'tuple[float, float]']

# urllib3 and requests quote URLs in their log messages: keep secrets out of them.
install_log_filters()


def _check_timeout(timeout: Any, name: str = 'timeout') -> Timeout:
    """``timeout`` if it is a number of seconds or a (connect, read) pair of them.

    TypeError for what is not a number or a pair; ValueError for zero, negative,
    infinite seconds (a call must never hang) or more than a day.
    """
    values = timeout if isinstance(timeout, tuple) else (timeout,)
    if len(values) not in (1, 2) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        raise TypeError(
            f'{name} must be a number of seconds or a (connect, read) pair, got {brief(timeout)}')
    try:
        checked = tuple(check_seconds(v, name) for v in values)
    except ValueError:
        raise ValueError(f'{name} must be positive, finite and at most {MAX_SECONDS:g} seconds, '
                         f'got {brief(timeout)}') from None
    return (checked[0], checked[1]) if len(checked) == 2 else checked[0]


def _check_bytes(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f'{name} must be an int (bytes), not {type(value).__name__}')
    if value < 1:
        raise ValueError(f'{name} must be 1 or more, got {brief(value)}')
    return value


def _check_user_agent(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f'user_agent must be a str, not {type(value).__name__}')
    if not 0 < len(value) <= MAX_USER_AGENT_LENGTH or not all(
            ' ' <= char <= '~' for char in value):
        raise ValueError(f'user_agent must be 1 to {MAX_USER_AGENT_LENGTH} printable ASCII '
                         f'characters (it is sent as a header), got {brief(value)}')
    return value


def _check_url(url: Any) -> str:
    if not isinstance(url, str):
        raise TypeError(f'url must be a str, not {type(url).__name__}')
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f'url must be at most {MAX_URL_LENGTH} characters, got {len(url)}')
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ('http', 'https') or not parts.netloc:
        raise ValueError(f'url must be an http(s) URL, got {brief(redact(url))}')
    return url


def _check_get_arguments(url: Any, params: Any, cookies: Any, headers: Any, endpoint: Any,
                         flags: Mapping[str, Any]) -> None:
    """TypeError (ValueError for the URL's value) naming the first bad argument of http_get."""
    _check_url(url)
    if params is not None:
        check_mapping(params, 'params')
    if cookies is not None and not isinstance(cookies, (Mapping, CookieJar)):
        raise TypeError(f'cookies must be a dict or a CookieJar, not {type(cookies).__name__}')
    for name, value in check_mapping(headers or {}, 'headers').items():
        check_str(value, f'headers[{check_str(name, "headers names")!r}]')
    if endpoint is not None and not isinstance(endpoint, str):
        raise TypeError(f'endpoint must be a str or None, not {type(endpoint).__name__}')
    for name, flag in flags.items():
        check_bool(flag, name)


def _base_url(given: str | None, variable: str, default: str, name: str) -> str:
    """The argument, else the environment variable, else the class default; checked."""
    if given is not None:
        return _check_base_url(given, name)
    if os.environ.get(variable):
        return _check_base_url(os.environ[variable], f'{name} (from ${variable})')
    return _check_base_url(default, name)


def _check_base_url(url: Any, name: str) -> str:
    if not isinstance(url, str):
        raise TypeError(f'{name} must be a str, not {type(url).__name__}')
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ('http', 'https') or not parts.netloc \
            or parts.query or parts.fragment:
        raise ValueError(f'{name} must be an http(s) URL without query, got {brief(url)}')
    return url.strip().rstrip('/')


def _timeout_part(timeout: Timeout, index: int) -> float:
    return float(timeout[index]) if isinstance(timeout, tuple) else float(timeout)


def _request_error(error: requests.RequestException, shown: str, wait: Timeout,
                   deadline: Deadline) -> PyPeriError:
    """The PyPeriError for what ``requests`` raised; secrets redacted, nothing chained."""
    cause = redact(str(error))
    if deadline.expired:
        return PyPeriTimeout(
            f'deadline of {deadline.seconds:g} s passed before {shown} answered in full '
            f'(it covers the whole call: connecting, retries, the body; Peri(deadline=...))',
            which='deadline', seconds=deadline.seconds)
    if isinstance(error, requests.TooManyRedirects):
        last = error.response
        return PyPeriHTTPError(
            f'too many redirects from {shown} (a loop?): {cause}',
            status_code=None if last is None else last.status_code, url=shown)
    if isinstance(error, requests.ConnectTimeout):
        seconds = _timeout_part(wait, 0)
        return PyPeriTimeout(f'could not connect to {shown} within the connect timeout of '
                             f'{seconds:g} s: {cause}', which='connect', seconds=seconds)
    if isinstance(error, requests.Timeout):
        seconds = _timeout_part(wait, 1)
        return PyPeriTimeout(f'no answer within the read timeout of {seconds:g} s from '
                             f'{shown}: {cause}', which='read', seconds=seconds)
    if isinstance(error, (requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        return PyPeriConnectionError(f'connection to {shown} failed: {cause}')
    return PyPeriError(f'request to {shown} failed: {cause}')


def _quiet_body(response: requests.Response, limit: int, deadline: Deadline,
                shown: str) -> bytes:
    """Up to ``limit`` bytes of a body that only informs (an error's, a redirect's).

    A body that is longer, stalls or is cut off is dropped (b''), with its connection.
    """
    try:
        return read_body(response, max_bytes=limit, deadline=deadline, url=shown)
    except PyPeriError as error:
        logger.debug('body of %s dropped: %s', shown, error)
        return b''


def _is_json_object(body: bytes) -> bool:
    """True if ``body`` is a JSON object, as Periscope's API error bodies are."""
    try:
        return isinstance(json.loads(body.decode('utf-8-sig')), dict)
    except (ValueError, RecursionError):
        return False


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
        certificates and proxies); by default Peri makes one with retries, a
        connection pool sized for sharing between threads and a transport that
        holds every call to its deadline, and closes it.
    :param api_base_url: API root; default ``$PYPERI_API_BASE_URL``, else
        :attr:`PERISCOPE_API_BASE_URL`.
    :param web_base_url: web root; default ``$PYPERI_WEB_BASE_URL``, else
        :attr:`PERISCOPE_WEB_BASE_URL`.
    :param timeout: seconds, or a (connect, read) pair, for every request.
    :param retries: retries per GET (0 to 100; 0 disables), or a ``urllib3`` Retry;
        applies to the session Peri makes.
    :param user_agent: the User-Agent header (printable ASCII); default ``pyperi/<version>``.
    :param deadline: seconds a whole call may take: connecting, every retry and its
        pause, the headers and the body (see :doc:`configuration`).
    :param max_body_bytes: the most bytes of an API answer or a page read (decoded);
        a larger one raises :class:`~pyperi.PyPeriResponseTooLargeError`.
    :raises TypeError: an argument has the wrong type (its name is in the message).
    :raises ValueError: an argument has a wrong value (likewise).
    """

    PERISCOPE_API_BASE_URL = urls.DEFAULT_API_BASE_URL
    PERISCOPE_WEB_BASE_URL = urls.DEFAULT_WEB_BASE_URL

    def __init__(self, session: requests.Session | None = None, *,
                 api_base_url: str | None = None, web_base_url: str | None = None,
                 timeout: Timeout = DEFAULT_TIMEOUT, retries: int | Retry = DEFAULT_RETRIES,
                 user_agent: str | None = None, deadline: float = DEFAULT_DEADLINE,
                 max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        if session is not None and not isinstance(session, requests.Session):
            raise TypeError(f'session must be a requests.Session or None, '
                            f'not {type(session).__name__}')
        self.api_base_url = _base_url(api_base_url, 'PYPERI_API_BASE_URL',
                                      self.PERISCOPE_API_BASE_URL, 'api_base_url')
        self.web_base_url = _base_url(web_base_url, 'PYPERI_WEB_BASE_URL',
                                      self.PERISCOPE_WEB_BASE_URL, 'web_base_url')
        self.timeout = _check_timeout(timeout)
        self.deadline = check_seconds(deadline, 'deadline')
        self.max_body_bytes = _check_bytes(max_body_bytes, 'max_body_bytes')
        user_agent = _check_user_agent(user_agent)
        retry = retries.new(raise_on_status=False) if isinstance(retries, Retry) \
            else build_retry(retries)  # checked even for a caller's session, which ignores it
        self._owns_session = session is None
        # A caller's session keeps its own headers; only an explicit user_agent is added per call.
        self._headers = {'User-Agent': user_agent} if user_agent and session is not None else {}
        if session is None:
            session = requests.Session()
            adapter = DeadlineAdapter(max_retries=retry, pool_connections=4,
                                      pool_maxsize=POOL_SIZE)
            session.mount('https://', adapter)
            session.mount('http://', adapter)
            session.max_redirects = MAX_REDIRECTS
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
        :raises FileNotFoundError: a path does not exist.
        :raises TypeError: an argument has the wrong type (the message names it).
        :raises ValueError: no WARC file was found, ``when`` is not a time, or an option
            has a wrong value.
        :raises WarcFormatError: a WARC file is damaged or not a WARC file.
        :raises ImportError: the optional FastWARC package is missing (``pyperi[archive]``).
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
        :param options: go to :class:`Peri` (a ``session`` given there is used, with the
            replay server's adapters mounted on it).
        :raises TypeError: an argument has the wrong type (the message names it).
        :raises ValueError: ``prefix`` is not an http(s) URL, ``when`` is not a time, or an
            option has a wrong value.
        """
        from . import archive

        taken = sorted({'api_base_url', 'web_base_url'} & options.keys())
        if taken:
            raise TypeError(f'from_wayback builds {" and ".join(taken)} from prefix and when; '
                            'do not pass them')
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
                 endpoint: str | None = None, max_bytes: int | None = None,
                 deadline: Deadline | float | None = None,
                 allow_redirects: bool = True) -> requests.Response | None:
        """GET ``url`` on the shared session, within a deadline.

        Returns the response, or None for a 404. Without ``stream`` its body has
        been read (at most ``max_bytes``); with ``stream=True`` the caller reads it,
        preferably through :func:`pyperi.bodies.iter_body` with the same
        ``deadline``, and must close the response. Redirects are followed (to
        http(s) URLs only) unless ``allow_redirects`` is False: then a 3xx is
        returned as it is, for the caller to follow.

        :param max_bytes: cap on the body read when not streaming (decoded bytes);
            default the Peri's ``max_body_bytes``.
        :param deadline: a :class:`~pyperi.deadline.Deadline`, or seconds; default a
            new one of the Peri's ``deadline``. It bounds connecting, retries, the
            headers and the body read here (or by a streaming caller's reads).
        :raises PyPeriHTTPError: (or a subclass) for any other error status, too many
            redirects, or a redirect to a scheme other than http(s).
        :raises PyPeriConnectionError: could not connect, or the connection dropped.
        :raises PyPeriTimeout: no answer within the timeout, or the deadline passed.
        :raises PyPeriResponseTooLargeError: the body is larger than ``max_bytes``.
        :raises TypeError: an argument has the wrong type.
        :raises ValueError: ``url`` is not an http(s) URL, or a number is out of range.
        """
        _check_get_arguments(url, params, cookies, headers, endpoint,
                             {'stream': stream, 'allow_redirects': allow_redirects})
        wait = self.timeout if timeout is None else _check_timeout(timeout)
        limit = self.max_body_bytes if max_bytes is None else _check_bytes(max_bytes, 'max_bytes')
        budget = deadline if isinstance(deadline, Deadline) else Deadline(
            self.deadline if deadline is None else check_seconds(deadline, 'deadline'))
        shown = redact(url)
        logger.debug('GET %s', shown)
        problem: PyPeriError | None = None
        try:
            with budget.running():
                # Always streamed: the body is read here, within the cap and the deadline.
                response = self.session.get(
                    url, params=params, stream=True, cookies=cookies, timeout=budget.bound(wait),
                    headers={**self._headers, **(headers or {})}, allow_redirects=allow_redirects,
                    hooks={'response': self._redirect_guard(budget)} if allow_redirects else None)
        except PyPeriError:
            raise  # already ours: e.g. PyPeriNotArchivedError from an archive session
        except requests.RequestException as error:
            problem = _request_error(error, shown, wait, budget)
        if problem is not None:
            raise problem from None  # the cause would print the URL unredacted
        logger.debug('HTTP %s from %s', response.status_code, shown)
        if response.status_code == 404:
            body = _quiet_body(response, MAX_ERROR_BODY_BYTES, budget, shown)  # reuse the link
            if endpoint is not None and not _is_json_object(body):
                # Periscope's API answers 404 with a JSON error: this is some other server.
                logger.warning('%s answered 404 without the JSON error Periscope sends: is '
                               'api_base_url %s right?', shown, self.api_base_url,
                               extra={'api_base_url': self.api_base_url})
            return None
        if response.status_code >= 400:
            keep_body(response, _quiet_body(response, MAX_ERROR_BODY_BYTES, budget, shown))
            raise error_for_response(response, url=shown, endpoint=endpoint)
        if not stream:
            with budget.running():
                keep_body(response, read_body(response, max_bytes=limit, deadline=budget,
                                              url=shown))
        return response

    def _redirect_guard(self, deadline: Deadline) -> Callable[..., requests.Response]:
        """A response hook refusing redirects to other schemes and reading redirect bodies
        within a small cap (``requests`` would read them whole)."""

        def guard(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
            if not response.is_redirect:
                return response
            shown = redact(response.url or '')
            keep_body(response, _quiet_body(response, MAX_REDIRECT_BODY_BYTES, deadline, shown))
            target = self.session.get_redirect_target(response) or ''
            try:
                scheme = urlsplit(urljoin(response.url or '', target)).scheme.lower()
            except ValueError:
                scheme = '(malformed)'
            if scheme not in ('http', 'https'):
                raise PyPeriHTTPError(
                    f'refused to follow a redirect from {shown} to a {scheme or "(no scheme)"} '
                    f'URL: only http and https are followed', status_code=response.status_code,
                    url=shown)
            return response

        return guard

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
