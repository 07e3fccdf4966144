"""Sending live events to the channel layer: the groups, and the loop a send runs on.

``trainingjobs.events`` (a job's numbered events, a trial's log) and
``trainingjobs.event_progress`` (the job list's progress) hand their messages to
``dispatch``; the consumers join the groups named here.

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
import threading
from concurrent.futures import Future
from typing import Any

from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

# Handler names on the consumers ("job.event" -> JobConsumer.job_event).
JOB_MESSAGE = "job.event"
TRIAL_MESSAGE = "trial.event"
LIST_MESSAGE = "jobs.event"
STAFF_GROUP = "jobs-staff"

Send = tuple[str, dict[str, Any]]  # (group, message)

_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def job_group(job_id: int) -> str:
    return f"job-{job_id}"


def trial_group(trial_id: int) -> str:
    return f"trial-{trial_id}"


def owner_group(user_id: int) -> str:
    return f"jobs-of-{user_id}"


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


# --- sending ---------------------------------------------------------------------------------


def dispatch(sends: list[Send]) -> None:
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


def wait_sent(timeout_s: float = 5.0) -> None:
    """Block until every send handed to this process's own loop so far has left.

    Sends are fire-and-forget; a caller that must know they are out (a test about to
    connect a socket that must not get them) waits here. Sends handed to a registered
    server loop are not waited for (that loop may be the caller's own).

    Raises ``TimeoutError`` when they have not left within ``timeout_s`` seconds.
    """
    with _own_lock:
        loop = _own
    if loop is None or loop.is_closed():
        return
    asyncio.run_coroutine_threadsafe(_after_earlier_sends(), loop).result(timeout_s)


async def _after_earlier_sends() -> None:
    # The lock wakes its waiters in order: holding it means every earlier send is done.
    lock = _send_locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    async with lock:
        pass


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
