"""Websocket consumers of the live dashboard: a job, a trial's log, the job list.

Each one: connect -> authorise (the session user must see the job: its owner or staff)
-> join the group -> accept; a refused connection is closed before it is accepted (the
browser sees the handshake fail). Group messages are only forwarded. The one request a
client may send is ``{"type": "since", "seq": N}`` (the job consumer answers with the
events numbered after N); anything else, or a message that is not JSON, gets an
``error`` event, and a client sending faster than ``RATE`` messages a second is told
so and, if it goes on, disconnected. Consumers never write.
"""

from __future__ import annotations

import json
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from trainingjobs import event_progress, event_replay, event_sending
from trainingjobs.models import TrainingJob, Trial

# Close codes (4000-4999 are the application's): refused, and throttled.
CLOSE_FORBIDDEN = 4403
CLOSE_FLOODING = 4429
MAX_MESSAGE_CHARS = 1000
RATE = 5.0  # messages a second, on average
BURST = 20  # messages at once
MAX_REFUSED = 50  # messages over the rate before the connection is closed


class TokenBucket:
    """``take()`` is True while the client stays within ``rate`` a second (``burst`` at once)."""

    def __init__(self, rate: float, burst: int, clock: Any = time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens = float(burst)
        self.at = clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class _LiveConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: list[str]

    async def connect(self) -> None:
        self.groups_joined = []
        self.bucket = TokenBucket(RATE, BURST)
        self.refused = 0
        user = self.scope.get("user")
        group = None
        if user is not None and user.is_authenticated:
            group = await self.authorise(user)
        if group is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        for name in group:
            await self.channel_layer.group_add(name, self.channel_name)
            self.groups_joined.append(name)
        await self.accept()

    async def authorise(self, user: Any) -> list[str] | None:
        """The groups this user may join here, or None to refuse."""
        raise NotImplementedError

    async def disconnect(self, code: int) -> None:
        for name in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(name, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.bucket.take():
            self.refused += 1
            if self.refused >= MAX_REFUSED:
                await self.close(code=CLOSE_FLOODING)
            elif self.refused == 1:
                await self.error("Too many messages: slow down.")
            return
        if text_data is None or len(text_data) > MAX_MESSAGE_CHARS:
            await self.error("Send a short JSON text message.")
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            await self.error("Not JSON.")
            return
        if not isinstance(message, dict):
            await self.error("Send a JSON object.")
            return
        await self.receive_json(message)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        await self.error(f"Unknown request {str(content.get('type'))[:40]!r}.")

    async def error(self, message: str) -> None:
        await self.send_json({"type": "error", "error": message})

    @classmethod
    async def encode_json(cls, content: Any) -> str:
        # Strict JSON for the browser's JSON.parse (no NaN or Infinity).
        return json.dumps(content, allow_nan=False, separators=(",", ":"))


class JobConsumer(_LiveConsumer):
    """``/ws/jobs/<job_id>/``: every event of one job, in order of its numbers, and its
    progress (``job.progress``, unnumbered: throttled, and sent after each ``since``)."""

    async def authorise(self, user: Any) -> list[str] | None:
        self.job_id = int(self.scope["url_route"]["kwargs"]["job_id"])
        visible = await database_sync_to_async(_job_visible)(user, self.job_id)
        return [event_sending.job_group(self.job_id)] if visible else None

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        if content.get("type") != "since":
            await super().receive_json(content)
            return
        if "job" in content and content["job"] != self.job_id:
            await self.error("This connection is for another job.")
            return
        seq = event_replay.parse_seq(content.get("seq"))
        if seq is None:
            await self.error(f"seq must be a whole number from 0 to {event_replay.MAX_SEQ}.")
            return
        missed, complete = await database_sync_to_async(event_replay.since)(self.job_id, seq)
        for event in missed:
            await self.send_json(event)
        if not complete:
            # Too far behind: the page reloads its snapshot instead.
            await self.send_json({"type": "since.incomplete", "job": self.job_id})
            return
        # Progress is not numbered: a page that missed some gets the current one.
        progress = await database_sync_to_async(event_progress.page_progress)(self.job_id)
        if progress is not None:
            await self.send_json(progress)

    async def job_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])


class TrialLogConsumer(_LiveConsumer):
    """``/ws/trials/<trial_id>/``: one trial's log as it is stored (``trial.log``), and its
    own start, points and end (``trial.started`` with its ``started_at``,
    ``trial.reported``, ``trial.finished``: the job's events about this trial, unnumbered
    here: the trial page catches up from the stored points). On connecting, the trial's
    start and end so far come first (``event_replay.trial_state``): a page that loaded
    while the trial was queued, or reconnects, misses neither."""

    FORWARDED = frozenset({"trial.started", "trial.reported", "trial.finished"})

    async def connect(self) -> None:
        await super().connect()
        if not self.groups_joined:
            return  # refused
        for event in await database_sync_to_async(event_replay.trial_state)(self.trial_id):
            await self.send_json(event)

    async def authorise(self, user: Any) -> list[str] | None:
        self.trial_id = int(self.scope["url_route"]["kwargs"]["trial_id"])
        job_id = await database_sync_to_async(_trial_job)(user, self.trial_id)
        if job_id is None:
            return None
        return [event_sending.trial_group(self.trial_id), event_sending.job_group(job_id)]

    async def trial_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])

    async def job_event(self, message: dict[str, Any]) -> None:
        event = message["event"]
        if event.get("trial") == self.trial_id and event.get("type") in self.FORWARDED:
            await self.send_json(event)


class JobListConsumer(_LiveConsumer):
    """``/ws/jobs/``: the progress of the user's jobs (every job for staff)."""

    async def authorise(self, user: Any) -> list[str] | None:
        return [event_sending.STAFF_GROUP if user.is_staff else event_sending.owner_group(user.pk)]

    async def jobs_event(self, message: dict[str, Any]) -> None:
        event = dict(message["event"])
        event.pop("owner", None)
        await self.send_json(event)


def _job_visible(user: Any, job_id: int) -> bool:
    return TrainingJob.objects.visible_to(user).filter(pk=job_id).exists()


def _trial_job(user: Any, trial_id: int) -> int | None:
    """The trial's job id when ``user`` may see the trial, else None."""
    found = Trial.objects.visible_to(user).filter(pk=trial_id).values_list("job_id", flat=True)
    return found.first()
