"""Errors of the archive reader, and the import of the optional WARC library."""
from __future__ import annotations

from types import ModuleType

from ..exceptions import PyPeriError

__all__ = ['WarcFormatError', 'import_fastwarc']


class WarcFormatError(PyPeriError, ValueError):
    """A WARC file is damaged (truncated, corrupt, or not a WARC at all).

    :ivar path: the file; :ivar offset: the byte where the damage was found.
    """

    def __init__(self, message: str, *, path: str, offset: int) -> None:
        super().__init__(f'{path}: {message} (at byte {offset})')
        self.path = path
        self.offset = offset


def import_fastwarc() -> ModuleType:
    """The ``fastwarc`` module, or an ImportError saying which extra brings it."""
    try:
        import fastwarc
    except ImportError as error:
        raise ImportError(
            'reading WARC files needs the optional fastwarc package: '
            'pip install "pyperi[archive]"') from error
    return fastwarc
