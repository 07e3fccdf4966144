"""Learning-curve extrapolation: stop a trial that will very likely not beat the best one.

After Domhan, Springenberg and Hutter (2015), "Speeding up automatic hyperparameter
optimization of deep neural networks by extrapolation of learning curves", IJCAI, and
NNI's curve-fitting assessor: a small family of saturating parametric curves is fitted to
the trial's curve so far, the value at the final report is predicted with an uncertainty,
and the trial stops when the probability that it beats the best final value of the other
trials is below ``threshold``. Domhan et al. sample an 11-model ensemble by MCMC; this
policy keeps two models of their family that NNI also uses, fits them by variable
projection (a grid over the rate, linear least squares for the rest: a millisecond per
call, no random numbers) and turns residual noise, extrapolation distance and the
models' disagreement into a normal predictive distribution.

Models, for ``t = 1 .. n`` reports (oriented: higher is better):
    pow3: y(t) = c - a * t ** -alpha          (alpha > 0)
    exp3: y(t) = c - a * exp(-beta * t)       (beta > 0)

Arrays:
    t: (n,) report numbers 1..n;  y: (n,) the trial's oriented curve
    rates: (k,) grid of alpha or beta;  basis: (k, n) the rate-dependent column
    fits: per model, (prediction at max_resource, residual standard deviation)
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from scipy.special import ndtr

from search.errors import SamplerParamError
from search.stopping.base import ComparingPolicy, ParamSpec
from search.stopping.registry import register

_POW_RATES = np.geomspace(0.05, 4.0, 48)
_EXP_RATES = np.geomspace(0.005, 2.0, 48)


def fit_family(t: np.ndarray, y: np.ndarray, horizon: float) -> list[tuple[float, float]]:
    """``(value at horizon, residual std)`` of each model fitted to ``y`` at ``t``.

    >>> t = np.arange(1.0, 11.0)
    >>> [round(p, 2) for p, _ in fit_family(t, 1.0 - 0.5 * t ** -0.7, 50.0)][0]
    0.97
    """
    fits = []
    for rates, kind in ((_POW_RATES, "pow"), (_EXP_RATES, "exp")):
        basis = t[None, :] ** -rates[:, None] if kind == "pow" else np.exp(-rates[:, None] * t)
        far = horizon**-rates if kind == "pow" else np.exp(-rates * horizon)
        # y = c + b * basis (b = -a): closed-form least squares for every rate at once.
        b_mean = basis.mean(axis=1)
        y_mean = float(y.mean())
        centred = basis - b_mean[:, None]
        denominator = (centred * centred).sum(axis=1)
        slope = np.where(
            denominator > 0, centred @ (y - y_mean) / np.maximum(denominator, 1e-300), 0.0
        )
        # A saturating curve rises towards c: a negative slope (b > 0 means falling) is
        # allowed too, so a curve that degrades (overfitting) is extrapolated as such.
        intercept = y_mean - slope * b_mean
        residuals = y[None, :] - (intercept[:, None] + slope[:, None] * basis)
        sse = (residuals * residuals).sum(axis=1)
        best = int(np.argmin(sse))
        dof = max(len(t) - 3, 1)
        fits.append((float(intercept[best] + slope[best] * far[best]), math.sqrt(sse[best] / dof)))
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
    predictions = np.array([p for p, _ in fits])
    noises = np.array([s for _, s in fits])
    # Models weigh by their Gaussian likelihood on the curve, as a Bayesian model average
    # would (Domhan et al.): one that fits much worse contributes almost nothing.
    floor = 1e-3 * float(np.ptp(y)) + 1e-12
    log_like = -len(y) * np.log(np.maximum(noises, floor))
    weights = np.exp(log_like - log_like.max())
    weights /= weights.sum()
    mean = float(weights @ predictions)
    spread = math.sqrt(float(weights @ (predictions - mean) ** 2))
    noise = max(float(weights @ noises), floor)
    # Extrapolating further than the data reach is less certain: the spread grows with the
    # distance to the horizon relative to the observed span.
    reach = math.sqrt(1.0 + (horizon - t[-1]) / t[-1])
    scale = math.hypot(noise * reach, spread)
    if not math.isfinite(scale) or not math.isfinite(mean):
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
