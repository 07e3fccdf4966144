"""The trial page's socket brings the trial's own start, points and end, live, for its
chart and Run card; another trial's events of the same job never reach it. A page that
connects after the start or the end is told them first."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from trainingjobs import event_progress, events, execution
from trainingjobs.models import Trial

from .engine_helpers import make_algorithm, make_job
from .test_consumers import connect_to, in_worker_thread, publish_from_worker, run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_progress_throttle(monkeypatch: Any) -> None:
    # As the consumers' tests: no job-list progress held back across tests.
    throttle = event_progress.ProgressThrottle(event_progress.PROGRESS_INTERVAL_S)
    monkeypatch.setattr(event_progress, "_throttle", throttle)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_trial_socket_gets_its_own_points_and_end_only(alice: Any, bob: Any) -> None:
    job = make_job(alice)
    trial = Trial.objects.create(job=job, number=1, params={"x": 0.5}, status="running")
    other = Trial.objects.create(job=job, number=2, params={"x": 0.6}, status="running")

    async def scenario() -> None:
        assert not (await connect_to(f"/ws/trials/{trial.pk}/", bob).connect())[0]
        communicator = connect_to(f"/ws/trials/{trial.pk}/", alice)
        assert (await communicator.connect())[0]
        await publish_from_worker(
            job.pk, "trial.reported", {"trial": other.pk, "points": [[1, 0.9]]}
        )
        await publish_from_worker(
            job.pk, "trial.reported", {"trial": trial.pk, "points": [[1, 0.5]]}
        )
        await publish_from_worker(job.pk, "job.status", {"status": "paused"})
        await publish_from_worker(
            job.pk, "trial.finished", {"trial": trial.pk, "status": "completed", "value": 0.5}
        )
        first = await communicator.receive_json_from(timeout=5)
        second = await communicator.receive_json_from(timeout=5)
        assert (first["type"], first["trial"], first["points"]) == (
            "trial.reported",
            trial.pk,
            [[1, 0.5]],
        )
        assert (second["type"], second["status"]) == ("trial.finished", "completed")
        assert await communicator.receive_nothing(timeout=0.3)
        await communicator.disconnect()

    run(scenario)


TRAIN_PY = """\
import argparse
parser = argparse.ArgumentParser()
parser.add_argument("--x", type=float, required=True)
parser.add_argument("--epochs", type=int, required=True)
args = parser.parse_args()
for epoch in range(1, args.epochs + 1):
    print(f"epoch {epoch} accuracy={args.x * epoch / args.epochs:.4f}", flush=True)
"""


def test_a_trial_page_opened_while_queued_gets_the_start_time_when_it_runs(
    alice: Any, tmp_path: Path, settings: Any
) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "train.py").write_text(TRAIN_PY)
    settings.ALGORITHM_SERVER_ROOTS = [tmp_path]
    settings.TRIAL_WORK_DIR = tmp_path / "work"
    job = make_job(
        alice, make_algorithm(alice, server_path=str(code)), max_trials=1, status="running"
    )
    # Queued as the scheduler queues it (here the scheduler's own step would run it at
    # once: huey is immediate and this test's commits are real).
    trial = Trial.objects.create(job=job, number=1, params={"x": 0.5})

    async def scenario() -> None:
        communicator = connect_to(f"/ws/trials/{trial.pk}/", alice)
        assert (await communicator.connect())[0]
        assert await communicator.receive_nothing(timeout=0.3)  # queued: nothing to tell
        # A real worker thread claims and runs the trial with the real script.
        await asyncio.get_running_loop().run_in_executor(
            None, in_worker_thread, lambda: execution.execute_trial(trial.pk)
        )
        seen = []
        while not seen or seen[-1]["type"] != "trial.finished":
            seen.append(await communicator.receive_json_from(timeout=5))
        await communicator.disconnect()
        started = [e for e in seen if e["type"] == "trial.started"]
        stored = await database_sync_to_async(Trial.objects.get)(pk=trial.pk)
        assert [e["started_at"] for e in started] == [stored.started_at.isoformat()]
        assert started[0]["number"] == 1 and started[0]["worker"] == stored.worker
        assert seen.index(started[0]) < min(
            i for i, e in enumerate(seen) if e["type"] == "trial.reported"
        )
        assert (seen[-1]["status"], seen[-1]["value"]) == ("completed", 0.5)

    run(scenario)


def test_a_trial_page_connecting_late_is_told_the_start_and_end_so_far(alice: Any) -> None:
    job = make_job(alice)
    begun = timezone.now() - timedelta(seconds=90)
    running = Trial.objects.create(
        job=job, number=1, params={"x": 0.5}, status="running", started_at=begun, worker="w:1"
    )
    ended = Trial.objects.create(
        job=job,
        number=2,
        params={"x": 0.6},
        status="early_stopped",
        status_reason="Stopped by the user.",
        value=0.75,
        started_at=begun,
        finished_at=begun + timedelta(seconds=30),
    )

    async def scenario() -> None:
        first = connect_to(f"/ws/trials/{running.pk}/", alice)
        assert (await first.connect())[0]
        assert await first.receive_json_from(timeout=5) == {
            "type": "trial.started",
            "job": job.pk,
            "trial": running.pk,
            "number": 1,
            "started_at": begun.isoformat(),
            "worker": "w:1",
        }
        assert await first.receive_nothing(timeout=0.3)
        await first.disconnect()
        second = connect_to(f"/ws/trials/{ended.pk}/", alice)
        assert (await second.connect())[0]
        kinds = [await second.receive_json_from(timeout=5) for _ in range(2)]
        assert [e["type"] for e in kinds] == ["trial.started", "trial.finished"]
        assert kinds[1] == {
            "type": "trial.finished",
            "job": job.pk,
            "trial": ended.pk,
            "status": "early_stopped",
            "value": 0.75,
            "reason": "Stopped by the user.",
            "finished_at": (begun + timedelta(seconds=30)).isoformat(),
        }
        await second.disconnect()

    run(scenario)


def test_a_job_page_gets_its_trials_ended_in_the_budgets_words(alice: Any) -> None:
    job = make_job(alice, max_trials=3)
    Trial.objects.create(job=job, number=1, params={"x": 0.1}, status="completed")
    lost = Trial.objects.create(job=job, number=2, params={"x": 0.2}, status="running")

    async def scenario() -> None:
        communicator = connect_to(f"/ws/jobs/{job.pk}/", alice)
        assert (await communicator.connect())[0]
        await communicator.send_json_to({"type": "since", "seq": 0})
        first = await communicator.receive_json_from(timeout=5)
        assert (first["type"], first["tally"]["text"]) == ("job.progress", "1 / 3 trials ended")

        def lose() -> None:
            Trial.objects.filter(pk=lost.pk).update(status="lost")
            events.publish(job.pk, "trial.finished", {"trial": lost.pk, "status": "lost"})

        await asyncio.get_running_loop().run_in_executor(None, in_worker_thread, lose)
        finished = await communicator.receive_json_from(timeout=5)
        progress = await communicator.receive_json_from(timeout=5)
        assert (finished["type"], finished["trial"]) == ("trial.finished", lost.pk)
        assert progress["type"] == "job.progress"
        assert progress["tally"] == {
            "ended": 1,
            "total": 3,
            "lost": 1,
            "canceled": 0,
            "apart": "1 lost: not counted",
            "text": "1 / 3 trials ended (1 lost: not counted)",
        }
        await communicator.disconnect()

    run(scenario)
