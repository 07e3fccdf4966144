"""Reading a dataset's content once, when it is created: listing, real sizes, previews.

The request makes only the cheap checks (:func:`precheck_upload`, :func:`check_folder`);
a worker then reads the content whole (:func:`inspect_upload`, :func:`snapshot_folder`).

Archives go through the same safe-archive reader as algorithm packages
(:mod:`algorithms.package_sources`, :mod:`algorithms.archive_readers`) and every member
passes :class:`algorithms.package_members.MemberChecker` (no absolute or ``..`` paths, no
links or devices, file-count and size limits). Unlike an algorithm's inspection, every
member is also read to its end here and the bytes counted, because archive headers can
lie (a zip bomb declares small sizes): a dataset that would not extract is refused at
upload, not on a worker in the middle of a job.

A server folder is copied into a zip while it is checked: the dataset is then one blob
in the storage, and workers on other hosts need no access to the folder.

Nothing here touches the ORM.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from algorithms.archive_readers import TAR_SUFFIXES
from algorithms.package_members import (
    CHUNK,
    Limits,
    Member,
    MemberChecker,
    PackageError,
    show_name,
)
from algorithms.package_sources import open_members

ARCHIVE_SUFFIXES = (".zip", *TAR_SUFFIXES)
PREVIEW_SUFFIXES = (".csv", ".tsv", ".txt", ".json", ".jsonl", ".md", ".yaml", ".yml", ".log")
PREVIEW_BYTES = 64 * 1024
PREVIEW_ROWS = 20
MAX_PREVIEWS = 10
MAX_PREVIEW_CELL = 200

__all__ = [
    "Inspected",
    "PackageError",
    "archive_format",
    "check_folder",
    "inspect_upload",
    "precheck_upload",
    "sha256_of",
    "snapshot_folder",
]


@dataclass
class Inspected:
    format: str  # "file" | "zip" | "tar"
    files: list[dict[str, Any]] = field(default_factory=list)
    previews: list[dict[str, Any]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(int(f["size"]) for f in self.files)


def archive_format(filename: str) -> str:
    """ "zip", "tar" or "file" (anything else is one file trials get as it is)."""
    lower = filename.lower()
    if lower.endswith(".zip"):
        return "zip"
    if lower.endswith(TAR_SUFFIXES):
        return "tar"
    return "file"


def sha256_of(fileobj: IO[bytes]) -> str:
    fileobj.seek(0)
    digest = hashlib.sha256()
    while chunk := fileobj.read(CHUNK):
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


def inspect_upload(fileobj: IO[bytes], filename: str, limits: Limits) -> Inspected:
    """Check an uploaded file or archive, reading every member to its end."""
    fmt = archive_format(filename)
    if fmt == "file":
        return _inspect_single(fileobj, filename, limits)
    fileobj.seek(0)
    found = Inspected(fmt)
    with open_members(fileobj, filename, None, limits) as (_kind, members):
        _read_members(members, MemberChecker("zip", limits, "dataset"), found, sink=None)
    fileobj.seek(0)
    return found


def precheck_upload(fileobj: IO[bytes], filename: str, limits: Limits) -> None:
    """The cheap checks a request makes before a worker reads the upload whole.

    A zip's central directory is read (names, types, declared sizes, the file count: the
    members are not decompressed); a tar's magic bytes and first header; a single file's
    name. Raises :class:`PackageError` with the reason; what passes may still be refused
    by :func:`inspect_upload` (a tar's later members, sizes that headers lie about).
    """
    fmt = archive_format(filename)
    if fmt == "file":
        _inspect_single(fileobj, filename, limits, previews=False)
        return
    fileobj.seek(0)
    with open_members(fileobj, filename, None, limits) as (_kind, members):
        if fmt == "zip":
            checker = MemberChecker("zip", limits, "dataset")
            for member in members:
                checker.add(member)
    fileobj.seek(0)


def check_folder(folder: Path, allowed_roots: Sequence[Path]) -> None:
    """The request's checks of a server folder (the copy and its checks run on a worker)."""
    path = _folder_inside(folder, allowed_roots)
    if not path.exists():
        raise PackageError(f"Server path {show_name(str(folder))} does not exist")


def snapshot_folder(
    folder: Path, dest: IO[bytes], limits: Limits, *, allowed_roots: Sequence[Path]
) -> Inspected:
    """Copy a server folder into a zip written to ``dest``, checking it as an archive."""
    path = _folder_inside(folder, allowed_roots)
    found = Inspected("zip")
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with open_members(path, None, allowed_roots, limits) as (_kind, members):
            _read_members(members, MemberChecker("folder", limits, "dataset"), found, sink=zf)
    return found


def _folder_inside(folder: Path, roots: Sequence[Path]) -> Path:
    """The folder, once it is known to be inside an allowed root and to be a folder.

    Outside the roots the answer does not depend on whether the path exists, so the
    check cannot be used to probe the server's files; the reader confines it again.
    """
    shown = show_name(str(folder))
    if not roots:
        raise PackageError("Server folders are not enabled on this server.")
    if not folder.is_absolute():
        raise PackageError(f"Server path {shown} must be an absolute path")
    if ".." in folder.parts:
        raise PackageError(f"Server path {shown} must not contain '..'")
    normal = Path(os.path.normpath(folder))
    if not any(normal.is_relative_to(r) for r in roots):
        raise PackageError(f"Server path {shown} is outside the folders allowed on this server")
    if folder.exists() and not folder.is_dir():
        raise PackageError(f"Server path {shown} is not a folder")
    return folder


def _inspect_single(
    fileobj: IO[bytes], filename: str, limits: Limits, *, previews: bool = True
) -> Inspected:
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    size = fileobj.seek(0, os.SEEK_END)
    fileobj.seek(0)
    checker = MemberChecker("zip", limits, "dataset")
    path = checker.add(Member(base, size, is_dir=False))
    found = Inspected("file", files=[{"path": path, "size": size}])
    if previews and path and path.lower().endswith(PREVIEW_SUFFIXES):
        found.previews.append(make_preview(path, fileobj.read(PREVIEW_BYTES)))
    fileobj.seek(0)
    return found


def _read_members(
    members: Iterator[Member],
    checker: MemberChecker,
    found: Inspected,
    *,
    sink: zipfile.ZipFile | None,
) -> None:
    for member in members:
        path = checker.add(member)
        if path is None or member.is_dir:
            continue
        assert member.open is not None
        head = _copy_member(member, path, checker, sink)
        found.files.append({"path": path, "size": member.size})
        wants_preview = path.lower().endswith(PREVIEW_SUFFIXES)
        if wants_preview and len(found.previews) < MAX_PREVIEWS:
            found.previews.append(make_preview(path, head))


def _copy_member(
    member: Member, path: str, checker: MemberChecker, sink: zipfile.ZipFile | None
) -> bytes:
    """Read a member to its end, counting its real bytes; return its first bytes."""
    head = b""
    with _sink_entry(sink, path) as out:
        for chunk in checker.read(member):
            if len(head) < PREVIEW_BYTES:
                head += chunk[: PREVIEW_BYTES - len(head)]
            if out is not None:
                out.write(chunk)
    return head


@contextmanager
def _sink_entry(sink: zipfile.ZipFile | None, path: str) -> Iterator[IO[bytes] | None]:
    if sink is None:
        yield None
        return
    with sink.open(zipfile.ZipInfo(path), "w", force_zip64=True) as out:
        yield out


def make_preview(path: str, head: bytes) -> dict[str, Any]:
    """The first rows of a CSV (or TSV) or the first lines of a text file."""
    if b"\x00" in head:
        return {"path": path, "kind": "binary"}
    text = head.decode("utf-8", errors="replace")
    truncated = len(head) >= PREVIEW_BYTES
    lines = text.splitlines()
    if truncated and lines:
        lines = lines[:-1]  # the last line may be cut in the middle
    lines = lines[:PREVIEW_ROWS]
    lower = path.lower()
    if lower.endswith((".csv", ".tsv")):
        delimiter = "\t" if lower.endswith(".tsv") else ","
        rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
        cells = [[c[:MAX_PREVIEW_CELL] for c in row[:50]] for row in rows]
        return {"path": path, "kind": "csv", "rows": cells}
    return {"path": path, "kind": "text", "lines": [line[:1000] for line in lines]}
