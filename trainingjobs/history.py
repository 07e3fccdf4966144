"""The adapter from rows to the search library: trials and metric points -> history dicts.

This is the only place where database rows cross into ``search``. A history record is
``{"params": {...}, "value": float | None, "status": str, "curve": [float, ...]}``;
a stored ``MetricPoint.value`` of None (NaN, which SQLite cannot hold) comes back as
``nan`` so that samplers and policies see what the script printed.

Both readers cost two queries whatever the number of trials: one for the trials, one
for every point of the job, read as plain tuples.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from trainingjobs.models import MetricPoint, Trial

NAN = math.nan


def point_value(stored: float | None) -> float:
    """A stored point as the float the script printed (None was NaN)."""
    return NAN if stored is None else float(stored)


def job_curves(job_id: int) -> dict[int, list[float]]:
    """{trial id: its curve in report order} for every trial of the job that reported."""
    curves: dict[int, list[float]] = defaultdict(list)
    rows = (
        MetricPoint.objects.filter(trial__job_id=job_id)
        .order_by("trial_id", "step")
        .values_list("trial_id", "value")
    )
    for trial_id, value in rows:
        curves[trial_id].append(point_value(value))
    return dict(curves)


def job_history(job_id: int, *, curves: bool = True) -> list[dict[str, Any]]:
    """The job's trials as ``search`` history dicts, in trial-number order.

    Each record also carries the trial's ``number`` and ``algorithm`` (the sampler that
    proposed it), which ``search`` ignores and the scheduler's step reads from the
    same query.

    ``curves=False`` is what samplers need: they learn from ``value``, and read a curve
    only for an early-stopped trial without one, so only those curves are loaded (a step
    of a long job then does not read every point of the job).
    """
    trials = list(
        Trial.objects.filter(job_id=job_id)
        .order_by("number")
        .values_list("id", "params", "value", "status", "number", "algorithm")
    )
    if curves:
        loaded = job_curves(job_id)
    else:
        needed = [
            pk
            for pk, _, value, status, _, _ in trials
            if status == Trial.Status.EARLY_STOPPED and value is None
        ]
        loaded = _curves_of(needed) if needed else {}
    return [
        {
            "params": params,
            "value": value,
            "status": status,
            "curve": loaded.get(pk, []),
            "number": number,
            "algorithm": algorithm,
        }
        for pk, params, value, status, number, algorithm in trials
    ]


def _curves_of(trial_ids: list[int]) -> dict[int, list[float]]:
    curves: dict[int, list[float]] = defaultdict(list)
    rows = (
        MetricPoint.objects.filter(trial_id__in=trial_ids)
        .order_by("trial_id", "step")
        .values_list("trial_id", "value")
    )
    for trial_id, value in rows:
        curves[trial_id].append(point_value(value))
    return dict(curves)


@dataclass(frozen=True)
class OtherCurves:
    """The curves an early-termination policy compares one trial against."""

    curves: list[list[float]]
    finished: list[bool]


def other_curves(job_id: int, trial_id: int) -> OtherCurves:
    """The curves of the job's other trials, with whether each trial has ended.

    One query: the points carry their trial's status. Trials that have not reported
    yet have an empty curve, which no policy counts at any report, so leaving them out
    changes nothing.
    """
    rows = (
        MetricPoint.objects.filter(trial__job_id=job_id)
        .exclude(trial_id=trial_id)
        .order_by("trial_id", "step")
        .values_list("trial_id", "trial__status", "value")
    )
    curves: dict[int, list[float]] = {}
    finished: dict[int, bool] = {}
    for pk, status, value in rows:
        curves.setdefault(pk, []).append(point_value(value))
        finished[pk] = status in Trial.FINISHED
    return OtherCurves(curves=list(curves.values()), finished=list(finished.values()))


def objective(values: Iterable[float | None], *, how: str, goal: str) -> float | None:
    """A trial's objective from its reported values: the last or the best one.

    NaN and infinite values are never an objective: "last" is None when the last report
    is not finite (a run that diverged at the end is not worth its earlier values), and
    "best" looks at finite values only.

    >>> objective([0.5, 0.9, float("nan")], how="best", goal="maximize")
    0.9
    >>> objective([0.5, float("inf")], how="last", goal="maximize") is None
    True
    """
    reported = [point_value(v) for v in values]
    if not reported:
        return None
    if how == "last":
        last = reported[-1]
        return last if math.isfinite(last) else None
    finite = [v for v in reported if math.isfinite(v)]
    if not finite:
        return None
    return max(finite) if goal == "maximize" else min(finite)


def is_better(value: float | None, than: float | None, *, goal: str) -> bool:
    """Whether ``value`` beats ``than`` (None and non-finite values never win)."""
    if value is None or not math.isfinite(value):
        return False
    if than is None or not math.isfinite(than):
        return True
    return value > than if goal == "maximize" else value < than
