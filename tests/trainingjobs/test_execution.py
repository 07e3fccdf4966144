"""One trial on a worker: claim, folder, command line, run, end. Real tiny scripts."""

from __future__ import annotations

import os
import signal
import socket
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from algorithms.models import Algorithm
from trainingjobs import execution, reaper, services, tasks, trial_services, worker_host
from trainingjobs.models import MetricPoint, TrainingJob, Trial, TrialLog
from trainingjobs.specs import validate_job_spec

from .engine_helpers import make_algorithm, make_job, report, step, trials

pytestmark = pytest.mark.django_db

S = Trial.Status
J = TrainingJob.Status

TRAIN_PY = """\
import argparse, sys
parser = argparse.ArgumentParser()
parser.add_argument("--x", type=float, required=True)
parser.add_argument("--epochs", type=int, required=True)
parser.add_argument("--out", default="")
args = parser.parse_args()
if args.x < 0.05:
    raise SystemExit("x too small")
for epoch in range(1, args.epochs + 1):
    print(f"epoch {epoch} accuracy={args.x * epoch / args.epochs:.4f}", flush=True)
if args.out:
    open(args.out, "w").write("done")
"""


@pytest.fixture
def code(tmp_path: Path, settings: Any) -> Path:
    folder = tmp_path / "code"
    folder.mkdir()
    (folder / "train.py").write_text(TRAIN_PY)
    settings.ALGORITHM_SERVER_ROOTS = [tmp_path]
    settings.TRIAL_WORK_DIR = tmp_path / "work"
    return folder


def queued_trial(job: TrainingJob, **params: Any) -> Trial:
    step(job)
    trial = trials(job, S.QUEUED)[0]
    if params:
        Trial.objects.filter(pk=trial.pk).update(params=params)
    return trial


def run(trial: Trial) -> Trial:
    assert execution.execute_trial(trial.pk)
    return Trial.objects.select_related("log").get(pk=trial.pk)


def script_job(owner: Any, code: Path, **fields: Any) -> TrainingJob:
    algorithm = make_algorithm(owner, server_path=str(code))
    return make_job(owner, algorithm, **fields)


def test_a_real_script_runs_in_its_own_folder_and_completes(alice: Any, code: Path) -> None:
    job = script_job(
        alice, code, fixed={"epochs": 3, "out": "{trial_dir}/done.txt"}, objective="best"
    )
    job.algorithm.hyperparameters.create(name="out", type="str", default="", position=2)
    trial = run(queued_trial(job, x=0.9))
    assert (trial.status, trial.status_reason, trial.exit_code) == (S.COMPLETED, "", 0)
    assert trial.value == 0.9
    folder = Path(job.algorithm.server_path).parent / "work" / f"job-{job.pk}" / "trial-1"
    assert trial.command[1:] == [
        str(folder / "code" / "train.py"),
        "--x=0.9",
        "--epochs=3",
        f"--out={folder}/done.txt",
    ]
    assert (folder / "done.txt").read_text() == "done"
    assert list(MetricPoint.objects.filter(trial=trial).values_list("step", "value")) == [
        (1, 0.3),
        (2, 0.6),
        (3, 0.9),
    ]
    assert (
        trial.log.text
        == "epoch 1 accuracy=0.3000\nepoch 2 accuracy=0.6000\nepoch 3 accuracy=0.9000\n"
    )
    job.refresh_from_db()
    assert job.best_trial == trial


def test_editing_the_algorithm_never_changes_the_command_of_a_job_that_exists(
    alice: Any, code: Path
) -> None:
    algorithm = make_algorithm(
        alice, server_path=str(code), search_algorithms=[{"name": "random", "params": {}}]
    )
    spec = validate_job_spec(
        owner=alice,
        data={
            "name": "kept",
            "algorithm": algorithm.pk,
            "hyperparameters": {"epochs": 2},
            "search_space": {"x": {"type": "float", "low": 0.5, "high": 0.9}},
            "search_algorithms": [{"name": "random", "params": {}}],
            "max_trials": 2,
        },
    )
    job = TrainingJob.objects.create(owner=alice, **spec.model_fields())
    # The table loses both rows and the styles change after the job was created.
    algorithm.hyperparameters.all().delete()
    Algorithm.objects.filter(pk=algorithm.pk).update(argument_style="space", bool_style="flag")
    trial = run(queued_trial(job))
    x = trial.params["x"]
    assert trial.command[2:] == [f"--x={x}", "--epochs=2"]  # as when the job was created
    assert (trial.status, trial.value) == (S.COMPLETED, pytest.approx(x, abs=1e-4))


def test_a_crash_is_reported_with_its_exit_code_and_log_tail(alice: Any, code: Path) -> None:
    trial = run(queued_trial(script_job(alice, code), x=0.01))
    assert (trial.status, trial.exit_code) == (S.FAILED, 1)
    assert trial.status_reason == "Exited with code 1.\nLast lines of the log:\nx too small"


def test_a_clean_exit_without_the_metric_fails_saying_so(alice: Any, code: Path) -> None:
    job = script_job(alice, code, metric_name="loss", metric_regex=r"loss=(\S+)")
    trial = run(queued_trial(job, x=0.5))
    assert trial.status == S.FAILED
    assert trial.status_reason.startswith(
        "Exited with code 0 but never reported the metric 'loss' (no output line matched"
    )
    assert trial.status_reason.endswith("epoch 3 accuracy=0.5000")


def test_a_missing_package_fails_the_trial(alice: Any, code: Path) -> None:
    (code / "train.py").unlink()
    (code / "other.py").write_text("")
    trial = run(queued_trial(script_job(alice, code), x=0.5))
    assert trial.status == S.FAILED
    assert trial.status_reason.startswith("The code package could not be prepared: Boot file")


def test_a_doubly_delivered_run_trial_runs_once(
    alice: Any, code: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[list[str]] = []
    real = execution.runner.run_trial_process

    def counting(argv: list[str], **kwargs: Any) -> Any:
        started.append(argv)
        return real(argv, **kwargs)

    monkeypatch.setattr(execution.runner, "run_trial_process", counting)
    trial = queued_trial(script_job(alice, code), x=0.5)
    tasks.run_trial(trial.pk)
    tasks.run_trial(trial.pk)
    assert len(started) == 1
    assert Trial.objects.get(pk=trial.pk).status == S.COMPLETED


@dataclass
class FakeResult:
    exit_code: int | None = 0
    signal: int | None = None
    timed_out: bool = False
    stop_reason: str | None = None
    duration_s: float = 0.1


def fake_runner(lines: list[str], result: FakeResult) -> Any:
    """A runner that prints ``lines`` and polls after each, as the real one would."""

    def run_process(argv: list[str], *, on_line: Any, poll: Any, **kwargs: Any) -> FakeResult:
        for line in lines:
            on_line("stdout", line)
            reason = poll()
            if reason is not None:
                return FakeResult(exit_code=None, signal=15, stop_reason=reason)
        return result

    return run_process


def test_a_trial_stopped_by_its_policy_ends_early_stopped(alice: Any, code: Path) -> None:
    job = script_job(alice, code, policy={"name": "bandit", "slack_amount": 0.0}, max_trials=3)
    queued = queued_trial(job)
    other = trials(job)[1]
    trial_services.trial_claim(trial_id=other.pk, worker="w:1")
    report(other, [0.9])
    execution.execute_trial(
        queued.pk, run_process=fake_runner(["accuracy=0.5", "accuracy=0.6"], FakeResult())
    )
    trial = Trial.objects.get(pk=queued.pk)
    assert trial.status == S.EARLY_STOPPED
    assert trial.status_reason == "Stopped by the bandit policy at report 1 (value 0.5)."
    assert trial.value == 0.5
    assert MetricPoint.objects.filter(trial=trial).count() == 1


@pytest.mark.parametrize(
    ("result", "stop", "expected"),
    [
        (FakeResult(exit_code=0), None, (S.COMPLETED, "")),
        (
            FakeResult(exit_code=2),
            None,
            (S.FAILED, "Exited with code 2.\nLast lines of the log:\nboom"),
        ),
        (
            FakeResult(exit_code=None, signal=signal.SIGKILL),
            None,
            (S.FAILED, "Killed by signal SIGKILL (9).\nLast lines of the log:\nboom"),
        ),
        (
            FakeResult(exit_code=None, signal=15, timed_out=True),
            None,
            (
                S.FAILED,
                "Timed out: still running after 5 minutes (the trial timeout).\n"
                "Last lines of the log:\nboom",
            ),
        ),
        # a script that exits 0 on SIGTERM was still stopped
        (
            FakeResult(exit_code=0, stop_reason=S.CANCELED),
            (S.CANCELED, "The job was canceled."),
            (S.CANCELED, "The job was canceled."),
        ),
    ],
)
def test_outcome_names_how_the_trial_ended(
    result: FakeResult, stop: tuple[str, str] | None, expected: tuple[str, str]
) -> None:
    status, detail = stop or (None, "")
    assert (
        execution.outcome(
            result,
            stop_status=status,
            stop_detail=detail,
            reports=0 if result.exit_code else 1,
            metric_name="accuracy",
            timeout_minutes=5,
            tail="boom",
        )
        == expected
    )


def test_a_crash_without_a_report_is_never_called_a_missing_metric() -> None:
    status, reason = execution.outcome(
        FakeResult(exit_code=1),
        stop_status=None,
        stop_detail="",
        reports=0,
        metric_name="accuracy",
        timeout_minutes=None,
        tail="",
    )
    assert (status, reason) == (S.FAILED, "Exited with code 1.\nIt printed nothing.")


def test_a_plain_run_completes_on_exit_0_without_a_metric(alice: Any, code: Path) -> None:
    job = script_job(
        alice,
        code,
        search_space={},
        search_algorithms=[],
        metric_regex="",
        metric_name="",
        fixed={"x": 0.5, "epochs": 1},
        max_trials=1,
        max_concurrent=1,
    )
    trial = run(queued_trial(job))
    assert (trial.status, trial.value) == (S.COMPLETED, None)
    step(job)
    job.refresh_from_db()
    assert job.status == J.COMPLETED


def test_a_whole_job_runs_through_the_tasks(
    alice: Any, code: Path, django_capture_on_commit_callbacks: Any
) -> None:
    job = script_job(alice, code, max_trials=4, max_concurrent=2, objective="last")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.schedule(job.pk)
    job.refresh_from_db()
    rows = trials(job)
    assert job.status == J.COMPLETED, job.status_reason
    assert len(rows) == 4
    done = [t for t in rows if t.status == S.COMPLETED]
    best = max(done, key=lambda t: t.value or 0)
    assert job.best_trial == best
    assert all(TrialLog.objects.get(trial=t).lines == 3 for t in done)


def test_a_restarted_worker_marks_its_dead_predecessors_trials_lost(alice: Any) -> None:
    job = make_job(alice)
    step(job)
    dead, alive = trials(job)
    host = worker_host.worker_name().split(":")[0]
    gone = _dead_pid()
    trial_services.trial_claim(trial_id=dead.pk, worker=f"{host}:{gone}")
    trial_services.trial_claim(trial_id=alive.pk, worker=worker_host.worker_name())
    assert reaper.reap_dead_local_trials() == [dead.pk]
    dead.refresh_from_db()
    assert dead.status == S.LOST
    assert dead.status_reason.startswith(f"Lost: its worker process on {host} had stopped")
    assert Trial.objects.get(pk=alive.pk).status == S.RUNNING


def _dead_pid() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_cancel_stops_every_trial_of_the_job(alice: Any, code: Path) -> None:
    job = script_job(alice, code, max_trials=4, max_concurrent=2)
    running = queued_trial(job)
    waiting = trials(job)[1]

    def cancel_midway(argv: list[str], *, on_line: Any, poll: Any, **kwargs: Any) -> FakeResult:
        on_line("stdout", "accuracy=0.2")
        assert poll() is None
        services.job_cancel(job=job)
        reason = poll()  # the next poll sees it: the runner then ends the process group
        return FakeResult(exit_code=None, signal=15, stop_reason=reason)

    execution.execute_trial(running.pk, run_process=cancel_midway)
    job.refresh_from_db()
    assert job.status == J.CANCELED
    statuses = {t.pk: (t.status, t.status_reason) for t in trials(job)}
    assert statuses == {
        running.pk: (S.CANCELED, "The job was canceled: Canceled by the user."),
        waiting.pk: (S.CANCELED, "Not started: the job was canceled."),
    }
    assert not execution.execute_trial(waiting.pk)


def test_a_silent_trial_still_has_a_log(alice: Any, code: Path) -> None:
    (code / "train.py").write_text("")
    job = script_job(alice, code, metric_regex="", search_space={}, max_trials=1)
    trial = run(queued_trial(job))
    assert trial.status == S.COMPLETED
    assert (trial.log.text, trial.log.lines) == ("", 0)


def test_the_periodic_reaper_marks_silent_trials_lost(
    alice: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    job = make_job(alice, max_trials=2, max_concurrent=1)
    step(job)
    trial = trials(job)[0]
    trial_services.trial_claim(
        trial_id=trial.pk, worker="elsewhere:1", now=timezone.now() - timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        tasks.reap_lost_trials.call_local()
    trial.refresh_from_db()
    assert trial.status == S.LOST
    # The job went on to its limit: the lost trial did not use the budget of 2, and the
    # next two (with no code to run) failed.
    assert [t.status for t in trials(job)] == [S.LOST, S.FAILED, S.FAILED]
    job.refresh_from_db()
    assert job.status == J.FAILED
    assert "The first failure, trial #1: Lost: its worker elsewhere:1" in job.status_reason


def test_a_flood_of_output_keeps_a_capped_log_and_the_final_metric(
    alice: Any, code: Path, settings: Any
) -> None:
    settings.TRIAL_LOG_MAX_MB = 1
    (code / "train.py").write_text(
        "import sys\n"
        "line = 'x' * 999 + '\\n'\n"
        "for _ in range(50_000):\n"  # 50 MB
        "    sys.stdout.write(line)\n"
        "print('accuracy=0.75')\n"
    )
    trial = run(queued_trial(script_job(alice, code), x=0.5))
    assert (trial.status, trial.value) == (S.COMPLETED, 0.75)
    assert trial.log.truncated and trial.log.lines == 50_001
    assert 1024 * 1024 - 1000 < trial.log.size <= 1024 * 1024 + 200
    assert trial.log.text.endswith("the metric is still read from every line]\n")


def test_thread_vars_share_the_cores_among_the_hosts_running_trials(
    alice: Any, code: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another worker process of this host runs a trial: this process's own slots don't see it.
    monkeypatch.setattr(execution.command.os, "sched_getaffinity", lambda pid: set(range(8)))
    job = script_job(alice, code, max_concurrent=2)
    queued = queued_trial(job, x=0.5)
    other = trials(job, S.QUEUED)[1]
    trial_services.trial_claim(trial_id=other.pk, worker=f"{socket.gethostname()}:1")
    seen: dict[str, str] = {}

    def run_process(argv: list[str], *, env: Any, **kwargs: Any) -> FakeResult:
        seen.update(env)
        return FakeResult(exit_code=0)

    execution.execute_trial(queued.pk, run_process=run_process)
    assert [seen[name] for name in execution.command.THREAD_VARS] == ["4"] * 4


def test_the_consoles_secrets_never_reach_a_trial(
    alice: Any, code: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SECRET_KEY", "ADMIN_PASSWORD", "DATABASE_URL", "REDIS_URL"):
        monkeypatch.setenv(name, "hush")
    monkeypatch.setenv("STORAGE_S3_SECRET_ACCESS_KEY", "hush")
    monkeypatch.setenv("WANDB_MODE", "offline")  # the worker's other variables stay
    seen: dict[str, str] = {}

    def run_process(argv: list[str], *, env: Any, **kwargs: Any) -> FakeResult:
        seen.update(env)
        return FakeResult(exit_code=0)

    trial = queued_trial(script_job(alice, code), x=0.5)
    execution.execute_trial(trial.pk, run_process=run_process)
    assert "hush" not in seen.values()
    assert seen["WANDB_MODE"] == "offline"


ENV_PY = """\
import os
print("seen", os.environ["RUN_MODE"], os.environ["OMP_NUM_THREADS"], os.environ["TRIAL_ID"])
print("accuracy=0.5")
"""


def test_a_trial_sees_its_jobs_environment_variables(alice: Any, code: Path) -> None:
    (code / "train.py").write_text(ENV_PY)
    job = script_job(alice, code, environment={"RUN_MODE": "fast lane", "OMP_NUM_THREADS": "3"})
    trial = run(queued_trial(job))
    assert trial.status == S.COMPLETED
    # The job's thread setting replaces the console's share; TRIAL_ID stays the console's.
    assert f"seen fast lane 3 {trial.pk}\n" in trial.log.text


def test_a_jobs_environment_is_read_again_and_only_valid_pairs_pass(alice: Any) -> None:
    # Stored by other means than the spec's validation (the database, a staff edit).
    job = make_job(alice)
    job.environment = {
        "RUN_MODE": "fast",
        "TRIAL_ID": "7",
        "SECRET_KEY": "stolen",
        "STORAGE_S3_BUCKET": "b",
        "1BAD": "x",
        "COUNT": 5,
    }
    assert worker_host.job_environment(job) == {"RUN_MODE": "fast"}
    job.environment = ["RUN_MODE=fast"]
    assert worker_host.job_environment(job) == {}


def test_the_workers_own_credentials_do_not_reach_a_trial(monkeypatch: Any) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "worker-key")
    monkeypatch.setenv("PGPASSWORD", "worker-password")
    monkeypatch.setenv("SECRET_KEY", "console-key")
    monkeypatch.setenv("RUN_MODE", "kept")
    env = worker_host.worker_env()
    assert env["RUN_MODE"] == "kept"
    assert not {"AWS_SECRET_ACCESS_KEY", "PGPASSWORD", "SECRET_KEY"} & env.keys()


@pytest.mark.django_db(transaction=True)
def test_a_trial_keeps_its_heartbeat_while_its_worker_prepares_it(
    alice: Any, settings: Any
) -> None:
    settings.TRIAL_HEARTBEAT_SECONDS = 0.2
    job = make_job(alice)
    long_ago = timezone.now() - timedelta(hours=1)
    trial = Trial.objects.create(
        job=job, number=1, params={"x": 0.5}, status=Trial.Status.RUNNING, heartbeat_at=long_ago
    )
    with worker_host.heartbeats(trial.pk):
        time.sleep(1.0)  # a long dataset download, say
    trial.refresh_from_db()
    assert trial.heartbeat_at is not None and trial.heartbeat_at > long_ago
