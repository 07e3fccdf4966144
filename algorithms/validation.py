"""One validator for an algorithm's spec, shared by the HTML form and the REST API.

Both callers hand over the JSON shape of the API (the form first turns its fields into
it), so a bad input gets the same message wherever it is typed. Nothing here touches the
ORM: uniqueness of the name per owner and the engine are checked by ``algorithms.services``,
the code package by ``algorithms.package_input``; both add their messages to the same
``AlgorithmErrors``. :func:`check_sample_matches` runs last, once everything else passed.

Choices made here (the form and the API behave the same):

* Form values arrive as strings, API values typed; both are accepted and typed here
  (``"0.1"`` -> ``0.1`` for a float default, ``"true"`` -> ``True`` for a bool).
* ``choices`` may be a list or one comma-separated string. An absent or ``[]`` enumeration
  means "no enumeration"; a given one whose items are all blank is "empty" and refused.
* With auto search off, the metric and search algorithms are not validated and are
  cleaned to empty values: they only mean something to a search.
* With auto search on, a float/int row with neither a default nor a range nor an
  enumeration cannot be searched or fixed, so it gets "min and max are required to search
  this hyperparameter" (likewise a str row needs an enumeration). A row with a default
  may leave its range empty: a job then uses the default as a fixed value.

This module checks the top-level fields and assembles the result; the hyperparameter
table's rules live in :mod:`algorithms.hyperparameter_rules`, the metric's and the
search algorithms' in :mod:`algorithms.search_rules`.
"""

from __future__ import annotations

import re
from typing import Any

from algorithms import metric_regex
from algorithms.algorithm_errors import AlgorithmErrors
from algorithms.goals import Goal
from algorithms.hyperparameter_rules import clean_hyperparameters
from algorithms.package_members import boot_file_rule
from algorithms.search_rules import clean_metric, clean_search_algorithms
from algorithms.spec import AlgorithmSpec
from algorithms.spec_values import BadValue, parse_bool, parse_text

NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_DESCRIPTION = 2000
MAX_BOOT_FILE = 255
CODE_SOURCES = ("upload", "server_path")
MAX_SAMPLE_LOG_CHARS = 2**20
EMPTY_METRIC = {"name": "", "goal": Goal.MAXIMIZE.value, "regex": ""}
# How a trial passes values (the first of each is the default): see Algorithm's fields.
ARGUMENT_STYLES = ("equals", "space")
BOOL_STYLES = ("true_false", "one_zero", "flag")


def validate_algorithm_spec(spec: dict[str, Any]) -> tuple[AlgorithmSpec, AlgorithmErrors]:
    """Clean and check a spec; the cleaned spec is meaningful only when there are no errors.

    >>> cleaned, errors = validate_algorithm_spec({"name": "mnist", "boot_file": "train.py"})
    >>> bool(errors), cleaned.name, cleaned.hyperparameters
    (False, 'mnist', ())
    """
    errors = AlgorithmErrors()
    if not isinstance(spec, dict):
        errors.add("non_field", "The algorithm must be a JSON object.")
        spec = {}
    auto_search = _clean_flag(spec.get("auto_search"), "auto_search", "Auto search", errors)
    cleaned: dict[str, Any] = {
        "name": _clean_name(spec.get("name"), errors),
        "description": _clean_text(spec.get("description"), "description", MAX_DESCRIPTION, errors),
        "boot_file": _clean_boot_file(spec.get("boot_file"), errors),
        "engine": _clean_engine(spec.get("engine"), errors),
        "code_source": _clean_code_source(spec.get("code_source"), errors),
        "argument_style": _clean_choice(
            spec.get("argument_style"), "argument_style", ARGUMENT_STYLES, errors
        ),
        "bool_style": _clean_choice(spec.get("bool_style"), "bool_style", BOOL_STYLES, errors),
        "accepts_data_urls": _clean_flag(
            spec.get("accepts_data_urls"), "accepts_data_urls", "Accepts data URLs", errors
        ),
        "hyperparameters": clean_hyperparameters(spec.get("hyperparameters"), auto_search, errors),
        "auto_search": auto_search,
        "sample_log": _clean_sample_log(spec.get("sample_log"), errors),
        "confirm_no_match": _clean_flag(
            spec.get("confirm_no_match"), "confirm_no_match", "Save anyway", errors
        ),
    }
    # With auto search off the settings are kept, unused, so that switching it on again
    # restores them; only what would pass its own checks is kept.
    search_errors = errors if auto_search else AlgorithmErrors()
    metric = clean_metric(spec.get("metric"), search_errors)
    if not auto_search:
        metric = {
            key: value if f"metric.{key}" not in search_errors.fields else EMPTY_METRIC[key]
            for key, value in metric.items()
        }
    cleaned["metric"] = metric
    searches = clean_search_algorithms(spec.get("search_algorithms"), search_errors)
    off_and_refused = not auto_search and (
        "search_algorithms" in search_errors.fields or search_errors.search_algorithm_params
    )
    cleaned["search_algorithms"] = [] if off_and_refused else searches
    return AlgorithmSpec.from_cleaned(cleaned), errors


def check_sample_matches(cleaned: AlgorithmSpec, errors: AlgorithmErrors) -> None:
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
        lines = (
            "the one line"
            if result.lines_scanned == 1
            else f"any of the {result.lines_scanned} lines"
        )
        errors.add(
            "confirm_no_match",
            f"The metric regex reads no value from {lines} of the sample log, "
            "so a trial would record nothing. Fix the regex (Smart generate can help), or "
            "confirm to save it as it is.",
        )


def _clean_sample_log(value: Any, errors: AlgorithmErrors) -> str:
    try:
        text = parse_text(value, strip=False)
    except BadValue as exc:
        errors.add("sample_log", f"Sample log {exc}.")
        return ""
    if len(text) > MAX_SAMPLE_LOG_CHARS:
        errors.add(
            "sample_log",
            f"The sample log is {len(text) / 2**20:.1f} million characters; at most "
            f"{MAX_SAMPLE_LOG_CHARS // 2**20} million are kept. Paste the part around the "
            "lines that print the metric.",
        )
        return ""
    return text


# --- basic fields ---------------------------------------------------------------------------


def _clean_flag(value: Any, key: str, label: str, errors: AlgorithmErrors) -> bool:
    try:
        return parse_bool(value)
    except BadValue as exc:
        errors.add(key, f"{label} {exc}.")
        return False


def _text(value: Any, key: str, label: str, errors: AlgorithmErrors) -> str | None:
    """The stripped string, or None after reporting why it is not one."""
    try:
        return parse_text(value)
    except BadValue as exc:
        errors.add(key, f"{label} {exc}.")
        return None


def _clean_name(value: Any, errors: AlgorithmErrors) -> str:
    name = _text(value, "name", "Name", errors)
    if name is None:
        return ""
    if not name:
        errors.add("name", "Name is required.")
    elif not NAME_RE.match(name):
        errors.add("name", name_rule_message(name))
    return name


def name_rule_message(name: str) -> str:
    """Why ``name`` is not a valid algorithm or dataset name (``NAME_RE``), naming what
    breaks the rule: its length, or its first characters outside it.

    >>> name_rule_message("вино модель")
    "Name must be 1-64 ASCII letters (a-z, A-Z), digits, '_' or '-'; it has 'в', 'и', 'н'."
    >>> name_rule_message("my model")
    "Name must be 1-64 ASCII letters (a-z, A-Z), digits, '_' or '-'; it has a space."
    """
    rule = "Name must be 1-64 ASCII letters (a-z, A-Z), digits, '_' or '-'"
    if len(name) > 64:
        return f"{rule}; it has {len(name)} characters."
    others: list[str] = []
    for char in name:
        if not re.match(r"[A-Za-z0-9_-]", char) and char not in others:
            others.append(char)
    shown = ["a space" if c == " " else repr(c) for c in others[:3]]
    return f"{rule}; it has {', '.join(shown)}."


def _clean_text(value: Any, key: str, limit: int, errors: AlgorithmErrors) -> str:
    text = _text(value, key, key.capitalize(), errors)
    if text is None:
        return ""
    if len(text) > limit:
        errors.add(key, f"{key.capitalize()} must be at most {limit} characters.")
    return text


def _clean_boot_file(value: Any, errors: AlgorithmErrors) -> str:
    boot = _text(value, "boot_file", "Boot file", errors)
    if boot is None:
        return ""
    boot = boot.replace("\\", "/")
    if not boot:
        errors.add("boot_file", "Boot file is required, e.g. train.py.")
    elif len(boot) > MAX_BOOT_FILE:
        errors.add("boot_file", f"Boot file must be at most {MAX_BOOT_FILE} characters.")
    else:
        _, problem = boot_file_rule(boot)
        if problem:
            errors.add("boot_file", f"Boot file {problem}.")
    return boot


def _clean_choice(value: Any, key: str, allowed: tuple[str, ...], errors: AlgorithmErrors) -> str:
    """One of ``allowed``; blank means the first (the default)."""
    label = key.replace("_", " ").capitalize()
    text = _text(value, key, label, errors)
    if not text:
        return allowed[0]
    if text not in allowed:
        errors.add(key, f"{label} must be one of {', '.join(allowed)} (got {text[:40]!r}).")
        return allowed[0]
    return text


def _clean_code_source(value: Any, errors: AlgorithmErrors) -> str:
    # Which kind of package the page chose; blank when the caller does not say (the API).
    source = _text(value, "code", "Code source", errors)
    if source is None or not source.strip():
        return ""
    source = source.strip()
    if source not in CODE_SOURCES:
        errors.add("code", f"Code source must be {' or '.join(CODE_SOURCES)}.")
        return ""
    return source


def _clean_engine(value: Any, errors: AlgorithmErrors) -> str | int | None:
    # Resolved against the Engine table by the service (name or id); blank means the default.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = _text(value, "engine", "Engine", errors)
    return text or None
