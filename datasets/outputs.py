"""A trial's outputs: whatever its script wrote under ``train_url``, kept in the storage.

``collect_outputs`` runs on the worker after the trial's process ended. It walks the
folder without following links (nothing outside it is read), uploads the regular files
in path order up to the per-trial cap (``TRIAL_OUTPUT_MAX_MB``, ``TRIAL_OUTPUT_MAX_FILES``),
and only then writes the rows, in one transaction: a set is listed whole or not at all.
When the storage fails, what was uploaded is removed and :class:`OutputsError` carries
the reason for the trial. Files left out (over the cap, links, special files) are named
in the set's notice.

Reading back (listing, one file, the whole set as a zip) streams from the storage.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, QuerySet

from algorithms.package_members import human_size
from datasets.models import OutputFile, OutputSet
from datasets.storage import (
    CHUNK,
    MB,
    STORAGE_ERRORS,
    Readable,
    delete_stored,
    open_stored,
    stored_sizes,
)

logger = logging.getLogger(__name__)

# Job statuses after which retention may prune (TrainingJob.FINISHED, by value: this app
# does not import trainingjobs).
FINISHED_JOB_STATUSES = ("completed", "failed", "canceled", "timed_out")
_BAD_PATH = re.compile(r"[\x00-\x1f\x7f]")
MAX_NOTICE_NAMES = 5


class OutputsError(Exception):
    """The outputs could not be stored; the message is the trial's failure reason."""


@dataclass
class _Walk:
    files: list[tuple[str, Path, os.stat_result]] = field(default_factory=list)
    skipped_links: list[str] = field(default_factory=list)
    skipped_special: list[str] = field(default_factory=list)


# --- collecting on the worker -------------------------------------------------------------------


def collect_outputs(trial_id: int, folder: Path) -> OutputSet:
    """Upload what the trial wrote under ``folder`` and record it as its outputs."""
    walk = _walk(Path(folder))
    kept, over_cap = _within_cap(walk.files)
    prefix = f"outputs/trial-{trial_id}/{uuid.uuid4().hex}"
    stored: list[str] = []
    rows: list[OutputFile] = []
    try:
        for rel, path, st in kept:
            name = _upload(path, f"{prefix}/{rel}")
            stored.append(name)
            rows.append(
                OutputFile(
                    path=rel,
                    size=st.st_size,
                    modified=datetime.fromtimestamp(st.st_mtime, tz=UTC),
                    storage_name=name,
                )
            )
        with transaction.atomic():
            _delete_sets(OutputSet.objects.filter(trial_id=trial_id))
            output_set = OutputSet.objects.create(
                trial_id=trial_id,
                file_count=len(rows),
                size=sum(r.size for r in rows),
                notice=_notice(walk, over_cap),
            )
            for row in rows:
                row.output_set = output_set
            OutputFile.objects.bulk_create(rows)
    except STORAGE_ERRORS as exc:
        delete_stored(stored)
        raise OutputsError(
            f"The trial's outputs could not be uploaded to the storage: {type(exc).__name__}: {exc}"
        ) from exc
    except BaseException:
        delete_stored(stored)
        raise
    return output_set


def _walk(root: Path) -> _Walk:
    walk = _Walk()
    if root.is_symlink() or not root.is_dir():
        return walk
    stack = [root]
    while stack:
        current = stack.pop()
        with os.scandir(current) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                rel = Path(entry.path).relative_to(root).as_posix()
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISLNK(st.st_mode):
                    walk.skipped_links.append(rel)
                elif stat.S_ISDIR(st.st_mode):
                    stack.append(Path(entry.path))
                elif stat.S_ISREG(st.st_mode) and not _BAD_PATH.search(rel):
                    walk.files.append((rel, Path(entry.path), st))
                else:
                    walk.skipped_special.append(rel)
    walk.files.sort(key=lambda f: f[0])
    return walk


def _within_cap(
    files: list[tuple[str, Path, os.stat_result]],
) -> tuple[list[tuple[str, Path, os.stat_result]], list[tuple[str, int]]]:
    """Files in path order while they fit the cap; the rest (path, size) left out."""
    budget = settings.TRIAL_OUTPUT_MAX_MB * MB
    kept: list[tuple[str, Path, os.stat_result]] = []
    left_out: list[tuple[str, int]] = []
    used = 0
    for rel, path, st in files:
        if used + st.st_size > budget or len(kept) >= settings.TRIAL_OUTPUT_MAX_FILES:
            left_out.append((rel, st.st_size))
            continue
        kept.append((rel, path, st))
        used += st.st_size
    return kept, left_out


def _upload(path: Path, name: str) -> str:
    # O_NOFOLLOW: a file swapped for a link since the walk is refused, not followed.
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as fh:
        return default_storage.save(name, File(fh, name=path.name))


def _notice(walk: _Walk, over_cap: list[tuple[str, int]]) -> str:
    parts = []
    if over_cap:
        size = sum(s for _, s in over_cap)
        parts.append(
            f"{_count(len(over_cap), 'file')} ({human_size(size)}) not kept: over the outputs "
            f"cap of {settings.TRIAL_OUTPUT_MAX_MB} MB or {settings.TRIAL_OUTPUT_MAX_FILES} "
            f"files per trial: {_names(r for r, _ in over_cap)}"
        )
    if walk.skipped_links:
        parts.append(
            f"{_count(len(walk.skipped_links), 'symbolic link')} not followed: "
            f"{_names(walk.skipped_links)}"
        )
    if walk.skipped_special:
        parts.append(
            f"{_count(len(walk.skipped_special), 'special file')} (or names with control "
            f"characters) skipped: {_names(walk.skipped_special)}"
        )
    return ". ".join(parts) + ("." if parts else "")


def _count(n: int, noun: str) -> str:
    return f"1 {noun}" if n == 1 else f"{n} {noun}s"


def _names(paths: Iterable[str]) -> str:
    items = list(paths)
    shown = ", ".join(repr(p) for p in items[:MAX_NOTICE_NAMES])
    more = len(items) - MAX_NOTICE_NAMES
    return shown + (f" and {more} more" if more > 0 else "")


# --- retention ----------------------------------------------------------------------------------


def outputs_apply_retention(*, keep: int | None = None) -> int:
    """Keep the outputs of the ``keep`` best trials of each finished job; delete the rest.

    The job's ``best_trial`` is always among those kept, then trials by value.

    ``keep`` defaults to ``OUTPUT_KEEP_BEST_TRIALS``; 0 keeps everything. Idempotent; a
    job extended and finished again is pruned again. Returns how many sets were deleted.
    """
    keep = settings.OUTPUT_KEEP_BEST_TRIALS if keep is None else keep
    if keep <= 0:
        return 0
    jobs = (
        OutputSet.objects.filter(trial__job__status__in=FINISHED_JOB_STATUSES)
        .values("trial__job_id")
        .annotate(n=Count("id"))
        .filter(n__gt=keep)
        .values_list("trial__job_id", flat=True)
    )
    deleted = 0
    for job_id in list(jobs):
        sets = list(OutputSet.objects.filter(trial__job_id=job_id).select_related("trial__job"))
        job = sets[0].trial.job
        maximize = job.metric_goal == "maximize"
        # The job's best trial is the one its page links ("download the best model"): it
        # is kept whatever the values say (its objective may be a trial's best report).
        sets.sort(key=lambda s: (s.trial_id != job.best_trial_id, *_rank(s.trial.value, maximize)))
        with transaction.atomic():
            deleted += _delete_sets(OutputSet.objects.filter(pk__in=[s.pk for s in sets[keep:]]))
    return deleted


def _rank(value: float | None, maximize: bool) -> tuple[int, float]:
    if value is None:
        return (1, 0.0)  # trials without a value go last
    return (0, -value if maximize else value)


def _delete_sets(sets: QuerySet[OutputSet]) -> int:
    """Delete output sets; their stored files go after commit (:mod:`datasets.receivers`)."""
    count = sets.count()
    sets.delete()
    return int(count)


# --- reading back -------------------------------------------------------------------------------


def check_output_path(path: str) -> str | None:
    """Why an output path from a URL is refused, or None when it is well formed."""
    if not path or len(path) > 1024:
        return "The output path is empty or too long."
    if path.startswith("/") or "\\" in path or _BAD_PATH.search(path):
        return "The output path must be relative, with no backslashes or control characters."
    if any(part in ("", ".", "..") for part in path.split("/")):
        return "The output path must not contain '.', '..' or empty parts."
    return None


def unreadable_outputs(files: list[OutputFile]) -> list[str]:
    """Paths of listed files whose stored copy is missing or not of the listed size.

    Checked before a zip starts, so that a download is refused with the reason instead
    of cut in the middle. Raises one of :data:`STORAGE_ERRORS` when the storage cannot
    answer at all.
    """
    sizes = stored_sizes([f.storage_name for f in files])
    return [f.path for f in files if sizes.get(f.storage_name) != f.size]


def unreadable_message(paths: list[str]) -> str:
    return (
        f"{_count(len(paths), 'output file')} of this trial cannot be read from the storage "
        f"(missing or damaged): {_names(paths)}. Nothing was downloaded."
    )


class ZipCut(Exception):
    """A member failed while the zip was streamed; the response must end as an error."""


def zip_stream(files: Iterable[OutputFile]) -> Iterator[bytes]:
    """The files as one zip archive, produced chunk by chunk (never whole in memory).

    A member that cannot be read to its listed size once streaming has started (the
    storage failed after :func:`unreadable_outputs` passed) is logged and raises
    :class:`ZipCut` before the archive's central directory is written: the server then
    drops the connection without the end of the chunked body, so the client sees a
    failed download, never a zip that looks whole.
    """
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for item in files:
            info = zipfile.ZipInfo(item.path, date_time=_zip_time(item.modified))
            info.compress_type = zipfile.ZIP_DEFLATED
            try:
                reader = open_stored(item.storage_name)
            except STORAGE_ERRORS as exc:
                raise _cut(item, exc) from exc
            read = 0
            try:
                with zf.open(info, "w", force_zip64=True) as dest:
                    while chunk := _read(reader, item):
                        read += len(chunk)
                        dest.write(chunk)
                        if written := sink.take():
                            yield written
                    if read != item.size:
                        raise _cut(item, f"{read} of {item.size} bytes were stored")
            finally:
                reader.close()
            if written := sink.take():
                yield written
    if written := sink.take():
        yield written


def _read(reader: Readable, item: OutputFile) -> bytes:
    try:
        return reader.read(CHUNK)
    except STORAGE_ERRORS as exc:
        raise _cut(item, exc) from exc


def _cut(item: OutputFile, why: object) -> ZipCut:
    message = (
        f"The zip of trial {item.output_set.trial_id}'s outputs was cut at {item.path!r}: "
        f"{type(why).__name__ + ': ' if isinstance(why, Exception) else ''}{why}"
    )
    logger.error(message)
    return ZipCut(message)


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    t = moment.astimezone(UTC)
    if t.year < 1980:  # the zip format starts in 1980
        return (1980, 1, 1, 0, 0, 0)
    return (t.year, t.month, t.day, t.hour, t.minute, t.second)


class _Sink:
    """A write-only, unseekable target for ZipFile; the generator takes what was written."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        self._buffer += data
        return len(data)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None

    def take(self) -> bytes:
        data = bytes(self._buffer)
        self._buffer.clear()
        return data
