"""console.task_storage: the embedded SQLite queue wakes idle workers when a task arrives."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from huey.consumer import Worker

from console.task_storage import (
    AdoptingPriorityRedisStorage,
    WakingSqliteHuey,
    WakingSqliteStorage,
)


def _take_in_thread(storage: WakingSqliteStorage) -> tuple[threading.Thread, dict[str, Any]]:
    got: dict[str, Any] = {}

    def take() -> None:
        got["data"] = storage.dequeue()
        got["at"] = time.monotonic()

    thread = threading.Thread(target=take)
    thread.start()
    return thread, got


def test_an_idle_reader_gets_a_task_queued_in_its_process_at_once(tmp_path: Path) -> None:
    storage = WakingSqliteStorage("q", filename=str(tmp_path / "q.db"), poll_seconds=30)
    thread, got = _take_in_thread(storage)
    time.sleep(0.3)  # the reader found nothing and waits
    assert thread.is_alive()
    queued_at = time.monotonic()
    storage.enqueue(b"task-1")
    thread.join(timeout=5)
    assert got["data"] == b"task-1"
    assert got["at"] - queued_at < 0.2  # woken, not polled (the poll is 30 s)


def test_a_task_queued_by_another_process_is_seen_within_the_poll(tmp_path: Path) -> None:
    reader = WakingSqliteStorage("q", filename=str(tmp_path / "q.db"), poll_seconds=0.5)
    writer = WakingSqliteStorage("q", filename=str(tmp_path / "q.db"))  # as another process
    started = time.monotonic()
    assert reader.dequeue() is None
    assert 0.45 <= time.monotonic() - started < 2  # an empty queue waits one poll
    thread, got = _take_in_thread(reader)
    writer.enqueue(b"task-2")
    thread.join(timeout=5)
    assert got["data"] == b"task-2"


@pytest.fixture
def huey(tmp_path: Path) -> Iterator[WakingSqliteHuey]:
    yield WakingSqliteHuey("slots", filename=str(tmp_path / "huey.db"), utc=True)


def test_idle_huey_workers_start_tasks_queued_together_together(huey: WakingSqliteHuey) -> None:
    """Two of huey's own worker loops, idle for seconds (huey's SQLite polling had backed
    off to about a second between looks by then): a step task queues two trials, as a
    job's first scheduling step does, and both start at once, not the second only when
    the other thread next looks."""
    started: list[float] = []

    @huey.task()
    def trial(n: int) -> None:
        started.append(time.monotonic())
        time.sleep(1.5)

    @huey.task()
    def step() -> None:
        time.sleep(0.2)  # the step's own work, while the other thread waits
        trial(1)
        trial(2)

    stop = threading.Event()

    def work() -> None:
        worker = Worker(huey, default_delay=0.1, max_delay=10.0, backoff=1.15)
        while not stop.is_set():
            worker.loop()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(6)
        step()
        deadline = time.monotonic() + 15
        while len(started) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)
    assert len(started) == 2
    assert abs(started[1] - started[0]) < 0.2


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (scale mode)")
def test_the_redis_priority_queue_takes_over_a_list_queue_left_by_an_earlier_version() -> None:
    import redis
    from huey.storage import RedisStorage

    name = f"adopt{uuid.uuid4().hex[:8]}"
    conn = redis.Redis.from_url(os.environ["REDIS_URL"])
    old = RedisStorage(name, connection_pool=conn.connection_pool)
    for data in (b"first", b"second", b"third"):
        old.enqueue(data)
    try:
        storage = AdoptingPriorityRedisStorage(name, connection_pool=conn.connection_pool)
        assert conn.type(storage.queue_key) == b"list"  # nothing done before its first use
        storage.enqueue(b"urgent", priority=10)
        assert conn.type(storage.queue_key) == b"zset"
        storage.enqueue(b"fourth")
        taken = [storage.dequeue() for _ in range(5)]
        assert taken == [b"urgent", b"first", b"second", b"third", b"fourth"]
    finally:
        conn.delete(old.queue_key)
        conn.close()
