"""Showing the stored values of an algorithm spec: on its pages, in its API and its JSON.

Bounds are stored as floats; an ``int`` hyperparameter reads them back as ints, and a float
is shown as a person would type it (``1.0`` shows as ``1``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from algorithms.spec_values import FALSE_STRINGS, TRUE_STRINGS

if TYPE_CHECKING:
    from algorithms.models import Algorithm


def stored_number(value: float | None, hp_type: str) -> int | float | None:
    """A stored bound as its hyperparameter's type: a whole value of an ``int`` row is an int.

    >>> stored_number(8.0, "int"), stored_number(8.0, "float"), stored_number(None, "int")
    (8, 8.0, None)
    """
    if value is not None and hp_type == "int" and float(value).is_integer():
        return int(value)
    return value


def format_float(value: float) -> str:
    """A float as a person would type it: shortest round-trip digits, no trailing ``.0``.

    >>> [format_float(v) for v in (1.0, 0.25, -3.0, 1e-05, 1e+16, 2.5e+16)]
    ['1', '0.25', '-3', '1e-05', '1e+16', '2.5e+16']
    """
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def display_value(value: Any) -> str:
    """A stored JSON value as the page shows it in an input (``1.0`` shows as ``1``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_float(value)
    return str(value)


def bool_options(value: Any, blank_label: str) -> list[tuple[str, str, bool]]:
    """The options of a true/false select as ``(value, label, selected)``: a blank one
    (``blank_label``), ``true`` and ``false``.

    A flag the server reads as true or false (``"True"``, ``"yes"``, ``1``) selects its
    option; anything else (``"maybe"`` posted by hand) is kept as one more option,
    selected, so a refused page shows what was sent beside its message.

    >>> [o for o in bool_options("Yes", "no default") if o[2]]
    [('true', 'true', True)]
    >>> bool_options("maybe", "no default")[-1], bool_options(None, "none")[0]
    (('maybe', 'maybe', True), ('', 'none', True))
    """
    text = value.strip().lower() if isinstance(value, str) else display_value(value)
    if text in TRUE_STRINGS:
        text = "true"
    elif text in FALSE_STRINGS - {""}:
        text = "false"
    options = [(choice, label, text == choice) for choice, label in
               (("", blank_label), ("true", "true"), ("false", "false"))]
    if text not in ("", "true", "false"):
        options.append((str(value), str(value), True))
    return options


def display_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A typed hyperparameter row as the table's inputs show it (every value a string).

    >>> display_row({"name": "epochs", "type": "int", "default": 30, "min": 5.0,
    ...              "max": 100.0, "choices": [], "required": False, "description": ""})["max"]
    '100'
    """
    return {
        "name": row["name"],
        "type": row["type"],
        "default": display_value(row["default"]),
        "min": display_value(stored_number(row["min"], row["type"])),
        "max": display_value(stored_number(row["max"], row["type"])),
        "choices": ", ".join(display_value(c) for c in row["choices"] or []),
        "required": row["required"],
        "description": row["description"],
    }


def format_constraint(hp_type: str, low: float | None, high: float | None, choices: Any) -> str:
    """The constraint of a hyperparameter row in words.

    >>> format_constraint("int", 1.0, 8.0, [])
    '[1, 8]'
    >>> format_constraint("str", None, None, ["adam", "sgd"])
    'one of adam, sgd'
    """
    if choices:
        return "one of " + ", ".join(display_value(c) for c in choices)
    if low is not None and high is not None:
        if hp_type == "int":
            return f"[{stored_number(low, hp_type)}, {stored_number(high, hp_type)}]"
        return f"[{low:g}, {high:g}]"
    if hp_type == "bool":
        return "true or false"
    return "—"


def spec_from_algorithm(algorithm: Algorithm) -> dict[str, Any]:
    """The JSON spec of a saved algorithm (the shape ``validate_algorithm_spec`` takes)."""
    return {
        "name": algorithm.name,
        "description": algorithm.description,
        "boot_file": algorithm.boot_file,
        "engine": algorithm.engine.name if algorithm.engine else None,
        "argument_style": algorithm.argument_style,
        "bool_style": algorithm.bool_style,
        "accepts_data_urls": algorithm.accepts_data_urls,
        "hyperparameters": [
            {
                "name": hp.name,
                "type": hp.type,
                "default": hp.default,
                "min": stored_number(hp.min, hp.type),
                "max": stored_number(hp.max, hp.type),
                "choices": hp.choices,
                "required": hp.required,
                "description": hp.description,
            }
            for hp in algorithm.hyperparameters.all()
        ],
        "auto_search": algorithm.auto_search,
        "sample_log": algorithm.sample_log,
        "metric": {
            "name": algorithm.metric_name,
            "goal": algorithm.metric_goal,
            "regex": algorithm.metric_regex,
        },
        "search_algorithms": algorithm.search_algorithms,
    }


def range_text(param: Mapping[str, Any]) -> str:
    """A parameter's bounds for a page: ``0 … 1`` when bounded, ``≥ 0`` or ``≤ 1`` when
    half-bounded, ``""`` when unbounded. ``param`` holds optional ``min`` and ``max``."""
    low, high = param.get("min"), param.get("max")
    if low is not None and high is not None:
        return f"{display_value(low)} … {display_value(high)}"
    if low is not None:
        return f"≥ {display_value(low)}"
    if high is not None:
        return f"≤ {display_value(high)}"
    return ""
