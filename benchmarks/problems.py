"""Test problems for the search-quality benchmark: all minimised.

Each problem has a search space in the library's JSON format, an objective taking a
params dict and returning a float, and the known optimum (``None`` when unknown: the
benchmark then measures regret against the best value any method found in the run).

The objectives are module-level functions so worker processes can pickle them.
"""

from __future__ import annotations

import math
import os
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

Params = dict[str, Any]


@dataclass(frozen=True)
class Problem:
    name: str
    space: dict[str, dict[str, Any]]
    objective: Callable[[Params], float]
    optimum: float | None
    description: str
    # Regrets below this count as this: differences the objective cannot resolve.
    tolerance: float = 1e-9


# --- classic synthetic functions -------------------------------------------------------


def branin(p: Params) -> float:
    x1, x2 = p["x1"], p["x2"]
    b, c, r, s, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 6.0, 10.0, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s


_H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_H6_A = np.array(
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ]
)
_H6_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)


def hartmann6(p: Params) -> float:
    x = np.array([p[f"x{i}"] for i in range(6)])
    inner = np.sum(_H6_A * (x - _H6_P) ** 2, axis=1)
    return float(-np.sum(_H6_ALPHA * np.exp(-inner)))


def rosenbrock4(p: Params) -> float:
    x = np.array([p[f"x{i}"] for i in range(4)])
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))


def ackley5(p: Params) -> float:
    x = np.array([p[f"x{i}"] for i in range(5)])
    d = len(x)
    a = -20.0 * math.exp(-0.2 * math.sqrt(float(np.sum(x**2)) / d))
    b = -math.exp(float(np.sum(np.cos(2 * math.pi * x))) / d)
    return a + b + 20.0 + math.e


_MIXED_OFFSET = {"adam": 0.0, "sgd": 0.6, "rmsprop": 0.3, "adagrad": 1.0}


def mixed(p: Params) -> float:
    """Shifted quadratic over a float, a log-scale float, an int and a categorical."""
    return (
        (p["x"] - 1.3) ** 2
        + (math.log10(p["lr"]) + 2.5) ** 2
        + ((p["layers"] - 7) / 4.0) ** 2
        + _MIXED_OFFSET[p["optimizer"]]
    )


# --- a real model: SVC on scikit-learn's bundled digits --------------------------------

_DIGITS: tuple[np.ndarray, np.ndarray] | None = None
_SVC_MEMO: dict[tuple[float, float], float] = {}
_SVC_STEP = 0.05  # log10 grid the objective is evaluated on, so results can be cached
_SVC_CACHE_VERSION = "digits-svc-v1-500"


def _digits() -> tuple[np.ndarray, np.ndarray]:
    global _DIGITS
    if _DIGITS is None:
        from sklearn.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        # A fixed 500-sample subset keeps one evaluation near 0.1 s.
        idx = np.random.default_rng(0).permutation(len(y))[:500]
        _DIGITS = (X[idx] / 16.0, y[idx])
    return _DIGITS


def _cache_path() -> str:
    return os.environ.get(
        "SWEEP_BENCH_CACHE", os.path.join(tempfile.gettempdir(), "sweep-bench-cache.sqlite")
    )


def _svc_error(log_c: float, log_gamma: float) -> float:
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.svm import SVC

    X, y = _digits()
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    model = SVC(C=10.0**log_c, gamma=10.0**log_gamma)
    return float(1.0 - cross_val_score(model, X, y, cv=folds).mean())


def svc_digits(p: Params) -> float:
    """3-fold validation error of an RBF SVC on 500 digits, at log10 params rounded to 0.05.

    Rounding makes the objective a step function on a fine grid, which lets every
    process share one on-disk cache of evaluations.
    """
    key = (
        round(round(math.log10(p["C"]) / _SVC_STEP) * _SVC_STEP, 4),
        round(round(math.log10(p["gamma"]) / _SVC_STEP) * _SVC_STEP, 4),
    )
    if key in _SVC_MEMO:
        return _SVC_MEMO[key]
    value = None
    try:
        with sqlite3.connect(_cache_path(), timeout=30) as db:
            db.execute("CREATE TABLE IF NOT EXISTS svc (v TEXT, c REAL, g REAL, err REAL)")
            row = db.execute(
                "SELECT err FROM svc WHERE v = ? AND c = ? AND g = ?",
                (_SVC_CACHE_VERSION, *key),
            ).fetchone()
            if row is not None:
                value = float(row[0])
            else:
                value = _svc_error(*key)
                db.execute("INSERT INTO svc VALUES (?, ?, ?, ?)", (_SVC_CACHE_VERSION, *key, value))
    except sqlite3.Error:
        value = _svc_error(*key) if value is None else value
    _SVC_MEMO[key] = value
    return value


# --- the suite -------------------------------------------------------------------------


def _box(names: list[str], low: float, high: float) -> dict[str, dict[str, Any]]:
    return {name: {"type": "float", "low": low, "high": high, "log": False} for name in names}


PROBLEMS: dict[str, Problem] = {
    problem.name: problem
    for problem in (
        Problem(
            "branin",
            {
                "x1": {"type": "float", "low": -5.0, "high": 10.0, "log": False},
                "x2": {"type": "float", "low": 0.0, "high": 15.0, "log": False},
            },
            branin,
            0.397887357729738,
            "Branin, 2-d, three global minima",
        ),
        Problem(
            "hartmann6",
            _box([f"x{i}" for i in range(6)], 0.0, 1.0),
            hartmann6,
            -3.322368011391339,
            "Hartmann, 6-d on the unit cube",
        ),
        Problem(
            "rosenbrock4",
            _box([f"x{i}" for i in range(4)], -2.048, 2.048),
            rosenbrock4,
            0.0,
            "Rosenbrock, 4-d on [-2.048, 2.048]^4",
        ),
        Problem(
            "ackley5",
            _box([f"x{i}" for i in range(5)], -32.768, 32.768),
            ackley5,
            0.0,
            "Ackley, 5-d on [-32.768, 32.768]^5",
        ),
        Problem(
            "mixed",
            {
                "x": {"type": "float", "low": -5.0, "high": 5.0, "log": False},
                "lr": {"type": "float", "low": 1e-5, "high": 1.0, "log": True},
                "layers": {"type": "int", "low": 1, "high": 16, "log": False},
                "optimizer": {"type": "categorical", "values": list(_MIXED_OFFSET)},
            },
            mixed,
            0.0,
            "shifted quadratic: float + log float + int + categorical offset",
        ),
        Problem(
            "svc_digits",
            {
                "C": {"type": "float", "low": 1e-2, "high": 1e4, "log": True},
                "gamma": {"type": "float", "low": 1e-5, "high": 10.0, "log": True},
            },
            svc_digits,
            None,
            "RBF SVC on 500 digits: 3-fold validation error, C and gamma log-scale",
            tolerance=0.002,  # one misclassified digit of the 500
        ),
    )
}


def get_problems(names: list[str] | None = None) -> list[Problem]:
    """The named problems (all of them for ``None``), in suite order."""
    if not names:
        return list(PROBLEMS.values())
    unknown = [name for name in names if name not in PROBLEMS]
    if unknown:
        raise SystemExit(f"unknown function(s) {unknown}; known: {list(PROBLEMS)}")
    return [PROBLEMS[name] for name in names]
