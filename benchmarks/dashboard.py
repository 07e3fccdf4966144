"""The live job page under load: server time and payload, time to interactive, and the
latency from a line a script prints to the point arriving at 20 websocket clients.

For each mode (the embedded default: ``manage.py serve`` on SQLite, worker threads in
the web process; scale: PostgreSQL + Redis, ``serve --no-worker`` and ``run_huey``
worker processes), one run:

- fills a job with ``--trials`` trials x ``--points`` metric points (rows written
  directly, in the console's own Django), and measures the job page: the server's time
  to answer (median of ``--repeat`` requests after one warm-up, on localhost, so the
  time is the server's) and the payload; then, in headless Chromium (Debian's), the
  time from navigation until the dashboard is interactive (the metric chart drawn, the
  trial table listed, the live socket open);
- starts a job whose script prints its own clock (``t=<time.time()>``) every 0.1 s as
  its metric, with ``--clients`` websocket clients watching the job; each point's
  latency is the client's arrival time minus the printed time.

``--big`` also fills a job of that many trials (``--big-points`` points each) and
measures its page the same way.

    .venv/bin/python -m benchmarks.dashboard [--trials 1000] [--points 100]
        [--clients 20] [--modes embedded,scale] [--big 10000] [--out results.jsonl]

Scale mode needs DATABASE_URL (PostgreSQL; a database of its own is created next to it
and dropped) and REDIS_URL; it is skipped without them. Nice it on a shared machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.common import machine_line, markdown_table
from tests.support.cluster import Cluster, scale_mode
from tests.support.websocket import session_cookie

OWNER, PASSWORD = "bench", "bench-pass-123"
CHROMIUM = "/usr/bin/chromium"
CLOCK_SCRIPT = """\
import time
for step in range({reports}):
    time.sleep(0.1)
    print(f"step {{step}} t={{time.time():.6f}}", flush=True)
"""

FILL = """\
import random
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from algorithms.models import Algorithm
from trainingjobs.models import MetricPoint, TrainingJob, Trial
owner = get_user_model().objects.get(username=owner_name)
algorithm, _ = Algorithm.objects.get_or_create(
    owner=owner, name="bench-filled",
    defaults=dict(boot_file="train.py", status="ready", auto_search=True,
                  metric_name="accuracy", metric_regex=r"accuracy=(\\S+)",
                  code_source="server_path", server_path="/nonexistent"),
)
rng = random.Random(7)
t0 = timezone.now() - timedelta(hours=6)
job = TrainingJob.objects.create(
    owner=owner, algorithm=algorithm, name=f"filled {trials}x{points}", status="completed",
    search_space={"lr": {"type": "float", "low": 1e-5, "high": 1e-1, "log": True},
                  "layers": {"type": "int", "low": 1, "high": 8},
                  "optimizer": {"type": "choice", "values": ["adam", "sgd", "rmsprop"]}},
    search_algorithms=[{"name": "tpe", "params": {}}, {"name": "random", "params": {}}],
    metric_name="accuracy", metric_goal="maximize", metric_regex=r"accuracy=(\\S+)",
    max_trials=trials, max_concurrent=8, started_at=t0, finished_at=t0 + timedelta(hours=5),
)
rows = []
for n in range(1, trials + 1):
    start = t0 + timedelta(seconds=n * 15)
    status = rng.choice(["completed"] * 8 + ["early_stopped", "failed"])
    rows.append(Trial(
        job=job, number=n, algorithm=("tpe", "random")[n % 2], status=status,
        params={"lr": 10 ** rng.uniform(-5, -1), "layers": rng.randint(1, 8),
                "optimizer": rng.choice(["adam", "sgd", "rmsprop"])},
        value=None if status == "failed" else rng.uniform(0.5, 0.99),
        command=["python", "train.py", f"--n={n}"], started_at=start,
        finished_at=start + timedelta(seconds=100), worker="host:1",
    ))
Trial.objects.bulk_create(rows, batch_size=2000)
ids = list(Trial.objects.filter(job=job).order_by("number").values_list("pk", flat=True))
job.best_trial_id = ids[0]
job.save(update_fields=["best_trial"])
batch = []
for pk in ids:
    for step in range(1, points + 1):
        value = 1 - 0.5 / step + rng.uniform(0, 0.01)
        batch.append(MetricPoint(trial_id=pk, step=step, value=value, created_at=t0))
    if len(batch) >= 20000:
        MetricPoint.objects.bulk_create(batch, batch_size=5000)
        batch = []
MetricPoint.objects.bulk_create(batch, batch_size=5000)
result = job.pk
"""


@dataclass
class PageFigures:
    trials: int
    points: int
    server_ms: float
    payload_kb: float
    interactive_ms: float | None


@dataclass
class Run:
    mode: str
    page: PageFigures
    big: PageFigures | None = None
    clients: int = 0
    latency_ms: dict[str, float] = field(default_factory=dict)
    points_received: int = 0


def fill(cluster: Cluster, trials: int, points: int) -> int:
    return int(cluster.shell(FILL, owner_name=OWNER, trials=trials, points=points))


def measure_page(cluster: Cluster, cookie: str, job: int, repeat: int) -> tuple[float, int]:
    url = f"{cluster.url}/training-jobs/{job}/"
    times, size = [], 0
    for i in range(repeat + 1):
        request = urllib.request.Request(url, headers={"Cookie": cookie})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
        if i:  # the first request warms the caches
            times.append(time.perf_counter() - started)
        size = len(body)
    return statistics.median(times) * 1000, size


def measure_interactive(cluster: Cluster, cookie: str, job: int) -> float | None:
    if not Path(CHROMIUM).exists():
        return None
    from playwright.sync_api import sync_playwright

    name, value = cookie.split("=", 1)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.add_cookies([{"name": name, "value": value, "url": cluster.url}])
        page = context.new_page()
        page.goto(f"{cluster.url}/training-jobs/{job}/", wait_until="commit")
        page.wait_for_function(
            "() => window.SweepDashboard && document.querySelector('[data-live-chart=metric]').data"
            " && document.querySelector('table.trial-table tbody tr')",
            timeout=60_000,
        )
        interactive = float(page.evaluate("performance.now()"))
        browser.close()
    return interactive


def measure_latency(
    cluster: Cluster, cookie: str, clients: int, reports: int
) -> tuple[list[float], int]:
    """Latencies (s) of every point at every client, and how many points arrived."""
    folder = cluster.data_dir / "clock"
    folder.mkdir(exist_ok=True)
    (folder / "train.py").write_text(CLOCK_SCRIPT.format(reports=reports))
    algorithm = cluster.create_algorithm(
        owner=OWNER,
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
            owner_name=OWNER,
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


def run_mode(mode: str, args: argparse.Namespace) -> Run:
    root = Path(tempfile.mkdtemp(prefix=f"bench-dashboard-{mode}-"))
    scripts = root / "scripts"
    scripts.mkdir()
    cluster = Cluster(
        root / "console",
        layout="embedded" if mode == "embedded" else "processes",
        workers=2,
        threads=2,
        scale=mode == "scale",
        env_overrides={"ALGORITHM_SERVER_ROOTS": str(root / "console")},
    )
    cluster.start()
    try:
        cluster.create_user(OWNER, PASSWORD)
        cookie = session_cookie(cluster, OWNER)
        job = fill(cluster, args.trials, args.points)
        server_ms, size = measure_page(cluster, cookie, job, args.repeat)
        page = PageFigures(
            args.trials,
            args.points,
            server_ms,
            size / 1024,
            measure_interactive(cluster, cookie, job),
        )
        big = None
        if args.big:
            big_job = fill(cluster, args.big, args.big_points)
            big_ms, big_size = measure_page(cluster, cookie, big_job, 2)
            big = PageFigures(
                args.big,
                args.big_points,
                big_ms,
                big_size / 1024,
                measure_interactive(cluster, cookie, big_job),
            )
        latencies, received = measure_latency(cluster, cookie, args.clients, args.reports)
        ms = [v * 1000 for v in latencies]
        return Run(
            mode=mode,
            page=page,
            big=big,
            clients=args.clients,
            latency_ms={
                "p50": percentile(ms, 0.5),
                "p95": percentile(ms, 0.95),
                "max": max(ms) if ms else float("nan"),
            },
            points_received=received,
        )
    finally:
        cluster.stop()


def report(runs: list[Run]) -> str:
    pages = markdown_table(
        ["mode", "trials x points", "server (ms)", "payload (kB)", "interactive (ms)"],
        [
            (
                r.mode,
                f"{p.trials} x {p.points}",
                f"{p.server_ms:.0f}",
                f"{p.payload_kb:.0f}",
                "—" if p.interactive_ms is None else f"{p.interactive_ms:.0f}",
            )
            for r in runs
            for p in ([r.page] + ([r.big] if r.big else []))
        ],
    )
    latency = markdown_table(
        ["mode", "clients", "points received", "p50 (ms)", "p95 (ms)", "max (ms)"],
        [
            (
                r.mode,
                r.clients,
                r.points_received,
                f"{r.latency_ms['p50']:.0f}",
                f"{r.latency_ms['p95']:.0f}",
                f"{r.latency_ms['max']:.0f}",
            )
            for r in runs
        ],
    )
    return f"{machine_line()}\n\n{pages}\n\n{latency}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--points", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--reports", type=int, default=100, help="points per latency trial")
    parser.add_argument("--big", type=int, default=0, help="also a job of this many trials")
    parser.add_argument("--big-points", type=int, default=20)
    parser.add_argument("--modes", default="embedded,scale")
    parser.add_argument("--out", type=Path, help="append each run as a JSON line")
    args = parser.parse_args(argv)
    runs = []
    for mode in args.modes.split(","):
        if mode == "scale" and not scale_mode():
            print("scale: skipped (DATABASE_URL and REDIS_URL are not both set)")
            continue
        run = run_mode(mode, args)
        runs.append(run)
        if args.out:
            with args.out.open("a") as fh:
                fh.write(json.dumps(asdict(run)) + "\n")
        print(json.dumps(asdict(run)), flush=True)
    print(report(runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
