"""Acquisition functions for minimisation: how much a candidate is worth evaluating.

Arrays and shapes:
    mean, std:   (m,)    surrogate posterior mean and standard deviation of the loss
    X:           (m, d)  candidates in the unit box
    values:      (m,)    acquisition values, higher is better
    grads:       (m, d)  gradients of the values with respect to X

Formulas follow the ModelArts / bayes_opt conventions transposed to losses: with the best loss
``best`` so far and ``z = (best - mean - xi) / std``,
``ei = (best - mean - xi) * Phi(z) + std * phi(z)``, ``poi = Phi(z)``,
``ucb = -(mean - kappa * std)`` (the lower confidence bound of the loss, negated).
The optimisers use ``log ei`` and ``log poi``: same maximiser, but no flat zero plateaus.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import erfcx, log_ndtr, ndtr

from search.surrogates.base import Surrogate

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_SQRT_HALF_PI = math.sqrt(0.5 * math.pi)
KINDS = ("ei", "ucb", "poi")


def expected_improvement(
    mean: np.ndarray, std: np.ndarray, best: float, xi: float = 0.0
) -> np.ndarray:
    """Expected improvement of the loss below ``best - xi``.

    >>> round(float(expected_improvement(np.array([0.0]), np.array([1.0]), 0.0)[0]), 4)
    0.3989
    """
    z = (best - mean - xi) / std
    return (best - mean - xi) * ndtr(z) + std * np.exp(-0.5 * z * z - _LOG_SQRT_2PI)


def probability_of_improvement(
    mean: np.ndarray, std: np.ndarray, best: float, xi: float = 0.0
) -> np.ndarray:
    """Probability that the loss falls below ``best - xi``.

    >>> float(probability_of_improvement(np.array([1.0]), np.array([2.0]), 1.0)[0])
    0.5
    """
    return ndtr((best - mean - xi) / std)


def upper_confidence_bound(mean: np.ndarray, std: np.ndarray, kappa: float = 2.5) -> np.ndarray:
    """Optimistic bound of the loss, negated so that higher is better: ``kappa * std - mean``.

    >>> float(upper_confidence_bound(np.array([1.0]), np.array([0.5]), kappa=2.0)[0])
    0.0
    """
    return kappa * std - mean


def log_h(z: np.ndarray) -> np.ndarray:
    """``log(z * Phi(z) + phi(z))`` computed without underflow for very negative ``z``.

    ``log ei = log(std) + log_h(z)``.

    >>> round(float(log_h(np.array([-40.0]))[0]), 1)  # ei would underflow to 0 here
    -808.3
    """
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z > -1.0
    zp = z[pos]
    out[pos] = np.log(zp * ndtr(zp) + np.exp(-0.5 * zp * zp - _LOG_SQRT_2PI))
    # z Phi(z) + phi(z) = phi(z) (1 + z Phi(z)/phi(z)), Phi(z)/phi(z) = sqrt(pi/2) erfcx(-z/sqrt2)
    zn = np.maximum(z[~pos], -1e6)
    out[~pos] = (-0.5 * zn * zn - _LOG_SQRT_2PI) + np.log1p(
        zn * _SQRT_HALF_PI * erfcx(-zn / math.sqrt(2.0))
    )
    return out


class Acquisition:
    """An acquisition function bound to a fitted surrogate (mean and variance of the loss).

    ``kind`` is ``"ei"`` (optimised as log EI), ``"poi"`` (as log POI) or ``"ucb"``.
    ``value_and_grad`` needs a surrogate with ``predict_with_grad`` (the Gaussian process).

    Example:
        >>> import numpy as np
        >>> class Flat:
        ...     def predict(self, X): return np.zeros(len(X)), np.ones(len(X))
        >>> acq = Acquisition(Flat(), kind="ucb", best=0.0, kappa=1.0)
        >>> acq(np.zeros((2, 3))).tolist()
        [1.0, 1.0]
    """

    def __init__(
        self,
        model: Surrogate,
        *,
        kind: str = "ei",
        best: float,
        kappa: float = 2.5,
        xi: float = 0.0,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        self.model = model
        self.kind = kind
        self.best = best
        self.kappa = kappa
        self.xi = xi

    def __call__(self, X: np.ndarray) -> np.ndarray:
        mean, var = self.model.predict(X)
        return self._value(mean, np.sqrt(var))[0]

    def value_and_grad(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        predict_with_grad = getattr(self.model, "predict_with_grad", None)
        if predict_with_grad is None:
            raise TypeError(f"{type(self.model).__name__} offers no predict_with_grad")
        mean, var, dmean, dvar = predict_with_grad(X)
        std = np.sqrt(var)
        values, d_mean, d_std = self._value(mean, std)
        dstd = dvar / (2.0 * std[:, None])
        return values, d_mean[:, None] * dmean + d_std[:, None] * dstd

    def _value(
        self, mean: np.ndarray, std: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Values and their partial derivatives with respect to mean and std."""
        if self.kind == "ucb":
            return self.kappa * std - mean, -np.ones_like(mean), np.full_like(std, self.kappa)
        z = (self.best - mean - self.xi) / std
        if self.kind == "poi":
            values = log_ndtr(z)
            ratio = np.exp(-0.5 * z * z - _LOG_SQRT_2PI - values)  # phi / Phi
            return values, -ratio / std, -ratio * z / std
        lh = log_h(z)
        ratio = np.exp(log_ndtr(z) - lh)  # Phi(z) / h(z) = d log h / dz
        return np.log(std) + lh, -ratio / std, 1.0 / std - ratio * z / std
