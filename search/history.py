"""Histories: the trials of a job as plain dicts, and what samplers learn from them.

A history is a list of ``{"params": {...}, "value": float | None, "status": str,
"curve": [float, ...]}``. ``observe`` turns it into arrays oriented for minimisation:

    X: (n_obs, n_dims) in [0, 1]       completed and early-stopped trials with a finite value
    loss: (n_obs,)                     value if goal == "minimize" else -value
    early_stopped: (n_obs,) bool
    X_pending: (n_pending, n_dims)     queued and running trials

Early-stopped trials count as observations with their last value: they were stopped
for looking bad, and the model should learn that. Failed, canceled and lost trials
teach nothing about the objective, but their points are ``seen`` so that no sampler
proposes them again.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from search.distributions import value_key
from search.errors import SamplerParamError, SearchError
from search.space import SearchSpace

QUEUED = "queued"
RUNNING = "running"
COMPLETED = "completed"
FAILED = "failed"
EARLY_STOPPED = "early_stopped"
CANCELED = "canceled"
LOST = "lost"
STATUSES = (QUEUED, RUNNING, COMPLETED, FAILED, EARLY_STOPPED, CANCELED, LOST)
PENDING_STATUSES = frozenset({QUEUED, RUNNING})

GOALS = ("maximize", "minimize")
_GOAL_ALIASES = {"max": "maximize", "min": "minimize"}

ParamsKey = tuple[tuple[str, Any], ...]


def check_goal(goal: Any) -> str:
    """Return ``"maximize"`` or ``"minimize"`` (``"max"``/``"min"`` accepted, any case).

    >>> check_goal("MAX")
    'maximize'
    """
    normalised = goal.strip().lower() if isinstance(goal, str) else goal
    normalised = _GOAL_ALIASES.get(normalised, normalised)
    if normalised not in GOALS:
        raise SamplerParamError(f"goal must be 'maximize' or 'minimize', got goal={goal!r}")
    return normalised


def params_key(params: Mapping[str, Any]) -> ParamsKey:
    """A canonical hashable key of a params dict (order-free; ``1`` and ``1.0`` alike).

    >>> params_key({"b": 1, "a": "x"}) == params_key({"a": "x", "b": 1.0})
    True
    """
    items = []
    for name in sorted(params):
        value = params[name]
        try:
            key: Any = value_key(value)
        except TypeError:
            key = ("repr", repr(value))
        items.append((name, key))
    return tuple(items)


@dataclass
class Observations:
    """What a sampler may learn from a history; see the module docstring for shapes."""

    X: np.ndarray
    loss: np.ndarray
    params: list[dict[str, Any]]
    early_stopped: np.ndarray
    X_pending: np.ndarray
    pending_params: list[dict[str, Any]]
    seen: set[ParamsKey] = field(default_factory=set)
    #: Number of trials in the history, whatever their status (part of every sampler's seed).
    n_trials: int = 0

    @property
    def n_obs(self) -> int:
        return len(self.params)

    def best(self) -> dict[str, Any] | None:
        """Params of the observation with the lowest loss, or ``None`` before any."""
        if not self.params:
            return None
        return self.params[int(np.argmin(self.loss))]


def trial_value(record: Mapping[str, Any]) -> float | None:
    """The objective value a trial reports: its ``value`` for completed trials; for
    early-stopped ones, ``value`` or else the last finite point of its ``curve``.
    ``None`` when there is no finite value (the trial then counts as failed).

    >>> trial_value({"status": "early_stopped", "value": None, "curve": [0.1, 0.3]})
    0.3
    """
    status = record.get("status")
    value = _finite_or_none(record.get("value"))
    if status == COMPLETED:
        return value
    if status == EARLY_STOPPED:
        if value is not None:
            return value
        for point in reversed(list(record.get("curve") or [])):
            point_value = _finite_or_none(point)
            if point_value is not None:
                return point_value
    return None


def observe(history: Iterable[Mapping[str, Any]], space: SearchSpace, goal: str) -> Observations:
    """Split a history into observations, pending points and seen keys.

    Trials whose params do not fit ``space`` (a changed table, a hand-edited row) are
    only marked seen: they can neither be encoded nor be trusted as observations.

    >>> space = SearchSpace.from_json({"x": {"type": "uniform", "low": 0, "high": 1}})
    >>> obs = observe([{"params": {"x": 0.5}, "value": 2.0, "status": "completed"},
    ...                {"params": {"x": 0.1}, "value": None, "status": "running"}],
    ...               space, goal="maximize")
    >>> obs.loss.tolist(), obs.X_pending.tolist()
    ([-2.0], [[0.1]])
    """
    sign = -1.0 if check_goal(goal) == "maximize" else 1.0
    params: list[dict[str, Any]] = []
    losses: list[float] = []
    stopped: list[bool] = []
    pending: list[dict[str, Any]] = []
    seen: set[ParamsKey] = set()
    n_trials = 0
    for index, record in enumerate(history):
        n_trials += 1
        trial_params, status = _check_record(index, record)
        seen.add(params_key(trial_params))
        if not space.contains(trial_params):
            continue
        if status in PENDING_STATUSES:
            pending.append(dict(trial_params))
            continue
        value = trial_value(record)
        if value is not None:
            params.append(dict(trial_params))
            losses.append(sign * value)
            stopped.append(status == EARLY_STOPPED)
    return Observations(
        X=space.encode_many(params),
        loss=np.array(losses, dtype=float),
        params=params,
        early_stopped=np.array(stopped, dtype=bool),
        X_pending=space.encode_many(pending),
        pending_params=pending,
        seen=seen,
        n_trials=n_trials,
    )


def _check_record(index: int, record: Any) -> tuple[Mapping[str, Any], str]:
    if not isinstance(record, Mapping):
        raise SearchError(f"history[{index}] must be an object, got {record!r}")
    trial_params = record.get("params")
    if not isinstance(trial_params, Mapping):
        raise SearchError(f"history[{index}]: params must be an object, got {trial_params!r}")
    status = record.get("status")
    if status not in STATUSES:
        raise SearchError(
            f"history[{index}]: status must be one of {list(STATUSES)}, got status={status!r}"
        )
    return trial_params, status


def _finite_or_none(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
