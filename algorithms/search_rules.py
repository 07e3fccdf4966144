"""The rules of the parts only a search uses: the metric and the search algorithms.

A search algorithm's parameters are checked by the search library itself (one parameter
at a time, then all together), so a message lands beside the input it is about.
"""

from __future__ import annotations

from typing import Any

from algorithms import metric_regex
from algorithms.algorithm_errors import AlgorithmErrors
from algorithms.goals import Goal
from algorithms.spec_display import display_value
from algorithms.spec_values import (
    BadValue,
    is_blank,
    parse_bool,
    parse_number,
    parse_seed,
    parse_text,
    sentence,
)
from search import list_samplers
from search.errors import SamplerParamError
from search.samplers import get_sampler_class

GOALS = tuple(Goal.values)


def clean_metric(value: Any, errors: AlgorithmErrors) -> dict[str, str]:
    """The metric's name, goal and regex; the regex must compile under the safety rules."""
    metric = value if isinstance(value, dict) else {}
    if value is not None and not isinstance(value, dict):
        errors.add("metric", "Metric must be an object with name, goal and regex.")
    name = _metric_text(metric.get("name"), "name", "Metric name", errors)
    if name is not None:
        try:
            name = metric_regex.validate_metric_name(name)
        except metric_regex.MetricRegexError as exc:
            errors.add("metric.name", str(exc))
    goal = (_metric_text(metric.get("goal"), "goal", "Goal", errors) or Goal.MAXIMIZE).lower()
    if goal not in GOALS:
        errors.add("metric.goal", f"Goal must be maximize or minimize (got {goal[:40]!r}).")
    regex = _metric_text(metric.get("regex"), "regex", "Metric regex", errors, strip=False)
    if regex is None:
        regex = ""
    elif not regex.strip():
        errors.add("metric.regex", "Metric regex is required: use Smart generate or write one.")
    else:
        try:
            metric_regex.compile_metric_regex(regex)
        except metric_regex.MetricRegexError as exc:
            errors.add("metric.regex", str(exc))
    return {"name": name or "", "goal": goal, "regex": regex}


def _metric_text(
    value: Any, key: str, label: str, errors: AlgorithmErrors, *, strip: bool = True
) -> str | None:
    try:
        return parse_text(value, strip=strip)
    except BadValue as exc:
        errors.add(f"metric.{key}", f"{label} {exc}.")
        return None


def sampler_catalogue() -> dict[str, dict[str, Any]]:
    """list_samplers() keyed by every lower-cased name and alias."""
    out: dict[str, dict[str, Any]] = {}
    for entry in list_samplers():
        for key in (entry["name"], *entry["aliases"]):
            out[key.lower()] = entry
    return out


def clean_search_algorithms(value: Any, errors: AlgorithmErrors) -> list[dict[str, Any]]:
    """At least one known search algorithm, each once, with its parameters checked."""
    if value is None or value == []:
        errors.add("search_algorithms", "Select at least one search algorithm.")
        return []
    if not isinstance(value, list):
        errors.add("search_algorithms", "Search algorithms must be a list.")
        return []
    catalogue = sampler_catalogue()
    known = ", ".join(sorted(catalogue))
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        item = {"name": item} if isinstance(item, str) else item
        if not isinstance(item, dict):
            errors.add("search_algorithms", f"Item {index + 1} must be an object with a name.")
            continue
        try:
            name = parse_text(item.get("name"))
        except BadValue as exc:
            errors.add("search_algorithms", f"Item {index + 1}: the name {exc}.")
            continue
        entry = catalogue.get(name.lower())
        if entry is None:
            errors.add("search_algorithms", f"Unknown search algorithm {name!r} (known: {known}).")
            continue
        # Aliases name the same sampler: "tpe" and "tpe_search" are one algorithm twice.
        canonical = entry["name"].lower()
        if canonical in seen:
            errors.add_param(index, "__all__", _duplicate_message(name, entry["name"]))
            continue
        seen.add(canonical)
        params = _clean_params(index, name, entry, item.get("params"), errors)
        cleaned.append({"name": name, "params": params})
    return cleaned


def _duplicate_message(name: str, canonical: str) -> str:
    if name.lower() == canonical.lower():
        return f"{name} is selected more than once."
    return f"{name} is another name for {canonical}, which is already selected."


def _clean_params(
    index: int, name: str, entry: dict[str, Any], raw: Any, errors: AlgorithmErrors
) -> dict[str, Any]:
    defaults = {p["name"]: p["default"] for p in entry["params"]}
    if raw is None or raw == "":
        raw = {}
    if not isinstance(raw, dict):
        errors.add_param(index, "__all__", "Parameters must be an object of name: value.")
        return defaults
    specs = {p["name"]: p for p in entry["params"]}
    given: dict[str, Any] = {}
    for param, value in raw.items():
        if is_blank(value) or param not in specs:
            if not is_blank(value):
                given[param] = value  # reported as unknown below
            continue
        try:
            given[param] = parse_param(specs[param], value)
        except BadValue as exc:
            errors.add_param(index, param, f"{param} {exc}.")
    if index in errors.search_algorithm_params:
        return {**defaults, **given}
    if not _each_param_ok(index, name, defaults, given, errors):
        return {**defaults, **given}
    try:
        # Needs no search space: whether an algorithm suits a job's real ranges is
        # checked when the job is created.
        return get_sampler_class(name).check_options(**given)
    except SamplerParamError as exc:  # a rule across parameters
        errors.add_param(index, "__all__", sentence(str(exc)))
        return {**defaults, **given}


def _each_param_ok(
    index: int,
    name: str,
    defaults: dict[str, Any],
    given: dict[str, Any],
    errors: AlgorithmErrors,
) -> bool:
    """Check each given parameter alone; False when any of them was refused."""
    ok = True
    for param, value in given.items():
        if param not in defaults:
            errors.add_param(
                index,
                param,
                f"{name} has no parameter {param!r} (it takes: {', '.join(defaults)}).",
            )
            ok = False
            continue
        try:
            # The search library's own checks, one parameter at a time so that each
            # message lands beside its input.
            get_sampler_class(name).check_options(**{param: value})
        except SamplerParamError as exc:
            errors.add_param(index, param, sentence(str(exc)))
            ok = False
    return ok


def parse_param(spec: dict[str, Any], value: Any) -> Any:
    """A search algorithm's parameter as its type, inside its range; BadValue otherwise.

    ``spec`` is an entry of ``list_samplers()[i]["params"]``. Seeds are bounded to
    0 .. 2**32 - 1, the range every generator takes.

    >>> parse_param({"name": "gamma", "type": "float", "min": 0, "max": 1}, "0.5")
    0.5
    """
    kind = spec["type"]
    if spec["name"] == "seed":
        return parse_seed(value)
    if kind == "bool":
        return parse_bool(value)
    if kind == "str":
        text = parse_text(value)
        if spec.get("choices") and text not in spec["choices"]:
            raise BadValue(f"must be one of {', '.join(map(str, spec['choices']))}, got {text!r}")
        return text
    number = parse_number(value, whole=kind == "int")
    low, high = spec.get("min"), spec.get("max")
    if low is not None and number < low:
        raise BadValue(f"must be at least {display_value(low)}, got {display_value(number)}")
    if high is not None and number > high:
        raise BadValue(f"must be at most {display_value(high)}, got {display_value(number)}")
    return number


