"""A ready ``requests.Session`` answering from WARC files, for ``Peri(session=...)``."""
from __future__ import annotations

import os
from datetime import date, datetime
from typing import Iterable

import requests

from .adapter import ArchiveAdapter
from .index import ArchiveIndex, PathsArgument
from .when import parse_when

__all__ = ['MAX_REDIRECTS', 'archive_session']

#: Captured redirects followed, one after another, before giving up.
MAX_REDIRECTS = 10


def archive_session(paths: PathsArgument, when: str | datetime | date | None = None, *,
                    ignore_params: Iterable[str] | None = None,
                    index_dir: str | os.PathLike[str] | None = None,
                    cache: bool = True) -> requests.Session:
    """A session whose every http(s) GET is answered from WARC files, never the network.

    The first use of a WARC indexes it (one pass over the file) and saves the
    index; later sessions reuse it while the file is unchanged. Closing the
    session releases the index.

    :param paths: WARC / WARC.gz files, or folders searched for ``*.warc`` and ``*.warc.gz``.
    :param when: replay the captures nearest to this time (see :doc:`archives`);
        None replays the latest.
    :param ignore_params: query parameters to ignore when matching, besides ``session_id``.
    :param index_dir: keep the index files in this folder (default: beside each
        WARC, else ``~/.cache/pyperi/archive-index``).
    :param cache: False: build the index in memory each time, write no file.
    :raises FileNotFoundError: a path does not exist.
    :raises ValueError: no WARC file was found, or ``when`` is not a time.
    :raises WarcFormatError: a WARC file is damaged or not a WARC file.
    :raises ImportError: the optional FastWARC package is missing (``pyperi[archive]``).
    """
    moment = parse_when(when)  # checked before the (long) indexing
    index = ArchiveIndex(paths, ignore_params=ignore_params, index_dir=index_dir, cache=cache)
    adapter = ArchiveAdapter(index, when=moment)
    session = requests.Session()
    session.trust_env = False  # nothing leaves for the network: no proxies, no .netrc
    session.max_redirects = MAX_REDIRECTS
    session.mount('https://', adapter)
    session.mount('http://', adapter)
    return session
