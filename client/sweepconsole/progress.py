"""Watching a job: a live bar (trials done / running / best so far) and the end summary."""

from __future__ import annotations

import time
from collections import Counter
from typing import TYPE_CHECKING

from rich.console import Console as RichConsole
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
)

from sweepconsole.errors import ConsoleError
from sweepconsole.formatting import format_value, plural
from sweepconsole.trials import ended_of

if TYPE_CHECKING:
    from sweepconsole.resources import Job

__all__ = ["counts_of", "run_time_text", "summary", "watch"]

FINISHED_TRIALS = ("completed", "failed", "early_stopped", "canceled", "lost")


def counts_of(job: Job) -> dict[str, int]:
    """Trials per status, from the job's ``trial_counts`` (or by counting its trials)."""
    counts = job.data.get("trial_counts")
    if isinstance(counts, dict):
        return {str(k): int(v or 0) for k, v in counts.items()}
    counted = Counter(trial.status for trial in job.trials())
    return {**counted, "total": sum(counted.values())}


def run_time_text(job: Job) -> str:
    """The job's own running time ("0:12:05"), from the API's ``run_seconds`` (paused
    stretches left out, stopped at the job's end), not the watcher's clock.

    >>> from sweepconsole.resources import Job
    >>> run_time_text(Job(None, {"run_seconds": 3725.4}))
    '1:02:05'
    """
    seconds = job.data.get("run_seconds")
    if not isinstance(seconds, int | float) or seconds < 0:
        return "-:--:--"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def _best_text(job: Job) -> str:
    best = job.data.get("best_trial")
    if not isinstance(best, dict) or best.get("value") is None:
        return "best -"
    return f"best {job.metric_name or 'value'} {format_value(best.get('value'))}"


def summary(job: Job) -> str:
    """One paragraph: final status, trial counts, the best trial and its values."""
    counts = counts_of(job)
    parts = [f"{counts.get(s, 0)} {s.replace('_', ' ')}" for s in FINISHED_TRIALS if counts.get(s)]
    reason = str(job.data.get("status_reason") or "").strip()
    lines = [
        f"Job {job.id} {job.name!r} {job.status}: {plural(counts.get('total', 0), 'trial')}"
        + (f" ({', '.join(parts)})" if parts else "")
        + (f". {reason}" if reason else "")
    ]
    best = job.data.get("best_trial")
    if isinstance(best, dict) and best.get("id") is not None:
        values = ", ".join(f"{k}={format_value(v)}" for k, v in (best.get("params") or {}).items())
        lines.append(
            f"Best trial #{best.get('number')} (id {best['id']}): "
            f"{job.metric_name or 'value'}={format_value(best.get('value'))}"
            + (f" with {values}" if values else "")
        )
    else:
        lines.append("No trial has a value yet.")
    return "\n".join(lines)


def watch(
    job: Job,
    *,
    show_output: bool = True,
    show_log: bool = False,
    poll: float = 2.0,
    timeout: float | None = None,
    out: RichConsole | None = None,
) -> Job:
    deadline = None if timeout is None else time.monotonic() + timeout
    out = out or RichConsole()

    def expired() -> bool:
        return deadline is not None and time.monotonic() > deadline

    if not show_output:
        job.refresh()
        while not job.is_finished:
            if expired():
                raise ConsoleError(f"Job {job.id} is still {job.status} after {timeout}s.")
            time.sleep(poll)
            job.refresh()
        return job

    columns = (
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}", markup=False),
        TextColumn("{task.fields[run_time]}", markup=False),
    )
    with Progress(*columns, console=out, transient=False) as progress:
        task = progress.add_task(f"job {job.id}", total=None, detail="", run_time="")
        while True:
            job.refresh()
            counts = counts_of(job)
            # As the pages count: canceled and lost trials are not among those ended.
            done = ended_of(counts)
            running = counts.get("running", 0)
            total = int(job.data.get("max_trials") or 0) or None
            if job.is_finished:
                total = done
            detail = f"{job.status} · running {running} · {_best_text(job)}"
            progress.update(
                task, completed=done, total=total, detail=detail, run_time=run_time_text(job)
            )
            if job.is_finished:
                break
            if expired():
                raise ConsoleError(f"Job {job.id} is still {job.status} after {timeout}s.")
            time.sleep(poll)
    out.print(summary(job), highlight=False, markup=False)
    if show_log:
        best = job.get_best_run_by_primary_metric()
        if best is not None:
            out.rule(f"log of trial #{best.number} (id {best.id}), last lines")
            out.print(best.log(), highlight=False, markup=False)
    return job
