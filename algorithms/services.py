"""Write workflows for algorithms: create, update and delete one.

Views and API views call these and nothing else for writes. A bad spec or code package
raises ``AlgorithmValidationError`` carrying every message at once (the same
``AlgorithmErrors`` the validator builds), so the page can show them all beside their
fields. The spec's rules are in :mod:`algorithms.validation`, the given package's in
:mod:`algorithms.package_input`; the package itself is inspected on a worker
(:mod:`algorithms.package_validation`, a huey task enqueued on commit).
"""

from __future__ import annotations

from typing import Any

from django.core.files import File
from django.db import IntegrityError, transaction

from algorithms.algorithm_errors import AlgorithmErrors
from algorithms.models import Algorithm, Engine, Hyperparameter
from algorithms.package_input import (
    attach_code,
    check_code,
    drop_pending,
    stage_code,
    storage_undo,
)
from algorithms.package_validation import (
    delete_stored_on_commit,
    delete_unused_on_commit,
    enqueue_validation,
)
from algorithms.spec import AlgorithmSpec, HyperparameterSpec
from algorithms.spec_values import parse_id
from algorithms.validation import check_sample_matches, validate_algorithm_spec


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
    check_code(
        code,
        server_path,
        errors,
        required=True,
        source=cleaned.code_source,
        boot_file=cleaned.boot_file,
    )
    if cleaned.name and Algorithm.objects.filter(owner=owner, name=cleaned.name).exists():
        errors.add("name", _name_taken(cleaned.name))
    check_sample_matches(cleaned, errors)
    if errors:
        raise AlgorithmValidationError(errors)
    with storage_undo() as stored, transaction.atomic():
        algorithm = Algorithm(owner=owner, engine=engine)
        _apply_spec(algorithm, cleaned)
        attach_code(algorithm, code, server_path, stored)
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
    check_code(code, server_path, errors, required=False, boot_file=cleaned.boot_file)
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
        check_sample_matches(cleaned, errors)
    if errors:
        raise AlgorithmValidationError(errors)
    with storage_undo() as stored, transaction.atomic():
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
            stage_code(algorithm, code, server_path, cleaned.boot_file, stored)
            algorithm.boot_file = working_boot_file
        elif repackaged:
            drop_pending(algorithm)
            attach_code(algorithm, code, server_path, stored)
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
