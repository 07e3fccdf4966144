"""Where a package's members come from: a path, an uploaded file object or a server folder.

:func:`open_members` recognises the package's kind (from its name's suffix, else from its
magic bytes) and yields its members: one for a single ``.py`` file, the walk of a zip or
tar (:mod:`algorithms.archive_readers`), or the walk of a server folder. A user-supplied
server path is resolved first and accepted only inside one of the allowed roots, so that
neither ``..`` nor a symbolic link leads outside them.

Nothing here touches the ORM or Django.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import IO, Literal

from algorithms.archive_readers import TAR_SUFFIXES, NoClose, compression, open_archive
from algorithms.package_members import (
    IGNORED_NAMES,
    Limits,
    Member,
    PackageError,
    PackageKind,
    show_name,
)

Source = str | os.PathLike[str] | IO[bytes]
_NOT_ENABLED = "Server folders are not enabled on this server."


@contextmanager
def open_members(
    src: Source,
    filename: str | None,
    allowed_roots: Sequence[Path] | None,
    limits: Limits,
) -> Iterator[tuple[PackageKind, Iterator[Member]]]:
    """Yield the package's kind and an iterator over its members, unchecked."""
    if isinstance(src, (str, os.PathLike)):
        path = Path(src)
        if allowed_roots is not None:
            path = _confine(path, allowed_roots)
        if path.is_dir():
            if allowed_roots is None:
                raise PackageError(_NOT_ENABLED)
            yield "folder", _folder_members(path)
            return
        try:
            fileobj: IO[bytes] = open(path, "rb")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            raise PackageError(f"Package file '{path.name}' does not exist") from None
        with fileobj:
            with _open_stream(fileobj, filename or path.name, limits) as opened:
                yield opened
        return
    own_name = getattr(src, "name", None)  # a file opened from a descriptor has an int name
    name = filename or (own_name if isinstance(own_name, str) else None)
    with _open_stream(src, name, limits) as opened:
        yield opened


@contextmanager
def _open_stream(
    fileobj: IO[bytes], name: str | None, limits: Limits
) -> Iterator[tuple[PackageKind, Iterator[Member]]]:
    if not fileobj.seekable():
        raise TypeError("A package file object must be seekable")
    fileobj.seek(0)
    kind = _detect_kind(fileobj, name)
    if kind == "py":
        yield kind, _py_members(fileobj, name or "")
        return
    with open_archive(fileobj, kind, limits) as members:
        yield kind, members


def _detect_kind(fileobj: IO[bytes], name: str | None) -> Literal["py", "zip", "tar"]:
    lower = (name or "").lower()
    head = fileobj.read(512)
    fileobj.seek(0)
    is_zip = head.startswith(b"PK")
    is_tar = compression(head) is not None or head[257:262] == b"ustar"
    if lower.endswith(".py"):
        return "py"
    if lower.endswith(".zip"):
        if not is_zip:
            raise PackageError("The file is not a valid .zip archive")
        return "zip"
    if lower.endswith(TAR_SUFFIXES):
        if not is_tar:
            raise PackageError("The file is not a valid tar archive")
        return "tar"
    # No known suffix (e.g. a storage key): trust the content's magic bytes.
    if is_zip:
        return "zip"
    if is_tar:
        return "tar"
    raise PackageError("Unsupported package type: upload a .py file, a .zip or a .tar.gz archive")


def _py_members(fileobj: IO[bytes], name: str) -> Iterator[Member]:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    size = fileobj.seek(0, os.SEEK_END)
    fileobj.seek(0)
    yield Member(base, size, is_dir=False, open=partial(NoClose, fileobj))


# --- server folders ------------------------------------------------------------------------


def server_path_error(server_path: str, allowed_roots: Sequence[Path]) -> str:
    """Why a server path typed on the page or sent to the API is refused, or "".

    The same checks the worker makes when it reads the folder (:func:`_confine`), worded
    for the form: the allowed folders are named, so the user knows where to point.
    """
    try:
        _confine(Path(server_path), allowed_roots, shown=server_path)
    except PackageError as exc:
        message = str(exc)
        if "outside the folders allowed" in message:
            allowed = ", ".join(str(r) for r in allowed_roots) or "none"
            message = (
                f"The server path must be inside a folder the administrator allows ({allowed})"
            )
        return message + "."
    return ""


def _confine(path: Path, allowed_roots: Sequence[Path], shown: str = "") -> Path:
    """Resolve a user-supplied server path and require it inside an allowed root."""
    shown = show_name(shown or str(path))
    if not str(path).isprintable():  # a NUL byte would make the OS calls raise
        raise PackageError(f"Server path {shown} must not contain control characters")
    if not allowed_roots:
        raise PackageError(_NOT_ENABLED)
    if not path.is_absolute():
        raise PackageError(f"Server path {shown} must be absolute, e.g. /srv/algorithms/mnist")
    if ".." in path.parts:
        raise PackageError(f"Server path {shown} must not contain '..'")
    outside = f"Server path {shown} is outside the folders allowed on this server"
    # The roots first, on the path as written: outside them the same answer whether the
    # path exists or not, so the check cannot be used to find out which files exist.
    if not _within(Path(os.path.normpath(path)), allowed_roots):
        raise PackageError(outside)
    try:
        resolved = path.resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError):
        raise PackageError(f"Server path {shown} does not exist") from None
    except (OSError, RuntimeError, ValueError):  # RuntimeError: a link loop (old Pythons)
        raise PackageError(f"Server path {shown} cannot be read") from None
    # Then resolved: a symlink inside an allowed root cannot point outside it.
    if not _within(resolved, allowed_roots):
        raise PackageError(outside)
    return resolved


def _within(path: Path, roots: Sequence[Path]) -> bool:
    return any(path.is_relative_to(r) or path.is_relative_to(Path(r).resolve()) for r in roots)


def _folder_members(root: Path) -> Iterator[Member]:
    stack = [root]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.name in IGNORED_NAMES:
                    continue
                member = _entry_member(root, entry)
                if member.is_dir:
                    stack.append(Path(entry.path))
                yield member


def _entry_member(root: Path, entry: os.DirEntry[str]) -> Member:
    """The member for one folder entry; links and special files are refused."""
    rel = Path(entry.path).relative_to(root).as_posix()
    st = entry.stat(follow_symlinks=False)
    if stat.S_ISLNK(st.st_mode):
        raise PackageError(_link_message(root, Path(entry.path), rel))
    if stat.S_ISDIR(st.st_mode):
        return Member(rel, 0, is_dir=True)
    if stat.S_ISREG(st.st_mode):
        return Member(
            rel,
            st.st_size,
            is_dir=False,
            executable=bool(st.st_mode & 0o111),
            open=partial(_open_nofollow, entry.path),
        )
    raise PackageError(
        f"Folder entry {show_name(rel)} is a device or special file; "
        "only regular files and folders are allowed"
    )


def _link_message(root: Path, link: Path, rel: str) -> str:
    try:
        inside = link.resolve().is_relative_to(root)
    except (OSError, RuntimeError):
        inside = False
    if not inside:
        return f"Folder entry {show_name(rel)} is a symbolic link that escapes the package folder"
    return f"Folder entry {show_name(rel)} is a symbolic link; links are not allowed"


def _open_nofollow(path: str) -> IO[bytes]:
    # The entry was a regular file when listed; refuse it if it became a link since.
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    return os.fdopen(fd, "rb")
