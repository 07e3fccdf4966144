"""Walking the members of zip and tar archives, refusing the kinds a package may not hold.

Links, devices and other special files, encrypted zip members and unknown compression
methods are refused here, before :class:`~algorithms.package_members.MemberChecker` sees
a member. A tar is decompressed through a byte budget, so that a small ``.tar.gz`` cannot
make tarfile inflate gigabytes before any size check runs.

Nothing here touches the ORM or Django.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import partial
from typing import IO, Literal

from algorithms.package_members import (
    MB,
    Limits,
    Member,
    PackageError,
    Reader,
    human_size,
    show_name,
)

ArchiveKind = Literal["zip", "tar"]
TAR_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_SPECIAL_FILE = "only regular files and folders are allowed"
# Largest pax or GNU long-name/long-link header: tarfile reads one whole into memory and
# parses it before yielding the member. Real ones hold a path and a few attributes; the
# longest path a package may hold is MAX_PATH_CHARS (1024) characters.
MAX_TAR_METADATA_BYTES = 64 * 1024


class _BoundedTarInfo(tarfile.TarInfo):
    """A tar header whose extended metadata is bounded before tarfile reads it.

    tarfile's own ``_proc_pax``/``_proc_gnulong`` read ``size`` bytes at once: a 153 KB
    .tar.gz whose pax header claims 150 MiB would cost hundreds of MB before any check.
    """

    def _proc_member(self, tarfile_: tarfile.TarFile) -> tarfile.TarInfo:
        if self.type in (tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE,
                         tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK):
            if self.size > MAX_TAR_METADATA_BYTES:
                raise PackageError(
                    f"The archive has a {human_size(self.size)} metadata header "
                    f"(pax or long name); at most {human_size(MAX_TAR_METADATA_BYTES)} "
                    "is allowed"
                )
        return super()._proc_member(tarfile_)  # type: ignore[misc]


@contextmanager
def open_archive(
    fileobj: IO[bytes], kind: ArchiveKind, limits: Limits
) -> Iterator[Iterator[Member]]:
    """Yield the members of a zip or tar; a corrupt archive becomes a :class:`PackageError`."""
    try:
        if kind == "zip":
            with zipfile.ZipFile(fileobj) as zf:
                yield _zip_members(zf)
        else:
            with _tar_stream(fileobj, limits) as stream:
                # Stream mode only calls read(); typeshed asks every mode for a seekable,
                # writable file object. Closed below.
                tf = tarfile.open(  # type: ignore[call-overload]  # noqa: SIM115
                    fileobj=stream, mode="r|", tarinfo=_BoundedTarInfo
                )
                with tf:
                    yield _tar_members(tf)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error, lzma.LZMAError) as exc:
        raise PackageError(f"The archive is corrupt or truncated ({exc})") from None


def compression(head: bytes) -> str | None:
    """The compression a file's first bytes announce: "gz", "bz2", "xz" or None."""
    if head.startswith(b"\x1f\x8b"):
        return "gz"
    if head.startswith(b"BZh"):
        return "bz2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    return None


def _zip_members(zf: zipfile.ZipFile) -> Iterator[Member]:
    for info in zf.infolist():
        mode = info.external_attr >> 16
        is_dir = info.is_dir() or stat.S_IFMT(mode) == stat.S_IFDIR
        _refuse_zip_member(info, mode, is_dir)
        yield Member(
            info.filename,
            0 if is_dir else info.file_size,
            is_dir=is_dir,
            executable=bool(mode & 0o111),
            open=None if is_dir else partial(zf.open, info),
        )


def _refuse_zip_member(info: zipfile.ZipInfo, mode: int, is_dir: bool) -> None:
    shown = show_name(info.filename)
    ftype = stat.S_IFMT(mode)
    if stat.S_ISLNK(mode):
        raise PackageError(f"Archive member {shown} is a symbolic link; links are not allowed")
    # ftype 0 means the archiver stored no Unix mode (e.g. made on Windows).
    if ftype not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise PackageError(f"Archive member {shown} is a device or special file; {_SPECIAL_FILE}")
    if not is_dir and info.flag_bits & 0x1:
        raise PackageError(f"Archive member {shown} is encrypted")
    if not is_dir and info.compress_type not in ZIP_METHODS:
        raise PackageError(f"Archive member {shown} uses an unsupported compression method")


def _tar_members(tf: tarfile.TarFile) -> Iterator[Member]:
    for info in tf:
        shown = show_name(info.name)
        if info.issym():
            raise PackageError(f"Archive member {shown} is a symbolic link; links are not allowed")
        if info.islnk():
            raise PackageError(f"Archive member {shown} is a hard link; links are not allowed")
        if info.isdir():
            yield Member(info.name, 0, is_dir=True)
        elif info.isreg() and not info.issparse():
            yield Member(
                info.name,
                info.size,
                is_dir=False,
                executable=bool(info.mode & 0o111),
                open=partial(_tar_open, tf, info),
            )
        else:
            raise PackageError(
                f"Archive member {shown} is a device or special file; {_SPECIAL_FILE}"
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
    found = compression(head)
    inner: AbstractContextManager[Reader]
    if found == "gz":
        inner = gzip.GzipFile(fileobj=fileobj, mode="rb")
    elif found == "bz2":
        inner = bz2.BZ2File(fileobj, mode="rb")
    elif found == "xz":
        inner = lzma.LZMAFile(fileobj, mode="rb")
    else:
        inner = NoClose(fileobj)
    # Room for headers, padding and pax records of every allowed entry, on top of the data.
    overhead = (3 * limits.max_files + 16) * 4096 + MB
    with inner as source:
        yield _Budget(source, limits.max_total_bytes + overhead, limits.max_total_bytes)


class _Budget:
    """A read-only stream that refuses to return more than ``budget`` bytes in total."""

    def __init__(self, inner: Reader, budget: int, limit: int) -> None:
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
            raise PackageError(f"The package is larger than {human_size(self.limit)} uncompressed")
        return data


class NoClose:
    """Wraps a caller's file object so our ``with`` blocks do not close it."""

    def __init__(self, inner: IO[bytes]) -> None:
        self.inner = inner

    def read(self, size: int = -1) -> bytes:
        return self.inner.read(size)

    def __enter__(self) -> NoClose:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def close(self) -> None:
        return None
