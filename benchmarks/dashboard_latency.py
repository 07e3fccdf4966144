"""The latency from a line a trial's script prints to the point arriving at websocket
clients watching the job (see ``benchmarks.dashboard``)."""

from __future__ import annotations

import asyncio
import json
import threading
import time

from tests.support.cluster import Cluster

CLOCK_SCRIPT = """\
import time
for step in range({reports}):
    time.sleep(0.1)
    print(f"step {{step}} t={{time.time():.6f}}", flush=True)
"""


def measure_latency(
    cluster: Cluster, owner: str, cookie: str, clients: int, reports: int
) -> tuple[list[float], int]:
    """Latencies (s) of every point at every client watching a job of ``owner``, and how
    many points arrived."""
    folder = cluster.data_dir / "clock"
    folder.mkdir(exist_ok=True)
    (folder / "train.py").write_text(CLOCK_SCRIPT.format(reports=reports))
    algorithm = cluster.create_algorithm(
        owner=owner,
        spec={
            "name": "clock",
            "boot_file": "train.py",
            "auto_search": True,
            "hyperparameters": [{"name": "x", "type": "float", "default": 0.5, "min": 0, "max": 1}],
            "metric": {"name": "t", "goal": "maximize", "regex": r"t=([0-9.]+)"},
            "search_algorithms": [{"name": "random", "params": {}}],
        },
        folder=folder,
    )
    job_id = -1
    latencies: list[float] = []
    connected: list[int] = []
    all_connected = threading.Event()
    lock = threading.Lock()

    async def client() -> None:
        from websockets.asyncio.client import connect

        url = cluster.url.replace("http://", "ws://") + f"/ws/jobs/{job_id}/"
        async with connect(url, additional_headers={"Cookie": cookie, "Origin": cluster.url}) as ws:
            with lock:
                connected.append(1)
                if len(connected) == clients:
                    all_connected.set()
            deadline = time.monotonic() + reports * 0.1 * 2 + 60
            ended = 0
            while time.monotonic() < deadline and ended < 2:
                try:
                    text = await asyncio.wait_for(ws.recv(), timeout=5)
                except TimeoutError:
                    continue
                arrived = time.time()
                event = json.loads(text)
                if event["type"] == "trial.finished":
                    ended += 1
                elif event["type"] == "trial.reported":
                    with lock:
                        latencies.extend(arrived - v for _, v in event["points"] if v)

    async def all_clients() -> None:
        await asyncio.gather(*(client() for _ in range(clients)))

    # The job is created paused behind the clients: they connect first, then it starts.
    job_id = int(
        cluster.shell(
            "from django.contrib.auth import get_user_model\n"
            "from trainingjobs.models import TrainingJob\n"
            "from algorithms.models import Algorithm\n"
            "owner = get_user_model().objects.get(username=owner_name)\n"
            "job = TrainingJob.objects.create(\n"
            "    owner=owner, algorithm=Algorithm.objects.get(pk=algorithm),\n"
            "    name='latency', search_space={'x': {'type': 'float', 'low': 0, 'high': 1}},\n"
            "    search_algorithms=[{'name': 'random', 'params': {}}], metric_name='t',\n"
            "    metric_goal='maximize', metric_regex=r't=([0-9.]+)',\n"
            "    max_trials=2, max_concurrent=2)\n"
            "result = job.pk\n",
            owner_name=owner,
            algorithm=algorithm,
        )
    )
    thread = threading.Thread(target=lambda: asyncio.run(all_clients()))
    thread.start()
    if not all_connected.wait(timeout=120):
        raise RuntimeError(f"only {len(connected)} of {clients} clients connected")
    cluster.shell(
        "from trainingjobs import scheduler\nscheduler.submit(job_id)\nresult = True\n",
        job_id=job_id,
    )
    thread.join()
    return latencies, len(latencies)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]
