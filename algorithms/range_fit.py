"""Does a range fit its row? The checks ``algorithms.spaces.check_range`` makes once the
search library has read the range: its values have the row's type and every value it can
draw lies inside the row's constraint (min/max, or the enumeration).

Problems are keyed like the job API answers them: ``{field: [messages]}``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from algorithms.range_values import RowLike, is_number
from algorithms.range_values import row_number as _num
from algorithms.range_values import shown_list as _list
from search.distributions import Distribution, IntDistribution

# A finite range up to this many values is checked value by value against the row.
_MAX_CHECKED_VALUES = 100_000


def fit_errors(
    row: RowLike, kind: str, spec: Mapping[str, Any], dist: Distribution
) -> dict[str, list[str]]:
    """The ways the range ``spec`` (of ``kind``, read as ``dist``) does not fit ``row``."""
    if dist.is_categorical:
        return _choice_fit_errors(row, list(dist.choices or ()))
    name = row.name
    extremes = _extremes(dist)
    if extremes is None:
        return {
            "__all__": [
                f"{name}: {kind} reaches values too large to pass to a script; narrow the range."
            ]
        }
    if row.type == "int" and not _integer_valued(dist):
        return {
            "type": [
                f"{name}: an int hyperparameter needs whole values, but {kind} draws "
                "fractions; use int, randint, choice or a q form with a whole q."
            ]
        }
    if row.choices:
        values = _finite_values(dist)
        if values is None:
            return {"type": [f"{name}: its row takes only {_list(row.choices)}: use a choice."]}
        return _outside_enumeration(row, "type", values)
    if row.min is None or row.max is None:
        return {}
    if not dist.is_bounded:
        return {
            "type": [
                f"{name}: {kind} is unbounded, so it can draw values outside "
                f"[{_num(row, row.min)}, {_num(row, row.max)}]; use a bounded kind such as "
                f"uniform or {row.type}."
            ]
        }
    lowest, highest = extremes
    low_key, high_key = _bound_keys(kind)
    errors: dict[str, list[str]] = {}
    # A bound a float's rounding moves past the row's (exp(log(0.1)) is 0.10000000000000002)
    # still fits: the range was written to end there.
    if lowest < row.min and not _rounding_apart(lowest, row.min):
        errors[low_key] = [
            f"{name}: the range goes down to {_shown(kind, spec, low_key, lowest)}, below the "
            f"minimum {_num(row, row.min)} of its row."
        ]
    if highest > row.max and not _rounding_apart(highest, row.max):
        errors[high_key] = [
            f"{name}: the range goes up to {_shown(kind, spec, high_key, highest)}, above the "
            f"maximum {_num(row, row.max)} of its row."
        ]
    return errors


def _rounding_apart(value: float, bound: float) -> bool:
    """Whether ``value`` differs from ``bound`` by float rounding alone (1e-9 relative)."""
    return math.isclose(value, bound, rel_tol=1e-9, abs_tol=1e-300)


def _choice_fit_errors(row: RowLike, values: list[Any]) -> dict[str, list[str]]:
    name = row.name
    if row.type == "bool":
        wrong = [v for v in values if not isinstance(v, bool)]
        if wrong:
            return {"values": [f"{name}: a bool takes true or false, got {_list(wrong)}."]}
        return {}
    if row.type == "str":
        wrong = [v for v in values if not isinstance(v, str)]
        if wrong:
            return {"values": [f"{name}: a str takes strings, got {_list(wrong)}."]}
        if row.choices:
            return _outside_enumeration(row, "values", values)
        if any("\x00" in v for v in values):
            return {"values": [f"{name}: values must not contain NUL characters."]}
        return {}
    wrong = [v for v in values if not is_number(v)]
    if wrong:
        return {"values": [f"{name}: a {row.type} takes numbers, got {_list(wrong)}."]}
    if row.type == "int":
        fractions = [v for v in values if not float(v).is_integer()]
        if fractions:
            return {"values": [f"{name}: an int takes whole numbers, got {_list(fractions)}."]}
    if row.choices:
        return _outside_enumeration(row, "values", values)
    if row.min is not None and row.max is not None:
        outside = [v for v in values if not row.min <= v <= row.max]
        if outside:
            return {
                "values": [
                    f"{name}: {_list(outside)} outside the row's range "
                    f"[{_num(row, row.min)}, {_num(row, row.max)}]."
                ]
            }
    return {}


def _outside_enumeration(row: RowLike, key: str, values: list[Any]) -> dict[str, list[str]]:
    allowed = list(row.choices)
    outside = [v for v in values if not any(_same(v, a) for a in allowed)]
    if not outside:
        return {}
    return {key: [f"{row.name}: {_list(outside)} not in its enumeration ({_list(allowed)})."]}


def _same(value: Any, allowed: Any) -> bool:
    # True must not pass for 1, nor "1" for 1.
    if isinstance(value, bool) or isinstance(allowed, bool):
        return isinstance(value, bool) and isinstance(allowed, bool) and value == allowed
    if is_number(value) and is_number(allowed):
        return float(value) == float(allowed)
    return type(value) is type(allowed) and value == allowed


def _extremes(dist: Distribution) -> tuple[float, float] | None:
    """The smallest and largest value a numeric range draws; None when they overflow."""
    try:
        lowest, highest = dist.from_unit(0.0), dist.from_unit(1.0)
    except (OverflowError, ValueError):
        return None
    if not (math.isfinite(lowest) and math.isfinite(highest)):
        return None
    return lowest, highest


def _integer_valued(dist: Distribution) -> bool:
    if isinstance(dist, IntDistribution):  # int and randint: whole however many values
        return True
    values = _finite_values(dist)
    if values is not None:
        return all(float(v).is_integer() for v in values)
    q = getattr(dist, "q", None)
    return isinstance(q, int)


def _finite_values(dist: Distribution) -> list[Any] | None:
    size = dist.cardinality
    if size is None or size > _MAX_CHECKED_VALUES:
        return None
    return dist.grid_values()


def _bound_keys(kind: str) -> tuple[str, str]:
    if kind == "randint":
        return "upper", "upper"
    return "low", "high"


def _shown(kind: str, spec: Mapping[str, Any], key: str, value: Any) -> str:
    """The extreme value, and the field it comes from when that field is not the value."""
    if kind in ("loguniform", "qloguniform"):
        return f"{value:.6g} (exp of {key}={spec.get(key)!r})"
    if kind in ("quniform",) or kind == "randint":
        return f"{value!r} ({key}={spec.get(key)!r})"
    return f"{key}={spec.get(key)!r}"
