"""A new job from a trial's values: the create form prefilled from a job and one trial.

``fixed``: every searched value of the trial becomes a fixed value (rerun the best).
``narrow``: each numeric range is searched again, centred on the trial's value and a
quarter of the old width each side (in log space for a log range), inside the old
bounds; choices keep their values. Everything else (fixed values, left-out flags, the
metric, the search algorithms, the limits, the environment variables) is copied from
the job.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from algorithms.spec_display import display_value
from trainingjobs.forms import LIMITS, JobForm
from trainingjobs.models import TrainingJob, Trial

MODES = ("fixed", "narrow")
SHARE = 0.25  # of the old width, each side of the value


def narrowed(spec: Mapping[str, Any], value: Any) -> tuple[float, float, bool] | None:
    """(low, high, log) of a narrower range around ``value``; None when not a number range.

    >>> narrowed({"type": "float", "low": 0.0, "high": 1.0}, 0.9)
    (0.65, 1.0, False)
    >>> low, high, log = narrowed({"type": "float", "low": 1e-4, "high": 1e-0, "log": True}, 1e-2)
    >>> round(low, 6), round(high, 6), log
    (0.001, 0.1, True)
    >>> narrowed({"type": "int", "low": 1, "high": 9}, 5)
    (3, 7, False)
    >>> narrowed({"type": "choice", "values": [1, 2]}, 1) is None
    True
    """
    kind = spec.get("type")
    low, high = spec.get("low"), spec.get("high")
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind not in ("float", "int", "uniform") or not numeric or low is None or high is None:
        return None
    log = bool(spec.get("log")) and low > 0 and value > 0
    if log:
        a, b, v = math.log10(low), math.log10(high), math.log10(value)
        half = (b - a) * SHARE
        new_low, new_high = 10 ** max(a, v - half), 10 ** min(b, v + half)
    else:
        half = (high - low) * SHARE
        new_low, new_high = max(low, value - half), min(high, value + half)
    if kind == "int":
        return (math.floor(new_low), math.ceil(new_high), log)
    return (float(f"{new_low:.6g}"), float(f"{new_high:.6g}"), log)


def form_from_trial(job: TrainingJob, trial: Trial, *, mode: str) -> JobForm:
    """The create form for a new job from ``trial``'s values (``mode``: fixed or narrow)."""
    form = JobForm.initial(job.algorithm)
    raw = form.raw
    raw["name"] = f"{job.name} from trial {trial.number}"[:128]
    raw["description"] = job.description
    raw["dataset"] = str(job.dataset_id or "")
    raw["metric"] = {"name": job.metric_name, "goal": job.metric_goal, "regex": job.metric_regex}
    raw["objective"] = job.objective
    chosen = [str(a.get("name", "")) for a in job.search_algorithms if a.get("name")]
    if chosen:
        raw["selected"] = chosen
    for item in job.search_algorithms:
        params = item.get("params") or {}
        if params:
            raw["params"][str(item.get("name"))] = {k: display_value(v) for k, v in params.items()}
    raw["limits"] = {
        name: "" if getattr(job, name) is None else str(getattr(job, name)) for name in LIMITS
    }
    raw["environment"] = [{"name": k, "value": v} for k, v in job.environment.items()]
    for hp in form.hyperparameters:
        row = raw["rows"][hp.name]
        if hp.name in job.omitted:
            row["include"] = False
        elif hp.name in job.fixed:
            row.update(include=True, search=False, value=display_value(job.fixed[hp.name]))
        if hp.name not in trial.params:
            continue
        value = trial.params[hp.name]
        spec = job.search_space.get(hp.name, {})
        bounds = narrowed(spec, value) if mode == "narrow" else None
        if bounds is None:
            row.update(include=True, search=False, dist="range", value=display_value(value))
            if mode == "narrow" and spec.get("type") in ("choice", "bool"):
                row["search"] = True  # the same choices, searched again
                if spec.get("values"):
                    row["values"] = [display_value(v) for v in spec["values"]]
        else:
            low, high, log = bounds
            row.update(
                include=True,
                search=True,
                dist="range",
                low=display_value(low),
                high=display_value(high),
                scale="log" if log else "linear",
                value=display_value(value),
            )
    return form
