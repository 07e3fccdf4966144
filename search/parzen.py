"""Parzen estimators over per-parameter unit coordinates, the density model of TPE.

Arrays:
    U:        (n_obs, n_params)   one column per parameter; numeric columns hold the prior CDF
                                  in [0, 1] (so the prior is uniform there), categorical columns
                                  hold the choice index as a float
    weights:  (n_kernels,)        mixture weights summing to 1; the last kernel is the prior
    mus:      (n_kernels, n_num)  kernel centres of the numeric columns
    sigmas:   (n_kernels, n_num)  kernel bandwidths of the numeric columns
    cat_probs[j]: (n_kernels, k_j) choice probabilities of categorical column j

Numeric kernels are normal densities truncated to [0, 1]; categorical kernels put their mass
on the observed choice plus a share of the prior (Bergstra et al. 2011, with Optuna's
refinements: prior weight, magic clip, endpoints rule, ramped weights for old observations).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
# Truncation masses are clipped away from 0 so a far-away kernel never yields log(0).
_TINY = 1e-300
# The prior kernel: centre of the box, bandwidth of the whole box (Optuna's choice).
_PRIOR_MU = 0.5
_PRIOR_SIGMA = 1.0
# Scale of the "scott" bandwidth rule (Optuna's SIGMA0_MAGNITUDE), in units of the box.
_SCOTT_SCALE = 0.2
BANDWIDTH_RULES = ("neighbour", "scott")


def observation_weights(n: int, flat: int = 25) -> np.ndarray:
    """Weights of ``n`` observations in trial order: the newest ``flat`` weigh 1, older ones ramp.

    >>> observation_weights(3).tolist()
    [1.0, 1.0, 1.0]
    >>> float(observation_weights(30)[0]) < 1.0
    True
    """
    if n <= flat:
        return np.ones(n)
    ramp = np.linspace(1.0 / n, 1.0, num=n - flat)
    return np.concatenate([ramp, np.ones(flat)])


def _bandwidths(
    mus: np.ndarray,
    n_kernels: int,
    consider_endpoints: bool,
    rule: str = "neighbour",
    n_params: int = 1,
) -> np.ndarray:
    """Per-kernel bandwidths of one unit column, clipped to [1/min(100, 1+K), 1].

    ``rule="neighbour"``: each kernel's distance to its farther neighbour (the univariate
    rule of Bergstra et al.). ``rule="scott"``: one width for all kernels,
    ``0.2 * n_obs ** (-1 / (n_params + 4))`` (Scott's rule for a product kernel in
    ``n_params`` dimensions, Optuna's multivariate choice); it stays narrow in many
    dimensions, where the neighbour rule spreads the few good points over the whole box.

    >>> _bandwidths(np.array([0.1, 0.3, 0.5, 0.9]), 5, False, "scott", 12).round(3).tolist()
    [0.183, 0.183, 0.183, 0.183]
    """
    if rule == "scott":
        width = _SCOTT_SCALE * max(len(mus), 1) ** (-1.0 / (n_params + 4))
        min_sigma = 1.0 / min(100.0, 1.0 + n_kernels)
        return np.clip(np.full(len(mus), width), min_sigma, 1.0)
    order = np.argsort(mus)
    padded = np.concatenate([[0.0], mus[order], [1.0]])
    sigmas_sorted = np.maximum(padded[1:-1] - padded[:-2], padded[2:] - padded[1:-1])
    if not consider_endpoints and len(mus) >= 2:
        # The box edges are not data: outermost kernels look at their inner neighbour only.
        sigmas_sorted[0] = padded[2] - padded[1]
        sigmas_sorted[-1] = padded[-2] - padded[-3]
    sigmas = np.empty_like(sigmas_sorted)
    sigmas[order] = sigmas_sorted
    min_sigma = 1.0 / min(100.0, 1.0 + n_kernels)  # the "magic clip"
    return np.clip(sigmas, min_sigma, 1.0)


def _logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    """log(sum(exp(a))) along ``axis``; -inf entries (zero mass) are allowed."""
    top = np.max(a, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return np.squeeze(np.log(np.sum(np.exp(a - top), axis=axis, keepdims=True)) + top, axis)


def _normal_mass(z_lo: np.ndarray, z_hi: np.ndarray) -> np.ndarray:
    """Phi(z_hi) - Phi(z_lo), computed in the tail where it is more accurate."""
    upper = z_lo > 0
    return np.where(upper, ndtr(-z_lo) - ndtr(-z_hi), ndtr(z_hi) - ndtr(z_lo))


@dataclass(frozen=True)
class ParzenEstimator:
    """A mixture of product kernels, one kernel per observation plus one prior kernel."""

    weights: np.ndarray
    num_cols: np.ndarray
    mus: np.ndarray
    sigmas: np.ndarray
    cat_cols: np.ndarray
    cat_probs: tuple[np.ndarray, ...]
    n_params: int
    log_mass: np.ndarray  # (n_kernels, n_num) log of each kernel's mass inside [0, 1]

    @classmethod
    def fit(
        cls,
        U: np.ndarray,
        obs_weights: np.ndarray,
        n_choices: list[int],
        *,
        prior_weight: float = 1.0,
        consider_endpoints: bool = False,
        bandwidth: str = "neighbour",
    ) -> ParzenEstimator:
        """Fit to observations ``U``; ``n_choices[j]`` is 0 for numeric columns.

        ``bandwidth`` is one of ``BANDWIDTH_RULES`` (see ``_bandwidths``).

        >>> import numpy as np
        >>> pe = ParzenEstimator.fit(np.array([[0.2, 1.0]]), np.ones(1), [0, 3])
        >>> pe.sample(np.random.default_rng(0), 4, multivariate=True).shape
        (4, 2)
        """
        n_obs, n_params = U.shape
        n_kernels = n_obs + 1
        if n_obs:
            w = np.append(np.asarray(obs_weights, dtype=float), prior_weight)
        else:
            w = np.ones(1)
        w = w / w.sum()
        kinds = np.asarray(n_choices, dtype=int)
        num_cols = np.flatnonzero(kinds == 0)
        cat_cols = np.flatnonzero(kinds > 0)
        mus = np.empty((n_kernels, len(num_cols)))
        sigmas = np.empty((n_kernels, len(num_cols)))
        for j, col in enumerate(num_cols):
            x = np.clip(U[:, col], 0.0, 1.0)
            mus[:n_obs, j] = x
            sigmas[:n_obs, j] = _bandwidths(x, n_kernels, consider_endpoints, bandwidth, n_params)
            mus[n_obs, j] = _PRIOR_MU
            sigmas[n_obs, j] = _PRIOR_SIGMA
        cat_probs = []
        for col in cat_cols:
            k = int(kinds[col])
            probs = np.full((n_kernels, k), prior_weight / n_kernels)
            if n_obs:
                idx = np.clip(U[:, col].astype(int), 0, k - 1)
                probs[np.arange(n_obs), idx] += 1.0
            else:
                probs[:] = 1.0
            sums = probs.sum(axis=1, keepdims=True)
            cat_probs.append(probs / np.where(sums == 0, 1.0, sums))
        mass = ndtr((1.0 - mus) / sigmas) - ndtr((0.0 - mus) / sigmas)
        log_mass = np.log(np.maximum(mass, _TINY))
        return cls(w, num_cols, mus, sigmas, cat_cols, tuple(cat_probs), n_params, log_mass)

    def sample(self, rng: np.random.Generator, size: int, *, multivariate: bool) -> np.ndarray:
        """Draw ``size`` points (size, n_params); univariate mode picks a kernel per column.

        >>> import numpy as np
        >>> pe = ParzenEstimator.fit(np.array([[0.3]]), np.ones(1), [0])
        >>> bool(np.all((0 <= pe.sample(np.random.default_rng(0), 5, multivariate=False)) <= 1))
        True
        """
        n_kernels = len(self.weights)
        out = np.empty((size, self.n_params))
        n_cols = self.n_params if not multivariate else 1
        active = rng.choice(n_kernels, p=self.weights, size=(size, n_cols))
        if len(self.num_cols):
            act = active if not multivariate else np.repeat(active, self.n_params, axis=1)
            act_num = act[:, self.num_cols]  # (size, n_num)
            cols = np.arange(len(self.num_cols))
            mu = self.mus[act_num, cols]
            sigma = self.sigmas[act_num, cols]
            lo = ndtr((0.0 - mu) / sigma)
            hi = ndtr((1.0 - mu) / sigma)
            q = lo + rng.random(mu.shape) * (hi - lo)
            q = np.clip(q, 1e-15, 1.0 - 1e-15)
            out[:, self.num_cols] = np.clip(mu + sigma * ndtri(q), 0.0, 1.0)
        for j, col in enumerate(self.cat_cols):
            kernel = active[:, 0] if multivariate else active[:, col]
            cum = np.cumsum(self.cat_probs[j][kernel], axis=1)
            cum[:, -1] = 1.0
            out[:, col] = np.sum(cum < rng.random(size)[:, None], axis=1)
        return out

    def _component_log_pdf(
        self, X: np.ndarray, buckets: tuple[np.ndarray, np.ndarray] | None
    ) -> np.ndarray:
        """Log density of every kernel per column: (n_points, n_kernels, n_params)."""
        comp = np.empty((len(X), len(self.weights), self.n_params))
        if len(self.num_cols):
            x = np.clip(X[:, self.num_cols], 0.0, 1.0)[:, None, :]  # (m, 1, n_num)
            z = (x - self.mus[None]) / self.sigmas[None]
            log_mass = self.log_mass
            log_pdf = -0.5 * z * z - (np.log(self.sigmas) + log_mass + _LOG_SQRT_2PI)[None]
            if buckets is not None:
                # Discrete values: the kernel's probability mass over the value's bucket.
                lo, hi = buckets[0][:, self.num_cols], buckets[1][:, self.num_cols]
                for d in self._discrete_numeric(buckets):
                    log_pdf[:, :, d] = self._log_bucket_mass(lo[:, d], hi[:, d], d) - log_mass[:, d]
            comp[:, :, self.num_cols] = log_pdf
        for j, col in enumerate(self.cat_cols):
            idx = X[:, col].astype(int)
            with np.errstate(divide="ignore"):
                comp[:, :, col] = np.log(self.cat_probs[j][:, idx]).T
        return comp

    def _log_bucket_mass(self, lo: np.ndarray, hi: np.ndarray, d: int) -> np.ndarray:
        """Log mass of each kernel of numeric column ``d`` over each bucket: (n_points, n_kernels).

        A discrete column has few distinct buckets and few distinct (mu, sigma) pairs, so the
        masses are computed once per distinct pair and gathered (thousands of kernels stay cheap).
        """
        # Pairs are packed into complex numbers: numpy sorts those by (real, imaginary).
        buckets, bucket_inv = np.unique(lo + 1j * hi, return_inverse=True)
        kernels, kernel_inv = np.unique(
            self.mus[:, d] + 1j * self.sigmas[:, d], return_inverse=True
        )
        mus, sigmas = kernels.real[None, :], kernels.imag[None, :]
        cell = _normal_mass(
            (buckets.real[:, None] - mus) / sigmas, (buckets.imag[:, None] - mus) / sigmas
        )
        log_cell = np.log(np.maximum(cell, _TINY))
        return log_cell[np.ix_(bucket_inv.ravel(), kernel_inv.ravel())]

    def log_pdf(
        self,
        X: np.ndarray,
        *,
        multivariate: bool,
        buckets: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> np.ndarray:
        """Log density at ``X`` (n_points, n_params): joint mixture, or sum of column mixtures.

        ``buckets = (lo, hi)``, each (n_points, n_params), gives the unit interval a discrete
        value stands for (NaN for continuous columns); there the kernels' mass is used.

        >>> import numpy as np
        >>> pe = ParzenEstimator.fit(np.array([[0.2], [0.25]]), np.ones(2), [0])
        >>> near, far = pe.log_pdf(np.array([[0.22], [0.9]]), multivariate=True)
        >>> bool(near > far)
        True
        """
        log_w = np.log(self.weights)[None, :]
        if multivariate:
            return _logsumexp(self._joint_log_kernels(X, buckets) + log_w, axis=1)
        comp = self._component_log_pdf(X, buckets)
        return _logsumexp(comp + log_w[:, :, None], axis=1).sum(axis=1)

    def _discrete_numeric(self, buckets: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
        """Positions (within ``num_cols``) of the numeric columns that have buckets."""
        if buckets is None:
            return np.zeros(0, dtype=int)
        return np.flatnonzero(~np.isnan(buckets[0][:, self.num_cols]).any(axis=0))

    def _joint_log_kernels(
        self, X: np.ndarray, buckets: tuple[np.ndarray, np.ndarray] | None
    ) -> np.ndarray:
        """Log density of every product kernel: (n_points, n_kernels).

        The continuous part is a sum of squares over columns, expanded into matrix
        products so that thousands of kernels cost a few milliseconds.
        """
        total = np.zeros((len(X), len(self.weights)))
        if len(self.num_cols):
            log_mass = self.log_mass
            disc = self._discrete_numeric(buckets)
            cont = np.setdiff1d(np.arange(len(self.num_cols)), disc)
            if len(cont):
                x = np.clip(X[:, self.num_cols[cont]], 0.0, 1.0)  # (m, n_cont)
                inv_var = 1.0 / self.sigmas[:, cont] ** 2  # (n_kernels, n_cont)
                mus = self.mus[:, cont]
                quad = (x * x) @ inv_var.T - 2.0 * x @ (mus * inv_var).T
                quad += np.sum(mus * mus * inv_var, axis=1)[None, :]
                log_norm = np.log(self.sigmas[:, cont]) + log_mass[:, cont] + _LOG_SQRT_2PI
                total += -0.5 * np.maximum(quad, 0.0) - log_norm.sum(axis=1)[None, :]
            for d in disc:
                assert buckets is not None
                lo, hi = buckets[0][:, self.num_cols[d]], buckets[1][:, self.num_cols[d]]
                total += self._log_bucket_mass(lo, hi, d) - log_mass[None, :, d]
        for j, col in enumerate(self.cat_cols):
            with np.errstate(divide="ignore"):
                total += np.log(self.cat_probs[j][:, X[:, col].astype(int)]).T
        return total
