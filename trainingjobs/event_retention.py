"""Retention of the live dashboard's stored events (``JobEvent``).

The events exist so that a page that lost its websocket gets exactly what it missed; a
page further behind than ``event_replay.REPLAY_LIMIT`` reloads its snapshot instead,
and the trials and metric points stay the truth. So older events can go: this keeps a
running job's last ``REPLAY_LIMIT`` events and a job that ended a while ago only its
last one (kept so the numbering goes on after the job is extended). A page that asks
for pruned events is told to reload (``event_replay.since`` sees the gap).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Max, Min
from django.utils import timezone

from trainingjobs import event_replay
from trainingjobs.models import JobEvent, TrainingJob

FINISHED_KEEP_FOR = timedelta(days=1)


def prune_events(
    *,
    now: datetime | None = None,
    keep: int | None = None,
    finished_keep_for: timedelta = FINISHED_KEEP_FOR,
) -> int:
    """Delete the events no page will ask for again; returns how many rows went.

    For every job: the events more than ``keep`` (default ``event_replay.REPLAY_LIMIT``)
    numbers behind its last one; for a job that finished more than ``finished_keep_for``
    ago, every event but its last. Idempotent; safe beside publishers (it never deletes a
    job's last event, which numbering reads).
    """
    now = now or timezone.now()
    keep = keep or event_replay.REPLAY_LIMIT
    ended = set(
        TrainingJob.objects.filter(
            status__in=TrainingJob.FINISHED, finished_at__lt=now - finished_keep_for
        ).values_list("pk", flat=True)
    )
    deleted = 0
    spans = JobEvent.objects.values("job_id").annotate(first=Min("seq"), last=Max("seq"))
    for span in spans:
        keep_from = span["last"] if span["job_id"] in ended else span["last"] - keep + 1
        if span["first"] < keep_from:
            count, _ = JobEvent.objects.filter(job_id=span["job_id"], seq__lt=keep_from).delete()
            deleted += count
    return deleted
