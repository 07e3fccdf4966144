"""Running one trial on this worker: claim it, prepare its folder, run it, end it.

``execute_trial(trial_id)`` is what the ``run_trial`` task calls. It runs the trial only
when its conditional claim (queued -> running) wins, so a task delivered twice runs the
trial once. Each trial gets its own folder on the worker host,
``TRIAL_WORK_DIR/job-<job id>/trial-<number>/``, which is ``{trial_dir}``:

    code/     a fresh extraction of the algorithm's package (the script runs in the boot
              file's folder inside it, so files it writes next to itself stay the trial's)
    output/   ``{output_dir}``, also ``TRAIN_URL`` (and ``--train_url`` when the algorithm
              takes it)
    data/     ``{data_dir}``

Folders are kept after the trial: they hold what the script wrote (checkpoints, models).
"""

from __future__ import annotations

import logging
import shutil
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction

from algorithms import packages
from algorithms.models import Algorithm, Engine
from algorithms.package_validation import package_limits, server_roots
from datasets import outputs as trial_outputs
from datasets import storage as dataset_storage
from trainingjobs import (
    command,
    events,
    interface,
    runner,
    scheduler,
    services,
    trial_services,
    worker_host,
)
from trainingjobs.models import TrainingJob, Trial
from trainingjobs.monitor import TrialMonitor

logger = logging.getLogger(__name__)

TrialStatus = Trial.Status
POLL_INTERVAL_S = 0.5
GRACE_S = 5.0


class RunOutcome(Protocol):
    """What ``runner.run_trial_process`` returns (``runner.RunResult``)."""

    @property
    def exit_code(self) -> int | None: ...
    @property
    def signal(self) -> int | None: ...
    @property
    def timed_out(self) -> bool: ...


RunProcess = Callable[..., RunOutcome]


def execute_trial(trial_id: int, *, run_process: RunProcess | None = None) -> bool:
    """Claim and run the trial; False when another worker has it or it is not queued.

    ``run_process`` replaces the runner in tests (same signature as
    ``runner.run_trial_process``).
    """
    if not trial_services.trial_claim(trial_id=trial_id, worker=worker_host.worker_name()):
        return False
    try:
        _run_claimed(trial_id, run_process or runner.run_trial_process)
    except Exception as exc:
        # Whatever went wrong, the trial must not stay running until the reaper calls it lost.
        logger.exception("trial %s could not run", trial_id)
        _fail(trial_id, f"The worker could not run the trial: {type(exc).__name__}: {exc}")
    return True


@dataclass(frozen=True)
class TrialPaths:
    trial: Path
    code: Path
    output: Path
    data: Path

    @classmethod
    def make(cls, job: TrainingJob, trial: Trial) -> TrialPaths:
        root = Path(settings.TRIAL_WORK_DIR) / f"job-{job.pk}" / f"trial-{trial.number}"
        if root.exists():
            # Left by an earlier database with the same ids: this trial has never run.
            shutil.rmtree(root)
        paths = cls(trial=root, code=root / "code", output=root / "output", data=root / "data")
        for folder in (paths.output, paths.data):
            folder.mkdir(parents=True)
        return paths

    def context(self, job: TrainingJob, trial: Trial) -> dict[str, str]:
        return {
            "trial_dir": str(self.trial),
            "output_dir": str(self.output),
            "data_dir": str(self.data),
            "trial_id": str(trial.pk),
            "job_id": str(job.pk),
        }


def _run_claimed(trial_id: int, run_process: RunProcess) -> None:
    trial = Trial.objects.select_related("job__algorithm__engine").get(pk=trial_id)
    # Fetching a large dataset may outlast the lost-trial limit: keep the heartbeat.
    with worker_host.heartbeats(trial_id):
        prepared = _prepare(trial)
    _started(trial, None if isinstance(prepared, str) else prepared.argv)
    if isinstance(prepared, str):
        _fail(trial_id, prepared, job_id=trial.job_id)
        return
    monitor = TrialMonitor(trial)
    try:
        result = _run(trial, prepared, monitor, run_process)
    except OSError as exc:  # the interpreter or the folder is missing
        _end(trial_id, TrialStatus.FAILED, f"The trial could not start: {exc}", monitor=monitor)
        return
    job = trial.job
    status, reason = outcome(
        result,
        stop_status=monitor.stop_status,
        stop_detail=monitor.stop_detail,
        reports=monitor.reports,
        metric_name=job.metric_name if job.metric_regex else "",
        timeout_minutes=job.trial_timeout_minutes,
        tail=monitor.log_tail(),
    )
    try:
        trial_outputs.collect_outputs(trial_id, prepared.paths.output)
    except trial_outputs.OutputsError as exc:
        status, reason = TrialStatus.FAILED, str(exc)
    _end(trial_id, status, reason, exit_code=result.exit_code, monitor=monitor)


def _started(trial: Trial, argv: list[str] | None) -> None:
    """Its command line and the ``trial.started`` event: one commit."""
    with transaction.atomic():
        if argv is not None:
            Trial.objects.filter(pk=trial.pk).update(command=argv)
        services.publish(
            trial.job_id,
            "trial.started",
            {
                "trial": trial.pk,
                "number": trial.number,
                "started_at": trial.started_at,
                "worker": trial.worker,
            },
        )


@dataclass(frozen=True)
class Prepared:
    """A trial ready to start: its folders, boot file and command line."""

    paths: TrialPaths
    boot: Path
    argv: list[str]
    data_url: str | None = None


def _prepare(trial: Trial) -> Prepared | str:
    """The trial's folder with a fresh copy of the code, and its command line; or why not."""
    job = trial.job
    algorithm = job.algorithm
    paths = TrialPaths.make(job, trial)
    try:
        boot = paths.code / _extract(algorithm, paths.code)
    except (packages.PackageError, OSError) as exc:
        return f"The code package could not be prepared: {exc}"
    try:
        data_url = _data_url(job)
    except dataset_storage.DatasetUnavailable as exc:
        return str(exc)
    passes = interface.of_job(job)
    try:
        argv = command.build_argv(
            python=(algorithm.engine or Engine.default()).python_path,
            boot_file=str(boot),
            values=_values(job, trial, passes.table),
            types={row.name: row.type for row in passes.table},
            argument_style=passes.argument_style,
            bool_style=passes.bool_style,
            data_url=data_url if passes.accepts_data_urls else None,
            train_url=str(paths.output) if passes.accepts_data_urls else None,
            context=paths.context(job, trial),
        )
    except ValueError as exc:  # PlaceholderError, a value the type cannot render
        return f"The command line could not be built: {exc}"
    return Prepared(paths=paths, boot=boot, argv=argv, data_url=data_url)


def _data_url(job: TrainingJob) -> str | None:
    """The job's dataset on this host (materialised once per host and content), or None."""
    if job.dataset_id is None:
        return None
    return str(dataset_storage.materialise_dataset(job.dataset_id))


def _run(
    trial: Trial, prepared: Prepared, monitor: TrialMonitor, run_process: RunProcess
) -> RunOutcome:
    """Run the process in one of this worker's slots, the monitor on its lines and polls."""
    job = trial.job
    with worker_host.slot() as (slot, running_here):
        env = command.trial_env(
            # The job's variables over the worker's (validated: never a console variable).
            {**worker_host.worker_env(), **worker_host.job_environment(job)},
            job_id=job.pk,
            trial_id=trial.pk,
            data_url=prepared.data_url,
            train_url=str(prepared.paths.output),
            threads=command.threads_per_trial(max(running_here, worker_host.running_on_host())),
            slot=slot,
            slot_template=settings.TRIAL_SLOT_ENV,
            algorithm_sets=worker_host.job_environment(job).keys(),
        )
        return run_process(
            prepared.argv,
            cwd=prepared.boot.parent,
            env=env,
            timeout_s=job.trial_timeout_minutes * 60 if job.trial_timeout_minutes else None,
            on_line=monitor.on_line,
            poll=monitor.poll,
            poll_interval_s=POLL_INTERVAL_S,
            grace_s=GRACE_S,
        )


def _extract(algorithm: Algorithm, dest: Path) -> str:
    """Extract the package into ``dest``; the boot file's path inside it."""
    limits = package_limits()
    if algorithm.code_source == Algorithm.CodeSource.SERVER_PATH:
        manifest = packages.extract_package(
            Path(algorithm.server_path),
            dest,
            limits,
            allowed_roots=server_roots(),
        )
    else:
        # A copy cached on this host (fetched from the storage once per package).
        local = dataset_storage.fetch_code(algorithm)
        manifest = packages.extract_package(local, dest, limits, filename=local.name)
    return packages.find_boot_file(manifest, algorithm.boot_file)


def _values(job: TrainingJob, trial: Trial, table: tuple[interface.Row, ...]) -> dict[str, Any]:
    """Every value the trial passes, in hyperparameter-table order (the job's table)."""
    values: dict[str, Any] = {}
    omitted = set(job.omitted)
    for hp in table:
        if hp.name in omitted:
            continue
        if hp.name in trial.params:
            values[hp.name] = trial.params[hp.name]
        elif hp.name in job.fixed:
            values[hp.name] = job.fixed[hp.name]
        elif hp.default is not None:
            values[hp.name] = hp.default
    return values


def _fail(trial_id: int, reason: str, *, job_id: int | None = None) -> None:
    _end(trial_id, TrialStatus.FAILED, reason, job_id=job_id)


def _end(
    trial_id: int,
    status: str,
    reason: str,
    exit_code: int | None = None,
    *,
    monitor: TrialMonitor | None = None,
    job_id: int | None = None,
) -> None:
    """End the trial, then take the job's next scheduling step right here.

    One transaction, one commit: under the job's lock, taken once, the monitor's last
    log and points (its final flush), the trial's end and the step. Stepping inline
    rather than through a queued task saves a trip through the queue per trial, and
    this worker is free now anyway. A step that fails rolls back to its savepoint alone,
    and a queued step takes over.
    """
    if monitor is not None:
        job_id = monitor.job_id
    elif job_id is None:
        job_id = Trial.objects.filter(pk=trial_id).values_list("job_id", flat=True).get()
    # Its events are numbered and stored together at the end (``events.batched``).
    with transaction.atomic(), events.batched():
        # The lock before the flush: a transaction that waits for the job's lock must
        # not hold an event number yet (see ``services.lock_job``).
        job = services.lock_job(job_id)
        if job is None:
            return
        if monitor is not None:
            monitor.flush()
        trial_services.trial_finish(
            trial_id=trial_id,
            status=status,
            reason=reason,
            exit_code=exit_code,
            schedule=False,
            locked=job,
        )
        try:
            with events.batched():  # a step that fails drops its events with its savepoint
                scheduler.schedule_step(job_id, locked=job)
        except Exception:
            logger.exception("scheduling step of job %s failed; queued instead", job_id)
            scheduler.submit(job_id)


# --- how a trial ended ------------------------------------------------------------------------


def outcome(
    result: RunOutcome,
    *,
    stop_status: str | None,
    stop_detail: str,
    reports: int,
    metric_name: str,
    timeout_minutes: int | None,
    tail: str,
) -> tuple[str, str]:
    """(status, reason) of a trial from how its process ended and what it reported.

    A stop the monitor asked for wins (a script may exit 0 on SIGTERM). Then, in order:
    the trial timeout, a signal, a non-zero exit, and only for a clean exit the missing
    metric (``metric_name`` "" = none expected): a crash is never "metric not found".
    """
    if stop_status is not None:
        return stop_status, stop_detail
    if result.timed_out:
        minutes = (
            f"{timeout_minutes} minute{'s' if timeout_minutes != 1 else ''}"
            if timeout_minutes
            else "its limit"
        )
        why = f"Timed out: still running after {minutes} (the trial timeout)."
    elif result.signal is not None:
        why = f"Killed by signal {_signal_name(result.signal)} ({result.signal})."
    elif result.exit_code != 0:
        why = f"Exited with code {result.exit_code}."
    elif metric_name and not reports:
        why = (
            f"Exited with code 0 but never reported the metric '{metric_name}' "
            "(no output line matched its regex)."
        )
    else:
        return TrialStatus.COMPLETED, ""
    last = f"Last lines of the log:\n{tail}" if tail else "It printed nothing."
    return TrialStatus.FAILED, f"{why}\n{last}"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
