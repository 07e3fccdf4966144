"""The plan arithmetic of a job spec: the grid's size and how many trials will run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from search import SearchSpace
from search.errors import SearchError
from trainingjobs.spec_errors import JobSpecError, SpecErrors
from trainingjobs.spec_fields import DEFAULT_MAX_TRIALS, MAX_TRIALS, clean_algorithm, clean_int
from trainingjobs.spec_search import canonical_sampler, clean_job_search_algorithms, clean_metric
from trainingjobs.spec_space import HyperparameterValues
from trainingjobs.specs import JobSpec, validate_job_spec

# What a job's trial count depends on. A problem anywhere else (a name not typed yet, a
# metric regex being edited) does not keep the create page from counting its trials.
PLAN_KEYS = ("algorithm", "search_space", "search_algorithms", "max_trials")


def job_plan(*, owner: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    """What the create page shows of a job in the API's create shape (``data``, as
    ``validate_job_spec`` takes it) while it is being typed::

        {"search": bool, "grid_size": int | None, "planned_trials": int | None,
         "complete": bool, "needs": str | None, "problem": str | None}

    A job without ranges is one trial. Its trials are counted as soon as the parts the count
    depends on (the ranges, the search algorithms, max trials) are valid, even while the
    rest of the job is not (``complete`` says whether all of it is). Until then
    ``planned_trials`` is None and ``needs`` says what to do first, e.g. "fill in the range
    of lr" for a range still empty, with the validator's first message in ``problem``.
    """
    if not data["search_space"]:
        return {
            "search": False,
            "grid_size": None,
            "planned_trials": 1,
            "complete": True,
            "needs": None,
            "problem": None,
        }
    try:
        validate_job_spec(owner=owner, data=data)
        complete = True
    except JobSpecError:
        complete = False
    space, planned, errors = _count(owner, data)
    needs, problem = (None, None) if planned is not None else _needs(data, errors)
    return {
        "search": True,
        # The checked space's grid where there is one (a range of an int row typed "1" to
        # "4" is read as ints there); else what the ranges typed so far give.
        "grid_size": space.cardinality if space is not None else grid_size(data["search_space"]),
        "planned_trials": planned,
        "complete": complete,
        "needs": needs,
        "problem": problem,
    }


def _count(
    owner: Any, data: Mapping[str, Any]
) -> tuple[SearchSpace | None, int | None, dict[str, Any]]:
    """The checked space and the trial count from what the count depends on alone, checked
    as ``validate_job_spec`` checks it; the count is None, with the errors of those parts,
    while they are not valid."""
    errors = SpecErrors()
    algorithm = clean_algorithm(owner, data.get("algorithm"), errors)
    if algorithm is None:
        return None, None, errors.tree
    rows = list(algorithm.hyperparameters.all())
    _, _, space = HyperparameterValues(algorithm, rows, errors).clean(data)
    goal = clean_metric(algorithm, data.get("metric"), True, errors)[1]
    samplers = clean_job_search_algorithms(
        algorithm, data.get("search_algorithms"), space, goal, errors
    )
    max_trials = clean_int(
        data.get("max_trials"), "max_trials", 1, MAX_TRIALS, errors, default=DEFAULT_MAX_TRIALS
    )
    relevant = {key: value for key, value in errors.tree.items() if key in PLAN_KEYS}
    if relevant or space is None or max_trials is None or not samplers:
        return space, None, relevant
    return space, trial_count(space.to_json(), samplers, max_trials), {}


def _needs(data: Mapping[str, Any], errors: Mapping[str, Any]) -> tuple[str, str | None]:
    """What to do before the trials can be counted, and the first message about it."""
    ranges = data["search_space"]
    unfilled = [name for name, spec in ranges.items() if is_unfilled(spec)]
    if unfilled:
        return f"fill in the {_ranges_of(unfilled)}", None
    for key in PLAN_KEYS:
        if key not in errors:
            continue
        problem = _first_message(errors[key])
        if key == "search_space":
            names = [name for name in errors[key] if name in ranges]
            return (f"fix the {_ranges_of(names)}" if names else "fix the ranges"), problem
        if key == "search_algorithms":
            return "choose the search algorithms", problem
        if key == "max_trials":
            return "fix max trials", problem
        return "choose a ready algorithm", problem
    return "fix the ranges", _first_message(errors)


def is_unfilled(spec: Any) -> bool:
    """True for a range with an input still empty (a bound, a parameter, or no values).

    >>> is_unfilled({"type": "float", "low": None, "high": 1}), is_unfilled({"type": "bool"})
    (True, False)
    >>> is_unfilled({"type": "choice", "values": []})
    True
    """
    if not isinstance(spec, Mapping):
        return False
    return any(value is None or value == [] for value in spec.values())


def _ranges_of(names: Sequence[str]) -> str:
    if len(names) == 1:
        return f"range of {names[0]}"
    return f"ranges of {', '.join(names[:-1])} and {names[-1]}"


def _first_message(node: Any) -> str | None:
    if isinstance(node, Mapping):
        for value in node.values():
            found = _first_message(value)
            if found:
                return found
        return None
    if isinstance(node, (list, tuple)):
        return str(node[0]) if node else None
    return str(node) if node is not None else None


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
    except (SearchError, TypeError, ValueError, KeyError, ArithmeticError):
        # A range still being typed (the create page's plan) has no grid.
        return None


def planned_trials(spec: JobSpec) -> int:
    """How many trials the job will run if none fails early (see ``trial_count``)."""
    if not spec.search_space:
        return 1
    return trial_count(spec.search_space, spec.search_algorithms, spec.max_trials)


def trial_count(
    search_space: Mapping[str, Any], search_algorithms: Sequence[Mapping[str, Any]], max_trials: int
) -> int:
    """Trials a search of checked parts runs if none fails early: a grid searched alone
    runs out at its last point; any search of a finite space runs out when every point was
    tried (no sampler proposes a tried point again); else ``max_trials``.

    >>> trial_count({"a": {"type": "choice", "values": [1, 2]}}, [{"name": "tpe"}], 10)
    2
    """
    names = {canonical_sampler(item["name"]) for item in search_algorithms}
    try:
        space = SearchSpace.from_json(search_space)
        if names == {"grid"}:
            resolutions = [
                (item.get("params") or {}).get("resolution") for item in search_algorithms
            ]
            return min(max_trials, space.grid_size(resolutions[0]))
    except SearchError:
        return max_trials
    points = space.cardinality
    return max_trials if points is None else min(max_trials, points)
