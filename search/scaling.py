"""Objective values to model targets, without overflow and without caring for units.

A metric may be a loss near 1e-4 or a count near 1e300; every model in the library sees
values only through these functions, so importance and every surrogate are invariant to
a positive scale and shift of the values (exactly for ranks, to rounding for
``standardize``), and no finite value can overflow.

Arrays:
    y: (n,) finite values, any magnitude
    z: (n,) standardised values: mean 0 and standard deviation 1 (zeros when y is constant)
    r: (n,) ranks scaled to [0, 1] (ties share their mean rank)
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import rankdata


def binary_scale(y: np.ndarray) -> float:
    """The largest power of two not above ``max |y|`` (1.0 for an empty or all-zero ``y``).

    Dividing by a power of two is exact, so ``y / binary_scale(y)`` keeps every digit and
    lies in (-2, 2): squares and sums of it cannot overflow.

    >>> binary_scale(np.array([3.0, -5e307])) == 2.0 ** math.frexp(5e307)[1] / 2
    True
    """
    top = float(np.max(np.abs(y))) if len(y) else 0.0
    if top == 0.0 or not math.isfinite(top):
        return 1.0
    return math.ldexp(1.0, math.frexp(top)[1] - 1)


def standardize(y: np.ndarray) -> np.ndarray:
    """``(y - mean) / std`` computed on ``y / binary_scale(y)``; zeros when ``y`` is constant.

    >>> standardize(np.array([1.0, 3.0])).tolist()
    [-1.0, 1.0]
    >>> standardize(np.array([1.0, 3.0]) * 5e307).tolist()
    [-1.0, 1.0]
    """
    y = np.asarray(y, dtype=float)
    scaled = y / binary_scale(y)
    centred = scaled - scaled.mean()
    spread = float(np.sqrt(np.mean(centred * centred))) if len(y) else 0.0
    if spread == 0.0 or not math.isfinite(spread):
        return np.zeros_like(scaled)
    return centred / spread


def unit_ranks(y: np.ndarray) -> np.ndarray:
    """Ranks of ``y`` scaled to [0, 1] (ties share their mean rank): unchanged by any
    increasing transform of the values.

    >>> unit_ranks(np.array([10.0, -2.0, 7.0, 7.0])).tolist()
    [1.0, 0.0, 0.5, 0.5]
    """
    y = np.asarray(y, dtype=float)
    if len(y) < 2:
        return np.zeros_like(y)
    return (rankdata(y, method="average") - 1.0) / (len(y) - 1.0)


def in_standard_units(y: np.ndarray, amount: float) -> float:
    """An amount in the units of ``y`` (a margin such as EI's ``xi``) expressed in the
    units of ``standardize(y)``; 0.0 when ``y`` is constant.

    >>> in_standard_units(np.array([1.0, 3.0]), 0.5)
    0.5
    """
    y = np.asarray(y, dtype=float)
    scale = binary_scale(y)
    scaled = y / scale
    spread = float(np.std(scaled)) if len(y) else 0.0
    if spread == 0.0 or not math.isfinite(spread):
        return 0.0
    return amount / scale / spread
