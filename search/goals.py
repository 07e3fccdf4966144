"""The goal of a search, spelt one way: the one normaliser every role uses."""

from __future__ import annotations

from typing import Any

from search.errors import SamplerParamError

GOALS = ("maximize", "minimize")
_ALIASES = {"max": "maximize", "min": "minimize", "maximise": "maximize", "minimise": "minimize"}


def check_goal(goal: Any) -> str:
    """Return ``"maximize"`` or ``"minimize"``; ``"max"``/``"min"`` (and the British
    spellings) are accepted in any case. Raises ``SamplerParamError`` otherwise.

    >>> check_goal("MAX"), check_goal(" minimize ")
    ('maximize', 'minimize')
    """
    normalised = goal.strip().lower() if isinstance(goal, str) else goal
    normalised = _ALIASES.get(normalised, normalised)
    if normalised not in GOALS:
        raise SamplerParamError(f"goal must be 'maximize' or 'minimize', got goal={goal!r}")
    return normalised
