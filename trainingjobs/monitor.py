"""The trial monitor: what happens to each line a trial prints, and at each poll.

The runner calls ``on_line(stream, text)`` for every line (its final terminal text) and
``poll()`` about every half second; the monitor turns them into database writes:

- the log: appended to ``TrialLog`` in batches (at most one write per ``flush_s``, or when
  the batch is big), capped at ``TRIAL_LOG_MAX_MB`` with a notice; past the cap lines are
  still counted and still read for the metric;
- the metric: matched with the algorithm tester's own matcher; each match is a
  ``MetricPoint`` (step = report index, NaN stored as None), flushed with the log, and
  at once when the last flush is older than ``POINT_FLUSH_SECONDS`` (the live dashboard
  shows each point within a fraction of a second); each flush publishes its points and
  its log chunk;
- early termination: at each report the job's policy decides from this trial's curve
  and the other trials' curves (read at most once per poll: one query); once a stop is
  decided (by the policy, the user or the job's end) later lines are logged but are no
  longer reports, so the trial's value is the one at the stop;
- at each poll: a stop or cancel asked for in the database, the job's deadline, and the
  heartbeat (whose conditional UPDATE also notices a trial the reaper marked lost).

``poll()`` returns the status the trial should end with when its process must stop
(``early_stopped``, ``canceled`` or ``lost``), which the runner takes as its stop reason;
``on_line`` returns it too once the policy stopped the trial on a report.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils import timezone

from algorithms.metric_regex import MetricMatcher, compile_metric_regex, match_line
from search import Policy, make_policy
from trainingjobs import events, history, scheduler, services
from trainingjobs.models import MetricPoint, TrainingJob, Trial, TrialLog

TrialStatus = Trial.Status

MB = 1024 * 1024
TAIL_LINES = 20
FLUSH_SECONDS = 1.0
FLUSH_CHARS = 256 * 1024
FLUSH_POINTS = 500
# A metric point is written (and published) at once, unless the last write is more recent
# than this: then with the next line or poll, so a script printing thousands of points a
# second still costs a few commits a second.
POINT_FLUSH_SECONDS = 0.1


class TrialMonitor:
    """Per-line and per-poll work for one running trial (see the module docstring).

    ``clock`` (seconds, monotonic) paces heartbeats and flushes; ``now`` stamps rows.
    Tests pass their own so that one call does one predictable thing.
    """

    def __init__(
        self,
        trial: Trial,
        *,
        log_max_chars: int | None = None,
        heartbeat_s: float | None = None,
        flush_s: float = FLUSH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = timezone.now,
    ) -> None:
        job: TrainingJob = trial.job
        self.trial_id = trial.pk
        self.job_id = job.pk
        self.goal = job.metric_goal
        self.metric_regex = job.metric_regex
        self.matcher: MetricMatcher | None = (
            compile_metric_regex(job.metric_regex) if job.metric_regex else None
        )
        self.policy: Policy | None = make_policy(**job.policy) if job.policy else None
        self.log_max_chars = log_max_chars or settings.TRIAL_LOG_MAX_MB * MB
        self.heartbeat_s = heartbeat_s or settings.TRIAL_HEARTBEAT_SECONDS
        self.flush_s = flush_s
        self.clock = clock
        self.now = now

        self.curve: list[float] = []
        self.stop_status: str | None = None
        self.stop_detail = ""
        self.lines = 0
        self.stored_chars = 0
        self.truncated = False
        self._lines_stored = 0
        self._log_saved = False  # the TrialLog row exists (made at the first flush)
        self.tail: deque[str] = deque(maxlen=TAIL_LINES)
        self._log: list[str] = []
        self._log_chars = 0
        self._points: list[MetricPoint] = []
        self._others: history.OtherCurves | None = None
        self._deadline_stepped = False
        self._last_flush = self._last_beat = clock()

    # --- the runner's callbacks ---------------------------------------------------------------

    def on_line(self, stream: str, text: str) -> str | None:
        """Take one line; returns the stop status once the policy stopped the trial on a
        report, so the runner ends the process at once rather than at its next poll."""
        self.lines += 1
        self.tail.append(text)
        self._keep(text)
        if self.matcher is not None and self.stop_status is None:
            # Once the stop is decided (policy, user, job end), the trial's reports end
            # there: lines printed while the process dies are log only, as a pruned trial's.
            value = match_line(self.matcher, text)
            if value is not None:
                self._report(value)
        if self._log_chars >= FLUSH_CHARS or len(self._points) >= FLUSH_POINTS:
            self.flush()
        elif self._points and self.clock() - self._last_flush >= POINT_FLUSH_SECONDS:
            # A dashboard shows a point within a fraction of a second of its line.
            self.flush()
        return self.stop_status

    def poll(self) -> str | None:
        self._others = None  # curves read again at most once per poll
        if self._points or self.clock() - self._last_flush >= self.flush_s:
            self.flush()
        if self.stop_status is None:
            self._check_stop()
        if self.stop_status is None and self.clock() - self._last_beat >= self.heartbeat_s:
            self._heartbeat()
        return self.stop_status

    # --- the log --------------------------------------------------------------------------

    def _keep(self, text: str) -> None:
        if self.truncated:
            return
        line = text + "\n"
        if self.stored_chars + self._log_chars + len(line) > self.log_max_chars:
            self.truncated = True
            line = (
                f"[log cut at {self.log_max_chars / MB:g} MB: later output is not stored; "
                "the metric is still read from every line]\n"
            )
        self._log.append(line)
        self._log_chars += len(line)

    def flush(self) -> None:
        """Write the buffered log and points and their event: one UPDATE, two INSERTs and
        one commit (none inside a caller's transaction, as at the trial's end)."""
        self._last_flush = self.clock()
        if self._log or self._points or self.lines != self._lines_stored or not self._log_saved:
            offset, chunk = self.stored_chars, "".join(self._log)
            with transaction.atomic():
                points = self._write()
                if points:
                    services.publish(
                        self.job_id,
                        "trial.reported",
                        {"trial": self.trial_id, "points": [(p.step, p.value) for p in points]},
                    )
                events.publish_log(
                    job_id=self.job_id,
                    trial_id=self.trial_id,
                    offset=offset,
                    text=chunk,
                    metric_regex=self.metric_regex,
                )

    def _write(self) -> list[MetricPoint]:
        if self._log or self.lines != self._lines_stored or not self._log_saved:
            chunk = "".join(self._log)
            self.stored_chars += len(chunk)
            # Appended in the database: a capped log is still megabytes, never re-sent.
            fields = {"size": self.stored_chars, "lines": self.lines, "truncated": self.truncated}
            log = TrialLog.objects.filter(trial_id=self.trial_id)
            if not log.update(text=Concat("text", Value(chunk)), **fields):
                TrialLog.objects.create(trial_id=self.trial_id, text=chunk, **fields)
            self._log, self._log_chars, self._lines_stored = [], 0, self.lines
            self._log_saved = True
        points, self._points = self._points, []
        if points:
            MetricPoint.objects.bulk_create(points)
        return points

    def log_tail(self, lines: int = TAIL_LINES) -> str:
        return "\n".join(list(self.tail)[-lines:])

    # --- the metric and early termination -------------------------------------------------

    @property
    def reports(self) -> int:
        return len(self.curve)

    def _report(self, value: float) -> None:
        self.curve.append(value)
        stored = None if math.isnan(value) else value
        self._points.append(
            MetricPoint(
                trial_id=self.trial_id, step=len(self.curve), value=stored, created_at=self.now()
            )
        )
        if self.policy is not None:
            self._apply_policy(value)

    def _apply_policy(self, value: float) -> None:
        assert self.policy is not None
        if not self.policy.is_evaluation_point(len(self.curve)):
            return
        if self._others is None:
            self._others = history.other_curves(self.job_id, self.trial_id)
        others = self._others
        if self.policy.should_stop(self.curve, others.curves, self.goal, finished=others.finished):
            self.stop_status = TrialStatus.EARLY_STOPPED
            self.stop_detail = (
                f"Stopped by the {self.policy.name} policy at report {len(self.curve)} "
                f"(value {value:.6g})."
            )
            self.flush()

    # --- the database's word ----------------------------------------------------------------

    def _check_stop(self) -> None:
        row = (
            Trial.objects.filter(pk=self.trial_id)
            .values_list(
                "status", "stop_requested", "job__status", "job__status_reason", "job__deadline_at"
            )
            .first()
        )
        if row is None:
            self._stop(TrialStatus.CANCELED, "The trial was deleted.")
            return
        status, requested, job_status, job_reason, deadline = row
        if status != TrialStatus.RUNNING:
            self._stop(TrialStatus.LOST, "")  # the reaper gave up on it: it must not run on
        elif requested == TrialStatus.EARLY_STOPPED:
            when = f"at report {self.reports}" if self.reports else "before its first report"
            self._stop(requested, f"Stopped by the user {when}.")
        elif requested:
            self._stop(requested, _job_ended(job_status, job_reason))
        elif deadline is not None and self.now() >= deadline and not self._deadline_stepped:
            # The deadline ends the job from here: the periodic check is a task, and every
            # worker may be busy running this job's trials.
            self._deadline_stepped = True
            scheduler.schedule_step(self.job_id)
            self._check_stop()

    def _heartbeat(self) -> None:
        self._last_beat = self.clock()
        alive = Trial.objects.filter(pk=self.trial_id, status=TrialStatus.RUNNING).update(
            heartbeat_at=self.now()
        )
        if not alive:
            self._stop(TrialStatus.LOST, "")

    def _stop(self, status: str, detail: str) -> None:
        self.stop_status = status
        self.stop_detail = detail


def _job_ended(job_status: str, job_reason: str) -> str:
    if job_status not in TrainingJob.FINISHED:
        # The job ended and was extended since: it runs again, this trial stays stopped.
        return "Stopped when the job ended."
    label = TrainingJob.Status(job_status).label.lower()
    what = (
        f"The job was {label}" if job_status == TrainingJob.Status.CANCELED else f"The job {label}"
    )
    return f"{what}: {job_reason}" if job_reason else f"{what}."


def monitor_for(trial_id: int, **options: Any) -> TrialMonitor:
    return TrialMonitor(Trial.objects.select_related("job").get(pk=trial_id), **options)
