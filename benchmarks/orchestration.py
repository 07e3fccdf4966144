"""Orchestration overhead: trials run by the console against a bare loop of subprocesses.

For each script (``print("loss=0.1")``, and the same after a one-second sleep) and each mode
(the embedded default: ``manage.py serve`` on SQLite; scale: PostgreSQL + Redis with
separate ``run_huey`` worker processes), one run measures, side by side:

- the **bare loop**: the same script launched N times as subprocesses (argument list,
  output read through pipes) at the same concurrency, from a thread pool; run before
  and after the console's job, and averaged, so both see the same machine load;
- the **console**: one training job of N trials (``random`` search over one float, the
  script ignores it), submitted through ``trainingjobs.services`` to a real console,
  timed from the job's ``created_at`` to its ``finished_at`` (the database's clock).

Overhead per trial is ``concurrency * (T_console - T_bare) / N``: how much longer each
trial holds its slot than the bare process did. The split beside it comes from the
trials' own rows: time inside a trial's ``started_at..finished_at`` beyond the bare
process (claim, package extraction, log and metric writes, finishing), and the gap
between one trial's end and the next one's start in the same slot (scheduling step,
queue round trips).

    .venv/bin/python -m benchmarks.orchestration [--trials 200] [--concurrency 2]
        [--sleeps 0,1] [--modes embedded,scale] [--out results.jsonl]
    .venv/bin/python -m benchmarks.orchestration --profile [--trials 50] [--sleeps 1]
        [--modes scale]

``--profile`` says where a trial's time goes: in the console's own Django (embedded
settings, or PostgreSQL + Redis when the first of ``--modes`` is ``scale``; no worker
running), one thread takes the trials of a job one after another
exactly as a worker's ``run_trial`` does (claim, folder, process, monitor, finish, the
inline scheduling step), under cProfile, and prints the time per trial against the bare
process and the functions that take it.

Scale mode needs DATABASE_URL (PostgreSQL; a database of its own is created next to it
and dropped) and REDIS_URL; it is skipped without them. Nice it on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import machine_line, markdown_table
from tests.support.cluster import Cluster, scale_mode

TRIVIAL = 'print("loss=0.1")\n'
SLEEPY = 'import time\ntime.sleep({sleep})\nprint("loss=0.1")\n'
OWNER, PASSWORD = "bench", "bench-pass-123"


@dataclass
class Run:
    mode: str
    sleep: float
    trials: int
    concurrency: int
    bare_s: float  # mean of the bare loop before and after
    bare_before_s: float
    bare_after_s: float
    bare_process_ms: float  # mean duration of one bare process
    console_s: float
    completed: int
    trial_ms: float  # mean started_at..finished_at of the console's trials
    load_before: float
    load_after: float

    @property
    def bare_rate(self) -> float:
        return self.trials / self.bare_s

    @property
    def console_rate(self) -> float:
        return self.trials / self.console_s

    @property
    def ratio(self) -> float:
        return self.console_rate / self.bare_rate

    @property
    def overhead_ms(self) -> float:
        return 1000 * self.concurrency * (self.console_s - self.bare_s) / self.trials

    @property
    def inside_ms(self) -> float:
        return self.trial_ms - self.bare_process_ms

    @property
    def gap_ms(self) -> float:
        return self.overhead_ms - self.inside_ms


def write_script(folder: Path, sleep: float) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.py").write_text(SLEEPY.format(sleep=sleep) if sleep else TRIVIAL)
    return folder


def bare_loop(script: Path, trials: int, concurrency: int) -> tuple[float, list[float]]:
    """Wall time of ``trials`` launches at ``concurrency``, and each launch's duration."""
    argv = [sys.executable, str(script / "train.py"), "--x=0.5"]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}

    def launch(_: int) -> float:
        started = time.perf_counter()
        proc = subprocess.run(argv, cwd=script, env=env, capture_output=True, check=True)
        assert b"loss=0.1" in proc.stdout
        return time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        durations = list(pool.map(launch, range(trials)))
    return time.perf_counter() - started, durations


def algorithm_spec(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "boot_file": "train.py",
        "auto_search": True,
        "hyperparameters": [{"name": "x", "type": "float", "default": 0.5, "min": 0.0, "max": 1.0}],
        "metric": {"name": "loss", "goal": "minimize", "regex": r"loss=([0-9.]+)"},
        "search_algorithms": [{"name": "random", "params": {}}],
    }


def job_data(algorithm: int, trials: int, concurrency: int) -> dict[str, Any]:
    return {
        "name": f"orchestration-{trials}",
        "algorithm": algorithm,
        "search_space": {"x": {"type": "float", "low": 0.0, "high": 1.0}},
        "search_algorithms": [{"name": "random", "params": {}}],
        "max_trials": trials,
        "max_concurrent": concurrency,
    }


def start_console(mode: str, root: Path, scripts: Path) -> Cluster:
    if mode == "embedded":
        # As the README's run command: one `serve` process, its default two worker threads.
        cluster = Cluster(root / mode, layout="embedded", workers=2, scale=False)
    else:
        # Two worker hosts (run_huey processes) with two threads each, the web apart.
        cluster = Cluster(root / mode, layout="processes", workers=2, threads=2, scale=True)
    cluster.env_overrides = {"ALGORITHM_SERVER_ROOTS": str(scripts), "LOG_LEVEL": "WARNING"}
    cluster.start()
    cluster.create_user(OWNER, PASSWORD)
    return cluster


def console_run(
    cluster: Cluster, script: Path, trials: int, concurrency: int
) -> tuple[float, int, float]:
    """(seconds from the job's creation to its end, completed trials, mean trial ms)."""
    algorithm = cluster.create_algorithm(
        owner=OWNER, spec=algorithm_spec(script.name), folder=script
    )
    job_id = cluster.create_job(owner=OWNER, data=job_data(algorithm, trials, concurrency))
    job = cluster.wait_for_job_end(job_id, timeout=60 + trials * 5, every=0.2)
    rows = cluster.trials(job_id)
    done = [t for t in rows if t["status"] == "completed"]
    if job["status"] != "completed" or len(done) != trials:
        raise RuntimeError(f"job {job_id} ended {job['status']}: {job['status_reason']}")
    seconds = (job["finished_at"] - job["created_at"]).total_seconds()
    trial_ms = 1000 * sum((t["finished_at"] - t["started_at"]).total_seconds() for t in done)
    return seconds, len(done), trial_ms / len(done)


def measure(mode: str, sleep: float, trials: int, concurrency: int, root: Path) -> Run:
    scripts = root / "scripts"
    script = write_script(scripts / f"sleep{str(sleep).replace('.', '_')}", sleep)
    cluster = start_console(mode, root / f"{script.name}", scripts)
    try:
        load_before = os.getloadavg()[0]
        before_s, before = bare_loop(script, trials, concurrency)
        console_s, completed, trial_ms = console_run(cluster, script, trials, concurrency)
        after_s, after = bare_loop(script, trials, concurrency)
        load_after = os.getloadavg()[0]
    finally:
        cluster.stop()
    durations = before + after
    return Run(
        mode=mode,
        sleep=sleep,
        trials=trials,
        concurrency=concurrency,
        bare_s=(before_s + after_s) / 2,
        bare_before_s=before_s,
        bare_after_s=after_s,
        bare_process_ms=1000 * sum(durations) / len(durations),
        console_s=console_s,
        completed=completed,
        trial_ms=trial_ms,
        load_before=load_before,
        load_after=load_after,
    )


def report(runs: list[Run]) -> str:
    header = [
        "mode",
        "script",
        "bare trials/s",
        "console trials/s",
        "console / bare",
        "target",
        "overhead ms/trial",
        "of which inside trial",
        "of which between trials",
        "bare s (before, after)",
        "load 1 min",
    ]
    rows = []
    for run in runs:
        target = 0.97 if run.sleep else 0.80
        verdict = "met" if run.ratio >= target else "missed"
        rows.append(
            [
                run.mode,
                f"sleep {run.sleep:g} s" if run.sleep else "trivial",
                run.bare_rate,
                run.console_rate,
                f"{100 * run.ratio:.1f} %",
                f">= {100 * target:.0f} % ({verdict})",
                run.overhead_ms,
                run.inside_ms,
                run.gap_ms,
                f"{run.bare_before_s:.1f}, {run.bare_after_s:.1f}",
                f"{run.load_before:.1f} -> {run.load_after:.1f}",
            ]
        )
    return markdown_table(header, rows)


PROFILE = """
import cProfile, io, pstats, subprocess, sys, time
from trainingjobs import execution, scheduler
from trainingjobs.models import Trial

scheduler.schedule_step(job_id)
profiler = cProfile.Profile()
started = time.perf_counter()
profiler.enable()
ran = 0
while True:
    trial = Trial.objects.filter(job_id=job_id, status="queued").order_by("number").first()
    if trial is None:
        break
    execution.execute_trial(trial.pk)
    ran += 1
profiler.disable()
engine = time.perf_counter() - started
started = time.perf_counter()
for _ in range(ran):
    subprocess.run([sys.executable, script, "--x=0.5"], capture_output=True, check=True)
bare = time.perf_counter() - started
out = io.StringIO()
stats = pstats.Stats(profiler, stream=out)
stats.sort_stats("cumulative").print_stats(45)
result = {"trials": ran, "engine_s": engine, "bare_s": bare, "profile": out.getvalue()}
"""


def profile(trials: int, root: Path, sleep: float = 0, *, scale: bool = False) -> str:
    """One thread runs a job's trials as a worker would, under cProfile (see the docstring);
    ``scale``: against PostgreSQL and Redis (DATABASE_URL, REDIS_URL) instead of SQLite."""
    scripts = root / "scripts"
    script = write_script(scripts / "profiled", sleep)
    cluster = Cluster(root / "console", layout="embedded", scale=scale)
    cluster.env_overrides = {"ALGORITHM_SERVER_ROOTS": str(scripts), "LOG_LEVEL": "WARNING"}
    cluster.start()  # only to migrate and validate; the job's trials run in the shell below
    try:
        cluster.create_user(OWNER, PASSWORD)
        algorithm = cluster.create_algorithm(
            owner=OWNER, spec=algorithm_spec(script.name), folder=script
        )
        cluster.stop_process("web")  # nothing else may take the job's trials
        job_id = cluster.create_job(owner=OWNER, data=job_data(algorithm, trials, 1))
        found = cluster.shell(PROFILE, job_id=job_id, script=str(script / "train.py"))
    finally:
        cluster.stop()
    per_engine = 1000 * found["engine_s"] / found["trials"]
    per_bare = 1000 * found["bare_s"] / found["trials"]
    head = (
        f"{found['trials']} trials one at a time: {per_engine:.0f} ms per trial in the "
        f"engine, {per_bare:.0f} ms per bare process, {per_engine - per_bare:.0f} ms of "
        "overhead per trial"
    )
    return f"{head}\n\n{found['profile']}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--sleeps", default="0,1", help="seconds the script sleeps, per run")
    parser.add_argument("--modes", default="embedded,scale")
    parser.add_argument("--out", type=Path, help="append each run as a JSON line")
    parser.add_argument("--profile", action="store_true", help="where a trial's time goes")
    args = parser.parse_args(argv)
    if args.profile:
        with tempfile.TemporaryDirectory(prefix="sweep-orchestration-") as tmp:
            sleep = float(args.sleeps.split(",")[0])  # the first script of --sleeps
            # The first mode of --modes; scale needs DATABASE_URL and REDIS_URL.
            scale = args.modes.split(",")[0] == "scale"
            if scale and not scale_mode():
                print("scale mode needs DATABASE_URL and REDIS_URL", file=sys.stderr)
                return 2
            print(profile(args.trials, Path(tmp), sleep, scale=scale))
        return 0

    modes = [m for m in args.modes.split(",") if m]
    if "scale" in modes and not scale_mode():
        print("scale mode skipped: set DATABASE_URL and REDIS_URL", file=sys.stderr)
        modes.remove("scale")
    print(f"# Orchestration overhead\n\n{machine_line()}\n")
    runs = []
    with tempfile.TemporaryDirectory(prefix="sweep-orchestration-") as tmp:
        for mode in modes:
            for sleep in (float(s) for s in args.sleeps.split(",")):
                run = measure(mode, sleep, args.trials, args.concurrency, Path(tmp) / mode)
                runs.append(run)
                print(
                    f"{mode} sleep={sleep:g}: {run.console_s:.1f} s vs bare {run.bare_s:.1f} s",
                    file=sys.stderr,
                )
                if args.out:
                    with args.out.open("a") as fh:
                        fh.write(json.dumps(asdict(run)) + "\n")
    print(report(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
