"""A job spec's top-level fields and limits: name, description, algorithm, dataset,
choices, whole-number limits (trials, concurrency, minutes, failures) and flags.
Part of ``trainingjobs.specs.validate_job_spec``; ``clean_extension`` reads an extension's
new limits the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from algorithms.models import Algorithm
from algorithms.spaces import show
from algorithms.spec_values import unknown_fields
from datasets.models import Dataset
from datasets.services import dataset_for_job
from trainingjobs.spec_errors import JobSpecError, SpecErrors
from trainingjobs.spec_values import as_bool, label, whole_number

MAX_NAME = 128


MAX_DESCRIPTION = 2000


MAX_TRIALS = 1000


MAX_CONCURRENT = 100


MAX_MINUTES = 525_600  # a year


MAX_FAILED = 1000


MAX_SEED = 2**31 - 1


DEFAULT_MAX_TRIALS = 10


_DB_MAX_ID = 2**63 - 1


def clean_name(value: Any, errors: SpecErrors) -> str:
    if not isinstance(value, str):
        errors.add(
            "name",
            message="Name is required."
            if value is None
            else f"Name must be a string, got {show(value)}.",
        )
        return ""
    name = value.strip()
    if not name:
        errors.add("name", message="Name is required.")
    elif len(name) > MAX_NAME:
        errors.add("name", message=f"Name must be at most {MAX_NAME} characters, got {len(name)}.")
    elif not name.isprintable():
        errors.add("name", message="Name must be on one line, without control characters.")
    return name


def clean_description(value: Any, errors: SpecErrors) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.add("description", message=f"Description must be a string, got {show(value)}.")
        return ""
    if len(value) > MAX_DESCRIPTION:
        errors.add(
            "description",
            message=f"Description must be at most {MAX_DESCRIPTION} characters, got {len(value)}.",
        )
    elif "\x00" in value:
        errors.add("description", message="Description must not contain NUL characters.")
    return value


def clean_dataset(owner: Any, value: Any, errors: SpecErrors) -> Dataset | None:
    try:
        return dataset_for_job(owner=owner, value=value)
    except ValueError as exc:
        errors.add("dataset", message=str(exc))
        return None


def clean_algorithm(owner: Any, value: Any, errors: SpecErrors) -> Algorithm | None:
    if isinstance(value, Algorithm):
        value = value.pk
    if value is None or value == "":
        errors.add("algorithm", message="Choose an algorithm (its id).")
        return None
    pk: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        pk = value
    elif isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) < 20:
        pk = int(value.strip())
    if pk is None:
        errors.add(
            "algorithm", message=f"Algorithm must be an id (a whole number), got {show(value)}."
        )
        return None
    algorithm = None
    if 1 <= pk <= _DB_MAX_ID:
        algorithm = (
            Algorithm.objects.visible_to(owner)
            .filter(pk=pk, status=Algorithm.Status.READY)
            .select_related("owner", "engine")
            .first()
        )
    if algorithm is None:
        # The same words whether it is missing, another user's or not ready: no oracle.
        errors.add("algorithm", message=f"No ready algorithm with id {show(value)} was found.")
    return algorithm


def clean_choice(value: Any, key: str, allowed: tuple[str, ...], errors: SpecErrors) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value.strip().lower() not in allowed:
        errors.add(key, message=f"{label(key)} must be {' or '.join(allowed)}, got {show(value)}.")
        return None
    return value.strip().lower()


def clean_limits(data: Mapping[str, Any], is_search: bool, errors: SpecErrors) -> dict[str, Any]:
    limits: dict[str, Any] = {
        "max_duration_minutes": clean_int(
            data.get("max_duration_minutes"), "max_duration_minutes", 1, MAX_MINUTES, errors
        ),
        "trial_timeout_minutes": clean_int(
            data.get("trial_timeout_minutes"), "trial_timeout_minutes", 1, MAX_MINUTES, errors
        ),
        "max_failed": clean_int(data.get("max_failed"), "max_failed", 1, MAX_FAILED, errors),
    }
    # Checked for a single run too, so a bad value is never silently dropped; a single run
    # then runs one trial whatever valid limits it was given.
    max_trials = clean_int(
        data.get("max_trials"), "max_trials", 1, MAX_TRIALS, errors, default=DEFAULT_MAX_TRIALS
    )
    max_concurrent = clean_int(
        data.get("max_concurrent"), "max_concurrent", 1, MAX_CONCURRENT, errors, default=1
    )
    if not is_search:
        return {**limits, "max_trials": 1, "max_concurrent": 1}
    if max_trials is not None and max_concurrent is not None and max_concurrent > max_trials:
        errors.add(
            "max_concurrent",
            message=f"Max concurrent trials ({max_concurrent}) cannot be more than max trials "
            f"({max_trials}).",
        )
    limits["max_trials"] = max_trials or DEFAULT_MAX_TRIALS
    limits["max_concurrent"] = max_concurrent or 1
    return limits


def clean_int(
    value: Any,
    key: str,
    low: int,
    high: int,
    errors: SpecErrors,
    *,
    default: int | None = None,
) -> int | None:
    """A whole number in [low, high]; ``default`` when absent or blank, None when refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    number = whole_number(value)
    if number is None:
        errors.add(key, message=f"{label(key)} must be a whole number, got {show(value)}.")
        return None
    if not low <= number <= high:
        errors.add(
            key, message=f"{label(key)} must be between {low} and {high}, got {show(value)}."
        )
        return None
    return number


EXTEND_FIELDS = ("max_trials", "max_duration_minutes")


def clean_extension(data: Any) -> dict[str, int | None]:
    """The new totals an extension asks for, read as a create reads its limits (the job
    page's extend form and the API's extend both come here)::

        {"max_trials": int | None, "max_duration_minutes": int | None}

    Raises ``JobSpecError`` keyed by field for a value that is not a whole number in its
    range, and under ``__all__`` when neither is given. Whether the totals are more than
    the job has is the service's question (``services.job_extend``).
    """
    if not isinstance(data, Mapping):
        raise JobSpecError({"__all__": [f"An extension must be an object, got {show(data)}."]})
    errors = SpecErrors()
    unknown = unknown_fields(data, EXTEND_FIELDS)
    if unknown:
        errors.add("__all__", message=unknown)
    totals = {
        "max_trials": clean_int(data.get("max_trials"), "max_trials", 1, MAX_TRIALS, errors),
        "max_duration_minutes": clean_int(
            data.get("max_duration_minutes"), "max_duration_minutes", 1, MAX_MINUTES, errors
        ),
    }
    if not errors and all(value is None for value in totals.values()):
        errors.add("__all__", message="Give more trials, more minutes, or both.")
    if errors:
        raise JobSpecError(errors.tree)
    return totals


def clean_bool(value: Any, key: str, errors: SpecErrors) -> bool:
    if value is None:
        return False
    parsed = as_bool(value)
    if parsed is None:
        errors.add(key, message=f"{label(key)} must be true or false, got {show(value)}.")
        return False
    return parsed
