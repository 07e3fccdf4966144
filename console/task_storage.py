"""The task queues: huey's SQLite queue for the embedded mode, with idle workers that wake
when a task arrives; and scale mode's Redis priority queue, which takes over a queue an
earlier version left in Redis.

huey's own SQLite storage cannot block, so an idle worker thread polls, sleeping longer
after each empty poll (0.1 s, growing 1.15 times per poll, up to 10 s). A job's first
scheduling step queues all its free slots' trials at once, but only the thread that ran
the step took one at once: an idle thread slept on for up to 10 s before it took the
next, so a job of two concurrent trials ran one at first. Redis's queue blocks (BRPOP),
which is why the scale mode never showed it.

``WakingSqliteStorage`` blocks as Redis's queue does: a task queued in this process (by
the web server or a worker thread, as every trial and scheduling step under ``serve``
is) wakes the idle threads at once; a task queued by another process (a ``manage.py``
command, or ``run_huey`` processes sharing the file) is seen within ``poll_seconds``.
"""

from __future__ import annotations

import struct
import threading
import time
from typing import Any

from huey import PriorityRedisHuey, SqliteHuey
from huey.storage import PriorityRedisStorage, SqliteStorage

POLL_SECONDS = 1.0  # as huey's Redis queue, which wakes a blocked read every second


class WakingSqliteStorage(SqliteStorage):
    """SQLite task queue whose ``dequeue`` waits up to ``poll_seconds`` for a task.

    Every enqueue through this object bumps a counter under a condition and wakes the
    waiting readers; a reader notes the counter before it looks at the queue, so a task
    queued between its look and its wait is never slept through.
    """

    blocking = True  # huey's worker loops straight back into dequeue instead of sleeping

    def __init__(self, *args: Any, poll_seconds: float = POLL_SECONDS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.poll_seconds = poll_seconds
        self._arrived = threading.Condition()
        self._enqueued = 0

    def enqueue(self, data: bytes, priority: float | None = None) -> None:
        super().enqueue(data, priority)
        with self._arrived:
            self._enqueued += 1
            self._arrived.notify_all()

    def dequeue(self) -> bytes | None:
        """The next task's data; None when none arrived within ``poll_seconds``."""
        with self._arrived:
            seen = self._enqueued
        data: bytes | None = super().dequeue()
        if data is not None:
            return data
        with self._arrived:
            self._arrived.wait_for(lambda: self._enqueued != seen, timeout=self.poll_seconds)
        found: bytes | None = super().dequeue()
        return found


class WakingSqliteHuey(SqliteHuey):
    """huey on a SQLite file with ``WakingSqliteStorage`` (settings: ``huey_class``)."""

    storage_class = WakingSqliteStorage


class AdoptingPriorityRedisStorage(PriorityRedisStorage):
    """huey's Redis priority queue (a sorted set), taking over the plain queue (a list,
    ``RedisHuey``'s) an earlier version of the console left under the same key: its tasks
    are moved in, oldest first, at the default priority, so an upgrade loses no queued
    trial (and the sorted set's commands never meet a list: Redis would refuse them).

    The takeover happens at the queue's first use, not when the storage is made (at
    import, in every web process too, where Redis may not be up yet).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._adopted = False

    def enqueue(self, data: bytes, priority: float | None = None) -> None:
        self._adopt_once()
        super().enqueue(data, priority)

    def dequeue(self) -> bytes | None:
        self._adopt_once()
        data: bytes | None = super().dequeue()
        return data

    def enqueued_items(self, limit: int | None = None) -> list[bytes]:
        self._adopt_once()
        items: list[bytes] = super().enqueued_items(limit)
        return items

    def queue_size(self) -> int:
        self._adopt_once()
        return int(super().queue_size())

    def _adopt_once(self) -> None:
        if not self._adopted:
            self.adopt_list_queue()
            self._adopted = True

    def adopt_list_queue(self) -> int:
        """Move a list queue's tasks into this one; how many were moved."""
        if self.conn.type(self.queue_key) not in (b"list", "list"):
            return 0
        # RedisHuey pushes on the left and pops on the right: the right end is the oldest.
        items = self.conn.lrange(self.queue_key, 0, -1)
        self.conn.delete(self.queue_key)
        # As RedisPriorityQueue.enqueue stores a task (an 8-byte microsecond prefix keeps
        # the order), with one microsecond between them so none share a prefix.
        start = int(time.time() * 1e6)
        for i, data in enumerate(reversed(items)):
            self.conn.zadd(self.queue_key, {struct.pack(">Q", start + i) + data: 0})
        return len(items)


class AdoptingPriorityRedisHuey(PriorityRedisHuey):
    """huey on Redis with ``AdoptingPriorityRedisStorage`` (settings: ``huey_class``)."""

    storage_class = AdoptingPriorityRedisStorage
