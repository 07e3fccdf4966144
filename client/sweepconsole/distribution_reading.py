"""Reading distributions back: the console's search-space JSON (``from_json``, as a job
file or a stored job holds it) and a HyperDrive call written as text
(``parse_expression``), which is read as literals, never evaluated as code."""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import Any

from sweepconsole.distribution_kinds import (
    Choice,
    Distribution,
    FloatRange,
    IntRange,
    LogNormal,
    LogUniform,
    Normal,
    RandInt,
    Scalar,
    Uniform,
    is_number,
)
from sweepconsole.distributions import CALLS, choice
from sweepconsole.errors import SpecError

__all__ = ["from_json", "parse_expression", "space_from_json", "space_to_json"]

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
            f"unknown distribution {kind!r} (known: {', '.join(CALLS)}, or the console's "
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
    if spec["low"] == 0 and step == 1 and log is False and is_number(spec["high"]):
        return RandInt(int(spec["high"]) + 1)  # how the console stores randint(n)
    return IntRange(spec["low"], spec["high"], log, step)


def _values(values: Any) -> tuple[Scalar, ...]:
    if isinstance(values, Mapping) and set(values) == {"range"}:
        bounds = values["range"]
        if isinstance(bounds, (list, tuple)) and all(
            is_number(b) and float(b).is_integer() for b in bounds
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
    function = CALLS.get(name)
    if function is None:
        raise SpecError(f"unknown distribution {name!r} (known: {', '.join(CALLS)})")
    range_arg = _RANGE_ARG.match(args_text)
    if name == "choice" and range_arg:
        return choice(range(*_literal(name, range_arg.group(1))))
    args, kwargs = _call_arguments(name, args_text)
    try:
        return function(*args, **kwargs)
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
