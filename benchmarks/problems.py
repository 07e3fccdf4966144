"""Test problems for the search-quality benchmark: all minimised.

Each problem has a search space in the library's JSON format, an objective taking a
params dict and returning a float, and the known optimum (``None`` when unknown: the
benchmark then measures regret against the best value any method found in the run).

The suite is split once and for all into a **tuning half** (the problems defaults may be
chosen on: the six the library was first measured on, plus two) and a **held-out half**
(never used to choose anything; it says whether the defaults generalise). Problems never
move between the halves.

The objectives live in ``benchmarks.synthetic`` and ``benchmarks.models``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks.models import elasticnet_diabetes, gb_breast_cancer, knn_wine, svc_digits
from benchmarks.synthetic import (
    CAT_TABLES,
    MIXED_OFFSET,
    Params,
    ackley5,
    branin,
    cat_heavy,
    ellipsoid12,
    hartmann6,
    int_heavy,
    levy10,
    mixed,
    noisy_hartmann6,
    rastrigin8,
    rosenbrock4,
    styblinski16,
)


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
                "optimizer": {"type": "categorical", "values": list(MIXED_OFFSET)},
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
                    for name, table in CAT_TABLES.items()
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
