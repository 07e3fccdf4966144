"""The live job and trial pages' HTTP side: snapshot, metric chart, missed events, figures,
curves, log, the trial page's changing parts, exports.

Each view fetches the job through ``access.job_for`` (404 for someone else's job, staff
see all), reads through ``trainingjobs.dashboard`` / ``exports`` /
``event_replay`` / ``log_marks`` and answers JSON (or a streamed file; the best-trial
panel and the trial page's parts are HTML, drawn by the pages' own partial templates).
Nothing here writes. The export API views answer the same files to token clients.
"""

from __future__ import annotations

from typing import Any

from django.db.models.functions import Length, Substr
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from algorithms.spec_values import parse_id
from trainingjobs import access, chart_data, dashboard, event_replay, exports, log_marks, pages
from trainingjobs.models import MetricPoint, TrainingJob, TrialLog

CURVES_MAX = 50
LOG_CHUNK_MAX = 512 * 1024
EXPORTS = {"trials", "points"}
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _json(data: Any) -> JsonResponse:
    # Strict JSON (allow_nan=False): the browser's JSON.parse knows no NaN.
    return JsonResponse(data, safe=False, json_dumps_params={"allow_nan": False})


# The chart requests are compressed: they carry no secret (no CSRF token) and echo no
# input, so compression leaks nothing (BREACH), and JSON numbers shrink 3-5 times. The
# HTML pages stay uncompressed for that reason.


@require_GET
@gzip_page
def job_snapshot(request: HttpRequest, pk: int) -> JsonResponse:
    return _json(dashboard.snapshot(access.job_for(request, pk)))


@require_GET
@gzip_page
def job_metric(request: HttpRequest, pk: int) -> JsonResponse:
    """The metric chart: ended trials thinned, the best and running ones whole."""
    return _json(dashboard.metric_of(access.job_for(request, pk)))


@require_GET
@gzip_page
def job_figures(request: HttpRequest, pk: int) -> JsonResponse:
    return _json(dashboard.figures_of(access.job_for(request, pk)))


@require_GET
def job_importance(request: HttpRequest, pk: int) -> JsonResponse:
    return _json(dashboard.importance_of(access.job_for(request, pk)))


@require_GET
def job_best(request: HttpRequest, pk: int) -> HttpResponse:
    """The best-trial panel alone: the page swaps it in when another trial becomes best."""
    job = access.job_for(request, pk)
    return render(request, "trainingjobs/_best_trial.html", dashboard.best_context(job))


@require_GET
def job_events(request: HttpRequest, pk: int) -> HttpResponse:
    """Events numbered after ``?since=N``; ``complete`` false: too many, reload instead."""
    job = access.job_for(request, pk)
    seq = event_replay.parse_seq(request.GET.get("since", ""))
    if seq is None:
        return HttpResponseBadRequest(
            f"since must be a whole number from 0 to {event_replay.MAX_SEQ}."
        )
    found, complete = event_replay.since(job.pk, seq)
    return _json({"events": found, "complete": complete})


@require_GET
def job_curves(request: HttpRequest, pk: int) -> HttpResponse:
    """``?trials=3,7``: those trials' values by report (compare, selection); with
    ``&times=1`` also ``times``, when each report was stored (ISO 8601, by trial), for
    the trial page's points table."""
    job = access.job_for(request, pk)
    numbers = _numbers(request.GET.get("trials", ""))
    if numbers is None:
        return HttpResponseBadRequest(f"trials: up to {CURVES_MAX} trial numbers, comma-separated.")
    with_times = request.GET.get("times") == "1"
    points = (
        MetricPoint.objects.filter(trial__job=job, trial__number__in=numbers)
        .order_by("trial__number", "step")
        .values_list("trial__number", "value", "created_at")
    )
    curves: dict[str, list[float | None]] = {str(n): [] for n in numbers}
    times: dict[str, list[str]] = {str(n): [] for n in numbers}
    for number, value, at in points:
        curves[str(number)].append(chart_data.compact(value))
        if with_times:
            times[str(number)].append(at.isoformat())
    return _json({"curves": curves, "times": times} if with_times else {"curves": curves})


def _numbers(text: str) -> list[int] | None:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    numbers = [parse_id(p) for p in parts]
    if not parts or len(parts) > CURVES_MAX or None in numbers:
        return None
    return sorted({n for n in numbers if n is not None})


@require_GET
def trial_log_since(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The stored log from character ``?offset=N`` (at most 512 KiB), for a live tail
    that missed chunks; ``size`` is the log's stored length."""
    trial = access.trial_for(request, pk, number)
    offset = event_replay.parse_seq(request.GET.get("offset", "0"))
    if offset is None:
        return HttpResponseBadRequest("offset must be a whole number.")
    row = (
        TrialLog.objects.filter(trial=trial)
        .annotate(size_now=Length("text"), part=Substr("text", offset + 1, LOG_CHUNK_MAX))
        .values_list("size_now", "part")
        .first()
    )
    size, text = row if row else (0, "")
    return _json(
        {
            "offset": offset,
            "text": text or "",
            "size": size,
            "marks": log_marks.metric_lines(trial.job_id, text or ""),
            "finished": trial.is_finished,
        }
    )


@require_GET
def trial_state(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The trial page's parts that change when the trial starts and ends (its badge, reason,
    Run card, command line, Outputs card), drawn as the page draws them, for the page to swap in."""
    trial = access.trial_for(request, pk, number)
    latest = trial.points.order_by("-step").values_list("step", "value").first()
    context = pages.trial_state_context(trial, latest)
    return render(request, "trainingjobs/_trial_parts.html", context)


def _stream(job: TrainingJob, what: str, fmt: str) -> StreamingHttpResponse:
    if what not in EXPORTS or fmt not in FORMATS:
        raise Http404("No such export.")
    response = StreamingHttpResponse(exports.export(job, what, fmt), content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="job{job.pk}-{what}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def job_export(request: HttpRequest, pk: int, what: str, fmt: str) -> StreamingHttpResponse:
    return _stream(access.job_for(request, pk), what, fmt)


class JobExportApi(APIView):
    """A job's trials or metric points as CSV or JSON, streamed."""

    @extend_schema(
        summary="Export a job's trials or metric points",
        description=(
            "`trials.csv`/`trials.json`: number, status, algorithm, value, started_at, "
            "finished_at, duration_s and the searched hyperparameters: in CSV one "
            "`param:<name>` column each, in JSON an object per trial, "
            '`"params": {"<name>": value}`. `points.csv`/`points.json`: trial, step, value, '
            "created_at. CSV text cells that start like a spreadsheet formula get a leading "
            "apostrophe."
        ),
        responses={200: OpenApiResponse(description="The file, streamed."), 404: None},
    )
    def get(self, request: Request, pk: int, what: str, fmt: str) -> StreamingHttpResponse:
        job = get_object_or_404(TrainingJob.objects.visible_to(request.user), pk=pk)
        return _stream(job, what, fmt)
