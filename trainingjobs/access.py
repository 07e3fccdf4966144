"""Which job or trial a page request may see: its owner's, or any for staff.

One place for the pages' lookups (``views``, ``dashboard_views``): someone else's job or
trial is a 404, never a 403, so ids of other users' jobs are not revealed.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from trainingjobs.models import TrainingJob, Trial


def job_for(request: HttpRequest, pk: int) -> TrainingJob:
    """The job ``pk`` with its algorithm and owner, if ``request.user`` may see it.

    Raises ``Http404`` otherwise.
    """
    jobs = TrainingJob.objects.visible_to(request.user).select_related("algorithm", "owner")
    return get_object_or_404(jobs, pk=pk)


def trial_for(request: HttpRequest, pk: int, number: int) -> Trial:
    """Trial ``number`` of job ``pk`` with its job and algorithm, if ``request.user`` may
    see the job. Raises ``Http404`` otherwise."""
    trials = Trial.objects.visible_to(request.user).select_related("job", "job__algorithm")
    return get_object_or_404(trials, job_id=pk, number=number)
