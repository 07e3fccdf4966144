"""Trials whose worker is gone, and queued trials whose task went missing.

The database is the source of truth: a running trial whose worker gave no sign of life
for a while is marked lost (its process group died with its worker, so it is not still
running somewhere), and a queued trial that no worker claimed and whose task is no
longer in the queue is queued again. Run by the periodic ``reap_lost_trials`` task and
when a worker starts (``reap_dead_local_trials``); each change goes through
``trial_services.trial_finish`` and ``services.enqueue_trials``, so the reaper and a worker
racing for one trial change it once.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from trainingjobs.models import TrainingJob, Trial
from trainingjobs.services import enqueue_trials
from trainingjobs.trial_services import trial_finish

logger = logging.getLogger(__name__)

JobStatus = TrainingJob.Status
TrialStatus = Trial.Status


def trials_mark_lost(*, older_than_s: float, now: datetime | None = None) -> list[int]:
    """Mark lost every running trial whose worker gave no sign of life for ``older_than_s``.

    Their workers died (a trial's process group dies with its worker), so nothing runs
    them any more; their jobs go on. Points already stored are kept.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=older_than_s)
    stale = Trial.objects.filter(status=TrialStatus.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    lost: list[int] = []
    for pk, worker, beat in stale.values_list("pk", "worker", "heartbeat_at"):
        since = f"since {beat:%Y-%m-%d %H:%M:%S} UTC " if beat else ""
        reason = (
            f"Lost: its worker {worker or '(unknown)'} gave no sign of life {since}"
            f"(limit {older_than_s:g} s); the worker or its host stopped."
        )
        # Only if no heartbeat arrived since it was read: a live trial is never lost.
        if trial_finish(
            trial_id=pk,
            status=TrialStatus.LOST,
            reason=reason,
            now=now,
            only_if=Q(heartbeat_at=beat),
        ):
            lost.append(pk)
    return lost


def trials_mark_lost_now(*, trial_ids: Iterable[int], reason: str) -> list[int]:
    """Mark these running trials lost at once (their worker is known to be gone)."""
    return [
        pk for pk in trial_ids if trial_finish(trial_id=pk, status=TrialStatus.LOST, reason=reason)
    ]


def trials_requeue_stale(
    *,
    older_than_s: float,
    now: datetime | None = None,
    in_queue: Callable[[], set[int]] | None = None,
) -> list[int]:
    """Queue run_trial again for the queued trials of running jobs whose task went missing.

    A task can vanish between the queue and a claim (its worker died right after taking
    it). A trial is queued again only when it is still queued (no worker claimed it),
    its task was queued more than ``older_than_s`` ago (``enqueued_at``; ``created_at``
    for a trial from before that field), and no ``run_trial`` task for it is still
    waiting in the queue (``in_queue()``: trial ids; a trial behind busy workers is not
    lost). Re-queueing stamps ``enqueued_at`` again, so a trial is queued again at most
    once per ``older_than_s``; a copy that does arrive twice is harmless, since only
    one claim can win. Returns the ids queued again.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=older_than_s)
    candidates = list(
        Trial.objects.filter(status=TrialStatus.QUEUED, job__status=JobStatus.RUNNING)
        .filter(Q(enqueued_at__lt=cutoff) | Q(enqueued_at__isnull=True, created_at__lt=cutoff))
        .values_list("pk", flat=True)
    )
    if not candidates:
        return []
    waiting = _waiting_in_queue(in_queue)
    ids = [pk for pk in candidates if pk not in waiting]
    if ids:
        with transaction.atomic():
            # Only those still queued: a worker may have claimed one since the read.
            ids = list(
                Trial.objects.filter(pk__in=ids, status=TrialStatus.QUEUED).values_list(
                    "pk", flat=True
                )
            )
            Trial.objects.filter(pk__in=ids).update(enqueued_at=now)
            enqueue_trials(ids, stamped=True)
    return ids


def _waiting_in_queue(in_queue: Callable[[], set[int]] | None) -> set[int]:
    if in_queue is None:
        from trainingjobs.tasks import waiting_trial_ids

        in_queue = waiting_trial_ids
    try:
        return in_queue()
    except Exception:
        # The queue could not be read: queue them all again (a duplicate only loses its claim).
        logger.exception("the queue's waiting tasks could not be read")
        return set()


def reap_dead_local_trials() -> list[int]:
    """Mark lost the running trials claimed by a worker process of this host that is gone.

    Cheap, and run when a worker starts: a restarted worker need not wait for the
    heartbeat limit to see that its predecessor's trials died with it. A pid that is
    alive (maybe reused) is left to the heartbeat reaper. Assumes worker hosts have
    distinct host names.
    """
    host = socket.gethostname()
    running = Trial.objects.filter(status=TrialStatus.RUNNING, worker__startswith=f"{host}:")
    dead = []
    for pk, worker in running.values_list("pk", "worker"):
        pid = worker.rsplit(":", 1)[1]
        if pid.isascii() and pid.isdigit() and not _pid_alive(int(pid)):
            dead.append(pk)
    return trials_mark_lost_now(
        trial_ids=dead,
        reason=f"Lost: its worker process on {host} had stopped when a worker started there.",
    )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
