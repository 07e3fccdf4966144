"""The trial page's socket brings the trial's own points and end, live, for its chart;
another trial's events of the same job never reach it."""

from __future__ import annotations

from typing import Any

import pytest

from trainingjobs import event_progress
from trainingjobs.models import Trial

from .engine_helpers import make_job
from .test_consumers import connect_to, publish_from_worker, run

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
