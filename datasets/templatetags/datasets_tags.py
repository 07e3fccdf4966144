"""Template hooks other pages use: a trial's outputs, and the best trial's download link.

``{% load datasets_tags %}{% trial_outputs trial %}`` on the trial page and
``{% best_model_link job %}`` on the job page; the reads live here, not in templates.
"""

from __future__ import annotations

from typing import Any

from django import template

from datasets.models import Dataset, OutputSet

register = template.Library()


def _output_set(trial_id: int | None) -> OutputSet | None:
    if trial_id is None:
        return None
    return OutputSet.objects.filter(trial_id=trial_id).prefetch_related("files").first()


@register.inclusion_tag("datasets/_trial_outputs.html")
def trial_outputs(trial: Any) -> dict[str, Any]:
    output_set = _output_set(trial.pk)
    return {
        "trial": trial,
        "output_set": output_set,
        "files": list(output_set.files.all()) if output_set else [],
    }


@register.inclusion_tag("datasets/_best_model_link.html")
def best_model_link(job: Any) -> dict[str, Any]:
    output_set = _output_set(getattr(job, "best_trial_id", None))
    return {"job": job, "output_set": output_set if output_set and output_set.file_count else None}


@register.inclusion_tag("datasets/_job_dataset_field.html", takes_context=True)
def job_dataset_field(context: Any, selected: Any, messages: Any = None) -> dict[str, Any]:
    """The create-job page's dataset select: the user's own datasets (staff: all)."""
    user = context["request"].user
    datasets = (
        Dataset.objects.visible_to(user)
        .select_related("owner")
        .only("pk", "name", "status", "size", "file_count", "owner__username")
    )
    return {
        "datasets": list(datasets.order_by("name")),
        "selected": str(selected or ""),
        "messages_": messages or [],
        "user": user,
    }
