"""The only module that publishes live-dashboard events.

An event is a small JSON dict with a prefixed type (``trial.reported``, ``job.status``
...). Each job's events are numbered 1, 2, 3 ... and stored (``JobEvent``) before they
are sent to the job's group, so a page that reconnects asks for the events after the
last number it holds (``since``) and gets exactly the ones it missed; an event that
arrives twice or early is recognised by its number. A trial's log lines are not
numbered: they go to the trial's group with their character offset in the stored log,
which is the log's own sequence number.

Events across threads: under ``serve`` trials run in worker threads beside the ASGI
server and the channel layer is the in-memory one. A worker thread must not await that
layer from an event loop of its own (the consumer's waiting future belongs to the
server's loop, which then only notices the message when it wakes for something else,
seconds later). ``serve`` registers its loop with ``register_loop`` and every send is
handed to that loop with ``asyncio.run_coroutine_threadsafe``. Without a registered
loop (``run_huey`` worker processes in scale mode, where the layer is channels_redis)
the send runs with ``async_to_sync`` in the calling thread.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from datetime import datetime
from functools import lru_cache
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import IntegrityError, transaction
from django.db.models import Count, Max

from algorithms.metric_regex import MetricMatcher, compile_metric_regex, match_line
from trainingjobs.models import JobEvent, TrainingJob, Trial

logger = logging.getLogger(__name__)

# Handler names on the consumers ("job.event" -> JobConsumer.job_event).
JOB_MESSAGE = "job.event"
TRIAL_MESSAGE = "trial.event"
LIST_MESSAGE = "jobs.event"
# A reconnecting page gets at most this many missed events; past that it reloads.
REPLAY_LIMIT = 2000
# The largest sequence number a client may send (JavaScript's exact integers).
MAX_SEQ = 2**53 - 1
_STORE_ATTEMPTS = 8

_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def job_group(job_id: int) -> str:
    return f"job-{job_id}"


def trial_group(trial_id: int) -> str:
    return f"trial-{trial_id}"


def owner_group(user_id: int) -> str:
    return f"jobs-of-{user_id}"


STAFF_GROUP = "jobs-staff"


# --- the server's loop -----------------------------------------------------------------------


def register_loop(loop: asyncio.AbstractEventLoop | None) -> None:
    """Hand every later send to ``loop`` (the ASGI server's); None forgets it."""
    global _loop
    with _loop_lock:
        _loop = loop


def registered_loop() -> asyncio.AbstractEventLoop | None:
    loop = _loop
    if loop is None or loop.is_closed():
        return None
    return loop


# --- publishing ------------------------------------------------------------------------------


def publish(job_id: int, type: str, data: dict[str, Any] | None = None) -> None:
    """Number, store and send one job event, once the current transaction commits.

    Never raises: a dashboard that misses an event reloads its snapshot, while an
    exception here would fail the trial or the scheduling step that published it.
    """
    payload = clean(data or {})
    conn = transaction.get_connection()
    if conn.in_atomic_block:
        # Never announce a change that may still roll back.
        transaction.on_commit(lambda: _publish_now(job_id, type, payload))
    else:
        _publish_now(job_id, type, payload)


def _publish_now(job_id: int, type: str, payload: dict[str, Any]) -> None:
    try:
        seq = _store(job_id, type, payload)
        if seq is None:
            return
        event = {"type": type, "seq": seq, "job": job_id, **payload}
        _send(job_group(job_id), {"type": JOB_MESSAGE, "event": event})
        if type in PROGRESS_TYPES:
            _send_progress(job_id)
    except Exception:
        logger.exception("job %s: event %s not published", job_id, type)


def publish_log(*, job_id: int, trial_id: int, offset: int, text: str) -> None:
    """Send a chunk of a trial's stored log (``offset``: its first character's index).

    The chunk was appended to the stored log first, so a page that sees a gap between
    what it holds and ``offset`` reads the gap from the log itself.
    """
    if not text:
        return
    try:
        event = {
            "type": "trial.log",
            "trial": trial_id,
            "offset": offset,
            "text": text,
            "marks": metric_lines(job_id, text),
        }
        _send(trial_group(trial_id), {"type": TRIAL_MESSAGE, "event": event})
    except Exception:
        logger.exception("trial %s: log event not published", trial_id)


def _store(job_id: int, type: str, payload: dict[str, Any]) -> int | None:
    """The event's number: one more than the job's last, unique per job.

    Two publishers of one job (two of its trials flushing at once) may read the same
    last number; the unique constraint refuses the second insert and it takes the next.
    """
    for _ in range(_STORE_ATTEMPTS):
        try:
            with transaction.atomic():
                seq = last_seq(job_id) + 1
                JobEvent.objects.create(job_id=job_id, seq=seq, type=type, data=payload)
            return seq
        except IntegrityError:
            if not TrainingJob.objects.filter(pk=job_id).exists():
                return None  # the job was deleted: nobody is watching it
    logger.warning("job %s: no free event number after %s attempts", job_id, _STORE_ATTEMPTS)
    return None


def _send(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    _run(lambda: layer.group_send(group, message))


def _run(make: Callable[[], Coroutine[Any, Any, None]]) -> None:
    loop = registered_loop()
    if loop is not None:
        future = asyncio.run_coroutine_threadsafe(make(), loop)
        future.add_done_callback(_log_failure)
        return
    async_to_sync(_await)(make)


async def _await(make: Callable[[], Coroutine[Any, Any, None]]) -> None:
    await make()


def _log_failure(future: Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        logger.error("a live event was not sent", exc_info=future.exception())


# --- the job list's progress -----------------------------------------------------------------

PROGRESS_TYPES = frozenset(
    {"trial.created", "trial.started", "trial.finished", "job.status", "job.extended"}
)


def progress(job_id: int) -> dict[str, Any] | None:
    """What a job list shows of a job's progress: counts by status, limits, times."""
    job = (
        TrainingJob.objects.filter(pk=job_id)
        .values("owner_id", "status", "max_trials", "started_at", "finished_at")
        .first()
    )
    if job is None:
        return None
    return {
        "type": "job.progress",
        "job": job_id,
        "owner": job["owner_id"],
        "status": job["status"],
        "max_trials": job["max_trials"],
        "counts": trial_counts(job_id),
        "started_at": iso(job["started_at"]),
        "finished_at": iso(job["finished_at"]),
    }


def trial_counts(job_id: int) -> dict[str, int]:
    """{status: trials} with every status present (0 when none)."""
    counts = dict.fromkeys(Trial.Status.values, 0)
    rows = Trial.objects.filter(job_id=job_id).order_by().values_list("status")
    for status, n in rows.annotate(n=Count("pk")):
        counts[status] = n
    return counts


def _send_progress(job_id: int) -> None:
    event = progress(job_id)
    if event is None:
        return
    message = {"type": LIST_MESSAGE, "event": event}
    _send(owner_group(event["owner"]), message)
    _send(STAFF_GROUP, message)


# --- reading back ----------------------------------------------------------------------------


def last_seq(job_id: int) -> int:
    """The job's last event number (0 before its first event)."""
    last = JobEvent.objects.filter(job_id=job_id).aggregate(m=Max("seq"))["m"]
    return int(last or 0)


def since(job_id: int, seq: int, *, limit: int | None = None) -> tuple[list[dict[str, Any]], bool]:
    """The job's events numbered after ``seq``, in order, and whether that is all of them."""
    limit = limit or REPLAY_LIMIT
    rows = list(
        JobEvent.objects.filter(job_id=job_id, seq__gt=seq)
        .order_by("seq")
        .values_list("seq", "type", "data")[: limit + 1]
    )
    events = [{"type": t, "seq": n, "job": job_id, **d} for n, t, d in rows[:limit]]
    return events, len(rows) <= limit


def parse_seq(value: Any) -> int | None:
    """A client's sequence number, or None when it is not a whole number in range.

    Accepts an int or a string of digits; refuses bools, floats, negatives and numbers
    past ``MAX_SEQ``.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text.isdigit() or len(text) > 16:
            return None
        value = int(text)
    if not isinstance(value, int) or not 0 <= value <= MAX_SEQ:
        return None
    return value


# --- payload helpers -------------------------------------------------------------------------


def clean(value: Any) -> Any:
    """``value`` as strict JSON: NaN as None, infinities as "inf"/"-inf" (as the API)."""
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


def metric_lines(job_id: int, text: str) -> list[int]:
    """0-based indexes of the lines of ``text`` the job's metric regex matches."""
    regex = TrainingJob.objects.filter(pk=job_id).values_list("metric_regex", flat=True).first()
    return marked_lines(regex or "", text)


def marked_lines(regex: str, text: str) -> list[int]:
    """0-based indexes of the lines of ``text`` that ``regex`` (a metric regex) matches."""
    if not regex:
        return []
    matcher = _matcher(regex)
    return [i for i, line in enumerate(text.split("\n")) if match_line(matcher, line) is not None]


@lru_cache(maxsize=256)
def _matcher(regex: str) -> MetricMatcher:
    return compile_metric_regex(regex)
