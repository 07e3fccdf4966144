"""The home page: what the user has, and where to start; the console's error pages."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from algorithms import examples
from algorithms.models import Algorithm
from trainingjobs.models import TrainingJob
from trainingjobs.pages import with_trial_counts

RECENT = 5


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
    context = {
        "algorithm_count": sum(by_status.values()),
        "ready_count": by_status.get(Algorithm.Status.READY, 0),
        "creating_count": by_status.get(Algorithm.Status.CREATING, 0),
        "failed_count": by_status.get(Algorithm.Status.FAILED, 0),
        "recent_algorithms": algorithms.select_related("owner").order_by("-created_at")[:RECENT],
        "examples": examples,
        "active_jobs": with_trial_counts(
            TrainingJob.objects.visible_to(request.user)
            .filter(status__in=TrainingJob.ACTIVE)
            .select_related("algorithm", "best_trial")
        )[:RECENT],
    }
    return render(request, "console/home.html", context)
