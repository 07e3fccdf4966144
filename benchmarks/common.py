"""Utilities shared by the benchmark scripts: markdown tables, process pools, stats."""

from __future__ import annotations

import math
import multiprocessing
import os
import platform
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")
R = TypeVar("R")

MAX_JOBS = 2  # the benchmark machine has two cores shared with other work


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Rows as a GitHub markdown table; floats keep 3 significant digits."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(fmt(cell) for cell in row) + " |")
    return "\n".join(lines)


def fmt(value: Any) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        if value == 0:
            return "0"
        if abs(value) >= 1000 or abs(value) < 1e-3:
            return f"{value:.2e}"
        return f"{value:.3g}"
    return str(value)


def geomean(values: Sequence[float], floor: float = 1e-6) -> float:
    """Geometric mean, values clipped below at ``floor`` so a zero does not swallow it."""
    finite = [max(v, floor) for v in values if math.isfinite(v)]
    if not finite or len(finite) < len(values):
        return float("nan")
    return float(np.exp(np.mean(np.log(finite))))


def imap_jobs(fn: Callable[[T], R], items: Sequence[T], jobs: int) -> Iterator[R]:
    """``map`` in up to ``jobs`` (capped at 2) spawned processes, results as they finish."""
    jobs = max(1, min(jobs, MAX_JOBS))
    if jobs == 1:
        yield from map(fn, items)
        return
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(jobs, maxtasksperchild=50) as pool:
        yield from pool.imap_unordered(fn, items)


def machine_line() -> str:
    """When and where a run happened, for the head of each printed report."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{stamp}; {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )


def versions() -> str:
    """Library versions in play, e.g. ``optuna 5.0.0, hyperopt 0.3.0``."""
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in ("numpy", "scipy", "scikit-learn", "optuna", "hyperopt", "smac", "torch"):
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            continue
    return ", ".join(found)
