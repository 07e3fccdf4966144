"""HyperDrive's parameter expressions, with HyperDrive's meaning, as the console reads them.

Each function returns a small immutable object whose ``to_json()`` is exactly the search
space JSON the console accepts for one hyperparameter, and ``from_json`` reads that JSON
back (from a job file, or from a job the console stored):

=====================================  =================================================
``choice(16, 32, 64)``                 one of the values (a list or ``range`` works too)
``randint(upper)``                     an integer in 0 .. upper - 1
``uniform(low, high)``                 uniform on [low, high]
``quniform(low, high, q)``             round(uniform(low, high) / q) * q
``loguniform(low, high)``              exp(uniform(low, high)): low and high are exponents
``qloguniform(low, high, q)``          round(exp(uniform(low, high)) / q) * q
``normal(mu, sigma)``                  normal with mean mu and standard deviation sigma
``qnormal(mu, sigma, q)``              round(normal(mu, sigma) / q) * q
``lognormal(mu, sigma)``               exp(normal(mu, sigma))
``qlognormal(mu, sigma, q)``           round(exp(normal(mu, sigma)) / q) * q
``float_range(low, high, log, step)``  the console's own range form (``low + k * step``)
``int_range(low, high, log, step)``    the same for integers
=====================================  =================================================

Arguments are checked at once and a bad one is echoed in the message
(``loguniform: low must be < high, got low=-1, high=-5``).

The console stores ``randint(n)`` as the integer range ``0 .. n - 1`` and a ``bool`` range
as ``choice(False, True)``; ``from_json`` reads those back as ``randint`` and ``choice``.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Mapping
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
    "Uniform",
    "choice",
    "float_range",
    "from_json",
    "int_range",
    "loguniform",
    "lognormal",
    "normal",
    "parse_expression",
    "qloguniform",
    "qlognormal",
    "qnormal",
    "quniform",
    "randint",
    "space_from_json",
    "space_to_json",
    "uniform",
]

Scalar = str | int | float | bool | None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(kind: str, name: str, value: Any) -> int | float:
    if not _is_number(value) or not math.isfinite(value):
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
        if not _is_number(upper) or not float(upper).is_integer() or upper < 1:
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
            if not _is_number(value) or not float(value).is_integer():
                raise SpecError(f"int: {name} must be a whole number, got {name}={value!r}")
        if self.step is None:
            object.__setattr__(self, "step", 1)
        elif not _is_number(self.step) or not float(self.step).is_integer():
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


# --------------------------------------------------------------------------- HyperDrive names


def choice(*options: Any) -> Choice:
    """One of the given values: ``choice(16, 32, 64)``, ``choice([16, 32])``, ``choice(range(3))``.

    >>> choice("adam", "sgd").to_json()
    {'type': 'choice', 'values': ['adam', 'sgd']}
    """
    if len(options) == 1 and isinstance(options[0], (list, tuple, range)):
        return Choice(tuple(options[0]))
    return Choice(tuple(options))


def randint(upper: int) -> RandInt:
    """An integer in 0 .. upper - 1.

    >>> randint(5).to_json()
    {'type': 'randint', 'upper': 5}
    """
    return RandInt(upper)


def uniform(min_value: float, max_value: float) -> Uniform:
    """Uniform on [min_value, max_value].

    >>> uniform(0, 1).to_json()
    {'type': 'uniform', 'low': 0, 'high': 1}
    """
    return Uniform(min_value, max_value)


def quniform(min_value: float, max_value: float, q: float) -> Uniform:
    """round(uniform(min_value, max_value) / q) * q."""
    return Uniform(min_value, max_value, q=q)


def loguniform(min_value: float, max_value: float) -> LogUniform:
    """exp(uniform(min_value, max_value)): the bounds are exponents (HyperDrive's meaning).

    >>> import math
    >>> loguniform(math.log(1e-4), math.log(1e-1)).type
    'loguniform'
    """
    return LogUniform(min_value, max_value)


def qloguniform(min_value: float, max_value: float, q: float) -> LogUniform:
    """round(exp(uniform(min_value, max_value)) / q) * q."""
    return LogUniform(min_value, max_value, q=q)


def normal(mu: float, sigma: float) -> Normal:
    """Normal with mean ``mu`` and standard deviation ``sigma``."""
    return Normal(mu, sigma)


def qnormal(mu: float, sigma: float, q: float) -> Normal:
    """round(normal(mu, sigma) / q) * q."""
    return Normal(mu, sigma, q=q)


def lognormal(mu: float, sigma: float) -> LogNormal:
    """exp(normal(mu, sigma))."""
    return LogNormal(mu, sigma)


def qlognormal(mu: float, sigma: float, q: float) -> LogNormal:
    """round(exp(normal(mu, sigma)) / q) * q."""
    return LogNormal(mu, sigma, q=q)


def float_range(
    low: float, high: float, log: bool = False, step: float | None = None
) -> FloatRange:
    """The console's float range: ``float_range(1e-4, 0.1, log=True)``.

    >>> float_range(1e-4, 0.1, log=True).to_json()
    {'type': 'float', 'low': 0.0001, 'high': 0.1, 'log': True, 'step': None}
    """
    return FloatRange(low, high, log, step)


def int_range(low: int, high: int, log: bool = False, step: int = 1) -> IntRange:
    """The console's integer range: ``int_range(16, 128, step=16)``."""
    return IntRange(low, high, log, step)


_CALLS = {
    "choice": choice,
    "randint": randint,
    "uniform": uniform,
    "quniform": quniform,
    "loguniform": loguniform,
    "qloguniform": qloguniform,
    "normal": normal,
    "qnormal": qnormal,
    "lognormal": lognormal,
    "qlognormal": qlognormal,
    "float_range": float_range,
    "int_range": int_range,
}
_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind: (required fields, optional fields); "type" aside
    "choice": (("values",), ()),
    "categorical": (("values",), ()),
    "str": (("values",), ()),
    "bool": ((), ("values",)),
    "randint": (("upper",), ()),
    "uniform": (("low", "high"), ()),
    "loguniform": (("low", "high"), ()),
    "quniform": (("low", "high", "q"), ()),
    "qloguniform": (("low", "high", "q"), ()),
    "normal": (("mu", "sigma"), ()),
    "lognormal": (("mu", "sigma"), ()),
    "qnormal": (("mu", "sigma", "q"), ()),
    "qlognormal": (("mu", "sigma", "q"), ()),
    "float": (("low", "high"), ("log", "step")),
    "int": (("low", "high"), ("log", "step")),
}


def from_json(spec: Any) -> Distribution:
    """The distribution a console search-space entry describes.

    >>> from_json({"type": "loguniform", "low": -9, "high": -2})
    LogUniform(low=-9, high=-2, q=None)
    >>> from_json({"type": "int", "low": 0, "high": 4, "log": False, "step": 1})
    RandInt(upper=5)
    """
    if not isinstance(spec, Mapping):
        raise SpecError(f"a range must be an object with a type, got {spec!r}")
    kind = spec.get("type")
    if kind not in _FIELDS:
        raise SpecError(
            f"unknown distribution {kind!r} (known: {', '.join(_CALLS)}, or the console's "
            "types float, int, bool)"
        )
    required, optional = _FIELDS[kind]
    missing = [name for name in required if name not in spec]
    if missing:
        raise SpecError(f"{kind} needs {', '.join(missing)}, got {dict(spec)!r}")
    unknown = sorted(str(k) for k in spec if k != "type" and k not in required + optional)
    if unknown:
        raise SpecError(f"{kind} takes no {', '.join(unknown)}, got {dict(spec)!r}")
    if kind in ("choice", "categorical", "str"):
        return Choice(_values(spec["values"]))
    if kind == "bool":
        return Choice(_values(spec.get("values", [False, True])))
    if kind == "randint":
        return RandInt(spec["upper"])
    q = spec.get("q")
    if kind in ("uniform", "quniform"):
        return Uniform(spec["low"], spec["high"], q=q)
    if kind in ("loguniform", "qloguniform"):
        return LogUniform(spec["low"], spec["high"], q=q)
    if kind in ("normal", "qnormal"):
        return Normal(spec["mu"], spec["sigma"], q=q)
    if kind in ("lognormal", "qlognormal"):
        return LogNormal(spec["mu"], spec["sigma"], q=q)
    log = False if spec.get("log") is None else spec["log"]
    if kind == "float":
        return FloatRange(spec["low"], spec["high"], log, spec.get("step"))
    step = 1 if spec.get("step") is None else spec["step"]
    if spec["low"] == 0 and step == 1 and log is False and _is_number(spec["high"]):
        return RandInt(int(spec["high"]) + 1)  # how the console stores randint(n)
    return IntRange(spec["low"], spec["high"], log, step)


def _values(values: Any) -> tuple[Scalar, ...]:
    if isinstance(values, Mapping) and set(values) == {"range"}:
        bounds = values["range"]
        if isinstance(bounds, (list, tuple)) and all(
            _is_number(b) and float(b).is_integer() for b in bounds
        ):
            return tuple(range(*(int(b) for b in bounds)))
    if not isinstance(values, (list, tuple)):
        raise SpecError(f"choice: values must be a list, got values={values!r}")
    return tuple(values)


_CALL = re.compile(r"^\s*([A-Za-z_]\w*)\s*\((.*)\)\s*$", re.DOTALL)
_RANGE_ARG = re.compile(r"^\s*range\s*\(([-\d\s,]+)\)\s*$")


def parse_expression(text: str) -> Distribution:
    """Read a HyperDrive call written as text, as a job file holds it.

    Only literals are read (never evaluated as code): numbers, quoted strings,
    ``True``/``False``/``None`` (or ``true``/``false``/``null``), a list, or ``range(...)``.

    >>> parse_expression("loguniform(-9.2, -2.3)")
    LogUniform(low=-9.2, high=-2.3, q=None)
    >>> parse_expression("choice('adam', 'sgd')").values
    ('adam', 'sgd')
    """
    match = _CALL.match(text)
    if not match:
        raise SpecError(
            f"expected a call such as loguniform(-9.2, -2.3) or choice(16, 32), got {text!r}"
        )
    name, args_text = match.group(1), match.group(2)
    function = _CALLS.get(name)
    if function is None:
        raise SpecError(f"unknown distribution {name!r} (known: {', '.join(_CALLS)})")
    range_arg = _RANGE_ARG.match(args_text)
    if name == "choice" and range_arg:
        return choice(range(*_literal(name, range_arg.group(1))))
    args, kwargs = _call_arguments(name, args_text)
    try:
        return function(*args, **kwargs)  # type: ignore[operator, no-any-return]
    except TypeError as exc:
        raise SpecError(f"{name}: {exc}") from None


def _call_arguments(name: str, text: str) -> tuple[list[Any], dict[str, Any]]:
    try:
        call = ast.parse(f"f({_json_words(text)})", mode="eval").body
    except SyntaxError:
        raise SpecError(
            f"{name}: cannot read the arguments {text!r} (quote strings: choice('adam', 'sgd'))"
        ) from None
    assert isinstance(call, ast.Call)
    try:
        args = [ast.literal_eval(arg) for arg in call.args]
        kwargs = {str(kw.arg): ast.literal_eval(kw.value) for kw in call.keywords}
    except ValueError:
        raise SpecError(
            f"{name}: arguments must be literal values, got {text!r} "
            "(quote strings: choice('adam', 'sgd'))"
        ) from None
    return args, kwargs


def _literal(name: str, text: str) -> tuple[Any, ...]:
    args, _ = _call_arguments(name, text)
    return tuple(args)


_JSON_WORDS = re.compile(r"\b(true|false|null)\b(?=(?:[^'\"]|'[^']*'|\"[^\"]*\")*$)")


def _json_words(text: str) -> str:
    """``true``/``false``/``null`` outside quotes as Python's literals (YAML users type them)."""
    return _JSON_WORDS.sub(lambda m: {"true": "True", "false": "False", "null": "None"}[m[1]], text)


def space_to_json(space: Mapping[str, Distribution]) -> dict[str, dict[str, Any]]:
    """``{name: distribution}`` as the console's ``search_space`` JSON."""
    out: dict[str, dict[str, Any]] = {}
    for name, dist in space.items():
        if not isinstance(dist, Distribution):
            raise SpecError(
                f"{name}: expected a distribution such as choice(...) or uniform(...), got {dist!r}"
            )
        out[name] = dist.to_json()
    return out


def space_from_json(spec: Mapping[str, Any]) -> dict[str, Distribution]:
    """The console's ``search_space`` JSON as ``{name: distribution}``."""
    out: dict[str, Distribution] = {}
    for name, entry in spec.items():
        try:
            out[name] = from_json(entry)
        except SpecError as exc:
            raise SpecError(f"{name}: {exc}") from None
    return out
