"""The only module that publishes live-dashboard events.

An event is a small JSON dict with a prefixed type (``trial.reported``, ``job.status``
...). Each job's events are numbered 1, 2, 3 ... and stored (``JobEvent``) before they
are sent to the job's group, so a page that reconnects asks for the events after the
last number it holds (``since``) and gets exactly the ones it missed; an event that
arrives twice or early is recognised by its number. A trial's log lines are not
numbered: they go to the trial's group with their character offset in the stored log,
which is the log's own sequence number.

Cost per event: an event is stored in the transaction that makes the change it
announces (a savepoint in it: no commit of its own), and sent once that transaction
commits, so a change that rolls back is never announced and a trial's end, its
scheduling step and their three events are one commit. The job list's progress (a
recount of the job's trials) is sent at most once per ``PROGRESS_INTERVAL_S`` per job
and process; a change inside that interval is sent by a trailing send when it is over,
so the list always ends on the last state.

Events across threads: under ``serve`` trials run in worker threads beside the ASGI
server and the channel layer is the in-memory one. A worker thread must not await that
layer from an event loop of its own (the consumer's waiting future belongs to the
server's loop, which then only notices the message when it wakes for something else,
seconds later). ``serve`` registers its loop with ``register_loop`` and every send is
handed to that loop with ``asyncio.run_coroutine_threadsafe``. Without a registered
loop (``run_huey`` worker processes in scale mode, where the layer is channels_redis)
sends go to one event loop of the process's own, in a thread of its own: the caller
never waits for Redis, and the layer keeps its connections on that one loop (an
``async_to_sync`` per send made a loop, a thread and a Redis connection each time).
Sends leave in the order they were handed over, on either loop.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from typing import Any

from channels.layers import get_channel_layer
from django.db import IntegrityError, connection, connections, transaction

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
# Seconds between two progress sends of one job (per process).
PROGRESS_INTERVAL_S = 0.5
_STORE_ATTEMPTS = 8
# The first key of the advisory lock that numbers a job's events (the job's id the second).
_EVENT_LOCK = 0x5E0E

_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()

Send = tuple[str, dict[str, Any]]  # (group, message)


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
    """Number and store one job event in the current transaction; send it on commit.

    Outside a transaction the event is stored in one of its own. Never raises: the
    event's savepoint is rolled back alone, so a dashboard that misses an event reloads
    its snapshot, while an exception here would fail the trial or the scheduling step
    that published it.
    """
    payload = clean(data or {})
    held = getattr(_batches, "stack", None)
    if held:
        held[-1].append((job_id, type, payload))
        return
    _store_and_announce([(job_id, type, payload)])


def _store_and_announce(pending: list[tuple[int, str, dict[str, Any]]]) -> None:
    by_job: dict[int, list[tuple[str, dict[str, Any]]]] = {}
    for job_id, type, payload in pending:
        by_job.setdefault(job_id, []).append((type, payload))
    for job_id, items in by_job.items():
        try:
            # Its own savepoint rolls back alone on any error (one savepoint, not two: each
            # is a round trip on PostgreSQL).
            first = _store(job_id, items)
        except Exception:
            logger.exception("job %s: events %s not published", job_id, [t for t, _ in items])
            continue
        if first is None:
            continue
        for offset, (type, payload) in enumerate(items):
            event = {"type": type, "seq": first + offset, "job": job_id, **payload}
            _announce_on_commit(job_id, type, event)


def _announce_on_commit(job_id: int, type: str, event: dict[str, Any]) -> None:
    # Never announce a change that may still roll back.
    transaction.on_commit(lambda: _announce(job_id, type, event))


_batches = threading.local()


@contextmanager
def batched() -> Iterator[None]:
    """Hold the events published inside the block; store them when it ends, together.

    For a long transaction (a trial's end with its scheduling step): its events take
    their numbers in one insert at its end, so another trial of the job, whose event
    must wait for those numbers to commit on PostgreSQL, waits for the commit alone and
    not for the whole change. A block that raises drops its events (its change rolls
    back); a nested block hands its events to the enclosing one.
    """
    stack = _batches.__dict__.setdefault("stack", [])
    stack.append([])
    try:
        yield
    except BaseException:
        stack.pop()
        raise
    held = stack.pop()
    if stack:
        stack[-1].extend(held)
    elif held:
        _store_and_announce(held)


def _announce(job_id: int, type: str, event: dict[str, Any]) -> None:
    try:
        _dispatch([(job_group(job_id), {"type": JOB_MESSAGE, "event": event})])
        if type in PROGRESS_TYPES and _throttle.ask(job_id):
            _send_progress(job_id)
    except Exception:
        logger.exception("job %s: event %s not sent", job_id, type)


def publish_log(
    *, job_id: int, trial_id: int, offset: int, text: str, metric_regex: str | None = None
) -> None:
    """Send a chunk of a trial's stored log (``offset``: its first character's index).

    The chunk was appended to the stored log first (sent once that commits), so a page
    that sees a gap between what it holds and ``offset`` reads the gap from the log
    itself. ``metric_regex`` is the job's (read from the job when not given).
    """
    if not text:
        return
    try:
        regex = _job_regex(job_id) if metric_regex is None else metric_regex
        event = {
            "type": "trial.log",
            "trial": trial_id,
            "offset": offset,
            "text": text,
            "marks": marked_lines(regex, text),
        }
        sends = [(trial_group(trial_id), {"type": TRIAL_MESSAGE, "event": event})]
        transaction.on_commit(lambda: _dispatch(sends))
    except Exception:
        logger.exception("trial %s: log event not published", trial_id)


def _store(job_id: int, items: list[tuple[str, dict[str, Any]]]) -> int | None:
    """Store the job's events, numbered on from the job's last; the first one's number.

    Publishers of one job (its trials flushing at once) take numbers one at a time: on
    PostgreSQL a transaction-level advisory lock on the job is held from reading the last
    number to the commit (events are stored last in a transaction, so it is held
    briefly and never before another lock); SQLite's writers are serialised already
    (``BEGIN IMMEDIATE``). Should two still read the same last number, the unique
    constraint refuses the second insert and it takes the next, in its own savepoint.
    """
    for _ in range(_STORE_ATTEMPTS):
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "SELECT pg_advisory_xact_lock(%s::integer, %s::integer)",
                            [_EVENT_LOCK, job_id % 2**31],  # a shared key only waits longer
                        )
                first = last_seq(job_id) + 1
                JobEvent.objects.bulk_create(
                    [
                        JobEvent(job_id=job_id, seq=first + i, type=type, data=payload)
                        for i, (type, payload) in enumerate(items)
                    ]
                )
            return first
        except IntegrityError:
            if not TrainingJob.objects.filter(pk=job_id).exists():
                return None  # the job was deleted: nobody is watching it
    logger.warning("job %s: no free event number after %s attempts", job_id, _STORE_ATTEMPTS)
    return None


# --- sending ---------------------------------------------------------------------------------


def _dispatch(sends: list[Send]) -> None:
    """Hand ``sends`` to the layer, in order, without waiting for them."""
    layer = get_channel_layer()
    if layer is None or not sends:
        return
    loop = registered_loop() or _own_loop()
    future = asyncio.run_coroutine_threadsafe(_send_all(layer, sends), loop)
    future.add_done_callback(_log_failure)


_send_locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}


async def _send_all(layer: Any, sends: list[Send]) -> None:
    # One at a time per loop: two group_sends to one group could otherwise overtake each
    # other at an await inside the Redis layer. The lock wakes its waiters in order.
    loop = asyncio.get_running_loop()
    lock = _send_locks.setdefault(loop, asyncio.Lock())
    async with lock:
        for group, message in sends:
            await layer.group_send(group, message)


def _log_failure(future: Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        logger.error("a live event was not sent", exc_info=future.exception())


_own: asyncio.AbstractEventLoop | None = None
_own_lock = threading.Lock()


def _own_loop() -> asyncio.AbstractEventLoop:
    """This process's sending loop, started at first use in a daemon thread."""
    global _own
    with _own_lock:
        if _own is None or _own.is_closed():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="live-events", daemon=True)
            thread.start()
            _own = loop
        return _own


# --- the job list's progress -----------------------------------------------------------------

PROGRESS_TYPES = frozenset(
    {"trial.created", "trial.started", "trial.finished", "job.status", "job.extended"}
)


class ProgressThrottle:
    """At most one progress send per job per ``interval_s``, and always the last state.

    ``ask(job)`` at each change: True = send now (a leading send); False = a trailing
    send is now pending for when the interval is over, and ``due()`` hands it out then.
    ``clock`` is in seconds (monotonic); tests pass their own.
    """

    def __init__(self, interval_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval_s = interval_s
        self.clock = clock
        self._sent: dict[int, float] = {}
        self._pending: dict[int, float] = {}  # job -> when its trailing send is due
        self._lock = threading.Lock()

    def ask(self, job_id: int) -> bool:
        with self._lock:
            if job_id in self._pending:
                return False
            now = self.clock()
            last = self._sent.get(job_id)
            if last is None or now - last >= self.interval_s:
                self._sent[job_id] = now
                if len(self._sent) > 1000:
                    self._forget(now)
                return True
            self._pending[job_id] = last + self.interval_s
        _wake_trailing_sender()
        return False

    def due(self) -> list[int]:
        """The jobs whose trailing send is due now (handed out once, counted as sent)."""
        with self._lock:
            now = self.clock()
            jobs = [job for job, at in self._pending.items() if at <= now]
            for job in jobs:
                del self._pending[job]
                self._sent[job] = now
            return jobs

    def next_due(self) -> float | None:
        """When the next trailing send is due (``clock`` time), or None."""
        with self._lock:
            return min(self._pending.values(), default=None)

    def _forget(self, now: float) -> None:
        for job in [j for j, at in self._sent.items() if now - at >= self.interval_s]:
            del self._sent[job]


_throttle = ProgressThrottle(PROGRESS_INTERVAL_S)
_trailing_wake = threading.Event()
_trailing_thread: threading.Thread | None = None
_trailing_lock = threading.Lock()


def send_due_progress(throttle: ProgressThrottle | None = None) -> list[int]:
    """One step of the trailing sender: send the progress of every job now due."""
    jobs = (throttle or _throttle).due()
    for job_id in jobs:
        try:
            _send_progress(job_id)
        except Exception:
            logger.exception("job %s: progress not sent", job_id)
    return jobs


def _wake_trailing_sender() -> None:
    global _trailing_thread
    with _trailing_lock:
        if _trailing_thread is None or not _trailing_thread.is_alive():
            _trailing_thread = threading.Thread(
                target=_trailing_sender, name="live-progress", daemon=True
            )
            _trailing_thread.start()
    _trailing_wake.set()


def _trailing_sender() -> None:
    while True:
        due = _throttle.next_due()
        if due is None:
            _trailing_wake.wait()
        else:
            _trailing_wake.wait(max(0.0, due - _throttle.clock()))
        _trailing_wake.clear()
        if send_due_progress():
            # This thread's connection is opened at most a few times a second per job:
            # closing it keeps none idle (and none left open on a test database).
            connections.close_all()


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
        "counts": Trial.objects.status_counts(job_id),
        "started_at": iso(job["started_at"]),
        "finished_at": iso(job["finished_at"]),
    }


def _send_progress(job_id: int) -> None:
    event = progress(job_id)
    if event is None:
        return
    message = {"type": LIST_MESSAGE, "event": event}
    _dispatch([(owner_group(event["owner"]), message), (STAFF_GROUP, message)])


# --- reading back ----------------------------------------------------------------------------


def last_seq(job_id: int) -> int:
    """The job's last event number (0 before its first event).

    Plain SQL on the (job, seq) unique index: it runs for every event, and building the
    ORM's aggregate cost more than the query itself.
    """
    with connection.cursor() as cursor:
        cursor.execute(_LAST_SEQ_SQL, [job_id])
        row = cursor.fetchone()
    return int(row[0] or 0) if row else 0


_LAST_SEQ_SQL = f"SELECT MAX(seq) FROM {JobEvent._meta.db_table} WHERE job_id = %s"  # noqa: S608


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
    return marked_lines(_job_regex(job_id), text)


def _job_regex(job_id: int) -> str:
    regex = TrainingJob.objects.filter(pk=job_id).values_list("metric_regex", flat=True).first()
    return regex or ""


def marked_lines(regex: str, text: str) -> list[int]:
    """0-based indexes of the lines of ``text`` that ``regex`` (a metric regex) matches."""
    if not regex:
        return []
    matcher = _matcher(regex)
    return [i for i, line in enumerate(text.split("\n")) if match_line(matcher, line) is not None]


@lru_cache(maxsize=256)
def _matcher(regex: str) -> MetricMatcher:
    return compile_metric_regex(regex)
