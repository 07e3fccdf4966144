"""What is waiting in the task queue (huey), read by the reapers that queue work again
(trials, datasets); here, in the lowest room, so every room may use it."""

from __future__ import annotations

from typing import Any

from huey.contrib.djhuey import HUEY


def waiting_ids(task: Any) -> set[int]:
    """The first argument (an id) of every call of ``task`` (a huey task function) still
    waiting in the queue, not yet taken by a worker."""
    return {
        int(queued.args[0])
        for queued in HUEY.pending()
        if isinstance(queued, task.task_class) and queued.args
    }
