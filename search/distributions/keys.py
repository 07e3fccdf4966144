"""Canonical keys: when two values a JSON round trip cannot tell apart count as one.

A database may hand back ``1.0`` for ``1``; ``True`` must never pass for ``1``. Every
"was it tried?" test in the library goes through these functions, or through
``Distribution.canonical`` (which first snaps a value onto its lattice) and
``SearchSpace.key``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

Scalar = str | int | float | bool | None
#: ``(sorted names, canonical values in that order)``: see ``params_key``.
ParamsKey = tuple[tuple[str, ...], tuple[Any, ...]]

_PLAIN_NUMBERS = frozenset({int, float})


def is_number(value: Any) -> bool:
    """Whether ``value`` is an int or float (numpy ones included), booleans excluded.

    >>> is_number(3), is_number(True), is_number("3")
    (True, False, False)
    """
    if type(value) in (int, float):  # the common case, without numpy's abstract checks
        return True
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def value_key(value: Any) -> tuple[str, Any]:
    """A hashable key equal for values a JSON round trip cannot tell apart.

    ``1`` and ``1.0`` share a key (a database may hand back either); ``True`` does not.

    >>> value_key(1) == value_key(1.0), value_key(True) == value_key(1)
    (True, False)
    """
    if isinstance(value, (bool, np.bool_)):
        return ("bool", bool(value))
    if is_number(value):
        number = float(value)
        return ("num", number)
    if value is None:
        return ("null", None)
    if isinstance(value, str):
        return ("str", value)
    raise TypeError(f"unhashable choice {value!r}")


_BOOL_KEYS = {False: ("bool", False), True: ("bool", True)}
# Types whose values are their own canonical form (no two of them compare equal).
_SELF_CANONICAL = frozenset({float, str, type(None)})


def canonical_value(value: Any) -> Any:
    """A hashable stand-in for ``value``, equal exactly when ``value_key`` would be equal.

    Numbers become ``float`` (``1`` and ``1.0`` alike), booleans a tagged pair (``True``
    never equals ``1``), strings and ``None`` stay as they are, and anything else that
    ``value_key`` refuses becomes a tagged ``repr``. It is cheaper than ``value_key``:
    plain floats and strings are returned untouched.

    >>> canonical_value(1) == canonical_value(1.0), canonical_value(True) == canonical_value(1)
    (True, False)
    """
    kind = type(value)
    if kind in _SELF_CANONICAL:
        return value
    if kind is int:
        return float(value)
    if kind is bool:
        return _BOOL_KEYS[value]
    try:
        tag, key = value_key(value)
    except TypeError:
        return ("repr", repr(value))
    return _BOOL_KEYS[key] if tag == "bool" else key


def canonical_column(values: Sequence[Any]) -> Sequence[Any]:
    """``canonical_value`` of each value; ``values`` itself when all are already canonical.

    >>> canonical_column([1, 2.5])
    [1.0, 2.5]
    """
    kinds = set(map(type, values))
    if kinds <= _SELF_CANONICAL:
        return values
    if kinds <= _PLAIN_NUMBERS:
        return list(map(float, values))
    if kinds == {bool}:
        return list(map(_BOOL_KEYS.__getitem__, values))
    return list(map(canonical_value, values))


def params_key(params: Mapping[str, Any]) -> ParamsKey:
    """A canonical hashable key of a params dict (order-free; ``1`` and ``1.0`` alike),
    for points outside any space; inside a space use ``SearchSpace.key``.

    >>> params_key({"b": 1, "a": "x"}) == params_key({"a": "x", "b": 1.0})
    True
    """
    names = tuple(sorted(params))
    return names, tuple([canonical_value(params[name]) for name in names])
