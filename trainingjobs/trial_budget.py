"""How a job's trials count against its ``max_trials``: the one rule behind the scheduler's
budget and every "trials ended / total" the console shows (job page, progress bar, job
list, home page, live updates).

A canceled trial was stopped by a person or the job's end, a lost one by a dead worker:
neither says anything about its hyperparameters, so neither uses the budget (the search
runs another in its place) and neither is counted among the trials ended of the total.
They are counted apart ("12 / 12 trials ended (2 lost: not counted)").

Counts are ``{status: number}`` dicts as ``Trial.objects.status_counts`` returns them
(a status missing from the dict counts 0). No ORM here beyond the status names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trainingjobs.models import Trial

Status = Trial.Status

# Trials that end without using the budget, in the order the text names them.
NOT_COUNTED: tuple[str, ...] = (Status.LOST, Status.CANCELED)
# Ended trials that used the budget: what "trials ended" counts.
ENDED_COUNTED: tuple[str, ...] = tuple(
    s for s in Status.values if s in Trial.FINISHED and s not in NOT_COUNTED
)


def budget_used(counts: Mapping[str, int]) -> int:
    """Trials that count against max_trials: every trial but canceled and lost ones
    (queued and running ones included: they hold their place in the budget).

    >>> budget_used({"completed": 10, "running": 2, "lost": 2, "canceled": 1})
    12
    """
    return sum(n for status, n in counts.items() if status not in NOT_COUNTED)


@dataclass(frozen=True)
class TrialTally:
    """A job's trials ended of its total: ``ended`` used the budget, ``lost`` and
    ``canceled`` did not; ``total`` is the job's max_trials."""

    ended: int
    total: int
    lost: int = 0
    canceled: int = 0

    @property
    def apart(self) -> str:
        """The trials counted apart, in words ("2 lost, 1 canceled: not counted"), or ""."""
        parts = [
            f"{n} {name}" for n, name in ((self.lost, "lost"), (self.canceled, "canceled")) if n
        ]
        return f"{', '.join(parts)}: not counted" if parts else ""

    @property
    def text(self) -> str:
        """The headline: "12 / 12 trials ended (2 lost: not counted)".

        >>> TrialTally(ended=12, total=12, lost=2).text
        '12 / 12 trials ended (2 lost: not counted)'
        >>> TrialTally(ended=3, total=10).text
        '3 / 10 trials ended'
        """
        apart = f" ({self.apart})" if self.apart else ""
        return f"{self.ended} / {self.total} trials ended{apart}"

    def as_dict(self) -> dict[str, Any]:
        """What a live event carries: the numbers and both texts."""
        return {
            "ended": self.ended,
            "total": self.total,
            "lost": self.lost,
            "canceled": self.canceled,
            "apart": self.apart,
            "text": self.text,
        }


def tally(counts: Mapping[str, int], max_trials: int) -> TrialTally:
    """The trials ended of ``max_trials``, lost and canceled ones apart.

    >>> tally({"completed": 11, "failed": 1, "lost": 2, "running": 0}, 12).text
    '12 / 12 trials ended (2 lost: not counted)'
    """
    return TrialTally(
        ended=sum(counts.get(s, 0) for s in ENDED_COUNTED),
        total=max_trials,
        lost=counts.get(Status.LOST, 0),
        canceled=counts.get(Status.CANCELED, 0),
    )


def rule() -> dict[str, list[str]]:
    """The statuses counted as ended and those counted apart, for the job page's script:
    its progress bar and legend leave the trials counted apart out of the bar. Its words
    ("... trials ended (...)") are ``TrialTally``'s, brought by the job socket's
    ``job.progress`` (``trainingjobs.event_progress``)."""
    return {"ended": list(ENDED_COUNTED), "apart": list(NOT_COUNTED)}
