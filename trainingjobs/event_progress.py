"""A job's live progress: a recount of its trials, sent to the job list (its owner and
staff) and to the job's own page, whose "N / M trials ended (...)" is its ``tally``'s text
(``trial_budget``: the one place that wording is written), with the job's running time
(``run_seconds`` closed, ``running_since`` open) from which its elapsed time is counted.

After a job event that changes the counts (``PROGRESS_TYPES``) the progress is sent at
most once per ``PROGRESS_INTERVAL_S`` per job and process; a change inside that interval
is sent by a trailing send when it is over, so the pages always end on the last state.
The job page's socket also sends it when the page (re)connects (``page_progress``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connections

from trainingjobs import trial_budget
from trainingjobs.event_payloads import iso
from trainingjobs.event_sending import (
    JOB_MESSAGE,
    LIST_MESSAGE,
    STAFF_GROUP,
    dispatch,
    job_group,
    owner_group,
)
from trainingjobs.models import TrainingJob, Trial

logger = logging.getLogger(__name__)

# Seconds between two progress sends of one job (per process).
PROGRESS_INTERVAL_S = 0.5
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


def after_event(job_id: int, type: str) -> None:
    """Send the job's progress after its event of ``type`` was sent, when that event
    changes the counts and the throttle lets it through (else a trailing send follows)."""
    if type in PROGRESS_TYPES and _throttle.ask(job_id):
        _send_progress(job_id)


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
    """What a job list shows of a job's progress: counts by status, limits, times, and
    ``tally``: the trials ended of its total, lost and canceled apart (``trial_budget``)."""
    job = (
        TrainingJob.objects.filter(pk=job_id)
        .values(
            "owner_id",
            "status",
            "max_trials",
            "started_at",
            "finished_at",
            "run_seconds",
            "running_since",
        )
        .first()
    )
    if job is None:
        return None
    counts = Trial.objects.status_counts(job_id)
    return {
        "type": "job.progress",
        "job": job_id,
        "owner": job["owner_id"],
        "status": job["status"],
        "max_trials": job["max_trials"],
        "counts": counts,
        "tally": trial_budget.tally(counts, job["max_trials"]).as_dict(),
        "started_at": iso(job["started_at"]),
        "finished_at": iso(job["finished_at"]),
        # The running time: closed spans, and when the open one began (null unless running);
        # elapsed = run_seconds + (now - running_since), paused and ended stretches left out.
        "run_seconds": job["run_seconds"],
        "running_since": iso(job["running_since"]),
    }


def page_progress(job_id: int) -> dict[str, Any] | None:
    """``progress`` as the job's own page gets it (who owns the job is not its news)."""
    event = progress(job_id)
    if event is not None:
        event.pop("owner")
    return event


def _send_progress(job_id: int) -> None:
    event = progress(job_id)
    if event is None:
        return
    message = {"type": LIST_MESSAGE, "event": event}
    page = {k: v for k, v in event.items() if k != "owner"}
    dispatch(
        [
            (owner_group(event["owner"]), message),
            (STAFF_GROUP, message),
            (job_group(job_id), {"type": JOB_MESSAGE, "event": page}),
        ]
    )
