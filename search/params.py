"""Algorithm parameters as the console's forms need them: type, default, range, choices.

Shared by every role with tunable settings (samplers, and policies alike), so a form
renders and validates them all the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from search.errors import SamplerParamError

PARAM_TYPES = ("float", "int", "str", "bool")
# The largest whole number every float (and every JSON reader) holds exactly: 2**53 - 1.
MAX_EXACT_INT = 2**53 - 1
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


@dataclass(frozen=True)
class ParamSpec:
    """One algorithm parameter: its type, default and allowed range.

    ``coerce`` accepts what a form or a ModelArts table sends (``"10"``, ``"true"``,
    ``10.0`` for an int); a blank value leaves a parameter whose default is ``None`` unset.

    >>> ParamSpec("n_startup", "int", 10, "random trials first", min=1).coerce("12")
    12
    """

    name: str
    type: str
    default: Any
    description: str
    min: float | None = None
    max: float | None = None
    choices: tuple[Any, ...] | None = None

    def __post_init__(self) -> None:
        if self.type not in PARAM_TYPES:
            raise ValueError(f"{self.name}: type must be one of {PARAM_TYPES}, got {self.type!r}")

    def coerce(self, value: Any) -> Any:
        """Return ``value`` as this parameter's type, or raise ``SamplerParamError``.

        >>> ParamSpec("rule", "str", "random", "", choices=("random", "sobol")).coerce("x")
        Traceback (most recent call last):
        ...
        search.errors.SamplerParamError: rule must be one of ['random', 'sobol'], got rule='x'
        """
        if value is None or (isinstance(value, str) and not value.strip() and self.type != "str"):
            if self.default is None:
                return None
            raise SamplerParamError(f"{self.name} must not be empty, got {self.name}={value!r}")
        converted = self._convert(value)
        if self.min is not None and converted < self.min:
            raise SamplerParamError(f"{self.name} must be >= {self.min}, got {self.name}={value!r}")
        if self.max is not None and converted > self.max:
            raise SamplerParamError(f"{self.name} must be <= {self.max}, got {self.name}={value!r}")
        if self.choices is not None and converted not in self.choices:
            raise SamplerParamError(
                f"{self.name} must be one of {list(self.choices)}, got {self.name}={value!r}"
            )
        return converted

    def _convert(self, value: Any) -> Any:
        article = "an" if self.type == "int" else "a"
        bad = SamplerParamError(
            f"{self.name} must be {article} {self.type}, got {self.name}={value!r}"
        )
        if self.type == "bool":
            if isinstance(value, (bool, np.bool_)):
                return bool(value)
            if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
                return value.strip().lower() in _TRUE
            raise bad
        if self.type == "str":
            if isinstance(value, str):
                return value
            raise bad
        # bool is an int subclass: True must not pass as a count of 1.
        if isinstance(value, (bool, np.bool_)):
            raise bad
        try:
            number = float(value.strip() if isinstance(value, str) else value)
        except (TypeError, ValueError):
            raise bad from None
        if not math.isfinite(number):
            raise bad
        if self.type == "int":
            if not number.is_integer():
                raise bad
            if abs(number) > MAX_EXACT_INT:
                # Past 2**53 a float (and a JSON reader in a browser) no longer holds every
                # whole number: 10**30 would be stored as 1000000000000000019884624838656.
                raise SamplerParamError(
                    f"{self.name} must be at most {MAX_EXACT_INT} in size, got "
                    f"{self.name}={value!r}"
                )
            return int(number)
        return number

    def _bound(self, value: float | None) -> float | int | None:
        # An int parameter's bounds are whole numbers: listed as 1, not 1.0.
        if self.type == "int" and value is not None and float(value).is_integer():
            return int(value)
        return value

    def to_json(self) -> dict[str, Any]:
        """The listing entry a form renders.

        >>> ParamSpec("gamma", "float", 0.25, "quantile", min=0, max=1).to_json()["max"]
        1
        """
        return {
            "name": self.name,
            "type": self.type,
            "default": self.default,
            "min": self._bound(self.min),
            "max": self._bound(self.max),
            "choices": None if self.choices is None else list(self.choices),
            "description": self.description,
        }


class Configurable:
    """What samplers and policies share: a name, aliases, a description and parameters
    that ``check_options`` validates with no search space at hand.

    Subclasses list their own ``params``; ``all_params`` may add role-wide ones (a
    sampler's ``seed``, a policy's timing), and ``_check_together`` holds rules across
    parameters.
    """

    name: ClassVar[str]
    aliases: ClassVar[tuple[str, ...]] = ()
    description: ClassVar[str]
    params: ClassVar[tuple[ParamSpec, ...]] = ()

    @classmethod
    def all_params(cls) -> tuple[ParamSpec, ...]:
        """Every parameter the class accepts, in the order a form shows them."""
        return cls.params

    @classmethod
    def check_options(cls, **params: Any) -> dict[str, Any]:
        """Validate parameters as a form sends them; return every option, defaults filled in.

        Raises ``SamplerParamError`` for an unknown name, a wrong type, a value out of range
        or a rule across parameters; the message names the parameter and echoes the value.

        >>> from search.samplers import get_sampler_class
        >>> get_sampler_class("tpe").check_options(gamma="0.5")["gamma"]
        0.5
        """
        specs = {spec.name: spec for spec in cls.all_params()}
        unknown = [key for key in params if key not in specs]
        if unknown:
            given = ", ".join(f"{key}={params[key]!r}" for key in unknown)
            raise SamplerParamError(
                f"{cls.name} has no parameter {given} (it takes: {', '.join(specs) or 'none'})"
            )
        options = {
            key: spec.coerce(params[key]) if key in params else spec.default
            for key, spec in specs.items()
        }
        cls._check_together(options)
        return options

    @classmethod
    def _check_together(cls, options: dict[str, Any]) -> None:
        """Hook for rules across parameters; raise ``SamplerParamError``."""

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """The listing entry of ``list_samplers`` and ``list_policies``."""
        return {
            "name": cls.name,
            "aliases": list(cls.aliases),
            "description": cls.description,
            "params": [spec.to_json() for spec in cls.all_params()],
        }
