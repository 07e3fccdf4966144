"""The per-host cache of workers: entries built once, then evicted least recently used.

Layout under the cache root (``DATA_CACHE_DIR``)::

    datasets/<sha256>/        a dataset, extracted, read-only
    datasets/<sha256>.lock    its lock file; its mtime is the entry's last use and its
                              content the entry's size in bytes
    code/<key>/...            a code package, the same way

Every use of an entry (:func:`ensure`) happens under its lock file (``flock``: it
serialises threads and processes of the host), so an entry appears whole by an atomic
rename, and the evictor, which takes the same lock without waiting, never removes an
entry while it is being built or handed out. Once handed out, an entry is protected by
``in_use`` (the caller's answer: the entries of trials running on this host) and by the
``keep`` entries of the call that triggered the eviction.

Eviction runs after an entry was added, when the entries together exceed
``max_bytes``: the least recently used go first, until the total fits; one evictor at a
time per cache (a busy evictor lock means another process is at it). An evicted entry
is renamed away (it vanishes at once), then deleted, and its lock file unlinked while
held: a process that waited on that lock file sees it is no longer the one at the path
and opens the new one.

Nothing here touches Django: the worker's side passes the limits and the in-use test.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import stat
import uuid
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

LOCK_SUFFIX = ".lock"
PART_MARK = ".part-"
GONE_MARK = ".evicting-"
SECTIONS = ("datasets", "code")
EVICT_LOCK = ".evict.lock"


class Busy(Exception):
    """A lock another thread or process holds (only for non-blocking takes)."""


@dataclass(frozen=True)
class Entry:
    path: Path
    size: int  # bytes
    last_used: float  # the lock file's mtime, seconds since the epoch


def lock_path(entry: Path) -> Path:
    return entry.parent / f"{entry.name}{LOCK_SUFFIX}"


def ensure(
    entry: Path,
    fill: Callable[[Path], None],
    *,
    max_bytes: int = 0,
    in_use: Callable[[], Collection[Path]] = frozenset,
) -> bool:
    """Make ``entry`` exist, built by ``fill(tmp_folder)`` once, and mark it used now.

    ``max_bytes`` > 0 caps the whole cache (the root is ``entry``'s grandparent): after
    building, least recently used entries are evicted, never ``entry`` itself nor any in
    ``in_use()``. Returns whether this call built the entry.
    """
    entry.parent.mkdir(parents=True, exist_ok=True)
    with locked(lock_path(entry)) as fd:
        built = False
        if not entry.exists():
            tmp = entry.parent / f"{entry.name}{PART_MARK}{uuid.uuid4().hex}"
            try:
                fill(tmp)
                make_read_only(tmp)
                os.rename(tmp, entry)
            except BaseException:
                remove(tmp)
                raise
            _record_size(fd, tree_size(entry))
            built = True
        os.utime(fd)  # the entry's last use
    if built and max_bytes > 0:
        evict(entry.parent.parent, max_bytes, keep={entry}, in_use=in_use)
    return built


def evict(
    root: Path,
    max_bytes: int,
    *,
    keep: Collection[Path] = (),
    in_use: Callable[[], Collection[Path]] = frozenset,
) -> list[Path]:
    """Remove least recently used entries until the cache fits ``max_bytes``; the removed.

    Skips ``keep``, entries whose lock is held (being built or handed out right now) and,
    checked under each entry's lock, those in ``in_use()``. Leftovers of builds that died
    (``.part-`` folders whose lock is free) go too.
    """
    try:
        with locked(root / EVICT_LOCK, wait=False):
            return _evict(root, max_bytes, keep=set(keep), in_use=in_use)
    except Busy:
        return []  # another process is evicting


def _evict(
    root: Path, max_bytes: int, *, keep: set[Path], in_use: Callable[[], Collection[Path]]
) -> list[Path]:
    _remove_leftovers(root)
    entries = list_entries(root)
    total = sum(e.size for e in entries)
    removed: list[Path] = []
    for candidate in sorted(entries, key=lambda e: e.last_used):
        if total <= max_bytes:
            break
        if candidate.path in keep:
            continue
        try:
            with locked(lock_path(candidate.path), wait=False) as _fd:
                if candidate.path in set(in_use()):
                    continue
                gone = candidate.path.parent / f"{candidate.path.name}{GONE_MARK}{uuid.uuid4().hex}"
                os.rename(candidate.path, gone)
                # Unlinked while held: a waiter sees the path now names another file.
                lock_path(candidate.path).unlink(missing_ok=True)
            remove(gone)
        except Busy:
            continue
        except FileNotFoundError:
            continue  # removed by someone else meanwhile
        total -= candidate.size
        removed.append(candidate.path)
    return removed


def list_entries(root: Path) -> list[Entry]:
    """Every complete entry of the cache, with its size and last use."""
    found = []
    for section in SECTIONS:
        folder = root / section
        if not folder.is_dir():
            continue
        for child in folder.iterdir():
            name = child.name
            if name.endswith(LOCK_SUFFIX) or PART_MARK in name or GONE_MARK in name:
                continue
            if not child.is_dir() or child.is_symlink():
                continue
            found.append(_entry(child))
    return found


def _entry(path: Path) -> Entry:
    lock = lock_path(path)
    try:
        st = lock.stat()
        text = lock.read_text().strip()
        size = int(text) if text.isdecimal() else tree_size(path)
        return Entry(path, size, st.st_mtime)
    except FileNotFoundError:
        return Entry(path, tree_size(path), path.stat().st_mtime)


def _remove_leftovers(root: Path) -> None:
    """``.part-`` folders of builds that died, renamed-away entries not yet deleted, and
    lock files left without an entry (a failed build's)."""
    for section in SECTIONS:
        folder = root / section
        if not folder.is_dir():
            continue
        for child in sorted(folder.iterdir()):
            name = child.name
            if GONE_MARK in name:
                remove(child)
            elif PART_MARK in name:
                _remove_unowned(folder / name.split(PART_MARK, 1)[0], child)
            elif name.endswith(LOCK_SUFFIX):
                _remove_unowned(folder / name[: -len(LOCK_SUFFIX)], None)


def _remove_unowned(entry: Path, leftover: Path | None) -> None:
    """Remove ``leftover`` if nobody holds ``entry``'s lock (its builder died), and the
    lock file too when there is no entry."""
    try:
        with locked(lock_path(entry), wait=False):
            if leftover is not None:
                remove(leftover)
            if not entry.exists():
                lock_path(entry).unlink(missing_ok=True)  # unlinked while held
    except Busy:
        return


@contextmanager
def locked(path: Path, *, wait: bool = True) -> Iterator[int]:
    """Hold ``flock`` on ``path`` (created if missing); the open descriptor.

    Raises :class:`Busy` when ``wait`` is False and another holder has it. If the file
    was unlinked (an evicted entry's) while this call waited, the new one is taken.
    """
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except OSError as exc:
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                    raise Busy(str(path)) from None
                raise
            try:
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                continue  # closed in finally; try the file now at the path
            yield fd
            return
        finally:
            os.close(fd)


def _record_size(fd: int, size: int) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(size).encode(), 0)


def tree_size(path: Path) -> int:
    """Bytes of the regular files under ``path`` (links not followed)."""
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            st = os.lstat(os.path.join(dirpath, name))
            if stat.S_ISREG(st.st_mode):
                total += st.st_size
    return total


def make_read_only(folder: Path) -> None:
    """Trials read the cache; one must not change what the next trial reads."""
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            os.chmod(os.path.join(dirpath, name), 0o444, follow_symlinks=False)
    for dirpath, _dirs, _files in os.walk(folder, topdown=False):
        os.chmod(dirpath, 0o555)


def remove(path: Path) -> None:
    if path.is_file():
        path.unlink(missing_ok=True)
        return
    if not path.exists():
        return
    for dirpath, _dirs, _files in os.walk(path):
        os.chmod(dirpath, stat.S_IRWXU)
    shutil.rmtree(path, ignore_errors=True)
