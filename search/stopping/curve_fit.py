"""Learning-curve extrapolation: stop a trial that will very likely not beat the best one.

After Domhan, Springenberg and Hutter (2015), "Speeding up automatic hyperparameter
optimization of deep neural networks by extrapolation of learning curves", IJCAI, and
NNI's curve-fitting assessor: a small family of saturating parametric curves is fitted to
the trial's curve so far, the value at the final report is predicted with an uncertainty,
and the trial stops when the probability that it beats the best final value of the other
trials is below ``threshold``. Domhan et al. sample an 11-model ensemble by MCMC; this
policy keeps two models of their family that NNI also uses, fits them by variable
projection (a grid over the rate, linear least squares for the rest: a millisecond per
call, no random numbers) and turns residual noise, the prediction's standard error, the
range of plausible rates (a profile-likelihood interval) and the models' disagreement
into a normal predictive distribution, the models weighted by their likelihood.

Models, for ``t = 1 .. n`` reports (oriented: higher is better):
    pow3: y(t) = c - a * t ** -alpha          (alpha > 0)
    exp3: y(t) = c - a * exp(-beta * t)       (beta > 0)

Arrays:
    t: (n,) report numbers 1..n;  y: (n,) the trial's oriented curve
    rates: (k,) grid of alpha or beta;  basis: (k, n) the rate-dependent column
    sse, predictions: (k,) per rate, residual sum of squares and value at the horizon
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, NamedTuple

import numpy as np
from scipy.special import ndtr

from search.errors import SamplerParamError
from search.stopping.base import ComparingPolicy, ParamSpec
from search.stopping.registry import register

# Rate grids, about 4 % apart: a coarser grid biases the asymptote of a curve that has
# not bent yet by more than the differences that matter between trials.
_POW_RATES = np.geomspace(0.05, 4.0, 120)
_EXP_RATES = np.geomspace(0.005, 2.0, 160)


# A rate is plausible while its residual sum of squares stays within this factor of
# (1 + _PROFILE / dof) of the best one: a profile-likelihood interval of about 2 sigma.
_PROFILE = 4.0


class Fit(NamedTuple):
    """One model fitted to a curve: its prediction at the horizon and how uncertain it is."""

    prediction: float  # at the best rate
    noise: float  # residual standard deviation
    spread: float  # standard deviation of the prediction: parameters and plausible rates


def fit_family(t: np.ndarray, y: np.ndarray, horizon: float) -> list[Fit]:
    """Each model of the family fitted to ``y`` at ``t``, predicted at ``horizon``.

    >>> t = np.arange(1.0, 11.0)
    >>> round(fit_family(t, 1.0 - 0.5 * t ** -0.7, 50.0)[0].prediction, 2)
    0.97
    """
    fits = []
    n = len(t)
    dof = max(n - 3, 1)
    for rates, kind in ((_POW_RATES, "pow"), (_EXP_RATES, "exp")):
        basis = t[None, :] ** -rates[:, None] if kind == "pow" else np.exp(-rates[:, None] * t)
        far = horizon**-rates if kind == "pow" else np.exp(-rates * horizon)
        # y = c + b * basis (b = -a): closed-form least squares for every rate at once.
        b_mean = basis.mean(axis=1)
        y_mean = float(y.mean())
        centred = basis - b_mean[:, None]
        sxx = np.maximum((centred * centred).sum(axis=1), 1e-300)
        # A negative slope is a rising curve; a positive one, a curve that degrades
        # (overfitting), which is then extrapolated as such.
        slope = centred @ (y - y_mean) / sxx
        intercept = y_mean - slope * b_mean
        residuals = y[None, :] - (intercept[:, None] + slope[:, None] * basis)
        sse = (residuals * residuals).sum(axis=1)
        predictions = intercept + slope * far
        best = int(np.argmin(sse))
        noise2 = float(sse[best]) / dof
        # Standard error of the linear prediction at the best rate: large while the curve
        # has not bent yet (the asymptote is then far from every observed point).
        leverage = 1.0 / n + (far[best] - b_mean[best]) ** 2 / sxx[best]
        plausible = sse <= sse[best] * (1.0 + _PROFILE / dof) + 1e-300
        # One grid step beyond each end too: the interval's true ends lie between steps.
        plausible[1:] |= plausible[:-1].copy()
        plausible[:-1] |= plausible[1:].copy()
        span = float(predictions[plausible].max() - predictions[plausible].min())
        spread = math.sqrt(noise2 * leverage + (span / 4.0) ** 2)
        fits.append(Fit(float(predictions[best]), math.sqrt(noise2), spread))
    return fits


def beat_probability(curve: np.ndarray, horizon: int, best: float) -> float:
    """Probability that the oriented ``curve`` ends above ``best`` at report ``horizon``.

    >>> rising = 0.9 - 0.5 * np.arange(1.0, 11.0) ** -0.8
    >>> beat_probability(rising, 50, 0.95) < 0.05 < beat_probability(rising, 50, 0.85)
    True
    """
    finite = np.isfinite(curve)
    y = curve[finite]
    t = np.flatnonzero(finite).astype(float) + 1.0
    if len(y) < 3:
        return 1.0
    fits = fit_family(t, y, float(horizon))
    floor = 1e-3 * float(np.ptp(y)) + 1e-12
    noises = np.array([max(fit.noise, floor) for fit in fits])
    # Models weigh by their Gaussian likelihood on the curve, as a Bayesian model average
    # would (Domhan et al.): one that fits much worse contributes almost nothing.
    log_like = -len(y) * np.log(noises)
    weights = np.exp(log_like - log_like.max())
    weights /= weights.sum()
    predictions = np.array([fit.prediction for fit in fits])
    mean = float(weights @ predictions)
    # The mixture's variance: each model's own (noise of the final report and the
    # prediction's spread) plus the models' disagreement.
    within = np.array([fit.spread**2 for fit in fits]) + noises**2
    variance = float(weights @ (within + (predictions - mean) ** 2))
    scale = math.sqrt(variance)
    if not math.isfinite(scale) or not math.isfinite(mean) or scale <= 0.0:
        return 1.0
    return float(ndtr((mean - best) / scale))


@register
class CurveFittingPolicy(ComparingPolicy):
    name = "curve_fitting"
    aliases: ClassVar[tuple[str, ...]] = (
        "learning_curve",
        "curvefitting",
        "curve_fitting_assessor",
    )
    description = (
        "Fits saturating curves (power law, exponential) to a trial's learning curve and "
        "stops it when it will very likely not beat the best finished trial at the last report."
    )
    params = (
        ParamSpec(
            "threshold",
            "float",
            0.05,
            "Stop when the probability of beating the best final value is below this.",
            min=0.0,
            max=1.0,
        ),
        ParamSpec(
            "max_resource",
            "int",
            None,
            "Reports of a full trial (empty: the longest trial that has ended).",
            min=2,
        ),
        ParamSpec(
            "min_points",
            "int",
            5,
            "Reports a curve needs before it is extrapolated.",
            min=3,
        ),
    )

    @classmethod
    def _check_together(cls, options: dict[str, Any]) -> None:
        top, low = options["max_resource"], options["min_points"]
        if top is not None and top <= low:
            raise SamplerParamError(
                f"curve_fitting: max_resource must be > min_points, got max_resource={top!r}, "
                f"min_points={low!r}"
            )

    def is_evaluation_point(self, n: int) -> bool:
        return super().is_evaluation_point(n) and n >= self.options["min_points"]

    def _should_stop(
        self, trial: np.ndarray, others: list[np.ndarray], finished: list[bool]
    ) -> bool:
        n = len(trial)
        ended = [len(c) for c, done in zip(others, finished, strict=True) if done]
        # The horizon: a full trial's length when known; else the longest ended trial;
        # else the longest curve so far (the comparison is then made at that report).
        horizon = (
            self.options["max_resource"]
            or max(ended, default=0)
            or max((len(c) for c in others), default=0)
        )
        if horizon <= n:
            return False  # nothing left to save, or no full-length trial to know the end
        finals = [float(c[horizon - 1]) for c in others if len(c) >= horizon]
        finals = [value for value in finals if math.isfinite(value)]
        if len(finals) < self.options["min_comparators"]:
            return False
        return beat_probability(trial, horizon, max(finals)) < self.options["threshold"]
