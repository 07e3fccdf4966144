"""The lines of a trial's log that its job's metric regex matches (the log view marks them)."""

from __future__ import annotations

from functools import lru_cache

from algorithms.metric_regex import MetricMatcher, compile_metric_regex, match_line
from trainingjobs.models import TrainingJob


def metric_lines(job_id: int, text: str) -> list[int]:
    """0-based indexes of the lines of ``text`` the job's metric regex matches."""
    return marked_lines(job_regex(job_id), text)


def job_regex(job_id: int) -> str:
    regex = TrainingJob.objects.filter(pk=job_id).values_list("metric_regex", flat=True).first()
    return regex or ""


def marked_lines(regex: str, text: str) -> list[int]:
    """0-based indexes of the lines of ``text`` that ``regex`` (a metric regex) matches."""
    if not regex:
        return []
    matcher = _matcher(regex)
    return [i for i, line in enumerate(text.split("\n")) if match_line(matcher, line) is not None]


@lru_cache(maxsize=256)
def _matcher(regex: str) -> MetricMatcher:
    return compile_metric_regex(regex)
