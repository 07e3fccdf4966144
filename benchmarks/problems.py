"""Test problems for the search-quality benchmark: all minimised.

Each problem has a search space in the library's JSON format, an objective taking a
params dict and returning a float, and the known optimum (``None`` when unknown: the
benchmark then measures regret against the best value any method found in the run).

The suite is split once and for all into a **tuning half** (the problems defaults may be
chosen on: the six the library was first measured on, plus two) and a **held-out half**
(never used to choose anything; it says whether the defaults generalise). Problems never
move between the halves.

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
    half: str = "tuning"


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


# --- more synthetic functions: multimodal, ill-conditioned, high-dimensional -------


def _vector(p: Params, d: int) -> np.ndarray:
    return np.array([p[f"x{i}"] for i in range(d)], dtype=float)


def rastrigin8(p: Params) -> float:
    x = _vector(p, 8)
    return float(10.0 * len(x) + np.sum(x * x - 10.0 * np.cos(2 * math.pi * x)))


def levy10(p: Params) -> float:
    w = 1.0 + (_vector(p, 10) - 1.0) / 4.0
    head = math.sin(math.pi * w[0]) ** 2
    middle = np.sum((w[:-1] - 1) ** 2 * (1 + 10 * np.sin(math.pi * w[:-1] + 1) ** 2))
    tail = (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)
    return float(head + middle + tail)


_ELLIPSOID_WEIGHTS = 10.0 ** (6.0 * np.arange(12) / 11.0)  # condition number 1e6
_ELLIPSOID_ROTATION = np.linalg.qr(np.random.default_rng(12).normal(size=(12, 12)))[0]


def ellipsoid12(p: Params) -> float:
    """A rotated ellipsoid in 12-d with condition number 1e6, minimum 0 at 0.5."""
    z = _ELLIPSOID_ROTATION @ (_vector(p, 12) - 0.5)
    return float(np.sum(_ELLIPSOID_WEIGHTS * z * z))


def styblinski16(p: Params) -> float:
    x = _vector(p, 16)
    return float(0.5 * np.sum(x**4 - 16 * x**2 + 5 * x))


def int_heavy(p: Params) -> float:
    """Six integer parameters (two log-scaled) and two floats, with an interaction."""
    return (
        ((p["a"] - 17) / 8.0) ** 2
        + ((p["b"] - 3) / 2.0) ** 2
        + (math.log2(p["c"]) - 6.0) ** 2
        + (math.log2(p["d"]) - 2.0) ** 2 / 4.0
        + ((p["e"] - 40) / 20.0) ** 2
        + abs(p["f"] - 5) / 3.0
        + (p["u"] - 0.3) ** 2
        + (p["v"] - 0.7) ** 2
        + 0.1 * abs((p["a"] - 17) * (p["b"] - 3)) / 8.0
    )


_CAT_TABLES = {
    name: np.random.default_rng(seed).random(size)
    for name, seed, size in (
        ("k1", 1, 5),
        ("k2", 2, 4),
        ("k3", 3, 6),
        ("k4", 4, 3),
        ("k5", 5, 4),
        ("k6", 6, 5),
    )
}
_CAT_PAIR = np.random.default_rng(7).random((5, 4))


def cat_heavy(p: Params) -> float:
    """Six categorical parameters with per-choice costs and one pairwise interaction,
    plus one float; minimum 0."""
    total = sum(float(table[int(p[name][1:])] - table.min()) for name, table in _CAT_TABLES.items())
    pair = _CAT_PAIR[int(p["k1"][1:]), int(p["k2"][1:])] - _CAT_PAIR.min()
    return total + float(pair) + (p["x"] - 0.25) ** 2


def _params_hash(p: Params) -> int:
    """A hash of the point that is the same in every process (``hash`` is salted)."""
    import zlib

    return zlib.crc32(repr(sorted(p.items())).encode())


def noisy_hartmann6(p: Params) -> float:
    """Hartmann6 plus N(0, 0.05) noise seeded by the point itself (so runs repeat)."""
    rng = np.random.default_rng(_params_hash(p))
    return hartmann6(p) + float(rng.normal(0.0, 0.05))


# --- more real models, on scikit-learn's bundled datasets -------------------------------


def _cv_score(model: Any, name: str, scoring: str) -> float:
    from sklearn import datasets
    from sklearn.model_selection import KFold, cross_val_score

    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    folds = KFold(n_splits=3, shuffle=True, random_state=0)
    return float(cross_val_score(model, X, y, cv=folds, scoring=scoring).mean())


def elasticnet_diabetes(p: Params) -> float:
    """3-fold mean squared error / 1000 of a standardised elastic net on diabetes."""
    from sklearn.linear_model import ElasticNet
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import PolynomialFeatures, StandardScaler

    steps: list[Any] = [StandardScaler()]
    if p["degree"] == 2:
        steps = [PolynomialFeatures(2, include_bias=False), StandardScaler()]
    model = make_pipeline(
        *steps,
        ElasticNet(alpha=p["alpha"], l1_ratio=p["l1_ratio"], max_iter=5000, tol=1e-3),
    )
    return -_cv_score(model, "diabetes", "neg_mean_squared_error") / 1000.0


def knn_wine(p: Params) -> float:
    """3-fold error of a k-nearest-neighbours classifier on wine."""
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    scaler = StandardScaler() if p["scaler"] == "standard" else MinMaxScaler()
    model = make_pipeline(
        scaler,
        KNeighborsClassifier(n_neighbors=p["k"], weights=p["weights"], p=p["p"]),
    )
    return 1.0 - _cv_score(model, "wine", "accuracy")


def gb_breast_cancer(p: Params) -> float:
    """3-fold error of histogram gradient boosting on breast cancer."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(
        learning_rate=p["learning_rate"],
        max_iter=p["max_iter"],
        max_leaf_nodes=p["max_leaf_nodes"],
        min_samples_leaf=p["min_samples_leaf"],
        l2_regularization=p["l2"],
        random_state=0,
    )
    return 1.0 - _cv_score(model, "breast_cancer", "accuracy")


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
        Problem(
            "styblinski16",
            _box([f"x{i}" for i in range(16)], -5.0, 5.0),
            styblinski16,
            -39.16616570377142 * 16,
            "Styblinski-Tang, 16-d on [-5, 5]^16, many local minima",
        ),
        Problem(
            "elasticnet_diabetes",
            {
                "alpha": {"type": "float", "low": 1e-4, "high": 10.0, "log": True},
                "l1_ratio": {"type": "float", "low": 0.0, "high": 1.0, "log": False},
                "degree": {"type": "int", "low": 1, "high": 2, "log": False},
            },
            elasticnet_diabetes,
            None,
            "elastic net on diabetes (optionally degree-2 features): 3-fold MSE / 1000",
            tolerance=0.01,
        ),
        # ---------------------------------------------------------------- held-out half
        Problem(
            "rastrigin8",
            _box([f"x{i}" for i in range(8)], -5.12, 5.12),
            rastrigin8,
            0.0,
            "Rastrigin, 8-d on [-5.12, 5.12]^8: a regular lattice of local minima",
            half="held-out",
        ),
        Problem(
            "levy10",
            _box([f"x{i}" for i in range(10)], -10.0, 10.0),
            levy10,
            0.0,
            "Levy, 10-d on [-10, 10]^10",
            half="held-out",
        ),
        Problem(
            "ellipsoid12",
            _box([f"x{i}" for i in range(12)], 0.0, 1.0),
            ellipsoid12,
            0.0,
            "rotated ellipsoid, 12-d, condition number 1e6",
            half="held-out",
        ),
        Problem(
            "int_heavy",
            {
                "a": {"type": "int", "low": 0, "high": 40},
                "b": {"type": "int", "low": 0, "high": 10},
                "c": {"type": "int", "low": 1, "high": 1024, "log": True},
                "d": {"type": "int", "low": 1, "high": 64, "log": True},
                "e": {"type": "int", "low": 0, "high": 100},
                "f": {"type": "int", "low": 0, "high": 12},
                "u": {"type": "float", "low": 0.0, "high": 1.0},
                "v": {"type": "float", "low": 0.0, "high": 1.0},
            },
            int_heavy,
            0.0,
            "six integers (two log-scaled) and two floats, one interaction",
            half="held-out",
        ),
        Problem(
            "cat_heavy",
            {
                **{
                    name: {"type": "categorical", "values": [f"c{i}" for i in range(len(table))]}
                    for name, table in _CAT_TABLES.items()
                },
                "x": {"type": "float", "low": 0.0, "high": 1.0},
            },
            cat_heavy,
            0.0,
            "six categoricals (3-6 choices) with a pairwise interaction, one float",
            half="held-out",
        ),
        Problem(
            "noisy_hartmann6",
            _box([f"x{i}" for i in range(6)], 0.0, 1.0),
            noisy_hartmann6,
            -3.322368011391339,
            "Hartmann6 with N(0, 0.05) evaluation noise (seeded by the point)",
            tolerance=0.05,
            half="held-out",
        ),
        Problem(
            "knn_wine",
            {
                "k": {"type": "int", "low": 1, "high": 60, "log": True},
                "weights": {"type": "categorical", "values": ["uniform", "distance"]},
                "p": {"type": "int", "low": 1, "high": 3},
                "scaler": {"type": "categorical", "values": ["standard", "minmax"]},
            },
            knn_wine,
            None,
            "k-nearest neighbours on wine: 3-fold error; k, weights, metric power, scaler",
            tolerance=0.0056,  # one wine of the 178
            half="held-out",
        ),
        Problem(
            "gb_breast_cancer",
            {
                "learning_rate": {"type": "float", "low": 1e-3, "high": 1.0, "log": True},
                "max_iter": {"type": "int", "low": 10, "high": 200, "log": True},
                "max_leaf_nodes": {"type": "int", "low": 2, "high": 64, "log": True},
                "min_samples_leaf": {"type": "int", "low": 1, "high": 100, "log": True},
                "l2": {"type": "float", "low": 1e-6, "high": 10.0, "log": True},
            },
            gb_breast_cancer,
            None,
            "histogram gradient boosting on breast cancer: 3-fold error, 5 mixed parameters",
            tolerance=0.0018,  # one tumour of the 569
            half="held-out",
        ),
    )
}


HALVES = ("tuning", "held-out")


def get_problems(names: list[str] | None = None, half: str = "") -> list[Problem]:
    """The named problems (all of them, or all of ``half``, for no names), in suite order."""
    if not names:
        return [p for p in PROBLEMS.values() if not half or p.half == half]
    unknown = [name for name in names if name not in PROBLEMS]
    if unknown:
        raise SystemExit(f"unknown function(s) {unknown}; known: {list(PROBLEMS)}")
    return [PROBLEMS[name] for name in names]
