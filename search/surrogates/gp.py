"""Gaussian-process surrogate: Matern 5/2 ARD kernel, hyperparameters by maximum a posteriori.

Arrays and shapes:
    X:      (n, d)  training inputs in the unit box
    y:      (n,)    training targets (losses, lower is better), standardised inside
    Xq:     (m, d)  query points
    groups: (d,)    int, the parameter (0 .. p-1) each column belongs to
    weights: (d,)   weight of each column's squared difference in the distance
    theta:  (p + 2,) log lengthscales (one per parameter), log signal variance, log noise variance
    K:      (n, n)  kernel matrix of the standardised problem, noise on the diagonal
    alpha:  (n,)    K^-1 y_standardised
    mean, var:   (m,)    posterior mean and latent variance in the units of y
    dmean, dvar: (m, d)  their gradients with respect to Xq

The distance between two points is ``sum_k weights_k (x_k - x'_k)^2 / l_{groups_k}^2``.
By default every column is its own parameter with weight 1 (plain ARD). For a categorical
parameter encoded one-hot, its columns share one lengthscale with weight 1/2, so two
different choices are at squared distance exactly ``1 / l^2`` (the Hamming distance, as in
Optuna's GP, ``optuna/_gp/gp.py``), whatever the number of choices.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.linalg
import scipy.linalg.lapack
import scipy.optimize

from search.scaling import binary_scale

_SQRT5 = math.sqrt(5.0)
# Bounds in log space keep the fit numerically stable: lengthscales from "one tiny bump"
# to "almost constant", noise from "deterministic" (with jitter) to "all noise".
_LOG_LS_BOUNDS = (math.log(1e-2), math.log(30.0))
_LOG_SIGNAL_BOUNDS = (math.log(1e-2), math.log(30.0))
_LOG_NOISE_BOUNDS = (math.log(1e-6), math.log(2.0))
_JITTER = 1e-8


def matern52(X1: np.ndarray, X2: np.ndarray, lengthscales: np.ndarray, signal: float) -> np.ndarray:
    """Matern 5/2 ARD kernel matrix, shape (len(X1), len(X2)).

    >>> import numpy as np
    >>> float(matern52(np.zeros((1, 2)), np.zeros((1, 2)), np.ones(2), 2.0)[0, 0])
    2.0
    """
    r = np.sqrt(_sq_dist(X1 / lengthscales, X2 / lengthscales))
    return signal * (1.0 + _SQRT5 * r + (5.0 / 3.0) * r * r) * np.exp(-_SQRT5 * r)


def _sq_dist(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    d2 = (A * A).sum(1)[:, None] + (B * B).sum(1)[None, :] - 2.0 * A @ B.T
    return np.maximum(d2, 0.0)


def _log_prior(theta: np.ndarray) -> tuple[float, np.ndarray]:
    """Weak priors (value, gradient in log space) that keep MAP estimates away from the bounds.

    Lengthscales: -0.1 (l^2 + l^-2) peaks at l = 1 (the box width) but is flat enough to move;
    signal variance: Gamma(2, 1); noise variance: Gamma(1.1, 30), which favours small noise.
    """
    d = theta.size - 2
    ls2 = np.exp(2.0 * theta[:d])
    signal, noise = math.exp(theta[d]), math.exp(theta[d + 1])
    value = (
        -0.1 * float(np.sum(ls2 + 1.0 / ls2))
        + (theta[d] - signal)
        + (0.1 * theta[d + 1] - 30.0 * noise)
    )
    grad = np.empty_like(theta)
    grad[:d] = -0.2 * (ls2 - 1.0 / ls2)
    grad[d] = 1.0 - signal
    grad[d + 1] = 0.1 - 30.0 * noise
    return value, grad


def _inverse_from_cholesky(L: np.ndarray) -> np.ndarray:
    """K^-1 from its lower Cholesky factor (LAPACK potri: half the work of solving K X = I)."""
    inv, info = scipy.linalg.lapack.dpotri(L, lower=1)
    if info != 0:
        return scipy.linalg.cho_solve((L, True), np.eye(len(L)), check_finite=False)
    return np.tril(inv) + np.tril(inv, -1).T


def column_scales(theta: np.ndarray, groups: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per-column lengthscales ``(d,)`` such that the kernel's distance is plain ARD on them.

    >>> column_scales(np.log([2.0, 1.0, 1.0]), np.array([0, 0]), np.array([0.25, 1.0])).tolist()
    [4.0, 2.0]
    """
    return np.exp(theta[groups]) / np.sqrt(weights)


def _neg_log_posterior(
    theta: np.ndarray, X: np.ndarray, y: np.ndarray, groups: np.ndarray, weights: np.ndarray
) -> tuple[float, np.ndarray]:
    n = X.shape[0]
    p = theta.size - 2
    ls = column_scales(theta, groups, weights)
    signal, noise = math.exp(theta[p]), math.exp(theta[p + 1])
    Xs = X / ls
    r = np.sqrt(_sq_dist(Xs, Xs))
    e = np.exp(-_SQRT5 * r)
    k_signal = signal * (1.0 + _SQRT5 * r + (5.0 / 3.0) * r * r) * e
    K = k_signal + (noise + _JITTER) * np.eye(n)
    try:
        L = np.linalg.cholesky(K)
    except np.linalg.LinAlgError:
        return 1e25, np.zeros_like(theta)
    alpha = scipy.linalg.cho_solve((L, True), y, check_finite=False)
    nll = 0.5 * float(y @ alpha) + float(np.log(np.diag(L)).sum()) + 0.5 * n * math.log(2 * math.pi)
    K_inv = _inverse_from_cholesky(L)
    W = K_inv - np.outer(alpha, alpha)
    # dK/dlog(l_k) = A * (dx_k / l_k)^2 with A = 5/3 s (1 + sqrt5 r) exp(-sqrt5 r), per column;
    # a parameter's lengthscale scales all its columns, so their terms add up.
    B = W * ((5.0 / 3.0) * signal * (1.0 + _SQRT5 * r) * e)
    rowsum = B.sum(1)
    sq_terms = 2.0 * (rowsum @ (Xs * Xs)) - 2.0 * np.sum(Xs * (B @ Xs), axis=0)
    grad = np.empty_like(theta)
    grad[:p] = 0.5 * np.bincount(groups, weights=sq_terms, minlength=p)
    grad[p] = 0.5 * float(np.sum(W * k_signal))
    grad[p + 1] = 0.5 * noise * float(np.trace(W))
    prior, prior_grad = _log_prior(theta)
    return nll - prior, grad - prior_grad


class GaussianProcess:
    """Exact GP regression on standardised targets; predicts in the units of ``y``.

    Example:
        >>> import numpy as np
        >>> X = np.linspace(0, 1, 8)[:, None]
        >>> gp = GaussianProcess(seed=0).fit(X, np.sin(6 * X[:, 0]))
        >>> mean, var = gp.predict(np.array([[0.5]]))
        >>> bool(abs(mean[0] - np.sin(3.0)) < 0.05)
        True
    """

    def __init__(
        self,
        *,
        n_restarts: int = 2,
        maxiter: int = 200,
        seed: int = 0,
        fixed_theta: np.ndarray | None = None,
        groups: np.ndarray | None = None,
        weights: np.ndarray | None = None,
    ) -> None:
        self.n_restarts = n_restarts
        self.maxiter = maxiter
        self.seed = seed
        self.fixed_theta = fixed_theta
        # None: one parameter per column, weight 1 (set from X's width at fit time).
        self.groups = groups
        self.weights = weights
        self.theta: np.ndarray | None = None

    # ----- fitting -------------------------------------------------------------------------
    def fit(self, X: np.ndarray, y: np.ndarray) -> GaussianProcess:
        """Standardise ``y``, fit hyperparameters (unless fixed) and factorise the kernel."""
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
        # Moments of y / 2**k (an exact division), so no finite y overflows a square.
        scale = binary_scale(y)
        scaled = y / scale
        mean, std = float(scaled.mean()), float(scaled.std())
        std = std if std > 0.0 and math.isfinite(std) else 1.0
        ys = (scaled - mean) / std
        self.y_mean, self.y_std = mean * scale, std * scale
        self.X_train = X
        self.ys_train = ys
        if self.groups is None:
            self.groups = np.arange(X.shape[1])
        if self.weights is None:
            self.weights = np.ones(X.shape[1])
        if self.fixed_theta is not None:
            self.theta = np.asarray(self.fixed_theta, dtype=float)
        else:
            self.theta = self._fit_theta(X, ys)
        self._factorise(X, ys)
        return self

    def _fit_theta(self, X: np.ndarray, ys: np.ndarray) -> np.ndarray:
        assert self.groups is not None
        p = int(self.groups.max()) + 1 if len(self.groups) else 0
        bounds = [_LOG_LS_BOUNDS] * p + [_LOG_SIGNAL_BOUNDS, _LOG_NOISE_BOUNDS]
        rng = np.random.default_rng(self.seed)
        starts = [np.concatenate([np.full(p, math.log(0.5)), [0.0, math.log(1e-3)]])]
        for _ in range(self.n_restarts):
            starts.append(
                np.concatenate(
                    [
                        rng.uniform(math.log(0.05), math.log(2.0), p),
                        [rng.uniform(-1.0, 1.0), rng.uniform(math.log(1e-5), math.log(0.1))],
                    ]
                )
            )
        best_theta, best_val = starts[0], math.inf
        for theta0 in starts:
            res = scipy.optimize.minimize(
                _neg_log_posterior,
                theta0,
                args=(X, ys, self.groups, self.weights),
                jac=True,
                method="L-BFGS-B",
                bounds=bounds,
                options={"maxiter": self.maxiter, "ftol": 1e-7},
            )
            if np.isfinite(res.fun) and res.fun < best_val:
                best_theta, best_val = res.x, float(res.fun)
        return np.asarray(best_theta)

    def _factorise(self, X: np.ndarray, ys: np.ndarray) -> None:
        assert self.theta is not None and self.groups is not None and self.weights is not None
        p = self.theta.size - 2
        #: One lengthscale per parameter (per column under the default layout).
        self.lengthscales = np.exp(self.theta[:p])
        self._col_ls = column_scales(self.theta, self.groups, self.weights)
        self.signal = math.exp(self.theta[p])
        self.noise = math.exp(self.theta[p + 1])
        K = matern52(X, X, self._col_ls, self.signal) + (self.noise + _JITTER) * np.eye(len(X))
        jitter = _JITTER
        while True:  # the bounds make this rare; grow the jitter rather than fail a suggestion
            try:
                self._L = np.linalg.cholesky(K)
                break
            except np.linalg.LinAlgError:
                jitter *= 10.0
                K[np.diag_indices_from(K)] += jitter
        self._alpha = scipy.linalg.cho_solve((self._L, True), ys, check_finite=False)
        self._X = X

    @property
    def column_lengthscales(self) -> np.ndarray:
        """Lengthscale of each column ``(d,)`` in the distance's plain ARD form (fitted)."""
        return self._col_ls

    def condition_on(self, X_new: np.ndarray, y_new: np.ndarray) -> GaussianProcess:
        """A copy that also sees (X_new, y_new), keeping hyperparameters and standardisation.

        Used for fantasised observations of pending points (kriging believer).
        """
        other = GaussianProcess(fixed_theta=self.theta, groups=self.groups, weights=self.weights)
        other.y_mean, other.y_std = self.y_mean, self.y_std
        other.theta = self.theta
        other.X_train = np.vstack([self.X_train, X_new])
        other.ys_train = np.concatenate(
            [self.ys_train, (np.asarray(y_new) - self.y_mean) / self.y_std]
        )
        other._factorise(other.X_train, other.ys_train)
        return other

    # ----- prediction ----------------------------------------------------------------------
    def predict(self, Xq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and latent variance at ``Xq`` in the units of ``y``."""
        Kq = matern52(np.atleast_2d(Xq), self._X, self._col_ls, self.signal)
        mean_s = Kq @ self._alpha
        v = scipy.linalg.solve_triangular(self._L, Kq.T, lower=True, check_finite=False)
        var_s = np.maximum(self.signal - np.sum(v * v, axis=0), 1e-12)
        return mean_s * self.y_std + self.y_mean, var_s * self.y_std**2

    def predict_with_grad(
        self, Xq: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Like :meth:`predict`, plus the gradients of mean and variance with respect to ``Xq``."""
        Xq = np.atleast_2d(Xq)
        ls2 = self._col_ls**2
        r = np.sqrt(_sq_dist(Xq / self._col_ls, self._X / self._col_ls))
        e = np.exp(-_SQRT5 * r)
        Kq = self.signal * (1.0 + _SQRT5 * r + (5.0 / 3.0) * r * r) * e
        # dk(x, x_i)/dx = G_i (x - x_i) / l^2, G = -5/3 s (1 + sqrt5 r) exp(-sqrt5 r)
        G = -(5.0 / 3.0) * self.signal * (1.0 + _SQRT5 * r) * e
        mean_s = Kq @ self._alpha
        Ga = G * self._alpha
        dmean_s = (Xq * Ga.sum(1)[:, None] - Ga @ self._X) / ls2
        # C: (m, n), row i = K^-1 k(x_i)
        C = scipy.linalg.cho_solve((self._L, True), Kq.T, check_finite=False).T
        var_s = np.maximum(self.signal - np.sum(Kq * C, axis=1), 1e-12)
        GC = G * C
        dvar_s = -2.0 * (Xq * GC.sum(1)[:, None] - GC @ self._X) / ls2
        return (
            mean_s * self.y_std + self.y_mean,
            var_s * self.y_std**2,
            dmean_s * self.y_std,
            dvar_s * self.y_std**2,
        )
