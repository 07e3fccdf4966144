"""Exports of a job's trials and metric points as CSV and JSON, streamed.

Rows are read in chunks (``iterator``) and written as they are read, so a job of 10,000
trials or a million points never sits in memory whole. CSV cells are made safe for
spreadsheets: the csv module quotes commas, quotes and newlines, and a text cell that
starts like a formula (``= + - @``, tab, carriage return) gets a leading apostrophe so a
spreadsheet shows it instead of running it. Numbers are written as numbers.
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


def json_lines(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """A JSON array of objects, one per row, written as the rows are read."""
    names = list(header)
    yield "["
    for i, row in enumerate(rows):
        item = {name: _json_value(v) for name, v in zip(names, row, strict=True)}
        yield ("," if i else "") + "\n" + json.dumps(item, allow_nan=False)
    yield "\n]\n"


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def trial_header(job: TrainingJob) -> list[str]:
    """The trial columns, then one column per searched parameter (``param:<name>``)."""
    return [*TRIAL_COLUMNS, *(f"param:{name}" for name in job.search_space)]


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
    if what == "trials":
        header, rows = trial_header(job), trial_rows(job)
    else:
        header, rows = list(POINT_COLUMNS), point_rows(job)
    return csv_lines(header, rows) if fmt == "csv" else json_lines(header, rows)
