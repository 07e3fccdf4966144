"""Write workflows for algorithms: create, update, delete, validate the code package.

Views and API views call these and nothing else for writes. A bad spec or code package
raises ``AlgorithmValidationError`` carrying every message at once (the same
``AlgorithmErrors`` the validator builds), so the page can show them all beside their
fields. Package inspection runs in a huey task enqueued on commit.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction

from algorithms import metric_regex, package_sources
from algorithms.examples import bundled_example_specs, register_examples
from algorithms.models import Algorithm, Engine, Hyperparameter
from algorithms.package_validation import (
    algorithm_requeue_stale_validations,
    algorithm_validate_package,
    delete_stored,
    delete_stored_on_commit,
    delete_unused_on_commit,
    enqueue_validation,
    package_limits,
    server_roots,
)
from algorithms.spec import AlgorithmSpec, HyperparameterSpec
from algorithms.spec_display import stored_number
from algorithms.spec_values import parse_id
from algorithms.validation import AlgorithmErrors, validate_algorithm_spec

logger = logging.getLogger(__name__)

# Also reachable from here for callers that predate the split of this module (the training
# jobs read package limits and server roots, the demo the bundled examples).
__all__ = [
    "algorithm_requeue_stale_validations",
    "algorithm_validate_package",
    "bundled_example_specs",
    "package_limits",
    "register_examples",
    "server_roots",
]

MB = 1024 * 1024
UPLOAD_SUFFIXES = (".py", ".zip", ".tar.gz", ".tgz")
MAX_UPLOAD_NAME_BYTES = 200  # the rest of 255 is left for the storage's own suffix


class AlgorithmValidationError(Exception):
    """The spec or the code is invalid; ``errors`` says what and where."""

    def __init__(self, errors: AlgorithmErrors) -> None:
        super().__init__("; ".join(errors.messages()) or "Invalid algorithm")
        self.errors = errors


class AlgorithmInUse(Exception):
    """The algorithm cannot be deleted while training jobs use it."""


# --- create / update / delete -----------------------------------------------------------------


def algorithm_create(
    *, owner: Any, spec: dict[str, Any], code: File | None = None, server_path: str = ""
) -> Algorithm:
    """Validate and save a new algorithm; its package is inspected after commit."""
    cleaned, errors = validate_algorithm_spec(spec)
    engine = _resolve_engine(cleaned.engine, errors)
    _check_code(code, server_path, errors, required=True)
    if cleaned.name and Algorithm.objects.filter(owner=owner, name=cleaned.name).exists():
        errors.add("name", _name_taken(cleaned.name))
    _check_sample_matches(cleaned, errors)
    if errors:
        raise AlgorithmValidationError(errors)
    with _storage_undo() as stored, transaction.atomic():
        algorithm = Algorithm(owner=owner, engine=engine)
        _apply_spec(algorithm, cleaned)
        _attach_code(algorithm, code, server_path, stored)
        _save_unique_name(algorithm)
        _save_hyperparameters(algorithm, cleaned.hyperparameters)
        enqueue_validation(algorithm.pk)
    return algorithm


def algorithm_update(
    *,
    algorithm: Algorithm,
    spec: dict[str, Any],
    code: File | None = None,
    server_path: str = "",
) -> Algorithm:
    """Save a new spec; a new package (or boot file) sends the algorithm back to creating.

    Without ``code`` or ``server_path`` the stored package is kept.
    """
    cleaned, errors = validate_algorithm_spec(spec)
    engine = _resolve_engine(cleaned.engine, errors)
    _check_code(code, server_path, errors, required=False)
    leaving_server_path = (
        cleaned.code_source == Algorithm.CodeSource.UPLOAD
        and algorithm.code_source == Algorithm.CodeSource.SERVER_PATH
    )
    if leaving_server_path and not code and "code" not in errors.fields:
        # Switching to an upload without a file would silently keep the old server folder.
        errors.add("code", "Choose a file to upload, or keep the server folder.")
    taken = Algorithm.objects.filter(owner=algorithm.owner, name=cleaned.name).exclude(
        pk=algorithm.pk
    )
    if cleaned.name and taken.exists():
        errors.add("name", _name_taken(cleaned.name))
    unchanged = (algorithm.metric_regex, algorithm.sample_log)
    if (cleaned.metric.regex, cleaned.sample_log) != unchanged:
        _check_sample_matches(cleaned, errors)
    if errors:
        raise AlgorithmValidationError(errors)
    with _storage_undo() as stored, transaction.atomic():
        algorithm = Algorithm.objects.select_for_update().get(pk=algorithm.pk)
        old_file = algorithm.code_file.name if algorithm.code_file else ""
        repackaged = bool(code) or bool(server_path.strip())
        # A ready algorithm keeps its working package until the new one is checked.
        staged = repackaged and algorithm.status == Algorithm.Status.READY
        working_boot_file = algorithm.boot_file
        revalidate = repackaged or cleaned.boot_file != algorithm.boot_file
        _apply_spec(algorithm, cleaned)
        algorithm.engine = engine
        if staged:
            _stage_code(algorithm, code, server_path, cleaned.boot_file, stored)
            algorithm.boot_file = working_boot_file
        elif repackaged:
            _drop_pending(algorithm)
            _attach_code(algorithm, code, server_path, stored)
        if revalidate and not staged:
            if algorithm.status != Algorithm.Status.CREATING:
                algorithm.transition(Algorithm.Status.CREATING)
            algorithm.manifest = []
        _save_unique_name(algorithm)
        algorithm.hyperparameters.all().delete()
        _save_hyperparameters(algorithm, cleaned.hyperparameters)
        if repackaged and not staged and old_file and old_file != algorithm.code_file.name:
            delete_unused_on_commit(old_file, algorithm)
        if revalidate:
            enqueue_validation(algorithm.pk)
    return algorithm


def algorithm_delete(*, algorithm: Algorithm) -> None:
    """Delete the algorithm and its stored package; refused while a job uses it."""
    with transaction.atomic():
        algorithm = Algorithm.objects.select_for_update().get(pk=algorithm.pk)
        used = _jobs_using(algorithm)
        if used:
            jobs = "1 training job" if used == 1 else f"{used} training jobs"
            raise AlgorithmInUse(
                f"Algorithm '{algorithm.name}' is used by {jobs}; delete those jobs first."
            )
        files = [f.name for f in (algorithm.code_file, algorithm.pending_code_file) if f]
        algorithm.delete()
        for name in files:
            delete_stored_on_commit(name)


def _jobs_using(algorithm: Algorithm) -> int:
    """Number of training jobs that reference the algorithm (their FK is PROTECT)."""
    return int(algorithm.training_jobs.count())


# --- helpers ---------------------------------------------------------------------------------


def _check_sample_matches(cleaned: AlgorithmSpec, errors: AlgorithmErrors) -> None:
    """A metric regex that reads nothing from the pasted sample needs a confirmation.

    Run only when everything else passed (the regex compiles), and as a trial would
    (``metric_regex.test_log``): a pattern that finds no value in the user's own sample
    almost always means the metric will never be recorded.
    """
    regex, sample = cleaned.metric.regex, cleaned.sample_log
    if errors or not cleaned.auto_search or not regex or not sample.strip():
        return
    if cleaned.confirm_no_match:
        return
    try:
        result = metric_regex.test_log(regex, sample)
    except metric_regex.MetricRegexError as exc:
        errors.add("metric.regex", str(exc))
        return
    if not result.matches:
        lines = "line" if result.lines_scanned == 1 else f"{result.lines_scanned} lines"
        errors.add(
            "confirm_no_match",
            f"The metric regex reads no value from any of the {lines} of the sample log, "
            "so a trial would record nothing. Fix the regex (Smart generate can help), or "
            "confirm to save it as it is.",
        )


def _name_taken(name: str) -> str:
    return f"You already have an algorithm named '{name}'."


def _save_unique_name(algorithm: Algorithm) -> None:
    """Save; a name taken since the pre-check (a concurrent write) is a field error, not a 500."""
    try:
        with transaction.atomic():  # a savepoint: the clash can still be looked up after it
            algorithm.save()
    except IntegrityError as exc:
        if not _is_name_clash(exc, algorithm):
            raise
        errors = AlgorithmErrors()
        errors.add("name", _name_taken(algorithm.name))
        raise AlgorithmValidationError(errors) from None


def _is_name_clash(exc: IntegrityError, algorithm: Algorithm) -> bool:
    """Whether the unique (owner, name) constraint refused the save, and no other one."""
    text = str(exc)
    constraint = "unique_algorithm_name_per_owner"  # PostgreSQL and MySQL name it
    table = Algorithm._meta.db_table  # SQLite names the columns
    if constraint in text or (f"{table}.owner_id" in text and f"{table}.name" in text):
        return True
    clash = Algorithm.objects.filter(owner_id=algorithm.owner_id, name=algorithm.name)
    if algorithm.pk is not None:
        clash = clash.exclude(pk=algorithm.pk)
    return clash.exists()


def _resolve_engine(value: str | int | None, errors: AlgorithmErrors) -> Engine | None:
    if value is None:
        # Read only: no engine marked default yet means "the default at run time".
        return Engine.objects.filter(is_default=True).first()
    engine = None
    pk = parse_id(value)
    if pk is not None:
        engine = Engine.objects.filter(pk=pk).first()
    if engine is None and isinstance(value, str):
        engine = Engine.objects.filter(name=value).first()
    if engine is None:
        errors.add("engine", f"Unknown engine '{str(value)[:64]}'.")
    return engine


def _check_code(
    code: File | None, server_path: str, errors: AlgorithmErrors, *, required: bool
) -> None:
    server_path = (server_path or "").strip()
    if code and server_path:
        errors.add("code", "Give either an uploaded file or a server path, not both.")
        return
    if code:
        name = os.path.basename(code.name or "")
        if not name.lower().endswith(UPLOAD_SUFFIXES):
            errors.add("code", "Upload a .py file or a .zip, .tar.gz or .tgz archive.")
        elif len(name.encode("utf-8", "replace")) > MAX_UPLOAD_NAME_BYTES or not name.isprintable():
            # File systems refuse names over 255 bytes: 255 characters of UTF-8 can be more.
            errors.add(
                "code",
                f"The file name must be at most {MAX_UPLOAD_NAME_BYTES} bytes of printable "
                "text; rename the file and upload it again.",
            )
        limit = settings.MAX_UPLOAD_MB * MB
        if code.size is not None and code.size > limit:
            errors.add(
                "code",
                f"The file is {code.size / MB:.1f} MB; the limit is {settings.MAX_UPLOAD_MB} MB.",
            )
        if code.size == 0:
            errors.add("code", "The uploaded file is empty.")
        return
    if server_path:
        message = _server_path_error(server_path)
        if message:
            errors.add("server_path", message)
        return
    if required:
        errors.add("code", "Upload a code package or give a server path.")


def _server_path_error(server_path: str) -> str:
    return package_sources.server_path_error(server_path, server_roots())


def _apply_spec(algorithm: Algorithm, cleaned: AlgorithmSpec) -> None:
    algorithm.name = cleaned.name
    algorithm.description = cleaned.description
    algorithm.boot_file = cleaned.boot_file
    algorithm.argument_style = cleaned.argument_style
    algorithm.bool_style = cleaned.bool_style
    algorithm.accepts_data_urls = cleaned.accepts_data_urls
    algorithm.auto_search = cleaned.auto_search
    algorithm.metric_name = cleaned.metric.name
    algorithm.metric_goal = cleaned.metric.goal
    algorithm.metric_regex = cleaned.metric.regex
    algorithm.search_algorithms = list(cleaned.search_algorithms)
    algorithm.sample_log = cleaned.sample_log


def _attach_code(
    algorithm: Algorithm, code: File | None, server_path: str, stored: list[str]
) -> None:
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


@contextmanager
def _storage_undo() -> Iterator[list[str]]:
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


def _save_hyperparameters(algorithm: Algorithm, rows: tuple[HyperparameterSpec, ...]) -> None:
    Hyperparameter.objects.bulk_create(
        Hyperparameter(
            algorithm=algorithm,
            position=position,
            name=row.name,
            type=row.type,
            default=row.default,
            min=row.min,
            max=row.max,
            choices=list(row.choices),
            required=row.required,
            description=row.description,
        )
        for position, row in enumerate(rows)
    )


def _stage_code(
    algorithm: Algorithm, code: File | None, server_path: str, boot_file: str, stored: list[str]
) -> None:
    """Keep a new package beside the working one until a worker has checked it."""
    _drop_pending(algorithm)
    algorithm.package_refused_reason = ""
    algorithm.pending_boot_file = boot_file
    if code:
        algorithm.pending_code_file.save(os.path.basename(code.name or "code"), code, save=False)
        stored.append(algorithm.pending_code_file.name)
    else:
        algorithm.pending_server_path = str(Path(server_path.strip()).resolve())


def _drop_pending(algorithm: Algorithm) -> None:
    """Forget a new package still waiting for its check (a newer one replaces it)."""
    if algorithm.pending_code_file:
        delete_stored_on_commit(algorithm.pending_code_file.name)
    algorithm.pending_code_file = None
    algorithm.pending_server_path = ""
    algorithm.pending_boot_file = ""


def spec_from_algorithm(algorithm: Algorithm) -> dict[str, Any]:
    """The JSON spec of a saved algorithm (the shape ``validate_algorithm_spec`` takes)."""
    return {
        "name": algorithm.name,
        "description": algorithm.description,
        "boot_file": algorithm.boot_file,
        "engine": algorithm.engine.name if algorithm.engine else None,
        "argument_style": algorithm.argument_style,
        "bool_style": algorithm.bool_style,
        "accepts_data_urls": algorithm.accepts_data_urls,
        "hyperparameters": [
            {
                "name": hp.name,
                "type": hp.type,
                "default": hp.default,
                "min": stored_number(hp.min, hp.type),
                "max": stored_number(hp.max, hp.type),
                "choices": hp.choices,
                "required": hp.required,
                "description": hp.description,
            }
            for hp in algorithm.hyperparameters.all()
        ],
        "auto_search": algorithm.auto_search,
        "sample_log": algorithm.sample_log,
        "metric": {
            "name": algorithm.metric_name,
            "goal": algorithm.metric_goal,
            "regex": algorithm.metric_regex,
        },
        "search_algorithms": algorithm.search_algorithms,
    }

