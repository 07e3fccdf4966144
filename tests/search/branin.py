"""Branin, the small benchmark the sampler tests run budgets on, and trial-dict helpers."""

from __future__ import annotations

import math
from typing import Any

from search import make_sampler

BRANIN = {
    "x": {"type": "uniform", "low": -5, "high": 10},
    "y": {"type": "uniform", "low": 0, "high": 15},
}
BRANIN_MIN = 0.397887


def branin(params: dict[str, Any]) -> float:
    x, y = params["x"], params["y"]
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - t) * math.cos(x) + 10


def completed(params: dict[str, Any], value: float) -> dict[str, Any]:
    return {"params": params, "value": value, "status": "completed", "curve": [value]}


def completed_on_branin(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [completed(p, branin(p)) for p in points]


def regret_after(name: str, seed: int, budget: int, **params: Any) -> float:
    """Best Branin value minus the optimum after `budget` sequential suggestions."""
    sampler = make_sampler(name, BRANIN, goal="minimize", seed=seed, **params)
    history: list[dict[str, Any]] = []
    while len(history) < budget:
        point = sampler.suggest(history)[0]
        history.append(completed(point, branin(point)))
    return min(h["value"] for h in history) - BRANIN_MIN
