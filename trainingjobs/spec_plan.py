"""The plan arithmetic of a job spec: the grid's size and how many trials will run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from search import SearchSpace
from search.errors import SearchError
from trainingjobs.spec_search import canonical_sampler

if TYPE_CHECKING:
    from trainingjobs.specs import JobSpec


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
