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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import Any

import numpy as np

from search.distributions.keys import ParamsKey, params_key
from search.errors import SearchError
from search.goals import GOALS, check_goal
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

__all__ = [
    "GOALS",
    "Observations",
    "ParamsKey",
    "check_goal",
    "observe",
    "params_key",
    "trial_value",
]


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
    records = history if isinstance(history, list) else list(history)
    # One light pass over the records, then one array pass per parameter: a Python loop
    # per trial and parameter would cost more than the models themselves.
    fitting, fitting_records, seen = _split(records, space.name_set)
    rows = _rows(fitting, space.sorted_names)
    columns: dict[str, Sequence[Any]] = (
        dict(zip(space.sorted_names, zip(*rows, strict=True), strict=True))
        if rows
        else {name: [] for name in space.names}
    )
    seen.update(_keys(rows, columns, space))
    inside, X_inside = space.encode_inside(columns)
    if not inside.all():
        kept = np.flatnonzero(inside).tolist()
        fitting = [fitting[i] for i in kept]
        fitting_records = [fitting_records[i] for i in kept]
    values, stopped, pending_rows = _outcomes(fitting_records)
    obs_rows = np.flatnonzero(np.isfinite(values))
    return Observations(
        X=X_inside[obs_rows],
        loss=sign * values[obs_rows],
        params=[dict(fitting[i]) for i in obs_rows.tolist()],
        early_stopped=stopped[obs_rows],
        X_pending=X_inside[pending_rows],
        pending_params=[dict(fitting[i]) for i in pending_rows],
        seen=seen,
        n_trials=len(records),
    )


def _split(
    records: Sequence[Any], names: frozenset[str]
) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]], set[ParamsKey]]:
    """Check every record; return the params naming exactly ``names`` and their records,
    and the keys of all other params (seen, never learnt from: a changed table)."""
    fitting: list[Mapping[str, Any]] = []
    fitting_records: list[Mapping[str, Any]] = []
    seen: set[ParamsKey] = set()
    for index, record in enumerate(records):
        # The exact type tests first: isinstance against an ABC is the slow part for dicts.
        if type(record) is not dict and not isinstance(record, Mapping):
            _check_record(index, record)
        trial_params = record.get("params")
        is_mapping = type(trial_params) is dict or isinstance(trial_params, Mapping)
        if not is_mapping or record.get("status") not in STATUSES:
            _check_record(index, record)  # raises the message naming the record
        if trial_params.keys() == names:
            fitting.append(trial_params)
            fitting_records.append(record)
        else:
            seen.add(params_key(trial_params))
    return fitting, fitting_records, seen


def _rows(
    fitting: Sequence[Mapping[str, Any]], sorted_names: tuple[str, ...]
) -> list[tuple[Any, ...]]:
    """The values of each params dict in ``sorted_names`` order (all name exactly those)."""
    if len(sorted_names) == 1:
        (name,) = sorted_names
        return [(params[name],) for params in fitting]
    return list(map(itemgetter(*sorted_names), fitting))


def _keys(
    rows: list[tuple[Any, ...]],
    columns: Mapping[str, Sequence[Any]],
    space: SearchSpace,
) -> Iterable[ParamsKey]:
    """``space.key`` of each row, built column by column."""
    sorted_names = space.sorted_names
    canonical = space.key_columns(columns)
    values: Iterable[tuple[Any, ...]] = rows  # when every value is its own canonical form
    if any(c is not columns[name] for c, name in zip(canonical, sorted_names, strict=True)):
        values = zip(*canonical, strict=True)
    return zip(repeat(sorted_names), values)


def _outcomes(records: Sequence[Mapping[str, Any]]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Per record: its value (NaN when it teaches nothing) and whether it was early-stopped;
    and the positions of the pending records."""
    done_rows: list[int] = []
    done_values: list[Any] = []
    stopped_rows: list[int] = []
    stopped_values: list[float] = []
    pending_rows: list[int] = []
    for row, record in enumerate(records):
        status = record["status"]
        if status == COMPLETED:
            done_rows.append(row)
            done_values.append(record.get("value"))
        elif status == EARLY_STOPPED:
            value = trial_value(record)
            stopped_rows.append(row)
            stopped_values.append(math.nan if value is None else value)
        elif status in PENDING_STATUSES:
            pending_rows.append(row)
    values = np.full(len(records), np.nan)
    values[done_rows] = _finite_values(done_values)
    values[stopped_rows] = stopped_values
    stopped = np.zeros(len(records), dtype=bool)
    stopped[stopped_rows] = True
    return values, stopped, pending_rows


def _finite_values(values: list[Any]) -> np.ndarray:
    """Each value as a float, NaN where it is missing or not a finite number."""
    if set(map(type, values)) <= {float}:
        return np.array(values, dtype=float).reshape(len(values))
    finite = (_finite_or_none(v) for v in values)
    return np.fromiter((np.nan if v is None else v for v in finite), dtype=float, count=len(values))


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
