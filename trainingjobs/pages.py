"""What the job and trial pages show, computed from rows already loaded (no queries, except
where a function says so): the configuration in words, per-algorithm summaries, the
hyperparameters a trial ran with, its command line. Number formats live in
``trainingjobs.templatetags.job_format``.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Right
from django.utils import timezone

from algorithms.spec_display import display_value
from trainingjobs import chart_data, charts, trial_budget
from trainingjobs.models import TrainingJob, Trial, TrialLog

FAILURE_TAIL_CHARS = 4_000
# Distributions whose values spread over orders of magnitude (drawn on a log axis).
LOG_KINDS = frozenset({"loguniform", "qloguniform", "lognormal", "qlognormal"})


def with_trial_counts(jobs: QuerySet[TrainingJob]) -> QuerySet[TrainingJob]:
    """Jobs annotated with their trials per state, in the same query (no N+1 on lists):
    ``trials_done`` (ended within the budget), ``trials_lost``, ``trials_canceled`` (apart,
    ``trial_budget``), ``trials_running``. ``job_tally`` reads them."""
    return jobs.annotate(
        trials_done=Count("trials", filter=Q(trials__status__in=trial_budget.ENDED_COUNTED)),
        trials_lost=Count("trials", filter=Q(trials__status=Trial.Status.LOST)),
        trials_canceled=Count("trials", filter=Q(trials__status=Trial.Status.CANCELED)),
        trials_running=Count("trials", filter=Q(trials__status=Trial.Status.RUNNING)),
    )


def job_tally(job: TrainingJob) -> trial_budget.TrialTally:
    """The trials ended of a job annotated by ``with_trial_counts``."""
    return trial_budget.TrialTally(
        ended=getattr(job, "trials_done", 0),
        total=job.max_trials,
        lost=getattr(job, "trials_lost", 0),
        canceled=getattr(job, "trials_canceled", 0),
    )


# --- numbers -----------------------------------------------------------------------------------


def format_metric(value: float | None) -> str:
    """A metric value in at most 6 significant digits; NaN and infinities as such.

    >>> [format_metric(v) for v in (0.912345678, 1234567.0, float("nan"), float("-inf"), None)]
    ['0.912346', '1.23457e+06', 'NaN', '-inf', '—']
    """
    if value is None:
        return "—"
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.6g}"


def format_param(value: Any) -> str:
    """A hyperparameter value in a table: floats in 6 significant digits, the rest as typed.

    >>> [format_param(v) for v in (0.0031622776601683794, 64, True, "adam", 2.0, None)]
    ['0.00316228', '64', 'true', 'adam', '2', '—']
    """
    if value is None:
        return "—"
    if isinstance(value, float) and math.isfinite(value):
        return display_value(float(f"{value:.6g}"))
    return display_value(value)


def format_duration(seconds: float | None) -> str:
    """A duration in its two largest units, written as the job page's live counters write
    it (``dashboard_format.js``), so a page and its live updates agree.

    >>> [format_duration(s) for s in (4.4, 65, 3725, 90061, None)]
    ['4 s', '1 min 05 s', '1 h 02 min', '1 d 01 h', '—']
    """
    if seconds is None:
        return "—"
    s = int(max(0.0, seconds) + 0.5)  # half up, as Math.round
    days, s = divmod(s, 86400)
    hours, s = divmod(s, 3600)
    minutes, s = divmod(s, 60)
    if days:
        return f"{days} d {hours:02d} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {s:02d} s"
    return f"{s} s"


def elapsed(start: datetime | None, end: datetime | None) -> float | None:
    """Seconds from start to end (to now while it runs); None before it starts."""
    if start is None:
        return None
    return ((end or timezone.now()) - start).total_seconds()


def run_time(obj: Any) -> float | None:
    """How long a job or a trial has run, in seconds; None before it starts.

    A job counts its running time only (``TrainingJob.run_time``): paused stretches and
    the time between its end and an extension are left out. A trial runs in one span,
    from its start to its end (to now while it runs).
    """
    if obj.started_at is None:
        return None
    if isinstance(obj, TrainingJob):
        return obj.run_time()
    return elapsed(obj.started_at, obj.finished_at)


def command_line(argv: Sequence[str]) -> str:
    """An argument list as one shell-quoted line a person can paste into a terminal.

    >>> command_line(["python", "train.py", "--name=a b", "--lr=0.1"])
    "python train.py '--name=a b' --lr=0.1"
    """
    return shlex.join(str(a) for a in argv)


# --- the configuration in words ------------------------------------------------------------


def describe_range(spec: Mapping[str, Any]) -> str:
    """A ``search.SearchSpace`` JSON spec in words.

    >>> describe_range({"type": "float", "low": 0.001, "high": 0.1, "log": True})
    '0.001 … 0.1, log scale'
    >>> describe_range({"type": "int", "low": 16, "high": 256, "step": 16})
    '16 … 256, step 16'
    >>> describe_range({"type": "choice", "values": ["adam", "sgd"]})
    'one of adam, sgd'
    >>> describe_range({"type": "qnormal", "mu": 0, "sigma": 1, "q": 0.5})
    'qnormal(mu=0, sigma=1, q=0.5)'
    """
    kind = spec.get("type")
    if kind in ("float", "int"):
        text = f"{display_value(spec.get('low'))} … {display_value(spec.get('high'))}"
        if spec.get("log"):
            text += ", log scale"
        step = spec.get("step")
        if step is not None and not (kind == "int" and step == 1):
            text += f", step {display_value(step)}"
        return text
    if kind in ("choice", "categorical", "str"):
        values = spec.get("values")
        if isinstance(values, Mapping):
            return f"range{tuple(values.get('range', ()))}"
        return "one of " + ", ".join(display_value(v) for v in values or [])
    if kind == "bool":
        return "true or false"
    args = ", ".join(f"{k}={display_value(v)}" for k, v in spec.items() if k != "type")
    return f"{kind}({args})"


def job_config(job: TrainingJob) -> dict[str, Any]:
    """The job's settings, each as the page lists it (``algorithms`` and ``policy``: params)."""
    policy = dict(job.policy or {})
    policy_name = policy.pop("name", "")
    return {
        "ranges": [(name, describe_range(spec)) for name, spec in job.search_space.items()],
        "fixed": [(name, display_value(value)) for name, value in job.fixed.items()],
        "omitted": list(job.omitted),
        "algorithms": [
            (item.get("name", ""), _params_text(item.get("params") or {}))
            for item in job.search_algorithms
        ],
        "policy": (policy_name, _params_text(policy)) if policy_name else None,
    }


def _params_text(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={display_value(v)}" for k, v in params.items() if v is not None)


# --- summaries -----------------------------------------------------------------------------------


def job_summary(job: TrainingJob, trials: Sequence[Trial]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for trial in trials:
        counts[trial.status] = counts.get(trial.status, 0) + 1
    best = next((t for t in trials if t.pk == job.best_trial_id), None)
    return {
        "counts": [
            (status, label, counts[status])
            for status, label in Trial.Status.choices
            if counts.get(status)
        ],
        "tally": trial_budget.tally(counts, job.max_trials),
        "running": counts.get(Trial.Status.RUNNING, 0),
        "best": best,
        "searched": list(job.search_space),
        "several_algorithms": len({t.algorithm for t in trials}) > 1,
        "duration": run_time(job),
    }


def algorithm_summary(job: TrainingJob, trials: Sequence[Trial]) -> list[dict[str, Any]]:
    """Per search algorithm: trials run, its best value, whether it found the overall best.

    Empty unless more than one algorithm proposed trials.
    """
    names = list(dict.fromkeys(t.algorithm for t in trials))
    if len(names) < 2:
        return []
    sign = -1.0 if job.metric_goal == "minimize" else 1.0
    rows = []
    for name in names:
        own = [t for t in trials if t.algorithm == name]
        scored = [t for t in own if t.value is not None and math.isfinite(t.value)]
        best = max(scored, key=lambda t: sign * (t.value or 0.0)) if scored else None
        rows.append(
            {
                "name": name or "—",
                "trials": len(own),
                "completed": sum(1 for t in own if t.status == Trial.Status.COMPLETED),
                "best": best,
                "found_best": any(t.pk == job.best_trial_id for t in own),
            }
        )
    return rows


def first_failure(job: TrainingJob, trials: Sequence[Trial]) -> dict[str, Any] | None:
    """When every finished trial failed: the first one, with its log's end (one query)."""
    finished = [t for t in trials if t.is_finished]
    if not finished or any(t.status != Trial.Status.FAILED for t in finished):
        return None
    trial = min(finished, key=lambda t: t.number)
    tail = (
        TrialLog.objects.filter(trial=trial)
        .annotate(tail=Right("text", FAILURE_TAIL_CHARS))
        .values_list("tail", flat=True)
        .first()
    )
    return {"trial": trial, "tail": tail or ""}


def trial_hyperparameters(job: TrainingJob, trial: Trial) -> list[dict[str, Any]]:
    """Every hyperparameter of the algorithm as this trial got it, in table order (one query)."""
    rows = []
    for name, hp_type in job.algorithm.hyperparameters.values_list("name", "type"):
        if name in trial.params:
            rows.append(
                {"name": name, "type": hp_type, "value": trial.params[name], "source": "searched"}
            )
        elif name in job.fixed:
            rows.append(
                {"name": name, "type": hp_type, "value": job.fixed[name], "source": "fixed"}
            )
        elif name in job.omitted:
            rows.append({"name": name, "type": hp_type, "value": None, "source": "omitted"})
    # A searched name the algorithm no longer lists still ran: show it.
    known = {row["name"] for row in rows}
    rows += [
        {"name": name, "type": "", "value": value, "source": "searched"}
        for name, value in trial.params.items()
        if name not in known
    ]
    return rows


# --- the charts' data ----------------------------------------------------------------------------


def job_figures(
    job: TrainingJob, trials: Sequence[Trial], points: Iterable[tuple[int, int, float | None]]
) -> dict[str, Any]:
    """The metric-vs-report and parallel-coordinates figures of a job's page."""
    curves = chart_data.curves_by_trial(points)
    lines = [
        chart_data.Curve(
            label=f"trial {t.number}",
            steps=curves[t.pk][0],
            values=curves[t.pk][1],
            best=t.pk == job.best_trial_id,
        )
        for t in trials
        if t.pk in curves
    ]
    return {
        "metric": charts.metric_figure(lines, metric_name=job.metric_name) if lines else None,
        "parallel": charts.parallel_figure(
            [
                {
                    "params": t.params,
                    "value": t.value,
                    "label": f"trial {t.number}",
                    "best": t.pk == job.best_trial_id,
                }
                for t in trials
            ],
            names=list(job.search_space),
            metric_name=job.metric_name,
            goal=job.metric_goal,
            log_names=frozenset(
                name
                for name, spec in job.search_space.items()
                if spec.get("log") or spec.get("type") in LOG_KINDS
            ),
        ),
    }


def trial_state_context(trial: Trial, latest: tuple[Any, ...] | None) -> dict[str, Any]:
    """What the parts of the trial page that change at its start and end draw
    (``_trial_parts.html``): the page itself and the fragment its script swaps in.
    ``latest`` is the newest metric point (step, value, ...), for a running trial's value."""
    return {
        "job": trial.job,
        "trial": trial,
        "command_line": command_line(trial.command),
        "latest": latest,
        "is_best": trial.job.best_trial_id == trial.pk,
    }
