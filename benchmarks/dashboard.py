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
import json
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.common import machine_line, markdown_table
from benchmarks.dashboard_latency import measure_latency, percentile
from benchmarks.dashboard_page import PageFigures, fill, measure_job
from tests.support.cluster import Cluster, scale_mode
from tests.support.websocket import session_cookie

OWNER, PASSWORD = "bench", "bench-pass-123"


@dataclass
class Run:
    mode: str
    page: PageFigures
    big: PageFigures | None = None
    clients: int = 0
    latency_ms: dict[str, float] = field(default_factory=dict)
    points_received: int = 0


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
        job = fill(cluster, OWNER, args.trials, args.points)
        page = measure_job(cluster, cookie, job, args.trials, args.points, args.repeat)
        big = None
        if args.big:
            big_job = fill(cluster, OWNER, args.big, args.big_points)
            big = measure_job(cluster, cookie, big_job, args.big, args.big_points, 2)
        latencies, received = measure_latency(cluster, OWNER, cookie, args.clients, args.reports)
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
