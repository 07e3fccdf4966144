"""Checking an algorithm's code package on a worker, and swapping in a checked new one.

A new algorithm is ``creating`` until its package is checked, then ``ready`` or ``failed``.
A *ready* algorithm given a new package keeps its working one: the new package waits in
the ``pending_*`` fields, and only once a worker has checked it does it replace the old
one. A refused new package is dropped and its reason kept in ``package_refused_reason``;
the algorithm stays ready with the package it had.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from algorithms import packages, script_help
from algorithms.models import Algorithm, Engine

logger = logging.getLogger(__name__)

MB = 1024 * 1024


@dataclass(frozen=True)
class PackageRef:
    """Where one package is: an uploaded file or a server folder, and its boot file."""

    code_file: str
    server_path: str
    boot_file: str

    @classmethod
    def current(cls, algorithm: Algorithm) -> PackageRef:
        code = algorithm.code_file.name if algorithm.code_file else ""
        path = algorithm.server_path if algorithm.code_source == "server_path" else ""
        return cls(code if not path else "", path, algorithm.boot_file)

    @classmethod
    def pending(cls, algorithm: Algorithm) -> PackageRef:
        code = algorithm.pending_code_file.name if algorithm.pending_code_file else ""
        return cls(code, algorithm.pending_server_path, algorithm.pending_boot_file)


def algorithm_validate_package(*, algorithm_id: int) -> None:
    """Check the package waiting for a check: a pending new one, else a creating one's.

    Idempotent: does nothing when nothing waits. When the package or boot file changed
    while it was being inspected the result is dropped; the update that changed it
    queued a fresh check.
    """
    algorithm = Algorithm.objects.filter(pk=algorithm_id).first()
    if algorithm is None:
        return
    if algorithm.has_pending_package:
        ref = PackageRef.pending(algorithm)
    elif algorithm.status == Algorithm.Status.CREATING:
        ref = PackageRef.current(algorithm)
    else:
        return
    manifest, reason, help_result = _check(ref, algorithm_id, _python(algorithm))
    with transaction.atomic():
        algorithm = Algorithm.objects.select_for_update().filter(pk=algorithm_id).first()
        if algorithm is None:
            return
        if not reason:
            algorithm.script_help = help_result.output
            algorithm.script_arguments = help_result.captured
        if algorithm.has_pending_package and PackageRef.pending(algorithm) == ref:
            _finish_pending(algorithm, manifest, reason)
        elif (
            not algorithm.has_pending_package
            and algorithm.status == Algorithm.Status.CREATING
            and PackageRef.current(algorithm) == ref
        ):
            _finish_creating(algorithm, manifest, reason)


def _python(algorithm: Algorithm) -> str:
    """The interpreter the algorithm's trials run with (read only: nothing is created)."""
    engine = algorithm.engine or Engine.objects.filter(is_default=True).first()
    return engine.python_path if engine is not None else sys.executable


def _check(
    ref: PackageRef, algorithm_id: int, python: str
) -> tuple[list[dict[str, Any]], str, script_help.HelpResult]:
    """The package's manifest, why it is refused ("" when it is not), and its --help.

    The package is extracted into a throwaway folder (which also checks every member) and
    its boot file run there with ``--help``: an import error fails the package now rather
    than every trial later.
    """
    with tempfile.TemporaryDirectory(prefix="sweep-check-") as folder:
        try:
            found = _extract(ref, Path(folder) / "package")
            boot = packages.find_boot_file(found, ref.boot_file)
        except packages.PackageError as exc:
            return [], str(exc), script_help.HelpResult("")
        except OSError as exc:
            logger.warning("cannot read package of algorithm %s: %s", algorithm_id, exc)
            reason = f"The code package could not be read ({exc.__class__.__name__})."
            return [], reason, script_help.HelpResult("")
        result = script_help.run_help(
            python, Path(folder) / "package", boot, timeout=settings.SCRIPT_HELP_TIMEOUT
        )
    manifest = [{"path": f.path, "size": f.size} for f in found.files]
    return manifest, result.refused, result


def _finish_creating(algorithm: Algorithm, manifest: list[dict[str, Any]], reason: str) -> None:
    if reason:
        algorithm.transition(Algorithm.Status.FAILED, reason)
    else:
        algorithm.transition(Algorithm.Status.READY)
    algorithm.manifest = manifest
    algorithm.save(
        update_fields=[
            "status", "status_reason", "manifest", "script_help", "script_arguments", "updated_at"
        ]
    )


def _finish_pending(algorithm: Algorithm, manifest: list[dict[str, Any]], reason: str) -> None:
    """Swap a checked new package in, or drop a refused one and say why."""
    new_file = algorithm.pending_code_file.name if algorithm.pending_code_file else ""
    if reason:
        algorithm.package_refused_reason = reason
        if new_file:
            delete_stored_on_commit(new_file)
    else:
        old_file = algorithm.code_file.name if algorithm.code_file else ""
        if new_file:
            algorithm.code_source = Algorithm.CodeSource.UPLOAD
            algorithm.code_file = new_file
            algorithm.server_path = ""
        else:
            algorithm.code_source = Algorithm.CodeSource.SERVER_PATH
            algorithm.server_path = algorithm.pending_server_path
            algorithm.code_file = None
        algorithm.boot_file = algorithm.pending_boot_file
        algorithm.manifest = manifest
        algorithm.package_refused_reason = ""
        if old_file and old_file != new_file:
            delete_unused_on_commit(old_file, algorithm)
    algorithm.pending_code_file = None
    algorithm.pending_server_path = ""
    algorithm.pending_boot_file = ""
    algorithm.save()


def algorithm_requeue_stale_validations(*, older_than: timedelta) -> list[int]:
    """Queue the check again for packages left waiting longer than `older_than`.

    A check dies with its worker (a restart, a lost host, a queue message of a worker that
    did not know the task); the task is idempotent, so queueing it twice is harmless,
    while never queueing it again would leave the package waiting forever.
    """
    cutoff = timezone.now() - older_than
    waiting = Q(status=Algorithm.Status.CREATING) | ~Q(pending_code_file="") | ~Q(
        pending_server_path=""
    )
    stale = list(
        Algorithm.objects.filter(waiting, updated_at__lt=cutoff).values_list("pk", flat=True)
    )
    for pk in stale:
        enqueue_validation(pk)
    return stale


def package_limits() -> packages.Limits:
    total = settings.PACKAGE_MAX_UNCOMPRESSED_MB * MB
    return packages.Limits(
        max_files=settings.PACKAGE_MAX_FILES,
        max_total_bytes=total,
        max_file_bytes=min(packages.Limits.max_file_bytes, total),
    )


def server_roots() -> list[Path]:
    """Folders a server path may point into: the configured roots and the bundled examples."""
    examples = (Path(settings.BASE_DIR) / "examples").resolve()
    roots = [Path(r) for r in settings.ALGORITHM_SERVER_ROOTS]
    return roots if examples in roots else [*roots, examples]


def _extract(ref: PackageRef, dest: Path) -> packages.Manifest:
    limits = package_limits()
    if ref.server_path:
        return packages.extract_package(
            Path(ref.server_path), dest, limits, allowed_roots=server_roots()
        )
    if not ref.code_file:
        raise packages.PackageError("No code package was uploaded.")
    with default_storage.open(ref.code_file, "rb") as fileobj:
        return packages.extract_package(
            fileobj, dest, limits, filename=os.path.basename(ref.code_file)
        )


def enqueue_validation(algorithm_id: int) -> None:
    from algorithms.tasks import validate_algorithm_package

    # On commit: a worker must never look for a row that is not committed yet.
    transaction.on_commit(lambda: validate_algorithm_package(algorithm_id))


def delete_unused_on_commit(name: str, algorithm: Algorithm) -> None:
    """Delete a replaced package after commit, unless training jobs use the algorithm
    (a trial may be fetching it; it is deleted with the algorithm instead)."""

    def delete() -> None:
        if not algorithm.training_jobs.exists():
            delete_stored(name)

    transaction.on_commit(delete)


def delete_stored_on_commit(name: str) -> None:
    transaction.on_commit(lambda: delete_stored(name))


def delete_stored(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("could not delete stored package %s", name)

