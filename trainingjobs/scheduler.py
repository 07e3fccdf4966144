"""Which trials run next: one scheduling step at a time, serialised per job.

A step (``schedule_step``) runs inside one transaction that holds the job's lock
(``services.lock_job``): a huey ``lock_task`` is not enough, since a worker started with
``--flush-locks`` releases the locks of live workers. In that transaction it

1. starts a created job (its clock starts: ``deadline_at``);
2. ends the job at a limit: its deadline (timed_out), its failed-trials limit (failed),
   its trial budget with nothing pending (completed, or failed when no trial succeeded);
3. fills the free slots, ``max_concurrent - (running + queued)``, within the budget:
   the search algorithms take turns (the one with the fewest trials goes next), each
   asked once per step for its share, each seeing the job's whole history plus the
   points proposed before it in this step; a plain run gets trials without params;
4. ends the job when no algorithm has a new point and nothing is pending (a grid walked);
5. queues ``run_trial`` for the new trials on commit.

Samplers are pure functions of (space, history, seed): the history comes from the
database on every step, so any worker after any restart proposes the same trials.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from algorithms.spec_values import plural
from search import SearchError, SpaceExhausted, make_sampler
from search.samplers.base import Sampler
from trainingjobs import events, history, services
from trainingjobs.models import TrainingJob, Trial
from trainingjobs.trial_budget import NOT_COUNTED

logger = logging.getLogger(__name__)

JobStatus = TrainingJob.Status
TrialStatus = Trial.Status


def submit(job_id: int) -> None:
    """Queue a scheduling step for the job once the current transaction commits."""
    from trainingjobs.tasks import schedule

    transaction.on_commit(lambda: schedule(job_id))


def due_jobs(*, now: datetime | None = None) -> list[int]:
    """Jobs past their deadline that have not ended yet (the periodic check steps them)."""
    return list(
        TrainingJob.objects.filter(
            status=JobStatus.RUNNING, deadline_at__lte=now or timezone.now()
        ).values_list("pk", flat=True)
    )


def schedule_step(
    job_id: int, *, now: datetime | None = None, locked: TrainingJob | None = None
) -> bool:
    """One scheduling step for the job; returns whether it changed anything.

    ``locked``: the job's row when the caller already holds its lock in the current
    transaction (a trial's end steps its job in the same transaction).
    """
    now = now or timezone.now()
    with transaction.atomic(), events.batched():
        job = locked if locked is not None else services.lock_job(job_id, now=now)
        if job is None or job.is_finished:
            return False
        changed = False
        if job.status == JobStatus.CREATED:
            _start(job, now)
            changed = True
        counts = services.trial_counts(job.pk)
        ending = _limit_reached(job, counts, now)
        if ending is not None:
            services.job_end(job, status=ending[0], reason=ending[1], now=now)
            return True
        if job.status == JobStatus.PAUSED:
            return changed
        pending = counts[TrialStatus.QUEUED] + counts[TrialStatus.RUNNING]
        free = min(job.max_concurrent - pending, job.max_trials - services.budget_used(counts))
        if free <= 0:
            return changed
        proposal = _propose(job, free)
        if proposal.error:
            services.job_end(job, status=JobStatus.FAILED, reason=proposal.error, now=now)
            return True
        if not proposal.points and not pending:
            status, reason = _final_status(job, counts, proposal.exhausted_reason())
            services.job_end(job, status=status, reason=reason, now=now)
            return True
        _create_trials(job, proposal.points, last_number=proposal.last_number, now=now)
        return changed or bool(proposal.points)


def _start(job: TrainingJob, now: datetime) -> None:
    job.transition(JobStatus.RUNNING, now=now)  # opens the running clock and the deadline
    job.started_at = now
    fields = ["status", "status_reason", "started_at", *job.CLOCK_FIELDS, "updated_at"]
    job.save(update_fields=fields)
    services.publish(job.pk, "job.status", {"status": job.status})


# --- limits -------------------------------------------------------------------------------------


def _limit_reached(
    job: TrainingJob, counts: dict[str, int], now: datetime
) -> tuple[str, str] | None:
    """(status, reason) when a limit ends the job now, else None."""
    # Only a running job's clock runs: a paused one never times out.
    running = job.status == JobStatus.RUNNING
    if running and job.deadline_at is not None and now >= job.deadline_at:
        stopped = counts[TrialStatus.RUNNING]
        were = "was" if stopped == 1 else "were"
        tail = f"; the {_trials(stopped)} still running {were} stopped" if stopped else ""
        return (
            JobStatus.TIMED_OUT,
            f"Reached its maximum duration of {plural(job.max_duration_minutes or 0, 'minute')}"
            f"{tail}.",
        )
    failed = services.failed_count(job, counts)
    if job.max_failed is not None and failed >= max(job.max_failed, 1):
        lost = " (lost ones included)" if job.lost_counts_as_failed else ""
        return (
            JobStatus.FAILED,
            f"{_trials(failed)} failed{lost}, reaching the limit of {job.max_failed} failed "
            f"trials. {_first_failure(job)}",
        )
    if counts[TrialStatus.LOST] >= job.max_trials:
        # Lost trials do not use the budget; without this a job whose trials always
        # kill their worker would be retried forever.
        return (
            JobStatus.FAILED,
            f"{_trials(counts[TrialStatus.LOST])} were lost, as many as the job's trial "
            "budget: their workers keep stopping.",
        )
    pending = counts[TrialStatus.QUEUED] + counts[TrialStatus.RUNNING]
    if services.budget_used(counts) >= job.max_trials and not pending:
        done = f"Ran all {_trials(job.max_trials)}." if job.is_search else "The run finished."
        return _final_status(job, counts, done)
    return None


def _final_status(job: TrainingJob, counts: dict[str, int], done: str) -> tuple[str, str]:
    """Completed, unless not one trial succeeded: then failed, saying why."""
    succeeded = counts[TrialStatus.COMPLETED] + counts[TrialStatus.EARLY_STOPPED]
    if succeeded:
        return JobStatus.COMPLETED, done
    ended = sum(counts[s] for s in (TrialStatus.FAILED, TrialStatus.LOST, TrialStatus.CANCELED))
    if not ended:
        return JobStatus.COMPLETED, done
    every = "The trial" if ended == 1 else f"Every trial ({ended})"
    return JobStatus.FAILED, f"{done} {every} ended without success. {_first_failure(job)}"


def _first_failure(job: TrainingJob) -> str:
    first = (
        Trial.objects.filter(job_id=job.pk, status__in=[TrialStatus.FAILED, TrialStatus.LOST])
        .order_by("number")
        .values_list("number", "status_reason")
        .first()
    )
    if first is None:
        return ""
    return f"The first failure, trial #{first[0]}: {first[1]}"


def _trials(n: int) -> str:
    return plural(n, "trial")


# --- proposals --------------------------------------------------------------------------------


@dataclass
class Proposal:
    """New trials' (algorithm name, params), in creation order."""

    points: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    exhausted: dict[str, str] = field(default_factory=dict)
    error: str = ""
    last_number: int | None = None  # the job's last trial number, when already read

    def exhausted_reason(self) -> str:
        messages = sorted(set(self.exhausted.values()))
        detail = "; ".join(messages) if messages else "no new point is left"
        return f"The search space is exhausted: {detail}."


def _propose(job: TrainingJob, free: int) -> Proposal:
    if not job.is_search:
        return Proposal(points=[("", {})] * free)
    try:
        samplers = _samplers(job)
    except (SearchError, TypeError, ValueError) as exc:
        return Proposal(error=f"The search could not start: {exc}")
    # One read of the job's trials gives the history, each algorithm's share and the
    # last trial number.
    past = history.job_history(job.pk, curves=False)
    used = Counter(record["algorithm"] for record in past if record["status"] not in NOT_COUNTED)
    proposal = _take_turns(samplers, past, used, free, job_id=job.pk)
    proposal.last_number = max((record["number"] for record in past), default=0)
    return proposal


def _samplers(job: TrainingJob) -> list[tuple[str, Sampler]]:
    samplers = []
    for index, entry in enumerate(job.search_algorithms or [{"name": "random"}]):
        params = dict(entry.get("params") or {})
        # Seeded from the job unless the entry pins its own; a second algorithm gets its
        # own stream.
        seed = params.pop("seed", None)
        if seed is None:
            seed = job.seed + index
        sampler = make_sampler(
            entry["name"], job.search_space, goal=job.metric_goal, seed=seed, **params
        )
        samplers.append((entry["name"], sampler))
    return samplers


def _take_turns(
    samplers: Sequence[tuple[str, Sampler]],
    past: list[dict[str, Any]],
    used: Counter[str],
    free: int,
    *,
    job_id: int,
) -> Proposal:
    """Share ``free`` slots in turns: the algorithm with the fewest trials goes next (list
    order breaks ties). Each is asked once per round for all its turns (a model-based
    sampler fits its model once), seeing the history plus the points proposed before it;
    the new trials are then laid out in turn order. An algorithm that comes back short is
    out, and the others share the turns it left in the next round."""
    proposal = Proposal()
    live = list(samplers)
    while len(proposal.points) < free and live:
        turns = _turns([name for name, _ in live], used, free - len(proposal.points))
        got: dict[str, list[dict[str, Any]]] = {}
        for name, sampler in live:
            wanted = turns.count(name)
            if not wanted:
                continue
            proposed = [p for _, p in proposal.points] + [p for ps in got.values() for p in ps]
            try:
                got[name] = sampler.suggest(past + [_queued(p) for p in proposed], n=wanted)
            except SpaceExhausted as exc:
                got[name] = []
                proposal.exhausted[name] = str(exc)
            except Exception as exc:  # a sampler bug must end the job, not stall it
                logger.exception("search algorithm %s failed on job %s", name, job_id)
                proposal.error = f"The search algorithm {name} failed: {exc}"
                return proposal
            if len(got[name]) < wanted:
                proposal.exhausted.setdefault(name, f"{name} has no new point")
        for name in turns:
            if got.get(name):
                proposal.points.append((name, got[name].pop(0)))
                used[name] += 1
        live = [(name, s) for name, s in live if name not in proposal.exhausted]
    return proposal


def _turns(names: list[str], used: Counter[str], n: int) -> list[str]:
    """The next ``n`` turns: each goes to the algorithm with the fewest trials so far."""
    counts = {name: used[name] for name in names}
    turns = []
    for _ in range(n):
        turn = min(names, key=lambda name: counts[name])  # min keeps the first of a tie
        counts[turn] += 1
        turns.append(turn)
    return turns


def _queued(params: dict[str, Any]) -> dict[str, Any]:
    return {"params": params, "value": None, "status": TrialStatus.QUEUED, "curve": []}


def _create_trials(
    job: TrainingJob,
    points: list[tuple[str, dict[str, Any]]],
    *,
    last_number: int | None,
    now: datetime,
) -> list[Trial]:
    last = last_number
    if last is None:
        last = Trial.objects.filter(job_id=job.pk).aggregate(n=Max("number"))["n"] or 0
    trials = Trial.objects.bulk_create(
        [
            Trial(job=job, number=last + i, algorithm=name, params=params, enqueued_at=now)
            for i, (name, params) in enumerate(points, start=1)
        ]
    )
    services.enqueue_trials([t.pk for t in trials], stamped=True)
    created = [
        {"trial": t.pk, "number": t.number, "algorithm": t.algorithm, "params": t.params}
        for t in trials
    ]
    services.publish(job.pk, "trial.created", {"trials": created})
    return trials
