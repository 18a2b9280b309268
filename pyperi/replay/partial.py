"""A download's hidden partial file and its journal: locked, resumed or restarted, published.

A download of ``name.ts`` writes into ``.name.ts.part`` beside it and notes each complete
segment in ``.name.ts.journal`` (:mod:`~pyperi.replay.journal`). The partial file is
locked while a download writes it, so two downloads of the same target never mix
their bytes (POSIX ``flock``; elsewhere there is no lock).
"""
from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path
from typing import IO, Sequence

from .. import hls
from ..exceptions import PyPeriDownloadError
from .files import journal_path, partial_path, publish, sync_directory
from .journal import JournalEntry, JournalWriter, PlaylistIdentity, read_journal, usable_entries

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

__all__ = ['PartialDownload']

logger = logging.getLogger(__name__)

# Written bytes are handed to the disk every this many bytes (where the system allows),
# so that the fsync before publishing has little left to do.
_WRITEBACK_BYTES = 8 * 1024 * 1024
_DONTNEED = getattr(os, 'POSIX_FADV_DONTNEED', None)


def _open_locked(path: Path) -> IO[bytes]:
    """``path`` opened for reading and writing (created if missing) and locked.

    Made with mode 0o666 less the umask, like any new file, so the published download
    has the usual permissions. Checks after locking that ``path`` is still the file
    locked: another download may have published (moved away) the one it held.

    :raises PyPeriDownloadError: another download holds the lock.
    """
    # Never through a symbolic link planted under the partial file's name.
    flags = os.O_RDWR | os.O_CREAT | getattr(os, 'O_BINARY', 0) | getattr(os, 'O_NOFOLLOW', 0)
    for _ in range(10):
        fd = os.open(path, flags, 0o666)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise PyPeriDownloadError(f'{str(path)!r} is not a regular file; remove it')
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise PyPeriDownloadError(
                        f'another download is writing {str(path)!r}; wait for it to finish'
                    ) from None
                held, named = os.fstat(fd), os.stat(path)
                if (held.st_dev, held.st_ino) != (named.st_dev, named.st_ino):
                    os.close(fd)
                    continue
            return os.fdopen(fd, 'r+b')
        except BaseException:
            with contextlib.suppress(OSError):
                os.close(fd)
            raise
    raise PyPeriDownloadError(f'could not lock {str(path)!r}: it keeps being replaced')


class PartialDownload:
    """The partial file and journal of one download, from :meth:`open` to :meth:`publish`.

    :param target: the file the download ends up as.
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        self.path = partial_path(target)
        self.journal_path = journal_path(target)
        self._file: IO[bytes] | None = None
        self._journal: JournalWriter | None = None
        #: Complete segments in the partial file (committed to the journal or about to be),
        #: and the last of them (counted, not listed: memory stays flat).
        self.complete = 0
        self.last: JournalEntry | None = None
        self._written_back = 0

    @property
    def file(self) -> IO[bytes]:
        """The partial file, open for writing at the end of its last complete segment."""
        if self._file is None:
            raise RuntimeError('the partial download is not open')
        return self._file

    def open(self, identity: PlaylistIdentity, segments: Sequence[hls.Segment], *,
             resume: bool) -> tuple[JournalEntry, ...]:
        """Lock the partial file and make it ready; return the complete segments it keeps.

        With ``resume`` and a journal that matches ``identity`` (and, for a replay, the
        first of ``segments``), the file is cut back to its last complete segment and
        kept; otherwise it is emptied and a new journal started.

        :raises PyPeriDownloadError: another download is writing the same file.
        """
        self._file = _open_locked(self.path)
        try:
            state = read_journal(self.journal_path) if resume else None
            size = os.fstat(self._file.fileno()).st_size
            kept = usable_entries(state, identity, segments, size)
            if kept is None:
                if size or (resume and self.journal_path.exists()):
                    logger.info('starting %s over', self.target)
                self._file.truncate(0)
                self._journal = JournalWriter(self.journal_path, identity)
                self.complete, self.last = 0, None
                return ()
            end = kept[-1].end
            if size > end:
                logger.info('dropping %d bytes of an unfinished segment from %s',
                            size - end, self.path)
            self._file.truncate(end)
            self._file.seek(end)
            self._journal = JournalWriter(self.journal_path, identity, state)
            self.complete, self.last = len(kept), kept[-1]
            self._written_back = end
            logger.info('resuming %s after %d complete segments (%d bytes)', self.target,
                        len(kept), end)
            return kept
        except BaseException:
            empty = True
            with contextlib.suppress(OSError):
                empty = os.fstat(self._file.fileno()).st_size == 0
            if empty:   # made here, or emptied: nothing to keep, journal included
                self.discard()
            else:
                self.close()
            raise

    def add(self, entry: JournalEntry) -> None:
        """Note a complete segment (committed at the next :meth:`checkpoint`)."""
        if self._journal is not None:
            self._journal.add(entry)
        self.complete += 1
        self.last = entry
        if entry.end - self._written_back >= _WRITEBACK_BYTES:
            self._write_back(entry.end)

    def _write_back(self, end: int) -> None:
        """Start writing the bytes up to ``end`` to disk without waiting (Linux: fadvise)."""
        if self._file is None or _DONTNEED is None:
            return
        self._file.flush()
        try:
            os.posix_fadvise(self._file.fileno(), self._written_back, end - self._written_back,
                             _DONTNEED)
        except OSError:
            pass   # only a hint
        self._written_back = end

    def checkpoint(self, *, durable: bool = True) -> None:
        """Commit the segments noted so far to the journal, after their bytes.

        With ``durable`` the bytes are fsynced first, so that the journal never names
        bytes a power cut could lose; either way a killed process loses nothing the
        journal names.
        """
        if self._file is None or self._journal is None:
            return
        self._file.flush()
        if durable:
            os.fsync(self._file.fileno())
        self._journal.commit()

    def cut_to_last_segment(self) -> None:
        """Drop any bytes after the last complete segment (a segment left half-written)."""
        end = self.last.end if self.last is not None else 0
        self.file.flush()
        self.file.truncate(end)
        self.file.seek(end)

    def keep(self) -> bool:
        """Leave the partial file and journal for a later run, as far as the journal
        vouches for them; True if kept. Never raises OSError (a full disk is why it runs).

        The segments noted are committed if the disk allows; the partial file is then cut
        back to the end of the last segment the journal names, so that no unfinished
        segment (or what a full disk cut short) keeps taking space. Nothing is kept when
        the journal names no segment: there is nothing to resume.
        """
        try:
            self.checkpoint()
        except OSError as error:
            logger.warning('could not save the progress of %s: %s', self.target, error)
        held = self._close_holding_lock()
        try:
            state = read_journal(self.journal_path)
            entries = state.entries if state is not None else ()
            if entries and (held is None or os.fstat(held).st_size >= entries[-1].end):
                self.complete, self.last = len(entries), entries[-1]
                if held is not None:
                    os.ftruncate(held, entries[-1].end)
                logger.info('kept %s (%d complete segments, %d bytes) to resume %s', self.path,
                            self.complete, entries[-1].end, self.target)
                return True
        except OSError as error:
            logger.warning('could not cut %s back to its last complete segment: %s',
                           self.path, error)
            return self.path.exists()
        finally:
            if held is not None:
                os.close(held)
        self.complete, self.last = 0, None
        self._remove_files()
        return False

    def discard(self) -> None:
        """Delete the partial file and its journal (never raises OSError)."""
        held = self._close_holding_lock()
        try:
            self._remove_files()
        finally:
            if held is not None:
                os.close(held)

    def _remove_files(self) -> None:
        """Remove the partial file and journal, if they are regular files (never a link
        planted under their names)."""
        for path in (self.path, self.journal_path):
            try:
                if stat.S_ISREG(os.lstat(path).st_mode):
                    path.unlink()
            except FileNotFoundError:
                pass
            except OSError as error:
                logger.warning('could not remove %s: %s', path, error)

    def _close_holding_lock(self) -> int | None:
        """Close the files, errors and all; return a duplicate of the partial file's
        descriptor, which holds its lock until closed (None if it was not open)."""
        held = None
        if self._file is not None:
            with contextlib.suppress(OSError):
                held = os.dup(self._file.fileno())
        self.close()
        return held

    def publish(self, *, overwrite: bool) -> None:
        """fsync the partial file and move it to the target; then drop the journal.

        :raises FileExistsError: the target appeared meanwhile and ``overwrite`` is
            false; the complete partial file and its journal are kept.
        :raises OSError: the bytes could not be written (a full disk); what the journal
            vouches for is kept, as by :meth:`keep`.
        """
        try:
            self.checkpoint()
        except BaseException:
            self.keep()
            raise
        try:
            publish(self.path, self.target, overwrite=overwrite)
        except BaseException:
            self.close()
            raise
        if self._journal is not None:
            self._journal.remove()
        self.close()
        sync_directory(self.target.parent)

    def close(self) -> None:
        """Close the files (releasing the lock); they stay on disk. Never raises OSError:
        bytes a full disk refused are dropped (the journal never names them)."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()   # closes the descriptor even when the flush fails
            self._file = None
