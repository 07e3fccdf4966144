"""Who may see what: datasets, and the outputs of a trial.

Datasets go through ``Dataset.objects.visible_to(user)``. Outputs belong to a trial, and
a trial is visible when its job is: the trial model is looked up by its app label, as
the outputs' foreign key names it, because this app never imports ``trainingjobs`` (which
imports this one). Another user's dataset or trial is a 404, exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.http import Http404
from django.shortcuts import get_object_or_404

from datasets.models import Dataset, OutputFile


def get_dataset_for_user(user: Any, pk: int) -> Dataset:
    return get_object_or_404(Dataset.objects.visible_to(user), pk=pk)


def check_trial_for_user(user: Any, trial_id: int) -> None:
    """Raise Http404 unless the trial exists and the user may see it."""
    trial_model: Any = apps.get_model("trainingjobs", "Trial")
    if not trial_model.objects.visible_to(user).filter(pk=trial_id).exists():
        raise Http404("No such trial.")


def output_files_for_user(user: Any, trial_id: int) -> list[OutputFile]:
    """The trial's stored output files (empty while it has none); Http404 if not visible."""
    check_trial_for_user(user, trial_id)
    return list(OutputFile.objects.filter(output_set__trial_id=trial_id).order_by("path"))


def output_file_for_user(user: Any, trial_id: int, path: str) -> OutputFile:
    check_trial_for_user(user, trial_id)
    found = OutputFile.objects.filter(output_set__trial_id=trial_id, path=path).first()
    if found is None:
        raise Http404("No such output file.")
    return found
