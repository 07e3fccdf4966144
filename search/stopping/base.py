"""The early-termination policy base class and its parameter validation.

A policy decides from learning curves alone: no clock, no I/O, no state between calls.

Shapes and conventions:
    trial_curve: (n,) metric reported at intervals 1..n; index i is report i + 1
    other_curves: list of (m_j,) curves of the other trials of the same job, any length
    finished: list of bools, one per other curve: True when that trial has ended

Inside a policy every curve is turned to "higher is better" (negated when minimising)
and non-finite points become NaN, so the subclasses never branch on the goal.

Policies that compare trials (median, truncation, bandit) compare at report ``n`` with
every other trial that has reached ``n`` (its first ``n`` reports) and with every trial
that has *ended* before ``n`` (its whole curve: an early-stopped or shorter trial is a
real comparator, not a missing one); they never stop a trial while fewer than
``min_comparators`` such trials exist.

Timing follows Azure ML HyperDrive: the policy is applied at every report count ``n``
that is a multiple of ``evaluation_interval`` and ``>= delay_evaluation``; it never
stops a trial anywhere else.  A trial whose latest value is NaN or infinite (a diverged
run) is stopped at the next evaluation point, whatever the other trials did.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np

from search.errors import SamplerParamError
from search.goals import check_goal
from search.params import Configurable, ParamSpec

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


class Policy(Configurable):
    """Decides whether a running trial should stop, from the learning curves of its job.

    Subclasses set ``name``, ``description`` and ``params`` (their own parameters; the
    common ``evaluation_interval`` and ``delay_evaluation`` are added here) and implement
    :meth:`_should_stop`.
    """

    def __init__(self, **params: Any) -> None:
        self.options: dict[str, Any] = self.check_options(**params)
        self.evaluation_interval: int = self.options["evaluation_interval"]
        self.delay_evaluation: int = self.options["delay_evaluation"]

    @classmethod
    def all_params(cls) -> tuple[ParamSpec, ...]:
        return COMMON_PARAMS + cls.params

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


class ComparingPolicy(Policy):
    """A policy that stops a trial by comparing it with the other trials of its job."""

    #: Default of ``min_comparators`` for this policy.
    default_min_comparators: ClassVar[int] = 1

    @classmethod
    def all_params(cls) -> tuple[ParamSpec, ...]:
        minimum = ParamSpec(
            "min_comparators",
            "int",
            cls.default_min_comparators,
            "Never stop a trial while fewer other trials than this can be compared with it.",
            min=1,
        )
        return (*COMMON_PARAMS, minimum, *cls.params)

    def compared(
        self,
        others: list[np.ndarray],
        finished: list[bool],
        n: int,
        summary: Callable[[np.ndarray], float],
    ) -> list[float] | None:
        """``summary`` of each comparator's curve up to report ``n`` (see the module
        docstring), or ``None`` when there are fewer than ``min_comparators``."""
        values = []
        for curve, done in zip(others, finished, strict=True):
            if len(curve) >= n:
                head = curve[:n]
            elif done and len(curve):
                head = curve
            else:
                continue  # still running and younger: nothing comparable yet
            value = summary(head)
            if not math.isnan(value):  # NaN: no finite point to compare with
                values.append(value)
        return values if len(values) >= self.options["min_comparators"] else None


def running_average(curve: np.ndarray) -> float:
    """Mean of the finite points of ``curve``."""
    total = float(curve.sum())
    # The plain mean first: nanmean costs several times more and NaNs are rare.
    if not math.isnan(total):
        return total / len(curve)
    finite = curve[~np.isnan(curve)]
    return float(finite.mean()) if finite.size else math.nan


def best_of(curve: np.ndarray) -> float:
    """Best finite point of ``curve``, NaN when there is none."""
    top = float(curve.max())
    if not math.isnan(top):  # the common case: no NaN in the curve
        return top
    finite = curve[~np.isnan(curve)]
    return float(finite.max()) if finite.size else math.nan


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
