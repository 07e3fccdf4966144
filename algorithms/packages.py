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

This module is the public face; the work is shared with three modules:
:mod:`algorithms.package_members` (the checks every member passes),
:mod:`algorithms.package_sources` (paths, uploads, single ``.py`` files, server folders)
and :mod:`algorithms.archive_readers` (walking zip and tar archives).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from algorithms.package_members import (
    MB,
    Limits,
    Member,
    MemberChecker,
    PackageError,
    PackageFile,
    PackageKind,
    boot_file_rule,
    show_name,
)
from algorithms.package_sources import Source, open_members

__all__ = [
    "MB",
    "Limits",
    "Manifest",
    "PackageError",
    "PackageFile",
    "PackageKind",
    "extract_package",
    "find_boot_file",
    "inspect_package",
]

MAX_SUGGESTIONS = 10


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
    with open_members(src, filename, allowed_roots, limits) as (kind, members):
        checker = MemberChecker(kind, limits)
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
        with open_members(src, filename, allowed_roots, limits) as (kind, members):
            checker = MemberChecker(kind, limits)
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
    raise PackageError(
        f"Boot file '{wanted}' was not found in the package. {_python_files_hint(paths)}"
    )


def _python_files_hint(paths: set[str]) -> str:
    found = sorted(p for p in paths if p.endswith(".py"))
    if not found:
        return "The package contains no Python files."
    shown = ", ".join(found[:MAX_SUGGESTIONS])
    more = len(found) - MAX_SUGGESTIONS
    return f"Python files found: {shown}" + (f" (and {more} more)." if more > 0 else ".")


# --- extraction and boot file helpers -----------------------------------------------------


def _write_member(member: Member, dest: Path, path: str, checker: MemberChecker) -> None:
    target = dest.joinpath(*path.split("/"))
    if member.is_dir:
        target.mkdir(parents=True, exist_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL | O_NOFOLLOW: never write through a link or over a file placed behind our back.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(target, flags, 0o755 if member.executable else 0o644)
    with os.fdopen(fd, "wb") as out:
        for chunk in checker.read(member):
            out.write(chunk)


def _normalise_boot(boot_file: str) -> str:
    path, problem = boot_file_rule(boot_file)
    if problem:
        raise PackageError(f"Boot file {show_name(boot_file)} {problem}")
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
