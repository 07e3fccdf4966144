"""The rules of an algorithm's hyperparameter table, one row at a time.

Each row is cleaned into ``name``, ``type``, ``default``, ``min``, ``max``, ``choices``,
``required`` and ``description``, with every problem reported beside its cell in
:class:`~algorithms.algorithm_errors.AlgorithmErrors`. With auto search on, a row must be
searchable or fixed: a float/int row needs a default, a range or an enumeration, a str
row a default or an enumeration.
"""

from __future__ import annotations

import math
import re
from typing import Any

from algorithms.algorithm_errors import AlgorithmErrors
from algorithms.row_bounds import RowValues, row_value_errors
from algorithms.spec_values import BadValue, is_blank, parse_bool, parse_number, parse_text

# Usable as `--name=value` on a command line and by argparse: no spaces, '=' or quotes.
HP_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
HP_TYPES = ("float", "int", "str", "bool")
MAX_HP_NAME = 64
MAX_HYPERPARAMETERS = 200
MAX_HP_DESCRIPTION = 500
MAX_CHOICES = 1000
_VALUE_COLUMNS = ("type", "default", "min", "max", "choices")


def clean_hyperparameters(
    value: Any, auto_search: bool, errors: AlgorithmErrors
) -> list[dict[str, Any]]:
    """Clean every row of the table; a name used twice is reported on its second row."""
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        errors.add("hyperparameters", "Hyperparameters must be a list of rows.")
        return []
    if len(value) > MAX_HYPERPARAMETERS:
        errors.add("hyperparameters", f"At most {MAX_HYPERPARAMETERS} hyperparameters.")
        return []
    rows: list[dict[str, Any]] = []
    first_row: dict[str, int] = {}
    for index, raw in enumerate(value):
        if not isinstance(raw, dict):
            errors.add_row(index, "name", f"Row {index + 1} must be an object.")
            rows.append(_empty_row())
            continue
        row = _clean_row(index, raw, auto_search, errors)
        name = row["name"]
        if name:
            errors.row_names[index] = name[:MAX_HP_NAME]
        if name and name in first_row:
            errors.add_row(
                index, "name", f"Duplicate name '{name}' (also in row {first_row[name] + 1})."
            )
        elif name:
            first_row[name] = index
        rows.append(row)
    return rows


def _empty_row() -> dict[str, Any]:
    return {
        "name": "",
        "type": "float",
        "default": None,
        "min": None,
        "max": None,
        "choices": [],
        "required": False,
        "description": "",
    }


def _clean_row(
    i: int, raw: dict[str, Any], auto_search: bool, errors: AlgorithmErrors
) -> dict[str, Any]:
    row = _empty_row()
    row["name"] = _clean_row_name(i, raw.get("name"), errors)
    hp_type = raw.get("type")
    hp_type = "float" if is_blank(hp_type) else hp_type
    if not isinstance(hp_type, str) or hp_type.strip() not in HP_TYPES:
        shown = repr(hp_type)[:40]
        errors.add_row(i, "type", f"Type must be one of float, int, str, bool (got {shown}).")
        return row
    hp_type = hp_type.strip()
    row["type"] = hp_type
    try:
        row["required"] = parse_bool(raw.get("required"))
    except BadValue as exc:
        errors.add_row(i, "required", f"Required {exc}.")
    row["description"] = _clean_row_description(i, raw.get("description"), errors)
    if hp_type in ("float", "int"):
        _check_numeric_row(i, raw, row, auto_search, errors)
    else:
        _refuse_range(i, raw, hp_type, errors)
        if hp_type == "bool":
            _check_bool_row(i, raw, row, errors)
        else:
            _check_str_row(i, raw, row, auto_search, errors)
    return row


def _clean_row_name(i: int, value: Any, errors: AlgorithmErrors) -> str:
    try:
        name: str | None = parse_text(value)
    except BadValue as exc:
        errors.add_row(i, "name", f"Name {exc}.")
        name = None
    if name is None:
        pass
    elif not name:
        errors.add_row(i, "name", "Name is required.")
    elif len(name) > MAX_HP_NAME:
        errors.add_row(i, "name", f"Name must be at most {MAX_HP_NAME} characters.")
    elif not HP_NAME_RE.match(name):
        errors.add_row(
            i,
            "name",
            f"'{name[:80]}' cannot be passed as --{name[:80]}=value: use letters, digits, "
            "'_', '-' or '.', starting with a letter or '_'.",
        )
    return name or ""


def _clean_row_description(i: int, value: Any, errors: AlgorithmErrors) -> str:
    try:
        text = parse_text(value)
    except BadValue as exc:
        errors.add_row(i, "description", f"Description {exc}.")
        return ""
    if len(text) > MAX_HP_DESCRIPTION:
        errors.add_row(i, "description", f"At most {MAX_HP_DESCRIPTION} characters.")
    return text


def _parse_number(value: Any, hp_type: str) -> int | float:
    """Parse a float or int value; ValueError with a message naming the problem."""
    try:
        return parse_number(value, whole=hp_type == "int")
    except BadValue as exc:
        if hp_type == "int" and "whole" in str(exc):
            raise ValueError(f"{exc} for an int hyperparameter") from None
        raise ValueError(str(exc)) from None


def _fmt(number: float | None) -> str:
    """A number as a user typed it: 5 not 5.0, 1e-06 not 0.000001."""
    return "" if number is None else f"{number:g}" if isinstance(number, float) else str(number)


# --- enumerations ---------------------------------------------------------------------------


def _clean_choices_list(
    i: int, raw: Any, hp_type: str, errors: AlgorithmErrors
) -> list[Any] | None:
    """Typed enumeration, [] when none was given, None when it was refused."""
    if is_blank(raw) or raw == []:
        return []
    items = _choice_items(i, raw, errors)
    if items is None:
        return None
    typed = _typed_choices(i, items, hp_type, errors)
    if typed is None:
        return None
    duplicates = sorted({str(v) for v in typed if typed.count(v) > 1})
    if duplicates:
        errors.add_row(i, "choices", f"The enumeration repeats {', '.join(duplicates)}.")
        return None
    return typed


def _choice_items(i: int, raw: Any, errors: AlgorithmErrors) -> list[Any] | None:
    """The enumeration's stripped items, from a list or one comma-separated string."""
    if isinstance(raw, str):
        items: list[Any] = [part.strip() for part in raw.split(",")]
    elif isinstance(raw, list):
        items = [item.strip() if isinstance(item, str) else item for item in raw]
    else:
        errors.add_row(i, "choices", "The enumeration must be a list or comma-separated values.")
        return None
    if all(is_blank(item) for item in items):
        errors.add_row(i, "choices", "The enumeration is empty: give at least one value.")
        return None
    if any(is_blank(item) for item in items):
        errors.add_row(i, "choices", "The enumeration has an empty value.")
        return None
    if len(items) > MAX_CHOICES:
        errors.add_row(i, "choices", f"At most {MAX_CHOICES} values.")
        return None
    return items


def _typed_choices(
    i: int, items: list[Any], hp_type: str, errors: AlgorithmErrors
) -> list[Any] | None:
    typed: list[Any] = []
    for item in items:
        if hp_type == "str":
            text = _str_value(item)
            if text is None:
                errors.add_row(
                    i, "choices", f"Enumeration values must be strings, got {repr(item)[:60]}."
                )
                return None
            typed.append(text)
            continue
        try:
            typed.append(_parse_number(item, hp_type))
        except ValueError as exc:
            errors.add_row(i, "choices", f"Enumeration value {exc}.")
            return None
    return typed


# --- rows by type ---------------------------------------------------------------------------


def _check_numeric_row(
    i: int, raw: dict[str, Any], row: dict[str, Any], auto_search: bool, errors: AlgorithmErrors
) -> None:
    hp_type = row["type"]
    given = [k for k in ("min", "max") if not is_blank(raw.get(k))]
    row["min"], row["max"] = _clean_range(i, raw, hp_type, given, errors)
    choices = _clean_choices_list(i, raw.get("choices"), hp_type, errors)
    row["choices"] = choices or []
    if choices and given:
        errors.add_row(i, "choices", "Give either a min/max range or an enumeration, not both.")
    default_raw = raw.get("default")
    if is_blank(default_raw):
        if auto_search and not given and choices == []:
            errors.add_row(i, "min", "min and max are required to search this hyperparameter.")
    else:
        _check_numeric_default(i, default_raw, row, errors)
    _check_searchable(i, row, errors)


def _check_searchable(i: int, row: dict[str, Any], errors: AlgorithmErrors) -> None:
    """The search library's own rules on the row's values, once the table's rules passed:
    what it refuses would fail every job that searches the row, and an int it cannot hold
    exactly (beyond +-2**53) would be stored changed."""
    if any(column in errors.rows.get(i, {}) for column in _VALUE_COLUMNS):
        return
    values = RowValues(
        row["name"], row["type"], row["min"], row["max"], row["choices"], row["default"]
    )
    for column, messages in row_value_errors(values).items():
        for message in messages:
            errors.add_row(i, column, message)


def _clean_range(
    i: int, raw: dict[str, Any], hp_type: str, given: list[str], errors: AlgorithmErrors
) -> tuple[int | float | None, int | float | None]:
    """The typed (min, max); (None, None) when the range as a whole is refused."""
    bounds: dict[str, int | float | None] = {"min": None, "max": None}
    for key in given:
        try:
            bounds[key] = _parse_number(raw.get(key), hp_type)
        except ValueError as exc:
            errors.add_row(i, key, f"{key} {exc}.")
    low, high = bounds["min"], bounds["max"]
    if len(given) == 1:
        missing = "max" if given == ["min"] else "min"
        errors.add_row(i, missing, f"Give both min and max, or neither ({missing} is empty).")
        return None, None
    if low is not None and high is not None and low >= high:
        errors.add_row(
            i, "min", f"min must be less than max, got min={_fmt(low)}, max={_fmt(high)}."
        )
        return None, None
    return low, high


def _check_numeric_default(
    i: int, default_raw: Any, row: dict[str, Any], errors: AlgorithmErrors
) -> None:
    try:
        default = _parse_number(default_raw, row["type"])
    except ValueError as exc:
        errors.add_row(i, "default", f"Default {exc}.")
        return
    row["default"] = default
    low, high, choices = row["min"], row["max"], row["choices"]
    if low is not None and high is not None and not low <= default <= high:
        errors.add_row(
            i,
            "default",
            f"Default {_fmt(default)} is outside the range [{_fmt(low)}, {_fmt(high)}].",
        )
    if choices and default not in choices:
        errors.add_row(i, "default", f"Default {_fmt(default)} is not in the enumeration.")


def _refuse_range(i: int, raw: dict[str, Any], hp_type: str, errors: AlgorithmErrors) -> None:
    for key in ("min", "max"):
        if not is_blank(raw.get(key)):
            errors.add_row(i, key, f"A {hp_type} hyperparameter takes no {key}: use float or int.")


def _check_bool_row(
    i: int, raw: dict[str, Any], row: dict[str, Any], errors: AlgorithmErrors
) -> None:
    if not is_blank(raw.get("choices")) and raw.get("choices") != []:
        errors.add_row(i, "choices", "A bool hyperparameter takes no enumeration.")
    default_raw = raw.get("default")
    if is_blank(default_raw):
        return
    try:
        row["default"] = parse_bool(default_raw)
    except BadValue as exc:
        errors.add_row(i, "default", f"Default {exc}.")


def _check_str_row(
    i: int, raw: dict[str, Any], row: dict[str, Any], auto_search: bool, errors: AlgorithmErrors
) -> None:
    choices = _clean_choices_list(i, raw.get("choices"), "str", errors)
    row["choices"] = choices or []
    default_raw = raw.get("default")
    if is_blank(default_raw):
        if auto_search and choices == []:
            errors.add_row(
                i, "choices", "An enumeration is required to search this hyperparameter."
            )
        return
    default = _str_value(default_raw)
    if default is None:
        errors.add_row(i, "default", f"Default must be a string, got {repr(default_raw)[:60]}.")
        return
    row["default"] = default
    if choices and default not in choices:
        errors.add_row(i, "default", f"Default '{default}' is not in the enumeration.")


def _str_value(value: Any) -> str | None:
    """A str row's value: a string, or a number written as one; None when neither."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return str(value)
    try:
        return parse_text(value)
    except BadValue:
        return None
