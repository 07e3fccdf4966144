"""What the reapers that queue work again (trials, datasets) rely on: what is still waiting
in the task queue (huey), and the heartbeat a worker keeps while it works; here, in the
lowest room, so every room may use it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DatabaseError, connection
from huey.contrib.djhuey import HUEY

logger = logging.getLogger(__name__)

# The priority of the short tasks (a job's scheduling step, checking a code package or a
# dataset): a worker thread that comes free takes them before the queued trials, which
# hold a thread for their whole run. Trials keep the default, 0. Both queues honour it
# (huey's SQLite storage, and PriorityRedisHuey in scale mode).
SHORT_TASK_PRIORITY = 10


def waiting_ids(task: Any) -> set[int]:
    """The first argument (an id) of every call of ``task`` (a huey task function) still
    waiting in the queue, not yet taken by a worker."""
    return {
        int(queued.args[0])
        for queued in HUEY.pending()
        if isinstance(queued, task.task_class) and queued.args
    }


@contextmanager
def heartbeats(beat: Callable[[], object], every: float, what: str) -> Iterator[None]:
    """Call ``beat`` every ``every`` seconds from a thread of its own (with its own
    database connection, closed at the end) while the block runs: how a worker shows a
    reaper that long work is still alive. Nothing is called when the block is shorter;
    a failed beat is logged and ends the beats, never the work."""
    done = threading.Event()

    def run() -> None:
        try:
            while not done.wait(every):
                beat()
        except DatabaseError:
            logger.warning("%s: a heartbeat failed", what, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=f"{what}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
