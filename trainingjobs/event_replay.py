"""Reading a job's stored events back: the ones a page missed, after the last it holds.

A page (its websocket's ``since`` message, or the dashboard's events request) sends the
last number it holds; it gets the events numbered after it, or is told to reload its
snapshot when more than ``REPLAY_LIMIT`` follow or the next one was pruned
(``trainingjobs.event_retention``).
"""

from __future__ import annotations

from typing import Any

from trainingjobs.models import JobEvent

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
