"""Learning-curve extrapolation: stop a trial that will very likely not beat the best one.

After Domhan, Springenberg and Hutter (2015), "Speeding up automatic hyperparameter
optimization of deep neural networks by extrapolation of learning curves", IJCAI, and
NNI's curve-fitting assessor: a small family of saturating parametric curves is fitted to
the trial's curve so far, the value at the final report is predicted with its uncertainty,
and the trial stops when the probability that it beats the best final value of the other
trials is below ``threshold``. Domhan et al. sample an 11-model ensemble by MCMC; this
policy keeps two models of their family that NNI also uses and averages them exactly on a
grid of rates instead (no random numbers, a millisecond per call).

Models, for ``t = 1 .. n`` reports (oriented: higher is better), written through the value
at the horizon ``H`` so that both models' parameters mean the same thing:
    y(t) = y_H + d * g(t),  g(1) = 1, g(H) = 0
    pow3: g(t) = (t ** -alpha - H ** -alpha) / (1 - H ** -alpha)          (alpha > 0)
    exp3: g(t) = (exp(-beta t) - exp(-beta H)) / (exp(-beta) - exp(-beta H))   (beta > 0)
``d < 0`` is a rising curve, ``d > 0`` one that degrades (overfitting).

Bayesian linear regression for each (model, rate) on the grid (Gelman et al., Bayesian
Data Analysis, 3rd ed., section 14.2): flat prior on ``(y_H, d)``, ``p(sigma) ~ 1/sigma``,
the rate log-uniform over its grid, the two models equally likely a priori. The evidence of
a grid point is ``|X'X| ** -1/2 * SSE ** (-(n - 2) / 2)`` and the predictive of the final
report is Student's t with ``n - 2`` degrees of freedom around ``y_H``; the prediction is
the evidence-weighted mixture over the whole grid. Weighting by the best fit alone (a
profile likelihood) is overconfident on short curves: five points of a curve with a slow
tail fit one fast exponential so well that the eventual winner looks hopeless.

``threshold`` defaults to 0.01: on the benchmark's three curve families (synthetic, and
recorded accuracy and log loss, ``benchmarks/early_stopping.py``) it stopped no eventual
winner in any of 35 jobs while saving 59-72 % of the epochs; 0.05 saves 67-76 % but lost
the winner in 3 of 5 synthetic jobs (up to 12 % worse), where winners end 1-3 % ahead.

Arrays:
    t: (n,) report numbers 1..n;  y: (n,) the trial's oriented curve
    rates: (k,) grid of alpha or beta;  g: (k, n) the rate-dependent column
    sse, means, scales, log_evidence: (k,) per grid point
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, NamedTuple

import numpy as np
from scipy.special import stdtr

from search.errors import SamplerParamError
from search.stopping.base import ComparingPolicy, ParamSpec
from search.stopping.registry import register

# Rate grids, about 4 % apart: a coarser grid biases the asymptote of a curve that has
# not bent yet by more than the differences that matter between trials.
_POW_RATES = np.geomspace(0.05, 4.0, 120)
_EXP_RATES = np.geomspace(0.005, 2.0, 160)


class Predictive(NamedTuple):
    """The final value's predictive distribution: a mixture of Student's t.

    weights, means, scales: (k,) over every (model, rate) grid point; dof: shared.
    """

    weights: np.ndarray
    means: np.ndarray
    scales: np.ndarray
    dof: int

    def mean(self) -> float:
        return float(self.weights @ self.means)

    def above(self, value: float) -> float:
        """Probability that the final value exceeds ``value``."""
        return float(self.weights @ stdtr(self.dof, (self.means - value) / self.scales))


def _column(rates: np.ndarray, kind: str, t: np.ndarray, horizon: float) -> np.ndarray:
    """(k, n) ``g`` of the module docstring: 1 at report 1, 0 at the horizon."""
    if kind == "pow":
        phi, first, far = t[None, :] ** -rates[:, None], np.ones_like(rates), horizon**-rates
    else:
        phi, first, far = np.exp(-rates[:, None] * t), np.exp(-rates), np.exp(-rates * horizon)
    return (phi - far[:, None]) / (first - far)[:, None]


def predictive(t: np.ndarray, y: np.ndarray, horizon: float) -> Predictive:
    """Predictive distribution of the curve ``y`` (at reports ``t``) at ``horizon``.

    Needs ``len(y) >= 3``; ``horizon`` beyond ``t``.

    >>> t = np.arange(1.0, 11.0)
    >>> round(predictive(t, 1.0 - 0.5 * t ** -0.7, 50.0).mean(), 2)
    0.97
    """
    n = len(y)
    dof = n - 2
    # Residual scale floor: a curve fitted exactly would otherwise claim certainty.
    floor = (1e-3 * float(np.ptp(y)) + 1e-12) ** 2 * dof
    y_mean = float(y.mean())
    log_evidence, means, scales = [], [], []
    for rates, kind in ((_POW_RATES, "pow"), (_EXP_RATES, "exp")):
        g = _column(rates, kind, t, horizon)
        g_mean = g.mean(axis=1)
        centred = g - g_mean[:, None]
        sxx = np.maximum((centred * centred).sum(axis=1), 1e-300)
        slope = centred @ (y - y_mean) / sxx
        final = y_mean - slope * g_mean  # the intercept: g is 0 at the horizon
        residuals = y[None, :] - (final[:, None] + slope[:, None] * g)
        sse = np.maximum((residuals * residuals).sum(axis=1), floor)
        # det(X'X) = n * sxx for X = [1, g]; the rate's prior is uniform over its grid.
        log_evidence.append(-0.5 * np.log(n * sxx) - 0.5 * dof * np.log(sse) - math.log(len(rates)))
        means.append(final)
        # A new observation at the horizon: x = (1, 0), (X'X)^-1[0, 0] = 1/n + g_mean^2/sxx.
        scales.append(np.sqrt(sse / dof * (1.0 + 1.0 / n + g_mean**2 / sxx)))
    evidence = np.concatenate(log_evidence)
    weights = np.exp(evidence - evidence.max())
    return Predictive(weights / weights.sum(), np.concatenate(means), np.concatenate(scales), dof)


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
    probability = predictive(t, y, float(horizon)).above(best)
    return probability if math.isfinite(probability) else 1.0


def resolution(curves: list[np.ndarray]) -> float:
    """Smallest difference between two distinct finite values of ``curves`` (0 if none).

    A metric measured in steps (accuracy on 54 validation samples moves by 1/54) cannot
    beat a best value by less than one step: a trial that can at most tie the best adds
    nothing, and a continuous prediction would give a tie even odds.

    >>> resolution([np.array([0.5, 0.75, 1.0]), np.array([1.0, 0.25])])
    0.25
    """
    values = np.unique(np.concatenate([c[np.isfinite(c)] for c in curves]))
    return float(np.diff(values).min()) if values.size > 1 else 0.0


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
            0.01,
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
        # Beating the best means ending at least one measurement step above it; half a
        # step is the boundary between the two values (a continuity correction).
        step = resolution([trial, *others])
        return beat_probability(trial, horizon, max(finals) + step / 2) < self.options["threshold"]
