"""The search library's rules on a hyperparameter row's own values, checked when the table
is saved (``algorithms.hyperparameter_rules``) so that a row that saves is stored unchanged
and never refused by a job later.

A job starts from the row's range or its enumeration, so both go through the same
adapter a job's ranges do (``algorithms.spaces.check_range``); an int value must be one
the library holds exactly (``IntDistribution``'s +-2**53). The library's messages are put
in the table's words (``high`` -> ``max``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from algorithms.spaces import check_range
from search.distributions import IntDistribution
from search.errors import SearchError


@dataclass
class RowValues:
    """A numeric row's own values, as the table rules cleaned them (a ``RowLike``)."""

    name: str
    type: str
    min: float | None
    max: float | None
    choices: list[Any] = field(default_factory=list)
    default: Any = None


def row_value_errors(row: RowValues) -> dict[str, list[str]]:
    """What the search library refuses in a numeric row's own values, by the row's column
    (``min``, ``max``, ``choices``, ``default``); ``{}`` when a job can search the row.

    A job starts from the row's range (``{"type": row.type, "low": min, "high": max}``)
    or its enumeration, so both must pass the library's checks; and every value of an int
    row must be one the library holds exactly (``IntDistribution``'s +-2**53: a database
    float, JSON and numpy round larger ones). Checked when the table is saved, so a row
    that saves is stored unchanged and never refused by a job later.

    >>> row_value_errors(RowValues("epochs", "int", 5, 99999999999999999999999))["max"]
    ['max must be within +-2**53, got max=99999999999999999999999: no job could search it.']
    """
    errors: dict[str, list[str]] = {}
    if row.type == "int":
        values = [("min", row.min), ("max", row.max), ("default", row.default)]
        values += [("choices", value) for value in row.choices]
        for column, value in values:
            if value is None or column in errors:
                continue
            try:
                IntDistribution(value, value)
            except SearchError as exc:
                errors[column] = [_in_row_words(str(exc), column)]
        if errors:
            return errors
    if row.min is not None and row.max is not None:
        spec: dict[str, Any] = {"type": row.type, "low": row.min, "high": row.max}
        for key, messages in check_range(row, spec)[1].items():
            column = "max" if key == "high" else "min"
            errors.setdefault(column, []).extend(_in_row_words(m) for m in messages)
    elif row.choices:
        found = check_range(row, {"type": "choice", "values": list(row.choices)})[1]
        for messages in found.values():
            errors.setdefault("choices", []).extend(_in_row_words(m, "choices") for m in messages)
    return errors


def _in_row_words(message: str, column: str = "") -> str:
    """A search-library message in the table's words: ``low``/``high`` become the row's
    column (``min``/``max``, or the one checked), and the kind's prefix goes."""
    text = re.sub(r"^(?:[^:]*: )?(?:int|float|choice): ", "", message.strip()).rstrip(".")
    if column == "choices":
        text = re.sub(r"\b(?:low|high|values)\b", "enumeration value", text)
    elif column:
        text = re.sub(r"\b(?:low|high)\b", column, text)
    else:
        text = re.sub(r"\b(low|high)\b", lambda m: "min" if m.group(1) == "low" else "max", text)
    return f"{text}: no job could search it."
