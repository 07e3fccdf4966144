"""Template filters for algorithm pages; thin wrappers over pure, tested functions."""

from __future__ import annotations

from typing import Any

from django import template

from algorithms.forms import display_value

register = template.Library()


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
            return f"[{int(low)}, {int(high)}]"
        return f"[{low:g}, {high:g}]"
    if hp_type == "bool":
        return "true or false"
    return "—"


@register.filter
def constraint(hp: Any) -> str:
    return format_constraint(hp.type, hp.min, hp.max, hp.choices)


@register.filter
def shown(value: Any) -> str:
    """A stored value as typed in the form; an em dash for none."""
    text = display_value(value)
    return text if text != "" else "—"


@register.filter
def input_value(value: Any) -> str:
    """A value for an input: as typed if text, a float without a trailing ``.0``."""
    return display_value(value)


@register.filter
def basename(path: str) -> str:
    """The file name of a storage path (``algorithms/3/ab12/train.py`` -> ``train.py``)."""
    return str(path or "").replace("\\", "/").rsplit("/", 1)[-1]
