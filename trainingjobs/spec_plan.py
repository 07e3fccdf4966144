"""The plan arithmetic of a job spec: the grid's size and how many trials will run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from search import SearchSpace
from search.errors import SearchError
from trainingjobs.spec_errors import JobSpecError
from trainingjobs.spec_search import canonical_sampler
from trainingjobs.specs import JobSpec, validate_job_spec


def job_plan(*, owner: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    """What the create page shows of a job in the API's create shape (``data``, as
    ``validate_job_spec`` takes it) while it is being typed::

        {"search": bool, "grid_size": int | None, "planned_trials": int | None,
         "complete": bool}

    A job without ranges is one trial. A job not valid yet (a half-typed range) is not
    ``complete``: its grid when the ranges alone give one, and no trial count.
    """
    if not data["search_space"]:
        return {"search": False, "grid_size": None, "planned_trials": 1, "complete": True}
    try:
        spec = validate_job_spec(owner=owner, data=data)
    except JobSpecError:
        return {
            "search": True,
            "grid_size": grid_size(data["search_space"]),
            "planned_trials": None,
            "complete": False,
        }
    return {
        "search": True,
        "grid_size": grid_size(spec.search_space),
        "planned_trials": planned_trials(spec),
        "complete": True,
    }


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
    """How many trials the job will run if none fails early: 1 for a single run; a grid
    searched alone runs out at its last point; any search of a finite space runs out when
    every point was tried (no sampler proposes a tried point again); else ``max_trials``.
    """
    if not spec.search_space:
        return 1
    names = {canonical_sampler(item["name"]) for item in spec.search_algorithms}
    try:
        space = SearchSpace.from_json(spec.search_space)
        if names == {"grid"}:
            resolutions = [item["params"].get("resolution") for item in spec.search_algorithms]
            return min(spec.max_trials, space.grid_size(resolutions[0]))
    except SearchError:
        return spec.max_trials
    points = space.cardinality
    return spec.max_trials if points is None else min(spec.max_trials, points)
