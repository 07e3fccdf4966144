"""A job's environment variables: what every trial of the job gets in its environment.

Part of the one validation path (``trainingjobs.specs.validate_job_spec``). Two shapes are
read, both giving ``{name: value}``:

- the API's ``{"NAME": "value", ...}``; a message is keyed by the variable's name:
  ``{"environment": {"NAME": ["..."]}}``;
- the create page's rows ``[{"name": "NAME", "value": "value"}, ...]``; a message is keyed
  by the row's index and field: ``{"environment": {"0": {"name": ["..."]}}}`` (a name
  given twice is caught here too).

A message about the whole set (too many, too large) is ``{"environment": ["..."]}``.

Rules: a name is a POSIX name (letters, digits and ``_``, not starting with a digit, at
most ``MAX_NAME`` characters); a value is a string (no NUL, at most ``MAX_VALUE``
characters); at most ``MAX_VARIABLES`` variables and ``MAX_TOTAL`` characters in all; the
variables the console sets for every trial (``TRIAL_ID``, ``JOB_ID``, ``DATA_URL``,
``TRAIN_URL``) and the console's own secrets cannot be set. A thread variable
(``OMP_NUM_THREADS`` ...) set by the job replaces the console's per-trial share.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from algorithms.spaces import show
from trainingjobs.command import CONSOLE_SECRET_PREFIXES, CONSOLE_SECRETS, CONSOLE_VARS

MAX_VARIABLES = 64
MAX_NAME = 128
MAX_VALUE = 4096
MAX_TOTAL = 32 * 1024  # characters of every name and value together
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

AddError = Callable[..., None]  # ``_Errors.add(*path, message=...)`` of specs


def clean_environment(value: Any, add: AddError) -> dict[str, str]:
    """``{name: value}`` from either shape (see the module docstring); messages via ``add``."""
    if value is None or value == {} or value == []:
        return {}
    if isinstance(value, Mapping):
        pairs = [((str(name),), name, val) for name, val in value.items()]
        name_place: tuple[str, ...] = ()
        value_place: tuple[str, ...] = ()
    elif isinstance(value, list):
        pairs = []
        for index, row in enumerate(value):
            if not isinstance(row, Mapping):
                add(
                    "environment",
                    str(index),
                    message=f"Each variable must be a name and a value, got {show(row)}.",
                )
                continue
            pairs.append(((str(index),), row.get("name"), row.get("value")))
        name_place, value_place = ("name",), ("value",)
    else:
        add(
            "environment",
            message=f"Environment must be an object of NAME: value pairs, got {show(value)}.",
        )
        return {}
    if len(pairs) > MAX_VARIABLES:
        add(
            "environment",
            message=f"At most {MAX_VARIABLES} environment variables, got {len(pairs)}.",
        )
        return {}
    env: dict[str, str] = {}
    for place, name, val in pairs:
        name_ok = _check_name(name, _reporter(add, (*place, *name_place)))
        value_ok = _check_value(name, val, _reporter(add, (*place, *value_place)))
        if not (name_ok and value_ok):
            continue
        if name in env:
            add("environment", *place, *name_place, message=f"{name} is given twice.")
            continue
        env[name] = val
    total = sum(len(n) + len(v) for n, v in env.items())
    if total > MAX_TOTAL:
        add(
            "environment",
            message=f"The environment variables must be at most {MAX_TOTAL} characters in all, "
            f"got {total}.",
        )
    return env


def _reporter(add: AddError, place: tuple[str, ...]) -> Callable[[str], None]:
    def report(message: str) -> None:
        add("environment", *place, message=message)

    return report


def name_error(name: Any) -> str | None:
    """Why ``name`` cannot be a job's environment variable, or None when it can."""
    found: list[str] = []
    _check_name(name, found.append)
    return found[0] if found else None


def _check_name(name: Any, error: Callable[[str], None]) -> bool:
    if not isinstance(name, str) or not name:
        error(
            "Give the variable a name." if not name else f"A name must be text, got {show(name)}."
        )
        return False
    if len(name) > MAX_NAME:
        error(f"A name must be at most {MAX_NAME} characters, got {len(name)}.")
        return False
    if not NAME_RE.match(name):
        error(
            "A name is letters, digits and underscores, not starting with a digit (a POSIX "
            f"name), got {show(name)}."
        )
        return False
    if name in CONSOLE_VARS:
        error(f"{name} is set by the console for every trial and cannot be overridden.")
        return False
    if name in CONSOLE_SECRETS or name.startswith(CONSOLE_SECRET_PREFIXES):
        error(f"{name} is reserved for the console's own configuration.")
        return False
    return True


def _check_value(name: Any, value: Any, error: Callable[[str], None]) -> bool:
    label = name if isinstance(name, str) and name else "the variable"
    if not isinstance(value, str):
        error(f"The value of {label} must be text, got {show(value)}.")
        return False
    if len(value) > MAX_VALUE:
        error(f"The value of {label} must be at most {MAX_VALUE} characters, got {len(value)}.")
        return False
    if "\x00" in value:
        error(f"The value of {label} must not contain NUL characters.")
        return False
    return True
