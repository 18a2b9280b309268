"""The file a download ends up in: its safe name, its hidden partial file, an atomic publish."""
from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Union

from .. import urls
from .arguments import check_path

__all__ = ['PathLike', 'check_path_length', 'target_path', 'exists_error', 'partial_path',
           'journal_path', 'publish', 'sync_directory']

#: A path argument: ``str`` or any ``os.PathLike[str]``.
PathLike = Union[str, 'os.PathLike[str]']


# File names longer than this many bytes are refused by nearly every file system.
_NAME_MAX = 255
# Nor may a whole path exceed this many bytes (Linux's PATH_MAX, less its NUL).
_PATH_MAX = 4095
# The longest name a download derives from its target's: ``.<name>.journal``.
_DERIVED_EXTRA = len('..journal')


def _name_max(directory: Path) -> int:
    """The longest file name ``directory``'s file system takes, in bytes."""
    try:
        return min(_NAME_MAX, os.pathconf(directory, 'PC_NAME_MAX'))
    except (OSError, ValueError, AttributeError):   # no such directory; not POSIX
        return _NAME_MAX


def check_path_length(text: str, name: str) -> None:
    """Refuse a path whose parts or whole are too long for a file system.

    :raises ValueError: naming ``name``, before any file system call fails with
        ``OSError: File name too long``.
    """
    for part in Path(text).parts:
        size = len(os.fsencode(part))
        if size > _NAME_MAX:
            raise ValueError(f'{name} has a part {size} bytes long, longer than the '
                             f'{_NAME_MAX} bytes a file name may have: {part[:40]!r}...')
    if len(os.fsencode(text)) > _PATH_MAX - _NAME_MAX:
        raise ValueError(f'{name} is {len(os.fsencode(text))} bytes long; at most '
                         f'{_PATH_MAX - _NAME_MAX} are allowed')


def target_path(broadcast_id: str, path: PathLike | None) -> Path:
    """Where the download of ``broadcast_id`` goes; the file name comes only from the id.

    :param path: a file, an existing directory (gets ``<broadcast_id>.ts``), or None
        for ``<broadcast_id>.ts`` in the current directory.
    :raises TypeError: ``broadcast_id`` is not a str, ``path`` not a str or PathLike.
    :raises ValueError: ``broadcast_id`` is not a valid id, or it or ``path`` makes a file
        name or path too long (the partial file's and journal's names are longer still).
    :raises FileNotFoundError: the directory to write into does not exist.
    """
    name = f'{urls.validate_broadcast_id(broadcast_id)}.ts'
    # validate_broadcast_id allows only [A-Za-z0-9_=-]; this guards that promise.
    if Path(name).name != name or name.startswith('.'):
        raise ValueError(f'broadcast_id cannot be used as a file name: {broadcast_id!r}')
    text = check_path(path, 'path')
    named_by = 'broadcast_id'
    if text is None:
        target = Path.cwd() / name
    else:
        check_path_length(text, 'path')
        target = Path(text)
        if target.is_dir():
            target = target / name
        elif text.endswith(('/', os.sep)):
            raise FileNotFoundError(f'no such directory: {text!r}')
        elif not target.parent.is_dir():
            raise FileNotFoundError(f'no such directory: {str(target.parent)!r}')
        else:
            named_by = 'path'
    limit = _name_max(target.parent) - _DERIVED_EXTRA
    size = len(os.fsencode(target.name))
    if size > limit:
        raise ValueError(f'{named_by} is too long for a file name: {target.name[:40]!r}... is '
                         f'{size} bytes, and with the partial file and journal beside it '
                         f'(.<name>.journal) at most {limit} fit')
    check_path_length(str(journal_path(target)), 'path')
    return target


def exists_error(target: Path) -> FileExistsError:
    """The error for a target that exists and may not be replaced.

    ``filename`` and ``errno`` are set; ``str()`` reads
    ``[Errno 17] File exists (pass overwrite=True to replace it): '<path>'``.
    """
    return FileExistsError(errno.EEXIST, 'File exists (pass overwrite=True to replace it)',
                           str(target))


def partial_path(target: Path) -> Path:
    """The hidden file a download of ``target`` is written into: ``.<name>.part`` beside it."""
    return target.with_name(f'.{target.name}.part')


def journal_path(target: Path) -> Path:
    """The journal of that partial file: ``.<name>.journal`` beside ``target``."""
    return target.with_name(f'.{target.name}.journal')


def publish(partial: Path, target: Path, *, overwrite: bool) -> None:
    """Move the complete ``partial`` to ``target``; without ``overwrite``, never replace a file.

    :raises FileExistsError: ``target`` exists and ``overwrite`` is false (``partial``
        is then left where it is).
    """
    if overwrite:
        os.replace(partial, target)
        return
    try:
        os.link(partial, target)  # atomic, and fails if target appeared meanwhile
    except FileExistsError:
        raise exists_error(target) from None
    except OSError:
        # Filesystems without hard links: check, then rename.
        if target.exists():
            raise exists_error(target) from None
        os.replace(partial, target)
    else:
        os.unlink(partial)


def sync_directory(directory: Path) -> None:
    """fsync a directory so a rename in it survives a crash (POSIX only; best effort)."""
    if not hasattr(os, 'O_DIRECTORY'):
        return
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
