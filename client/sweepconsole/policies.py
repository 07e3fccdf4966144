"""HyperDrive's early-termination policies and the console's own, with HyperDrive's names,
arguments and defaults: ``to_json()`` is a job's ``policy`` object, ``policy_from_json``
reads one back.

>>> from sweepconsole import BanditPolicy
>>> BanditPolicy(slack_factor=0.1, evaluation_interval=2).to_json()
{'name': 'bandit', 'evaluation_interval': 2, 'slack_factor': 0.1, 'delay_evaluation': 0}
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, ClassVar

from sweepconsole.errors import SpecError

__all__ = [
    "ASHAPolicy",
    "BanditPolicy",
    "CurveFittingPolicy",
    "EarlyTerminationPolicy",
    "MedianStoppingPolicy",
    "NoTerminationPolicy",
    "TruncationSelectionPolicy",
    "policy_defaults",
    "policy_from_json",
]


def _whole(policy: str, name: str, value: Any, minimum: int) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not float(value).is_integer()
        or value < minimum
    ):
        raise SpecError(f"{policy}: {name} must be a whole number >= {minimum}, got {value!r}")


def _non_negative(policy: str, name: str, value: Any) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
    ):
        raise SpecError(f"{policy}: {name} must be a number >= 0, got {name}={value!r}")


@dataclass(frozen=True)
class EarlyTerminationPolicy:
    """Base of the policies: ``to_json()`` is the job's ``policy`` object.

    ``extra`` holds parameters of the console's policy that this client does not name
    (``min_comparators``, or one a newer console added): they are sent as they are, read
    back from a job, and left out of ``==`` (a job stores every parameter, defaults too).
    """

    name: ClassVar[str]
    aliases: ClassVar[tuple[str, ...]] = ()
    # HyperDrive's argument name -> the console's, where they differ.
    renamed: ClassVar[dict[str, str]] = {}
    extra: Mapping[str, Any] = field(
        default_factory=dict, kw_only=True, compare=False, repr=False, hash=False
    )

    def __post_init__(self) -> None:
        if not isinstance(self.extra, Mapping):
            raise SpecError(f"{self.name}: extra must be a dict of parameters, got {self.extra!r}")
        object.__setattr__(self, "extra", dict(self.extra))
        if hasattr(self, "evaluation_interval"):
            _whole(self.name, "evaluation_interval", self.evaluation_interval, 1)
        if hasattr(self, "delay_evaluation"):
            _whole(self.name, "delay_evaluation", self.delay_evaluation, 0)

    def to_json(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"name": self.name}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name != "extra" and value is not None:
                spec[self.renamed.get(f.name, f.name)] = value
        for key, value in self.extra.items():
            spec.setdefault(str(key), value)
        return spec


@dataclass(frozen=True)
class BanditPolicy(EarlyTerminationPolicy):
    """Stops a trial whose metric is not within the slack of the best trial at the same report.

    Give exactly one of ``slack_factor`` (a ratio) and ``slack_amount`` (an absolute distance).
    """

    evaluation_interval: int = 1
    slack_factor: float | None = None
    slack_amount: float | None = None
    delay_evaluation: int = 0
    name: ClassVar[str] = "bandit"
    aliases: ClassVar[tuple[str, ...]] = ("bandit_policy",)

    def __post_init__(self) -> None:
        super().__post_init__()
        if (self.slack_factor is None) == (self.slack_amount is None):
            raise SpecError(
                "bandit: give exactly one of slack_factor and slack_amount, got "
                f"slack_factor={self.slack_factor!r}, slack_amount={self.slack_amount!r}"
            )
        if self.slack_factor is not None:
            _non_negative(self.name, "slack_factor", self.slack_factor)
        if self.slack_amount is not None:
            _non_negative(self.name, "slack_amount", self.slack_amount)


@dataclass(frozen=True)
class MedianStoppingPolicy(EarlyTerminationPolicy):
    """Stops a trial below the median of the others' running averages (HyperDrive's
    default delay: 5 reports)."""

    evaluation_interval: int = 1
    delay_evaluation: int = 5
    name: ClassVar[str] = "median_stopping"
    aliases: ClassVar[tuple[str, ...]] = ("median", "median_stopping_policy")


@dataclass(frozen=True)
class TruncationSelectionPolicy(EarlyTerminationPolicy):
    """Stops the lowest ``truncation_percentage`` percent of trials at each evaluation."""

    truncation_percentage: int = 20
    evaluation_interval: int = 1
    delay_evaluation: int = 0
    exclude_finished_jobs: bool = False
    name: ClassVar[str] = "truncation_selection"
    aliases: ClassVar[tuple[str, ...]] = ("truncation", "truncation_selection_policy")
    renamed: ClassVar[dict[str, str]] = {"exclude_finished_jobs": "exclude_finished"}

    def __post_init__(self) -> None:
        super().__post_init__()
        pct = self.truncation_percentage
        if isinstance(pct, bool) or not isinstance(pct, (int, float)) or not 1 <= pct <= 99:
            raise SpecError(
                f"truncation_selection: truncation_percentage must be in 1..99, got {pct!r}"
            )
        if not isinstance(self.exclude_finished_jobs, bool):
            raise SpecError(
                "truncation_selection: exclude_finished_jobs must be true or false, "
                f"got {self.exclude_finished_jobs!r}"
            )


@dataclass(frozen=True)
class ASHAPolicy(EarlyTerminationPolicy):
    """Asynchronous successive halving: at rungs min_resource * reduction_factor^k only the
    top 1/reduction_factor of trials go on."""

    min_resource: int = 3
    reduction_factor: int = 3
    max_resource: int | None = None
    evaluation_interval: int = 1
    delay_evaluation: int = 0
    name: ClassVar[str] = "asha"
    aliases: ClassVar[tuple[str, ...]] = ("successive_halving",)

    def __post_init__(self) -> None:
        super().__post_init__()
        _whole(self.name, "min_resource", self.min_resource, 1)
        _whole(self.name, "reduction_factor", self.reduction_factor, 2)
        if self.max_resource is not None:
            _whole(self.name, "max_resource", self.max_resource, 1)


@dataclass(frozen=True)
class CurveFittingPolicy(EarlyTerminationPolicy):
    """The console's learning-curve extrapolation (Domhan et al. 2015, as NNI's
    curve-fitting assessor): stops a trial when the probability that its final value beats
    the best final value so far, predicted from its curve, is below ``threshold``."""

    threshold: float = 0.01
    max_resource: int | None = None
    min_points: int = 5
    evaluation_interval: int = 1
    delay_evaluation: int = 0
    name: ClassVar[str] = "curve_fitting"
    aliases: ClassVar[tuple[str, ...]] = (
        "learning_curve",
        "curvefitting",
        "curve_fitting_assessor",
    )


@dataclass(frozen=True)
class NoTerminationPolicy(EarlyTerminationPolicy):
    """Every trial runs to its end."""

    name: ClassVar[str] = "none"
    aliases: ClassVar[tuple[str, ...]] = ("no_termination",)


POLICIES: dict[str, type[EarlyTerminationPolicy]] = {}
for _policy in (
    BanditPolicy,
    MedianStoppingPolicy,
    TruncationSelectionPolicy,
    ASHAPolicy,
    CurveFittingPolicy,
    NoTerminationPolicy,
):
    for _key in (_policy.name, *_policy.aliases, _policy.__name__.lower()):
        POLICIES[_key] = _policy


def policy_class(name: Any) -> type[EarlyTerminationPolicy]:
    cls = POLICIES.get(name.strip().lower()) if isinstance(name, str) else None
    if cls is None:
        known = ", ".join(c.name for c in dict.fromkeys(POLICIES.values()))
        raise SpecError(f"unknown early-termination policy {name!r} (known: {known})")
    return cls


def policy_params(cls: type[EarlyTerminationPolicy]) -> list[str]:
    """The parameter names a policy takes, as the console spells them."""
    return [cls.renamed.get(f.name, f.name) for f in fields(cls) if f.name != "extra"]


def policy_defaults(cls: type[EarlyTerminationPolicy]) -> dict[str, Any]:
    """``{parameter: default}`` of a policy, as the console spells the names: what the
    policy sends for a parameter it is not given (``None``: nothing is sent).

    >>> policy_defaults(MedianStoppingPolicy)
    {'evaluation_interval': 1, 'delay_evaluation': 5}
    """
    return {
        cls.renamed.get(f.name, f.name): f.default
        for f in fields(cls)
        if f.name != "extra" and f.default is not MISSING and f.default is not None
    }


def policy_from_json(spec: Mapping[str, Any] | None) -> EarlyTerminationPolicy | None:
    """A job's ``policy`` object as a policy; ``None`` for none (``{}``). Parameters this
    client does not name go to ``extra``.

    >>> policy_from_json({"name": "bandit", "slack_factor": 0.2, "slack_amount": None,
    ...                   "evaluation_interval": 1, "delay_evaluation": 0})
    BanditPolicy(evaluation_interval=1, slack_factor=0.2, slack_amount=None, delay_evaluation=0)
    """
    if not spec:
        return None
    if not isinstance(spec, Mapping):
        raise SpecError(f"a policy must be an object with a name, got {spec!r}")
    cls = policy_class(spec.get("name"))
    back = {console: ours for ours, console in cls.renamed.items()}
    names = set(policy_params(cls)) | set(back.values())
    kwargs: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in spec.items():
        if key == "name":
            continue
        ours = back.get(key, key)
        if ours in names:
            if value is not None:
                kwargs[ours] = value
        elif value is not None:
            extra[str(key)] = value
    try:
        return cls(**kwargs, extra=extra)
    except TypeError as exc:
        raise SpecError(f"{cls.name}: {exc}") from None
