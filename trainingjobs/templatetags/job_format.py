"""Template filters for training-job pages; thin wrappers over ``trainingjobs.pages``."""

from __future__ import annotations

from typing import Any

from django import template

from trainingjobs.pages import format_duration, format_metric, format_param, job_tally
from trainingjobs.pages import run_time as seconds_run
from trainingjobs.trial_budget import TrialTally

register = template.Library()


@register.filter
def metric(value: float | None) -> str:
    """A metric value: 6 significant digits, NaN and inf spelled out, an em dash for none."""
    return format_metric(value)


@register.filter
def param(value: Any) -> str:
    """A hyperparameter value in a table (floats shortened; the trial page shows them whole)."""
    return format_param(value)


@register.filter
def run_time(obj: Any) -> str:
    """How long a job or trial has run (a job: its running time, pauses left out)."""
    return format_duration(seconds_run(obj))


@register.filter
def tally(job: Any) -> TrialTally:
    """A listed job's trials ended of its total, lost and canceled ones apart
    (``trial_budget``; the job annotated by ``pages.with_trial_counts``)."""
    return job_tally(job)


@register.filter
def get_param(params: dict[str, Any] | None, name: str) -> Any:
    return (params or {}).get(name)


@register.filter
def sort_key(value: Any) -> str:
    """A value as a ``data-sort`` attribute: numbers as numbers, missing ones last."""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(float(value))
    return "" if value is None else str(value)
