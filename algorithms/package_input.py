"""The code package a create or update gives: checked, then stored on the algorithm.

A request gives either an uploaded file or a server path (never both).
:func:`check_code` refuses a bad one with a message on its field before anything is
stored; :func:`attach_code` makes it the algorithm's package, :func:`stage_code` keeps it
beside a ready algorithm's working package until a worker has checked it
(:mod:`algorithms.package_validation` swaps it in). Storage is outside the database
transaction, so :func:`storage_undo` deletes what a failed write stored.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files import File

from algorithms import package_sources
from algorithms.algorithm_errors import AlgorithmErrors
from algorithms.models import Algorithm
from algorithms.package_members import boot_file_rule
from algorithms.package_validation import delete_stored, delete_stored_on_commit, server_roots

MB = 1024 * 1024
UPLOAD_SUFFIXES = (".py", ".zip", ".tar.gz", ".tgz")
MAX_UPLOAD_NAME_BYTES = 200  # the rest of 255 is left for the storage's own suffix


def check_code(
    code: File | None,
    server_path: str,
    errors: AlgorithmErrors,
    *,
    required: bool,
    source: str = "",
    boot_file: str = "",
) -> None:
    """Add to ``errors`` what is wrong with the given package, on ``code`` or ``server_path``.

    An upload must be a ``.py``, ``.zip``, ``.tar.gz`` or ``.tgz`` of 1 byte to
    ``MAX_UPLOAD_MB`` MB whose name fits a file system; a server path must lie inside one
    of :func:`~algorithms.package_validation.server_roots`. ``required``: neither given is
    an error (a create), else the stored package is kept (an update); the message goes on
    the field of the chosen ``source`` (the page shows only that one). A single ``.py``
    upload is the whole package, so a ``boot_file`` other than its name is refused here,
    on ``boot_file``, rather than by the worker's check after the algorithm is saved.
    """
    server_path = (server_path or "").strip()
    if code and server_path:
        errors.add("code", "Give either an uploaded file or a server path, not both.")
        return
    if code:
        _check_upload(code, errors)
        _check_single_file_boot(code, boot_file, errors)
        return
    if server_path:
        message = package_sources.server_path_error(server_path, server_roots())
        if message:
            errors.add("server_path", message)
        return
    if required and source == "server_path":
        errors.add("server_path", "Give the server folder's path, or upload a code package.")
    elif required:
        errors.add("code", "Upload a code package or give a server path.")


def upload_name_problem(name: str) -> str:
    """What is wrong with an uploaded file's name (its base name), or "" when nothing.
    File systems refuse names over 255 bytes, and 255 characters of UTF-8 can be more:
    a name is kept whole or refused, never cut."""
    if len(name.encode("utf-8", "replace")) > MAX_UPLOAD_NAME_BYTES or not name.isprintable():
        return (
            f"The file name must be at most {MAX_UPLOAD_NAME_BYTES} bytes of printable "
            "text; rename the file and upload it again."
        )
    return ""


def _check_upload(code: File, errors: AlgorithmErrors) -> None:
    name = os.path.basename(code.name or "")
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        errors.add("code", "Upload a .py file or a .zip, .tar.gz or .tgz archive.")
    elif problem := upload_name_problem(name):
        errors.add("code", problem)
    limit = settings.MAX_UPLOAD_MB * MB
    if code.size is not None and code.size > limit:
        errors.add(
            "code",
            f"The file is {code.size / MB:.1f} MB; the limit is {settings.MAX_UPLOAD_MB} MB.",
        )
    if code.size == 0:
        errors.add("code", "The uploaded file is empty.")


def _check_single_file_boot(code: File, boot_file: str, errors: AlgorithmErrors) -> None:
    name = os.path.basename(code.name or "")
    if not name.lower().endswith(".py") or not boot_file or "boot_file" in errors.fields:
        return
    wanted, problem = boot_file_rule(boot_file)
    if not problem and wanted != name:
        errors.add(
            "boot_file",
            f"The package is the single file {name}: its boot file is {name}, not {wanted}.",
        )


def attach_code(
    algorithm: Algorithm, code: File | None, server_path: str, stored: list[str]
) -> None:
    """Make the upload (stored now, its name appended to ``stored``) or the server folder
    the algorithm's package; the row is not saved."""
    if code:
        algorithm.code_source = Algorithm.CodeSource.UPLOAD
        algorithm.server_path = ""
        # The upload path needs owner_id; it is set before the first save.
        algorithm.code_file.save(os.path.basename(code.name or "code"), code, save=False)
        stored.append(algorithm.code_file.name)
    else:
        algorithm.code_source = Algorithm.CodeSource.SERVER_PATH
        algorithm.server_path = str(Path(server_path.strip()).resolve())
        algorithm.code_file = None


def stage_code(
    algorithm: Algorithm, code: File | None, server_path: str, boot_file: str, stored: list[str]
) -> None:
    """Keep a new package beside the working one until a worker has checked it."""
    drop_pending(algorithm)
    algorithm.package_refused_reason = ""
    algorithm.pending_boot_file = boot_file
    if code:
        algorithm.pending_code_file.save(os.path.basename(code.name or "code"), code, save=False)
        stored.append(algorithm.pending_code_file.name)
    else:
        algorithm.pending_server_path = str(Path(server_path.strip()).resolve())


def drop_pending(algorithm: Algorithm) -> None:
    """Forget a new package still waiting for its check (a newer one replaces it)."""
    if algorithm.pending_code_file:
        delete_stored_on_commit(algorithm.pending_code_file.name)
    algorithm.pending_code_file = None
    algorithm.pending_server_path = ""
    algorithm.pending_boot_file = ""


@contextmanager
def storage_undo() -> Iterator[list[str]]:
    """Collect files stored during a write; delete them if the write fails.

    Storage is outside the database transaction, so a rolled-back create or update
    would otherwise leave an orphan package behind.
    """
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            delete_stored(name)
        raise
