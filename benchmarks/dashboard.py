"""The live job page under load: server time and payload, time to interactive, and the
latency from a line a script prints to the point arriving at 20 websocket clients.

For each mode (the embedded default: ``manage.py serve`` on SQLite, worker threads in
the web process; scale: PostgreSQL + Redis, ``serve --no-worker`` and ``run_huey``
worker processes), one run:

- fills a job with ``--trials`` trials x ``--points`` metric points (rows written
  directly, in the console's own Django), and measures the job page: the server's time
  to answer (median of ``--repeat`` requests after one warm-up, on localhost, so the
  time is the server's) and the payload; the same for the requests the page makes
  after its first paint (the metric chart's, the first one cold: it reads every ended
  trial's points, later ones only what changed; the summary figures'), compressed as
  a browser asks; then, in headless Chromium (Debian's), the time from navigation
  until the dashboard is interactive (the trial table listed and the metric chart
  drawn: the end of the dashboard's script and of its first chart), in a fresh
  browser (Plotly compiled from scratch) and in one that opened the page twice before
  (Chromium's code cache holds Plotly, as for a user who comes back);
- starts a job whose script prints its own clock (``t=<time.time()>``) every 0.1 s as
  its metric, with ``--clients`` websocket clients watching the job; each point's
  latency is the client's arrival time minus the printed time.

``--big`` also fills a job of that many trials (``--big-points`` points each) and
measures its page the same way.

    .venv/bin/python -m benchmarks.dashboard [--trials 1000] [--points 100]
        [--clients 20] [--modes embedded,scale] [--big 10000] [--out results.jsonl]

Scale mode needs DATABASE_URL (PostgreSQL; a database of its own is created next to it
and dropped) and REDIS_URL; it is skipped without them. ``--huey-name`` names the
queue on that Redis (its keys are dropped at the end). Nice it on a shared machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
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
    interactive_warm_ms: float | None = None
    metric_cold_ms: float = 0.0
    metric_ms: float = 0.0
    metric_kb: float = 0.0
    figures_ms: float = 0.0
    figures_kb: float = 0.0
    # performance marks of the fresh browser's load (ms since navigation)
    marks: dict[str, float] = field(default_factory=dict)


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


def timed_get(url: str, cookie: str) -> tuple[float, int]:
    """Seconds to read ``url`` whole, and its size as sent (compressed if the server did)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie, "Accept-Encoding": "gzip"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
    return time.perf_counter() - started, len(body)


def measure_page(cluster: Cluster, cookie: str, job: int, repeat: int) -> PageFigures:
    """Server times (ms, median of ``repeat`` after a warm-up) and sizes (kB as sent)."""
    base = f"{cluster.url}/training-jobs/{job}/"
    metric_cold, _ = timed_get(base + "live/metric/", cookie)  # the first read of the curves
    medians = {}
    for name, url in (
        ("page", base),
        ("metric", base + "live/metric/"),
        ("figures", base + "live/figures/"),
    ):
        runs = [timed_get(url, cookie) for _ in range(repeat + 1)][1:]
        medians[name] = (statistics.median(t for t, _ in runs) * 1000, runs[-1][1] / 1024)
    return PageFigures(
        trials=0,
        points=0,
        server_ms=medians["page"][0],
        payload_kb=medians["page"][1],
        interactive_ms=None,
        metric_cold_ms=metric_cold * 1000,
        metric_ms=medians["metric"][0],
        metric_kb=medians["metric"][1],
        figures_ms=medians["figures"][0],
        figures_kb=medians["figures"][1],
    )


INTERACTIVE = (
    "() => window.SweepDashboard && document.querySelector('[data-live-chart=metric]').data"
    " && document.querySelector('table.trial-table tbody tr')"
)


def measure_interactive(
    cluster: Cluster, cookie: str, job: int
) -> tuple[float | None, float | None, dict[str, float]]:
    """ms from navigation to interactive: in a fresh browser, then on a third visit in
    the same one (Plotly's compiled code cached); and the fresh load's marks."""
    if not Path(CHROMIUM).exists():
        return None, None, {}
    from playwright.sync_api import sync_playwright

    name, value = cookie.split("=", 1)
    times: list[float] = []
    marks: dict[str, float] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.add_cookies([{"name": name, "value": value, "url": cluster.url}])
        for visit in range(3):
            page = context.new_page()
            page.goto(f"{cluster.url}/training-jobs/{job}/", wait_until="commit")
            page.wait_for_function(INTERACTIVE, timeout=60_000)
            times.append(float(page.evaluate("performance.now()")))
            if visit == 0:
                marks = {
                    str(k): round(float(v))
                    for k, v in page.evaluate(
                        "() => { const n = performance.getEntriesByType('navigation')[0];"
                        " const out = [['response', n.responseEnd], ['dom', n.domInteractive]];"
                        " for (const m of performance.getEntriesByType('mark'))"
                        " out.push([m.name, m.startTime]); return out; }"
                    )
                }
            page.close()
        browser.close()
    return times[0], times[-1], marks


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


def measure_job(
    cluster: Cluster, cookie: str, job: int, trials: int, points: int, repeat: int
) -> PageFigures:
    figures = measure_page(cluster, cookie, job, repeat)
    figures.trials, figures.points = trials, points
    fresh, warm, marks = measure_interactive(cluster, cookie, job)
    figures.interactive_ms, figures.interactive_warm_ms, figures.marks = fresh, warm, marks
    return figures


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
        env_overrides={
            "ALGORITHM_SERVER_ROOTS": str(root / "console"),
            "HUEY_NAME": args.huey_name,
        },
    )
    cluster.start()
    try:
        cluster.create_user(OWNER, PASSWORD)
        cookie = session_cookie(cluster, OWNER)
        job = fill(cluster, args.trials, args.points)
        page = measure_job(cluster, cookie, job, args.trials, args.points, args.repeat)
        big = None
        if args.big:
            big_job = fill(cluster, args.big, args.big_points)
            big = measure_job(cluster, cookie, big_job, args.big, args.big_points, 2)
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
        if mode == "scale":
            drop_queue(args.huey_name)


def drop_queue(name: str) -> None:
    """Drop the run's Redis keys: its queue's (huey keeps only the letters and digits of
    its name) and the dashboard's cached curves and importance."""
    import os

    import redis

    conn = redis.Redis.from_url(os.environ["REDIS_URL"])
    queue = re.sub("[^a-z0-9]", "", name.lower())
    try:
        for pattern in (f"*{queue}*", "*dashboard-curves:*", "*dashboard-importance:*"):
            keys = list(conn.scan_iter(match=pattern))
            if keys:
                conn.delete(*keys)
    finally:
        conn.close()


def report(runs: list[Run]) -> str:
    pages = markdown_table(
        [
            "mode",
            "trials x points",
            "page (ms)",
            "page (kB)",
            "metric cold / warm (ms)",
            "metric (kB gz)",
            "figures (ms)",
            "figures (kB gz)",
            "interactive fresh / returning (ms)",
        ],
        [
            (
                r.mode,
                f"{p.trials} x {p.points}",
                f"{p.server_ms:.0f}",
                f"{p.payload_kb:.0f}",
                f"{p.metric_cold_ms:.0f} / {p.metric_ms:.0f}",
                f"{p.metric_kb:.0f}",
                f"{p.figures_ms:.0f}",
                f"{p.figures_kb:.0f}",
                f"{_ms(p.interactive_ms)} / {_ms(p.interactive_warm_ms)}",
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


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


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
    parser.add_argument("--huey-name", default="bench-dash", help="the queue's name on Redis")
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
