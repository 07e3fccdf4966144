"""Training-job pages: list, create, detail and trial detail, and the buttons on them.

Every view fetches through ``access.job_for`` / ``access.trial_for`` (404 for
someone else's job, staff see all), maps the POST with ``JobForm`` (``ExtendForm`` for the
job page's extend), calls one function of ``trainingjobs.specs``, ``trainingjobs.services``
or ``trainingjobs.trial_services``, and redirects or renders (a refused form again, with
what was typed). Login is enforced for every page by ``console.middleware``. What the
pages show is read here with a bounded number of queries (annotations for the list, one
query for all of a job's metric points); what it looks like is built by
``trainingjobs.pages`` and ``trainingjobs.charts``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models.functions import Right
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from algorithms.models import Algorithm
from algorithms.spec_values import parse_id
from trainingjobs import (
    access,
    charts,
    dashboard,
    log_marks,
    pages,
    reuse,
    services,
    spec_plan,
    specs,
    trial_services,
)
from trainingjobs.forms import ExtendForm, JobForm
from trainingjobs.models import TrainingJob, Trial, TrialLog

PAGE_SIZE = 20
# The log a trial page shows: its end, where a crash or the last metrics are.
LOG_TAIL_CHARS = 64_000


def _ready_algorithms(request: HttpRequest) -> Any:
    return (
        Algorithm.objects.visible_to(request.user)
        .filter(status=Algorithm.Status.READY)
        .select_related("owner")
        .order_by("name", "pk")
    )


# --- list -----------------------------------------------------------------------------------


def job_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    jobs = (
        TrainingJob.objects.visible_to(request.user)
        .search(q)
        .select_related("algorithm", "owner", "best_trial")
    )
    status = request.GET.get("status", "")
    if status not in TrainingJob.Status.values:
        status = ""
    if status:
        jobs = jobs.filter(status=status)
    # A grouped query ignores Meta.ordering: the pages need it spelled out.
    jobs = jobs.order_by("-created_at", "-id")
    page = Paginator(pages.with_trial_counts(jobs), PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = {
        "page": page,
        "q": q,
        "status": status,
        "status_label": TrainingJob.Status(status).label if status else "",
        "statuses": TrainingJob.Status.choices,
    }
    return render(request, "trainingjobs/list.html", ctx)


# --- create ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def job_create(request: HttpRequest) -> HttpResponse:
    choices = _ready_algorithms(request)
    if request.method != "POST":
        form = _form_from_trial(request)
        errors = None
        if form is None:
            algorithm, errors = _preselected(request, choices)
            form = JobForm.initial(algorithm)
            form.raw["name"] = request.GET.get("name", "")
        return _render_form(request, form, choices, errors)
    form = JobForm.from_post(request.POST, _posted_algorithm(request))
    try:
        spec = form.spec(request.user)
    except specs.JobSpecError as exc:
        return _render_form(request, form, choices, exc.errors, status=400)
    job = services.job_create(owner=request.user, spec=spec)
    messages.success(request, f"Training job '{job.name}' created.")
    return redirect("trainingjobs:detail", pk=job.pk)


def _form_from_trial(request: HttpRequest) -> JobForm | None:
    """``?from_job=<id>&trial=<n>&mode=fixed|narrow``: the form of a new job from that
    trial's values (the best trial panel's links); None without those parameters."""
    job_id = parse_id(request.GET.get("from_job"))
    trial_number = parse_id(request.GET.get("trial"))
    if job_id is None or trial_number is None:
        return None
    trial = access.trial_for(request, job_id, trial_number)
    mode = request.GET.get("mode", "fixed")
    return reuse.form_from_trial(trial.job, trial, mode=mode if mode in reuse.MODES else "fixed")


def _preselected(
    request: HttpRequest, choices: Any
) -> tuple[Algorithm | None, dict[str, list[str]] | None]:
    """The algorithm ``?algorithm=<id>`` names (else the first ready one), or none and the
    algorithm field's error: the create page itself says what is wrong, not a bare 404."""
    wanted = parse_id(request.GET.get("algorithm"))
    if wanted is None:
        return choices.first(), None
    # Someone else's algorithm is as absent as one that never existed.
    algorithm = Algorithm.objects.visible_to(request.user).filter(pk=wanted).first()
    if algorithm is None:
        return None, {"algorithm": [f"No ready algorithm of yours with id {wanted}."]}
    return algorithm, None


def _posted_algorithm(request: HttpRequest) -> Algorithm | None:
    # Not filtered on "ready": the validator names the problem, and the rows still show.
    wanted = parse_id(request.POST.get("algorithm"))
    if wanted is None:
        return None
    return Algorithm.objects.visible_to(request.user).filter(pk=wanted).first()


def _render_form(
    request: HttpRequest,
    form: JobForm,
    choices: Any,
    errors: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    ctx = form.context(errors)
    # The "not created" banner is for a refused submission, not a link's wrong ?algorithm=.
    ctx["submitted"] = request.method == "POST"
    ctx["algorithms"] = list(choices)
    ctx["plan"] = spec_plan.job_plan(owner=request.user, data=form.data())
    if form.algorithm is not None and not form.algorithm.is_ready and not errors:
        ctx["errors"]["algorithm"] = [
            f"Algorithm '{form.algorithm.name}' is {form.algorithm.get_status_display().lower()}"
            ": only a ready algorithm can run."
        ]
    return render(request, "trainingjobs/create.html", ctx, status=status)


@require_POST
def job_plan(request: HttpRequest) -> JsonResponse:
    """The grid size and the trials that will run, for what the create page holds now."""
    form = JobForm.from_post(request.POST, _posted_algorithm(request))
    return JsonResponse(spec_plan.job_plan(owner=request.user, data=form.data()))


# --- detail -----------------------------------------------------------------------------------


def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The live dashboard: the snapshot the page's script starts from, and what the page
    draws on the server (stats, best trial, the newest rows, configuration)."""
    return _render_detail(request, access.job_for(request, pk))


def _render_detail(
    request: HttpRequest, job: TrainingJob, extend: ExtendForm | None = None, status: int = 200
) -> HttpResponse:
    snapshot = dashboard.snapshot(job)
    rows = snapshot["trials"]
    summary = dashboard.summary(job, rows)
    first_failed = (
        job.trials.filter(status=Trial.Status.FAILED).order_by("number")[:1]
        if summary["all_failed"]
        else []
    )
    ctx = {
        **dashboard.best_context(job),
        "snapshot": snapshot,
        # The two big figures travel in json_script tags of their own.
        "page_snapshot": {
            **{k: v for k, v in snapshot.items() if k != "metric"},
            "figures": {k: v for k, v in snapshot["figures"].items() if k != "parallel"},
        },
        "summary": summary,
        "table_rows": dashboard.table_rows(rows),
        "table_more": len(rows) > dashboard.TABLE_ROWS,
        "leaderboard": snapshot["leaderboard"],
        "config": pages.job_config(job),
        "first_failure": pages.first_failure(job, list(first_failed)),
        "extend": extend or ExtendForm(raw={}),
    }
    return render(request, "trainingjobs/detail.html", ctx, status=status)


@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = access.job_for(request, pk)
    return _act(request, job, lambda: services.job_cancel(job=job), "Job canceled.")


@require_POST
def job_pause(request: HttpRequest, pk: int) -> HttpResponse:
    job = access.job_for(request, pk)
    return _act(
        request,
        job,
        lambda: services.job_pause(job=job),
        "Job paused: running trials finish, no new ones start.",
    )


@require_POST
def job_resume(request: HttpRequest, pk: int) -> HttpResponse:
    job = access.job_for(request, pk)
    return _act(request, job, lambda: services.job_resume(job=job), "Job resumed.")


@require_POST
def job_extend(request: HttpRequest, pk: int) -> HttpResponse:
    job = access.job_for(request, pk)
    form = ExtendForm.from_post(request.POST)
    totals = form.totals()
    if totals is not None:
        try:
            services.job_extend(job=job, **totals)
        except services.JobExtendError as exc:
            form.refuse(exc.errors)
        except services.JobStateError as exc:
            form.refuse({"__all__": [exc.message]})
        else:
            messages.success(request, "Job extended: the search goes on from the same history.")
            return redirect("trainingjobs:detail", pk=job.pk)
    # The job page again, the values as typed and each message beside its input.
    return _render_detail(request, job, form, status=400)


def _act(request: HttpRequest, job: TrainingJob, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except services.JobStateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("trainingjobs:detail", pk=job.pk)


# --- trials -----------------------------------------------------------------------------------


def trial_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    trial = access.trial_for(request, pk, number)
    job = trial.job
    log = (
        TrialLog.objects.filter(trial=trial)
        .annotate(tail=Right("text", LOG_TAIL_CHARS))
        .defer("text")
        .first()
    )
    points = list(trial.points.values_list("step", "value", "created_at"))
    ctx = {
        **pages.trial_state_context(trial, points[-1] if points else None),
        "hyperparameters": pages.trial_hyperparameters(job, trial),
        "points": points,
        "log": log,
        "log_cut": bool(log and log.size > LOG_TAIL_CHARS),
        "log_offset": log.size if log else 0,
        # The shown tail's metric lines, marked by the page's script like live ones.
        "log_marks": log_marks.marked_lines(job.metric_regex, log.tail) if log else [],
        "log_tail_chars": LOG_TAIL_CHARS,
        "figure": charts.trial_figure(
            [p[0] for p in points], [p[1] for p in points], metric_name=job.metric_name
        ),
    }
    return render(request, "trainingjobs/trial.html", ctx)


def trial_log(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The whole stored log, as plain text (the trial page shows its end)."""
    trial = access.trial_for(request, pk, number)
    text = TrialLog.objects.filter(trial=trial).values_list("text", flat=True).first() or ""
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="job{pk}-trial{number}.log"'
    return response


@require_POST
def trial_stop(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Stop a trial. Asked by a page's script (``Accept: application/json``), answer JSON and
    leave no message: the page shows the stop itself, and a message would only show on the
    next page drawn, long after the trial ended. A plain form gets a message and a redirect."""
    trial = access.trial_for(request, pk, number)
    try:
        trial_services.trial_stop(trial=trial)
    except services.JobStateError as exc:
        if _wants_json(request):
            return JsonResponse({"stopping": False, "error": str(exc)}, status=409)
        messages.error(request, str(exc))
    else:
        if _wants_json(request):
            return JsonResponse({"stopping": True, "number": trial.number})
        messages.success(request, f"Trial {trial.number} is being stopped.")
    return redirect("trainingjobs:trial", pk=pk, number=number)


def _wants_json(request: HttpRequest) -> bool:
    """Whether a page's script made the request: its first accepted type is JSON (a browser's
    form asks for HTML first; ``accepts`` alone says yes to any ``*/*``)."""
    accept = request.headers.get("Accept", "")
    return accept.split(",")[0].split(";")[0].strip() == "application/json"
