"""The file a download ends up in: its safe name, its hidden partial file, an atomic publish."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Union

from .. import urls

__all__ = ['PathLike', 'target_path', 'exists_error', 'partial_path', 'journal_path', 'publish',
           'sync_directory']

#: A path argument: ``str`` or any ``os.PathLike[str]``.
PathLike = Union[str, 'os.PathLike[str]']


def target_path(broadcast_id: str, path: PathLike | None) -> Path:
    """Where the download of ``broadcast_id`` goes; the file name comes only from the id.

    :param path: a file, an existing directory (gets ``<broadcast_id>.ts``), or None
        for ``<broadcast_id>.ts`` in the current directory.
    :raises ValueError: ``broadcast_id`` is not a valid id.
    :raises FileNotFoundError: the directory to write into does not exist.
    """
    name = f'{urls.validate_broadcast_id(broadcast_id)}.ts'
    # validate_broadcast_id allows only [A-Za-z0-9_=-]; this guards that promise.
    if Path(name).name != name or name.startswith('.'):
        raise ValueError(f'broadcast_id cannot be used as a file name: {broadcast_id!r}')
    if path is None:
        return Path.cwd() / name
    text = os.fspath(path)
    target = Path(text)
    if target.is_dir():
        return target / name
    if text.endswith(('/', os.sep)):
        raise FileNotFoundError(f'no such directory: {text!r}')
    if not target.parent.is_dir():
        raise FileNotFoundError(f'no such directory: {str(target.parent)!r}')
    return target


def exists_error(target: Path) -> FileExistsError:
    """The error for a target that exists and may not be replaced (``filename`` set)."""
    error = FileExistsError(f'{str(target)!r} already exists; pass overwrite=True to replace it')
    error.filename = str(target)
    return error


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
