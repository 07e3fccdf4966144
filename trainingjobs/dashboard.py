"""What the live job page loads over HTTP before it applies events: the snapshot.

``snapshot(job)`` reads the job's last event number first, then its trials (one query),
so every change after that number arrives as an event the page applies on top (events
are idempotent there: a point is keyed by its step, a status is a status). The page
carries the snapshot and draws its table at once; the charts come after the first
paint, each from a request of its own: ``metric_of`` (every trial's curve, thinned and
cached by ``trainingjobs.dashboard_metric``), ``figures_of`` (the charts redrawn when a
trial ends, not at each point: best-so-far, parallel coordinates, slices, timeline) and
``importance_of`` (a forest fit per bootstrap, cached per ended trial).
Reads only; the figures come from the pure builders in ``trainingjobs.dashboard_charts``
and ``trainingjobs.charts``, the tables' values from ``trainingjobs.chart_data``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from search import SearchSpace, importance
from trainingjobs import (
    chart_data,
    charts,
    dashboard_charts,
    dashboard_metric,
    event_payloads,
    events,
    trial_budget,
)
from trainingjobs.models import TrainingJob, Trial

REASON_CHARS = 300
TRIAL_FIELDS = (
    "pk",
    "number",
    "status",
    "status_reason",
    "algorithm",
    "params",
    "value",
    "started_at",
    "finished_at",
    "stop_requested",
)


def snapshot(job: TrainingJob) -> dict[str, Any]:
    """The page's starting state: the job, its trials (no ``reports`` until the metric
    chart's request counts them), the leaderboard. ``figures`` is empty: the charts have
    requests of their own."""
    seq = events.last_seq(job.pk)  # first: what happens after it comes as events
    rows = trial_rows(job)
    best = _best_number(job, rows)
    return {
        "seq": seq,
        "job": job_info(job, best_number=best),
        "space": space_info(job),
        "trials": rows,
        # The trials ended of the total in the budget's words; the job socket's
        # job.progress brings it anew as the trials move on.
        "tally": trial_tally(job, rows).as_dict(),
        "leaderboard": chart_data.leaderboard(rows, goal=job.metric_goal, best_number=best),
        "figures": {},
    }


def metric_of(job: TrainingJob) -> dict[str, Any]:
    """The metric chart (``dashboard_charts.metric_live_figure``), the last event number
    and the best trial it holds, and every trial's reports (``{number: reports}``, for
    the page's table), and each running trial's latest report (``{number: [report,
    value]}``: the table shows it, marked as the latest, until the trial's value comes)."""
    seq = events.last_seq(job.pk)
    rows = trial_rows(job)
    best = _best_number(job, rows)
    drawn = _with_best(latest_rows(rows), rows, best)
    dashboard_metric.attach_curves(job.pk, rows, (r["number"] for r in drawn), best)
    return {
        "seq": seq,
        "best_number": best,
        "reports": {str(r["number"]): r["reports"] for r in rows if r.get("reports")},
        "latest": {
            str(r["number"]): [len(r["curve"]), chart_data.finite(r["curve"][-1])]
            for r in rows
            if r["status"] not in Trial.FINISHED and r.get("curve")
        },
        "figure": dashboard_charts.metric_live_figure(
            drawn, metric_name=job.metric_name, best_number=best
        ),
    }


# Past this many trials a chart draws a chosen part of them (the table lists them all):
# the best ones in the parallel coordinates and the slices, the latest on the timeline
# and in the metric chart's ended line. Enough to read, and a browser stays quick.
CHART_TRIALS = 1500


def best_rows(
    rows: Sequence[Mapping[str, Any]], goal: str, keep: int = CHART_TRIALS
) -> Sequence[Mapping[str, Any]]:
    """At most ``keep`` rows: those with the best values (then the rest), in number order."""
    if len(rows) <= keep:
        return rows
    sign = -1.0 if goal == "maximize" else 1.0
    ranked = sorted(rows, key=lambda r: (r["value"] is None, sign * (r["value"] or 0.0)))
    return sorted(ranked[:keep], key=lambda r: r["number"])


def latest_rows(
    rows: Sequence[Mapping[str, Any]], keep: int = CHART_TRIALS
) -> Sequence[Mapping[str, Any]]:
    """At most ``keep`` rows: every running one and the latest others."""
    if len(rows) <= keep:
        return rows
    running = [r for r in rows if r["status"] == Trial.Status.RUNNING]
    others = [r for r in rows if r["status"] != Trial.Status.RUNNING]
    return sorted([*others[-(keep - len(running)) :], *running], key=lambda r: r["number"])


def figures(
    job: TrainingJob, rows: Sequence[Mapping[str, Any]], *, best_number: int | None
) -> dict[str, Any]:
    """The charts and tables that change only when a trial ends."""
    names = list(job.search_space)
    logs = log_names(job)
    every = rows
    rows = best_rows(rows, job.metric_goal)
    return {
        "leaderboard": chart_data.leaderboard(every, goal=job.metric_goal, best_number=best_number),
        "figures": {
            "best": dashboard_charts.best_so_far_figure(
                every, goal=job.metric_goal, metric_name=job.metric_name
            ),
            "parallel": charts.parallel_figure(
                [
                    {
                        "params": r["params"],
                        "value": r["value"],
                        "label": f"trial {r['number']}",
                        "number": r["number"],
                        "best": r["number"] == best_number,
                    }
                    for r in rows
                ],
                names=names,
                metric_name=job.metric_name,
                goal=job.metric_goal,
                log_names=logs,
            ),
            "slice": dashboard_charts.slice_figure(
                rows, names=names, metric_name=job.metric_name, log_names=logs
            ),
            "timeline": dashboard_charts.timeline_figure(
                latest_rows(every), now=_seconds(job, timezone.now()) or 0.0
            ),
        },
    }


def figures_of(job: TrainingJob) -> dict[str, Any]:
    """The charts that change when a trial ends, and the leaderboard."""
    rows = trial_rows(job)
    return figures(job, rows, best_number=_best_number(job, rows))


def importance_of(job: TrainingJob) -> dict[str, Any]:
    """The importance chart: its own request, as a forest fit can take a moment."""
    rows = trial_rows(job)
    return {"figure": dashboard_charts.importance_figure(job_importance(job, rows))}


def trial_rows(job: TrainingJob) -> list[dict[str, Any]]:
    """Every trial of the job as the page's dicts, in number order (one query).

    ``reason`` and ``stopping`` are left out when empty (10,000 trials are 10,000 of each
    on the page), and ``reports`` until the metric chart's request counts them."""
    trials = Trial.objects.filter(job=job).order_by("number").values_list(*TRIAL_FIELDS)
    origin = job.started_at or job.created_at
    rows = []
    for pk, number, status, reason, algorithm, params, value, start, end, stop in trials:
        row = {
            "id": pk,
            "number": number,
            "status": status,
            "algorithm": algorithm,
            "params": params,
            "value": chart_data.finite(value),
            "started": _since(origin, start),
            "finished": _since(origin, end),
        }
        if reason:
            row["reason"] = reason[:REASON_CHARS]
        if stop:
            row["stopping"] = True
        rows.append(row)
    return rows


def job_info(job: TrainingJob, *, best_number: int | None) -> dict[str, Any]:
    return {
        "id": job.pk,
        "name": job.name,
        "status": job.status,
        "reason": job.status_reason,
        "metric": job.metric_name,
        "goal": job.metric_goal,
        "max_trials": job.max_trials,
        "max_concurrent": job.max_concurrent,
        "started_at": event_payloads.iso(job.started_at),
        "finished_at": event_payloads.iso(job.finished_at),
        "deadline_at": event_payloads.iso(job.deadline_at),
        # The running time (pauses and ended stretches left out): elapsed is run_seconds
        # plus, while running_since is set, the time since it.
        "run_seconds": job.run_seconds,
        "running_since": event_payloads.iso(job.running_since),
        "now": timezone.now().isoformat(),
        "best_number": best_number,
        # The statuses the budget counts apart: the progress bar leaves them out.
        "budget_rule": trial_budget.rule(),
        "searched": list(job.search_space),
        "fixed": job.fixed,
    }


def space_info(job: TrainingJob) -> list[dict[str, Any]]:
    """Each searched parameter: its kind (number or choice), log scale, choices."""
    out = []
    logs = log_names(job)
    for name, spec in job.search_space.items():
        values = spec.get("values") if isinstance(spec, Mapping) else None
        out.append(
            {
                "name": name,
                "kind": "choice" if values is not None else "number",
                "log": name in logs,
                "values": values,
            }
        )
    return out


def log_names(job: TrainingJob) -> frozenset[str]:
    return frozenset(
        name
        for name, spec in job.search_space.items()
        if isinstance(spec, Mapping)
        and (spec.get("log") or str(spec.get("type", "")).startswith(("log", "qlog")))
    )


def job_importance(job: TrainingJob, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """``search.importance`` of the ended trials, cached until another trial ends."""
    if not job.search_space:
        return {}
    history = [
        {"params": r["params"], "value": r["value"], "status": r["status"], "curve": []}
        for r in rows
        if r["status"] in Trial.SCORED
    ]
    key = f"dashboard-importance:{job.pk}:{len(history)}:{job.updated_at.timestamp()}"
    found = cache.get(key)
    if found is None:
        try:
            found = importance(history, SearchSpace.from_json(job.search_space))
        except (ValueError, TypeError):
            found = {}
        cache.set(key, found, 3600)
    return dict(found)


def _with_best(
    chosen: Sequence[Mapping[str, Any]], rows: Sequence[Mapping[str, Any]], best: int | None
) -> Sequence[Mapping[str, Any]]:
    if best is None or any(r["number"] == best for r in chosen):
        return chosen
    return [*chosen, *(r for r in rows if r["number"] == best)]


def _best_number(job: TrainingJob, rows: Sequence[Mapping[str, Any]]) -> int | None:
    return next((r["number"] for r in rows if r["id"] == job.best_trial_id), None)


def _seconds(job: TrainingJob, when: datetime | None) -> float | None:
    """Seconds from the job's start (or creation) to ``when``."""
    return _since(job.started_at or job.created_at, when)


def _since(origin: datetime, when: datetime | None) -> float | None:
    if when is None:
        return None
    seconds = (when - origin).total_seconds()
    return round(seconds, 2) if math.isfinite(seconds) else None


# --- what the page draws on the server --------------------------------------------------------

TABLE_ROWS = 50
ENDED = frozenset(Trial.FINISHED)


def _status_counts(rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return counts


def trial_tally(job: TrainingJob, rows: Sequence[Mapping[str, Any]]) -> trial_budget.TrialTally:
    """The job's trials ended of its total, from the snapshot's rows (no query)."""
    return trial_budget.tally(_status_counts(rows), job.max_trials)


def summary(job: TrainingJob, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts for the stats row, from the snapshot's rows (no query)."""
    counts = _status_counts(rows)
    return {
        "total": len(rows),
        "tally": trial_budget.tally(counts, job.max_trials),
        "running": counts.get(Trial.Status.RUNNING, 0),
        "searched": list(job.search_space),
        "several_algorithms": len({r["algorithm"] for r in rows}) > 1,
        "all_failed": bool(rows)
        and all(r["status"] == Trial.Status.FAILED for r in rows if r["status"] in ENDED)
        and any(r["status"] in ENDED for r in rows),
    }


def table_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The newest rows, as the page's script first lists them (it then takes over)."""
    labels = dict(Trial.Status.choices)
    newest = sorted(rows, key=lambda r: -r["number"])[:TABLE_ROWS]
    return [{**r, "status_label": labels.get(r["status"], r["status"])} for r in newest]


def best_context(job: TrainingJob) -> dict[str, Any]:
    """The best trial (its row, with the command it ran) for the best-trial panel."""
    from trainingjobs.pages import command_line

    best = Trial.objects.filter(pk=job.best_trial_id).first() if job.best_trial_id else None
    return {
        "job": job,
        "best": best,
        "best_command": command_line(best.command) if best and best.command else "",
    }
