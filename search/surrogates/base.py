"""The surrogate role: what samplers and acquisition functions need from a model.

Arrays and shapes:
    X:     (n, d)  inputs in the unit box
    y:     (n,)    targets: standardised losses (lower is better)
    Xq:    (m, d)  query points
    mean, var: (m,) posterior mean and variance at Xq, in the units of y
    keep:  (k,)    indices of the rows a model is trained on
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Surrogate(Protocol):
    """A model of the loss: ``fit(X, y)`` returns the fitted model, ``predict(Xq)`` its mean
    and variance. Models that also offer ``predict_with_grad(Xq)`` (mean, var and their
    ``(m, d)`` gradients, as the Gaussian process does) can be maximised with gradients.
    """

    def fit(self, X: np.ndarray, y: np.ndarray) -> Surrogate: ...

    def predict(self, Xq: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...


def training_subset(
    y: np.ndarray, cap: int, rng: np.random.Generator, best_fraction: float = 0.35
) -> np.ndarray:
    """Indices of at most ``cap`` rows: the best ``best_fraction`` of them plus a random rest.

    Keeps model cost bounded on long histories while keeping the region that matters
    (around the best points) fully resolved and the rest of the landscape sketched.

    >>> import numpy as np
    >>> keep = training_subset(np.arange(10.0), 4, np.random.default_rng(0))
    >>> len(keep), 0 in keep
    (4, True)
    """
    n = len(y)
    if n <= cap:
        return np.arange(n)
    order = np.argsort(y, kind="stable")
    n_best = max(int(cap * best_fraction), 1)
    rest = rng.choice(order[n_best:], size=cap - n_best, replace=False)
    return np.sort(np.concatenate([order[:n_best], rest]))
