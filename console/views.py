"""The home page: what the user has, and where to start; the console's error pages."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db.models import Case, Count, When
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from algorithms import examples
from algorithms.models import Algorithm
from trainingjobs.models import TrainingJob
from trainingjobs.pages import with_trial_counts

RECENT = 5
FAVICON_MAX_AGE = 24 * 3600  # seconds a browser keeps the redirect


@require_GET
@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers ask for on pages that name no icon (a plain-text
    log, a JSON answer): a redirect to the console's logo, the icon every page names."""
    response = redirect(static("console/img/logo.svg"))
    patch_cache_control(response, max_age=FAVICON_MAX_AGE)
    return response


@lru_cache(maxsize=1)
def bundled_examples() -> tuple[dict[str, str], ...]:
    """The examples shipped in ``examples/*/algorithm.json``: name, folder and a summary."""
    found = []
    for example_dir, spec in examples.bundled_example_specs(skip_unreadable=True):
        description = str(spec.get("description", ""))
        folder = example_dir.resolve()
        allowed = any(folder.is_relative_to(root) for root in settings.ALGORITHM_SERVER_ROOTS)
        found.append(
            {
                "name": str(spec.get("name", example_dir.name)),
                "folder": f"examples/{example_dir.name}",
                # The path to type as "Folder on the server", when the console allows it.
                "server_path": str(folder) if allowed else "",
                "boot_file": str(spec.get("boot_file", "train.py")),
                "summary": description.split(". ")[0].rstrip(".") if description else "",
            }
        )
    return tuple(found)


def home(request: HttpRequest) -> HttpResponse:
    algorithms = Algorithm.objects.visible_to(request.user)
    by_status = dict(
        algorithms.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    names = {e["name"] for e in bundled_examples()}
    registered = dict(algorithms.filter(name__in=names).values_list("name", "pk"))
    examples: list[dict[str, Any]] = [
        {**example, "pk": registered.get(example["name"])} for example in bundled_examples()
    ]
    # Running jobs first, then the latest ended ones fill the card, five in all, in one
    # query: a finished search (the demo jobs end within minutes) is still one click away.
    home_jobs = with_trial_counts(
        TrainingJob.objects.visible_to(request.user)
        .select_related("algorithm", "best_trial")
        .annotate(has_ended=Case(When(status__in=TrainingJob.ACTIVE, then=0), default=1))
        .order_by("has_ended", "-created_at", "-id")
    )[:RECENT]
    context = {
        "algorithm_count": sum(by_status.values()),
        "ready_count": by_status.get(Algorithm.Status.READY, 0),
        "creating_count": by_status.get(Algorithm.Status.CREATING, 0),
        "failed_count": by_status.get(Algorithm.Status.FAILED, 0),
        "recent_algorithms": algorithms.select_related("owner").order_by("-created_at")[:RECENT],
        "examples": examples,
        "home_jobs": list(home_jobs),
        "active_statuses": TrainingJob.ACTIVE,
    }
    return render(request, "console/home.html", context)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 400 for a request Django could not read (``handler400``), in words.

    Django raises these while reading a form, before any view runs: its text fields pass
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (``RequestDataTooBig``), or it has more fields or files
    than allowed. Its own answer is a bare "Bad Request (400)"; this one says what was too
    large and that nothing was saved (JSON ``{"detail": ...}`` under ``/api/``).
    """
    headline, message, advice = _bad_request_text(exception)
    if _is_api(request):
        return JsonResponse({"detail": f"{message} Nothing was saved."}, status=400)
    context = {"headline": headline, "message": message, "advice": advice}
    return render(request, "400.html", context, status=400)


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 404 (``handler404``): under ``/api/`` the REST API's own shape, ``{"detail":
    "Not found."}``, for a path that names no endpoint (a mistyped URL); elsewhere the
    console's page. Endpoints that exist answer their own 404s."""
    if _is_api(request):
        return JsonResponse({"detail": f"Not found: no endpoint at {request.path}."}, status=404)
    return defaults.page_not_found(request, exception)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 403 (``handler403``): JSON ``{"detail": ...}`` under ``/api/``, else the page."""
    if _is_api(request):
        detail = "You do not have permission to perform this action."
        return JsonResponse({"detail": detail}, status=403)
    return defaults.permission_denied(request, exception)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 (``handler500``): JSON ``{"detail": ...}`` under ``/api/``, else the page.
    Nothing should reach it; when something does, an API client still gets JSON."""
    if _is_api(request):
        return JsonResponse({"detail": "A server error occurred."}, status=500)
    return defaults.server_error(request)


def _bad_request_text(exception: Exception | None) -> tuple[str, str, str]:
    back = "Go back with your browser's Back button (what you typed is usually still there)"
    if isinstance(exception, RequestDataTooBig):
        limit = _size(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return (
            "The form is too large to read.",
            f"Its text fields hold more than {limit} together (files do not count).",
            f"{back}, shorten the longest text and send it again.",
        )
    if isinstance(exception, TooManyFieldsSent):
        return (
            "The form has too many fields.",
            f"It sent more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields.",
            f"{back}, remove rows you do not need and send it again.",
        )
    if isinstance(exception, TooManyFilesSent):
        return (
            "The form has too many files.",
            f"It sent more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files.",
            f"{back} and send fewer files.",
        )
    return ("The request could not be read.", "It was malformed or incomplete.", "Try again.")


def _size(size: int) -> str:
    """``16 MB``, ``1.5 KB``, ``900 bytes``."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} bytes"
