"""Reading a job's stored events back: the ones a page missed, after the last it holds.

A page (its websocket's ``since`` message, or the dashboard's events request) sends the
last number it holds; it gets the events numbered after it, or is told to reload its
snapshot when more than ``REPLAY_LIMIT`` follow or the next one was pruned
(``trainingjobs.event_retention``). A trial's page, whose socket is not numbered, gets
the trial's start and end as they stand when it connects (``trial_state``).
"""

from __future__ import annotations

from typing import Any

from trainingjobs.event_payloads import clean
from trainingjobs.models import JobEvent, Trial

# A reconnecting page gets at most this many missed events; past that it reloads.
REPLAY_LIMIT = 2000
# The largest sequence number a client may send (JavaScript's exact integers).
MAX_SEQ = 2**53 - 1


def since(job_id: int, seq: int, *, limit: int | None = None) -> tuple[list[dict[str, Any]], bool]:
    """The job's events numbered after ``seq``, in order, and whether that is all of them.

    Not all when more than ``limit`` (``REPLAY_LIMIT``) follow, or when the next one was
    pruned (``event_retention``): the page then reloads its snapshot.
    """
    limit = limit or REPLAY_LIMIT
    rows = list(
        JobEvent.objects.filter(job_id=job_id, seq__gt=seq)
        .order_by("seq")
        .values_list("seq", "type", "data")[: limit + 1]
    )
    events = [{"type": t, "seq": n, "job": job_id, **d} for n, t, d in rows[:limit]]
    return events, len(rows) <= limit and (not rows or rows[0][0] == seq + 1)


def parse_seq(value: Any) -> int | None:
    """A client's sequence number, or None when it is not a whole number in range.

    Accepts an int or a string of digits; refuses bools, floats, negatives and numbers
    past ``MAX_SEQ``.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        # ASCII only: "²".isdigit() is true, and int("²") raises.
        if not (text.isascii() and text.isdigit()) or len(text) > 16:
            return None
        value = int(text)
    if not isinstance(value, int) or not 0 <= value <= MAX_SEQ:
        return None
    return value


def trial_state(trial_id: int) -> list[dict[str, Any]]:
    """The trial's ``trial.started`` and ``trial.finished`` events as they stand now (the
    fields its worker published them with), for a trial page that connects after either:
    it loaded while the trial was queued, or its socket reconnected. None before the start.
    """
    trial = Trial.objects.filter(pk=trial_id).first()
    if trial is None:
        return []
    found: list[dict[str, Any]] = []
    if trial.started_at is not None:
        found.append(
            {
                "type": "trial.started",
                "job": trial.job_id,
                "trial": trial.pk,
                "number": trial.number,
                "started_at": trial.started_at,
                "worker": trial.worker,
            }
        )
    if trial.is_finished:
        found.append(
            {
                "type": "trial.finished",
                "job": trial.job_id,
                "trial": trial.pk,
                "status": trial.status,
                "value": trial.value,
                "reason": trial.status_reason,
                "finished_at": trial.finished_at,
            }
        )
    return [clean(event) for event in found]
