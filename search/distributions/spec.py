"""Spec parsing: the JSON a user writes for one parameter, to a distribution.

Two families of specs are accepted:

* HyperDrive: ``choice``, ``uniform``, ``loguniform`` (= exp(uniform(low, high))),
  ``normal``, ``lognormal`` (= exp(normal(mu, sigma))), their ``q`` forms
  (= round(x / q) * q) and ``randint`` (0 .. upper - 1), with HyperDrive's meaning;
* ModelArts ranges: ``float`` and ``int`` with ``low``, ``high``, ``log``, ``step``
  (values ``low + k * step``, as in Optuna) and ``str``/``bool``/``categorical`` lists.

When ``q`` is a whole number the quantised values are returned as ``int`` so that a
training script parsing ``--batch=32`` never receives ``32.0``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from search.distributions.base import Distribution, _as_finite_float
from search.distributions.categorical import CategoricalDistribution
from search.distributions.hyperdrive import (
    LogNormalDistribution,
    LogUniformDistribution,
    NormalDistribution,
    UniformDistribution,
)
from search.distributions.keys import Scalar
from search.distributions.ranges import FloatDistribution, IntDistribution
from search.errors import SpaceError

_FIELDS: dict[str, tuple[set[str], set[str]]] = {
    # kind: (required fields, optional fields), "type" excluded
    "choice": ({"values"}, set()),
    "categorical": ({"values"}, set()),
    "str": ({"values"}, set()),
    "bool": (set(), {"values"}),
    "uniform": ({"low", "high"}, set()),
    "loguniform": ({"low", "high"}, set()),
    "quniform": ({"low", "high", "q"}, set()),
    "qloguniform": ({"low", "high", "q"}, set()),
    "normal": ({"mu", "sigma"}, set()),
    "lognormal": ({"mu", "sigma"}, set()),
    "qnormal": ({"mu", "sigma", "q"}, set()),
    "qlognormal": ({"mu", "sigma", "q"}, set()),
    "randint": ({"upper"}, set()),
    "float": ({"low", "high"}, {"log", "step"}),
    "int": ({"low", "high"}, {"log", "step"}),
}


def from_spec(param: str, spec: Mapping[str, Any]) -> Distribution:
    """Build the distribution a JSON spec describes; errors name ``param`` and the field.

    >>> from_spec("lr", {"type": "float", "low": 1e-5, "high": 1e-1, "log": True})
    FloatDistribution(low=1e-05, high=0.1, log=True, step=None)
    >>> from_spec("batch", {"type": "choice", "values": {"range": [16, 65, 16]}}).choices
    (16, 32, 48, 64)
    """
    if not isinstance(spec, Mapping):
        raise SpaceError(f"{param}: spec must be an object, got {spec!r}")
    kind = spec.get("type")
    if kind not in _FIELDS:
        raise SpaceError(f"{param}: type must be one of {sorted(_FIELDS)}, got type={kind!r}")
    required, optional = _FIELDS[kind]
    given = set(spec) - {"type"}
    missing = required - given
    takes = ", ".join([*sorted(required), *sorted(optional)])
    if missing:
        raise SpaceError(
            f"{param}: {kind} needs {', '.join(sorted(missing))} (it takes {takes}; "
            f"given: {', '.join(sorted(given)) or 'nothing'})"
        )
    unknown = given - required - optional
    if unknown:
        raise SpaceError(
            f"{param}: unknown field(s) {', '.join(sorted(unknown))} for {kind} (it takes {takes})"
        )
    try:
        return _build(kind, spec)
    except SpaceError as exc:
        # Prefix with the parameter name so a form can point at the right row.
        raise SpaceError(f"{param}: {exc}") from None


def _build(kind: str, spec: Mapping[str, Any]) -> Distribution:
    q = spec.get("q")
    if kind in ("choice", "categorical", "str"):
        return CategoricalDistribution(_choice_values(spec["values"]))
    if kind == "bool":
        return CategoricalDistribution(_choice_values(spec.get("values", [False, True])))
    if kind in ("uniform", "quniform"):
        return UniformDistribution(spec["low"], spec["high"], q=q)
    if kind in ("loguniform", "qloguniform"):
        return LogUniformDistribution(spec["low"], spec["high"], q=q)
    if kind in ("normal", "qnormal"):
        return NormalDistribution(spec["mu"], spec["sigma"], q=q)
    if kind in ("lognormal", "qlognormal"):
        return LogNormalDistribution(spec["mu"], spec["sigma"], q=q)
    if kind == "randint":
        upper = spec["upper"]
        number = _as_finite_float(upper)
        if number is None or not number.is_integer() or number < 1:
            raise SpaceError(f"randint: upper must be an integer >= 1, got upper={upper!r}")
        return IntDistribution(0, int(upper) - 1)
    # A table row may hold null for an unset log flag or step: null means the default.
    log = False if spec.get("log") is None else spec["log"]
    if kind == "float":
        return FloatDistribution(spec["low"], spec["high"], log=log, step=spec.get("step"))
    step = spec.get("step")
    return IntDistribution(spec["low"], spec["high"], log=log, step=1 if step is None else step)


def _choice_values(values: Any) -> tuple[Scalar, ...]:
    if isinstance(values, Mapping):
        bounds = values.get("range")
        if (
            set(values) != {"range"}
            or not isinstance(bounds, (list, tuple))
            or not (1 <= len(bounds) <= 3)
            or not all(_is_whole(b) for b in bounds)
        ):
            raise SpaceError(
                f"values: range must be [start, stop, step] integers, got values={dict(values)!r}"
            )
        return tuple(range(*(int(b) for b in bounds)))
    if not isinstance(values, (list, tuple)):
        raise SpaceError(f"values must be a list, got values={values!r}")
    return tuple(values)


def _is_whole(value: Any) -> bool:
    number = _as_finite_float(value)
    return number is not None and number.is_integer()
