"""The one validation path for a training job: the create page and the REST API both call
``validate_job_spec`` with the API's create shape and show the same messages.

``data`` (every key optional except ``name`` and ``algorithm``)::

    {"name", "description", "algorithm": id, "dataset": id | None,
     "hyperparameters": {name: fixed value},          # typed; numeric strings and
                                                     # "true"/"false" are read too
     "search_space": {name: search.SearchSpace JSON},  # ranges: a search when not empty
     "omit": [names],                                # optional rows left out
     "search_algorithms": [{"name", "params"}],      # default: the algorithm's first
     "metric": {"name", "goal", "regex"},            # each overrides the algorithm's
     "objective": "last" | "best",
     "policy": {"name", ...params} | None,
     "max_trials", "max_concurrent", "max_duration_minutes", "trial_timeout_minutes",
     "max_failed", "lost_counts_as_failed", "seed",
     "environment": {NAME: value} | [{"name", "value"}]}   # see spec_environment

Every row of the algorithm's table ends in exactly one of ``fixed`` (a value given, or its
default), ``search_space`` (a range) or ``omitted`` (left out, or optional without a
default). A job without ranges is a single training run: one trial, no search algorithm,
no policy.

Errors (``JobSpecError.errors``) are keyed as the API answers them; a message about a
whole entry sits under ``"__all__"``::

    {"name": ["..."],
     "hyperparameters": {"<hp>": {"value": ["..."]}},
     "search_space": {"<hp>": {"low": ["..."]}, "__all__": ["..."]},
     "omit": ["..."],
     "search_algorithms": {"0": {"name": ["..."], "params": {"gamma": ["..."]}}},
     "policy": {"name": ["..."], "slack_factor": ["..."]},
     "metric": {"regex": ["..."]},
     "environment": {"<NAME>": ["..."]},            # or {"<row>": {"name": [...]}}
     "max_concurrent": ["..."],
     "__all__": ["..."]}
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from algorithms import metric_regex
from algorithms.algorithm_errors import AlgorithmErrors
from algorithms.models import Algorithm, Hyperparameter
from algorithms.search_rules import GOALS, clean_search_algorithms, sampler_catalogue
from algorithms.spaces import RangeErrors, show, space_from_rows
from datasets.models import Dataset
from datasets.services import dataset_for_job
from search import SearchSpace, make_sampler
from search.errors import SamplerParamError, SearchError
from search.stopping import make_policy, policy_class
from trainingjobs.command import PlaceholderError, check_placeholders
from trainingjobs.spec_environment import clean_environment

__all__ = ["JobSpec", "JobSpecError", "grid_size", "planned_trials", "validate_job_spec"]

MAX_NAME = 128
MAX_DESCRIPTION = 2000
MAX_STR_VALUE = 4096
MAX_TRIALS = 1000
MAX_CONCURRENT = 100
MAX_MINUTES = 525_600  # a year
MAX_FAILED = 1000
MAX_SEED = 2**31 - 1
DEFAULT_MAX_TRIALS = 10
OBJECTIVES = ("last", "best")
NO_POLICY = ("none", "no_termination")
# The fields of the create shape; anything else is most likely a typo that would
# otherwise be silently ignored (``search_spaces`` would run a single trial).
KNOWN_FIELDS = frozenset(
    {
        "name",
        "description",
        "algorithm",
        "dataset",
        "hyperparameters",
        "search_space",
        "omit",
        "search_algorithms",
        "metric",
        "objective",
        "policy",
        "max_trials",
        "max_concurrent",
        "max_duration_minutes",
        "trial_timeout_minutes",
        "max_failed",
        "lost_counts_as_failed",
        "seed",
        "environment",
    }
)
_DB_MAX_ID = 2**63 - 1


class JobSpecError(ValueError):
    """The job cannot be created; ``errors`` is the nested message tree described above."""

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__(_flatten_messages(errors))
        self.errors = errors


@dataclass(frozen=True)
class JobSpec:
    """A checked job, with the ``TrainingJob`` field names (``model_fields()`` for a create)."""

    name: str
    description: str
    algorithm: Algorithm
    fixed: dict[str, Any]
    omitted: list[str]
    search_space: dict[str, dict[str, Any]]
    search_algorithms: list[dict[str, Any]]
    policy: dict[str, Any]
    metric_name: str
    metric_goal: str
    metric_regex: str
    objective: str
    seed: int
    max_trials: int
    max_concurrent: int
    max_duration_minutes: int | None
    trial_timeout_minutes: int | None
    max_failed: int | None
    lost_counts_as_failed: bool
    dataset: Dataset | None = None
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def is_search(self) -> bool:
        return bool(self.search_space)

    def model_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``TrainingJob(owner=..., **spec.model_fields())``."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


# --- the entry point --------------------------------------------------------------------------


def validate_job_spec(*, owner: Any, data: Mapping[str, Any]) -> JobSpec:
    """Clean and check a job in the API's create shape; raise ``JobSpecError`` on any problem.

    Only a ready algorithm the owner may see is accepted (a staff user sees all); another
    user's or an unready one gets the same message as a missing one.
    """
    errors = _Errors()
    if not isinstance(data, Mapping):
        raise JobSpecError(
            {"__all__": [f"A training job must be a JSON object, got {show(data)}."]}
        )
    unknown = sorted(str(key) for key in data if key not in KNOWN_FIELDS)
    if unknown:
        errors.add("__all__", message=f"Unknown field(s): {', '.join(unknown)}.")
    name = _clean_name(data.get("name"), errors)
    description = _clean_description(data.get("description"), errors)
    algorithm = _clean_algorithm(owner, data.get("algorithm"), errors)
    dataset = _clean_dataset(owner, data.get("dataset"), errors)
    # Any range given makes it a search, so a bad range still gets the search fields checked.
    is_search = bool(data.get("search_space"))
    objective = _clean_choice(data.get("objective"), "objective", OBJECTIVES, errors)
    limits = _clean_limits(data, is_search, errors)
    seed = _clean_int(data.get("seed"), "seed", 0, MAX_SEED, errors, default=0)
    lost = _clean_bool(data.get("lost_counts_as_failed"), "lost_counts_as_failed", errors)
    environment = clean_environment(data.get("environment"), errors.add)
    if algorithm is None:
        raise JobSpecError(errors.tree)

    rows = list(algorithm.hyperparameters.all())
    values = _HyperparameterValues(algorithm, rows, errors)
    fixed, omitted, space = values.clean(data)
    metric = _clean_metric(algorithm, data.get("metric"), is_search, errors)
    search_algorithms: list[dict[str, Any]] = []
    policy: dict[str, Any] = {}
    if is_search:
        search_algorithms = _clean_search_algorithms(
            algorithm, data.get("search_algorithms"), space, metric[1], errors
        )
        policy = _clean_policy(data.get("policy"), errors)
    if errors:
        raise JobSpecError(errors.tree)
    return JobSpec(
        name=name,
        description=description,
        algorithm=algorithm,
        fixed=fixed,
        omitted=omitted,
        search_space=space.to_json() if space is not None else {},
        search_algorithms=search_algorithms,
        policy=policy,
        metric_name=metric[0],
        metric_goal=metric[1],
        metric_regex=metric[2],
        objective=objective or "last",
        seed=seed if seed is not None else 0,
        lost_counts_as_failed=lost,
        dataset=dataset,
        environment=environment,
        **limits,
    )


def grid_size(search_space: Mapping[str, Any] | SearchSpace | None) -> int | None:
    """Points in the grid of ``search_space`` (its JSON or a space); ``None`` unless every
    range is discrete and bounded (or there is no range, or the spec is not valid).

    >>> grid_size({"a": {"type": "choice", "values": [1, 2, 3]},
    ...            "b": {"type": "int", "low": 1, "high": 4, "step": 2}})
    6
    >>> grid_size({"lr": {"type": "float", "low": 0.1, "high": 1}}) is None
    True
    """
    if not search_space:
        return None
    try:
        return SearchSpace.from_json(search_space).cardinality
    except (SearchError, TypeError, ValueError, OverflowError):
        return None


def planned_trials(spec: JobSpec) -> int:
    """How many trials the job will run if none fails early: 1 for a single run; a grid
    searched alone runs out at its last point; any search of a finite space runs out when
    every point was tried (no sampler proposes a tried point again); else ``max_trials``.
    """
    if not spec.search_space:
        return 1
    names = {_canonical(item["name"]) for item in spec.search_algorithms}
    try:
        space = SearchSpace.from_json(spec.search_space)
        if names == {"grid"}:
            resolutions = [item["params"].get("resolution") for item in spec.search_algorithms]
            return min(spec.max_trials, space.grid_size(resolutions[0]))
    except SearchError:
        return spec.max_trials
    points = space.cardinality
    return spec.max_trials if points is None else min(spec.max_trials, points)


# --- the error tree ---------------------------------------------------------------------------


class _Errors:
    """Messages in the nested shape the API answers: dicts down to lists of messages."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}

    def add(self, *path: str, message: str) -> None:
        node = self.tree
        for part in path[:-1]:
            child = node.get(part)
            if isinstance(child, list):  # a whole-field message already there
                child = node[part] = {"__all__": child}
            node = node.setdefault(part, {}) if child is None else child
        leaf = node.get(path[-1])
        if isinstance(leaf, dict):
            leaf.setdefault("__all__", []).append(message)
        else:
            node.setdefault(path[-1], []).append(message)

    def __bool__(self) -> bool:
        return bool(self.tree)


def _flatten_messages(tree: Mapping[str, Any], prefix: str = "") -> str:
    parts: list[str] = []
    for key, value in tree.items():
        place = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            parts.append(_flatten_messages(value, place))
        else:
            parts.extend(f"{place}: {message}" for message in value)
    return "; ".join(p for p in parts if p)


# --- top-level fields -------------------------------------------------------------------------


def _clean_name(value: Any, errors: _Errors) -> str:
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


def _clean_description(value: Any, errors: _Errors) -> str:
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


def _clean_dataset(owner: Any, value: Any, errors: _Errors) -> Dataset | None:
    try:
        return dataset_for_job(owner=owner, value=value)
    except ValueError as exc:
        errors.add("dataset", message=str(exc))
        return None


def _clean_algorithm(owner: Any, value: Any, errors: _Errors) -> Algorithm | None:
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


def _clean_choice(value: Any, key: str, allowed: tuple[str, ...], errors: _Errors) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value.strip().lower() not in allowed:
        errors.add(key, message=f"{_label(key)} must be {' or '.join(allowed)}, got {show(value)}.")
        return None
    return value.strip().lower()


def _clean_limits(data: Mapping[str, Any], is_search: bool, errors: _Errors) -> dict[str, Any]:
    limits: dict[str, Any] = {
        "max_duration_minutes": _clean_int(
            data.get("max_duration_minutes"), "max_duration_minutes", 1, MAX_MINUTES, errors
        ),
        "trial_timeout_minutes": _clean_int(
            data.get("trial_timeout_minutes"), "trial_timeout_minutes", 1, MAX_MINUTES, errors
        ),
        "max_failed": _clean_int(data.get("max_failed"), "max_failed", 1, MAX_FAILED, errors),
        "max_trials": 1,
        "max_concurrent": 1,
    }
    if not is_search:
        return limits  # a single training run: one trial, whatever the form's hidden fields say
    max_trials = _clean_int(
        data.get("max_trials"), "max_trials", 1, MAX_TRIALS, errors, default=DEFAULT_MAX_TRIALS
    )
    max_concurrent = _clean_int(
        data.get("max_concurrent"), "max_concurrent", 1, MAX_CONCURRENT, errors, default=1
    )
    if max_trials is not None and max_concurrent is not None and max_concurrent > max_trials:
        errors.add(
            "max_concurrent",
            message=f"Max concurrent trials ({max_concurrent}) cannot be more than max trials "
            f"({max_trials}).",
        )
    limits["max_trials"] = max_trials or DEFAULT_MAX_TRIALS
    limits["max_concurrent"] = max_concurrent or 1
    return limits


def _clean_int(
    value: Any,
    key: str,
    low: int,
    high: int,
    errors: _Errors,
    *,
    default: int | None = None,
) -> int | None:
    """A whole number in [low, high]; ``default`` when absent or blank, None when refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    number = _whole_number(value)
    if number is None:
        errors.add(key, message=f"{_label(key)} must be a whole number, got {show(value)}.")
        return None
    if not low <= number <= high:
        errors.add(
            key, message=f"{_label(key)} must be between {low} and {high}, got {show(value)}."
        )
        return None
    return number


def _clean_bool(value: Any, key: str, errors: _Errors) -> bool:
    if value is None:
        return False
    parsed = _as_bool(value)
    if parsed is None:
        errors.add(key, message=f"{_label(key)} must be true or false, got {show(value)}.")
        return False
    return parsed


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


# --- hyperparameter values --------------------------------------------------------------------


class _HyperparameterValues:
    """Sorts every row into fixed, searched or omitted, checking each against its row."""

    def __init__(self, algorithm: Algorithm, rows: list[Hyperparameter], errors: _Errors) -> None:
        self.algorithm = algorithm
        self.rows = rows
        self.by_name = {row.name: row for row in rows}
        self.errors = errors

    def clean(
        self, data: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[str], SearchSpace | None]:
        given = self._mapping(data.get("hyperparameters"), "hyperparameters")
        ranges = self._mapping(data.get("search_space"), "search_space")
        omit = self._omit(data.get("omit"))
        self._unknown_names(given, "hyperparameters", "value")
        self._overlaps(given, ranges, omit)
        space = self._space(ranges)
        fixed: dict[str, Any] = {}
        omitted: list[str] = []
        for row in self.rows:
            name = row.name
            if name in ranges:
                continue
            if name in omit:
                if not row.required:
                    omitted.append(name)
                continue
            if name in given:
                value = self._fixed_value(row, given[name], "value")
                if value is not None:
                    fixed[name] = value
            elif row.default is not None:
                value = self._fixed_value(row, row.default, "default")
                if value is not None:
                    fixed[name] = value
            elif row.required:
                self.errors.add(
                    "hyperparameters",
                    name,
                    "value",
                    message=f"{name} is required: give it a value"
                    + (" or a range." if self.algorithm.auto_search else "."),
                )
            else:
                omitted.append(name)  # optional and without a default: nothing to pass
        return fixed, omitted, space

    def _mapping(self, value: Any, key: str) -> dict[str, Any]:
        if value is None or value == "":
            return {}
        if not isinstance(value, Mapping):
            self.errors.add(
                key, "__all__", message=f"{_label(key)} must be an object of name: value."
            )
            return {}
        return {str(k): v for k, v in value.items()}

    def _omit(self, value: Any) -> set[str]:
        if value is None or value == "":
            return set()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.errors.add(
                "omit", message=f"Omit must be a list of hyperparameter names, got {show(value)}."
            )
            return set()
        names = set(value)
        for name in value:
            row = self.by_name.get(name)
            if row is None:
                self.errors.add("omit", message=self._unknown_message(name))
            elif row.required:
                self.errors.add("omit", message=f"{name} is required and cannot be left out.")
        return names

    def _unknown_names(self, mapping: Mapping[str, Any], key: str, leaf: str) -> None:
        for name in mapping:
            if name not in self.by_name:
                self.errors.add(key, name, leaf, message=self._unknown_message(name))

    def _unknown_message(self, name: str) -> str:
        known = ", ".join(self.by_name) or "none"
        return f"Unknown hyperparameter {show(name[:100])} (the algorithm takes: {known})."

    def _overlaps(
        self, given: Mapping[str, Any], ranges: Mapping[str, Any], omit: set[str]
    ) -> None:
        for name in self.by_name:
            if name in given and name in ranges:
                self.errors.add(
                    "hyperparameters",
                    name,
                    "value",
                    message=f"{name} is both fixed (hyperparameters) and searched "
                    "(search_space): keep one.",
                )
            if name in omit and (name in given or name in ranges):
                self.errors.add(
                    "omit",
                    message=f"{name} is left out (omit) and also given a "
                    f"{'value' if name in given else 'range'}: keep one.",
                )

    def _space(self, ranges: Mapping[str, Any]) -> SearchSpace | None:
        if not ranges:
            return None
        if not self.algorithm.auto_search:
            self.errors.add(
                "search_space",
                "__all__",
                message=f"Algorithm {show(self.algorithm.name)} has auto search off: its "
                "hyperparameters take fixed values, not ranges.",
            )
            return None
        try:
            space = space_from_rows(self.rows, ranges)
        except RangeErrors as exc:
            for name, by_field in exc.errors.items():
                for field_name, messages in by_field.items():
                    for message in messages:
                        self.errors.add("search_space", name, field_name, message=message)
            return None
        placeholders_ok = True
        for name, dist in space.dists.items():
            for choice in dist.choices or ():
                if isinstance(choice, str):
                    try:
                        _check_placeholders(choice)
                    except ValueError as exc:
                        self.errors.add("search_space", name, "values", message=f"{name}: {exc}")
                        placeholders_ok = False
        return space if placeholders_ok else None

    def _fixed_value(self, row: Hyperparameter, value: Any, source: str) -> Any:
        """The typed value, or None after reporting why it does not fit the row."""
        where = "" if source == "value" else "its default "
        try:
            typed = _typed_value(row, value)
            _check_constraint(row, typed)
            if isinstance(typed, str):
                _check_placeholders(typed)
        except ValueError as exc:
            self.errors.add(
                "hyperparameters", row.name, "value", message=f"{row.name}: {where}{exc}"
            )
            return None
        return typed


def _typed_value(row: Hyperparameter, value: Any) -> Any:
    if row.type == "bool":
        parsed = _as_bool(value)
        if parsed is None:
            raise ValueError(f"must be true or false, got {show(value)}.")
        return parsed
    if row.type == "str":
        if not isinstance(value, str):
            raise ValueError(f"must be a string, got {show(value)}.")
        if len(value) > MAX_STR_VALUE:
            raise ValueError(f"must be at most {MAX_STR_VALUE} characters, got {len(value)}.")
        if "\x00" in value:
            raise ValueError("must not contain NUL characters.")
        return value
    number = _number(value)
    if number is None:
        raise ValueError(f"must be a number, got {show(value)}.")
    if row.type == "int":
        if not float(number).is_integer():
            raise ValueError(
                f"must be a whole number for an int hyperparameter, got {show(value)}."
            )
        return int(number)
    return float(number)


def _check_constraint(row: Hyperparameter, value: Any) -> None:
    choices = list(row.choices or [])
    if choices and row.type != "bool":
        if not any(_same(value, choice) for choice in choices):
            allowed = ", ".join(repr(c) for c in choices)
            raise ValueError(f"{show(value)} is not in its enumeration ({allowed}).")
        return
    if row.type in ("float", "int") and row.min is not None and row.max is not None:
        if not row.min <= value <= row.max:
            raise ValueError(
                f"{show(value)} is outside its range "
                f"[{_bound(row, row.min)}, {_bound(row, row.max)}]."
            )


def _check_placeholders(text: str) -> None:
    """Unknown ``{name}`` placeholders or lone braces, by the runner's own rule."""
    try:
        check_placeholders(text)
    except PlaceholderError as exc:
        raise ValueError(_sentence(str(exc))) from None


# --- metric -----------------------------------------------------------------------------------


def _clean_metric(
    algorithm: Algorithm, value: Any, is_search: bool, errors: _Errors
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


# --- search algorithms and the policy ---------------------------------------------------------


def _canonical(name: Any) -> str:
    entry = sampler_catalogue().get(str(name).lower())
    return entry["name"] if entry else str(name)


def _clean_search_algorithms(
    algorithm: Algorithm,
    value: Any,
    space: SearchSpace | None,
    goal: str,
    errors: _Errors,
) -> list[dict[str, Any]]:
    supported = {
        _canonical(item.get("name")): dict(item.get("params") or {})
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
    key: str, name: str, configured: dict[str, Any], given: Any, errors: _Errors
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
    key: str, name: str, params: dict[str, Any], space: SearchSpace, goal: str, errors: _Errors
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
        errors.add("search_algorithms", key, "__all__", message=_sentence(str(exc)))
        return False
    return True


def _clean_policy(value: Any, errors: _Errors) -> dict[str, Any]:
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
        errors.add("policy", "name", message=_sentence(str(exc)))
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
            errors.add("policy", param, message=_sentence(f"{cls.name}: {exc}"))
            ok = False
    if not ok:
        return {}
    try:
        policy = make_policy(cls.name, **params)
    except SamplerParamError as exc:  # a rule across parameters (bandit needs a slack)
        errors.add("policy", "__all__", message=_sentence(str(exc)))
        return {}
    return {"name": cls.name, **policy.options}


# --- values -----------------------------------------------------------------------------------


def _whole_number(value: Any) -> int | None:
    number = _number(value)
    if number is None or not float(number).is_integer():
        return None
    return int(number)


def _number(value: Any) -> int | float | None:
    """A finite number from a JSON number or a numeric string; None otherwise (bools too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        try:
            float(value)
        except OverflowError:
            return None
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str) and len(value) <= 100:
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except (ValueError, OverflowError):
            return None
        return number if math.isfinite(number) else None
    return None


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _same(value: Any, allowed: Any) -> bool:
    if isinstance(value, bool) or isinstance(allowed, bool):
        return isinstance(value, bool) and isinstance(allowed, bool) and value == allowed
    if isinstance(value, (int, float)) and isinstance(allowed, (int, float)):
        return float(value) == float(allowed)
    return bool(value == allowed)


def _bound(row: Hyperparameter, value: float) -> str:
    if row.type == "int" and float(value).is_integer():
        return str(int(value))
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
