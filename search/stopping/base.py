"""The early-termination policy base class and its parameter validation.

A policy decides from learning curves alone: no clock, no I/O, no state between calls.

Shapes and conventions:
    trial_curve: (n,) metric reported at intervals 1..n; index i is report i + 1
    other_curves: list of (m_j,) curves of the other trials of the same job, any length
    finished: list of bools, one per other curve: True when that trial has ended

Inside a policy every curve is turned to "higher is better" (negated when minimising)
and non-finite points become NaN, so the subclasses never branch on the goal.

Timing follows Azure ML HyperDrive: the policy is applied at every report count ``n``
that is a multiple of ``evaluation_interval`` and ``>= delay_evaluation``; it never
stops a trial anywhere else.  A trial whose latest value is NaN or infinite (a diverged
run) is stopped at the next evaluation point, whatever the other trials did.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from search.errors import SamplerParamError
from search.goals import check_goal
from search.params import ParamSpec

COMMON_PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec(
        "evaluation_interval",
        "int",
        1,
        "Apply the policy every this many metric reports.",
        min=1,
    ),
    ParamSpec(
        "delay_evaluation",
        "int",
        0,
        "Never apply the policy before this many metric reports.",
        min=0,
    ),
)


def _resolve(policy: str, spec: ParamSpec, value: Any) -> Any:
    # The message names the policy too: a job form shows several parameter groups.
    try:
        return spec.coerce(value)
    except SamplerParamError as exc:
        raise SamplerParamError(f"{policy}: {exc}") from None


class Policy:
    """Decides whether a running trial should stop, from the learning curves of its job.

    Subclasses set ``name``, ``description`` and ``params`` (their own parameters; the
    common ``evaluation_interval`` and ``delay_evaluation`` are added here) and implement
    :meth:`_should_stop`.
    """

    name: ClassVar[str]
    aliases: ClassVar[tuple[str, ...]] = ()
    description: ClassVar[str]
    params: ClassVar[tuple[ParamSpec, ...]] = ()

    def __init__(self, **params: Any) -> None:
        specs = {spec.name: spec for spec in self.all_params()}
        unknown = sorted(set(params) - set(specs))
        if unknown:
            given = ", ".join(f"{key}={params[key]!r}" for key in unknown)
            raise SamplerParamError(
                f"{self.name}: unknown parameter(s) {given}; accepted: {', '.join(specs)}"
            )
        self.options: dict[str, Any] = {
            key: _resolve(self.name, spec, params.get(key, spec.default))
            for key, spec in specs.items()
        }
        self.evaluation_interval: int = self.options["evaluation_interval"]
        self.delay_evaluation: int = self.options["delay_evaluation"]
        self._check_options()

    @classmethod
    def all_params(cls) -> tuple[ParamSpec, ...]:
        return COMMON_PARAMS + cls.params

    def _check_options(self) -> None:
        """Hook for checks that involve several parameters at once."""

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.options.items())
        return f"{type(self).__name__}({args})"

    def is_evaluation_point(self, n: int) -> bool:
        """True when the policy may act on a trial that has made ``n`` reports."""
        return n >= 1 and n >= self.delay_evaluation and n % self.evaluation_interval == 0

    def should_stop(
        self,
        trial_curve: Sequence[float],
        other_curves: Sequence[Sequence[float]],
        goal: str = "maximize",
        *,
        finished: Sequence[bool] | None = None,
    ) -> bool:
        """Whether the trial with ``trial_curve`` should stop now.

        >>> from search.stopping import make_policy
        >>> policy = make_policy("bandit", slack_amount=0.2, evaluation_interval=1)
        >>> policy.should_stop([0.5], [[0.8]], goal="maximize")
        True
        """
        goal = check_goal(goal)
        if finished is None:
            finished = [False] * len(other_curves)
        elif len(finished) != len(other_curves):
            raise SamplerParamError(
                f"finished needs one flag per other curve: got {len(finished)} flags "
                f"for {len(other_curves)} curves"
            )
        n = len(trial_curve)
        if not self.is_evaluation_point(n):
            return False
        trial = _oriented(trial_curve, goal)
        if np.isnan(trial[-1]):
            return True  # diverged: NaN/inf latest value
        others = [_oriented(curve, goal) for curve in other_curves]
        return bool(self._should_stop(trial, others, [bool(flag) for flag in finished]))

    def _should_stop(
        self, trial: np.ndarray, others: list[np.ndarray], finished: list[bool]
    ) -> bool:
        """Decide at an evaluation point; ``trial[-1]`` is finite, curves are oriented."""
        raise NotImplementedError


def _oriented(curve: Sequence[float], goal: str) -> np.ndarray:
    """Curve as floats, higher is better, non-finite points as NaN."""
    values = np.asarray(list(curve), dtype=float).reshape(-1)
    if goal == "minimize":
        values = -values
    values[~np.isfinite(values)] = np.nan
    return values


def best_so_far(curve: np.ndarray, n: int) -> float:
    """Best finite value among the first ``n`` points, -inf when there is none."""
    head = curve[:n]
    head = head[~np.isnan(head)]
    return float(head.max()) if head.size else -math.inf


def reached(
    curves: list[np.ndarray], n: int, finished: list[bool] | None = None
) -> list[np.ndarray]:
    """Curves with at least ``n`` points, skipping finished ones when flags are given."""
    flags = finished if finished is not None else [False] * len(curves)
    pairs = zip(curves, flags, strict=True)
    return [curve for curve, done in pairs if len(curve) >= n and not done]
