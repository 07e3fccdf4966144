"""How the range checks (``algorithms.spaces``, ``algorithms.range_fit``) read a row and
write values into their messages: a bad value echoed cut short, a row's bound as its type
reads it.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Iterable
from typing import Any, Protocol

_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 80
_SHORT.maxlevel = 3
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = 8


def show(value: Any) -> str:
    """A bad value echoed in a message: ``repr``, cut short (a value may be a megabyte).

    >>> show("adam"), show(2.5), len(show(["x" * 10_000])) < 100, show([[[[1]]]])
    ("'adam'", '2.5', True, '[[[[...]]]]')
    """
    return _SHORT.repr(value)


class RowLike(Protocol):
    """What the adapter reads from a row (``algorithms.models.Hyperparameter`` has it)."""

    name: str
    type: str
    min: float | None
    max: float | None
    choices: Any


def is_number(value: Any) -> bool:
    """A finite int or float (not a bool, not an int too large for a float).

    >>> is_number(2), is_number(2.5), is_number(True), is_number(10**400), is_number("1")
    (True, True, False, False, False)
    """
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def row_number(row: RowLike, value: float) -> str:
    """One of a row's numbers as the row's type writes it.

    >>> from types import SimpleNamespace as Row
    >>> row_number(Row(type="int"), 50.0), row_number(Row(type="float"), 1.0)
    ('50', '1')
    """
    if row.type == "int" and float(value).is_integer():
        return str(int(value))
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def shown_list(values: Iterable[Any]) -> str:
    """Values echoed in a message, each cut short (``show``), comma-separated."""
    return ", ".join(show(v) for v in values)
