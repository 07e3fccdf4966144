"""What a code package is made of, and the checks every one of its members passes.

A member is one entry of a package (a file or a folder), whatever its source: a zip or
tar archive, a single ``.py`` file or a server folder. :class:`MemberChecker` applies the
same rules to all of them (safe relative names, no file/folder clashes, the size and
count limits) and accumulates the files of the manifest.

Nothing here touches the ORM or Django. :mod:`algorithms.packages` re-exports the public
names (:class:`PackageError`, :class:`Limits`, :class:`PackageFile`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal, Protocol

MB = 1024 * 1024
CHUNK = 1024 * 1024  # bytes read at a time from a member
PackageKind = Literal["py", "zip", "tar", "folder"]

IGNORED_NAMES = frozenset({"__MACOSX", "__pycache__", ".git", ".hg", ".svn"})
# Operating-system limits (Linux NAME_MAX and a safe margin under PATH_MAX), not policy:
# a name past them would pass inspection and then fail at extraction on a worker.
MAX_NAME_BYTES = 255
MAX_PATH_CHARS = 1024
DRIVE_RE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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


class Reader(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@dataclass
class Member:
    name: str  # raw name as stored in the archive or found on disk
    size: int  # declared size (0 for folders)
    is_dir: bool
    executable: bool = False
    open: Callable[[], AbstractContextManager[Reader]] | None = None


class MemberChecker:
    """Validates members one by one and accumulates the manifest.

    ``what`` names the whole in messages ("package", or "dataset" for a dataset's files).
    """

    def __init__(self, kind: PackageKind, limits: Limits, what: str = "package") -> None:
        self.kind = kind
        self.limits = limits
        self.what = what
        self.label = "Folder entry" if kind == "folder" else "Archive member"
        self.files: list[PackageFile] = []
        self.file_paths: set[str] = set()
        self.dir_paths: set[str] = set()
        self.total = 0  # declared bytes
        self.written = 0  # bytes actually written by extract_package

    def add(self, member: Member) -> str | None:
        """Check one member; return its normalised path, or None when it is skipped."""
        path = self._normalise(member.name)
        parts = path.split("/") if path else []
        if IGNORED_NAMES.intersection(parts):
            return None
        if member.is_dir:
            return self._add_dir(member.name, path)
        return self._add_file(member, path)

    def _normalise(self, name: str) -> str:
        shown = show_name(name)
        unified = name.replace("\\", "/")
        if _CONTROL.search(unified):
            raise PackageError(f"{self.label} {shown} has control characters in its name")
        if unified.startswith("/") or DRIVE_RE.match(unified):
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
            raise PackageError(f"{self.label} {show_name(name)} is both a file and a folder")
        if path not in self.dir_paths:
            self.dir_paths.add(path)
            # Folders are capped too: an archive of a million empty folders is a bomb as well.
            if len(self.dir_paths) > self.limits.max_files * 2:
                raise PackageError(
                    f"The {self.what} has more than {self.limits.max_files * 2} folders"
                )
        return path

    def _add_file(self, member: Member, path: str) -> str:
        shown = show_name(member.name)
        if not path:
            raise PackageError(f"{self.label} {shown} has an empty name")
        if path in self.file_paths:
            raise PackageError(f"{self.label} {shown} appears more than once")
        parents = [str(p) for p in PurePosixPath(path).parents][:-1]
        if path in self.dir_paths or self.file_paths.intersection(parents):
            raise PackageError(f"{self.label} {shown} is both a file and a folder")
        self._count_file(member, shown)
        self.file_paths.add(path)
        self.dir_paths.update(parents)
        self.files.append(PackageFile(path, member.size))
        return path

    def _count_file(self, member: Member, shown: str) -> None:
        """Hold one more file against the file-count and size limits."""
        if len(self.files) >= self.limits.max_files:
            raise PackageError(f"The {self.what} has more than {self.limits.max_files} files")
        if member.size > self.limits.max_file_bytes:
            raise PackageError(
                f"{self.label} {shown} is {human_size(member.size)} uncompressed; "
                f"the limit per file is {human_size(self.limits.max_file_bytes)}"
            )
        self.total += member.size
        if self.total > self.limits.max_total_bytes:
            raise PackageError(
                f"The {self.what} is larger than {human_size(self.limits.max_total_bytes)} "
                f"uncompressed (reached at {self.label.lower()} {shown})"
            )

    def read(self, member: Member) -> Iterator[bytes]:
        """The bytes of a file member (one that passed ``add``), in chunks of at most
        ``CHUNK``, counted as they come: headers can lie (zip bombs), so the sizes
        ``add`` checked were declared ones and the real ones are held here.

        Raises ``PackageError`` when the member holds more than its declared size, the
        real bytes read so far pass ``max_total_bytes``, or it ends short of its size (a
        truncated member, or a folder file that shrank while it was read).
        """
        assert member.open is not None
        shown = show_name(member.name)
        written = 0
        with member.open() as data:
            while chunk := data.read(CHUNK):
                written += len(chunk)
                self.written += len(chunk)
                if written > member.size:
                    raise PackageError(
                        f"{self.label} {shown} holds more data than its declared size of "
                        f"{human_size(member.size)}"
                    )
                if self.written > self.limits.max_total_bytes:
                    raise PackageError(
                        f"The {self.what} is larger than "
                        f"{human_size(self.limits.max_total_bytes)} uncompressed"
                    )
                yield chunk
        if written != member.size:
            raise PackageError(f"{self.label} {shown} changed while it was read")


def boot_file_rule(boot_file: str) -> tuple[str, str]:
    """The boot file as a package path, and what is wrong with it ("" when nothing).

    The one rule for a boot file, used when the spec is validated and again when the
    package is checked: relative, no ``..``, a ``.py`` file; ``\\`` reads as ``/``.

    >>> boot_file_rule("./src/train.py"), boot_file_rule("../x.py")[1]
    (('src/train.py', ''), "must not contain '..'")
    """
    unified = boot_file.strip().replace("\\", "/")
    parts = [p for p in unified.split("/") if p not in ("", ".")]
    path = "/".join(parts)
    if unified.startswith("/") or DRIVE_RE.match(unified):
        return path, "must be a path relative to the code package"
    if ".." in parts:
        return path, "must not contain '..'"
    if not path.endswith(".py"):
        return path, "must be a Python file ending in .py"
    return path, ""


def show_name(name: str) -> str:
    """Quote a member name for a message, escaping control characters and capping length."""
    text = name if len(name) <= 200 else name[:200] + "..."
    if _CONTROL.search(text):
        return repr(text)
    return f"'{text}'"


def human_size(n: int) -> str:
    for unit, size in (("GB", 1024 * MB), ("MB", MB), ("KB", 1024)):
        if n >= size:
            return f"{n / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"
