"""Reading the raw values of an algorithm spec, typed by the API or typed as form strings."""

from __future__ import annotations

from typing import Any


def as_bool(value: Any) -> bool:
    """A checkbox or JSON flag: "true", "1", "on" and "yes" (any case) are true."""
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "on", "yes"}
    return bool(value)


def as_text(value: Any) -> str | None:
    """Strip a string; None for a non-string that is not None (the caller reports it)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return None


def is_blank(value: Any) -> bool:
    """True for None and for a string of whitespace: the input was left empty."""
    return value is None or (isinstance(value, str) and not value.strip())
