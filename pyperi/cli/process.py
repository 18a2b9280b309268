"""How one run of the command meets its process: logging to stderr, SIGTERM and SIGHUP, a
closed pipe."""
from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from typing import IO, Any, Iterator

__all__ = ['verbose_logging', 'terminate_like_interrupt', 'silence_broken_pipe', 'STOP_SIGNALS']


@contextlib.contextmanager
def verbose_logging(enabled: bool, stream: IO[str]) -> Iterator[None]:
    """DEBUG logs of pyperi and urllib3 to ``stream`` for the run, removed afterwards."""
    if not enabled:
        yield
        return
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter('%(asctime)s %(levelname)s %(name)s: %(message)s'))
    loggers = [logging.getLogger('pyperi'), logging.getLogger('urllib3')]
    saved = [(lg, lg.level) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        for lg, level in saved:
            lg.removeHandler(handler)
            lg.setLevel(level)


#: Signals treated as Ctrl-C: ``kill``, and SIGHUP (the terminal closed) where it exists.
STOP_SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ('SIGTERM', 'SIGHUP') if hasattr(signal, name))


@contextlib.contextmanager
def terminate_like_interrupt() -> Iterator[None]:
    """Treat SIGTERM and SIGHUP as Ctrl-C while the command runs, so downloads stop as they
    do on Ctrl-C (a replay keeps its partial file, a live capture is published)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = [(number, signal.signal(number, interrupt)) for number in STOP_SIGNALS]
    try:
        yield
    finally:
        for number, handler in previous:
            signal.signal(number, handler)


def silence_broken_pipe(stream: IO[str]) -> None:
    """After the reader went away (``| head``), point stdout at devnull so exit stays quiet."""
    if stream is not sys.__stdout__:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
