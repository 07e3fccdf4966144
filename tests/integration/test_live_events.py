"""A trial run by a real worker reaches a websocket client through the real server.

Embedded (``serve``: web and worker threads in one process, the in-memory channel layer)
always; with workers in other processes (``run_huey``, channels_redis) in scale mode.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support.cluster import Cluster, scale_mode
from tests.support.jobs import PROBE_SPEC, probe_cluster, probe_job
from tests.support.websocket import EventSocket, session_cookie


@pytest.fixture(scope="module", params=["embedded", "processes"])
def cluster(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[Cluster]:
    if request.param == "processes" and not scale_mode():
        pytest.skip("workers in other processes reach the web through channels_redis (scale)")
    console = probe_cluster(
        tmp_path_factory.mktemp("live-events"), layout=request.param, workers=2, threads=1
    )
    console.start()
    console.create_user("alice", "alice-pass-123")
    yield console
    console.stop()


def _ended(events: list[dict[str, Any]]) -> bool:
    return sum(e["type"] == "trial.finished" for e in events) == 2 and any(
        e["type"] == "job.status" and e.get("status") == "completed" for e in events
    )


def test_points_of_trials_run_by_a_real_worker_reach_a_websocket_client(
    cluster: Cluster,
) -> None:
    folder = Path(cluster.env["ALGORITHM_SERVER_ROOTS"]) / "probe"
    algorithm = cluster.create_algorithm(owner="alice", spec=PROBE_SPEC, folder=folder)
    cookie = session_cookie(cluster, "alice")
    job_id = cluster.create_job(owner="alice", data=probe_job(algorithm, trials=2, seconds=3))
    socket = EventSocket.open(cluster.url, f"/ws/jobs/{job_id}/", cookie)
    try:
        # What happened before the socket opened, then everything live.
        socket.send({"type": "since", "seq": 0})
        events = socket.collect_until(_ended, timeout=90)
    finally:
        socket.close()

    # Numbered events only: the job's progress (job.progress) is sent unnumbered.
    by_seq = {e["seq"]: e for e in events if e["type"] != "job.progress"}
    stored = [
        n
        for (n,) in cluster.rows(
            "SELECT seq FROM trainingjobs_jobevent WHERE job_id = %s", (job_id,)
        )
    ]
    assert sorted(by_seq) == sorted(stored) == list(range(1, len(stored) + 1))
    points: dict[int, list[Any]] = {}
    for event in sorted(by_seq.values(), key=lambda e: e["seq"]):
        if event["type"] == "trial.reported":
            points.setdefault(event["trial"], []).extend(event["points"])
    rows = cluster.rows(
        "SELECT p.trial_id, p.step, p.value, p.created_at FROM trainingjobs_metricpoint p "
        "JOIN trainingjobs_trial t ON t.id = p.trial_id WHERE t.job_id = %s ORDER BY p.id",
        (job_id,),
    )
    assert {t: len(p) for t, p in points.items()} == {t: 3 for t, *_ in rows}
    # The last point of each trial is printed long after the socket opened: it arrived
    # live, soon after the script printed it.
    printed = {(t, step): _aware(at) for t, step, _, at in rows}
    last_points = [
        (arrived, event["trial"])
        for arrived, event in socket.received
        if event["type"] == "trial.reported" and 3 in [step for step, _ in event["points"]]
    ]
    assert len(last_points) == 2
    for arrived, trial in last_points:
        latency = arrived - printed[(trial, 3)].timestamp()
        assert latency < 1.0, f"trial {trial}: its last point arrived {latency:.3f} s late"


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
