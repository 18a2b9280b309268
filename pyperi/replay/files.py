"""The file a download ends up in: its safe name, a hidden temporary file, an atomic publish."""
from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import IO, Iterator, Union

from .. import urls

__all__ = ['PathLike', 'target_path', 'exists_error', 'write_atomically']

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


def _open_temp(target: Path) -> tuple[Path, IO[bytes]]:
    """Create a hidden, unique temporary file beside ``target``, opened for writing.

    Made with mode 0o666 less the umask, like any new file, so the published
    download has the usual permissions (``tempfile`` would make it 0o600).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_BINARY', 0)
    for _ in range(100):
        temp = target.with_name(f'.{target.name}.{secrets.token_hex(4)}.part')
        try:
            fd = os.open(temp, flags, 0o666)
        except FileExistsError:
            continue
        return temp, os.fdopen(fd, 'wb')
    raise FileExistsError(f'could not create a temporary file beside {str(target)!r}')


def _publish(temp: Path, target: Path, overwrite: bool) -> None:
    """Move the complete ``temp`` to ``target``; without ``overwrite``, never replace a file."""
    if overwrite:
        os.replace(temp, target)
        return
    try:
        os.link(temp, target)  # atomic, and fails if target appeared meanwhile
    except FileExistsError:
        raise exists_error(target) from None
    except OSError:
        # Filesystems without hard links: check, then rename.
        if target.exists():
            raise exists_error(target) from None
        os.replace(temp, target)
    else:
        os.unlink(temp)


def _sync_directory(directory: Path) -> None:
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


@contextlib.contextmanager
def write_atomically(target: Path, *, overwrite: bool) -> Iterator[IO[bytes]]:
    """A hidden temporary file beside ``target`` that becomes ``target`` only when complete.

    When the ``with`` block ends normally the file is flushed, fsynced and moved
    to ``target`` (and the directory fsynced). Whatever the block raises
    (KeyboardInterrupt too), the temporary file is removed and nothing appears
    under ``target``.

    :raises FileExistsError: ``target`` appeared meanwhile and ``overwrite`` is false.
    """
    temp, out = _open_temp(target)
    with out:
        try:
            yield out
            out.flush()
            os.fsync(out.fileno())
        except BaseException:
            out.close()
            with contextlib.suppress(OSError):
                temp.unlink()
            raise
    try:
        _publish(temp, target, overwrite)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    _sync_directory(target.parent)
