"""The live job page's metric chart: every trial's curve, read cheaply and sent small.

The chart is the page's heaviest part (1000 trials x 100 reports is 100,000 points), so
it travels in a request of its own (``metric_of``), after the page's first paint:

- an ended trial's curve is thinned to ``per_curve(n)`` points (``chart_data.thin``: the
  points that bend the line most, gaps kept), about ``POINT_BUDGET`` points for all of
  them together: in a chart 1,000 pixels wide a thousand grey lines show no more, and
  Plotly draws 100,000 points in seconds, 10,000 in a tenth of that;
- the best trial and running trials keep every point (the page extends running ones);
- an ended trial's points never change, so its thinned curve is read once and cached
  (``CACHE_PREFIX``, one entry per job and resolution, keyed by trial id and end time):
  a later request reads only the points of trials that ended since, and of the running
  ones and the best. A trial that ended again (its end time changed) is read again.

Shapes: ``rows`` are ``dashboard.trial_rows`` dicts; a cached curve is
``(finished, reports, steps, values)`` with ``steps[i]`` the report (1-based) of
``values[i]`` (None: NaN) and ``reports`` how many the trial made; ``steps`` and
``values`` are None for a trial counted but not drawn (past ``CHART_TRIALS``).
Reads only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.cache import cache
from django.db.models import Max

from trainingjobs import chart_data
from trainingjobs.models import MetricPoint, Trial

# Points of all ended trials' curves together, about (a chart is ~1,000 pixels wide).
POINT_BUDGET = 10_000
# Per-curve points run from MIN_POINTS to MAX_POINTS, in powers of two, so that the
# cache changes resolution (and is read again) a handful of times in a job's life.
MIN_POINTS, MAX_POINTS = 8, 256
CACHE_PREFIX = "dashboard-curves"
CACHE_SECONDS = 6 * 3600
# Trials per query of ``trial_id IN (...)`` (SQLite's variable limit).
ID_CHUNK = 900

Entry = tuple[str, int, list[int] | None, list[float | None] | None]


def per_curve(ended: int) -> int:
    """Points kept of each ended trial's curve when ``ended`` trials are drawn.

    >>> [per_curve(n) for n in (0, 10, 100, 300, 1000, 1500, 10000)]
    [256, 256, 64, 32, 8, 8, 8]
    """
    share = POINT_BUDGET // max(ended, 1)
    points = MAX_POINTS
    while points > MIN_POINTS and points > share:
        points //= 2
    return points


def attach_curves(
    job_id: int,
    rows: Sequence[dict[str, Any]],
    drawn: Iterable[int],
    best_number: int | None,
) -> None:
    """Give each row its ``reports``; the rows numbered in ``drawn`` also their ``curve``
    (and ``steps`` when thinned). Queries: one for the running trials and the best, and,
    for trials ended since the last request, one for their points and one for the counts
    of those not drawn (per ``ID_CHUNK`` trials)."""
    drawn_numbers = set(drawn)
    full = [
        r
        for r in rows
        if r["number"] in drawn_numbers
        and (r["status"] not in Trial.FINISHED or r["number"] == best_number)
    ]
    full_ids = {r["id"] for r in full}
    ended = [r for r in rows if r["status"] in Trial.FINISHED and r["id"] not in full_ids]
    keep = per_curve(sum(1 for r in ended if r["number"] in drawn_numbers))
    for row, values in zip(full, _read_curves([r["id"] for r in full]), strict=True):
        row["curve"] = values
        row["reports"] = len(values)
    cached = _ended_entries(job_id, ended, drawn_numbers, keep)
    for row in ended:
        _finished, reports, steps, kept = cached[row["id"]]
        row["reports"] = reports
        if row["number"] in drawn_numbers and kept is not None:
            row["curve"], row["steps"] = kept, steps


def _ended_entries(
    job_id: int, ended: Sequence[Mapping[str, Any]], drawn: set[int], keep: int
) -> dict[int, Entry]:
    key = f"{CACHE_PREFIX}:{job_id}:{keep}"
    cached: dict[int, Entry] = cache.get(key) or {}

    def fresh(row: Mapping[str, Any], *, curve: bool) -> bool:
        entry = cached.get(row["id"])
        return (
            entry is not None
            and entry[0] == str(row["finished"])
            and (not curve or entry[3] is not None)
        )

    need_curve = [r for r in ended if r["number"] in drawn and not fresh(r, curve=True)]
    need_count = [r for r in ended if r["number"] not in drawn and not fresh(r, curve=False)]
    if not need_curve and not need_count:
        return cached
    for row, values in zip(need_curve, _read_curves([r["id"] for r in need_curve]), strict=True):
        steps, kept = chart_data.thin(values, keep)
        cached[row["id"]] = (str(row["finished"]), len(values), steps, kept)
    counts = _read_counts([r["id"] for r in need_count])
    for row in need_count:
        cached[row["id"]] = (str(row["finished"]), counts.get(row["id"], 0), None, None)
    cache.set(key, cached, CACHE_SECONDS)
    return cached


def _read_curves(ids: Sequence[int]) -> list[list[float | None]]:
    """Each trial's values by report, in the order of ``ids`` (one query per chunk)."""
    by_trial: dict[int, list[float | None]] = {pk: [] for pk in ids}
    for start in range(0, len(ids), ID_CHUNK):
        points = (
            MetricPoint.objects.filter(trial_id__in=ids[start : start + ID_CHUNK])
            .order_by("trial_id", "step")
            .values_list("trial_id", "value")
        )
        for trial_id, value in points.iterator(chunk_size=5000):
            by_trial[trial_id].append(value)
    return [by_trial[pk] for pk in ids]


def _read_counts(ids: Sequence[int]) -> dict[int, int]:
    """Each trial's reports (its last step: steps run 1, 2, 3 ...)."""
    counts: dict[int, int] = {}
    for start in range(0, len(ids), ID_CHUNK):
        rows = (
            MetricPoint.objects.filter(trial_id__in=ids[start : start + ID_CHUNK])
            .order_by()
            .values("trial_id")
            .annotate(n=Max("step"))
            .values_list("trial_id", "n")
        )
        counts.update((pk, int(n or 0)) for pk, n in rows)
    return counts
