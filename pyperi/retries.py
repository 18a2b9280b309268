"""pyperi's retry policy: urllib3's ``Retry`` with Retry-After read safely, capped, and kept
within the call's deadline."""
from __future__ import annotations

from typing import Any

from urllib3.exceptions import MaxRetryError, ReadTimeoutError, ResponseError
from urllib3.util.retry import Retry

from .deadline import DeadlinePassed, active_deadline
from .exceptions import parse_retry_after

__all__ = ['build_retry', 'RETRY_STATUSES', 'MAX_RETRIES', 'DEFAULT_RETRY_AFTER_CAP']

#: Statuses worth retrying: rate limited, or a gateway in trouble.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: Most retries accepted per call.
MAX_RETRIES = 100
#: Longest ``Retry-After`` honoured by default, in seconds.
DEFAULT_RETRY_AFTER_CAP = 60.0


class _Retry(Retry):
    """urllib3's Retry with a lenient Retry-After, read timeouts not retried, and a deadline.

    * A ``Retry-After`` that is not whole seconds or an HTTP date (``1.5``, ``-5``,
      ``soon``, ``1e309``, blank) counts as absent, so the usual backoff applies,
      where urllib3 would raise ``InvalidHeader``; a valid one is capped.
    * A server that stalls is not retried, so a call never outlasts its timeout
      by a multiple of it.
    * When the pause before the next try would not end before the deadline of the
      call (:mod:`pyperi.deadline`), there is no next try: the last response is
      returned as it is (a 429 stays a 429) or the last error raised.
    """

    def __init__(self, *args: Any, retry_after_cap: float = DEFAULT_RETRY_AFTER_CAP,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after_cap = retry_after_cap

    def new(self, **kwargs: Any) -> _Retry:
        retry = super().new(**kwargs)
        retry.retry_after_cap = self.retry_after_cap
        return retry

    def get_retry_after(self, response: Any) -> float | None:
        headers = getattr(response, 'headers', None)
        value = headers.get('Retry-After') if headers is not None else None
        seconds = parse_retry_after(value) if isinstance(value, str) else None
        return None if seconds is None else min(seconds, self.retry_after_cap)

    def _pause(self, response: Any) -> float:
        """The pause :meth:`sleep` takes before the next try."""
        if response is not None and self.respect_retry_after_header:
            seconds = self.get_retry_after(response)
            if seconds:
                return seconds
        return float(self.get_backoff_time())

    def increment(self, method: str | None = None, url: str | None = None,
                  response: Any = None, error: Exception | None = None, _pool: Any = None,
                  _stacktrace: Any = None) -> _Retry:
        if isinstance(error, ReadTimeoutError):
            raise error
        deadline = active_deadline()
        if deadline is not None and response is None and deadline.expired:
            raise DeadlinePassed(f'the deadline of {deadline.seconds:g} s passed') from error
        retry = super().increment(method, url, response=response, error=error, _pool=_pool,
                                  _stacktrace=_stacktrace)
        if deadline is not None and retry._pause(response) >= deadline.remaining():
            # No time for the pause and another try: give up now, as when retries are spent.
            reason = error or ResponseError(
                f'no time left for another try within the deadline of {deadline.seconds:g} s')
            raise MaxRetryError(_pool, url or '', reason) from error
        return retry


def build_retry(total: int, *, backoff_factor: float = 0.25,
                retry_after_cap: float = DEFAULT_RETRY_AFTER_CAP) -> Retry:
    """The retry policy pyperi mounts: GETs on connection errors, 429, 502-504.

    :param total: retries after the first attempt, 0 to :data:`MAX_RETRIES`; 0 disables
        retrying.
    :param backoff_factor: seconds scaling the exponential pause between tries.
    :param retry_after_cap: longest ``Retry-After`` honoured, in seconds.
    :raises TypeError: ``total`` is not an int, or a number is not a number.
    :raises ValueError: a value is out of range.
    """
    if isinstance(total, bool) or not isinstance(total, int):
        raise TypeError(f'retries must be an int or a urllib3 Retry, not {type(total).__name__}')
    if not 0 <= total <= MAX_RETRIES:
        shown = total if abs(total) < 10 ** 30 else 'a huge int'
        raise ValueError(f'retries must be from 0 to {MAX_RETRIES}, got {shown}')
    for name, value in (('backoff_factor', backoff_factor), ('retry_after_cap', retry_after_cap)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f'{name} must be a number of seconds, not {type(value).__name__}')
        if not 0 <= value <= 86400:
            raise ValueError(f'{name} must be from 0 to 86400 seconds, got {value!r}')
    return _Retry(
        total=total, backoff_factor=backoff_factor, retry_after_cap=retry_after_cap,
        status_forcelist=RETRY_STATUSES, allowed_methods=frozenset({'GET', 'HEAD'}),
        raise_on_status=False, respect_retry_after_header=True)
