"""Safe handling of an algorithm's code package: inspect, extract, locate the boot file.

A code package is one of:

* a single ``.py`` file,
* a ``.zip`` archive,
* a tar archive (``.tar.gz``/``.tgz``; plain, bzip2 and xz tars are accepted too),
* a folder on the server, only when it resolves inside one of the ``allowed_roots``
  the administrator configured.

Nothing here touches the ORM or Django: the service layer passes paths or uploaded
file objects and turns :class:`PackageError` messages into form errors or an
algorithm's failure reason.

Every member is checked the same way by :func:`inspect_package` (headers only, nothing
written) and again by :func:`extract_package` (which also counts the bytes it writes,
because archive headers can lie). Members under ``__MACOSX/``, ``__pycache__/`` and
version-control folders are skipped: they are never code a trial needs, and a server
folder's ``.git`` alone can exceed the file-count limit.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import re
import shutil
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import IO, Literal, Protocol

__all__ = [
    "Limits",
    "Manifest",
    "PackageError",
    "PackageFile",
    "PackageKind",
    "extract_package",
    "find_boot_file",
    "inspect_package",
]

MB = 1024 * 1024
PackageKind = Literal["py", "zip", "tar", "folder"]
Source = str | os.PathLike[str] | IO[bytes]

IGNORED_NAMES = frozenset({"__MACOSX", "__pycache__", ".git", ".hg", ".svn"})
TAR_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
# Operating-system limits (Linux NAME_MAX and a safe margin under PATH_MAX), not policy:
# a name past them would pass inspection and then fail at extraction on a worker.
MAX_NAME_BYTES = 255
MAX_PATH_CHARS = 1024
CHUNK = 1024 * 1024
MAX_SUGGESTIONS = 10
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class _Reader(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class PackageError(ValueError):
    """A package is unsafe, too large or unusable; the message is shown to the user."""


@dataclass(frozen=True)
class Limits:
    """Size limits for one package; settings may override any field."""

    max_files: int = 2000
    max_total_bytes: int = 200 * MB
    max_file_bytes: int = 100 * MB


@dataclass(frozen=True)
class PackageFile:
    path: str  # relative POSIX path inside the package, e.g. "src/train.py"
    size: int  # uncompressed bytes


@dataclass(frozen=True)
class Manifest:
    kind: PackageKind
    files: tuple[PackageFile, ...]

    @property
    def paths(self) -> list[str]:
        return [f.path for f in self.files]

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def top_folder(self) -> str | None:
        """The single top-level folder holding every file, if the package has one."""
        tops = {f.path.split("/", 1)[0] for f in self.files}
        if len(tops) == 1 and all("/" in f.path for f in self.files):
            return tops.pop()
        return None

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "files": [{"path": f.path, "size": f.size} for f in self.files]}


# --- public API ----------------------------------------------------------------------------


def inspect_package(
    src: Source,
    limits: Limits | None = None,
    *,
    filename: str | None = None,
    allowed_roots: Sequence[Path] | None = None,
) -> Manifest:
    """Validate a package without writing anything and return its manifest.

    ``src`` is a path (file or folder) or a seekable binary file object (an upload).
    ``filename`` names an upload whose object has no useful ``name``; the type comes from
    its suffix, or from the content's magic bytes when there is no known suffix.
    A folder is accepted only when ``allowed_roots`` is given and the folder resolves inside
    one of them; pass ``allowed_roots`` for every user-supplied server path, so that a
    path to a file is confined the same way.
    """
    limits = limits or Limits()
    with _open_members(src, filename, allowed_roots, limits) as (kind, members):
        checker = _Checker(kind, limits)
        for member in members:
            checker.add(member)
    return Manifest(kind, tuple(checker.files))


def extract_package(
    src: Source,
    dest_dir: Path,
    limits: Limits | None = None,
    *,
    filename: str | None = None,
    allowed_roots: Sequence[Path] | None = None,
) -> Manifest:
    """Extract a package into ``dest_dir`` (missing or empty) and return its manifest.

    Every member is re-checked as in :func:`inspect_package` and the bytes written are
    counted against the declared sizes and the limits. On any error the partial output is
    removed (and ``dest_dir`` too when this call created it) before the error propagates.
    """
    limits = limits or Limits()
    dest_dir = Path(dest_dir)
    created = not dest_dir.exists()
    if not created and any(dest_dir.iterdir()):
        raise FileExistsError(f"Destination folder {dest_dir} is not empty")
    dest_dir.mkdir(parents=True, exist_ok=True)
    try:
        with _open_members(src, filename, allowed_roots, limits) as (kind, members):
            checker = _Checker(kind, limits)
            for member in members:
                path = checker.add(member)
                if path is not None:
                    _write_member(member, dest_dir, path, checker)
    except BaseException:
        _clean(dest_dir, remove_self=created)
        raise
    return Manifest(kind, tuple(checker.files))


def find_boot_file(manifest: Manifest, boot_file: str) -> str:
    """Return the boot file's path as it appears in ``manifest``.

    ``boot_file`` is relative to the package root (``train.py``, ``src/train.py``). When
    every file of the package sits under one top-level folder (an archive of ``proj/``), the
    boot file may also be given relative to that folder: ``train.py`` then finds
    ``proj/train.py`` and the returned path includes the folder.
    """
    wanted = _normalise_boot(boot_file)
    paths = set(manifest.paths)
    if wanted in paths:
        return wanted
    top = manifest.top_folder
    if top is not None and f"{top}/{wanted}" in paths:
        return f"{top}/{wanted}"
    found = sorted(p for p in paths if p.endswith(".py"))
    if not found:
        hint = "The package contains no Python files."
    else:
        shown = ", ".join(found[:MAX_SUGGESTIONS])
        more = len(found) - MAX_SUGGESTIONS
        hint = f"Python files found: {shown}" + (f" (and {more} more)." if more > 0 else ".")
    raise PackageError(f"Boot file '{wanted}' was not found in the package. {hint}")


# --- members and checks --------------------------------------------------------------------


@dataclass
class _Member:
    name: str  # raw name as stored in the archive or found on disk
    size: int  # declared size (0 for folders)
    is_dir: bool
    executable: bool = False
    open: Callable[[], AbstractContextManager[_Reader]] | None = None


class _Checker:
    """Validates members one by one and accumulates the manifest."""

    def __init__(self, kind: PackageKind, limits: Limits) -> None:
        self.kind = kind
        self.limits = limits
        self.label = "Folder entry" if kind == "folder" else "Archive member"
        self.files: list[PackageFile] = []
        self.file_paths: set[str] = set()
        self.dir_paths: set[str] = set()
        self.total = 0  # declared bytes
        self.written = 0  # bytes actually written by extract_package

    def add(self, member: _Member) -> str | None:
        """Check one member; return its normalised path, or None when it is skipped."""
        path = self._normalise(member.name)
        parts = path.split("/") if path else []
        if IGNORED_NAMES.intersection(parts):
            return None
        if member.is_dir:
            return self._add_dir(member.name, path)
        return self._add_file(member, path)

    def _normalise(self, name: str) -> str:
        shown = _show(name)
        unified = name.replace("\\", "/")
        if _CONTROL.search(unified):
            raise PackageError(f"{self.label} {shown} has control characters in its name")
        if unified.startswith("/") or _DRIVE.match(unified):
            raise PackageError(f"{self.label} {shown} is an absolute path")
        parts = [p for p in unified.split("/") if p not in ("", ".")]
        if ".." in parts:
            raise PackageError(f"{self.label} {shown} escapes the package folder")
        path = "/".join(parts)
        if len(path) > MAX_PATH_CHARS or any(len(p.encode()) > MAX_NAME_BYTES for p in parts):
            raise PackageError(f"{self.label} {shown} has a name that is too long")
        return path

    def _add_dir(self, name: str, path: str) -> str | None:
        if not path:
            return None
        if path in self.file_paths:
            raise PackageError(f"{self.label} {_show(name)} is both a file and a folder")
        if path not in self.dir_paths:
            self.dir_paths.add(path)
            # Folders are capped too: an archive of a million empty folders is a bomb as well.
            if len(self.dir_paths) > self.limits.max_files * 2:
                raise PackageError(f"The package has more than {self.limits.max_files * 2} folders")
        return path

    def _add_file(self, member: _Member, path: str) -> str:
        shown = _show(member.name)
        if not path:
            raise PackageError(f"{self.label} {shown} has an empty name")
        if path in self.file_paths:
            raise PackageError(f"{self.label} {shown} appears more than once")
        parents = [str(p) for p in PurePosixPath(path).parents][:-1]
        if path in self.dir_paths or self.file_paths.intersection(parents):
            raise PackageError(f"{self.label} {shown} is both a file and a folder")
        if len(self.files) >= self.limits.max_files:
            raise PackageError(f"The package has more than {self.limits.max_files} files")
        if member.size > self.limits.max_file_bytes:
            raise PackageError(
                f"{self.label} {shown} is {_human(member.size)} uncompressed; "
                f"the limit per file is {_human(self.limits.max_file_bytes)}"
            )
        self.total += member.size
        if self.total > self.limits.max_total_bytes:
            raise PackageError(
                f"The package is larger than {_human(self.limits.max_total_bytes)} uncompressed "
                f"(reached at {self.label.lower()} {shown})"
            )
        self.file_paths.add(path)
        self.dir_paths.update(parents)
        self.files.append(PackageFile(path, member.size))
        return path


def _write_member(member: _Member, dest: Path, path: str, checker: _Checker) -> None:
    target = dest.joinpath(*path.split("/"))
    if member.is_dir:
        target.mkdir(parents=True, exist_ok=True)
        return
    assert member.open is not None
    target.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL | O_NOFOLLOW: never write through a link or over a file placed behind our back.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(target, flags, 0o755 if member.executable else 0o644)
    with os.fdopen(fd, "wb") as out, member.open() as data:
        written = 0
        while chunk := data.read(CHUNK):
            written += len(chunk)
            checker.written += len(chunk)
            # Headers can lie (zip bombs): the declared size was checked, the real one is here.
            if written > member.size:
                raise PackageError(
                    f"{checker.label} {_show(member.name)} holds more data than its "
                    f"declared size of {_human(member.size)}"
                )
            if checker.written > checker.limits.max_total_bytes:
                raise PackageError(
                    f"The package is larger than "
                    f"{_human(checker.limits.max_total_bytes)} uncompressed"
                )
            out.write(chunk)


# --- sources -------------------------------------------------------------------------------


@contextmanager
def _open_members(
    src: Source,
    filename: str | None,
    allowed_roots: Sequence[Path] | None,
    limits: Limits,
) -> Iterator[tuple[PackageKind, Iterator[_Member]]]:
    if isinstance(src, (str, os.PathLike)):
        path = Path(src)
        if allowed_roots is not None:
            path = _confine(path, allowed_roots)
        if path.is_dir():
            if allowed_roots is None:
                raise PackageError("Server folders are not enabled on this server")
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
) -> Iterator[tuple[PackageKind, Iterator[_Member]]]:
    if not fileobj.seekable():
        raise TypeError("A package file object must be seekable")
    fileobj.seek(0)
    kind = _detect_kind(fileobj, name)
    try:
        if kind == "py":
            yield kind, _py_members(fileobj, name or "")
        elif kind == "zip":
            with zipfile.ZipFile(fileobj) as zf:
                yield kind, _zip_members(zf)
        else:
            with _tar_stream(fileobj, limits) as stream:
                # Stream mode only calls read(); typeshed asks every mode for a seekable,
                # writable file object. Closed below.
                tf = tarfile.open(fileobj=stream, mode="r|")  # type: ignore[call-overload]  # noqa: SIM115
                with tf:
                    yield kind, _tar_members(tf)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error, lzma.LZMAError) as exc:
        raise PackageError(f"The archive is corrupt or truncated ({exc})") from None


def _detect_kind(fileobj: IO[bytes], name: str | None) -> PackageKind:
    lower = (name or "").lower()
    head = fileobj.read(512)
    fileobj.seek(0)
    is_zip = head.startswith(b"PK")
    is_tar = _compression(head) is not None or head[257:262] == b"ustar"
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


def _compression(head: bytes) -> str | None:
    if head.startswith(b"\x1f\x8b"):
        return "gz"
    if head.startswith(b"BZh"):
        return "bz2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    return None


def _py_members(fileobj: IO[bytes], name: str) -> Iterator[_Member]:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    size = fileobj.seek(0, os.SEEK_END)
    fileobj.seek(0)
    yield _Member(base, size, is_dir=False, open=partial(_NoClose, fileobj))


def _zip_members(zf: zipfile.ZipFile) -> Iterator[_Member]:
    for info in zf.infolist():
        mode = info.external_attr >> 16
        ftype = stat.S_IFMT(mode)
        shown = _show(info.filename)
        if stat.S_ISLNK(mode):
            raise PackageError(f"Archive member {shown} is a symbolic link; links are not allowed")
        # ftype 0 means the archiver stored no Unix mode (e.g. made on Windows).
        if ftype not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise PackageError(
                f"Archive member {shown} is a device or special file; "
                "only regular files and folders are allowed"
            )
        is_dir = info.is_dir() or ftype == stat.S_IFDIR
        if not is_dir and info.flag_bits & 0x1:
            raise PackageError(f"Archive member {shown} is encrypted")
        if not is_dir and info.compress_type not in ZIP_METHODS:
            raise PackageError(f"Archive member {shown} uses an unsupported compression method")
        yield _Member(
            info.filename,
            0 if is_dir else info.file_size,
            is_dir=is_dir,
            executable=bool(mode & 0o111),
            open=None if is_dir else partial(zf.open, info),
        )


def _tar_members(tf: tarfile.TarFile) -> Iterator[_Member]:
    for info in tf:
        shown = _show(info.name)
        if info.issym():
            raise PackageError(f"Archive member {shown} is a symbolic link; links are not allowed")
        if info.islnk():
            raise PackageError(f"Archive member {shown} is a hard link; links are not allowed")
        if info.isdir():
            yield _Member(info.name, 0, is_dir=True)
        elif info.isreg() and not info.issparse():
            yield _Member(
                info.name,
                info.size,
                is_dir=False,
                executable=bool(info.mode & 0o111),
                open=partial(_tar_open, tf, info),
            )
        else:
            raise PackageError(
                f"Archive member {shown} is a device or special file; "
                "only regular files and folders are allowed"
            )


def _tar_open(tf: tarfile.TarFile, info: tarfile.TarInfo) -> IO[bytes]:
    data = tf.extractfile(info)
    assert data is not None  # regular files always have data
    return data


@contextmanager
def _tar_stream(fileobj: IO[bytes], limits: Limits) -> Iterator[_Budget]:
    """Decompress ourselves so every decompressed byte tarfile reads is counted.

    tarfile reads headers, pax records and skipped member data from the stream; a small
    .tar.gz could otherwise make it inflate gigabytes before any size check runs.
    """
    head = fileobj.read(6)
    fileobj.seek(0)
    compression = _compression(head)
    inner: AbstractContextManager[_Reader]
    if compression == "gz":
        inner = gzip.GzipFile(fileobj=fileobj, mode="rb")
    elif compression == "bz2":
        inner = bz2.BZ2File(fileobj, mode="rb")
    elif compression == "xz":
        inner = lzma.LZMAFile(fileobj, mode="rb")
    else:
        inner = _NoClose(fileobj)
    # Room for headers, padding and pax records of every allowed entry, on top of the data.
    overhead = (3 * limits.max_files + 16) * 4096 + MB
    with inner as source:
        yield _Budget(source, limits.max_total_bytes + overhead, limits.max_total_bytes)


class _Budget:
    """A read-only stream that refuses to return more than ``budget`` bytes in total."""

    def __init__(self, inner: _Reader, budget: int, limit: int) -> None:
        self.inner = inner
        self.left = budget
        self.limit = limit

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.left + 1
        try:
            data = self.inner.read(min(size, self.left + 1))
        except OSError as exc:  # gzip/bz2 report bad data as OSError; disk errors never reach here
            raise PackageError(f"The archive is corrupt or truncated ({exc})") from None
        self.left -= len(data)
        if self.left < 0:
            raise PackageError(f"The package is larger than {_human(self.limit)} uncompressed")
        return data


class _NoClose:
    """Wraps a caller's file object so our ``with`` blocks do not close it."""

    def __init__(self, inner: IO[bytes]) -> None:
        self.inner = inner

    def read(self, size: int = -1) -> bytes:
        return self.inner.read(size)

    def __enter__(self) -> _NoClose:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def close(self) -> None:
        return None


# --- server folders ------------------------------------------------------------------------


def _confine(path: Path, allowed_roots: Sequence[Path]) -> Path:
    """Resolve a user-supplied server path and require it inside an allowed root."""
    shown = _show(str(path))
    if not allowed_roots:
        raise PackageError("Server folders are not enabled on this server")
    if not path.is_absolute():
        raise PackageError(f"Server path {shown} must be an absolute path")
    if ".." in path.parts:
        raise PackageError(f"Server path {shown} must not contain '..'")
    try:
        resolved = path.resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError):
        raise PackageError(f"Server path {shown} does not exist") from None
    except (OSError, RuntimeError):  # RuntimeError: symlink loop on older Pythons
        raise PackageError(f"Server path {shown} cannot be read") from None
    # Resolving first means a symlink inside an allowed root cannot point outside it.
    if not any(resolved.is_relative_to(Path(root).resolve()) for root in allowed_roots):
        raise PackageError(f"Server path {shown} is outside the folders allowed on this server")
    return resolved


def _folder_members(root: Path) -> Iterator[_Member]:
    stack = [root]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                rel = Path(entry.path).relative_to(root).as_posix()
                if entry.name in IGNORED_NAMES:
                    continue
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISLNK(st.st_mode):
                    raise PackageError(_link_message(root, Path(entry.path), rel))
                if stat.S_ISDIR(st.st_mode):
                    yield _Member(rel, 0, is_dir=True)
                    stack.append(Path(entry.path))
                elif stat.S_ISREG(st.st_mode):
                    yield _Member(
                        rel,
                        st.st_size,
                        is_dir=False,
                        executable=bool(st.st_mode & 0o111),
                        open=partial(_open_nofollow, entry.path),
                    )
                else:
                    raise PackageError(
                        f"Folder entry {_show(rel)} is a device or special file; "
                        "only regular files and folders are allowed"
                    )


def _link_message(root: Path, link: Path, rel: str) -> str:
    try:
        inside = link.resolve().is_relative_to(root)
    except (OSError, RuntimeError):
        inside = False
    if not inside:
        return f"Folder entry {_show(rel)} is a symbolic link that escapes the package folder"
    return f"Folder entry {_show(rel)} is a symbolic link; links are not allowed"


def _open_nofollow(path: str) -> IO[bytes]:
    # The entry was a regular file when listed; refuse it if it became a link since.
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    return os.fdopen(fd, "rb")


# --- helpers -------------------------------------------------------------------------------


def _normalise_boot(boot_file: str) -> str:
    shown = _show(boot_file)
    unified = boot_file.strip().replace("\\", "/")
    if unified.startswith("/") or _DRIVE.match(unified):
        raise PackageError(f"Boot file {shown} must be a path relative to the package")
    parts = [p for p in unified.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise PackageError(f"Boot file {shown} must not contain '..'")
    path = "/".join(parts)
    if not path.endswith(".py"):
        raise PackageError(f"Boot file {shown} must be a Python file ending in .py")
    return path


def _clean(dest: Path, *, remove_self: bool) -> None:
    if remove_self:
        shutil.rmtree(dest, ignore_errors=True)
        return
    for child in dest.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _show(name: str) -> str:
    """Quote a member name for a message, escaping control characters and capping length."""
    text = name if len(name) <= 200 else name[:200] + "..."
    if _CONTROL.search(text):
        return repr(text)
    return f"'{text}'"


def _human(n: int) -> str:
    for unit, size in (("GB", 1024 * MB), ("MB", MB), ("KB", 1024)):
        if n >= size:
            return f"{n / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"
