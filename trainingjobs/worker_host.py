"""What a worker process knows of itself and its host: its name, its trial slots, the
environment its trials inherit, and the heartbeat it keeps for a trial it prepares.

Used by ``execution`` (one trial's run) and the reapers; no scheduling here.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils import timezone

from algorithms import task_queue
from trainingjobs import command, spec_environment
from trainingjobs.models import TrainingJob, Trial

TrialStatus = Trial.Status


def worker_name() -> str:
    """``host:pid`` of this worker process, as stored on the trials it claims."""
    return f"{socket.gethostname()}:{os.getpid()}"


@contextmanager
def heartbeats(trial_id: int) -> Iterator[None]:
    """Keep a claimed trial's heartbeat while its worker does something long before the
    monitor takes over (every ``TRIAL_HEARTBEAT_SECONDS``); nothing is written when the
    work is shorter."""

    def beat() -> None:
        Trial.objects.filter(pk=trial_id, status=TrialStatus.RUNNING).update(
            heartbeat_at=timezone.now()
        )

    with task_queue.heartbeats(beat, settings.TRIAL_HEARTBEAT_SECONDS, f"trial-{trial_id}"):
        yield


_slots_lock = threading.Lock()
_slots: set[int] = set()


@contextmanager
def slot() -> Iterator[tuple[int, int]]:
    """The lowest free slot number on this worker process, and how many trials run here."""
    with _slots_lock:
        slot = next(i for i in range(len(_slots) + 1) if i not in _slots)
        _slots.add(slot)
        running_here = len(_slots)
    try:
        yield slot, running_here
    finally:
        with _slots_lock:
            _slots.discard(slot)


def job_environment(job: TrainingJob) -> dict[str, str]:
    """The job's environment variables as validated (``spec_environment``), read again: a
    row changed by other means (the database, a staff edit) passes only its valid pairs."""
    stored = job.environment if isinstance(job.environment, dict) else {}
    return {
        name: value
        for name, value in stored.items()
        if isinstance(name, str)
        and isinstance(value, str)
        and spec_environment.name_error(name) is None
    }


def worker_env() -> dict[str, str]:
    """This worker's environment without the console's secrets and the worker's own
    credentials: the base of a trial's."""
    return {
        name: value
        for name, value in os.environ.items()
        if name not in command.CONSOLE_SECRETS
        and name not in command.WORKER_CREDENTIALS
        and not name.startswith(command.CONSOLE_SECRET_PREFIXES)
    }


def running_on_host() -> int:
    """Trials running on this host, this one included, whatever worker process runs them.

    The slots above count only this process's threads: with process workers
    (``run_huey -k process``) every trial would see itself alone and take every core.
    """
    host = socket.gethostname()
    return Trial.objects.filter(status=TrialStatus.RUNNING, worker__startswith=f"{host}:").count()
