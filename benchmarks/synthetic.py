"""The synthetic objectives of the search-quality suite (``benchmarks.problems``): classic
test functions and harder ones (multimodal, ill-conditioned, 8 to 16 dimensions, integer-
and category-heavy, noisy). All minimised; each takes a params dict and returns a float.

They are module-level functions so worker processes can pickle them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

Params = dict[str, Any]

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


MIXED_OFFSET = {"adam": 0.0, "sgd": 0.6, "rmsprop": 0.3, "adagrad": 1.0}


def mixed(p: Params) -> float:
    """Shifted quadratic over a float, a log-scale float, an int and a categorical."""
    return (
        (p["x"] - 1.3) ** 2
        + (math.log10(p["lr"]) + 2.5) ** 2
        + ((p["layers"] - 7) / 4.0) ** 2
        + MIXED_OFFSET[p["optimizer"]]
    )


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


CAT_TABLES = {
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
    total = sum(float(table[int(p[name][1:])] - table.min()) for name, table in CAT_TABLES.items())
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
