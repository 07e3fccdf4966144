"""The distributions themselves: one frozen dataclass per kind, each checking its
arguments at once and echoing a bad one in the message, with ``to_json()`` (the console's
search-space JSON for one hyperparameter) and ``expression()`` (the HyperDrive call that
builds it). The functions a notebook calls to make them are in
``sweepconsole.distributions``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sweepconsole.errors import SpecError

__all__ = [
    "Choice",
    "Distribution",
    "FloatRange",
    "IntRange",
    "LogNormal",
    "LogUniform",
    "Normal",
    "RandInt",
    "Scalar",
    "Uniform",
    "is_number",
]

Scalar = str | int | float | bool | None


def is_number(value: Any) -> bool:
    """An int or a float, never a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(kind: str, name: str, value: Any) -> int | float:
    if not is_number(value) or not math.isfinite(value):
        raise SpecError(f"{kind}: {name} must be a finite number, got {name}={value!r}")
    return value  # type: ignore[no-any-return, unused-ignore]


def _q(kind: str, q: Any) -> int | float:
    number = _number(kind, "q", q)
    if number <= 0:
        raise SpecError(f"{kind}: q must be > 0, got q={q!r}")
    return number


def _fmt(value: Any) -> str:
    return repr(value)


class Distribution:
    """One hyperparameter's values and prior; subclasses are frozen dataclasses."""

    type: ClassVar[str]

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError

    def expression(self) -> str:
        """The Python/HyperDrive call that builds it, e.g. ``loguniform(-9.2, -2.3)``."""
        raise NotImplementedError

    def __str__(self) -> str:
        return self.expression()


@dataclass(frozen=True)
class Choice(Distribution):
    values: tuple[Scalar, ...]
    type: ClassVar[str] = "choice"

    def __post_init__(self) -> None:
        values = tuple(self.values)
        if not values:
            raise SpecError("choice: give at least one value, got choice()")
        seen: list[Any] = []
        for value in values:
            if value is not None and not isinstance(value, (str, int, float, bool)):
                raise SpecError(
                    f"choice: values must be strings, numbers, booleans or null, got {value!r}"
                )
            if isinstance(value, float) and not math.isfinite(value):
                raise SpecError(f"choice: values must be finite, got {value!r}")
            key = (type(value) is bool, value)
            if key in seen:
                raise SpecError(f"choice: values must be distinct, got {value!r} twice")
            seen.append(key)
        object.__setattr__(self, "values", values)

    def to_json(self) -> dict[str, Any]:
        return {"type": "choice", "values": list(self.values)}

    def expression(self) -> str:
        return f"choice({', '.join(_fmt(v) for v in self.values)})"


@dataclass(frozen=True)
class RandInt(Distribution):
    upper: int
    type: ClassVar[str] = "randint"

    def __post_init__(self) -> None:
        upper = self.upper
        if not is_number(upper) or not float(upper).is_integer() or upper < 1:
            raise SpecError(f"randint: upper must be an integer >= 1, got upper={upper!r}")
        object.__setattr__(self, "upper", int(upper))

    def to_json(self) -> dict[str, Any]:
        return {"type": "randint", "upper": self.upper}

    def expression(self) -> str:
        return f"randint({self.upper})"


@dataclass(frozen=True)
class _Bounded(Distribution):
    low: int | float
    high: int | float
    q: int | float | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        kind = self._kind()
        _number(kind, "low", self.low)
        _number(kind, "high", self.high)
        if not self.low < self.high:
            raise SpecError(f"{kind}: low must be < high, got low={self.low!r}, high={self.high!r}")
        if self.q is not None:
            _q(kind, self.q)

    def _kind(self) -> str:
        return self.type if self.q is None else "q" + self.type

    def to_json(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"type": self._kind(), "low": self.low, "high": self.high}
        if self.q is not None:
            spec["q"] = self.q
        return spec

    def expression(self) -> str:
        args = [self.low, self.high] + ([self.q] if self.q is not None else [])
        return f"{self._kind()}({', '.join(_fmt(a) for a in args)})"


@dataclass(frozen=True)
class Uniform(_Bounded):
    type: ClassVar[str] = "uniform"


@dataclass(frozen=True)
class LogUniform(_Bounded):
    """exp(uniform(low, high)): values lie in [exp(low), exp(high)]."""

    type: ClassVar[str] = "loguniform"


@dataclass(frozen=True)
class _Gaussian(Distribution):
    mu: int | float
    sigma: int | float
    q: int | float | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        kind = self._kind()
        _number(kind, "mu", self.mu)
        _number(kind, "sigma", self.sigma)
        if self.sigma <= 0:
            raise SpecError(f"{kind}: sigma must be > 0, got sigma={self.sigma!r}")
        if self.q is not None:
            _q(kind, self.q)

    def _kind(self) -> str:
        return self.type if self.q is None else "q" + self.type

    def to_json(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"type": self._kind(), "mu": self.mu, "sigma": self.sigma}
        if self.q is not None:
            spec["q"] = self.q
        return spec

    def expression(self) -> str:
        args = [self.mu, self.sigma] + ([self.q] if self.q is not None else [])
        return f"{self._kind()}({', '.join(_fmt(a) for a in args)})"


@dataclass(frozen=True)
class Normal(_Gaussian):
    type: ClassVar[str] = "normal"


@dataclass(frozen=True)
class LogNormal(_Gaussian):
    """exp(normal(mu, sigma))."""

    type: ClassVar[str] = "lognormal"


@dataclass(frozen=True)
class FloatRange(Distribution):
    """The console's range form: [low, high], on a log scale or not, optionally on a step."""

    low: int | float
    high: int | float
    log: bool = False
    step: int | float | None = None
    type: ClassVar[str] = "float"

    def __post_init__(self) -> None:
        _check_range(self.type, self.low, self.high, self.log, self.step)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "low": self.low,
            "high": self.high,
            "log": self.log,
            "step": self.step,
        }

    def expression(self) -> str:
        args = [_fmt(self.low), _fmt(self.high)]
        if self.log:
            args.append("log=True")
        if self.step is not None and not (self.type == "int" and self.step == 1):
            args.append(f"step={_fmt(self.step)}")
        return f"{self.type}_range({', '.join(args)})"


@dataclass(frozen=True)
class IntRange(FloatRange):
    step: int | float | None = 1
    type: ClassVar[str] = "int"

    def __post_init__(self) -> None:
        for name in ("low", "high"):
            value = getattr(self, name)
            if not is_number(value) or not float(value).is_integer():
                raise SpecError(f"int: {name} must be a whole number, got {name}={value!r}")
        if self.step is None:
            object.__setattr__(self, "step", 1)
        elif not is_number(self.step) or not float(self.step).is_integer():
            raise SpecError(f"int: step must be a whole number, got step={self.step!r}")
        super().__post_init__()
        object.__setattr__(self, "low", int(self.low))
        object.__setattr__(self, "high", int(self.high))
        object.__setattr__(self, "step", int(self.step))  # type: ignore[arg-type]


def _check_range(kind: str, low: Any, high: Any, log: Any, step: Any) -> None:
    _number(kind, "low", low)
    _number(kind, "high", high)
    if not low < high:
        raise SpecError(f"{kind}: low must be < high, got low={low!r}, high={high!r}")
    if not isinstance(log, bool):
        raise SpecError(f"{kind}: log must be true or false, got log={log!r}")
    if log and low <= 0:
        raise SpecError(f"{kind}: a log scale needs low > 0, got low={low!r}")
    if step is not None:
        _number(kind, "step", step)
        if step <= 0:
            raise SpecError(f"{kind}: step must be > 0, got step={step!r}")
        if step > high - low:
            raise SpecError(
                f"{kind}: step must not be larger than the range, got step={step!r} "
                f"for low={low!r}, high={high!r}"
            )
