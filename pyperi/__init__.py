"""pyperi: a client for Periscope's public API and web pages.

>>> from pyperi import Peri
>>> pp = Peri()
"""
import logging

from ._version import __version__
from .client import Peri
from .exceptions import (
    PyPeriConnectionError,
    PyPeriDownloadError,
    PyPeriEncryptedStreamError,
    PyPeriError,
    PyPeriHTTPError,
    PyPeriNotArchivedError,
    PyPeriRateLimitError,
    PyPeriResponseError,
    PyPeriResponseTooLargeError,
    PyPeriServerError,
    PyPeriStreamUnavailableError,
    PyPeriTimeout,
)

__all__ = [
    '__version__',
    'Peri',
    'PyPeriError',
    'PyPeriConnectionError',
    'PyPeriTimeout',
    'PyPeriHTTPError',
    'PyPeriRateLimitError',
    'PyPeriServerError',
    'PyPeriResponseError',
    'PyPeriResponseTooLargeError',
    'PyPeriNotArchivedError',
    'PyPeriDownloadError',
    'PyPeriStreamUnavailableError',
    'PyPeriEncryptedStreamError',
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
