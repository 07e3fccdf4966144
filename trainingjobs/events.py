"""The only module that publishes live-dashboard events: it numbers and stores a job's
events, and hands them to ``trainingjobs.event_sending`` once they are committed.

An event is a small JSON dict with a prefixed type (``trial.reported``, ``job.status``
...). Each job's events are numbered 1, 2, 3 ... and stored (``JobEvent``) before they
are sent to the job's group, so a page that reconnects asks for the events after the
last number it holds (``trainingjobs.event_replay``) and gets exactly the ones it
missed; an event that arrives twice or early is recognised by its number. A trial's log
lines are not numbered: they go to the trial's group with their character offset in the
stored log, which is the log's own sequence number.

Cost per event: an event is stored in the transaction that makes the change it
announces (a savepoint in it: no commit of its own), and sent once that transaction
commits, so a change that rolls back is never announced and a trial's end, its
scheduling step and their three events are one commit. After a job event is sent, the
job list's progress follows, throttled per job (``trainingjobs.event_progress``).
Where and how sends run (the server's loop under ``serve``, a loop of the process's
own in a ``run_huey`` worker) is ``trainingjobs.event_sending``'s.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, connection, transaction

from trainingjobs import event_progress
from trainingjobs.event_payloads import clean
from trainingjobs.event_sending import (
    JOB_MESSAGE,
    TRIAL_MESSAGE,
    dispatch,
    job_group,
    trial_group,
)
from trainingjobs.log_marks import job_regex, marked_lines
from trainingjobs.models import JobEvent, TrainingJob

logger = logging.getLogger(__name__)

_STORE_ATTEMPTS = 8
# The first key of the advisory lock that numbers a job's events (the job's id the second).
_EVENT_LOCK = 0x5E0E


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
        dispatch([(job_group(job_id), {"type": JOB_MESSAGE, "event": event})])
        event_progress.after_event(job_id, type)
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
        regex = job_regex(job_id) if metric_regex is None else metric_regex
        event = {
            "type": "trial.log",
            "trial": trial_id,
            "offset": offset,
            "text": text,
            "marks": marked_lines(regex, text),
        }
        sends = [(trial_group(trial_id), {"type": TRIAL_MESSAGE, "event": event})]
        transaction.on_commit(lambda: dispatch(sends))
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


# --- numbering -----------------------------------------------------------------------------


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
