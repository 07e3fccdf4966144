"""Algorithm pages: list, detail, create, edit, delete, and the regex helpers of the form.

Every view fetches through ``_get_algorithm_for_user`` (404 for someone else's algorithm,
staff see all), lets ``AlgorithmForm`` map the POST, calls one service, and redirects or
re-renders. Login is enforced for every page by ``console.middleware``.
"""

from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from algorithms import metric_regex, services
from algorithms.algorithm_errors import AlgorithmErrors
from algorithms.forms import AlgorithmForm, help_offer
from algorithms.models import Algorithm

PAGE_SIZE = 20


def _get_algorithm_for_user(request: HttpRequest, pk: int) -> Algorithm:
    return get_object_or_404(Algorithm.objects.visible_to(request.user), pk=pk)


def _user_id(request: HttpRequest) -> int:
    """The signed-in user's id (``console.middleware`` keeps anonymous users out)."""
    user_id = request.user.pk
    assert user_id is not None, "login is required for every page"
    return user_id


def algorithm_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    algorithms = Algorithm.objects.visible_to(request.user).search(q).select_related("owner")
    status = request.GET.get("status", "")
    if status not in Algorithm.Status.values:
        status = ""
    if status:
        algorithms = algorithms.filter(status=status)
    page = Paginator(algorithms, PAGE_SIZE).get_page(request.GET.get("page"))
    creating = any(a.status == Algorithm.Status.CREATING for a in page.object_list)
    ctx = {
        "page": page,
        "q": q,
        "status": status,
        "status_label": Algorithm.Status(status).label if status else "",
        "refresh": creating,
    }
    return render(request, "algorithms/list.html", ctx)


def algorithm_detail(request: HttpRequest, pk: int) -> HttpResponse:
    algorithm = _get_algorithm_for_user(request, pk)
    ctx = {
        "algorithm": algorithm,
        "hyperparameters": algorithm.hyperparameters.all(),
        "help": help_offer(algorithm),
        "refresh": algorithm.status == Algorithm.Status.CREATING
        or algorithm.has_pending_package,
        "messages": _detail_messages(request, algorithm),
    }
    return render(request, "algorithms/detail.html", ctx)


CREATED_TAG = "algorithm-created"  # marks the create's banner, worded when the page shows it


def _detail_messages(request: HttpRequest, algorithm: Algorithm) -> list[Message]:
    """The page's banners. The create's 'created' banner is worded by the package check's
    state when the page is drawn, not when the create redirected (the check may have ended
    in between): 'checking' while it runs, 'passed' once ready, and none after a failure,
    whose red banner says what to fix."""
    shown = []
    for message in messages.get_messages(request):
        if CREATED_TAG in message.extra_tags.split():
            if algorithm.status == Algorithm.Status.FAILED:
                continue
            done = algorithm.status == Algorithm.Status.READY
            text = "its package passed the check" if done else "checking its package"
            message = Message(message.level, f"Algorithm '{algorithm.name}' created; {text}.")
        shown.append(message)
    return shown


@require_http_methods(["GET", "POST"])
def algorithm_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "algorithms/form.html", AlgorithmForm.initial().context())
    form = AlgorithmForm.from_post(
        request.POST, request.FILES, user_id=_user_id(request), oversized=_oversized(request)
    )
    if form.refused:
        return _refused(request, form, form.refused)
    try:
        algorithm = services.algorithm_create(
            owner=request.user, spec=form.spec, code=form.code, server_path=form.server_path
        )
    except services.AlgorithmValidationError as exc:
        return _refused(request, form, exc.errors)
    form.finish(user_id=_user_id(request))
    messages.success(request, f"Algorithm '{algorithm.name}' created.", extra_tags=CREATED_TAG)
    return redirect("algorithms:detail", pk=algorithm.pk)


@require_http_methods(["GET", "POST"])
def algorithm_edit(request: HttpRequest, pk: int) -> HttpResponse:
    algorithm = _get_algorithm_for_user(request, pk)
    if request.method != "POST":
        form = AlgorithmForm.initial(algorithm)
        if request.GET.get("from_help"):  # the saved table merged with the script's --help
            form.fill_from_help(algorithm)
        return render(request, "algorithms/form.html", form.context(instance=algorithm))
    form = AlgorithmForm.from_post(
        request.POST,
        request.FILES,
        user_id=_user_id(request),
        instance=algorithm,
        oversized=_oversized(request),
    )
    if form.refused:
        return _refused(request, form, form.refused, instance=algorithm)
    if request.POST.get("fill_from_help"):
        return _filled_from_help(request, form, algorithm)
    try:
        algorithm = services.algorithm_update(
            algorithm=algorithm, spec=form.spec, code=form.code, server_path=form.server_path
        )
    except services.AlgorithmValidationError as exc:
        return _refused(request, form, exc.errors, instance=algorithm)
    form.finish(user_id=_user_id(request))
    messages.success(request, f"Algorithm '{algorithm.name}' saved.")
    return redirect("algorithms:detail", pk=algorithm.pk)


def _filled_from_help(
    request: HttpRequest, form: AlgorithmForm, algorithm: Algorithm
) -> HttpResponse:
    """The form as typed, its table merged with the script's ``--help``; nothing is saved
    (a chosen file is kept for the save, as after a refusal)."""
    form.close()
    form.keep_upload(AlgorithmErrors(), user_id=_user_id(request))
    form.fill_from_help(algorithm)
    return render(request, "algorithms/form.html", form.context(instance=algorithm))


def _oversized(request: HttpRequest) -> dict[str, int]:
    """Text fields too large to read, left out of ``request.POST`` (``console.multipart``)."""
    return dict(getattr(request, "oversized_fields", {}))


def _refused(
    request: HttpRequest,
    form: AlgorithmForm,
    errors: AlgorithmErrors,
    instance: Algorithm | None = None,
) -> HttpResponse:
    """The form again, everything typed kept (the upload too), each message by its field."""
    form.close()
    form.keep_upload(errors, user_id=_user_id(request))
    ctx = form.context(errors, instance=instance)
    return render(request, "algorithms/form.html", ctx, status=400)


@require_http_methods(["GET", "POST"])
def algorithm_delete(request: HttpRequest, pk: int) -> HttpResponse:
    algorithm = _get_algorithm_for_user(request, pk)
    if request.method != "POST":
        # Said before the click: the service refuses while jobs use it (their FK protects).
        ctx = {"algorithm": algorithm, "jobs_using": algorithm.training_jobs.count()}
        return render(request, "algorithms/delete.html", ctx)
    try:
        services.algorithm_delete(algorithm=algorithm)
    except services.AlgorithmInUse as exc:
        messages.error(request, str(exc))
        return redirect("algorithms:detail", pk=algorithm.pk)
    messages.success(request, f"Algorithm '{algorithm.name}' deleted.")
    return redirect("algorithms:list")


@require_POST
def regex_generate(request: HttpRequest) -> JsonResponse:
    """Candidate regexes for a metric name, matched against an optional sample log."""
    name = request.POST.get("metric_name", "")
    try:
        found = metric_regex.generate_metric_regex(name, request.POST.get("sample_log", ""))
    except metric_regex.MetricRegexError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    candidates = [candidate.as_dict() for candidate in found]
    for candidate in candidates:
        candidate["matches"] = _finite(candidate["matches"])
    return JsonResponse({"candidates": candidates})


@require_POST
def regex_test(request: HttpRequest) -> JsonResponse:
    """The lines of a sample log a pattern reads a value from, exactly as a trial would."""
    pattern = request.POST.get("pattern", "")
    log = request.POST.get("sample_log", "")
    try:
        # Bounded in lines, size and time: a slow pattern cannot hold this worker.
        result = metric_regex.test_log(pattern, log)
    except metric_regex.MetricRegexError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse(
        {
            "matches": _finite(result.matches),
            "count": len(result.matches),
            "lines": result.lines_total,
            "scanned": result.lines_scanned,
            "truncated": result.truncated,
            "note": result.note(),
        }
    )


def _finite(matches: list[Any]) -> list[dict[str, Any]]:
    # JSON has no NaN or Infinity: a browser's JSON.parse would reject the whole answer.
    return [
        {**m, "value": m["value"] if math.isfinite(m["value"]) else str(m["value"])}
        for m in matches
    ]
