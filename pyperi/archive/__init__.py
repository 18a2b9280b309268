"""Reading Periscope from web archives: WARC files, and Wayback-style replay servers.

Needs the optional extra ``pip install "pyperi[archive]"`` (FastWARC) for WARC
files; replay servers need nothing more. Most users want
:meth:`pyperi.Peri.from_archive` or :meth:`pyperi.Peri.from_wayback`; see :doc:`archives`.

Where things live:

* :mod:`~pyperi.archive.keys`: canonical keys (what makes two URLs one capture);
* :mod:`~pyperi.archive.when`: ``when`` and 14-digit timestamps;
* :mod:`~pyperi.archive.captures`: a capture and its CDXJ line;
* :mod:`~pyperi.archive.indexer`: one pass over a WARC file into CDXJ lines;
* :mod:`~pyperi.archive.cache`: the index files and when they are reused;
* :mod:`~pyperi.archive.index`: :class:`ArchiveIndex`, captures by key;
* :mod:`~pyperi.archive.records`: reading one record by offset;
* :mod:`~pyperi.archive.adapter`: :class:`ArchiveAdapter`, the ``requests`` transport;
* :mod:`~pyperi.archive.session`: :func:`archive_session`;
* :mod:`~pyperi.archive.wayback`: replay-server URLs and :func:`wayback_session`.
"""
from __future__ import annotations

from .adapter import ArchiveAdapter
from .captures import Capture
from .errors import WarcFormatError
from .index import ArchiveIndex, warc_files
from .keys import VOLATILE_PARAMS, canonical_key
from .session import MAX_REDIRECTS, archive_session
from .wayback import WaybackAdapter, wayback_base_urls, wayback_session
from .when import parse_when

__all__ = [
    'VOLATILE_PARAMS',
    'MAX_REDIRECTS',
    'ArchiveAdapter',
    'ArchiveIndex',
    'Capture',
    'WarcFormatError',
    'WaybackAdapter',
    'archive_session',
    'canonical_key',
    'parse_when',
    'warc_files',
    'wayback_base_urls',
    'wayback_session',
]
