"""Template filters for algorithm pages; thin wrappers over pure, tested functions."""

from __future__ import annotations

from typing import Any

from django import template

from algorithms.spec_display import bool_options, display_value, format_constraint

register = template.Library()


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


@register.filter(name="bool_options")
def bool_options_filter(value: Any, blank_label: str) -> list[tuple[str, str, bool]]:
    """A true/false select's options for ``value`` (see ``spec_display.bool_options``)."""
    return bool_options(value, blank_label)


@register.filter
def basename(path: str) -> str:
    """The file name of a storage path (``algorithms/3/ab12/train.py`` -> ``train.py``)."""
    return str(path or "").replace("\\", "/").rsplit("/", 1)[-1]
