"""The live job page's own figures: a job filled with many trials and points, the server's
time and payload for the page and the requests it makes after its first paint, and the
time until the dashboard is interactive in headless Chromium (see ``benchmarks.dashboard``).
"""

from __future__ import annotations

import statistics
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.cluster import Cluster

CHROMIUM = "/usr/bin/chromium"

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


def fill(cluster: Cluster, owner: str, trials: int, points: int) -> int:
    """Fill a completed job of ``owner`` with ``trials`` trials of ``points`` points; its id."""
    return int(cluster.shell(FILL, owner_name=owner, trials=trials, points=points))


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


def measure_job(
    cluster: Cluster, cookie: str, job: int, trials: int, points: int, repeat: int
) -> PageFigures:
    figures = measure_page(cluster, cookie, job, repeat)
    figures.trials, figures.points = trials, points
    fresh, warm, marks = measure_interactive(cluster, cookie, job)
    figures.interactive_ms, figures.interactive_warm_ms, figures.marks = fresh, warm, marks
    return figures
