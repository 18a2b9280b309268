"""FakePeriscope: a real HTTP server on 127.0.0.1 serving Periscope's wire format."""

from __future__ import annotations

import hashlib
import random
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from pyperi.testing import hls, pages
from pyperi.testing.app import App
from pyperi.testing.dataset import RESERVED_IDS, load_default_dataset
from pyperi.testing.faults import Delay, Drop, Fail, Fault, FaultPlan, Stall
from pyperi.testing.generate import history_fields, make_broadcast
from pyperi.testing.requestlog import RecordedRequest, RequestLog
from pyperi.testing.server import FakeHTTPServer
from pyperi.testing.store import DEFAULT_SEGMENT_SIZE, BroadcastRecord, Dataset
from pyperi.testing.wire import API_PATH

if TYPE_CHECKING:  # pragma: no cover
    from pyperi import Peri

__all__ = ['FakePeriscope', 'RecordedRequest']


class FakePeriscope:
    """An embedded fake Periscope (API, web pages, HLS replays) with fault injection.

    Use it as a context manager (or call :meth:`start` and :meth:`stop`)::

        with FakePeriscope() as fake:
            fake.peri.get_user_info('376827')

    :param host: address to bind (keep the default unless you know why).
    :param port: port to bind; 0 picks a free one.
    :param token_ttl: lifetime of the session tokens its pages issue, in seconds.
    :param now: the moment generated data is relative to (default: now, UTC).
    :param default_data: load the default dataset (George Clinton and friends).
    :param small_replays: replays get 5 segments unless told otherwise, instead of one per 3 s
        of broadcast as Periscope cut them (a two-hour replay has 2,400): for fast tests that
        download the default dataset's replays. Playlists keep Periscope's style either way.
    """

    def __init__(self, host: str = '127.0.0.1', port: int = 0, *, token_ttl: float = 300.0,
                 now: datetime | None = None, default_data: bool = True,
                 small_replays: bool = False) -> None:
        self._host = host
        self._requested_port = port
        self._offset = 0.0
        self._stop_event = threading.Event()
        self._lock = threading.RLock()
        self._log = RequestLog()
        self._faults = FaultPlan()
        self._latency = 0.0
        self._server: FakeHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._peris: list[Peri] = []
        self._peri: Peri | None = None
        self._dataset = Dataset(now, clock=self._clock, wall=self._wall,
                                reserved_ids=RESERVED_IDS, small_replays=small_replays)
        self._app = App(self._dataset, lambda: self.web_base_url, self._wall, self._clock,
                        token_ttl)
        if default_data:
            load_default_dataset(self._dataset)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakePeriscope:
        """Bind and serve in a daemon thread; ready (listening) when this returns.

        :raises RuntimeError: if already started, or stopped (a fake serves once).
        :raises OSError: if the address cannot be bound.
        """
        with self._lock:
            if self._stop_event.is_set():
                raise RuntimeError('a stopped FakePeriscope cannot be restarted')
            if self._server is not None:
                raise RuntimeError('FakePeriscope already started')
            self._server = FakeHTTPServer(
                (self._host, self._requested_port), app=self._app, faults=self._faults,
                record=self._log.record, stop=self._stop_event, latency=lambda: self._latency)
            self._thread = threading.Thread(target=self._server.serve_forever,
                                            kwargs={'poll_interval': 0.01},
                                            name='fake-periscope', daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: close the listening socket and every connection, join the threads."""
        with self._lock:
            server, thread = self._server, self._thread
            self._stop_event.set()
            peris, self._peris, self._peri = self._peris, [], None
        for peri in peris:
            peri.close()
        if server is None or thread is None:
            return
        server.shutdown()
        server.server_close()
        server.close_connections()
        thread.join(5.0)

    close = stop

    def __enter__(self) -> FakePeriscope:
        return self.start()

    def __exit__(self, *_exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = 'running' if self.running else 'stopped'
        where = self.web_base_url if self._server is not None else 'unbound'
        return '<FakePeriscope %s %s>' % (where, state)

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._server is not None and not self._stop_event.is_set()

    def wait_until_stopped(self, timeout: float | None = None) -> bool:
        """Block until :meth:`stop` is called (from another thread) or ``timeout`` passes.

        :returns: True if the fake has been stopped, False on timeout.
        """
        return self._stop_event.wait(timeout)

    # -- addresses ---------------------------------------------------------------------------

    @property
    def host(self) -> str:
        return self._address()[0]

    @property
    def port(self) -> int:
        return self._address()[1]

    @property
    def web_base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        host, port = self._address()
        return 'http://%s:%d' % (host, port)

    @property
    def api_base_url(self) -> str:
        """``http://127.0.0.1:PORT/api/v2``."""
        return self.web_base_url + API_PATH

    def _address(self) -> tuple[str, int]:
        if self._server is None:
            raise RuntimeError('FakePeriscope is not started')
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    # -- clients -----------------------------------------------------------------------------

    @property
    def peri(self) -> Peri:
        """A :class:`pyperi.Peri` pointed at this fake, retrying without backoff sleeps."""
        with self._lock:
            if self._peri is None:
                self._peri = self.make_peri()
            return self._peri

    def make_peri(self, **kwargs: Any) -> Peri:
        """A new :class:`pyperi.Peri` pointed at this fake; closed when the fake stops.

        ``kwargs`` go to ``Peri`` (e.g. ``timeout=0.5, retries=0``); ``retries`` defaults to
        ``build_retry(3, backoff_factor=0)``.
        """
        from pyperi import Peri
        from pyperi.client import build_retry

        kwargs.setdefault('retries', build_retry(3, backoff_factor=0))
        peri = Peri(api_base_url=self.api_base_url, web_base_url=self.web_base_url, **kwargs)
        with self._lock:
            self._peris.append(peri)
        return peri

    # -- data --------------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        """The moment the generated data is relative to."""
        return self._dataset.now

    @property
    def small_replays(self) -> bool:
        """Whether replays get 5 segments unless told otherwise (see the constructor)."""
        return self._dataset.small_replays

    def add_user(self, username: str, user_id: str | int | None = None, *,
                 page_generation: int = 2019, **fields: Any) -> dict[str, Any]:
        """Add a user (realistic generated fields, overridden by ``fields``); return its dict.

        :param page_generation: the shape of the user's web pages: 2019 (pscp.tv, no
            ``Tracking`` in the data-store) or 2016 (``Tracking.userId`` names the user).
        """
        return self._dataset.add_user(username, user_id, page_generation=page_generation,
                                      **fields)

    def remove_user(self, user_id: str | int) -> None:
        """Remove a user and its broadcasts (a user that vanished)."""
        self._dataset.remove_user(str(user_id))

    def get_user(self, user_id: str | int) -> dict[str, Any] | None:
        """The user dict as served, or None."""
        return self._dataset.get_user(str(user_id))

    def user_id_for(self, username: str) -> str | None:
        """The id of ``username`` (any case), or None."""
        return self._dataset.user_id_for(username)

    def add_broadcast(self, user_id: str | int, *, broadcast_id: str | None = None,
                      state: str = 'ENDED', start: datetime | None = None,
                      duration: float = 600.0, n_total_watched: int = 0,
                      segments: int | None = None, segment_size: int = DEFAULT_SEGMENT_SIZE,
                      master: bool = False, absolute_uris: bool = True, encrypted: bool = False,
                      live_segments: int | None = None, segment_interval: float | None = None,
                      generation: int = 2019, **fields: Any) -> dict[str, Any]:
        """Add a broadcast of ``user_id``; return its dict (as in the user's history).

        ``start`` defaults to ``duration`` + 60 s before now for ended broadcasts, now for
        RUNNING ones. ``segments`` defaults to one per 3 s of ``duration`` (5 with
        ``small_replays``). A RUNNING broadcast gets a live playlist growing by one segment
        every ``segment_interval`` seconds (default ``duration / live_segments``) up to
        ``live_segments`` (default ``segments``); then it ends. A TIMED_OUT broadcast has no
        ``end``: its last ``ping`` is ``duration`` after its start. ``segment_size`` is rounded
        down to whole 188-byte packets. ``absolute_uris=False`` writes playlist URIs relative
        to the playlist. ``generation`` is the record's shape: 2019 (``Z`` timestamps,
        ``twitter_id``, ``media_key``, ...) or 2016 (local offsets). ``fields`` override any
        key of the broadcast dict.
        """
        user = self._dataset.get_user(str(user_id))
        if user is None:
            raise ValueError('unknown user id %r' % (user_id,))
        if start is None:
            now = datetime.fromtimestamp(self._wall(), timezone.utc)
            start = now if state == 'RUNNING' else now - timedelta(seconds=duration + 60)
        if start.tzinfo is None:
            raise ValueError('start must be timezone-aware')
        if encrypted:
            hls.require_cryptography()
        broadcast_id = broadcast_id or self._dataset.new_broadcast_id()
        rng = random.Random(broadcast_id)
        info = make_broadcast(rng, user, broadcast_id, start=start, duration=duration,
                              state=state, n_total_watched=n_total_watched,
                              generation=generation, **fields)
        record = self._dataset.store(user['id'], info, history_extra=history_fields(rng, info),
                                     segments=segments,
                                     segment_size=segment_size, duration=duration,
                                     master=master, absolute_uris=absolute_uris,
                                     encrypted=encrypted, live_segments=live_segments,
                                     segment_interval=segment_interval)
        return record.history_item()

    def go_live(self, user_id: str | int, *, live_segments: int = 4,
                segment_interval: float = 0.25, **kwargs: Any) -> dict[str, Any]:
        """Add a RUNNING broadcast whose live playlist grows, then ends (ENDLIST, ENDED)."""
        kwargs.setdefault('duration', live_segments * segment_interval)
        return self.add_broadcast(user_id, state='RUNNING', live_segments=live_segments,
                                  segment_interval=segment_interval, **kwargs)

    def get_broadcast(self, broadcast_id: str) -> dict[str, Any] | None:
        """The broadcast dict as accessVideoPublic serves it, or None."""
        record = self._dataset.get_record(broadcast_id)
        return dict(record.info) if record else None

    def history(self, user_id: str | int) -> list[dict[str, Any]] | None:
        """The user's history as getUserBroadcastsPublic serves it (newest first), or None."""
        return self._dataset.history(str(user_id))

    def _record_for(self, broadcast_id: str) -> BroadcastRecord:
        record = self._dataset.get_record(broadcast_id)
        if record is None:
            raise KeyError('unknown broadcast id %r' % (broadcast_id,))
        return record

    def replay_url(self, broadcast_id: str) -> str:
        """The replay playlist URL of a broadcast (cookies from accessVideoPublic needed):
        ``<base>/<replay key>/playlist_<19 digits>.m3u8``."""
        return self._app.replay_url(self._record_for(broadcast_id))

    def stream_cookies(self, broadcast_id: str) -> dict[str, str]:
        """Valid replay cookies for a broadcast, as a name -> value dict."""
        record = self._record_for(broadcast_id)
        return {c['Name']: c['Value'] for c in self._app.cookies_for(record)}

    def replay_path(self, broadcast_id: str) -> str:
        """The path every replay file of a broadcast starts with: ``/<replay key>/``.

        Use it as a ``path_prefix`` to aim faults at a replay, or to find its requests.
        """
        return hls.replay_dir(self._record_for(broadcast_id)) + '/'

    def live_path(self, broadcast_id: str) -> str:
        """The path every live playlist and segment of a broadcast starts with (ends in ``/``)."""
        return hls.live_dir(self._record_for(broadcast_id)) + '/'

    def segment_path(self, broadcast_id: str, index: int, *, live: bool = False) -> str:
        """The path of segment ``index`` of the broadcast's replay (or, with ``live``, of its
        live stream), best variant: ``/<replay key>/chunk_<start ns>_<index>_a.ts``.

        :raises KeyError: for an unknown broadcast.
        :raises ValueError: for a negative ``index``.
        """
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise ValueError('index must be an int >= 0: %r' % (index,))
        return hls.segment_path(self._record_for(broadcast_id), index, live=live)

    def replay_bytes(self, broadcast_id: str) -> bytes:
        """What a correct download of the broadcast yields (best variant, decrypted)."""
        return b''.join(hls.replay_chunks(self._record_for(broadcast_id)))

    def replay_sha256(self, broadcast_id: str) -> str:
        """SHA-256 hex digest of :meth:`replay_bytes`, computed without holding it in memory."""
        digest = hashlib.sha256()
        for chunk in hls.replay_chunks(self._record_for(broadcast_id)):
            digest.update(chunk)
        return digest.hexdigest()

    def replay_size(self, broadcast_id: str) -> int:
        """Length of :meth:`replay_bytes`."""
        record = self._record_for(broadcast_id)
        return hls.plain_size(record, hls.best_variant(record)) * record.segments

    # -- tokens and time ---------------------------------------------------------------------

    @property
    def token_ttl(self) -> float:
        """Lifetime of newly issued session tokens, in seconds."""
        return self._app.token_ttl

    @token_ttl.setter
    def token_ttl(self, value: float) -> None:
        self._app.token_ttl = float(value)

    def expire_tokens(self) -> None:
        """Expire every session token issued so far."""
        self._app.expire_tokens()

    def advance_time(self, seconds: float) -> None:
        """Move the fake's clocks forward (token expiry, live playlists) without sleeping."""
        if seconds < 0:
            raise ValueError('seconds must be >= 0')
        with self._lock:
            self._offset += seconds

    def _clock(self) -> float:
        return time.monotonic() + self._offset

    def _wall(self) -> float:
        return time.time() + self._offset

    # -- faults ------------------------------------------------------------------------------

    @property
    def latency(self) -> float:
        """Seconds added before every response."""
        return self._latency

    @latency.setter
    def latency(self, value: float) -> None:
        if value < 0:
            raise ValueError('latency must be >= 0')
        self._latency = float(value)

    def add_fault(self, fault: Fault, n: int = 1, *, path_prefix: str | None = None) -> None:
        """Apply ``fault`` to the next ``n`` requests whose path starts with ``path_prefix``.

        The other ``*_next`` methods are shortcuts for the built-in faults; a fault of your own
        is a :class:`pyperi.testing.faults.Fault` subclass. Queued faults apply in order: a
        request gets the first one that matches it.

        :param path_prefix: a path or a full URL; None matches every request.
        :raises TypeError: if ``fault`` is not a ``Fault``.
        :raises ValueError: if ``n`` is negative.
        """
        if not isinstance(fault, Fault):
            raise TypeError('fault must be a pyperi.testing.faults.Fault, not %s'
                            % (type(fault).__name__,))
        self._faults.add(fault, n, path_prefix)

    def fail_next(self, n: int, status: int, *, path_prefix: str | None = None,
                  retry_after: float | str | None = None) -> None:
        """Answer the next ``n`` matching requests with ``status`` and Periscope's error body.

        :param path_prefix: only requests whose path starts with it (a path or a full URL).
        :param retry_after: a ``Retry-After`` header (seconds, rounded up; or a str as is).
        """
        self.add_fault(Fail(status, retry_after), n, path_prefix=path_prefix)

    def drop_next(self, n: int, *, path_prefix: str | None = None, after_bytes: int = 0) -> None:
        """Close the connection of the next ``n`` matching requests.

        With ``after_bytes`` 0 nothing is sent; otherwise the status line and headers (with the
        full Content-Length) and that many body bytes are sent first.
        """
        self.add_fault(Drop(after_bytes), n, path_prefix=path_prefix)

    def stall_next(self, n: int, seconds: float, *, path_prefix: str | None = None) -> None:
        """Send nothing for ``seconds`` before answering the next ``n`` matching requests."""
        self.add_fault(Stall(seconds), n, path_prefix=path_prefix)

    def delay_next(self, n: int, release: threading.Event, *, seconds: float = 5.0,
                   path_prefix: str | None = None) -> None:
        """Hold the answers to the next ``n`` matching requests until ``release`` is set.

        ``seconds`` bounds the wait. With it a test makes chosen segments complete after
        others, e.g. segment 0 held until later segments have been received.
        """
        self.add_fault(Delay(release, seconds), n, path_prefix=path_prefix)

    def clear_faults(self) -> None:
        """Forget queued faults (latency and malformed pages stay)."""
        self._faults.clear()

    @property
    def pending_faults(self) -> int:
        """How many faulty responses are still queued."""
        return self._faults.pending()

    def malformed_page(self, username: str, kind: str | None = 'missing') -> None:
        """Break the web page of ``username``: 'missing' (no data-store), 'bad_json',
        'no_tokens' (data-store without SessionToken); None repairs it."""
        user_id = self._dataset.user_id_for(username)
        if user_id is None:
            raise ValueError('unknown username %r' % (username,))
        if kind is not None and kind not in pages.MALFORMED_KINDS:
            raise ValueError('kind must be one of %s' % (', '.join(pages.MALFORMED_KINDS),))
        self._app.set_malformed(user_id, kind)

    # -- request log -------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in arrival order (a copy)."""
        return self._log.all()

    def requests_for(self, path_prefix: str) -> list[RecordedRequest]:
        """The recorded requests whose path starts with ``path_prefix`` (a path or URL)."""
        return self._log.matching(path_prefix)

    def clear_requests(self) -> None:
        """Forget the requests recorded so far."""
        self._log.clear()
