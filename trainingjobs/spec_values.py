"""Reading loose input values for the job spec: whole numbers, numbers, booleans, and
the wording helpers its messages share. No ORM.
"""

from __future__ import annotations

import math
from typing import Any

from algorithms.models import Hyperparameter

# Fields whose name on the create and job pages is not their key in words.
_LABELS = {
    "max_duration_minutes": "Max duration (minutes)",
    "trial_timeout_minutes": "Trial timeout (minutes)",
    "max_failed": "Max failed trials",
}


def label(key: str) -> str:
    """A field as the pages label it, for the messages about it.

    >>> label("max_trials"), label("max_duration_minutes")
    ('Max trials', 'Max duration (minutes)')
    """
    return _LABELS.get(key) or key.replace("_", " ").capitalize()


# The wording the algorithm form uses for a number beyond a float's range (1e999, 10**400).
TOO_LARGE = "is too large: use a number between -1e308 and 1e308"


def too_large(value: Any) -> bool:
    """Whether ``value`` is a number, or a number written as text, beyond a float's range
    (not a written "inf" or "nan"). An infinite float counts: strict JSON has no Infinity,
    so in an API body it is a literal such as 1e999 that overflowed.

    >>> too_large("1e999"), too_large(10**400), too_large("-1E400"), too_large("inf")
    (True, True, True, False)
    """
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        return math.isinf(value)
    if isinstance(value, int):
        try:
            float(value)
        except OverflowError:
            return True
        return False
    if not isinstance(value, str) or len(value) > 100:
        return False
    text = value.strip().lower()
    if "inf" in text or "nan" in text:
        return False
    try:
        return math.isinf(float(text))
    except (ValueError, OverflowError):
        return False


def whole_number(value: Any) -> int | None:
    number = as_number(value)
    if number is None or not float(number).is_integer():
        return None
    return int(number)


def as_number(value: Any) -> int | float | None:
    """A finite number from a JSON number or a numeric string; None otherwise (bools too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        try:
            float(value)
        except OverflowError:
            return None
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str) and len(value) <= 100:
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except (ValueError, OverflowError):
            return None
        return number if math.isfinite(number) else None
    return None


def as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def same_value(value: Any, allowed: Any) -> bool:
    if isinstance(value, bool) or isinstance(allowed, bool):
        return isinstance(value, bool) and isinstance(allowed, bool) and value == allowed
    if isinstance(value, (int, float)) and isinstance(allowed, (int, float)):
        return float(value) == float(allowed)
    return bool(value == allowed)


def bound_text(row: Hyperparameter, value: float) -> str:
    if row.type == "int" and float(value).is_integer():
        return str(int(value))
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


