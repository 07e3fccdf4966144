"""Plain values shaped for the console's charts and the tables beside them (no ORM, no
I/O, no figure): curves by trial, values JSON can carry, thinned curves, best so far,
the per-algorithm leaderboard, worker-slot lanes, the unit of a time axis.

JSON has no NaN or Infinity, so a value that is not finite becomes None (a gap in a
line) and the tables beside the charts say what it was.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from trainingjobs.models import Trial


@dataclass(frozen=True)
class Curve:
    """One trial's reports: ``values[i]`` was reported at ``steps[i]`` (None: not finite)."""

    label: str
    steps: list[int]
    values: list[float | None]
    best: bool = False
    meta: dict[str, Any] = field(default_factory=dict)


def finite(value: float | None) -> float | None:
    """The value, or None when it is missing, NaN or infinite (JSON cannot carry those).

    >>> finite(0.5), finite(float("nan")), finite(float("inf")), finite(None)
    (0.5, None, None, None)
    """
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def curves_by_trial(
    points: Iterable[tuple[int, int, float | None]],
) -> dict[int, tuple[list[int], list[float | None]]]:
    """``(trial_id, step, value)`` rows, any order, as ``{trial_id: (steps, values)}`` by step.

    >>> curves_by_trial([(2, 2, 0.5), (1, 1, 0.1), (2, 1, 0.4)])
    {2: ([1, 2], [0.4, 0.5]), 1: ([1], [0.1])}
    """
    grouped: dict[int, list[tuple[int, float | None]]] = {}
    for trial_id, step, value in points:
        grouped.setdefault(trial_id, []).append((step, value))
    return {
        trial_id: ([s for s, _ in sorted(rows)], [v for _, v in sorted(rows)])
        for trial_id, rows in grouped.items()
    }


def compact(value: float | None) -> float | None:
    """A finite value to 6 significant digits (smaller pages), else None.

    >>> compact(0.123456789), compact(float("nan")), compact(None)
    (0.123457, None, None)
    """
    value = finite(value)
    return None if value is None else float(f"{value:.6g}")


def chart_value(value: float | None) -> float | None:
    """A value as the metric chart draws it: 4 significant digits (a pixel is coarser)."""
    value = finite(value)
    return None if value is None else float(f"{value:.4g}")


def value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "—" if value is None else str(value)


def thin(values: Sequence[float | None], keep: int) -> tuple[list[int], list[float | None]]:
    """A curve cut to about ``keep`` points that still looks the same: ``(reports, values)``.

    ``values[i]`` is report ``i + 1`` (None: NaN, a gap). A curve of at most ``keep``
    values comes back whole. A longer one keeps, in each run of finite values, a share of
    ``keep`` picked by largest-triangle-three-buckets (``_lttb``: the point of each
    bucket that bends the line most, so knees and spikes survive where an average or a
    stride would flatten them), the first and last report of the run, and the first NaN
    after it (the gap stays a gap).

    >>> thin([0.1, 0.2, 0.3], 8)
    ([1, 2, 3], [0.1, 0.2, 0.3])
    >>> thin([0.0, 0.1, 0.2, 0.9, 0.2, 0.1, 0.0, 0.1, 0.2], 5)
    ([1, 3, 4, 6, 9], [0.0, 0.2, 0.9, 0.1, 0.2])
    >>> thin([1.0, 2.0, 3.0, None, 5.0, 6.0, 7.0, 8.0], 4)
    ([1, 3, 4, 5, 8], [1.0, 3.0, None, 5.0, 8.0])
    """
    n = len(values)
    if n <= keep:
        return list(range(1, n + 1)), list(values)
    runs: list[tuple[int, int]] = []  # [start, end) of each run of finite values
    i = 0
    while i < n:
        if values[i] is None:
            i += 1
            continue
        j = i
        while j < n and values[j] is not None:
            j += 1
        runs.append((i, j))
        i = j
    finite_count = sum(end - start for start, end in runs) or 1
    picked: list[int] = []
    for start, end in runs:
        share = max(2, round(keep * (end - start) / finite_count))
        picked += _lttb(values, start, end, share)
        if end < n:
            picked.append(end)  # the NaN that ends the run: a gap in the line
    return [i + 1 for i in picked], [values[i] for i in picked]


def _lttb(values: Sequence[float | None], start: int, end: int, keep: int) -> list[int]:
    """Indexes of ``keep`` points of ``values[start:end]`` (all finite), first and last
    included: largest-triangle-three-buckets (Steinarsson 2013), x being the index."""
    count = end - start
    if count <= keep or keep < 3:
        return list(range(start, end)) if count <= keep else [start, end - 1]
    y: list[float] = [float(v) for v in values[start:end]]  # type: ignore[arg-type]
    width = (count - 2) / (keep - 2)
    out = [0]
    a = 0
    for b in range(keep - 2):
        low, high = int(b * width) + 1, int((b + 1) * width) + 1
        nxt_low, nxt_high = high, min(int((b + 2) * width) + 1, count)
        if b == keep - 3:
            nxt_low, nxt_high = count - 1, count
        avg_x = (nxt_low + nxt_high - 1) / 2
        avg_y = sum(y[nxt_low:nxt_high]) / (nxt_high - nxt_low)
        best, best_area = low, -1.0
        for k in range(low, high):
            area = abs((a - avg_x) * (y[k] - y[a]) - (a - k) * (avg_y - y[a]))
            if area > best_area:
                best, best_area = k, area
        out.append(best)
        a = best
    out.append(count - 1)
    return [start + k for k in out]


def _better(goal: str) -> Any:
    return (lambda a, b: a < b) if goal == "minimize" else (lambda a, b: a > b)


def best_so_far(
    rows: Sequence[Mapping[str, Any]], *, goal: str, by: str = "number"
) -> dict[str, dict[str, list[Any]]]:
    """The best value reached so far, per search algorithm and overall ("" key).

    Scored trials (``Trial.SCORED``: completed or early stopped) with a value, as the
    job's best counts them, in trial-number order (``by="number"``) or in the order they
    ended (``by="finished"``, x in seconds since the job started).

    >>> rows = [{"number": 1, "algorithm": "tpe", "value": 0.5, "finished": 60},
    ...         {"number": 2, "algorithm": "random", "value": 0.7, "finished": 30},
    ...         {"number": 3, "algorithm": "tpe", "value": 0.6, "finished": 90},
    ...         {"number": 4, "algorithm": "tpe", "value": 0.9, "status": "lost"}]
    >>> rows = [{"status": "completed", **r} for r in rows]
    >>> best_so_far(rows, goal="maximize")[""]
    {'x': [1, 2, 3], 'y': [0.5, 0.7, 0.7], 'number': [1, 2, 2]}
    >>> best_so_far(rows, goal="maximize", by="finished")["tpe"]
    {'x': [60.0, 90.0], 'y': [0.5, 0.6], 'number': [1, 3]}
    """
    better = _better(goal)
    scored = [r for r in rows if _scored_value(r) is not None]
    if by == "finished":
        scored = [r for r in scored if r.get("finished") is not None]
        scored.sort(key=lambda r: (r["finished"], r["number"]))
    else:
        scored.sort(key=lambda r: r["number"])
    series: dict[str, dict[str, list[Any]]] = {}
    best: dict[str, tuple[float, int]] = {}
    for row in scored:
        x = row["number"] if by == "number" else float(row["finished"])
        for key in ("", row.get("algorithm") or ""):
            value = float(row["value"])
            if key not in best or better(value, best[key][0]):
                best[key] = (value, row["number"])
            line = series.setdefault(key, {"x": [], "y": [], "number": []})
            line["x"].append(x)
            line["y"].append(compact(best[key][0]))
            line["number"].append(best[key][1])
    return series


def leaderboard(
    rows: Sequence[Mapping[str, Any]], *, goal: str, best_number: int | None
) -> list[dict[str, Any]]:
    """Per search algorithm: best value and trial among its scored trials (``Trial.SCORED``,
    as the job's best), trials run, failures, overall best.

    >>> rows = [{"number": 1, "algorithm": "tpe", "status": "completed", "value": 0.5},
    ...         {"number": 2, "algorithm": "grid", "status": "failed", "value": None},
    ...         {"number": 3, "algorithm": "grid", "status": "completed", "value": 0.9},
    ...         {"number": 4, "algorithm": "tpe", "status": "lost", "value": 0.95}]
    >>> [(r["algorithm"], r["best"], r["trials"], r["failures"], r["found_best"])
    ...  for r in leaderboard(rows, goal="maximize", best_number=3)]
    [('grid', 0.9, 2, 1, True), ('tpe', 0.5, 2, 1, False)]
    """
    better = _better(goal)
    board: dict[str, dict[str, Any]] = {}
    for row in rows:
        name = row.get("algorithm") or ""
        entry = board.setdefault(
            name,
            {
                "algorithm": name,
                "best": None,
                "best_number": None,
                "trials": 0,
                "failures": 0,
                "found_best": False,
            },
        )
        entry["trials"] += 1
        entry["failures"] += row["status"] in ("failed", "lost")
        entry["found_best"] |= row["number"] == best_number
        value = _scored_value(row)
        if value is not None and (entry["best"] is None or better(value, entry["best"])):
            entry["best"], entry["best_number"] = compact(value), row["number"]
    sign = 1 if goal == "minimize" else -1
    return sorted(
        board.values(),
        key=lambda e: (e["best"] is None, sign * (e["best"] or 0.0), e["algorithm"]),
    )


def _scored_value(row: Mapping[str, Any]) -> float | None:
    """A row's value when it is a result (a scored trial's finite value), else None."""
    return finite(row.get("value")) if row.get("status") in Trial.SCORED else None


def lanes(spans: Sequence[tuple[float, float]]) -> list[int]:
    """A lane for each (start, end) span so that spans in one lane never overlap: the
    worker slots as the schedule used them.

    >>> lanes([(0, 10), (1, 5), (6, 12), (11, 13)])
    [0, 1, 1, 0]
    """
    order = sorted(range(len(spans)), key=lambda i: spans[i])
    free_at: list[float] = []
    lane = [0] * len(spans)
    for i in order:
        start, end = spans[i]
        for n, until in enumerate(free_at):
            if until <= start:
                lane[i], free_at[n] = n, end
                break
        else:
            lane[i] = len(free_at)
            free_at.append(end)
    return lane


@dataclass(frozen=True)
class TimeUnit:
    """How a time axis counts: ``seconds`` per unit, its ``name`` for an axis title and
    its ``short`` form beside a number."""

    seconds: float
    name: str
    short: str

    def of(self, seconds: float) -> float:
        """``seconds`` in this unit, rounded to what an axis or a hover shows."""
        return round(seconds / self.seconds, 3)


SECONDS = TimeUnit(1.0, "seconds", "s")
MINUTES = TimeUnit(60.0, "minutes", "min")
HOURS = TimeUnit(3600.0, "hours", "h")


def time_unit(span: float) -> TimeUnit:
    """The unit a time axis spanning ``span`` seconds reads best in: seconds up to five
    minutes, minutes up to five hours, hours past that, so the axis counts at least five
    whole units (with ``tick_step``: whole, round ticks, never 0.25 of a minute).

    >>> [time_unit(s).name for s in (0, 45, 300, 301, 5 * 3600, 5 * 3600 + 1)]
    ['seconds', 'seconds', 'seconds', 'minutes', 'minutes', 'hours']
    >>> time_unit(5400).of(90)
    1.5
    """
    if span <= 5 * MINUTES.seconds:
        return SECONDS
    if span <= 5 * HOURS.seconds:
        return MINUTES
    return HOURS


def tick_step(span: float, most: int = 8) -> int:
    """The distance between ticks on an axis ``span`` units long: the smallest of 1, 2,
    5, 10, 20, 50 ... that puts at most ``most`` steps over it (so no fractional tick).

    >>> [tick_step(s) for s in (0, 3, 8, 9, 40, 133, 290)]
    [1, 1, 1, 2, 5, 20, 50]
    """
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if span <= most * factor * magnitude:
                return factor * magnitude
        magnitude *= 10
