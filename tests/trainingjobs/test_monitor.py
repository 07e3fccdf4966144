"""The trial monitor, driven line by line and poll by poll (no process, no sleeps)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from trainingjobs.models import MetricPoint, TrainingJob, Trial, TrialLog
from trainingjobs.monitor import TrialMonitor

from .engine_helpers import claim, finish, make_job, step, trials

pytestmark = pytest.mark.django_db

S = Trial.Status


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def running_trial(job: TrainingJob) -> Trial:
    step(job)
    trial = trials(job, S.QUEUED)[0]
    claim(trial)
    return Trial.objects.select_related("job").get(pk=trial.pk)


def monitor(trial: Trial, clock: Clock | None = None, **options: Any) -> TrialMonitor:
    return TrialMonitor(trial, clock=clock or Clock(), **options)


def lines(mon: TrialMonitor, *texts: str) -> None:
    for text in texts:
        mon.on_line("stdout", text)


def points(trial: Trial) -> list[tuple[int, float | None]]:
    return list(MetricPoint.objects.filter(trial=trial).values_list("step", "value"))


def test_each_metric_line_is_a_point_numbered_by_report(alice: Any) -> None:
    trial = running_trial(make_job(alice))
    mon = monitor(trial)
    lines(mon, "epoch 1", "accuracy=0.5", "noise", "accuracy=nan", "accuracy=inf", "accuracy=0.7")
    mon.flush()
    assert points(trial) == [(1, 0.5), (2, None), (3, math.inf), (4, 0.7)]
    assert mon.reports == 4


def test_the_log_is_written_in_batches(alice: Any, settings: Any) -> None:
    trial = running_trial(make_job(alice))
    clock = Clock()
    mon = monitor(trial, clock)
    lines(mon, "one", "two")
    assert not TrialLog.objects.filter(trial=trial).exists()  # buffered
    clock.t = 0.4
    mon.poll()
    assert not TrialLog.objects.filter(trial=trial).exists()
    clock.t = 1.0
    mon.poll()
    log = TrialLog.objects.get(trial=trial)
    assert (log.text, log.lines, log.size) == ("one\ntwo\n", 2, 8)


def test_the_log_is_capped_with_a_notice_and_metrics_are_still_read(alice: Any) -> None:
    trial = running_trial(make_job(alice))
    mon = monitor(trial, log_max_chars=20)
    lines(mon, "accuracy=0.1", "accuracy=0.2", "x" * 50, "accuracy=0.3")
    mon.flush()
    log = TrialLog.objects.get(trial=trial)
    assert log.text.startswith("accuracy=0.1\n[log cut at")
    assert "the metric is still read from every line" in log.text
    assert log.truncated and log.lines == 4
    assert [v for _, v in points(trial)] == [0.1, 0.2, 0.3]
    assert mon.log_tail().splitlines()[-1] == "accuracy=0.3"


def _peers(job: TrainingJob, curves: list[list[float]]) -> None:
    """Other trials of the job that already reported these curves (and ended)."""
    step(job)
    for curve in curves:
        trial = trials(job, S.QUEUED)[0]
        claim(trial)
        finish(trial, values=curve)
        step(job)


def _report_until_stopped(mon: TrialMonitor, values: list[float]) -> int | None:
    for n, value in enumerate(values, start=1):
        mon.on_line("stderr", f"INFO accuracy={value}")
        if mon.stop_status is not None:
            return n
    return None


@pytest.mark.parametrize(
    ("policy", "mine", "stopped_at"),
    [
        # best at report 3 is 0.9; slack 0.1 -> 0.9/1.1 = 0.818; 0.8 at report 3 is below
        ({"name": "bandit", "slack_factor": 0.1, "delay_evaluation": 3}, [0.8] * 5, 3),
        ({"name": "bandit", "slack_factor": 0.1, "delay_evaluation": 3}, [0.85] * 5, None),
        # the others' running averages at report 2: 0.6 and 0.85, median 0.725
        ({"name": "median_stopping", "delay_evaluation": 2, "min_comparators": 2}, [0.3, 0.7], 2),
        (
            {"name": "median_stopping", "delay_evaluation": 2, "min_comparators": 2},
            [0.3, 0.8],
            None,
        ),
        # by default the median needs 3 other trials: with 2 it never stops
        ({"name": "median_stopping", "delay_evaluation": 2}, [0.3, 0.7], None),
        # 3 trials at report 2, 34 % -> floor(3 * 34 / 100) = 1: the lowest one stops
        (
            {
                "name": "truncation_selection",
                "truncation_percentage": 34,
                "delay_evaluation": 2,
                "min_comparators": 2,
            },
            [0.6, 0.65],
            2,
        ),
        (
            {
                "name": "truncation_selection",
                "truncation_percentage": 34,
                "delay_evaluation": 2,
                "min_comparators": 2,
            },
            [0.5, 0.75],
            None,
        ),
        # finished trials left out of the ranking: nothing to compare with
        (
            {
                "name": "truncation_selection",
                "truncation_percentage": 34,
                "delay_evaluation": 2,
                "min_comparators": 2,
                "exclude_finished": True,
            },
            [0.6, 0.65],
            None,
        ),
    ],
)
def test_policies_stop_the_right_trial_at_the_right_report(
    alice: Any, policy: dict[str, Any], mine: list[float], stopped_at: int | None
) -> None:
    job = make_job(alice, policy=policy, max_trials=5, max_concurrent=1)
    _peers(job, [[0.5, 0.7, 0.9, 0.9, 0.9], [0.9, 0.8, 0.7, 0.7, 0.7]])
    trial = Trial.objects.select_related("job").get(pk=trials(job, S.QUEUED)[0].pk)
    claim(trial)
    mon = monitor(trial)
    assert _report_until_stopped(mon, mine) == stopped_at
    if stopped_at is not None:
        assert mon.stop_status == S.EARLY_STOPPED
        assert mon.stop_detail.startswith(
            f"Stopped by the {policy['name']} policy at report {stopped_at}"
        )
        assert mon.poll() == S.EARLY_STOPPED
        assert len(points(trial)) == stopped_at  # flushed at once for the other trials


def test_a_diverged_trial_is_stopped_at_its_next_evaluation(alice: Any) -> None:
    job = make_job(alice, policy={"name": "bandit", "slack_amount": 10})
    trial = running_trial(job)
    mon = monitor(trial)
    assert _report_until_stopped(mon, [0.5, math.nan]) == 2


def test_other_curves_are_read_once_per_poll(alice: Any, django_assert_num_queries: Any) -> None:
    job = make_job(alice, policy={"name": "bandit", "slack_factor": 0.5}, max_concurrent=1)
    _peers(job, [[0.5, 0.5, 0.5]])
    trial = Trial.objects.select_related("job").get(pk=trials(job, S.QUEUED)[0].pk)
    claim(trial)
    mon = monitor(trial)
    with django_assert_num_queries(1):
        lines(mon, "accuracy=0.5", "accuracy=0.5", "accuracy=0.5")


def test_poll_reports_a_stop_asked_by_the_user(alice: Any) -> None:
    from trainingjobs import trial_services

    trial = running_trial(make_job(alice))
    mon = monitor(trial)
    lines(mon, "accuracy=0.1", "accuracy=0.2")
    assert mon.poll() is None
    trial_services.trial_stop(trial=trial)
    assert mon.poll() == S.EARLY_STOPPED
    assert mon.stop_detail == "Stopped by the user at report 2."


def test_a_user_stop_before_any_report_says_so(alice: Any) -> None:
    from trainingjobs import trial_services

    trial = running_trial(make_job(alice))
    mon = monitor(trial)
    lines(mon, "loading data")
    trial_services.trial_stop(trial=trial)
    assert mon.poll() == S.EARLY_STOPPED
    assert mon.stop_detail == "Stopped by the user before its first report."


def test_poll_reports_a_canceled_job(alice: Any) -> None:
    from trainingjobs import services

    job = make_job(alice)
    trial = running_trial(job)
    mon = monitor(trial)
    services.job_cancel(job=job)
    assert mon.poll() == S.CANCELED
    assert mon.stop_detail == "The job was canceled: Canceled by the user."


def test_poll_ends_the_job_at_its_deadline(alice: Any) -> None:
    job = make_job(alice, max_duration_minutes=1)
    trial = running_trial(job)
    TrainingJob.objects.filter(pk=job.pk).update(deadline_at=job.started_at)
    mon = monitor(trial)
    assert mon.poll() == S.CANCELED
    job.refresh_from_db()
    assert job.status == TrainingJob.Status.TIMED_OUT
    assert mon.stop_detail.startswith("The job timed out: Reached its maximum duration of 1 minute")


def test_heartbeat_is_paced_and_a_lost_trial_is_told_to_stop(alice: Any) -> None:
    trial = running_trial(make_job(alice))
    clock = Clock()
    mon = monitor(trial, clock, heartbeat_s=10)
    before = Trial.objects.get(pk=trial.pk).heartbeat_at
    clock.t = 5
    assert mon.poll() is None
    assert Trial.objects.get(pk=trial.pk).heartbeat_at == before
    clock.t = 10
    assert mon.poll() is None
    beat = Trial.objects.get(pk=trial.pk).heartbeat_at
    assert before is not None and beat is not None and beat > before
    Trial.objects.filter(pk=trial.pk).update(status=S.LOST)
    assert mon.poll() == S.LOST


def test_a_trial_of_a_job_canceled_then_extended_still_stops(alice: Any) -> None:
    from trainingjobs import services

    job = make_job(alice, max_trials=4)
    trial = running_trial(job)
    mon = monitor(trial)
    services.job_cancel(job=job)
    services.job_extend(job=job, max_trials=6)
    assert mon.poll() == S.CANCELED
    assert mon.stop_detail == "Stopped when the job ended."


def test_the_line_that_stops_a_trial_tells_the_runner_at_once(alice: Any) -> None:
    policy = {"name": "bandit", "slack_factor": 0.1, "delay_evaluation": 3}
    job = make_job(alice, policy=policy, max_trials=5, max_concurrent=1)
    _peers(job, [[0.5, 0.7, 0.9, 0.9, 0.9], [0.9, 0.8, 0.7, 0.7, 0.7]])
    trial = Trial.objects.select_related("job").get(pk=trials(job, S.QUEUED)[0].pk)
    claim(trial)
    mon = monitor(trial)
    # the best at report 3 is 0.9: 0.8 is below its slack (0.818), so report 3 stops it
    told = [mon.on_line("stdout", text) for text in ("epoch 1", "accuracy=0.8", "accuracy=0.8")]
    assert told == [None, None, None]
    assert mon.on_line("stdout", "accuracy=0.8") == S.EARLY_STOPPED


def _end(mon: TrialMonitor) -> Trial:
    """The trial's end as the worker does it: the last flush, then the trial's end."""
    from trainingjobs import trial_services

    mon.flush()
    assert mon.stop_status is not None
    trial_services.trial_finish(
        trial_id=mon.trial_id, status=mon.stop_status, reason=mon.stop_detail, exit_code=-15
    )
    return Trial.objects.get(pk=mon.trial_id)


def test_lines_after_a_policy_stop_are_logged_but_are_not_reports(alice: Any) -> None:
    policy = {"name": "bandit", "slack_factor": 0.1, "delay_evaluation": 3}
    job = make_job(alice, policy=policy, max_trials=5, max_concurrent=1)
    _peers(job, [[0.5, 0.7, 0.9, 0.9, 0.9], [0.9, 0.8, 0.7, 0.7, 0.7]])
    trial = Trial.objects.select_related("job").get(pk=trials(job, S.QUEUED)[0].pk)
    claim(trial)
    mon = monitor(trial)
    lines(mon, "accuracy=0.8", "accuracy=0.8", "accuracy=0.81")  # report 3 stops it
    assert mon.stop_detail == "Stopped by the bandit policy at report 3 (value 0.81)."
    # the process takes a moment to die and prints two more reports
    assert mon.on_line("stdout", "accuracy=0.95") == S.EARLY_STOPPED
    lines(mon, "accuracy=0.97")
    ended = _end(mon)
    assert points(trial) == [(1, 0.8), (2, 0.8), (3, 0.81)]
    assert mon.reports == 3
    assert (ended.status, ended.value) == (S.EARLY_STOPPED, 0.81)
    assert ended.status_reason == "Stopped by the bandit policy at report 3 (value 0.81)."
    log = TrialLog.objects.get(trial=trial)
    assert log.text.endswith("accuracy=0.81\naccuracy=0.95\naccuracy=0.97\n")
    assert log.lines == 5


def test_lines_after_a_user_stop_are_logged_but_are_not_reports(alice: Any) -> None:
    from trainingjobs import trial_services

    trial = running_trial(make_job(alice))
    mon = monitor(trial)
    lines(mon, "accuracy=0.3", "accuracy=0.6")
    trial_services.trial_stop(trial=trial)
    assert mon.poll() == S.EARLY_STOPPED
    lines(mon, "accuracy=0.9", "done")
    ended = _end(mon)
    assert ended.status_reason == "Stopped by the user at report 2."
    assert points(trial) == [(1, 0.3), (2, 0.6)]
    assert ended.value == 0.6
    assert TrialLog.objects.get(trial=trial).text.endswith("accuracy=0.9\ndone\n")
