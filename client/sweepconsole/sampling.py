"""Parameter sampling (HyperDrive's three and the console's own) and the metric goal, with
HyperDrive's names, arguments and defaults (the policies are in ``sweepconsole.policies``).

>>> from sweepconsole import RandomParameterSampling, choice, uniform
>>> sampling = RandomParameterSampling({"lr": uniform(0.001, 0.1), "batch": choice(16, 32)})
>>> sampling.to_json()
{'name': 'random', 'params': {}}
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from sweepconsole.distribution_kinds import Distribution
from sweepconsole.distribution_reading import space_from_json, space_to_json
from sweepconsole.errors import SpecError

__all__ = [
    "AnnealSampling",
    "BayesianParameterSampling",
    "GridParameterSampling",
    "ParameterSampling",
    "PrimaryMetricGoal",
    "RandomParameterSampling",
    "SMACSampling",
    "TPESampling",
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
