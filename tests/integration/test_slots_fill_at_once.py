"""A job's free slots fill at once on real workers: its first step queues max_concurrent
trials, and idle worker threads take them together, not one now and one some seconds
later (huey's SQLite queue used to leave an idle thread asleep for up to 10 s).

Embedded: ``serve`` with two worker threads (SQLite). Processes: one ``run_huey`` process
with two threads beside the web server (SQLite files, or PostgreSQL and Redis when
DATABASE_URL and REDIS_URL are set).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.cluster import Cluster
from tests.support.jobs import PROBE_SPEC, probe_cluster, probe_job

# Long enough for huey's polling back-off to reach seconds between an idle thread's looks.
IDLE_S = 30
# Both trials of a two-slot job are claimed within this of each other (measured: 0.01 to
# 0.1 s; before, up to 10 s).
TOGETHER_S = 1.0
SLACK = timedelta(seconds=TOGETHER_S)


@pytest.fixture(scope="module", params=["embedded", "processes"])
def cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp(f"slots-{request.param}")
    if request.param == "embedded":
        console = probe_cluster(root, layout="embedded", workers=2)
    else:
        console = probe_cluster(root, layout="processes", workers=1, threads=2)
    console.start()
    console.create_user("alice", "alice-pass-123")
    yield console
    console.stop()


def test_a_new_job_starts_max_concurrent_trials_together(cluster: Cluster) -> None:
    folder = Path(cluster.env["ALGORITHM_SERVER_ROOTS"]) / "probe"
    algorithm = cluster.create_algorithm(owner="alice", spec=PROBE_SPEC, folder=folder)
    time.sleep(IDLE_S)  # the workers idle, as between a user's jobs

    job_id = cluster.create_job(owner="alice", data=probe_job(algorithm, trials=4, seconds=4))
    job = cluster.wait_for_job_end(job_id, timeout=120)

    trials = cluster.trials(job_id)
    assert job["status"] == "completed", job
    assert [t["status"] for t in trials] == ["completed"] * 4
    first, second, third, fourth = (t["started_at"] for t in trials)
    # The first step queued trials 1 and 2; both were claimed at once.
    assert abs((second - first).total_seconds()) < TOGETHER_S, (first, second)
    # Trials 3 and 4 each took a slot as soon as one freed (the ending trial's worker
    # steps the job): before both first ones ended.
    first_ends = sorted(t["finished_at"] for t in trials[:2])
    assert third <= first_ends[0] + SLACK and fourth <= first_ends[1] + SLACK
