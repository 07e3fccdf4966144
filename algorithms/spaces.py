"""The one adapter from an algorithm's hyperparameter rows and a job's range settings to a
``search.SearchSpace``.

A range setting is a ``search.SearchSpace`` JSON spec for one row: the ModelArts forms
(``float``/``int`` with ``low``, ``high``, ``log``, ``step``; ``choice`` for str and bool
rows, ``bool``) or any HyperDrive distribution with HyperDrive's meaning (``uniform``,
``loguniform`` = exp(uniform(low, high)), ``normal``, ``lognormal``, the ``q`` forms,
``randint``), exactly as ``SearchSpace.from_json`` reads them.

On top of the search library's own checks, a range must fit its row:

* its values have the row's type (an int row never receives 2.5, a str row only strings,
  a bool row only true/false);
* every value it can produce lies inside the row's constraint (min/max, or the
  enumeration); an unbounded kind (``normal``) cannot fit a row with min/max;
* a ``step`` (or HyperDrive ``q``) no larger than the range, ``low < high``, and a log
  scale only above zero.

Errors are keyed like the job API answers them: ``{hp name: {field: [messages]}}``, where
``field`` is the spec key at fault (``low``, ``high``, ``step``, ``values``, ``type``...)
or ``"__all__"`` for the range as a whole. Every message names the hyperparameter and
echoes the bad value.

The checks made before the library reads a range are here; whether the range it read
fits its row is ``algorithms.range_fit``; ``algorithms.range_values`` writes the values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from algorithms.range_fit import fit_errors
from algorithms.range_values import RowLike, is_number, show
from algorithms.spec_values import sentence
from search import SearchSpace
from search.distributions import Distribution, from_spec
from search.errors import SearchError

__all__ = ["RangeErrors", "RowLike", "check_range", "show", "space_from_rows"]

# Kinds a row of each type may be searched with. Numeric kinds are checked further
# (an int row needs integer values).
_NUMERIC_KINDS = frozenset(
    {
        "float",
        "int",
        "uniform",
        "quniform",
        "loguniform",
        "qloguniform",
        "normal",
        "qnormal",
        "lognormal",
        "qlognormal",
        "randint",
        "choice",
        "categorical",
    }
)
_KINDS_BY_TYPE: dict[str, frozenset[str]] = {
    "float": _NUMERIC_KINDS,
    "int": _NUMERIC_KINDS,
    "str": frozenset({"choice", "categorical", "str"}),
    "bool": frozenset({"choice", "categorical", "bool"}),
}
# The longest choice list a range may give (as long as a row's enumeration may be).
MAX_CHOICES = 1000
# The spec field a search-library message is about: they all end "got <field>=<value>".
_FIELD_IN_MESSAGE = re.compile(r"got (\w+)=")


class RangeErrors(ValueError):
    """Ranges that do not fit their rows: ``errors`` is ``{hp name: {field: [messages]}}``."""

    def __init__(self, errors: dict[str, dict[str, list[str]]]) -> None:
        super().__init__(
            "; ".join(m for fields in errors.values() for ms in fields.values() for m in ms)
        )
        self.errors = errors


def space_from_rows(rows: Iterable[RowLike], ranges: Mapping[str, Any]) -> SearchSpace:
    """The search space of the rows named in ``ranges``, in the table's order.

    Raises ``RangeErrors`` for every range that is malformed, does not fit its row or
    names no row.

    >>> from types import SimpleNamespace as Row
    >>> rows = [Row(name="lr", type="float", min=1e-5, max=1.0, choices=[]),
    ...         Row(name="opt", type="str", min=None, max=None, choices=["adam", "sgd"])]
    >>> space = space_from_rows(rows, {"opt": {"type": "choice", "values": ["sgd"]},
    ...                                "lr": {"type": "float", "low": 1e-4, "high": 0.1,
    ...                                       "log": True}})
    >>> space.names
    ['lr', 'opt']
    """
    by_name = {row.name: row for row in rows}
    errors: dict[str, dict[str, list[str]]] = {}
    dists: dict[str, Distribution] = {}
    for name in ranges:
        if name not in by_name:
            known = ", ".join(by_name) or "none"
            errors[str(name)] = {
                "__all__": [f"Unknown hyperparameter {show(name)} (the algorithm takes: {known})."]
            }
    for name, row in by_name.items():
        if name not in ranges:
            continue
        dist, row_errors = check_range(row, ranges[name])
        if row_errors:
            errors[name] = row_errors
        elif dist is not None:
            dists[name] = dist
    if errors:
        raise RangeErrors(errors)
    return SearchSpace(dists)


def check_range(row: RowLike, spec: Any) -> tuple[Distribution | None, dict[str, list[str]]]:
    """The distribution of one range setting and the problems found (``{field: [...]}``).

    >>> from types import SimpleNamespace as Row
    >>> row = Row(name="epochs", type="int", min=1.0, max=50.0, choices=[])
    >>> check_range(row, {"type": "int", "low": 1, "high": 80})[1]
    {'high': ['epochs: the range goes up to high=80, above the maximum 50 of its row.']}
    """
    name = row.name
    if not isinstance(spec, Mapping):
        return None, {
            "__all__": [f"{name}: a range must be an object with a type, got {show(spec)}."]
        }
    kind = spec.get("type")
    allowed = _KINDS_BY_TYPE.get(row.type, frozenset())
    if not isinstance(kind, str) or kind not in allowed:
        return None, {"type": [_kind_message(name, row.type, kind, allowed)]}
    early = (
        _huge_errors(name, spec)
        or _modelarts_errors(name, kind, spec)
        or _size_errors(name, kind, spec)
    )
    if early:
        return None, early
    try:
        dist = from_spec(name, spec)
    except SearchError as exc:
        return None, {_field_of(str(exc)): [sentence(str(exc))]}
    except (TypeError, ValueError, OverflowError) as exc:  # e.g. an unhashable choice value
        return None, {"__all__": [f"{name}: {exc}."]}
    problems = fit_errors(row, kind, spec, dist)
    return (None, problems) if problems else (dist, {})


# --- checks before the search library's own ---------------------------------------------------


def _modelarts_errors(name: str, kind: str, spec: Mapping[str, Any]) -> dict[str, list[str]]:
    """The page's range rules with the page's words: min < max, log above 0, step <= range."""
    if kind not in ("float", "int", "uniform", "quniform", "loguniform", "qloguniform"):
        return {}
    low: Any = spec.get("low")
    high: Any = spec.get("high")
    if not (is_number(low) and is_number(high)):
        return {}  # the library names the missing or non-numeric bound
    errors: dict[str, list[str]] = {}
    if not low < high:
        errors["low"] = [f"{name}: low must be less than high, got low={low!r}, high={high!r}."]
        return errors
    if kind in ("float", "int") and spec.get("log") is True and low <= 0:
        errors["low"] = [f"{name}: a log scale needs low > 0, got low={low!r}."]
    width: float = high - low
    step: Any
    if kind in ("quniform", "qloguniform"):
        step_key, step = "q", spec.get("q")
        # loguniform's bounds are exponents: its q applies to exp(low)..exp(high).
        if kind == "qloguniform" and high < 700:
            width = math.exp(high) - math.exp(low)
    else:
        step_key, step = "step", spec.get("step")
    if is_number(step) and step > 0 and step > width:
        errors[step_key] = [
            f"{name}: {step_key} is larger than the range, got {step_key}={step!r} for "
            f"low={low!r}, high={high!r}."
        ]
    return errors


def _huge_errors(name: str, spec: Mapping[str, Any]) -> dict[str, list[str]]:
    """Whole numbers beyond a float's range (JSON allows 10**400) are refused by name."""
    errors: dict[str, list[str]] = {}
    for key, value in spec.items():
        if isinstance(value, int) and not isinstance(value, bool) and not is_number(value):
            errors[str(key)] = [
                f"{name}: {key} is too large, got a number of {len(str(value))} digits."
            ]
    return errors


def _size_errors(name: str, kind: str, spec: Mapping[str, Any]) -> dict[str, list[str]]:
    """A choice with no value to try, or a list too long to hold (``{"range": [0, 10**12]}``
    would fill memory), in the page's words.

    Every empty choice (``[]``, an empty ``{"range": [5, 5]}``) gets the one message, the
    page's as the API's, rather than the library's ``choice: values must not be empty``.

    >>> _size_errors("batch", "choice", {"type": "choice", "values": []})
    {'values': ['batch: pick at least one value to try.']}
    """
    values = spec.get("values")
    size: int | None = None
    if isinstance(values, (list, tuple)):
        size = len(values)
    elif isinstance(values, Mapping):
        bounds = values.get("range")
        if (
            isinstance(bounds, (list, tuple))
            and 1 <= len(bounds) <= 3
            and all(isinstance(b, int) and not isinstance(b, bool) for b in bounds)
            and (len(bounds) < 3 or bounds[2] != 0)
        ):
            size = len(range(*bounds))
    if size == 0 and kind in ("choice", "categorical"):
        return {"values": [f"{name}: pick at least one value to try."]}
    if size is not None and size > MAX_CHOICES:
        return {"values": [f"{name}: at most {MAX_CHOICES} values, got {size}."]}
    return {}


def _kind_message(name: str, hp_type: str, kind: Any, allowed: frozenset[str]) -> str:
    if hp_type == "str":
        hint = "choice (a list of its values)"
    elif hp_type == "bool":
        hint = "bool or choice of true/false"
    else:
        hint = ", ".join(sorted(allowed))
    return (
        f"{name}: a {hp_type} hyperparameter cannot be searched with type={show(kind)}; use {hint}."
    )


# --- reading the search library's messages ----------------------------------------------------


def _field_of(message: str) -> str:
    match = _FIELD_IN_MESSAGE.search(message)
    return match.group(1) if match else "__all__"


