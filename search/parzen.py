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
from scipy.special import logsumexp, ndtr, ndtri

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
# Truncation masses are clipped away from 0 so a far-away kernel never yields log(0).
_TINY = 1e-300
# The prior kernel: centre of the box, bandwidth of the whole box (Optuna's choice).
_PRIOR_MU = 0.5
_PRIOR_SIGMA = 1.0


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


def _bandwidths(mus: np.ndarray, n_kernels: int, consider_endpoints: bool) -> np.ndarray:
    """Per-kernel bandwidth: distance to the farther neighbour, clipped to [1/min(100, 1+K), 1]."""
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

    @classmethod
    def fit(
        cls,
        U: np.ndarray,
        obs_weights: np.ndarray,
        n_choices: list[int],
        *,
        prior_weight: float = 1.0,
        consider_endpoints: bool = False,
    ) -> ParzenEstimator:
        """Fit to observations ``U``; ``n_choices[j]`` is 0 for numeric columns.

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
            sigmas[:n_obs, j] = _bandwidths(x, n_kernels, consider_endpoints)
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
        return cls(w, num_cols, mus, sigmas, cat_cols, tuple(cat_probs), n_params)

    def sample(self, rng: np.random.Generator, size: int, *, multivariate: bool) -> np.ndarray:
        """Draw ``size`` points (size, n_params); univariate mode picks a kernel per column."""
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
        comp = np.zeros((len(X), len(self.weights), self.n_params))
        if len(self.num_cols):
            x = np.clip(X[:, self.num_cols], 0.0, 1.0)[:, None, :]  # (m, 1, n_num)
            z = (x - self.mus[None]) / self.sigmas[None]
            mass = ndtr((1.0 - self.mus) / self.sigmas) - ndtr((0.0 - self.mus) / self.sigmas)
            log_mass = np.log(np.maximum(mass, _TINY))
            log_pdf = -0.5 * z * z - (np.log(self.sigmas) + log_mass + _LOG_SQRT_2PI)[None]
            if buckets is not None:
                # Discrete values: the kernel's probability mass over the value's bucket.
                lo = buckets[0][:, self.num_cols][:, None, :]
                hi = buckets[1][:, self.num_cols][:, None, :]
                discrete = np.broadcast_to(~np.isnan(lo), log_pdf.shape)
                with np.errstate(invalid="ignore"):
                    z_lo = (lo - self.mus[None]) / self.sigmas[None]
                    z_hi = (hi - self.mus[None]) / self.sigmas[None]
                    log_cell = np.log(np.maximum(_normal_mass(z_lo, z_hi), _TINY))
                log_pdf = np.where(discrete, log_cell - log_mass[None], log_pdf)
            comp[:, :, self.num_cols] = log_pdf
        for j, col in enumerate(self.cat_cols):
            idx = X[:, col].astype(int)
            with np.errstate(divide="ignore"):
                comp[:, :, col] = np.log(self.cat_probs[j][:, idx]).T
        return comp

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
        """
        comp = self._component_log_pdf(X, buckets)
        log_w = np.log(self.weights)[None, :]
        if multivariate:
            return logsumexp(comp.sum(axis=2) + log_w, axis=1)
        return logsumexp(comp + log_w[:, :, None], axis=1).sum(axis=1)
