"""Parameter sampling (HyperDrive's three and the console's own), early-termination
policies and the metric goal, with HyperDrive's names, arguments and defaults.

>>> from sweepconsole import BanditPolicy, RandomParameterSampling, choice, uniform
>>> sampling = RandomParameterSampling({"lr": uniform(0.001, 0.1), "batch": choice(16, 32)})
>>> sampling.to_json()
{'name': 'random', 'params': {}}
>>> BanditPolicy(slack_factor=0.1, evaluation_interval=2).to_json()
{'name': 'bandit', 'evaluation_interval': 2, 'slack_factor': 0.1, 'delay_evaluation': 0}
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, ClassVar

from sweepconsole.distribution_kinds import Distribution
from sweepconsole.distribution_reading import space_from_json, space_to_json
from sweepconsole.errors import SpecError

__all__ = [
    "ASHAPolicy",
    "AnnealSampling",
    "BanditPolicy",
    "BayesianParameterSampling",
    "CurveFittingPolicy",
    "EarlyTerminationPolicy",
    "GridParameterSampling",
    "MedianStoppingPolicy",
    "NoTerminationPolicy",
    "ParameterSampling",
    "PrimaryMetricGoal",
    "RandomParameterSampling",
    "SMACSampling",
    "TPESampling",
    "TruncationSelectionPolicy",
    "policy_defaults",
    "policy_from_json",
    "sampling_from_json",
]


class PrimaryMetricGoal(enum.StrEnum):
    MAXIMIZE = "maximize"
    MINIMIZE = "minimize"

    def __str__(self) -> str:
        return self.value


# --------------------------------------------------------------------------- sampling


class ParameterSampling:
    """A search algorithm of the console with the space it searches.

    ``properties`` (HyperDrive's spelling) and keyword arguments are both the search
    algorithm's parameters, e.g. ``RandomParameterSampling(space, properties={"seed": 3})``
    or ``TPESampling(space, gamma=0.2)``. ``GET /api/v1/search-algorithms/`` lists them.
    """

    name: ClassVar[str]
    aliases: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        parameter_space: Mapping[str, Distribution],
        properties: Mapping[str, Any] | None = None,
        **params: Any,
    ) -> None:
        if not isinstance(parameter_space, Mapping) or not parameter_space:
            raise SpecError(
                f"{type(self).__name__}: give the parameter space as a non-empty dict of "
                f"{{name: distribution}}, got {parameter_space!r}"
            )
        space_to_json(parameter_space)  # checks every entry is a distribution
        if properties is not None and not isinstance(properties, Mapping):
            raise SpecError(f"{type(self).__name__}: properties must be a dict, got {properties!r}")
        self.parameter_space: dict[str, Distribution] = dict(parameter_space)
        self.params: dict[str, Any] = {**dict(properties or {}), **params}

    def to_json(self) -> dict[str, Any]:
        """The entry of the job's ``search_algorithms`` list."""
        return {"name": self.name, "params": dict(self.params)}

    def search_space_json(self) -> dict[str, dict[str, Any]]:
        return space_to_json(self.parameter_space)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParameterSampling):
            return NotImplemented
        return (type(self), self.parameter_space, self.params) == (
            type(other),
            other.parameter_space,
            other.params,
        )

    def __repr__(self) -> str:
        params = "".join(f", {k}={v!r}" for k, v in self.params.items())
        return f"{type(self).__name__}({self.parameter_space!r}{params})"


class RandomParameterSampling(ParameterSampling):
    name = "random"


class GridParameterSampling(ParameterSampling):
    name = "grid"


class BayesianParameterSampling(ParameterSampling):
    name = "bayesian"
    aliases = ("bayes_opt_search",)


class TPESampling(ParameterSampling):
    name = "tpe"
    aliases = ("tpe_search",)


class AnnealSampling(ParameterSampling):
    name = "anneal"
    aliases = ("anneal_search",)


class SMACSampling(ParameterSampling):
    name = "smac"


SAMPLINGS: dict[str, type[ParameterSampling]] = {}
for _cls in (
    RandomParameterSampling,
    GridParameterSampling,
    BayesianParameterSampling,
    TPESampling,
    AnnealSampling,
    SMACSampling,
):
    for _key in (_cls.name, *_cls.aliases, _cls.__name__.lower()):
        SAMPLINGS[_key] = _cls


def sampling_class(name: Any) -> type[ParameterSampling]:
    """The class for a console name, an alias or a class name (``RandomParameterSampling``)."""
    cls = SAMPLINGS.get(str(name).strip().lower()) if isinstance(name, str) else None
    if cls is None:
        known = ", ".join(c.name for c in dict.fromkeys(SAMPLINGS.values()))
        raise SpecError(f"unknown search algorithm {name!r} (known: {known})")
    return cls


def sampling_from_json(
    search_space: Mapping[str, Any], search_algorithms: Sequence[Mapping[str, Any]]
) -> list[ParameterSampling]:
    """A stored job's ``search_space`` and ``search_algorithms`` as sampling objects."""
    space = space_from_json(search_space)
    return [
        sampling_class(item.get("name"))(space, **dict(item.get("params") or {}))
        for item in search_algorithms
    ]


# --------------------------------------------------------------------------- policies


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
