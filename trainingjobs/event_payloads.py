"""Values as the live events carry them: strict JSON (no NaN, no Infinity) and ISO times."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any


def clean(value: Any) -> Any:
    """``value`` as strict JSON: NaN as None, infinities as "inf"/"-inf" (as the API).

    >>> clean({"points": [[1, float("nan")], [2, float("-inf")]], 3: (0.5,)})
    {'points': [[1, None], [2, '-inf']], '3': [0.5]}
    """
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
