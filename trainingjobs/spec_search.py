"""A job spec's search settings: the metric (overrides of the algorithm's), the search
algorithms with their parameters, and the early-termination policy with its parameters.
Part of ``trainingjobs.specs.validate_job_spec``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from algorithms import metric_regex
from algorithms.algorithm_errors import AlgorithmErrors
from algorithms.models import Algorithm
from algorithms.search_rules import GOALS, clean_search_algorithms, sampler_catalogue
from algorithms.spaces import show
from algorithms.spec_values import sentence
from search import SearchSpace, make_sampler
from search.errors import SamplerParamError, SearchError
from search.stopping import make_policy, policy_class
from trainingjobs.spec_errors import SpecErrors

NO_POLICY = ("none", "no_termination")


def clean_metric(
    algorithm: Algorithm, value: Any, is_search: bool, errors: SpecErrors
) -> tuple[str, str, str]:
    name, goal, regex = algorithm.metric_name, algorithm.metric_goal, algorithm.metric_regex
    if value is not None and value != "" and not isinstance(value, Mapping):
        errors.add(
            "metric", "__all__", message="Metric must be an object with name, goal and regex."
        )
        value = None
    override = value or {}
    new_name: Any = override.get("name")
    if new_name not in (None, ""):
        try:
            name = metric_regex.validate_metric_name(new_name)
        except metric_regex.MetricRegexError as exc:
            errors.add("metric", "name", message=str(exc))
    new_goal = override.get("goal")
    if new_goal not in (None, ""):
        if not isinstance(new_goal, str) or new_goal.strip().lower() not in GOALS:
            errors.add(
                "metric",
                "goal",
                message=f"Goal must be maximize or minimize, got {show(new_goal)}.",
            )
        else:
            goal = new_goal.strip().lower()
    new_regex = override.get("regex")
    if new_regex not in (None, ""):
        if not isinstance(new_regex, str) or "\x00" in new_regex:
            errors.add(
                "metric", "regex", message=f"Metric regex must be a string, got {show(new_regex)}."
            )
        else:
            try:
                metric_regex.compile_metric_regex(new_regex)
                regex = new_regex
            except metric_regex.MetricRegexError as exc:
                errors.add("metric", "regex", message=str(exc))
    if is_search and not regex.strip():
        errors.add("metric", "regex", message="A search needs a metric regex to read the metric.")
    return name, goal, regex


def canonical_sampler(name: Any) -> str:
    entry = sampler_catalogue().get(str(name).lower())
    return entry["name"] if entry else str(name)


def clean_job_search_algorithms(
    algorithm: Algorithm,
    value: Any,
    space: SearchSpace | None,
    goal: str,
    errors: SpecErrors,
) -> list[dict[str, Any]]:
    supported = {
        canonical_sampler(item.get("name")): dict(item.get("params") or {})
        for item in algorithm.search_algorithms
        if isinstance(item, Mapping)
    }
    if value is None or value == []:
        value = [{"name": name} for name in list(supported)[:1]]
        if not value:
            errors.add(
                "search_algorithms", "__all__", message="Select at least one search algorithm."
            )
            return []
    if not isinstance(value, list):
        errors.add(
            "search_algorithms",
            "__all__",
            message="Search algorithms must be a list of {name, params}.",
        )
        return []
    catalogue = sampler_catalogue()
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        key = str(index)
        item = {"name": item} if isinstance(item, str) else item
        if not isinstance(item, Mapping):
            errors.add("search_algorithms", key, "__all__", message="Give an object with a name.")
            continue
        raw_name = item.get("name")
        entry = catalogue.get(raw_name.strip().lower()) if isinstance(raw_name, str) else None
        if entry is None:
            known = ", ".join(sorted(catalogue))
            errors.add(
                "search_algorithms",
                key,
                "name",
                message=f"Unknown search algorithm {show(raw_name)} (known: {known}).",
            )
            continue
        canonical = entry["name"]
        if canonical not in supported:
            errors.add(
                "search_algorithms",
                key,
                "name",
                message=f"Algorithm {show(algorithm.name)} does not support {show(raw_name)} (it "
                f"supports: {', '.join(supported) or 'none'}).",
            )
            continue
        if canonical in seen:
            errors.add(
                "search_algorithms",
                key,
                "name",
                message=f"{show(raw_name)} is selected more than once.",
            )
            continue
        seen.add(canonical)
        params = _clean_sampler_params(
            key, canonical, supported[canonical], item.get("params"), errors
        )
        if params is None:
            continue
        if space is not None and not _fits_space(key, canonical, params, space, goal, errors):
            continue
        cleaned.append({"name": canonical, "params": params})
    return cleaned


def _clean_sampler_params(
    key: str, name: str, configured: dict[str, Any], given: Any, errors: SpecErrors
) -> dict[str, Any] | None:
    """The job's parameters laid over those the algorithm configured, checked by the
    algorithms app's own rules (``algorithms.search_rules``)."""
    if given is not None and given != "" and not isinstance(given, Mapping):
        errors.add(
            "search_algorithms", key, "params", "__all__", message="Parameters must be an object."
        )
        return None
    found = AlgorithmErrors()
    cleaned = clean_search_algorithms(
        [{"name": name, "params": {**configured, **dict(given or {})}}], found
    )
    for messages in found.fields.values():
        for message in messages:
            errors.add("search_algorithms", key, "__all__", message=message)
    for param, messages in found.search_algorithm_params.get(0, {}).items():
        for message in messages:
            errors.add("search_algorithms", key, "params", param, message=message)
    if found or not cleaned:
        return None
    return dict(cleaned[0]["params"])


def _fits_space(
    key: str, name: str, params: dict[str, Any], space: SearchSpace, goal: str, errors: SpecErrors
) -> bool:
    if name == "grid" and params.get("resolution") is None:
        continuous = [n for n, dist in space.dists.items() if dist.cardinality is None]
        if continuous:
            errors.add(
                "search_algorithms",
                key,
                "name",
                message=f"Grid search needs every range discrete, but {', '.join(continuous)} "
                "is continuous: give it a step or a choice, or set grid's resolution.",
            )
            return False
    try:
        make_sampler(name, space, goal=goal, **params)
    except (SearchError, TypeError, ValueError, OverflowError) as exc:
        errors.add("search_algorithms", key, "__all__", message=sentence(str(exc)))
        return False
    return True


def clean_policy(value: Any, errors: SpecErrors) -> dict[str, Any]:
    if value is None or value == "" or value == {}:
        return {}
    if not isinstance(value, Mapping):
        errors.add(
            "policy", "__all__", message="Policy must be an object with a name and its parameters."
        )
        return {}
    name = value.get("name")
    if not isinstance(name, str) or not name.strip():
        errors.add("policy", "name", message=f"Give the policy's name, got {show(name)}.")
        return {}
    if name.strip().lower() in NO_POLICY:
        return {}
    try:
        cls = policy_class(name)
    except SamplerParamError as exc:
        errors.add("policy", "name", message=sentence(str(exc)))
        return {}
    specs = {spec.name: spec for spec in cls.all_params()}
    params = {str(k): v for k, v in value.items() if k != "name"}
    ok = True
    for param, raw in params.items():
        spec = specs.get(param)
        if spec is None:
            errors.add(
                "policy",
                param,
                message=f"{cls.name} has no parameter {show(param[:100])} "
                f"(it takes: {', '.join(specs)}).",
            )
            ok = False
            continue
        try:
            spec.coerce(raw)
        except SamplerParamError as exc:
            errors.add("policy", param, message=sentence(f"{cls.name}: {exc}"))
            ok = False
    if not ok:
        return {}
    try:
        policy = make_policy(cls.name, **params)
    except SamplerParamError as exc:  # a rule across parameters (bandit needs a slack)
        errors.add("policy", "__all__", message=sentence(str(exc)))
        return {}
    return {"name": cls.name, **policy.options}
