"""What a terminal takes: the width tables fit, and colour (not when piped, NO_COLOR, TERM=dumb).

The one place the command decides about colour and width; every decision is a pure
function of a stream and the environment, so tests pass their own.
"""
from __future__ import annotations

import os
import shutil
from typing import IO, Callable, Mapping

__all__ = ['isatty', 'wants_colour', 'table_width', 'header_style', 'paint_error', 'BOLD', 'RED',
           'RESET']

#: Select Graphic Rendition sequences: bold, red, and back to normal.
BOLD = '\x1b[1m'
RED = '\x1b[31m'
RESET = '\x1b[0m'

_ERROR_PREFIX = 'pyperi: error:'


def isatty(stream: IO[str]) -> bool:
    """True if ``stream`` is a terminal (False for streams that cannot tell)."""
    isatty = getattr(stream, 'isatty', None)
    return bool(isatty is not None and isatty())


def wants_colour(stream: IO[str], environ: Mapping[str, str] | None = None) -> bool:
    """True if ``stream`` is a terminal that should get colour.

    None when piped, when ``NO_COLOR`` is set to anything but the empty string
    (https://no-color.org) or when ``TERM`` is ``dumb``.
    """
    env = os.environ if environ is None else environ
    return isatty(stream) and not env.get('NO_COLOR') and env.get('TERM') != 'dumb'


def _columns(text: str | None) -> int | None:
    """``COLUMNS`` as a positive whole number, else None (unset, empty or nonsense)."""
    try:
        value = int(text or '')
    except ValueError:
        return None
    return value if value > 0 else None


def table_width(stream: IO[str], environ: Mapping[str, str] | None = None) -> int | None:
    """The cells a table written to ``stream`` should fit, or None for no limit.

    ``COLUMNS``, when set to a positive number, always wins (so ``COLUMNS=80 pyperi ...
    | less`` fits 80); otherwise a terminal's own width; otherwise (a pipe or a file,
    or a stream with no file descriptor) None: piped tables are never cut.
    """
    env = os.environ if environ is None else environ
    chosen = _columns(env.get('COLUMNS'))
    if chosen is not None:
        return chosen
    if not isatty(stream):
        return None
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):   # a stand-in with no file: no width known
        return None
    try:
        return os.get_terminal_size(descriptor).columns or None
    except OSError:
        return shutil.get_terminal_size().columns


def _bold(line: str) -> str:
    return f'{BOLD}{line}{RESET}'


def header_style(stream: IO[str],
                 environ: Mapping[str, str] | None = None) -> Callable[[str], str] | None:
    """How table headers written to ``stream`` are styled: bold, or None (plain)."""
    return _bold if wants_colour(stream, environ) else None


def paint_error(line: str, stream: IO[str], environ: Mapping[str, str] | None = None) -> str:
    """``line`` with its ``pyperi: error:`` prefix in bold red when ``stream`` takes colour."""
    if not line.startswith(_ERROR_PREFIX) or not wants_colour(stream, environ):
        return line
    return f'{BOLD}{RED}{_ERROR_PREFIX}{RESET}{line[len(_ERROR_PREFIX):]}'
