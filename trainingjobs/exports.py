"""Exports of a job's trials and metric points as CSV and JSON, streamed.

Rows are read in chunks (``iterator``) and written as they are read, so a job of 10,000
trials or a million points never sits in memory whole. CSV cells are made safe for
spreadsheets: the csv module quotes commas, quotes and newlines, and a text cell that
starts like a formula (``= + - @``, tab, carriage return) gets a leading apostrophe so a
spreadsheet shows it instead of running it. Numbers are written as numbers.

Trials in CSV have one ``param:<name>`` column per searched parameter; in JSON each trial
nests them as an object::

    [{"number": 1, "status": "completed", "algorithm": "tpe", "value": 0.93,
      "started_at": "...", "finished_at": "...", "duration_s": 41.2,
      "params": {"lr": 0.012, "batch": 64}}, ...]
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from trainingjobs.models import MetricPoint, TrainingJob, Trial

CHUNK = 2000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TRIAL_COLUMNS = (
    "number",
    "status",
    "algorithm",
    "value",
    "started_at",
    "finished_at",
    "duration_s",
)
POINT_COLUMNS = ("trial", "step", "value", "created_at")


def safe_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet neither splits nor runs as a formula.

    >>> safe_cell("=HYPERLINK(1)"), safe_cell("-1"), safe_cell(-1.5), safe_cell(None)
    ("'=HYPERLINK(1)", "'-1", -1.5, '')
    >>> safe_cell(float("nan")), safe_cell(float("-inf")), safe_cell(True)
    ('nan', '-inf', 'true')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if not isinstance(value, str):
        value = json.dumps(value, separators=(",", ":"))
    return "'" + value if value.startswith(FORMULA_START) else value


class _Echo:
    """A file whose write returns what it was given (csv.writer into a generator)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([safe_cell(v) for v in row])


def json_lines(items: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A JSON array of objects, one per item, written as the items are read."""
    yield "["
    for i, item in enumerate(items):
        yield ("," if i else "") + "\n" + json.dumps(_json_value(item), allow_nan=False)
    yield "\n]\n"


def _json_value(value: Any) -> Any:
    """A value JSON can hold: NaN as null, infinities as "inf"/"-inf", times in ISO 8601,
    inside objects and lists too (a parameter's value may be any of them).

    >>> _json_value({"v": float("nan"), "p": {"x": float("-inf")}, "l": [float("inf")]})
    {'v': None, 'p': {'x': '-inf'}, 'l': ['inf']}
    """
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _json_value(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value


def trial_header(job: TrainingJob) -> list[str]:
    """The CSV's trial columns, then one column per searched parameter (``param:<name>``)."""
    return [*TRIAL_COLUMNS, *(f"param:{name}" for name in job.search_space)]


def trial_items(job: TrainingJob) -> Iterator[dict[str, Any]]:
    """The JSON's trials: the trial columns as keys, and the searched parameters nested
    as ``"params": {name: value}`` (null for one a trial lacks), as Optuna's and
    HyperDrive's exports nest them."""
    names = list(job.search_space)
    for row in trial_rows(job):
        item = dict(zip(TRIAL_COLUMNS, row, strict=False))
        item["params"] = dict(zip(names, row[len(TRIAL_COLUMNS):], strict=True))
        yield item


def trial_rows(job: TrainingJob) -> Iterator[list[Any]]:
    names = list(job.search_space)
    trials = (
        Trial.objects.filter(job=job)
        .order_by("number")
        .values_list(
            "number", "status", "algorithm", "value", "started_at", "finished_at", "params"
        )
    )
    for number, status, algorithm, value, start, end, params in trials.iterator(chunk_size=CHUNK):
        duration = (end - start).total_seconds() if start and end else None
        yield [
            number,
            status,
            algorithm,
            value,
            start,
            end,
            duration,
            *((params or {}).get(name) for name in names),
        ]


def point_rows(job: TrainingJob) -> Iterator[list[Any]]:
    points = (
        MetricPoint.objects.filter(trial__job=job)
        .order_by("trial__number", "step")
        .values_list("trial__number", "step", "value", "created_at")
    )
    for number, step, value, at in points.iterator(chunk_size=CHUNK):
        yield [number, step, float("nan") if value is None else value, at]


def export(job: TrainingJob, what: str, fmt: str) -> Iterator[str]:
    """The lines of ``what`` ("trials" or "points") in ``fmt`` ("csv" or "json")."""
    if fmt == "json":
        if what == "trials":
            return json_lines(trial_items(job))
        return json_lines(dict(zip(POINT_COLUMNS, row, strict=True)) for row in point_rows(job))
    if what == "trials":
        return csv_lines(trial_header(job), trial_rows(job))
    return csv_lines(POINT_COLUMNS, point_rows(job))
